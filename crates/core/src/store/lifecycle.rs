//! What the data lifecycle needs from a store: a consistent online snapshot of the whole
//! database (backups), the list of erased customers (the erasure ledger's catch-up and the
//! replay after a restore) and counts (restore drills). Holds ids, segments and times, never a
//! value.

use super::StoreError;
use async_trait::async_trait;
use std::path::Path;
use uuid::Uuid;

/// An erased customer as the database records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasedCustomer {
    /// Customer id.
    pub id: Uuid,
    /// Segment.
    pub segment: String,
    /// When it was erased, ms since the epoch.
    pub erased_at: i64,
    /// The actor of the last `customer.erase` audit event up to the erasure, if any.
    pub by: Option<String>,
}

/// Row counts for a restore drill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LifecycleCounts {
    /// Customers not erased.
    pub customers: u64,
    /// Erased customers (rows kept as tombstones).
    pub erased: u64,
    /// Orders.
    pub orders: u64,
    /// Audit events.
    pub audit_events: u64,
}

/// What a snapshot holds, read from the snapshot itself (not from the live database, which
/// may have moved on meanwhile).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// Row counts of the snapshot.
    pub counts: LifecycleCounts,
    /// The snapshot's audit head root.
    pub audit_root: [u8; 32],
}

/// What the retention job clears of a customer whose last activity is older than a cutoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetentionTarget {
    /// The whole customer (crypto-shredded like [`super::Store::customer_erase`], inactivity
    /// re-checked in the same transaction): due when the customer is not erased yet.
    Customer,
    /// Parts of the customer: due when any of them still holds a value.
    Parts {
        /// Customer fields set to nothing (with their blind-index terms).
        fields: Vec<crate::model::Field>,
        /// The notes of the customer's orders.
        order_notes: bool,
        /// The payment references of the customer's orders.
        order_payment: bool,
        /// The customer's tokens (shredded as on erasure).
        tokens: bool,
    },
}

/// The lifecycle's port.
#[async_trait]
pub trait LifecycleStore: Send + Sync {
    /// Writes a consistent copy of the whole database, as of one instant, to `dest` (a file
    /// that must not exist yet) while the store stays online. Backends that cannot do this in
    /// process answer [`StoreError::Unsupported`].
    async fn snapshot_into(&self, dest: &Path) -> Result<SnapshotInfo, StoreError>;
    /// Up to `limit` erased customers with `(erased_at, id)` after `(after_ms, after_id)`, in
    /// that order (a cursor for paging through every erasure).
    async fn erasures_after(
        &self,
        after_ms: i64,
        after_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ErasedCustomer>, StoreError>;
    /// Row counts (customers, erased customers, orders, audit events).
    async fn lifecycle_counts(&self) -> Result<LifecycleCounts, StoreError>;
    /// How many customers (live and erased) each segment holds, by segment name (names and
    /// counts only; checks which database holds which segment).
    async fn customer_segments(&self) -> Result<Vec<(String, u64)>, StoreError>;
    /// Up to `limit` customers, by id after `after`, not erased, whose last activity (their
    /// last update or order) is before `cutoff_ms` and who still hold something of `target`.
    async fn retention_due(
        &self,
        cutoff_ms: i64,
        target: &RetentionTarget,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Uuid>, StoreError>;
    /// Clears `target` of customer `id` in one transaction with `audit`, if the customer is
    /// still inactive since `cutoff_ms` and not erased; `false` (and nothing written)
    /// otherwise. [`RetentionTarget::Parts`] does not count as activity (the customer's
    /// `updated_at` stays); [`RetentionTarget::Customer`] crypto-shreds the whole customer like
    /// [`super::Store::customer_erase`] (fields, index terms, tokens, key), the inactivity
    /// re-checked inside the erasure's own transaction.
    async fn retention_clear(
        &self,
        id: Uuid,
        cutoff_ms: i64,
        target: &RetentionTarget,
        at: i64,
        audit: crate::audit::AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Closes the store's connections (before its files are moved, e.g. by a restore).
    async fn close_store(&self);
}

/// One piece of a table-by-table dump of a database (PostgreSQL's backups, which cannot copy
/// the database as one file): a table begins, then its rows in the backend's own bulk format,
/// table after table, all read inside one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpItem {
    /// A table begins; its columns in the order of the data that follows.
    Table {
        /// Table name.
        name: String,
        /// Column names.
        columns: Vec<String>,
    },
    /// Bytes of the current table's data.
    Data(Vec<u8>),
}

/// What a table-by-table dump holds besides its tables, read inside its snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpInfo {
    /// Counts and audit root of the snapshot.
    pub snapshot: SnapshotInfo,
    /// The newest schema migration applied to the dumped database.
    pub schema_version: i64,
    /// The database server's version (e.g. PostgreSQL's `server_version_num`).
    pub server_version: String,
    /// The data format of the tables (`pgcopy-binary`: PostgreSQL's binary `COPY`).
    pub format: String,
}
