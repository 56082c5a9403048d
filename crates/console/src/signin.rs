//! Sign-in: the start page, e-mail and password, then a TOTP or recovery code; sign-out.

use crate::Chrome;
use crate::i18n::M;
use crate::session::{self, StaffForm, client_info, session_cookie};
use crate::web::{self, Ctx, Fail, Form, SecretField, html, see_other};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::staff::{LoginStep, NewSession, SecondFactor};
use jaga_server::AppState;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::sync::Arc;

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "code.html")]
pub(crate) struct CodePage {
    pub c: Chrome,
    pub heading: String,
    pub intro: String,
    pub action: String,
    pub back: Option<String>,
    pub error: Option<String>,
    /// Fields of the original form, re-posted with the code (step-up).
    pub carry: Vec<(String, String)>,
    /// Whether this is a step-up prompt (the code field is `stepup_code`).
    pub stepup: bool,
    /// What the step-up confirms ("Reveal NIK of customer JG-…").
    pub confirms: Option<String>,
    /// Where "cancel" leads (step-up only).
    pub cancel: Option<String>,
}

pub(crate) fn with_session(mut res: Response, s: &NewSession) -> Response {
    res.headers_mut().append(
        header::SET_COOKIE,
        session::set_session_cookie(s.cookie.expose_secret(), s.max_age_secs),
    );
    res
}

/// `GET /console/`: the member's start page, or the sign-in page.
pub async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap, ctx: Ctx) -> Response {
    let Some(cookie) = session_cookie(&headers) else {
        return see_other("/console/login");
    };
    match state
        .staff
        .authenticate(&cookie, None, false, Some(ctx.request_id.clone()))
        .await
    {
        Ok(c) if c.has(jaga_core::auth::Scope::CustomersRead) => see_other("/console/customers"),
        Ok(c) if c.has(jaga_core::auth::Scope::AuditRead) => see_other("/console/audit"),
        Ok(_) => see_other("/console/activity"),
        Err(_) => see_other("/console/login"),
    }
}

/// The fields of `LoginQuery`.
#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/login`.
pub async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    let tr = ctx.tr();
    let notice = if q.expired.is_some() {
        Some(tr.t(M::ErrorSessionExpired).to_string())
    } else if q.done.as_deref() == Some("enrolled") {
        Some(tr.t(M::EnrolDone).to_string())
    } else {
        None
    };
    html(
        StatusCode::OK,
        &LoginPage {
            c: Chrome::anonymous(&ctx, M::LoginTitle, "/console/login"),
            email: String::new(),
            error: None,
            notice,
        },
    )
}

/// The fields of `LoginForm`.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: SecretField,
}

fn login_error(ctx: &Ctx, email: &str, status: StatusCode, msg: M) -> Response {
    html(
        status,
        &LoginPage {
            c: Chrome::anonymous(ctx, M::LoginTitle, "/console/login"),
            email: crate::refusal::shown(&email.chars().take(254).collect::<String>()),
            error: Some(ctx.tr().t(msg).to_string()),
            notice: None,
        },
    )
}

/// Maps login-step errors to a status and message.
pub(crate) fn step_error(e: CoreError) -> Result<(StatusCode, M), Fail> {
    match e {
        CoreError::LoginFailed | CoreError::Invalid(_) => {
            Ok((StatusCode::UNAUTHORIZED, M::TotpWrong))
        }
        CoreError::Throttled { .. } => Ok((StatusCode::TOO_MANY_REQUESTS, M::LoginThrottled)),
        CoreError::Unauthenticated => Err(Fail::Login),
        other => Err(Fail::from(other)),
    }
}

/// `POST /console/login`: the password step.
pub async fn login(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let Form(f) = Form::<LoginForm>::from_request_anon(req).await?;
    if f.email.len() > 254 || f.password.len() > 1024 {
        return Ok(login_error(
            &ctx,
            "",
            StatusCode::UNAUTHORIZED,
            M::LoginFailed,
        ));
    }
    let pw = f.password.secret();
    match state.staff.login(f.email.trim(), &pw, &client).await {
        Ok(LoginStep::SecondFactor(s)) => Ok(with_session(see_other("/console/login/code"), &s)),
        Ok(LoginStep::Enrol(s, _)) => Ok(with_session(see_other("/console/enrol"), &s)),
        Err(CoreError::LoginFailed) | Err(CoreError::Invalid(_)) => Ok(login_error(
            &ctx,
            &f.email,
            StatusCode::UNAUTHORIZED,
            M::LoginFailed,
        )),
        Err(CoreError::Throttled { .. }) => Ok(login_error(
            &ctx,
            &f.email,
            StatusCode::TOO_MANY_REQUESTS,
            M::LoginThrottled,
        )),
        Err(e) => Err(Fail::from(e)),
    }
}

fn code_page(ctx: &Ctx, csrf: String, error: Option<M>, status: StatusCode) -> Response {
    let tr = ctx.tr();
    html(
        status,
        &CodePage {
            c: Chrome {
                csrf,
                ..Chrome::anonymous(ctx, M::TotpTitle, "/console/login/code")
            },
            heading: tr.t(M::TotpTitle).into(),
            intro: tr.t(M::TotpIntro).into(),
            action: "/console/login/code".into(),
            back: None,
            error: error.map(|m| tr.t(m).to_string()),
            carry: Vec::new(),
            stepup: false,
            confirms: None,
            cancel: None,
        },
    )
}

/// `GET /console/login/code`: the second-factor form.
pub async fn code_form(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Response {
    let Some(cookie) = session_cookie(&headers) else {
        return see_other("/console/login");
    };
    match state.staff.csrf_token(&cookie).await {
        Ok(csrf) => code_page(&ctx, csrf, None, StatusCode::OK),
        Err(_) => see_other("/console/login?expired=1"),
    }
}

/// A form posted by a session that is not active yet (second factor, enrolment): the staff
/// service checks its CSRF token against that session.
pub(crate) async fn pending_form<T: serde::de::DeserializeOwned>(
    req: Request,
) -> Result<(String, String, T), Fail> {
    let cookie = session_cookie(req.headers()).ok_or(Fail::Login)?;
    let (bytes, token) = web::read_form(req).await?;
    if token.is_empty() {
        return Err(Fail::Csrf);
    }
    Ok((cookie, token, web::parse_form(&bytes)?))
}

/// The fields of `CodeForm`.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub(crate) code: String,
}

/// A TOTP code is six digits (spaces ignored); anything else is tried as a recovery code.
fn factor(code: &str) -> SecondFactor {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        SecondFactor::Totp(digits)
    } else {
        SecondFactor::Recovery(SecretString::from(code.trim().to_string()))
    }
}

/// `POST /console/login/code`: the second factor; on success the session becomes active.
pub async fn code(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let (cookie, csrf, f) = pending_form::<CodeForm>(req).await?;
    if f.code.len() > 64 {
        return Ok(code_page(
            &ctx,
            csrf,
            Some(M::TotpWrong),
            StatusCode::UNAUTHORIZED,
        ));
    }
    match state
        .staff
        .second_factor(&cookie, &csrf, &factor(&f.code), &client)
        .await
    {
        Ok(s) => Ok(with_session(see_other("/console/"), &s)),
        Err(e) => {
            let (status, m) = step_error(e)?;
            let csrf = state
                .staff
                .csrf_token(&cookie)
                .await
                .map_err(session::auth_fail)?;
            Ok(code_page(&ctx, csrf, Some(m), status))
        }
    }
}

/// `POST /console/logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let f = <StaffForm<serde::de::IgnoredAny> as axum::extract::FromRequest<Arc<AppState>>>::from_request(req, &state).await?;
    let _ = state
        .staff
        .logout(&f.staff.cookie, &f.staff.csrf, &client)
        .await;
    let mut res = see_other("/console/login");
    res.headers_mut()
        .append(header::SET_COOKIE, session::clear_session_cookie());
    Ok(res)
}
