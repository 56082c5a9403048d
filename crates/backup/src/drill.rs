//! The restore drill: restore the newest backup into a temporary directory, verify its audit
//! log and its counts, report, and remove the directory.

use crate::BackupError;
use crate::archive::Manifest;
use crate::keys::Opening;
use crate::restore::{OpenStore, RestoreOptions, TableTarget, restore};
use jaga_core::auth::Caller;
use jaga_core::lifecycle::ErasureEntry;
use jaga_core::store::LifecycleCounts;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a drill found. `ok` is the verdict; `problems` says why not.
#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    /// The backup drilled.
    pub backup: PathBuf,
    /// When it was taken, ms since the epoch.
    pub backup_created_at: i64,
    /// Counts recorded in the backup's manifest.
    pub manifest_counts: LifecycleCounts,
    /// Counts of the restored database (after the erasure replay).
    pub restored_counts: LifecycleCounts,
    /// Erasures replayed.
    pub replayed: u64,
    /// Audit events verified in the restored log.
    pub audit_events_verified: u64,
    /// Milliseconds the drill took.
    pub took_ms: u64,
    /// Whether every check passed.
    pub ok: bool,
    /// What failed, if anything.
    pub problems: Vec<String>,
}

/// Checks the restored counts against the manifest: the replay may turn customers into erased
/// ones but never change how many there are, nor the orders; the log only grows.
fn check_counts(m: &Manifest, got: &LifecycleCounts, replayed: u64) -> Vec<String> {
    let mut p = Vec::new();
    let want = m.counts;
    if got.customers + got.erased != want.customers + want.erased {
        p.push(format!(
            "customers: the backup recorded {} (with erased), the restore has {}",
            want.customers + want.erased,
            got.customers + got.erased
        ));
    }
    if got.customers != want.customers.saturating_sub(replayed) {
        p.push(format!(
            "live customers: expected {} after {} replayed erasures, found {}",
            want.customers.saturating_sub(replayed),
            replayed,
            got.customers
        ));
    }
    if got.orders != want.orders {
        p.push(format!(
            "orders: the backup recorded {}, the restore has {}",
            want.orders, got.orders
        ));
    }
    if got.audit_events < want.audit_events {
        p.push(format!(
            "audit events: the backup recorded {}, the restore has {}",
            want.audit_events, got.audit_events
        ));
    }
    p
}

/// Drills `backup`: restores it into a temporary directory under `scratch` (and, for a
/// PostgreSQL backup, into the empty scratch database `target`, which the caller creates and
/// drops), replaying `ledger`, verifies the restored audit log (signatures with the restored
/// verifier key) and the counts, then removes the directory.
#[allow(clippy::too_many_arguments)]
pub async fn drill(
    backup: &Path,
    opening: &Opening,
    ledger: Vec<ErasureEntry>,
    scratch: &Path,
    open: &OpenStore,
    caller: &Caller,
    target: Option<&dyn TableTarget>,
) -> Result<DrillReport, BackupError> {
    let started = std::time::Instant::now();
    let dir = scratch.join(format!(
        ".jaga-drill-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    struct Cleanup(PathBuf);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let _cleanup = Cleanup(dir.clone());
    let restored = restore(
        RestoreOptions {
            file: backup,
            opening,
            to: &dir,
            ledger,
            caller,
            target,
        },
        open,
    )
    .await?;
    let mut problems = check_counts(&restored.manifest, &restored.counts, restored.replayed);
    let key = std::fs::read_to_string(dir.join("audit-verifier.pub"))
        .ok()
        .and_then(|t| jaga_audit::VerifierKey::parse(t.trim()).ok());
    if key.is_none() {
        problems.push("the backup holds no audit verifier key (audit-verifier.pub)".into());
    }
    let store = match target {
        Some(t) if restored.database != "sqlite" => t.open().await?,
        _ => open(dir.join(crate::DB_FILE)).await?,
    };
    let outcome = jaga_core::audit::verify::verify_log(store.as_ref(), key.as_ref(), None).await;
    store.close_store().await;
    drop(store);
    let verified = match outcome {
        Ok(o) => {
            if let Some(p) = &o.problem {
                problems.push(format!("audit log: position {}: {}", p.pos, p.why));
            }
            o.events
        }
        Err(e) => {
            problems.push(format!("audit log could not be verified: {e}"));
            0
        }
    };
    Ok(DrillReport {
        backup: backup.to_path_buf(),
        backup_created_at: restored.manifest.created_at,
        manifest_counts: restored.manifest.counts,
        restored_counts: restored.counts,
        replayed: restored.replayed,
        audit_events_verified: verified,
        took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        ok: problems.is_empty(),
        problems,
    })
}
