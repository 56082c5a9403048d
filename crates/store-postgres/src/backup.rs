//! PostgreSQL's side of `jaga backup` (issue 15): an in-process, consistent, online dump of
//! every table, and the load of such a dump into an empty database.
//!
//! - [`PostgresStore::dump`] opens one `REPEATABLE READ, READ ONLY` transaction, reads the
//!   counts, the audit root and the schema version in it (its first statement fixes the
//!   snapshot), then streams every table of the schema — in name order, `_sqlx_migrations`
//!   aside — with `COPY … TO STDOUT (FORMAT binary)`. Writers go on meanwhile; the dump sees
//!   the database as of one instant. No `pg_dump` is needed (nor a matching client version).
//! - [`load`] migrates an empty database up to the dump's schema version only, loads every
//!   table with `COPY … FROM STDIN (FORMAT binary)` in foreign-key order inside one
//!   transaction, moves the sequences past the loaded values and commits; a later
//!   [`PostgresStore::open`] applies the migrations added since the backup was taken, exactly
//!   as they ran on the live database.
//! - [`is_empty`] (refuse a target that holds anything) and [`clear`] (remove what a failed
//!   load created) keep a restore all-or-nothing; [`create_database`] and [`drop_database`]
//!   serve restore drills.

use crate::{PostgresStore, db, sql};
use futures_core::Stream;
use jaga_core::store::{DumpInfo, DumpItem, SnapshotInfo, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;
use tokio::io::AsyncReadExt;

/// The format of the dumped tables: PostgreSQL's binary `COPY`.
pub const FORMAT: &str = "pgcopy-binary";
/// sqlx's own table: never dumped (a restore runs the migrations itself).
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";
/// Data is handed on in pieces of about this size (`COPY` yields one message per row).
const CHUNK: usize = 256 << 10;

/// A quoted SQL identifier.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn next<S: Stream + ?Sized>(s: &mut std::pin::Pin<Box<S>>) -> Option<S::Item> {
    std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await
}

const TABLES: &str = "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname::text COLLATE \"C\"";
const COLUMNS: &str = "SELECT a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum";

async fn tables(conn: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    let all: Vec<String> = sqlx::query_scalar(TABLES)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    Ok(all.into_iter().filter(|t| t != MIGRATIONS_TABLE).collect())
}

async fn columns(conn: &mut PgConnection, table: &str) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar(COLUMNS)
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)
}

fn closed() -> StoreError {
    StoreError::Database("the backup stopped reading the dump".into())
}

impl PostgresStore {
    /// Dumps every table into `out` from one consistent snapshot, while the store stays
    /// online (see the module documentation). The counts and audit root returned are the
    /// snapshot's.
    pub async fn dump(
        &self,
        out: tokio::sync::mpsc::Sender<DumpItem>,
    ) -> Result<DumpInfo, StoreError> {
        let mut conn = self.reader().acquire().await.map_err(db)?;
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(db)?;
        let result = dump_in(&mut conn, &out).await;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        if conn.execute(end).await.is_err() {
            // A connection left inside a transaction must not go back to the pool.
            conn.detach();
        }
        result
    }
}

async fn dump_in(
    conn: &mut PgConnection,
    out: &tokio::sync::mpsc::Sender<DumpItem>,
) -> Result<DumpInfo, StoreError> {
    let r = sqlx::query(sql::LIFECYCLE_COUNTS)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let counts = jaga_store_sql::lifecycle::counts(&r)?;
    let root: Vec<u8> = sqlx::query_scalar("SELECT root FROM audit_head WHERE log_id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let audit_root = <[u8; 32]>::try_from(root.as_slice())
        .map_err(|_| StoreError::Corrupt("audit root".into()))?;
    let schema_version: i64 = sqlx::query_scalar(
        "SELECT COALESCE(max(version), 0)::int8 FROM _sqlx_migrations WHERE success",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    let server_version: String = sqlx::query_scalar("SELECT current_setting('server_version_num')")
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    for table in tables(conn).await? {
        let cols = columns(conn, &table).await?;
        let stmt = format!(
            "COPY {} ({}) TO STDOUT (FORMAT binary)",
            ident(&table),
            column_list(&cols)
        );
        out.send(DumpItem::Table {
            name: table,
            columns: cols,
        })
        .await
        .map_err(|_| closed())?;
        let mut stream = conn.copy_out_raw(&stmt).await.map_err(db)?;
        let mut buf = Vec::with_capacity(CHUNK + (64 << 10));
        while let Some(piece) = next(&mut stream).await {
            buf.extend_from_slice(&piece.map_err(db)?);
            if buf.len() >= CHUNK {
                let full = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + (64 << 10)));
                out.send(DumpItem::Data(full)).await.map_err(|_| closed())?;
            }
        }
        if !buf.is_empty() {
            out.send(DumpItem::Data(buf)).await.map_err(|_| closed())?;
        }
    }
    Ok(DumpInfo {
        snapshot: SnapshotInfo { counts, audit_root },
        schema_version,
        server_version,
        format: FORMAT.into(),
    })
}

async fn connect(url: &str) -> Result<PgConnection, StoreError> {
    let opts = PgConnectOptions::from_str(url)
        .map_err(db)?
        .application_name("jaga-restore");
    PgConnection::connect_with(&opts).await.map_err(db)
}

/// Whether the database at `url` holds no table, view, sequence or function in its schema
/// (a restore goes only into such a database).
pub async fn is_empty(url: &str) -> Result<bool, StoreError> {
    let mut conn = connect(url).await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')) + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema())",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(db)?;
    let _ = conn.close().await;
    Ok(n == 0)
}

/// The newest schema migration this Jaga knows.
pub fn newest_schema_version() -> i64 {
    sqlx::migrate!("./migrations")
        .migrations
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// One dumped table to load: its name, its columns in the order of the data, and the file
/// that holds its data (`COPY` binary).
#[derive(Debug, Clone)]
pub struct TableFile {
    /// Table name.
    pub name: String,
    /// Columns, in the order of the data.
    pub columns: Vec<String>,
    /// The data.
    pub file: PathBuf,
}

/// Loads a dump taken at migration `schema_version` into the empty database at `url` (see
/// the module documentation). On failure the loaded rows are rolled back, but the schema the
/// migrations created stays: call [`clear`].
pub async fn load(url: &str, schema_version: i64, tables: &[TableFile]) -> Result<(), StoreError> {
    let newest = newest_schema_version();
    if schema_version > newest {
        return Err(StoreError::Database(format!(
            "the backup's schema (migration {schema_version}) is newer than this Jaga's (migration {newest}): restore it with the Jaga that wrote it or a newer one"
        )));
    }
    // A pool of one connection: the migrator takes a pool (it locks and runs in transactions
    // of its own), and the load then runs on the same connection.
    let opts = PgConnectOptions::from_str(url)
        .map_err(db)?
        .application_name("jaga-restore");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(db)?;
    let result = load_into(&pool, schema_version, tables).await;
    pool.close().await;
    result
}

async fn load_into(
    pool: &sqlx::PgPool,
    schema_version: i64,
    tables: &[TableFile],
) -> Result<(), StoreError> {
    let mut migrator = sqlx::migrate!("./migrations");
    // Only the migrations the backup had seen (sqlx's public, semver-exempt field; Cargo.lock
    // pins sqlx): the later ones run on `PostgresStore::open`, over the loaded rows.
    migrator.migrations = Cow::Owned(
        migrator
            .migrations
            .iter()
            .filter(|m| m.version <= schema_version)
            .cloned()
            .collect(),
    );
    migrator
        .run(pool)
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let mut tx = pool.begin().await.map_err(db)?;
    let present = tables_in(&mut tx).await?;
    for t in tables {
        if !present.contains(&t.name) {
            return Err(StoreError::Corrupt(format!(
                "the backup holds table {} that schema migration {schema_version} does not create",
                t.name
            )));
        }
    }
    // Rows the migrations seeded (e.g. the audit head) make way for the backup's.
    for t in tables {
        let any: bool =
            sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {})", ident(&t.name)))
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        if any {
            tx.execute(format!("DELETE FROM {}", ident(&t.name)).as_str())
                .await
                .map_err(db)?;
        }
    }
    for t in load_order(&mut tx, tables).await? {
        let stmt = format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            ident(&t.name),
            column_list(&t.columns)
        );
        let mut file = tokio::fs::File::open(&t.file)
            .await
            .map_err(|e| StoreError::Database(format!("opening a dumped table: {e}")))?;
        let mut copy = tx.copy_in_raw(&stmt).await.map_err(db)?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match file.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = copy.abort("read failed").await;
                    return Err(StoreError::Database(format!("reading a dumped table: {e}")));
                }
            };
            if n == 0 {
                break;
            }
            copy.send(&buf[..n]).await.map_err(db)?;
        }
        copy.finish().await.map_err(db)?;
    }
    reset_sequences(&mut tx).await?;
    tx.commit().await.map_err(db)
}

async fn tables_in(conn: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar(TABLES)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)
}

/// `tables` ordered so every table comes after the tables its foreign keys reference (name
/// order otherwise; a cycle falls back to name order for what remains).
async fn load_order<'a>(
    conn: &mut PgConnection,
    tables: &'a [TableFile],
) -> Result<Vec<&'a TableFile>, StoreError> {
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text, p.relname::text FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut left: Vec<&TableFile> = tables.iter().collect();
    left.sort_by(|a, b| a.name.cmp(&b.name));
    let mut done: Vec<&TableFile> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            edges.iter().all(|(child, parent)| {
                child != &t.name || parent == &t.name || !left.iter().any(|l| &l.name == parent)
            })
        });
        done.push(left.remove(ready.unwrap_or(0)));
    }
    Ok(done)
}

/// Moves every sequence owned by a column past the largest loaded value.
async fn reset_sequences(conn: &mut PgConnection) -> Result<(), StoreError> {
    let owned: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.relname::text, a.attname::text, s.oid::regclass::text FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_class c ON c.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    for (table, column, seq) in owned {
        let stmt = format!(
            "SELECT setval($1::regclass, COALESCE((SELECT max({}) FROM {}), 0) + 1, false)",
            ident(&column),
            ident(&table)
        );
        sqlx::query(&stmt)
            .bind(&seq)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

/// Removes every table, view, sequence and function in the schema of the database at `url`:
/// what a failed restore into an empty database created.
pub async fn clear(url: &str) -> Result<(), StoreError> {
    let mut conn = connect(url).await?;
    let result = async {
        let objects: Vec<(String, String)> = sqlx::query_as(
            "SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY c.relkind DESC",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(db)?;
        for (kind, name) in objects {
            conn.execute(format!("DROP {kind} IF EXISTS {} CASCADE", ident(&name)).as_str())
                .await
                .map_err(db)?;
        }
        let functions: Vec<String> = sqlx::query_scalar(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(db)?;
        for f in functions {
            conn.execute(format!("DROP FUNCTION IF EXISTS {f} CASCADE").as_str())
                .await
                .map_err(db)?;
        }
        Ok(())
    }
    .await;
    let _ = conn.close().await;
    result
}

/// `url` with its database name replaced by `name` (`postgres://u@h:5432/x?o` →
/// `postgres://u@h:5432/name?o`); `None` if `url` is not a `postgres://` URL.
pub fn with_database(url: &str, name: &str) -> Option<String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return None;
    }
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let (auth_host, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let query = tail.find('?').map(|i| &tail[i..]).unwrap_or("");
    Some(format!("{}{auth_host}/{name}{query}", &url[..scheme_end]))
}

/// Creates the database `name` on the server of `url` (connecting to `url`'s database) and
/// returns its URL. `name` must be a plain lower-case identifier.
pub async fn create_database(url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Database(
            "a database name must be lower-case letters, digits and _".into(),
        ));
    }
    let new_url = with_database(url, name)
        .ok_or_else(|| StoreError::Database("not a postgres:// URL".into()))?;
    let mut conn = connect(url).await?;
    let r = conn
        .execute(format!("CREATE DATABASE {}", ident(name)).as_str())
        .await
        .map_err(db);
    let _ = conn.close().await;
    r.map(|_| new_url)
}

/// Drops the database `name` on the server of `url` (connecting to `url`'s database),
/// disconnecting whoever is still connected to it.
pub async fn drop_database(url: &str, name: &str) -> Result<(), StoreError> {
    let mut conn = connect(url).await?;
    let r = conn
        .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(name)).as_str())
        .await
        .map_err(db);
    let _ = conn.close().await;
    r.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x").as_deref(),
            Some("postgres://u@h:5432/x")
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x").as_deref(),
            Some("postgres://u:p@h/x?sslmode=disable")
        );
        assert_eq!(
            with_database("postgresql://h", "x").as_deref(),
            Some("postgresql://h/x")
        );
        assert_eq!(with_database("sqlite://a.db", "x"), None);
        assert_eq!(with_database("nope", "x"), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(column_list(&["a".into(), "b".into()]), "\"a\", \"b\"");
    }
}
