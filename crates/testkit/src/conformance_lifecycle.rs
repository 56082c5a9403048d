//! Conformance of [`LifecycleStore`](jaga_core::store::LifecycleStore): erased customers in
//! erasure order with who erased them, paged by cursor; counts.

use crate::{Harness, marked_customer};
use jaga_core::store::Store;
use std::sync::Arc;

/// Erasures come back in `(erased_at, id)` order, paged, with the erasing actor; counts move.
pub async fn erasures_are_listed_in_order_with_their_actor(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            w.create(&marked_customer(&format!("Lc{i}"), i))
                .await
                .unwrap()
                .id,
        );
    }
    let before = store.lifecycle_counts().await.unwrap();
    assert_eq!((before.customers, before.erased), (5, 0));
    assert!(
        store
            .erasures_after(i64::MIN, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let e = h.vault.eraser(&admin).await.unwrap();
    for id in [ids[3], ids[0], ids[4]] {
        e.erase(id).await.unwrap();
    }
    let all = store.erasures_after(i64::MIN, None, 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(
        all.windows(2)
            .all(|p| (p[0].erased_at, p[0].id) < (p[1].erased_at, p[1].id)),
        "ordered by (erased_at, id)"
    );
    let mut got: Vec<_> = all.iter().map(|x| x.id).collect();
    got.sort();
    let mut want = vec![ids[3], ids[0], ids[4]];
    want.sort();
    assert_eq!(got, want);
    assert!(
        all.iter().all(|x| x.by.as_deref() == Some(admin.id())),
        "{all:?}"
    );
    assert!(all.iter().all(|x| x.segment == "default"));
    // Paging by cursor visits each exactly once.
    let first = store.erasures_after(i64::MIN, None, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    let last = first.last().unwrap();
    let rest = store
        .erasures_after(last.erased_at, Some(last.id), 2)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id, all[2].id);
    let after = store.lifecycle_counts().await.unwrap();
    assert_eq!((after.customers, after.erased), (2, 3));
    assert!(after.audit_events > before.audit_events);
}

fn order_with_extras(order_ref: &str) -> jaga_core::model::NewOrder {
    serde_json::from_value(serde_json::json!({
        "order_ref": order_ref, "amount_minor": 99000, "currency": "idr", "status": "paid",
        "items": [{"sku": "TNR-02", "name": "Toner", "quantity": 1, "unit_price_minor": 99000}],
        "payment": {"gateway": "midtrans", "token": "tok_ret1", "card_brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2030},
        "notes": "titip satpam"
    }))
    .unwrap()
}

/// Retention (the policy's periods, measured from the customer's last activity) clears or
/// erases what expired at the given time and nothing else; a second run finds nothing; every
/// change is audited as Jaga's retention, with counts and no value in the run's event.
pub async fn retention_applies_what_expired_and_nothing_else(store: Arc<dyn Store>) {
    use jaga_core::model::Field;
    use jaga_core::policy::{Category, EndAction, Policy, PolicyFile, default_rule};
    use jaga_core::retention::DAY_MS;
    use jaga_core::store::RetentionTarget;
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let a = w.create(&marked_customer("RetA", 1)).await.unwrap().id;
    let b = w.create(&marked_customer("RetB", 2)).await.unwrap().id;
    h.vault
        .order_writer(&admin)
        .await
        .unwrap()
        .add(b, &order_with_extras("INV/RET/1"))
        .await
        .unwrap();
    let now = jaga_core::now_ms();
    let mut policy = Policy::from_file(PolicyFile::default()).unwrap();
    let mut pay = default_rule(Category::PaymentReferences);
    pay.retention_days = 30;
    policy.rules.insert(Category::PaymentReferences, pay);
    let row = |id| {
        let s = store.clone();
        async move { s.customer_load(id).await.unwrap().unwrap().row }
    };

    // 29 days on: nothing has expired.
    let r = h
        .vault
        .apply_retention(&policy, now + 29 * DAY_MS)
        .await
        .unwrap();
    assert_eq!((r.erased(), r.cleared()), (0, 0), "{r:?}");
    assert!(row(a).await.fields.iter().all(Option::is_some));

    // 31 days on: only the payment references of b's order.
    let r = h
        .vault
        .apply_retention(&policy, now + 31 * DAY_MS)
        .await
        .unwrap();
    assert_eq!((r.erased(), r.cleared()), (0, 1), "{r:?}");
    let pay = r
        .steps
        .iter()
        .find(|s| s.category == "payment_references")
        .unwrap();
    assert_eq!(pay.cleared, 1);
    assert!(row(a).await.fields.iter().all(Option::is_some));
    assert_eq!(
        store
            .retention_due(
                now + DAY_MS,
                &RetentionTarget::Parts {
                    fields: vec![],
                    order_notes: false,
                    order_payment: true,
                    tokens: false
                },
                None,
                10
            )
            .await
            .unwrap(),
        Vec::<uuid::Uuid>::new(),
        "b's payment reference is gone"
    );

    // 366 days on: identity, preferences and notes of both; contact and address stay.
    let before = store.audit_head().await.unwrap().size;
    let r = h
        .vault
        .apply_retention(&policy, now + 366 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(r.erased(), 0, "{r:?}");
    for cat in ["identity", "preferences", "notes"] {
        let s = r.steps.iter().find(|s| s.category == cat).unwrap();
        assert_eq!((s.cleared, s.action.as_str()), (2, "erase"), "{cat}");
    }
    let ra = row(a).await;
    for f in [
        Field::NationalId,
        Field::BirthDate,
        Field::Preferences,
        Field::Notes,
    ] {
        assert!(ra.fields[f.index()].is_none(), "{f:?} cleared");
    }
    for f in [Field::FullName, Field::Email, Field::Phone, Field::Address] {
        assert!(ra.fields[f.index()].is_some(), "{f:?} kept");
    }
    assert!(ra.national_id_index.is_none() && ra.email_index.is_some());
    assert!(ra.erased_at.is_none());
    // Audited: one retention.apply per customer and category, then the run's counts.
    let evs = store.audit_events(before, 100).await.unwrap();
    let evs: Vec<_> = evs
        .iter()
        .map(|e| jaga_audit::event::decode(&e.leaf).unwrap())
        .collect();
    let applied = evs.iter().filter(|e| e.action == "retention.apply").count();
    assert_eq!(applied, 6);
    let run = evs.last().unwrap();
    assert_eq!(
        (run.action.as_str(), run.actor_id.as_str()),
        ("retention.run", "retention")
    );
    assert!(
        run.fields.contains(&"cleared:6".to_string()),
        "{:?}",
        run.fields
    );
    // Again at the same time: nothing left to do.
    let r = h
        .vault
        .apply_retention(&policy, now + 366 * DAY_MS)
        .await
        .unwrap();
    assert_eq!((r.erased(), r.cleared()), (0, 0));

    // A cutoff before the last activity clears nothing (the store re-checks in the write).
    let target = RetentionTarget::Parts {
        fields: vec![Field::FullName],
        order_notes: false,
        order_payment: false,
        tokens: false,
    };
    let rec =
        jaga_core::audit::AuditRecord::new(&admin, jaga_core::audit::AuditAction::RetentionApply);
    assert!(
        !store
            .retention_clear(a, now - DAY_MS, &target, now, rec.clone())
            .await
            .unwrap()
    );
    assert!(row(a).await.fields[Field::FullName.index()].is_some());
    // A whole customer with a cutoff before their last activity is not erased either.
    assert!(
        !store
            .retention_clear(a, now - DAY_MS, &RetentionTarget::Customer, now, rec)
            .await
            .unwrap()
    );
    assert!(row(a).await.erased_at.is_none());

    // 731 days on: contact's period ends with `erase`: both are crypto-shredded.
    let r = h
        .vault
        .apply_retention(&policy, now + 731 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(r.erased(), 2, "{r:?}");
    assert!(row(a).await.erased_at.is_some() && row(b).await.erased_at.is_some());
    let erased = store.erasures_after(i64::MIN, None, 10).await.unwrap();
    assert!(
        erased.iter().all(|e| e.by.as_deref() == Some("retention")),
        "{erased:?}"
    );

    // Anonymising instead keeps the record and clears what identifies.
    let c = w.create(&marked_customer("RetC", 3)).await.unwrap().id;
    let mut contact = default_rule(Category::Contact);
    contact.end_action = EndAction::Anonymise;
    policy.rules.insert(Category::Contact, contact);
    let r = h
        .vault
        .apply_retention(&policy, now + 731 * DAY_MS)
        .await
        .unwrap();
    assert_eq!(r.erased(), 0);
    let rc = row(c).await;
    assert!(rc.erased_at.is_none());
    for f in [
        Field::FullName,
        Field::Email,
        Field::Phone,
        Field::Address,
        Field::NationalId,
    ] {
        assert!(rc.fields[f.index()].is_none(), "{f:?}");
    }
    assert!(rc.email_index.is_none() && rc.phone_index.is_none());
}

/// The retention job's whole-customer erasure re-checks inactivity and "not erased" inside
/// the erasure's own transaction: a customer selected as due who then became active (a new
/// order, an update) is skipped with nothing written; one still inactive is crypto-shredded
/// (fields, index terms, tokens, key) with its audit event; a second erasure finds nothing.
pub async fn retention_erase_skips_a_customer_active_meanwhile(store: Arc<dyn Store>) {
    use jaga_core::audit::{AuditAction, AuditRecord};
    use jaga_core::model::{CustomerPatch, Field};
    use jaga_core::store::RetentionTarget;
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let ordered = w.create(&marked_customer("RetOrd", 11)).await.unwrap().id;
    let updated = w.create(&marked_customer("RetUpd", 12)).await.unwrap().id;
    let idle = w.create(&marked_customer("RetIdle", 13)).await.unwrap().id;
    // The cutoff is taken from the stored times, not from the clock after a pause: one
    // millisecond after the last of the three was written, so all three are due.
    let mut last_written = 0;
    for id in [ordered, updated, idle] {
        let found = store.customer_load(id).await.unwrap().unwrap();
        last_written = last_written.max(found.row.updated_at);
    }
    let cutoff = last_written + 1;
    let mut due = store
        .retention_due(cutoff, &RetentionTarget::Customer, None, 10)
        .await
        .unwrap();
    due.sort();
    let mut want = vec![ordered, updated, idle];
    want.sort();
    assert_eq!(due, want, "all three are due when selected");

    // Meanwhile: an order for one, an update of another. They are stamped by the vault's clock,
    // which must have reached the cutoff first (at most a millisecond: the cutoff is one past a
    // time already read from it); waited for as a condition, with a deadline, not a sleep.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while jaga_core::now_ms() < cutoff {
        assert!(
            std::time::Instant::now() < deadline,
            "the clock stands still"
        );
        tokio::task::yield_now().await;
    }
    h.vault
        .order_writer(&admin)
        .await
        .unwrap()
        .add(ordered, &order_with_extras("INV/RET/MEANWHILE"))
        .await
        .unwrap();
    let patch: CustomerPatch =
        serde_json::from_value(serde_json::json!({"notes": "baru"})).unwrap();
    w.update(updated, &patch).await.unwrap();

    let rec = |id| {
        AuditRecord::new(&admin, AuditAction::CustomerErase)
            .customer(id)
            .fields(["category:contact", "end:erase"])
    };
    for id in [ordered, updated] {
        let head = store.audit_head().await.unwrap().size;
        let erased = store
            .retention_clear(id, cutoff, &RetentionTarget::Customer, cutoff + 1, rec(id))
            .await
            .unwrap();
        assert!(!erased, "active since the cutoff: skipped");
        let found = store.customer_load(id).await.unwrap().unwrap();
        assert!(found.row.erased_at.is_none() && found.key.is_some());
        assert!(found.row.fields[Field::Email.index()].is_some());
        assert_eq!(
            store.audit_head().await.unwrap().size,
            head,
            "nothing written"
        );
    }
    // Still readable through the vault.
    assert!(
        h.vault
            .reader(&admin)
            .await
            .unwrap()
            .get(ordered)
            .await
            .is_ok()
    );

    let head = store.audit_head().await.unwrap().size;
    assert!(
        store
            .retention_clear(
                idle,
                cutoff,
                &RetentionTarget::Customer,
                cutoff + 1,
                rec(idle)
            )
            .await
            .unwrap()
    );
    let found = store.customer_load(idle).await.unwrap().unwrap();
    assert!(found.row.erased_at.is_some() && found.key.is_none());
    assert!(found.row.fields.iter().all(Option::is_none));
    assert!(found.row.email_index.is_none() && found.row.national_id_index.is_none());
    let evs = store.audit_events(head, 10).await.unwrap();
    assert_eq!(evs.len(), 1);
    let ev = jaga_audit::event::decode(&evs[0].leaf).unwrap();
    assert_eq!(ev.action, "customer.erase");
    assert_eq!(ev.customer_id.as_deref(), Some(idle.to_string().as_str()));
    assert!(matches!(
        h.vault.reader(&admin).await.unwrap().get(idle).await,
        Err(jaga_core::CoreError::Erased)
    ));
    // Erased already: nothing to do, nothing written.
    let head = store.audit_head().await.unwrap().size;
    assert!(
        !store
            .retention_clear(
                idle,
                cutoff,
                &RetentionTarget::Customer,
                cutoff + 2,
                rec(idle)
            )
            .await
            .unwrap()
    );
    assert_eq!(store.audit_head().await.unwrap().size, head);
}
