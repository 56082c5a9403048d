//! The audit log's signer as files in the data directory, and the background checkpointer of
//! `jaga serve`.
//!
//! - `audit-signing.key` (mode 0600): the Ed25519 signer key string. Never in the database,
//!   so a stolen or rewritten database cannot forge checkpoints. Created by `jaga init`, or by
//!   the first `jaga serve` / `jaga audit checkpoint` of an older data directory.
//! - `audit-signer-state`: the last checkpoint this data directory's signer signed (a signed
//!   note). The signer refuses any head that is not a consistent extension of it.
//! - `audit-verifier.pub`: the public verifier key string, for owners and auditors to pin.
//! - `audit-signer.lock`: serialises signing between processes sharing the data directory.
//!
//! Several `jaga serve` nodes on one PostgreSQL each hold a copy of the key file and their own
//! state file; they may race to sign, which is harmless: each signs only heads consistent with
//! its own last checkpoint, and Ed25519 signatures are deterministic, so two nodes signing the
//! same head store the same note.

use crate::witness::{Delivery, Witnesses, write_atomic};
use anyhow::{Context, Result, bail};
use jaga_audit::{Signer, SigningKeyPair, VerifierKey};
use jaga_core::audit::log::{CheckpointError, CheckpointOutcome, checkpoint_now};
use jaga_core::store::{Store, StoredCheckpoint};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY_FILE: &str = "audit-signing.key";
const STATE_FILE: &str = "audit-signer-state";
const VERIFIER_FILE: &str = "audit-verifier.pub";
const LOCK_FILE: &str = "audit-signer.lock";

/// The signer's files in a data directory.
pub struct SignerFiles {
    dir: PathBuf,
    key: SigningKeyPair,
}

fn random_seed() -> zeroize::Zeroizing<[u8; 32]> {
    zeroize::Zeroizing::new(*jaga_crypto::Key32::random().expose())
}

impl SignerFiles {
    /// Loads the signing key, creating it (and the verifier file) if the data directory has
    /// none yet. `origin` names a new log; the default is `jaga/audit/<random hex>`.
    pub fn open_or_create(dir: &Path, origin: Option<&str>) -> Result<Self> {
        let path = dir.join(KEY_FILE);
        let key = match std::fs::read_to_string(&path) {
            Ok(text) => SigningKeyPair::parse(text.trim()).map_err(|e| {
                anyhow::anyhow!("{} is not a valid signer key: {e}", path.display())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let name = match origin {
                    Some(o) => o.to_string(),
                    None => {
                        let r = random_seed();
                        format!("jaga/audit/{}", hex8(&r[..8]))
                    }
                };
                let key = SigningKeyPair::from_seed(&name, &random_seed())
                    .map_err(|e| anyhow::anyhow!("audit.origin {name:?} is not usable: {e}"))?;
                let mut text = key.to_secret_string().expose_secret().to_string();
                text.push('\n');
                crate::datadir::write_private(&path, text.as_bytes())?;
                tracing::info!(origin = %name, "created the audit signing key");
                key
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let files = Self {
            dir: dir.to_path_buf(),
            key,
        };
        let vpath = dir.join(VERIFIER_FILE);
        let want = format!("{}\n", files.verifier());
        if std::fs::read_to_string(&vpath).ok().as_deref() != Some(want.as_str()) {
            write_atomic(&vpath, want.as_bytes())?;
        }
        Ok(files)
    }

    /// Loads an existing key; fails if there is none.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join(KEY_FILE).exists() {
            bail!(
                "{} has no audit signing key ({KEY_FILE}); start `jaga serve` or run `jaga audit checkpoint` once",
                dir.display()
            );
        }
        Self::open_or_create(dir, None)
    }

    /// The verifier key.
    pub fn verifier(&self) -> &VerifierKey {
        self.key.verifier()
    }

    fn signer(&self) -> Result<Signer> {
        let key = SigningKeyPair::parse(self.key.to_secret_string().expose_secret())
            .map_err(|e| anyhow::anyhow!("signer key: {e}"))?;
        match std::fs::read_to_string(self.dir.join(STATE_FILE)) {
            Ok(note) => Signer::resume(key, &note).map_err(|e| {
                anyhow::anyhow!("{STATE_FILE} does not verify under the signing key: {e}")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Signer::new(key)),
            Err(e) => Err(e).context("reading the signer state"),
        }
    }

    /// Signs the store's head if it moved, under the inter-process lock, saving the new state
    /// file before the checkpoint is stored.
    pub async fn checkpoint(&self, store: &dyn Store) -> Result<CheckpointOutcome> {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK_FILE))
            .context("opening the signer lock")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => bail!("cannot take the signer lock: {e}"),
            }
        }
        let mut signer = self.signer()?;
        let state = self.dir.join(STATE_FILE);
        let mut persist =
            |note: &str| write_atomic(&state, note.as_bytes()).map_err(|e| format!("{e:#}"));
        let r = checkpoint_now(store, &mut signer, &mut persist).await;
        let _ = lock.unlock();
        r.map_err(|e| match e {
            CheckpointError::Refused(why) => anyhow::anyhow!(
                "the signer refused to sign the database's audit head: {why}. Run `jaga audit verify`."
            ),
            other => anyhow::Error::new(other),
        })
    }
}

fn hex8(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What a delivery of `cp` looks like.
pub fn delivery(files: &SignerFiles, cp: &StoredCheckpoint) -> Delivery {
    Delivery::Checkpoint {
        size: cp.size,
        note: cp.note.clone(),
        verifier: files.verifier().to_string(),
    }
}

/// The background checkpointer: signs every `every` events or `interval` (when events
/// arrived), retries witnesses, runs the periodic review, and signs a last checkpoint when
/// `stop` fires.
pub async fn run(
    store: Arc<dyn Store>,
    files: SignerFiles,
    mut witnesses: Witnesses,
    cfg: crate::witness::AuditConfig,
    policies: jaga_core::staff::Policies,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let latest = store.checkpoint_latest().await.ok().flatten();
    if let Some(cp) = &latest {
        // A witness that missed checkpoints before a restart gets the latest one now.
        witnesses.catch_up(&delivery(&files, cp)).await;
    }
    let mut last_size = latest.map_or(0, |c| c.size);
    let mut last_time = Instant::now();
    let mut last_retry = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut review = crate::report_cmd::ReviewSchedule::new(&files.dir, cfg.review_days());
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            _ = stop.changed() => true,
        };
        let head = match store.audit_head().await {
            Ok(h) => h.size,
            Err(e) => {
                tracing::warn!(error = %e, "checkpointer cannot read the audit head");
                if stopping {
                    return;
                }
                continue;
            }
        };
        let due = head > last_size
            && (stopping
                || head - last_size >= cfg.every()
                || last_time.elapsed() >= cfg.interval());
        if due {
            match files.checkpoint(store.as_ref()).await {
                Ok(CheckpointOutcome::Signed(cp)) => {
                    tracing::info!(size = cp.size, "signed an audit checkpoint");
                    last_size = cp.size;
                    witnesses.deliver(&delivery(&files, &cp)).await;
                }
                Ok(CheckpointOutcome::Unchanged) => last_size = head,
                Err(e) => tracing::error!(error = %format!("{e:#}"), "audit checkpoint failed"),
            }
            last_time = Instant::now();
        }
        if witnesses.pending() > 0 && (stopping || last_retry.elapsed() >= Duration::from_secs(30))
        {
            witnesses.retry().await;
            last_retry = Instant::now();
        }
        if !stopping && let Some(d) = review.due(&store, &policies).await {
            witnesses.deliver(&d).await;
        }
        if stopping {
            return;
        }
    }
}
