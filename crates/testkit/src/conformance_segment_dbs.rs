//! Per-segment databases (`[segments.<name>] database_url`): a [`RoutingStore`] over a main
//! store and two segment stores (`vip`, `b2b`). Each segment's customers, keys, orders, tokens
//! and their audit events land in that segment's database alone; each database's log verifies
//! on its own; handed one segment's database and that segment's key, a test sees that segment's
//! customers and nobody else; the main database holds nobody of either segment. A move or a
//! batch across databases is refused before anything is written, and a layout that mixes
//! segments is refused at start.

use crate::conformance::verify_log;
use crate::conformance_tokens::NIK;
use crate::{Harness, marked_customer};
use jaga_core::CoreError;
use jaga_core::model::{Field, Lookup, NewCustomer, NewOrder};
use jaga_core::store::{
    CustomerWithKey, LayoutError, LifecycleStore, RoutingStore, SegmentDb, Store, StoreError,
};
use jaga_crypto::Key32;
use jaga_crypto::field::{self, Context};
use jaga_crypto::keys;
use std::collections::HashSet;
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
        "items": [{"sku": "SERUM-1", "name": "Serum", "quantity": 1, "unit_price_minor": 129000}],
        "amount_minor": 129000,
        "currency": "IDR",
        "status": "paid",
        "notes": "kirim pagi"
    }))
    .expect("valid order JSON")
}

/// Every customer row a raw store holds (as an attacker with the file would read it).
async fn dump(store: &dyn Store, ids: &[Uuid]) -> Vec<CustomerWithKey> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(c) = store.customer_load(*id).await.unwrap() {
            out.push(c);
        }
    }
    out
}

/// Customer ids the events of a raw store's log name.
async fn logged_customers(store: &dyn Store) -> HashSet<Uuid> {
    let size = store.audit_head().await.unwrap().size;
    store
        .audit_events(0, size as u32)
        .await
        .unwrap()
        .iter()
        .filter_map(|e| {
            let v: serde_json::Value = serde_json::from_slice(&e.leaf[1..]).unwrap();
            v["customer_id"].as_str().map(|s| s.parse().unwrap())
        })
        .collect()
}

fn dek_ctx<'a>(segment: &'a str, id: &'a str) -> Context<'a> {
    Context {
        segment,
        table: "customer_keys",
        record_id: id,
        field: "dek",
    }
}

/// Whether `kek` opens the stored DEK under any segment label.
fn opens(kek: &Key32, c: &CustomerWithKey) -> bool {
    let id = c.row.id.to_string();
    let Some(k) = &c.key else { return false };
    ["vip", "b2b", "default", ""]
        .iter()
        .any(|label| field::open(kek, &dek_ctx(label, &id), &k.wrapped).is_ok())
}

/// See the module documentation.
pub async fn segment_databases_keep_customers_apart(
    main: Arc<dyn Store>,
    vip: Arc<dyn Store>,
    b2b: Arc<dyn Store>,
) {
    let routing = RoutingStore::new(
        main.clone(),
        vec![
            SegmentDb {
                name: "vip".into(),
                store: vip.clone(),
            },
            SegmentDb {
                name: "b2b".into(),
                store: b2b.clone(),
            },
        ],
    );
    routing.check_layout().await.expect("empty databases");
    let h = Harness::new(Arc::new(routing.clone())).await;
    assert!(
        vip.keys_load().await.unwrap().is_empty(),
        "keyring in main only"
    );
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let v1 = w.create(&in_segment("VipSatu", 1, "vip")).await.unwrap();
    let v2 = w.create(&in_segment("VipDua", 2, "vip")).await.unwrap();
    let b1 = w.create(&in_segment("BisnisSatu", 3, "b2b")).await.unwrap();
    let d1 = w
        .create(&in_segment("BiasaSatu", 4, "default"))
        .await
        .unwrap();
    let d2 = w
        .create(&in_segment("BiasaDua", 5, "default"))
        .await
        .unwrap();
    let ow = h.vault.order_writer(&admin).await.unwrap();
    ow.add(v1.id, &order("INV/VIP/1")).await.unwrap();
    ow.add(d1.id, &order("INV/DEF/1")).await.unwrap();
    let vips = [v1.id, v2.id];
    let all = [v1.id, v2.id, b1.id, d1.id, d2.id];

    // Through the vault: reads, reveals, orders and lookups reach every database.
    let r = h.vault.reader(&admin).await.unwrap();
    let rv = h.vault.revealer(&admin, Some("cek segmen")).await.unwrap();
    for (id, marker) in [
        (v1.id, "vipsatu"),
        (b1.id, "bisnissatu"),
        (d2.id, "biasadua"),
    ] {
        assert!(r.get(id).await.is_ok());
        let full = rv.get(id, &[Field::Email]).await.unwrap();
        assert_eq!(full.email.unwrap(), format!("{marker}@example.co.id"));
        let found = r
            .lookup(&Lookup::Email(format!("{marker}@example.co.id")))
            .await
            .unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    }
    let code = r.lookup(&Lookup::Code(v2.code.clone())).await.unwrap();
    assert_eq!(code.len(), 1, "lookup by code finds the vip customer");
    let or = h.vault.order_reader(&admin).await.unwrap();
    assert_eq!(or.list(v1.id).await.unwrap().len(), 1);
    assert!(matches!(
        r.get(Uuid::new_v4()).await,
        Err(CoreError::NotFound)
    ));

    // Where the rows are: each database holds its own segment and nobody else.
    assert_eq!(
        vip.customer_segments().await.unwrap(),
        vec![("vip".to_string(), 2)]
    );
    assert_eq!(
        b2b.customer_segments().await.unwrap(),
        vec![("b2b".to_string(), 1)]
    );
    assert_eq!(
        main.customer_segments().await.unwrap(),
        vec![("default".to_string(), 2)]
    );
    assert_eq!(main.customer_sealed_load(v1.id).await.unwrap().0.len(), 0);
    assert_eq!(vip.customer_sealed_load(v1.id).await.unwrap().0.len(), 1);
    assert!(
        !vip.tokens_of(v1.id).await.unwrap().is_empty(),
        "the NIK token"
    );
    assert!(main.tokens_of(v1.id).await.unwrap().is_empty());

    // Each log verifies alone, and names only its own customers.
    for s in [&main, &vip, &b2b] {
        assert!(verify_log(s.as_ref()).await > 0);
    }
    let in_vip_log = logged_customers(vip.as_ref()).await;
    let in_main_log = logged_customers(main.as_ref()).await;
    let in_b2b_log = logged_customers(b2b.as_ref()).await;
    assert_eq!(in_vip_log, vips.iter().copied().collect::<HashSet<_>>());
    assert_eq!(in_b2b_log, HashSet::from([b1.id]));
    for id in vips.iter().chain([&b1.id]) {
        assert!(
            !in_main_log.contains(id),
            "main log names a segment customer"
        );
    }

    // The attacker's view: the vip database and the vip segment's key.
    let kek1 = {
        let rec = main
            .keys_load()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.kind == "kek" && r.version == 1)
            .unwrap();
        keys::unwrap_under_root(&h.root, "kek", 1, &rec.wrapped).unwrap()
    };
    let vip_kek = keys::segment_kek(&kek1, "vip");
    let stolen = dump(vip.as_ref(), &all).await;
    assert_eq!(
        stolen.iter().map(|c| c.row.id).collect::<HashSet<_>>(),
        vips.iter().copied().collect::<HashSet<_>>(),
        "the vip database holds the vip customers and nobody else"
    );
    assert!(
        stolen.iter().all(|c| opens(&vip_kek, c)),
        "positive control"
    );
    // The main database with the main (default segment) key: nobody of vip or b2b at all,
    // and the vip key opens nothing in it or in the b2b database.
    let default_kek = keys::segment_kek(&kek1, "default");
    let in_main = dump(main.as_ref(), &all).await;
    assert_eq!(
        in_main.iter().map(|c| c.row.id).collect::<HashSet<_>>(),
        HashSet::from([d1.id, d2.id])
    );
    assert!(in_main.iter().all(|c| opens(&default_kek, c)));
    assert!(in_main.iter().all(|c| !opens(&vip_kek, c)));
    let in_b2b = dump(b2b.as_ref(), &all).await;
    assert_eq!(in_b2b.len(), 1);
    assert!(
        in_b2b
            .iter()
            .all(|c| !opens(&vip_kek, c) && !opens(&default_kek, c))
    );
    // The blind-index term of a vip e-mail finds nobody in the other databases.
    let term = stolen[0].row.email_index.clone().unwrap();
    for s in [&main, &b2b] {
        assert!(
            s.customer_lookup(Field::Email, &term, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    // A move across databases is refused whole (422 `unsupported`); a move within the main
    // database still works.
    let before = vip.customer_load(v2.id).await.unwrap().unwrap();
    let head = vip.audit_head().await.unwrap();
    let mover = h.vault.segment_mover(&admin).await.unwrap();
    for (id, to) in [(v2.id, "b2b"), (v2.id, "default"), (d2.id, "vip")] {
        let e = mover.move_to(id, to).await.unwrap_err();
        assert!(
            matches!(e, CoreError::Store(StoreError::Unsupported(_))),
            "{to}: {e:?}"
        );
        assert_eq!(e.class().code, "unsupported");
    }
    assert_eq!(
        vip.customer_load(v2.id).await.unwrap().unwrap().row,
        before.row
    );
    assert_eq!(vip.audit_head().await.unwrap(), head, "nothing written");
    assert!(main.customer_load(d2.id).await.unwrap().is_some());
    mover.move_to(d2.id, "reseller").await.unwrap();
    assert_eq!(
        main.customer_load(d2.id)
            .await
            .unwrap()
            .unwrap()
            .row
            .segment,
        "reseller"
    );

    // A batch spanning databases is refused before anything is written.
    let batch = vec![
        in_segment("BatchVip", 7, "vip"),
        in_segment("BatchDef", 8, "default"),
    ];
    let counts = routing.lifecycle_counts().await.unwrap();
    assert!(matches!(
        w.create_batch(&batch).await,
        Err(CoreError::Store(StoreError::Unsupported(_)))
    ));
    assert_eq!(routing.lifecycle_counts().await.unwrap(), counts);

    // Erasure happens in the customer's database, with its event there.
    h.vault
        .eraser(&admin)
        .await
        .unwrap()
        .erase(v1.id)
        .await
        .unwrap();
    assert!(matches!(r.get(v1.id).await, Err(CoreError::Erased)));
    let gone = vip.customer_load(v1.id).await.unwrap().unwrap();
    assert!(gone.row.erased_at.is_some() && gone.key.is_none());
    let erased = routing.erasures_after(0, None, 10).await.unwrap();
    assert_eq!(erased.iter().map(|e| e.id).collect::<Vec<_>>(), vec![v1.id]);
    assert_eq!(erased[0].segment, "vip");
    assert!(main.erasures_after(0, None, 10).await.unwrap().is_empty());
    assert!(verify_log(vip.as_ref()).await > 0);

    // Layouts that mix segments are refused.
    let mixed = RoutingStore::new(
        main.clone(),
        vec![SegmentDb {
            name: "b2b".into(),
            store: vip.clone(),
        }],
    );
    assert!(matches!(
        mixed.check_layout().await,
        Err(LayoutError::ForeignCustomers { ref segment, ref other, count: 2 }) if segment == "b2b" && other == "vip"
    ));
    let left = RoutingStore::new(
        vip.clone(),
        vec![SegmentDb {
            name: "vip".into(),
            store: b2b.clone(),
        }],
    );
    assert!(matches!(
        left.check_layout().await,
        Err(LayoutError::CustomersLeftInMain { ref segment, count: 2 }) if segment == "vip"
    ));
    let keyring = RoutingStore::new(
        vip.clone(),
        vec![SegmentDb {
            name: "default".into(),
            store: main.clone(),
        }],
    );
    assert!(matches!(
        keyring.check_layout().await,
        Err(LayoutError::KeyringInSegment { .. })
    ));
}
