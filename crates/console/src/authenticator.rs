//! My account: replacing my authenticator app (after a fresh step-up: a new secret shown as a
//! QR code, confirmed with a code from the new app; the old app works until then) and ending
//! all my other sessions at once.

use super::i18n::M;
use super::onboarding::{EnrolPage, qr_uri};
use super::session::{StaffForm, StaffPage};
use super::session_flows::{maybe_with_session, step_up_form, stepup_page};
use super::web::{Fail, html, see_other};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::staff::TotpEnrolment;
use jaga_core::{CoreError, ForbiddenReason};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

const CONFIRM: &str = "/console/account/totp/confirm";

fn replace_page(
    staff: &StaffPage,
    e: &TotpEnrolment,
    ticket: &str,
    error: Option<M>,
    status: StatusCode,
) -> Response {
    let tr = staff.tr();
    html(
        status,
        &EnrolPage {
            c: staff.chrome(tr.t(M::TotpReset).into(), "account", "/console/account"),
            action: CONFIRM.into(),
            secret: crate::onboarding::grouped(&e.secret),
            qr_data_uri: qr_uri(e),
            error: error.map(|m| tr.t(m).to_string()),
            ticket: Some(ticket.to_string()),
        },
    )
}

/// `POST /console/account/totp`: asks for a fresh code if needed, then shows the new secret.
pub async fn start(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, Fail> {
    let action = "/console/account/totp";
    let (staff, rotated) = match step_up_form(&state, req, action).await? {
        Ok(x) => x,
        Err(prompt) => return Ok(prompt),
    };
    match state.staff.begin_totp_replacement(&staff.caller).await {
        Ok(r) => Ok(maybe_with_session(
            replace_page(&staff, &r.enrolment, &r.ticket, None, StatusCode::OK),
            &rotated,
        )),
        Err(CoreError::Forbidden(ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, action, vec![], None))
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// The fields of the confirmation form.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    code: String,
}

/// `POST /console/account/totp/confirm`: a code from the new app makes it the only one.
pub async fn confirm(
    State(state): State<Arc<AppState>>,
    f: StaffForm<ConfirmForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    let code: String = form
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(16)
        .collect();
    let svc = &state.staff;
    match svc
        .finish_totp_replacement(&staff.caller, &form.ticket, &code)
        .await
    {
        Ok(()) => Ok(see_other("/console/account?done=totp")),
        Err(CoreError::Invalid(errs)) if errs.iter().any(|e| e.code == "wrong_code") => {
            let e = svc
                .pending_totp_replacement(&staff.caller, &form.ticket)
                .await
                .map_err(super::session::auth_fail)?;
            Ok(replace_page(
                &staff,
                &e,
                &form.ticket,
                Some(M::TotpWrong),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(CoreError::Invalid(_)) => Ok(see_other("/console/account?done=totp_expired")),
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// `POST /console/account/sessions/others`: ends every other session of mine.
pub async fn end_others(
    State(state): State<Arc<AppState>>,
    f: StaffForm<serde::de::IgnoredAny>,
) -> Result<Response, Fail> {
    state
        .staff
        .logout_others(&f.staff.caller, &f.staff.cookie)
        .await
        .map_err(super::session::auth_fail)?;
    Ok(see_other("/console/account?done=others"))
}
