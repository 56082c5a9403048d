//! The `policy-watch` job: every 5 minutes (and once when `jaga serve` starts) it reads the
//! shop's data policy afresh, hands the rendered policy to the console, and records a change of
//! `policy.toml` (or of the roles' views it states) as a new policy version
//! ([`StaffService::policy_observe`]: hash, time, categories changed; audited `policy.change`).
//! A staff-facing change sends every staff member to accept it like the confidentiality
//! agreement. Per node: each node refreshes its own view of the latest version (recording is
//! idempotent: an unchanged policy writes nothing).

use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::policy::Policy;
use jaga_core::staff::{Policies, PolicyVersion, StaffService};
use std::sync::Arc;
use std::time::Duration;

/// The policy as read now.
pub struct PolicySnapshot {
    /// `policy.toml` as read, or `None` when there is none (then nothing is recorded: the
    /// defaults are shown, and versions start with the shop's own file).
    pub file: Option<Vec<u8>>,
    /// What it says (defaults filled in).
    pub policy: Policy,
    /// The roles' views (`[staff.roles]`), part of "who may see what".
    pub roles: Policies,
    /// The rendered policy's HTML body in Bahasa Indonesia.
    pub html_id: String,
    /// … and in English.
    pub html_en: String,
}

/// Reads the policy; an error is a message naming the file and key, never a value.
pub type SnapshotSource = Arc<dyn Fn() -> Result<PolicySnapshot, String> + Send + Sync>;

/// Watches the policy for changes.
pub struct PolicyWatchJob {
    staff: Arc<StaffService>,
    source: SnapshotSource,
}

impl PolicyWatchJob {
    /// The job over `staff`, reading the policy from `source`.
    pub fn new(staff: Arc<StaffService>, source: SnapshotSource) -> Self {
        Self { staff, source }
    }

    /// One pass: read, show, record. Returns the version recorded, if the policy changed.
    pub async fn pass(&self) -> Result<Option<PolicyVersion>, JobError> {
        let s = (self.source)().map_err(|e| JobError::msg(format!("policy: {e}")))?;
        self.staff.set_policy_documents(s.html_id, s.html_en);
        let Some(file) = s.file else {
            return Ok(None);
        };
        let v = self
            .staff
            .policy_observe(Some(&file), &s.policy, &s.roles)
            .await
            .map_err(|e| JobError::msg(format!("policy: {e}")))?;
        if let Some(v) = &v {
            tracing::info!(
                version = v.n,
                staff_facing = v.staff_facing,
                changed = %v.changed.join(","),
                "policy version recorded"
            );
        }
        Ok(v)
    }
}

#[async_trait]
impl Job for PolicyWatchJob {
    fn name(&self) -> &'static str {
        "policy-watch"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(300)
    }

    fn scope(&self) -> Scope {
        Scope::PerNode
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        self.pass().await.map(|_| ())
    }
}
