//! `/v1/payees` and `/v1/payouts`: payees with versioned bank details, the call-back that
//! verifies a change, payouts with four-eyes approval, and the bank bulk-transfer export.
//! Thin: the rules, scopes, step-up and audit are the core's (`Vault::payees`).

use super::parse_id;
use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::GuardedJson;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use jaga_core::payouts::BankFormat;
use jaga_core::vault::{
    BankInput, CallInput, ContactInput, NewPayee, NewPayout, PayeeView, PayoutView,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// The routes of this module.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/payees", get(list).post(create))
        .route("/v1/payees/{id}", get(read))
        .route("/v1/payees/{id}/bank", post(change))
        .route("/v1/payees/{id}/bank/{version}/verify", post(verify))
        .route("/v1/payees/{id}/contacts", post(contact_change))
        .route(
            "/v1/payees/{id}/contacts/{version}/verify",
            post(contact_verify),
        )
        .route("/v1/payouts", get(payouts).post(create_payout))
        .route("/v1/payouts/export", post(export))
        .route("/v1/payouts/{id}", get(payout))
        .route("/v1/payouts/{id}/approve", post(approve))
        .route("/v1/payouts/{id}/reject", post(reject))
}

/// Payees.
#[derive(Serialize, ToSchema)]
pub struct PayeeList {
    /// Every payee with its versions.
    pub payees: Vec<PayeeView>,
}

/// Payouts.
#[derive(Serialize, ToSchema)]
pub struct PayoutList {
    /// Newest first (at most 500).
    pub payouts: Vec<PayoutView>,
}

/// Filter of the payout list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayoutQuery {
    /// `pending_approval`, `approved` or `exported`.
    pub status: Option<String>,
}

/// The bank layout of an export.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `bca` or `mandiri`.
    pub format: String,
}

fn bad_query() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        "the query parameters could not be read",
    )
}

/// Lists payees with their bank-detail versions and call records. Needs `payees:read`.
#[utoipa::path(get, path = "/v1/payees", tag = "payees", security(("api_key" = ["payees:read"])),
    responses((status = 200, body = PayeeList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeesRead>,
) -> ApiResult<Json<PayeeList>> {
    let payees = s.vault.payees(&caller)?.list().await?;
    Ok(Json(PayeeList { payees }))
}

/// Creates a payee; its first bank details wait for a call-back verification before any payout
/// can use them. Needs `payees:write`.
#[utoipa::path(post, path = "/v1/payees", tag = "payees", request_body = NewPayee,
    security(("api_key" = ["payees:write"])),
    responses((status = 201, body = PayeeView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeesWrite>,
    GuardedJson(input): GuardedJson<NewPayee>,
) -> ApiResult<impl IntoResponse> {
    let p = s.vault.payees(&caller)?.create(&input).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/v1/payees/{}", p.id))],
        Json(p),
    ))
}

/// One payee with its versions and call records. Needs `payees:read`.
#[utoipa::path(get, path = "/v1/payees/{id}", tag = "payees", params(("id" = String, Path)),
    security(("api_key" = ["payees:read"])),
    responses((status = 200, body = PayeeView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeesRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<PayeeView>> {
    let id = parse_id(&id)?;
    Ok(Json(s.vault.payees(&caller)?.get(id).await?))
}

/// Requests new bank details: a new version in `pending_verification` (never an overwrite);
/// payouts keep using the last verified version until a call-back verifies it, and the payee's
/// contact on file is notified. Refused (422 `change_pending`) while another change waits.
/// Needs `payees:write`.
#[utoipa::path(post, path = "/v1/payees/{id}/bank", tag = "payees", params(("id" = String, Path)),
    request_body = BankInput, security(("api_key" = ["payees:write"])),
    responses((status = 201, body = PayeeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeesWrite>,
    Path(id): Path<String>,
    GuardedJson(input): GuardedJson<BankInput>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    let p = s.vault.payees(&caller)?.request_change(id, &input).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Records the call-back on a pending version and verifies or rejects it. A finance or admin
/// member with a staff session and a fresh step-up, who did not request the change, calling the
/// number on file (422 `wrong_number` for any other number; 403 `four_eyes_required` for the
/// requester). Needs `payees:write`.
#[utoipa::path(post, path = "/v1/payees/{id}/bank/{version}/verify", tag = "payees",
    params(("id" = String, Path), ("version" = u32, Path)), request_body = CallInput,
    security(("api_key" = ["payees:write"])),
    responses((status = 200, body = PayeeView), (status = 403, body = Problem, description = "`step_up_required`, `staff_session_required`, `four_eyes_required`, `role_not_allowed`"), (status = 404, body = Problem), (status = 422, body = Problem, description = "`wrong_number`, `incomplete_call`, `not_pending`")))]
pub async fn verify(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeeVerify>,
    Path((id, version)): Path<(String, String)>,
    GuardedJson(input): GuardedJson<CallInput>,
) -> ApiResult<Json<PayeeView>> {
    let id = parse_id(&id)?;
    let version: u32 = version.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_version",
            "the version in the path is not a number",
        )
    })?;
    Ok(Json(
        s.vault.payees(&caller)?.verify(id, version, &input).await?,
    ))
}

/// Requests new contacts (phone, e-mail, contact person): a new contact version in
/// `pending_verification`; call-backs keep using the number on file until another finance or
/// admin member has called that (old) number and verified the change, and the e-mail address on
/// file is notified. Refused (422 `contact_change_pending`) while another change waits. Needs
/// `payees:write`.
#[utoipa::path(post, path = "/v1/payees/{id}/contacts", tag = "payees", params(("id" = String, Path)),
    request_body = ContactInput, security(("api_key" = ["payees:write"])),
    responses((status = 201, body = PayeeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn contact_change(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeeContactChange>,
    Path(id): Path<String>,
    GuardedJson(input): GuardedJson<ContactInput>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    let p = s
        .vault
        .payees(&caller)?
        .request_contact_change(id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Records the call-back on a pending contact change, to the number **on file** (the old one;
/// 422 `wrong_number` for the requested one or any other), and verifies or rejects it. A
/// finance or admin member with a staff session and a fresh step-up who did not request it
/// (403 `four_eyes_required`). Needs `payees:write`.
#[utoipa::path(post, path = "/v1/payees/{id}/contacts/{version}/verify", tag = "payees",
    params(("id" = String, Path), ("version" = u32, Path)), request_body = CallInput,
    security(("api_key" = ["payees:write"])),
    responses((status = 200, body = PayeeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem, description = "`wrong_number`, `incomplete_call`, `not_pending`")))]
pub async fn contact_verify(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeeContactVerify>,
    Path((id, version)): Path<(String, String)>,
    GuardedJson(input): GuardedJson<CallInput>,
) -> ApiResult<Json<PayeeView>> {
    let id = parse_id(&id)?;
    let version: u32 = version.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_version",
            "the version in the path is not a number",
        )
    })?;
    Ok(Json(
        s.vault
            .payees(&caller)?
            .verify_contact_change(id, version, &input)
            .await?,
    ))
}

/// Lists payouts, newest first, each with its whole chain. Needs `payees:read`.
#[utoipa::path(get, path = "/v1/payouts", tag = "payees", params(PayoutQuery),
    security(("api_key" = ["payees:read"])),
    responses((status = 200, body = PayoutList), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn payouts(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeesRead>,
    q: Result<Query<PayoutQuery>, QueryRejection>,
) -> ApiResult<Json<PayoutList>> {
    let Query(q) = q.map_err(|_| bad_query())?;
    let payouts = s
        .vault
        .payees(&caller)?
        .payouts(q.status.as_deref())
        .await?;
    Ok(Json(PayoutList { payouts }))
}

/// Creates a payout to the payee's last verified bank details; without any it is refused (422
/// `no_verified_details`: the payout is held until a call-back verifies them). Above the
/// threshold two approvals are needed, one more after a recent change. Needs `payouts:write`.
#[utoipa::path(post, path = "/v1/payouts", tag = "payees", request_body = NewPayout,
    security(("api_key" = ["payouts:write"])),
    responses((status = 201, body = PayoutView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_payout(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayoutsWrite>,
    GuardedJson(input): GuardedJson<NewPayout>,
) -> ApiResult<impl IntoResponse> {
    let p = s.vault.payees(&caller)?.create_payout(&input).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/v1/payouts/{}", p.id))],
        Json(p),
    ))
}

/// One payout with its whole chain. Needs `payees:read`.
#[utoipa::path(get, path = "/v1/payouts/{id}", tag = "payees", params(("id" = String, Path)),
    security(("api_key" = ["payees:read"])),
    responses((status = 200, body = PayoutView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn payout(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayeesRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<PayoutView>> {
    let id = parse_id(&id)?;
    Ok(Json(s.vault.payees(&caller)?.payout(id).await?))
}

/// Adds the caller's approval: a finance or admin member with a staff session and a fresh
/// step-up, never the creator (403 `four_eyes_required`), never twice. Needs
/// `payouts:approve`.
#[utoipa::path(post, path = "/v1/payouts/{id}/approve", tag = "payees", params(("id" = String, Path)),
    security(("api_key" = ["payouts:approve"])),
    responses((status = 200, body = PayoutView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayoutsApprove>,
    Path(id): Path<String>,
) -> ApiResult<Json<PayoutView>> {
    let id = parse_id(&id)?;
    Ok(Json(s.vault.payees(&caller)?.approve(id).await?))
}

/// Rejects a payout waiting for approval: it is never paid or exported. A finance or admin
/// member with a staff session and a fresh step-up (the creator may withdraw their own).
/// Needs `payouts:approve`.
#[utoipa::path(post, path = "/v1/payouts/{id}/reject", tag = "payees", params(("id" = String, Path)),
    security(("api_key" = ["payouts:approve"])),
    responses((status = 200, body = PayoutView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem, description = "`not_pending_approval`")))]
pub async fn reject(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayoutsReject>,
    Path(id): Path<String>,
) -> ApiResult<Json<PayoutView>> {
    let id = parse_id(&id)?;
    Ok(Json(s.vault.payees(&caller)?.reject(id).await?))
}

/// Exports every approved payout whose bank details are still the payee's verified ones as a
/// bulk-transfer CSV (`format=bca` or `mandiri`, documented example layouts) and marks them
/// exported. `X-Jaga-Exported` and `X-Jaga-Held` count the payouts in the file and those left
/// out because the payee's details changed since. Needs `payouts:write` (staff: fresh step-up).
/// The answer is never kept for an `Idempotency-Key` replay.
#[utoipa::path(post, path = "/v1/payouts/export", tag = "payees", params(ExportQuery),
    security(("api_key" = ["payouts:write"])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn export(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::PayoutsExport>,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> ApiResult<impl IntoResponse> {
    let Query(q) = q.map_err(|_| bad_query())?;
    let format = match q.format.as_str() {
        "bca" => BankFormat::Bca,
        "mandiri" => BankFormat::Mandiri,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_format",
                "format must be bca or mandiri",
            ));
        }
    };
    let r = s.vault.payees(&caller)?.export(format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"payouts-{}.csv\"", q.format),
            ),
            (
                header::HeaderName::from_static("x-jaga-exported"),
                r.exported.len().to_string(),
            ),
            (
                header::HeaderName::from_static("x-jaga-held"),
                r.held.len().to_string(),
            ),
        ],
        r.csv,
    ))
}
