//! Segments: moving a customer between segments re-encrypts everything of it under the new
//! segment's keys in one audited transaction, and one segment's key-encryption key — handed to
//! a test together with the whole database, as an attacker would hold them — opens nobody of
//! another segment.

use crate::conformance::verify_log;
use crate::conformance_tokens::{NIK, first_token};
use crate::{Harness, marked_customer};
use jaga_core::CoreError;
use jaga_core::ForbiddenReason;
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Scope;
use jaga_core::model::{Field, NewCustomer, NewOrder};
use jaga_core::store::{CustomerWithKey, SegmentMove, Store, StoreError};
use jaga_crypto::Key32;
use jaga_crypto::field::{self, Context};
use jaga_crypto::keys;
use std::sync::Arc;
use uuid::Uuid;

fn in_segment(marker: &str, n: u32, segment: &str) -> NewCustomer {
    let mut c = marked_customer(marker, n);
    c.segment = Some(segment.into());
    c.notes = Some(format!("note {marker}, NIK {NIK} untuk faktur"));
    c
}

fn order(reference: &str) -> NewOrder {
    serde_json::from_value(serde_json::json!({
        "order_ref": reference,
        "items": [{"sku": "SERUM-1", "name": "Serum Niacinamide", "quantity": 1, "unit_price_minor": 129000}],
        "amount_minor": 129000,
        "currency": "IDR",
        "status": "paid",
        "payment": {"gateway": "midtrans", "token": "tok-gw-777", "card_brand": "visa", "last4": "4242"},
        "notes": "kirim pagi"
    }))
    .expect("valid order JSON")
}

/// The KEK of `version`, unwrapped with the root key (the attacker's or the vault's view).
async fn kek(h: &Harness, version: u32) -> Key32 {
    let rec = h
        .store
        .keys_load()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "kek" && r.version == version)
        .expect("the KEK version");
    keys::unwrap_under_root(&h.root, "kek", version, &rec.wrapped).unwrap()
}

fn dek_ctx<'a>(segment: &'a str, id: &'a str) -> Context<'a> {
    Context {
        segment,
        table: "customer_keys",
        record_id: id,
        field: "dek",
    }
}

fn field_ctx<'a>(segment: &'a str, id: &'a str, f: Field) -> Context<'a> {
    Context {
        segment,
        table: "customers",
        record_id: id,
        field: f.name(),
    }
}

/// Tries to open a stored customer's DEK with a segment KEK, under the segment the row names.
fn open_dek(seg_kek: &Key32, found: &CustomerWithKey) -> Option<Key32> {
    let id = found.row.id.to_string();
    let key = found.key.as_ref()?;
    let bytes = field::open(seg_kek, &dek_ctx(&found.row.segment, &id), &key.wrapped).ok()?;
    Key32::from_slice(&bytes)
}

fn events_named(leaves: &[Vec<u8>], action: &str) -> Vec<serde_json::Value> {
    leaves
        .iter()
        .map(|l| serde_json::from_slice::<serde_json::Value>(&l[1..]).unwrap())
        .filter(|v| v["action"] == action)
        .collect()
}

async fn leaves(store: &dyn Store) -> Vec<Vec<u8>> {
    let size = store.audit_head().await.unwrap().size;
    store
        .audit_events(0, size as u32)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.leaf)
        .collect()
}

/// A move from `vip` to `b2b`: a new DEK wrapped under the `b2b` segment KEK, every field,
/// order and token re-sealed (the values read back unchanged), the old segment's key and the
/// old DEK open nothing of the moved customer, one `customer.segment_move` event with ids,
/// segment names and counts only, and the log still verifies. Refusals: no scope, the same
/// segment, an invalid name, an unknown and an erased customer.
pub async fn moving_a_customer_reseals_everything_under_the_new_segment(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let c = w.create(&in_segment("Pindah", 1, "vip")).await.unwrap();
    let stay = w.create(&in_segment("Tetap", 2, "vip")).await.unwrap();
    let ow = h.vault.order_writer(&admin).await.unwrap();
    ow.add(c.id, &order("INV/2026/12/0001")).await.unwrap();
    let mut with_nik = order("INV/2026/12/0002");
    with_nik.notes = Some(format!("NIK {NIK} minta faktur"));
    ow.add(c.id, &with_nik).await.unwrap();
    let reveal_all = |id: Uuid| {
        let h = &h;
        async move {
            let admin = h.admin();
            h.vault
                .revealer(&admin, Some("cek data setelah pindah segmen"))
                .await?
                .get(id, &Field::ALL)
                .await
        }
    };
    let list = |id: Uuid| {
        let h = &h;
        async move {
            let admin = h.admin();
            h.vault.order_reader(&admin).await?.list(id).await
        }
    };
    let before = reveal_all(c.id).await.unwrap();
    let orders_before = list(c.id).await.unwrap();
    let token = first_token(before.notes.as_deref().unwrap()).expect("a token in the note");
    let old = h.store.customer_load(c.id).await.unwrap().unwrap();
    let (old_orders, old_tokens) = h.store.customer_sealed_load(c.id).await.unwrap();
    assert_eq!(old_orders.len(), 2);
    assert!(old_orders.iter().all(|o| o.segment == "vip"));
    // The note's NIK and the order's are one value of one owner: one token.
    assert_eq!(old_tokens.len(), 1);

    // Refusals first: nothing of these changes the customer.
    let no_scope = h.caller(&[Scope::CustomersRead, Scope::CustomersWrite]);
    assert!(matches!(
        h.vault.segment_mover(&no_scope).await.err(),
        Some(CoreError::Forbidden(ForbiddenReason::Scope(
            Scope::CustomersMove
        )))
    ));
    let mover = h.vault.segment_mover(&admin).await.unwrap();
    for (to, code) in [("vip", "same_segment"), ("VIP!", "invalid_segment")] {
        match mover.move_to(c.id, to).await {
            Err(CoreError::Invalid(es)) => assert_eq!(es[0].code, code, "{to}"),
            other => panic!("{to}: {other:?}"),
        }
    }
    assert!(matches!(
        mover.move_to(Uuid::new_v4(), "b2b").await,
        Err(CoreError::NotFound)
    ));
    assert_eq!(
        h.store.customer_load(c.id).await.unwrap().unwrap().row,
        old.row,
        "refusals changed nothing"
    );

    // The move.
    let moved = mover.move_to(c.id, "b2b").await.unwrap();
    assert_eq!(
        (
            moved.from.as_str(),
            moved.to.as_str(),
            moved.orders,
            moved.tokens
        ),
        ("vip", "b2b", 2, 1)
    );
    let new = h.store.customer_load(c.id).await.unwrap().unwrap();
    assert_eq!(new.row.segment, "b2b");
    assert_eq!(new.row.version, old.row.version + 1);
    assert_eq!(new.row.code, old.row.code, "the customer code stays");
    assert_eq!(
        new.row.email_index, old.row.email_index,
        "lookups still work"
    );
    for f in Field::ALL {
        if old.row.fields[f.index()].is_some() {
            assert_ne!(
                new.row.fields[f.index()],
                old.row.fields[f.index()],
                "{f:?} re-sealed"
            );
        }
    }
    let (new_orders, new_tokens) = h.store.customer_sealed_load(c.id).await.unwrap();
    assert!(new_orders.iter().all(|o| o.segment == "b2b"));
    for o in &new_orders {
        let was = old_orders.iter().find(|x| x.id == o.id).unwrap();
        assert_ne!(o.items, was.items, "order items re-sealed");
        assert_eq!(o.order_ref, was.order_ref);
    }
    for t in &new_tokens {
        let was = old_tokens.iter().find(|x| x.token == t.token).unwrap();
        assert_ne!(t.value, was.value, "token value re-sealed");
    }

    // Everything reads back the same through the vault (the view's segment aside).
    let after = reveal_all(c.id).await.unwrap();
    assert_eq!(after.segment, "b2b");
    let strip = |v: &jaga_core::model::CustomerView| {
        let mut j = serde_json::to_value(v).unwrap();
        let o = j.as_object_mut().unwrap();
        o.remove("segment");
        o.remove("updated_at");
        j
    };
    assert_eq!(
        strip(&after),
        strip(&before),
        "every value reads back the same"
    );
    let orders_after = list(c.id).await.unwrap();
    assert_eq!(
        serde_json::to_value(&orders_after).unwrap(),
        serde_json::to_value(&orders_before).unwrap()
    );
    let resolver = h
        .vault
        .token_resolver(&admin, Some("cek faktur setelah pindah"))
        .await
        .unwrap();
    assert_eq!(resolver.resolve(&token).await.unwrap().value, NIK);
    let order_token = first_token(
        orders_after
            .iter()
            .find_map(|o| o.notes.as_deref().filter(|n| n.contains("tok_")))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(order_token, token, "the order's note holds the same token");
    let found = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .lookup_page(&jaga_core::model::Lookup::Email(
            "pindah@example.co.id".into(),
        ))
        .await
        .unwrap();
    assert_eq!(found.customers.len(), 1);
    assert_eq!(found.customers[0].id, c.id);

    // The old segment's keys open nothing of the moved customer.
    let k1 = kek(&h, 1).await;
    let (vip_kek, b2b_kek) = (keys::segment_kek(&k1, "vip"), keys::segment_kek(&k1, "b2b"));
    let id = c.id.to_string();
    let old_dek = open_dek(&vip_kek, &old).expect("positive control: the old DEK opens");
    let wrapped = &new.key.as_ref().unwrap().wrapped;
    for seg in ["vip", "b2b"] {
        assert!(field::open(&vip_kek, &dek_ctx(seg, &id), wrapped).is_err());
    }
    let new_dek = open_dek(&b2b_kek, &new).expect("the b2b KEK opens the new DEK");
    assert_ne!(new_dek.expose(), old_dek.expose(), "a new DEK");
    let email_ct = new.row.fields[Field::Email.index()].as_ref().unwrap();
    for seg in ["vip", "b2b"] {
        assert!(
            field::open(&old_dek, &field_ctx(seg, &id, Field::Email), email_ct).is_err(),
            "the old DEK opens the moved e-mail under {seg}"
        );
    }
    assert_eq!(
        &field::open(&new_dek, &field_ctx("b2b", &id, Field::Email), email_ct).unwrap()[..],
        b"pindah@example.co.id",
        "positive control"
    );
    // The old ciphertexts (a copy taken before the move) do not open under the new segment.
    let old_email = old.row.fields[Field::Email.index()].as_ref().unwrap();
    assert!(field::open(&new_dek, &field_ctx("b2b", &id, Field::Email), old_email).is_err());

    // The customer left in `vip` is untouched.
    assert_eq!(
        h.store
            .customer_load(stay.id)
            .await
            .unwrap()
            .unwrap()
            .row
            .segment,
        "vip"
    );
    reveal_all(stay.id).await.unwrap();

    // One audit event, ids and names only; the log verifies.
    let all = leaves(h.store.as_ref()).await;
    let moves = events_named(&all, "customer.segment_move");
    let ok: Vec<_> = moves.iter().filter(|v| v["outcome"] == "ok").collect();
    assert_eq!(ok.len(), 1, "{moves:?}");
    assert_eq!(ok[0]["customer_id"], c.id.to_string());
    assert_eq!(
        ok[0]["fields"],
        serde_json::json!(["from:vip", "to:b2b", "orders:2", "tokens:1"])
    );
    for l in &all {
        let text = String::from_utf8_lossy(l);
        assert!(!text.contains("Pindah") && !text.contains(NIK), "{text}");
    }
    verify_log(h.store.as_ref()).await;

    // Erased: audited and refused.
    h.vault
        .eraser(&admin)
        .await
        .unwrap()
        .erase(c.id)
        .await
        .unwrap();
    assert!(matches!(
        mover.move_to(c.id, "vip").await,
        Err(CoreError::Erased)
    ));
}

/// The store refuses a move whose orders or tokens are not exactly the customer's (an order
/// added meanwhile), or whose row version is stale, writing nothing; and it refuses an order
/// sealed for a segment the customer is no longer in.
pub async fn a_move_over_a_stale_set_is_refused_whole(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let c = w.create(&in_segment("Basi", 3, "vip")).await.unwrap();
    let ow = h.vault.order_writer(&admin).await.unwrap();
    ow.add(c.id, &order("INV/1")).await.unwrap();
    let found = h.store.customer_load(c.id).await.unwrap().unwrap();
    let (orders, tokens) = h.store.customer_sealed_load(c.id).await.unwrap();
    let mv = |orders: Vec<jaga_core::store::OrderRow>, version_bump: i64| {
        let mut row = found.row.clone();
        row.segment = "b2b".into();
        row.version += version_bump;
        SegmentMove {
            row,
            key: found.key.clone().unwrap(),
            orders,
            tokens: tokens
                .iter()
                .map(|t| (t.token.clone(), t.value.clone().unwrap()))
                .collect(),
        }
    };
    let audit = || AuditRecord::new(&admin, AuditAction::CustomerSegmentMove).customer(c.id);
    let size = h.store.audit_head().await.unwrap().size;
    // An order the move does not carry.
    ow.add(c.id, &order("INV/2")).await.unwrap();
    let size_after_order = h.store.audit_head().await.unwrap().size;
    assert!(size_after_order > size);
    assert!(matches!(
        h.store.customer_move(mv(orders.clone(), 1), audit()).await,
        Err(StoreError::Concurrent)
    ));
    // A stale version.
    let (all_orders, _) = h.store.customer_sealed_load(c.id).await.unwrap();
    assert!(matches!(
        h.store
            .customer_move(mv(all_orders.clone(), 2), audit())
            .await,
        Err(StoreError::Concurrent)
    ));
    let now = h.store.customer_load(c.id).await.unwrap().unwrap();
    assert_eq!(now.row, found.row, "nothing written");
    assert_eq!(
        h.store.audit_head().await.unwrap().size,
        size_after_order,
        "no audit event for a refused move"
    );
    // Positive control: the exact set moves.
    h.store
        .customer_move(mv(all_orders.clone(), 1), audit())
        .await
        .unwrap();
    assert_eq!(
        h.store
            .customer_load(c.id)
            .await
            .unwrap()
            .unwrap()
            .row
            .segment,
        "b2b"
    );
    // An order sealed for `vip` after the customer left it.
    let mut late = all_orders[0].clone();
    late.id = Uuid::new_v4();
    late.order_ref = "INV/late".into();
    assert_eq!(late.segment, "vip");
    assert!(matches!(
        h.store
            .order_insert(
                late.clone(),
                AuditRecord::new(&admin, AuditAction::OrderCreate)
            )
            .await,
        Err(StoreError::Concurrent)
    ));
    late.segment = "b2b".into();
    h.store
        .order_insert(late, AuditRecord::new(&admin, AuditAction::OrderCreate))
        .await
        .unwrap();
}

/// The whole database and one segment's KEK (what an attacker holding a dump and that key has)
/// open that segment's customers and nobody else's: not another segment's DEK under its own
/// label, not with the stolen key used as a KEK to derive the other segment's key, not as a DEK.
pub async fn one_segments_kek_opens_no_other_segment(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut ids = Vec::new();
    for (i, seg) in ["vip", "vip", "b2b", "reseller", "default"]
        .iter()
        .enumerate()
    {
        let c = w
            .create(&in_segment(&format!("Seg{i}"), 10 + i as u32, seg))
            .await
            .unwrap();
        ids.push((c.id, *seg));
    }
    // The database as the attacker holds it.
    let mut dump = Vec::new();
    for (id, _) in &ids {
        dump.push(h.store.customer_load(*id).await.unwrap().unwrap());
    }
    // The stolen key: the `vip` segment's KEK (derived here as the vault derives it).
    let stolen = keys::segment_kek(&kek(&h, 1).await, "vip");
    let mut opened = 0;
    for found in &dump {
        let id = found.row.id.to_string();
        let wrapped = &found.key.as_ref().unwrap().wrapped;
        let email = found.row.fields[Field::Email.index()].as_ref().unwrap();
        if found.row.segment == "vip" {
            let dek = open_dek(&stolen, found).expect("positive control: vip opens");
            let plain = field::open(&dek, &field_ctx("vip", &id, Field::Email), email).unwrap();
            assert!(plain.ends_with(b"@example.co.id"));
            opened += 1;
            continue;
        }
        let seg = found.row.segment.as_str();
        // Under every label the attacker might try.
        for label in ["vip", "b2b", "reseller", "default", ""] {
            assert!(
                field::open(&stolen, &dek_ctx(label, &id), wrapped).is_err(),
                "{seg} DEK opened with the vip KEK under {label:?}"
            );
        }
        // The stolen key used as if it were the KEK the segments derive from.
        let derived = keys::segment_kek(&stolen, seg);
        assert!(field::open(&derived, &dek_ctx(seg, &id), wrapped).is_err());
        // The stolen key used directly as a data key.
        assert!(field::open(&stolen, &field_ctx(seg, &id, Field::Email), email).is_err());
    }
    assert_eq!(opened, 2, "both vip customers open with the vip key");
}
