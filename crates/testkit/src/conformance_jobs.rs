//! Conformance of [`JobStore`]: singleton leases are exclusive, renewable, expire and can be
//! released only by their holder; runs are recorded ("last done", consecutive failures).

use jaga_core::store::{JobStore, Store};
use std::sync::Arc;

/// Leases: one holder at a time, renewable by the holder, free after expiry or release.
pub async fn job_leases_are_exclusive_and_expire(store: Arc<dyn Store>) {
    let s: &dyn JobStore = store.as_ref();
    assert_eq!(s.job_state("j").await.unwrap(), None);
    assert!(
        s.job_lease("j", "a", 1_000, 2_000).await.unwrap(),
        "free: a takes it"
    );
    assert!(
        !s.job_lease("j", "b", 1_500, 2_500).await.unwrap(),
        "held by a: b is refused"
    );
    assert!(
        s.job_lease("j", "a", 1_600, 2_600).await.unwrap(),
        "a renews"
    );
    assert!(
        !s.job_lease("j", "b", 2_500, 3_500).await.unwrap(),
        "the renewal counts"
    );
    let st = s.job_state("j").await.unwrap().unwrap();
    assert_eq!((st.holder.as_deref(), st.lease_until), (Some("a"), 2_600));
    // expired: b takes over, and a can no longer renew
    assert!(s.job_lease("j", "b", 2_600, 3_600).await.unwrap());
    assert!(!s.job_lease("j", "a", 2_700, 3_700).await.unwrap());
    // only the holder releases
    s.job_release("j", "a").await.unwrap();
    assert!(
        !s.job_lease("j", "a", 2_800, 3_800).await.unwrap(),
        "a's release was a no-op"
    );
    s.job_release("j", "b").await.unwrap();
    assert!(
        s.job_lease("j", "a", 2_900, 3_900).await.unwrap(),
        "released: free again"
    );
    // leases are per job
    assert!(s.job_lease("other", "b", 2_900, 3_900).await.unwrap());
}

/// Run records: successes set "last done" and reset failures; failures count up.
pub async fn job_runs_are_recorded(store: Arc<dyn Store>) {
    let s: &dyn JobStore = store.as_ref();
    s.job_record("r", false, 10).await.unwrap();
    s.job_record("r", false, 20).await.unwrap();
    let st = s.job_state("r").await.unwrap().unwrap();
    assert_eq!(
        (st.runs, st.failures, st.last_ok_at, st.last_failure_at),
        (2, 2, None, Some(20))
    );
    s.job_record("r", true, 30).await.unwrap();
    let st = s.job_state("r").await.unwrap().unwrap();
    assert_eq!((st.runs, st.failures, st.last_ok_at), (3, 0, Some(30)));
    // a record does not take or drop a lease
    assert_eq!(st.holder, None);
    assert!(s.job_lease("r", "a", 40, 50).await.unwrap());
    s.job_record("r", true, 45).await.unwrap();
    let st = s.job_state("r").await.unwrap().unwrap();
    assert_eq!((st.holder.as_deref(), st.last_ok_at), (Some("a"), Some(45)));
}
