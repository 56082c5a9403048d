//! The store conformance suite on PostgreSQL, plus PostgreSQL-specific checks: what `pg_dump`
//! sees, two nodes sharing one database, and the append-only triggers.
//!
//! Test databases come from `common` (see there for `JAGA_TEST_POSTGRES_URL` and
//! `JAGA_REQUIRE_POSTGRES`).

mod common;

use common::{fresh, fresh_database, fresh_with_url, required};
use jaga_core::store::Store;
use jaga_core::unseal::UnsealConfig;
use jaga_core::vault::Vault;
use jaga_store_postgres::PostgresStore;
use jaga_testkit::{Harness, marked_customer};
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;

jaga_testkit::conformance_tests!(fresh().await);

/// A plain-text dump of the database holds none of the customers' values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_contains_no_plaintext() {
    let Some((store, url)) = fresh_with_url().await else {
        return;
    };
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let markers: Vec<String> = (0..4)
        .map(|i| {
            format!(
                "Qzx{}Mrk{i}",
                uuid::Uuid::new_v4().simple().to_string()[..10].to_uppercase()
            )
        })
        .collect();
    let mut ids = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        ids.push(
            w.create(&marked_customer(m, i as u32 + 1))
                .await
                .unwrap()
                .id,
        );
    }
    let batch: Vec<_> = (0..3)
        .map(|i| marked_customer(&format!("{}B{i}", markers[0]), 50 + i))
        .collect();
    w.create_batch(&batch).await.unwrap();
    // Reads, a reveal and an erasure, so the audit tables and dead tuples are in play too.
    h.vault
        .reader(&admin)
        .await
        .unwrap()
        .get(ids[0])
        .await
        .unwrap();
    h.vault
        .revealer(&admin, Some("ticket CS-9"))
        .await
        .unwrap()
        .get(ids[1], &[jaga_core::model::Field::Email])
        .await
        .unwrap();
    h.vault
        .eraser(&admin)
        .await
        .unwrap()
        .erase(ids[2])
        .await
        .unwrap();

    let out = match std::process::Command::new("pg_dump")
        .arg("--no-owner")
        .arg("--dbname")
        .arg(&url)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required() => {
            jaga_testkit::skip::skipped("pg_dump check", "pg_dump not found on PATH");
            return;
        }
        Err(e) => panic!("cannot run pg_dump: {e}"),
    };
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(
        dump.contains("copy public.customers") && dump.contains("copy public.audit_event"),
        "the dump has the data"
    );
    for m in &markers {
        assert_eq!(
            dump.matches(&m.to_lowercase()).count(),
            0,
            "marker {m} found in pg_dump output"
        );
    }
}

/// Two nodes (two pools, two vaults) writing at once: one gapless log with a correct root.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_one_gapless_log() {
    let Some((store_a, url)) = fresh_with_url().await else {
        return;
    };
    let h = Harness::new(store_a).await;
    let store_b: Arc<dyn Store> = Arc::new(PostgresStore::open(&url).await.expect("second node"));
    let config = UnsealConfig::Keyfile {
        key_file: "root.key".into(),
        root_check: UnsealConfig::encode_check(&jaga_crypto::unseal::root_check(&h.root)),
    };
    let vault_b = Arc::new(Vault::new(store_b.clone(), config));
    vault_b
        .unseal_with_root(h.root.clone())
        .await
        .expect("unseal second node");
    let vaults = [h.vault.clone(), vault_b];
    let (tasks_per_node, creates_per_task) = (6u32, 12u32);
    let mut tasks = Vec::new();
    for (node, vault) in vaults.iter().enumerate() {
        for t in 0..tasks_per_node {
            let vault = vault.clone();
            let admin = h.admin();
            tasks.push(tokio::spawn(async move {
                let w = vault.writer(&admin).await.unwrap();
                for i in 0..creates_per_task {
                    let n = (node as u32 * 1000) + t * 100 + i;
                    let c = w
                        .create(&marked_customer(&format!("Node{node}T{t}I{i}"), n))
                        .await
                        .unwrap();
                    if i % 4 == 0 {
                        vault.reader(&admin).await.unwrap().get(c.id).await.unwrap();
                    }
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let creates = u64::from(2 * tasks_per_node * creates_per_task);
    let reads = u64::from(2 * tasks_per_node * creates_per_task.div_ceil(4));
    // 2 keyring events from initialisation, then every create and read.
    let size = jaga_testkit::conformance::verify_log(h.store.as_ref()).await;
    assert_eq!(size, 2 + creates + reads);
    assert_eq!(
        store_b.audit_head().await.unwrap(),
        h.store.audit_head().await.unwrap(),
        "both nodes see one head"
    );
}

/// The audit tables refuse updates, deletes and truncation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_tables_are_append_only() {
    let Some((store, url)) = fresh_with_url().await else {
        return;
    };
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    for i in 0..3 {
        w.create(&marked_customer(&format!("App{i}"), i))
            .await
            .unwrap();
    }
    let mut conn = PgConnection::connect(&url).await.unwrap();
    for sql in [
        "UPDATE audit_event SET action = 'x'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "UPDATE audit_node SET hash = ''::bytea",
        "DELETE FROM audit_node",
        "TRUNCATE audit_node",
    ] {
        let err = conn.execute(sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    jaga_testkit::conformance::verify_log(h.store.as_ref()).await;
}

/// Unique violations are named, and carry no values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_violations_are_named() {
    let Some(store) = fresh().await else { return };
    let h = Harness::new(store).await;
    let c = h
        .vault
        .writer(&h.admin())
        .await
        .unwrap()
        .create(&marked_customer("Uniq", 1))
        .await
        .unwrap();
    let mut row = h.store.customer_load(c.id).await.unwrap().unwrap();
    let key = row.key.take().unwrap();
    row.row.id = uuid::Uuid::new_v4();
    let before = h.store.audit_head().await.unwrap();
    let err = h
        .store
        .customer_insert(
            row.row,
            key,
            jaga_core::audit::AuditRecord::new(
                &h.admin(),
                jaga_core::audit::AuditAction::CustomerCreate,
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, jaga_core::store::StoreError::Unique("customer_code")),
        "{err}"
    );
    assert!(!err.to_string().contains(&c.code));
    assert_eq!(
        h.store.audit_head().await.unwrap(),
        before,
        "nothing written"
    );
}

/// Several processes starting at once against a new database: migrations run exactly once
/// (sqlx's migrator holds an advisory lock) and every node works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_opens_migrate_once() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { PostgresStore::open(&url).await })
        })
        .collect();
    for h in handles {
        let store = h.await.unwrap().expect("open");
        store.ping().await.unwrap();
        assert_eq!(store.audit_head().await.unwrap().size, 0);
    }
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    assert_eq!(applied, files as i64, "each migration applied once");
}

/// A group the database refuses (every audit insert raises) fails every request in it and
/// writes nothing; once the fault is gone the same store serves again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_group_fails_every_request_and_the_store_recovers() {
    let Some((store, url)) = fresh_with_url().await else {
        return;
    };
    let exec: jaga_testkit::conformance_group::Exec = Box::new(move |sql| {
        let url = url.clone();
        Box::pin(async move {
            let o = std::process::Command::new("psql")
                .args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", sql])
                .output()
                .expect("run psql");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        })
    });
    jaga_testkit::conformance_group::failed_group_fails_every_request(
        store,
        exec,
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$; \
         CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event \
         FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit();",
        "DROP TRIGGER refuse_audit ON audit_event; DROP FUNCTION refuse_audit();",
    )
    .await;
}
