//! One review case in full (scope `fraud:review`): the held event, its reasons, the
//! customer's earlier events and the events behind its velocity rules — those sharing its
//! card, e-mail, customer, device, IP, shipping address, BIN or promo code within the windows
//! the matching rules read. Every event is shown as stored (e-mail, phone and IP keyed) with
//! its contact masked; the read is audited (`fraud.review.read`, field `case`) before it is
//! answered.

use super::Vault;
use super::fraud_admin::ReviewCase;
use super::fraud_contact::{MaskedContact, open_masked};
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};
use crate::error::CoreError;
use crate::store::FraudEventRow;
use jaga_fraud::Reason;
use jaga_fraud::keys::{Entity, EventKeys, Keyer, VELOCITY};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};

/// How far back the customer's history reaches (ms).
pub const HISTORY_MS: i64 = 90 * 86_400_000;
/// Most stored events read to build one case (the history and related events then cover the
/// latest of them).
pub const CASE_SCAN_LIMIT: usize = 50_000;
/// Most history and related events returned.
pub const CASE_LIST_LIMIT: usize = 100;
/// The window (seconds) for an entity no matching rule reads.
const DEFAULT_WINDOW: i64 = 86_400;

/// Another event, as a case shows it.
#[derive(Debug, Clone)]
pub struct CaseEvent {
    /// The stored row (pseudonymised event, decision, score, reasons).
    pub row: FraudEventRow,
    /// Its e-mail, phone and IP, masked.
    pub contact: Option<MaskedContact>,
    /// The entities it shares with the case's event (`card`, `device` …; empty in the
    /// history when only the customer is shared).
    pub shared: Vec<&'static str>,
}

/// A review case in full.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    /// The event, its reasons and masked contact.
    pub case: ReviewCase,
    /// The windows the related events were looked for in: entity and seconds.
    pub windows: Vec<(&'static str, i64)>,
    /// The customer's earlier events (last 90 days), newest first.
    pub history: Vec<CaseEvent>,
    /// Events sharing an entity with it within the windows, newest first.
    pub related: Vec<CaseEvent>,
    /// Whether the scan stopped at `CASE_SCAN_LIMIT` events.
    pub truncated: bool,
}

/// Keys for equality only (never stored, never shown).
struct PlainKeyer;

impl Keyer for PlainKeyer {
    fn key(&self, entity: Entity, normalized: &str) -> u64 {
        let mut h = DefaultHasher::new();
        h.write_u8(entity as u8);
        h.write(normalized.as_bytes());
        h.finish()
    }
}

/// Per velocity entity, the longest window (seconds) the case's matching rules read for it,
/// or [`DEFAULT_WINDOW`] for the card, e-mail, customer, device, IP and address when no rule
/// does.
fn windows(rules: &jaga_fraud::RuleSet, reasons: &[Reason]) -> Vec<(Entity, i64)> {
    let mut w: HashMap<Entity, i64> = HashMap::new();
    for r in reasons {
        for (e, secs) in rules.velocity_windows(&r.rule) {
            let x = w.entry(e).or_insert(0);
            *x = (*x).max(secs);
        }
    }
    for e in [
        Entity::Card,
        Entity::Email,
        Entity::Customer,
        Entity::Device,
        Entity::Ip,
        Entity::Address,
    ] {
        w.entry(e).or_insert(DEFAULT_WINDOW);
    }
    VELOCITY
        .iter()
        .filter_map(|e| w.get(e).map(|s| (*e, *s)))
        .collect()
}

impl Vault {
    /// The review case of event `id` (any stored event: held, blocked or allowed), with the
    /// customer's history and the related events. 404 for an unknown id. Audited before it
    /// is answered.
    pub async fn fraud_review_case(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<CaseDetail, CoreError> {
        let keys = self
            .require(caller, Scope::FraudReview, AuditAction::FraudReviewRead)
            .await?;
        let row = self
            .store
            .fraud_events_get(&[id.to_string()])
            .await?
            .into_iter()
            .next()
            .ok_or(CoreError::NotFound)?;
        let ev = jaga_fraud::parse_event(&row.event).map_err(|_| CoreError::Integrity)?;
        let reasons: Vec<Reason> = serde_json::from_str(&row.reasons).unwrap_or_default();
        let wins = windows(&self.fraud_rules(), &reasons);
        let own = EventKeys::derive(&ev, &PlainKeyer);
        let customer = own.get(Entity::Customer);

        // Read the events of the last 90 days up to the case's own time, by insertion order.
        let (from, to) = (row.ts - HISTORY_MS, row.ts + 1);
        let mut history: Vec<(FraudEventRow, Vec<&'static str>)> = Vec::new();
        let mut related: Vec<(FraudEventRow, Vec<&'static str>)> = Vec::new();
        let (mut after, mut scanned, mut truncated) = (0i64, 0usize, false);
        loop {
            let page = self.store.fraud_events_in(from, to, after, 1_000).await?;
            let Some(last) = page.last().map(|r| r.seq) else {
                break;
            };
            after = last;
            for r in page {
                scanned += 1;
                if r.id == row.id {
                    continue;
                }
                let Ok(other) = jaga_fraud::parse_event(&r.event) else {
                    continue;
                };
                let k = EventKeys::derive(&other, &PlainKeyer);
                let age_s = (row.ts - r.ts) / 1_000;
                let shared: Vec<&'static str> = wins
                    .iter()
                    .filter(|(e, secs)| {
                        age_s < *secs && own.get(*e).is_some() && own.get(*e) == k.get(*e)
                    })
                    .map(|(e, _)| e.as_str())
                    .collect();
                let same_customer = customer.is_some() && k.get(Entity::Customer) == customer;
                if same_customer {
                    history.push((r.clone(), shared.clone()));
                }
                if !shared.is_empty() {
                    related.push((r, shared));
                }
            }
            if scanned >= CASE_SCAN_LIMIT {
                truncated = true;
                break;
            }
        }
        let newest_first = |v: &mut Vec<(FraudEventRow, Vec<&'static str>)>| {
            v.sort_by_key(|x| std::cmp::Reverse((x.0.ts, x.0.seq)));
            v.truncate(CASE_LIST_LIMIT);
        };
        newest_first(&mut history);
        newest_first(&mut related);

        let mut ids: Vec<String> = vec![row.id.clone()];
        ids.extend(history.iter().chain(&related).map(|(r, _)| r.id.clone()));
        ids.sort();
        ids.dedup();
        let sealed: HashMap<String, String> = self
            .store
            .fraud_contacts_get(&ids)
            .await?
            .into_iter()
            .collect();
        let contact = |id: &str| sealed.get(id).and_then(|s| open_masked(&keys, id, s));
        // The case shows (masked) contacts of people: recorded before it is answered.
        self.audit(
            AuditRecord::new(caller, AuditAction::FraudReviewRead).fields([
                "case".to_string(),
                format!("event:{}", row.id),
                format!("history:{}", history.len()),
                format!("related:{}", related.len()),
            ]),
        )
        .await?;
        let shown = |v: Vec<(FraudEventRow, Vec<&'static str>)>| -> Vec<CaseEvent> {
            v.into_iter()
                .map(|(r, shared)| CaseEvent {
                    contact: contact(&r.id),
                    row: r,
                    shared,
                })
                .collect()
        };
        Ok(CaseDetail {
            windows: wins.iter().map(|(e, s)| (e.as_str(), *s)).collect(),
            history: shown(history),
            related: shown(related),
            truncated,
            case: ReviewCase {
                contact: contact(&row.id),
                reasons,
                row,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_the_matching_rules() {
        let rules = jaga_fraud::RuleSet::defaults();
        let r = |id: &str| Reason {
            rule: id.into(),
            text: String::new(),
        };
        let w = windows(&rules, &[r("card_testing_ip")]);
        assert!(w.contains(&(Entity::Ip, 600)), "{w:?}");
        assert!(w.contains(&(Entity::Card, DEFAULT_WINDOW)), "{w:?}");
        let w = windows(&rules, &[r("card_testing_ip"), r("card_testing_ip_hour")]);
        assert!(w.contains(&(Entity::Ip, 3_600)), "{w:?}");
        assert!(!w.iter().any(|(e, _)| *e == Entity::Promo));
    }
}
