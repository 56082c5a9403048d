//! Per-segment databases on SQLite: three files (main, `vip`, `b2b`) behind one routing store
//! (the suite is `jaga_testkit::conformance_segment_dbs`).

use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use std::sync::Arc;

async fn open(dir: &std::path::Path, name: &str) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", dir.join(name).display());
    Arc::new(SqliteStore::open(&url).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_databases_keep_customers_apart() {
    let dir = tempfile::tempdir().unwrap();
    jaga_testkit::conformance_segment_dbs::segment_databases_keep_customers_apart(
        open(dir.path(), "jaga.db").await,
        open(dir.path(), "segment-vip.db").await,
        open(dir.path(), "segment-b2b.db").await,
    )
    .await;
}
