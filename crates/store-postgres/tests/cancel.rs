//! A caller that abandons a store call mid-transaction must not wedge the store or split a
//! change from its audit event (the PostgreSQL twin of the SQLite test of the same name).

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_transactions_do_not_wedge_the_writer() {
    let Some(store) = common::fresh().await else {
        return;
    };
    jaga_testkit::conformance_audit::abandoned_calls_are_all_or_nothing(store).await;
}
