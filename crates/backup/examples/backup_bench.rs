//! Backup and restore benchmark (issue 15 targets: 1,000,000 customers backed up in < 60 s and
//! restored in < 120 s). See `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo run --release -p jaga-backup --example backup_bench -- [N=1000000] [ERASE=100] [DIR]
//! ```
//!
//! Builds (or reuses, when `DIR/data/jaga.db` exists) a SQLite data directory with N customers
//! created through the vault (every field filled, a DEK each, one audit event each), then times
//! `jaga_backup::create` (online snapshot, zstd level 3, age to one X25519 recipient) and, after
//! erasing ERASE customers, `jaga_backup::restore` into a new directory (extract, checksums,
//! replay of the erasure ledger through the store).

use jaga_backup::keys::{Opening, Sealing};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use jaga_testkit::{Harness, marked_customer};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let n: u32 = args.get(1).map_or(Ok(1_000_000), |s| s.parse())?;
    let erase: usize = args.get(2).map_or(Ok(100), |s| s.parse())?;
    let base = match args.get(3) {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join("jaga-backup-bench"),
    };
    let data = base.join("data");
    std::fs::create_dir_all(&data)?;
    let db = data.join("jaga.db");
    let fresh = !db.exists();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&format!("sqlite://{}", db.display())).await?);
    if fresh {
        // The vault's root key lives only in this run: later runs reuse the database for the
        // backup and restore (which need no key) and erase through the store.
        let h = Harness::new(store.clone()).await;
        let admin = h.admin();
        std::fs::write(data.join("jaga.toml"), "# bench\n")?;
        let t = Instant::now();
        let writer = h.vault.writer(&admin).await?;
        let mut next = 0u32;
        while next < n {
            let end = (next + 1000).min(n);
            let batch: Vec<_> = (next..end)
                .map(|i| marked_customer(&format!("Bm{i}x"), i))
                .collect();
            writer.create_batch(&batch).await?;
            next = end;
            if next.is_multiple_of(100_000) {
                eprintln!("created {next} in {:.0} s", t.elapsed().as_secs_f64());
            }
        }
        eprintln!(
            "created {n} customers in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let counts = store.lifecycle_counts().await?;
    let db_bytes = std::fs::metadata(&db)?.len();
    println!(
        "database: {} customers, {} audit events, {:.0} MB",
        counts.customers,
        counts.audit_events,
        db_bytes as f64 / 1e6
    );
    let id = age::pq::Identity::generate();
    let sealing = Sealing::new(&[id.to_public().to_string()], None)?;
    let out = base.join("backups");
    let caller = jaga_testkit::system_caller("bench");
    let t = Instant::now();
    let created = jaga_backup::create(
        store.as_ref(),
        jaga_backup::CreateOptions {
            data_dir: &data,
            database_file: Some(&db),
            dest_dir: &out,
            sealing: &sealing,
            audit: AuditRecord::new(&caller, AuditAction::BackupCreate),
            level: 3,
            dump: None,
        },
        Box::new(()),
    )
    .await?;
    let backup_s = t.elapsed().as_secs_f64();
    println!(
        "backup: {backup_s:.2} s, {:.0} MB file ({:.0} MB/s of database)",
        created.bytes as f64 / 1e6,
        db_bytes as f64 / 1e6 / backup_s
    );
    // Erasures after the backup: the restore must replay them.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await?;
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar::<_, String>(
        "SELECT id FROM customers WHERE erased_at IS NULL LIMIT $1",
    )
    .bind(i64::try_from(erase)?)
    .fetch_all(&pool)
    .await?
    .iter()
    .map(|s| s.parse())
    .collect::<Result<_, _>>()?;
    pool.close().await;
    // Crypto-shredded through the store port, as the vault's eraser does (fields, index
    // terms, tokens, DEK, one `customer.erase` event each).
    for c in &ids {
        let audit = AuditRecord::new(&caller, AuditAction::CustomerErase).customer(*c);
        store.customer_erase(*c, jaga_core::now_ms(), audit).await?;
    }
    let ledger = jaga_backup::ledger::from_store(store.as_ref()).await?;
    let open: jaga_backup::OpenStore = Arc::new(|p: PathBuf| {
        Box::pin(async move {
            let s: Arc<dyn Store> = Arc::new(
                SqliteStore::open(&format!("sqlite://{}", p.display()))
                    .await
                    .map_err(|e| jaga_backup::BackupError::Io(e.to_string()))?,
            );
            Ok(s)
        })
    });
    let target = base.join(format!("restored-{}", std::process::id()));
    let t = Instant::now();
    let restored = jaga_backup::restore(
        jaga_backup::RestoreOptions {
            file: &created.path,
            opening: &Opening::Identities(vec![jaga_backup::keys::Identity::Pq(Box::new(id))]),
            to: &target,
            ledger,
            caller: &caller,
            target: None,
        },
        &open,
    )
    .await?;
    let restore_s = t.elapsed().as_secs_f64();
    println!(
        "restore: {restore_s:.2} s ({} erasures replayed; {} customers, {} erased)",
        restored.replayed, restored.counts.customers, restored.counts.erased
    );
    std::fs::remove_dir_all(&target)?;
    std::fs::remove_file(&created.path)?;
    std::fs::remove_file(jaga_backup::checksum_path(&created.path))?;
    Ok(())
}
