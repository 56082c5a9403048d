//! Session flows on any page: the step-up prompt (a fresh TOTP code re-posting the original
//! form), carrying a rotated session cookie, and the language switch.

use crate::i18n::{Lang, M};
use crate::session::{self, StaffForm, StaffPage, client_info, session_cookie};
use crate::signin::{CodePage, step_error, with_session};
use crate::web::{self, Ctx, Fail, html, see_other};
use crate::{Chrome, lang_cookie};
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use jaga_core::staff::NewSession;
use jaga_server::AppState;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::sync::Arc;

/// The fields of `LangForm`.
#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// `POST /console/lang`: switches the language and returns to the page. The form carries the
/// session's CSRF token when signed in, the pre-session token otherwise.
pub async fn switch_lang(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let cookie = session_cookie(req.headers());
    let (bytes, token) = web::read_form(req).await?;
    let mut ok = !token.is_empty() && web::same_token(&ctx.pre_token, &token);
    if !ok && let Some(c) = cookie {
        ok = state
            .staff
            .csrf_token(&c)
            .await
            .is_ok_and(|t| web::same_token(&t, &token));
    }
    if !ok {
        return Err(Fail::Csrf);
    }
    let f: LangForm = web::parse_form(&bytes)?;
    let lang = Lang::parse(&f.lang).ok_or(Fail::BadForm)?;
    let mut res = see_other(web::safe_return(&f.back));
    res.headers_mut()
        .append(header::SET_COOKIE, lang_cookie(lang));
    Ok(res)
}

/// Where "cancel" on a step-up prompt for `action` leads: the page the form was on.
fn cancel_href(action: &str) -> String {
    let parts: Vec<&str> = action.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["console", "customers", id, ..] if uuid::Uuid::parse_str(id).is_ok() => {
            format!("/console/customers/{id}")
        }
        ["console", "staff", ..] => "/console/staff".into(),
        ["console", "payees", id, ..] if uuid::Uuid::parse_str(id).is_ok() => {
            format!("/console/payees/{id}")
        }
        ["console", "payouts", id, ..] if uuid::Uuid::parse_str(id).is_ok() => {
            format!("/console/payouts/{id}")
        }
        ["console", "payouts", ..] => "/console/payouts".into(),
        _ => "/console/account".into(),
    }
}

/// What the step-up prompt for `action` (with the original form `carry`) confirms, in the
/// reader's language.
fn confirms(tr: crate::i18n::Tr, action: &str, carry: &[(String, String)]) -> Option<String> {
    let all = |k: &str| -> Vec<&str> {
        carry
            .iter()
            .filter(|(kk, _)| kk == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let one = |k: &str| all(k).first().copied().unwrap_or("").to_string();
    let role = |r: &str| {
        jaga_core::staff::Role::parse(r)
            .map(|r| crate::session::role_label(tr, r).to_string())
            .unwrap_or_default()
    };
    if action.ends_with("/reveal") {
        let fields: Vec<String> = all("field")
            .into_iter()
            .filter_map(jaga_core::model::Field::parse)
            .map(|f| jaga_core::letter::field_label(f.name(), tr))
            .filter(|f| !f.is_empty())
            .collect();
        // The code comes from the customer page's form: shown only if it looks like one.
        let code: String = one("code")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(24)
            .collect::<String>()
            .to_ascii_uppercase();
        return Some(tr.f(
            M::StepUpConfirmReveal,
            &[("fields", &fields.join(", ")), ("code", &code)],
        ));
    }
    if action.starts_with("/console/customers/") && action.ends_with("/export") {
        let code: String = one("code")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(24)
            .collect::<String>()
            .to_ascii_uppercase();
        return Some(tr.f(M::StepUpConfirmExport, &[("code", &code)]));
    }
    if action.starts_with("/console/customers/") && action.ends_with("/erase") {
        let code: String = one("confirm_code")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(24)
            .collect::<String>()
            .to_ascii_uppercase();
        return Some(tr.f(M::StepUpConfirmErase, &[("code", &code)]));
    }
    if action.starts_with("/console/customers/") && action.ends_with("/segment") {
        let segment: String = one("segment")
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
            .take(32)
            .collect();
        return Some(tr.f(M::StepUpConfirmMove, &[("segment", &segment)]));
    }
    if action.starts_with("/console/payees/") && action.ends_with("/verify") {
        let version = action
            .trim_end_matches("/verify")
            .rsplit('/')
            .next()
            .filter(|v| v.len() <= 6 && v.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or("");
        let decision = match one("decision").as_str() {
            "verify" => tr.t(M::PayeeVerifyApprove),
            "reject" => tr.t(M::PayeeVerifyReject),
            _ => return None,
        };
        let m = if action.contains("/contacts/") {
            M::StepUpConfirmContactCall
        } else {
            M::StepUpConfirmCall
        };
        return Some(tr.f(m, &[("version", version), ("decision", decision)]));
    }
    if action.starts_with("/console/payouts/") && action.ends_with("/decide") {
        let decision = match one("decision").as_str() {
            "approve" => tr.t(M::PayoutApprove),
            "reject" => tr.t(M::PayoutReject),
            _ => return None,
        };
        return Some(tr.f(M::StepUpConfirmPayout, &[("decision", decision)]));
    }
    if action == "/console/payouts/export" {
        let format = match one("format").as_str() {
            "bca" => "BCA",
            "mandiri" => "Mandiri",
            _ => return None,
        };
        return Some(tr.f(M::StepUpConfirmPayoutExport, &[("format", format)]));
    }
    if action == "/console/staff/invite" {
        let email: String = one("email").chars().take(254).collect();
        return Some(tr.f(
            M::StepUpConfirmInvite,
            &[("email", &email), ("role", &role(&one("role")))],
        ));
    }
    if action.starts_with("/console/staff/invitations/") && action.ends_with("/resend") {
        let email: String = one("email").chars().take(254).collect();
        return Some(tr.f(M::StepUpConfirmResend, &[("email", &email)]));
    }
    if action.starts_with("/console/staff/") {
        return Some(if action.ends_with("/role") {
            tr.f(M::StepUpConfirmRole, &[("role", &role(&one("role")))])
        } else if action.ends_with("/disable") {
            tr.t(M::StepUpConfirmDisable).to_string()
        } else if action.ends_with("/enable") {
            tr.t(M::StepUpConfirmEnable).to_string()
        } else {
            return None;
        });
    }
    action
        .starts_with("/console/account")
        .then(|| tr.t(M::StepUpConfirmAccount).to_string())
}

/// The step-up prompt: asks for a fresh TOTP code and re-posts `carry` (the original form's
/// fields) with it to `action`.
pub(crate) fn stepup_page(
    staff: &StaffPage,
    action: &str,
    carry: Vec<(String, String)>,
    wrong: Option<M>,
) -> Response {
    let tr = staff.tr();
    // A last line of defence: nothing the write guard refuses is carried as typed (the forms
    // refuse it before the prompt; this only keeps it off the page).
    let carry: Vec<(String, String)> = carry
        .into_iter()
        .map(|(k, v)| (k, crate::refusal::shown(&v)))
        .collect();
    let status = if wrong.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    html(
        status,
        &CodePage {
            c: Chrome {
                narrow: true,
                ..staff.chrome(tr.t(M::StepUpTitle).into(), "", action)
            },
            heading: tr.t(M::StepUpTitle).into(),
            intro: tr.t(M::StepUpIntro).into(),
            action: action.into(),
            back: None,
            error: wrong.map(|m| tr.t(m).to_string()),
            confirms: confirms(tr, action, &carry),
            cancel: Some(cancel_href(action)),
            carry: carry
                .into_iter()
                .filter(|(k, _)| k != web::CSRF_FIELD && k != "stepup_code")
                .collect(),
            stepup: true,
        },
    )
}

/// If a form carries a step-up code (`stepup_code`), performs the step-up and returns the
/// refreshed member (new session cookie and CSRF token) and the cookie to set. A wrong code is
/// `Err(None)` with the message to show; other failures are `Err(Some(fail))`.
pub(crate) async fn step_up_if_asked(
    state: &Arc<AppState>,
    staff: StaffPage,
    code: Option<&str>,
    client: &jaga_core::staff::ClientInfo,
) -> Result<(StaffPage, Option<NewSession>), (StaffPage, Result<M, Fail>)> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok((staff, None));
    };
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(16)
        .collect();
    match state
        .staff
        .step_up(&staff.cookie, &staff.csrf, &code, client)
        .await
    {
        Ok(s) => {
            let cookie = s.cookie.expose_secret().to_string();
            match session::reload(state, staff.ctx.clone(), cookie).await {
                Ok(fresh) => Ok((fresh, Some(s))),
                Err(f) => Err((staff, Err(f))),
            }
        }
        Err(e) => match step_error(e) {
            Ok((_, m)) => Err((staff, Ok(m))),
            Err(f) => Err((staff, Err(f))),
        },
    }
}

/// The fields of a form that needs nothing but a fresh step-up.
#[derive(Deserialize)]
pub struct StepUpOnly {
    #[serde(default)]
    stepup_code: Option<String>,
}

/// A signed-in form whose action needs only a fresh step-up (posted to `action`): performs the
/// step-up when the form carries a code. `Ok(Err(page))` is the code prompt to answer with (a
/// wrong code); otherwise the refreshed member and the rotated session cookie to set, if any.
pub(crate) async fn step_up_form(
    state: &Arc<AppState>,
    req: Request,
    action: &str,
) -> Result<Result<(StaffPage, Option<NewSession>), Response>, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, .. } = StaffForm::<StepUpOnly>::from_request(req, state).await?;
    match step_up_if_asked(state, staff, form.stepup_code.as_deref(), &client).await {
        Ok(x) => Ok(Ok(x)),
        Err((staff, Ok(wrong))) => Ok(Err(stepup_page(&staff, action, vec![], Some(wrong)))),
        Err((_, Err(fail))) => Err(fail),
    }
}

/// Adds the `Set-Cookie` of a rotated session to a response.
pub(crate) fn maybe_with_session(res: Response, s: &Option<NewSession>) -> Response {
    match s {
        Some(s) => with_session(res, s),
        None => res,
    }
}
