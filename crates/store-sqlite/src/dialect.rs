//! The statements where SQLite differs from PostgreSQL in kind, not just spelling: batches are
//! multi-row `INSERT ... VALUES (...), (...)` statements built per call (no array parameters),
//! and an erasure is followed by a WAL checkpoint.

use crate::{Conn, Db, db, sql};
use jaga_core::audit::{AppendPlan, AuditRecord};
use jaga_core::store::{CustomerRow, StoreError, WrappedKey};
use jaga_store_sql::{decode, pos};
use sqlx::{Pool, QueryBuilder, Row};
use uuid::Uuid;

/// Rows per multi-row statement: well under SQLite's limit of 32,766 bound parameters for the
/// widest table (customers, 19 columns).
const ROWS_PER_STATEMENT: usize = 500;

/// Inserts customers and their keys with multi-row statements (one per table per 500 rows).
pub(crate) async fn insert_customers(
    conn: &mut Conn,
    items: &[(&CustomerRow, &WrappedKey)],
) -> Result<(), StoreError> {
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        // Both tables' rows in one multi-statement call (one round trip to the worker thread).
        let mut q: QueryBuilder<Db> = QueryBuilder::new(sql::CUSTOMERS_INSERT_HEAD);
        q.push_values(chunk, |mut b, (row, _)| {
            b.push_bind(row.id.to_string())
                .push_bind(&row.code)
                .push_bind(&row.segment)
                .push_bind(row.marketing_consent);
            for f in &row.fields {
                b.push_bind(f.as_deref());
            }
            b.push_bind(row.email_index.as_deref())
                .push_bind(row.phone_index.as_deref())
                .push_bind(row.national_id_index.as_deref())
                .push_bind(row.version)
                .push_bind(row.created_at)
                .push_bind(row.updated_at)
                .push_bind(row.erased_at);
        });
        q.push("; ");
        q.push(sql::CUSTOMER_KEYS_INSERT_HEAD);
        q.push_values(chunk, |mut b, (row, key)| {
            b.push_bind(row.id.to_string())
                .push_bind(i64::from(key.kek_version))
                .push_bind(&key.wrapped);
        });
        q.build().execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

type EventRow<'a> = (i64, &'a [u8], &'a [u8], &'a AuditRecord);

fn push_events<'a>(q: &mut QueryBuilder<'a, Db>, chunk: &'a [EventRow<'a>]) {
    q.push(sql::AUDIT_EVENTS_INSERT_HEAD);
    q.push_values(chunk, |mut b, (seq, leaf, lh, r)| {
        b.push_bind(*seq)
            .push_bind(*leaf)
            .push_bind(*lh)
            .push_bind(r.ts_ms)
            .push_bind(r.actor_id.as_str())
            .push_bind(r.action.as_str())
            .push_bind(r.customer_id.map(|u| u.to_string()));
    });
}

fn push_nodes<'a>(q: &mut QueryBuilder<'a, Db>, chunk: &'a [(i64, i64, &'a [u8])]) {
    q.push(sql::AUDIT_NODES_INSERT_HEAD);
    q.push_values(chunk, |mut b, (level, idx, hash)| {
        b.push_bind(*level).push_bind(*idx).push_bind(*hash);
    });
}

/// Writes a planned audit append's events and Merkle nodes and updates the head as one
/// multi-statement call (one round trip to the connection's worker thread for a group of up to
/// 500 events; sqlx binds positional `?` parameters across the statements in order).
pub(crate) async fn write_audit(
    conn: &mut Conn,
    plan: &AppendPlan,
    records: &[&AuditRecord],
    now_ms: i64,
) -> Result<(), StoreError> {
    let events = plan
        .events
        .iter()
        .zip(records)
        .map(|((seq, leaf, lh), r)| Ok((pos(*seq)?, leaf.as_slice(), &lh[..], *r)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let nodes = plan
        .nodes
        .iter()
        .map(|(level, idx, hash)| Ok((i64::from(*level), pos(*idx)?, &hash[..])))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let event_chunks: Vec<_> = events.chunks(ROWS_PER_STATEMENT).collect();
    let node_chunks: Vec<_> = nodes.chunks(ROWS_PER_STATEMENT * 4).collect();
    // Every statement but the last group's goes out on its own; the last event chunk, the last
    // node chunk and the head update share one call (for a request-sized group: everything).
    let (last_events, first_events) = match event_chunks.split_last() {
        Some((l, f)) => (Some(*l), f),
        None => (None, &[][..]),
    };
    let (last_nodes, first_nodes) = match node_chunks.split_last() {
        Some((l, f)) => (Some(*l), f),
        None => (None, &[][..]),
    };
    for chunk in first_events {
        let mut q: QueryBuilder<Db> = QueryBuilder::new("");
        push_events(&mut q, chunk);
        q.build().execute(&mut *conn).await.map_err(db)?;
    }
    for chunk in first_nodes {
        let mut q: QueryBuilder<Db> = QueryBuilder::new("");
        push_nodes(&mut q, chunk);
        q.build().execute(&mut *conn).await.map_err(db)?;
    }
    let mut q: QueryBuilder<Db> = QueryBuilder::new("");
    if let Some(chunk) = last_events {
        push_events(&mut q, chunk);
        q.push("; ");
    }
    if let Some(chunk) = last_nodes {
        push_nodes(&mut q, chunk);
        q.push("; ");
    }
    // `AUDIT_HEAD_UPDATE` with positional parameters (numbered ones would refer to the
    // call's first arguments).
    q.push("UPDATE audit_head SET size = ")
        .push_bind(pos(plan.size)?)
        .push(", root = ")
        .push_bind(&plan.root[..])
        .push(", frontier = ")
        .push_bind(&plan.frontier)
        .push(", updated_at = ")
        .push_bind(now_ms)
        .push(" WHERE log_id = 1");
    q.build().execute(&mut *conn).await.map_err(db)?;
    Ok(())
}

/// Replaces each key's wrapping if it still holds the wrapping that was read; returns how many
/// were replaced.
pub(crate) async fn rewrap(
    conn: &mut Conn,
    items: &[(Uuid, WrappedKey, WrappedKey)],
) -> Result<u64, StoreError> {
    let mut n = 0;
    for (id, old, new) in items {
        n += sqlx::query(sql::DEK_REWRAP_ONE)
            .bind(i64::from(new.kek_version))
            .bind(&new.wrapped)
            .bind(id.to_string())
            .bind(&old.wrapped)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected();
    }
    Ok(n)
}

/// `(fingerprint, token, kind)` of the tokens with these fingerprints.
pub(crate) async fn tokens_find(
    pool: &Pool<Db>,
    fingerprints: &[Vec<u8>],
) -> Result<Vec<(Vec<u8>, String, String)>, StoreError> {
    let mut out = Vec::new();
    for fp in fingerprints {
        let row = sqlx::query(sql::TOKEN_BY_FINGERPRINT)
            .bind(fp)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
        if let Some(r) = row {
            out.push((
                r.try_get("fingerprint").map_err(decode)?,
                r.try_get("token").map_err(decode)?,
                r.try_get("kind").map_err(decode)?,
            ));
        }
    }
    Ok(out)
}

/// `(seq, leaf_hash)` of these log positions.
pub(crate) async fn leaf_hashes(
    pool: &Pool<Db>,
    seqs: &[i64],
) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    let mut q: QueryBuilder<Db> =
        QueryBuilder::new("SELECT seq, leaf_hash FROM audit_event WHERE seq IN (");
    let mut sep = q.separated(", ");
    for s in seqs {
        sep.push_bind(*s);
    }
    q.push(")");
    q.build_query_as().fetch_all(pool).await.map_err(db)
}

/// `(level, idx, hash)` of these Merkle nodes.
pub(crate) async fn node_hashes(
    pool: &Pool<Db>,
    nodes: &[(i64, i64)],
) -> Result<Vec<(i64, i64, Vec<u8>)>, StoreError> {
    let mut q: QueryBuilder<Db> =
        QueryBuilder::new("SELECT level, idx, hash FROM audit_node WHERE ");
    for (i, (level, idx)) in nodes.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push("(level = ")
            .push_bind(*level)
            .push(" AND idx = ")
            .push_bind(*idx)
            .push(")");
    }
    q.build_query_as().fetch_all(pool).await.map_err(db)
}

/// After an erasure: push the change out of the WAL so the deleted key's old page image does
/// not linger in the WAL file (`secure_delete` already zeroed it in the database file).
pub(crate) async fn after_erase(writer: &Pool<Db>) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(writer)
        .await
    {
        tracing::warn!(error = %e, "WAL checkpoint after erasure failed; it will happen later");
    }
}

/// A consistent copy of the whole database as of one instant (`VACUUM INTO`), on a connection
/// of its own: in WAL mode it holds only a read transaction, so writers go on meanwhile. The
/// copy holds live pages only (nothing of freed pages or the WAL). Its counts and audit root
/// are then read from the copy itself, opened read-only and immutable.
pub(crate) async fn snapshot_into(
    reader: &Pool<Db>,
    dest: &std::path::Path,
) -> Result<jaga_core::store::SnapshotInfo, StoreError> {
    use sqlx::Connection;
    let opts = (*reader.connect_options()).clone().read_only(false);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .map_err(db)?;
    let dest_str = dest
        .to_str()
        .ok_or_else(|| StoreError::Database("the snapshot path is not UTF-8".into()))?;
    let result = sqlx::query("VACUUM INTO $1")
        .bind(dest_str)
        .execute(&mut conn)
        .await
        .map_err(db);
    let _ = conn.close().await;
    result?;
    let copy = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dest)
        .read_only(true)
        .immutable(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&copy)
        .await
        .map_err(db)?;
    let info = async {
        let r = sqlx::query(sql::LIFECYCLE_COUNTS)
            .fetch_one(&mut conn)
            .await
            .map_err(db)?;
        let counts = jaga_store_sql::lifecycle::counts(&r)?;
        let root: Vec<u8> = sqlx::query_scalar("SELECT root FROM audit_head WHERE log_id = 1")
            .fetch_one(&mut conn)
            .await
            .map_err(db)?;
        let audit_root = <[u8; 32]>::try_from(root.as_slice())
            .map_err(|_| StoreError::Corrupt("audit root".into()))?;
        Ok(jaga_core::store::SnapshotInfo { counts, audit_root })
    }
    .await;
    let _ = conn.close().await;
    info
}
