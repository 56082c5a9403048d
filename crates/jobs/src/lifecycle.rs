//! The data lifecycle's jobs: the erasure ledger's catch-up and hand-off to the witnesses
//! (`erasure-ledger`), scheduled backups with rotation (`backup`) and restore drills
//! (`backup-drill`). The work itself is in `jaga-backup`; these decide when and report.

use crate::delivery::{Delivery, Witnesses, write_atomic};
use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_backup::keys::{Opening, Sealing};
use jaga_backup::ledger::{self, LedgerFile};
use jaga_backup::{BackupConfig, OpenStore};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Caller;
use jaga_core::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

type SharedWitnesses = Arc<tokio::sync::Mutex<Witnesses>>;

/// The file (in the data directory) holding the last ledger position handed to the witnesses.
pub const LEDGER_DELIVERED_FILE: &str = "erasure-ledger-delivered";
/// The file (in the data directory) holding the time of the last restore drill (ms).
pub const DRILL_LAST_FILE: &str = "backup-drill-last";

fn job_err(what: &str) -> impl FnOnce(jaga_backup::BackupError) -> JobError + '_ {
    move |e| JobError::msg(format!("{what}: {e}"))
}

/// Keeps the erasure ledger complete and hands new entries to the witnesses, every 30 s.
///
/// Per node: each node appends what its database records and the ledger file lacks (an
/// erasure whose sink write failed, or one made by another node), then delivers the lines
/// its witnesses have not taken (`erasure-ledger-<from>-<to>.jsonl` reports, kept in the
/// outbox until taken).
pub struct ErasureLedgerJob {
    store: Arc<dyn Store>,
    data_dir: PathBuf,
    witnesses: SharedWitnesses,
}

impl ErasureLedgerJob {
    /// The job for `data_dir`'s ledger.
    pub fn new(store: Arc<dyn Store>, data_dir: &Path, witnesses: SharedWitnesses) -> Self {
        Self {
            store,
            data_dir: data_dir.to_path_buf(),
            witnesses,
        }
    }

    /// One pass: catch up from the database, then deliver; returns the entries delivered.
    pub async fn pass(&self) -> Result<usize, JobError> {
        let file = LedgerFile::in_dir(&self.data_dir);
        let added = ledger::catch_up(self.store.as_ref(), &file)
            .await
            .map_err(job_err("erasure ledger catch-up"))?;
        if added > 0 {
            tracing::info!(added, "erasure ledger caught up from the database");
        }
        let state = self.data_dir.join(LEDGER_DELIVERED_FILE);
        let done: u64 = std::fs::read_to_string(&state)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        let l = file.read().map_err(job_err("erasure ledger"))?;
        let new: Vec<_> = l.lines().iter().filter(|x| x.seq > done).collect();
        let (Some(first), Some(last)) = (new.first(), new.last()) else {
            return Ok(0);
        };
        let mut body = String::new();
        for line in &new {
            body.push_str(&serde_json::to_string(line).map_err(|e| JobError::msg(e.to_string()))?);
            body.push('\n');
        }
        let d = Delivery::Report {
            name: format!("erasure-ledger-{:08}-{:08}.jsonl", first.seq, last.seq),
            subject: format!("Jaga erasure ledger, entries {}–{}", first.seq, last.seq),
            body,
        };
        // Handed to the outbox, which keeps it until each witness has taken it.
        self.witnesses.lock().await.deliver(&d).await;
        write_atomic(&state, format!("{}\n", last.seq).as_bytes())?;
        Ok(new.len())
    }
}

#[async_trait]
impl Job for ErasureLedgerJob {
    fn name(&self) -> &'static str {
        "erasure-ledger"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn run_at_stop(&self) -> bool {
        true
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        self.pass().await.map(|_| ())
    }
}

/// Makes, each time a scheduled backup runs, the dump of a database that is backed up table by
/// table (PostgreSQL; the binary knows the store crates, this crate does not).
pub type DumpMaker = Arc<
    dyn Fn() -> std::pin::Pin<
            Box<
                dyn std::future::Future<Output = Result<jaga_backup::Dump<'static>, JobError>>
                    + Send,
            >,
        > + Send
        + Sync,
>;

/// What the backup jobs need to know.
#[derive(Clone)]
pub struct BackupSetup {
    /// The database's dump, when it is backed up table by table (PostgreSQL); `None` takes
    /// the store's file snapshot (SQLite).
    pub dump: Option<DumpMaker>,
    /// The data directory.
    pub data_dir: PathBuf,
    /// The SQLite database file, if the store is SQLite.
    pub database_file: Option<PathBuf>,
    /// `[backup]`.
    pub config: BackupConfig,
    /// The operator identity the jobs act as (named in the audit log).
    pub caller: Caller,
}

impl BackupSetup {
    fn dir(&self) -> Option<PathBuf> {
        self.config
            .dir
            .as_deref()
            .map(|d| BackupConfig::path(&self.data_dir, d))
    }

    fn sealing(&self) -> Result<Sealing, JobError> {
        let pass = match &self.config.passphrase_file {
            Some(p) => Some(
                jaga_backup::keys::read_passphrase_file(&BackupConfig::path(&self.data_dir, p))
                    .map_err(job_err("[backup] passphrase_file"))?,
            ),
            None => None,
        };
        Sealing::new(&self.config.recipients, pass).map_err(job_err("backup"))
    }

    fn opening(&self) -> Result<Option<Opening>, JobError> {
        if let Some(id) = &self.config.drill_identity_file {
            return Opening::identity_file(&BackupConfig::path(&self.data_dir, id))
                .map(Some)
                .map_err(job_err("[backup] drill_identity_file"));
        }
        if let Some(p) = &self.config.passphrase_file {
            return jaga_backup::keys::read_passphrase_file(&BackupConfig::path(&self.data_dir, p))
                .map(|p| Some(Opening::Passphrase(p)))
                .map_err(job_err("[backup] passphrase_file"));
        }
        Ok(None)
    }
}

/// Scheduled backups: when the newest backup in `[backup] dir` is older than `every_hours`,
/// writes a new one, then rotates (keep N daily, M weekly). Checks every 10 minutes; the
/// backup directory itself is the schedule's state, so a restart does not repeat a backup.
pub struct BackupJob {
    store: Arc<dyn Store>,
    setup: BackupSetup,
}

impl BackupJob {
    /// The job, or `None` when `[backup] dir` is not set.
    pub fn new(store: Arc<dyn Store>, setup: BackupSetup) -> Option<Self> {
        setup.dir()?;
        Some(Self { store, setup })
    }

    /// Writes a backup if one is due; returns its path.
    pub async fn due_backup(&self) -> Result<Option<PathBuf>, JobError> {
        let dir = self
            .setup
            .dir()
            .ok_or_else(|| JobError::msg("[backup] dir is not set"))?;
        let every_ms = i64::try_from(self.setup.config.every_hours())
            .unwrap_or(i64::MAX / 3_600_000)
            .saturating_mul(3_600_000);
        if let Some(latest) = jaga_backup::rotate::latest(&dir).map_err(job_err("backup"))?
            && let Ok(modified) = std::fs::metadata(&latest).and_then(|m| m.modified())
            && let Ok(age) = modified.elapsed()
            && i64::try_from(age.as_millis()).unwrap_or(i64::MAX) < every_ms / 10 * 9
        {
            return Ok(None);
        }
        let sealing = self.setup.sealing()?;
        let (recipients, passphrase) = sealing.describe();
        let dump = match &self.setup.dump {
            Some(make) => Some(make().await?),
            None => None,
        };
        let created = jaga_backup::create(
            self.store.as_ref(),
            jaga_backup::CreateOptions {
                data_dir: &self.setup.data_dir,
                database_file: self.setup.database_file.as_deref(),
                dest_dir: &dir,
                sealing: &sealing,
                audit: AuditRecord::new(&self.setup.caller, AuditAction::BackupCreate).fields([
                    "scheduled".to_string(),
                    format!("recipients:{recipients}"),
                    format!("passphrase:{passphrase}"),
                ]),
                level: 3,
                dump,
            },
            Box::new(()),
        )
        .await
        .map_err(job_err("backup"))?;
        let removed = jaga_backup::rotate::rotate(
            &dir,
            self.setup.config.keep_daily(),
            self.setup.config.keep_weekly(),
        )
        .map_err(job_err("backup rotation"))?;
        tracing::info!(
            bytes = created.bytes,
            customers = created.manifest.counts.customers,
            rotated_out = removed.len(),
            "backup written"
        );
        Ok(Some(created.path))
    }
}

#[async_trait]
impl Job for BackupJob {
    fn name(&self) -> &'static str {
        "backup"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(600)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        self.due_backup().await.map(|_| ())
    }
}

/// Restore drills: every `drill_every_days`, restores the newest backup into a temporary
/// directory (replaying the current erasure ledger), verifies the audit log and the counts,
/// records `backup.drill` in the audit log and hands the report to the witnesses. Without a
/// drill key (`drill_identity_file` or `passphrase_file`) it checks the backup's checksum file
/// only and says so.
pub struct DrillJob {
    store: Arc<dyn Store>,
    setup: BackupSetup,
    open: OpenStore,
    witnesses: SharedWitnesses,
}

impl DrillJob {
    /// The job, or `None` without `[backup] dir` or with `drill_every_days = 0`.
    pub fn new(
        store: Arc<dyn Store>,
        setup: BackupSetup,
        open: OpenStore,
        witnesses: SharedWitnesses,
    ) -> Option<Self> {
        setup.dir()?;
        if setup.config.drill_every_days() == 0 {
            return None;
        }
        Some(Self {
            store,
            setup,
            open,
            witnesses,
        })
    }

    /// Runs a drill now (if a backup exists); returns its report as JSON text.
    pub async fn drill_now(&self) -> Result<Option<String>, JobError> {
        let dir = self
            .setup
            .dir()
            .ok_or_else(|| JobError::msg("[backup] dir is not set"))?;
        let Some(latest) = jaga_backup::rotate::latest(&dir).map_err(job_err("drill"))? else {
            return Ok(None);
        };
        let (ok, text) = match self.setup.opening()? {
            Some(opening) => {
                let mut current = LedgerFile::in_dir(&self.setup.data_dir)
                    .read()
                    .map_err(job_err("drill"))?;
                current = ledger::merge(
                    &current,
                    &ledger::from_store(self.store.as_ref())
                        .await
                        .map_err(job_err("drill"))?,
                );
                let report = jaga_backup::drill(
                    &latest,
                    &opening,
                    current.entries(),
                    &std::env::temp_dir(),
                    &self.open,
                    &self.setup.caller,
                    None,
                )
                .await
                .map_err(job_err("drill"))?;
                (
                    report.ok,
                    serde_json::to_string_pretty(&report).unwrap_or_default(),
                )
            }
            None => {
                let v = jaga_backup::verify(&latest, None);
                let ok = v.is_ok();
                (
                    ok,
                    serde_json::json!({
                        "backup": latest,
                        "ok": ok,
                        "checked": "checksum file only: no drill key ([backup] drill_identity_file or passphrase_file)",
                        "problems": v.err().map(|e| vec![e.to_string()]).unwrap_or_default(),
                    })
                    .to_string(),
                )
            }
        };
        self.store
            .audit_append(
                AuditRecord::new(&self.setup.caller, AuditAction::BackupDrill)
                    .fields([format!("ok:{ok}")]),
            )
            .await?;
        let day = jaga_core::format_ms(jaga_core::now_ms());
        let d = Delivery::Report {
            name: format!("backup-drill-{}.json", day.get(..10).unwrap_or("today")),
            subject: format!(
                "Jaga restore drill: {}",
                if ok { "passed" } else { "FAILED" }
            ),
            body: text.clone(),
        };
        self.witnesses.lock().await.deliver(&d).await;
        if !ok {
            tracing::error!("restore drill failed; see the report handed to the witnesses");
        }
        Ok(Some(text))
    }
}

#[async_trait]
impl Job for DrillJob {
    fn name(&self) -> &'static str {
        "backup-drill"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        let state = self.setup.data_dir.join(DRILL_LAST_FILE);
        let last: i64 = std::fs::read_to_string(&state)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        let every = i64::try_from(self.setup.config.drill_every_days())
            .unwrap_or(i64::MAX / 86_400_000)
            .saturating_mul(86_400_000);
        let now = jaga_core::now_ms();
        if now.saturating_sub(last) < every {
            return Ok(());
        }
        if self.drill_now().await?.is_some() {
            write_atomic(&state, format!("{now}\n").as_bytes())?;
        }
        Ok(())
    }
}
