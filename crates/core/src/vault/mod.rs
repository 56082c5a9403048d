//! The vault service: sealed state, key material, and the capabilities that read and change
//! customer data.
//!
//! A [`Vault`] starts sealed. Unsealing checks the root key against the stored check value and
//! loads the keyring from the store. Every operation on customer data goes through a capability
//! ([`CustomerReader`], [`Revealer`], [`CustomerWriter`], [`Eraser`], [`OrderReader`],
//! [`OrderWriter`]) that [`Vault`] hands out only to callers with the matching scope, after
//! auditing refusals.

mod access;
mod activity;
mod codec;
mod customers;
mod export;
pub use export::Exporter;
mod fraud;
mod fraud_admin;
mod fraud_case;
pub use fraud_case::{CASE_LIST_LIMIT, CaseDetail, CaseEvent};
mod fraud_contact;
pub use fraud_contact::MaskedContact;
mod fraud_gateways;
mod fraud_summary;
pub use fraud::MAX_BATCH as MAX_FRAUD_BATCH;
pub use fraud_admin::{MAX_NOTE as FRAUD_MAX_NOTE, ReviewCase, RulesInfo, RulesSource};
pub use fraud_gateways::WebhookAck;
pub use fraud_summary::FraudSummary;
pub mod idempotency;
mod lookup;
mod mail;
mod operator;
mod orders;
mod payees;
mod ratelimit;
mod redact;
pub mod refusals;
mod requests;
pub use requests::{NewConsent, NewRequest, REQUESTS_LIMIT, Requests};
mod retention;
pub use retention::RETENTION_ACTOR;
mod screen;
mod segments;
pub use segments::{SegmentMoved, SegmentMover};
mod tokens;
mod unseal_gate;

pub use crate::audit::{AuditHit, AuditPage, AuditQuery, SCAN_LIMIT};
pub use crate::audit::{AuditReader, CheckpointView, EventView, ProofView};
pub use activity::TeamEvent;
pub use customers::BatchImported;
pub use customers::{CustomerReader, CustomerWriter, Eraser, Revealer};
pub use lookup::{LOOKUP_LIMIT, LookupResult};
pub use mail::MailAnalyzer;
pub use operator::{ApiKeyInfo, KeyStatus, NewApiKey, RotationProgress};
pub use orders::{OrderReader, OrderWriter};
pub use payees::{
    ApprovalView, BankInput, BankVersionView, CallInput, CallView, ContactChangeView, ContactInput,
    ExportResult, NewPayee, NewPayout, PAYEE_KINDS, PayeeNotice, PayeeView, Payees, PayoutView,
    SenderPayee,
};
pub use ratelimit::LookupLimits;
pub use redact::Redactor;
pub use tokens::{ResolvedToken, TokenResolver, parse_token};
pub use unseal_gate::UnsealMaterial;

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::{Caller, Scope};
use crate::error::{ForbiddenReason, UnsealError};
use crate::model::Field;
use crate::store::{KeyRecord, Store};
use crate::unseal::UnsealConfig;
use jaga_crypto::Key32;
use jaga_crypto::blind::BlindIndexKey;
use jaga_crypto::keys::{self, Keyring};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use zeroize::Zeroizing;

/// Key kinds in the keyring table.
pub(crate) const KIND_KEK: &str = "kek";
pub(crate) const KIND_INDEX: &str = "index";

/// Key material held while unsealed.
pub(crate) struct Keys {
    root: Key32,
    keyring: RwLock<Keyring>,
    email_index: BlindIndexKey,
    phone_index: BlindIndexKey,
    nik_index: BlindIndexKey,
    apikey_key: Key32,
}

impl Keys {
    pub(crate) fn index_key(&self, field: Field) -> Option<&BlindIndexKey> {
        match field {
            Field::Email => Some(&self.email_index),
            Field::Phone => Some(&self.phone_index),
            Field::NationalId => Some(&self.nik_index),
            _ => None,
        }
    }

    /// The root key (for keys derived from it outside this module).
    pub(crate) fn root_key(&self) -> &Key32 {
        &self.root
    }

    pub(crate) fn keyring(&self) -> Keyring {
        self.keyring.read().expect("keyring lock").clone()
    }
}

/// Where unsealing stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealStatus {
    /// Whether the vault is sealed.
    pub sealed: bool,
    /// The unseal method.
    pub method: String,
    /// Shares needed (Shamir only).
    pub threshold: Option<u8>,
    /// Shares received so far (Shamir only).
    pub progress: Option<u8>,
}

/// The vault: one per process, shared by all requests.
pub struct Vault {
    store: Arc<dyn Store>,
    config: UnsealConfig,
    keys: RwLock<Option<Arc<Keys>>>,
    shares: Mutex<Vec<Zeroizing<String>>>,
    text_policy: RwLock<jaga_redact::PolicySpec>,
    lookup_limiter: ratelimit::Limiter,
    refusals: refusals::RefusalBudget,
    ids: crate::ids::Watch,
    fraud: fraud::FraudState,
    erasure_sink: RwLock<Option<Arc<dyn crate::lifecycle::ErasureSink>>>,
    payout_policy: RwLock<crate::payouts::PayoutPolicy>,
    mail_context: RwLock<Arc<jaga_mail::Context>>,
}

impl Vault {
    /// A sealed vault over `store`, unsealed according to `config`.
    pub fn new(store: Arc<dyn Store>, config: UnsealConfig) -> Self {
        Self {
            store,
            config,
            keys: RwLock::new(None),
            shares: Mutex::new(Vec::new()),
            text_policy: RwLock::new(jaga_redact::PolicySpec::default()),
            lookup_limiter: ratelimit::Limiter::default(),
            refusals: refusals::RefusalBudget::default(),
            ids: crate::ids::Watch::default(),
            fraud: fraud::FraudState::default(),
            erasure_sink: RwLock::new(None),
            payout_policy: RwLock::new(crate::payouts::PayoutPolicy::default()),
            mail_context: RwLock::new(Arc::default()),
        }
    }

    /// Sets where committed erasures are reported (the erasure ledger outside the database).
    pub fn set_erasure_sink(&self, sink: Arc<dyn crate::lifecycle::ErasureSink>) {
        *self.erasure_sink.write().expect("erasure sink lock") = Some(sink);
    }

    /// Hands a committed erasure to the sink, if one is set.
    pub(crate) fn report_erasure(&self, entry: &crate::lifecycle::ErasureEntry) {
        let sink = self.erasure_sink.read().expect("erasure sink lock").clone();
        if let Some(sink) = sink {
            sink.erased(entry);
        }
    }

    /// After customer `id` was erased at `at` by `by`: hands the erasure to the ledger outside
    /// the database (kept so a restore cannot bring the customer back; its catch-up job covers
    /// a sink that missed this one). Shared by manual erasure and the retention job.
    pub(crate) async fn ledger_erasure(&self, id: uuid::Uuid, at: i64, by: &str) {
        if let Ok(Some(found)) = self.store.customer_load(id).await {
            self.report_erasure(&crate::lifecycle::ErasureEntry {
                customer_id: id,
                segment: found.row.segment,
                erased_at: at,
                by: by.to_string(),
            });
        }
    }

    /// The underlying store, for services inside core only (the staff service). Other crates
    /// get what they need through audited capabilities, [`Vault::database_ok`] and
    /// [`Vault::audit_size`], never the whole store with its unaudited loads.
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The intrusion-detection state (`crate::ids`).
    pub(crate) fn ids(&self) -> &crate::ids::Watch {
        &self.ids
    }

    /// Whether the database answers (readiness checks).
    pub async fn database_ok(&self) -> bool {
        self.store.ping().await.is_ok()
    }

    /// The number of events in the audit log (metrics). Reveals nothing about any event.
    pub async fn audit_size(&self) -> Result<u64, CoreError> {
        Ok(self.store.audit_head().await?.size)
    }

    /// Creates the first KEK and blind-index key for a new installation (idempotent: does
    /// nothing if the keyring already has keys).
    pub async fn initialize(store: &dyn Store, root: &Key32) -> Result<(), CoreError> {
        if !store.keys_load().await?.is_empty() {
            return Ok(());
        }
        let caller = Caller::system("init");
        for kind in [KIND_INDEX, KIND_KEK] {
            let key = Key32::random();
            let rec = KeyRecord {
                kind: kind.into(),
                version: 1,
                state: "active".into(),
                wrapped: keys::wrap_under_root(root, kind, 1, &key),
                created_at: crate::now_ms(),
            };
            store
                .key_insert(
                    rec,
                    AuditRecord::new(&caller, AuditAction::KeysCreate).fields([kind]),
                )
                .await?;
        }
        Ok(())
    }

    /// Whether the vault is sealed.
    pub fn is_sealed(&self) -> bool {
        self.keys.read().expect("keys lock").is_none()
    }

    /// Sealing state for the API.
    pub fn status(&self) -> SealStatus {
        let (threshold, progress) = match &self.config {
            UnsealConfig::Shamir { threshold, .. } => (
                Some(*threshold),
                Some(self.shares.lock().expect("shares lock").len() as u8),
            ),
            _ => (None, None),
        };
        SealStatus {
            sealed: self.is_sealed(),
            method: self.config.method().into(),
            threshold,
            progress,
        }
    }

    pub(crate) fn keys(&self) -> Result<Arc<Keys>, CoreError> {
        self.keys
            .read()
            .expect("keys lock")
            .clone()
            .ok_or(CoreError::Sealed)
    }

    /// Drops all key material from memory.
    pub fn seal(&self) {
        *self.keys.write().expect("keys lock") = None;
        self.shares.lock().expect("shares lock").clear();
    }

    /// Unseals with the root key itself (key-file method, or after combining shares).
    pub async fn unseal_with_root(&self, root: Key32) -> Result<(), CoreError> {
        if !jaga_crypto::unseal::matches_check(&root, &self.config.root_check()) {
            return Err(CoreError::Unseal(UnsealError::WrongKey));
        }
        let records = self.store.keys_load().await?;
        let keyring = load_keyring(&root, &records)?;
        let index_rec = records
            .iter()
            .find(|r| r.kind == KIND_INDEX && r.state == "active")
            .ok_or(CoreError::Unseal(UnsealError::NoIndexKey))?;
        let index_root =
            keys::unwrap_under_root(&root, KIND_INDEX, index_rec.version, &index_rec.wrapped)
                .map_err(|_| CoreError::Integrity)?;
        let keys = Keys {
            email_index: BlindIndexKey::derive(
                &index_root,
                "email",
                Field::Email.blind_index_len().expect("indexed"),
            ),
            phone_index: BlindIndexKey::derive(
                &index_root,
                "phone",
                Field::Phone.blind_index_len().expect("indexed"),
            ),
            nik_index: BlindIndexKey::derive(
                &index_root,
                "national_id",
                Field::NationalId.blind_index_len().expect("indexed"),
            ),
            apikey_key: keys::derive(&root, "api-key-digest"),
            keyring: RwLock::new(keyring),
            root,
        };
        *self.keys.write().expect("keys lock") = Some(Arc::new(keys));
        self.shares.lock().expect("shares lock").clear();
        tracing::info!("vault unsealed");
        Ok(())
    }

    /// Unseals with a passphrase (passphrase method).
    pub async fn unseal_with_passphrase(&self, passphrase: &SecretString) -> Result<(), CoreError> {
        let UnsealConfig::Passphrase {
            params,
            wrapped_root,
            ..
        } = &self.config
        else {
            return Err(CoreError::Unseal(UnsealError::NotPassphrase));
        };
        use base64::Engine;
        let wrapped = base64::engine::general_purpose::STANDARD
            .decode(wrapped_root)
            .map_err(|_| CoreError::Unseal(UnsealError::CorruptConfig))?;
        if !self.is_sealed() {
            // Never try a passphrase once unsealed: that would be an oracle for it.
            return Ok(());
        }
        // Argon2id (64 MiB, several passes) runs on the blocking pool, never on the async
        // workers that answer other requests.
        let (pass, params) = (passphrase.clone(), params.clone());
        let root = tokio::task::spawn_blocking(move || {
            jaga_crypto::unseal::unwrap_with_passphrase(&wrapped, &pass, &params)
        })
        .await
        .map_err(|_| CoreError::Unseal(UnsealError::Interrupted))?
        .map_err(CoreError::from)?;
        self.unseal_with_root(root).await
    }

    /// Adds one Shamir share; unseals once enough shares from this installation's split are in.
    ///
    /// A share whose fingerprint is not one `jaga init` recorded is refused at once and never
    /// counted, so nobody who can reach the (unauthenticated) unseal endpoint can spoil the
    /// shares the real holders have submitted. Installations without recorded fingerprints try
    /// every threshold-sized subset that includes the new share, so one foreign share cannot
    /// block unsealing either; they keep at most twice the number of shares made.
    pub async fn submit_share(&self, share: &str) -> Result<SealStatus, CoreError> {
        let UnsealConfig::Shamir {
            threshold,
            shares: made,
            share_fingerprints,
            ..
        } = &self.config
        else {
            return Err(CoreError::Unseal(UnsealError::NotShamir));
        };
        if !self.is_sealed() {
            return Ok(self.status());
        }
        let t = jaga_crypto::unseal::share_threshold(share).map_err(CoreError::from)?;
        let fingerprint = jaga_crypto::unseal::share_fingerprint(share).map_err(CoreError::from)?;
        if t != *threshold
            || (!share_fingerprints.is_empty() && !share_fingerprints.contains(&fingerprint))
        {
            return Err(CoreError::Unseal(UnsealError::ForeignShare));
        }
        let candidates = {
            let mut shares = self.shares.lock().expect("shares lock");
            let share = Zeroizing::new(share.trim().to_string());
            if shares.iter().any(|s| s.as_str() == share.as_str()) {
                None
            } else {
                if shares.len() >= 2 * usize::from(*made) {
                    shares.clear();
                }
                let others = shares.clone();
                shares.push(share.clone());
                (shares.len() >= usize::from(*threshold)).then_some((share, others))
            }
        };
        let Some((new, others)) = candidates else {
            return Ok(self.status());
        };
        let check = self.config.root_check();
        let root = subsets(others.len(), usize::from(*threshold) - 1)
            .into_iter()
            .find_map(|subset| {
                let mut set: Vec<&str> = subset.iter().map(|&i| others[i].as_str()).collect();
                set.push(new.as_str());
                jaga_crypto::unseal::combine(&set)
                    .ok()
                    .filter(|root| jaga_crypto::unseal::matches_check(root, &check))
            });
        match root {
            Some(root) => self.unseal_with_root(root).await?,
            None => tracing::warn!("the shares submitted so far do not combine to the root key"),
        }
        Ok(self.status())
    }

    /// Reloads the keyring from the store (picks up a rotation made by another process).
    pub async fn refresh_keyring(&self) -> Result<(), CoreError> {
        let keys = self.keys()?;
        let records = self.store.keys_load().await?;
        let ring = load_keyring(&keys.root, &records)?;
        *keys.keyring.write().expect("keyring lock") = ring;
        Ok(())
    }

    /// The key that encrypts staff TOTP secrets (derived from the root key; needs the vault
    /// unsealed).
    pub(crate) fn staff_totp_key(&self) -> Result<Key32, CoreError> {
        Ok(keys::derive(&self.keys()?.root, "staff-totp-secret"))
    }

    /// The key of the keyed digests of staff recovery codes.
    pub(crate) fn staff_recovery_key(&self) -> Result<Key32, CoreError> {
        Ok(keys::derive(&self.keys()?.root, "staff-recovery-code"))
    }

    /// Appends a standalone audit event (e.g. a request refused before it reached a service).
    ///
    /// A refusal (outcome `denied` or `rejected`) passes the refusal budget
    /// ([`refusals`]): beyond it, it is only counted and later written as part of one
    /// `audit.refusals_aggregated` summary, so a flood of refused requests cannot grow the log
    /// without limit. Returns whether the event itself was written.
    pub async fn audit(&self, record: AuditRecord) -> Result<bool, CoreError> {
        if !refusals::is_refusal(&record) {
            self.store.audit_append(record.clone()).await?;
            self.observe_one(&record, None);
            return Ok(true);
        }
        // Detection counts every refusal, also those the budget only counts.
        self.observe_one(&record, None);
        let admit = self.refusals.admit(&record, crate::now_ms());
        if !admit.summaries.is_empty() {
            self.append_summaries(admit.summaries).await?;
        }
        if admit.write {
            self.store.audit_append(record).await?;
        }
        Ok(admit.write)
    }

    /// Writes the summaries of the refusal budget's window if it has passed (every open count
    /// when `force`, e.g. at shutdown). Returns how many summary events were written.
    pub async fn flush_refusals(&self, force: bool) -> Result<usize, CoreError> {
        let summaries = self.refusals.take(crate::now_ms(), force);
        let n = summaries.len();
        if n > 0 {
            self.append_summaries(summaries).await?;
        }
        Ok(n)
    }

    /// Appends refusal summaries; if the append fails they are kept for the next attempt
    /// (the counts are not lost) and the error is returned.
    async fn append_summaries(&self, summaries: Vec<AuditRecord>) -> Result<(), CoreError> {
        if let Err(e) = self.store.audit_append_batch(summaries.clone()).await {
            self.refusals.requeue(summaries);
            return Err(e.into());
        }
        Ok(())
    }

    /// Checks `caller` holds `scope`; if not, audits the refusal of `action` and fails.
    pub(crate) async fn require(
        &self,
        caller: &Caller,
        scope: Scope,
        action: AuditAction,
    ) -> Result<Arc<Keys>, CoreError> {
        if !caller.has(scope) {
            return Err(self
                .deny(caller, Refusal::new(action, ForbiddenReason::Scope(scope)))
                .await);
        }
        self.keys()
    }

    /// Checks `caller` holds `scope` for an operation outside the vault's capabilities (e.g. the
    /// metrics endpoint); a refusal is audited as a denied `action` through the vault's
    /// one refusal step (`Vault::deny`). Needs no key material.
    pub async fn require_scope(
        &self,
        caller: &Caller,
        scope: Scope,
        action: AuditAction,
    ) -> Result<(), CoreError> {
        if caller.has(scope) {
            return Ok(());
        }
        Err(self
            .deny(caller, Refusal::new(action, ForbiddenReason::Scope(scope)))
            .await)
    }

    /// The one refusal step: audits `refusal` by `caller` as a `denied` event (through the
    /// refusal budget, [`Vault::audit`]) and returns the error to hand back,
    /// [`CoreError::Forbidden`] with the reason — or the store's error if the event could not
    /// be written, so a refusal is never returned unaudited.
    pub(crate) async fn deny(&self, caller: &Caller, refusal: Refusal) -> CoreError {
        let (record, reason) = crate::audit::denied_event(caller, refusal);
        match self.audit(record).await {
            Ok(_) => CoreError::Forbidden(reason),
            Err(e) => e,
        }
    }
}

/// Every `k`-element subset of `0..n`, as sorted index lists (`C(n, k)` of them; `n` is at most
/// twice the number of shares made, so this stays small).
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(0, n, k, &mut Vec::with_capacity(k), &mut out);
    out
}

fn load_keyring(root: &Key32, records: &[KeyRecord]) -> Result<Keyring, CoreError> {
    let mut keks = BTreeMap::new();
    let mut active = None;
    for r in records
        .iter()
        .filter(|r| r.kind == KIND_KEK && r.state != "retired")
    {
        let k = keys::unwrap_under_root(root, KIND_KEK, r.version, &r.wrapped)
            .map_err(|_| CoreError::Integrity)?;
        keks.insert(r.version, k);
        if r.state == "active" {
            active = Some(r.version);
        }
    }
    let active = active.ok_or(CoreError::Unseal(UnsealError::NoActiveKey))?;
    Keyring::new(keks, active).ok_or(CoreError::Integrity)
}

#[cfg(test)]
mod tests {
    use super::subsets;

    #[test]
    fn subsets_are_all_combinations() {
        assert_eq!(subsets(3, 0), vec![Vec::<usize>::new()]);
        assert_eq!(subsets(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(subsets(6, 3).len(), 20);
        assert!(subsets(2, 3).is_empty());
    }
}
