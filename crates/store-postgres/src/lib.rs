//! Jaga's store on PostgreSQL: for deployments where several server nodes share one database.
//!
//! - Every write and every audited read runs in an ordinary `BEGIN` (READ COMMITTED)
//!   transaction from a pool of at most [`MAX_CONNECTIONS`] connections.
//! - The audit append is the **last** step before commit: it locks the single `audit_head` row
//!   with `SELECT ... FOR UPDATE`, plans the append, inserts the events and Merkle nodes in
//!   batches and updates the head. Positions are therefore assigned by exactly one writer at a
//!   time across every process using the database, and never come from a sequence. Because the
//!   head is always the last lock taken, transactions cannot deadlock on it, and the head is
//!   held only for a few statements.
//! - Migrations run on [`PostgresStore::open`]; sqlx's migrator holds a PostgreSQL advisory
//!   lock while it works, so several processes may start against the same database at once.
//! - Erasure cannot overwrite in place as SQLite's `secure_delete` does: see
//!   [`Store::customer_erase`](jaga_core::store::Store::customer_erase) in `customers.rs` for
//!   what lingers and why it stays unreadable.
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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// The largest number of connections one [`PostgresStore`] opens.
pub const MAX_CONNECTIONS: u32 = 16;

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`, libpq-style options allowed) and runs
    /// migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(db)?
            .application_name("jaga");
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        Ok(Self { pool })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        self.pool.begin().await.map_err(db)
    }
}

/// Commits in a task of its own so the commit always runs to completion.
///
/// If a caller abandons the future while `COMMIT` is in flight (an HTTP client hanging up), sqlx
/// would also queue a rollback for the dropped transaction; on SQLite that left the single writer
/// connection believing it was still inside a transaction and every later `BEGIN` failed. A
/// spawned commit cannot be cancelled: the transaction either commits or fails, never both.
pub(crate) async fn commit(
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
) -> Result<(), StoreError> {
    tokio::spawn(async move { tx.commit().await })
        .await
        .map_err(|_| StoreError::Database("commit task failed".into()))?
        .map_err(db)
}

/// Maps a database error, naming unique constraints so the core can react to them.
///
/// PostgreSQL's error message (never its `DETAIL`, which may quote row values) is kept for
/// operators; the statements only ever bind ids, codes, ciphertexts and blind-index terms.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    if let Some(d) = e.as_database_error()
        && d.is_unique_violation()
    {
        return StoreError::Unique(match d.constraint() {
            Some("customer_code") => "customer_code",
            Some("order_ref") => "order_ref",
            Some("api_keys_pkey") => "api_key_id",
            Some("tokens_fingerprint") => "token_fingerprint",
            Some("staff_email") => "staff_email",
            _ => "unknown",
        });
    }
    StoreError::Database(e.to_string())
}
