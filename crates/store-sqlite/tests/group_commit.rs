//! Group commit on SQLite: a group the database refuses fails every request in it, writes
//! nothing, and the store serves again once the database does (no restart, no repair).

use jaga_core::store::Store;
use jaga_store_sqlite::SqliteStore;
use sqlx::Connection;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_group_fails_every_request_and_the_store_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
    let exec_url = url.clone();
    let exec: jaga_testkit::conformance_group::Exec = Box::new(move |sql| {
        let url = exec_url.clone();
        Box::pin(async move {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        })
    });
    jaga_testkit::conformance_group::failed_group_fails_every_request(
        store,
        exec,
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event \
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
        "DROP TRIGGER refuse_audit;",
    )
    .await;
}
