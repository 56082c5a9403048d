//! The fraud monitor as a vault capability: score events synchronously, persist them, and see
//! the events other nodes scored.
//!
//! E-mail addresses, phone numbers and IP addresses are replaced by keyed hashes (a key derived
//! from the vault's root key) before the engine or the store sees them; the e-mail's domain is
//! kept for the disposable-domain feature. Every node on one database derives the same key, so
//! an event scored on one node counts in the velocity features of all of them: before scoring,
//! a node replays the rows other nodes inserted since it last looked.

use super::{Keys, Vault};
use crate::audit::AuditAction;
use crate::auth::{Caller, Scope};
use crate::error::CoreError;
use crate::store::{FraudEventRow, FraudLabelRow, FraudLink};
use jaga_crypto::blind::BlindIndexKey;
use jaga_fraud::gateway::Effect;
use jaga_fraud::keys::{Entity, Keyer, normalize};
use jaga_fraud::{Engine, Event, EventType, Outcome, Reason, RuleSet};
use jaga_i18n::Lang;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Most events in one batch.
pub const MAX_BATCH: usize = 1_000;

/// How long a node trusts its copy of the allow and block lists (another node's change is in
/// force here within this time; this node's own changes at once).
const LISTS_TTL_MS: i64 = 5_000;

/// The engine of this node and how far it has read the shared event table.
#[derive(Default)]
pub(crate) struct FraudState {
    pub(super) inner: tokio::sync::Mutex<Inner>,
    rules: std::sync::RwLock<Option<Arc<RuleSet>>>,
    pub(super) gateways: std::sync::RwLock<Option<Arc<jaga_fraud::gateway::GatewaySecrets>>>,
    pub(super) rules_source: std::sync::RwLock<Option<super::fraud_admin::RulesSource>>,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) engine: Option<Engine>,
    cursor: i64,
    /// Ids this node inserted and has not yet passed while catching up.
    mine: HashSet<String>,
    /// The allow and block lists as last read from the store, and when (ms).
    pub(super) lists: Option<jaga_fraud::Lists>,
    pub(super) lists_at: i64,
}

/// The server's keyer: keyed HMAC (vault key) of the normalised value; a value already keyed
/// (`k:` + 16 hex digits, as stored) is taken as its key.
pub(super) struct VaultKeyer(BlindIndexKey);

impl VaultKeyer {
    fn hash(&self, entity: Entity, normalized: &str) -> u64 {
        let mut msg = Vec::with_capacity(normalized.len() + 12);
        msg.extend_from_slice(entity.as_str().as_bytes());
        msg.push(0);
        msg.extend_from_slice(normalized.as_bytes());
        let t = self.0.term(&msg);
        let mut b = [0u8; 8];
        b.copy_from_slice(&t[..8]);
        u64::from_be_bytes(b)
    }
}

fn prekeyed(v: &str) -> Option<u64> {
    let hex = v.strip_prefix("k:")?;
    let hex = hex.split('@').next()?;
    (hex.len() == 16).then(|| u64::from_str_radix(hex, 16).ok())?
}

impl Keyer for VaultKeyer {
    fn key(&self, entity: Entity, normalized: &str) -> u64 {
        prekeyed(normalized).unwrap_or_else(|| self.hash(entity, normalized))
    }
}

/// Replaces e-mail, phone and IP by their keys (the e-mail keeps its domain).
fn pseudonymise(mut ev: Event, keyer: &VaultKeyer) -> Event {
    if let Some(e) = ev.email.take() {
        let n = normalize(Entity::Email, &e);
        let domain = n
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        ev.email = Some(format!("k:{:016x}@{domain}", keyer.key(Entity::Email, &n)));
    }
    if let Some(p) = ev.phone.take() {
        let n = normalize(Entity::Phone, &p);
        ev.phone = Some(format!("k:{:016x}", keyer.key(Entity::Phone, &n)));
    }
    if let Some(ip) = ev.ip.take() {
        let n = normalize(Entity::Ip, &ip);
        ev.ip = Some(format!("k:{:016x}", keyer.key(Entity::Ip, &n)));
    }
    ev.label = None;
    ev
}

pub(super) fn keyer(keys: &Keys) -> VaultKeyer {
    VaultKeyer(BlindIndexKey::derive(&keys.root, "fraud-entities", 8))
}

fn outcome_of(row: &FraudEventRow) -> Outcome {
    let decision = match row.decision.as_str() {
        "block" => jaga_fraud::Decision::Block,
        "review" => jaga_fraud::Decision::Review,
        _ => jaga_fraud::Decision::Allow,
    };
    Outcome {
        id: row.id.clone(),
        decision,
        score: row.score.clamp(0, 100) as u8,
        reasons: serde_json::from_str::<Vec<Reason>>(&row.reasons).unwrap_or_default(),
        hits: Vec::new(),
        failures: Vec::new(),
    }
}

impl Vault {
    /// The rule set in force (the shipped defaults until [`Vault::fraud_set_rules`]).
    pub fn fraud_rules(&self) -> Arc<RuleSet> {
        self.fraud
            .rules
            .read()
            .expect("rules lock")
            .clone()
            .unwrap_or_else(|| Arc::new(RuleSet::defaults()))
    }

    /// Replaces the rule set (reload without restart); the feature state is kept.
    pub async fn fraud_set_rules(&self, rules: Arc<RuleSet>) {
        *self.fraud.rules.write().expect("rules lock") = Some(Arc::clone(&rules));
        if let Some(engine) = self.fraud.inner.lock().await.engine.as_mut() {
            engine.set_rules(rules);
        }
    }

    /// Scores `events` (already validated and through the card guard) as of each one's time,
    /// persists them in one transaction and returns one outcome per event, in order. An id
    /// scored before (by any node) gets its stored outcome back and is not scored again.
    /// Rules that fail at run time are skipped and logged by rule id. A refund or chargeback
    /// with an `order_id` is recorded against the order's earlier payments and orders (a
    /// chargeback labels them fraud; see `Item`).
    pub async fn fraud_score(
        &self,
        caller: &Caller,
        events: Vec<Event>,
        lang: Lang,
    ) -> Result<Vec<Outcome>, CoreError> {
        let keys = self
            .require(caller, Scope::EventsWrite, AuditAction::FraudEventScore)
            .await?;
        let items = events.into_iter().map(Item::from_event).collect();
        Ok(self
            .fraud_score_items(&keys, items, lang)
            .await?
            .into_iter()
            .map(|(o, _)| o)
            .collect())
    }

    /// Brings this node's engine up to date with what every node stored.
    async fn fraud_catch_up(
        &self,
        st: &mut Inner,
        keyer: &Arc<VaultKeyer>,
        lang: Lang,
    ) -> Result<(), CoreError> {
        let fresh = st.engine.is_none();
        if fresh {
            st.engine = Some(Engine::new(self.fraud_rules(), keyer.clone(), lang));
        }
        // Lists changed on another node are picked up within LISTS_TTL_MS.
        let now = crate::now_ms();
        if fresh || st.lists.is_none() || now - st.lists_at > LISTS_TTL_MS {
            let lists = super::fraud_admin::lists_of(&self.store.fraud_lists_all().await?);
            st.lists_at = now;
            st.lists = Some(lists.clone());
            *st.engine.as_mut().expect("engine").lists_mut() = lists;
        }
        loop {
            let rows = self.store.fraud_events_after(st.cursor, 2_000).await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            for r in &rows {
                if st.mine.remove(&r.id) {
                    continue;
                }
                match jaga_fraud::parse_event(&r.event) {
                    Ok(ev) => st.engine.as_mut().expect("engine").observe(&ev),
                    Err(_) => tracing::warn!(seq = r.seq, "stored fraud event unreadable; skipped"),
                }
            }
            st.cursor = last;
        }
        Ok(())
    }

    /// Scores and stores `items` (see [`Vault::fraud_score`]); each outcome says whether the
    /// event was new (`true`) or known already.
    pub(crate) async fn fraud_score_items(
        &self,
        keys: &Keys,
        items: Vec<Item>,
        lang: Lang,
    ) -> Result<Vec<(Outcome, bool)>, CoreError> {
        let keyer = Arc::new(keyer(keys));
        let mut st = self.fraud.inner.lock().await;
        self.fraud_catch_up(&mut st, &keyer, lang).await?;
        let ids: Vec<String> = items.iter().map(|i| i.event.id.clone()).collect();
        let known: HashMap<String, Outcome> = self
            .store
            .fraud_events_get(&ids)
            .await?
            .iter()
            .map(|r| (r.id.clone(), outcome_of(r)))
            .collect();
        let now = crate::now_ms();
        let mut out: Vec<(Outcome, bool)> = Vec::with_capacity(items.len());
        let mut fresh: HashMap<String, usize> = HashMap::new();
        let mut rows: Vec<FraudEventRow> = Vec::new();
        let mut links = Vec::new();
        let mut labels = Vec::new();
        let mut contacts = Vec::new();
        for item in items {
            let Item {
                event: ev,
                refs,
                effect,
                targets,
            } = item;
            if let Some(o) = known.get(&ev.id) {
                out.push((o.clone(), false));
                continue;
            }
            if let Some(&i) = fresh.get(&ev.id) {
                out.push((out[i].0.clone(), false));
                continue;
            }
            if let Some(sealed) = super::fraud_contact::seal(keys, &ev) {
                contacts.push((ev.id.clone(), sealed));
            }
            let mut ev = pseudonymise(ev, &keyer);
            if effect != Effect::None && !targets.is_empty() {
                let earlier = self.fraud_targets(&targets, &rows, &links, ev.ts).await?;
                if let Some(last) = earlier.last() {
                    enrich(&mut ev, last);
                }
                labels.extend(label_rows(&earlier, effect, &ev.id, now));
            }
            let engine = st.engine.as_mut().expect("engine");
            engine.set_lang(lang);
            let o = engine.score(&ev);
            for f in &o.failures {
                tracing::warn!(rule = %f.rule, error = %f.message, "fraud rule failed at run time; skipped");
            }
            for r in refs
                .iter()
                .chain(ev.order_id.as_ref().map(|o| format!("order:{o}")).iter())
            {
                let l = FraudLink {
                    reference: r.clone(),
                    event_id: ev.id.clone(),
                };
                if !links.contains(&l) {
                    links.push(l);
                }
            }
            rows.push(FraudEventRow {
                seq: 0,
                id: ev.id.clone(),
                ts: (ev.ts.unix_timestamp_nanos() / 1_000_000) as i64,
                kind: ev.kind.as_str().to_string(),
                event: serde_json::to_string(&ev).map_err(|_| CoreError::Integrity)?,
                decision: o.decision.as_str().to_string(),
                score: i64::from(o.score),
                reasons: serde_json::to_string(&o.reasons).map_err(|_| CoreError::Integrity)?,
                created_at: now,
            });
            fresh.insert(ev.id.clone(), out.len());
            out.push((o, true));
        }
        for r in &rows {
            st.mine.insert(r.id.clone());
        }
        if !rows.is_empty() || !labels.is_empty() {
            self.store
                .fraud_record(rows, contacts, links, labels)
                .await?;
        }
        Ok(out)
    }

    /// The payments and orders before `at` linked to `targets`, stored or earlier in this
    /// batch, oldest first.
    pub(crate) async fn fraud_targets(
        &self,
        targets: &[String],
        batch: &[FraudEventRow],
        batch_links: &[FraudLink],
        at: time::OffsetDateTime,
    ) -> Result<Vec<Event>, CoreError> {
        let mut rows = self.store.fraud_events_by_refs(targets).await?;
        for l in batch_links
            .iter()
            .filter(|l| targets.contains(&l.reference))
        {
            if let Some(r) = batch.iter().find(|r| r.id == l.event_id) {
                rows.push(r.clone());
            }
        }
        let mut seen = HashSet::new();
        let mut evs: Vec<Event> = rows
            .iter()
            .filter(|r| seen.insert(r.id.clone()))
            .filter_map(|r| jaga_fraud::parse_event(&r.event).ok())
            .filter(|e| matches!(e.kind, EventType::Payment | EventType::Order) && e.ts <= at)
            .collect();
        evs.sort_by_key(|e| e.ts);
        Ok(evs)
    }
}

/// One event to score, with what links it to earlier ones.
pub(crate) struct Item {
    pub(crate) event: Event,
    /// References of this event besides its order (`stripe:<charge>`).
    pub(crate) refs: Vec<String>,
    /// What it says about the earlier events of [`Item::targets`].
    pub(crate) effect: Effect,
    /// References of the earlier events it concerns.
    pub(crate) targets: Vec<String>,
}

impl Item {
    /// An event sent through the API: a refund or chargeback concerns its order.
    pub(crate) fn from_event(event: Event) -> Self {
        let effect = match event.kind {
            EventType::Chargeback => Effect::Chargeback,
            EventType::Refund => Effect::Refund,
            _ => Effect::None,
        };
        let targets = match (effect, &event.order_id) {
            (Effect::None, _) | (_, None) => Vec::new(),
            (_, Some(o)) => vec![format!("order:{o}")],
        };
        Item {
            event,
            refs: Vec::new(),
            effect,
            targets,
        }
    }
}

/// Fills what a refund or chargeback does not say (it often names only the order) from the
/// payment it concerns: the customer, contact keys, device, card and address, so per-card and
/// per-customer chargeback features count it.
fn enrich(ev: &mut Event, from: &Event) {
    fn fill<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
        if a.is_none() {
            a.clone_from(b);
        }
    }
    fill(&mut ev.order_id, &from.order_id);
    fill(&mut ev.customer_ref, &from.customer_ref);
    fill(&mut ev.account_created_at, &from.account_created_at);
    fill(&mut ev.email, &from.email);
    fill(&mut ev.phone, &from.phone);
    fill(&mut ev.ip, &from.ip);
    fill(&mut ev.ip_country, &from.ip_country);
    fill(&mut ev.device_id, &from.device_id);
    fill(&mut ev.billing_country, &from.billing_country);
    fill(&mut ev.currency, &from.currency);
    fill(&mut ev.shipping, &from.shipping);
    if let Some(fp) = &from.payment {
        let p = ev.payment.get_or_insert_with(Default::default);
        fill(&mut p.method, &fp.method);
        fill(&mut p.gateway, &fp.gateway);
        fill(&mut p.card_fingerprint, &fp.card_fingerprint);
        fill(&mut p.card_bin, &fp.card_bin);
        fill(&mut p.card_country, &fp.card_country);
        fill(&mut p.card_last4, &fp.card_last4);
    }
}

/// The labels a refund, chargeback or fraud warning puts on the earlier events.
pub(crate) fn label_rows(
    earlier: &[Event],
    effect: Effect,
    source: &str,
    now: i64,
) -> Vec<FraudLabelRow> {
    let fraud = match effect {
        Effect::Chargeback | Effect::FraudWarning => Some(true),
        Effect::Refund => None,
        Effect::None => return Vec::new(),
    };
    earlier
        .iter()
        .map(|e| FraudLabelRow {
            event_id: e.id.clone(),
            fraud,
            kind: effect.as_str().to_string(),
            source: source.to_string(),
            set_at: now,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonymised_events_key_like_the_originals() {
        let k = VaultKeyer(BlindIndexKey::derive(&jaga_crypto::Key32::random(), "f", 8));
        let ev = jaga_fraud::parse_event(
            r#"{"id":"a","ts":"2026-05-01T10:00:00Z","type":"order","email":"Siti@Mailinator.com","phone":"0812-3456-789","ip":"10.0.0.1"}"#,
        )
        .unwrap();
        let keys_before = jaga_fraud::EventKeys::derive(&ev, &k);
        let p = pseudonymise(ev, &k);
        let text = serde_json::to_string(&p).unwrap();
        assert!(
            !text.contains("siti")
                && !text.contains("Siti")
                && !text.contains("812")
                && !text.contains("10.0.0.1"),
            "{text}"
        );
        assert!(text.contains("@mailinator.com"));
        let back = jaga_fraud::parse_event(&text).unwrap();
        assert_eq!(jaga_fraud::EventKeys::derive(&back, &k), keys_before);
    }
}
