//! The `retention` job: once a day, erases or clears what the shop's `policy.toml` says has
//! expired ([`Vault::apply_retention`]), writes the run's report (counts, never values) to
//! `retention-last.json` in the data directory and hands it to the witnesses.

use crate::delivery::{Delivery, Witnesses, write_atomic};
use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::clock::Clock;
use jaga_core::policy::Policy;
use jaga_core::retention::RetentionReport;
use jaga_core::vault::Vault;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The report of the last run, in the data directory.
pub const RETENTION_LAST_FILE: &str = "retention-last.json";

/// Reads the policy afresh for each run (so an edited `policy.toml` applies without a
/// restart); an error is a message naming the key at fault, never a value.
pub type PolicySource = Arc<dyn Fn() -> Result<Policy, String> + Send + Sync>;

/// Applies the retention policy daily. A singleton: one node's run serves the cluster.
pub struct RetentionJob {
    vault: Arc<Vault>,
    policy: PolicySource,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    witnesses: Option<Arc<tokio::sync::Mutex<Witnesses>>>,
}

impl RetentionJob {
    /// The job over `vault`, reading the policy from `policy` and the time from `clock`.
    pub fn new(
        vault: Arc<Vault>,
        policy: PolicySource,
        clock: Arc<dyn Clock>,
        data_dir: &Path,
        witnesses: Option<Arc<tokio::sync::Mutex<Witnesses>>>,
    ) -> Self {
        Self {
            vault,
            policy,
            clock,
            data_dir: data_dir.to_path_buf(),
            witnesses,
        }
    }

    /// One run: apply, record, deliver. Returns the report.
    pub async fn pass(&self) -> Result<RetentionReport, JobError> {
        let policy = (self.policy)().map_err(|e| JobError::msg(format!("retention: {e}")))?;
        let report = self
            .vault
            .apply_retention(&policy, self.clock.now_ms())
            .await
            .map_err(|e| JobError::msg(format!("retention: {e}")))?;
        let body = serde_json::to_string_pretty(&report)
            .map_err(|e| JobError::msg(format!("retention report: {e}")))?;
        write_atomic(
            &self.data_dir.join(RETENTION_LAST_FILE),
            format!("{body}\n").as_bytes(),
        )?;
        tracing::info!(
            erased = report.erased(),
            cleared = report.cleared(),
            "retention applied"
        );
        if let Some(w) = &self.witnesses {
            let day = jaga_core::format_ms(report.at_ms);
            let d = Delivery::Report {
                name: format!("retention-{}.json", day.get(..10).unwrap_or("today")),
                subject: "Jaga retention run".into(),
                body,
            };
            w.lock().await.deliver(&d).await;
        }
        Ok(report)
    }
}

#[async_trait]
impl Job for RetentionJob {
    fn name(&self) -> &'static str {
        "retention"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(24 * 3600)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        self.pass().await.map(|_| ())
    }
}
