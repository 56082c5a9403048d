//! `/v1/requests` (data-subject requests with their UU PDP due dates) and
//! `/v1/customers/{id}/consents` (consent per purpose, with its history).

use super::parse_id;
use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Authed, GuardedJson};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use jaga_core::requests::{
    Channel, ConsentPurpose, ConsentRow, ConsentSource, Outcome, RequestKind, RequestRow,
    RequestStatus, current_consents,
};
use jaga_core::vault::{NewConsent, NewRequest};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/requests", get(list).post(create))
        .route("/v1/requests/{id}", get(get_one))
        .route("/v1/requests/{id}/close", post(close))
        .route(
            "/v1/customers/{id}/consents",
            get(consents).post(record_consent),
        )
}

/// A request as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    /// Id.
    pub id: Uuid,
    /// The customer it concerns.
    pub customer_id: Uuid,
    /// What is asked.
    pub kind: RequestKind,
    /// How it came in.
    pub channel: Channel,
    /// Where it stands.
    pub status: RequestStatus,
    /// Received (RFC 3339).
    pub received_at: String,
    /// Due by law (RFC 3339): 3×24 hours after receipt.
    pub due_at: String,
    /// Open and past its due date now.
    pub overdue: bool,
    /// Who recorded it.
    pub created_by: String,
    /// Who closed it.
    pub handled_by: Option<String>,
    /// Closed (RFC 3339).
    pub closed_at: Option<String>,
    /// How it was closed.
    pub outcome: Option<Outcome>,
}

impl RequestView {
    fn of(r: RequestRow, now: i64) -> Self {
        Self {
            overdue: r.overdue(now),
            id: r.id,
            customer_id: r.customer_id,
            kind: r.kind,
            channel: r.channel,
            status: r.status,
            received_at: jaga_core::format_ms(r.received_at),
            due_at: jaga_core::format_ms(r.due_at),
            created_by: r.created_by,
            handled_by: r.handled_by,
            closed_at: r.closed_at.map(jaga_core::format_ms),
            outcome: r.outcome,
        }
    }
}

/// A request to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The customer it concerns.
    pub customer_id: Uuid,
    /// What is asked.
    pub kind: RequestKind,
    /// How it came in.
    pub channel: Channel,
    /// When it was received (RFC 3339; now when absent; at most 30 days back).
    pub received_at: Option<String>,
}

/// Closing a request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// `done` or `refused`.
    pub status: RequestStatus,
    /// How it was closed.
    pub outcome: Outcome,
}

/// Requests.
#[derive(Serialize, ToSchema)]
pub struct RequestList {
    /// Earliest due first.
    pub requests: Vec<RequestView>,
    /// How many of them are overdue.
    pub overdue: usize,
}

/// List filter.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only open requests (default `true`).
    pub open: Option<bool>,
}

fn bad_time() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_received_at",
        "received_at must be an RFC 3339 time, e.g. 2026-12-01T09:30:00+07:00",
    )
}

/// Record a data-subject request; its due date is 3×24 hours after receipt (UU PDP).
#[utoipa::path(post, path = "/v1/requests", tag = "requests", request_body = RequestInput,
    security(("api_key" = ["requests:write"])),
    responses((status = 201, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem, description = "unknown customer"), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::RequestsRecord>,
    GuardedJson(input): GuardedJson<RequestInput>,
) -> ApiResult<(StatusCode, Json<RequestView>)> {
    let received_at = match input.received_at.as_deref() {
        None => None,
        Some(t) => Some(jaga_core::parse_rfc3339_ms(t).ok_or_else(bad_time)?),
    };
    let now = jaga_core::now_ms();
    let row = s
        .vault
        .requests(&caller)
        .await?
        .record(
            &NewRequest {
                customer_id: input.customer_id,
                kind: input.kind,
                channel: input.channel,
                received_at,
            },
            now,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(RequestView::of(row, now))))
}

/// Data-subject requests, earliest due first, with how many are overdue.
#[utoipa::path(get, path = "/v1/requests", tag = "requests", params(ListQuery),
    security(("api_key" = ["requests:read"])),
    responses((status = 200, body = RequestList), (status = 403, body = Problem)))]
pub async fn list(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<RequestList>> {
    let Ok(Query(q)) = q else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "the only parameter is open=true|false",
        ));
    };
    let now = jaga_core::now_ms();
    let rows = s
        .vault
        .requests(&caller)
        .await?
        .list(q.open.unwrap_or(true))
        .await?;
    let requests: Vec<_> = rows.into_iter().map(|r| RequestView::of(r, now)).collect();
    Ok(Json(RequestList {
        overdue: requests.iter().filter(|r| r.overdue).count(),
        requests,
    }))
}

/// One request.
#[utoipa::path(get, path = "/v1/requests/{id}", tag = "requests", params(("id" = String, Path)),
    security(("api_key" = ["requests:read"])),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)))]
pub async fn get_one(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestView>> {
    let id = parse_id(&id)?;
    let row = s.vault.requests(&caller).await?.get(id).await?;
    Ok(Json(RequestView::of(row, jaga_core::now_ms())))
}

/// Close a request as `done` or `refused`, with an outcome.
#[utoipa::path(post, path = "/v1/requests/{id}/close", tag = "requests", request_body = CloseInput,
    params(("id" = String, Path)), security(("api_key" = ["requests:write"])),
    responses((status = 200, body = RequestView), (status = 404, body = Problem), (status = 409, body = Problem, description = "closed already"), (status = 422, body = Problem)))]
pub async fn close(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::RequestsClose>,
    Path(id): Path<String>,
    GuardedJson(input): GuardedJson<CloseInput>,
) -> ApiResult<Json<RequestView>> {
    let id = parse_id(&id)?;
    let now = jaga_core::now_ms();
    let row = s
        .vault
        .requests(&caller)
        .await?
        .close(id, input.status, input.outcome, now)
        .await?;
    Ok(Json(RequestView::of(row, now)))
}

/// Consent given or withdrawn.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// `true` given, `false` withdrawn.
    pub granted: bool,
    /// Where it came from.
    pub source: ConsentSource,
}

/// A consent record.
#[derive(Serialize, ToSchema)]
pub struct ConsentView {
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub granted: bool,
    /// Where it came from.
    pub source: ConsentSource,
    /// When (RFC 3339).
    pub at: String,
    /// Who recorded it.
    pub recorded_by: String,
}

impl From<&ConsentRow> for ConsentView {
    fn from(r: &ConsentRow) -> Self {
        Self {
            purpose: r.purpose,
            granted: r.granted,
            source: r.source,
            at: jaga_core::format_ms(r.at),
            recorded_by: r.recorded_by.clone(),
        }
    }
}

/// A customer's consents: the current state per purpose and the whole history.
#[derive(Serialize, ToSchema)]
pub struct ConsentList {
    /// The latest record per purpose (purposes never recorded are left out).
    pub current: Vec<ConsentView>,
    /// Every record, oldest first.
    pub history: Vec<ConsentView>,
}

/// Record consent given or withdrawn for a purpose (marketing also sets the customer's
/// `marketing_consent`).
#[utoipa::path(post, path = "/v1/customers/{id}/consents", tag = "requests", request_body = ConsentInput,
    params(("id" = String, Path)), security(("api_key" = ["requests:write"])),
    responses((status = 201, body = ConsentView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_consent(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::ConsentsRecord>,
    Path(id): Path<String>,
    GuardedJson(input): GuardedJson<ConsentInput>,
) -> ApiResult<(StatusCode, Json<ConsentView>)> {
    let id = parse_id(&id)?;
    let row = s
        .vault
        .requests(&caller)
        .await?
        .record_consent(
            id,
            NewConsent {
                purpose: input.purpose,
                granted: input.granted,
                source: input.source,
            },
            jaga_core::now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ConsentView::from(&row))))
}

/// A customer's consents.
#[utoipa::path(get, path = "/v1/customers/{id}/consents", tag = "requests", params(("id" = String, Path)),
    security(("api_key" = ["requests:read"])),
    responses((status = 200, body = ConsentList), (status = 404, body = Problem)))]
pub async fn consents(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ConsentList>> {
    let id = parse_id(&id)?;
    let history = s.vault.requests(&caller).await?.consents(id).await?;
    Ok(Json(ConsentList {
        current: current_consents(&history)
            .into_iter()
            .filter_map(|(_, r)| r.map(ConsentView::from))
            .collect(),
        history: history.iter().map(ConsentView::from).collect(),
    }))
}
