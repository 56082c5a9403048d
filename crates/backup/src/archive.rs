//! The archive inside a backup's encryption and compression: a magic line, then entries, then
//! the [`Manifest`] (`M`, length `u32`, JSON) and an end mark (`E`). All integers big-endian.
//! An entry is either a file of known size (`F`, name length `u16`, name, size `u64`, bytes)
//! or, since format 2, a stream whose size is known only at its end (`S`, name length `u16`,
//! name, then chunks of `u32` length and bytes, ended by a chunk of length 0): a table read
//! from a database while the archive is written (PostgreSQL), never spooled to disk in
//! plaintext.
//!
//! The manifest comes last so checksums are computed while streaming. A reader checks every
//! entry against it — names, sizes and SHA-256 in order — and that nothing follows the end
//! mark, so a truncated, reordered or altered archive is refused. (age already authenticates
//! every 64 KiB chunk and the end of the stream; these checks also catch a bug or a mix-up of
//! files on our side and give `verify` something to report.)

use crate::BackupError;
use jaga_core::store::LifecycleCounts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// First bytes of the archive.
pub const MAGIC: &[u8] = b"JAGA-BACKUP\n";
/// The archive format this code writes and the newest it reads (1: `F` entries only, the
/// database kind in `database`; 2: also `S` entries and the [`Manifest::databases`] list).
pub const FORMAT: u32 = 2;
/// The largest chunk of an `S` entry.
const MAX_CHUNK: u32 = 16 << 20;
/// Longest entry name.
const MAX_NAME: usize = 1024;
/// Largest manifest accepted.
const MAX_MANIFEST: u32 = 16 << 20;

/// One entry as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryInfo {
    /// Name: `database/jaga.db` or `data/<path in the data directory>`.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// What a backup holds and how to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Archive format ([`FORMAT`]).
    pub format: u32,
    /// The Jaga version that wrote it.
    pub jaga_version: String,
    /// When the snapshot was taken, ms since the epoch.
    pub created_at: i64,
    /// The main database's kind (`sqlite` or `postgres`).
    pub database: String,
    /// Every database in the backup and how its entries hold it (format 2; empty in format 1,
    /// which holds one SQLite database, `database/jaga.db`).
    #[serde(default)]
    pub databases: Vec<DatabaseInfo>,
    /// Every entry, in archive order.
    pub entries: Vec<EntryInfo>,
    /// Row counts of the snapshot.
    pub counts: LifecycleCounts,
    /// Audit log size at the snapshot.
    pub audit_size: u64,
    /// Audit log root at the snapshot, hex.
    pub audit_root: String,
    /// Entries of the erasure ledger at the snapshot.
    pub ledger_entries: u64,
}

/// The name of the installation's own database in [`Manifest::databases`].
pub const MAIN: &str = "main";
/// [`DatabaseInfo::format`] of a SQLite file (entry `database/jaga.db` for the main database).
pub const SQLITE_FILE: &str = "sqlite-file";

/// One database of a backup.
///
/// The main database is named [`MAIN`]. A database kept as one SQLite file is one entry
/// ([`DatabaseInfo::entry_prefix`] is the entry's name); a database dumped table by table
/// (PostgreSQL) has one entry per table, `database/<name>/<table>`, in [`DatabaseInfo::tables`]
/// order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseInfo {
    /// [`MAIN`], or another database of the installation (e.g. `segment.vip`).
    pub name: String,
    /// `sqlite` or `postgres`.
    pub kind: String,
    /// [`SQLITE_FILE`], or `pgcopy-binary` (PostgreSQL's binary `COPY`, one entry per table).
    pub format: String,
    /// The newest schema migration applied to the database when it was dumped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<i64>,
    /// The database server's version (PostgreSQL's `server_version_num`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// The tables, in archive order (empty for a SQLite file).
    #[serde(default)]
    pub tables: Vec<TableInfo>,
}

impl DatabaseInfo {
    /// The entry of a SQLite file, or the prefix (ending in `/`) of a table-by-table dump's
    /// entries. The main SQLite database keeps format 1's name, `database/jaga.db`.
    pub fn entry_prefix(&self) -> String {
        match (self.format.as_str(), self.name.as_str()) {
            (SQLITE_FILE, MAIN) => format!("database/{}", crate::DB_FILE),
            (SQLITE_FILE, n) => format!("database/{n}.db"),
            (_, n) => format!("database/{n}/"),
        }
    }

    /// The SQLite main database a format-1 backup holds.
    pub fn sqlite_main() -> Self {
        Self {
            name: MAIN.into(),
            kind: "sqlite".into(),
            format: SQLITE_FILE.into(),
            schema_version: None,
            server_version: None,
            tables: Vec::new(),
        }
    }
}

/// A table of a table-by-table dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInfo {
    /// Table name.
    pub name: String,
    /// Its columns, in the order of the data.
    pub columns: Vec<String>,
}

impl Manifest {
    /// The main database ([`MAIN`]); a format-1 backup's SQLite file when the list is empty.
    pub fn main_database(&self) -> Option<DatabaseInfo> {
        if self.databases.is_empty() {
            return (self.database == "sqlite").then(DatabaseInfo::sqlite_main);
        }
        self.databases.iter().find(|d| d.name == MAIN).cloned()
    }
}

/// Writes entries, then the manifest.
pub struct Writer<W: Write> {
    out: W,
    entries: Vec<EntryInfo>,
    /// The `S` entry being written: name, hash, size.
    stream: Option<(String, Sha256, u64)>,
}

impl<W: Write> Writer<W> {
    /// Starts an archive.
    pub fn new(mut out: W) -> Result<Self, BackupError> {
        out.write_all(MAGIC).map_err(w)?;
        Ok(Self {
            out,
            entries: Vec::new(),
            stream: None,
        })
    }

    fn check_name(name: &str) -> Result<(), BackupError> {
        if name.is_empty() || name.len() > MAX_NAME {
            return Err(BackupError::Invalid(format!(
                "entry name {name:?} is not usable"
            )));
        }
        Ok(())
    }

    /// Begins a streamed entry (ending the one before, if any); its bytes follow with
    /// [`Writer::stream_data`].
    pub fn begin_stream(&mut self, name: &str) -> Result<(), BackupError> {
        self.end_stream()?;
        Self::check_name(name)?;
        self.out.write_all(b"S").map_err(w)?;
        self.out
            .write_all(&(name.len() as u16).to_be_bytes())
            .map_err(w)?;
        self.out.write_all(name.as_bytes()).map_err(w)?;
        self.stream = Some((name.to_string(), Sha256::new(), 0));
        Ok(())
    }

    /// Bytes of the streamed entry begun last.
    pub fn stream_data(&mut self, bytes: &[u8]) -> Result<(), BackupError> {
        let Some((_, hash, size)) = &mut self.stream else {
            return Err(BackupError::Invalid("data outside a streamed entry".into()));
        };
        for chunk in bytes.chunks(MAX_CHUNK as usize) {
            self.out
                .write_all(&(chunk.len() as u32).to_be_bytes())
                .map_err(w)?;
            self.out.write_all(chunk).map_err(w)?;
            hash.update(chunk);
            *size += chunk.len() as u64;
        }
        Ok(())
    }

    /// Ends the streamed entry begun last, if any.
    pub fn end_stream(&mut self) -> Result<(), BackupError> {
        if let Some((name, hash, size)) = self.stream.take() {
            self.out.write_all(&0u32.to_be_bytes()).map_err(w)?;
            self.entries.push(EntryInfo {
                name,
                size,
                sha256: hex::encode(hash.finalize()),
            });
        }
        Ok(())
    }

    /// Adds an entry of `size` bytes read from `src` (exactly `size`, else an error), calling
    /// `progress` with the bytes copied.
    pub fn add(
        &mut self,
        name: &str,
        size: u64,
        src: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BackupError> {
        self.end_stream()?;
        Self::check_name(name)?;
        self.out.write_all(b"F").map_err(w)?;
        self.out
            .write_all(&(name.len() as u16).to_be_bytes())
            .map_err(w)?;
        self.out.write_all(name.as_bytes()).map_err(w)?;
        self.out.write_all(&size.to_be_bytes()).map_err(w)?;
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut left = size;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let n = src
                .read(&mut buf[..want])
                .map_err(|e| BackupError::io(format_args!("reading {name}"), e))?;
            if n == 0 {
                return Err(BackupError::Io(format!("{name} shrank while it was read")));
            }
            hash.update(&buf[..n]);
            self.out.write_all(&buf[..n]).map_err(w)?;
            left -= n as u64;
            progress(n as u64);
        }
        self.entries.push(EntryInfo {
            name: name.to_string(),
            size,
            sha256: hex::encode(hash.finalize()),
        });
        Ok(())
    }

    /// The entries written so far.
    pub fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    /// Writes the manifest (its `entries` replaced by what was written) and the end mark;
    /// returns the inner writer.
    pub fn finish(mut self, mut manifest: Manifest) -> Result<(W, Manifest), BackupError> {
        self.end_stream()?;
        manifest.entries = std::mem::take(&mut self.entries);
        let json = serde_json::to_vec(&manifest)
            .map_err(|e| BackupError::Io(format!("encoding the manifest: {e}")))?;
        self.out.write_all(b"M").map_err(w)?;
        self.out
            .write_all(&(json.len() as u32).to_be_bytes())
            .map_err(w)?;
        self.out.write_all(&json).map_err(w)?;
        self.out.write_all(b"E").map_err(w)?;
        Ok((self.out, manifest))
    }
}

fn w(e: std::io::Error) -> BackupError {
    BackupError::io("writing the backup", e)
}

/// A read failure: the decryption layer reports tampering and truncation as I/O errors.
fn r(e: std::io::Error) -> BackupError {
    BackupError::Corrupt(format!("reading the archive failed ({e})"))
}

/// Where [`read`] puts each entry's bytes.
pub trait Sink {
    /// An entry begins (`size` is `None` for a streamed entry).
    fn begin(&mut self, name: &str, size: Option<u64>) -> Result<(), BackupError>;
    /// Bytes of the current entry.
    fn data(&mut self, bytes: &[u8]) -> Result<(), BackupError>;
    /// The current entry ended.
    fn end(&mut self) -> Result<(), BackupError>;
}

/// A sink that keeps nothing (verification only).
pub struct Discard;

impl Sink for Discard {
    fn begin(&mut self, _: &str, _: Option<u64>) -> Result<(), BackupError> {
        Ok(())
    }
    fn data(&mut self, _: &[u8]) -> Result<(), BackupError> {
        Ok(())
    }
    fn end(&mut self) -> Result<(), BackupError> {
        Ok(())
    }
}

/// Reads a whole archive into `sink`, checking every entry against the manifest and the end
/// of the stream; returns the manifest. Any mismatch is [`BackupError::Corrupt`].
pub fn read(mut input: impl Read, sink: &mut dyn Sink) -> Result<Manifest, BackupError> {
    let mut magic = [0u8; MAGIC.len()];
    input.read_exact(&mut magic).map_err(r)?;
    if magic != MAGIC {
        return Err(BackupError::Corrupt("not a Jaga backup archive".into()));
    }
    let mut seen: Vec<EntryInfo> = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let mut tag = [0u8; 1];
        input.read_exact(&mut tag).map_err(r)?;
        match tag[0] {
            b'S' => {
                let name = read_name(&mut input)?;
                sink.begin(&name, None)?;
                let mut hash = Sha256::new();
                let mut size = 0u64;
                loop {
                    let mut len = [0u8; 4];
                    input.read_exact(&mut len).map_err(r)?;
                    let len = u32::from_be_bytes(len);
                    if len == 0 {
                        break;
                    }
                    if len > MAX_CHUNK {
                        return Err(BackupError::Corrupt("a chunk is too large".into()));
                    }
                    let mut left = len as usize;
                    while left > 0 {
                        let want = left.min(buf.len());
                        input.read_exact(&mut buf[..want]).map_err(r)?;
                        hash.update(&buf[..want]);
                        sink.data(&buf[..want])?;
                        left -= want;
                    }
                    size += u64::from(len);
                }
                sink.end()?;
                seen.push(EntryInfo {
                    name,
                    size,
                    sha256: hex::encode(hash.finalize()),
                });
            }
            b'F' => {
                let name = read_name(&mut input)?;
                let mut size = [0u8; 8];
                input.read_exact(&mut size).map_err(r)?;
                let size = u64::from_be_bytes(size);
                sink.begin(&name, Some(size))?;
                let mut hash = Sha256::new();
                let mut left = size;
                while left > 0 {
                    let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
                    input.read_exact(&mut buf[..want]).map_err(r)?;
                    hash.update(&buf[..want]);
                    sink.data(&buf[..want])?;
                    left -= want as u64;
                }
                sink.end()?;
                seen.push(EntryInfo {
                    name,
                    size,
                    sha256: hex::encode(hash.finalize()),
                });
            }
            b'M' => {
                let mut len = [0u8; 4];
                input.read_exact(&mut len).map_err(r)?;
                let len = u32::from_be_bytes(len);
                if len > MAX_MANIFEST {
                    return Err(BackupError::Corrupt("the manifest is too large".into()));
                }
                let mut json = vec![0u8; len as usize];
                input.read_exact(&mut json).map_err(r)?;
                let manifest: Manifest = serde_json::from_slice(&json).map_err(|e| {
                    BackupError::Corrupt(format!("the manifest is not valid ({e})"))
                })?;
                let mut end = [0u8; 1];
                input.read_exact(&mut end).map_err(r)?;
                if end != *b"E" {
                    return Err(BackupError::Corrupt("the end mark is missing".into()));
                }
                let mut rest = [0u8; 1];
                if input.read(&mut rest).map_err(r)? != 0 {
                    return Err(BackupError::Corrupt("data follows the end mark".into()));
                }
                if manifest.format > FORMAT {
                    return Err(BackupError::Invalid(format!(
                        "this backup has format {}, written by Jaga {}; this Jaga reads format {FORMAT} (use a newer Jaga)",
                        manifest.format, manifest.jaga_version
                    )));
                }
                if manifest.entries != seen {
                    let why = first_difference(&manifest.entries, &seen);
                    return Err(BackupError::Corrupt(format!(
                        "the contents do not match the manifest: {why}"
                    )));
                }
                return Ok(manifest);
            }
            _ => return Err(BackupError::Corrupt("unknown record in the archive".into())),
        }
    }
}

fn read_name(input: &mut impl Read) -> Result<String, BackupError> {
    let mut len = [0u8; 2];
    input.read_exact(&mut len).map_err(r)?;
    let len = usize::from(u16::from_be_bytes(len));
    if len == 0 || len > MAX_NAME {
        return Err(BackupError::Corrupt("an entry name is not valid".into()));
    }
    let mut name = vec![0u8; len];
    input.read_exact(&mut name).map_err(r)?;
    String::from_utf8(name).map_err(|_| BackupError::Corrupt("an entry name is not UTF-8".into()))
}

fn first_difference(want: &[EntryInfo], got: &[EntryInfo]) -> String {
    for (i, w) in want.iter().enumerate() {
        match got.get(i) {
            None => return format!("entry {} is missing", w.name),
            Some(g) if g.name != w.name => return format!("entry {} is out of place", g.name),
            Some(g) if g.size != w.size => return format!("entry {} has the wrong size", g.name),
            Some(g) if g.sha256 != w.sha256 => {
                return format!("entry {} has the wrong SHA-256 checksum", g.name);
            }
            _ => {}
        }
    }
    match got.get(want.len()) {
        Some(g) => format!("entry {} is not in the manifest", g.name),
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT,
            jaga_version: "test".into(),
            created_at: 1,
            database: "sqlite".into(),
            databases: vec![],
            entries: vec![],
            counts: LifecycleCounts::default(),
            audit_size: 0,
            audit_root: String::new(),
            ledger_entries: 0,
        }
    }

    fn archive() -> Vec<u8> {
        let mut w = Writer::new(Vec::new()).unwrap();
        w.add("a", 3, &mut &b"abc"[..], &mut |_| {}).unwrap();
        w.add("b", 0, &mut &b""[..], &mut |_| {}).unwrap();
        w.begin_stream("c").unwrap();
        w.stream_data(b"de").unwrap();
        w.stream_data(b"f").unwrap();
        w.begin_stream("d").unwrap();
        w.add("e", 1, &mut &b"g"[..], &mut |_| {}).unwrap();
        w.finish(manifest()).unwrap().0
    }

    #[test]
    fn roundtrip_lists_every_entry() {
        let m = read(archive().as_slice(), &mut Discard).unwrap();
        let names: Vec<_> = m.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        assert_eq!(m.entries[0].size, 3);
        assert_eq!(m.entries[2].size, 3);
        assert_eq!(m.entries[3].size, 0);
        // The bytes of a streamed entry come out as they went in.
        struct Keep(Vec<(String, Option<u64>, Vec<u8>)>);
        impl Sink for Keep {
            fn begin(&mut self, n: &str, s: Option<u64>) -> Result<(), BackupError> {
                self.0.push((n.into(), s, vec![]));
                Ok(())
            }
            fn data(&mut self, b: &[u8]) -> Result<(), BackupError> {
                self.0.last_mut().unwrap().2.extend_from_slice(b);
                Ok(())
            }
            fn end(&mut self) -> Result<(), BackupError> {
                Ok(())
            }
        }
        let mut k = Keep(vec![]);
        read(archive().as_slice(), &mut k).unwrap();
        assert_eq!(k.0[2], ("c".into(), None, b"def".to_vec()));
        assert_eq!(k.0[4], ("e".into(), Some(1), b"g".to_vec()));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let a = archive();
        for cut in 0..a.len() {
            assert!(read(&a[..cut], &mut Discard).is_err(), "cut at {cut}");
        }
        // Every byte of the entries (a flipped bit in the manifest's free text, such as the
        // version string, may still parse: age's authentication is what covers those).
        let manifest_at = a.windows(3).rposition(|x| x == [b'M', 0, 0]).unwrap();
        for i in 0..manifest_at {
            let mut b = a.clone();
            b[i] ^= 0x01;
            assert!(read(b.as_slice(), &mut Discard).is_err(), "flip at {i}");
        }
        let mut longer = a.clone();
        longer.push(0);
        assert!(read(longer.as_slice(), &mut Discard).is_err());
    }

    #[test]
    fn a_short_source_is_an_error() {
        let mut w = Writer::new(Vec::new()).unwrap();
        assert!(w.add("a", 5, &mut &b"abc"[..], &mut |_| {}).is_err());
    }
}
