//! Who is calling and what they may do.
//!
//! A [`Caller`] is built by the server after authenticating a request (an API key today, a staff
//! session later). Its [`Scope`]s are turned into capabilities by [`crate::vault::Vault`]: a
//! handler that lacks a scope cannot obtain the object whose methods read or change PII.

use crate::error::{CoreError, ForbiddenReason};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A permission an API key (or, later, a role) can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read customers, masked.
    #[serde(rename = "customers:read")]
    CustomersRead,
    /// Create and update customers.
    #[serde(rename = "customers:write")]
    CustomersWrite,
    /// Reveal plaintext fields, with a purpose.
    #[serde(rename = "customers:reveal")]
    CustomersReveal,
    /// Erase customers (crypto-shredding).
    #[serde(rename = "customers:erase")]
    CustomersErase,
    /// Read purchase history.
    #[serde(rename = "orders:read")]
    OrdersRead,
    /// Add orders.
    #[serde(rename = "orders:write")]
    OrdersWrite,
    /// Redact text.
    #[serde(rename = "redact")]
    Redact,
    /// Read the audit log, its checkpoints and proofs, and the access reports.
    #[serde(rename = "audit:read")]
    AuditRead,
    /// Resolve redaction tokens back to the values they stand for (audited).
    #[serde(rename = "tokens:resolve")]
    TokensResolve,
    /// Scrape the Prometheus metrics at `/metrics` (and nothing else).
    #[serde(rename = "metrics:read")]
    MetricsRead,
    /// Read payees (suppliers, resellers, refund recipients), masked, and analyse e-mails against
    /// their domains.
    #[serde(rename = "payees:read")]
    PayeesRead,
    /// Create payees and request changes of their bank details.
    #[serde(rename = "payees:write")]
    PayeesWrite,
    /// Create payouts.
    #[serde(rename = "payouts:write")]
    PayoutsWrite,
    /// Approve payouts and verify bank-detail changes (never one's own request).
    #[serde(rename = "payouts:approve")]
    PayoutsApprove,
    /// Send transaction events to the fraud monitor (`POST /v1/events`).
    #[serde(rename = "events:write")]
    EventsWrite,
    /// Manage the fraud monitor: allow and block lists, rule reloads.
    #[serde(rename = "fraud:manage")]
    FraudManage,
    /// Work the fraud review queue: see held events and approve or decline them.
    #[serde(rename = "fraud:review")]
    FraudReview,
    /// Read data-subject requests and consent records (ids, codes and dates; no values).
    #[serde(rename = "requests:read")]
    RequestsRead,
    /// Record and close data-subject requests, record consent and its withdrawal.
    #[serde(rename = "requests:write")]
    RequestsWrite,
    /// Move customers between segments (re-encrypted under the new segment's keys; staff need
    /// a fresh step-up and must see both segments).
    #[serde(rename = "customers:move")]
    CustomersMove,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 20] = [
        Scope::CustomersRead,
        Scope::CustomersWrite,
        Scope::CustomersReveal,
        Scope::CustomersErase,
        Scope::OrdersRead,
        Scope::OrdersWrite,
        Scope::Redact,
        Scope::AuditRead,
        Scope::TokensResolve,
        Scope::MetricsRead,
        Scope::PayeesRead,
        Scope::PayeesWrite,
        Scope::PayoutsWrite,
        Scope::PayoutsApprove,
        Scope::EventsWrite,
        Scope::FraudManage,
        Scope::FraudReview,
        Scope::RequestsRead,
        Scope::RequestsWrite,
        Scope::CustomersMove,
    ];

    /// The scope's name, e.g. `customers:read`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::CustomersRead => "customers:read",
            Scope::CustomersWrite => "customers:write",
            Scope::CustomersReveal => "customers:reveal",
            Scope::CustomersErase => "customers:erase",
            Scope::OrdersRead => "orders:read",
            Scope::OrdersWrite => "orders:write",
            Scope::Redact => "redact",
            Scope::AuditRead => "audit:read",
            Scope::TokensResolve => "tokens:resolve",
            Scope::MetricsRead => "metrics:read",
            Scope::PayeesRead => "payees:read",
            Scope::PayeesWrite => "payees:write",
            Scope::PayoutsWrite => "payouts:write",
            Scope::PayoutsApprove => "payouts:approve",
            Scope::EventsWrite => "events:write",
            Scope::FraudManage => "fraud:manage",
            Scope::FraudReview => "fraud:review",
            Scope::RequestsRead => "requests:read",
            Scope::RequestsWrite => "requests:write",
            Scope::CustomersMove => "customers:move",
        }
    }

    /// Parses a scope name.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Parses a comma-separated list; returns the first unknown name on failure.
    pub fn parse_list(s: &str) -> Result<BTreeSet<Scope>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| Scope::parse(x).ok_or_else(|| x.to_string()))
            .collect()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of principal behind a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A backend calling with an API key.
    ApiKey,
    /// A staff member with a console session.
    Staff,
    /// Jaga itself (CLI maintenance, background jobs).
    System,
}

impl ActorKind {
    /// Stable name used in audit events.
    pub fn name(self) -> &'static str {
        match self {
            ActorKind::ApiKey => "api_key",
            ActorKind::Staff => "staff",
            ActorKind::System => "system",
        }
    }
}

/// An authenticated principal: who is acting, with which scopes, in which request.
///
/// Authority cannot be forged: every field is private and the only ways to obtain a `Caller`
/// are authentication — [`crate::vault::Vault::authenticate`] (API key) and
/// [`crate::staff::StaffService::authenticate`] (staff session) — and, for the `jaga` CLI
/// only, [`Caller::operator`] (behind the `operator` feature, which only the binary enables).
/// A crate outside core cannot build one:
///
/// ```compile_fail
/// use jaga_core::auth::{ActorKind, Caller};
/// let forged = Caller {
///     kind: ActorKind::System,
///     id: "me".into(),
///     scopes: Default::default(),
///     request_id: None,
///     staff: None,
/// };
/// ```
///
/// ```compile_fail
/// let root = jaga_core::auth::Caller::system("me"); // crate-private
/// ```
///
/// ```compile_fail
/// let key = jaga_core::auth::Caller::api_key("k".into(), Default::default(), None);
/// ```
///
/// What other crates can do is read it:
///
/// ```
/// fn describe(c: &jaga_core::auth::Caller) -> String {
///     format!("{} {} {:?}", c.kind().name(), c.id(), c.scopes().collect::<Vec<_>>())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Caller {
    kind: ActorKind,
    id: String,
    scopes: BTreeSet<Scope>,
    request_id: Option<String>,
    staff: Option<StaffContext>,
    /// Jaga itself or the operator at the machine (never a component, an API key or staff).
    operator: bool,
}

/// What the vault needs to know about a staff caller beyond scopes. Built by
/// [`crate::staff::StaffService`] from a live session and the current account row, so a role
/// change or a new agreement version takes effect on the next request.
#[derive(Debug, Clone)]
pub struct StaffContext {
    staff_id: uuid::Uuid,
    role: crate::roles::Role,
    segments: Option<BTreeSet<String>>,
    views: crate::roles::RoleViews,
    agreement_ok: bool,
    step_up_fresh: bool,
    session: uuid::Uuid,
}

impl StaffContext {
    /// The context of a live session (built by [`crate::staff::StaffService`] only).
    pub(crate) fn new(
        staff_id: uuid::Uuid,
        role: crate::roles::Role,
        segments: Option<BTreeSet<String>>,
        views: crate::roles::RoleViews,
        agreement_ok: bool,
        step_up_fresh: bool,
        session: uuid::Uuid,
    ) -> Self {
        Self {
            staff_id,
            role,
            segments,
            views,
            agreement_ok,
            step_up_fresh,
            session,
        }
    }

    /// The staff member's id.
    pub fn staff_id(&self) -> uuid::Uuid {
        self.staff_id
    }

    /// The role.
    pub fn role(&self) -> crate::roles::Role {
        self.role
    }

    /// Segments the member may see; `None` = every segment.
    pub fn segments(&self) -> Option<&BTreeSet<String>> {
        self.segments.as_ref()
    }

    /// The role's field and order views.
    pub fn views(&self) -> &crate::roles::RoleViews {
        &self.views
    }

    /// Whether the current confidentiality agreement was accepted.
    pub fn agreement_ok(&self) -> bool {
        self.agreement_ok
    }

    /// Whether the session's last TOTP step-up is recent enough for a sensitive action.
    pub fn step_up_fresh(&self) -> bool {
        self.step_up_fresh
    }

    /// The session's public handle.
    pub fn session(&self) -> uuid::Uuid {
        self.session
    }

    /// Whether a customer of `segment` is visible to this member.
    pub fn sees_segment(&self, segment: &str) -> bool {
        self.segments.as_ref().is_none_or(|s| s.contains(segment))
    }
}

impl Caller {
    /// Jaga itself with every scope, for work inside core (initialising the keyring, the
    /// bootstrap invitation). Crate-private: no other crate can mint it.
    pub(crate) fn system(component: &str) -> Self {
        Self {
            kind: ActorKind::System,
            id: component.to_string(),
            scopes: Scope::ALL.into_iter().collect(),
            request_id: None,
            staff: None,
            operator: true,
        }
    }

    /// Jaga itself as `component` (e.g. the unseal endpoint), with **no** scopes: named in the
    /// log, allowed nothing.
    pub(crate) fn component(component: &str, request_id: Option<String>) -> Self {
        Self {
            kind: ActorKind::System,
            id: component.to_string(),
            scopes: BTreeSet::new(),
            request_id,
            staff: None,
            operator: false,
        }
    }

    /// The actor of already-recorded events, named again in a summary event (the refusal
    /// budget's counts): no scopes.
    pub(crate) fn named(kind: ActorKind, id: &str) -> Self {
        Self {
            kind,
            id: id.to_string(),
            scopes: BTreeSet::new(),
            request_id: None,
            staff: None,
            operator: false,
        }
    }

    /// An API key that authenticated ([`crate::vault::Vault::authenticate`] only).
    pub(crate) fn api_key(id: String, scopes: BTreeSet<Scope>, request_id: Option<String>) -> Self {
        Self {
            kind: ActorKind::ApiKey,
            id,
            scopes,
            request_id,
            staff: None,
            operator: false,
        }
    }

    /// A staff member with a live, active session ([`crate::staff::StaffService`] only).
    pub(crate) fn staff_session(
        ctx: StaffContext,
        scopes: BTreeSet<Scope>,
        request_id: Option<String>,
    ) -> Self {
        Self {
            kind: ActorKind::Staff,
            id: ctx.staff_id.to_string(),
            scopes,
            request_id,
            staff: Some(ctx),
            operator: false,
        }
    }

    /// A staff member named in the log before a session exists (login steps): no scopes, no
    /// staff context.
    pub(crate) fn staff_actor(id: &str, request_id: Option<String>) -> Self {
        Self {
            kind: ActorKind::Staff,
            id: id.to_string(),
            scopes: BTreeSet::new(),
            request_id,
            staff: None,
            operator: false,
        }
    }

    /// The operator running `task`, built inside the core: decoys are planted through the
    /// paths (and under the actor names) the real records take. Not reachable from outside.
    pub(crate) fn operator_task(task: OperatorTask) -> Self {
        Self {
            kind: ActorKind::System,
            id: task.component().to_string(),
            scopes: task.scopes().iter().copied().collect(),
            request_id: None,
            staff: None,
            operator: true,
        }
    }

    /// An API key creating customers, built inside the core for a decoy written the way that
    /// key writes real customers (with a request id of its own, as a request would have).
    pub(crate) fn api_key_writer(id: &str) -> Self {
        Self {
            kind: ActorKind::ApiKey,
            id: id.to_string(),
            scopes: [Scope::CustomersWrite].into_iter().collect(),
            request_id: Some(uuid::Uuid::new_v4().to_string()),
            staff: None,
            operator: false,
        }
    }

    /// The operator at the machine, running `task` through the `jaga` CLI: a system caller
    /// holding only the task's scopes ([`OperatorTask::scopes`]). Compiled only with the
    /// `operator` feature, which only the `jaga` binary enables; the server cannot call it.
    #[cfg(feature = "operator")]
    pub fn operator(task: OperatorTask) -> Self {
        Self {
            kind: ActorKind::System,
            id: task.component().to_string(),
            scopes: task.scopes().iter().copied().collect(),
            request_id: None,
            staff: None,
            operator: true,
        }
    }

    /// A caller of any kind with any scopes, for tests only (the `testing` feature, enabled by
    /// `jaga-testkit`, a dev-dependency; never in a release build).
    #[cfg(feature = "testing")]
    pub fn for_tests(kind: ActorKind, id: &str, scopes: &[Scope]) -> Self {
        Self {
            kind,
            id: id.to_string(),
            scopes: scopes.iter().copied().collect(),
            request_id: Some("req-test".into()),
            staff: None,
            operator: kind == ActorKind::System,
        }
    }

    /// Whether this is Jaga itself or the operator at the machine (not an API key or staff).
    pub fn is_operator(&self) -> bool {
        self.operator
    }

    /// Whether the caller holds `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The kind of principal.
    pub fn kind(&self) -> ActorKind {
        self.kind
    }

    /// The API key id, staff id or system component name. Never a secret.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scopes held.
    pub fn scopes(&self) -> impl Iterator<Item = Scope> + '_ {
        self.scopes.iter().copied()
    }

    /// The request this call belongs to.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The staff context, for a staff member with a console session.
    pub fn staff(&self) -> Option<&StaffContext> {
        self.staff.as_ref()
    }

    /// The staff context, or [`ForbiddenReason::StaffSession`] for any other caller.
    pub fn require_staff(&self) -> Result<&StaffContext, CoreError> {
        self.staff
            .as_ref()
            .ok_or(CoreError::Forbidden(ForbiddenReason::StaffSession))
    }
}

/// What the operator at the machine is doing through the `jaga` CLI. Each task holds only the
/// scopes it needs and is named in the audit log by its component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorTask {
    /// `jaga apikey …`: create, list and revoke API keys.
    ApiKeys,
    /// `jaga keys …`: rotate, re-wrap and retire KEKs.
    Keys,
    /// `jaga import customers`: bulk import through the write guard.
    Import,
    /// `jaga staff …`: staff administration.
    Staff,
    /// `jaga report …`: access reports over the audit log.
    Reports,
    /// `jaga honeytoken`, `jaga alerts`, `jaga incident`: intrusion detection. Decoys are
    /// written under the actors that write the real records (see `Vault::honeytokens_plant`),
    /// never under this task's name, so the log does not single them out.
    Security,
    /// `jaga backup …` and the backup jobs: snapshots, restores (replaying the erasure
    /// ledger), drills. Holds no scope: it reads no customer data through the vault.
    Backup,
    /// The fraud monitor's daily summary job: counts of the held events (`fraud:review`).
    FraudSummary,
    /// `jaga requests …`: data-subject requests and consent records.
    Requests,
    /// `jaga requests export`: the access and portability export (opens every field).
    Export,
    /// `jaga segments move`: moving a customer to another segment (`customers:move`).
    Segments,
    /// `jaga mail analyze` with a data directory: the payees' domains as known domains
    /// (`payees:read`); each analysis is audited like the API's.
    Mail,
}

impl OperatorTask {
    /// The component name the audit log records as the actor.
    pub fn component(self) -> &'static str {
        match self {
            OperatorTask::ApiKeys | OperatorTask::Keys | OperatorTask::Staff => "cli",
            OperatorTask::Import => "cli-import",
            OperatorTask::Security => "cli.security",
            OperatorTask::Reports => "cli.report",
            OperatorTask::Backup => "cli.backup",
            OperatorTask::FraudSummary => "jobs.fraud-summary",
            OperatorTask::Requests => "cli.requests",
            OperatorTask::Export => "cli.export",
            OperatorTask::Segments => "cli.segments",
            OperatorTask::Mail => "cli.mail",
        }
    }

    /// The scopes the task holds.
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            OperatorTask::ApiKeys | OperatorTask::Keys | OperatorTask::Staff => &[],
            OperatorTask::Import => &[Scope::CustomersWrite],
            OperatorTask::Security => &[],
            OperatorTask::Reports => &[Scope::AuditRead],
            OperatorTask::Backup => &[],
            OperatorTask::FraudSummary => &[Scope::FraudReview],
            OperatorTask::Requests => &[Scope::RequestsRead, Scope::RequestsWrite],
            OperatorTask::Export => &[Scope::RequestsWrite, Scope::CustomersReveal],
            OperatorTask::Segments => &[Scope::CustomersMove],
            OperatorTask::Mail => &[Scope::PayeesRead],
        }
    }
}

/// Why data is being revealed; required for every reveal and recorded in the audit log.
///
/// The audit log is permanent and outlives a customer's erasure, so a purpose never carries
/// personal data into it: [`Purpose::screen`] refuses card numbers and CVVs and replaces every
/// other identifier it finds (e-mail, phone, NIK, names, …) with its kind (`[EMAIL]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose(String);

/// Why a purpose was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PurposeError {
    /// Missing, shorter than 3 or longer than [`Purpose::MAX`] characters, or not one line.
    #[error("a purpose of 3–500 characters on one line is required")]
    Invalid,
    /// It holds a payment card number or CVV.
    #[error("a purpose must not hold payment card data")]
    CardNumber,
}

impl Purpose {
    /// Longest accepted purpose, in characters.
    pub const MAX: usize = 500;

    /// A purpose: trimmed, 3–500 characters, single line, screened (see [`Purpose::screen`]).
    pub fn new(text: &str) -> Option<Self> {
        Self::screen(text).ok()
    }

    /// A purpose: trimmed, 3–500 characters, single line; a card number or CVV is refused
    /// (read by the normalising card guard), and every other identifier the redaction engine
    /// finds is replaced by its kind before the purpose can reach the audit log.
    pub fn screen(text: &str) -> Result<Self, PurposeError> {
        let t = text.trim();
        let n = t.chars().count();
        if !(3..=Self::MAX).contains(&n) || t.chars().any(char::is_control) {
            return Err(PurposeError::Invalid);
        }
        // A reveal reason's code the console puts first ("refund: …", or the English label of
        // older rows, "Refund: …"; `crate::purpose`) is
        // ours, not a chat speaker's name (the redaction engine reads "Word: …" at the start
        // of a line as one): only what follows it is screened.
        let label = crate::purpose::Reason::ALL
            .iter()
            .flat_map(|r| [r.key(), r.audit_label()])
            .find(|l| t.strip_prefix(l).is_some_and(|r| r.starts_with(": ")))
            .map_or(0, |l| l.len() + 2);
        let (head, rest) = t.split_at(label);
        let policy = jaga_redact::Policy::default().with_all(jaga_redact::Operator::Replace);
        match crate::guard::screen(rest, "purpose", &policy, crate::guard::CardHandling::Refuse) {
            Ok(s) => Ok(Self(format!("{head}{}", s.text))),
            Err(crate::guard::GuardError::Card(_)) => Err(PurposeError::CardNumber),
            // Replace needs neither key nor tokenizer; refuse rather than keep the raw text.
            Err(crate::guard::GuardError::Redact(_)) => Err(PurposeError::Invalid),
        }
    }

    /// The purpose text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists() {
        let s = Scope::parse_list("customers:write, customers:read").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            Scope::parse_list("customers:read,admin").unwrap_err(),
            "admin"
        );
        for sc in Scope::ALL {
            assert_eq!(Scope::parse(sc.name()), Some(sc));
            assert_eq!(
                serde_json::to_string(&sc).unwrap(),
                format!("\"{}\"", sc.name())
            );
        }
    }

    /// Only Jaga itself (and, with the `operator` feature, the CLI) is the operator: a named
    /// component such as the unseal endpoint, an actor named in a summary, an API key holding
    /// every scope and a staff member before a session are not, so none of them passes the
    /// operator-only checks (key administration, staff administration without a role).
    #[test]
    fn only_the_system_is_the_operator() {
        assert!(Caller::system("init").is_operator());
        let all: BTreeSet<Scope> = Scope::ALL.into_iter().collect();
        for c in [
            Caller::component("unseal-endpoint", None),
            Caller::named(ActorKind::System, "audit-budget"),
            Caller::api_key("k".into(), all, None),
            Caller::staff_actor("s", None),
        ] {
            assert!(!c.is_operator(), "{c:?}");
        }
        assert!(!Caller::component("unseal-endpoint", None).has(Scope::AuditRead));
    }

    #[test]
    fn purposes() {
        assert!(Purpose::new("  ticket CS-1234 refund  ").is_some());
        assert!(Purpose::new("ab").is_none());
        assert!(Purpose::new("line\nbreak").is_none());
        assert!(Purpose::new(&"x".repeat(501)).is_none());
    }

    /// Regression: a purpose was written verbatim into the permanent audit log.
    #[test]
    fn purposes_carry_no_card_numbers_or_identifiers() {
        for card in [
            "refund 4111 1111 1111 1111",
            "kartu 4111.1111.1111.1111",
            "ticket \u{ff14}\u{ff11}\u{ff11}\u{ff11}111111111111",
            "cek +4111111111111111",
            "cvv 123 dari pelanggan",
        ] {
            assert_eq!(
                Purpose::screen(card),
                Err(PurposeError::CardNumber),
                "{card}"
            );
        }
        let p = Purpose::screen("refund for dewi.sari@example.com, hp 0812-3456-7890").unwrap();
        assert!(
            !p.as_str().contains("dewi") && !p.as_str().contains("3456"),
            "{}",
            p.as_str()
        );
        assert!(p.as_str().starts_with("refund for "), "{}", p.as_str());
        let nik = Purpose::screen("verifikasi NIK 3174051204900003").unwrap();
        assert!(
            !nik.as_str().contains("3174051204900003"),
            "{}",
            nik.as_str()
        );
        assert_eq!(
            Purpose::screen("ticket CS-1234 refund").unwrap().as_str(),
            "ticket CS-1234 refund"
        );
    }
}
