//! Verifying and restoring a backup.

use crate::archive::{self, Manifest, Sink};
use crate::keys::Opening;
use crate::ledger::{self, LedgerFile};
use crate::{BackupError, CHECKSUM_SUFFIX, DB_FILE};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Caller;
use jaga_core::lifecycle::ErasureEntry;
use jaga_core::store::{LifecycleCounts, Store};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::io::{BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

/// Opens the store of a restored SQLite file (the binary knows the store crates; this crate
/// does not).
pub type OpenStore = Arc<
    dyn Fn(PathBuf) -> Pin<Box<dyn Future<Output = Result<Arc<dyn Store>, BackupError>> + Send>>
        + Send
        + Sync,
>;

/// What `verify` found.
#[derive(Debug, Clone)]
pub struct Verified {
    /// `Some(true)` when the `.sha256` file beside the backup matched, `None` when there is
    /// none.
    pub checksum_file: Option<bool>,
    /// The manifest, when a key was given and every entry matched it.
    pub manifest: Option<Manifest>,
}

/// The checksum file beside `file`.
pub fn checksum_path(file: &Path) -> PathBuf {
    let mut p = file.as_os_str().to_owned();
    p.push(CHECKSUM_SUFFIX);
    PathBuf::from(p)
}

fn file_sha256(file: &Path) -> Result<String, BackupError> {
    let mut f = std::fs::File::open(file)
        .map_err(|e| BackupError::io(format_args!("opening {}", file.display()), e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| BackupError::io(format_args!("reading {}", file.display()), e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Checks the `.sha256` file beside `file`, if there is one.
fn check_sum_file(file: &Path) -> Result<Option<bool>, BackupError> {
    let sum = match std::fs::read_to_string(checksum_path(file)) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(BackupError::io("reading the checksum file", e)),
    };
    let want = sum
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if file_sha256(file)? != want {
        return Err(BackupError::Corrupt(
            "the file's SHA-256 does not match its .sha256 file (truncated or modified)".into(),
        ));
    }
    Ok(Some(true))
}

/// Reads the whole backup with `opening` into `sink`.
fn read_all(file: &Path, opening: &Opening, sink: &mut dyn Sink) -> Result<Manifest, BackupError> {
    let f = std::fs::File::open(file)
        .map_err(|e| BackupError::io(format_args!("opening {}", file.display()), e))?;
    let plain = opening.open(BufReader::with_capacity(1 << 20, f))?;
    let zstd = zstd::Decoder::new(plain)
        .map_err(|e| BackupError::Corrupt(format!("not a compressed archive ({e})")))?;
    archive::read(zstd, sink)
}

/// Checks a backup without restoring it: the `.sha256` file beside it (if any), and with a key
/// the whole content against its manifest. With neither a checksum file nor a key there is
/// nothing to check against: [`BackupError::Invalid`].
pub fn verify(file: &Path, opening: Option<&Opening>) -> Result<Verified, BackupError> {
    if !file.is_file() {
        return Err(BackupError::Invalid(format!(
            "{} is not a file",
            file.display()
        )));
    }
    let checksum_file = check_sum_file(file)?;
    let manifest = match opening {
        Some(o) => Some(read_all(file, o, &mut archive::Discard)?),
        None => {
            if checksum_file.is_none() {
                return Err(BackupError::Invalid(format!(
                    "{} has no .sha256 file beside it; give --identity FILE or --passphrase-file FILE to check its contents",
                    file.display()
                )));
            }
            // At least the header must be an age header.
            let f = std::fs::File::open(file)
                .map_err(|e| BackupError::io(format_args!("opening {}", file.display()), e))?;
            age::Decryptor::new_buffered(BufReader::new(f))
                .map_err(|e| BackupError::Corrupt(format!("not a readable age file ({e})")))?;
            None
        }
    };
    Ok(Verified {
        checksum_file,
        manifest,
    })
}

/// Writes entries under a directory: `database/jaga.db` → `jaga.db`, `data/<path>` → `<path>`.
struct Extract {
    root: PathBuf,
    current: Option<std::io::BufWriter<std::fs::File>>,
}

fn safe_rel(name: &str) -> Option<PathBuf> {
    let rel = if name == format!("database/{DB_FILE}") {
        DB_FILE
    } else {
        name.strip_prefix("data/")?
    };
    let p = Path::new(rel);
    if p.components().all(|c| matches!(c, Component::Normal(_))) && !rel.is_empty() {
        Some(p.to_path_buf())
    } else {
        None
    }
}

impl Sink for Extract {
    fn begin(&mut self, name: &str, _size: u64) -> Result<(), BackupError> {
        let rel = safe_rel(name)
            .ok_or_else(|| BackupError::Corrupt(format!("entry {name:?} has an unsafe name")))?;
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| BackupError::io(format_args!("creating {}", parent.display()), e))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let f = opts
            .open(&path)
            .map_err(|e| BackupError::io(format_args!("creating {}", path.display()), e))?;
        self.current = Some(std::io::BufWriter::with_capacity(1 << 20, f));
        Ok(())
    }
    fn data(&mut self, bytes: &[u8]) -> Result<(), BackupError> {
        if let Some(w) = &mut self.current {
            w.write_all(bytes)
                .map_err(|e| BackupError::io("writing a restored file", e))?;
        }
        Ok(())
    }
    fn end(&mut self) -> Result<(), BackupError> {
        if let Some(w) = self.current.take() {
            let f = w
                .into_inner()
                .map_err(|e| BackupError::io("writing a restored file", e.into_error()))?;
            f.sync_all()
                .map_err(|e| BackupError::io("writing a restored file", e))?;
        }
        Ok(())
    }
}

/// What to restore and where.
pub struct RestoreOptions<'a> {
    /// The backup file.
    pub file: &'a Path,
    /// Its key.
    pub opening: &'a Opening,
    /// The new data directory (must not exist, or be empty).
    pub to: &'a Path,
    /// The current erasure ledger (from the configured data directory, its database, or a
    /// witness copy), replayed before the restored vault can be read.
    pub ledger: Vec<ErasureEntry>,
    /// The operator, named in the restored audit log.
    pub caller: &'a Caller,
}

/// A finished restore.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The new data directory.
    pub dir: PathBuf,
    /// The backup's manifest.
    pub manifest: Manifest,
    /// Erasures replayed (customers in the backup erased since).
    pub replayed: u64,
    /// Counts of the restored database after the replay.
    pub counts: LifecycleCounts,
}

/// Removes a directory tree when dropped, unless disarmed.
struct RemoveDir(Option<PathBuf>);

impl Drop for RemoveDir {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// Drops the `database_url` of a restored `jaga.toml` when it names a SQLite file: the
/// restored directory serves its own `jaga.db` (the default), never the original database.
fn fix_config(dir: &Path) -> Result<(), BackupError> {
    let path = dir.join("jaga.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let mut in_table = false;
    let mut changed = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            in_table = true;
        }
        if !in_table && t.starts_with("database_url") && t.contains("sqlite:") {
            out.push_str("# database_url removed by `jaga backup restore` (this directory serves its own jaga.db)\n");
            changed = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if changed {
        std::fs::write(&path, out)
            .map_err(|e| BackupError::io(format_args!("writing {}", path.display()), e))?;
    }
    Ok(())
}

/// Restores a backup into a new data directory, replaying the erasure ledger before the
/// directory appears under its name. On any failure nothing is left at `to`.
pub async fn restore(opts: RestoreOptions<'_>, open: &OpenStore) -> Result<Restored, BackupError> {
    let to = opts.to;
    if to.exists() {
        let empty = std::fs::read_dir(to)
            .map_err(|e| BackupError::io(format_args!("reading {}", to.display()), e))?
            .next()
            .is_none();
        if !empty {
            return Err(BackupError::Invalid(format!(
                "{} exists and is not empty: restore into a new directory",
                to.display()
            )));
        }
    }
    let parent = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| BackupError::io(format_args!("creating {}", parent.display()), e))?;
    let base = to
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| BackupError::Invalid(format!("{} is not a directory name", to.display())))?;
    let tmp = parent.join(format!(
        ".{base}.restoring-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir(&tmp)
        .map_err(|e| BackupError::io(format_args!("creating {}", tmp.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o700));
    }
    let mut guard = RemoveDir(Some(tmp.clone()));
    let file = opts.file.to_path_buf();
    let opening = opts.opening.clone();
    let root = tmp.clone();
    // Decryption and extraction are blocking work.
    let manifest = tokio::task::spawn_blocking(move || {
        check_sum_file(&file)?;
        read_all(
            &file,
            &opening,
            &mut Extract {
                root,
                current: None,
            },
        )
    })
    .await
    .map_err(|_| BackupError::Io("the restore task failed".into()))??;
    if !tmp.join(DB_FILE).is_file() {
        return Err(BackupError::Corrupt("the backup holds no database".into()));
    }
    fix_config(&tmp)?;
    let store = open(tmp.join(DB_FILE)).await?;
    let replay = async {
        let mut replayed = 0u64;
        for e in &opts.ledger {
            let audit = AuditRecord::new(opts.caller, AuditAction::BackupErasureReplay)
                .customer(e.customer_id);
            if store
                .customer_erase(e.customer_id, e.erased_at, audit)
                .await?
            {
                replayed += 1;
            }
        }
        let done = AuditRecord::new(opts.caller, AuditAction::BackupRestore).fields([
            format!("backup_created_at:{}", manifest.created_at),
            format!("replayed:{replayed}"),
        ]);
        store.audit_append(done).await?;
        let counts = store.lifecycle_counts().await?;
        Ok::<_, BackupError>((replayed, counts))
    }
    .await;
    store.close_store().await;
    drop(store);
    let (replayed, counts) = replay?;
    // The restored directory's own ledger: the backup's, plus everything replayed.
    let lf = LedgerFile::in_dir(&tmp);
    let merged = ledger::merge(&lf.read()?, &opts.ledger);
    lf.write_all(&merged)?;
    if to.exists() {
        std::fs::remove_dir(to)
            .map_err(|e| BackupError::io(format_args!("replacing {}", to.display()), e))?;
    }
    std::fs::rename(&tmp, to)
        .map_err(|e| BackupError::io(format_args!("renaming to {}", to.display()), e))?;
    guard.0 = None;
    Ok(Restored {
        dir: to.to_path_buf(),
        manifest,
        replayed,
        counts,
    })
}
