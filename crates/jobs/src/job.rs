//! The [`Job`] trait: what every background task of `jaga serve` implements.

use crate::JobError;
use async_trait::async_trait;
use std::time::Duration;

/// Where a job runs when several nodes share one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// On every node (e.g. refreshing this node's keyring, retrying this node's outbox).
    PerNode,
    /// On one node at a time: the runner holds a lease row in the database while it runs it,
    /// and records its last run there (e.g. signing checkpoints, the monthly review).
    Singleton,
}

/// What the runner tells a job about this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// This is the last run, at shutdown (only for jobs whose [`Job::run_at_stop`] is true).
    pub stopping: bool,
    /// When this job last succeeded, ms since epoch, as recorded in the database (singletons
    /// only; `None` for per-node jobs or a first run).
    pub last_ok_at: Option<i64>,
}

/// A background task. The runner owns it and calls [`Job::run`] every [`Job::every`], never
/// two runs of one job at once on a node, and for a [`Scope::Singleton`] only while this node
/// holds the job's lease.
#[async_trait]
pub trait Job: Send + 'static {
    /// A stable name: the lease key, the metrics label and the log field. No data in it.
    fn name(&self) -> &'static str;
    /// How long between runs.
    fn every(&self) -> Duration;
    /// Per node or singleton.
    fn scope(&self) -> Scope {
        Scope::PerNode
    }
    /// Whether the runner gives the job a last run at shutdown (e.g. a final checkpoint).
    fn run_at_stop(&self) -> bool {
        false
    }
    /// The longest wait between retries after consecutive failures (the wait doubles from
    /// [`Job::every`] up to this).
    fn max_backoff(&self) -> Duration {
        Duration::from_secs(60)
    }
    /// Does the work once. An error is counted, logged (its message must hold no PII) and
    /// retried with backoff.
    async fn run(&mut self, tick: Tick) -> Result<(), JobError>;
}
