//! Alerts as people see them: listing (with acknowledgement state) and acknowledging.

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::roles::Role;
use crate::store::AlertRow;
use crate::vault::Vault;
use serde::Serialize;

/// An alert: ids, customer codes, counts and rule names; never personal data.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlertView {
    /// Id (`al-…`).
    pub id: String,
    /// Rule that fired.
    pub rule: String,
    /// `critical`, `high` or `warning`.
    pub severity: String,
    /// Kind of actor it concerns (`api_key`, `staff`, `system`).
    pub actor_kind: String,
    /// The actor (API key id, staff id, or a system component).
    pub actor_id: String,
    /// First raised, RFC 3339.
    pub created_at: String,
    /// Last raised, RFC 3339.
    pub last_at: String,
    /// Times raised (repeats within 15 minutes are counted here, not raised again).
    pub count: i64,
    /// Counts, customer codes and the containment taken.
    pub detail: serde_json::Value,
    /// Whether acknowledged.
    pub acked: bool,
    /// When acknowledged, RFC 3339.
    pub acked_at: Option<String>,
    /// Who acknowledged it.
    pub acked_by: Option<String>,
    /// Whether it was handed to the alert channels.
    pub delivered: bool,
    /// The incident opened from it.
    pub incident_id: Option<String>,
}

impl From<AlertRow> for AlertView {
    fn from(r: AlertRow) -> Self {
        Self {
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
            created_at: crate::format_ms(r.created_at),
            last_at: crate::format_ms(r.last_at),
            acked: r.acked_at.is_some(),
            acked_at: r.acked_at.map(crate::format_ms),
            acked_by: r.acked_by,
            delivered: r.delivered_at.is_some(),
            count: r.hits,
            id: r.id,
            rule: r.rule,
            severity: r.severity,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            incident_id: r.incident_id,
        }
    }
}

impl Vault {
    /// Refuses anyone but the operator and admins (alerts name suspects and decoys).
    pub(crate) async fn require_security(
        &self,
        caller: &Caller,
        action: AuditAction,
    ) -> Result<(), CoreError> {
        if caller.is_operator() || caller.staff().is_some_and(|s| s.role() == Role::Admin) {
            return Ok(());
        }
        Err(self
            .deny(
                caller,
                crate::audit::Refusal::new(action, crate::error::ForbiddenReason::Operator),
            )
            .await)
    }

    /// The newest `limit` alerts (operator or admin).
    pub async fn alerts(&self, caller: &Caller, limit: u32) -> Result<Vec<AlertView>, CoreError> {
        self.require_security(caller, AuditAction::IdsAlertAck)
            .await?;
        Ok(self
            .store()
            .alert_list(limit)
            .await?
            .into_iter()
            .map(AlertView::from)
            .collect())
    }

    /// Acknowledges an alert (operator or admin); audited as `ids.alert.ack`.
    /// [`CoreError::NotFound`] if there is no such alert; acknowledging twice is a no-op.
    pub async fn alert_ack(&self, caller: &Caller, id: &str) -> Result<AlertView, CoreError> {
        self.require_security(caller, AuditAction::IdsAlertAck)
            .await?;
        let id = id.trim();
        let Some(row) = self.store().alert_get(id).await? else {
            return Err(CoreError::NotFound);
        };
        if row.acked_at.is_none() {
            let audit =
                AuditRecord::new(caller, AuditAction::IdsAlertAck).fields([format!("alert:{id}")]);
            self.store()
                .alert_ack(id, caller.id(), crate::now_ms(), audit)
                .await?;
        }
        let row = self
            .store()
            .alert_get(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        Ok(row.into())
    }

    /// Alerts not yet handed to the channels (the delivery job), oldest first.
    pub async fn alerts_undelivered(&self, limit: u32) -> Result<Vec<AlertView>, CoreError> {
        Ok(self
            .store()
            .alert_undelivered(limit)
            .await?
            .into_iter()
            .map(AlertView::from)
            .collect())
    }

    /// Marks an alert as handed to the channels.
    pub async fn alert_mark_delivered(&self, id: &str) -> Result<(), CoreError> {
        Ok(self.store().alert_delivered(id, crate::now_ms()).await?)
    }
}
