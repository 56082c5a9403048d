//! `/v1/staff`: staff administration (admin sessions only): invite, list, disable and enable,
//! end sessions, change role and segments, reset MFA. Role changes and MFA resets need a fresh
//! TOTP step-up.

use super::parse_id;
use crate::AppState;
use crate::authorize::{self, StaffAdmin};
use crate::error::{ApiResult, Problem};
use crate::extract::{Authed, GuardedJson};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use jaga_core::staff::{NewInvitation, Role, StaffInfo};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/staff", get(list).post(invite))
        .route("/v1/staff/{id}", get(get_one).patch(change_role))
        .route("/v1/staff/{id}/disable", post(disable))
        .route("/v1/staff/{id}/enable", post(enable))
        .route("/v1/staff/{id}/end-sessions", post(end_sessions))
        .route("/v1/staff/{id}/reset-mfa", post(reset_mfa))
}

/// An invitation request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// E-mail of the new staff member.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Segments to restrict the member to (empty or absent = every segment).
    #[serde(default)]
    pub segments: Vec<String>,
}

/// A created invitation: give `link_path` (under the server's address) to the invitee.
#[derive(Serialize, ToSchema)]
pub struct InvitationCreated {
    /// Invitation id.
    pub id: uuid::Uuid,
    /// The one-time token (shown once).
    pub token: String,
    /// `/console/invite?token=…`.
    pub link_path: String,
    /// The whole link under the configured `public_url` (never derived from request headers).
    pub link: String,
    /// Role granted.
    pub role: Role,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

/// Invites a staff member (admin only). The invitation link is printed once.
#[utoipa::path(post, path = "/v1/staff", tag = "staff", request_body = InviteRequest,
    responses((status = 201, body = InvitationCreated), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(s): State<Arc<AppState>>,
    StaffAdmin(caller, _): StaffAdmin<authorize::Invite>,
    GuardedJson(req): GuardedJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<InvitationCreated>)> {
    let inv = s
        .staff
        .invite(
            &caller,
            &NewInvitation {
                email: req.email,
                role: req.role,
                segments: req.segments,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationCreated {
            id: inv.id,
            token: inv.token.expose_secret().to_string(),
            link_path: inv.link(""),
            link: inv.link(&s.config.public_url),
            role: inv.role,
            expires_at: inv.expires_at,
        }),
    ))
}

/// Staff accounts.
#[derive(Serialize, ToSchema)]
pub struct StaffList {
    /// Every account, oldest first.
    pub staff: Vec<StaffInfo>,
}

/// Lists staff accounts (admin only).
#[utoipa::path(get, path = "/v1/staff", tag = "staff",
    responses((status = 200, body = StaffList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<StaffList>> {
    Ok(Json(StaffList {
        staff: s.staff.list(&caller).await?,
    }))
}

/// One staff account (admin only).
#[utoipa::path(get, path = "/v1/staff/{id}", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = StaffInfo), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_one(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffInfo>> {
    Ok(Json(s.staff.get(&caller, parse_id(&id)?).await?))
}

/// A role change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The new role.
    pub role: Role,
    /// New segments (absent = unchanged; empty = every segment).
    #[serde(default)]
    pub segments: Option<Vec<String>>,
}

/// Changes a member's role and segments (admin with a fresh step-up; not one's own).
#[utoipa::path(patch, path = "/v1/staff/{id}", tag = "staff", params(("id" = String, Path)), request_body = RoleChange,
    responses((status = 200, body = StaffInfo), (status = 401, body = Problem), (status = 403, body = Problem, description = "`admin_required` or `step_up_required`"), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_role(
    State(s): State<Arc<AppState>>,
    StaffAdmin(caller, _): StaffAdmin<authorize::RoleChange>,
    Path(id): Path<String>,
    GuardedJson(req): GuardedJson<RoleChange>,
) -> ApiResult<Json<StaffInfo>> {
    Ok(Json(
        s.staff
            .set_role(&caller, parse_id(&id)?, req.role, req.segments.as_deref())
            .await?,
    ))
}

/// Disables an account and ends its sessions (admin only).
#[utoipa::path(post, path = "/v1/staff/{id}/disable", tag = "staff", params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn disable(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.staff.disable(&caller, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-enables an account (admin only).
#[utoipa::path(post, path = "/v1/staff/{id}/enable", tag = "staff", params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.staff.enable(&caller, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sessions ended.
#[derive(Serialize, ToSchema)]
pub struct EndedSessions {
    /// How many.
    pub ended: u64,
}

/// Ends every session of a member (admin only).
#[utoipa::path(post, path = "/v1/staff/{id}/end-sessions", tag = "staff", params(("id" = String, Path)),
    responses((status = 200, body = EndedSessions), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn end_sessions(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<EndedSessions>> {
    Ok(Json(EndedSessions {
        ended: s.staff.end_sessions(&caller, parse_id(&id)?).await?,
    }))
}

/// Resets a member's MFA (admin with a fresh step-up): they enrol a new authenticator at their
/// next login.
#[utoipa::path(post, path = "/v1/staff/{id}/reset-mfa", tag = "staff", params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reset_mfa(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.staff.reset_mfa(&caller, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
