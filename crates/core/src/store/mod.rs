//! The ports a database adapter implements. Both `jaga-store-sqlite` and `jaga-store-postgres`
//! implement [`Store`], and one conformance suite (in `jaga-testkit`) runs against both.
//!
//! Every method that touches customer data takes the [`AuditRecord`] describing the access and
//! appends it **in the same transaction**, so the change and its audit event commit together or
//! not at all. Audit positions come from the locked head row, never from a sequence.

mod checkpoint;
pub use checkpoint::{CheckpointStore, EventFilter, StoredCheckpoint};

use crate::audit::{AuditRecord, Outcome};
use crate::model::Field;
use async_trait::async_trait;
use uuid::Uuid;

mod tokens;
pub use tokens::{GuardedWrite, StoredToken, TokenRow, TokenStore};
mod jobs;
pub use jobs::{JobState, JobStore};
mod ids;
pub use ids::{AlertRow, HoneytokenRow, IdsStore, IncidentRow, SuspensionRow};
mod fraud;
pub use fraud::{
    FraudEventRow, FraudLabelRow, FraudLink, FraudListRow, FraudReviewRow, FraudStore,
};
mod idempotency;
pub use idempotency::{IdempotencyClaim, IdempotencyRow, IdempotencyStore, StoredResponse};
mod lifecycle;
pub use lifecycle::{
    DumpInfo, DumpItem, ErasedCustomer, LifecycleCounts, LifecycleStore, RetentionTarget,
    SnapshotInfo,
};
mod requests;
pub use requests::RequestStore;
mod payees;
pub use payees::{BankVersionRow, PayeeNoticeRow, PayeeRow, PayeeStore, PayoutRow};
mod routing;
pub use routing::{CROSS_DATABASE_MOVE, LayoutError, RoutingStore, SegmentDb};
mod staff;
pub use staff::{InvitationRow, SessionRow, StaffRow, StaffStore, ThrottleLimit, ThrottleRow};

/// A storage failure. Carries no values from the data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or the statement failed.
    #[error("database error: {0}")]
    Database(String),
    /// A uniqueness constraint was violated (named by the adapter, e.g. `customer_code`).
    #[error("unique constraint violated: {0}")]
    Unique(&'static str),
    /// An optimistic-concurrency check failed: the row changed since it was read.
    #[error("the record changed concurrently")]
    Concurrent,
    /// Stored data is not in the expected shape (e.g. a frontier of the wrong length).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The backend cannot do this (e.g. an in-process snapshot of PostgreSQL).
    #[error("not supported by this database: {0}")]
    Unsupported(&'static str),
}

impl From<jaga_audit::AuditError> for StoreError {
    /// Stored log state that `jaga-audit` cannot use (e.g. a frontier of the wrong size).
    fn from(e: jaga_audit::AuditError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// The encrypted columns of a customer, indexed by [`Field::index`].
pub type EncryptedFields = [Option<Vec<u8>>; 8];

/// A customer as stored: metadata in plain text, fields encrypted, lookups through blind indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// Id.
    pub id: Uuid,
    /// Customer code (a pseudonym; plain text so staff can search it).
    pub code: String,
    /// Segment.
    pub segment: String,
    /// Marketing consent.
    pub marketing_consent: bool,
    /// Ciphertexts by field.
    pub fields: EncryptedFields,
    /// Blind-index term for e-mail.
    pub email_index: Option<Vec<u8>>,
    /// Blind-index term for phone.
    pub phone_index: Option<Vec<u8>>,
    /// Blind-index term for NIK (short on purpose).
    pub national_id_index: Option<Vec<u8>>,
    /// Optimistic-concurrency version, incremented by every update.
    pub version: i64,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Updated, ms since epoch.
    pub updated_at: i64,
    /// Erased, ms since epoch.
    pub erased_at: Option<i64>,
}

impl CustomerRow {
    /// The blind-index term for `field`, if it has one.
    pub fn index_term(&self, field: Field) -> Option<&Vec<u8>> {
        match field {
            Field::Email => self.email_index.as_ref(),
            Field::Phone => self.phone_index.as_ref(),
            Field::NationalId => self.national_id_index.as_ref(),
            _ => None,
        }
    }
}

/// A customer's wrapped data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The KEK version it is wrapped under.
    pub kek_version: u32,
    /// The wrapped DEK (Jaga field format).
    pub wrapped: Vec<u8>,
}

/// A customer row with its key, as needed to decrypt. `key` is `None` once erased.
#[derive(Debug, Clone)]
pub struct CustomerWithKey {
    /// The row.
    pub row: CustomerRow,
    /// The wrapped DEK.
    pub key: Option<WrappedKey>,
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// Id.
    pub id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// The customer's segment the ciphertexts are bound to (their AAD names it). Not a column
    /// of its own: an insert is refused ([`StoreError::Concurrent`]) unless the customer is
    /// still in this segment (a move in between re-sealed everything else), and rows read back
    /// carry the customer's current segment.
    pub segment: String,
    /// The shop's order number.
    pub order_ref: String,
    /// Status.
    pub status: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: String,
    /// Encrypted JSON of the payment reference (gateway, token, brand, last 4, expiry).
    pub payment: Option<Vec<u8>>,
    /// Encrypted JSON of the items.
    pub items: Vec<u8>,
    /// Encrypted notes.
    pub notes: Option<Vec<u8>>,
    /// Created, ms since epoch.
    pub created_at: i64,
}

/// A customer re-sealed for another segment ([`Store::customer_move`]).
#[derive(Debug, Clone)]
pub struct SegmentMove {
    /// The row with its new segment, ciphertexts and index terms; `version` is one more than
    /// the version read.
    pub row: CustomerRow,
    /// The new DEK, wrapped under the new segment's KEK.
    pub key: WrappedKey,
    /// Every order of the customer, re-sealed (id, payment, items and notes are written).
    pub orders: Vec<OrderRow>,
    /// Every live token of the customer: token id and re-sealed value.
    pub tokens: Vec<(String, Vec<u8>)>,
}

/// A key in the keyring, wrapped under the root key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `kek` (wraps DEKs) or `index` (blind-index root).
    pub kind: String,
    /// Version, from 1.
    pub version: u32,
    /// `active`, `decrypt_only` or `retired`.
    pub state: String,
    /// The key wrapped under the root key.
    pub wrapped: Vec<u8>,
    /// Created, ms since epoch.
    pub created_at: i64,
}

/// An API key as stored: never the key itself, only its keyed digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Public id (the part of the key between `jaga_` and the secret).
    pub id: String,
    /// Human name, e.g. `shop-backend`.
    pub name: String,
    /// HMAC-SHA256 of the whole key.
    pub digest: Vec<u8>,
    /// Comma-separated scope names.
    pub scopes: String,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Expiry, ms since epoch.
    pub expires_at: Option<i64>,
    /// Revocation time, ms since epoch.
    pub revoked_at: Option<i64>,
    /// Last use (updated at most once a minute), ms since epoch.
    pub last_used_at: Option<i64>,
}

/// The audit log's head: size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// Number of events.
    pub size: u64,
    /// Merkle root.
    pub root: [u8; 32],
}

/// A stored audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Position.
    pub seq: u64,
    /// Canonical leaf bytes.
    pub leaf: Vec<u8>,
    /// RFC 9162 leaf hash.
    pub leaf_hash: [u8; 32],
}

/// A DEK to re-wrap: the customer, its segment and its current wrapping.
#[derive(Debug, Clone)]
pub struct RewrapItem {
    /// Customer id.
    pub customer_id: Uuid,
    /// Segment.
    pub segment: String,
    /// Current wrapping.
    pub key: WrappedKey,
}

/// Everything Jaga persists. Implemented by the SQLite and PostgreSQL adapters.
#[async_trait]
pub trait Store:
    CheckpointStore
    + TokenStore
    + StaffStore
    + JobStore
    + IdsStore
    + FraudStore
    + IdempotencyStore
    + LifecycleStore
    + RequestStore
    + PayeeStore
    + Send
    + Sync
    + 'static
{
    /// Checks the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    // --- keyring ---------------------------------------------------------------------------
    /// Every key record.
    async fn keys_load(&self) -> Result<Vec<KeyRecord>, StoreError>;
    /// Adds a key; when it is an active `kek`, every other active `kek` becomes `decrypt_only`.
    async fn key_insert(&self, key: KeyRecord, audit: AuditRecord) -> Result<(), StoreError>;
    /// Changes a key's state (e.g. to `retired`, which also deletes its wrapped material).
    async fn key_set_state(
        &self,
        kind: &str,
        version: u32,
        state: &str,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// How many customer DEKs each KEK version wraps.
    async fn dek_counts(&self) -> Result<Vec<(u32, u64)>, StoreError>;
    /// Up to `limit` DEKs wrapped under a version other than `active`.
    async fn deks_to_rewrap(&self, active: u32, limit: u32) -> Result<Vec<RewrapItem>, StoreError>;
    /// Replaces wrappings, each only if it is still the one read (compare-and-swap); returns how
    /// many were replaced. One audit event covers the batch.
    async fn deks_rewrap(
        &self,
        items: Vec<(Uuid, WrappedKey, WrappedKey)>,
        audit: AuditRecord,
    ) -> Result<u64, StoreError>;

    // --- API keys ----------------------------------------------------------------------------
    /// Stores a new API key.
    async fn api_key_insert(&self, key: ApiKeyRecord, audit: AuditRecord)
    -> Result<(), StoreError>;
    /// One API key by id.
    async fn api_key_get(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    /// All API keys.
    async fn api_key_list(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Revokes a key; `false` if there was no such active key.
    async fn api_key_revoke(
        &self,
        id: &str,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Records a use (best effort, not audited).
    async fn api_key_touch(&self, id: &str, at: i64) -> Result<(), StoreError>;

    // --- customers ---------------------------------------------------------------------------
    /// Inserts a customer and its key. Fails with [`StoreError::Unique`]`("customer_code")` on a
    /// code collision, writing nothing.
    async fn customer_insert(
        &self,
        row: CustomerRow,
        key: WrappedKey,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Inserts many customers in one transaction, each with its own audit event.
    async fn customer_insert_batch(
        &self,
        rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
    ) -> Result<(), StoreError>;
    /// Reads a customer and appends `audit` in the same transaction; the store sets the outcome
    /// to [`Outcome::NotFound`] or [`Outcome::Erased`] when that is what it found.
    async fn customer_get(
        &self,
        id: Uuid,
        audit: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError>;
    /// Reads a customer **without** auditing, for read-modify-write inside a service whose
    /// write carries the audit event. Nothing read this way may leave the core unless that
    /// write succeeds.
    async fn customer_load(&self, id: Uuid) -> Result<Option<CustomerWithKey>, StoreError>;
    /// Like [`Store::customer_get`], by customer code.
    async fn customer_get_by_code(
        &self,
        code: &str,
        audit: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError>;
    /// Like [`Store::customer_load`] (unaudited), by customer code: the vault audits what it
    /// hands out once it knows the caller may see the customer's segment.
    async fn customer_load_by_code(
        &self,
        code: &str,
    ) -> Result<Option<CustomerWithKey>, StoreError>;
    /// Candidates whose blind-index term for `field` equals `term` (at most `limit`),
    /// **unaudited**: a short index has false positives the vault removes by decrypting, and
    /// a candidate in a segment the caller cannot see is refused, so only the vault knows which
    /// customers a lookup hands out. It audits exactly those (one `customer.lookup` per
    /// customer received) before returning anything. Nothing read this way may leave the core
    /// unaudited.
    async fn customer_lookup(
        &self,
        field: Field,
        term: &[u8],
        limit: u32,
    ) -> Result<Vec<CustomerWithKey>, StoreError>;
    /// Writes a changed row if its version is still `row.version - 1`; else
    /// [`StoreError::Concurrent`].
    async fn customer_update(
        &self,
        row: CustomerRow,
        key: Option<WrappedKey>,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Crypto-shreds a customer: deletes its DEK, clears its ciphertexts and index terms, and
    /// stamps `erased_at`. Returns `false` if there is no such live customer.
    async fn customer_erase(
        &self,
        id: Uuid,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;

    /// A customer's orders and live tokens (those that still hold a value) **without**
    /// auditing, for a move between segments whose write carries the audit event.
    async fn customer_sealed_load(
        &self,
        id: Uuid,
    ) -> Result<(Vec<OrderRow>, Vec<StoredToken>), StoreError>;
    /// Moves a customer to `mv.row.segment` in **one transaction** with `audit`: the row (if
    /// its version is still `mv.row.version - 1` and it is not erased), its wrapped DEK, every
    /// order and every live token. [`StoreError::Concurrent`] (nothing written) when the row
    /// changed, or when the customer's orders or live tokens are not exactly those given (one
    /// was added meanwhile).
    async fn customer_move(&self, mv: SegmentMove, audit: AuditRecord) -> Result<(), StoreError>;

    // --- orders ------------------------------------------------------------------------------
    /// Stores an order.
    async fn order_insert(&self, row: OrderRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// A customer's orders, newest first, appending `audit` in the same transaction.
    async fn orders_list(
        &self,
        customer_id: Uuid,
        audit: AuditRecord,
    ) -> Result<Vec<OrderRow>, StoreError>;

    // --- audit -------------------------------------------------------------------------------
    /// Appends a standalone event (e.g. a refused request); returns its position.
    async fn audit_append(&self, audit: AuditRecord) -> Result<u64, StoreError>;
    /// The current head.
    async fn audit_head(&self) -> Result<AuditHead, StoreError>;
    /// Events `[from, from + limit)` in order.
    async fn audit_events(&self, from: u64, limit: u32) -> Result<Vec<StoredEvent>, StoreError>;
}

/// The outcome a read should record for what it found.
pub fn read_outcome(found: Option<&CustomerRow>) -> Outcome {
    match found {
        None => Outcome::NotFound,
        Some(r) if r.erased_at.is_some() => Outcome::Erased,
        Some(_) => Outcome::Ok,
    }
}
