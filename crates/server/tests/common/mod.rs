//! The test server the HTTP test files of this crate share: a vault over a fresh SQLite store in
//! a temporary directory (removed when the test ends) behind the real router. Each test file adds
//! its own request helpers in an `impl Api` block.
#![allow(dead_code)] // each test binary uses a different part

use jaga_server::{AppState, ServerConfig, router};
use jaga_testkit::Harness;
use std::sync::Arc;

/// A router over a vault over a fresh SQLite store.
pub struct Api {
    /// The vault and store under the router.
    pub h: Harness,
    /// The router under test.
    pub app: axum::Router,
    /// The router's state (handlers in flight).
    pub state: Arc<AppState>,
    _dir: tempfile::TempDir,
}

impl Api {
    /// The SQLite database under the store, for tests that inspect stored bytes.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("t.db")
    }
}

/// A test server with a 64 KiB body limit (small enough to test the limit cheaply).
pub async fn api() -> Api {
    api_with(ServerConfig {
        body_limit: 64 * 1024,
        ..Default::default()
    })
    .await
}

/// A test server with `config`.
pub async fn api_with(config: ServerConfig) -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = jaga_store_sqlite::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("t.db").display()
    ))
    .await
    .unwrap();
    let h = Harness::new(Arc::new(store)).await;
    let state = AppState::new(h.vault.clone(), config);
    let app = router(state.clone());
    Api {
        h,
        app,
        state,
        _dir: dir,
    }
}
