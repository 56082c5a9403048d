//! Moving a customer to another segment from the console: for roles with `customers:move`
//! (cs_manager, admin) who see both segments, after a fresh step-up. The domain step is
//! `SegmentMover::move_to` (a new data key under the new segment's key, everything re-encrypted
//! in one transaction); it is audited as `customer.segment_move`.

use super::{data_fail, parse_id};
use crate::Chrome;
use crate::i18n::M;
use crate::session::{StaffForm, StaffPage, client_info};
use crate::session_flows::{maybe_with_session, step_up_if_asked, stepup_page};
use crate::web::{Ctx, Fail, html, see_other};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(askama::Template)]
#[template(path = "segment.html")]
struct SegmentPage {
    c: Chrome,
    id: Uuid,
    current: String,
    typed: String,
    error: Option<String>,
}

/// The fields of the move form.
#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    segment: String,
    #[serde(default)]
    stepup_code: Option<String>,
}

fn may_move(staff: &StaffPage) -> Result<(), Fail> {
    if staff.caller.has(Scope::CustomersMove) {
        Ok(())
    } else {
        Err(Fail::Forbidden)
    }
}

/// The customer's code and segment (a masked, audited read: the page names whom it moves).
async fn current(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
) -> Result<(String, String), Fail> {
    let v = state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)?;
    Ok((v.code, v.segment))
}

fn page(
    staff: &StaffPage,
    id: Uuid,
    (code, segment): (&str, &str),
    typed: &str,
    error: Option<M>,
) -> Response {
    let tr = staff.tr();
    let here = format!("/console/customers/{id}/segment");
    html(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &SegmentPage {
            c: staff.chrome(
                tr.f(M::SegmentMoveTitle, &[("code", code)]),
                "customers",
                &here,
            ),
            id,
            current: tr.f(M::SegmentMoveCurrent, &[("segment", segment)]),
            typed: crate::refusal::shown(&typed.chars().take(32).collect::<String>()),
            error: error.map(|m| tr.t(m).to_string()),
        },
    )
}

/// `GET /console/customers/{id}/segment`: what a move does, and the form.
pub async fn move_form(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
) -> Result<Response, Fail> {
    staff.require_agreement()?;
    may_move(&staff)?;
    let id = parse_id(&id)?;
    let (code, segment) = current(&state, &staff, id).await?;
    Ok(page(&staff, id, (&code, &segment), "", None))
}

/// `POST /console/customers/{id}/segment`: moves the customer once a valid new segment and a
/// fresh code from the authenticator are given.
pub async fn move_customer(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, .. } = StaffForm::<MoveForm>::from_request(req, &state).await?;
    staff.require_agreement()?;
    may_move(&staff)?;
    let id = parse_id(&id)?;
    let (code, segment) = current(&state, &staff, id).await?;
    let typed = form.segment.trim();
    if crate::refusal::refused(typed) {
        // A card number is a valid-looking segment name: refused (audited) before the step-up
        // prompt, which would carry it in its form.
        state
            .vault
            .refuse_card_number(&staff.caller, Some(id), "segment")
            .await
            .map_err(data_fail)?;
        let m = if jaga_core::guard::text_has_card_number(typed) {
            M::VCardNumber
        } else {
            M::VCvv
        };
        return Ok(page(&staff, id, (&code, &segment), typed, Some(m)));
    }
    let Ok(to) = jaga_core::validate::segment(typed) else {
        let m = Some(M::SegmentMoveInvalid);
        return Ok(page(&staff, id, (&code, &segment), typed, m));
    };
    if to == segment {
        let m = Some(M::SegmentMoveSame);
        return Ok(page(&staff, id, (&code, &segment), typed, m));
    }
    let action = format!("/console/customers/{id}/segment");
    let carry = vec![("segment".to_string(), to.clone())];
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    let mover = state
        .vault
        .segment_mover(&staff.caller)
        .await
        .map_err(data_fail)?;
    match mover.move_to(id, &to).await {
        Ok(_) => Ok(maybe_with_session(
            see_other(&format!("/console/customers/{id}?done=moved")),
            &rotated,
        )),
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, &action, carry, None))
        }
        Err(e) => Err(data_fail(e)),
    }
}
