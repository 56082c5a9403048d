//! Tampering through the store, for every kind of ciphertext Jaga keeps: an attacker with write
//! access to the database (but not the root key) moves, copies or flips stored bytes. Every such
//! change must make the read fail with [`CoreError::Integrity`] — never return another record's
//! plaintext, never a panic. (Field ciphertexts moved between customers and fields are in
//! [`crate::conformance::ciphertext_is_bound_to_record_field_and_segment`].)

use crate::conformance_tokens::{NIK, first_token};
use crate::{Harness, marked_customer};
use jaga_core::CoreError;
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Scope;
use jaga_core::model::{NewCustomer, NewOrder};
use jaga_core::store::{GuardedWrite, OrderRow, Store, TokenRow};
use jaga_core::vault::parse_token;
use std::sync::Arc;
use uuid::Uuid;

fn in_segment(marker: &str, n: u32, segment: &str) -> NewCustomer {
    let mut c = marked_customer(marker, n);
    c.segment = Some(segment.into());
    c
}

async fn read(h: &Harness, id: Uuid) -> Result<(), CoreError> {
    h.vault.reader(&h.admin()).await?.get(id).await.map(|_| ())
}

fn assert_integrity<T: std::fmt::Debug>(what: &str, r: Result<T, CoreError>) {
    match r {
        Err(CoreError::Integrity) => {}
        other => panic!("{what}: expected Integrity, got {other:?}"),
    }
}

/// Writes `row` as the next version of itself, optionally with another wrapped key.
async fn put(
    h: &Harness,
    mut row: jaga_core::store::CustomerRow,
    key: Option<jaga_core::store::WrappedKey>,
) {
    row.version += 1;
    h.store
        .customer_update(
            row,
            key,
            AuditRecord::new(&h.admin(), AuditAction::CustomerUpdate),
        )
        .await
        .unwrap();
}

/// A customer's wrapped data key copied onto another customer does not open: neither the other
/// customer's own ciphertexts, nor the first customer's ciphertexts copied along with it.
pub async fn wrapped_keys_moved_between_customers_do_not_open(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let a = w.create(&marked_customer("Keya", 1)).await.unwrap();
    let b = w.create(&marked_customer("Keyb", 2)).await.unwrap();
    let c = w.create(&marked_customer("Keyc", 3)).await.unwrap();
    let fa = h.store.customer_load(a.id).await.unwrap().unwrap();
    // Positive control: untouched records read.
    read(&h, b.id).await.unwrap();
    read(&h, c.id).await.unwrap();
    // A's key on B.
    let fb = h.store.customer_load(b.id).await.unwrap().unwrap();
    put(&h, fb.row, fa.key.clone()).await;
    assert_integrity("A's key on B", read(&h, b.id).await);
    // A's key and all of A's ciphertexts on C: the record id is bound into both.
    let mut fc = h.store.customer_load(c.id).await.unwrap().unwrap();
    fc.row.fields = fa.row.fields.clone();
    put(&h, fc.row, fa.key.clone()).await;
    assert_integrity("A's key and fields on C", read(&h, c.id).await);
    // A itself is untouched.
    read(&h, a.id).await.unwrap();
}

/// A ciphertext moved from a customer of one segment into a customer of another does not open,
/// and the store's update cannot relabel a record's segment.
pub async fn ciphertexts_moved_between_segments_do_not_open(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let vip = w.create(&in_segment("Segvip", 1, "vip")).await.unwrap();
    let vip2 = w.create(&in_segment("Segvipb", 2, "vip")).await.unwrap();
    let plain = w.create(&in_segment("Segdef", 3, "default")).await.unwrap();
    // The store's update cannot move a record into another segment (the segment column is not
    // written; moving it in the database file directly is tested end to end in the `jaga`
    // binary's tests: `first_run_serves_https_and_keeps_pii_out_of_the_database_files`).
    let f = h.store.customer_load(vip.id).await.unwrap().unwrap();
    let mut row = f.row.clone();
    row.segment = "default".into();
    put(&h, row, None).await;
    let after = h.store.customer_load(vip.id).await.unwrap().unwrap();
    assert_eq!(after.row.segment, "vip", "the update moved the record");
    read(&h, vip.id).await.unwrap();
    // A VIP ciphertext moved into a default-segment customer.
    let fv = h.store.customer_load(vip2.id).await.unwrap().unwrap();
    let mut fd = h.store.customer_load(plain.id).await.unwrap().unwrap();
    read(&h, plain.id).await.unwrap();
    fd.row.fields[jaga_core::model::Field::Email.index()] =
        fv.row.fields[jaga_core::model::Field::Email.index()].clone();
    put(&h, fd.row, None).await;
    assert_integrity(
        "VIP ciphertext in a default customer",
        read(&h, plain.id).await,
    );
    read(&h, vip2.id).await.unwrap();
}

fn order(reference: &str) -> NewOrder {
    serde_json::from_value(serde_json::json!({
        "order_ref": reference,
        "items": [{"sku": "KAOS-1", "name": "Kaos Polos", "quantity": 2, "unit_price_minor": 75000}],
        "amount_minor": 150000,
        "currency": "IDR",
        "status": "paid",
        "payment": {"gateway": "midtrans", "token": "tok-gw-123", "card_brand": "visa", "last4": "1111"},
        "notes": "kirim sore"
    }))
    .expect("valid order JSON")
}

/// An order's ciphertexts (items, payment, notes) copied into another order of the same
/// customer or into another customer's order do not open (the order id, the customer's key and
/// segment are bound into each). A flipped bit is the AEAD's own guarantee, tested on customer
/// fields and tokens.
pub async fn order_ciphertexts_are_bound_to_their_order(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let a = w.create(&marked_customer("Orda", 1)).await.unwrap();
    let b = w.create(&marked_customer("Ordb", 2)).await.unwrap();
    let ow = h.vault.order_writer(&admin).await.unwrap();
    ow.add(a.id, &order("INV/1")).await.unwrap();
    let list = |id: Uuid| {
        let h = &h;
        async move {
            let admin = h.admin();
            h.vault.order_reader(&admin).await?.list(id).await
        }
    };
    assert_eq!(list(a.id).await.unwrap().len(), 1, "positive control");
    let stored = h
        .store
        .orders_list(a.id, AuditRecord::new(&admin, AuditAction::OrderList))
        .await
        .unwrap()
        .remove(0);
    let copy = |customer_id: Uuid| OrderRow {
        id: Uuid::new_v4(),
        customer_id,
        order_ref: "INV/forged".into(),
        ..stored.clone()
    };
    let insert = |row: OrderRow| {
        let h = &h;
        async move {
            h.store
                .order_insert(row, AuditRecord::new(&h.admin(), AuditAction::OrderCreate))
                .await
                .unwrap()
        }
    };
    // Another customer's order.
    insert(copy(b.id)).await;
    assert_integrity("A's order ciphertexts under B", list(b.id).await);
    // Another order id of the same customer.
    insert(copy(a.id)).await;
    assert_integrity(
        "A's order ciphertexts under a new order id",
        list(a.id).await,
    );
    // A's list now holds the genuine order and the forged one: the read refuses the whole
    // list (above) rather than hand out a partial one.
}

/// A token's value copied into a forged token (another id, another owner) and a flipped bit do
/// not resolve; the genuine token still does.
pub async fn token_ciphertexts_are_bound_to_their_token_and_owner(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut with_nik = marked_customer("Toka", 1);
    with_nik.notes = Some(format!("NIK {NIK} untuk faktur"));
    let a = w.create(&with_nik).await.unwrap();
    let b = w.create(&marked_customer("Tokb", 2)).await.unwrap();
    let notes = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .get(a.id)
        .await
        .unwrap()
        .notes
        .unwrap();
    let token = first_token(&notes).expect("the NIK became a token");
    let id = parse_token(&token).unwrap().to_string();
    let stored = h.store.token_get(&id).await.unwrap().unwrap();
    let value = stored.value.clone().unwrap();
    let caller = h.caller(&[Scope::TokensResolve]);
    let r = h
        .vault
        .token_resolver(&caller, Some("CS-1 faktur pajak"))
        .await
        .unwrap();
    assert_eq!(
        r.resolve(&token).await.unwrap().value,
        NIK,
        "positive control"
    );
    let forge = |n: u8, owner: Option<Uuid>, value: Vec<u8>| TokenRow {
        // Letters of the token alphabet (no vowels), one per forged token.
        token: format!(
            "tok_{}",
            String::from_utf8(vec![b"cdfg"[usize::from(n)]; 16]).unwrap()
        ),
        kind: stored.kind.clone(),
        customer_id: owner,
        fingerprint: vec![n; 32],
        value,
        created_at: stored.created_at,
    };
    let mut flipped = value.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let forged = [
        (
            "same owner, another token id",
            forge(0, Some(a.id), value.clone()),
        ),
        ("another customer", forge(1, Some(b.id), value.clone())),
        ("no owner (the shop key)", forge(2, None, value.clone())),
        ("a flipped bit", forge(3, Some(a.id), flipped)),
    ];
    for (what, row) in forged {
        let t = format!("[NIK:{}]", row.token);
        h.store
            .write_with_tokens(
                GuardedWrite::Audit(AuditRecord::new(&admin, AuditAction::CustomerUpdate)),
                vec![row],
            )
            .await
            .unwrap();
        assert_integrity(what, r.resolve(&t).await);
    }
    assert_eq!(r.resolve(&token).await.unwrap().value, NIK);
}
