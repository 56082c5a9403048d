//! `/v1/audit/…`: the audit log for auditors (`audit:read`): the latest signed checkpoint,
//! single events, inclusion and consistency proofs, offline bundles and the access reports.
//! Every call is itself appended to the log as `audit.read`.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Authed;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use jaga_core::report::{ActorReport, CustomerReport, Review};
use jaga_core::vault::{CheckpointView, EventView, ProofView};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

/// The audit routes, merged into the application router.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/audit/checkpoint", get(checkpoint))
        .route("/v1/audit/events/{n}", get(event))
        .route("/v1/audit/bundle/{n}", get(bundle))
        .route("/v1/audit/proof/inclusion", get(inclusion))
        .route("/v1/audit/proof/consistency", get(consistency))
        .route("/v1/audit/reports/customer", get(customer_report))
        .route("/v1/audit/reports/staff", get(staff_report))
        .route("/v1/audit/reports/review", get(review))
}

fn bad_query() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        "the query string is malformed or misses a parameter; see /openapi.json",
    )
}

fn position(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_position",
            "the event position must be a non-negative integer",
        )
    })
}

/// The latest signed checkpoint (C2SP signed note).
#[utoipa::path(get, path = "/v1/audit/checkpoint", tag = "audit",
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = CheckpointView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem, description = "nothing signed yet")))]
pub async fn checkpoint(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<CheckpointView>> {
    Ok(Json(
        s.vault.audit_reader(&caller).await?.checkpoint().await?,
    ))
}

/// One event with its canonical leaf bytes.
#[utoipa::path(get, path = "/v1/audit/events/{n}", tag = "audit", params(("n" = u64, Path)),
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = EventView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn event(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(n): Path<String>,
) -> ApiResult<Json<EventView>> {
    let n = position(&n)?;
    Ok(Json(s.vault.audit_reader(&caller).await?.event(n).await?))
}

/// An offline-verifiable bundle (text): the event, its inclusion proof and the latest
/// checkpoint. Check it with `jaga audit verify-bundle FILE --key KEY`.
#[utoipa::path(get, path = "/v1/audit/bundle/{n}", tag = "audit", params(("n" = u64, Path)),
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = String, content_type = "text/plain"), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn bundle(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(n): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let n = position(&n)?;
    let text = s.vault.audit_reader(&caller).await?.bundle(n).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text))
}

/// Inclusion proof parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The event position.
    pub index: u64,
    /// Tree size (default: the latest checkpoint's).
    pub size: Option<u64>,
}

/// The inclusion proof of one event in a tree size.
#[utoipa::path(get, path = "/v1/audit/proof/inclusion", tag = "audit", params(InclusionQuery),
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = ProofView), (status = 400, body = Problem, description = "`out_of_range`: index ≥ size or size beyond the log"), (status = 403, body = Problem)))]
pub async fn inclusion(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    q: Result<Query<InclusionQuery>, QueryRejection>,
) -> ApiResult<Json<ProofView>> {
    let Query(q) = q.map_err(|_| bad_query())?;
    Ok(Json(
        s.vault
            .audit_reader(&caller)
            .await?
            .inclusion(q.index, q.size)
            .await?,
    ))
}

/// Consistency proof parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size.
    pub first: u64,
    /// The newer tree size.
    pub second: u64,
}

/// The consistency proof between two tree sizes.
#[utoipa::path(get, path = "/v1/audit/proof/consistency", tag = "audit", params(ConsistencyQuery),
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = ProofView), (status = 400, body = Problem, description = "`out_of_range`: first > second or second beyond the log"), (status = 403, body = Problem)))]
pub async fn consistency(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    q: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> ApiResult<Json<ProofView>> {
    let Query(q) = q.map_err(|_| bad_query())?;
    Ok(Json(
        s.vault
            .audit_reader(&caller)
            .await?
            .consistency(q.first, q.second)
            .await?,
    ))
}

/// Customer report parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Customer code.
    pub code: String,
}

/// Who accessed this customer's data.
#[utoipa::path(get, path = "/v1/audit/reports/customer", tag = "audit", params(CustomerQuery),
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = CustomerReport), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn customer_report(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    q: Result<Query<CustomerQuery>, QueryRejection>,
) -> ApiResult<Json<CustomerReport>> {
    let Query(q) = q.map_err(|_| bad_query())?;
    Ok(Json(
        s.vault
            .audit_reader(&caller)
            .await?
            .customer_report(&q.code)
            .await?,
    ))
}

/// Staff report parameters (times in ms since the epoch).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Staff id or API key id.
    pub actor: String,
    /// Period start, ms since epoch.
    pub from_ms: i64,
    /// Period end (exclusive), ms since epoch.
    pub to_ms: i64,
}

/// One staff member's activity over a period.
#[utoipa::path(get, path = "/v1/audit/reports/staff", tag = "audit", params(StaffQuery),
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = ActorReport), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn staff_report(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    q: Result<Query<StaffQuery>, QueryRejection>,
) -> ApiResult<Json<ActorReport>> {
    let Query(q) = q.map_err(|_| bad_query())?;
    Ok(Json(
        s.vault
            .audit_reader(&caller)
            .await?
            .actor_report(&q.actor, q.from_ms, q.to_ms)
            .await?,
    ))
}

/// The access review.
#[utoipa::path(get, path = "/v1/audit/reports/review", tag = "audit",
    security(("api_key" = ["audit:read"])),
    responses((status = 200, body = Review), (status = 403, body = Problem)))]
pub async fn review(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<Review>> {
    let policies = &s.staff.config().policies;
    Ok(Json(
        s.vault
            .audit_reader(&caller)
            .await?
            .review(policies)
            .await?,
    ))
}
