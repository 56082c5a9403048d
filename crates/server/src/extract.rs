//! Extractors: the authenticated caller, and JSON bodies that pass the card guard.

use crate::AppState;
use crate::error::{ApiError, card_number};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use jaga_core::CoreError;
use jaga_core::auth::Caller;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The request id, set by the request-id middleware.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// An authenticated caller: an API key in `Authorization: Bearer …`, or a staff session cookie
/// (`__Host-jaga_session`) with, on state-changing methods, the session's `X-CSRF-Token` header.
pub struct Authed(pub Caller);

/// Whether a method changes state (and so needs the CSRF token with a session cookie).
pub fn is_unsafe(method: &http::Method) -> bool {
    !matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
    )
}

/// The value of the staff session cookie, if the request carries one.
pub fn session_cookie(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == jaga_core::staff::SESSION_COOKIE)
        .map(|(_, v)| v.trim().to_string())
}

/// The CSRF token sent in the `X-CSRF-Token` header.
pub fn csrf_header(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(jaga_core::staff::CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The client's address, for throttling, sessions and the audit log; the one rule for the API
/// and the console. Without `behind_proxy` it is the socket peer and any `X-Forwarded-For` is
/// ignored (a client could forge it). With `behind_proxy` it is the last address of the last
/// `X-Forwarded-For` header (the one the trusted proxy appended); when that is missing or not
/// an address, the peer (the proxy itself).
pub fn client_address(
    headers: &http::HeaderMap,
    extensions: &http::Extensions,
    behind_proxy: bool,
) -> String {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = behind_proxy
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .and_then(|v| v.parse::<std::net::IpAddr>().ok())
        })
        .flatten();
    forwarded
        .or(peer)
        .map(|ip| match ip {
            // One client, one key: an IPv4-mapped IPv6 peer is its IPv4 address.
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
            v4 => v4,
        })
        .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

/// The client as the staff service sees it: address ([`client_address`]), user agent (at most
/// 200 characters, no control characters) and request id.
pub fn client_info(
    headers: &http::HeaderMap,
    extensions: &http::Extensions,
    behind_proxy: bool,
    request_id: Option<String>,
) -> jaga_core::staff::ClientInfo {
    let user_agent = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    jaga_core::staff::ClientInfo {
        ip: client_address(headers, extensions, behind_proxy),
        user_agent,
        request_id,
    }
}

/// The client's address and user agent (see [`client_address`]).
#[derive(Debug, Clone)]
pub struct Client(pub jaga_core::staff::ClientInfo);

impl FromRequestParts<Arc<AppState>> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        Ok(Client(client_info(
            &parts.headers,
            &parts.extensions,
            state.config.behind_proxy,
            parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        )))
    }
}

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        if let Some(pre) = parts.extensions.get::<crate::idempotency::PreAuthed>() {
            // Authenticated by the Idempotency-Key middleware for this very request.
            return Ok(Authed(pre.0.clone()));
        }
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        let bearer = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if bearer.is_none()
            && let Some(cookie) = session_cookie(&parts.headers)
        {
            let caller = state
                .staff
                .authenticate(
                    &cookie,
                    csrf_header(&parts.headers).as_deref(),
                    is_unsafe(&parts.method),
                    request_id,
                )
                .await
                .inspect_err(|e| {
                    if matches!(e, CoreError::Unauthenticated) {
                        state.metrics.auth_failures.inc();
                    }
                })?;
            parts.extensions.insert(caller.clone());
            return Ok(Authed(caller));
        }
        let header = bearer.ok_or(CoreError::Unauthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(CoreError::Unauthenticated)?;
        let address = client_address(&parts.headers, &parts.extensions, state.config.behind_proxy);
        let caller = state
            .vault
            .authenticate_from(
                &SecretString::from(token.trim().to_string()),
                request_id,
                Some(&address),
            )
            .await
            .inspect_err(|e| {
                if matches!(e, CoreError::Unauthenticated) {
                    state.metrics.auth_failures.inc();
                }
            })?;
        parts.extensions.insert(caller.clone());
        Ok(Authed(caller))
    }
}

/// A JSON body, checked for card numbers before it is parsed into `T`.
///
/// Malformed JSON is 400 `malformed_json`; a card number anywhere is 422
/// `card_number_not_allowed` (audited with the JSON path, never the number); a body that does
/// not fit `T` (unknown fields, wrong types) is 422 `invalid_request`; an oversized body is 413.
pub struct GuardedJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for GuardedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ));
        }
        let caller = req.extensions().get::<Caller>().cloned();
        let bytes = bytes::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the body must be at most {} bytes", state.config.body_limit),
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "the request body could not be read",
                )
            }
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!(
                    "the body is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if let Some(path) = jaga_core::guard::find_card_number_in_body(&bytes, &value) {
            state.metrics.card_rejections.inc();
            if let Some(caller) = caller {
                state.vault.refuse_card_number(&caller, None, &path).await?;
            }
            return Err(card_number());
        }
        serde_json::from_value(value).map(GuardedJson).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                describe(&e),
            )
        })
    }
}

/// A description of a body/schema mismatch that names fields but never echoes values.
fn describe(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("unknown field") || msg.starts_with("missing field") {
        // These messages contain field names only.
        msg.split(" at line")
            .next()
            .unwrap_or("the body does not match the schema")
            .to_string()
    } else {
        "a value has the wrong type or shape for its field; see /openapi.json".to_string()
    }
}
