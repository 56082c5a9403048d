//! Opening a PostgreSQL store.

use crate::config::redact_url;
use anyhow::{Context, Result};
use jaga_core::store::Store;
use std::sync::Arc;

/// Opens the PostgreSQL store at `url` (runs migrations; safe with several nodes at once).
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let store = jaga_store_postgres::PostgresStore::open(url)
        .await
        .with_context(|| format!("opening {}", redact_url(url)))?;
    Ok(Arc::new(store))
}
