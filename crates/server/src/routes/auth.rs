//! `/v1/auth/*`, `/v1/invitations/*`, `/v1/agreement*`: staff login (password, then TOTP or a
//! recovery code), TOTP enrolment, step-up, sessions, logout and the confidentiality agreement.
//!
//! Sessions live in the database; the browser holds only a random cookie
//! (`__Host-jaga_session`, `Secure`, `HttpOnly`, `SameSite=Strict`, `Path=/`). Every step that
//! changes state needs the session's CSRF token in `X-CSRF-Token`; the token comes back in each
//! response that opens or rotates a session.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Authed, Client, GuardedJson, csrf_header, session_cookie};
use crate::totp::{TotpEnrolment, TotpReplacement};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use jaga_core::CoreError;
use jaga_core::staff::{
    Agreement, InvitationInfo, LoginStep, NewSession, SESSION_COOKIE, SecondFactor, SessionInfo,
    SessionState, StaffInfo,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/totp", post(second_factor))
        .route("/v1/auth/enrolment", get(enrolment))
        .route("/v1/auth/totp/confirm", post(confirm_totp))
        .route("/v1/auth/step-up", post(step_up))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/logout-others", post(logout_others))
        .route("/v1/auth/me", get(me))
        .route("/v1/auth/sessions", get(sessions))
        .route("/v1/auth/sessions/{handle}", delete(end_session))
        .route("/v1/auth/password", post(change_password))
        .route("/v1/auth/recovery-codes", post(recovery_codes))
        .route("/v1/auth/totp/replace", post(begin_totp_replacement))
        .route(
            "/v1/auth/totp/replace/confirm",
            post(finish_totp_replacement),
        )
        .route("/v1/invitations/inspect", post(inspect_invitation))
        .route("/v1/invitations/accept", post(accept_invitation))
        .route("/v1/agreement", get(agreement))
        .route("/v1/agreement/accept", post(accept_agreement))
}

/// The `Set-Cookie` value for a session.
pub fn session_set_cookie(s: &NewSession) -> String {
    format!(
        "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        s.cookie.expose_secret(),
        s.max_age_secs
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A session step's result: the session state and its CSRF token (the cookie is in
/// `Set-Cookie`).
#[derive(Serialize, ToSchema)]
pub struct SessionStep {
    /// `pending_mfa`, `enrolling` or `active`.
    pub state: SessionState,
    /// The CSRF token of the new session; send it as `X-CSRF-Token`.
    pub csrf_token: String,
    /// TOTP enrolment data, when the next step is to confirm enrolment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp: Option<TotpEnrolment>,
    /// The ten single-use recovery codes, shown once (after enrolment only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

fn with_session(s: &NewSession, body: SessionStep) -> Response {
    let mut res = (StatusCode::OK, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_set_cookie(s)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

fn step(s: &NewSession) -> SessionStep {
    SessionStep {
        state: s.state,
        csrf_token: s.csrf.clone(),
        totp: None,
        recovery_codes: None,
    }
}

fn cookie(headers: &HeaderMap) -> Result<String, ApiError> {
    session_cookie(headers).ok_or_else(|| CoreError::Unauthenticated.into())
}

fn csrf(headers: &HeaderMap) -> String {
    csrf_header(headers).unwrap_or_default()
}

/// Login, step 1.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login e-mail.
    pub email: String,
    /// Password.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// Step 1 of a staff login: e-mail and password. Opens a pending session (next: `/v1/auth/totp`)
/// or, if TOTP enrolment was never confirmed, an enrolling one with the enrolment data.
#[utoipa::path(post, path = "/v1/auth/login", tag = "staff auth", request_body = LoginRequest,
    responses((status = 200, body = SessionStep, description = "Set-Cookie carries the session"), (status = 401, body = Problem, description = "`login_failed` (same for every reason)"), (status = 422, body = Problem), (status = 429, body = Problem, description = "`login_throttled`, with Retry-After"), (status = 503, body = Problem, description = "`busy` or `sealed`")))]
pub async fn login(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    GuardedJson(req): GuardedJson<LoginRequest>,
) -> ApiResult<Response> {
    match s.staff.login(&req.email, &req.password, &client).await? {
        LoginStep::SecondFactor(sess) => Ok(with_session(&sess, step(&sess))),
        LoginStep::Enrol(sess, totp) => Ok(with_session(
            &sess,
            SessionStep {
                totp: Some(TotpEnrolment::draw(totp)?),
                ..step(&sess)
            },
        )),
    }
}

/// A TOTP code or a recovery code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorRequest {
    /// 6-digit TOTP code.
    #[serde(default)]
    pub code: Option<String>,
    /// A recovery code (single use).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub recovery_code: Option<SecretString>,
}

/// Step 2 of a login: a TOTP code or a recovery code, with the pending session's cookie and
/// CSRF token. Rotates the session into an active one.
#[utoipa::path(post, path = "/v1/auth/totp", tag = "staff auth", request_body = FactorRequest,
    responses((status = 200, body = SessionStep), (status = 401, body = Problem), (status = 403, body = Problem, description = "`csrf_failed`"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn second_factor(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    GuardedJson(req): GuardedJson<FactorRequest>,
) -> ApiResult<Response> {
    let factor = match (req.code, req.recovery_code) {
        (Some(c), None) => SecondFactor::Totp(c),
        (None, Some(r)) => SecondFactor::Recovery(r),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "give exactly one of code or recovery_code",
            ));
        }
    };
    let sess = s
        .staff
        .second_factor(&cookie(&headers)?, &csrf(&headers), &factor, &client)
        .await?;
    Ok(with_session(&sess, step(&sess)))
}

/// The TOTP enrolment data (secret, URI, QR code) of an enrolling session.
#[utoipa::path(get, path = "/v1/auth/enrolment", tag = "staff auth",
    responses((status = 200, body = TotpEnrolment), (status = 401, body = Problem)))]
pub async fn enrolment(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
) -> ApiResult<Json<TotpEnrolment>> {
    Ok(Json(TotpEnrolment::draw(
        s.staff.enrolment(&cookie(&headers)?).await?,
    )?))
}

/// A TOTP code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// 6-digit TOTP code.
    pub code: String,
}

/// Confirms TOTP enrolment with a code: activates the account and the session, and returns the
/// ten recovery codes (once).
#[utoipa::path(post, path = "/v1/auth/totp/confirm", tag = "staff auth", request_body = CodeRequest,
    responses((status = 200, body = SessionStep), (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)))]
pub async fn confirm_totp(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    GuardedJson(req): GuardedJson<CodeRequest>,
) -> ApiResult<Response> {
    let (sess, codes) = s
        .staff
        .confirm_totp(&cookie(&headers)?, &csrf(&headers), &req.code, &client)
        .await?;
    Ok(with_session(
        &sess,
        SessionStep {
            recovery_codes: Some(
                codes
                    .0
                    .iter()
                    .map(|c| c.expose_secret().to_string())
                    .collect(),
            ),
            ..step(&sess)
        },
    ))
}

/// Step-up: a fresh TOTP code on an active session. Sensitive actions (reveal, role change,
/// MFA reset, recovery-code regeneration) accept it for 5 minutes. Rotates the session.
#[utoipa::path(post, path = "/v1/auth/step-up", tag = "staff auth", request_body = CodeRequest,
    responses((status = 200, body = SessionStep), (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)))]
pub async fn step_up(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
    GuardedJson(req): GuardedJson<CodeRequest>,
) -> ApiResult<Response> {
    let sess = s
        .staff
        .step_up(&cookie(&headers)?, &csrf(&headers), &req.code, &client)
        .await?;
    Ok(with_session(&sess, step(&sess)))
}

/// Ends this session and clears the cookie.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "staff auth",
    responses((status = 204, description = "logged out"), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn logout(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    headers: HeaderMap,
) -> ApiResult<Response> {
    s.staff
        .logout(&cookie(&headers)?, &csrf(&headers), &client)
        .await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_cookie()) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// How many sessions were ended.
#[derive(Serialize, ToSchema)]
pub struct Ended {
    /// Sessions ended.
    pub ended: u64,
}

/// Ends every other session of the caller.
#[utoipa::path(post, path = "/v1/auth/logout-others", tag = "staff auth",
    responses((status = 200, body = Ended), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn logout_others(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    headers: HeaderMap,
) -> ApiResult<Json<Ended>> {
    let ended = s.staff.logout_others(&caller, &cookie(&headers)?).await?;
    Ok(Json(Ended { ended }))
}

/// The caller's account and session state.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The account.
    pub staff: StaffInfo,
    /// Whether the session has a fresh step-up (for sensitive actions).
    pub step_up_fresh: bool,
    /// The current agreement version (accept it if `staff.agreement_ok` is false).
    pub agreement_version: String,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// The logged-in staff member.
#[utoipa::path(get, path = "/v1/auth/me", tag = "staff auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    headers: HeaderMap,
) -> ApiResult<Json<Me>> {
    let staff = s.staff.whoami(&caller).await?;
    let ctx = caller.require_staff()?;
    Ok(Json(Me {
        staff,
        step_up_fresh: ctx.step_up_fresh(),
        agreement_version: s.staff.agreement().version.clone(),
        csrf_token: s.staff.csrf_token(&cookie(&headers)?).await?,
    }))
}

/// The caller's sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionList {
    /// Active sessions, newest first.
    pub sessions: Vec<SessionInfo>,
}

/// Lists the caller's active sessions.
#[utoipa::path(get, path = "/v1/auth/sessions", tag = "staff auth",
    responses((status = 200, body = SessionList), (status = 401, body = Problem)))]
pub async fn sessions(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<SessionList>> {
    Ok(Json(SessionList {
        sessions: s.staff.sessions(&caller).await?,
    }))
}

/// Ends one of the caller's sessions.
#[utoipa::path(delete, path = "/v1/auth/sessions/{handle}", tag = "staff auth",
    params(("handle" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn end_session(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(handle): Path<String>,
) -> ApiResult<StatusCode> {
    let handle = super::parse_id(&handle)?;
    s.staff.end_own_session(&caller, handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// The new password.
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// Changes the caller's password (the current one is required; wrong ones count towards the
/// login throttle); other sessions are ended.
#[utoipa::path(post, path = "/v1/auth/password", tag = "staff auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn change_password(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Client(client): Client,
    headers: HeaderMap,
    GuardedJson(req): GuardedJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    s.staff
        .change_password(
            &caller,
            &req.current_password,
            &req.new_password,
            &cookie(&headers)?,
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// New recovery codes.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodeList {
    /// Ten single-use codes, shown once; the previous ones stop working.
    pub recovery_codes: Vec<String>,
}

/// Replaces the caller's recovery codes (needs a fresh step-up).
#[utoipa::path(post, path = "/v1/auth/recovery-codes", tag = "staff auth",
    responses((status = 200, body = RecoveryCodeList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn recovery_codes(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<RecoveryCodeList>> {
    let codes = s.staff.regenerate_recovery_codes(&caller).await?;
    Ok(Json(RecoveryCodeList {
        recovery_codes: codes
            .0
            .iter()
            .map(|c| c.expose_secret().to_string())
            .collect(),
    }))
}

/// Starts replacing the caller's authenticator (needs a fresh step-up): returns a new secret,
/// its QR code and a sealed ticket. The old authenticator keeps working until the replacement
/// is confirmed.
#[utoipa::path(post, path = "/v1/auth/totp/replace", tag = "staff auth",
    responses((status = 200, body = TotpReplacement), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn begin_totp_replacement(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<TotpReplacement>> {
    Ok(Json(TotpReplacement::draw(
        s.staff.begin_totp_replacement(&caller).await?,
    )?))
}

/// Confirms an authenticator replacement.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpReplacementConfirm {
    /// The ticket from `POST /v1/auth/totp/replace`.
    pub ticket: String,
    /// A current code from the new authenticator.
    pub code: String,
}

/// Confirms the replacement with a code from the new authenticator; from then on only the new
/// one works. A wrong code is 422 and audited; the old authenticator stays.
#[utoipa::path(post, path = "/v1/auth/totp/replace/confirm", tag = "staff auth",
    request_body = TotpReplacementConfirm,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn finish_totp_replacement(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    GuardedJson(req): GuardedJson<TotpReplacementConfirm>,
) -> ApiResult<StatusCode> {
    s.staff
        .finish_totp_replacement(&caller, &req.ticket, &req.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An invitation token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the invitation link.
    #[schema(value_type = String)]
    pub token: SecretString,
}

/// What an invitation grants (before accepting it).
#[utoipa::path(post, path = "/v1/invitations/inspect", tag = "staff auth", request_body = TokenRequest,
    responses((status = 200, body = InvitationInfo), (status = 422, body = Problem, description = "`invalid_invitation`"), (status = 429, body = Problem, description = "too many wrong tokens from this address, with Retry-After")))]
pub async fn inspect_invitation(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    GuardedJson(req): GuardedJson<TokenRequest>,
) -> ApiResult<Json<InvitationInfo>> {
    Ok(Json(
        s.staff
            .invitation_info(req.token.expose_secret(), &client)
            .await?,
    ))
}

/// Accepting an invitation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token from the invitation link.
    #[schema(value_type = String)]
    pub token: SecretString,
    /// Display name.
    pub name: String,
    /// E-mail (only for the bootstrap invitation, which names none).
    #[serde(default)]
    pub email: Option<String>,
    /// The new password (12+ characters, not common, zxcvbn score ≥ 3).
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// Accepts an invitation: creates the account and an enrolling session with the TOTP enrolment
/// data (next: `/v1/auth/totp/confirm`).
#[utoipa::path(post, path = "/v1/invitations/accept", tag = "staff auth", request_body = AcceptInvitation,
    responses((status = 200, body = SessionStep), (status = 409, body = Problem), (status = 422, body = Problem, description = "`invalid_invitation` or a password-policy code"), (status = 429, body = Problem, description = "too many wrong tokens from this address, with Retry-After")))]
pub async fn accept_invitation(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    GuardedJson(req): GuardedJson<AcceptInvitation>,
) -> ApiResult<Response> {
    let (sess, totp) = s
        .staff
        .accept_invitation(
            req.token.expose_secret(),
            req.email.as_deref(),
            &req.name,
            &req.password,
            &client,
        )
        .await?;
    Ok(with_session(
        &sess,
        SessionStep {
            totp: Some(TotpEnrolment::draw(totp)?),
            ..step(&sess)
        },
    ))
}

/// The confidentiality agreement (both languages and its version).
#[utoipa::path(get, path = "/v1/agreement", tag = "staff auth",
    responses((status = 200, body = Agreement), (status = 401, body = Problem)))]
pub async fn agreement(
    State(s): State<Arc<AppState>>,
    Authed(_caller): Authed,
) -> ApiResult<Json<Agreement>> {
    Ok(Json(s.staff.agreement()))
}

/// Accepting the agreement.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptAgreement {
    /// The version read (must be the current one).
    pub version: String,
}

/// Accepts the current confidentiality agreement (audited with its version).
#[utoipa::path(post, path = "/v1/agreement/accept", tag = "staff auth", request_body = AcceptAgreement,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn accept_agreement(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    GuardedJson(req): GuardedJson<AcceptAgreement>,
) -> ApiResult<StatusCode> {
    s.staff.accept_agreement(&caller, &req.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
