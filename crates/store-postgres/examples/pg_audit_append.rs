//! Audit append benchmark on PostgreSQL, meant to run as several processes at once against one
//! database (every append takes the head row lock, so this measures the contended case). See
//! `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo build --release -p jaga-store-postgres --example pg_audit_append
//! for i in 1 2 3; do target/release/examples/pg_audit_append URL [EVENTS=30000] [BATCH=100] [TASKS=4] & done; wait
//! ```
//!
//! Each process runs TASKS concurrent tasks; each task appends its share of EVENTS in
//! transactions of BATCH events (BATCH = 1: one standalone append per transaction). It prints
//! its own rate and its start and end time (ms since epoch) so the combined rate of all
//! processes is `total events / (last end − first start)`.

use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Caller;
use jaga_core::store::{CheckpointStore, Store};
use jaga_store_postgres::PostgresStore;
use std::sync::Arc;
use std::time::Instant;

fn record(caller: &Caller, i: usize) -> AuditRecord {
    AuditRecord::new(caller, AuditAction::CustomerReveal)
        .customer(uuid::Uuid::new_v4())
        .fields(["phone", "address"])
        .purpose(&format!("TICKET-{i}"))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .expect("usage: pg_audit_append URL [EVENTS] [BATCH] [TASKS]")
        .clone();
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (events, batch, tasks) = (arg(2, 30_000), arg(3, 100).max(1), arg(4, 4).max(1));
    let store = Arc::new(PostgresStore::open(&url).await.unwrap());
    let t0 = jaga_core::now_ms();
    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        let share = events / tasks;
        handles.push(tokio::spawn(async move {
            let caller = jaga_testkit::system_caller(&format!("bench-{t}"));
            let mut done = 0;
            while done < share {
                let n = batch.min(share - done);
                if n == 1 {
                    store.audit_append(record(&caller, done)).await.unwrap();
                } else {
                    let recs = (done..done + n).map(|i| record(&caller, i)).collect();
                    store.audit_append_batch(recs).await.unwrap();
                }
                done += n;
            }
            share
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let head = store.audit_head().await.unwrap();
    println!(
        "pid {}: {total} events, batch {batch}, {tasks} tasks: {secs:.2} s = {:.0} events/s; start_ms {t0} end_ms {}; head {}",
        std::process::id(),
        total as f64 / secs,
        jaga_core::now_ms(),
        head.size
    );
}
