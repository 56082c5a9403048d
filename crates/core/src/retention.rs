//! Retention as the policy says it: what expires when, and what happens to it. Pure: the
//! [`plan`] turns a [`Policy`] and a time into steps; the vault applies them
//! ([`crate::vault::Vault::apply_retention`]) and the `retention` job runs that daily.
//!
//! A category's period counts from the customer's **last activity**: their last update or
//! their last order (reads are not activity). At the end of the period:
//!
//! | category | `erase` | `anonymise` / `keep_aggregates` |
//! |---|---|---|
//! | contact | the customer is crypto-shredded (DEK destroyed; what stays of their orders is amount, currency, status and date) | name, e-mail, phone, address, NIK, birth date and the customer's tokens are cleared; the record stays, de-identified |
//! | order history | the customer is crypto-shredded, as above | the orders' notes and payment references are cleared |
//! | address, identity, preferences, notes | the category's fields are cleared (with their blind-index terms) | the same |
//! | payment references | the orders' payment references are cleared | the same |
//! | audit | — (the log is append-only; only `keep_aggregates` is accepted) | — |
//!
//! The report counts customers per category and action; it never holds a value or an id.

use crate::model::Field;
use crate::policy::{Category, EndAction, Policy};
use crate::store::RetentionTarget;
use serde::{Deserialize, Serialize};

/// A day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// One step of a retention run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The category whose period ended.
    pub category: Category,
    /// What the policy says happens.
    pub action: EndAction,
    /// Customers whose last activity is before this (ms since the epoch) are due.
    pub cutoff_ms: i64,
    /// What is cleared (or the whole customer).
    pub target: RetentionTarget,
}

fn parts(
    fields: &[Field],
    order_notes: bool,
    order_payment: bool,
    tokens: bool,
) -> RetentionTarget {
    RetentionTarget::Parts {
        fields: fields.to_vec(),
        order_notes,
        order_payment,
        tokens,
    }
}

/// The steps for `policy` at `now_ms`: whole-customer erasures first (they make the other
/// steps moot for those customers), then the clearing of parts, in category order.
pub fn plan(policy: &Policy, now_ms: i64) -> Vec<Step> {
    let mut erase = Vec::new();
    let mut clear = Vec::new();
    for (&category, rule) in &policy.rules {
        let cutoff_ms = now_ms.saturating_sub(i64::from(rule.retention_days) * DAY_MS);
        let action = rule.end_action;
        let target = match (category, action) {
            (Category::Audit, _) => continue,
            (Category::Contact | Category::OrderHistory, EndAction::Erase) => {
                RetentionTarget::Customer
            }
            (Category::Contact, _) => {
                let mut f = Category::Contact.fields().to_vec();
                f.extend_from_slice(Category::Address.fields());
                f.extend_from_slice(Category::Identity.fields());
                parts(&f, false, false, true)
            }
            (Category::OrderHistory, _) => parts(&[], true, true, false),
            (Category::PaymentReferences, _) => parts(&[], false, true, false),
            (c, _) => parts(c.fields(), false, false, false),
        };
        let step = Step {
            category,
            action,
            cutoff_ms,
            target,
        };
        if step.target == RetentionTarget::Customer {
            erase.push(step);
        } else {
            clear.push(step);
        }
    }
    erase.extend(clear);
    erase
}

/// What one category's step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    /// The category's key in `policy.toml`.
    pub category: String,
    /// `erase`, `anonymise` or `keep_aggregates`.
    pub action: String,
    /// The period, in days.
    pub retention_days: u32,
    /// Customers erased (crypto-shredded) by this step.
    pub erased: u64,
    /// Customers whose data of this category was cleared.
    pub cleared: u64,
}

/// What a retention run did: counts, never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionReport {
    /// The run's time (ms since the epoch), the clock the periods were measured against.
    pub at_ms: i64,
    /// One entry per category with a step (the audit category has none).
    pub steps: Vec<StepReport>,
}

impl RetentionReport {
    /// Customers erased in the run.
    pub fn erased(&self) -> u64 {
        self.steps.iter().map(|s| s.erased).sum()
    }

    /// Customers with something cleared in the run (a customer may count in several steps).
    pub fn cleared(&self) -> u64 {
        self.steps.iter().map(|s| s.cleared).sum()
    }
}

/// The wire name of an end action.
pub fn action_name(a: EndAction) -> &'static str {
    match a {
        EndAction::Erase => "erase",
        EndAction::Anonymise => "anonymise",
        EndAction::KeepAggregates => "keep_aggregates",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyFile, default_rule};

    fn policy() -> Policy {
        Policy::from_file(PolicyFile::default()).unwrap()
    }

    #[test]
    fn defaults_erase_first_then_clear_parts_and_never_touch_the_audit_log() {
        let now = 1_000 * DAY_MS;
        let steps = plan(&policy(), now);
        assert_eq!(steps[0].category, Category::Contact);
        assert_eq!(steps[0].target, RetentionTarget::Customer);
        assert_eq!(steps[0].cutoff_ms, now - 730 * DAY_MS);
        assert!(steps.iter().all(|s| s.category != Category::Audit));
        assert!(
            steps[1..]
                .iter()
                .all(|s| s.target != RetentionTarget::Customer)
        );
        let identity = steps
            .iter()
            .find(|s| s.category == Category::Identity)
            .unwrap();
        assert_eq!(identity.cutoff_ms, now - 365 * DAY_MS);
        assert_eq!(
            identity.target,
            parts(&[Field::NationalId, Field::BirthDate], false, false, false)
        );
        // Order history keeps aggregates: notes and payment references go, orders stay.
        let orders = steps
            .iter()
            .find(|s| s.category == Category::OrderHistory)
            .unwrap();
        assert_eq!(orders.target, parts(&[], true, true, false));
    }

    #[test]
    fn anonymising_contact_clears_what_identifies_and_keeps_the_record() {
        let mut p = policy();
        let mut r = default_rule(Category::Contact);
        r.end_action = EndAction::Anonymise;
        p.rules.insert(Category::Contact, r);
        let steps = plan(&p, 0);
        assert!(steps.iter().all(|s| s.target != RetentionTarget::Customer));
        let c = steps
            .iter()
            .find(|s| s.category == Category::Contact)
            .unwrap();
        let RetentionTarget::Parts { fields, tokens, .. } = &c.target else {
            panic!("parts")
        };
        assert!(*tokens);
        for f in [
            Field::FullName,
            Field::Email,
            Field::Phone,
            Field::Address,
            Field::NationalId,
        ] {
            assert!(fields.contains(&f), "{f:?}");
        }
        assert!(!fields.contains(&Field::Preferences));
    }

    #[test]
    fn erasing_order_history_shreds_the_customer() {
        let mut p = policy();
        let mut r = default_rule(Category::OrderHistory);
        r.end_action = EndAction::Erase;
        p.rules.insert(Category::OrderHistory, r);
        let shred: Vec<_> = plan(&p, 0)
            .into_iter()
            .filter(|s| s.target == RetentionTarget::Customer)
            .map(|s| s.category)
            .collect();
        assert_eq!(shred, [Category::Contact, Category::OrderHistory]);
    }
}
