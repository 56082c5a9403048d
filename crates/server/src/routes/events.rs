//! `POST /v1/events` and `POST /v1/events/batch`: the fraud monitor scores transaction events
//! synchronously (scope `events:write`).
//!
//! Bodies pass the card guard first (a card number anywhere is 422, audited); then each event is
//! validated (unknown fields, wrong types, bad codes: 422 naming the field, never the value). A
//! batch is all or nothing: one bad event refuses the batch and nothing is scored or stored.

use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::GuardedJson;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use jaga_core::vault::MAX_FRAUD_BATCH;
use jaga_fraud::{Event, Outcome};
use jaga_i18n::Lang;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// Why an event was scored as it was.
#[derive(Serialize, ToSchema)]
pub struct ReasonView {
    /// The rule id (`allow_list`, `block_list` for list entries).
    pub rule: String,
    /// Human-readable reason (Bahasa Indonesia by default; `Accept-Language: en` for English).
    pub text: String,
}

/// The decision on one event.
#[derive(Serialize, ToSchema)]
pub struct EventDecision {
    /// The event id.
    pub id: String,
    /// `allow`, `review` or `block`.
    pub decision: String,
    /// 0-100.
    pub score: u8,
    /// Every matching rule.
    pub reasons: Vec<ReasonView>,
}

/// The decisions on a batch, in the order sent.
#[derive(Serialize, ToSchema)]
pub struct BatchDecisions {
    /// One per event.
    pub results: Vec<EventDecision>,
}

fn view(o: Outcome) -> EventDecision {
    EventDecision {
        id: o.id,
        decision: o.decision.as_str().to_string(),
        score: o.score,
        reasons: o
            .reasons
            .into_iter()
            .map(|r| ReasonView {
                rule: r.rule,
                text: r.text,
            })
            .collect(),
    }
}

fn lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

fn parse(v: serde_json::Value, at: Option<usize>) -> Result<Event, ApiError> {
    jaga_fraud::event::event_from_value(v).map_err(|e| {
        let prefix = at.map(|i| format!("events[{i}]: ")).unwrap_or_default();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_event",
            format!("{prefix}{e}"),
        )
    })
}

/// Scores one event as of its own `ts` and answers the decision.
#[utoipa::path(post, path = "/v1/events", tag = "fraud",
    request_body(content = Object, description = "An event: id, ts (RFC 3339), type (payment, order, refund, chargeback, login, signup) and optional fields; see the README."),
    security(("api_key" = ["events:write"])),
    responses((status = 200, body = EventDecision), (status = 400, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn score(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::EventsWrite>,
    headers: HeaderMap,
    GuardedJson(body): GuardedJson<serde_json::Value>,
) -> ApiResult<Json<EventDecision>> {
    let ev = parse(body, None)?;
    let mut out = s
        .vault
        .fraud_score(&caller, vec![ev], lang(&headers))
        .await?;
    let o = out.pop().ok_or_else(|| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "no decision")
    })?;
    Ok(Json(view(o)))
}

/// Scores up to 1,000 events in one call (a JSON array, or `{"events": [...]}`), in time order
/// of arrival; answers `{"results": [...]}` in the order sent.
#[utoipa::path(post, path = "/v1/events/batch", tag = "fraud",
    request_body(content = Object, description = "A JSON array of events, or {\"events\": [...]}; at most 1,000."),
    security(("api_key" = ["events:write"])),
    responses((status = 200, body = BatchDecisions), (status = 400, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn batch(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::EventsWrite>,
    headers: HeaderMap,
    GuardedJson(body): GuardedJson<serde_json::Value>,
) -> ApiResult<Json<BatchDecisions>> {
    let items = match body {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut m) if m.len() == 1 && m.contains_key("events") => {
            match m.remove("events") {
                Some(serde_json::Value::Array(items)) => items,
                _ => return Err(shape()),
            }
        }
        _ => return Err(shape()),
    };
    if items.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_batch",
            "send at least one event",
        ));
    }
    if items.len() > MAX_FRAUD_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("a batch holds at most {MAX_FRAUD_BATCH} events"),
        ));
    }
    let events = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse(v, Some(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let out = s.vault.fraud_score(&caller, events, lang(&headers)).await?;
    Ok(Json(BatchDecisions {
        results: out.into_iter().map(view).collect(),
    }))
}

fn shape() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
        "send a JSON array of events or {\"events\": [...]}",
    )
}
