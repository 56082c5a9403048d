//! The fraud monitor over HTTP (issue 13): `POST /v1/events` and `/v1/events/batch` with the
//! exact response shape, scope, card guard, validation, all-or-nothing batches, replays, and
//! two nodes on one database seeing each other's events.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use jaga_core::vault::Vault;
use jaga_server::{AppState, ServerConfig, router};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

mod common;
use common::{Api, api};

async fn key(vault: &Vault, admin: &jaga_core::auth::Caller, scopes: &[Scope]) -> String {
    vault
        .apikey_create(admin, "events", &scopes.iter().copied().collect(), None)
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_string()
}

async fn post(
    app: &axum::Router,
    uri: &str,
    key: &str,
    body: &str,
    lang: Option<&str>,
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json");
    if let Some(l) = lang {
        b = b.header("accept-language", l);
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn tester(n: usize, ip: &str) -> Value {
    json!({
        "id": format!("ct-{ip}-{n}"),
        "ts": format!("2026-05-01T02:{:02}:{:02}Z", n / 60, n % 60),
        "type": "payment",
        "amount": 500000,
        "currency": "IDR",
        "ip": ip,
        "payment": {"method": "card", "card_fingerprint": format!("fp-{ip}-{n}"), "card_bin": "421570", "status": "declined"}
    })
}

async fn stored(api: &Api, id: &str) -> bool {
    !api.h
        .store
        .fraud_events_get(&[id.to_string()])
        .await
        .unwrap()
        .is_empty()
}

#[tokio::test]
async fn one_event_scored_with_the_exact_shape() {
    let api = api().await;
    let k = key(&api.h.vault, &api.h.admin(), &[Scope::EventsWrite]).await;
    let ev = json!({"id": "ord-1", "ts": "2026-05-01T10:00:00+07:00", "type": "order", "amount": 14500000,
        "currency": "IDR", "email": "siti@example.com", "customer_ref": "c-1", "items": [{"sku": "SERUM", "qty": 2, "price": 7250000}]});
    let (s, v) = post(&api.app, "/v1/events", &k, &ev.to_string(), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["decision", "id", "reasons", "score"]);
    assert_eq!(v["id"], "ord-1");
    assert_eq!(v["decision"], "allow");
    assert!(v["score"].as_u64().unwrap() <= 100);
    // Stored pseudonymised: the e-mail address is not in the row.
    let rows = api
        .h
        .store
        .fraud_events_get(&["ord-1".into()])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].event.contains("siti"), "{}", rows[0].event);
    assert!(rows[0].event.contains("@example.com"));

    // A replay of the same id answers the stored decision and stores nothing new.
    let (s, again) = post(&api.app, "/v1/events", &k, &ev.to_string(), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again, v);
}

#[tokio::test]
async fn card_testing_is_blocked_with_reasons_in_both_languages() {
    let api = api().await;
    let k = key(&api.h.vault, &api.h.admin(), &[Scope::EventsWrite]).await;
    let batch: Vec<Value> = (0..6).map(|n| tester(n, "10.1.1.1")).collect();
    let (s, v) = post(
        &api.app,
        "/v1/events/batch",
        &k,
        &json!({"events": batch}).to_string(),
        Some("en"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    assert_eq!(results[0]["id"], "ct-10.1.1.1-0");
    assert_eq!(results[0]["decision"], "allow");
    assert_eq!(results[5]["decision"], "block");
    let rules: Vec<&str> = results[5]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"card_testing_ip"), "{rules:?}");
    assert!(
        results[5]["reasons"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Card testing")
    );
    // Indonesian by default; a bare array works too.
    let more: Vec<Value> = (6..8).map(|n| tester(n, "10.1.1.1")).collect();
    let (s, v) = post(
        &api.app,
        "/v1/events/batch",
        &k,
        &Value::Array(more).to_string(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["results"][1]["reasons"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Uji kartu"),
        "{v}"
    );
}

#[tokio::test]
async fn refusals_are_clear_and_write_nothing() {
    let api = api().await;
    let k = key(&api.h.vault, &api.h.admin(), &[Scope::EventsWrite]).await;
    let other = key(&api.h.vault, &api.h.admin(), &[Scope::CustomersRead]).await;
    let ok = json!({"id": "e-ok", "ts": "2026-05-01T10:00:00Z", "type": "order"});

    let (s, v) = post(&api.app, "/v1/events", &other, &ok.to_string(), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(!stored(&api, "e-ok").await);

    let card = json!({"id": "e-card", "ts": "2026-05-01T10:00:00Z", "type": "payment",
        "payment": {"card_fingerprint": "4111-1111-1111-1111"}});
    let (s, v) = post(&api.app, "/v1/events", &k, &card.to_string(), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "card_number_not_allowed");
    assert!(!v.to_string().contains("4111"));
    assert!(!stored(&api, "e-card").await);

    for (body, code) in [
        (
            json!({"id": "e1", "ts": "2026-05-01T10:00:00Z", "type": "order", "colour": "red"}),
            "invalid_event",
        ),
        (
            json!({"id": "e1", "ts": "nope", "type": "order"}),
            "invalid_event",
        ),
        (
            json!({"id": "e1", "ts": "2026-05-01T10:00:00Z", "type": "gift"}),
            "invalid_event",
        ),
        (
            json!({"id": "e1", "ts": "2026-05-01T10:00:00Z", "type": "order", "amount": "siti@example.com"}),
            "invalid_event",
        ),
    ] {
        let (s, v) = post(&api.app, "/v1/events", &k, &body.to_string(), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(v["code"], code);
        assert!(!v.to_string().contains("siti"), "{v}");
    }
    let (s, _) = post(&api.app, "/v1/events", &k, "{not json", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // A batch with one bad event is refused whole, naming its index.
    let batch =
        json!([ok, {"id": "e-bad", "ts": "2026-05-01T10:00:00Z", "type": "order", "amount": -1}]);
    let (s, v) = post(&api.app, "/v1/events/batch", &k, &batch.to_string(), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("events[1]"), "{v}");
    assert!(
        !stored(&api, "e-ok").await,
        "nothing of a refused batch is stored"
    );

    // More than 1,000 events: 413 (the body limit here is 64 KiB, so use a bigger server).
    let big = jaga_server::router(AppState::new(
        api.h.vault.clone(),
        ServerConfig {
            body_limit: 4 << 20,
            ..Default::default()
        },
    ));
    let many: Vec<Value> = (0..1_001)
        .map(|n| json!({"id": format!("m{n}"), "ts": "2026-05-01T10:00:00Z", "type": "login"}))
        .collect();
    let (s, v) = post(
        &big,
        "/v1/events/batch",
        &k,
        &Value::Array(many).to_string(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["code"], "batch_too_large");
    assert!(!stored(&api, "m0").await);
    let (s, v) = post(&big, "/v1/events/batch", &k, "[]", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

#[tokio::test]
async fn two_nodes_on_one_database_share_velocity() {
    let api = api().await;
    // A second node: its own vault over the same store, unsealed with the same root key.
    let config = jaga_core::unseal::UnsealConfig::Keyfile {
        key_file: "root.key".into(),
        root_check: jaga_core::unseal::UnsealConfig::encode_check(
            &jaga_crypto::unseal::root_check(&api.h.root),
        ),
    };
    let vault_b = Arc::new(Vault::new(api.h.store.clone(), config));
    vault_b.unseal_with_root(api.h.root.clone()).await.unwrap();
    let node_b = router(AppState::new(vault_b, ServerConfig::default()));
    let k = key(&api.h.vault, &api.h.admin(), &[Scope::EventsWrite]).await;
    // Three declined cards from one IP on node A, the fourth on node B: B sees A's events.
    let first: Vec<Value> = (0..3).map(|n| tester(n, "10.2.2.2")).collect();
    let (s, v) = post(
        &api.app,
        "/v1/events/batch",
        &k,
        &Value::Array(first).to_string(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = post(
        &node_b,
        "/v1/events",
        &k,
        &tester(3, "10.2.2.2").to_string(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["decision"], "block", "{v}");
    // A fresh IP on node B alone is allowed.
    let (s, v) = post(
        &node_b,
        "/v1/events",
        &k,
        &tester(0, "10.3.3.3").to_string(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["decision"], "allow", "{v}");
}
