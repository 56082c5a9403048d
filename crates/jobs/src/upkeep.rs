//! Housekeeping jobs of `jaga serve`: dropping expired staff sessions and picking up key
//! rotations made elsewhere.

use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::staff::StaffService;
use jaga_core::vault::Vault;
use std::sync::Arc;
use std::time::Duration;

/// Deletes expired staff sessions every 10 minutes (they are refused anyway; this keeps the
/// table small). A singleton: one node's purge serves the whole cluster.
pub struct SessionPurgeJob(pub Arc<StaffService>);

#[async_trait]
impl Job for SessionPurgeJob {
    fn name(&self) -> &'static str {
        "session-purge"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(600)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        self.0
            .purge_sessions()
            .await
            .map(|_| ())
            .map_err(|e| JobError::msg(format!("session purge: {e}")))
    }
}

/// Reloads this node's keyring every 30 s so it picks up rotations made by `jaga keys rotate`
/// or another node. Per node; does nothing while the vault is sealed.
pub struct KeyringRefreshJob(pub Arc<Vault>);

#[async_trait]
impl Job for KeyringRefreshJob {
    fn name(&self) -> &'static str {
        "keyring-refresh"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(30)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        if self.0.is_sealed() {
            return Ok(());
        }
        self.0
            .refresh_keyring()
            .await
            .map_err(|e| JobError::msg(format!("keyring refresh: {e}")))
    }
}

/// Writes the summaries of refusals counted beyond the audit budget (see
/// `jaga_core::vault::refusals`): every 30 s for windows that have passed, and at shutdown for
/// every open count. Per node: each node counts its own refusals.
pub struct RefusalSummaryJob(pub Arc<Vault>);

#[async_trait]
impl Job for RefusalSummaryJob {
    fn name(&self) -> &'static str {
        "audit-refusal-summaries"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn run_at_stop(&self) -> bool {
        true
    }

    async fn run(&mut self, tick: Tick) -> Result<(), JobError> {
        self.0
            .flush_refusals(tick.stopping)
            .await
            .map(|_| ())
            .map_err(|e| JobError::msg(format!("refusal summaries: {e}")))
    }
}
