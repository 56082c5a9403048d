//! The statements where SQLite differs from PostgreSQL in kind, not just spelling: batches are
//! loops of single-row statements on the one writer connection (no array parameters), and an
//! erasure is followed by a WAL checkpoint.

use crate::{Conn, Db, db, sql};
use jaga_core::audit::{AppendPlan, AuditRecord};
use jaga_core::store::{CustomerRow, StoreError, WrappedKey};
use jaga_store_sql::{decode, pos};
use sqlx::{Pool, QueryBuilder, Row};
use uuid::Uuid;

/// Inserts customers and their keys, one row at a time.
pub(crate) async fn insert_customers(
    conn: &mut Conn,
    items: &[(&CustomerRow, &WrappedKey)],
) -> Result<(), StoreError> {
    for (row, key) in items {
        let mut q = sqlx::query(sql::CUSTOMER_INSERT)
            .bind(row.id.to_string())
            .bind(&row.code)
            .bind(&row.segment)
            .bind(row.marketing_consent);
        for f in &row.fields {
            q = q.bind(f.as_deref());
        }
        q.bind(row.email_index.as_deref())
            .bind(row.phone_index.as_deref())
            .bind(row.national_id_index.as_deref())
            .bind(row.version)
            .bind(row.created_at)
            .bind(row.updated_at)
            .bind(row.erased_at)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query(sql::CUSTOMER_KEY_INSERT)
            .bind(row.id.to_string())
            .bind(i64::from(key.kek_version))
            .bind(&key.wrapped)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

/// Writes a planned audit append's events and Merkle nodes.
pub(crate) async fn write_audit(
    conn: &mut Conn,
    plan: &AppendPlan,
    records: &[&AuditRecord],
) -> Result<(), StoreError> {
    for ((seq, leaf, lh), r) in plan.events.iter().zip(records) {
        sqlx::query(sql::AUDIT_EVENT_INSERT)
            .bind(pos(*seq)?)
            .bind(leaf)
            .bind(&lh[..])
            .bind(r.ts_ms)
            .bind(&r.actor_id)
            .bind(r.action.as_str())
            .bind(r.customer_id.map(|u| u.to_string()))
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for (level, idx, hash) in &plan.nodes {
        sqlx::query(sql::AUDIT_NODE_INSERT)
            .bind(i64::from(*level))
            .bind(pos(*idx)?)
            .bind(&hash[..])
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
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
