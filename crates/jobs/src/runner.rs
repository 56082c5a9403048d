//! The [`Runner`]: runs [`Job`]s on their schedules for `jaga serve`.
//!
//! Each job gets its own task. A run that fails is retried after [`backoff`]. A
//! [`Scope::Singleton`] job runs only while this node holds its lease row (taken atomically in
//! the database, renewed while the run lasts, given up at shutdown), only when its recorded last
//! success is at least one interval old, and its runs are recorded in the database so a restart
//! or another node knows when it was last done.

use crate::{Job, Scope, Tick};
use jaga_core::store::JobStore;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Counts for one job. Names and numbers only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Runs started on this node.
    pub runs: u64,
    /// Runs that failed.
    pub failures: u64,
    /// Times a singleton was due but another node held its lease.
    pub skipped: u64,
}

/// Per-job counters of this node, for `/metrics` and tests.
#[derive(Debug, Default)]
pub struct JobMetrics {
    counts: Mutex<BTreeMap<&'static str, JobCounts>>,
}

impl JobMetrics {
    fn bump(&self, job: &'static str, f: impl FnOnce(&mut JobCounts)) {
        let mut m = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        f(m.entry(job).or_default());
    }

    /// The counts of every job that ran or was due.
    pub fn snapshot(&self) -> BTreeMap<&'static str, JobCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Prometheus text exposition: `jaga_job_runs_total{job="…"}`, `…failures…`, `…skipped…`.
    pub fn render(&self) -> String {
        let snap = self.snapshot();
        let mut s = String::new();
        for (metric, help, get) in [
            (
                "jaga_job_runs_total",
                "Background job runs started on this node.",
                (|c: &JobCounts| c.runs) as fn(&JobCounts) -> u64,
            ),
            (
                "jaga_job_failures_total",
                "Background job runs that failed.",
                |c| c.failures,
            ),
            (
                "jaga_job_skipped_total",
                "Singleton job runs left to the node holding the lease.",
                |c| c.skipped,
            ),
        ] {
            let _ = writeln!(s, "# HELP {metric} {help}\n# TYPE {metric} counter");
            for (job, c) in &snap {
                let _ = writeln!(s, "{metric}{{job=\"{job}\"}} {}", get(c));
            }
        }
        s
    }
}

/// The wait before retrying a job that failed `failures` times in a row: its interval doubled
/// per failure, at least its interval, at most `max` (or the interval if that is longer).
pub fn backoff(every: Duration, failures: u32, max: Duration) -> Duration {
    let doubled = every.saturating_mul(2u32.saturating_pow(failures.min(20)));
    doubled.min(max.max(every))
}

/// Runs jobs. Build it, [`Runner::add`] jobs, then [`Runner::start`].
pub struct Runner {
    store: Arc<dyn JobStore>,
    holder: String,
    lease: Duration,
    jobs: Vec<Box<dyn Job>>,
    metrics: Arc<JobMetrics>,
}

impl Runner {
    /// A runner for this node, with a random node id as lease holder and 30 s leases.
    pub fn new(store: Arc<dyn JobStore>) -> Self {
        let id: [u8; 8] = rand::random();
        Self {
            store,
            holder: format!("node-{}", hex::encode(id)),
            lease: Duration::from_secs(30),
            jobs: Vec::new(),
            metrics: Arc::default(),
        }
    }

    /// Sets how long a lease lasts without renewal (a crashed node's singleton jobs move to
    /// another node after this).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    /// This node's lease holder id.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Adds a job.
    pub fn add(&mut self, job: impl Job) -> &mut Self {
        self.jobs.push(Box::new(job));
        self
    }

    /// The counters, shared with the running jobs.
    pub fn metrics(&self) -> Arc<JobMetrics> {
        self.metrics.clone()
    }

    /// Starts one task per job.
    pub fn start(self) -> RunningJobs {
        let (stop, rx) = watch::channel(false);
        let tasks = self
            .jobs
            .into_iter()
            .map(|job| {
                let t = JobTask {
                    store: self.store.clone(),
                    holder: self.holder.clone(),
                    lease: self.lease,
                    metrics: self.metrics.clone(),
                    stop: rx.clone(),
                };
                tokio::spawn(t.run(job))
            })
            .collect();
        RunningJobs { stop, tasks }
    }
}

/// The started jobs.
pub struct RunningJobs {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningJobs {
    /// Asks every job to stop, gives those that want it a last run, releases leases, and waits
    /// at most `timeout`. Returns false if some job did not finish in time.
    pub async fn stop(self, timeout: Duration) -> bool {
        let _ = self.stop.send(true);
        let all = futures_join(self.tasks);
        tokio::time::timeout(timeout, all).await.is_ok()
    }
}

async fn futures_join(tasks: Vec<JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}

struct JobTask {
    store: Arc<dyn JobStore>,
    holder: String,
    lease: Duration,
    metrics: Arc<JobMetrics>,
    stop: watch::Receiver<bool>,
}

/// What happened when a singleton tried to run.
enum Leased {
    /// We hold the lease; the recorded last success.
    Yes(Option<i64>),
    /// Another node holds it, or it is not due: skip.
    No,
}

impl JobTask {
    async fn run(mut self, mut job: Box<dyn Job>) {
        let name = job.name();
        let singleton = job.scope() == Scope::Singleton;
        let mut failures: u32 = 0;
        let mut next = Instant::now();
        loop {
            let stopping = tokio::select! {
                _ = tokio::time::sleep_until(next) => false,
                r = self.stop.changed() => r.is_err() || *self.stop.borrow(),
            };
            if stopping && !job.run_at_stop() {
                break;
            }
            let last_ok_at = if singleton {
                match self.take(name, job.every(), stopping).await {
                    Leased::Yes(at) => at,
                    Leased::No => {
                        if stopping {
                            break;
                        }
                        next = Instant::now() + job.every();
                        continue;
                    }
                }
            } else {
                None
            };
            self.metrics.bump(name, |c| c.runs += 1);
            let tick = Tick {
                stopping,
                last_ok_at,
            };
            let ok = match self.guarded(job.as_mut(), tick, singleton).await {
                Ok(()) => true,
                Err(e) => {
                    self.metrics.bump(name, |c| c.failures += 1);
                    tracing::warn!(job = name, error = %e, "background job failed; will retry");
                    false
                }
            };
            if singleton && let Err(e) = self.store.job_record(name, ok, jaga_core::now_ms()).await
            {
                tracing::warn!(job = name, error = %e, "cannot record the job run");
            }
            failures = if ok { 0 } else { failures.saturating_add(1) };
            next = Instant::now() + backoff(job.every(), failures, job.max_backoff());
            if stopping {
                break;
            }
        }
        if singleton && let Err(e) = self.store.job_release(name, &self.holder).await {
            tracing::warn!(job = name, error = %e, "cannot release the job lease");
        }
    }

    /// Takes the singleton's lease and decides whether it is due.
    async fn take(&self, name: &'static str, every: Duration, stopping: bool) -> Leased {
        let now = jaga_core::now_ms();
        let until = now.saturating_add(ms(self.lease));
        match self.store.job_lease(name, &self.holder, now, until).await {
            Ok(true) => {}
            Ok(false) => {
                self.metrics.bump(name, |c| c.skipped += 1);
                return Leased::No;
            }
            Err(e) => {
                tracing::warn!(job = name, error = %e, "cannot take the job lease");
                return Leased::No;
            }
        }
        let last = match self.store.job_state(name).await {
            Ok(s) => s.and_then(|s| s.last_ok_at),
            Err(e) => {
                tracing::warn!(job = name, error = %e, "cannot read the job state");
                return Leased::No;
            }
        };
        // Another node (or this one before a restart) did it less than an interval ago.
        // (A tenth of slack absorbs timer jitter between the two clocks.)
        if !stopping && last.is_some_and(|at| now.saturating_sub(at) < ms(every) / 10 * 9) {
            return Leased::No;
        }
        Leased::Yes(last)
    }

    /// Runs the job; for a singleton, renews the lease while it runs and abandons the run if
    /// the lease is lost (another node may have taken over).
    async fn guarded(
        &self,
        job: &mut dyn Job,
        tick: Tick,
        singleton: bool,
    ) -> Result<(), crate::JobError> {
        if !singleton {
            return job.run(tick).await;
        }
        let name = job.name();
        let run = job.run(tick);
        tokio::pin!(run);
        let mut renew = tokio::time::interval(self.lease / 3);
        renew.tick().await;
        loop {
            tokio::select! {
                r = &mut run => return r,
                _ = renew.tick() => {
                    let now = jaga_core::now_ms();
                    let until = now.saturating_add(ms(self.lease));
                    match self.store.job_lease(name, &self.holder, now, until).await {
                        Ok(true) => {}
                        Ok(false) => return Err(crate::JobError::msg(
                            "the job lease was lost during the run; abandoned",
                        )),
                        Err(e) => tracing::warn!(job = name, error = %e, "cannot renew the job lease"),
                    }
                }
            }
        }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_interval_up_to_the_cap() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(1), 0, s(60)), s(1));
        assert_eq!(backoff(s(1), 1, s(60)), s(2));
        assert_eq!(backoff(s(1), 3, s(60)), s(8));
        assert_eq!(backoff(s(1), 30, s(60)), s(60));
        // a job slower than the cap keeps its own interval
        assert_eq!(backoff(s(3600), 5, s(60)), s(3600));
    }

    #[test]
    fn metrics_render_job_names_and_counts_only() {
        let m = JobMetrics::default();
        m.bump("audit-checkpoint", |c| c.runs += 2);
        m.bump("audit-checkpoint", |c| c.failures += 1);
        let text = m.render();
        assert!(
            text.contains("jaga_job_runs_total{job=\"audit-checkpoint\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("jaga_job_failures_total{job=\"audit-checkpoint\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("jaga_job_skipped_total{job=\"audit-checkpoint\"} 0"),
            "{text}"
        );
    }
}
