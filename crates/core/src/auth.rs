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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose(String);

impl Purpose {
    /// Longest accepted purpose, in characters.
    pub const MAX: usize = 500;

    /// A purpose: trimmed, 3–500 characters, single line.
    pub fn new(text: &str) -> Option<Self> {
        let t = text.trim();
        let n = t.chars().count();
        ((3..=Self::MAX).contains(&n) && !t.chars().any(char::is_control))
            .then(|| Self(t.to_string()))
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
}
