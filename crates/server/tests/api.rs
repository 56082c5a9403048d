//! The JSON API through the router (in process, no TLS): behaviour and every bad input.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tower::ServiceExt;

/// Lookup rate limits, the lookup cap, `/metrics` (issue 10's smaller leaks).
#[path = "api/leaks.rs"]
mod leaks;

/// `Idempotency-Key` on POST (issue 12).
#[path = "api/idempotency.rs"]
mod idempotency;

mod common;
use common::{Api, api};

impl Api {
    async fn key(&self, scopes: &[Scope]) -> String {
        let k = self
            .h
            .vault
            .apikey_create(
                &self.h.admin(),
                "test",
                &scopes.iter().copied().collect(),
                None,
            )
            .await
            .unwrap();
        k.token.expose_secret().to_string()
    }

    async fn call(
        &self,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Option<&str>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(k) = key {
            b = b.header("authorization", format!("Bearer {k}"));
        }
        if body.is_some() && !extra.iter().any(|(k, _)| *k == "content-type") {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let res = self
            .app
            .clone()
            .oneshot(
                b.body(
                    body.map(|s| Body::from(s.to_string()))
                        .unwrap_or_else(Body::empty),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v, headers)
    }

    async fn create(&self, key: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call(
                "POST",
                "/v1/customers",
                Some(key),
                Some(&body.to_string()),
                &[],
            )
            .await;
        (s, v)
    }
}

const ALL: &[Scope] = &[
    Scope::CustomersRead,
    Scope::CustomersWrite,
    Scope::CustomersReveal,
    Scope::CustomersErase,
    Scope::OrdersRead,
    Scope::OrdersWrite,
];

#[tokio::test]
async fn create_read_reveal_lookup_erase() {
    let a = api().await;
    let key = a.key(ALL).await;
    let (s, created) = a.create(&key, json!({"full_name": "Dewi Sari", "email": "Dewi@Example.co.id", "phone": "0812-3456-7890", "national_id": "3174011205900001"})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (s, v, h) = a
        .call("GET", &format!("/v1/customers/{id}"), Some(&key), None, &[])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["email"], "d***@example.co.id");
    assert_eq!(v["phone"], "+62 812-****-7890");
    assert_eq!(
        h["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    let (s, v, _) = a
        .call(
            "GET",
            &format!("/v1/customers/{id}?reveal=email,phone"),
            Some(&key),
            None,
            &[("x-jaga-purpose", "ticket CS-12 delivery")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["email"].as_str(), v["phone"].as_str()),
        (Some("dewi@example.co.id"), Some("+6281234567890"))
    );
    let (s, v, _) = a
        .call(
            "GET",
            "/v1/customers?phone=%2B62%20812%203456%207890",
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["customers"][0]["id"], id.as_str());
    let (s, _, _) = a
        .call(
            "DELETE",
            &format!("/v1/customers/{id}"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v, _) = a
        .call("GET", &format!("/v1/customers/{id}"), Some(&key), None, &[])
        .await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::GONE, Some("erased")));
}

#[tokio::test]
async fn card_numbers_are_refused_audited_and_never_stored() {
    let a = api().await;
    let key = a.key(ALL).await;
    let before = a.h.store.audit_head().await.unwrap().size;
    for body in [
        json!({"full_name": "Budi", "notes": "kartu 4111 1111 1111 1111"}),
        json!({"full_name": "Budi", "preferences": {"x": "5555-5555-5555-4444"}}),
        json!({"full_name": "Budi", "notes": 4111111111111111u64}),
    ] {
        let (s, v) = a.create(&key, body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("card_number_not_allowed")
            )
        );
        assert!(
            !v.to_string().contains("4111") && !v.to_string().contains("5555"),
            "the number is not echoed"
        );
    }
    let evs = a.h.store.audit_events(before, 10).await.unwrap();
    assert_eq!(evs.len(), 3, "each rejection audited, nothing else written");
    for e in &evs {
        let text = String::from_utf8_lossy(&e.leaf);
        // Whole numbers, not 4-digit fragments: timestamps and ids may contain "4111".
        assert!(
            text.contains("card_number_rejected")
                && !text.contains("4111 1111")
                && !text.contains("4111111111111111")
                && !text.contains("5555-5555"),
            "{text}"
        );
    }
    // Look-alikes pass: Luhn-invalid 16 digits, order numbers, phone numbers.
    for body in [
        json!({"full_name": "Budi", "notes": "nomor 4111111111111112 salah"}),
        json!({"full_name": "Budi", "notes": "pesanan INV/2025/11/00123", "phone": "+62 812-3456-7890"}),
    ] {
        let (s, v) = a.create(&key, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
}

#[tokio::test]
async fn bad_input_gets_a_stable_4xx_and_writes_nothing() {
    let a = api().await;
    let key = a.key(ALL).await;
    let reader = a.key(&[Scope::CustomersRead]).await;
    let (_, c) = a.create(&key, json!({"full_name": "Sari"})).await;
    let id = c["id"].as_str().unwrap().to_string();
    let before = a.h.store.audit_head().await.unwrap().size;
    let big = format!("{{\"full_name\": \"{}\"}}", "x".repeat(70 * 1024));
    let bad_email = json!({"full_name": "A", "email": "nope"}).to_string();
    let bad_phone = json!({"full_name": "A", "phone": "12"}).to_string();
    let bad_nik = json!({"full_name": "A", "national_id": "9999999999999999"}).to_string();
    let unknown = json!({"full_name": "A", "favourite": 1}).to_string();
    let wrong_type = json!({"full_name": 5}).to_string();
    let no_name = json!({"email": "a@b.id"}).to_string();
    let revoked = a.key(ALL).await;
    let rid = revoked.split('_').nth(1).unwrap().to_string();
    a.h.vault.apikey_revoke(&a.h.admin(), &rid).await.unwrap();
    type Case<'a> = (
        &'a str,
        String,
        Option<&'a str>,
        Option<&'a str>,
        StatusCode,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some("{not json"),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&wrong_type),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&unknown),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&no_name),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&big),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&bad_email),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&bad_phone),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            "POST",
            "/v1/customers".into(),
            Some(&key),
            Some(&bad_nik),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            "GET",
            format!("/v1/customers/{}", uuid::Uuid::new_v4()),
            Some(&key),
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "GET",
            "/v1/customers/not-a-uuid".into(),
            Some(&key),
            None,
            StatusCode::BAD_REQUEST,
            "invalid_id",
        ),
        (
            "GET",
            format!("/v1/customers/{id}"),
            None,
            None,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "GET",
            format!("/v1/customers/{id}"),
            Some("jaga_garbage"),
            None,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "GET",
            format!("/v1/customers/{id}"),
            Some(&revoked),
            None,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "GET",
            format!("/v1/customers/{id}?reveal=email"),
            Some(&reader),
            None,
            StatusCode::FORBIDDEN,
            "missing_scope",
        ),
        (
            "GET",
            format!("/v1/customers/{id}?reveal=email"),
            Some(&key),
            None,
            StatusCode::BAD_REQUEST,
            "purpose_required",
        ),
        (
            "GET",
            format!("/v1/customers/{id}?reveal=password"),
            Some(&key),
            None,
            StatusCode::BAD_REQUEST,
            "invalid_reveal",
        ),
        (
            "GET",
            "/v1/customers?email=a@b.id&phone=1".into(),
            Some(&key),
            None,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "GET",
            "/v1/customers?email=nope".into(),
            Some(&key),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            "DELETE",
            format!("/v1/customers/{id}"),
            Some(&reader),
            None,
            StatusCode::FORBIDDEN,
            "missing_scope",
        ),
        (
            "PUT",
            format!("/v1/customers/{id}"),
            Some(&key),
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "GET",
            "/v2/nothing".into(),
            Some(&key),
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (m, uri, k, body, status, code) in cases {
        let extra: &[(&str, &str)] =
            if m == "GET" && uri.contains("reveal=email") && k == Some(&reader) {
                &[("x-jaga-purpose", "ticket 9")]
            } else {
                &[]
            };
        let (s, v, h) = a.call(m, &uri, k, body, extra).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (status, Some(code)),
            "{m} {uri}: {v}"
        );
        assert_eq!(h["content-type"], "application/problem+json", "{m} {uri}");
    }
    // Only audit events were written (refusals, failed lookups), no customer.
    let evs = a.h.store.audit_events(before, 100).await.unwrap();
    assert!(
        evs.iter()
            .all(|e| !String::from_utf8_lossy(&e.leaf).contains("customer.create"))
    );
    let (s, _, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some("{\"full_name\": \"x\"}"),
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn orders_over_http() {
    let a = api().await;
    let key = a.key(ALL).await;
    let (_, c) = a.create(&key, json!({"full_name": "Rina"})).await;
    let id = c["id"].as_str().unwrap();
    let order = json!({"order_ref": "INV/2025/11/00123", "amount_minor": 150000, "currency": "IDR", "status": "paid",
        "items": [{"sku": "TNR-1", "name": "Toner", "quantity": 1, "unit_price_minor": 150000}],
        "payment": {"gateway": "xendit", "token": "tok_1", "card_brand": "mastercard", "last4": "4444", "exp_month": 1, "exp_year": 2030}});
    let (s, v, _) = a
        .call(
            "POST",
            &format!("/v1/customers/{id}/orders"),
            Some(&key),
            Some(&order.to_string()),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut with_pan = order.clone();
    with_pan["payment"]["token"] = json!("5555555555554444");
    let (s, v, _) = a
        .call(
            "POST",
            &format!("/v1/customers/{id}/orders"),
            Some(&key),
            Some(&with_pan.to_string()),
            &[],
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("card_number_not_allowed")
        )
    );
    let (s, v, _) = a
        .call(
            "GET",
            &format!("/v1/customers/{id}/orders"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["orders"].as_array().unwrap().len(), 1);
    assert_eq!(v["orders"][0]["payment"]["last4"], "4444");
}

#[tokio::test]
async fn sealed_vault_refuses_data_and_reports_not_ready() {
    let a = api().await;
    let key = a.key(ALL).await;
    a.h.vault.seal();
    let (s, v, _) = a
        .call("GET", "/v1/customers?email=a@b.id", Some(&key), None, &[])
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("sealed"))
    );
    let (s, v, _) = a.call("GET", "/readyz", None, None, &[]).await;
    assert_eq!(
        (s, v["sealed"].as_bool()),
        (StatusCode::SERVICE_UNAVAILABLE, Some(true))
    );
    let (s, _, _) = a.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn metrics_have_no_pii() {
    let a = api().await;
    let key = a.key(ALL).await;
    a.create(
        &key,
        json!({"full_name": "Marker Zebra", "email": "zebra@example.co.id"}),
    )
    .await;
    a.call(
        "GET",
        "/v1/customers?email=zebra@example.co.id",
        Some(&key),
        None,
        &[],
    )
    .await;
    let scraper = a.key(&[Scope::MetricsRead]).await;
    let (s, v, _) = a.call("GET", "/metrics", Some(&scraper), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    let text = v.as_str().unwrap();
    assert!(text.contains("jaga_http_responses_total{class=\"2xx\"}"));
    assert!(!text.to_lowercase().contains("zebra"));
}

#[test]
fn committed_openapi_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap_or_default();
    let generated = jaga_server::openapi::json();
    if std::env::var_os("JAGA_UPDATE_OPENAPI").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json"),
            &generated,
        )
        .unwrap();
        return;
    }
    assert!(generated.contains("\"openapi\": \"3.1"), "OpenAPI 3.1");
    assert_eq!(
        committed, generated,
        "docs/openapi.json is stale: run `JAGA_UPDATE_OPENAPI=1 cargo test -p jaga-server committed_openapi`"
    );
}

#[tokio::test]
async fn redact_endpoint_removes_identifiers_and_audits_counts_only() {
    let a = api().await;
    let key = a.key(&[Scope::Redact]).await;
    let before = a.h.store.audit_head().await.unwrap().size;
    let body = json!({"text": "Transfer ke rekening BCA 1234567890 a.n. Dewi, kartu 4111-1111-1111-1111, NIK 3174011205900001",
                      "policy": {"operators": {"NIK": "hash"}}}).to_string();
    let (s, v, _) = a
        .call("POST", "/v1/redact", Some(&key), Some(&body), &[])
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let out = v["text"].as_str().unwrap();
    assert!(
        !out.contains("4111") && !out.contains("3174011205900001"),
        "{out}"
    );
    let (_, v2, _) = a
        .call("POST", "/v1/redact", Some(&key), Some(&body), &[])
        .await;
    assert_eq!(
        v2["text"], v["text"],
        "the keyed hash is stable within the shop"
    );
    let evs = a.h.store.audit_events(before, 10).await.unwrap();
    assert_eq!(evs.len(), 2);
    let leaf = String::from_utf8_lossy(&evs[0].leaf);
    assert!(
        leaf.contains("text.redact")
            && leaf.contains("NIK:1")
            && !leaf.contains("3174011205900001"),
        "{leaf}"
    );
    let no_scope = a.key(&[Scope::CustomersRead]).await;
    let (s, _, _) = a
        .call("POST", "/v1/redact", Some(&no_scope), Some(&body), &[])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v, _) = a.call("POST", "/v1/redact", Some(&key), Some("{\"text\": \"NIK 3174011205900001\", \"policy\": {\"operators\": {\"NIK\": \"tokenize\"}}}"), &[]).await;
    // tokenize works here too (shop-level tokens; see tests/guard.rs).
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["text"].as_str().unwrap().starts_with("NIK [NIK:tok_"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_hang_up_mid_request_do_not_wedge_the_store() {
    let a = api().await;
    let key = a.key(ALL).await;
    // Start many creates and abandon each after a short, varying time (a client hanging up).
    for i in 0..60u64 {
        let req = Request::builder()
            .method("POST")
            .uri("/v1/customers")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"full_name": format!("Hangup {i}")}).to_string(),
            ))
            .unwrap();
        let _ = tokio::time::timeout(
            std::time::Duration::from_micros(50 + (i % 10) * 100),
            a.app.clone().oneshot(req),
        )
        .await;
    }
    // The abandoned requests run to completion in tasks of their own: wait (with a deadline)
    // until the server has no handler left running, so the requests below meet whatever state
    // they left.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while a.state.handlers_in_flight() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} abandoned requests still running after 20 s",
            a.state.handlers_in_flight()
        );
        // A polling interval, not a synchronisation: the condition above decides.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    for i in 0..10 {
        let (s, v) = a
            .create(&key, json!({"full_name": format!("After {i}")}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "request {i} after hang-ups: {v}");
    }
    jaga_testkit::conformance::verify_log(a.h.store.as_ref()).await;
}
