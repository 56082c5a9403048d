//! `jaga-backup` on a real SQLite store: an interrupted backup leaves nothing that looks
//! complete; a restore replays the ledger through the store and leaves nothing on failure.

use jaga_backup::keys::{Opening, Sealing};
use jaga_backup::{BackupError, CreateOptions, OpenStore, Progress, RestoreOptions};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::lifecycle::ErasureEntry;
use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use jaga_testkit::{Harness, marked_customer, system_caller};
use std::path::{Path, PathBuf};
use std::sync::Arc;

async fn setup(
    n: u32,
) -> (
    tempfile::TempDir,
    PathBuf,
    Arc<dyn Store>,
    Harness,
    Vec<uuid::Uuid>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let url = format!("sqlite://{}", data.join("jaga.db").display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            w.create(&marked_customer(&format!("Lk{i}m"), i))
                .await
                .unwrap()
                .id,
        );
    }
    std::fs::write(data.join("jaga.toml"), "# test\n").unwrap();
    std::fs::write(data.join("zz-last.txt"), vec![b'x'; 4096]).unwrap();
    (tmp, data, store, h, ids)
}

fn opener() -> OpenStore {
    Arc::new(|p: PathBuf| {
        Box::pin(async move {
            let s: Arc<dyn Store> = Arc::new(
                SqliteStore::open(&format!("sqlite://{}", p.display()))
                    .await
                    .map_err(|e| BackupError::Io(e.to_string()))?,
            );
            Ok(s)
        })
    })
}

/// Cuts a data file short while the database entry is being written, as a crash or a
/// concurrent change would, so the backup fails halfway.
struct Saboteur(PathBuf);

impl Progress for Saboteur {
    fn start(&mut self, _: u64) {}
    fn advance(&mut self, _: u64) {
        let _ = std::fs::write(&self.0, b"");
    }
    fn finish(&mut self) {}
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

#[tokio::test]
async fn an_interrupted_backup_leaves_no_complete_looking_file() {
    let (tmp, data, store, _h, _) = setup(3).await;
    let out = tmp.path().join("out");
    let id = age::pq::Identity::generate();
    let sealing = Sealing::new(&[id.to_public().to_string()], None).unwrap();
    let caller = system_caller("test");
    let err = jaga_backup::create(
        store.as_ref(),
        CreateOptions {
            data_dir: &data,
            database_file: Some(&data.join("jaga.db")),
            dest_dir: &out,
            sealing: &sealing,
            audit: AuditRecord::new(&caller, AuditAction::BackupCreate),
            level: 3,
            dump: None,
        },
        Box::new(Saboteur(data.join("zz-last.txt"))),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("shrank"), "{err}");
    assert_eq!(
        names(&out),
        Vec::<String>::new(),
        "nothing left in the backup directory"
    );
    assert!(
        names(&data)
            .iter()
            .all(|n| !n.starts_with(".backup-snapshot")),
        "the plaintext snapshot is removed: {:?}",
        names(&data)
    );
}

#[tokio::test]
async fn restore_replays_the_ledger_and_fails_cleanly() {
    let (tmp, data, store, h, ids) = setup(5).await;
    let out = tmp.path().join("out");
    let pass = secrecy::SecretString::from("a passphrase for the test");
    let sealing = Sealing::new(&[], Some(pass.clone())).unwrap();
    let caller = system_caller("test");
    let created = jaga_backup::create(
        store.as_ref(),
        CreateOptions {
            data_dir: &data,
            database_file: Some(&data.join("jaga.db")),
            dest_dir: &out,
            sealing: &sealing,
            audit: AuditRecord::new(&caller, AuditAction::BackupCreate),
            level: 3,
            dump: None,
        },
        Box::new(()),
    )
    .await
    .unwrap();
    assert_eq!(created.manifest.counts.customers, 5);
    // The database entry and the data files, nothing of the WAL or the snapshot's temp name.
    let entries: Vec<&str> = created
        .manifest
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        entries,
        ["database/jaga.db", "data/jaga.toml", "data/zz-last.txt"]
    );

    h.vault
        .eraser(&h.admin())
        .await
        .unwrap()
        .erase(ids[1])
        .await
        .unwrap();
    let ledger = jaga_backup::ledger::from_store(store.as_ref())
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1);
    // An entry for a customer the backup does not hold is skipped, not an error.
    let mut replay = ledger.clone();
    replay.push(ErasureEntry {
        customer_id: uuid::Uuid::new_v4(),
        segment: "default".into(),
        erased_at: 1,
        by: "test".into(),
    });
    let to = tmp.path().join("restored");
    let r = jaga_backup::restore(
        RestoreOptions {
            file: &created.path,
            opening: &Opening::Passphrase(pass.clone()),
            to: &to,
            ledger: replay,
            caller: &caller,
            target: None,
        },
        &opener(),
    )
    .await
    .unwrap();
    assert_eq!(r.replayed, 1);
    assert_eq!((r.counts.customers, r.counts.erased), (4, 1));
    let restored = opener()(to.join("jaga.db")).await.unwrap();
    let gone = restored.customer_load(ids[1]).await.unwrap().unwrap();
    assert!(
        gone.row.erased_at.is_some() && gone.key.is_none(),
        "its DEK is gone"
    );
    assert!(
        restored
            .customer_load(ids[0])
            .await
            .unwrap()
            .unwrap()
            .key
            .is_some()
    );
    let v = jaga_core::audit::verify::verify_log(restored.as_ref(), None, None)
        .await
        .unwrap();
    assert!(v.problem.is_none(), "{:?}", v.problem);
    restored.close_store().await;
    let l = jaga_backup::ledger::LedgerFile::in_dir(&to).read().unwrap();
    assert!(
        l.contains(ids[1]),
        "the restored directory keeps the ledger"
    );

    // Wrong passphrase: refused, nothing at the target, no temporary directory left.
    let to2 = tmp.path().join("restored2");
    let err = jaga_backup::restore(
        RestoreOptions {
            file: &created.path,
            opening: &Opening::Passphrase(secrecy::SecretString::from("not the passphrase")),
            to: &to2,
            ledger: Vec::new(),
            caller: &caller,
            target: None,
        },
        &opener(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::WrongKey(_)), "{err}");
    assert!(!to2.exists());
    assert!(names(tmp.path()).iter().all(|n| !n.contains("restoring")));
}
