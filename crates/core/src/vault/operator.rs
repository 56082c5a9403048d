//! Administration: API keys, authentication, and key rotation.

use super::{KIND_KEK, Vault};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::{Caller, Scope};
use crate::error::ForbiddenReason;
use crate::store::{ApiKeyRecord, KeyRecord, WrappedKey};
use jaga_crypto::Key32;
use jaga_crypto::keys;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeSet;

/// A newly created API key: shown once.
pub struct NewApiKey {
    /// Public id.
    pub id: String,
    /// The whole key.
    pub token: SecretString,
}

/// An API key as listed (never the key).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiKeyInfo {
    /// Public id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Created, RFC 3339.
    pub created_at: String,
    /// Expiry, RFC 3339.
    pub expires_at: Option<String>,
    /// Revoked, RFC 3339.
    pub revoked_at: Option<String>,
    /// Last used, RFC 3339.
    pub last_used_at: Option<String>,
}

/// One KEK version and how many DEKs it wraps.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyStatus {
    /// Version.
    pub version: u32,
    /// `active`, `decrypt_only` or `retired`.
    pub state: String,
    /// DEKs wrapped under it.
    pub deks: u64,
    /// Created, RFC 3339.
    pub created_at: String,
}

/// Progress of a re-wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationProgress {
    /// DEKs re-wrapped so far.
    pub done: u64,
    /// DEKs that needed re-wrapping when the rotation started.
    pub total: u64,
}

/// DEKs re-wrapped per transaction.
const REWRAP_BATCH: u32 = 500;
/// Re-record last use at most this often.
const TOUCH_EVERY_MS: i64 = 60_000;

impl Vault {
    /// Refuses anyone but the operator at the machine: API keys and the keyring are managed
    /// with the `jaga` CLI only. A refusal is audited as a denied `action`.
    pub(crate) async fn require_operator(
        &self,
        caller: &Caller,
        action: AuditAction,
    ) -> Result<(), CoreError> {
        if caller.is_operator() {
            return Ok(());
        }
        Err(self
            .deny(caller, Refusal::new(action, ForbiddenReason::Operator))
            .await)
    }

    /// Creates an API key with `scopes` (operator only). Needs the vault unsealed (the digest key comes from the
    /// root key). Audited as `apikey.create`.
    pub async fn apikey_create(
        &self,
        caller: &Caller,
        name: &str,
        scopes: &BTreeSet<Scope>,
        expires_at: Option<i64>,
    ) -> Result<NewApiKey, CoreError> {
        self.require_operator(caller, AuditAction::ApiKeyCreate)
            .await?;
        let keys = self.keys()?;
        let name =
            crate::validate::line("name", name, 64).map_err(|e| CoreError::Invalid(vec![e]))?;
        if scopes.is_empty() {
            return Err(CoreError::invalid(
                "scopes",
                "invalid_scopes",
                "give at least one scope",
            ));
        }
        let new = jaga_crypto::apikey::generate();
        let rec = ApiKeyRecord {
            id: new.id.clone(),
            name,
            digest: jaga_crypto::apikey::digest(&keys.apikey_key, &new.token).to_vec(),
            scopes: scopes
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(","),
            created_at: crate::now_ms(),
            expires_at,
            revoked_at: None,
            last_used_at: None,
        };
        let audit = AuditRecord::new(caller, AuditAction::ApiKeyCreate)
            .fields(scopes.iter().map(|s| s.name()));
        self.store.api_key_insert(rec, audit).await?;
        Ok(NewApiKey {
            id: new.id,
            token: new.token,
        })
    }

    /// Lists API keys.
    pub async fn apikey_list(&self) -> Result<Vec<ApiKeyInfo>, CoreError> {
        let fmt = |t: Option<i64>| t.map(crate::format_ms);
        Ok(self
            .store
            .api_key_list()
            .await?
            .into_iter()
            .map(|k| ApiKeyInfo {
                scopes: k
                    .scopes
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                created_at: crate::format_ms(k.created_at),
                expires_at: fmt(k.expires_at),
                revoked_at: fmt(k.revoked_at),
                last_used_at: fmt(k.last_used_at),
                id: k.id,
                name: k.name,
            })
            .collect())
    }

    /// Revokes an API key. Audited as `apikey.revoke`.
    pub async fn apikey_revoke(&self, caller: &Caller, id: &str) -> Result<(), CoreError> {
        self.require_operator(caller, AuditAction::ApiKeyRevoke)
            .await?;
        let audit = AuditRecord::new(caller, AuditAction::ApiKeyRevoke).fields([id]);
        if self
            .store
            .api_key_revoke(id, crate::now_ms(), audit)
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }

    /// Authenticates a bearer token. Unknown, malformed, revoked and expired keys all give
    /// [`CoreError::Unauthenticated`]; a sealed vault gives [`CoreError::Sealed`].
    pub async fn authenticate(
        &self,
        token: &SecretString,
        request_id: Option<String>,
    ) -> Result<Caller, CoreError> {
        self.authenticate_from(token, request_id, None).await
    }

    /// [`Vault::authenticate`] for a request from client `address`: also refuses a key under
    /// containment, raises the honeytoken alert for a decoy key (refused like a revoked one)
    /// and feeds the new-address rule.
    pub async fn authenticate_from(
        &self,
        token: &SecretString,
        request_id: Option<String>,
        address: Option<&str>,
    ) -> Result<Caller, CoreError> {
        let keys = self.keys()?;
        let id = jaga_crypto::apikey::parse_id(token.expose_secret())
            .map_err(|_| CoreError::Unauthenticated)?;
        let rec = self
            .store
            .api_key_get(id)
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        if !jaga_crypto::apikey::verify(&keys.apikey_key, token, &rec.digest) {
            return Err(CoreError::Unauthenticated);
        }
        let now = crate::now_ms();
        if rec.revoked_at.is_some() || rec.expires_at.is_some_and(|e| e <= now) {
            return Err(CoreError::Unauthenticated);
        }
        self.watch_api_key(&rec.id, address).await?;
        if rec.last_used_at.is_none_or(|t| now - t > TOUCH_EVERY_MS) {
            // Best effort: a failure to record last use must not fail the request.
            if let Err(e) = self.store.api_key_touch(&rec.id, now).await {
                tracing::warn!(error = %e, "could not record API key use");
            }
        }
        let scopes = rec.scopes.split(',').filter_map(Scope::parse).collect();
        Ok(Caller::api_key(rec.id, scopes, request_id))
    }

    /// KEK versions with their state and DEK counts.
    pub async fn key_status(&self) -> Result<Vec<KeyStatus>, CoreError> {
        let counts: std::collections::BTreeMap<u32, u64> =
            self.store.dek_counts().await?.into_iter().collect();
        Ok(self
            .store
            .keys_load()
            .await?
            .into_iter()
            .filter(|k| k.kind == KIND_KEK)
            .map(|k| KeyStatus {
                deks: counts.get(&k.version).copied().unwrap_or(0),
                version: k.version,
                state: k.state,
                created_at: crate::format_ms(k.created_at),
            })
            .collect())
    }

    /// Adds a new active KEK version; older versions become decrypt-only. Returns the version.
    pub async fn rotate_kek(&self, caller: &Caller) -> Result<u32, CoreError> {
        self.require_operator(caller, AuditAction::KeysRotate)
            .await?;
        let keys = self.keys()?;
        let next = self
            .store
            .keys_load()
            .await?
            .iter()
            .filter(|k| k.kind == KIND_KEK)
            .map(|k| k.version)
            .max()
            .unwrap_or(0)
            + 1;
        let kek = Key32::random();
        let rec = KeyRecord {
            kind: KIND_KEK.into(),
            version: next,
            state: "active".into(),
            wrapped: keys::wrap_under_root(&keys.root, KIND_KEK, next, &kek),
            created_at: crate::now_ms(),
        };
        self.store
            .key_insert(
                rec,
                AuditRecord::new(caller, AuditAction::KeysRotate).fields([format!("kek:v{next}")]),
            )
            .await?;
        self.refresh_keyring().await?;
        Ok(next)
    }

    /// Re-wraps every DEK not under the active KEK, in batches, without touching field
    /// ciphertexts. Safe to run while servers serve traffic and to re-run after an interruption.
    pub async fn rewrap_all(
        &self,
        caller: &Caller,
        mut progress: impl FnMut(RotationProgress),
    ) -> Result<RotationProgress, CoreError> {
        self.require_operator(caller, AuditAction::KeysRewrap)
            .await?;
        let keys = self.keys()?;
        self.refresh_keyring().await?;
        let ring = keys.keyring();
        let active = ring.active_version();
        let total: u64 = self
            .store
            .dek_counts()
            .await?
            .iter()
            .filter(|(v, _)| *v != active)
            .map(|(_, n)| n)
            .sum();
        let mut p = RotationProgress { done: 0, total };
        progress(p);
        loop {
            let batch = self.store.deks_to_rewrap(active, REWRAP_BATCH).await?;
            if batch.is_empty() {
                break;
            }
            let mut items = Vec::with_capacity(batch.len());
            for it in batch {
                let cid = it.customer_id.to_string();
                let dek = ring.unwrap_dek(&it.segment, &cid, &it.key.wrapped)?;
                let (v, wrapped) = ring.wrap_dek(&it.segment, &cid, &dek);
                items.push((
                    it.customer_id,
                    it.key,
                    WrappedKey {
                        kek_version: v,
                        wrapped,
                    },
                ));
            }
            let n = items.len() as u64;
            let audit = AuditRecord::new(caller, AuditAction::KeysRewrap)
                .fields([format!("kek:v{active}"), format!("count:{n}")]);
            p.done += self.store.deks_rewrap(items, audit).await?;
            p.total = p.total.max(p.done);
            progress(p);
        }
        Ok(p)
    }

    /// Retires a decrypt-only KEK that no DEK uses any more: its wrapped material is deleted,
    /// so any old copy of a DEK wrapped under it becomes undecryptable.
    pub async fn retire_kek(&self, caller: &Caller, version: u32) -> Result<(), CoreError> {
        self.require_operator(caller, AuditAction::KeysRetire)
            .await?;
        let status = self.key_status().await?;
        let k = status
            .iter()
            .find(|k| k.version == version)
            .ok_or(CoreError::NotFound)?;
        if k.state == "active" {
            return Err(CoreError::Conflict(crate::error::ConflictKind::ActiveKey));
        }
        if k.deks > 0 {
            return Err(CoreError::Conflict(crate::error::ConflictKind::KeyInUse));
        }
        let audit =
            AuditRecord::new(caller, AuditAction::KeysRetire).fields([format!("kek:v{version}")]);
        self.store
            .key_set_state(KIND_KEK, version, "retired", audit)
            .await?;
        if !self.is_sealed() {
            self.refresh_keyring().await?;
        }
        Ok(())
    }
}
