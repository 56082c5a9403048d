//! `/v1/customers/{id}/orders`: purchase history.

use super::parse_id;
use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiResult, Problem};
use crate::extract::{Authed, GuardedJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jaga_core::model::{NewOrder, OrderView};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A customer's orders.
#[derive(Serialize, ToSchema)]
pub struct OrderList {
    /// Orders, newest first.
    pub orders: Vec<OrderView>,
}

/// Add an order. Send the gateway token, brand, last 4 and expiry: never the card number.
#[utoipa::path(post, path = "/v1/customers/{id}/orders", tag = "orders", request_body = NewOrder,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "1–255 printable ASCII characters: a retry with the same key and body within 24 h gets the first answer (`Idempotent-Replayed: true`)")),
    security(("api_key" = ["orders:write"])),
    responses((status = 201, body = OrderView), (status = 400, body = Problem, description = "`invalid_idempotency_key`"), (status = 404, body = Problem), (status = 409, body = Problem, description = "a stale customer, or `idempotency_in_progress`"), (status = 410, body = Problem), (status = 422, body = Problem, description = "invalid values, `card_number_not_allowed`, or `idempotency_key_reused`")))]
pub async fn create(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::OrdersWrite>,
    Path(id): Path<String>,
    GuardedJson(input): GuardedJson<NewOrder>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let id = parse_id(&id)?;
    let order = s.vault.order_writer(&caller).await?.add(id, &input).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// A customer's purchase history.
#[utoipa::path(get, path = "/v1/customers/{id}/orders", tag = "orders", params(("id" = String, Path)),
    security(("api_key" = ["orders:read"])),
    responses((status = 200, body = OrderList), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn list(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderList>> {
    let id = parse_id(&id)?;
    Ok(Json(OrderList {
        orders: s.vault.order_reader(&caller).await?.list(id).await?,
    }))
}
