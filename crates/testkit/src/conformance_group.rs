//! Conformance tests for the group commit: concurrent requests committed together keep their
//! own answers (a refusal is the refused request's alone), the log stays gapless, and a group
//! that cannot be committed fails every request in it and writes nothing.

use crate::{Harness, marked_customer};
use jaga_core::CoreError;
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::store::{CustomerRow, Store, StoreError, WrappedKey};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

/// A copy of `base` with a fresh id and the code `code`.
fn copy_row(base: &CustomerRow, code: &str) -> CustomerRow {
    let mut r = base.clone();
    r.id = Uuid::new_v4();
    r.code = code.to_string();
    r
}

/// Many concurrent inserts and reads, a few of them colliding on a customer code: exactly the
/// colliding ones fail (with the named constraint), every other one is durable and audited once,
/// and the log is gapless with a correct root.
pub async fn concurrent_requests_keep_their_own_answers(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let base = w.create(&marked_customer("Group", 1)).await.unwrap();
    let loaded = h.store.customer_load(base.id).await.unwrap().unwrap();
    let (row, key) = (loaded.row, loaded.key.unwrap());
    let before = h.store.audit_head().await.unwrap().size;

    let n = 60usize;
    let mut tasks = Vec::new();
    for i in 0..n {
        let s = h.store.clone();
        // Every tenth insert reuses the existing customer's code.
        let code = if i % 10 == 3 {
            row.code.clone()
        } else {
            format!("JG-GRP{i:04}")
        };
        let r = copy_row(&row, &code);
        let k: WrappedKey = key.clone();
        let rec = AuditRecord::new(&admin, AuditAction::CustomerCreate).customer(r.id);
        let id = r.id;
        tasks.push(tokio::spawn(async move {
            (id, i, s.customer_insert(r, k, rec).await)
        }));
    }
    let reads: Vec<_> = (0..n)
        .map(|_| {
            let v = h.vault.clone();
            let admin = admin.clone();
            tokio::spawn(async move { v.reader(&admin).await.unwrap().get(base.id).await })
        })
        .collect();
    let mut ok = Vec::new();
    for t in tasks {
        let (id, i, res) = t.await.unwrap();
        if i % 10 == 3 {
            assert!(
                matches!(res, Err(StoreError::Unique("customer_code"))),
                "insert {i} reused a code: {res:?}"
            );
            assert!(h.store.customer_load(id).await.unwrap().is_none());
        } else {
            res.unwrap_or_else(|e| panic!("insert {i} failed: {e}"));
            ok.push(id);
        }
    }
    for r in reads {
        assert_eq!(r.await.unwrap().unwrap().id, base.id);
    }
    for id in &ok {
        assert!(h.store.customer_load(*id).await.unwrap().is_some());
    }
    let size = crate::conformance::verify_log(h.store.as_ref()).await;
    assert_eq!(
        size,
        before + ok.len() as u64 + n as u64,
        "one event per successful insert and per read, none for refused inserts"
    );
    // Every successful insert is audited exactly once, under its own customer id.
    let events = h.store.audit_events(before, 10_000).await.unwrap();
    for id in &ok {
        let mine = events
            .iter()
            .filter(|e| {
                let ev = jaga_audit::event::decode(&e.leaf).unwrap();
                ev.customer_id.as_deref() == Some(id.to_string().as_str())
            })
            .count();
        assert_eq!(mine, 1, "insert of {id} audited once");
    }
}

/// Runs a statement against the raw database (to break and repair it behind the store's back).
pub type Exec = Box<dyn Fn(&'static str) -> Pin<Box<dyn Future<Output = ()>>>>;

/// While every audit insert is refused by the database (`break_sql`), concurrent creates,
/// updates and reads all fail with a store error, nothing of them is written and the head does
/// not move; once repaired (`repair_sql`), the same store serves again without a restart.
pub async fn failed_group_fails_every_request(
    store: Arc<dyn Store>,
    exec: Exec,
    break_sql: &'static str,
    repair_sql: &'static str,
) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let base = w.create(&marked_customer("Fail", 1)).await.unwrap();
    // Each update gets a customer of its own: concurrent updates of one customer would refuse
    // each other (stale version) before the group ever reached the failing statement.
    let mut to_update = Vec::new();
    for i in 0..4u32 {
        to_update.push(
            w.create(&marked_customer(&format!("FailUpd{i}"), 20 + i))
                .await
                .unwrap()
                .id,
        );
    }
    let head = h.store.audit_head().await.unwrap();

    exec(break_sql).await;
    let mut tasks = Vec::new();
    for i in 0..12u32 {
        let v = h.vault.clone();
        let admin = admin.clone();
        let target = to_update[(i / 3) as usize];
        tasks.push(tokio::spawn(async move {
            let r = v.reader(&admin).await.unwrap();
            let w = v.writer(&admin).await.unwrap();
            match i % 3 {
                0 => w
                    .create(&marked_customer(&format!("FailNew{i}"), 10 + i))
                    .await
                    .map(|_| ()),
                1 => r.get(base.id).await.map(|_| ()),
                _ => w
                    .update(
                        target,
                        &serde_json::from_value(serde_json::json!({"notes": format!("n{i}")}))
                            .unwrap(),
                    )
                    .await
                    .map(|_| ()),
            }
        }));
    }
    for t in tasks {
        let res = t.await.unwrap();
        assert!(
            matches!(res, Err(CoreError::Store(StoreError::Database(_)))),
            "every request of a failed group fails: {res:?}"
        );
    }
    assert_eq!(h.store.audit_head().await.unwrap(), head, "head unchanged");
    for id in &to_update {
        let found = h.store.customer_load(*id).await.unwrap().unwrap().row;
        assert_eq!(found.version, 1, "no update was written");
    }

    exec(repair_sql).await;
    let c = w.create(&marked_customer("FailAfter", 40)).await.unwrap();
    h.vault
        .reader(&admin)
        .await
        .unwrap()
        .get(c.id)
        .await
        .unwrap();
    let size = crate::conformance::verify_log(h.store.as_ref()).await;
    assert_eq!(
        size,
        head.size + 2,
        "only the two requests after the repair"
    );
}

/// `Idempotency-Key` records: one claim wins, a finished record is returned with its answer,
/// a different request is visible as such, an abandoned claim is taken over only by the same
/// request, an expired record by anyone, and purging removes only old records.
pub async fn idempotency_records_claim_once(store: Arc<dyn Store>) {
    use jaga_core::store::{IdempotencyClaim, StoredResponse};
    let s = store.as_ref();
    let (id, req, other) = (vec![1u8; 32], vec![2u8; 32], vec![3u8; 32]);
    let t = 1_000_000i64;
    assert_eq!(
        s.idempotency_claim(&id, &req, t, t + 60, t - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    // Racing claims of one key: none wins while the first holds its lease.
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let st = store.clone();
            let (id, req) = (id.clone(), req.clone());
            tokio::spawn(async move {
                st.idempotency_claim(&id, &req, t + 1, t + 61, t - 86_400)
                    .await
            })
        })
        .collect();
    for r in racers {
        match r.await.unwrap().unwrap() {
            IdempotencyClaim::Existing(row) => {
                assert_eq!(row.request, req);
                assert!(row.response.is_none(), "still running");
            }
            other => panic!("a second claim must not win: {other:?}"),
        }
    }
    let answer = StoredResponse {
        status: 201,
        content_type: Some("application/json".into()),
        location: Some("/v1/customers/x".into()),
        body: b"sealed".to_vec(),
    };
    assert!(s.idempotency_complete(&id, &answer).await.unwrap());
    assert!(
        !s.idempotency_complete(&id, &answer).await.unwrap(),
        "a finished record is not completed twice"
    );
    match s
        .idempotency_claim(&id, &other, t + 2, t + 62, t - 86_400)
        .await
        .unwrap()
    {
        IdempotencyClaim::Existing(row) => {
            assert_eq!(row.request, req, "the first request's digest is kept");
            assert_eq!(row.response, Some(answer.clone()));
        }
        other => panic!("{other:?}"),
    }
    // Release only gives back pending claims.
    s.idempotency_release(&id).await.unwrap();
    assert!(matches!(
        s.idempotency_claim(&id, &req, t + 3, t + 63, t - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Existing(_)
    ));

    // An abandoned claim (lease over) is taken over by the same request only.
    let id2 = vec![4u8; 32];
    assert_eq!(
        s.idempotency_claim(&id2, &req, t, t + 60, t - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    assert!(matches!(
        s.idempotency_claim(&id2, &other, t + 100, t + 160, t - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Existing(_)
    ));
    assert_eq!(
        s.idempotency_claim(&id2, &req, t + 100, t + 160, t - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    s.idempotency_release(&id2).await.unwrap();
    assert_eq!(
        s.idempotency_claim(&id2, &other, t + 101, t + 161, t - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed,
        "a released key is free"
    );

    // After 24 hours a finished record is anyone's again; purging drops old records only.
    let later = t + 86_400 + 10;
    assert_eq!(
        s.idempotency_claim(&id, &other, later, later + 60, later - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );
    assert_eq!(
        s.idempotency_purge(t + 50).await.unwrap(),
        0,
        "id2 was re-created at t+101"
    );
    assert_eq!(s.idempotency_purge(t + 102).await.unwrap(), 1);
    assert!(matches!(
        s.idempotency_claim(&id, &req, later + 1, later + 61, later - 86_400)
            .await
            .unwrap(),
        IdempotencyClaim::Existing(_)
    ));
}
