//! "My account": password, recovery codes, my sessions (the authenticator is in
//! [`crate::authenticator`]).

use crate::Chrome;
use crate::i18n::{M, validation};
use crate::onboarding::RecoveryPage;
use crate::people::{DoneQuery, parse_id};
use crate::session::{StaffForm, StaffPage, client_info, role_label};
use crate::session_flows::{maybe_with_session, step_up_form, stepup_page};
use crate::web::{Ctx, Fail, SecretField, html, see_other};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_server::AppState;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(askama::Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    me_line: String,
    recovery_line: String,
    sessions: Vec<SessionRow>,
    errors: Vec<String>,
}

struct SessionRow {
    handle: Uuid,
    client: String,
    started: String,
    last_seen: String,
    current: bool,
}

async fn account_page(
    state: &Arc<AppState>,
    staff: &StaffPage,
    errors: Vec<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let svc = &state.staff;
    let me = svc
        .whoami(&staff.caller)
        .await
        .map_err(super::session::auth_fail)?;
    let left = svc
        .recovery_codes_left(&staff.caller)
        .await
        .map_err(super::session::auth_fail)?;
    let sessions = svc
        .sessions(&staff.caller)
        .await
        .map_err(super::session::auth_fail)?;
    let mut c = staff.chrome(tr.t(M::AccountTitle).into(), "account", "/console/account");
    c.flash = flash;
    Ok(html(
        status,
        &AccountPage {
            c,
            me_line: format!("{} · {} · {}", me.name, me.email, role_label(tr, me.role)),
            recovery_line: tr.f(M::RecoveryRemaining, &[("n", &left.to_string())]),
            sessions: sessions
                .into_iter()
                .map(|s| SessionRow {
                    handle: s.handle,
                    client: format!(
                        "{} · {}",
                        crate::useragent::describe(
                            &s.user_agent,
                            tr.t(M::UaBrowser),
                            tr.t(M::UaOn),
                            tr.t(M::UaUnknownSystem)
                        ),
                        s.ip
                    ),
                    started: zone.datetime(&s.created_at),
                    last_seen: zone.datetime(&s.last_seen_at),
                    current: s.current,
                })
                .collect(),
            errors,
        },
    ))
}

/// `GET /console/account`.
pub async fn account(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<DoneQuery>,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let flash = match q.done.as_deref() {
        Some("password") => Some(tr.t(M::PasswordChanged).to_string()),
        Some("session") => Some(tr.t(M::SessionRevoked).to_string()),
        Some("totp") => Some(tr.t(M::TotpReplaced).to_string()),
        Some("totp_expired") => Some(tr.t(M::TotpReplaceExpired).to_string()),
        Some("others") => Some(tr.t(M::SessionsOthersEnded).to_string()),
        _ => None,
    };
    account_page(&state, &staff, Vec::new(), flash, StatusCode::OK).await
}

/// The fields of `PasswordForm`.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: SecretField,
    #[serde(default)]
    new: SecretField,
    #[serde(default)]
    confirm: SecretField,
}

/// `POST /console/account/password`.
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, .. } =
        StaffForm::<PasswordForm>::from_request(req, &state).await?;
    let tr = staff.tr();
    let again = |m: String, status| account_page(&state, &staff, vec![m], None, status);
    if form.new.as_str() != form.confirm.as_str() {
        return again(
            tr.t(M::PasswordMismatch).into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if form.current.len() > 1024 {
        return again(
            tr.t(M::CurrentPasswordWrong).into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let cur = form.current.secret();
    let new = form.new.secret();
    match state
        .staff
        .change_password(&staff.caller, &cur, &new, &staff.cookie, &client)
        .await
    {
        Ok(()) => Ok(see_other("/console/account?done=password")),
        Err(CoreError::LoginFailed) => {
            again(
                tr.t(M::CurrentPasswordWrong).into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(CoreError::Throttled { .. }) => {
            again(
                tr.t(M::LoginThrottled).into(),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(CoreError::Invalid(errs)) => {
            let msg = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        tr.t(M::FieldNewPassword),
                        validation(tr, e.code, &e.field)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            again(msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// `POST /console/account/recovery`: new recovery codes (the old ones stop working), shown
/// once. Asks for a step-up when the staff service requires one.
pub async fn regenerate_recovery(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, Fail> {
    let action = "/console/account/recovery";
    let (staff, rotated) = match step_up_form(&state, req, action).await? {
        Ok(x) => x,
        Err(prompt) => return Ok(prompt),
    };
    match state.staff.regenerate_recovery_codes(&staff.caller).await {
        Ok(codes) => {
            let tr = staff.tr();
            let page = RecoveryPage {
                c: staff.chrome(tr.t(M::RecoveryTitle).into(), "account", "/console/account"),
                codes: codes
                    .0
                    .iter()
                    .map(|c| c.expose_secret().to_string())
                    .collect(),
                next: "/console/account".into(),
            };
            Ok(maybe_with_session(html(StatusCode::OK, &page), &rotated))
        }
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, action, vec![], None))
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// `POST /console/account/sessions/{handle}/end`.
pub async fn end_session(
    State(state): State<Arc<AppState>>,
    Path(handle): Path<String>,
    f: StaffForm<serde::de::IgnoredAny>,
) -> Result<Response, Fail> {
    let handle = parse_id(&handle)?;
    state
        .staff
        .end_own_session(&f.staff.caller, handle)
        .await
        .map_err(super::session::auth_fail)?;
    Ok(see_other("/console/account?done=session"))
}
