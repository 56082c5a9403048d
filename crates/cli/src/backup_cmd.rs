//! `jaga backup …`: encrypted backups (create, verify, restore with the erasure ledger
//! replayed, drill). The work is in `jaga-backup`; this is the command line around it.

use crate::config::{self, Config, Flags};
use crate::datadir;
use anyhow::{Context, Result, bail};
use jaga_backup::keys::{Opening, Sealing};
use jaga_backup::ledger::{self, Ledger, LedgerFile};
use jaga_backup::{BackupConfig, BackupError, OpenStore};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::{Caller, OperatorTask};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// `jaga backup …`
#[derive(clap::Subcommand)]
pub enum BackupCmd {
    /// Write an encrypted backup (age, zstd) of the database and the data directory, with a
    /// manifest and checksums. Refuses without a recipient or a passphrase.
    Create {
        /// Directory to write the backup into (default: `[backup] dir`).
        #[arg(long)]
        to: Option<PathBuf>,
        /// An age X25519 public key (`age1…`) to encrypt to; repeat for several (added to
        /// `[backup] recipients`).
        #[arg(long = "recipient")]
        recipients: Vec<String>,
        /// A file holding a passphrase to encrypt to (also: `[backup] passphrase_file`).
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// zstd compression level (1–19).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=19))]
        level: i32,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check a backup without restoring it: its checksum file, and with a key every entry
    /// against the manifest. Exit 1 if it is damaged, truncated or the key does not fit.
    Verify {
        /// The backup file.
        file: PathBuf,
        /// An age identity file that opens the backup.
        #[arg(long, conflicts_with = "passphrase_file")]
        identity: Option<PathBuf>,
        /// A file holding the backup's passphrase.
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into a new data directory, replaying the current erasure ledger
    /// first (this data directory's, its database's and `--erasure-ledger`), so customers
    /// erased after the backup was taken stay erased. A PostgreSQL backup is restored into
    /// the empty PostgreSQL database `--to-database-url` names, which the new directory's
    /// `jaga.toml` then points at.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The new data directory (must not exist or be empty).
        #[arg(long)]
        to: PathBuf,
        /// For a backup of a PostgreSQL installation: the empty PostgreSQL database to restore
        /// into (`postgres://…`; create it first with CREATE DATABASE). Refused if it holds
        /// anything; on failure everything the restore created in it is removed.
        #[arg(long, value_name = "URL")]
        to_database_url: Option<String>,
        /// An age identity file that opens the backup.
        #[arg(long, conflicts_with = "passphrase_file")]
        identity: Option<PathBuf>,
        /// A file holding the backup's passphrase.
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// An erasure ledger to replay as well (a file, or a witness directory of
        /// `erasure-ledger-*.jsonl` parts).
        #[arg(long)]
        erasure_ledger: Option<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Restore the newest backup into a temporary directory, verify its audit log and its
    /// counts, report, and remove it. Exit 1 if a check fails. On a PostgreSQL installation the
    /// backup is restored into a scratch database created on the same server and dropped after.
    Drill {
        /// Directory of backups (default: `[backup] dir`).
        #[arg(long)]
        from: Option<PathBuf>,
        /// An age identity file that opens the backups (default: `[backup]
        /// drill_identity_file`).
        #[arg(long, conflicts_with = "passphrase_file")]
        identity: Option<PathBuf>,
        /// A file holding the backups' passphrase (default: `[backup] passphrase_file`).
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// The operator running backups, as the audit log names it.
pub fn caller() -> Caller {
    Caller::operator(OperatorTask::Backup)
}

/// The SQLite database file a `sqlite://` URL names.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Opens a restored SQLite database as a store.
pub fn opener() -> OpenStore {
    Arc::new(|path: PathBuf| {
        Box::pin(async move {
            datadir::open_store(&format!("sqlite://{}", path.display()))
                .await
                .map_err(|e| BackupError::Io(format!("{e:#}")))
        })
    })
}

fn opening(
    identity: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
) -> Result<Option<Opening>, BackupError> {
    match (identity, passphrase_file) {
        (Some(i), _) => Opening::identity_file(&i).map(Some),
        (None, Some(p)) => {
            jaga_backup::keys::read_passphrase_file(&p).map(|p| Some(Opening::Passphrase(p)))
        }
        (None, None) => Ok(None),
    }
}

/// Runs a backup subcommand. Exit 0 ok, 1 a bad backup (damaged, truncated, wrong key) or a
/// failed drill, 2 a usage or environment error.
pub async fn run(flags: &Flags, cmd: BackupCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let result = match cmd {
        BackupCmd::Create {
            to,
            recipients,
            passphrase_file,
            level,
            json,
        } => create(&cfg, to, recipients, passphrase_file, level, json).await,
        BackupCmd::Verify {
            file,
            identity,
            passphrase_file,
            json,
        } => verify(&file, identity, passphrase_file, json),
        BackupCmd::Restore {
            file,
            to,
            to_database_url,
            identity,
            passphrase_file,
            erasure_ledger,
            json,
        } => {
            restore(
                &cfg,
                &file,
                &to,
                to_database_url.as_deref(),
                identity,
                passphrase_file,
                erasure_ledger,
                json,
            )
            .await
        }
        BackupCmd::Drill {
            from,
            identity,
            passphrase_file,
            json,
        } => drill(&cfg, from, identity, passphrase_file, json).await,
    };
    match result {
        Ok(code) => Ok(code),
        Err(e) => match e.downcast_ref::<BackupError>() {
            Some(b) if b.is_bad_backup() => {
                eprintln!("error: {e:#}");
                Ok(ExitCode::from(1))
            }
            _ => Err(e),
        },
    }
}

struct Bar(Option<indicatif::ProgressBar>);

impl jaga_backup::Progress for Bar {
    fn start(&mut self, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
        }
    }
    fn advance(&mut self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }
    fn finish(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

async fn create(
    cfg: &Config,
    to: Option<PathBuf>,
    mut recipients: Vec<String>,
    passphrase_file: Option<PathBuf>,
    level: i32,
    json: bool,
) -> Result<ExitCode> {
    if !datadir::initialised(&cfg.data_dir) {
        bail!(
            "{} is not an initialised data directory (no unseal.json): nothing to back up",
            cfg.data_dir.display()
        );
    }
    if !cfg.segments.is_empty() {
        // A backup of the main database alone would silently miss every segment database's
        // customers; each database must be snapshotted (see `Config::databases`).
        bail!(
            "`jaga backup` does not cover segment databases yet ([segments.*] database_url in jaga.toml); back up every database with its own tools meanwhile"
        );
    }
    let bc = &cfg.backup;
    let dest = match (to, &bc.dir) {
        (Some(t), _) => t,
        (None, Some(d)) => BackupConfig::path(&cfg.data_dir, d),
        (None, None) => bail!("give --to DIR (or set [backup] dir in jaga.toml)"),
    };
    recipients.extend(bc.recipients.iter().cloned());
    let pass_path = passphrase_file.or_else(|| {
        bc.passphrase_file
            .as_deref()
            .map(|p| BackupConfig::path(&cfg.data_dir, p))
    });
    let pass = pass_path
        .as_deref()
        .map(jaga_backup::keys::read_passphrase_file)
        .transpose()?;
    let sealing = Sealing::new(&recipients, pass)?;
    let (n_recipients, with_pass) = sealing.describe();
    let pg_store = if crate::backup_pg::is_postgres(&cfg.database_url) {
        Some(
            jaga_store_postgres::PostgresStore::open(&cfg.database_url)
                .await
                .with_context(|| format!("opening {}", config::redact_url(&cfg.database_url)))?,
        )
    } else {
        None
    };
    let store: Arc<dyn jaga_core::store::Store> = match &pg_store {
        Some(s) => Arc::new(s.clone()),
        None => datadir::open_store(&cfg.database_url).await?,
    };
    let db_file = sqlite_file(&cfg.database_url);
    let bar = (std::io::stderr().is_terminal() && !json).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            )
            .expect("template"),
        );
        b
    });
    let started = std::time::Instant::now();
    let created = jaga_backup::create(
        store.as_ref(),
        jaga_backup::CreateOptions {
            data_dir: &cfg.data_dir,
            database_file: db_file.as_deref(),
            dest_dir: &dest,
            sealing: &sealing,
            audit: AuditRecord::new(&caller(), AuditAction::BackupCreate).fields([
                format!("recipients:{n_recipients}"),
                format!("passphrase:{with_pass}"),
            ]),
            level,
            dump: pg_store.as_ref().map(crate::backup_pg::dump),
        },
        Box::new(Bar(bar)),
    )
    .await?;
    store.close_store().await;
    let secs = started.elapsed().as_secs_f64();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "file": created.path,
                "bytes": created.bytes,
                "sha256": created.sha256,
                "seconds": secs,
                "recipients": n_recipients,
                "passphrase": with_pass,
                "manifest": created.manifest,
            })
        );
    } else {
        println!(
            "Backup written / cadangan ditulis: {}",
            created.path.display()
        );
        println!(
            "  {} bytes in {secs:.1} s; {} customers, {} erased, {} orders, {} audit events",
            created.bytes,
            created.manifest.counts.customers,
            created.manifest.counts.erased,
            created.manifest.counts.orders,
            created.manifest.counts.audit_events
        );
        println!(
            "  encrypted to {n_recipients} recipient(s){}; SHA-256 {}",
            if with_pass { " and a passphrase" } else { "" },
            created.sha256
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(
    file: &Path,
    identity: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let opening = opening(identity, passphrase_file)?;
    let v = jaga_backup::verify(file, opening.as_ref())?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "file": file,
                "checksum_file": v.checksum_file,
                "contents_checked": v.manifest.is_some(),
                "manifest": v.manifest,
            })
        );
    } else {
        println!("Backup OK / cadangan utuh: {}", file.display());
        if v.checksum_file.is_some() {
            println!("  SHA-256 matches its .sha256 file");
        }
        match &v.manifest {
            Some(m) => println!(
                "  every entry matches the manifest ({} entries; taken {}; {} customers, {} audit events)",
                m.entries.len(),
                jaga_core::format_ms(m.created_at),
                m.counts.customers,
                m.counts.audit_events
            ),
            None => println!(
                "  contents not checked: give --identity or --passphrase-file to check every entry"
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The current erasure ledger: this data directory's file (caught up from its database when
/// that is reachable) merged with an external copy. Returns it and where it came from.
async fn current_ledger(cfg: &Config, extra: Option<&Path>) -> Result<(Ledger, Vec<String>)> {
    let mut sources = Vec::new();
    let file = LedgerFile::in_dir(&cfg.data_dir);
    let mut l = file.read()?;
    if file.path().exists() {
        sources.push(file.path().display().to_string());
    }
    // The live database, unless it is a SQLite file that is not there (opening would create it).
    let reachable = match sqlite_file(&cfg.database_url) {
        Some(p) => p.is_file(),
        None => true,
    };
    if reachable && datadir::initialised(&cfg.data_dir) {
        match datadir::open_cfg_store(cfg).await {
            Ok(store) => {
                let from_db = ledger::from_store(store.as_ref()).await?;
                store.close_store().await;
                l = ledger::merge(&l, &from_db);
                sources.push(format!(
                    "database {}",
                    config::redact_url(&cfg.database_url)
                ));
            }
            Err(e) => eprintln!(
                "warning: the configured database is not reachable ({e:#}); replaying the ledger files only"
            ),
        }
    }
    if let Some(x) = extra {
        let ext = ledger::read_external(x)?;
        l = ledger::merge(&l, &ext.entries());
        sources.push(x.display().to_string());
    }
    Ok((l, sources))
}

#[allow(clippy::too_many_arguments)]
async fn restore(
    cfg: &Config,
    file: &Path,
    to: &Path,
    to_database_url: Option<&str>,
    identity: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
    erasure_ledger: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let Some(opening) = opening(identity, passphrase_file)? else {
        bail!("give --identity FILE or --passphrase-file FILE to open the backup");
    };
    if to.exists() && std::fs::read_dir(to)?.next().is_some() {
        bail!(
            "{} exists and is not empty: restore into a new directory",
            to.display()
        );
    }
    let target = to_database_url
        .map(crate::backup_pg::PgTarget::new)
        .transpose()?;
    let (ledger, sources) = current_ledger(cfg, erasure_ledger.as_deref()).await?;
    if sources.is_empty() {
        eprintln!(
            "warning: no erasure ledger found (no {} in {}, no database, no --erasure-ledger): customers erased after this backup was taken would come back; pass --erasure-ledger with a witness copy",
            ledger::FILE,
            cfg.data_dir.display()
        );
    }
    let restored = jaga_backup::restore(
        jaga_backup::RestoreOptions {
            file,
            opening: &opening,
            to,
            ledger: ledger.entries(),
            caller: &caller(),
            target: target.as_ref().map(|t| t as &dyn jaga_backup::TableTarget),
        },
        &opener(),
    )
    .await?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "dir": restored.dir,
                "database": restored.database,
                "backup_created_at": restored.manifest.created_at,
                "ledger_entries": ledger.lines().len(),
                "ledger_sources": sources,
                "replayed": restored.replayed,
                "counts": restored.counts,
            })
        );
    } else {
        println!("Restored / dipulihkan: {}", restored.dir.display());
        println!(
            "  backup taken {}; erasure ledger: {} entries from {}",
            jaga_core::format_ms(restored.manifest.created_at),
            ledger.lines().len(),
            if sources.is_empty() {
                "nowhere".to_string()
            } else {
                sources.join(", ")
            }
        );
        println!(
            "  {} customers erased since the backup were erased again before the vault could be read",
            restored.replayed
        );
        println!(
            "  now: {} customers, {} erased, {} orders, {} audit events",
            restored.counts.customers,
            restored.counts.erased,
            restored.counts.orders,
            restored.counts.audit_events
        );
        println!(
            "Serve it / jalankan: jaga serve --data-dir {}",
            restored.dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn drill(
    cfg: &Config,
    from: Option<PathBuf>,
    identity: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let bc = &cfg.backup;
    let dir = match (from, &bc.dir) {
        (Some(f), _) => f,
        (None, Some(d)) => BackupConfig::path(&cfg.data_dir, d),
        (None, None) => bail!("give --from DIR (or set [backup] dir in jaga.toml)"),
    };
    let identity = identity.or_else(|| {
        bc.drill_identity_file
            .as_deref()
            .map(|p| BackupConfig::path(&cfg.data_dir, p))
    });
    let passphrase_file = passphrase_file.or_else(|| {
        bc.passphrase_file
            .as_deref()
            .map(|p| BackupConfig::path(&cfg.data_dir, p))
    });
    let Some(opening) = opening(identity, passphrase_file)? else {
        bail!(
            "give --identity FILE or --passphrase-file FILE (or set [backup] drill_identity_file)"
        );
    };
    let latest = jaga_backup::rotate::latest(&dir)?
        .with_context(|| format!("no backup in {}", dir.display()))?;
    let (ledger, _) = current_ledger(cfg, None).await?;
    let scratch = if crate::backup_pg::is_postgres(&cfg.database_url) {
        Some(crate::backup_pg::Scratch::create(&cfg.database_url).await?)
    } else {
        None
    };
    let report = jaga_backup::drill(
        &latest,
        &opening,
        ledger.entries(),
        &std::env::temp_dir(),
        &opener(),
        &caller(),
        scratch
            .as_ref()
            .map(|s| &s.target as &dyn jaga_backup::TableTarget),
    )
    .await;
    if let Some(s) = scratch {
        s.drop_now().await;
    }
    let report = report?;
    // The drill is recorded in the live log when there is one.
    if datadir::initialised(&cfg.data_dir)
        && sqlite_file(&cfg.database_url).is_none_or(|p| p.is_file())
        && let Ok(store) = datadir::open_store(&cfg.database_url).await
    {
        let rec = AuditRecord::new(&caller(), AuditAction::BackupDrill)
            .fields([format!("ok:{}", report.ok)]);
        store.audit_append(rec).await?;
        store.close_store().await;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "Restore drill / latihan pemulihan: {}",
            if report.ok {
                "passed / lulus"
            } else {
                "FAILED / GAGAL"
            }
        );
        println!(
            "  backup {} (taken {})",
            report.backup.display(),
            jaga_core::format_ms(report.backup_created_at)
        );
        println!(
            "  restored {} customers ({} erased, {} replayed), {} orders; audit log verified ({} events); {} ms",
            report.restored_counts.customers,
            report.restored_counts.erased,
            report.replayed,
            report.restored_counts.orders,
            report.audit_events_verified,
            report.took_ms
        );
        for p in &report.problems {
            println!("  problem: {p}");
        }
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
