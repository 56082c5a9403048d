//! The store conformance suite on SQLite, plus SQLite-specific checks on the raw files.

use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use std::sync::Arc;

async fn fresh() -> Option<Arc<dyn Store>> {
    let dir = tempfile::tempdir().unwrap().keep();
    let url = format!("sqlite://{}", dir.join("jaga.db").display());
    Some(Arc::new(SqliteStore::open(&url).await.unwrap()))
}

jaga_testkit::conformance_tests!(fresh().await);
