//! Who is calling and what they may do.
//!
//! A [`Caller`] is built by the server after authenticating a request (an API key today, a staff
//! session later). Its [`Scope`]s are turned into capabilities by [`crate::vault::Vault`]: a
//! handler that lacks a scope cannot obtain the object whose methods read or change PII.

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
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 10] = [
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
#[derive(Debug, Clone)]
pub struct Caller {
    /// Kind of principal.
    pub kind: ActorKind,
    /// The API key id, staff id or system component name. Never a secret.
    pub id: String,
    /// Granted scopes.
    pub scopes: BTreeSet<Scope>,
    /// The request this call belongs to, for the audit log.
    pub request_id: Option<String>,
    /// For a staff member with a console session: role, segments, views, agreement and step-up
    /// state. `None` for API keys and the system, which keep scope-only checks.
    pub staff: Option<StaffContext>,
}

/// What the vault needs to know about a staff caller beyond scopes. Built by
/// [`crate::staff::StaffService`] from a live session and the current account row, so a role
/// change or a new agreement version takes effect on the next request.
#[derive(Debug, Clone)]
pub struct StaffContext {
    /// The staff member's id (also `Caller::id`).
    pub staff_id: uuid::Uuid,
    /// The role.
    pub role: crate::staff::Role,
    /// Segments the member may see; `None` = every segment.
    pub segments: Option<BTreeSet<String>>,
    /// The role's field and order views under the shop's policy.
    pub views: crate::staff::RoleViews,
    /// Whether the current confidentiality agreement was accepted (no customer data until it is).
    pub agreement_ok: bool,
    /// Whether the session's last TOTP step-up is recent enough for a sensitive action.
    pub step_up_fresh: bool,
    /// The session's public handle.
    pub session: uuid::Uuid,
}

impl StaffContext {
    /// Whether a customer of `segment` is visible to this member.
    pub fn sees_segment(&self, segment: &str) -> bool {
        self.segments.as_ref().is_none_or(|s| s.contains(segment))
    }
}

impl Caller {
    /// A system caller with every scope (CLI maintenance and background jobs).
    pub fn system(component: &str) -> Self {
        Self {
            kind: ActorKind::System,
            id: component.to_string(),
            scopes: Scope::ALL.into_iter().collect(),
            request_id: None,
            staff: None,
        }
    }

    /// Whether the caller holds `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
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
        // A reveal reason's label the console puts first ("Refund: …", `crate::purpose`) is
        // ours, not a chat speaker's name (the redaction engine reads "Word: …" at the start
        // of a line as one): only what follows it is screened.
        let label = crate::purpose::Reason::ALL
            .iter()
            .map(|r| r.audit_label())
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
