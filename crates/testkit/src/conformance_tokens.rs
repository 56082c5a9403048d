//! Conformance of the write guard and the token vault (issue 4): free text is screened before
//! encryption, tokens resolve only with the scope and a purpose, and erasure shreds them.

use crate::{Harness, marked_customer};
use jaga_core::auth::Scope;
use jaga_core::model::{CustomerPatch, NewCustomer, NewOrder};
use jaga_core::store::Store;
use jaga_core::vault::parse_token;
use jaga_core::{CoreError, ForbiddenReason};
use std::sync::Arc;

/// A valid NIK (Jakarta Timur, born 12-04-1990) that is not Luhn-valid as a card.
pub const NIK: &str = "3174051204900003";

fn with_notes(marker: &str, n: u32, notes: &str) -> NewCustomer {
    let mut c = marked_customer(marker, n);
    c.notes = Some(notes.to_string());
    c
}

/// The first `[KIND:tok_…]` token in `text`.
pub fn first_token(text: &str) -> Option<String> {
    let start = text.find("[")?;
    let end = start + text[start..].find(']')? + 1;
    let t = &text[start..end];
    parse_token(t).is_some().then(|| t.to_string())
}

async fn all_leaves(store: &dyn Store) -> Vec<Vec<u8>> {
    let size = store.audit_head().await.unwrap().size;
    store
        .audit_events(0, size as u32)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.leaf)
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A NIK pasted into a customer note is stored as a token; the token resolves with the scope
/// and a purpose, the resolution is audited, and no audit leaf holds the NIK.
pub async fn note_identifiers_are_tokenized_and_resolve(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let c = w
        .create(&with_notes("Tok", 1, &format!("NIK {NIK}, minta faktur")))
        .await
        .unwrap();
    let v = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .get(c.id)
        .await
        .unwrap();
    let notes = v.notes.unwrap();
    assert!(!notes.contains(NIK), "{notes}");
    let token = first_token(&notes).expect("the note holds a token");
    assert!(token.starts_with("[NIK:tok_"), "{token}");
    assert!(notes.ends_with(", minta faktur"), "{notes}");

    // Same value, same owner: same token; another customer gets another token.
    let v2 = w
        .update(
            c.id,
            &serde_json::from_value::<CustomerPatch>(
                serde_json::json!({"notes": format!("{notes} / dicek lagi: {NIK}")}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let n2 = v2.notes.unwrap();
    assert_eq!(n2.matches(&token).count(), 2, "{n2}");
    let other = w
        .create(&with_notes("Tok", 2, &format!("nik {NIK}")))
        .await
        .unwrap();
    let other_notes = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .get(other.id)
        .await
        .unwrap()
        .notes
        .unwrap();
    let other_token = first_token(&other_notes).unwrap();
    assert_ne!(other_token, token);

    // Resolution: scope and purpose required.
    let no_scope = h.caller(&[Scope::CustomersRead, Scope::CustomersReveal]);
    assert!(matches!(
        h.vault.token_resolver(&no_scope, Some("ticket CS-9")).await,
        Err(CoreError::Forbidden(ForbiddenReason::Scope(
            Scope::TokensResolve
        )))
    ));
    let resolver_caller = h.caller(&[Scope::TokensResolve]);
    assert!(matches!(
        h.vault.token_resolver(&resolver_caller, None).await,
        Err(CoreError::PurposeRequired)
    ));
    let r = h
        .vault
        .token_resolver(&resolver_caller, Some("ticket CS-9 faktur pajak"))
        .await
        .unwrap();
    let got = r.resolve(&token).await.unwrap();
    assert_eq!(got.value, NIK);
    assert_eq!(got.kind, "NIK");
    assert_eq!(got.customer_id, Some(c.id));
    assert!(matches!(
        r.resolve("tok_bbbbbbbbbbbbbbbb").await,
        Err(CoreError::NotFound)
    ));
    let leaves = all_leaves(store.as_ref()).await;
    let resolve_events: Vec<_> = leaves
        .iter()
        .filter(|l| contains(l, "token.resolve"))
        .collect();
    assert!(
        resolve_events
            .iter()
            .any(|l| contains(l, &c.id.to_string()) && contains(l, "ticket CS-9 faktur pajak")),
        "the resolution is audited with the customer and purpose"
    );
    assert!(
        leaves
            .iter()
            .any(|l| contains(l, "customer.create") && contains(l, "notes.NIK:1")),
        "the finding counts are audited"
    );
    for l in &leaves {
        assert!(!contains(l, NIK), "an audit leaf holds the NIK");
    }
}

/// A card number or CVV in a note is refused with the field's path and nothing is stored.
pub async fn card_data_in_notes_is_refused(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let before = store.audit_head().await.unwrap().size;
    for note in ["kartu 4111 1111 1111 1111", "bayar pakai cvv 123 ya"] {
        match w.create(&with_notes("Card", 3, note)).await {
            Err(CoreError::CardInText { field }) => assert_eq!(field, "notes"),
            other => panic!("expected a card refusal, got {other:?}"),
        }
    }
    let leaves = all_leaves(store.as_ref()).await;
    assert_eq!(
        leaves.len() as u64,
        before + 2,
        "only the two refusals are logged"
    );
    assert!(
        leaves[before as usize..]
            .iter()
            .all(|l| contains(l, "request.card_number_rejected") && !contains(l, "4111"))
    );
    // Orders too.
    let c = w.create(&marked_customer("Card", 4)).await.unwrap();
    let order: NewOrder = serde_json::from_value(serde_json::json!({
        "order_ref": "INV/1", "amount_minor": 1000, "currency": "IDR", "status": "paid",
        "items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price_minor": 1000}],
        "notes": "cvv 999"
    }))
    .unwrap();
    let ow = h.vault.order_writer(&admin).await.unwrap();
    assert!(matches!(
        ow.add(c.id, &order).await,
        Err(CoreError::CardInText { .. })
    ));
    let list = h
        .vault
        .order_reader(&admin)
        .await
        .unwrap()
        .list(c.id)
        .await
        .unwrap();
    assert!(list.is_empty());
}

/// Order notes are tokenized under the customer's key; the shop policy can mask instead.
pub async fn order_notes_and_shop_policy(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let c = h
        .vault
        .writer(&admin)
        .await
        .unwrap()
        .create(&marked_customer("Ord", 5))
        .await
        .unwrap();
    let order: NewOrder = serde_json::from_value(serde_json::json!({
        "order_ref": "INV/2", "amount_minor": 1000, "currency": "IDR", "status": "paid",
        "items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price_minor": 1000}],
        "notes": "transfer ke rekening BCA 1234567890 ya"
    }))
    .unwrap();
    let v = h
        .vault
        .order_writer(&admin)
        .await
        .unwrap()
        .add(c.id, &order)
        .await
        .unwrap();
    let notes = v.notes.unwrap();
    assert!(!notes.contains("1234567890"), "{notes}");
    let token = first_token(&notes).expect("tokenized");
    let got = h
        .vault
        .token_resolver(&admin, Some("refund check"))
        .await
        .unwrap()
        .resolve(&token)
        .await
        .unwrap();
    assert_eq!(got.value, "1234567890");
    assert_eq!(got.kind, "BANK_ACCOUNT");

    let spec: jaga_redact::PolicySpec =
        serde_json::from_value(serde_json::json!({"operators": {"NIK": "mask"}})).unwrap();
    h.vault.set_text_policy(spec);
    let c2 = h
        .vault
        .writer(&admin)
        .await
        .unwrap()
        .create(&with_notes("Pol", 6, &format!("NIK {NIK}")))
        .await
        .unwrap();
    let n = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .get(c2.id)
        .await
        .unwrap()
        .notes
        .unwrap();
    assert_eq!(n, "NIK ************0003");
}

/// Erasing a customer shreds its tokens: they no longer resolve (410 `erased`), the stored row
/// keeps neither ciphertext nor fingerprint, and the DEK it was sealed with is gone. Shop-level
/// tokens from the redaction endpoint are unaffected.
pub async fn erasure_shreds_tokens(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let c = h
        .vault
        .writer(&admin)
        .await
        .unwrap()
        .create(&with_notes(
            "Era",
            7,
            &format!("KTP {NIK}, email dewi.era@example.com"),
        ))
        .await
        .unwrap();
    let notes = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .get(c.id)
        .await
        .unwrap()
        .notes
        .unwrap();
    let token = first_token(&notes).unwrap();
    let id = parse_token(&token).unwrap().to_string();
    let before = store.token_get(&id).await.unwrap().unwrap();
    assert!(before.value.is_some());
    assert_eq!(before.customer_id, Some(c.id));

    let spec: jaga_redact::PolicySpec =
        serde_json::from_value(serde_json::json!({"operators": {"NIK": "tokenize"}})).unwrap();
    let red = h
        .vault
        .redactor(&admin)
        .await
        .unwrap()
        .redact(&format!("NIK {NIK}"), Some(&spec))
        .await
        .unwrap();
    let shop_token = first_token(&red.text).expect("shop-level token");
    assert_ne!(shop_token, token);

    h.vault
        .eraser(&admin)
        .await
        .unwrap()
        .erase(c.id)
        .await
        .unwrap();
    let r = h
        .vault
        .token_resolver(&admin, Some("audit check"))
        .await
        .unwrap();
    assert!(matches!(r.resolve(&token).await, Err(CoreError::Erased)));
    let after = store.token_get(&id).await.unwrap().unwrap();
    assert_eq!(after.value, None, "ciphertext cleared");
    assert!(after.erased_at.is_some());
    // Even the old ciphertext is dead: the customer's key is gone.
    let found = store.customer_load(c.id).await.unwrap().unwrap();
    assert!(found.key.is_none());
    // The shop token still resolves.
    assert_eq!(r.resolve(&shop_token).await.unwrap().value, NIK);
}

/// A bulk import drops and counts card numbers and CVVs in notes instead of refusing.
pub async fn import_drops_cards_and_counts(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut bad = marked_customer("Imp", 10);
    bad.email = Some("not-an-email".into());
    let inputs = vec![
        with_notes("Imp", 8, "kartu 4111 1111 1111 1111 cvv 123 kirim pagi"),
        with_notes("Imp", 9, &format!("NIK {NIK}")),
        bad,
    ];
    assert!(matches!(
        w.create_batch(&inputs).await,
        Err(CoreError::CardInText { field }) if field == "[0].notes"
    ));
    let out = w.import_batch(&inputs).await.unwrap();
    assert_eq!(out.created.len(), 2);
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.rejected[0].0, 2);
    assert_eq!(out.rejected[0].1[0].field, "email");
    use jaga_redact::EntityKind as K;
    assert_eq!(out.findings[0].get(&K::CreditCard), Some(&1));
    assert_eq!(out.findings[0].get(&K::Cvv), Some(&1));
    assert_eq!(out.findings[1].get(&K::Nik), Some(&1));
    let r = h.vault.reader(&admin).await.unwrap();
    let n0 = r.get(out.created[0].1.id).await.unwrap().notes.unwrap();
    assert!(!n0.contains("4111") && !n0.contains("123"), "{n0}");
    assert!(n0.contains("kirim pagi"));
    let n1 = r.get(out.created[1].1.id).await.unwrap().notes.unwrap();
    assert!(first_token(&n1).is_some(), "{n1}");
}
