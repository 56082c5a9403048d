//! Audit appends at the end of a caller's transaction.

use crate::db;
use jaga_core::audit::{AuditRecord, plan_append};
use jaga_core::store::StoreError;
use sqlx::PgConnection;

/// Appends `records` and returns the first position.
///
/// Call this as the **last** statement group of a transaction, right before commit: it locks
/// the head row (`FOR UPDATE`), so positions are assigned by exactly one writer across every
/// process, and the lock is held only until the caller commits. Events and nodes go in with one
/// `UNNEST` insert each, whatever the batch size.
pub(crate) async fn append(
    conn: &mut PgConnection,
    records: &[&AuditRecord],
) -> Result<u64, StoreError> {
    let (size, frontier): (i64, Vec<u8>) =
        sqlx::query_as("SELECT size, frontier FROM audit_head WHERE log_id = 1 FOR UPDATE")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    let start =
        u64::try_from(size).map_err(|_| StoreError::Corrupt("audit size is negative".into()))?;
    let plan = plan_append(start, &frontier, records)?;

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
        seqs.push(*seq as i64);
        leaves.push(leaf.as_slice());
        hashes.push(&lh[..]);
        ts.push(r.ts_ms);
        actors.push(r.actor_id.as_str());
        actions.push(r.action.as_str());
        customers.push(r.customer_id.map(|u| u.to_string()));
    }
    sqlx::query(
        "INSERT INTO audit_event (seq, leaf, leaf_hash, ts_ms, actor_id, action, customer_id) \
         SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[], $4::bigint[], $5::text[], $6::text[], $7::text[]::uuid[])",
    )
    .bind(&seqs)
    .bind(&leaves)
    .bind(&hashes)
    .bind(&ts)
    .bind(&actors)
    .bind(&actions)
    .bind(&customers)
    .execute(&mut *conn)
    .await
    .map_err(db)?;

    if !plan.nodes.is_empty() {
        let levels: Vec<i64> = plan.nodes.iter().map(|(l, _, _)| i64::from(*l)).collect();
        let idxs: Vec<i64> = plan.nodes.iter().map(|(_, i, _)| *i as i64).collect();
        let node_hashes: Vec<&[u8]> = plan.nodes.iter().map(|(_, _, h)| &h[..]).collect();
        sqlx::query("INSERT INTO audit_node (level, idx, hash) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bytea[])")
            .bind(&levels)
            .bind(&idxs)
            .bind(&node_hashes)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }

    sqlx::query("UPDATE audit_head SET size = $1, root = $2, frontier = $3, updated_at = $4 WHERE log_id = 1")
        .bind(plan.size as i64)
        .bind(&plan.root[..])
        .bind(&plan.frontier)
        .bind(jaga_core::now_ms())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(start)
}
