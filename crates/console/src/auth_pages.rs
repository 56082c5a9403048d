//! Sign-in (password, then TOTP or a recovery code), invitation and TOTP enrolment, the
//! confidentiality agreement, step-up, sign-out and the language switch.

use super::i18n::{Lang, M};
use super::session::{self, StaffForm, StaffPage, client_info, session_cookie};
use super::web::{self, Ctx, Fail, Form, SecretField, html, see_other};
use super::{Chrome, lang_cookie};
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::staff::{LoginStep, NewSession, SecondFactor, TotpEnrolment};
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
}

#[derive(askama::Template)]
#[template(path = "invite.html")]
struct InvitePage {
    c: Chrome,
    intro: String,
    action: String,
    token: String,
    ask_email: bool,
    email: String,
    name: String,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "enrol.html")]
pub(crate) struct EnrolPage {
    pub(crate) c: Chrome,
    pub(crate) action: String,
    pub(crate) secret: String,
    pub(crate) qr_data_uri: String,
    pub(crate) error: Option<String>,
    /// A pending authenticator replacement's ticket (my account), posted back with the code.
    pub(crate) ticket: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "recovery.html")]
pub(crate) struct RecoveryPage {
    pub c: Chrome,
    pub codes: Vec<String>,
    pub next: String,
}

#[derive(askama::Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    c: Chrome,
    text: String,
    version: String,
}

fn with_session(mut res: Response, s: &NewSession) -> Response {
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
            email: email.chars().take(254).collect(),
            error: Some(ctx.tr().t(msg).to_string()),
            notice: None,
        },
    )
}

/// Maps login-step errors to a status and message.
fn step_error(e: CoreError) -> Result<(StatusCode, M), Fail> {
    match e {
        CoreError::LoginFailed | CoreError::Invalid(_) => {
            Ok((StatusCode::UNAUTHORIZED, M::TotpWrong))
        }
        CoreError::Throttled { .. } => Ok((StatusCode::TOO_MANY_REQUESTS, M::LoginThrottled)),
        CoreError::Unauthenticated => Err(Fail::Login),
        CoreError::Forbidden("csrf") => Err(Fail::Csrf),
        other => Err(Fail::from(other)),
    }
}

/// `POST /console/login`: the password step.
pub async fn login(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(req.headers(), req.extensions(), &ctx);
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
async fn pending_form<T: serde::de::DeserializeOwned>(
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
    code: String,
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
    let client = client_info(req.headers(), req.extensions(), &ctx);
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

/// The TOTP URI's QR code (SVG, drawn by the edge's [`jaga_server::totp::qr_svg`]) as a
/// `data:` URI for an `<img>`: allowed by the CSP (`img-src 'self' data:`), and an image cannot
/// run script. A URI too long for a QR code (it cannot happen with the lengths the core allows)
/// leaves the image empty; the secret is on the page for manual entry.
pub(crate) fn qr_uri(e: &TotpEnrolment) -> String {
    use base64::Engine;
    let svg = jaga_server::totp::qr_svg(&e.otpauth_uri).unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())
    )
}

fn enrol_page(
    ctx: &Ctx,
    csrf: String,
    e: &TotpEnrolment,
    error: Option<M>,
    status: StatusCode,
) -> Response {
    html(
        status,
        &EnrolPage {
            c: Chrome {
                csrf,
                ..Chrome::anonymous(ctx, M::EnrolTitle, "/console/enrol")
            },
            action: "/console/enrol".into(),
            secret: e.secret.clone(),
            qr_data_uri: qr_uri(e),
            error: error.map(|m| ctx.tr().t(m).to_string()),
            ticket: None,
        },
    )
}

/// `GET /console/enrol`: the QR code and secret of an enrolling session.
pub async fn enrol_form(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, Fail> {
    let cookie = session_cookie(&headers).ok_or(Fail::Login)?;
    let e = state
        .staff
        .enrolment(&cookie)
        .await
        .map_err(session::auth_fail)?;
    let csrf = state
        .staff
        .csrf_token(&cookie)
        .await
        .map_err(session::auth_fail)?;
    Ok(enrol_page(&ctx, csrf, &e, None, StatusCode::OK))
}

/// `POST /console/enrol`: confirms the first code; shows the recovery codes once.
pub async fn enrol(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(req.headers(), req.extensions(), &ctx);
    let (cookie, csrf, f) = pending_form::<CodeForm>(req).await?;
    let code: String = f
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(16)
        .collect();
    match state
        .staff
        .confirm_totp(&cookie, &csrf, &code, &client)
        .await
    {
        Ok((s, codes)) => {
            let page = RecoveryPage {
                c: Chrome::anonymous(&ctx, M::RecoveryTitle, "/console/"),
                codes: codes
                    .0
                    .iter()
                    .map(|c| c.expose_secret().to_string())
                    .collect(),
                next: "/console/".into(),
            };
            Ok(with_session(html(StatusCode::OK, &page), &s))
        }
        Err(e) => {
            let (status, m) = step_error(e)?;
            let en = state
                .staff
                .enrolment(&cookie)
                .await
                .map_err(session::auth_fail)?;
            let csrf = state
                .staff
                .csrf_token(&cookie)
                .await
                .map_err(session::auth_fail)?;
            Ok(enrol_page(&ctx, csrf, &en, Some(m), status))
        }
    }
}

/// The fields of `InviteQuery`.
#[derive(Deserialize)]
pub struct InviteQuery {
    #[serde(default)]
    token: String,
}

fn invite_page(
    ctx: &Ctx,
    token: &str,
    email: Option<&str>,
    entered: (&str, &str),
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = ctx.tr();
    html(
        status,
        &InvitePage {
            c: Chrome::anonymous(ctx, M::InviteTitle, "/console/invite"),
            intro: tr.f(M::InviteIntro, &[("email", email.unwrap_or(""))]),
            action: "/console/invite".into(),
            token: token.to_string(),
            ask_email: email.is_none(),
            email: entered.0.chars().take(254).collect(),
            name: entered.1.chars().take(100).collect(),
            error,
        },
    )
}

fn invalid_invitation(ctx: &Ctx) -> Response {
    let mut page = Chrome::anonymous(ctx, M::InviteTitle, "/console/invite");
    page.narrow = true;
    let (status, _) = Fail::NotFound.status_and_message();
    html(
        status,
        &super::ErrorPage {
            c: page,
            message: ctx.tr().t(M::InviteInvalid).into(),
            request_id: ctx.request_id.clone(),
        },
    )
}

/// `GET /console/invite?token=…`: choose a name and password.
pub async fn invite_form(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<InviteQuery>,
) -> Result<Response, Fail> {
    if q.token.is_empty() || q.token.len() > 128 {
        return Ok(invalid_invitation(&ctx));
    }
    match state.staff.invitation_info(&q.token).await {
        Ok(info) => Ok(invite_page(
            &ctx,
            &q.token,
            info.email.as_deref(),
            ("", ""),
            None,
            StatusCode::OK,
        )),
        Err(CoreError::Invalid(_)) | Err(CoreError::NotFound) => Ok(invalid_invitation(&ctx)),
        Err(e) => Err(Fail::from(e)),
    }
}

/// The fields of `InviteForm`.
#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: SecretField,
    #[serde(default)]
    confirm: SecretField,
}

/// `POST /console/invite`: creates the account and continues to TOTP enrolment.
pub async fn invite(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(req.headers(), req.extensions(), &ctx);
    let Form(f) = Form::<InviteForm>::from_request_anon(req).await?;
    let tr = ctx.tr();
    if f.token.is_empty() || f.token.len() > 128 {
        return Ok(invalid_invitation(&ctx));
    }
    let info = match state.staff.invitation_info(&f.token).await {
        Ok(i) => i,
        Err(CoreError::Invalid(_)) | Err(CoreError::NotFound) => {
            return Ok(invalid_invitation(&ctx));
        }
        Err(e) => return Err(Fail::from(e)),
    };
    let again = |msg: String| {
        invite_page(
            &ctx,
            &f.token,
            info.email.as_deref(),
            (&f.email, &f.name),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if f.password.as_str() != f.confirm.as_str() {
        return Ok(again(tr.t(M::PasswordMismatch).into()));
    }
    if f.name.trim().is_empty() {
        return Ok(again(format!(
            "{}: {}",
            tr.t(M::FieldYourName),
            tr.t(M::VRequired)
        )));
    }
    let pw = f.password.secret();
    let email = (info.email.is_none()).then_some(f.email.trim());
    match state
        .staff
        .accept_invitation(&f.token, email, &f.name, &pw, &client)
        .await
    {
        Ok((s, _)) => Ok(with_session(see_other("/console/enrol"), &s)),
        Err(CoreError::Invalid(errs)) => {
            if errs.iter().any(|e| e.code == "invalid_invitation") {
                return Ok(invalid_invitation(&ctx));
            }
            let msg = errs
                .iter()
                .map(|e| {
                    let label = match e.field.as_str() {
                        "password" => tr.t(M::FieldNewPassword),
                        "email" => tr.t(M::FieldEmail),
                        _ => tr.t(M::FieldYourName),
                    };
                    format!("{label}: {}", super::i18n::validation(tr, e.code, &e.field))
                })
                .collect::<Vec<_>>()
                .join(" ");
            Ok(again(msg))
        }
        Err(CoreError::Conflict(_)) => Ok(again(tr.t(M::StaffEmailTaken).into())),
        Err(e) => Err(Fail::from(e)),
    }
}

/// `GET /console/agreement`.
pub async fn agreement_form(State(state): State<Arc<AppState>>, staff: StaffPage) -> Response {
    let a = state.staff.agreement();
    let text = a.text(staff.tr().lang()).to_string();
    let tr = staff.tr();
    html(
        StatusCode::OK,
        &AgreementPage {
            c: staff.chrome(tr.t(M::AgreementTitle).into(), "", "/console/agreement"),
            text,
            version: a.version.clone(),
        },
    )
}

/// The fields of `AgreementForm`.
#[derive(Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    version: String,
}

/// `POST /console/agreement`: records acceptance.
pub async fn agreement(
    State(state): State<Arc<AppState>>,
    f: StaffForm<AgreementForm>,
) -> Result<Response, Fail> {
    state
        .staff
        .accept_agreement(&f.staff.caller, &f.form.version)
        .await
        .map_err(|e| match e {
            CoreError::Conflict(_) => Fail::Conflict,
            other => session::auth_fail(other),
        })?;
    Ok(see_other("/console/"))
}

/// `POST /console/logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(req.headers(), req.extensions(), &ctx);
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

/// The step-up prompt: asks for a fresh TOTP code and re-posts `carry` (the original form's
/// fields) with it to `action`.
pub(crate) fn stepup_page(
    staff: &StaffPage,
    action: &str,
    carry: Vec<(String, String)>,
    wrong: Option<M>,
) -> Response {
    let tr = staff.tr();
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
    let client = client_info(req.headers(), req.extensions(), &ctx);
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

impl<T: serde::de::DeserializeOwned> Form<T> {
    /// Extracts an anonymous form from a request already split from its state.
    pub async fn from_request_anon(req: Request) -> Result<Self, Fail> {
        <Form<T> as axum::extract::FromRequest<()>>::from_request(req, &()).await
    }
}
