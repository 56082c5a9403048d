//! Jaga's store on PostgreSQL: for deployments where several server nodes share one database.
//!
//! - Every write runs in an ordinary `BEGIN` (READ COMMITTED) transaction from a pool of at most
//!   [`MAX_CONNECTIONS`] connections. Customer and order writes and the audit records of reads
//!   are committed in groups by one writer task per process (see `jaga_store_sql::group`), so
//!   one head lock and one WAL flush serve a whole group; reads run on the pool and wait only
//!   for their audit record to be durable.
//! - The audit append is the **last** step before commit: it locks the single `audit_head` row
//!   with `SELECT ... FOR UPDATE`, plans the append, inserts the events and Merkle nodes in
//!   batches and updates the head. Positions are therefore assigned by exactly one writer at a
//!   time across every process using the database, and never come from a sequence. Because the
//!   head is always the last lock taken, transactions cannot deadlock on it, and the head is
//!   held only for a few statements.
//! - Migrations run on [`PostgresStore::open`]; sqlx's migrator holds a PostgreSQL advisory
//!   lock while it works, so several processes may start against the same database at once.
//! - Erasure cannot overwrite in place as SQLite's `secure_delete` does: see
//!   `after_erase` in `dialect.rs` for what lingers and why it stays unreadable.
//! - The shared store code (crate `jaga-store-sql`) is compiled here against PostgreSQL's
//!   types; this crate holds only the connection, the migrations, the SQL text (`sql.rs`), the
//!   batch statements (`dialect.rs`) and the constraint names.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod backup;
mod dialect;
mod sql;

// The shared store code (crate `jaga-store-sql`), compiled against PostgreSQL's types.
jaga_store_sql::backend!(crate::PostgresStore);

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
    group: std::sync::Arc<group::Group>,
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
            // While the database is unreachable (restart, network), requests fail with 503
            // after this long instead of hanging; the pool reconnects once it is back.
            .acquire_timeout(Duration::from_secs(5))
            // No ping round trip before each use: sqlx pings every connection when it goes
            // back to the pool, and a query on a connection that died since fails like the
            // ping would (answered 503; the pool then drops the connection).
            .test_before_acquire(false)
            .connect_with(opts)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let group = group::Group::new(pool.clone());
        Ok(Self { pool, group })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Begins a transaction (READ COMMITTED).
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        begin_tx(&self.pool).await
    }

    /// The group-commit writer (see `jaga_store_sql::group`).
    pub(crate) fn group(&self) -> &group::Group {
        &self.group
    }

    /// The pool; every node shares the database, so there is no separate reader.
    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }

    /// The pool, as for [`writer`](Self::writer).
    pub(crate) fn reader(&self) -> &PgPool {
        &self.pool
    }
}

/// Begins a transaction (READ COMMITTED) on `pool` (used by the group-commit writer and by
/// [`PostgresStore::begin`]).
pub(crate) async fn begin_tx(pool: &PgPool) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
    pool.begin().await.map_err(db)
}

/// Begins the group-commit writer's transaction on the connection it holds (see
/// `jaga_store_sql::group`).
pub(crate) async fn begin_on(conn: &mut Conn) -> Result<sqlx::Transaction<'_, Db>, StoreError> {
    sqlx::Connection::begin(conn).await.map_err(db)
}

/// The backend types the shared store code is compiled against.
pub(crate) type Db = sqlx::Postgres;
pub(crate) type DbRow = sqlx::postgres::PgRow;
pub(crate) type Conn = sqlx::PgConnection;

/// Unique constraints by name (see the migrations), with the name the core knows them by.
const ERRORS: jaga_store_sql::ErrorMap = jaga_store_sql::ErrorMap {
    constraint_name,
    unique: &[
        ("customer_code", "customer_code"),
        ("order_ref", "order_ref"),
        ("api_keys_pkey", "api_key_id"),
        ("tokens_fingerprint", "token_fingerprint"),
        ("staff_email", "staff_email"),
        ("payee_bank_pkey", "payee_bank_version"),
    ],
};

fn constraint_name(e: &dyn sqlx::error::DatabaseError) -> Option<&str> {
    e.constraint()
}

/// Maps a database error, naming unique constraints so the core can react to them.
///
/// PostgreSQL's error message (never its `DETAIL`, which may quote row values) is kept for
/// operators; the statements only ever bind ids, codes, ciphertexts and blind-index terms.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    ERRORS.map(e)
}
