//! `POST /v1/tokens/resolve`: turn a redaction token back into the value it stands for.

use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiResult, Problem};
use crate::extract::GuardedJson;
use axum::Json;
use axum::extract::State;
use jaga_core::vault::ResolvedToken;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A token to resolve and why.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// The token, as found in text (`[NIK:tok_bcdfghjkmnpqrstv]`) or just its id (`tok_…`).
    pub token: String,
    /// Why the value is needed (3–500 characters); recorded in the audit log.
    pub purpose: Option<String>,
}

/// Resolves a token made by the write guard (customer notes, order notes, imports) or by
/// `POST /v1/redact` with the `tokenize` operator. Needs the `tokens:resolve` scope and a
/// purpose. The resolution is audited as `token.resolve` (kind, customer, purpose — never the
/// value) before the value is returned; if the audit cannot be written nothing is returned.
/// Unknown tokens are 404 `not_found`; tokens of an erased customer are 410 `erased`.
#[utoipa::path(post, path = "/v1/tokens/resolve", tag = "redaction", request_body = ResolveRequest,
    security(("api_key" = ["tokens:resolve"])),
    responses((status = 200, body = ResolvedToken), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
pub async fn resolve(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::TokensResolve>,
    GuardedJson(req): GuardedJson<ResolveRequest>,
) -> ApiResult<Json<ResolvedToken>> {
    let resolved = s
        .vault
        .token_resolver(&caller, req.purpose.as_deref())
        .await?
        .resolve(&req.token)
        .await?;
    Ok(Json(resolved))
}
