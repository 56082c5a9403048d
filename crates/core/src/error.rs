//! The core's one error type. Messages never contain PII values: they name fields, never values.

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
#[non_exhaustive]
pub enum CoreError {
    /// The vault is sealed: no key material in memory.
    #[error("the vault is sealed")]
    Sealed,
    /// The caller is not authenticated (missing, unknown, expired or revoked credential).
    #[error("authentication required")]
    Unauthenticated,
    /// The caller lacks a permission.
    #[error("missing permission: {0}")]
    Forbidden(&'static str),
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
    Conflict(&'static str),
    /// Unseal material was wrong or incomplete.
    #[error("unseal failed: {0}")]
    Unseal(String),
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
    /// The action needs a TOTP step-up within the last few minutes.
    #[error("this action needs a fresh second-factor confirmation (step-up)")]
    StepUpRequired,
    /// The staff member has not accepted the current confidentiality agreement.
    #[error("accept the confidentiality agreement before viewing customer data")]
    AgreementRequired,
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
}
