//! Roles, field views and the scopes each role holds: the default table of DESIGN.md, which a
//! shop can override per role and field in its configuration.

use crate::auth::Scope;
use crate::model::Field;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Customer service: masked contact data, edits contact details, writes notes.
    CsStaff,
    /// Customer-service manager: reveals one customer's fields at a time with a purpose.
    CsManager,
    /// Finance: masked contact data and order history; payees and payouts.
    Finance,
    /// Shop owner: manages staff, keys and settings; reveals with a purpose.
    Admin,
    /// Auditor: the audit log and reports; no customer PII at all.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::CsStaff,
        Role::CsManager,
        Role::Finance,
        Role::Admin,
        Role::Auditor,
    ];

    /// The role's name, e.g. `cs_staff`.
    pub fn name(self) -> &'static str {
        match self {
            Role::CsStaff => "cs_staff",
            Role::CsManager => "cs_manager",
            Role::Finance => "finance",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s.trim())
    }

    /// The scopes the role holds before field views are considered (see [`Policies::scopes`]).
    fn base_scopes(self) -> &'static [Scope] {
        use Scope::*;
        match self {
            Role::CsStaff => &[CustomersRead, CustomersWrite, OrdersRead, Redact],
            Role::CsManager => &[
                CustomersRead,
                CustomersWrite,
                CustomersReveal,
                CustomersErase,
                OrdersRead,
                Redact,
                TokensResolve,
                FraudReview,
                RequestsRead,
                RequestsWrite,
                CustomersMove,
            ],
            Role::Finance => &[
                CustomersRead,
                OrdersRead,
                PayeesRead,
                PayeesWrite,
                PayoutsWrite,
                PayoutsApprove,
                FraudReview,
            ],
            Role::Admin => &Scope::ALL,
            Role::Auditor => &[AuditRead],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a role sees one customer field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldView {
    /// Absent from every view.
    Hidden,
    /// Masked (e.g. `d***@gmail.com`); never revealed.
    Masked,
    /// Shown as stored.
    Plain,
    /// Masked by default; revealable one customer at a time with a purpose and a fresh step-up.
    Reveal,
}

/// How a role sees order history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrdersView {
    /// No order history.
    Hidden,
    /// Orders without the gateway's payment token.
    NoPaymentToken,
    /// Orders as stored.
    Plain,
}

/// One role's views: a [`FieldView`] per customer field (by [`Field::index`]) and the orders view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleViews {
    /// Field views by [`Field::index`].
    pub fields: [FieldView; 8],
    /// Order history.
    pub orders: OrdersView,
}

impl RoleViews {
    /// The view of `field`.
    pub fn field(&self, field: Field) -> FieldView {
        self.fields[field.index()]
    }

    /// The default views of `role` (DESIGN.md, "Default roles").
    pub fn default_for(role: Role) -> Self {
        use FieldView::*;
        // full_name, email, phone, address, national_id, birth_date, preferences, notes
        let (fields, orders) = match role {
            Role::CsStaff => (
                [Masked, Masked, Masked, Masked, Hidden, Hidden, Plain, Plain],
                OrdersView::NoPaymentToken,
            ),
            Role::CsManager | Role::Admin => (
                [Reveal, Reveal, Reveal, Reveal, Reveal, Reveal, Plain, Plain],
                OrdersView::Plain,
            ),
            Role::Finance => (
                [
                    Masked, Masked, Masked, Hidden, Hidden, Hidden, Hidden, Hidden,
                ],
                OrdersView::Plain,
            ),
            Role::Auditor => ([Hidden; 8], OrdersView::Hidden),
        };
        Self { fields, orders }
    }
}

/// The shop's access policy: every role's views (defaults plus overrides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policies {
    views: BTreeMap<Role, RoleViews>,
}

impl Default for Policies {
    fn default() -> Self {
        Self {
            views: Role::ALL
                .into_iter()
                .map(|r| (r, RoleViews::default_for(r)))
                .collect(),
        }
    }
}

impl Policies {
    /// The defaults with `overrides` (role name → field name or `orders` → view) applied.
    /// Unknown role or field names and `orders` values that are not an orders view are errors.
    pub fn with_overrides(
        overrides: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<Self, String> {
        let mut p = Self::default();
        for (role, fields) in overrides {
            let r = Role::parse(role).ok_or_else(|| format!("unknown role `{role}`"))?;
            let v = p.views.get_mut(&r).expect("every role has views");
            for (name, view) in fields {
                if name == "orders" {
                    v.orders = match view.as_str() {
                        "hidden" => OrdersView::Hidden,
                        "no_payment_token" => OrdersView::NoPaymentToken,
                        "plain" => OrdersView::Plain,
                        _ => return Err(format!("`{role}.orders`: unknown view `{view}`")),
                    };
                    continue;
                }
                let f = Field::parse(name)
                    .ok_or_else(|| format!("`{role}`: unknown field `{name}`"))?;
                v.fields[f.index()] = match view.as_str() {
                    "hidden" => FieldView::Hidden,
                    "masked" => FieldView::Masked,
                    "plain" => FieldView::Plain,
                    "reveal" => FieldView::Reveal,
                    _ => return Err(format!("`{role}.{name}`: unknown view `{view}`")),
                };
            }
        }
        Ok(p)
    }

    /// The views of `role`.
    pub fn views(&self, role: Role) -> &RoleViews {
        self.views.get(&role).expect("every role has views")
    }

    /// The scopes `role` holds under this policy: its base scopes, with `customers:reveal`
    /// only if some field is revealable, `customers:read` only if some field is visible, and
    /// `orders:read` only if order history is visible.
    pub fn scopes(&self, role: Role) -> BTreeSet<Scope> {
        let v = self.views(role);
        let any = |want: &[FieldView]| v.fields.iter().any(|f| want.contains(f));
        role.base_scopes()
            .iter()
            .copied()
            .filter(|s| match s {
                Scope::CustomersReveal | Scope::TokensResolve => any(&[FieldView::Reveal]),
                Scope::CustomersRead => {
                    any(&[FieldView::Masked, FieldView::Plain, FieldView::Reveal])
                }
                Scope::OrdersRead => v.orders != OrdersView::Hidden,
                _ => true,
            })
            .collect()
    }
}

/// Parses a comma-separated segment list: `None` (every segment) when empty.
pub fn parse_segments(s: &str) -> Option<BTreeSet<String>> {
    let set: BTreeSet<String> = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect();
    (!set.is_empty()).then_some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_matches_design() {
        let p = Policies::default();
        let cs = p.views(Role::CsStaff);
        assert_eq!(cs.field(Field::Email), FieldView::Masked);
        assert_eq!(cs.field(Field::NationalId), FieldView::Hidden);
        assert_eq!(cs.field(Field::Notes), FieldView::Plain);
        assert!(!p.scopes(Role::CsStaff).contains(&Scope::CustomersReveal));
        assert!(p.scopes(Role::CsManager).contains(&Scope::CustomersReveal));
        assert!(p.scopes(Role::Admin).contains(&Scope::CustomersReveal));
        let fin = p.views(Role::Finance);
        assert_eq!(fin.field(Field::Address), FieldView::Hidden);
        assert_eq!(fin.field(Field::Phone), FieldView::Masked);
        assert_eq!(fin.orders, OrdersView::Plain);
        let aud = p.scopes(Role::Auditor);
        assert_eq!(aud, [Scope::AuditRead].into_iter().collect());
        assert!(p.scopes(Role::Admin).contains(&Scope::AuditRead));
        assert!(!p.scopes(Role::CsManager).contains(&Scope::AuditRead));
    }

    #[test]
    fn overrides_apply_and_reject_unknown_names() {
        let mut o = BTreeMap::new();
        o.insert(
            "cs_staff".to_string(),
            [("national_id".to_string(), "masked".to_string())]
                .into_iter()
                .collect(),
        );
        let p = Policies::with_overrides(&o).unwrap();
        assert_eq!(
            p.views(Role::CsStaff).field(Field::NationalId),
            FieldView::Masked
        );
        o.insert(
            "boss".to_string(),
            [("email".to_string(), "plain".to_string())]
                .into_iter()
                .collect(),
        );
        assert!(Policies::with_overrides(&o).is_err());
        let mut o = BTreeMap::new();
        o.insert(
            "finance".to_string(),
            [("iban".to_string(), "plain".to_string())]
                .into_iter()
                .collect(),
        );
        assert!(Policies::with_overrides(&o).is_err());
    }

    #[test]
    fn segments_parse() {
        assert_eq!(parse_segments(" , "), None);
        assert_eq!(parse_segments("jkt, sby").unwrap().len(), 2);
    }
}
