//! `POST /v1/webhooks/{midtrans|stripe|xendit}`: payment-gateway notifications.
//!
//! No API key: each notification is verified as its gateway documents, over the raw body, with
//! the secret configured under `[gateways.<name>]` (Midtrans `signature_key`, Stripe's
//! `Stripe-Signature` with its 300 s tolerance, Xendit's `x-callback-token`). Forged, stale or
//! unsigned: 401, audited as `fraud.webhook`. A gateway that is not configured: 404. A genuine
//! notification is scored like `POST /v1/events` and acknowledged with 200; a replay is
//! acknowledged again with the stored decision.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::RequestId;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use jaga_core::CoreError;
use jaga_fraud::gateway::{Gateway, Headers};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The acknowledgement of a notification.
#[derive(Serialize, ToSchema)]
pub struct WebhookReply {
    /// The gateway's delivery identity (also the stored event's id).
    pub delivery: String,
    /// `scored`, `duplicate`, `labelled` or `ignored`.
    pub status: String,
    /// `allow`, `review` or `block`, when the notification is an event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// 0-100, when the notification is an event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// Earlier events labelled by an early fraud warning.
    pub labelled: usize,
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Verifies and scores one gateway notification.
#[utoipa::path(post, path = "/v1/webhooks/{gateway}", tag = "fraud",
    params(("gateway" = String, Path, description = "midtrans, stripe or xendit")),
    request_body(content = Object, description = "The gateway's notification, as it sends it."),
    responses((status = 200, body = WebhookReply), (status = 401, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn receive(
    State(s): State<Arc<AppState>>,
    Path(gateway): Path<String>,
    request_id: Option<axum::Extension<RequestId>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReply>> {
    let gateway = Gateway::parse(&gateway).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such gateway; use midtrans, stripe or xendit",
        )
    })?;
    let h = Headers {
        stripe_signature: header(&headers, "stripe-signature"),
        xendit_token: header(&headers, "x-callback-token"),
    };
    let ack = s
        .vault
        .fraud_webhook(gateway, &h, &body, request_id.map(|r| r.0.0.clone()))
        .await
        .map_err(|e| match e {
            CoreError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "webhook_unverified",
                "the notification could not be verified with the configured secret",
            ),
            CoreError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "gateway_not_configured",
                "this gateway is not configured in jaga.toml ([gateways.<name>])",
            ),
            other => other.into(),
        })?;
    Ok(Json(WebhookReply {
        delivery: ack.delivery,
        status: ack.status.to_string(),
        decision: ack
            .outcome
            .as_ref()
            .map(|o| o.decision.as_str().to_string()),
        score: ack.outcome.as_ref().map(|o| o.score),
        labelled: ack.labelled,
    }))
}
