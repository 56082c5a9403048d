//! RFC 9457 problem details: the one error shape of the HTTP edge.
//!
//! Every error has a stable `code`. Messages never contain submitted values; internal errors
//! are logged (without PII) and reported as a bare 500 with the request id.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jaga_core::store::StoreError;
use jaga_core::{CoreError, InvalidField};
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
    fn from(e: CoreError) -> Self {
        use StatusCode as S;
        match e {
            CoreError::Sealed => Self::new(
                S::SERVICE_UNAVAILABLE,
                "sealed",
                "the vault is sealed; unseal it with `jaga unseal` or POST /v1/sys/unseal",
            ),
            CoreError::Unauthenticated => Self::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "a valid API key (Authorization: Bearer jaga_…) or staff session is required",
            ),
            CoreError::Forbidden("csrf") => Self::new(
                S::FORBIDDEN,
                "csrf_failed",
                "state-changing requests with a session need the session's X-CSRF-Token header",
            ),
            CoreError::Forbidden("staff:admin") => Self::new(
                S::FORBIDDEN,
                "admin_required",
                "only an admin may manage staff",
            ),
            CoreError::Forbidden("staff") => Self::new(
                S::FORBIDDEN,
                "staff_session_required",
                "this endpoint needs a staff session",
            ),
            CoreError::Forbidden("segment") => Self::new(
                S::FORBIDDEN,
                "segment_not_allowed",
                "you may only create customers in your own segments",
            ),
            CoreError::LoginFailed => Self::new(
                S::UNAUTHORIZED,
                "login_failed",
                "the e-mail, password or code is not correct",
            ),
            CoreError::Throttled { retry_after_secs } => Self::new(
                S::TOO_MANY_REQUESTS,
                "login_throttled",
                format!("too many failed attempts; retry in {retry_after_secs} s"),
            )
            .retry_after(retry_after_secs),
            CoreError::RateLimited { retry_after_secs } => Self::new(
                S::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many lookups by this caller; retry in {retry_after_secs} s"),
            )
            .retry_after(retry_after_secs),
            CoreError::Forbidden("lookup_field") => Self::new(
                S::FORBIDDEN,
                "field_not_visible",
                "your role cannot see this field, so it cannot look customers up by it",
            ),
            CoreError::StepUpRequired => Self::new(
                S::FORBIDDEN,
                "step_up_required",
                "confirm with a fresh TOTP code first (POST /v1/auth/step-up)",
            ),
            CoreError::AgreementRequired => Self::new(
                S::FORBIDDEN,
                "agreement_required",
                "accept the confidentiality agreement first (POST /v1/agreement/accept)",
            ),
            CoreError::Busy => Self::new(
                S::SERVICE_UNAVAILABLE,
                "busy",
                "the server is busy; retry shortly",
            )
            .retry_after(1),
            CoreError::Forbidden(scope) => Self::new(
                S::FORBIDDEN,
                "missing_scope",
                format!("this API key lacks the scope {scope}"),
            ),
            CoreError::PurposeRequired => Self::new(
                S::BAD_REQUEST,
                "purpose_required",
                "revealing data needs an X-Jaga-Purpose header (3–500 characters) saying why",
            ),
            CoreError::NotFound => Self::new(S::NOT_FOUND, "not_found", "no such record"),
            CoreError::Erased => Self::new(S::GONE, "erased", "this customer was erased"),
            CoreError::Invalid(errors) => Self {
                status: S::UNPROCESSABLE_ENTITY,
                code: "invalid_input",
                detail: Some("some values are invalid".into()),
                errors,
                retry_after: None,
            },
            CoreError::CardNumber => card_number(),
            CoreError::CardInText { field } => Self {
                errors: vec![InvalidField::new(
                    field,
                    "card_number_not_allowed",
                    "holds a payment card number or CVV; remove it (keep only the gateway token, brand and last 4 digits)",
                )],
                ..card_number()
            },
            CoreError::Conflict(msg) => Self::new(S::CONFLICT, "conflict", msg),
            CoreError::Store(StoreError::Concurrent) => Self::new(
                S::CONFLICT,
                "conflict",
                "the record changed meanwhile; retry",
            ),
            CoreError::OutOfRange(msg) => Self::new(S::BAD_REQUEST, "out_of_range", msg),
            CoreError::Unseal(msg) => Self::new(S::BAD_REQUEST, "unseal_failed", msg),
            CoreError::Integrity => {
                tracing::error!("stored ciphertext failed authentication: possible tampering");
                Self::new(
                    S::INTERNAL_SERVER_ERROR,
                    "integrity_error",
                    "stored data failed its integrity check; the event was logged",
                )
            }
            CoreError::Store(e) => {
                tracing::error!(error = %e, "store error");
                Self::new(
                    S::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database is unavailable; try again",
                )
            }
            other => {
                tracing::error!(error = %other, "unexpected core error");
                Self::new(S::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

/// The refusal of a request that contains a payment card number.
pub fn card_number() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "card_number_not_allowed",
        "payment card numbers must never be sent to Jaga; send the gateway token, brand and last 4 digits instead",
    )
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
