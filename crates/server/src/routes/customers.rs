//! `/v1/customers`: create, read (masked or revealed), look up, update, erase.

use super::parse_id;
use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Authed, GuardedJson};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use jaga_core::model::{Created, CustomerPatch, CustomerView, Field, Lookup, NewCustomer};
use jaga_core::vault::SegmentMoved;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// The header that states why data is revealed.
pub const PURPOSE_HEADER: &str = "x-jaga-purpose";

/// Lookup results.
#[derive(Serialize, ToSchema)]
pub struct CustomerList {
    /// Matching customers, masked.
    pub customers: Vec<CustomerView>,
    /// `true` when more than `limit` customers share the looked-up index term, so matches may
    /// be missing from `customers` (look them up by customer code instead).
    pub truncated: bool,
    /// The most index candidates one lookup examines.
    pub limit: u32,
}

fn bad_query(detail: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", detail)
}

/// Create a customer. Only `full_name` is required.
#[utoipa::path(post, path = "/v1/customers", tag = "customers", request_body = NewCustomer,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 printable ASCII characters: a retry with the same key and body within 24 h gets the first answer (`Idempotent-Replayed: true`); every POST accepts it")),
    security(("api_key" = ["customers:write"])),
    responses((status = 201, body = Created), (status = 400, body = Problem, description = "malformed body, or `invalid_idempotency_key`"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem, description = "a segment outside the staff member's segments (as if it did not exist)"), (status = 409, body = Problem, description = "`idempotency_in_progress`"), (status = 413, body = Problem), (status = 422, body = Problem, description = "invalid values, `card_number_not_allowed`, or `idempotency_key_reused`"), (status = 503, body = Problem, description = "sealed, or the database is unavailable")))]
pub async fn create(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::CustomersWrite>,
    GuardedJson(input): GuardedJson<NewCustomer>,
) -> ApiResult<impl IntoResponse> {
    let created = s.vault.writer(&caller).await?.create(&input).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/v1/customers/{}", created.id))],
        Json(created),
    ))
}

/// Exact-match lookup by exactly one of `email`, `phone`, `national_id` or `code`. At most
/// `limit` (50) index candidates are examined; `truncated` says when there were more. Lookups
/// are rate-limited per API key and per staff member (429 `rate_limited` with `Retry-After`),
/// and a staff member cannot look up by a field their role does not see (403
/// `field_not_visible`). Both refusals are audited.
#[utoipa::path(get, path = "/v1/customers", tag = "customers",
    params(("email" = Option<String>, Query), ("phone" = Option<String>, Query), ("national_id" = Option<String>, Query), ("code" = Option<String>, Query)),
    security(("api_key" = ["customers:read"])),
    responses((status = 200, body = CustomerList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem, description = "`rate_limited`, with Retry-After")))]
pub async fn lookup(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<CustomerList>> {
    let Query(q) = q.map_err(|_| bad_query("the query string is malformed"))?;
    let mut it = q.into_iter();
    let (Some((k, v)), None) = (it.next(), it.next()) else {
        return Err(bad_query(
            "give exactly one of email, phone, national_id or code",
        ));
    };
    let lookup = match k.as_str() {
        "email" => Lookup::Email(v),
        "phone" => Lookup::Phone(v),
        "national_id" => Lookup::NationalId(v),
        "code" => Lookup::Code(v),
        _ => {
            return Err(bad_query(
                "give exactly one of email, phone, national_id or code",
            ));
        }
    };
    let found = s.vault.reader(&caller).await?.lookup_page(&lookup).await?;
    Ok(Json(CustomerList {
        customers: found.customers,
        truncated: found.truncated,
        limit: jaga_core::vault::LOOKUP_LIMIT,
    }))
}

/// One customer, masked; `?reveal=email,phone` with an `X-Jaga-Purpose` header and the
/// `customers:reveal` scope returns those fields in plain text (audited before they are sent).
#[utoipa::path(get, path = "/v1/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "customer id (UUID)"), ("reveal" = Option<String>, Query, description = "comma-separated fields to reveal"), ("X-Jaga-Purpose" = Option<String>, Header, description = "why the fields are revealed (required with reveal)")),
    security(("api_key" = ["customers:read", "customers:reveal"])),
    responses((status = 200, body = CustomerView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem, description = "erased")))]
pub async fn get(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<CustomerView>> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(|_| bad_query("the query string is malformed"))?;
    if q.keys().any(|k| k != "reveal") {
        return Err(bad_query("the only query parameter here is reveal"));
    }
    let Some(reveal) = q.get("reveal") else {
        return Ok(Json(s.vault.reader(&caller).await?.get(id).await?));
    };
    let fields = reveal
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| {
            Field::parse(f).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_reveal",
                    format!("unknown field `{}`", f.chars().take(32).collect::<String>()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let purpose = headers.get(PURPOSE_HEADER).and_then(|v| v.to_str().ok());
    Ok(Json(
        s.vault
            .revealer(&caller, purpose)
            .await?
            .get(id, &fields)
            .await?,
    ))
}

/// Partial update; `null` clears a field.
#[utoipa::path(patch, path = "/v1/customers/{id}", tag = "customers", request_body = CustomerPatch,
    params(("id" = String, Path)), security(("api_key" = ["customers:write"])),
    responses((status = 200, body = CustomerView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::CustomersWrite>,
    Path(id): Path<String>,
    GuardedJson(patch): GuardedJson<CustomerPatch>,
) -> ApiResult<Json<CustomerView>> {
    let id = parse_id(&id)?;
    Ok(Json(
        s.vault.writer(&caller).await?.update(id, &patch).await?,
    ))
}

/// Erase a customer by destroying its data key (crypto-shredding). Afterwards it answers 410.
#[utoipa::path(delete, path = "/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    security(("api_key" = ["customers:erase"])),
    responses((status = 204), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn erase(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    s.vault.eraser(&caller).await?.erase(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where to move a customer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentMoveRequest {
    /// The new segment (1–32 of a-z, 0-9, `_` and `-`).
    pub segment: String,
}

/// Move a customer to another segment: a new data key wrapped under the new segment's key,
/// every field, order and token re-encrypted, in one transaction with a
/// `customer.segment_move` audit event. Staff need a fresh step-up and must see both segments
/// (another segment answers 404, as if the customer did not exist). A move between two
/// segments kept in different databases (`[segments.<name>] database_url`) is refused (422
/// `unsupported`): it cannot be one transaction.
#[utoipa::path(post, path = "/v1/customers/{id}/segment", tag = "customers", request_body = SegmentMoveRequest,
    params(("id" = String, Path, description = "customer id (UUID)")),
    security(("api_key" = ["customers:move"])),
    responses((status = 200, body = SegmentMoved), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem, description = "no `customers:move`, or `step_up_required`"), (status = 404, body = Problem), (status = 409, body = Problem, description = "the customer kept changing; retry"), (status = 410, body = Problem, description = "erased"), (status = 422, body = Problem, description = "`invalid_segment`, `same_segment`, or `unsupported` (the two segments are kept in different databases)")))]
pub async fn move_segment(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::CustomersMove>,
    Path(id): Path<String>,
    GuardedJson(input): GuardedJson<SegmentMoveRequest>,
) -> ApiResult<Json<SegmentMoved>> {
    let id = parse_id(&id)?;
    Ok(Json(
        s.vault
            .segment_mover(&caller)
            .await?
            .move_to(id, &input.segment)
            .await?,
    ))
}
