//! The job runner through its public surface, on real stores: schedules, retries with backoff,
//! the last run at shutdown, "last done" in the database, and — on one PostgreSQL database —
//! two runners never running a singleton job at the same time.

use async_trait::async_trait;
use jaga_core::store::Store;
use jaga_jobs::{Job, JobError, Runner, Scope, Tick};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// Shared observations of one or more probe jobs.
#[derive(Default)]
struct Seen {
    active: AtomicUsize,
    max_active: AtomicUsize,
    runs: AtomicUsize,
    stopping_runs: AtomicUsize,
    ran: Notify,
}

impl Seen {
    /// Waits (without sleeping) until `f` holds, at most 20 s.
    async fn until(&self, what: &str, f: impl Fn(&Self) -> bool) {
        let wait = async {
            loop {
                let n = self.ran.notified();
                if f(self) {
                    return;
                }
                n.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
    }
}

struct Probe {
    name: &'static str,
    scope: Scope,
    every: Duration,
    /// Fail this many runs first.
    fail_first: usize,
    at_stop: bool,
    /// Runs of this job only.
    mine: Arc<AtomicUsize>,
    seen: Arc<Seen>,
}

impl Probe {
    fn new(name: &'static str, scope: Scope, seen: &Arc<Seen>) -> Self {
        Self {
            name,
            scope,
            every: Duration::from_millis(20),
            fail_first: 0,
            at_stop: false,
            mine: Arc::default(),
            seen: seen.clone(),
        }
    }
}

#[async_trait]
impl Job for Probe {
    fn name(&self) -> &'static str {
        self.name
    }
    fn every(&self) -> Duration {
        self.every
    }
    fn scope(&self) -> Scope {
        self.scope
    }
    fn run_at_stop(&self) -> bool {
        self.at_stop
    }
    fn max_backoff(&self) -> Duration {
        Duration::from_millis(80)
    }
    async fn run(&mut self, tick: Tick) -> Result<(), JobError> {
        let now = self.seen.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.seen.max_active.fetch_max(now, Ordering::SeqCst);
        // Simulated work, so that two overlapping runs would be seen overlapping.
        tokio::time::sleep(Duration::from_millis(15)).await;
        self.seen.active.fetch_sub(1, Ordering::SeqCst);
        let n = self.mine.fetch_add(1, Ordering::SeqCst);
        self.seen.runs.fetch_add(1, Ordering::SeqCst);
        if tick.stopping {
            self.seen.stopping_runs.fetch_add(1, Ordering::SeqCst);
        }
        self.seen.ran.notify_waiters();
        if n < self.fail_first {
            return Err(JobError::msg("probe failure"));
        }
        Ok(())
    }
}

async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("j.db").display());
    let store = jaga_store_sqlite::SqliteStore::open(&url).await.unwrap();
    (dir, Arc::new(store))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_counted_and_recorded() {
    let (_dir, store) = sqlite().await;
    let seen = Arc::new(Seen::default());
    let mut p = Probe::new("flaky", Scope::Singleton, &seen);
    p.fail_first = 3;
    let mut runner = Runner::new(store.clone());
    runner.add(p);
    let metrics = runner.metrics();
    let running = runner.start();
    seen.until("a success after three failures", |s| {
        s.runs.load(Ordering::SeqCst) >= 5
    })
    .await;
    assert!(running.stop(Duration::from_secs(10)).await);
    let c = metrics.snapshot()["flaky"];
    assert_eq!(c.failures, 3, "{c:?}");
    assert!(c.runs >= 5, "{c:?}");
    let st = store.job_state("flaky").await.unwrap().unwrap();
    assert_eq!(st.failures, 0, "a success resets the failure count");
    assert!(st.last_ok_at.is_some() && st.last_failure_at.is_some());
    assert_eq!(st.runs, c.runs);
    assert_eq!(st.holder, None, "the lease is given back at shutdown");
    assert!(
        metrics
            .render()
            .contains("jaga_job_failures_total{job=\"flaky\"} 3")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_asks_gets_a_last_run_at_shutdown_and_others_do_not() {
    let (_dir, store) = sqlite().await;
    let seen = Arc::new(Seen::default());
    let mut last = Probe::new("last", Scope::Singleton, &seen);
    last.at_stop = true;
    last.every = Duration::from_secs(3600);
    let mut plain = Probe::new("plain", Scope::PerNode, &seen);
    plain.every = Duration::from_secs(3600);
    let plain_runs = plain.mine.clone();
    let mut runner = Runner::new(store.clone());
    runner.add(last).add(plain);
    let running = runner.start();
    seen.until("both first runs", |s| s.runs.load(Ordering::SeqCst) >= 2)
        .await;
    assert!(running.stop(Duration::from_secs(10)).await);
    assert_eq!(seen.stopping_runs.load(Ordering::SeqCst), 1);
    assert_eq!(plain_runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_singleton_done_recently_is_not_run_again_after_a_restart() {
    let (_dir, store) = sqlite().await;
    // "another node" (or this one before a restart) did it a moment ago
    store
        .job_record("daily", true, jaga_core::now_ms())
        .await
        .unwrap();
    let seen = Arc::new(Seen::default());
    let mut daily = Probe::new("daily", Scope::Singleton, &seen);
    daily.every = Duration::from_secs(86_400);
    let mut other = Probe::new("other", Scope::PerNode, &seen);
    other.every = Duration::from_millis(20);
    let daily_runs = daily.mine.clone();
    let mut runner = Runner::new(store.clone());
    runner.add(daily).add(other);
    let running = runner.start();
    // The runner tried both at start; the per-node one running several times shows it did.
    seen.until("several runs of the other job", |s| {
        s.runs.load(Ordering::SeqCst) >= 3
    })
    .await;
    assert!(running.stop(Duration::from_secs(10)).await);
    assert_eq!(daily_runs.load(Ordering::SeqCst), 0, "not due yet");
}

/// A database of its own on the test PostgreSQL, or `None` (skipped) if it is unreachable and
/// not required.
fn fresh_postgres() -> Option<(String, String)> {
    let base = jaga_testkit::skip::postgres_url();
    let name = format!("jaga_jobs_{}", hex_id());
    let created = Command::new("psql")
        .args([base.as_str(), "-qc", &format!("CREATE DATABASE {name}")])
        .output();
    let why = match &created {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(String::from_utf8_lossy(&o.stderr).trim().to_string()),
        Err(e) => Some(format!("cannot run psql: {e}")),
    };
    if let Some(why) = why {
        jaga_testkit::skip::postgres_unreachable("PostgreSQL job test", &base, &why);
        return None;
    }
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some((format!("{prefix}/{name}"), base))
}

fn hex_id() -> String {
    let n: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    format!("{n:x}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_on_one_postgres_never_run_a_singleton_at_the_same_time() {
    let Some((url, base)) = fresh_postgres() else {
        return;
    };
    // Two nodes: two connection pools, two runners with their own holder ids.
    let a: Arc<dyn Store> = Arc::new(
        jaga_store_postgres::PostgresStore::open(&url)
            .await
            .unwrap(),
    );
    let b: Arc<dyn Store> = Arc::new(
        jaga_store_postgres::PostgresStore::open(&url)
            .await
            .unwrap(),
    );
    let seen = Arc::new(Seen::default());
    let pa = Probe::new("singleton", Scope::Singleton, &seen);
    let pb = Probe::new("singleton", Scope::Singleton, &seen);
    let (runs_a, runs_b) = (pa.mine.clone(), pb.mine.clone());
    let mut ra = Runner::new(a.clone()).lease(Duration::from_secs(2));
    ra.add(pa);
    let mut rb = Runner::new(b.clone()).lease(Duration::from_secs(2));
    rb.add(pb);
    assert_ne!(ra.holder(), rb.holder());
    let (ma, mb) = (ra.metrics(), rb.metrics());
    let (sa, sb) = (ra.start(), rb.start());
    seen.until("40 runs", |s| s.runs.load(Ordering::SeqCst) >= 40)
        .await;
    assert_eq!(
        seen.max_active.load(Ordering::SeqCst),
        1,
        "never two runs at once"
    );
    let (na, nb) = (runs_a.load(Ordering::SeqCst), runs_b.load(Ordering::SeqCst));
    assert!(na == 0 || nb == 0, "one node held the lease: {na} / {nb}");
    let skipped = ma.snapshot().get("singleton").map_or(0, |c| c.skipped)
        + mb.snapshot().get("singleton").map_or(0, |c| c.skipped);
    assert!(skipped > 0, "the other node tried and was refused");
    // The holder stops and gives the lease back: the other node takes over.
    let (holder, other, other_runs) = if na > 0 {
        (sa, sb, runs_b)
    } else {
        (sb, sa, runs_a)
    };
    assert!(holder.stop(Duration::from_secs(10)).await);
    seen.until("the other node's runs", |_| {
        other_runs.load(Ordering::SeqCst) >= 5
    })
    .await;
    assert!(other.stop(Duration::from_secs(10)).await);
    assert_eq!(seen.max_active.load(Ordering::SeqCst), 1);
    let st = a.job_state("singleton").await.unwrap().unwrap();
    assert_eq!(st.holder, None, "released at shutdown");
    assert_eq!(st.runs as usize, seen.runs.load(Ordering::SeqCst));
    drop((a, b));
    let name = url.rsplit('/').next().unwrap().to_string();
    let _ = Command::new("psql")
        .args([
            base.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ])
        .output();
}
