//! The statements where PostgreSQL differs from SQLite in kind, not just spelling: batches go in
//! as one `UNNEST` (or `= ANY`) statement over array parameters whatever their size, and an
//! erasure is followed by a best-effort `VACUUM`.

use crate::{Conn, Db, db, sql};
use jaga_core::audit::{AppendPlan, AuditRecord};
use jaga_core::store::{CustomerRow, StoreError, WrappedKey};
use jaga_store_sql::{decode, pos};
use sqlx::{Pool, Row};
use uuid::Uuid;

/// Inserts customers and their keys with one statement per table.
pub(crate) async fn insert_customers(
    conn: &mut Conn,
    items: &[(&CustomerRow, &WrappedKey)],
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = items.iter().map(|(r, _)| r.id.to_string()).collect();
    let codes: Vec<&str> = items.iter().map(|(r, _)| r.code.as_str()).collect();
    let segments: Vec<&str> = items.iter().map(|(r, _)| r.segment.as_str()).collect();
    let consent: Vec<bool> = items.iter().map(|(r, _)| r.marketing_consent).collect();
    let column = |get: &dyn Fn(&CustomerRow) -> Option<&[u8]>| -> Vec<Option<&[u8]>> {
        items.iter().map(|(r, _)| get(r)).collect()
    };
    let mut q = sqlx::query(sql::CUSTOMERS_INSERT)
        .bind(&ids)
        .bind(&codes)
        .bind(&segments)
        .bind(&consent);
    for i in 0..8 {
        q = q.bind(column(&|r: &CustomerRow| r.fields[i].as_deref()));
    }
    q.bind(column(&|r: &CustomerRow| r.email_index.as_deref()))
        .bind(column(&|r: &CustomerRow| r.phone_index.as_deref()))
        .bind(column(&|r: &CustomerRow| r.national_id_index.as_deref()))
        .bind(items.iter().map(|(r, _)| r.version).collect::<Vec<_>>())
        .bind(items.iter().map(|(r, _)| r.created_at).collect::<Vec<_>>())
        .bind(items.iter().map(|(r, _)| r.updated_at).collect::<Vec<_>>())
        .bind(items.iter().map(|(r, _)| r.erased_at).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    sqlx::query(sql::CUSTOMER_KEYS_INSERT)
        .bind(&ids)
        .bind(
            items
                .iter()
                .map(|(_, k)| i64::from(k.kek_version))
                .collect::<Vec<_>>(),
        )
        .bind(
            items
                .iter()
                .map(|(_, k)| k.wrapped.as_slice())
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Writes a planned audit append's events and Merkle nodes and updates the head, in one
/// statement (`sql::AUDIT_APPEND_WRITE`).
pub(crate) async fn write_audit(
    conn: &mut Conn,
    plan: &AppendPlan,
    records: &[&AuditRecord],
    now_ms: i64,
) -> Result<(), StoreError> {
    let n = plan.events.len();
    let (mut seqs, mut leaves, mut hashes) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut ts, mut actors, mut actions, mut customers) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for ((seq, leaf, lh), r) in plan.events.iter().zip(records) {
        seqs.push(pos(*seq)?);
        leaves.push(leaf.as_slice());
        hashes.push(&lh[..]);
        ts.push(r.ts_ms);
        actors.push(r.actor_id.as_str());
        actions.push(r.action.as_str());
        customers.push(r.customer_id.map(|u| u.to_string()));
    }
    let levels: Vec<i64> = plan.nodes.iter().map(|(l, _, _)| i64::from(*l)).collect();
    let idxs: Vec<i64> = plan
        .nodes
        .iter()
        .map(|(_, i, _)| pos(*i))
        .collect::<Result<_, _>>()?;
    let node_hashes: Vec<&[u8]> = plan.nodes.iter().map(|(_, _, h)| &h[..]).collect();
    sqlx::query(sql::AUDIT_APPEND_WRITE)
        .bind(&seqs)
        .bind(&leaves)
        .bind(&hashes)
        .bind(&ts)
        .bind(&actors)
        .bind(&actions)
        .bind(&customers)
        .bind(&levels)
        .bind(&idxs)
        .bind(&node_hashes)
        .bind(pos(plan.size)?)
        .bind(&plan.root[..])
        .bind(&plan.frontier)
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Replaces each key's wrapping if it still holds the wrapping that was read, in one
/// compare-and-swap statement; returns how many were replaced.
pub(crate) async fn rewrap(
    conn: &mut Conn,
    items: &[(Uuid, WrappedKey, WrappedKey)],
) -> Result<u64, StoreError> {
    Ok(sqlx::query(sql::DEKS_REWRAP)
        .bind(
            items
                .iter()
                .map(|(id, _, _)| id.to_string())
                .collect::<Vec<_>>(),
        )
        .bind(
            items
                .iter()
                .map(|(_, _, new)| i64::from(new.kek_version))
                .collect::<Vec<_>>(),
        )
        .bind(
            items
                .iter()
                .map(|(_, _, new)| new.wrapped.as_slice())
                .collect::<Vec<_>>(),
        )
        .bind(
            items
                .iter()
                .map(|(_, old, _)| old.wrapped.as_slice())
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected())
}

/// `(fingerprint, token, kind)` of the tokens with these fingerprints.
pub(crate) async fn tokens_find(
    pool: &Pool<Db>,
    fingerprints: &[Vec<u8>],
) -> Result<Vec<(Vec<u8>, String, String)>, StoreError> {
    if fingerprints.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(sql::TOKENS_BY_FINGERPRINT)
        .bind(fingerprints)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("fingerprint").map_err(decode)?,
                r.try_get("token").map_err(decode)?,
                r.try_get("kind").map_err(decode)?,
            ))
        })
        .collect()
}

/// `(seq, leaf_hash)` of these log positions.
pub(crate) async fn leaf_hashes(
    pool: &Pool<Db>,
    seqs: &[i64],
) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    sqlx::query_as(sql::LEAF_HASHES)
        .bind(seqs)
        .fetch_all(pool)
        .await
        .map_err(db)
}

/// `(level, idx, hash)` of these Merkle nodes.
pub(crate) async fn node_hashes(
    pool: &Pool<Db>,
    nodes: &[(i64, i64)],
) -> Result<Vec<(i64, i64, Vec<u8>)>, StoreError> {
    let levels: Vec<i64> = nodes.iter().map(|(l, _)| *l).collect();
    let idxs: Vec<i64> = nodes.iter().map(|(_, i)| *i).collect();
    sqlx::query_as(sql::NODE_HASHES)
        .bind(&levels)
        .bind(&idxs)
        .fetch_all(pool)
        .await
        .map_err(db)
}

/// After an erasure.
///
/// PostgreSQL never overwrites in place: the `DELETE` of the customer's `customer_keys` row
/// (and the `UPDATE` clearing its ciphertexts) leaves dead tuples that still hold the old
/// wrapped DEK and ciphertexts until `VACUUM` reclaims them, and even then the bytes can
/// survive in free space inside the page, in WAL segments and in base backups until they are
/// overwritten. We therefore run a best-effort `VACUUM customer_keys` after commit (it cannot
/// run inside a transaction) to shorten that window; autovacuum would get there eventually.
/// What makes a leftover copy useless is that the DEK is only ever stored wrapped under a
/// KEK: rotating the KEK and retiring the old version (which deletes its wrapped material)
/// kills every lingering copy, including those in backups.
pub(crate) async fn after_erase(pool: &Pool<Db>) {
    if let Err(e) = sqlx::raw_sql("VACUUM customer_keys").execute(pool).await {
        tracing::warn!(error = %e, "VACUUM after erasure failed; autovacuum will reclaim the dead key later");
    }
}

/// PostgreSQL is not copied as one file: `jaga backup` dumps it table by table instead
/// (`PostgresStore::dump`, in `backup.rs`).
pub(crate) async fn snapshot_into(
    _pool: &Pool<Db>,
    _dest: &std::path::Path,
) -> Result<jaga_core::store::SnapshotInfo, StoreError> {
    Err(StoreError::Unsupported(
        "a file snapshot of PostgreSQL (its backups are table-by-table dumps, `PostgresStore::dump`)",
    ))
}
