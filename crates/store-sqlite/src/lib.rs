//! Jaga's store on SQLite: the embedded default, one file in the data directory.
//!
//! - WAL journal, `synchronous = NORMAL` (a power cut may lose the last commits, never split a
//!   change from its audit event), `foreign_keys`, and `secure_delete` so that erased keys and
//!   ciphertexts are overwritten with zeros rather than left in free pages.
//! - Every write and every audited read runs in a `BEGIN IMMEDIATE` transaction on a single
//!   writer connection; other processes on the same file wait on the busy timeout. Unaudited
//!   reads use a separate reader pool.
//! - After an erasure the WAL is checkpointed and truncated so the deleted key does not linger
//!   in the WAL file.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
mod checkpoint;
mod customers;
mod jobs;
mod rows;
mod staff;
mod store;
mod tokens;

use jaga_core::store::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path`) and runs migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.read_only(true))
            .await
            .map_err(db)?;
        Ok(Self { writer, reader })
    }

    /// Closes both pools (checkpointing the WAL).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }
}

/// Maps a database error, naming unique constraints so the core can react to them.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    if let Some(d) = e.as_database_error()
        && d.is_unique_violation()
    {
        let msg = d.message();
        if msg.contains("customers.code") {
            return StoreError::Unique("customer_code");
        }
        if msg.contains("orders.order_ref") {
            return StoreError::Unique("order_ref");
        }
        if msg.contains("tokens.fingerprint") {
            return StoreError::Unique("token_fingerprint");
        }
        if msg.contains("staff.email") {
            return StoreError::Unique("staff_email");
        }
        if msg.contains("api_keys.id") {
            return StoreError::Unique("api_key_id");
        }
        return StoreError::Unique("unknown");
    }
    StoreError::Database(e.to_string())
}
