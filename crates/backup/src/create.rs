//! Writing a backup.

use crate::archive::{DatabaseInfo, MAIN, Manifest, TableInfo, Writer};
use crate::keys::Sealing;
use crate::ledger::LedgerFile;
use crate::{BackupError, CHECKSUM_SUFFIX, DB_FILE, PREFIX, SUFFIX};
use jaga_core::audit::AuditRecord;
use jaga_core::store::{DumpInfo, DumpItem, Store, StoreError};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;

/// Progress reporting (a progress bar in the CLI, nothing in a job).
pub trait Progress: Send {
    /// The total number of bytes to archive.
    fn start(&mut self, total: u64);
    /// `n` more bytes archived.
    fn advance(&mut self, n: u64);
    /// Done (or failed).
    fn finish(&mut self);
}

impl Progress for () {
    fn start(&mut self, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

/// What to back up and where.
pub struct CreateOptions<'a> {
    /// The data directory (configuration, unseal material, audit signer files, ledger).
    pub data_dir: &'a Path,
    /// The SQLite database file, left out of the data-directory walk (it is snapshotted).
    pub database_file: Option<&'a Path>,
    /// Where the backup file goes.
    pub dest_dir: &'a Path,
    /// Who can open it.
    pub sealing: &'a Sealing,
    /// The `backup.create` event, appended before the snapshot so the backup records itself.
    pub audit: AuditRecord,
    /// zstd level (1–19; 3 is the default).
    pub level: i32,
    /// The database dumped table by table (PostgreSQL) instead of the store's file snapshot
    /// (SQLite).
    pub dump: Option<Dump<'a>>,
}

/// A database dumped table by table while the archive is written (PostgreSQL): `run` sends
/// [`DumpItem`]s into the channel whose receiver is `items`, and returns what the dump holds
/// once every table is sent.
pub struct Dump<'a> {
    /// The database's kind (`postgres`).
    pub kind: String,
    /// The dump's items, in order; the dump ends when `run` has finished.
    pub items: tokio::sync::mpsc::Receiver<DumpItem>,
    /// The dump itself.
    pub run: Pin<Box<dyn Future<Output = Result<DumpInfo, StoreError>> + Send + 'a>>,
}

/// A finished backup.
#[derive(Debug, Clone)]
pub struct Created {
    /// The backup file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, hex (also in the `.sha256` file beside it).
    pub sha256: String,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Removes a file when dropped (the plaintext snapshot, a partial backup).
struct Remove(PathBuf);

impl Drop for Remove {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A writer that hashes what passes through it and counts it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The file name of a backup taken at `ms` (UTC): `jaga-backup-20261207T100000Z.age`.
pub fn file_name(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    format!("{PREFIX}{}{SUFFIX}", t.format(&f).unwrap_or_default())
}

/// Files of the data directory that go into a backup: regular files, in a stable order,
/// without the database itself (snapshotted instead) and its WAL, lock files, temporary files
/// (names starting with `.`) and the backup directory if it lies inside.
fn data_files(
    dir: &Path,
    skip_db: Option<&Path>,
    skip_dir: &Path,
) -> Result<Vec<(String, PathBuf, u64)>, BackupError> {
    let skip_dir = skip_dir.canonicalize().ok();
    let db = skip_db.and_then(|p| p.canonicalize().ok());
    let db_names: Vec<PathBuf> = db
        .iter()
        .flat_map(|p| {
            ["", "-wal", "-shm", "-journal"].map(|s| {
                let mut n = p.as_os_str().to_owned();
                n.push(s);
                PathBuf::from(n)
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&path)
            .map_err(|e| BackupError::io(format_args!("listing {}", path.display()), e))?;
        for ent in rd {
            let ent =
                ent.map_err(|e| BackupError::io(format_args!("listing {}", path.display()), e))?;
            let name = ent.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') || name.ends_with(".lock") {
                continue;
            }
            let full = ent.path();
            let ty = ent
                .file_type()
                .map_err(|e| BackupError::io(format_args!("reading {}", full.display()), e))?;
            let canon = full.canonicalize().ok();
            let rel_name = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            if ty.is_dir() {
                if canon.is_some() && canon == skip_dir {
                    continue;
                }
                stack.push((full, rel_name));
            } else if ty.is_file() {
                if canon.as_ref().is_some_and(|c| db_names.contains(c)) {
                    continue;
                }
                let size = ent
                    .metadata()
                    .map_err(|e| BackupError::io(format_args!("reading {}", full.display()), e))?
                    .len();
                out.push((rel_name, full, size));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes a backup of `store` and the data directory (see the crate documentation).
pub async fn create(
    store: &dyn Store,
    opts: CreateOptions<'_>,
    mut progress: Box<dyn Progress>,
) -> Result<Created, BackupError> {
    let encryptor = opts.sealing.encryptor()?;
    std::fs::create_dir_all(opts.dest_dir)
        .map_err(|e| BackupError::io(format_args!("creating {}", opts.dest_dir.display()), e))?;
    store.audit_append(opts.audit.clone()).await?;
    let now = jaga_core::now_ms();
    let ledger_entries = LedgerFile::in_dir(opts.data_dir).read()?.lines().len() as u64;
    let files = data_files(opts.data_dir, opts.database_file, opts.dest_dir)?;
    let mut name = file_name(now);
    let mut n = 1;
    while opts.dest_dir.join(&name).exists() {
        n += 1;
        name = format!("{}-{n}{SUFFIX}", file_name(now).trim_end_matches(SUFFIX));
    }
    let final_path = opts.dest_dir.join(&name);
    let partial = Remove(
        opts.dest_dir
            .join(format!(".{name}.partial-{}", std::process::id())),
    );
    let mut manifest = Manifest {
        format: crate::archive::FORMAT,
        jaga_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: now,
        database: "sqlite".into(),
        databases: vec![DatabaseInfo::sqlite_main()],
        entries: Vec::new(),
        counts: Default::default(),
        audit_size: 0,
        audit_root: String::new(),
        ledger_entries,
    };
    let level = opts.level;
    let partial_path = partial.0.clone();
    let (bytes, sha256, manifest) = match opts.dump {
        None => {
            let snap = Remove(opts.data_dir.join(format!(
                ".backup-snapshot-{}-{:016x}.db",
                std::process::id(),
                rand::random::<u64>()
            )));
            let info = store.snapshot_into(&snap.0).await.map_err(|e| match e {
                StoreError::Unsupported(what) => BackupError::Invalid(format!(
                    "this database cannot be backed up by Jaga: {what}"
                )),
                other => BackupError::Store(other),
            })?;
            manifest.counts = info.counts;
            manifest.audit_size = info.counts.audit_events;
            manifest.audit_root = hex::encode(info.audit_root);
            let snap_path = snap.0.clone();
            let out = tokio::task::spawn_blocking(move || {
                let result = write_archive(
                    &partial_path,
                    Source::File(&snap_path),
                    &files,
                    encryptor,
                    manifest,
                    level,
                    progress.as_mut(),
                );
                progress.finish();
                result
            })
            .await
            .map_err(|_| BackupError::Io("the backup task failed".into()))??;
            drop(snap);
            out
        }
        Some(dump) => {
            let base_manifest = manifest.clone();
            let (fin_tx, fin_rx) = tokio::sync::oneshot::channel::<Option<Manifest>>();
            let kind = dump.kind.clone();
            let mut items = dump.items;
            let writer = tokio::task::spawn_blocking(move || {
                let result = write_archive(
                    &partial_path,
                    Source::Dump {
                        items: &mut items,
                        manifest: fin_rx,
                    },
                    &files,
                    encryptor,
                    manifest,
                    level,
                    progress.as_mut(),
                );
                progress.finish();
                result
            });
            let dumped = dump.run.await;
            let fin = match &dumped {
                Ok(info) => {
                    let mut m = base_manifest.clone();
                    m.database.clone_from(&kind);
                    m.databases = vec![DatabaseInfo {
                        name: MAIN.into(),
                        kind: kind.clone(),
                        format: info.format.clone(),
                        schema_version: Some(info.schema_version),
                        server_version: Some(info.server_version.clone()),
                        tables: Vec::new(),
                    }];
                    m.counts = info.snapshot.counts;
                    m.audit_size = info.snapshot.counts.audit_events;
                    m.audit_root = hex::encode(info.snapshot.audit_root);
                    Some(m)
                }
                Err(_) => None,
            };
            let _ = fin_tx.send(fin);
            let written = writer
                .await
                .map_err(|_| BackupError::Io("the backup task failed".into()))?;
            match (dumped, written) {
                // The writer's own failure explains a dump that stopped because nobody read.
                (_, Err(e)) if !matches!(e, BackupError::Aborted) => return Err(e),
                (Err(e), _) => return Err(BackupError::Store(e)),
                (Ok(_), w) => w?,
            }
        }
    };
    // The checksum file first, then the backup under its final name: whatever stops us, no
    // file with the final name exists unless it is complete.
    let sum_path = opts.dest_dir.join(format!("{name}{CHECKSUM_SUFFIX}"));
    let sum_tmp = opts.dest_dir.join(format!(".{name}{CHECKSUM_SUFFIX}.tmp"));
    std::fs::write(&sum_tmp, format!("{sha256}  {name}\n"))
        .and_then(|()| std::fs::rename(&sum_tmp, &sum_path))
        .map_err(|e| BackupError::io(format_args!("writing {}", sum_path.display()), e))?;
    std::fs::rename(&partial.0, &final_path)
        .map_err(|e| BackupError::io(format_args!("renaming to {}", final_path.display()), e))?;
    std::mem::forget(partial);
    if let Ok(d) = std::fs::File::open(opts.dest_dir) {
        let _ = d.sync_all();
    }
    Ok(Created {
        path: final_path,
        bytes,
        sha256,
        manifest,
    })
}

/// Where the database entries come from.
enum Source<'a> {
    /// A snapshot file (SQLite), archived as `database/jaga.db`.
    File(&'a Path),
    /// Tables streamed from a dump; the final manifest (`None`: the dump failed) arrives once
    /// the dump has ended.
    Dump {
        items: &'a mut tokio::sync::mpsc::Receiver<DumpItem>,
        manifest: tokio::sync::oneshot::Receiver<Option<Manifest>>,
    },
}

fn write_archive(
    partial: &Path,
    source: Source<'_>,
    files: &[(String, PathBuf, u64)],
    encryptor: age::Encryptor,
    manifest: Manifest,
    level: i32,
    progress: &mut dyn Progress,
) -> Result<(u64, String, Manifest), BackupError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let file = opts
        .open(partial)
        .map_err(|e| BackupError::io(format_args!("creating {}", partial.display()), e))?;
    let hashing = Hashing {
        inner: BufWriter::with_capacity(1 << 20, file),
        hash: Sha256::new(),
        bytes: 0,
    };
    let w = |e: std::io::Error| BackupError::io("writing the backup", e);
    let age_out = encryptor.wrap_output(hashing).map_err(w)?;
    let mut zstd = zstd::Encoder::new(age_out, level).map_err(w)?;
    let _ = zstd.multithread(2);
    let mut archive = Writer::new(zstd)?;
    let files_size = files.iter().map(|f| f.2).sum::<u64>();
    let manifest = match source {
        Source::File(snapshot) => {
            let snap_size = std::fs::metadata(snapshot)
                .map_err(|e| BackupError::io("reading the snapshot", e))?
                .len();
            progress.start(snap_size + files_size);
            let mut src = std::fs::File::open(snapshot)
                .map_err(|e| BackupError::io("opening the snapshot", e))?;
            archive.add(
                &format!("database/{DB_FILE}"),
                snap_size,
                &mut src,
                &mut |n| progress.advance(n),
            )?;
            manifest
        }
        Source::Dump {
            items,
            manifest: final_manifest,
        } => {
            // The size of a dump is known only at its end: the total grows as it comes.
            let mut total = files_size;
            progress.start(total);
            let mut tables = Vec::new();
            while let Some(item) = items.blocking_recv() {
                match item {
                    DumpItem::Table { name, columns } => {
                        if name.is_empty()
                            || name.contains('/')
                            || tables.iter().any(|t: &TableInfo| t.name == name)
                        {
                            return Err(BackupError::Invalid(format!(
                                "the dump names a table {name:?} that cannot be archived"
                            )));
                        }
                        archive.begin_stream(&format!("database/{MAIN}/{name}"))?;
                        tables.push(TableInfo { name, columns });
                    }
                    DumpItem::Data(bytes) => {
                        archive.stream_data(&bytes)?;
                        total += bytes.len() as u64;
                        progress.start(total);
                        progress.advance(bytes.len() as u64);
                    }
                }
            }
            archive.end_stream()?;
            let Ok(Some(mut m)) = final_manifest.blocking_recv() else {
                return Err(BackupError::Aborted);
            };
            if let Some(db) = m.databases.iter_mut().find(|d| d.name == MAIN) {
                db.tables = tables;
            }
            m
        }
    };
    for (rel, full, size) in files {
        let mut src = std::fs::File::open(full)
            .map_err(|e| BackupError::io(format_args!("opening {}", full.display()), e))?;
        archive.add(&format!("data/{rel}"), *size, &mut src, &mut |n| {
            progress.advance(n)
        })?;
    }
    let (zstd, manifest) = archive.finish(manifest)?;
    let age_out = zstd.finish().map_err(w)?;
    let mut hashing = age_out.finish().map_err(w)?;
    hashing.flush().map_err(w)?;
    let file = hashing
        .inner
        .into_inner()
        .map_err(|e| BackupError::io("writing the backup", e.into_error()))?;
    file.sync_all().map_err(w)?;
    Ok((
        hashing.bytes,
        hex::encode(hashing.hash.finalize()),
        manifest,
    ))
}
