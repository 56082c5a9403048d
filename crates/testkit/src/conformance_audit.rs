//! Conformance tests for [`CheckpointStore`](jaga_core::store::CheckpointStore): stored checkpoints, proof nodes, batched
//! appends and report queries behave the same on every store.

use crate::Harness;
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::store::{EventFilter, Store, StoredCheckpoint};
use std::sync::Arc;

/// Batched appends are contiguous, proofs from stored nodes verify against the head, and
/// checkpoints are stored once per size.
pub async fn checkpoints_proofs_and_batches(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let s = h.store.as_ref();
    let start = s.audit_head().await.unwrap().size;
    let caller = crate::system_caller("conf");
    let cust = uuid::Uuid::new_v4();
    let recs: Vec<AuditRecord> = (0..37)
        .map(|i| {
            let r = AuditRecord::new(&caller, AuditAction::CustomerRead);
            if i % 5 == 0 { r.customer(cust) } else { r }
        })
        .collect();
    let first = s.audit_append_batch(recs).await.unwrap();
    assert_eq!(first, start);
    let head = s.audit_head().await.unwrap();
    assert_eq!(head.size, start + 37);
    for index in [0, 1, start + 5, head.size - 1] {
        let proof = jaga_core::audit::log::inclusion(s, index, head.size)
            .await
            .unwrap();
        let e = s.audit_event(index).await.unwrap().unwrap();
        jaga_audit::verify_inclusion(&e.leaf_hash, index, head.size, &proof, &head.root).unwrap();
    }
    let old = jaga_core::audit::log::root_at(s, 13).await.unwrap();
    let proof = jaga_core::audit::log::consistency(s, 13, head.size)
        .await
        .unwrap();
    jaga_audit::verify_consistency(13, head.size, &old, &head.root, &proof).unwrap();
    assert!(matches!(
        jaga_core::audit::log::inclusion(s, 0, head.size + 1).await,
        Err(jaga_core::CoreError::OutOfRange(_))
    ));
    assert!(s.audit_event(head.size).await.unwrap().is_none());

    let by_customer = s
        .audit_events_matching(
            &EventFilter {
                customer_id: Some(cust),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .unwrap();
    assert_eq!(by_customer.len(), 8);
    let by_actor = s
        .audit_events_matching(
            &EventFilter {
                actor_id: Some("conf".into()),
                ..Default::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(by_actor.len(), 10, "limit applies");
    assert!(by_actor.windows(2).all(|w| w[0].seq < w[1].seq));

    assert!(s.checkpoint_latest().await.unwrap().is_none());
    let cp = StoredCheckpoint {
        size: head.size,
        root: head.root,
        note: "n".into(),
        created_at: 1,
    };
    assert!(s.checkpoint_insert(cp.clone()).await.unwrap());
    assert!(
        !s.checkpoint_insert(cp.clone()).await.unwrap(),
        "one checkpoint per size"
    );
    let small = StoredCheckpoint {
        size: 3,
        root: [1; 32],
        note: "m".into(),
        created_at: 2,
    };
    assert!(s.checkpoint_insert(small.clone()).await.unwrap());
    assert_eq!(s.checkpoint_latest().await.unwrap(), Some(cp.clone()));
    assert_eq!(s.checkpoint_list().await.unwrap(), vec![small, cp]);
}

/// A caller that abandons store calls mid-transaction (a client hanging up) neither wedges the
/// store nor splits a change from its audit events: every abandoned batch either committed whole,
/// with one audit event per customer, or not at all, and later writes go through.
pub async fn abandoned_calls_are_all_or_nothing(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let batch: Vec<_> = (0..200)
        .map(|i| crate::marked_customer(&format!("C{i}"), i))
        .collect();
    for i in 0..40u64 {
        // A big batch takes long enough that the timeout lands inside its transaction.
        let _ = tokio::time::timeout(
            std::time::Duration::from_micros(200 + i * 250),
            w.create_batch(&batch),
        )
        .await;
    }
    for i in 0..5 {
        w.create(&crate::marked_customer(&format!("After{i}"), 900 + i))
            .await
            .unwrap_or_else(|e| panic!("create {i} after abandoned calls: {e}"));
    }
    let size = crate::conformance::verify_log(store.as_ref()).await;
    let customers: u64 = store
        .dek_counts()
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    // 2 keyring events from initialisation, then one event per created customer.
    assert_eq!(
        size,
        2 + customers,
        "each customer has exactly one create event"
    );
    assert_eq!(customers % 200, 5, "batches are all-or-nothing");
}
