//! Audit append benchmark on SQLite: batched appends (`audit_append_batch`, one transaction per
//! batch, each event a Merkle leaf with its completed subtrees) and single appends. Optionally
//! keeps the database to measure `jaga audit verify` on it. See `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo run --release -p jaga-store-sqlite --example audit_append -- \
//!     [EVENTS=200000] [BATCH=1000] [SINGLE=2000] [KEEP_DB_PATH]
//! ```

use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Caller;
use jaga_core::store::{CheckpointStore, Store};
use jaga_store_sqlite::SqliteStore;
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
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (events, batch, single) = (arg(1, 200_000), arg(2, 1000), arg(3, 2000));
    let tmp = tempfile::tempdir().unwrap();
    let path = args
        .get(4)
        .cloned()
        .unwrap_or_else(|| tmp.path().join("bench.db").display().to_string());
    let store = SqliteStore::open(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let caller = jaga_testkit::system_caller("bench");
    let mut start = Instant::now();
    let mut done = 0;
    while done < events {
        let n = batch.min(events - done);
        let recs: Vec<AuditRecord> = (done..done + n).map(|i| record(&caller, i)).collect();
        if done == 0 {
            start = Instant::now();
        }
        store.audit_append_batch(recs).await.unwrap();
        done += n;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "batched: {events} events in batches of {batch}: {secs:.2} s = {:.0} events/s",
        events as f64 / secs
    );
    let start = Instant::now();
    for i in 0..single {
        store.audit_append(record(&caller, i)).await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "single:  {single} standalone appends: {secs:.2} s = {:.0} events/s",
        single as f64 / secs
    );
    let head = store.audit_head().await.unwrap();
    let ids = jaga_audit::inclusion_nodes(head.size / 3, head.size).unwrap();
    let start = Instant::now();
    let rounds = 200;
    for r in 0..rounds {
        let idx = (head.size / 7 * (r % 7)) % head.size;
        let ids = jaga_audit::inclusion_nodes(idx, head.size).unwrap();
        let mut nodes = store.audit_nodes(&ids).await.unwrap();
        jaga_audit::inclusion_proof(&mut nodes, idx, head.size).unwrap();
    }
    println!(
        "inclusion proof at {} events (one SELECT of {} nodes + hashing): {:.3} ms each",
        head.size,
        ids.len(),
        start.elapsed().as_secs_f64() * 1000.0 / rounds as f64
    );
    store.close().await;
}
