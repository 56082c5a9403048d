//! Opening a PostgreSQL store.

use anyhow::Result;
use jaga_core::store::Store;
use std::sync::Arc;

/// Opens the PostgreSQL store at `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let _ = url;
    anyhow::bail!("PostgreSQL support is not built into this binary yet")
}
