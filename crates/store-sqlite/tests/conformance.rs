//! The store conformance suite on SQLite, plus SQLite-specific checks on the raw files.

use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use std::sync::Arc;

/// A store in a temporary directory, which the test keeps (and so removes) until it ends.
async fn fresh() -> Option<(Arc<dyn Store>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("jaga.db").display());
    Some((Arc::new(SqliteStore::open(&url).await.unwrap()), dir))
}

jaga_testkit::conformance_tests!(fresh().await);
