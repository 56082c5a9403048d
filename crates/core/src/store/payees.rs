//! The payees' and payouts' port (issue 14). Names, contacts, bank details, call records and
//! remarks arrive here already sealed by the vault; the store keeps ids, states, amounts, staff
//! ids and times in plain text so the four-eyes rules can be checked.

use super::StoreError;
use crate::audit::AuditRecord;
use async_trait::async_trait;

/// A payee as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeRow {
    /// Id (UUID text).
    pub id: String,
    /// `supplier`, `reseller` or `refund`.
    pub kind: String,
    /// Sealed name.
    pub name: Vec<u8>,
    /// Sealed contacts (JSON: phone on file, e-mail, person).
    pub contacts: Vec<u8>,
    /// Who created it (actor id).
    pub created_by: String,
    /// Created, ms since epoch.
    pub created_at: i64,
}

/// One version of a payee's bank details as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankVersionRow {
    /// The payee.
    pub payee_id: String,
    /// 1 for the first details, +1 per change.
    pub version: i64,
    /// Sealed details (JSON: bank, account number, holder).
    pub details: Vec<u8>,
    /// `pending_verification`, `verified` or `rejected`.
    pub status: String,
    /// Who asked for this version.
    pub requested_by: String,
    /// When, ms since epoch.
    pub requested_at: i64,
    /// Who recorded the call-back.
    pub call_by: Option<String>,
    /// When the call-back was made, ms since epoch.
    pub call_at: Option<i64>,
    /// Sealed call record (JSON: number called, what was confirmed, reference code).
    pub call_record: Option<Vec<u8>>,
}

/// A payout as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRow {
    /// Id (UUID text).
    pub id: String,
    /// The payee.
    pub payee_id: String,
    /// Amount in whole rupiah (not sen).
    pub amount: i64,
    /// The version of the payee's bank details it pays to.
    pub details_version: i64,
    /// Approvals needed.
    pub required: i64,
    /// Whether the details changed recently (the extra approval and the warning).
    pub recent_change: bool,
    /// `pending_approval`, `approved` or `exported`.
    pub status: String,
    /// Who created it.
    pub created_by: String,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Sealed remark (invoice number).
    pub remark: Option<Vec<u8>>,
    /// JSON list of `{"by", "at"}`, in order.
    pub approvals: String,
    /// Incremented by every update (optimistic concurrency).
    pub rev: i64,
}

/// A pending notice to a payee's previous contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeNoticeRow {
    /// The payee.
    pub payee_id: String,
    /// The new bank-details version the notice is about; a negative number `-n` is contact
    /// change `n`.
    pub version: i64,
    /// Queued, ms since epoch.
    pub created_at: i64,
}

/// Storage of payees, their bank-detail versions and payouts. Every write appends its audit
/// record in the same transaction.
#[async_trait]
pub trait PayeeStore: Send + Sync {
    /// Inserts a payee with its first bank-details version.
    async fn payee_insert(
        &self,
        row: PayeeRow,
        first: BankVersionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// One payee.
    async fn payee_get(&self, id: &str) -> Result<Option<PayeeRow>, StoreError>;
    /// Every payee, oldest first.
    async fn payee_list(&self) -> Result<Vec<PayeeRow>, StoreError>;
    /// A payee's bank-details versions, oldest first.
    async fn bank_versions(&self, payee_id: &str) -> Result<Vec<BankVersionRow>, StoreError>;
    /// Adds a new version (a change) and queues a notice to the previous contact; a version
    /// that exists already is [`StoreError::Unique`]`("payee_bank_version")`, writing nothing.
    async fn bank_version_insert(
        &self,
        row: BankVersionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Records the call-back's decision on a version still `pending_verification` (status and
    /// call columns only); [`StoreError::Concurrent`] if it is no longer pending.
    async fn bank_version_decide(
        &self,
        row: BankVersionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Inserts a payout.
    async fn payout_insert(&self, row: PayoutRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// One payout.
    async fn payout_get(&self, id: &str) -> Result<Option<PayoutRow>, StoreError>;
    /// Up to `limit` payouts, newest first; only those in `status` when given.
    async fn payout_list(
        &self,
        status: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PayoutRow>, StoreError>;
    /// Writes a changed payout if its `rev` is still `row.rev - 1`; else
    /// [`StoreError::Concurrent`].
    async fn payout_update(&self, row: PayoutRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// Marks the payouts `ids` (all `approved`) as `exported` in one transaction; if any is no
    /// longer approved nothing is written and the answer is [`StoreError::Concurrent`].
    async fn payouts_mark_exported(
        &self,
        ids: &[String],
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Up to `limit` notices not yet delivered, oldest first.
    async fn payee_notices_pending(&self, limit: u32) -> Result<Vec<PayeeNoticeRow>, StoreError>;
    /// Marks a notice delivered.
    async fn payee_notice_delivered(
        &self,
        payee_id: &str,
        version: i64,
        at: i64,
    ) -> Result<(), StoreError>;
    /// Replaces a payee's sealed contacts (which carry their own versions) if they are still
    /// `expected`, and queues `notice` in the same transaction; [`StoreError::Concurrent`] if
    /// they changed meanwhile (nothing is written), [`StoreError::Unique`] if the notice
    /// exists.
    async fn payee_contacts_update(
        &self,
        payee_id: &str,
        expected: Vec<u8>,
        contacts: Vec<u8>,
        notice: Option<PayeeNoticeRow>,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
}
