//! The one home of Jaga's background work.
//!
//! - [`Job`] is what a background task is: a name, an interval, whether one node of a cluster
//!   runs it ([`Scope::Singleton`]) or every node ([`Scope::PerNode`]), and `run`.
//! - [`Runner`] runs jobs for `jaga serve`: on their interval, with exponential backoff after a
//!   failure, a database lease for singletons (see [`jaga_core::store::JobStore`]), the record
//!   of each singleton's last run, and per-job counters ([`JobMetrics`], no PII).
//! - [`delivery`] is the outbound side: channels (a directory, a signed webhook, SMTP) behind
//!   one [`delivery::Witnesses`] outbox with retries that survive a restart. Audit witnesses use
//!   it now; alerts will use it later.
//! - [`lifecycle`] holds the data lifecycle's jobs: the erasure ledger's catch-up and hand-off
//!   to the witnesses, scheduled backups with rotation, restore drills.
//! - [`checkpoint`] and [`review`] are the audit jobs: signing checkpoints, handing them to the
//!   witnesses, and the periodic access review. The CLI's `jaga audit …` commands call the same
//!   code.
//! - [`alerts`]: the `[alerts]` channels, recording the intrusion detector's firings, and
//!   handing alerts to the channels (rate-limited) through the same outbox.
//! - [`payees`]: the `[payouts]` table (approval thresholds, the notice channel) and the job
//!   that tells a payee's contact on file of a bank-detail change.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alerts;
pub mod checkpoint;
pub mod config;
pub mod delivery;
pub mod fraud;
mod job;
pub mod lifecycle;
pub mod payees;
pub mod policy_watch;
pub mod retention;
pub mod review;
mod runner;
pub mod upkeep;

pub use job::{Job, Scope, Tick};
pub use runner::{JobCounts, JobMetrics, Runner, RunningJobs, backoff};

/// Why a job, a delivery or the signer failed. Messages name files, URLs, hosts or job names,
/// never customer data or secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] jaga_core::store::StoreError),
    /// Anything else, described.
    #[error("{0}")]
    Failed(String),
}

impl JobError {
    /// An error with this message.
    pub fn msg(m: impl Into<String>) -> Self {
        JobError::Failed(m.into())
    }
}

/// Adds a description to an error: `reading x: <cause>`.
pub(crate) trait Ctx<T> {
    /// Wraps the error with `what`.
    fn ctx(self, what: impl std::fmt::Display) -> Result<T, JobError>;
}

impl<T, E: std::fmt::Display> Ctx<T> for Result<T, E> {
    fn ctx(self, what: impl std::fmt::Display) -> Result<T, JobError> {
        self.map_err(|e| JobError::Failed(format!("{what}: {e}")))
    }
}

impl<T> Ctx<T> for Option<T> {
    fn ctx(self, what: impl std::fmt::Display) -> Result<T, JobError> {
        self.ok_or_else(|| JobError::Failed(what.to_string()))
    }
}
