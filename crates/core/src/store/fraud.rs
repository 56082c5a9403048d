//! The fraud monitor's port: scored events, shared by every node on one database.
//!
//! A row holds the event as the engine saw it, with the e-mail address, phone number and IP
//! address already replaced by keyed hashes (never the values), and the decision. `seq`
//! orders rows by insertion, so each node can pick up the events other nodes scored.

use super::StoreError;
use crate::audit::AuditRecord;
use async_trait::async_trait;

/// One scored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudEventRow {
    /// Insertion order (set by the database; ignored on insert).
    pub seq: i64,
    /// The shop's event id (unique).
    pub id: String,
    /// Event time, ms since epoch.
    pub ts: i64,
    /// Event type (`payment`, `order` …).
    pub kind: String,
    /// The pseudonymised event, JSON.
    pub event: String,
    /// `allow`, `review` or `block`.
    pub decision: String,
    /// 0-100.
    pub score: i64,
    /// The reasons, JSON array of `{rule, text}`.
    pub reasons: String,
    /// When it was scored, ms since epoch.
    pub created_at: i64,
}

/// A reference tying an event to its order or the gateway's charge (`order:<id>`,
/// `stripe:<charge id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudLink {
    /// The reference.
    pub reference: String,
    /// The event id.
    pub event_id: String,
}

/// What became of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudLabelRow {
    /// The event id.
    pub event_id: String,
    /// `Some(true)`: fraud; `Some(false)`: legitimate; `None`: recorded without a verdict (a
    /// refund).
    pub fraud: Option<bool>,
    /// `chargeback`, `fraud_warning`, `refund` …
    pub kind: String,
    /// Who or what set it (the delivery or event that carried it, a staff id).
    pub source: String,
    /// When, ms since epoch.
    pub set_at: i64,
}

/// One allow- or block-list entry: the keyed hash of a value, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudListRow {
    /// `allow` or `block`.
    pub list: String,
    /// `email`, `card`, `device`, `ip`, `address`, `customer`, `phone`.
    pub entity: String,
    /// The value's key as the engine computes it (`k:<16 hex>`).
    pub key: String,
    /// A masked hint for people (`s***@gmail.com`).
    pub hint: String,
    /// Why it is listed.
    pub note: String,
    /// Who listed it (API key id or staff id).
    pub created_by: String,
    /// When, ms since epoch.
    pub created_at: i64,
}

/// A person's decision on an event held for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudReviewRow {
    /// The event.
    pub event_id: String,
    /// `approve` or `decline`.
    pub decision: String,
    /// The reviewer's note.
    pub note: String,
    /// The reviewer (staff id, or API key id).
    pub staff_id: String,
    /// When, ms since epoch.
    pub decided_at: i64,
}

/// Storage of scored events.
#[async_trait]
pub trait FraudStore: Send + Sync {
    /// Inserts rows in one transaction; a row whose id exists already is skipped. Returns how
    /// many were inserted.
    async fn fraud_events_insert(&self, rows: Vec<FraudEventRow>) -> Result<u64, StoreError>;
    /// Up to `limit` rows with `seq > after`, in `seq` order.
    async fn fraud_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FraudEventRow>, StoreError>;
    /// The rows with these ids (any order; unknown ids are absent).
    async fn fraud_events_get(&self, ids: &[String]) -> Result<Vec<FraudEventRow>, StoreError>;
    /// In one transaction: inserts `rows` (a known id is skipped), their encrypted contacts
    /// (`(event id, sealed)`), then `links` and `labels` (a label with a verdict replaces the
    /// event's label; one without only fills a gap). Returns how many rows were inserted.
    async fn fraud_record(
        &self,
        rows: Vec<FraudEventRow>,
        contacts: Vec<(String, String)>,
        links: Vec<FraudLink>,
        labels: Vec<FraudLabelRow>,
    ) -> Result<u64, StoreError>;
    /// The encrypted contacts of these events, `(event id, sealed)`.
    async fn fraud_contacts_get(&self, ids: &[String])
    -> Result<Vec<(String, String)>, StoreError>;
    /// The events linked to any of `refs`, in `seq` order.
    async fn fraud_events_by_refs(&self, refs: &[String])
    -> Result<Vec<FraudEventRow>, StoreError>;
    /// Adds a list entry and its audit event in one transaction; `false` (and nothing
    /// written) if the entry exists.
    async fn fraud_list_put(
        &self,
        row: FraudListRow,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Removes a list entry and appends its audit event in one transaction; `false` (and
    /// nothing written) if there was no such entry.
    async fn fraud_list_delete(
        &self,
        list: &str,
        entity: &str,
        key: &str,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Every list entry.
    async fn fraud_lists_all(&self) -> Result<Vec<FraudListRow>, StoreError>;
    /// Up to `limit` events decided `review` that nobody has decided on, newest first.
    async fn fraud_review_queue(&self, limit: u32) -> Result<Vec<FraudEventRow>, StoreError>;
    /// Records a decision, its label and its audit event in one transaction; `false` (and
    /// nothing written) if the event was decided already.
    async fn fraud_review_decide(
        &self,
        review: FraudReviewRow,
        label: FraudLabelRow,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Up to `limit` events with event time in `[from, to)` (ms) and `seq > after`, by seq.
    async fn fraud_events_in(
        &self,
        from: i64,
        to: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FraudEventRow>, StoreError>;
    /// The `limit` latest decisions, newest first.
    async fn fraud_reviews_recent(&self, limit: u32) -> Result<Vec<FraudReviewRow>, StoreError>;
    /// Up to `limit` labels with event id after `after` (`""` for the first), by event id.
    async fn fraud_labels_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<FraudLabelRow>, StoreError>;
}
