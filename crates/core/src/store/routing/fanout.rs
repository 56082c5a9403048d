//! The token and lifecycle ports over several databases: customer-scoped calls go to the
//! customer's database, listings fan out and merge in the order a single store would give.

use super::{Home, RoutingStore};
use crate::audit::AuditRecord;
use crate::store::lifecycle::{ErasedCustomer, LifecycleCounts, RetentionTarget, SnapshotInfo};
use crate::store::tokens::{GuardedWrite, StoredToken, TokenRow};
use crate::store::{LifecycleStore, StoreError, TokenStore};
use async_trait::async_trait;
use std::path::Path;
use uuid::Uuid;

#[async_trait]
impl TokenStore for RoutingStore {
    async fn tokens_find(
        &self,
        fingerprints: &[Vec<u8>],
    ) -> Result<Vec<(Vec<u8>, String, String)>, StoreError> {
        let mut out = Vec::new();
        for h in self.homes() {
            out.extend(self.store(h).tokens_find(fingerprints).await?);
        }
        Ok(out)
    }
    async fn token_get(&self, token: &str) -> Result<Option<StoredToken>, StoreError> {
        for h in self.homes() {
            if let Some(t) = self.store(h).token_get(token).await? {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }
    async fn tokens_of(&self, customer_id: Uuid) -> Result<Vec<StoredToken>, StoreError> {
        let h = self.home(customer_id).await?;
        self.store(h).tokens_of(customer_id).await
    }
    async fn write_with_tokens(
        &self,
        write: GuardedWrite,
        tokens: Vec<TokenRow>,
    ) -> Result<(), StoreError> {
        let h = match &write {
            GuardedWrite::CustomerInsert(row, _, _) => {
                let h = self.for_segment(&row.segment);
                if !self.segments.is_empty() {
                    self.code_free_elsewhere(&row.code, h).await?;
                }
                h
            }
            GuardedWrite::CustomerInsertBatch(rows) if !self.segments.is_empty() => {
                self.batch_home(rows).await?
            }
            GuardedWrite::CustomerInsertBatch(_) => Home::Main,
            GuardedWrite::CustomerUpdate(row, _) => self.for_segment(&row.segment),
            GuardedWrite::OrderInsert(row, _) => self.for_segment(&row.segment),
            GuardedWrite::Audit(record) => self.audit_home(record).await?,
        };
        self.store(h).write_with_tokens(write, tokens).await
    }
}

#[async_trait]
impl LifecycleStore for RoutingStore {
    /// Only a store without segment databases: one file cannot hold several databases'
    /// consistent snapshots, and a backup of the main database alone would silently miss
    /// every segment database's customers.
    async fn snapshot_into(&self, dest: &Path) -> Result<SnapshotInfo, StoreError> {
        if !self.segments.is_empty() {
            return Err(StoreError::Unsupported(
                "an in-process snapshot of a vault with segment databases (back up each database)",
            ));
        }
        self.main.snapshot_into(dest).await
    }
    async fn erasures_after(
        &self,
        after_ms: i64,
        after_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<ErasedCustomer>, StoreError> {
        let mut out = Vec::new();
        for h in self.homes() {
            out.extend(
                self.store(h)
                    .erasures_after(after_ms, after_id, limit)
                    .await?,
            );
        }
        out.sort_by_key(|a| (a.erased_at, a.id));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
    async fn lifecycle_counts(&self) -> Result<LifecycleCounts, StoreError> {
        let mut sum = LifecycleCounts::default();
        for h in self.homes() {
            let c = self.store(h).lifecycle_counts().await?;
            sum.customers += c.customers;
            sum.erased += c.erased;
            sum.orders += c.orders;
            sum.audit_events += c.audit_events;
        }
        Ok(sum)
    }
    async fn customer_segments(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut sum = std::collections::BTreeMap::<String, u64>::new();
        for h in self.homes() {
            for (s, n) in self.store(h).customer_segments().await? {
                *sum.entry(s).or_default() += n;
            }
        }
        Ok(sum.into_iter().collect())
    }
    async fn retention_due(
        &self,
        cutoff_ms: i64,
        target: &RetentionTarget,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut out = Vec::new();
        for h in self.homes() {
            out.extend(
                self.store(h)
                    .retention_due(cutoff_ms, target, after, limit)
                    .await?,
            );
        }
        out.sort();
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
    async fn retention_clear(
        &self,
        id: Uuid,
        cutoff_ms: i64,
        target: &RetentionTarget,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        let h = self.home(id).await?;
        self.store(h)
            .retention_clear(id, cutoff_ms, target, at, audit)
            .await
    }
    async fn close_store(&self) {
        for h in self.homes() {
            self.store(h).close_store().await;
        }
    }
}
