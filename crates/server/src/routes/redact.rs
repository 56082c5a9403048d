//! `POST /v1/redact`: remove identifiers from text (nothing is stored).

use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// Text to redact and an optional policy.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactRequest {
    /// The text.
    pub text: String,
    /// Per-kind operators, e.g. `{"operators": {"NIK": "mask", "EMAIL": "hash"}, "min_score": 0.6}`.
    /// Operators: mask, replace, hash, tokenize (a reversible `[KIND:tok_…]` token stored in the
    /// token vault under a shop-level key; resolve it with `POST /v1/tokens/resolve`), drop.
    /// CREDIT_CARD and CVV are always dropped.
    #[schema(value_type = Option<Object>)]
    pub policy: Option<jaga_redact::PolicySpec>,
}

/// One finding: kind and byte offsets into the input text (never the value).
#[derive(Serialize, ToSchema)]
pub struct FindingView {
    /// Entity kind, e.g. `NIK`.
    pub kind: String,
    /// Start byte offset (inclusive).
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// Confidence 0–1.
    pub score: f32,
}

/// Redacted text and what was found.
#[derive(Serialize, ToSchema)]
pub struct RedactResponse {
    /// The redacted text.
    pub text: String,
    /// Findings, in order.
    pub findings: Vec<FindingView>,
}

/// Redacts identifiers (card numbers, NIK, NPWP, phones, e-mail, bank accounts, …) from text.
/// Unlike the customer endpoints, card numbers are accepted here so they can be removed; the text
/// is neither stored nor logged, and only finding counts are audited.
#[utoipa::path(post, path = "/v1/redact", tag = "redaction", request_body = RedactRequest,
    security(("api_key" = ["redact"])),
    responses((status = 200, body = RedactResponse), (status = 400, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn redact(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::Redact>,
    body: Result<Json<RedactRequest>, JsonRejection>,
) -> ApiResult<Json<RedactResponse>> {
    let Json(req) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body must be at most {} bytes", s.config.body_limit),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "send {\"text\": …, \"policy\": …} as JSON",
        ),
    })?;
    let out = s
        .vault
        .redactor(&caller)
        .await?
        .redact(&req.text, req.policy.as_ref())
        .await?;
    let findings = out
        .findings
        .iter()
        .map(|f| FindingView {
            kind: f.kind.to_string(),
            start: f.start,
            end: f.end,
            score: f.score,
        })
        .collect();
    Ok(Json(RedactResponse {
        text: out.text,
        findings,
    }))
}
