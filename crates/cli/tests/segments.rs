//! `jaga segments move`: moving a customer to another segment at the machine, end to end with
//! the binary: re-encrypted, audited as `cli.segments`, the log still verifies, bad input
//! changes nothing.

use jaga_core::store::Store;
use std::path::Path;
use std::process::Output;

mod common;
use common::jaga;

fn out(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn open(dir: &Path) -> jaga_store_sqlite::SqliteStore {
    let url = format!("sqlite://{}", dir.join("data/jaga.db").display());
    jaga_store_sqlite::SqliteStore::open(&url).await.unwrap()
}

/// The decoded audit events.
async fn events(dir: &Path) -> Vec<serde_json::Value> {
    let store = open(dir).await;
    let size = store.audit_head().await.unwrap().size;
    let evs = store.audit_events(0, size as u32).await.unwrap();
    store.close().await;
    evs.iter()
        .map(|e| serde_json::from_slice(&e.leaf[1..]).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_moves_between_segments_and_the_log_verifies() {
    let dir = common::temp();
    let o = jaga(&dir, &["init"]);
    assert!(o.status.success(), "{}", out(&o));
    let csv = dir.join("customers.csv");
    std::fs::write(
        &csv,
        "full_name,email,segment\nDewi Sari,dewi@example.co.id,vip\n",
    )
    .unwrap();
    let o = jaga(&dir, &["import", "customers", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", out(&o));
    let id = events(&dir)
        .await
        .iter()
        .find(|v| v["action"] == "customer.create")
        .and_then(|v| v["customer_id"].as_str().map(str::to_string))
        .expect("the create event");
    let before = events(&dir).await.len();

    // Bad input: refused, nothing written.
    for (args, want) in [
        (vec!["--to", "Bad Name"], "--to"),
        (
            vec![
                "--to",
                "b2b",
                "--customer",
                "00000000-0000-4000-8000-000000000000",
            ],
            "no such customer",
        ),
        (vec!["--to", "vip"], "already"),
    ] {
        let mut all = vec!["segments", "move"];
        if !args.contains(&"--customer") {
            all.extend(["--customer", id.as_str()]);
        }
        all.extend(args);
        let o = jaga(&dir, &all);
        assert!(!o.status.success(), "{}", out(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(want),
            "{want}: {}",
            out(&o)
        );
    }
    let store = open(&dir).await;
    let row = store
        .customer_load(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .row;
    store.close().await;
    assert_eq!(row.segment, "vip");
    let refused = events(&dir).await;
    assert!(
        !refused
            .iter()
            .skip(before)
            .any(|v| v["action"] == "customer.segment_move" && v["outcome"] == "ok")
    );

    // The move.
    let o = jaga(
        &dir,
        &[
            "segments",
            "move",
            "--customer",
            &id,
            "--to",
            "b2b",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", out(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", out(&o)));
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("vip"), Some("b2b"))
    );
    let store = open(&dir).await;
    let moved = store
        .customer_load(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .row;
    store.close().await;
    assert_eq!(moved.segment, "b2b");
    assert_ne!(moved.fields, row.fields, "re-encrypted");
    let ev = events(&dir).await;
    let m = ev
        .iter()
        .find(|v| v["action"] == "customer.segment_move" && v["outcome"] == "ok")
        .expect("the move event");
    assert_eq!(m["actor_id"], "cli.segments");
    assert_eq!(m["customer_id"], id.as_str());
    assert!(!m.to_string().contains("dewi"), "{m}");
    let o = jaga(&dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", out(&o));
}
