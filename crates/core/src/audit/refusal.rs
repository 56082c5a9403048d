//! The one "check failed → audit the refusal → return the error" step. Every capability and
//! service check that refuses a caller goes through [`deny`], so a refusal is never returned
//! without its `denied` event in the log.

use super::{AuditAction, AuditRecord, Outcome};
use crate::auth::Caller;
use crate::error::{CoreError, ForbiddenReason};
use crate::store::Store;
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

/// Appends the `denied` event of `refusal` by `caller` and returns the error to hand back:
/// [`CoreError::Forbidden`] with the reason (or the store's error if the event could not be
/// written — a refusal is never returned unaudited).
pub(crate) async fn deny(store: &dyn Store, caller: &Caller, refusal: Refusal) -> CoreError {
    let mut record = AuditRecord::new(caller, refusal.action)
        .outcome(Outcome::Denied)
        .fields(refusal.fields);
    record.customer_id = refusal.customer;
    match store.audit_append(record).await {
        Ok(_) => CoreError::Forbidden(refusal.reason),
        Err(e) => e.into(),
    }
}
