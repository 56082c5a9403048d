//! What a refusal records. Every capability and service check that refuses a caller builds a
//! [`Refusal`] and hands it to `Vault::deny` (in `vault/refusals.rs`), the one "check failed →
//! audit the refusal → return the error" step, so a refusal is never returned without its
//! `denied` event (or its count in the refusal budget).

use super::{AuditAction, AuditRecord, Outcome};
use crate::auth::Caller;
use crate::error::ForbiddenReason;
use uuid::Uuid;

/// A refusal to record: the action refused, the rule that refused it, and what its `denied`
/// event names (the customer concerned, field names — never values).
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    action: AuditAction,
    reason: ForbiddenReason,
    customer: Option<Uuid>,
    fields: Vec<String>,
}

impl Refusal {
    /// A refusal of `action` for `reason`; the event's fields default to the reason's word
    /// ([`ForbiddenReason::audit_field`]).
    pub(crate) fn new(action: AuditAction, reason: ForbiddenReason) -> Self {
        Self {
            action,
            reason,
            customer: None,
            fields: reason.audit_field().map(String::from).into_iter().collect(),
        }
    }

    /// Names the customer concerned.
    pub(crate) fn customer(mut self, id: Option<Uuid>) -> Self {
        self.customer = id;
        self
    }

    /// Replaces the event's fields.
    pub(crate) fn fields<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }
}

/// The `denied` event of `refusal` by `caller`, and the reason to return. The vault writes the
/// event (through the refusal budget) in [`crate::vault::Vault`]'s `deny`, the one refusal step.
pub(crate) fn denied_event(caller: &Caller, refusal: Refusal) -> (AuditRecord, ForbiddenReason) {
    let mut record = AuditRecord::new(caller, refusal.action)
        .outcome(Outcome::Denied)
        .fields(refusal.fields);
    record.customer_id = refusal.customer;
    (record, refusal.reason)
}
