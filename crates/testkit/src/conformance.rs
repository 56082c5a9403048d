//! The store conformance suite: vault behaviour that must hold on every store.
//!
//! Each function takes a fresh, empty store. [`crate::conformance_tests!`] turns them into
//! `#[tokio::test]`s for a store crate.

use crate::{Harness, marked_customer, nik};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Scope;
use jaga_core::model::{CustomerPatch, Field, Lookup, NewOrder};
use jaga_core::store::{Store, StoreError};
use jaga_core::{CoreError, ForbiddenReason};
use std::sync::Arc;

pub use crate::conformance_audit::checkpoints_proofs_and_batches;

/// What a store crate's factory hands each conformance test: a fresh store, and with it
/// (as a pair) whatever must live exactly as long as the test, such as the temporary directory
/// of a SQLite file, which is removed when the test ends.
pub trait Fresh {
    /// The store, and the guard the test keeps until it ends.
    fn into_parts(self) -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>);
}

impl Fresh for Arc<dyn Store> {
    fn into_parts(self) -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
        (self, Box::new(()))
    }
}

impl<G: Send + 'static> Fresh for (Arc<dyn Store>, G) {
    fn into_parts(self) -> (Arc<dyn Store>, Box<dyn std::any::Any + Send>) {
        (self.0, Box::new(self.1))
    }
}

/// Instantiates every conformance test for a store: `$make` is an async expression giving a
/// fresh `Arc<dyn Store>`, or a pair of it and a guard the test keeps until it ends ([`Fresh`]),
/// or `None` to skip (e.g. when PostgreSQL is unavailable).
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@each $make;
            create_read_reveal_lookup, ciphertext_is_bound_to_record_field_and_segment, erasure_shreds,
            audit_log_is_gapless_and_recomputes, rotation_rewraps_without_touching_fields, api_keys_authenticate_and_revoke,
            orders_round_trip_and_die_with_the_customer, missing_scope_is_refused_and_audited, concurrent_writers_keep_the_log_consistent,
            stale_update_is_refused, batch_create_is_all_or_nothing, checkpoints_proofs_and_batches);
        $crate::conformance_tests!(@tokens $make;
            note_identifiers_are_tokenized_and_resolve, card_data_in_notes_is_refused,
            order_notes_and_shop_policy, erasure_shreds_tokens, import_drops_cards_and_counts);
        $crate::conformance_tests!(@staff $make; staff_accounts_round_trip, staff_secrets_are_single_use, staff_sessions_rotate_and_end, staff_throttle_counts_and_restarts, staff_throttle_reserves_atomically,
            access_review_reads_staff_accounts, staff_invitations_cancel_and_settings);
        $crate::conformance_tests!(@jobs $make; job_leases_are_exclusive_and_expire, job_runs_are_recorded);
        $crate::conformance_tests!(@tamper $make; wrapped_keys_moved_between_customers_do_not_open,
            ciphertexts_moved_between_segments_do_not_open, order_ciphertexts_are_bound_to_their_order,
            token_ciphertexts_are_bound_to_their_token_and_owner);
        $crate::conformance_tests!(@ids $make; ids_store_round_trips, bulk_reveal_is_contained_and_recorded,
            every_firing_is_audited_and_an_escalation_is_delivered_again);
        $crate::conformance_tests!(@fraud $make; fraud_events_are_ordered_and_idempotent, fraud_links_and_labels);
        $crate::conformance_tests!(@group $make; concurrent_requests_keep_their_own_answers, idempotency_records_claim_once);
        $crate::conformance_tests!(@lifecycle $make; erasures_are_listed_in_order_with_their_actor,
            retention_applies_what_expired_and_nothing_else, retention_erase_skips_a_customer_active_meanwhile);
        $crate::conformance_tests!(@requests $make; requests_and_consents_round_trip);
        $crate::conformance_tests!(@segments $make; moving_a_customer_reseals_everything_under_the_new_segment,
            a_move_over_a_stale_set_is_refused_whole, one_segments_kek_opens_no_other_segment);
        $crate::conformance_tests!(@payees $make; payee_store_round_trips, payees_are_sealed_versioned_and_held, payee_contacts_swap_once);
    };
    (@payees $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_payees::$name(store).await;
            }
        )*
    };
    (@segments $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_segments::$name(store).await;
            }
        )*
    };
    (@requests $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_requests::$name(store).await;
            }
        )*
    };
    (@lifecycle $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_lifecycle::$name(store).await;
            }
        )*
    };
    (@group $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_group::$name(store).await;
            }
        )*
    };
    (@fraud $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_fraud::$name(store).await;
            }
        )*
    };
    (@ids $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_ids::$name(store).await;
            }
        )*
    };
    (@tamper $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_tamper::$name(store).await;
            }
        )*
    };
    (@jobs $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_jobs::$name(store).await;
            }
        )*
    };
    (@tokens $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_tokens::$name(store).await;
            }
        )*
    };
    (@staff $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance_staff::$name(store).await;
            }
        )*
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fresh) = $make else { return };
                let (store, _guard) = $crate::conformance::Fresh::into_parts(fresh);
                $crate::conformance::$name(store).await;
            }
        )*
    };
}

/// Create, masked read, reveal, and every lookup.
pub async fn create_read_reveal_lookup(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let c = w.create(&marked_customer("Alpha", 1)).await.unwrap();
    assert!(c.code.starts_with("JG-"));
    let r = h.vault.reader(&admin).await.unwrap();
    let v = r.get(c.id).await.unwrap();
    assert_eq!(v.email.as_deref(), Some("a***@example.co.id"));
    assert_eq!(v.national_id.as_deref(), Some("************0002"));
    assert_eq!(v.full_name.as_deref(), Some("Dewi A."));
    assert!(v.revealed.is_empty());
    let rv = h
        .vault
        .revealer(&admin, Some("ticket CS-1 address check"))
        .await
        .unwrap();
    let full = rv
        .get(c.id, &[Field::Email, Field::NationalId])
        .await
        .unwrap();
    assert_eq!(full.email.as_deref(), Some("alpha@example.co.id"));
    assert_eq!(full.national_id.as_deref(), Some(nik(1).as_str()));
    assert_eq!(
        full.phone.as_deref().map(|p| p.contains("****")),
        Some(true),
        "unrequested fields stay masked"
    );
    for q in [
        Lookup::Email("ALPHA@example.co.id".into()),
        Lookup::Phone(format!("+62 812{:08}", 10_000_001)),
        Lookup::NationalId(nik(1)),
        Lookup::Code(c.code.to_lowercase()),
    ] {
        let found = r.lookup(&q).await.unwrap();
        assert_eq!(found.len(), 1, "{q:?}");
        assert_eq!(found[0].id, c.id);
    }
    assert!(
        r.lookup(&Lookup::Email("nobody@example.co.id".into()))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        h.vault.revealer(&admin, None).await,
        Err(CoreError::PurposeRequired)
    ));
    assert!(matches!(
        r.get(uuid::Uuid::new_v4()).await,
        Err(CoreError::NotFound)
    ));
}

/// A ciphertext moved to another customer, another field or another segment fails to decrypt.
pub async fn ciphertext_is_bound_to_record_field_and_segment(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let a = w.create(&marked_customer("Aaa", 1)).await.unwrap();
    let b = w.create(&marked_customer("Bbb", 2)).await.unwrap();
    let mut vip_in = marked_customer("Ccc", 3);
    vip_in.segment = Some("vip".into());
    let c = w.create(&vip_in).await.unwrap();
    let row_a = h.store.customer_load(a.id).await.unwrap().unwrap().row;
    let email_a = row_a.fields[Field::Email.index()].clone();
    // Another customer's row.
    let mut row_b = h.store.customer_load(b.id).await.unwrap().unwrap().row;
    row_b.fields[Field::Email.index()] = email_a.clone();
    row_b.version += 1;
    h.store
        .customer_update(
            row_b,
            None,
            AuditRecord::new(&admin, AuditAction::CustomerUpdate),
        )
        .await
        .unwrap();
    assert!(matches!(
        h.vault.reader(&admin).await.unwrap().get(b.id).await,
        Err(CoreError::Integrity)
    ));
    // Another field of the same customer.
    let mut row_a2 = row_a.clone();
    row_a2.fields[Field::Notes.index()] = email_a.clone();
    row_a2.version += 1;
    h.store
        .customer_update(
            row_a2,
            None,
            AuditRecord::new(&admin, AuditAction::CustomerUpdate),
        )
        .await
        .unwrap();
    assert!(matches!(
        h.vault.reader(&admin).await.unwrap().get(a.id).await,
        Err(CoreError::Integrity)
    ));
    // A record from another segment, and a flipped bit.
    let mut row_c = h.store.customer_load(c.id).await.unwrap().unwrap().row;
    let mut flipped = row_c.fields[Field::FullName.index()].clone().unwrap();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    row_c.fields[Field::FullName.index()] = Some(flipped);
    row_c.version += 1;
    h.store
        .customer_update(
            row_c,
            None,
            AuditRecord::new(&admin, AuditAction::CustomerUpdate),
        )
        .await
        .unwrap();
    assert!(matches!(
        h.vault.reader(&admin).await.unwrap().get(c.id).await,
        Err(CoreError::Integrity)
    ));
}

/// After erasure the record answers `Erased`, its key is gone, and no key the store still holds
/// (unwrapped with the root key) opens its old ciphertexts.
pub async fn erasure_shreds(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let victim = w.create(&marked_customer("Victim", 7)).await.unwrap();
    let other = w.create(&marked_customer("Other", 8)).await.unwrap();
    let before = h.store.customer_load(victim.id).await.unwrap().unwrap();
    h.vault
        .eraser(&admin)
        .await
        .unwrap()
        .erase(victim.id)
        .await
        .unwrap();
    assert!(matches!(
        h.vault.reader(&admin).await.unwrap().get(victim.id).await,
        Err(CoreError::Erased)
    ));
    assert!(matches!(
        h.vault.eraser(&admin).await.unwrap().erase(victim.id).await,
        Err(CoreError::Erased)
    ));
    let after = h.store.customer_load(victim.id).await.unwrap().unwrap();
    assert!(
        after.key.is_none()
            && after.row.fields.iter().all(Option::is_none)
            && after.row.email_index.is_none()
    );
    assert!(
        h.vault
            .reader(&admin)
            .await
            .unwrap()
            .lookup(&Lookup::Email("victim@example.co.id".into()))
            .await
            .unwrap()
            .is_empty()
    );
    // An attacker with the root key: unwrap every KEK, then try every DEK still stored.
    let ring_records = h.store.keys_load().await.unwrap();
    let keks: Vec<_> = ring_records
        .iter()
        .filter(|k| k.kind == "kek")
        .map(|k| {
            jaga_crypto::keys::unwrap_under_root(&h.root, "kek", k.version, &k.wrapped).unwrap()
        })
        .collect();
    let other_key = h
        .store
        .customer_load(other.id)
        .await
        .unwrap()
        .unwrap()
        .key
        .unwrap();
    let ct = before.row.fields[Field::Email.index()].clone().unwrap();
    let ctx = jaga_crypto::field::Context {
        segment: "default",
        table: "customers",
        record_id: &victim.id.to_string(),
        field: "email",
    };
    for kek in &keks {
        let ring = jaga_crypto::keys::Keyring::new([(1u32, kek.clone())].into_iter().collect(), 1)
            .unwrap();
        // The surviving DEK belongs to another customer: bound to that customer, and not the victim's key anyway.
        assert!(
            ring.unwrap_dek("default", &victim.id.to_string(), &other_key.wrapped)
                .is_err()
        );
        if let Ok(dek) = ring.unwrap_dek("default", &other.id.to_string(), &other_key.wrapped) {
            assert!(jaga_crypto::field::open(&dek, &ctx, &ct).is_err());
        }
    }
}

/// Audit positions are exactly `0..n` and the stored root equals a recomputation.
pub async fn audit_log_is_gapless_and_recomputes(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    for i in 0..5 {
        let c = w
            .create(&marked_customer(&format!("Log{i}"), i))
            .await
            .unwrap();
        h.vault
            .reader(&admin)
            .await
            .unwrap()
            .get(c.id)
            .await
            .unwrap();
    }
    verify_log(h.store.as_ref()).await;
}

/// Checks the whole log: gapless positions, leaves decode with their own position, root matches.
pub async fn verify_log(store: &dyn Store) -> u64 {
    let head = store.audit_head().await.unwrap();
    let mut hashes = Vec::new();
    let mut from = 0;
    loop {
        let evs = store.audit_events(from, 1000).await.unwrap();
        if evs.is_empty() {
            break;
        }
        for e in &evs {
            assert_eq!(
                e.seq as usize,
                hashes.len(),
                "positions are gapless and ordered"
            );
            assert_eq!(
                jaga_audit::event::decode(&e.leaf).unwrap().seq,
                e.seq,
                "leaf bound to its position"
            );
            assert_eq!(jaga_audit::leaf_hash(&e.leaf), e.leaf_hash);
            hashes.push(e.leaf_hash);
        }
        from = hashes.len() as u64;
    }
    let (size, root) = jaga_audit::root_from_leaf_hashes(hashes.iter().copied());
    assert_eq!(size, head.size);
    assert_eq!(root, head.root, "stored root equals recomputation");
    size
}

/// Rotation re-wraps every DEK to the new version; data stays readable; retiring works only
/// once nothing uses the old version.
pub async fn rotation_rewraps_without_touching_fields(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            w.create(&marked_customer(&format!("Rot{i}"), i))
                .await
                .unwrap()
                .id,
        );
    }
    let field_before = h
        .store
        .customer_load(ids[0])
        .await
        .unwrap()
        .unwrap()
        .row
        .fields;
    let v2 = h.vault.rotate_kek(&admin).await.unwrap();
    assert_eq!(v2, 2);
    assert!(
        matches!(
            h.vault.retire_kek(&admin, 1).await,
            Err(CoreError::Conflict(_))
        ),
        "v1 still wraps DEKs"
    );
    let mut seen = Vec::new();
    let p = h.vault.rewrap_all(&admin, |p| seen.push(p)).await.unwrap();
    assert_eq!((p.done, p.total), (12, 12));
    assert!(seen.len() >= 2);
    let status = h.vault.key_status().await.unwrap();
    assert_eq!(
        status
            .iter()
            .map(|s| (s.version, s.state.as_str(), s.deks))
            .collect::<Vec<_>>(),
        vec![(1, "decrypt_only", 0), (2, "active", 12)]
    );
    assert_eq!(
        h.store
            .customer_load(ids[0])
            .await
            .unwrap()
            .unwrap()
            .row
            .fields,
        field_before,
        "field ciphertexts untouched"
    );
    h.vault.retire_kek(&admin, 1).await.unwrap();
    assert!(
        matches!(
            h.vault.retire_kek(&admin, 2).await,
            Err(CoreError::Conflict(_))
        ),
        "the active key cannot be retired"
    );
    for id in &ids {
        h.vault
            .reader(&admin)
            .await
            .unwrap()
            .get(*id)
            .await
            .unwrap();
    }
    let new = w.create(&marked_customer("AfterRot", 99)).await.unwrap();
    assert_eq!(
        h.store
            .customer_load(new.id)
            .await
            .unwrap()
            .unwrap()
            .key
            .unwrap()
            .kek_version,
        2
    );
}

/// API keys authenticate with their scopes; revoked, expired and forged keys do not.
pub async fn api_keys_authenticate_and_revoke(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let scopes = [Scope::CustomersRead, Scope::CustomersWrite]
        .into_iter()
        .collect();
    let k = h
        .vault
        .apikey_create(&admin, "shop-backend", &scopes, None)
        .await
        .unwrap();
    let caller = h.vault.authenticate(&k.token, None).await.unwrap();
    assert_eq!(
        caller.scopes().collect::<std::collections::BTreeSet<_>>(),
        scopes
    );
    let stored = h.store.api_key_get(&k.id).await.unwrap().unwrap();
    use secrecy::ExposeSecret;
    assert!(
        !stored.digest.windows(8).any(|w| k
            .token
            .expose_secret()
            .as_bytes()
            .windows(8)
            .any(|t| t == w)),
        "only a digest is stored"
    );
    let forged = secrecy::SecretString::from(format!("jaga_{}_{}", k.id, "a".repeat(52)));
    assert!(matches!(
        h.vault.authenticate(&forged, None).await,
        Err(CoreError::Unauthenticated)
    ));
    h.vault.apikey_revoke(&admin, &k.id).await.unwrap();
    assert!(matches!(
        h.vault.authenticate(&k.token, None).await,
        Err(CoreError::Unauthenticated)
    ));
    assert!(matches!(
        h.vault.apikey_revoke(&admin, &k.id).await,
        Err(CoreError::NotFound)
    ));
    let expired = h
        .vault
        .apikey_create(&admin, "old", &scopes, Some(jaga_core::now_ms() - 1))
        .await
        .unwrap();
    assert!(matches!(
        h.vault.authenticate(&expired.token, None).await,
        Err(CoreError::Unauthenticated)
    ));
    assert_eq!(h.vault.apikey_list().await.unwrap().len(), 2);
}

fn order(order_ref: &str) -> NewOrder {
    serde_json::from_value(serde_json::json!({
        "order_ref": order_ref, "amount_minor": 250000, "currency": "idr", "status": "paid",
        "items": [{"sku": "SRM-01", "name": "Serum Niacinamide", "quantity": 2, "unit_price_minor": 125000}],
        "payment": {"gateway": "midtrans", "token": "tok_abc123", "card_brand": "visa", "last4": "1111", "exp_month": 12, "exp_year": 2028},
        "notes": "kirim sore"
    }))
    .unwrap()
}

/// Orders are stored and listed; a duplicate order_ref conflicts; erasure takes them along.
pub async fn orders_round_trip_and_die_with_the_customer(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let c = h
        .vault
        .writer(&admin)
        .await
        .unwrap()
        .create(&marked_customer("Ord", 3))
        .await
        .unwrap();
    let ow = h.vault.order_writer(&admin).await.unwrap();
    ow.add(c.id, &order("INV/2025/11/00123")).await.unwrap();
    ow.add(c.id, &order("INV/2025/11/00124")).await.unwrap();
    assert!(matches!(
        ow.add(c.id, &order("INV/2025/11/00123")).await,
        Err(CoreError::Conflict(_))
    ));
    let list = h
        .vault
        .order_reader(&admin)
        .await
        .unwrap()
        .list(c.id)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].currency, "IDR");
    assert_eq!(
        list[0].payment.as_ref().unwrap().last4.as_deref(),
        Some("1111")
    );
    assert_eq!(list[1].items[0].name, "Serum Niacinamide");
    h.vault
        .eraser(&admin)
        .await
        .unwrap()
        .erase(c.id)
        .await
        .unwrap();
    assert!(matches!(
        h.vault.order_reader(&admin).await.unwrap().list(c.id).await,
        Err(CoreError::Erased)
    ));
    assert!(matches!(
        ow.add(c.id, &order("X-1")).await,
        Err(CoreError::Erased)
    ));
    assert!(matches!(
        ow.add(uuid::Uuid::new_v4(), &order("X-2")).await,
        Err(CoreError::NotFound)
    ));
}

/// A caller without a scope cannot obtain the capability, and the refusal is audited.
pub async fn missing_scope_is_refused_and_audited(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let reader_only = h.caller(&[Scope::CustomersRead]);
    let before = h.store.audit_head().await.unwrap().size;
    assert!(matches!(
        h.vault
            .revealer(&reader_only, Some("support ticket 1"))
            .await,
        Err(CoreError::Forbidden(ForbiddenReason::Scope(
            Scope::CustomersReveal
        )))
    ));
    assert!(matches!(
        h.vault.writer(&reader_only).await,
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        h.vault.eraser(&reader_only).await,
        Err(CoreError::Forbidden(_))
    ));
    let evs = h.store.audit_events(before, 10).await.unwrap();
    assert_eq!(evs.len(), 3);
    let ev = jaga_audit::event::decode(&evs[0].leaf).unwrap();
    assert_eq!(
        (
            ev.action.as_str(),
            ev.outcome.as_str(),
            ev.actor_id.as_str()
        ),
        ("customer.reveal", "denied", "testkey")
    );

    // Key administration is the operator's alone: an API key holding every scope still cannot
    // mint API keys or touch the keyring, and each refusal is audited.
    let every_scope = h.caller(&Scope::ALL);
    let before = h.store.audit_head().await.unwrap().size;
    let scopes = [Scope::CustomersRead].into_iter().collect();
    let operator_only = Err::<(), _>(ForbiddenReason::Operator);
    assert_eq!(
        h.vault
            .apikey_create(&every_scope, "escalate", &scopes, None)
            .await
            .map(|_| ())
            .map_err(forbidden),
        operator_only
    );
    assert_eq!(
        h.vault
            .rotate_kek(&every_scope)
            .await
            .map(|_| ())
            .map_err(forbidden),
        operator_only
    );
    assert_eq!(
        h.vault.retire_kek(&every_scope, 1).await.map_err(forbidden),
        operator_only
    );
    assert_eq!(
        h.vault
            .apikey_revoke(&every_scope, "anything")
            .await
            .map_err(forbidden),
        operator_only
    );
    let evs = h.store.audit_events(before, 10).await.unwrap();
    let denied: Vec<(String, String, Vec<String>)> = evs
        .iter()
        .map(|e| jaga_audit::event::decode(&e.leaf).unwrap())
        .map(|e| (e.action, e.outcome, e.fields))
        .collect();
    let op = || vec!["operator".to_string()];
    assert_eq!(
        denied,
        [
            ("apikey.create".into(), "denied".into(), op()),
            ("keys.rotate".into(), "denied".into(), op()),
            ("keys.retire".into(), "denied".into(), op()),
            ("apikey.revoke".into(), "denied".into(), op()),
        ]
    );
    assert!(
        h.vault.apikey_list().await.unwrap().is_empty(),
        "no key was minted"
    );
    assert_eq!(h.vault.key_status().await.unwrap().len(), 1, "no KEK added");
}

/// The refusal reason of a `Forbidden` error (panics on any other error).
fn forbidden(e: CoreError) -> ForbiddenReason {
    match e {
        CoreError::Forbidden(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Many concurrent writers: every create succeeds and the log stays gapless.
pub async fn concurrent_writers_keep_the_log_consistent(store: Arc<dyn Store>) {
    let h = Arc::new(Harness::new(store).await);
    let mut tasks = Vec::new();
    for t in 0..8u32 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let admin = h.admin();
            let w = h.vault.writer(&admin).await.unwrap();
            for i in 0..10 {
                w.create(&marked_customer(&format!("Conc{t}x{i}"), t * 100 + i))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // 2 keyring events + 80 creates.
    assert_eq!(verify_log(h.store.as_ref()).await, 82);
}

/// An update based on a stale version is refused and writes nothing.
pub async fn stale_update_is_refused(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let c = w.create(&marked_customer("Stale", 4)).await.unwrap();
    let stale = h.store.customer_load(c.id).await.unwrap().unwrap().row;
    let patch: CustomerPatch =
        serde_json::from_value(serde_json::json!({"email": "new@example.co.id", "notes": null}))
            .unwrap();
    let v = w.update(c.id, &patch).await.unwrap();
    assert_eq!(v.email.as_deref(), Some("n***@example.co.id"));
    assert_eq!(v.notes, None);
    let mut again = stale.clone();
    again.version += 1;
    assert!(matches!(
        h.store
            .customer_update(
                again,
                None,
                AuditRecord::new(&admin, AuditAction::CustomerUpdate)
            )
            .await,
        Err(StoreError::Concurrent)
    ));
    let bad: CustomerPatch =
        serde_json::from_value(serde_json::json!({"email": "not-an-email"})).unwrap();
    assert!(matches!(
        w.update(c.id, &bad).await,
        Err(CoreError::Invalid(_))
    ));
    let found = h
        .vault
        .reader(&admin)
        .await
        .unwrap()
        .lookup(&Lookup::Email("new@example.co.id".into()))
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "the blind index follows the update");
}

/// A batch with one invalid customer writes nothing.
pub async fn batch_create_is_all_or_nothing(store: Arc<dyn Store>) {
    let h = Harness::new(store).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let before = h.store.audit_head().await.unwrap().size;
    let mut batch = vec![marked_customer("B1", 1), marked_customer("B2", 2)];
    batch[1].email = Some("broken".into());
    match w.create_batch(&batch).await {
        Err(CoreError::Invalid(e)) => assert_eq!(e[0].field, "[1].email"),
        other => panic!("expected invalid, got {:?}", other.map(|v| v.len())),
    }
    assert_eq!(h.store.audit_head().await.unwrap().size, before);
    batch[1].email = None;
    assert_eq!(w.create_batch(&batch).await.unwrap().len(), 2);
    assert_eq!(h.store.audit_head().await.unwrap().size, before + 2);
}
