//! The port for `Idempotency-Key` records: one row per (caller, key), holding a keyed digest of
//! the first request and, once it finished, its answer sealed under a key only that caller's
//! key can derive. Shared by every node through the database.

use super::StoreError;
use async_trait::async_trait;

/// A stored record, as found when a claim did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRow {
    /// Keyed digest of the first request (method, path, body).
    pub request: Vec<u8>,
    /// The first answer, once the first request finished; `None` while it runs.
    pub response: Option<StoredResponse>,
}

/// A finished request's answer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// `Location`, if any.
    pub location: Option<String>,
    /// The body, sealed (field AEAD format).
    pub body: Vec<u8>,
}

/// What [`IdempotencyStore::idempotency_claim`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The caller now owns the key: run the request, then complete or release it.
    Claimed,
    /// A live record exists (finished, or still running under its lease).
    Existing(IdempotencyRow),
    /// The record vanished between the claim and the read (released concurrently): retry.
    Vanished,
}

/// Storage of idempotency records.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `id` for a request with digest `request`, in one atomic statement: inserts a
    /// pending record leased until `lease_until`, or takes over an existing record that was
    /// created before `expired_before` (past its 24 hours) or is a pending record of the same
    /// request whose lease ran out (its node died). Otherwise returns the record.
    async fn idempotency_claim(
        &self,
        id: &[u8],
        request: &[u8],
        now: i64,
        lease_until: i64,
        expired_before: i64,
    ) -> Result<IdempotencyClaim, StoreError>;
    /// Stores the answer of a claimed record; `false` if it is no longer pending.
    async fn idempotency_complete(
        &self,
        id: &[u8],
        response: &StoredResponse,
    ) -> Result<bool, StoreError>;
    /// Gives a claim back (the request failed in a way a retry should repeat).
    async fn idempotency_release(&self, id: &[u8]) -> Result<(), StoreError>;
    /// Deletes records created before `before`; returns how many.
    async fn idempotency_purge(&self, before: i64) -> Result<u64, StoreError>;
}
