//! Operations: health, readiness, metrics, the OpenAPI document, and unsealing.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Authed, Client};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use jaga_core::audit::AuditAction;
use jaga_core::auth::Scope;
use jaga_core::vault::{SealStatus, UnsealMaterial};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness report.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// Whether the vault is sealed.
    pub sealed: bool,
    /// `ok` or `down`.
    pub database: &'static str,
}

/// Readiness: 200 when unsealed with the database reachable, else 503 with the reason.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = Ready), (status = 503, body = Ready)))]
pub async fn readyz(State(s): State<Arc<AppState>>) -> (StatusCode, Json<Ready>) {
    let db_ok = s.vault.database_ok().await;
    let sealed = s.vault.is_sealed();
    let status = if db_ok && !sealed {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Ready {
            sealed,
            database: if db_ok { "ok" } else { "down" },
        }),
    )
}

/// Prometheus metrics (no PII: counters by fixed labels only). Needs an API key with the
/// `metrics:read` scope: the counters (auth failures, card rejections, audit size) tell an
/// outsider how the shop is probed and used. A refused scrape is audited.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security(("api_key" = ["metrics:read"])),
    responses((status = 200, description = "Prometheus text format"), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn metrics(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<impl IntoResponse> {
    s.vault
        .require_scope(&caller, Scope::MetricsRead, AuditAction::MetricsRead)
        .await?;
    let audit = s.vault.audit_size().await.ok();
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(s.vault.is_sealed(), audit),
    ))
}

/// The OpenAPI 3.1 document.
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::json(),
    )
}

/// Seal status.
#[utoipa::path(get, path = "/v1/sys/seal-status", tag = "operations", responses((status = 200, body = SealStatus)))]
pub async fn seal_status(State(s): State<Arc<AppState>>) -> Json<SealStatus> {
    Json(s.vault.status())
}

/// Unseal input: one Shamir share, or the passphrase.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsealRequest {
    /// One share (`jaga-share-v1:…`), for Shamir installations.
    #[schema(value_type = Option<String>)]
    pub share: Option<SecretString>,
    /// The passphrase, for passphrase installations.
    #[schema(value_type = Option<String>)]
    pub passphrase: Option<SecretString>,
}

/// Supplies unseal material. Once unsealed, answers the seal status without reading the body
/// or trying anything (no oracle for the passphrase). While sealed, Shamir shares accumulate
/// until the threshold is reached; attempts are throttled per client address and overall
/// (429 with `Retry-After`), audited as `sys.unseal`, and serialised so a flood cannot run many
/// Argon2 derivations at once (which run off the async workers).
#[utoipa::path(post, path = "/v1/sys/unseal", tag = "operations", request_body = UnsealRequest,
    responses((status = 200, body = SealStatus), (status = 400, body = Problem), (status = 429, body = Problem)))]
pub async fn unseal(
    State(s): State<Arc<AppState>>,
    Client(client): Client,
    req: axum::extract::Request,
) -> ApiResult<Json<SealStatus>> {
    if !s.vault.is_sealed() {
        return Ok(Json(s.vault.status()));
    }
    let body =
        <Json<UnsealRequest> as axum::extract::FromRequest<Arc<AppState>>>::from_request(req, &s)
            .await;
    let Json(req) = body.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "send {\"share\": …} or {\"passphrase\": …} as application/json",
        )
    })?;
    let material = match (req.share, req.passphrase) {
        (Some(share), None) => UnsealMaterial::Share(share),
        (None, Some(p)) => UnsealMaterial::Passphrase(p),
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_unseal",
                "give exactly one of share or passphrase",
            ));
        }
    };
    let _guard = s.unseal_lock.lock().await;
    Ok(Json(
        s.vault
            .unseal_attempt(material, &client.ip, client.request_id)
            .await?,
    ))
}
