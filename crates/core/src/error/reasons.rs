//! The typed reasons inside [`super::CoreError`]: why access was denied, which conflict was hit,
//! why unsealing failed. None of them carries a value from the data.

use crate::auth::Scope;
use std::fmt;

/// Which rule refused an action. Each reason has its own stable problem code (see
/// [`super::CoreError::class`]) and the field its audited refusal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenReason {
    /// The API key (or the staff member's role) lacks a scope.
    Scope(Scope),
    /// A state-changing session request came without the session's CSRF token.
    Csrf,
    /// The endpoint needs a staff session (an API key or no session was used).
    StaffSession,
    /// Only an admin may do this.
    Admin,
    /// Only the operator at the machine (the `jaga` CLI) may do this, e.g. manage API keys and
    /// the keyring.
    Operator,
    /// Another role is needed (e.g. the team activity view is a cs_manager's).
    Role,
    /// The customer's segment is outside the staff member's segments.
    Segment,
    /// The role's field view does not allow this on a field (reveal a masked-only field, write a
    /// hidden one).
    FieldView,
    /// The action needs a fresh TOTP step-up.
    StepUp,
    /// The current confidentiality agreement has not been accepted.
    Agreement,
    /// The role cannot see the field it tried to look customers up by.
    LookupField,
    /// Four eyes: the member asked for this themselves (a payout they created, a bank-detail
    /// change they requested), or approved it already.
    FourEyes,
}

impl ForbiddenReason {
    /// The word an audited refusal records in its `fields` by default, e.g. `customers:reveal`
    /// or `step_up` (none for a CSRF refusal, whose action says it all). Never a value.
    pub fn audit_field(self) -> Option<&'static str> {
        Some(match self {
            ForbiddenReason::Scope(s) => s.name(),
            ForbiddenReason::Csrf => return None,
            ForbiddenReason::StaffSession => "staff",
            ForbiddenReason::Admin | ForbiddenReason::Role => "role",
            ForbiddenReason::Operator => "operator",
            ForbiddenReason::Segment => "segment",
            ForbiddenReason::FieldView => "field_view",
            ForbiddenReason::StepUp => "step_up",
            ForbiddenReason::Agreement => "agreement",
            ForbiddenReason::LookupField => "lookup_field",
            ForbiddenReason::FourEyes => "four_eyes",
        })
    }
}

impl fmt::Display for ForbiddenReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForbiddenReason::Scope(s) => write!(f, "missing scope {s}"),
            ForbiddenReason::Csrf => f.write_str("missing or wrong CSRF token"),
            ForbiddenReason::StaffSession => f.write_str("a staff session is required"),
            ForbiddenReason::Admin => f.write_str("only an admin may do this"),
            ForbiddenReason::Role => f.write_str("the role may not do this"),
            ForbiddenReason::Operator => {
                f.write_str("only the operator at the machine may do this")
            }
            ForbiddenReason::Segment => f.write_str("outside the caller's segments"),
            ForbiddenReason::FieldView => f.write_str("the role's field view does not allow it"),
            ForbiddenReason::StepUp => f.write_str("a fresh second-factor step-up is required"),
            ForbiddenReason::Agreement => {
                f.write_str("the confidentiality agreement must be accepted first")
            }
            ForbiddenReason::LookupField => f.write_str("the role cannot see the lookup field"),
            ForbiddenReason::FourEyes => f.write_str("another member must do this (four eyes)"),
        }
    }
}

/// Which rule a conflicting request hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// The same value was tokenized by a concurrent request.
    TokenRace,
    /// No unused customer code could be allocated.
    CustomerCode,
    /// The customer changed since it was read.
    CustomerChanged,
    /// The record changed since it was read (optimistic concurrency).
    Concurrent,
    /// The customer already has an order with this `order_ref`.
    OrderRef,
    /// The active KEK cannot be retired.
    ActiveKey,
    /// Data keys are still wrapped under the KEK version.
    KeyInUse,
    /// The accepted agreement version is not the current one.
    AgreementVersion,
    /// A staff account with this e-mail exists.
    StaffEmail,
    /// The first admin exists already.
    AdminExists,
    /// An admin tried the action on their own account.
    OwnAccount,
    /// A held event was approved or declined already.
    AlreadyDecided,
    /// The data-subject request is closed already.
    RequestClosed,
}

impl ConflictKind {
    /// What happened and what to do, for people (no values).
    pub fn message(self) -> &'static str {
        match self {
            ConflictKind::TokenRace => {
                "the same value was tokenized concurrently; retry the request"
            }
            ConflictKind::CustomerCode => "could not allocate a unique customer code",
            ConflictKind::CustomerChanged => {
                "the customer changed meanwhile; read it again and retry"
            }
            ConflictKind::Concurrent => "the record changed meanwhile; retry",
            ConflictKind::OrderRef => {
                "an order with this order_ref already exists for the customer"
            }
            ConflictKind::ActiveKey => "the active key cannot be retired; rotate first",
            ConflictKind::KeyInUse => {
                "customer keys are still wrapped under this version; run `jaga keys rotate` to finish re-wrapping"
            }
            ConflictKind::AgreementVersion => "that is not the current agreement; read it again",
            ConflictKind::StaffEmail => "a staff account with this e-mail already exists",
            ConflictKind::AdminExists => "an admin account already exists",
            ConflictKind::OwnAccount => "you cannot do this to your own account",
            ConflictKind::AlreadyDecided => "this event was decided already",
            ConflictKind::RequestClosed => "the request is closed already",
        }
    }
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Why unsealing did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnsealError {
    /// The root key (from a file, a passphrase or shares) is not this installation's.
    #[error("the key does not match this installation")]
    WrongKey,
    /// The keyring has no blind-index key.
    #[error("the keyring has no blind-index key; run `jaga init`")]
    NoIndexKey,
    /// The keyring has no active KEK.
    #[error("the keyring has no active key; run `jaga init`")]
    NoActiveKey,
    /// A passphrase was given to an installation that uses another method.
    #[error("this installation does not use a passphrase")]
    NotPassphrase,
    /// A share was given to an installation that uses another method.
    #[error("this installation does not use Shamir shares")]
    NotShamir,
    /// `unseal.json` cannot be read.
    #[error("unseal.json is corrupt")]
    CorruptConfig,
    /// The share was not made for this installation.
    #[error("the share does not belong to this installation")]
    ForeignShare,
    /// The key derivation was interrupted (the blocking task did not finish).
    #[error("the key derivation did not finish")]
    Interrupted,
    /// The material itself is wrong (wrong passphrase, malformed share, …).
    #[error("{0}")]
    Material(&'static str),
}
