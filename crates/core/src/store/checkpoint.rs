//! The audit log's reading side and its checkpoints: proofs, stored signed checkpoints, batched
//! appends and the queries the access reports run.

use super::{StoreError, StoredEvent};
use crate::audit::AuditRecord;
use async_trait::async_trait;
use jaga_audit::{Hash, NodeId};
use std::collections::HashMap;
use uuid::Uuid;

/// A signed checkpoint as stored in `audit_checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size it commits to.
    pub size: u64,
    /// Root at that size.
    pub root: Hash,
    /// The signed note (C2SP checkpoint).
    pub note: String,
    /// When it was stored, ms since epoch.
    pub created_at: i64,
}

/// Which events a report wants. Every set condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events about this customer.
    pub customer_id: Option<Uuid>,
    /// Only events by this actor id.
    pub actor_id: Option<String>,
    /// Only events at or after this time (ms since epoch).
    pub from_ms: Option<i64>,
    /// Only events before this time (ms since epoch).
    pub to_ms: Option<i64>,
}

/// Stored checkpoints, proof material and report queries over the audit log.
#[async_trait]
pub trait CheckpointStore: Send + Sync {
    /// Stores a signed checkpoint; `false` if one for this size is already stored (two nodes
    /// signing the same head produce the same note: Ed25519 signatures are deterministic).
    async fn checkpoint_insert(&self, cp: StoredCheckpoint) -> Result<bool, StoreError>;
    /// The checkpoint with the largest size.
    async fn checkpoint_latest(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Every stored checkpoint, by size.
    async fn checkpoint_list(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;
    /// The stored hashes of the given complete subtrees (level 0 from the event table). Missing
    /// nodes are simply absent from the map.
    async fn audit_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError>;
    /// One event by position.
    async fn audit_event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError>;
    /// Appends many standalone events in one transaction (group commit); returns the first
    /// position. Nothing is written if any part fails.
    async fn audit_append_batch(&self, records: Vec<AuditRecord>) -> Result<u64, StoreError>;
    /// Events matching `filter` with position ≥ `from`, in order, at most `limit`.
    async fn audit_events_matching(
        &self,
        filter: &EventFilter,
        from: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;
}
