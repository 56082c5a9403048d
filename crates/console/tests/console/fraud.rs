//! The fraud routes of the console over HTTP, each with the change it makes: deciding a held
//! case (`/console/fraud/{id}/decide`) and adding and removing allow/block list entries
//! (`/console/fraud/lists/add`, `/console/fraud/lists/remove`). Every refusal (no CSRF token, a
//! role without the scope) leaves the store as it was; every accepted form changes it and is
//! audited.

use super::*;
use jaga_core::auth::Scope;

/// An API key with `scopes` (for the events API).
pub(super) async fn api_key(c: &Console, scopes: &[Scope]) -> String {
    c.h.vault
        .apikey_create(&c.h.admin(), "t", &scopes.iter().copied().collect(), None)
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_string()
}

/// Posts one event to `/v1/events`; returns the decision.
async fn score(c: &Console, key: &str, event: serde_json::Value) -> String {
    let req = Request::builder()
        .method("POST")
        .uri("/v1/events")
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(Body::from(event.to_string()))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["decision"].as_str().unwrap().to_string()
}

/// A sign-up with a throw-away e-mail address: held for review by the shipped rule
/// `signup_disposable_email` (each test makes its own case, named `id`).
pub(super) async fn held_case(c: &Console, key: &str, id: &str) {
    let event = serde_json::json!({
        "id": id, "ts": "2026-05-01T10:00:00+07:00", "type": "signup",
        "customer_ref": format!("cust-{id}"), "account_created_at": "2026-05-01T10:00:00+07:00",
        "email": format!("{id}@10minutemail.com"),
    });
    assert_eq!(score(c, key, event).await, "review", "{id} is held");
}

/// The audit events of `action` with `outcome`.
async fn audited(c: &Console, action: &str, outcome: &str) -> usize {
    c.audit_lines()
        .await
        .iter()
        .filter(|l| {
            l.contains(&format!("\"action\":\"{action}\""))
                && l.contains(&format!("\"outcome\":\"{outcome}\""))
        })
        .count()
}

/// The ids of the cases in the review queue as the page shows them.
fn queued(body: &str) -> Vec<String> {
    body.split("<tr class=\"fraud-case\" data-id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_held_case_is_decided_once_from_the_console_and_refusals_change_nothing() {
    let c = console().await;
    let admin = c.admin().await;
    let fina = c
        .member(&admin, Role::Finance, "fina@toko.example", true)
        .await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let key = api_key(&c, &[Scope::EventsWrite]).await;
    held_case(&c, &key, "signup-decline").await;
    held_case(&c, &key, "signup-approve").await;
    let r = c.get("/console/fraud", Some(&fina), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut both = queued(&r.body);
    both.sort();
    assert_eq!(both, ["signup-approve", "signup-decline"]);
    let decide = "/console/fraud/signup-decline/decide";
    let decline = |m: &Member| {
        form(&[
            ("csrf_token", &m.csrf),
            ("decision", "decline"),
            ("note", "alamat fiktif"),
        ])
    };
    // No CSRF token, and a member without `fraud:review`: refused, still held, nothing labelled.
    let r = c
        .post(decide, Some(&fina), "", "decision=decline&note=x")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.post(decide, Some(&cs), "", &decline(&cs)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(audited(&c, "fraud.review.decide", "denied").await, 1);
    // A decision the form does not offer: the console's "form could not be read" (400), nothing
    // recorded.
    let r = c
        .post(
            decide,
            Some(&fina),
            "",
            &form(&[("csrf_token", &fina.csrf), ("decision", "maybe")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        c.h.store
            .fraud_labels_after("", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(audited(&c, "fraud.review.decide", "ok").await, 0);
    // Finance declines with a note: the case leaves the queue, labelled fraud, audited once.
    let r = c.post(decide, Some(&fina), "", &decline(&fina)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/console/fraud?done=1");
    let labels = c.h.store.fraud_labels_after("", 10).await.unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(
        (labels[0].fraud, labels[0].kind.as_str()),
        (Some(true), "review_decline")
    );
    assert_eq!(audited(&c, "fraud.review.decide", "ok").await, 1);
    let r = c.get("/console/fraud", Some(&fina), "").await;
    assert_eq!(queued(&r.body), ["signup-approve"]);
    let recent = &r.body[r
        .body
        .find("id=\"fraud-recent\"")
        .expect("recent decisions")..];
    assert!(recent.contains("signup-decline") && recent.contains("alamat fiktif"));
    // A second decision on the same case: a conflict, nothing more recorded.
    let r = c.post(decide, Some(&fina), "", &decline(&fina)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(c.h.store.fraud_labels_after("", 10).await.unwrap().len(), 1);
    // The other case is approved by the admin: labelled legitimate; the queue is empty.
    let r = c
        .post(
            "/console/fraud/signup-approve/decide",
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("decision", "approve")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let labels = c.h.store.fraud_labels_after("", 10).await.unwrap();
    assert_eq!(labels.len(), 2);
    assert!(labels.iter().any(|l| l.fraud == Some(false)), "{labels:?}");
    let r = c.get("/console/fraud", Some(&fina), "").await;
    assert!(queued(&r.body).is_empty(), "{}", r.body);
    assert!(r.body.contains("id=\"fraud-empty\""));
    // An event that was never held: 404.
    let r = c
        .post(
            "/console/fraud/no-such-event/decide",
            Some(&fina),
            "",
            &decline(&fina),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_entries_are_added_and_removed_from_the_console_and_refusals_change_nothing() {
    let c = console().await;
    let admin = c.admin().await;
    let fina = c
        .member(&admin, Role::Finance, "fina@toko.example", true)
        .await;
    let key = api_key(&c, &[Scope::EventsWrite]).await;
    let add = |m: &Member| {
        form(&[
            ("csrf_token", &m.csrf),
            ("list", "block"),
            ("entity", "email"),
            ("value", "Penipu@Mailinator.com"),
            ("note", "chargeback Mei"),
        ])
    };
    let order = |id: &str| {
        serde_json::json!({"id": id, "ts": "2026-05-01T10:00:00+07:00", "type": "order",
            "amount": 14500000, "currency": "IDR", "email": "penipu@mailinator.com",
            "customer_ref": format!("c-{id}")})
    };
    // No CSRF token, and finance (no `fraud:manage`): refused, nothing listed.
    let body = add(&admin);
    let no_token = body.split_once('&').unwrap().1;
    let r = c
        .post("/console/fraud/lists/add", Some(&admin), "", no_token)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post("/console/fraud/lists/add", Some(&fina), "", &add(&fina))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(c.h.store.fraud_lists_all().await.unwrap().is_empty());
    assert_eq!(audited(&c, "fraud.list.change", "denied").await, 1);
    assert_ne!(score(&c, &key, order("o-1")).await, "block");
    // The admin lists it: the page shows a masked hint, never the value; the engine blocks it.
    let r = c
        .post("/console/fraud/lists/add", Some(&admin), "", &add(&admin))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/console/fraud/lists?done=added");
    let rows = c.h.store.fraud_lists_all().await.unwrap();
    assert_eq!(rows.len(), 1);
    let entry = rows[0].key.clone();
    assert!(entry.starts_with("k:"), "{entry}");
    let page = c.get("/console/fraud/lists", Some(&admin), "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!(
            "data-list=\"block\" data-entity=\"email\" data-key=\"{entry}\""
        )),
        "{}",
        page.body
    );
    assert!(!page.body.to_lowercase().contains("penipu@mailinator"));
    assert_eq!(score(&c, &key, order("o-2")).await, "block");
    assert_eq!(audited(&c, "fraud.list.change", "ok").await, 1);
    // Removal: refused without a token and for finance; then removed; a second removal is 404.
    let remove = |m: &Member| {
        form(&[
            ("csrf_token", &m.csrf),
            ("list", "block"),
            ("entity", "email"),
            ("key", &entry),
        ])
    };
    let body = remove(&admin);
    let r = c
        .post(
            "/console/fraud/lists/remove",
            Some(&admin),
            "",
            body.split_once('&').unwrap().1,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post(
            "/console/fraud/lists/remove",
            Some(&fina),
            "",
            &remove(&fina),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(c.h.store.fraud_lists_all().await.unwrap().len(), 1);
    let r = c
        .post(
            "/console/fraud/lists/remove",
            Some(&admin),
            "",
            &remove(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/console/fraud/lists?done=removed");
    assert!(c.h.store.fraud_lists_all().await.unwrap().is_empty());
    assert_ne!(score(&c, &key, order("o-3")).await, "block");
    let r = c
        .post(
            "/console/fraud/lists/remove",
            Some(&admin),
            "",
            &remove(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(audited(&c, "fraud.list.change", "ok").await, 2);
}
