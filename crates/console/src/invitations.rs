//! The staff page's pending invitations (cancel, send again) and the shop's name (admin).
//! The list itself is rendered by [`crate::people`].

use super::i18n::M;
use super::people::{StaffExtras, admin_only, carry_form, parse_id, staff_page};
use super::session::{StaffForm, client_info};
use super::session_flows::{maybe_with_session, step_up_if_asked, stepup_page};
use super::web::{Ctx, Fail, see_other};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::{CoreError, ForbiddenReason};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// The cancel and resend forms: nothing but the CSRF token (checked by the extractor) and,
/// for a resend, a step-up code.
#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    stepup_code: Option<String>,
}

/// The staff page with "that invitation is gone" (accepted, expired or cancelled meanwhile).
async fn gone(state: &Arc<AppState>, staff: &super::session::StaffPage) -> Result<Response, Fail> {
    let e = StaffExtras {
        errors: vec![staff.tr().t(M::InvitationGone).into()],
        ..Default::default()
    };
    staff_page(state, staff, e, StatusCode::NOT_FOUND).await
}

/// `POST /console/staff/invitations/{id}/cancel` (admin): the invitation's link stops working.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    StaffForm { staff, .. }: StaffForm<ResendForm>,
) -> Result<Response, Fail> {
    admin_only(&staff)?;
    let id = parse_id(&id)?;
    match state.staff.cancel_invitation(&staff.caller, id).await {
        Ok(()) => Ok(see_other("/console/staff?done=cancelled")),
        Err(CoreError::NotFound) => gone(&state, &staff).await,
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// `POST /console/staff/invitations/{id}/resend` (admin, with a fresh step-up): a new link for
/// the same person, shown once; the old link stops working.
pub async fn resend(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Fail> {
    let base = state.config.public_url.clone();
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, raw } = StaffForm::<ResendForm>::from_request(req, &state).await?;
    admin_only(&staff)?;
    let id = parse_id(&id)?;
    let action = format!("/console/staff/invitations/{id}/resend");
    let carry = carry_form(&raw);
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    match state.staff.resend_invitation(&staff.caller, id).await {
        Err(CoreError::Forbidden(ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, &action, carry, None))
        }
        Ok(inv) => {
            let tr = staff.tr();
            let hours = if inv.email.is_some() {
                state.staff.config().invitation_ttl_ms / 3_600_000
            } else {
                state.staff.config().bootstrap_ttl_ms / 3_600_000
            };
            let email = inv
                .email
                .clone()
                .unwrap_or_else(|| tr.t(M::PendingFirstAdmin).to_string());
            let extras = StaffExtras {
                invite_link: Some(inv.link(&base)),
                invite_note: tr.f(
                    M::InviteResent,
                    &[("email", &email), ("hours", &hours.to_string())],
                ),
                ..Default::default()
            };
            let page = staff_page(&state, &staff, extras, StatusCode::OK).await?;
            Ok(maybe_with_session(page, &rotated))
        }
        Err(CoreError::NotFound) => {
            let page = gone(&state, &staff).await?;
            Ok(maybe_with_session(page, &rotated))
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// The fields of the shop-name form.
#[derive(Deserialize)]
pub struct ShopForm {
    #[serde(default)]
    shop_name: String,
}

/// `POST /console/staff/shop` (admin): saves the shop's name (audited). A refusal keeps the
/// typed name (a card number in it masked) with the error at the field.
pub async fn save_shop(
    State(state): State<Arc<AppState>>,
    StaffForm { staff, form, .. }: StaffForm<ShopForm>,
) -> Result<Response, Fail> {
    admin_only(&staff)?;
    let tr = staff.tr();
    let typed: String = form.shop_name.chars().take(300).collect();
    let refused = |msg: String, kept: String| StaffExtras {
        shop_error: Some(msg),
        shop_form: Some(crate::refusal::shown(&kept)),
        ..Default::default()
    };
    match state.staff.set_shop_name(&staff.caller, &typed).await {
        Ok(_) => Ok(see_other("/console/staff?done=shop")),
        Err(CoreError::CardInText { .. }) => {
            let msg = super::customers::notes::card_message(tr, &typed);
            let e = refused(msg, jaga_core::notes::refused_draft(&typed));
            staff_page(&state, &staff, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CoreError::Invalid(_)) => {
            let kept: String = typed
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            let e = refused(tr.t(M::ShopNameInvalid).to_string(), kept);
            staff_page(&state, &staff, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}
