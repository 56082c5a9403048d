//! The core's one error type. Messages never contain PII values: they name fields, never values.
//!
//! Why access was denied ([`ForbiddenReason`]), which rule a conflict hit ([`ConflictKind`]) and
//! why unsealing failed ([`UnsealError`]) are enums, not strings, so the edges match on meaning.
//! [`CoreError::class`] classifies every error once (kind, stable code, explanation); the JSON
//! API turns that into problem+json and the console only chooses how to render it.

mod class;
mod reasons;

pub use class::{ErrorClass, ErrorKind};
pub use reasons::{ConflictKind, ForbiddenReason, UnsealError};

use crate::store::StoreError;

/// A field that failed validation: its name, a stable code and a human explanation without the
/// value itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvalidField {
    /// The field's name (JSON path, e.g. `address.postal_code`).
    pub field: String,
    /// Stable machine-readable code, e.g. `invalid_phone`.
    pub code: &'static str,
    /// What is wrong, without echoing the value.
    pub message: String,
}

impl InvalidField {
    /// A new validation failure.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// Why a vault operation did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The vault is sealed: no key material in memory.
    #[error("the vault is sealed")]
    Sealed,
    /// The caller is not authenticated (missing, unknown, expired or revoked credential).
    #[error("authentication required")]
    Unauthenticated,
    /// The caller may not do this; the reason says which rule refused it.
    #[error("access denied: {0}")]
    Forbidden(ForbiddenReason),
    /// A reveal was asked for without a stated purpose.
    #[error("a purpose is required to reveal customer data")]
    PurposeRequired,
    /// No such record (or not visible to this caller).
    #[error("not found")]
    NotFound,
    /// The customer was erased (crypto-shredded).
    #[error("the customer was erased")]
    Erased,
    /// The input is invalid.
    #[error("invalid input")]
    Invalid(Vec<InvalidField>),
    /// The input contains a payment card number.
    #[error("payment card numbers are not accepted")]
    CardNumber,
    /// A stored free-text field holds a payment card number or CVV (found by the full detector).
    /// Names the field (JSON path), never the value.
    #[error("payment card data is not accepted in {field}")]
    CardInText {
        /// The JSON path of the field, e.g. `notes`.
        field: String,
    },
    /// The record changed concurrently, or a uniqueness rule was hit.
    #[error("conflict: {0}")]
    Conflict(ConflictKind),
    /// Unseal material was wrong or incomplete.
    #[error("unseal failed: {0}")]
    Unseal(UnsealError),
    /// Stored ciphertext could not be decrypted with the keys held (tampering or key loss).
    #[error("stored data failed integrity checks")]
    Integrity,
    /// A position or tree size outside the audit log, or a request the log cannot answer yet.
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// A staff login step failed (wrong password, unknown account, wrong or reused code). The
    /// message is the same for every reason so accounts cannot be enumerated.
    #[error("the e-mail, password or code is not correct")]
    LoginFailed,
    /// Too many failed login attempts from this account or address; retry after the delay.
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// Too many customer lookups by this API key or staff member; retry after the delay.
    #[error("too many lookups; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next lookup is accepted.
        retry_after_secs: u64,
    },
    /// The server is saturated (e.g. the password-hashing queue is full); retry shortly.
    #[error("busy; retry shortly")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CoreError {
    /// A single-field validation error.
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid(vec![InvalidField::new(field, code, message)])
    }

    /// Whether this is the refusal for want of a fresh TOTP step-up.
    pub fn is_step_up_required(&self) -> bool {
        matches!(self, CoreError::Forbidden(ForbiddenReason::StepUp))
    }
}

impl From<jaga_crypto::CryptoError> for CoreError {
    fn from(e: jaga_crypto::CryptoError) -> Self {
        use jaga_crypto::CryptoError as C;
        match e {
            C::Unseal(why) => CoreError::Unseal(UnsealError::Material(why)),
            C::Malformed | C::Decrypt | C::Encoding(_) => CoreError::Integrity,
        }
    }
}
