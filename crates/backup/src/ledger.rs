//! The erasure ledger: one JSON line per erasure (customer id, segment, time, who — never a
//! value), hash-chained, kept in the data directory outside the database (`erasure-ledger.jsonl`)
//! and handed to the witnesses. A restore replays it, so a customer erased after a backup was
//! taken stays erased when that backup comes back.
//!
//! Each line is `{"seq", "customer_id", "segment", "erased_at", "by", "prev", "hash"}` where
//! `hash = SHA-256(prev ‖ canonical JSON of the entry)` (hex) and `prev` is the previous line's
//! hash (64 zeros for the first): a line removed, reordered or changed breaks the chain. Writers
//! take an exclusive lock on the file (`std::fs::File::lock`), so `jaga serve` and the CLI can
//! both append.

use crate::BackupError;
use jaga_core::lifecycle::{ErasureEntry, ErasureSink};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The ledger's file name in the data directory.
pub const FILE: &str = "erasure-ledger.jsonl";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Position, from 1.
    pub seq: u64,
    /// The erased customer.
    pub customer_id: Uuid,
    /// Its segment.
    pub segment: String,
    /// When, ms since the epoch.
    pub erased_at: i64,
    /// Who (actor id as in the audit log).
    pub by: String,
    /// The previous line's hash.
    pub prev: String,
    /// This line's hash.
    pub hash: String,
}

impl Line {
    fn entry(&self) -> ErasureEntry {
        ErasureEntry {
            customer_id: self.customer_id,
            segment: self.segment.clone(),
            erased_at: self.erased_at,
            by: self.by.clone(),
        }
    }
}

fn chain_hash(prev: &str, seq: u64, e: &ErasureEntry) -> String {
    let canonical = serde_json::json!({
        "seq": seq,
        "customer_id": e.customer_id,
        "segment": e.segment,
        "erased_at": e.erased_at,
        "by": e.by,
    });
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// The ledger's content: its lines, checked.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    lines: Vec<Line>,
    ids: HashSet<Uuid>,
}

impl Ledger {
    /// Parses ledger text: every line must parse and the chain must hold. An empty last line
    /// (or a final line without its newline, from a writer that stopped halfway) is ignored.
    pub fn parse(text: &str, origin: &str) -> Result<Self, BackupError> {
        let mut ledger = Ledger::default();
        let mut prev = GENESIS.to_string();
        let complete = text.ends_with('\n') || text.is_empty();
        let all: Vec<&str> = text.split_terminator('\n').collect();
        for (i, raw) in all.iter().enumerate() {
            let last = i + 1 == all.len();
            if raw.trim().is_empty() {
                continue;
            }
            let line: Line = match serde_json::from_str(raw) {
                Ok(l) => l,
                Err(_) if last && !complete => break,
                Err(e) => {
                    return Err(BackupError::Invalid(format!(
                        "{origin}: line {} is not an erasure-ledger entry ({e})",
                        i + 1
                    )));
                }
            };
            if line.seq != ledger.lines.len() as u64 + 1
                || line.prev != prev
                || line.hash != chain_hash(&prev, line.seq, &line.entry())
            {
                return Err(BackupError::Invalid(format!(
                    "{origin}: the hash chain breaks at line {} (an entry was removed, reordered or changed)",
                    i + 1
                )));
            }
            prev = line.hash.clone();
            ledger.ids.insert(line.customer_id);
            ledger.lines.push(line);
        }
        Ok(ledger)
    }

    /// Reads a ledger file; a missing file is an empty ledger.
    pub fn read(path: &Path) -> Result<Self, BackupError> {
        match std::fs::read_to_string(path) {
            Ok(t) => Self::parse(&t, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(BackupError::io(
                format_args!("reading {}", path.display()),
                e,
            )),
        }
    }

    /// The lines.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Whether the ledger names `id`.
    pub fn contains(&self, id: Uuid) -> bool {
        self.ids.contains(&id)
    }

    /// The entries, in order.
    pub fn entries(&self) -> Vec<ErasureEntry> {
        self.lines.iter().map(Line::entry).collect()
    }

    fn push(&mut self, e: &ErasureEntry) -> Option<&Line> {
        if self.ids.contains(&e.customer_id) {
            return None;
        }
        let prev = self
            .lines
            .last()
            .map_or_else(|| GENESIS.to_string(), |l| l.hash.clone());
        let seq = self.lines.len() as u64 + 1;
        let hash = chain_hash(&prev, seq, e);
        self.ids.insert(e.customer_id);
        self.lines.push(Line {
            seq,
            customer_id: e.customer_id,
            segment: e.segment.clone(),
            erased_at: e.erased_at,
            by: e.by.clone(),
            prev,
            hash,
        });
        self.lines.last()
    }

    /// Serialises the whole ledger.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&serde_json::to_string(l).expect("a ledger line serialises"));
            s.push('\n');
        }
        s
    }
}

/// The ledger file of a data directory, appended under an exclusive file lock.
#[derive(Debug, Clone)]
pub struct LedgerFile {
    path: PathBuf,
}

impl LedgerFile {
    /// The ledger of the data directory `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads it under a shared lock.
    pub fn read(&self) -> Result<Ledger, BackupError> {
        let mut f = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => {
                return Err(BackupError::io(
                    format_args!("opening {}", self.path.display()),
                    e,
                ));
            }
        };
        f.lock_shared()
            .map_err(|e| BackupError::io(format_args!("locking {}", self.path.display()), e))?;
        let mut text = String::new();
        f.read_to_string(&mut text)
            .map_err(|e| BackupError::io(format_args!("reading {}", self.path.display()), e))?;
        Ledger::parse(&text, &self.path.display().to_string())
    }

    /// Appends every entry not in the ledger yet (by customer id); returns how many were added.
    pub fn append(&self, entries: &[ErasureEntry]) -> Result<usize, BackupError> {
        let ctx = |what: &'static str| {
            let p = self.path.display().to_string();
            move |e: std::io::Error| BackupError::io(format_args!("{what} {p}"), e)
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&self.path).map_err(ctx("opening"))?;
        f.lock().map_err(ctx("locking"))?;
        let mut text = String::new();
        f.read_to_string(&mut text).map_err(ctx("reading"))?;
        let mut ledger = Ledger::parse(&text, &self.path.display().to_string())?;
        // A line left half-written by a writer that died is cut off before appending.
        let keep = ledger.to_text();
        let mut out = String::new();
        for e in entries {
            if let Some(line) = ledger.push(e) {
                out.push_str(&serde_json::to_string(line).expect("a ledger line serialises"));
                out.push('\n');
            }
        }
        if out.is_empty() && keep.len() == text.len() {
            return Ok(0);
        }
        let added = out.lines().count();
        if keep.len() != text.len() {
            f.set_len(keep.len() as u64).map_err(ctx("truncating"))?;
        }
        f.seek(SeekFrom::Start(keep.len() as u64))
            .map_err(ctx("seeking"))?;
        f.write_all(out.as_bytes()).map_err(ctx("writing"))?;
        f.sync_all().map_err(ctx("syncing"))?;
        Ok(added)
    }

    /// Replaces the file with `ledger` (a restore writes the merged ledger this way).
    pub fn write_all(&self, ledger: &Ledger) -> Result<(), BackupError> {
        let tmp = self.path.with_extension("jsonl.tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&tmp)
            .map_err(|e| BackupError::io(format_args!("creating {}", tmp.display()), e))?;
        f.write_all(ledger.to_text().as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| BackupError::io(format_args!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, &self.path)
            .map_err(|e| BackupError::io(format_args!("renaming to {}", self.path.display()), e))
    }
}

/// Merges ledgers: every entry of each, first by the order of `a`, then new ones of `b`.
pub fn merge(a: &Ledger, b: &[ErasureEntry]) -> Ledger {
    let mut out = a.clone();
    for e in b {
        out.push(e);
    }
    out
}

/// The vault's erasure hook writing to a ledger file. A failure is logged (never with a value;
/// the id of an erased customer is not personal data any more, but it is left out too) and
/// left to the `erasure-ledger` job, which catches up from the database.
pub struct FileSink(pub LedgerFile);

impl ErasureSink for FileSink {
    fn erased(&self, entry: &ErasureEntry) {
        if let Err(e) = self.0.append(std::slice::from_ref(entry)) {
            tracing::error!(error = %e, "could not append to the erasure ledger; the erasure-ledger job will catch up from the database");
        }
    }
}

/// Every erasure the database records, in erasure order (paged through
/// [`LifecycleStore::erasures_after`](jaga_core::store::LifecycleStore::erasures_after)).
pub async fn from_store(
    store: &dyn jaga_core::store::Store,
) -> Result<Vec<ErasureEntry>, BackupError> {
    let mut out = Vec::new();
    let (mut at, mut id) = (i64::MIN, None);
    loop {
        let page = store.erasures_after(at, id, 1000).await?;
        let Some(last) = page.last() else { break };
        (at, id) = (last.erased_at, Some(last.id));
        let n = page.len();
        out.extend(page.into_iter().map(|e| ErasureEntry {
            customer_id: e.id,
            segment: e.segment,
            erased_at: e.erased_at,
            by: e.by.unwrap_or_else(|| "unknown".into()),
        }));
        if n < 1000 {
            break;
        }
    }
    Ok(out)
}

/// Appends to `file` every erasure the database has that the ledger lacks (the catch-up after
/// a sink failure, an erasure by another node, or a ledger started after erasures happened).
pub async fn catch_up(
    store: &dyn jaga_core::store::Store,
    file: &LedgerFile,
) -> Result<usize, BackupError> {
    let have = file.read()?;
    let missing: Vec<ErasureEntry> = from_store(store)
        .await?
        .into_iter()
        .filter(|e| !have.contains(e.customer_id))
        .collect();
    if missing.is_empty() {
        return Ok(0);
    }
    file.append(&missing)
}

/// Reads an external ledger: a ledger file, or a witness directory whose
/// `erasure-ledger-*.jsonl` parts are read in name order as one ledger.
pub fn read_external(path: &Path) -> Result<Ledger, BackupError> {
    if !path.is_dir() {
        if !path.is_file() {
            return Err(BackupError::Invalid(format!(
                "{} does not exist",
                path.display()
            )));
        }
        return Ledger::read(path);
    }
    let mut parts: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| BackupError::io(format_args!("listing {}", path.display()), e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("erasure-ledger-") && n.ends_with(".jsonl"))
        })
        .collect();
    parts.sort();
    let mut text = String::new();
    for p in &parts {
        text.push_str(
            &std::fs::read_to_string(p)
                .map_err(|e| BackupError::io(format_args!("reading {}", p.display()), e))?,
        );
        if !text.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
    }
    Ledger::parse(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u128) -> ErasureEntry {
        ErasureEntry {
            customer_id: Uuid::from_u128(n),
            segment: "default".into(),
            erased_at: 1_000 + n as i64,
            by: "key1".into(),
        }
    }

    #[test]
    fn append_is_chained_deduplicated_and_tamper_evident() {
        let dir = tempfile::tempdir().unwrap();
        let f = LedgerFile::in_dir(dir.path());
        assert_eq!(f.append(&[entry(1), entry(2)]).unwrap(), 2);
        assert_eq!(f.append(&[entry(2), entry(3)]).unwrap(), 1);
        let l = f.read().unwrap();
        assert_eq!(l.lines().len(), 3);
        assert!(l.contains(Uuid::from_u128(3)));
        let text = std::fs::read_to_string(f.path()).unwrap();
        // Removing a line breaks the chain.
        let without: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert!(Ledger::parse(&without, "x").is_err());
        // Changing who erased breaks it too.
        assert!(Ledger::parse(&text.replace("key1", "key2"), "x").is_err());
        // A half-written last line is ignored, and cut off by the next append.
        std::fs::write(f.path(), format!("{text}{{\"seq\":4,")).unwrap();
        assert_eq!(f.read().unwrap().lines().len(), 3);
        assert_eq!(f.append(&[entry(4)]).unwrap(), 1);
        assert_eq!(f.read().unwrap().lines().len(), 4);
    }

    #[test]
    fn lines_hold_no_values() {
        let dir = tempfile::tempdir().unwrap();
        let f = LedgerFile::in_dir(dir.path());
        f.append(&[entry(7)]).unwrap();
        let line: serde_json::Value =
            serde_json::from_str(std::fs::read_to_string(f.path()).unwrap().trim()).unwrap();
        let mut keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "by",
                "customer_id",
                "erased_at",
                "hash",
                "prev",
                "segment",
                "seq"
            ]
        );
    }
}
