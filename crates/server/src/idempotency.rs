//! `Idempotency-Key` on POST (the rules are `jaga_core::vault::idempotency`'s).
//!
//! A POST with the header from an authenticated caller (API key or staff session) runs once per
//! key: a retry with the same key and body gets the first answer again (with
//! `Idempotent-Replayed: true`), the same key with another body is 422
//! `idempotency_key_reused`, and a retry while the first still runs is 409
//! `idempotency_in_progress` with `Retry-After`. A malformed key is 400
//! `invalid_idempotency_key`. Requests without the header, other methods, and POSTs without
//! a valid credential (sign-in, unseal) pass through untouched: a key is always the caller's.
//! Answers that carry a `Set-Cookie` (session changes) are never kept.
//!
//! This middleware runs inside `run_to_completion`, so a client that hangs up cannot leave its
//! key claimed without an answer.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Authed;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jaga_core::auth::Caller;
use jaga_core::vault::idempotency::{self as idem, Answer, Begin};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The response header on a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// The largest answer kept for replay (larger answers are returned but not kept).
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// How often expired records are purged (at most), ms.
const PURGE_EVERY_MS: i64 = 60 * 60 * 1000;

/// The caller the middleware authenticated, reused by [`Authed`] so a request is
/// authenticated once.
#[derive(Clone)]
pub(crate) struct PreAuthed(pub(crate) Caller);

/// The middleware (see the module documentation).
pub async fn layer(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match raw.to_str().ok().map(|k| (k, idem::check_key(k))) {
        Some((k, Ok(()))) => k.to_string(),
        Some((_, Err(e))) => return invalid_key(&e.to_string()),
        None => return invalid_key("an Idempotency-Key must be printable ASCII"),
    };
    let (mut parts, body) = req.into_parts();
    let caller = match Authed::from_request_parts(&mut parts, &state).await {
        Ok(Authed(c)) => c,
        // No credential (sign-in, unseal) or a bad one: the handler answers as without a key.
        Err(_) => return next.run(Request::from_parts(parts, body)).await,
    };
    let Ok(bytes) = to_bytes(body, state.config.body_limit).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body must be at most {} bytes", state.config.body_limit),
        )
        .into_response();
    };
    purge_now_and_then(&state);
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
    let begun = state
        .vault
        .idempotency_begin(
            &caller,
            &key,
            idem::Request {
                method: "POST",
                path: &path,
                body: &bytes,
            },
        )
        .await;
    let ticket = match begun {
        Err(e) => return ApiError::from(e).into_response(),
        Ok(Begin::Mismatch) => {
            return ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request; use a new key",
            )
            .into_response();
        }
        Ok(Begin::InProgress) => {
            return ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still running; retry shortly",
            )
            .retry_after(1)
            .into_response();
        }
        Ok(Begin::Replay(answer)) => return replay(answer),
        Ok(Begin::Proceed(t)) => t,
    };
    let keep = answer_is_kept(parts.uri.path());
    parts.extensions.insert(PreAuthed(caller));
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (rparts, rbody) = res.into_parts();
    let kept = match to_bytes(rbody, MAX_ANSWER).await {
        Ok(b) => b,
        Err(_) => {
            let _ = state.vault.idempotency_finish(ticket, &unkept()).await;
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the answer could not be read",
            )
            .into_response();
        }
    };
    let header_str = |name: header::HeaderName| {
        rparts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let answer = if rparts.headers.contains_key(header::SET_COOKIE) {
        // Credentials are never stored for replay: a retry runs again.
        unkept()
    } else if !keep {
        // Answers that carry decrypted or caller-supplied data are never replayed: a replay
        // would skip the role, segment and detection checks a retry goes through again.
        unkept()
    } else {
        Answer {
            status: rparts.status.as_u16(),
            content_type: header_str(header::CONTENT_TYPE),
            location: header_str(header::LOCATION),
            body: kept.to_vec(),
        }
    };
    if let Err(e) = state.vault.idempotency_finish(ticket, &answer).await {
        // The request itself is done (and durable when it succeeded): answer it. The key stays
        // pending until its lease runs out, then a retry runs again.
        tracing::warn!(error = %e, "could not record the answer for an Idempotency-Key");
    }
    Response::from_parts(rparts, Body::from(kept))
}

/// Whether the answer of a POST to `path` is kept for replay. Only writes are: a POST that
/// reads (`/v1/tokens/resolve` answers plaintext identifiers) or echoes its input
/// (`/v1/redact`, `/v1/mail/analyze`) is safe to run again (the bank file of
/// `/v1/payouts/export` is made once: a retry finds nothing left to export), and keeping its answer would let a
/// retry after a role or segment change read what the caller may no longer see. The customer
/// export (`/v1/customers/{id}/export`) answers every field in plain text: keeping it would
/// store that plaintext and replay it without the step-up, segment check and audit event.
fn answer_is_kept(path: &str) -> bool {
    let export = path
        .strip_prefix("/v1/customers/")
        .and_then(|rest| rest.strip_suffix("/export"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'));
    // Answers that hand out a secret (recovery codes, a TOTP secret, an invitation link) are
    // not kept either: a second sealed copy of a credential for a day serves no retry.
    let secret = path.starts_with("/v1/auth/")
        || path.starts_with("/v1/invitations/")
        || path == "/v1/staff";
    !export
        && !secret
        && !matches!(
            path,
            "/v1/tokens/resolve" | "/v1/redact" | "/v1/mail/analyze" | "/v1/payouts/export"
        )
}

/// An answer that is not kept: the claim is released (see [`Answer::keep`]).
fn unkept() -> Answer {
    Answer {
        status: 500,
        content_type: None,
        location: None,
        body: Vec::new(),
    }
}

fn invalid_key(detail: &str) -> Response {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_idempotency_key",
        detail.to_string(),
    )
    .into_response()
}

fn replay(a: Answer) -> Response {
    let mut res = Response::new(Body::from(a.body));
    *res.status_mut() = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, a.content_type),
        (header::LOCATION, a.location),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            h.insert(name, v);
        }
    }
    h.insert(REPLAYED, HeaderValue::from_static("true"));
    res
}

/// Deletes expired records at most once an hour per process, in the background.
fn purge_now_and_then(state: &Arc<AppState>) {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = jaga_core::now_ms();
    let last = LAST.load(Ordering::Relaxed);
    if now - last < PURGE_EVERY_MS
        || LAST
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return;
    }
    let vault = state.vault.clone();
    tokio::spawn(async move {
        if let Err(e) = vault.idempotency_purge().await {
            tracing::warn!(error = %e, "purging expired Idempotency-Key records failed");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::answer_is_kept;

    #[test]
    fn answers_holding_plaintext_are_never_kept() {
        for p in [
            "/v1/customers/0b7e4c1a-1111-4222-8333-944455556666/export",
            "/v1/tokens/resolve",
            "/v1/redact",
            "/v1/mail/analyze",
            "/v1/payouts/export",
            "/v1/auth/recovery-codes",
            "/v1/auth/totp/replace",
            "/v1/invitations/accept",
            "/v1/staff",
        ] {
            assert!(!answer_is_kept(p), "{p} must not be kept");
        }
        for p in [
            "/v1/customers",
            "/v1/customers/0b7e4c1a-1111-4222-8333-944455556666/orders",
            "/v1/customers/0b7e4c1a-1111-4222-8333-944455556666/segment",
            "/v1/staff/0b7e4c1a-1111-4222-8333-944455556666/disable",
        ] {
            assert!(answer_is_kept(p), "{p} is a write and is kept");
        }
    }
}
