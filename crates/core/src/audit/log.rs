//! The audit log's service side: proofs from stored nodes, signing checkpoints, and offline
//! bundles. The Merkle arithmetic is `jaga-audit`'s; this module only fetches what it needs
//! from the [`Store`].
//!
//! The signing key never reaches the store: [`checkpoint_now`] takes a [`Signer`] the caller
//! loaded from a file, and a `persist` callback that writes the signer's new state (its last
//! signed note) outside the database *before* the checkpoint is stored or published.

use crate::CoreError;
use crate::store::{Store, StoreError, StoredCheckpoint};
use jaga_audit::{AuditError, Bundle, Hash, Signer};

/// Maps a proof failure: a range error is the caller's, a missing node is the store's.
fn proof_error(e: AuditError) -> CoreError {
    match e {
        AuditError::IndexOutOfRange { .. } | AuditError::SizeOrder { .. } => {
            CoreError::OutOfRange(e.to_string())
        }
        other => CoreError::Store(StoreError::Corrupt(other.to_string())),
    }
}

/// Fails unless `size` is at most the current tree size.
async fn within_head(store: &dyn Store, size: u64) -> Result<(), CoreError> {
    let head = store.audit_head().await?;
    if size > head.size {
        return Err(CoreError::OutOfRange(format!(
            "tree size {size} is larger than the log ({} events)",
            head.size
        )));
    }
    Ok(())
}

/// The inclusion proof of event `index` in the tree of `size` events.
pub async fn inclusion(store: &dyn Store, index: u64, size: u64) -> Result<Vec<Hash>, CoreError> {
    within_head(store, size).await?;
    let ids = jaga_audit::inclusion_nodes(index, size).map_err(proof_error)?;
    let mut nodes = store.audit_nodes(&ids).await?;
    jaga_audit::inclusion_proof(&mut nodes, index, size).map_err(proof_error)
}

/// The consistency proof from the tree of `first` events to the tree of `second` events.
pub async fn consistency(
    store: &dyn Store,
    first: u64,
    second: u64,
) -> Result<Vec<Hash>, CoreError> {
    within_head(store, second).await?;
    let ids = jaga_audit::consistency_nodes(first, second).map_err(proof_error)?;
    let mut nodes = store.audit_nodes(&ids).await?;
    jaga_audit::consistency_proof(&mut nodes, first, second).map_err(proof_error)
}

/// The root of the tree of the first `size` events.
pub async fn root_at(store: &dyn Store, size: u64) -> Result<Hash, CoreError> {
    within_head(store, size).await?;
    let ids = jaga_audit::proof::root_nodes(size);
    let mut nodes = store.audit_nodes(&ids).await?;
    jaga_audit::root_at(&mut nodes, size).map_err(proof_error)
}

/// What [`checkpoint_now`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointOutcome {
    /// A new checkpoint was signed, persisted by the signer and stored.
    Signed(StoredCheckpoint),
    /// The head has not moved since the signer's last checkpoint (or the log is empty).
    Unchanged,
}

/// Why a checkpoint was not made.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The store failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The signer refused: the database's head is not an extension of what it signed before
    /// (the log was truncated, rolled back or rewritten).
    #[error("{0}")]
    Refused(String),
    /// The signer's new state could not be written; nothing was stored or published.
    #[error("could not save the signer state: {0}")]
    Persist(String),
}

impl From<StoreError> for CheckpointError {
    fn from(e: StoreError) -> Self {
        Self::Core(e.into())
    }
}

/// Signs the current head if it moved since the signer's last checkpoint.
///
/// The signer only signs with a valid consistency proof from its last signed checkpoint
/// (computed here from the stored nodes), so a database whose history was rewritten gets
/// [`CheckpointError::Refused`]. On success `persist` receives the new signed note and must
/// store it durably outside the database; only then is the checkpoint stored in the database.
/// Several nodes may race: Ed25519 signatures are deterministic, so two nodes signing the same
/// head produce the same note and the second insert is a no-op.
pub async fn checkpoint_now(
    store: &dyn Store,
    signer: &mut Signer,
    persist: &mut (dyn FnMut(&str) -> Result<(), String> + Send),
) -> Result<CheckpointOutcome, CheckpointError> {
    let head = store.audit_head().await?;
    let proof = match signer.last_signed() {
        None if head.size == 0 => return Ok(CheckpointOutcome::Unchanged),
        None => Vec::new(),
        Some(last) if last.size == head.size && last.root == head.root => {
            return Ok(CheckpointOutcome::Unchanged);
        }
        Some(last) if head.size < last.size => {
            return Err(CheckpointError::Refused(format!(
                "the database holds {} events but this signer already signed {}: the log was truncated or rolled back",
                head.size, last.size
            )));
        }
        Some(last) => {
            let first = last.size;
            consistency(store, first, head.size)
                .await
                .map_err(|e| CheckpointError::Refused(format!("no consistency proof: {e}")))?
        }
    };
    let signed = signer
        .sign(head.size, head.root, &proof)
        .map_err(|e| CheckpointError::Refused(e.to_string()))?;
    persist(&signed.note).map_err(CheckpointError::Persist)?;
    let stored = StoredCheckpoint {
        size: head.size,
        root: head.root,
        note: signed.note,
        created_at: crate::now_ms(),
    };
    store.checkpoint_insert(stored.clone()).await?;
    Ok(CheckpointOutcome::Signed(stored))
}

/// An offline-verifiable bundle for event `index`: the event, its inclusion proof and the
/// latest stored checkpoint (which must cover it).
pub async fn bundle(store: &dyn Store, index: u64) -> Result<Bundle, CoreError> {
    let cp = store.checkpoint_latest().await?.ok_or_else(|| {
        CoreError::OutOfRange(
            "no checkpoint has been signed yet; run `jaga audit checkpoint`".into(),
        )
    })?;
    if index >= cp.size {
        return Err(CoreError::OutOfRange(format!(
            "event {index} is not covered by the latest checkpoint (size {}); run `jaga audit checkpoint`",
            cp.size
        )));
    }
    let event = store.audit_event(index).await?.ok_or(CoreError::NotFound)?;
    let proof = inclusion(store, index, cp.size).await?;
    Ok(Bundle {
        index,
        leaf: event.leaf,
        proof,
        checkpoint_note: cp.note,
    })
}
