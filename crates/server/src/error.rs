//! RFC 9457 problem details: the one error shape of the HTTP edge.
//!
//! Every error has a stable `code`. Messages never contain submitted values; internal errors
//! are logged (without PII) and reported as a bare 500 with the request id.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jaga_core::{CoreError, ErrorKind, InvalidField};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem details body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI identifying the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    /// Explanation for this occurrence (never contains submitted values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InvalidField>,
}

/// An error at the HTTP edge.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: Option<String>,
    errors: Vec<InvalidField>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: Some(detail.into()),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// Adds a `Retry-After` header (seconds).
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl From<CoreError> for ApiError {
    /// Maps the core's one classification ([`CoreError::class`]) to a status; logs faults
    /// (without PII) and never shows their internals.
    fn from(e: CoreError) -> Self {
        let class = e.class();
        if class.fault {
            match &e {
                CoreError::Integrity => {
                    tracing::error!("stored ciphertext failed authentication: possible tampering")
                }
                other => tracing::error!(error = %other, code = class.code, "core fault"),
            }
        }
        Self {
            status: status_of(class.kind),
            code: class.code,
            detail: Some(class.detail.into_owned()),
            errors: class.errors,
            retry_after: class.retry_after,
        }
    }
}

/// The HTTP status of each kind of core error.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    use StatusCode as S;
    match kind {
        ErrorKind::BadRequest => S::BAD_REQUEST,
        ErrorKind::Unauthenticated => S::UNAUTHORIZED,
        ErrorKind::Forbidden => S::FORBIDDEN,
        ErrorKind::NotFound => S::NOT_FOUND,
        ErrorKind::Gone => S::GONE,
        ErrorKind::Conflict => S::CONFLICT,
        ErrorKind::Unprocessable => S::UNPROCESSABLE_ENTITY,
        ErrorKind::TooManyRequests => S::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => S::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => S::INTERNAL_SERVER_ERROR,
    }
}

/// The refusal of a request that contains a payment card number.
pub fn card_number() -> ApiError {
    CoreError::CardNumber.into()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("https://jaga.dev/problems/{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            code: self.code.to_string(),
            detail: self.detail,
            errors: self.errors,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
