//! Verifying and restoring a backup.

use crate::archive::{self, DatabaseInfo, Manifest, SQLITE_FILE, Sink};
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

/// Where a backup of a database dumped table by table (PostgreSQL) is restored to: an empty
/// database the operator names. The binary implements it (this crate knows no database).
#[async_trait::async_trait]
pub trait TableTarget: Send + Sync {
    /// The URL the restored `jaga.toml` names as its `database_url`.
    fn url(&self) -> &str;
    /// Fails unless the database is empty (a restore never mixes into existing data).
    async fn check_empty(&self) -> Result<(), BackupError>;
    /// Loads `db` from its tables' files, `dir/<table>`.
    async fn load(&self, db: &DatabaseInfo, dir: &Path) -> Result<(), BackupError>;
    /// Opens the loaded database as a store.
    async fn open(&self) -> Result<Arc<dyn Store>, BackupError>;
    /// Removes everything [`TableTarget::load`] created (after a failed restore).
    async fn discard(&self);
}

/// Where the tables of dumped databases are extracted inside a restore's temporary
/// directory (removed before the directory is renamed into place).
const DUMPS_DIR: &str = ".databases";

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

/// Where an entry goes under the restore's directory: `database/jaga.db` → `jaga.db`,
/// `database/<db>/<table>` and `database/<db>.db` → under [`DUMPS_DIR`], `data/<path>` →
/// `<path>`; `None` for anything else or anything that could leave the directory.
fn safe_rel(name: &str) -> Option<PathBuf> {
    let (base, rel) = if name == format!("database/{DB_FILE}") {
        (PathBuf::new(), DB_FILE)
    } else if let Some(r) = name.strip_prefix("database/") {
        (PathBuf::from(DUMPS_DIR), r)
    } else {
        (PathBuf::new(), name.strip_prefix("data/")?)
    };
    let p = Path::new(rel);
    // A data file never lands in the dumps' directory.
    let into_dumps = base.as_os_str().is_empty()
        && p.components().next() == Some(Component::Normal(DUMPS_DIR.as_ref()));
    if p.components().all(|c| matches!(c, Component::Normal(_))) && !rel.is_empty() && !into_dumps {
        Some(base.join(p))
    } else {
        None
    }
}

impl Sink for Extract {
    fn begin(&mut self, name: &str, _size: Option<u64>) -> Result<(), BackupError> {
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
    /// The empty database a PostgreSQL backup is restored into (required for one; refused
    /// for a SQLite backup, which restores into the new directory's own `jaga.db`).
    pub target: Option<&'a dyn TableTarget>,
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
    /// The restored main database's kind (`sqlite` or `postgres`).
    pub database: String,
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

/// Points the restored `jaga.toml` at the restored database: with `url`, its top-level
/// `database_url` becomes `url` (added when missing, the file created when there is none);
/// without, a `database_url` naming a SQLite file is dropped, so the restored directory serves
/// its own `jaga.db` (the default), never the original database.
fn set_database_url(dir: &Path, url: Option<&str>) -> Result<(), BackupError> {
    let path = dir.join("jaga.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) if url.is_none() => return Ok(()),
        Err(_) => String::new(),
    };
    let new_line = url.map(|u| {
        // A TOML basic string: backslash, quote and every control character escaped, so no
        // URL can end the string or start a line of its own.
        let mut quoted = String::with_capacity(u.len() + 2);
        for c in u.chars() {
            match c {
                '\\' => quoted.push_str("\\\\"),
                '"' => quoted.push_str("\\\""),
                c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
                c => quoted.push(c),
            }
        }
        format!("database_url = \"{quoted}\"")
    });
    let mut in_table = false;
    let mut changed = false;
    let mut placed = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') && !in_table {
            in_table = true;
            if let (Some(l), false) = (&new_line, placed) {
                out.push_str(l);
                out.push('\n');
                placed = true;
                changed = true;
            }
        }
        if !in_table && t.starts_with("database_url") {
            match &new_line {
                Some(l) if !placed => {
                    out.push_str(
                        "# database_url set by `jaga backup restore` (the restored database)\n",
                    );
                    out.push_str(l);
                    out.push('\n');
                    placed = true;
                    changed = true;
                    continue;
                }
                Some(_) => {
                    changed = true;
                    continue;
                }
                None if t.contains("sqlite:") => {
                    out.push_str("# database_url removed by `jaga backup restore` (this directory serves its own jaga.db)\n");
                    changed = true;
                    continue;
                }
                None => {}
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if let (Some(l), false) = (&new_line, placed) {
        out.push_str(l);
        out.push('\n');
        changed = true;
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
    if let Some(t) = opts.target {
        t.check_empty().await?;
    }
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
    let main = manifest
        .main_database()
        .ok_or_else(|| BackupError::Corrupt("the backup names no main database".into()))?;
    let target = if main.format == SQLITE_FILE {
        if opts.target.is_some() {
            return Err(BackupError::Invalid(
                "this is a backup of a SQLite installation: it restores into the new directory's own jaga.db, not into a database server (leave out the target database)".into(),
            ));
        }
        if !tmp.join(DB_FILE).is_file() {
            return Err(BackupError::Corrupt("the backup holds no database".into()));
        }
        None
    } else {
        let Some(target) = opts.target else {
            return Err(BackupError::Invalid(format!(
                "this is a backup of a {} installation: name an empty database to restore it into (--to-database-url URL)",
                main.kind
            )));
        };
        let dir = tmp.join(DUMPS_DIR).join(&main.name);
        for t in &main.tables {
            let plain = Path::new(&t.name)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
                && !t.name.contains('/');
            if !plain || !dir.join(&t.name).is_file() {
                return Err(BackupError::Corrupt(format!(
                    "table {:?} of the manifest is not in the backup",
                    t.name
                )));
            }
        }
        Some(target)
    };
    let finished = async {
        let store = match target {
            None => {
                set_database_url(&tmp, None)?;
                open(tmp.join(DB_FILE)).await?
            }
            Some(t) => {
                t.load(&main, &tmp.join(DUMPS_DIR).join(&main.name)).await?;
                std::fs::remove_dir_all(tmp.join(DUMPS_DIR))
                    .map_err(|e| BackupError::io("removing the extracted tables", e))?;
                set_database_url(&tmp, Some(t.url()))?;
                t.open().await?
            }
        };
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
        Ok::<_, BackupError>((replayed, counts))
    }
    .await;
    let (replayed, counts) = match finished {
        Ok(x) => x,
        Err(e) => {
            // Nothing half-restored: the database loses what the load created (it was
            // empty), the directory goes with the guard.
            if let Some(t) = target {
                t.discard().await;
            }
            return Err(e);
        }
    };
    guard.0 = None;
    Ok(Restored {
        dir: to.to_path_buf(),
        manifest,
        replayed,
        counts,
        database: main.kind,
    })
}

#[cfg(test)]
mod tests {
    use super::set_database_url;

    /// The restored `jaga.toml` names the target database in one quoted line, whatever the URL
    /// holds: a quote, a backslash or a line break cannot end the string or add a table.
    #[test]
    fn the_database_url_line_cannot_be_broken_out_of() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("jaga.toml");
        std::fs::write(
            &toml,
            "database_url = \"sqlite://old.db\"\n[shop]\nname = \"Toko\"\n",
        )
        .unwrap();
        let url = "postgres://u@h/db\"x\\y\n[evil]\nz = 1";
        set_database_url(dir.path(), Some(url)).unwrap();
        let text = std::fs::read_to_string(&toml).unwrap();
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("[evil]")),
            "{text}"
        );
        assert!(!text.contains("old.db"), "{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with("database_url"))
            .unwrap();
        assert_eq!(
            line,
            r#"database_url = "postgres://u@h/db\"x\\y\u000A[evil]\u000Az = 1""#
        );
        assert_eq!(
            text.lines().filter(|l| l.starts_with('[')).count(),
            1,
            "{text}"
        );
    }
}
