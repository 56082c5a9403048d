//! The `retention` job with a fake clock on a real SQLite store: nothing happens before a
//! period ends, the expired category is cleared after, the customer is erased when the contact
//! period ends, the report holds counts and no value, and the runner runs it as a singleton.

use jaga_core::clock::FakeClock;
use jaga_core::policy::{Policy, PolicyFile};
use jaga_core::retention::DAY_MS;
use jaga_core::store::Store;
use jaga_jobs::Runner;
use jaga_jobs::retention::{RETENTION_LAST_FILE, RetentionJob};
use jaga_testkit::{Harness, marked_customer};
use std::sync::Arc;
use std::time::Duration;

async fn sqlite(dir: &std::path::Path) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", dir.join("r.db").display());
    Arc::new(jaga_store_sqlite::SqliteStore::open(&url).await.unwrap())
}

fn defaults() -> jaga_jobs::retention::PolicySource {
    Arc::new(|| Ok(Policy::from_file(PolicyFile::default()).unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_happens_when_the_period_ends_and_not_before() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(dir.path()).await;
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let id = h
        .vault
        .writer(&admin)
        .await
        .unwrap()
        .create(&marked_customer("Kadaluarsa", 7))
        .await
        .unwrap()
        .id;
    let now = jaga_core::now_ms();
    let clock = FakeClock::at(now);
    let job = RetentionJob::new(
        h.vault.clone(),
        defaults(),
        Arc::new(clock.clone()),
        dir.path(),
        None,
    );
    let load = || async { store.customer_load(id).await.unwrap().unwrap().row };

    // Today and 364 days on: nothing is due.
    for days in [0, 364] {
        clock.set(now + days * DAY_MS);
        let r = job.pass().await.unwrap();
        assert_eq!((r.erased(), r.cleared()), (0, 0), "day {days}: {r:?}");
        assert!(
            load().await.fields.iter().all(Option::is_some),
            "day {days}"
        );
    }
    // Day 366: identity, preferences and notes (365 days, erase) are cleared.
    clock.set(now + 366 * DAY_MS);
    let r = job.pass().await.unwrap();
    assert_eq!((r.erased(), r.cleared()), (0, 3), "{r:?}");
    let row = load().await;
    assert!(row.erased_at.is_none());
    assert_eq!(row.fields.iter().filter(|f| f.is_some()).count(), 4);
    // The report on disk: counts, the time, no value and no id.
    let text = std::fs::read_to_string(dir.path().join(RETENTION_LAST_FILE)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["at_ms"], now + 366 * DAY_MS);
    for leak in ["Kadaluarsa", "kadaluarsa@", "3174011205", &id.to_string()] {
        assert!(!text.contains(leak), "report holds {leak}: {text}");
    }
    // Day 729: still nothing for the contact period.
    clock.set(now + 729 * DAY_MS);
    assert_eq!(job.pass().await.unwrap().erased(), 0);
    assert!(load().await.erased_at.is_none());
    // Day 731: the contact period (730 days, erase) ends: crypto-shredded.
    clock.set(now + 731 * DAY_MS);
    assert_eq!(job.pass().await.unwrap().erased(), 1);
    assert!(load().await.erased_at.is_some());
    assert!(
        store
            .customer_load(id)
            .await
            .unwrap()
            .unwrap()
            .row
            .fields
            .iter()
            .all(Option::is_none)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_policy_fails_the_run_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(dir.path()).await;
    let h = Harness::new(store.clone()).await;
    let id = h
        .vault
        .writer(&h.admin())
        .await
        .unwrap()
        .create(&marked_customer("Tetap", 8))
        .await
        .unwrap()
        .id;
    let bad: jaga_jobs::retention::PolicySource = Arc::new(|| {
        Err(
            "policy.toml: categories.identity.retention_days: must be between 1 and 36500 days"
                .into(),
        )
    });
    let clock = FakeClock::at(jaga_core::now_ms() + 5000 * DAY_MS);
    let job = RetentionJob::new(h.vault.clone(), bad, Arc::new(clock), dir.path(), None);
    let e = job.pass().await.unwrap_err().to_string();
    assert!(e.contains("categories.identity.retention_days"), "{e}");
    let row = store.customer_load(id).await.unwrap().unwrap().row;
    assert!(row.erased_at.is_none() && row.fields.iter().all(Option::is_some));
    assert!(!dir.path().join(RETENTION_LAST_FILE).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_runs_it_as_a_recorded_singleton() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(dir.path()).await;
    let h = Harness::new(store.clone()).await;
    let clock = FakeClock::at(jaga_core::now_ms());
    let mut runner = Runner::new(store.clone());
    runner.add(RetentionJob::new(
        h.vault.clone(),
        defaults(),
        Arc::new(clock),
        dir.path(),
        None,
    ));
    let running = runner.start();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let st = store.job_state("retention").await.unwrap();
        if st.as_ref().and_then(|s| s.last_ok_at).is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "retention never ran: {st:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running.stop(Duration::from_secs(10)).await);
    assert!(dir.path().join(RETENTION_LAST_FILE).exists());
}
