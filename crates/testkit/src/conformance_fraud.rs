//! Conformance of the fraud monitor's event table: insertion order, idempotent ids, look-up by
//! id (ids with quotes and non-ASCII too).

use jaga_core::store::{FraudEventRow, FraudLabelRow, FraudLink, Store};
use std::sync::Arc;

fn row(id: &str, ts: i64) -> FraudEventRow {
    FraudEventRow {
        seq: 0,
        id: id.to_string(),
        ts,
        kind: "payment".into(),
        event: format!(r#"{{"id":"{}"}}"#, id.replace('"', "\\\"")),
        decision: "review".into(),
        score: 60,
        reasons: r#"[{"rule":"r","text":"t"}]"#.into(),
        created_at: ts,
    }
}

/// Rows come back in insertion order after a cursor; a known id is skipped, not an error.
pub async fn fraud_events_are_ordered_and_idempotent(store: Arc<dyn Store>) {
    let ids = ["a-1", "b \"quoted\" \\ id", "c-ünï"];
    let n = store
        .fraud_events_insert(
            ids.iter()
                .enumerate()
                .map(|(i, id)| row(id, i as i64))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let all = store.fraud_events_after(0, 10).await.unwrap();
    assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ids);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all[1].score, 60);
    assert_eq!(all[1].reasons, r#"[{"rule":"r","text":"t"}]"#);
    let after_first = store.fraud_events_after(all[0].seq, 10).await.unwrap();
    assert_eq!(after_first.len(), 2);
    assert_eq!(
        store.fraud_events_after(all[0].seq, 1).await.unwrap().len(),
        1
    );
    // Inserting a known id again (with a new one) skips it.
    let n = store
        .fraud_events_insert(vec![row("a-1", 9), row("d-4", 9)])
        .await
        .unwrap();
    assert_eq!(n, 1);
    let got = store
        .fraud_events_get(&["b \"quoted\" \\ id".into(), "c-ünï".into(), "zzz".into()])
        .await
        .unwrap();
    let mut got: Vec<String> = got.into_iter().map(|r| r.id).collect();
    got.sort();
    assert_eq!(got, ["b \"quoted\" \\ id", "c-ünï"]);
    assert!(store.fraud_events_get(&[]).await.unwrap().is_empty());
    assert_eq!(
        store.fraud_events_get(&["a-1".into()]).await.unwrap()[0].ts,
        0,
        "first write kept"
    );
}

fn label(id: &str, fraud: Option<bool>, kind: &str) -> FraudLabelRow {
    FraudLabelRow {
        event_id: id.to_string(),
        fraud,
        kind: kind.to_string(),
        source: "src".into(),
        set_at: 1,
    }
}

fn link(r: &str, id: &str) -> FraudLink {
    FraudLink {
        reference: r.to_string(),
        event_id: id.to_string(),
    }
}

/// Events, links and labels are written together; events are found by any of their
/// references; a fraud label is never replaced by a refund, but replaces one.
pub async fn fraud_links_and_labels(store: Arc<dyn Store>) {
    let n = store
        .fraud_record(
            vec![row("p-1", 1), row("p-2", 2), row("r-3", 3)],
            vec![("p-1".into(), "sealed-1".into())],
            vec![
                link("order:A", "p-1"),
                link("stripe:ch_\"1", "p-1"),
                link("order:A", "p-1"),
                link("order:B\u{1}", "p-2"),
            ],
            vec![label("p-2", None, "refund")],
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let by = |refs: Vec<&str>| {
        let store = store.clone();
        let refs: Vec<String> = refs.into_iter().map(String::from).collect();
        async move {
            store
                .fraud_events_by_refs(&refs)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by(vec!["order:A"]).await, ["p-1"]);
    assert_eq!(by(vec!["order:A", "stripe:ch_\"1"]).await, ["p-1"]);
    assert_eq!(by(vec!["order:B\u{1}", "order:A"]).await, ["p-1", "p-2"]);
    assert!(by(vec!["order:C"]).await.is_empty());
    assert!(by(vec![]).await.is_empty());
    assert_eq!(
        store
            .fraud_contacts_get(&["p-1".into(), "p-2".into()])
            .await
            .unwrap(),
        [("p-1".to_string(), "sealed-1".to_string())]
    );
    // Labels: a fraud label replaces a refund; a refund does not replace a fraud label.
    store
        .fraud_record(
            vec![],
            vec![],
            vec![],
            vec![
                label("p-2", Some(true), "chargeback"),
                label("p-1", Some(true), "chargeback"),
            ],
        )
        .await
        .unwrap();
    store
        .fraud_record(vec![], vec![], vec![], vec![label("p-1", None, "refund")])
        .await
        .unwrap();
    let all = store.fraud_labels_after("", 10).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|l| (l.event_id.as_str(), l.fraud, l.kind.as_str()))
            .collect::<Vec<_>>(),
        [
            ("p-1", Some(true), "chargeback"),
            ("p-2", Some(true), "chargeback")
        ]
    );
    assert_eq!(store.fraud_labels_after("p-1", 10).await.unwrap().len(), 1);
    // A legitimate verdict (a reviewer's approval) replaces a fraud label.
    store
        .fraud_record(
            vec![],
            vec![],
            vec![],
            vec![label("p-1", Some(false), "review")],
        )
        .await
        .unwrap();
    assert_eq!(
        store.fraud_labels_after("", 1).await.unwrap()[0].fraud,
        Some(false)
    );
}
