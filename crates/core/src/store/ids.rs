//! The intrusion-detection port: honeytoken markers, alerts, containment in force, known client
//! addresses (as keyed digests) and incidents. Nothing here holds personal data: ids, customer
//! codes, counts and rule names only.

use super::StoreError;
use crate::audit::AuditRecord;
use async_trait::async_trait;

/// A honeytoken marker: `ref_id` is a customer id, API key id or staff id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoneytokenRow {
    /// The id of the decoy record.
    pub ref_id: String,
    /// `customer`, `api_key` or `staff`.
    pub kind: String,
    /// Planted, ms since epoch.
    pub created_at: i64,
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRow {
    /// Id (`al-…`).
    pub id: String,
    /// First raised, ms since epoch.
    pub created_at: i64,
    /// Last raised (a de-duplicated repeat moves it), ms since epoch.
    pub last_at: i64,
    /// Rule name.
    pub rule: String,
    /// `critical`, `high` or `warning`.
    pub severity: String,
    /// Kind of the actor the alert is about (`api_key`, `staff`, `system`).
    pub actor_kind: String,
    /// Id of that actor.
    pub actor_id: String,
    /// De-duplication key (rule and actor).
    pub dedup: String,
    /// How many times it was raised.
    pub hits: i64,
    /// JSON detail: counts, customer codes, containment taken. Never values.
    pub detail: String,
    /// Acknowledged at, ms since epoch.
    pub acked_at: Option<i64>,
    /// Who acknowledged it.
    pub acked_by: Option<String>,
    /// Handed to the channels at, ms since epoch.
    pub delivered_at: Option<i64>,
    /// The incident opened from it.
    pub incident_id: Option<String>,
}

/// Containment in force on one actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionRow {
    /// `api_key` or `staff`.
    pub actor_kind: String,
    /// The key or staff id.
    pub actor_id: String,
    /// The rule that suspended it.
    pub rule: String,
    /// Since, ms since epoch.
    pub at: i64,
}

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    /// Id (`inc-…`).
    pub id: String,
    /// Opened, ms since epoch.
    pub opened_at: i64,
    /// Discovered (the UU PDP Art. 46 clock starts here), ms since epoch.
    pub discovered_at: i64,
    /// Short title (no personal data).
    pub title: String,
    /// Kind of the suspect actor.
    pub actor_kind: Option<String>,
    /// The suspect actor.
    pub actor_id: Option<String>,
    /// Start of the window examined, ms since epoch.
    pub window_from: i64,
    /// End of the window (open when `None`), ms since epoch.
    pub window_to: Option<i64>,
    /// `open` or `closed`.
    pub status: String,
    /// The alert it was opened from.
    pub alert_id: Option<String>,
    /// JSON list of timeline entries.
    pub timeline: String,
}

/// Intrusion-detection persistence. Implemented by both store crates.
#[async_trait]
pub trait IdsStore: Send + Sync {
    /// Marks a record as a honeytoken.
    async fn honeytoken_insert(&self, row: HoneytokenRow) -> Result<(), StoreError>;
    /// Every honeytoken marker.
    async fn honeytoken_list(&self) -> Result<Vec<HoneytokenRow>, StoreError>;
    /// Inserts an alert and appends `audit` in the same transaction.
    async fn alert_insert(&self, row: AlertRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// The newest alert with de-duplication key `dedup` raised at or after `since_ms`.
    async fn alert_recent(
        &self,
        dedup: &str,
        since_ms: i64,
    ) -> Result<Option<AlertRow>, StoreError>;
    /// Counts one more raise of alert `id` at `at_ms` and appends `audit` in the same
    /// transaction. `detail`, when given, replaces the alert's detail (the latest counts, a
    /// stronger containment); `redeliver` hands the alert to the channels again (an
    /// escalation).
    async fn alert_bump(
        &self,
        id: &str,
        at_ms: i64,
        detail: Option<String>,
        redeliver: bool,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// One alert.
    async fn alert_get(&self, id: &str) -> Result<Option<AlertRow>, StoreError>;
    /// The newest `limit` alerts, newest first.
    async fn alert_list(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError>;
    /// Alerts not yet handed to the channels, oldest first.
    async fn alert_undelivered(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError>;
    /// Marks alert `id` as handed to the channels.
    async fn alert_delivered(&self, id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// Acknowledges alert `id` (if not yet acknowledged) and appends `audit`; `false` if there
    /// is no such unacknowledged alert.
    async fn alert_ack(
        &self,
        id: &str,
        by: &str,
        at_ms: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Links alert `id` to incident `incident`.
    async fn alert_link(&self, id: &str, incident: &str) -> Result<(), StoreError>;
    /// Records containment on an actor (replacing an older one) and appends `audit`.
    async fn suspension_insert(
        &self,
        row: SuspensionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Lifts containment on an actor and appends `audit`; `false` if none was in force.
    async fn suspension_delete(
        &self,
        actor_kind: &str,
        actor_id: &str,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Every containment in force.
    async fn suspension_list(&self) -> Result<Vec<SuspensionRow>, StoreError>;
    /// Records that `actor` used the address with keyed digest `digest`; `true` if it was new.
    async fn address_seen(&self, actor: &str, digest: &str, at_ms: i64)
    -> Result<bool, StoreError>;
    /// How many addresses `actor` is known to have used.
    async fn address_count(&self, actor: &str) -> Result<u64, StoreError>;
    /// Inserts an incident and appends `audit`.
    async fn incident_insert(&self, row: IncidentRow, audit: AuditRecord)
    -> Result<(), StoreError>;
    /// Replaces an incident's status, window end and timeline.
    async fn incident_update(&self, row: IncidentRow) -> Result<(), StoreError>;
    /// One incident.
    async fn incident_get(&self, id: &str) -> Result<Option<IncidentRow>, StoreError>;
    /// Every incident, newest first.
    async fn incident_list(&self) -> Result<Vec<IncidentRow>, StoreError>;
}
