//! Staff-specific rules the capabilities apply on top of scopes (API keys and the system are
//! unaffected): the confidentiality agreement gate, segment visibility, field views and the
//! step-up needed to reveal, erase or resolve tokens.

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditRecord, Outcome};
use crate::auth::Caller;
use crate::model::{CustomerView, Field, OrderView};
use crate::staff::{FieldView, OrdersView};
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
        action: &'static str,
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
        action: &'static str,
    ) -> Result<(), CoreError> {
        if let Some(ctx) = &caller.staff
            && !ctx.agreement_ok
        {
            self.audit(
                AuditRecord::new(caller, action)
                    .outcome(Outcome::Denied)
                    .fields(["agreement"]),
            )
            .await?;
            return Err(CoreError::AgreementRequired);
        }
        Ok(())
    }

    /// Refuses a staff caller whose session has no fresh TOTP step-up (audited as a denied
    /// `action` with the field `step_up`). For irreversible or value-revealing actions other
    /// than field reveals (erasure, token resolution); API keys are unaffected.
    pub(crate) async fn require_step_up(
        &self,
        caller: &Caller,
        action: &'static str,
        customer: Option<Uuid>,
    ) -> Result<(), CoreError> {
        if let Some(ctx) = &caller.staff
            && !ctx.step_up_fresh
        {
            let mut rec = AuditRecord::new(caller, action)
                .outcome(Outcome::Denied)
                .fields(["step_up"]);
            if let Some(id) = customer {
                rec = rec.customer(id);
            }
            self.audit(rec).await?;
            return Err(CoreError::StepUpRequired);
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
        action: &'static str,
    ) -> Result<(), CoreError> {
        let Some(ctx) = caller.staff.as_ref().filter(|c| c.segments.is_some()) else {
            return Ok(());
        };
        let found = self.store.customer_load(id).await?;
        if let Some(f) = found
            && !ctx.sees_segment(&f.row.segment)
        {
            self.audit(
                AuditRecord::new(caller, action)
                    .customer(id)
                    .outcome(Outcome::Denied)
                    .fields(["segment"]),
            )
            .await?;
            return Err(CoreError::NotFound);
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
        let Some(ctx) = &caller.staff else {
            return Ok(());
        };
        let refuse = |why: &'static str| {
            AuditRecord::new(caller, "customer.reveal")
                .customer(id)
                .outcome(Outcome::Denied)
                .fields(
                    std::iter::once(why.to_string()).chain(fields.iter().map(|f| f.name().into())),
                )
        };
        if fields
            .iter()
            .any(|f| ctx.views.field(*f) != FieldView::Reveal)
        {
            self.audit(refuse("field_view")).await?;
            return Err(CoreError::Forbidden("customers:reveal"));
        }
        if !ctx.step_up_fresh {
            self.audit(refuse("step_up")).await?;
            return Err(CoreError::StepUpRequired);
        }
        Ok(())
    }

    /// Checks a staff caller may write `fields` (none of them hidden from the role).
    pub(crate) async fn check_write(
        &self,
        caller: &Caller,
        id: Option<Uuid>,
        fields: &[&str],
    ) -> Result<(), CoreError> {
        let Some(ctx) = &caller.staff else {
            return Ok(());
        };
        let hidden: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|n| Field::parse(n).is_some_and(|f| ctx.views.field(f) == FieldView::Hidden))
            .collect();
        if hidden.is_empty() {
            return Ok(());
        }
        let mut rec = AuditRecord::new(caller, "customer.update")
            .outcome(Outcome::Denied)
            .fields(hidden.iter().map(|s| s.to_string()));
        if let Some(id) = id {
            rec = rec.customer(id);
        }
        self.store.audit_append(rec).await?;
        Err(CoreError::Forbidden("customers:write"))
    }
}

/// Whether a staff caller may see customers of `segment` (always for other callers).
pub(crate) fn sees(caller: &Caller, segment: &str) -> bool {
    caller
        .staff
        .as_ref()
        .is_none_or(|c| c.sees_segment(segment))
}

/// Applies a staff caller's field views to a view built with `revealed` in plain text: hidden
/// fields are removed; `Plain` fields were already opened by [`plain_fields`].
pub(crate) fn apply_views(caller: &Caller, mut v: CustomerView) -> CustomerView {
    let Some(ctx) = &caller.staff else {
        return v;
    };
    let hide = |f: Field| ctx.views.field(f) == FieldView::Hidden;
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
        .staff
        .as_ref()
        .map(|c| {
            Field::ALL
                .into_iter()
                .filter(|f| c.views.field(*f) == FieldView::Plain)
                .collect()
        })
        .unwrap_or_default()
}

/// Applies a staff caller's orders view: the payment token is replaced for `NoPaymentToken`.
pub(crate) fn apply_orders_view(caller: &Caller, mut orders: Vec<OrderView>) -> Vec<OrderView> {
    if let Some(ctx) = &caller.staff {
        match ctx.views.orders {
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
