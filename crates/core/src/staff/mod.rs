//! Staff accounts: invitations, passwords (Argon2id), mandatory TOTP with recovery codes,
//! throttled logins, server-side sessions with CSRF tokens and step-up, the confidentiality
//! agreement, and the roles whose field views the vault enforces.
//!
//! [`StaffService`] is the one entry point. The server turns a session cookie into a
//! [`Caller`] with [`StaffService::authenticate`]; that caller carries a
//! [`crate::auth::StaffContext`] (role, segments, views, agreement, step-up), and the vault's
//! capabilities apply it: hidden fields are absent, other segments are "not found", nothing is
//! shown before the agreement is accepted, and reveals need a fresh step-up.
//!
//! Login flow: [`StaffService::login`] (e-mail + password) opens a *pending* session;
//! [`StaffService::second_factor`] (TOTP or recovery code) rotates it into an *active* one.
//! Invitation flow: [`StaffService::accept_invitation`] creates the account and an *enrolling*
//! session showing the TOTP secret and QR code; [`StaffService::confirm_totp`] activates the
//! account, rotates the session and returns the ten recovery codes, once.

mod admin;
mod hasher;
mod login;
mod pending;
mod policy;
mod policy_ack;
mod session;
mod shop;
pub(crate) mod throttle;
mod totp_replace;

pub use crate::roles::{FieldView, OrdersView, Policies, Role, RoleViews, parse_segments};
pub use policy::{MIN_PASSWORD_CHARS, check_password, common_password_count};
pub use policy_ack::{
    POLICY_HISTORY, PolicyVersion, diff as policy_diff, fingerprint as policy_fingerprint,
};
pub use throttle::{PENDING_MAX_FAILURES, SECOND_FACTOR_MAX_FAILURES, address_group};
pub use totp_replace::TotpReplacement;

use crate::CoreError;
use crate::auth::Caller;
use crate::clock::{Clock, SystemClock};
use crate::store::Store;
use crate::vault::Vault;
use jaga_crypto::password::PasswordParams;
use jaga_i18n::Lang;
use secrecy::SecretString;
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

/// Name of the session cookie. The `__Host-` prefix makes browsers insist on `Secure`,
/// `Path=/` and no `Domain`.
pub const SESSION_COOKIE: &str = "__Host-jaga_session";
/// Header carrying the CSRF token on state-changing JSON requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Form field carrying the CSRF token on console form posts.
pub const CSRF_FORM_FIELD: &str = "csrf_token";
/// Path of the console page that accepts an invitation; the token follows as `?token=…`.
pub const INVITE_PATH: &str = "/console/invite";

/// The confidentiality agreement staff must accept before seeing customer data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agreement {
    /// Version; accepting records it, and a new version requires acceptance again.
    pub version: String,
    /// Text in Bahasa Indonesia.
    pub text_id: String,
    /// Text in English.
    pub text_en: String,
}

impl Agreement {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.text_id,
            Lang::En => &self.text_en,
        }
    }
}

impl Default for Agreement {
    fn default() -> Self {
        Self {
            version: "2026-11-default-1".into(),
            text_id: jaga_i18n::default_agreement(Lang::Id).into(),
            text_en: jaga_i18n::default_agreement(Lang::En).into(),
        }
    }
}

/// Staff settings (from `[staff]` in `jaga.toml`).
#[derive(Debug, Clone)]
pub struct StaffConfig {
    /// Argon2id parameters for new hashes (at least OWASP's minimum); older hashes are upgraded
    /// at the next successful login.
    pub password_params: PasswordParams,
    /// Password hashes computed at once (each takes `m_kib` of memory).
    pub hash_concurrency: usize,
    /// Logins allowed to wait for a hashing slot before new ones get 503 `busy`.
    pub hash_queue: usize,
    /// Idle timeout of an active session, ms (default 30 min).
    pub idle_timeout_ms: i64,
    /// Absolute lifetime of a session, ms (default 12 h).
    pub absolute_timeout_ms: i64,
    /// Lifetime of a pending (password ok, code missing) or enrolling session, ms (5 min).
    pub pending_timeout_ms: i64,
    /// How recent a TOTP step-up must be for sensitive actions, ms (5 min).
    pub step_up_window_ms: i64,
    /// Lifetime of an invitation, ms (72 h).
    pub invitation_ttl_ms: i64,
    /// Lifetime of the bootstrap (first admin) invitation, ms (24 h).
    pub bootstrap_ttl_ms: i64,
    /// Issuer shown in authenticator apps.
    pub issuer: String,
    /// Words refused in passwords besides the e-mail and name (e.g. the shop's name).
    pub context_words: Vec<String>,
    /// Field views per role.
    pub policies: Policies,
    /// The confidentiality agreement.
    pub agreement: Agreement,
}

impl Default for StaffConfig {
    fn default() -> Self {
        Self {
            password_params: PasswordParams::OWASP_MIN,
            hash_concurrency: std::thread::available_parallelism()
                .map(|n| (n.get() / 2).max(1))
                .unwrap_or(1),
            hash_queue: 64,
            idle_timeout_ms: 30 * 60_000,
            absolute_timeout_ms: 12 * 3_600_000,
            pending_timeout_ms: 5 * 60_000,
            step_up_window_ms: 5 * 60_000,
            invitation_ttl_ms: 72 * 3_600_000,
            bootstrap_ttl_ms: 24 * 3_600_000,
            issuer: "Jaga".into(),
            context_words: vec!["jaga".into()],
            policies: Policies::default(),
            agreement: Agreement::default(),
        }
    }
}

/// Where a request comes from (for throttling, the session list and the audit log).
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// Client address (the socket peer, or the proxy's forwarded address with `--behind-proxy`).
    pub ip: String,
    /// User agent, truncated.
    pub user_agent: String,
    /// Request id, for the audit log.
    pub request_id: Option<String>,
}

/// A session to hand to the browser: the cookie value (secret) and its CSRF token.
#[derive(Debug)]
pub struct NewSession {
    /// Value of the [`SESSION_COOKIE`] cookie. Shown to nobody but the browser.
    pub cookie: SecretString,
    /// The CSRF token bound to this session (send as [`CSRF_HEADER`] or [`CSRF_FORM_FIELD`]).
    pub csrf: String,
    /// `pending_mfa`, `enrolling` or `active`.
    pub state: SessionState,
    /// Cookie lifetime in seconds (the session's remaining absolute lifetime).
    pub max_age_secs: i64,
}

/// The state of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Password accepted; a TOTP or recovery code is still needed.
    PendingMfa,
    /// Invitation accepted or MFA reset; TOTP enrolment must be confirmed.
    Enrolling,
    /// Fully logged in.
    Active,
}

impl SessionState {
    /// Stored name.
    pub fn name(self) -> &'static str {
        match self {
            SessionState::PendingMfa => "pending_mfa",
            SessionState::Enrolling => "enrolling",
            SessionState::Active => "active",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending_mfa" => Some(Self::PendingMfa),
            "enrolling" => Some(Self::Enrolling),
            "active" => Some(Self::Active),
            _ => None,
        }
    }
}

/// What to show for TOTP enrolment: the secret for manual entry and the `otpauth://` URI (the
/// edge draws its QR code: `jaga_server::totp`).
#[derive(Debug)]
pub struct TotpEnrolment {
    /// The secret in base32 (manual entry).
    pub secret: String,
    /// The `otpauth://totp/…` URI.
    pub otpauth_uri: String,
}

/// The result of the password step of a login.
#[derive(Debug)]
pub enum LoginStep {
    /// Enter a TOTP or recovery code next (pending session).
    SecondFactor(NewSession),
    /// TOTP enrolment was never confirmed: confirm it next (enrolling session).
    Enrol(NewSession, TotpEnrolment),
}

/// A second factor presented at login or step-up.
#[derive(Debug, Clone)]
pub enum SecondFactor {
    /// A 6-digit TOTP code.
    Totp(String),
    /// A recovery code (single use; not accepted for step-up).
    Recovery(SecretString),
}

/// The ten recovery codes, shown once.
#[derive(Debug)]
pub struct RecoveryCodes(pub Vec<SecretString>);

/// An invitation not yet accepted (never its token).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingInvitation {
    /// Invitation id.
    pub id: Uuid,
    /// Invited e-mail (`None` for the first admin's invitation).
    pub email: Option<String>,
    /// Role it grants.
    pub role: Role,
    /// Segments it restricts to (empty: every segment).
    pub segments: Vec<String>,
    /// Created, RFC 3339.
    pub created_at: String,
    /// Expires, RFC 3339.
    pub expires_at: String,
}

/// A staff member as shown to admins and to the member.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInfo {
    /// Id.
    pub id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Segments the member is restricted to (empty = every segment).
    pub segments: Vec<String>,
    /// Whether TOTP enrolment is confirmed.
    pub mfa_enrolled: bool,
    /// Version of the agreement accepted, if any.
    pub agreement_version: Option<String>,
    /// Whether the current agreement is accepted.
    pub agreement_ok: bool,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Created (RFC 3339).
    pub created_at: String,
}

/// One session as listed to its owner.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Public handle (to end this session).
    pub handle: Uuid,
    /// Whether this is the session making the request.
    pub current: bool,
    /// Client address at login.
    pub ip: String,
    /// User agent at login.
    pub user_agent: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last request (RFC 3339).
    pub last_seen_at: String,
}

/// A request to invite a staff member.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// E-mail of the invitee.
    pub email: String,
    /// Role to grant.
    pub role: Role,
    /// Segments to restrict to (empty = every segment).
    pub segments: Vec<String>,
}

/// A created invitation: the one-time token (shown once) and its details.
#[derive(Debug)]
pub struct Invitation {
    /// Public id.
    pub id: Uuid,
    /// The one-time token; the link is [`INVITE_PATH`]`?token=<token>`.
    pub token: SecretString,
    /// Role granted.
    pub role: Role,
    /// Invited e-mail (`None` for the bootstrap invitation).
    pub email: Option<String>,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

impl Invitation {
    /// The invitation link under `base_url` (e.g. `https://jaga.example.co.id`).
    pub fn link(&self, base_url: &str) -> String {
        use secrecy::ExposeSecret;
        format!(
            "{}{INVITE_PATH}?token={}",
            base_url.trim_end_matches('/'),
            self.token.expose_secret()
        )
    }
}

/// What an invitation grants, shown on the acceptance page before a password is chosen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInfo {
    /// Invited e-mail (`None`: the acceptor chooses it; bootstrap only).
    pub email: Option<String>,
    /// Role granted.
    pub role: Role,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

/// The staff service. One per process; cheap to share behind an `Arc`.
pub struct StaffService {
    vault: Arc<Vault>,
    config: StaffConfig,
    clock: Arc<dyn Clock>,
    hasher: hasher::Hasher,
    policy: std::sync::RwLock<policy_ack::PolicyState>,
}

impl StaffService {
    /// A service over `vault` (which owns the store and the keys for TOTP secrets).
    pub fn new(vault: Arc<Vault>, config: StaffConfig) -> Self {
        let hasher = hasher::Hasher::new(config.hash_concurrency, config.hash_queue);
        Self {
            vault,
            config,
            clock: Arc::new(SystemClock),
            hasher,
            policy: Default::default(),
        }
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The settings.
    pub fn config(&self) -> &StaffConfig {
        &self.config
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.vault.store()
    }

    /// A caller standing for staff member `id` before a session exists (login steps), so the
    /// audit log names who acted.
    fn actor(id: &str, client: &ClientInfo) -> Caller {
        Caller::staff_actor(id, client.request_id.clone())
    }
}

fn role_of(row: &crate::store::StaffRow) -> Result<Role, CoreError> {
    Role::parse(&row.role).ok_or(CoreError::Integrity)
}

fn info(row: &crate::store::StaffRow, agreement: &Agreement) -> StaffInfo {
    StaffInfo {
        id: row.id,
        email: row.email.clone(),
        name: row.name.clone(),
        role: Role::parse(&row.role).unwrap_or(Role::Auditor),
        segments: parse_segments(&row.segments)
            .map(|s| s.into_iter().collect())
            .unwrap_or_default(),
        mfa_enrolled: row.totp_confirmed,
        agreement_version: row.agreement_version.clone(),
        agreement_ok: row.agreement_version.as_deref() == Some(agreement.version.as_str()),
        disabled: row.disabled_at.is_some(),
        created_at: crate::format_ms(row.created_at),
    }
}
