//! A caller that abandons a store call mid-transaction must not wedge the store or split a
//! change from its audit event (the PostgreSQL twin of the SQLite test of the same name).

mod common;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_transactions_do_not_wedge_the_writer() {
    let Some(store) = common::fresh().await else {
        return;
    };
    let h = jaga_testkit::Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let batch: Vec<_> = (0..200)
        .map(|i| jaga_testkit::marked_customer(&format!("C{i}"), i))
        .collect();
    for i in 0..40u64 {
        // A big batch takes long enough that the timeout lands inside its transaction.
        let _ = tokio::time::timeout(Duration::from_micros(200 + i * 250), w.create_batch(&batch))
            .await;
    }
    for i in 0..5 {
        w.create(&jaga_testkit::marked_customer(
            &format!("After{i}"),
            900 + i,
        ))
        .await
        .unwrap_or_else(|e| panic!("create {i} after abandoned calls: {e}"));
    }
    // Every abandoned batch either committed whole, with its audit events, or not at all.
    let size = jaga_testkit::conformance::verify_log(store.as_ref()).await;
    let live = store.dek_counts().await.unwrap();
    let customers: u64 = live.iter().map(|(_, n)| n).sum();
    // 2 keyring events from initialisation, one event per created customer.
    assert_eq!(size, 2 + customers, "each customer has exactly one create event");
    assert_eq!(customers % 200, 5, "batches are all-or-nothing");
}
