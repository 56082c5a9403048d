//! Jaga's store on SQLite: the embedded default, one file in the data directory.
//!
//! - WAL journal, `synchronous = NORMAL` (a power cut may lose the last commits, never split a
//!   change from its audit event), `foreign_keys`, and `secure_delete` so that erased keys and
//!   ciphertexts are overwritten with zeros rather than left in free pages.
//! - Every write runs in a `BEGIN IMMEDIATE` transaction on a single writer connection; other
//!   processes on the same file wait on the busy timeout. Customer and order writes and the
//!   audit records of reads are committed in groups by one writer task (see
//!   `jaga_store_sql::group`); reads, audited or not, run on a separate pool of read-only
//!   connections and wait only for their audit record to be durable.
//! - After an erasure the WAL is checkpointed and truncated so the deleted key does not linger
//!   in the WAL file.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod dialect;
mod sql;

// The shared store code (crate `jaga-store-sql`), compiled against SQLite's types.
jaga_store_sql::backend!(crate::SqliteStore);

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
    group: std::sync::Arc<group::Group>,
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
        // The writer holds the hot index pages of four tables with random keys (customers,
        // keys, events by customer, nodes) across groups; SQLite's default 2 MiB cache spills
        // them after a few thousand customers. Multi-row inserts into tables with unique
        // indexes need a statement journal: keep it in memory instead of a temporary file.
        let writer_opts = opts
            .clone()
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "MEMORY");
        // No ping before each use (`test_before_acquire`): sqlx already pings every connection
        // when it goes back to the pool, and a query on a broken connection fails like the ping
        // would (the pool then drops it). Each ping is a round trip to the connection's worker
        // thread, on every store call.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(writer_opts)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(opts.read_only(true).pragma("cache_size", "-16384"))
            .await
            .map_err(db)?;
        let group = group::Group::new(writer.clone());
        Ok(Self {
            writer,
            reader,
            group,
        })
    }

    /// Closes both pools (checkpointing the WAL).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Begins a write transaction: `BEGIN IMMEDIATE` takes the write lock up front, so the
    /// audit head read inside it cannot be raced by another writer.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        begin_tx(&self.writer).await
    }

    /// The group-commit writer (see `jaga_store_sql::group`).
    pub(crate) fn group(&self) -> &group::Group {
        &self.group
    }

    /// The single writer connection (also used for reads that must see the latest writes).
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// The read-only pool.
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

/// Begins a write transaction on `pool` with `BEGIN IMMEDIATE` (used by the group-commit writer
/// and by [`SqliteStore::begin`]).
pub(crate) async fn begin_tx(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
}

/// Begins the group-commit writer's transaction on the connection it holds (see
/// `jaga_store_sql::group`).
pub(crate) async fn begin_on(conn: &mut Conn) -> Result<sqlx::Transaction<'_, Db>, StoreError> {
    sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE")
        .await
        .map_err(db)
}

/// The backend types the shared store code is compiled against.
pub(crate) type Db = sqlx::Sqlite;
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
pub(crate) type Conn = sqlx::SqliteConnection;

/// Unique constraints by the `table.column` list SQLite reports for them.
const ERRORS: jaga_store_sql::ErrorMap = jaga_store_sql::ErrorMap {
    constraint_name,
    unique: &[
        ("customers.code", "customer_code"),
        ("orders.order_ref", "order_ref"),
        ("tokens.fingerprint", "token_fingerprint"),
        ("staff.email", "staff_email"),
        ("api_keys.id", "api_key_id"),
        (
            "payee_bank.payee_id, payee_bank.version",
            "payee_bank_version",
        ),
    ],
};

/// SQLite names no constraint in a unique violation; it reports the index's columns,
/// `UNIQUE constraint failed: table.column`, which identify it as exactly.
fn constraint_name(e: &dyn sqlx::error::DatabaseError) -> Option<&str> {
    e.message()
        .strip_prefix("UNIQUE constraint failed: ")
        .or_else(|| e.message().strip_prefix("PRIMARY KEY constraint failed: "))
}

/// Maps a database error, naming unique constraints so the core can react to them.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    ERRORS.map(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unique_violations_are_named_by_constraint() {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, code TEXT UNIQUE, code2 TEXT UNIQUE);\
             INSERT INTO customers (id, code, code2) VALUES (1, 'a', 'a');",
        )
        .execute(&pool)
        .await
        .unwrap();
        let dup = |sql: &'static str| {
            let pool = pool.clone();
            async move { db(sqlx::query(sql).execute(&pool).await.unwrap_err()) }
        };
        assert!(matches!(
            dup("INSERT INTO customers (id, code) VALUES (2, 'a')").await,
            StoreError::Unique("customer_code")
        ));
        // A constraint not in the table is still a unique violation, just not a named one.
        assert!(matches!(
            dup("INSERT INTO customers (id, code2) VALUES (3, 'a')").await,
            StoreError::Unique("unknown")
        ));
        // Other failures are database errors.
        assert!(matches!(
            dup("INSERT INTO nowhere VALUES (1)").await,
            StoreError::Database(_)
        ));
    }
}
