//! `Vault::own_activity`: a member sees their own actions, newest first, and nobody else's.

use jaga_core::auth::Scope;
use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use std::sync::Arc;

#[tokio::test]
async fn own_activity_shows_only_the_callers_events_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap(),
    );
    let h = jaga_testkit::Harness::new(store).await;
    let admin = h.admin();
    let me = h.caller(&[Scope::CustomersRead]);
    let w = h.vault.writer(&admin).await.unwrap();
    let a = w
        .create(&jaga_testkit::marked_customer("A", 1))
        .await
        .unwrap();
    let b = w
        .create(&jaga_testkit::marked_customer("B", 2))
        .await
        .unwrap();
    let r = h.vault.reader(&me).await.unwrap();
    r.get(a.id).await.unwrap();
    r.get(b.id).await.unwrap();
    let mine = h.vault.own_activity(&me, 5_000, 100).await.unwrap();
    assert_eq!(mine.len(), 2, "only my two reads, not the admin's creates");
    assert!(mine.iter().all(|e| e.actor_id == me.id()));
    assert_eq!(
        mine[0].customer_id.as_deref(),
        Some(b.id.to_string().as_str())
    );
    assert_eq!(
        mine[1].customer_id.as_deref(),
        Some(a.id.to_string().as_str())
    );
    let last = h.vault.own_activity(&me, 5_000, 1).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].customer_id, mine[0].customer_id);
}
