//! The audit append, inside a caller's transaction.

/// Stamps `append(conn, records) -> first position` into the invoking module.
///
/// Call it as the **last** statement group of a transaction, right before commit. It reads the
/// head with `sql::AUDIT_HEAD_FOR_APPEND` (PostgreSQL: `FOR UPDATE`; SQLite: the
/// `BEGIN IMMEDIATE` already holds the write lock), so positions are assigned by exactly one
/// writer at a time and never come from a sequence; the events and Merkle nodes are written by
/// `dialect::write_audit`, which also updates the head (`sql::AUDIT_HEAD_UPDATE`) in the same
/// round trip.
#[macro_export]
macro_rules! audit {
    () => {
        use jaga_core::audit::{AuditRecord, plan_append};
        use jaga_core::store::StoreError;

        /// Appends `records` and returns the first position.
        pub(crate) async fn append(
            conn: &mut crate::Conn,
            records: &[&AuditRecord],
        ) -> Result<u64, StoreError> {
            let (size, frontier): (i64, Vec<u8>) =
                $crate::sqlx::query_as(crate::sql::AUDIT_HEAD_FOR_APPEND)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(crate::db)?;
            let start = $crate::unpos(size, "audit size is negative")?;
            let plan = plan_append(start, &frontier, records)?;
            // Events, Merkle nodes and the head update in as few round trips as the dialect
            // allows (SQLite: one multi-statement call; PostgreSQL: one statement with
            // data-modifying CTEs), so the head lock is held for as short a time as possible.
            crate::dialect::write_audit(&mut *conn, &plan, records, jaga_core::now_ms()).await?;
            Ok(start)
        }
    };
}
