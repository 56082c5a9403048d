//! Background jobs' shared state: a lease per singleton job (so only one node of a cluster on
//! one database runs it at a time) and the record of its last run ("last done", consecutive
//! failures). Holds job names and node ids only, never data.

use super::StoreError;
use async_trait::async_trait;

/// What the database remembers about one job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobState {
    /// The node that holds the lease, if any.
    pub holder: Option<String>,
    /// Until when the lease is held, ms since epoch (0 when free).
    pub lease_until: i64,
    /// When the job last succeeded, ms since epoch.
    pub last_ok_at: Option<i64>,
    /// When the job last failed, ms since epoch.
    pub last_failure_at: Option<i64>,
    /// Failures since the last success.
    pub failures: u64,
    /// Runs recorded, successful or not.
    pub runs: u64,
}

/// Leases and run records of background jobs.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Takes or renews the lease on `job` for `holder` until `until_ms`, atomically: it is
    /// taken only if free, expired (`lease_until <= now_ms`) or already held by `holder`.
    /// Returns whether `holder` holds it now.
    async fn job_lease(
        &self,
        job: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Gives the lease up if `holder` holds it (a no-op otherwise).
    async fn job_release(&self, job: &str, holder: &str) -> Result<(), StoreError>;
    /// Records one run of `job` at `at_ms`: a success resets the failure count.
    async fn job_record(&self, job: &str, ok: bool, at_ms: i64) -> Result<(), StoreError>;
    /// The state of `job`, if it ever ran or was leased.
    async fn job_state(&self, job: &str) -> Result<Option<JobState>, StoreError>;
}
