//! The owner's daily fraud summary: due once per day, a UTC day or the shop's day in its zone
//! (not at first start, not twice), counts only (no event ids, no contact data), refused
//! without `fraud:review`.

use jaga_core::auth::Scope;
use jaga_jobs::delivery::Delivery;
use jaga_jobs::fraud::FraudSummaryJob;
use jaga_testkit::Harness;
use std::sync::Arc;

const DAY: i64 = 86_400_000;

async fn harness(dir: &std::path::Path) -> Harness {
    let store =
        jaga_store_sqlite::SqliteStore::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
    Harness::new(Arc::new(store)).await
}

fn witnesses(dir: &std::path::Path) -> jaga_jobs::checkpoint::SharedWitnesses {
    Arc::new(tokio::sync::Mutex::new(
        jaga_jobs::delivery::Witnesses::new(dir, Vec::new()).unwrap(),
    ))
}

#[tokio::test]
async fn yesterday_is_summarised_once_with_counts_only() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    // 2026-05-01 (UTC): three declined payments of one customer (the last ones held for
    // review), one plain order.
    let mut events = Vec::new();
    for n in 0..3 {
        events.push(
            jaga_fraud::parse_event(&format!(
                r#"{{"id":"p-{n}","ts":"2026-05-01T03:0{n}:00Z","type":"payment","customer_ref":"c-1","email":"rina@gmail.com","amount":45000000,"currency":"IDR","payment":{{"method":"card","card_fingerprint":"fp-{n}","status":"declined"}}}}"#
            ))
            .unwrap(),
        );
    }
    events.push(
        jaga_fraud::parse_event(
            r#"{"id":"o-1","ts":"2026-05-01T05:00:00Z","type":"order","amount":14500000,"currency":"IDR"}"#,
        )
        .unwrap(),
    );
    let out = h
        .vault
        .fraud_score(
            &h.caller(&[Scope::EventsWrite]),
            events,
            jaga_i18n::Lang::En,
        )
        .await
        .unwrap();
    let held = out.iter().filter(|o| o.decision.flagged()).count() as u64;
    assert!(held >= 1, "{out:?}");

    let may_1 = 1_777_593_600_000; // 2026-05-01T00:00:00Z
    let caller = h.caller(&[Scope::FraudReview]);
    let job = FraudSummaryJob::new(
        h.vault.clone(),
        caller,
        "Toko Cantik",
        dir.path(),
        witnesses(dir.path()),
    );
    // First start: nothing, the day is remembered.
    assert!(job.due(may_1 + DAY + 1000).await.is_none());
    // As if the last summary was two days ago: the summary of 2026-05-01 is due once.
    std::fs::write(
        dir.path().join("fraud-summary-last"),
        (may_1 - DAY).to_string(),
    )
    .unwrap();
    let Some(Delivery::Report {
        name,
        subject,
        body,
    }) = job.due(may_1 + DAY + 1000).await
    else {
        panic!("no summary");
    };
    assert_eq!(name, "fraud-summary-2026-05-01.txt");
    assert!(
        subject.contains(&format!("{held} held")) || subject.contains("blocked"),
        "{subject}"
    );
    assert!(body.contains("Toko Cantik"));
    assert!(body.contains("events: 4"), "{body}");
    assert!(body.contains("failed_payment_burst"), "{body}");
    assert!(body.contains("IDR"), "{body}");
    assert!(
        !body.contains("rina") && !body.contains("p-1") && !body.contains("c-1"),
        "{body}"
    );
    assert!(job.due(may_1 + DAY + 2000).await.is_none(), "not twice");
    // Without fraud:review the summary is refused (and nothing is sent).
    std::fs::write(
        dir.path().join("fraud-summary-last"),
        (may_1 - DAY).to_string(),
    )
    .unwrap();
    let nobody = FraudSummaryJob::new(
        h.vault.clone(),
        h.caller(&[Scope::EventsWrite]),
        "Toko",
        dir.path(),
        witnesses(dir.path()),
    );
    assert!(nobody.due(may_1 + DAY + 1000).await.is_none());
}

#[tokio::test]
async fn the_day_is_the_shops_day_in_its_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    // 10:00 UTC on 1 May is 17:00 WIB on 1 May; 20:00 UTC on 1 May is 03:00 WIB on 2 May.
    let events = ["2026-05-01T10:00:00Z", "2026-05-01T20:00:00Z"]
        .iter()
        .enumerate()
        .map(|(n, ts)| {
            jaga_fraud::parse_event(&format!(
                r#"{{"id":"o-{n}","ts":"{ts}","type":"order","amount":14500000,"currency":"IDR"}}"#
            ))
            .unwrap()
        })
        .collect();
    h.vault
        .fraud_score(
            &h.caller(&[Scope::EventsWrite]),
            events,
            jaga_i18n::Lang::En,
        )
        .await
        .unwrap();
    let may_1 = 1_777_593_600_000; // 2026-05-01T00:00:00Z
    let wib = jaga_i18n::Zone::parse("WIB").unwrap();
    let seven_hours = 7 * 3_600_000;
    // 00:00:01 WIB on 3 May: the day before is 2 May in Jakarta, [1 May 17:00Z, 2 May 17:00Z).
    let now = may_1 + 2 * DAY - seven_hours + 1000;
    let last = dir.path().join("fraud-summary-last");
    std::fs::write(&last, (may_1 - DAY).to_string()).unwrap();
    let job = FraudSummaryJob::new(
        h.vault.clone(),
        h.caller(&[Scope::FraudReview]),
        "Toko Cantik",
        dir.path(),
        witnesses(dir.path()),
    )
    .in_zone(wib);
    let Some(Delivery::Report { name, body, .. }) = job.due(now).await else {
        panic!("no summary");
    };
    assert_eq!(name, "fraud-summary-2026-05-02.txt");
    assert!(body.contains("2026-05-02 (WIB)"), "{body}");
    assert!(body.contains("events: 1"), "{body}");
    // Not due again in the same Jakarta day.
    assert!(job.due(now + 3_600_000).await.is_none());
    // A job without a zone counts the UTC day 1 May: both events.
    std::fs::write(&last, (may_1 - DAY).to_string()).unwrap();
    let utc = FraudSummaryJob::new(
        h.vault.clone(),
        h.caller(&[Scope::FraudReview]),
        "Toko Cantik",
        dir.path(),
        witnesses(dir.path()),
    );
    let Some(Delivery::Report { name, body, .. }) = utc.due(may_1 + DAY + 1000).await else {
        panic!("no summary");
    };
    assert_eq!(name, "fraud-summary-2026-05-01.txt");
    assert!(body.contains("2026-05-01 (UTC)"), "{body}");
    assert!(body.contains("events: 2"), "{body}");
}
