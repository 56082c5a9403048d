//! The one classification of [`CoreError`]: which kind of failure it is, its stable code and
//! an explanation without values. HTTP-free: the server maps [`ErrorKind`] to a status and
//! writes problem+json; the console maps it to a page; the CLI prints the explanation.

use super::{ConflictKind, CoreError, ForbiddenReason, InvalidField};
use crate::store::StoreError;
use std::borrow::Cow;

/// The broad kind of a failure; each edge maps it to its own form (HTTP status, page, exit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or incomplete (HTTP 400).
    BadRequest,
    /// No valid credential (HTTP 401).
    Unauthenticated,
    /// The caller may not do this (HTTP 403).
    Forbidden,
    /// No such record, or not visible to the caller (HTTP 404).
    NotFound,
    /// The record existed and was erased (HTTP 410).
    Gone,
    /// A uniqueness or concurrency rule was hit (HTTP 409).
    Conflict,
    /// The input is well-formed but not acceptable (HTTP 422).
    Unprocessable,
    /// Too many attempts; retry later (HTTP 429).
    TooManyRequests,
    /// Jaga cannot serve this now: sealed, busy, database down (HTTP 503).
    Unavailable,
    /// A fault on Jaga's side (HTTP 500).
    Internal,
}

/// An error classified for an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorClass {
    /// The kind.
    pub kind: ErrorKind,
    /// The stable machine-readable code, e.g. `missing_scope` (the problem `code` and the last
    /// segment of its `type`).
    pub code: &'static str,
    /// The explanation for people; never contains submitted or stored values.
    pub detail: Cow<'static, str>,
    /// Field-level validation errors.
    pub errors: Vec<InvalidField>,
    /// Seconds after which a retry may succeed.
    pub retry_after: Option<u64>,
    /// Whether this is a fault on Jaga's side that the edge must log (without PII).
    pub fault: bool,
}

impl ErrorClass {
    fn new(kind: ErrorKind, code: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            fault: false,
        }
    }

    fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    fn fault(mut self) -> Self {
        self.fault = true;
        self
    }
}

/// The explanation of a refusal of a request that carries a payment card number.
pub const CARD_NUMBER_DETAIL: &str = "payment card numbers must never be sent to Jaga; send the gateway token, brand and last 4 digits instead";

impl ForbiddenReason {
    /// The stable code and explanation of this refusal.
    pub fn code_and_detail(self) -> (&'static str, Cow<'static, str>) {
        match self {
            ForbiddenReason::Scope(s) => (
                "missing_scope",
                format!("the credential used lacks the scope {s}").into(),
            ),
            ForbiddenReason::Csrf => (
                "csrf_failed",
                "state-changing requests with a session need the session's X-CSRF-Token header"
                    .into(),
            ),
            ForbiddenReason::StaffSession => (
                "staff_session_required",
                "this endpoint needs a staff session".into(),
            ),
            ForbiddenReason::Admin => ("admin_required", "only an admin may manage staff".into()),
            ForbiddenReason::Role => ("role_not_allowed", "your role may not do this".into()),
            ForbiddenReason::Operator => (
                "operator_required",
                "only the operator may do this, with the `jaga` command on the server".into(),
            ),
            ForbiddenReason::Segment => (
                "segment_not_allowed",
                "you may only create customers in your own segments".into(),
            ),
            // Kept as `missing_scope` (the code clients already know): the role's view of the
            // field withholds the reveal or write permission for it.
            ForbiddenReason::FieldView => (
                "missing_scope",
                "your role's field view does not allow this on one of the fields".into(),
            ),
            ForbiddenReason::StepUp => (
                "step_up_required",
                "confirm with a fresh TOTP code first (POST /v1/auth/step-up)".into(),
            ),
            ForbiddenReason::Agreement => (
                "agreement_required",
                "accept the confidentiality agreement first (POST /v1/agreement/accept)".into(),
            ),
            ForbiddenReason::LookupField => (
                "field_not_visible",
                "your role cannot see this field, so it cannot look customers up by it".into(),
            ),
            ForbiddenReason::FourEyes => (
                "four_eyes_required",
                "you requested or approved this yourself: another finance or admin member must do it"
                    .into(),
            ),
        }
    }
}

impl CoreError {
    /// Classifies this error: kind, stable code, explanation. The one place that decides how
    /// every core error is presented; both the JSON API and the console use it.
    pub fn class(&self) -> ErrorClass {
        use ErrorKind as K;
        match self {
            CoreError::Sealed => ErrorClass::new(
                K::Unavailable,
                "sealed",
                "the vault is sealed; unseal it with `jaga unseal` or POST /v1/sys/unseal",
            ),
            CoreError::Unauthenticated => ErrorClass::new(
                K::Unauthenticated,
                "unauthenticated",
                "a valid API key (Authorization: Bearer jaga_…) or staff session is required",
            ),
            CoreError::Forbidden(reason) => {
                let (code, detail) = reason.code_and_detail();
                ErrorClass::new(K::Forbidden, code, detail)
            }
            CoreError::LoginFailed => ErrorClass::new(
                K::Unauthenticated,
                "login_failed",
                "the e-mail, password or code is not correct",
            ),
            CoreError::Throttled { retry_after_secs } => ErrorClass::new(
                K::TooManyRequests,
                "login_throttled",
                format!("too many failed attempts; retry in {retry_after_secs} s"),
            )
            .retry_after(*retry_after_secs),
            CoreError::RateLimited { retry_after_secs } => ErrorClass::new(
                K::TooManyRequests,
                "rate_limited",
                format!("too many lookups by this caller; retry in {retry_after_secs} s"),
            )
            .retry_after(*retry_after_secs),
            CoreError::Busy => {
                ErrorClass::new(K::Unavailable, "busy", "the server is busy; retry shortly")
                    .retry_after(1)
            }
            CoreError::PurposeRequired => ErrorClass::new(
                K::BadRequest,
                "purpose_required",
                "revealing data needs an X-Jaga-Purpose header (3–500 characters) saying why",
            ),
            CoreError::NotFound => ErrorClass::new(K::NotFound, "not_found", "no such record"),
            CoreError::Erased => ErrorClass::new(K::Gone, "erased", "this customer was erased"),
            CoreError::Invalid(errors) => ErrorClass {
                errors: errors.clone(),
                ..ErrorClass::new(K::Unprocessable, "invalid_input", "some values are invalid")
            },
            CoreError::CardNumber => card_number(),
            CoreError::CardInText { field } => ErrorClass {
                errors: vec![InvalidField::new(
                    field.clone(),
                    "card_number_not_allowed",
                    "holds a payment card number or CVV; remove it (keep only the gateway token, brand and last 4 digits)",
                )],
                ..card_number()
            },
            CoreError::Conflict(kind) => ErrorClass::new(K::Conflict, "conflict", kind.message()),
            CoreError::Store(StoreError::Concurrent) => {
                ErrorClass::new(K::Conflict, "conflict", ConflictKind::Concurrent.message())
            }
            CoreError::OutOfRange(msg) => {
                ErrorClass::new(K::BadRequest, "out_of_range", msg.clone())
            }
            CoreError::Unseal(why) => {
                ErrorClass::new(K::BadRequest, "unseal_failed", why.to_string())
            }
            CoreError::Integrity => ErrorClass::new(
                K::Internal,
                "integrity_error",
                "stored data failed its integrity check; the event was logged",
            )
            .fault(),
            // A call the configured databases cannot do in one transaction (e.g. a move or a
            // batch across segment databases): refused before anything is written.
            CoreError::Store(StoreError::Unsupported(what)) => ErrorClass::new(
                K::Unprocessable,
                "unsupported",
                format!("not possible with this configuration: {what}"),
            ),
            CoreError::Store(_) => ErrorClass::new(
                K::Unavailable,
                "database_unavailable",
                "the database is unavailable; try again",
            )
            .fault(),
        }
    }
}

/// The class of a refused payment card number.
fn card_number() -> ErrorClass {
    ErrorClass::new(
        ErrorKind::Unprocessable,
        "card_number_not_allowed",
        CARD_NUMBER_DETAIL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;
    use crate::error::UnsealError;

    /// The codes and kinds clients depend on: one row per variant (and per refusal reason), so
    /// a change of any is a deliberate edit here.
    #[test]
    fn every_error_has_its_pinned_kind_and_code() {
        use ErrorKind as K;
        let cases: Vec<(CoreError, K, &str)> = vec![
            (CoreError::Sealed, K::Unavailable, "sealed"),
            (
                CoreError::Unauthenticated,
                K::Unauthenticated,
                "unauthenticated",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Scope(Scope::CustomersReveal)),
                K::Forbidden,
                "missing_scope",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Csrf),
                K::Forbidden,
                "csrf_failed",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::StaffSession),
                K::Forbidden,
                "staff_session_required",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Admin),
                K::Forbidden,
                "admin_required",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Role),
                K::Forbidden,
                "role_not_allowed",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Operator),
                K::Forbidden,
                "operator_required",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Segment),
                K::Forbidden,
                "segment_not_allowed",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::FieldView),
                K::Forbidden,
                "missing_scope",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::StepUp),
                K::Forbidden,
                "step_up_required",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::Agreement),
                K::Forbidden,
                "agreement_required",
            ),
            (
                CoreError::PurposeRequired,
                K::BadRequest,
                "purpose_required",
            ),
            (CoreError::NotFound, K::NotFound, "not_found"),
            (CoreError::Erased, K::Gone, "erased"),
            (
                CoreError::Invalid(vec![]),
                K::Unprocessable,
                "invalid_input",
            ),
            (
                CoreError::CardNumber,
                K::Unprocessable,
                "card_number_not_allowed",
            ),
            (
                CoreError::CardInText {
                    field: "notes".into(),
                },
                K::Unprocessable,
                "card_number_not_allowed",
            ),
            (
                CoreError::Conflict(ConflictKind::OrderRef),
                K::Conflict,
                "conflict",
            ),
            (
                CoreError::Store(StoreError::Concurrent),
                K::Conflict,
                "conflict",
            ),
            (
                CoreError::Store(StoreError::Unsupported("x")),
                K::Unprocessable,
                "unsupported",
            ),
            (
                CoreError::OutOfRange("x".into()),
                K::BadRequest,
                "out_of_range",
            ),
            (
                CoreError::Unseal(UnsealError::WrongKey),
                K::BadRequest,
                "unseal_failed",
            ),
            (CoreError::Integrity, K::Internal, "integrity_error"),
            (CoreError::LoginFailed, K::Unauthenticated, "login_failed"),
            (
                CoreError::Throttled {
                    retry_after_secs: 7,
                },
                K::TooManyRequests,
                "login_throttled",
            ),
            (CoreError::Busy, K::Unavailable, "busy"),
            (
                CoreError::RateLimited {
                    retry_after_secs: 3,
                },
                K::TooManyRequests,
                "rate_limited",
            ),
            (
                CoreError::Forbidden(ForbiddenReason::LookupField),
                K::Forbidden,
                "field_not_visible",
            ),
            (
                CoreError::Store(StoreError::Database("down".into())),
                K::Unavailable,
                "database_unavailable",
            ),
        ];
        for (err, kind, code) in cases {
            let c = err.class();
            assert_eq!((c.kind, c.code), (kind, code), "{err:?}");
            assert!(!c.detail.is_empty());
        }
        assert_eq!(
            CoreError::Throttled {
                retry_after_secs: 7
            }
            .class()
            .retry_after,
            Some(7)
        );
        assert!(CoreError::Integrity.class().fault);
        assert!(!CoreError::NotFound.class().fault);
    }

    /// A staff user refused by their role is not told about "this API key".
    #[test]
    fn refusal_explanations_do_not_assume_an_api_key() {
        for reason in [
            ForbiddenReason::Scope(Scope::AuditRead),
            ForbiddenReason::FieldView,
            ForbiddenReason::Role,
            ForbiddenReason::Admin,
        ] {
            let c = CoreError::Forbidden(reason).class();
            assert!(!c.detail.contains("API key"), "{reason:?}: {}", c.detail);
        }
    }

    /// A database failure's message (which may quote SQL) never reaches the explanation.
    #[test]
    fn store_failures_hide_their_message() {
        let c = CoreError::Store(StoreError::Database("relation customers: secret".into())).class();
        assert!(!c.detail.contains("secret"));
        assert!(c.fault);
    }
}
