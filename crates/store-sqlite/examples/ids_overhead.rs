//! Intrusion-detection overhead on audited requests (issue 16: "detection adds under 5 % to the
//! throughput of audited requests"). See `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo run --release -p jaga-store-sqlite --example ids_overhead -- [N=20000] [ROUNDS=5]
//! ```
//!
//! Each round: a fresh SQLite store in a temporary directory with 2,000 customers, then `N`
//! audited requests through the vault's capabilities — four masked reads (`customer.read`, one
//! transaction with its audit event each) and one reveal (`customer.reveal` with a purpose) in
//! every five, spread over eight API-key callers — on two stores side by side, one with
//! detection on (the default rules) and one with `[ids] enabled = false`, in interleaved bursts
//! of 250 requests (alternating which goes first) so that load from elsewhere on the shared
//! machine hits both alike. With detection on, every
//! committed event goes through `Vault::observe` and the rules; the 20-reveals-an-hour rule
//! fires once per caller (and contains it, in memory). The throughput ratio is taken within the
//! round; the median over rounds is reported. A second figure is the engine alone: the rules'
//! cost per event with no I/O.

use jaga_core::audit::{AuditAction, AuditRecord, Outcome};
use jaga_core::auth::{ActorKind, Caller, Scope};
use jaga_core::ids::{Detector, IdsConfig, Seen};
use jaga_core::model::Field;
use jaga_store_sqlite::SqliteStore;
use jaga_testkit::{Harness, marked_customer};
use std::sync::Arc;
use std::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One side of the comparison: a store with 2,000 customers and eight callers.
struct Side {
    h: Harness,
    store: SqliteStore,
    ids: Vec<uuid::Uuid>,
    callers: Vec<Caller>,
    _dir: tempfile::TempDir,
    secs: f64,
    done: usize,
}

async fn side(detection: bool) -> Result<Side, BoxError> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("jaga.db").display());
    let store = SqliteStore::open(&url).await?;
    let h = Harness::new(Arc::new(store.clone())).await;
    h.vault
        .set_ids_config(IdsConfig {
            enabled: detection,
            ..Default::default()
        })
        .map_err(|e| -> BoxError { e.into() })?;
    let inputs: Vec<_> = (0..2000)
        .map(|i| marked_customer(&format!("B{i}"), i))
        .collect();
    let admin = h.admin();
    let mut ids = Vec::new();
    for chunk in inputs.chunks(500) {
        for c in h.vault.writer(&admin).await?.create_batch(chunk).await? {
            ids.push(c.id);
        }
    }
    // As `jaga serve` does at start (and every 250 ms): load the honeytoken markers.
    h.vault.ids_refresh().await?;
    let callers = (0..8)
        .map(|k| {
            Caller::for_tests(
                ActorKind::ApiKey,
                &format!("bench{k}"),
                &[Scope::CustomersRead, Scope::CustomersReveal],
            )
        })
        .collect();
    Ok(Side {
        h,
        store,
        ids,
        callers,
        _dir: dir,
        secs: 0.0,
        done: 0,
    })
}

/// `n` audited requests on `s`, timed into `s.secs`.
async fn burst(s: &mut Side, n: usize) -> Result<(), BoxError> {
    let start = Instant::now();
    for j in 0..n {
        let i = s.done + j;
        let caller = &s.callers[i % s.callers.len()];
        let id = s.ids[(i * 7919) % s.ids.len()];
        if i % 5 == 4 {
            s.h.vault
                .revealer(caller, Some("ticket 1234"))
                .await?
                .get(id, &[Field::Email])
                .await?;
        } else {
            s.h.vault.reader(caller).await?.get(id).await?;
        }
    }
    s.secs += start.elapsed().as_secs_f64();
    s.done += n;
    Ok(())
}

/// One round: both sides fresh, the `n` requests of each run in interleaved bursts of 250
/// (alternating which side goes first), so load from elsewhere on the machine hits both alike.
async fn run(n: usize) -> Result<(f64, f64), BoxError> {
    let mut on = side(true).await?;
    let mut off = side(false).await?;
    let mut k = 0;
    while on.done < n {
        let b = 250.min(n - on.done);
        if k % 2 == 0 {
            burst(&mut on, b).await?;
            burst(&mut off, b).await?;
        } else {
            burst(&mut off, b).await?;
            burst(&mut on, b).await?;
        }
        k += 1;
    }
    on.store.close().await;
    off.store.close().await;
    Ok((on.done as f64 / on.secs, off.done as f64 / off.secs))
}

fn engine_ns_per_event() -> f64 {
    let mut d = Detector::new(IdsConfig::default()).expect("defaults");
    let n = 2_000_000u32;
    let recs: Vec<AuditRecord> = (0..64)
        .map(|k| AuditRecord {
            ts_ms: 1_795_971_600_000 + 10 * 3_600_000,
            actor_kind: ActorKind::ApiKey,
            actor_id: format!("bench{}", k % 8),
            action: if k % 5 == 4 {
                AuditAction::CustomerReveal
            } else {
                AuditAction::CustomerRead
            },
            customer_id: Some(uuid::Uuid::new_v4()),
            fields: vec!["email".into()],
            purpose: None,
            outcome: Outcome::Ok,
            request_id: Some("r".into()),
        })
        .collect();
    let start = Instant::now();
    let mut fired = 0usize;
    for i in 0..n {
        let mut r = recs[i as usize % recs.len()].clone();
        r.ts_ms += i64::from(i) * 2; // two events per millisecond
        fired += d.observe(Seen::event(&r), |_| false).len();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(n);
    assert!(fired > 0, "the bulk-reveal rule fired while measured");
    ns
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let n = args.first().copied().unwrap_or(20_000);
    let rounds = args.get(1).copied().unwrap_or(5);
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let (on, off) = run(n).await?;
        let ratio = on / off;
        println!(
            "round {round}: detection on {on:.0} req/s, off {off:.0} req/s, on/off {ratio:.4} ({:+.2} %)",
            (ratio - 1.0) * 100.0
        );
        ratios.push(ratio);
    }
    ratios.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let median = ratios[ratios.len() / 2];
    println!(
        "median on/off throughput {median:.4}: detection costs {:.2} % of audited-request throughput",
        (1.0 - median) * 100.0
    );
    println!(
        "rules engine alone: {:.0} ns per event",
        engine_ns_per_event()
    );
    Ok(())
}
