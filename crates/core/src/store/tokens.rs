//! The token vault's port: reversible redaction tokens, each standing for one value encrypted
//! with the field AEAD.
//!
//! A token row holds the token id, the entity kind, the owning customer (or none for shop-level
//! tokens from `POST /v1/redact`), a keyed fingerprint of (owner, kind, value) used only to give
//! the same value the same token within one owner, and the ciphertext. Never the plaintext.
//! Erasing the owning customer clears the ciphertext and fingerprint in the same transaction
//! (and the customer's DEK, which the ciphertext was sealed with, is destroyed anyway).

use super::{CustomerRow, OrderRow, StoreError, WrappedKey};
use crate::audit::AuditRecord;
use async_trait::async_trait;
use uuid::Uuid;

/// A new token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// The token id, e.g. `tok_bcdfghjkmnpqrstv`.
    pub token: String,
    /// The entity kind, e.g. `NIK`.
    pub kind: String,
    /// The owning customer; `None` for shop-level tokens.
    pub customer_id: Option<Uuid>,
    /// Keyed HMAC of (owner, kind, canonical value): unique among live tokens.
    pub fingerprint: Vec<u8>,
    /// The value sealed under the owner's key (AAD: segment, `tokens`, token id, kind).
    pub value: Vec<u8>,
    /// Created, ms since epoch.
    pub created_at: i64,
}

/// A token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The token id.
    pub token: String,
    /// The entity kind.
    pub kind: String,
    /// The owning customer; `None` for shop-level tokens.
    pub customer_id: Option<Uuid>,
    /// The ciphertext; `None` once the owner was erased.
    pub value: Option<Vec<u8>>,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// When the owner was erased.
    pub erased_at: Option<i64>,
}

/// A write that stores free text together with the tokens minted from it, in one transaction.
#[derive(Debug, Clone)]
pub enum GuardedWrite {
    /// Like [`super::Store::customer_insert`].
    CustomerInsert(CustomerRow, WrappedKey, AuditRecord),
    /// Like [`super::Store::customer_insert_batch`].
    CustomerInsertBatch(Vec<(CustomerRow, WrappedKey, AuditRecord)>),
    /// Like [`super::Store::customer_update`] (without a key change).
    CustomerUpdate(CustomerRow, AuditRecord),
    /// Like [`super::Store::order_insert`].
    OrderInsert(OrderRow, AuditRecord),
    /// Only the tokens, with one audit event (shop-level tokens from `POST /v1/redact`).
    Audit(AuditRecord),
}

/// Token storage. Uniqueness of live fingerprints is enforced by the database: a concurrent
/// writer minting the same value for the same owner fails with
/// [`StoreError::Unique`]`("token_fingerprint")` and the core retries.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Live tokens whose fingerprint is among `fingerprints`: `(fingerprint, token, kind)`.
    async fn tokens_find(
        &self,
        fingerprints: &[Vec<u8>],
    ) -> Result<Vec<(Vec<u8>, String, String)>, StoreError>;
    /// One token by id (unaudited: the caller audits before any value leaves the core).
    async fn token_get(&self, token: &str) -> Result<Option<StoredToken>, StoreError>;
    /// Every token owned by one customer, oldest first (unaudited, like [`TokenStore::token_get`];
    /// the access export audits before it opens them).
    async fn tokens_of(&self, customer_id: Uuid) -> Result<Vec<StoredToken>, StoreError>;
    /// Performs `write` and inserts `tokens` in the same transaction, with the write's audit
    /// event(s). Errors as the plain write would, or `Unique("token_fingerprint")`.
    async fn write_with_tokens(
        &self,
        write: GuardedWrite,
        tokens: Vec<TokenRow>,
    ) -> Result<(), StoreError>;
}
