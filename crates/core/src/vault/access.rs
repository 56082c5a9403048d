//! Staff-specific rules the capabilities apply on top of scopes (API keys and the system are
//! unaffected): the confidentiality agreement gate, segment visibility, field views and the
//! step-up needed to reveal, erase or resolve tokens.

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, Refusal};
use crate::auth::Caller;
use crate::error::ForbiddenReason;
use crate::model::{CustomerView, Field, OrderView};
use crate::roles::{FieldView, OrdersView};
use uuid::Uuid;

impl Vault {
    /// Authorises a request before its body is read: `caller` must hold `scope`; when
    /// `agreement`, a staff caller must have accepted the current agreement; when `step_up`, a
    /// staff caller needs a fresh step-up. A refusal is audited as a denied
    /// `action` (the same event the capability itself would write). The capability repeats the
    /// full check when it is handed out; this only makes sure nothing of the body is looked at
    /// for a caller who may not use the route.
    pub async fn authorize(
        &self,
        caller: &Caller,
        scope: crate::auth::Scope,
        action: AuditAction,
        agreement: bool,
        step_up: bool,
    ) -> Result<(), CoreError> {
        self.require(caller, scope, action).await?;
        if agreement {
            self.require_agreement(caller, action).await?;
        }
        if step_up {
            self.require_step_up(caller, action, None).await?;
        }
        Ok(())
    }

    /// Refuses a staff caller who has not accepted the current agreement (audited as a denied
    /// `action`). Called when a capability that reads customer data is handed out.
    pub(crate) async fn require_agreement(
        &self,
        caller: &Caller,
        action: AuditAction,
    ) -> Result<(), CoreError> {
        if caller.staff().is_some_and(|ctx| !ctx.agreement_ok()) {
            return Err(self
                .deny(caller, Refusal::new(action, ForbiddenReason::Agreement))
                .await);
        }
        Ok(())
    }

    /// Refuses a staff caller whose session has no fresh TOTP step-up (audited as a denied
    /// `action` with the field `step_up`). For irreversible or value-revealing actions other
    /// than field reveals (erasure, token resolution); API keys are unaffected.
    pub(crate) async fn require_step_up(
        &self,
        caller: &Caller,
        action: AuditAction,
        customer: Option<Uuid>,
    ) -> Result<(), CoreError> {
        if caller.staff().is_some_and(|ctx| !ctx.step_up_fresh()) {
            let refusal = Refusal::new(action, ForbiddenReason::StepUp).customer(customer);
            return Err(self.deny(caller, refusal).await);
        }
        Ok(())
    }

    /// For a segment-restricted staff caller, checks customer `id` lies in one of their
    /// segments *before* anything is read under audit. A customer outside them is reported as
    /// [`CoreError::NotFound`] (so its existence does not leak) and the attempt is audited as a
    /// denied `action` with the field `segment`. Unknown customers pass through, so the normal
    /// read records them as not found.
    pub(crate) async fn check_segment(
        &self,
        caller: &Caller,
        id: Uuid,
        action: AuditAction,
    ) -> Result<(), CoreError> {
        let Some(ctx) = caller.staff().filter(|c| c.segments().is_some()) else {
            return Ok(());
        };
        let found = self.store.customer_load(id).await?;
        if let Some(f) = found
            && !ctx.sees_segment(&f.row.segment)
        {
            let refusal = Refusal::new(action, ForbiddenReason::Segment).customer(Some(id));
            return Err(match self.deny(caller, refusal).await {
                CoreError::Forbidden(_) => CoreError::NotFound,
                other => other,
            });
        }
        Ok(())
    }

    /// Checks a staff caller may reveal `fields`: each must be revealable for the role, and
    /// the session must have a fresh TOTP step-up. Refusals are audited as denied
    /// `customer.reveal`.
    pub(crate) async fn check_reveal(
        &self,
        caller: &Caller,
        id: Uuid,
        fields: &[Field],
    ) -> Result<(), CoreError> {
        let Some(ctx) = caller.staff() else {
            return Ok(());
        };
        let reason = if fields
            .iter()
            .any(|f| ctx.views().field(*f) != FieldView::Reveal)
        {
            ForbiddenReason::FieldView
        } else if !ctx.step_up_fresh() {
            ForbiddenReason::StepUp
        } else {
            return Ok(());
        };
        let refusal = Refusal::new(AuditAction::CustomerReveal, reason)
            .customer(Some(id))
            .fields(
                reason
                    .audit_field()
                    .map(String::from)
                    .into_iter()
                    .chain(fields.iter().map(|f| f.name().into())),
            );
        Err(self.deny(caller, refusal).await)
    }

    /// Checks a staff caller may write `fields` (none of them hidden from the role). A refusal
    /// is audited as a denied `customer.update` naming the hidden fields.
    pub(crate) async fn check_write(
        &self,
        caller: &Caller,
        id: Option<Uuid>,
        fields: &[&str],
    ) -> Result<(), CoreError> {
        let Some(ctx) = caller.staff() else {
            return Ok(());
        };
        let hidden: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|n| Field::parse(n).is_some_and(|f| ctx.views().field(f) == FieldView::Hidden))
            .collect();
        if hidden.is_empty() {
            return Ok(());
        }
        let refusal = Refusal::new(AuditAction::CustomerUpdate, ForbiddenReason::FieldView)
            .customer(id)
            .fields(hidden);
        Err(self.deny(caller, refusal).await)
    }
}

/// Whether a staff caller may see customers of `segment` (always for other callers).
pub(crate) fn sees(caller: &Caller, segment: &str) -> bool {
    caller.staff().is_none_or(|c| c.sees_segment(segment))
}

/// Applies a staff caller's field views to a view built with `revealed` in plain text: hidden
/// fields are removed; `Plain` fields were already opened by [`plain_fields`].
pub(crate) fn apply_views(caller: &Caller, mut v: CustomerView) -> CustomerView {
    let Some(ctx) = caller.staff() else {
        return v;
    };
    let hide = |f: Field| ctx.views().field(f) == FieldView::Hidden;
    if hide(Field::FullName) {
        v.full_name = None;
    }
    if hide(Field::Email) {
        v.email = None;
    }
    if hide(Field::Phone) {
        v.phone = None;
    }
    if hide(Field::Address) {
        v.address = None;
    }
    if hide(Field::NationalId) {
        v.national_id = None;
    }
    if hide(Field::BirthDate) {
        v.birth_date = None;
    }
    if hide(Field::Preferences) {
        v.preferences = None;
    }
    if hide(Field::Notes) {
        v.notes = None;
    }
    v.revealed.retain(|f| !hide(*f));
    v
}

/// The fields a staff caller sees unmasked without a reveal (`Plain` views of maskable fields).
pub(crate) fn plain_fields(caller: &Caller) -> Vec<Field> {
    caller
        .staff()
        .map(|c| {
            Field::ALL
                .into_iter()
                .filter(|f| c.views().field(*f) == FieldView::Plain)
                .collect()
        })
        .unwrap_or_default()
}

/// Applies a staff caller's orders view: the payment token is replaced for `NoPaymentToken`.
pub(crate) fn apply_orders_view(caller: &Caller, mut orders: Vec<OrderView>) -> Vec<OrderView> {
    if let Some(ctx) = caller.staff() {
        match ctx.views().orders {
            OrdersView::Plain => {}
            OrdersView::NoPaymentToken => {
                for o in &mut orders {
                    if let Some(p) = &mut o.payment {
                        p.token = "[hidden]".into();
                    }
                }
            }
            OrdersView::Hidden => orders.clear(),
        }
    }
    orders
}
