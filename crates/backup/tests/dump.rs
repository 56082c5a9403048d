//! Backups of a database dumped table by table (PostgreSQL's path) without a PostgreSQL
//! server: a dump that streams tables into the archive, restores into a target that loads them
//! (or fails), and the refusals — each leaving nothing behind.

use jaga_backup::archive::DatabaseInfo;
use jaga_backup::keys::{Opening, Sealing};
use jaga_backup::{BackupError, CreateOptions, Dump, OpenStore, RestoreOptions, TableTarget};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::store::{DumpInfo, DumpItem, SnapshotInfo, Store, StoreError};
use jaga_store_sqlite::SqliteStore;
use jaga_testkit::system_caller;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

async fn sqlite(path: &Path) -> Arc<dyn Store> {
    Arc::new(
        SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap(),
    )
}

fn opener() -> OpenStore {
    Arc::new(|_: PathBuf| Box::pin(async { Err(BackupError::Io("not a SQLite backup".into())) }))
}

/// Bytes of table `i`, distinct per table and position.
fn table_bytes(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| (j * 31 + i * 7 + j / 251) as u8).collect()
}

/// A dump of `tables` (name, size); fails after the first table when `fail`.
fn fake_dump(tables: Vec<(&'static str, usize)>, fail: bool) -> Dump<'static> {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    Dump {
        kind: "postgres".into(),
        items: rx,
        run: Box::pin(async move {
            for (i, (name, len)) in tables.into_iter().enumerate() {
                tx.send(DumpItem::Table {
                    name: name.into(),
                    columns: vec!["id".into(), format!("c{i}")],
                })
                .await
                .map_err(|_| StoreError::Database("closed".into()))?;
                let bytes = table_bytes(i, len);
                for chunk in bytes.chunks(100_000) {
                    tx.send(DumpItem::Data(chunk.to_vec()))
                        .await
                        .map_err(|_| StoreError::Database("closed".into()))?;
                }
                if fail {
                    return Err(StoreError::Database("the server went away".into()));
                }
            }
            Ok(DumpInfo {
                snapshot: SnapshotInfo::default(),
                schema_version: 17,
                server_version: "150020".into(),
                format: "pgcopy-binary".into(),
            })
        }),
    }
}

/// One loaded table: its name, its columns and its rows as dumped.
type LoadedTable = (String, Vec<String>, Vec<u8>);

/// A target that keeps what it loads, opens an empty SQLite store, and records discards.
struct FakeTarget {
    url: String,
    empty: bool,
    fail_load: bool,
    store_path: PathBuf,
    loaded: Mutex<Vec<LoadedTable>>,
    discarded: Mutex<bool>,
}

impl FakeTarget {
    fn new(dir: &Path) -> Self {
        Self {
            url: "postgres://user@db.example/restored".into(),
            empty: true,
            fail_load: false,
            store_path: dir.join("target.db"),
            loaded: Mutex::new(Vec::new()),
            discarded: Mutex::new(false),
        }
    }
}

#[async_trait::async_trait]
impl TableTarget for FakeTarget {
    fn url(&self) -> &str {
        &self.url
    }
    async fn check_empty(&self) -> Result<(), BackupError> {
        if self.empty {
            Ok(())
        } else {
            Err(BackupError::Invalid("the database is not empty".into()))
        }
    }
    async fn load(&self, db: &DatabaseInfo, dir: &Path) -> Result<(), BackupError> {
        for t in &db.tables {
            let bytes = std::fs::read(dir.join(&t.name)).unwrap();
            self.loaded
                .lock()
                .unwrap()
                .push((t.name.clone(), t.columns.clone(), bytes));
        }
        if self.fail_load {
            return Err(BackupError::Io("COPY failed".into()));
        }
        Ok(())
    }
    async fn open(&self) -> Result<Arc<dyn Store>, BackupError> {
        Ok(sqlite(&self.store_path).await)
    }
    async fn discard(&self) {
        *self.discarded.lock().unwrap() = true;
    }
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

struct Setup {
    tmp: tempfile::TempDir,
    data: PathBuf,
    out: PathBuf,
    store: Arc<dyn Store>,
    sealing: Sealing,
}

async fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("jaga.toml"),
        "database_url = \"postgres://user@db.example/live\"\nlisten = \"127.0.0.1:1\"\n\n[backup]\ndir = \"b\"\n",
    )
    .unwrap();
    // The store that records `backup.create` (the dump stands in for the database itself).
    let store = sqlite(&tmp.path().join("audit.db")).await;
    let out = tmp.path().join("backups");
    let sealing = Sealing::new(
        &[],
        Some(secrecy::SecretString::from("dump test passphrase")),
    )
    .unwrap();
    Setup {
        tmp,
        data,
        out,
        store,
        sealing,
    }
}

async fn create(s: &Setup, dump: Dump<'static>) -> Result<jaga_backup::Created, BackupError> {
    jaga_backup::create(
        s.store.as_ref(),
        CreateOptions {
            data_dir: &s.data,
            database_file: None,
            dest_dir: &s.out,
            sealing: &s.sealing,
            audit: AuditRecord::new(&system_caller("test"), AuditAction::BackupCreate),
            level: 3,
            dump: Some(dump),
        },
        Box::new(()),
    )
    .await
}

fn opening() -> Opening {
    Opening::Passphrase(secrecy::SecretString::from("dump test passphrase"))
}

#[tokio::test]
async fn a_dumped_database_roundtrips_through_the_archive_into_the_target() {
    let s = setup().await;
    let tables = vec![("alpha", 3_000_123), ("beta", 0), ("gamma", 17)];
    let created = create(&s, fake_dump(tables.clone(), false)).await.unwrap();
    let m = &created.manifest;
    assert_eq!(m.database, "postgres");
    let db = m.main_database().unwrap();
    assert_eq!(db.format, "pgcopy-binary");
    assert_eq!(db.schema_version, Some(17));
    let got: Vec<&str> = db.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(got, ["alpha", "beta", "gamma"]);
    assert_eq!(db.entry_prefix(), "database/main/");
    let alpha = m
        .entries
        .iter()
        .find(|e| e.name == "database/main/alpha")
        .unwrap();
    assert_eq!(alpha.size, 3_000_123);
    // verify reads the streamed entries against the manifest.
    let v = jaga_backup::verify(&created.path, Some(&opening())).unwrap();
    assert_eq!(v.manifest.unwrap().entries, m.entries);
    // Nothing of the tables in the clear.
    let file = std::fs::read(&created.path).unwrap();
    let probe = &table_bytes(0, 3_000_123)[1000..1032];
    assert!(!file.windows(probe.len()).any(|w| w == probe));

    let target = FakeTarget::new(s.tmp.path());
    let to = s.tmp.path().join("restored");
    let r = jaga_backup::restore(
        RestoreOptions {
            file: &created.path,
            opening: &opening(),
            to: &to,
            ledger: Vec::new(),
            caller: &system_caller("test"),
            target: Some(&target),
        },
        &opener(),
    )
    .await
    .unwrap();
    assert_eq!(r.database, "postgres");
    let loaded = target.loaded.lock().unwrap().clone();
    assert_eq!(loaded.len(), 3);
    for (i, (name, len)) in tables.iter().enumerate() {
        assert_eq!(loaded[i].0, *name);
        assert_eq!(loaded[i].1, vec!["id".to_string(), format!("c{i}")]);
        assert_eq!(loaded[i].2, table_bytes(i, *len), "{name} loaded as dumped");
    }
    assert!(!*target.discarded.lock().unwrap());
    // The restored directory points at the target database and holds no extracted table.
    let toml = std::fs::read_to_string(to.join("jaga.toml")).unwrap();
    assert!(
        toml.contains("database_url = \"postgres://user@db.example/restored\""),
        "{toml}"
    );
    assert!(!toml.contains("/live"), "{toml}");
    assert!(
        toml.contains("[backup]") && toml.contains("listen"),
        "{toml}"
    );
    assert!(!to.join(".databases").exists());
    assert!(!to.join("jaga.db").exists());
}

#[tokio::test]
async fn a_failed_dump_leaves_no_backup() {
    let s = setup().await;
    let err = create(&s, fake_dump(vec![("alpha", 500_000), ("beta", 10)], true))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("went away"), "{err}");
    assert!(names(&s.out).is_empty(), "{:?}", names(&s.out));
    // A table name that could leave the restore's directory is refused at creation.
    let err = create(&s, fake_dump(vec![("../x", 10)], false))
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Invalid(_)), "{err}");
    assert!(names(&s.out).is_empty(), "{:?}", names(&s.out));
}

#[tokio::test]
async fn restores_without_the_right_target_or_with_a_failing_load_leave_nothing() {
    let s = setup().await;
    let created = create(&s, fake_dump(vec![("alpha", 1000)], false))
        .await
        .unwrap();
    let to = s.tmp.path().join("restored");
    let restore = |target: Option<&'static FakeTarget>| {
        let file = created.path.clone();
        let to = to.clone();
        async move {
            jaga_backup::restore(
                RestoreOptions {
                    file: &file,
                    opening: &opening(),
                    to: &to,
                    ledger: Vec::new(),
                    caller: &system_caller("test"),
                    target: target.map(|t| t as &dyn TableTarget),
                },
                &opener(),
            )
            .await
        }
    };
    let clean = |what: &str| {
        assert!(!to.exists(), "{what}: nothing at the target");
        assert!(
            names(s.tmp.path()).iter().all(|n| !n.contains("restoring")),
            "{what}: {:?}",
            names(s.tmp.path())
        );
    };
    // No target database for a dumped backup.
    let err = restore(None).await.unwrap_err();
    assert!(err.to_string().contains("--to-database-url"), "{err}");
    clean("no target");
    // A target that is not empty.
    let mut t = FakeTarget::new(s.tmp.path());
    t.empty = false;
    let t: &'static FakeTarget = Box::leak(Box::new(t));
    let err = restore(Some(t)).await.unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(t.loaded.lock().unwrap().is_empty(), "nothing loaded");
    clean("not empty");
    // A load that fails: what it created is discarded.
    let mut t = FakeTarget::new(s.tmp.path());
    t.fail_load = true;
    let t: &'static FakeTarget = Box::leak(Box::new(t));
    let err = restore(Some(t)).await.unwrap_err();
    assert!(err.to_string().contains("COPY failed"), "{err}");
    assert!(*t.discarded.lock().unwrap(), "the target is cleaned");
    clean("failed load");
}
