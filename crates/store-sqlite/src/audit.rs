//! Audit appends inside a caller's transaction.

use crate::db;
use jaga_core::audit::{AuditRecord, plan_append};
use jaga_core::store::StoreError;
use sqlx::SqliteConnection;

/// Appends `records` under the head row; the caller's `BEGIN IMMEDIATE` already holds the write
/// lock, so positions are assigned by exactly one writer. Returns the first position.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    records: &[&AuditRecord],
) -> Result<u64, StoreError> {
    let (size, frontier): (i64, Vec<u8>) =
        sqlx::query_as("SELECT size, frontier FROM audit_head WHERE log_id = 1")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    let plan = plan_append(size as u64, &frontier, records)?;
    for ((seq, leaf, lh), r) in plan.events.iter().zip(records) {
        sqlx::query("INSERT INTO audit_event (seq, leaf, leaf_hash, ts_ms, actor_id, action, customer_id) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(*seq as i64)
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
        sqlx::query("INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)")
            .bind(i64::from(*level))
            .bind(*idx as i64)
            .bind(&hash[..])
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    sqlx::query(
        "UPDATE audit_head SET size = ?, root = ?, frontier = ?, updated_at = ? WHERE log_id = 1",
    )
    .bind(plan.size as i64)
    .bind(&plan.root[..])
    .bind(&plan.frontier)
    .bind(jaga_core::now_ms())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(size as u64)
}
