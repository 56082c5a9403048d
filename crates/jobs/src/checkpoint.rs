//! The audit log's signer as files in the data directory, and the audit jobs of `jaga serve`:
//! [`CheckpointJob`] (signs the head, hands checkpoints to the witnesses) and [`WitnessJob`]
//! (catches up witnesses behind the latest checkpoint and retries the outbox).
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
//! same head store the same note. The [`CheckpointJob`] is a singleton, so in practice one node
//! at a time signs (whoever holds its lease).

use crate::config::AuditConfig;
use crate::delivery::{Delivery, Witnesses, write_atomic};
use crate::{Ctx, Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_audit::{Signer, SigningKeyPair, VerifierKey};
use jaga_core::audit::log::{CheckpointError, CheckpointOutcome, checkpoint_now};
use jaga_core::store::{Store, StoredCheckpoint};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

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
    pub fn open_or_create(dir: &Path, origin: Option<&str>) -> Result<Self, JobError> {
        let path = dir.join(KEY_FILE);
        let key = match std::fs::read_to_string(&path) {
            Ok(text) => SigningKeyPair::parse(text.trim())
                .ctx(format_args!("{} is not a valid signer key", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let name = match origin {
                    Some(o) => o.to_string(),
                    None => {
                        let r = random_seed();
                        format!("jaga/audit/{}", hex8(&r[..8]))
                    }
                };
                let key = SigningKeyPair::from_seed(&name, &random_seed())
                    .ctx(format_args!("audit.origin {name:?} is not usable"))?;
                let mut text = key.to_secret_string().expose_secret().to_string();
                text.push('\n');
                write_private(&path, text.as_bytes())?;
                tracing::info!(origin = %name, "created the audit signing key");
                key
            }
            Err(e) => return Err(e).ctx(format_args!("reading {}", path.display())),
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
    pub fn open(dir: &Path) -> Result<Self, JobError> {
        if !dir.join(KEY_FILE).exists() {
            return Err(JobError::msg(format!(
                "{} has no audit signing key ({KEY_FILE}); start `jaga serve` or run `jaga audit checkpoint` once",
                dir.display()
            )));
        }
        Self::open_or_create(dir, None)
    }

    /// The verifier key.
    pub fn verifier(&self) -> &VerifierKey {
        self.key.verifier()
    }

    fn signer(&self) -> Result<Signer, JobError> {
        let key =
            SigningKeyPair::parse(self.key.to_secret_string().expose_secret()).ctx("signer key")?;
        match std::fs::read_to_string(self.dir.join(STATE_FILE)) {
            Ok(note) => Signer::resume(key, &note).ctx(format_args!(
                "{STATE_FILE} does not verify under the signing key"
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Signer::new(key)),
            Err(e) => Err(e).ctx("reading the signer state"),
        }
    }

    /// Signs the store's head if it moved, under the inter-process lock, saving the new state
    /// file before the checkpoint is stored.
    pub async fn checkpoint(&self, store: &dyn Store) -> Result<CheckpointOutcome, JobError> {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK_FILE))
            .ctx("opening the signer lock")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(e).ctx("cannot take the signer lock"),
            }
        }
        let mut signer = self.signer()?;
        let state = self.dir.join(STATE_FILE);
        let mut persist =
            |note: &str| write_atomic(&state, note.as_bytes()).map_err(|e| e.to_string());
        let r = checkpoint_now(store, &mut signer, &mut persist).await;
        let _ = lock.unlock();
        r.map_err(|e| match e {
            CheckpointError::Refused(why) => JobError::msg(format!(
                "the signer refused to sign the database's audit head: {why}. Run `jaga audit verify`."
            )),
            other => JobError::msg(other.to_string()),
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

/// Creates `path` with mode 0600 (never overwriting), writes and syncs `content`.
pub fn write_private(path: &Path, content: &[u8]) -> Result<(), JobError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .ctx(format_args!("creating {}", path.display()))?;
    f.write_all(content)
        .and_then(|()| f.sync_all())
        .ctx(format_args!("writing {}", path.display()))
}

/// The witnesses of this node, shared by the jobs that deliver to them.
pub type SharedWitnesses = Arc<Mutex<Witnesses>>;

/// Signs a checkpoint every [`AuditConfig::every`] events, or every
/// [`AuditConfig::interval`] while events arrive, and a last one at shutdown; hands each new
/// checkpoint to the witnesses. A singleton: one node at a time signs.
pub struct CheckpointJob {
    store: Arc<dyn Store>,
    files: SignerFiles,
    witnesses: SharedWitnesses,
    cfg: AuditConfig,
    /// The size of the last checkpoint seen (`None` before the first run).
    last_size: Option<u64>,
    last_time: Instant,
}

impl CheckpointJob {
    /// The job, signing with `files` and delivering to `witnesses`.
    pub fn new(
        store: Arc<dyn Store>,
        files: SignerFiles,
        witnesses: SharedWitnesses,
        cfg: AuditConfig,
    ) -> Self {
        Self {
            store,
            files,
            witnesses,
            cfg,
            last_size: None,
            last_time: Instant::now(),
        }
    }
}

#[async_trait]
impl Job for CheckpointJob {
    fn name(&self) -> &'static str {
        "audit-checkpoint"
    }

    fn every(&self) -> Duration {
        Duration::from_millis(500)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    fn run_at_stop(&self) -> bool {
        true
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(30)
    }

    async fn run(&mut self, tick: Tick) -> Result<(), JobError> {
        let last_size = match self.last_size {
            Some(s) => s,
            None => {
                let s = self.store.checkpoint_latest().await?.map_or(0, |c| c.size);
                self.last_size = Some(s);
                s
            }
        };
        let head = self.store.audit_head().await?.size;
        let due = head > last_size
            && (tick.stopping
                || head - last_size >= self.cfg.every()
                || self.last_time.elapsed() >= self.cfg.interval());
        if !due {
            return Ok(());
        }
        self.last_time = Instant::now();
        match self.files.checkpoint(self.store.as_ref()).await? {
            CheckpointOutcome::Signed(cp) => {
                tracing::info!(size = cp.size, "signed an audit checkpoint");
                self.last_size = Some(cp.size);
                self.witnesses
                    .lock()
                    .await
                    .deliver(&delivery(&self.files, &cp))
                    .await;
            }
            // Another node (or `jaga audit checkpoint`) signed this head already.
            CheckpointOutcome::Unchanged => self.last_size = Some(head),
        }
        Ok(())
    }
}

/// This node's side of the witnesses: at start, hands the latest checkpoint to every witness
/// that missed it (e.g. while this node was down); then retries what the outbox holds every
/// 30 s and once more at shutdown. Per node: each node has its own outbox.
pub struct WitnessJob {
    store: Arc<dyn Store>,
    verifier: String,
    witnesses: SharedWitnesses,
    caught_up: bool,
}

impl WitnessJob {
    /// The job for `witnesses`; `verifier` goes along with checkpoints.
    pub fn new(store: Arc<dyn Store>, verifier: &VerifierKey, witnesses: SharedWitnesses) -> Self {
        Self {
            store,
            verifier: verifier.to_string(),
            witnesses,
            caught_up: false,
        }
    }
}

#[async_trait]
impl Job for WitnessJob {
    fn name(&self) -> &'static str {
        "audit-witness"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn run_at_stop(&self) -> bool {
        true
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        if !self.caught_up {
            if let Some(cp) = self.store.checkpoint_latest().await? {
                let d = Delivery::Checkpoint {
                    size: cp.size,
                    note: cp.note,
                    verifier: self.verifier.clone(),
                };
                self.witnesses.lock().await.catch_up(&d).await;
            }
            self.caught_up = true;
            return Ok(());
        }
        let mut w = self.witnesses.lock().await;
        if w.pending() > 0 {
            w.retry().await;
        }
        Ok(())
    }
}
