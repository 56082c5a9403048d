//! The signed-in staff member: extractors for pages ([`StaffPage`]) and form posts
//! ([`StaffForm`]) built on the staff service's sessions (cookie + CSRF token).

use super::i18n::{M, Tr};
use super::web::{self, Ctx, Fail};
use super::{Chrome, Nav, assets};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use jaga_core::CoreError;
use jaga_core::auth::Caller;
use jaga_core::staff::{self, ClientInfo, Role, SESSION_COOKIE};
use jaga_server::AppState;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// A signed-in staff member on a page request.
pub struct StaffPage {
    /// The caller the vault's capabilities are asked with.
    pub caller: Caller,
    /// The session cookie (to rotate or end the session).
    pub cookie: String,
    /// The session's CSRF token, for the page's forms.
    pub csrf: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The request context.
    pub ctx: Ctx,
}

/// A signed-in staff member's form post: the session is checked together with the form's CSRF
/// token, then the body is parsed into `T`.
pub struct StaffForm<T> {
    /// The member.
    pub staff: StaffPage,
    /// The form.
    pub form: T,
    /// The raw body (for forms with repeated keys, and to carry a form through a step-up).
    pub raw: bytes::Bytes,
}

/// The session cookie's value, if sent.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    web::cookie(headers, SESSION_COOKIE)
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .map(String::from)
}

/// A `Set-Cookie` for a new session cookie value (`__Host-`: Secure, Path=/, no Domain).
pub fn set_session_cookie(value: &str, max_age_secs: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}"
    ))
    .unwrap_or_else(|_| clear_session_cookie())
}

/// A `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-jaga_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
    )
}

/// Where the request comes from, for throttling, the session list and the audit log: the same
/// rule as the API ([`jaga_server::extract::client_address`], honouring `behind_proxy`).
pub fn client_info(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    ctx: &Ctx,
) -> ClientInfo {
    jaga_server::extract::client_info(
        headers,
        extensions,
        state.config.behind_proxy,
        Some(ctx.request_id.clone()),
    )
}

/// Maps a staff-service error on an authenticated request to the console's failure.
pub fn auth_fail(e: CoreError) -> Fail {
    Fail::from(e)
}

async fn load(
    state: &Arc<AppState>,
    ctx: Ctx,
    cookie: String,
    csrf: Option<&str>,
    unsafe_method: bool,
) -> Result<StaffPage, Fail> {
    let svc = &state.staff;
    let caller = svc
        .authenticate(&cookie, csrf, unsafe_method, Some(ctx.request_id.clone()))
        .await
        .map_err(auth_fail)?;
    let me = svc.whoami(&caller).await.map_err(auth_fail)?;
    let csrf = svc.csrf_token(&cookie).await.map_err(auth_fail)?;
    Ok(StaffPage {
        caller,
        cookie,
        csrf,
        name: me.name,
        role: me.role,
        ctx,
    })
}

/// The member behind the session cookie of a post whose body is not a url-encoded form (the
/// mail upload): the CSRF token read from that body is checked like [`StaffForm`]'s.
pub async fn checked(
    state: &Arc<AppState>,
    ctx: Ctx,
    cookie: String,
    token: &str,
) -> Result<StaffPage, Fail> {
    load(state, ctx, cookie, Some(token), true).await
}

/// The member behind a (new) session cookie, e.g. right after a step-up rotated the session.
pub async fn reload(state: &Arc<AppState>, ctx: Ctx, cookie: String) -> Result<StaffPage, Fail> {
    load(state, ctx, cookie, None, false).await
}

impl FromRequestParts<Arc<AppState>> for StaffPage {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Fail> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let cookie = session_cookie(&parts.headers).ok_or(Fail::Login)?;
        load(state, ctx, cookie, None, false).await
    }
}

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for StaffForm<T> {
    type Rejection = Fail;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Fail> {
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or(Fail::Internal)?;
        let cookie = session_cookie(req.headers()).ok_or(Fail::Login)?;
        let (bytes, token) = web::read_form(req).await?;
        let staff = load(state, ctx, cookie, Some(&token), true).await?;
        let form = web::parse_form(&bytes)?;
        Ok(StaffForm {
            staff,
            form,
            raw: bytes,
        })
    }
}

/// The label of a role in the reader's language.
pub fn role_label(tr: Tr, role: Role) -> &'static str {
    tr.t(match role {
        Role::CsStaff => M::RoleCsStaff,
        Role::CsManager => M::RoleCsManager,
        Role::Finance => M::RoleFinance,
        Role::Admin => M::RoleAdmin,
        Role::Auditor => M::RoleAuditor,
    })
}

impl StaffPage {
    /// The translator.
    pub fn tr(&self) -> Tr {
        self.ctx.tr()
    }

    /// Whether the member's role manages staff.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The page frame for this member.
    pub fn chrome(&self, title: String, section: &'static str, here: &str) -> Chrome {
        let tr = self.tr();
        Chrome {
            tr,
            title,
            csrf: self.csrf.clone(),
            here: here.to_string(),
            nav: Some(Nav {
                signed_in_as: tr.f(
                    M::SignedInAs,
                    &[("name", &self.name), ("role", role_label(tr, self.role))],
                ),
                can_customers: self.caller.has(jaga_core::auth::Scope::CustomersRead),
                is_admin: self.is_admin(),
                can_audit: self.caller.has(jaga_core::auth::Scope::AuditRead),
                can_fraud: self.caller.has(jaga_core::auth::Scope::FraudReview),
                can_requests: self.caller.has(jaga_core::auth::Scope::RequestsRead),
                can_payees: self.caller.has(jaga_core::auth::Scope::PayeesRead),
            }),
            section,
            asset_v: assets::version(),
            flash: None,
            narrow: false,
        }
    }

    /// The vault's customer capabilities refuse data until the agreement is accepted; pages
    /// with customer data send the member to it first.
    pub fn require_agreement(&self) -> Result<(), Fail> {
        match self.caller.staff() {
            Some(s) if !s.agreement_ok() => Err(Fail::Agreement),
            _ => Ok(()),
        }
    }
}

/// Re-exported for handlers: the staff service types.
pub use staff::SecondFactor;
