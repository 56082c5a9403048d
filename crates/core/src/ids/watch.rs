//! The vault's detection hook: in-memory state shared by every request (the detector, the
//! honeytoken set, containment in force, known address digests) and the queue of firings the
//! worker persists.

use super::config::{Containment, IdsConfig, Rule};
use super::detect::{Detector, Firing, Seen};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{ActorKind, Caller};
use crate::store::{AlertRow, SuspensionRow};
use crate::vault::Vault;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use tokio::sync::mpsc;
use uuid::Uuid;

/// Firings waiting to be persisted (beyond this they are logged and dropped; containment has
/// already been applied in memory).
const QUEUE: usize = 4096;
/// A repeat of the same rule for the same actor within this time is counted on the open alert
/// instead of raising a new one.
pub(crate) const DEDUP_MS: i64 = 15 * 60_000;

/// Decoys known to this process.
#[derive(Default)]
pub(crate) struct Decoys {
    pub customers: HashSet<Uuid>,
    pub api_keys: HashSet<String>,
    pub staff: HashSet<String>,
}

/// The detection state of one vault.
pub(crate) struct Watch {
    detector: Mutex<Detector>,
    pub(crate) decoys: RwLock<Decoys>,
    suspended: RwLock<HashSet<(ActorKind, String)>>,
    /// Whether detection is on (`[ids] enabled`), readable without the detector's lock.
    enabled: std::sync::atomic::AtomicBool,
    /// Containment applied in memory whose record the worker has not written yet.
    pending: Mutex<HashSet<(ActorKind, String)>>,
    known: Mutex<HashMap<String, HashSet<String>>>,
    tx: mpsc::Sender<Firing>,
    rx: tokio::sync::Mutex<mpsc::Receiver<Firing>>,
}

impl Default for Watch {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self {
            detector: Mutex::new(Detector::new(IdsConfig::default()).expect("defaults are valid")),
            decoys: RwLock::default(),
            suspended: RwLock::default(),
            pending: Mutex::default(),
            enabled: std::sync::atomic::AtomicBool::new(true),
            known: Mutex::default(),
            tx,
            rx: tokio::sync::Mutex::new(rx),
        }
    }
}

impl Watch {
    pub(crate) fn is_suspended(&self, kind: ActorKind, id: &str) -> bool {
        let s = self
            .suspended
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !s.is_empty() && s.contains(&(kind, id.to_string()))
    }
}

fn kind_of(name: &str) -> Option<ActorKind> {
    match name {
        "api_key" => Some(ActorKind::ApiKey),
        "staff" => Some(ActorKind::Staff),
        _ => None,
    }
}

impl Vault {
    /// Replaces the detection configuration (the rule state starts afresh).
    pub fn set_ids_config(&self, config: IdsConfig) -> Result<(), String> {
        let on = config.enabled;
        *self
            .ids()
            .detector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Detector::new(config)?;
        self.ids()
            .enabled
            .store(on, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn ids_enabled(&self) -> bool {
        self.ids()
            .enabled
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The detection configuration in force.
    pub fn ids_config(&self) -> IdsConfig {
        self.ids()
            .detector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .config()
            .clone()
    }

    /// Feeds committed events to the rules and applies any containment at once.
    pub(crate) fn observe(&self, seen: &[Seen<'_>]) {
        if !self.ids_enabled() {
            return;
        }
        let firings: Vec<Firing> = {
            let w = self.ids();
            let decoys = w
                .decoys
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut d = w
                .detector
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            seen.iter()
                .flat_map(|s| d.observe(*s, |c| decoys.customers.contains(c)))
                .collect()
        };
        for f in firings {
            self.fire(f);
        }
    }

    /// Feeds one committed event.
    pub(crate) fn observe_one(&self, record: &AuditRecord, segment: Option<&str>) {
        self.observe(&[Seen { record, segment }]);
    }

    /// The containment `f` calls for. A decoy used as the actor (a decoy key or account) is
    /// refused anyway: suspending it would only name it in the log.
    fn containment_of(&self, f: &Firing) -> Containment {
        let staff = f.actor_kind == ActorKind::Staff;
        let decoy_actor = f.rule == Rule::Honeytoken && f.customer.is_none();
        match self.ids_config().containment_for(f.rule, staff) {
            Containment::Suspend | Containment::StepUp if decoy_actor => Containment::Alert,
            c => c,
        }
    }

    /// Applies `f`'s containment in memory now and queues it for the worker.
    pub(crate) fn fire(&self, f: Firing) {
        if !self.ids_enabled() {
            return;
        }
        let c = self.containment_of(&f);
        match c {
            Containment::Suspend | Containment::StepUp
                if matches!(f.actor_kind, ActorKind::ApiKey | ActorKind::Staff) =>
            {
                let who = (f.actor_kind, f.actor_id.clone());
                self.ids()
                    .pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(who.clone());
                self.ids()
                    .suspended
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(who);
            }
            Containment::Seal => self.seal(),
            _ => {}
        }
        tracing::warn!(rule = f.rule.name(), "intrusion detection rule fired");
        if self.ids().tx.try_send(f).is_err() {
            tracing::error!("intrusion detection queue full; an alert was not recorded");
        }
    }

    /// Whether an API key or staff account is suspended by containment.
    pub fn is_suspended(&self, kind: ActorKind, id: &str) -> bool {
        self.ids().is_suspended(kind, id)
    }

    /// Reloads decoys and containment from the store (other processes plant honeytokens and
    /// other nodes contain actors).
    pub async fn ids_refresh(&self) -> Result<(), CoreError> {
        self.load_decoys().await?;
        let rows = self.store().suspension_list().await?;
        // What the database holds (lifts by the operator apply here too), plus containment
        // applied in memory whose record is not written yet.
        let mut now: HashSet<(ActorKind, String)> = rows
            .into_iter()
            .filter_map(|r| kind_of(&r.actor_kind).map(|k| (k, r.actor_id)))
            .collect();
        now.extend(
            self.ids()
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .cloned(),
        );
        *self
            .ids()
            .suspended
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = now;
        Ok(())
    }

    async fn load_decoys(&self) -> Result<(), CoreError> {
        let mut decoys = super::watch::Decoys::default();
        let rows = self.store().honeytoken_list().await?;
        self.honeytoken_notices(&rows).await?;
        for h in rows {
            match h.kind.as_str() {
                "customer" => {
                    if let Ok(u) = Uuid::parse_str(&h.ref_id) {
                        decoys.customers.insert(u);
                    }
                }
                "api_key" => {
                    decoys.api_keys.insert(h.ref_id);
                }
                "staff" => {
                    decoys.staff.insert(h.ref_id);
                }
                _ => {}
            }
        }
        *self
            .ids()
            .decoys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = decoys;
        Ok(())
    }

    /// Checks a decoy API key (its use is a honeytoken hit) and the address rule for a key that
    /// authenticated. Returns `Err` when the key must be refused.
    pub(crate) async fn watch_api_key(
        &self,
        key_id: &str,
        address: Option<&str>,
    ) -> Result<(), CoreError> {
        let decoy = self
            .ids()
            .decoys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .api_keys
            .contains(key_id);
        if decoy {
            self.fire(Detector::external(
                Rule::Honeytoken,
                ActorKind::ApiKey,
                key_id,
                &[("decoy", "api_key".into())],
            ));
            return Err(CoreError::Unauthenticated);
        }
        if self.is_suspended(ActorKind::ApiKey, key_id) {
            return Err(CoreError::Unauthenticated);
        }
        if let Some(addr) = address {
            self.watch_address(ActorKind::ApiKey, key_id, addr, Rule::ApiKeyNewAddress)
                .await?;
        }
        Ok(())
    }

    /// Notes a decoy staff account's sign-in attempt.
    pub(crate) fn watch_staff_login(&self, staff_id: &str) {
        let decoy = self
            .ids()
            .decoys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .staff
            .contains(staff_id);
        if decoy {
            self.fire(Detector::external(
                Rule::Honeytoken,
                ActorKind::Staff,
                staff_id,
                &[("decoy", "staff".into())],
            ));
        }
    }

    /// The address rule: `rule` fires when `actor` uses an address it has not used before (its
    /// first address is learned silently). Addresses are kept as keyed digests only.
    pub(crate) async fn watch_address(
        &self,
        kind: ActorKind,
        actor: &str,
        address: &str,
        rule: Rule,
    ) -> Result<(), CoreError> {
        let Ok(keys) = self.keys() else {
            return Ok(());
        };
        let digest = hex_16(
            &jaga_crypto::blind::BlindIndexKey::derive(keys.root_key(), "ids-address", 16)
                .term(address.as_bytes()),
        );
        let who = format!("{}:{actor}", kind.name());
        if self
            .ids()
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&who)
            .is_some_and(|s| s.contains(&digest))
        {
            return Ok(());
        }
        let before = self.store().address_count(&who).await?;
        let new = self
            .store()
            .address_seen(&who, &digest, crate::now_ms())
            .await?;
        {
            let mut known = self
                .ids()
                .known
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if known.len() > 10_000 {
                known.clear();
            }
            known.entry(who).or_default().insert(digest);
        }
        if new && before > 0 {
            self.fire(Detector::external(
                rule,
                kind,
                actor,
                &[("known_addresses", before.to_string())],
            ));
        }
        Ok(())
    }

    /// Raises `audit_verify_failed` (called wherever a verification of the log fails).
    pub fn report_audit_verify_failure(&self, first_bad: Option<u64>) {
        let detail = first_bad.map(|p| ("first_bad_position", p.to_string()));
        self.fire(Detector::external(
            Rule::AuditVerifyFailed,
            ActorKind::System,
            "audit",
            detail.as_slice(),
        ));
    }

    /// Persists queued firings until the vault is dropped (a task of `jaga serve`).
    pub async fn run_ids(&self) {
        loop {
            let f = {
                let mut rx = self.ids().rx.lock().await;
                rx.recv().await
            };
            let Some(f) = f else { return };
            if let Err(e) = self.persist(f).await {
                tracing::error!(error = %e, "could not record an intrusion alert");
            }
        }
    }

    /// Persists every firing queued so far (CLI commands and tests, which run no worker).
    pub async fn ids_drain(&self) -> Result<usize, CoreError> {
        let mut n = 0;
        loop {
            let f = self.ids().rx.lock().await.try_recv();
            let Ok(f) = f else { return Ok(n) };
            self.persist(f).await?;
            n += 1;
        }
    }

    /// Records one firing: the alert (or one more hit on its open duplicate) with its audit
    /// event, and the containment taken.
    ///
    /// Every firing is audited as `ids.alert` naming only the alert id and its count (and
    /// the containment): the rule, the actor and any decoy customer are in the alert, which
    /// only the operator and admins read, not in the log every `audit:read` holder reads (a
    /// honeytoken alert naming its customer would single the decoy out). A repeat within
    /// [`DEDUP_MS`] updates the open alert's detail; if its containment is stronger than the
    /// alert's, the alert records the new containment and is handed to the channels again.
    async fn persist(&self, f: Firing) -> Result<(), CoreError> {
        let store = self.store();
        let now = crate::now_ms();
        let staff = f.actor_kind == ActorKind::Staff;
        let containment = self.containment_of(&f);
        let dedup = f.dedup();
        let subject = format!("{}:{}", f.actor_kind.name(), f.actor_id);
        let ids = Caller::component("ids", None);
        let mut detail = serde_json::Map::new();
        for (k, v) in &f.detail {
            detail.insert(k.clone(), v.clone().into());
        }
        if let Some(c) = f.customer
            && let Some(row) = store.customer_load(c).await?
        {
            detail.insert("customer_code".into(), row.row.code.into());
        }
        let alert_id = if let Some(open) = store.alert_recent(&dedup, now - DEDUP_MS).await? {
            let old: serde_json::Value = serde_json::from_str(&open.detail).unwrap_or_default();
            let was = old
                .get("containment")
                .and_then(|c| c.as_str())
                .map_or(0, rank);
            let escalated = rank(containment.name()) > was;
            let kept = if escalated {
                containment.name().to_string()
            } else {
                old.get("containment")
                    .and_then(|c| c.as_str())
                    .unwrap_or(containment.name())
                    .to_string()
            };
            detail.insert("containment".into(), kept.clone().into());
            let hits = open.hits + 1;
            let audit = AuditRecord::new(&ids, AuditAction::IdsAlert).fields([
                format!("alert:{}", open.id),
                format!("count:{hits}"),
                format!("containment:{kept}"),
            ]);
            store
                .alert_bump(
                    &open.id,
                    now,
                    Some(serde_json::Value::Object(detail).to_string()),
                    escalated,
                    audit,
                )
                .await?;
            open.id
        } else {
            detail.insert("containment".into(), containment.name().into());
            let id = format!("al-{}", &Uuid::new_v4().simple().to_string()[..12]);
            let fields = vec![
                format!("alert:{id}"),
                "count:1".to_string(),
                format!("containment:{}", containment.name()),
            ];
            let row = AlertRow {
                id: id.clone(),
                created_at: now,
                last_at: now,
                rule: f.rule.name().into(),
                severity: f.rule.severity().into(),
                actor_kind: f.actor_kind.name().into(),
                actor_id: f.actor_id.clone(),
                dedup,
                hits: 1,
                detail: serde_json::Value::Object(detail).to_string(),
                acked_at: None,
                acked_by: None,
                delivered_at: None,
                incident_id: None,
            };
            let audit = AuditRecord::new(&ids, AuditAction::IdsAlert).fields(fields);
            store.alert_insert(row, audit).await?;
            id
        };
        // The actor contained is named (an operator lifts it by that name); a seal contains
        // no actor, so its event names none (the actor may be a decoy key or account).
        let contain_audit = || {
            let mut fields = vec![
                format!("alert:{alert_id}"),
                format!("containment:{}", containment.name()),
            ];
            if containment != Containment::Seal {
                fields.push(format!("subject:{subject}"));
            }
            AuditRecord::new(&ids, AuditAction::IdsContain).fields(fields)
        };
        match containment {
            Containment::Suspend
                if matches!(f.actor_kind, ActorKind::ApiKey | ActorKind::Staff) =>
            {
                let row = SuspensionRow {
                    actor_kind: f.actor_kind.name().into(),
                    actor_id: f.actor_id.clone(),
                    rule: f.rule.name().into(),
                    at: now,
                };
                store.suspension_insert(row, contain_audit()).await?;
                self.ids()
                    .pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&(f.actor_kind, f.actor_id.clone()));
            }
            Containment::StepUp if staff => {
                if let Ok(id) = Uuid::parse_str(&f.actor_id) {
                    store.sessions_end(id, None, Some(contain_audit())).await?;
                }
                let who = (ActorKind::Staff, f.actor_id.clone());
                self.ids()
                    .pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&who);
                self.ids()
                    .suspended
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&who);
            }
            Containment::Seal => {
                store.audit_append(contain_audit()).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Lifts containment on an actor (operator). Audited as `ids.lift`.
    pub async fn ids_lift(
        &self,
        caller: &Caller,
        kind: ActorKind,
        id: &str,
    ) -> Result<(), CoreError> {
        self.require_operator(caller, AuditAction::IdsLift).await?;
        let audit = AuditRecord::new(caller, AuditAction::IdsLift)
            .fields([format!("subject:{}:{id}", kind.name())]);
        let found = self
            .store()
            .suspension_delete(kind.name(), id, audit)
            .await?;
        let who = (kind, id.to_string());
        self.ids()
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&who);
        let was = self
            .ids()
            .suspended
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&who);
        if found || was {
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }
}

/// How strong a containment is (a firing stronger than its open alert escalates it).
fn rank(name: &str) -> u8 {
    match name {
        "suspend" => 1,
        "step_up" => 2,
        "seal" => 3,
        _ => 0,
    }
}

fn hex_16(b: &[u8]) -> String {
    b[..16].iter().map(|x| format!("{x:02x}")).collect()
}
