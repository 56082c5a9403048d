//! Managing the fraud monitor: allow and block lists (scope `fraud:manage`), rule reloads
//! (scope `fraud:manage`) and the review queue (scope `fraud:review`: `cs_manager`, `finance`
//! and `admin` by default). Every change is audited in the same transaction as the change;
//! refusals are audited like every refusal.

use super::Vault;
use super::fraud::keyer;
use crate::audit::{AuditAction, AuditRecord, Outcome as AuditOutcome};
use crate::auth::{Caller, Scope};
use crate::error::CoreError;
use crate::store::{FraudEventRow, FraudLabelRow, FraudListRow, FraudReviewRow};
use jaga_fraud::keys::{Entity, Keyer, normalize};
use jaga_fraud::lists::{LIST_ENTITIES, ListKind, Lists};
use jaga_fraud::{Reason, RuleSet};
use std::sync::Arc;

/// Longest list value or note, in characters.
pub const MAX_NOTE: usize = 200;

/// Where the server reads its rules from (a directory of `*.toml`, read by the binary): the
/// loaded set, or a message naming the file and line.
pub type RulesSource = Arc<dyn Fn() -> Result<RuleSet, String> + Send + Sync>;

/// The rules in force after a reload.
#[derive(Debug, Clone)]
pub struct RulesInfo {
    /// How many rules.
    pub rules: usize,
    /// The sources' fingerprint.
    pub version: String,
}

/// An event held for review, as the queue shows it.
#[derive(Debug, Clone)]
pub struct ReviewCase {
    /// The stored event row (pseudonymised: e-mail, phone and IP are keyed hashes).
    pub row: FraudEventRow,
    /// Its reasons.
    pub reasons: Vec<Reason>,
    /// Its e-mail, phone and IP, masked (opened from their encrypted copy).
    pub contact: Option<super::fraud_contact::MaskedContact>,
}

fn text_ok(field: &str, v: &str, max: usize, required: bool) -> Result<String, CoreError> {
    let t = v.trim();
    if required && t.is_empty() {
        return Err(CoreError::invalid(
            field,
            "required",
            format!("{field} is required"),
        ));
    }
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            field,
            "invalid",
            format!("{field} must be one line of at most {max} characters"),
        ));
    }
    // The same write guard as every other stored free text: card numbers and CVVs refused.
    if crate::guard::text_has_card_number(t) || crate::guard::check_note(t).is_err() {
        return Err(CoreError::CardNumber);
    }
    Ok(t.to_string())
}

/// A masked hint of a listed value, for people to recognise it.
fn hint(entity: Entity, v: &str) -> String {
    match entity {
        Entity::Email => crate::mask::email(v),
        Entity::Phone => crate::mask::phone(v),
        Entity::Ip => super::fraud_contact::mask_ip(v),
        _ => {
            let head: String = v.chars().take(4).collect();
            format!("{head}…")
        }
    }
}

fn list_kind(list: &str) -> Result<ListKind, CoreError> {
    ListKind::parse(list)
        .ok_or_else(|| CoreError::invalid("list", "invalid", "list must be allow or block"))
}

fn list_entity(entity: &str) -> Result<Entity, CoreError> {
    Entity::parse(entity)
        .filter(|e| LIST_ENTITIES.contains(e))
        .ok_or_else(|| {
            CoreError::invalid(
                "entity",
                "invalid",
                "entity must be email, card, device, ip, address, customer or phone",
            )
        })
}

/// Builds the engine's lists from the stored entries.
pub(crate) fn lists_of(rows: &[FraudListRow]) -> Lists {
    let mut lists = Lists::new();
    for r in rows {
        let (Some(l), Some(e)) = (ListKind::parse(&r.list), Entity::parse(&r.entity)) else {
            continue;
        };
        if let Some(k) = r
            .key
            .strip_prefix("k:")
            .and_then(|h| u64::from_str_radix(h, 16).ok())
        {
            lists.insert_key(l, e, k);
        }
    }
    lists
}

impl Vault {
    /// Sets where [`Vault::fraud_reload_rules`] reads the rules from.
    pub fn set_fraud_rules_source(&self, source: RulesSource) {
        *self.fraud.rules_source.write().expect("rules source lock") = Some(source);
    }

    /// Re-reads the rules from the configured directory and puts them in force without a
    /// restart (the feature state is kept). An invalid set is refused, naming file and line,
    /// and the rules in force stay. Both are audited (`fraud.rules.reload`).
    pub async fn fraud_reload_rules(&self, caller: &Caller) -> Result<RulesInfo, CoreError> {
        self.require(caller, Scope::FraudManage, AuditAction::FraudRulesReload)
            .await?;
        let source = self
            .fraud
            .rules_source
            .read()
            .expect("rules source lock")
            .clone()
            .ok_or_else(|| {
                CoreError::invalid(
                    "rules_dir",
                    "not_configured",
                    "no rule directory is configured ([fraud] rules_dir in jaga.toml)",
                )
            })?;
        match source() {
            Ok(set) => {
                let info = RulesInfo {
                    rules: set.rules.len(),
                    version: set.version.clone(),
                };
                self.audit(
                    AuditRecord::new(caller, AuditAction::FraudRulesReload).fields([
                        format!("rules:{}", info.rules),
                        format!("version:{}", info.version),
                    ]),
                )
                .await?;
                self.fraud_set_rules(Arc::new(set)).await;
                Ok(info)
            }
            Err(message) => {
                self.audit(
                    AuditRecord::new(caller, AuditAction::FraudRulesReload)
                        .outcome(AuditOutcome::Rejected)
                        .fields(["reason:invalid_rules"]),
                )
                .await?;
                Err(CoreError::invalid("rules", "invalid_rules", message))
            }
        }
    }

    /// Every allow- and block-list entry (keys, hints and notes; never values).
    pub async fn fraud_lists(&self, caller: &Caller) -> Result<Vec<FraudListRow>, CoreError> {
        self.require(caller, Scope::FraudManage, AuditAction::FraudListChange)
            .await?;
        Ok(self.store.fraud_lists_all().await?)
    }

    /// Lists `value` as an `entity` on `list`. Only its keyed hash and a masked hint are kept.
    /// Returns the entry and whether it is new (an existing entry is left as it is).
    pub async fn fraud_list_add(
        &self,
        caller: &Caller,
        list: &str,
        entity: &str,
        value: &str,
        note: &str,
    ) -> Result<(FraudListRow, bool), CoreError> {
        let keys = self
            .require(caller, Scope::FraudManage, AuditAction::FraudListChange)
            .await?;
        let kind = list_kind(list)?;
        let ent = list_entity(entity)?;
        let value = text_ok("value", value, 256, true)?;
        let note = text_ok("note", note, MAX_NOTE, false)?;
        let k = keyer(&keys).key(ent, &normalize(ent, &value));
        let row = FraudListRow {
            list: kind.as_str().to_string(),
            entity: ent.as_str().to_string(),
            key: format!("k:{k:016x}"),
            hint: hint(ent, &value),
            note,
            created_by: caller.id().to_string(),
            created_at: crate::now_ms(),
        };
        let audit = AuditRecord::new(caller, AuditAction::FraudListChange).fields([
            "op:add".to_string(),
            format!("list:{}", row.list),
            format!("entity:{}", row.entity),
            format!("key:{}", row.key),
        ]);
        let created = self.store.fraud_list_put(row.clone(), audit).await?;
        self.fraud_refresh_lists().await?;
        Ok((row, created))
    }

    /// Removes an entry, named by its key (`k:<hex>`) or by the value itself. `false` if there
    /// was none.
    pub async fn fraud_list_remove(
        &self,
        caller: &Caller,
        list: &str,
        entity: &str,
        key_or_value: &str,
    ) -> Result<bool, CoreError> {
        let keys = self
            .require(caller, Scope::FraudManage, AuditAction::FraudListChange)
            .await?;
        let kind = list_kind(list)?;
        let ent = list_entity(entity)?;
        let v = text_ok("key", key_or_value, 256, true)?;
        let key = if v.starts_with("k:") {
            v
        } else {
            format!("k:{:016x}", keyer(&keys).key(ent, &normalize(ent, &v)))
        };
        let audit = AuditRecord::new(caller, AuditAction::FraudListChange).fields([
            "op:remove".to_string(),
            format!("list:{}", kind.as_str()),
            format!("entity:{}", ent.as_str()),
            format!("key:{key}"),
        ]);
        let removed = self
            .store
            .fraud_list_delete(kind.as_str(), ent.as_str(), &key, audit)
            .await?;
        self.fraud_refresh_lists().await?;
        Ok(removed)
    }

    /// Reloads this node's lists from the store.
    pub(crate) async fn fraud_refresh_lists(&self) -> Result<(), CoreError> {
        let rows = self.store.fraud_lists_all().await?;
        let lists = lists_of(&rows);
        let mut st = self.fraud.inner.lock().await;
        st.lists_at = crate::now_ms();
        st.lists = Some(lists.clone());
        if let Some(e) = st.engine.as_mut() {
            *e.lists_mut() = lists;
        }
        Ok(())
    }

    /// Up to `limit` events held for review that nobody has decided, newest first.
    pub async fn fraud_review_queue(
        &self,
        caller: &Caller,
        limit: u32,
    ) -> Result<Vec<ReviewCase>, CoreError> {
        let keys = self
            .require(caller, Scope::FraudReview, AuditAction::FraudReviewRead)
            .await?;
        let rows = self.store.fraud_review_queue(limit.clamp(1, 500)).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let sealed: std::collections::HashMap<String, String> = self
            .store
            .fraud_contacts_get(&ids)
            .await?
            .into_iter()
            .collect();
        // The queue shows (masked) contacts of people: the read is recorded before it is
        // answered, like a masked customer read.
        self.audit(
            AuditRecord::new(caller, AuditAction::FraudReviewRead)
                .fields(["queue".to_string(), format!("count:{}", rows.len())]),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| ReviewCase {
                reasons: serde_json::from_str(&row.reasons).unwrap_or_default(),
                contact: sealed
                    .get(&row.id)
                    .and_then(|s| super::fraud_contact::open_masked(&keys, &row.id, s)),
                row,
            })
            .collect())
    }

    /// The latest review decisions.
    pub async fn fraud_reviews_recent(
        &self,
        caller: &Caller,
        limit: u32,
    ) -> Result<Vec<FraudReviewRow>, CoreError> {
        self.require(caller, Scope::FraudReview, AuditAction::FraudReviewRead)
            .await?;
        Ok(self.store.fraud_reviews_recent(limit.clamp(1, 500)).await?)
    }

    /// Approves or declines a held event, with a note. The decision becomes the event's label
    /// (decline: fraud; approve: legitimate) and is audited with the reviewer. An event that
    /// is not held for review is 404; one decided already is a conflict.
    pub async fn fraud_review_decide(
        &self,
        caller: &Caller,
        event_id: &str,
        decision: &str,
        note: &str,
    ) -> Result<FraudReviewRow, CoreError> {
        self.require(caller, Scope::FraudReview, AuditAction::FraudReviewDecide)
            .await?;
        let fraud = match decision {
            "approve" => false,
            "decline" => true,
            _ => {
                return Err(CoreError::invalid(
                    "decision",
                    "invalid",
                    "decision must be approve or decline",
                ));
            }
        };
        let note = text_ok("note", note, MAX_NOTE, false)?;
        let rows = self.store.fraud_events_get(&[event_id.to_string()]).await?;
        let Some(ev) = rows.into_iter().find(|r| r.decision == "review") else {
            return Err(CoreError::NotFound);
        };
        let now = crate::now_ms();
        let review = FraudReviewRow {
            event_id: ev.id.clone(),
            decision: decision.to_string(),
            note,
            staff_id: caller.id().to_string(),
            decided_at: now,
        };
        let label = FraudLabelRow {
            event_id: ev.id.clone(),
            fraud: Some(fraud),
            kind: format!("review_{decision}"),
            source: caller.id().to_string(),
            set_at: now,
        };
        // The event id is the shop's (or the gateway's) reference, not personal data.
        let audit = AuditRecord::new(caller, AuditAction::FraudReviewDecide)
            .fields([format!("decision:{decision}"), format!("event:{}", ev.id)]);
        if !self
            .store
            .fraud_review_decide(review.clone(), label, audit)
            .await?
        {
            return Err(CoreError::Conflict(
                crate::error::ConflictKind::AlreadyDecided,
            ));
        }
        Ok(review)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_never_hold_the_value() {
        assert!(!hint(Entity::Email, "siti.rahma@gmail.com").contains("siti.rahma"));
        assert_eq!(hint(Entity::Ip, "36.72.1.9"), "36.72.*.*");
        assert_eq!(hint(Entity::Card, "Xt5EWLLDS7FJjR1c"), "Xt5E…");
        assert!(!hint(Entity::Phone, "081234567890").contains("1234567"));
    }

    #[test]
    fn list_values_are_checked() {
        assert!(text_ok("value", "", 10, true).is_err());
        assert!(text_ok("value", "a\nb", 10, true).is_err());
        assert!(text_ok("value", &"x".repeat(11), 10, true).is_err());
        assert!(matches!(
            text_ok("value", "4111 1111 1111 1111", 100, true),
            Err(CoreError::CardNumber)
        ));
        // A CVV is refused like a card number (the write guard, not only the card check).
        assert!(matches!(
            text_ok("note", "pelanggan kasih CVV 123", 100, false),
            Err(CoreError::CardNumber)
        ));
        assert_eq!(
            text_ok("note", "sudah ditelepon, aman", 100, false).unwrap(),
            "sudah ditelepon, aman"
        );
        assert!(list_kind("maybe").is_err());
        assert!(list_entity("bin").is_err());
        assert_eq!(list_entity("email").unwrap(), Entity::Email);
    }
}
