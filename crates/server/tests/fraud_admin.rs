//! Managing the fraud monitor over HTTP (issue 13): allow and block lists (scope
//! `fraud:manage`, audited, values never stored or echoed), rule reloads (an invalid set is
//! refused and the old one stays), and the review queue (scope `fraud:review`; decisions
//! recorded once, audited, and kept as labels; contacts shown masked).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use jaga_fraud::RuleSet;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

mod common;
use common::{Api, api};

async fn key(api: &Api, scopes: &[Scope]) -> String {
    api.h
        .vault
        .apikey_create(&api.h.admin(), "t", &scopes.iter().copied().collect(), None)
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_string()
}

async fn call(
    api: &Api,
    method: &str,
    uri: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {key}"));
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    let res = api
        .app
        .clone()
        .oneshot(
            b.body(body.map_or_else(Body::empty, |v| Body::from(v.to_string())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn actions(api: &Api) -> Vec<jaga_audit::event::AuditEvent> {
    let size = api.h.store.audit_head().await.unwrap().size;
    api.h
        .store
        .audit_events(0, size as u32)
        .await
        .unwrap()
        .iter()
        .map(|e| jaga_audit::event::decode(&e.leaf).unwrap())
        .collect()
}

fn order(id: &str, email: &str) -> Value {
    json!({"id": id, "ts": "2026-05-01T10:00:00+07:00", "type": "order", "amount": 14500000,
        "currency": "IDR", "email": email, "customer_ref": format!("c-{id}")})
}

#[tokio::test]
async fn block_list_entries_block_and_are_audited_without_the_value() {
    let api = api().await;
    let manage = key(&api, &[Scope::FraudManage]).await;
    let events = key(&api, &[Scope::EventsWrite]).await;
    let (s, v) = call(
        &api,
        "POST",
        "/v1/fraud/lists",
        &manage,
        Some(json!({"list": "block", "entity": "email", "value": "Penipu@Mailinator.com", "note": "chargeback Mei"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let entry_key = v["entry"]["key"].as_str().unwrap().to_string();
    assert!(entry_key.starts_with("k:"));
    assert!(!v.to_string().to_lowercase().contains("penipu@"), "{v}");
    // Listing again is not an error and changes nothing.
    let (s, v) = call(
        &api,
        "POST",
        "/v1/fraud/lists",
        &manage,
        Some(json!({"list": "block", "entity": "email", "value": "penipu@mailinator.com"})),
    )
    .await;
    assert_eq!((s, v["created"].as_bool()), (StatusCode::OK, Some(false)));
    // The engine blocks the listed e-mail at once (normalised: case does not matter).
    let (s, v) = call(
        &api,
        "POST",
        "/v1/events",
        &events,
        Some(order("o-1", "PENIPU@mailinator.com")),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["decision"], "block");
    assert_eq!(v["reasons"][0]["rule"], "block_list");
    let (_, v) = call(
        &api,
        "POST",
        "/v1/events",
        &events,
        Some(order("o-2", "siti@gmail.com")),
    )
    .await;
    assert_ne!(v["decision"], "block");
    // Listed entries show keys and hints, never values.
    let (s, v) = call(&api, "GET", "/v1/fraud/lists", &manage, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["entries"].as_array().unwrap().len(), 1);
    assert!(!v.to_string().contains("penipu@"), "{v}");
    // Removal by key; a second removal is 404.
    let uri = format!("/v1/fraud/lists/block/email/{entry_key}");
    assert_eq!(
        call(&api, "DELETE", &uri, &manage, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&api, "DELETE", &uri, &manage, None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, v) = call(
        &api,
        "POST",
        "/v1/events",
        &events,
        Some(order("o-3", "penipu@mailinator.com")),
    )
    .await;
    assert_ne!(v["reasons"][0]["rule"], "block_list", "{v}");
    // Audited: two changes (add, remove), with the key and never the value.
    let changes: Vec<_> = actions(&api)
        .await
        .into_iter()
        .filter(|e| e.action == "fraud.list.change" && e.outcome == "ok")
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes[0].fields.contains(&format!("key:{entry_key}")));
    assert!(!format!("{changes:?}").contains("penipu"));
}

#[tokio::test]
async fn list_input_and_scope_are_checked() {
    let api = api().await;
    let manage = key(&api, &[Scope::FraudManage]).await;
    let events = key(&api, &[Scope::EventsWrite]).await;
    for body in [
        json!({"list": "maybe", "entity": "email", "value": "a@b.c"}),
        json!({"list": "block", "entity": "bin", "value": "411111"}),
        json!({"list": "block", "entity": "email", "value": ""}),
        json!({"list": "block", "entity": "email", "value": "a@b.c", "note": "x".repeat(201)}),
        json!({"list": "block", "entity": "email", "value": "a@b.c", "extra": 1}),
    ] {
        // Valid JSON that breaks the schema or a rule: 422 (400 is for a body that is not JSON).
        let (s, v) = call(&api, "POST", "/v1/fraud/lists", &manage, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
    }
    // A card number as a value is refused like everywhere.
    let (s, _) = call(
        &api,
        "POST",
        "/v1/fraud/lists",
        &manage,
        Some(json!({"list": "block", "entity": "card", "value": "4111 1111 1111 1111"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Without fraud:manage: 403 (audited), before the body is read.
    let (s, _) = call(
        &api,
        "POST",
        "/v1/fraud/lists",
        &events,
        Some(json!({"list": "block", "entity": "email", "value": "a@b.c"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&api, "GET", "/v1/fraud/lists", &events, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert!(api.h.store.fraud_lists_all().await.unwrap().is_empty());
    assert!(
        actions(&api)
            .await
            .iter()
            .any(|e| e.action == "fraud.list.change" && e.outcome == "denied")
    );
}

#[tokio::test]
async fn rule_reload_keeps_the_old_rules_when_the_new_ones_are_invalid() {
    let api = api().await;
    let manage = key(&api, &[Scope::FraudManage]).await;
    let events = key(&api, &[Scope::EventsWrite]).await;
    // Not configured: a clear 422.
    let (s, v) = call(&api, "POST", "/v1/fraud/rules/reload", &manage, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let source: Arc<Mutex<String>> = Arc::new(Mutex::new(
        "[[rule]]\nid = \"everything\"\naction = \"review\"\nwhen = \"true\"\nreason = { id = \"semua\", en = \"all\" }\n".into(),
    ));
    let s2 = source.clone();
    api.h.vault.set_fraud_rules_source(Arc::new(move || {
        RuleSet::from_sources([("r.toml".to_string(), s2.lock().unwrap().clone())])
            .map_err(|e| e.to_string())
    }));
    let (s, v) = call(&api, "POST", "/v1/fraud/rules/reload", &manage, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["rules"], 1);
    let (_, v) = call(
        &api,
        "POST",
        "/v1/events",
        &events,
        Some(order("r-1", "a@gmail.com")),
    )
    .await;
    assert_eq!(v["decision"], "review", "{v}");
    // A syntax error: refused with file and line; the rules in force stay.
    *source.lock().unwrap() = "[[rule]]\nid = \"broken\"\nwhen = \"amount >\"\n".into();
    let (s, v) = call(&api, "POST", "/v1/fraud/rules/reload", &manage, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("r.toml"), "{v}");
    let (_, v) = call(
        &api,
        "POST",
        "/v1/events",
        &events,
        Some(order("r-2", "b@gmail.com")),
    )
    .await;
    assert_eq!(v["decision"], "review", "the old rules stay: {v}");
    let reloads: Vec<String> = actions(&api)
        .await
        .into_iter()
        .filter(|e| e.action == "fraud.rules.reload")
        .map(|e| e.outcome)
        .collect();
    assert_eq!(reloads, ["ok", "rejected"]);
    // Without the scope: 403.
    assert_eq!(
        call(&api, "POST", "/v1/fraud/rules/reload", &events, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_review_queue_records_one_decision_as_a_label() {
    let api = api().await;
    let manage = key(&api, &[Scope::FraudManage]).await;
    let events = key(&api, &[Scope::EventsWrite]).await;
    let reviewer = key(&api, &[Scope::FraudReview]).await;
    // Everything is held for review under this rule set.
    api.h.vault.set_fraud_rules_source(Arc::new(|| {
        RuleSet::from_sources([(
            "r.toml".to_string(),
            "[[rule]]\nid = \"everything\"\naction = \"review\"\nwhen = \"true\"\nreason = { id = \"semua\", en = \"all\" }\n".to_string(),
        )])
        .map_err(|e| e.to_string())
    }));
    assert_eq!(
        call(&api, "POST", "/v1/fraud/rules/reload", &manage, None)
            .await
            .0,
        StatusCode::OK
    );
    let mut ev = order("q-1", "siti.rahma@gmail.com");
    ev["phone"] = json!("081234567890");
    ev["ip"] = json!("36.72.1.9");
    let (_, v) = call(&api, "POST", "/v1/events", &events, Some(ev)).await;
    assert_eq!(v["decision"], "review");
    let (s, v) = call(&api, "GET", "/v1/fraud/reviews", &reviewer, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let case = &v["cases"][0];
    assert_eq!(case["id"], "q-1");
    assert_eq!(case["reasons"][0]["rule"], "everything");
    // The contact is shown masked, opened from its encrypted copy; never in full.
    let text = v.to_string();
    assert!(
        !text.contains("siti.rahma") && !text.contains("1234567") && !text.contains("36.72.1.9"),
        "{text}"
    );
    assert_eq!(case["contact"]["ip"], "36.72.*.*");
    // Reading the queue (masked contacts of people) is recorded, with the count only.
    let reads: Vec<_> = actions(&api)
        .await
        .into_iter()
        .filter(|e| e.action == "fraud.review.read" && e.outcome == "ok")
        .collect();
    assert_eq!(reads.len(), 1);
    assert!(
        reads[0].fields.iter().any(|f| f == "count:1"),
        "{:?}",
        reads[0].fields
    );
    assert!(
        case["contact"]["email"]
            .as_str()
            .unwrap()
            .ends_with("@gmail.com")
    );
    // The stored row never held the values either.
    let raw = std::fs::read(api.db_path()).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("siti.rahma"));

    // Wrong decision, unknown event, missing scope.
    let (s, _) = call(
        &api,
        "POST",
        "/v1/fraud/reviews/q-1",
        &reviewer,
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(
        &api,
        "POST",
        "/v1/fraud/reviews/nope",
        &reviewer,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &api,
        "POST",
        "/v1/fraud/reviews/q-1",
        &events,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&api, "GET", "/v1/fraud/reviews", &events, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // Decline: recorded with who and when, audited, labelled fraud; the queue is empty.
    let (s, v) = call(
        &api,
        "POST",
        "/v1/fraud/reviews/q-1",
        &reviewer,
        Some(json!({"decision": "decline", "note": "alamat fiktif"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["decision"], "decline");
    assert!(v["decided_at"].as_i64().unwrap() > 0);
    assert!(!v["decided_by"].as_str().unwrap().is_empty());
    let (s, _) = call(
        &api,
        "POST",
        "/v1/fraud/reviews/q-1",
        &reviewer,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = call(&api, "GET", "/v1/fraud/reviews", &reviewer, None).await;
    assert!(v["cases"].as_array().unwrap().is_empty());
    let labels = api.h.store.fraud_labels_after("", 10).await.unwrap();
    assert_eq!(labels[0].fraud, Some(true));
    assert_eq!(labels[0].kind, "review_decline");
    let decided: Vec<_> = actions(&api)
        .await
        .into_iter()
        .filter(|e| e.action == "fraud.review.decide" && e.outcome == "ok")
        .collect();
    assert_eq!(decided.len(), 1);
    assert!(decided[0].fields.contains(&"decision:decline".to_string()));
}

#[tokio::test]
async fn a_case_shows_the_customers_history_and_the_events_behind_its_velocity_rules() {
    let api = api().await;
    let events = key(&api, &[Scope::EventsWrite]).await;
    let reviewer = key(&api, &[Scope::FraudReview]).await;
    // The case: a third card from one device within the hour (a velocity rule over the
    // device's 1 h window), held for review.
    api.h
        .vault
        .fraud_set_rules(Arc::new(
            RuleSet::from_sources([(
                "r.toml".to_string(),
                "[[rule]]\nid = \"cards_per_device\"\naction = \"review\"\nwhen = \"device_cards_1h >= 3\"\nreason = { id = \"banyak kartu\", en = \"many cards\" }\n".to_string(),
            )])
            .unwrap(),
        ))
        .await;
    let pay = |id: &str, ts: &str, cust: &str, card: &str, dev: &str, email: &str| {
        json!({"id": id, "ts": ts, "type": "payment", "amount": 250000, "currency": "IDR",
            "customer_ref": cust, "email": email, "ip": "36.72.1.9", "device_id": dev,
            "payment": {"method": "card", "card_fingerprint": card, "status": "captured"}})
    };
    let batch = json!([
        // The customer's own earlier order, last month: history, outside every window.
        pay(
            "h-1",
            "2026-04-02T10:00:00+07:00",
            "cust-9",
            "fp-A",
            "dev-old",
            "rina.wati@gmail.com"
        ),
        // Two other cards on the same device within the hour (other customers): related.
        pay(
            "r-1",
            "2026-05-01T09:20:00+07:00",
            "cust-1",
            "fp-B",
            "dev-1",
            "budi.s@gmail.com"
        ),
        pay(
            "r-2",
            "2026-05-01T09:40:00+07:00",
            "cust-2",
            "fp-C",
            "dev-1",
            "dewi.k@gmail.com"
        ),
        // Same device but two hours earlier: outside the rule's 1 h window for the device.
        pay(
            "x-1",
            "2026-05-01T08:00:00+07:00",
            "cust-3",
            "fp-D",
            "dev-1",
            "eko.p@yahoo.com"
        ),
        pay(
            "case-1",
            "2026-05-01T10:00:00+07:00",
            "cust-9",
            "fp-A",
            "dev-1",
            "rina.wati@gmail.com"
        ),
    ]);
    let (s, v) = call(&api, "POST", "/v1/events/batch", &events, Some(batch)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["results"][4]["decision"], "review", "{v}");

    let (s, v) = call(&api, "GET", "/v1/fraud/reviews/case-1", &reviewer, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["case"]["id"], "case-1");
    assert_eq!(v["case"]["reasons"][0]["rule"], "cards_per_device");
    assert_eq!(v["decision"], "review");
    let ids = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("history"), vec!["h-1"]);
    // Related: the device within its 1 h window (r-2, r-1); x-1 shares the device and the IP
    // only two hours before, inside the IP's default 24 h window.
    let related = ids("related");
    assert_eq!(related, vec!["r-2", "r-1", "x-1"], "{v}");
    let shared = |i: usize| -> Vec<String> {
        v["related"][i]["shared"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(shared(0), vec!["device", "ip"]);
    assert_eq!(shared(2), vec!["ip"]);
    assert!(
        v["windows"]
            .as_array()
            .unwrap()
            .contains(&json!({"entity": "device", "seconds": 3600}))
    );
    // Contacts masked, never in full.
    let text = v.to_string();
    assert!(
        !text.contains("rina.wati") && !text.contains("budi.s") && !text.contains("36.72.1.9"),
        "{text}"
    );
    assert_eq!(v["related"][0]["contact"]["ip"], "36.72.*.*");
    // The read is audited, naming the event and the counts only.
    let reads: Vec<_> = actions(&api)
        .await
        .into_iter()
        .filter(|e| e.action == "fraud.review.read" && e.fields.contains(&"case".to_string()))
        .collect();
    assert_eq!(reads.len(), 1);
    assert!(reads[0].fields.contains(&"event:case-1".to_string()));
    assert!(reads[0].fields.contains(&"related:3".to_string()));
    // Unknown event, missing scope (refused and audited).
    assert_eq!(
        call(&api, "GET", "/v1/fraud/reviews/nope", &reviewer, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&api, "GET", "/v1/fraud/reviews/case-1", &events, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert!(
        actions(&api)
            .await
            .iter()
            .any(|e| e.action == "fraud.review.read" && e.outcome != "ok")
    );
}
