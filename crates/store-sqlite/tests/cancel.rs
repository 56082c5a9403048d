//! A caller that abandons a store call mid-transaction must not wedge the store (regression:
//! sqlx's rollback-on-drop once left the single writer connection inside a transaction).

use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_transactions_do_not_wedge_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap(),
    );
    jaga_testkit::conformance_audit::abandoned_calls_are_all_or_nothing(store).await;
}
