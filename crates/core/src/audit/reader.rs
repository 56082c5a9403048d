//! Reading the audit log (checkpoints, events, proofs, reports): a capability for the
//! `audit:read` scope. Every read is itself appended to the log as `audit.read`. No key
//! material is needed, so this works while the vault is sealed.

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::{Caller, Scope};
use crate::error::ForbiddenReason;
use crate::report::{self, AccessEntry};
use crate::store::StoredCheckpoint;
use crate::vault::Vault;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;

impl Vault {
    /// Reading the audit log; needs `audit:read` (and, for staff, the accepted agreement: the
    /// log names customers and purposes).
    pub async fn audit_reader<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> Result<AuditReader<'a>, CoreError> {
        if !caller.has(Scope::AuditRead) {
            let refusal = Refusal::new(
                AuditAction::AuditRead,
                ForbiddenReason::Scope(Scope::AuditRead),
            );
            return Err(self.deny(caller, refusal).await);
        }
        self.require_agreement(caller, AuditAction::AuditRead)
            .await?;
        Ok(AuditReader {
            vault: self,
            caller,
        })
    }
}

/// Holder of the `audit:read` scope.
pub struct AuditReader<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
}

/// The latest signed checkpoint.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckpointView {
    /// Tree size.
    pub size: u64,
    /// Root, hex.
    pub root: String,
    /// The C2SP signed note; check it with the log's verifier key.
    pub note: String,
}

impl From<StoredCheckpoint> for CheckpointView {
    fn from(c: StoredCheckpoint) -> Self {
        Self {
            size: c.size,
            root: hex(&c.root),
            note: c.note,
        }
    }
}

/// One event with its exact leaf bytes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventView {
    /// The decoded event.
    pub event: AccessEntry,
    /// The canonical leaf bytes, base64.
    pub leaf: String,
    /// The RFC 9162 leaf hash, hex.
    pub leaf_hash: String,
}

/// A proof: hashes in RFC 9162 order, base64 (as in bundles and checkpoints).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProofView {
    /// Leaf index (inclusion) or first size (consistency).
    pub first: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// Root at `size`, hex.
    pub root: String,
    /// The proof hashes, base64.
    pub proof: Vec<String>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl AuditReader<'_> {
    async fn note(&self, what: String) -> Result<(), CoreError> {
        self.vault
            .store()
            .audit_append(AuditRecord::new(self.caller, AuditAction::AuditRead).fields([what]))
            .await?;
        Ok(())
    }

    /// The latest signed checkpoint.
    pub async fn checkpoint(&self) -> Result<CheckpointView, CoreError> {
        self.note("checkpoint".into()).await?;
        Ok(self
            .vault
            .store()
            .checkpoint_latest()
            .await?
            .ok_or(CoreError::NotFound)?
            .into())
    }

    /// Event `seq`.
    pub async fn event(&self, seq: u64) -> Result<EventView, CoreError> {
        self.note(format!("event:{seq}")).await?;
        let e = self
            .vault
            .store()
            .audit_event(seq)
            .await?
            .ok_or(CoreError::NotFound)?;
        let decoded = jaga_audit::event::decode(&e.leaf).map_err(|_| {
            crate::store::StoreError::Corrupt(format!("event {seq} does not decode"))
        })?;
        Ok(EventView {
            event: AccessEntry::from_event(&decoded),
            leaf: B64.encode(&e.leaf),
            leaf_hash: hex(&e.leaf_hash),
        })
    }

    /// Inclusion proof of `index` in the tree of `size` events (default: the latest
    /// checkpoint's size).
    pub async fn inclusion(&self, index: u64, size: Option<u64>) -> Result<ProofView, CoreError> {
        self.note(format!("proof.inclusion:{index}")).await?;
        let store = self.vault.store().as_ref();
        let size = match size {
            Some(s) => s,
            None => {
                store
                    .checkpoint_latest()
                    .await?
                    .ok_or_else(|| CoreError::OutOfRange("no checkpoint yet".into()))?
                    .size
            }
        };
        let proof = crate::audit::log::inclusion(store, index, size).await?;
        let root = crate::audit::log::root_at(store, size).await?;
        Ok(ProofView {
            first: index,
            size,
            root: hex(&root),
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
        })
    }

    /// Consistency proof from the tree of `first` events to the tree of `second`.
    pub async fn consistency(&self, first: u64, second: u64) -> Result<ProofView, CoreError> {
        self.note(format!("proof.consistency:{first}-{second}"))
            .await?;
        let store = self.vault.store().as_ref();
        let proof = crate::audit::log::consistency(store, first, second).await?;
        let root = crate::audit::log::root_at(store, second).await?;
        Ok(ProofView {
            first,
            size: second,
            root: hex(&root),
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
        })
    }

    /// The offline bundle for event `seq` (text).
    pub async fn bundle(&self, seq: u64) -> Result<String, CoreError> {
        self.note(format!("bundle:{seq}")).await?;
        Ok(crate::audit::log::bundle(self.vault.store().as_ref(), seq)
            .await?
            .to_text())
    }

    /// Who accessed the customer with this code. A customer outside a segment-restricted staff
    /// member's segments is [`CoreError::NotFound`] (audited as a denied `audit.read` with the
    /// field `segment`), as on every other path.
    pub async fn customer_report(&self, code: &str) -> Result<report::CustomerReport, CoreError> {
        let r = report::customer_report(self.vault.store().as_ref(), self.caller, code).await?;
        let segment = self
            .vault
            .store()
            .customer_load(r.customer_id.parse().map_err(|_| CoreError::Integrity)?)
            .await?
            .map(|f| f.row.segment);
        if let Some(segment) = segment
            && !self.caller.staff().is_none_or(|c| c.sees_segment(&segment))
        {
            let refusal = Refusal::new(AuditAction::AuditRead, ForbiddenReason::Segment)
                .customer(r.customer_id.parse().ok())
                .fields(["segment", "report.customer"]);
            return Err(match self.vault.deny(self.caller, refusal).await {
                CoreError::Forbidden(_) => CoreError::NotFound,
                other => other,
            });
        }
        Ok(r)
    }

    /// One actor's activity in `[from_ms, to_ms)`.
    pub async fn actor_report(
        &self,
        actor: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<report::ActorReport, CoreError> {
        report::actor_report(
            self.vault.store().as_ref(),
            self.caller,
            actor,
            from_ms,
            to_ms,
        )
        .await
    }

    /// The access review now, with `policies` saying which roles may reveal.
    pub async fn review(
        &self,
        policies: &crate::roles::Policies,
    ) -> Result<report::Review, CoreError> {
        self.review_at(policies, crate::now_ms()).await
    }

    /// The access review as of `now_ms` (scheduled reviews, tests).
    pub async fn review_at(
        &self,
        policies: &crate::roles::Policies,
        now_ms: i64,
    ) -> Result<report::Review, CoreError> {
        report::access_review(self.vault.store().as_ref(), self.caller, policies, now_ms).await
    }
}
