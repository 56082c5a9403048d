//! `Idempotency-Key` on POST: a retry gets the first answer, a reused key with another body is
//! 422, keys are per caller, malformed keys are 400, and the kept answer is sealed at rest.

use super::*;

const KEY: &str = "idempotency-key";

async fn creates_in_log(a: &Api) -> usize {
    a.h.store
        .audit_events(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| String::from_utf8_lossy(&e.leaf).contains("customer.create"))
        .count()
}

async fn replays_in_log(a: &Api) -> usize {
    a.h.store
        .audit_events(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| String::from_utf8_lossy(&e.leaf).contains("request.replayed"))
        .count()
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_answer() {
    let a = api().await;
    let key = a.key(ALL).await;
    let body = json!({"full_name": "Sari Idem", "email": "sari@example.co.id"}).to_string();
    let k = "8e4a1f3c-5b2d-4c6e-9f0a-1b2c3d4e5f60";
    let (s1, v1, h1) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&body),
            &[(KEY, k)],
        )
        .await;
    assert_eq!(s1, StatusCode::CREATED, "{v1}");
    assert!(h1.get("idempotent-replayed").is_none());
    for _ in 0..3 {
        let (s2, v2, h2) = a
            .call(
                "POST",
                "/v1/customers",
                Some(&key),
                Some(&body),
                &[(KEY, k)],
            )
            .await;
        assert_eq!(s2, StatusCode::CREATED);
        assert_eq!(v2, v1, "the first answer, byte for byte");
        assert_eq!(h2["idempotent-replayed"], "true");
        assert_eq!(h2["location"], h1["location"]);
        assert_eq!(h2["content-type"], h1["content-type"]);
    }
    assert_eq!(creates_in_log(&a).await, 1, "one customer created");
    assert_eq!(replays_in_log(&a).await, 3, "every replay is audited");
    // Without a key every POST runs.
    for _ in 0..2 {
        let (s, _, _) = a
            .call("POST", "/v1/customers", Some(&key), Some(&body), &[])
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    assert_eq!(creates_in_log(&a).await, 3);
}

#[tokio::test]
async fn the_same_key_with_another_body_or_path_is_422_and_runs_nothing() {
    let a = api().await;
    let key = a.key(ALL).await;
    let k = "order-retry-1";
    let (s, _, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&json!({"full_name": "Budi"}).to_string()),
            &[(KEY, k)],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&json!({"full_name": "Budi Santoso"}).to_string()),
            &[(KEY, k)],
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        ),
        "{v}"
    );
    assert_eq!(
        v["type"].as_str().map(|t| t.is_empty()),
        Some(false),
        "problem+json"
    );
    let (s, v, _) = a
        .call(
            "POST",
            "/v1/redact",
            Some(&key),
            Some(&json!({"text": "x"}).to_string()),
            &[(KEY, k)],
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        ),
        "another path: {v}"
    );
    assert_eq!(creates_in_log(&a).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let a = api().await;
    let (one, two) = (a.key(ALL).await, a.key(ALL).await);
    let body = json!({"full_name": "Rina"}).to_string();
    let (s1, v1, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&one),
            Some(&body),
            &[(KEY, "shared")],
        )
        .await;
    let (s2, v2, h2) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&two),
            Some(&body),
            &[(KEY, "shared")],
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_ne!(v1["id"], v2["id"], "another caller's key is not replayed");
    assert!(h2.get("idempotent-replayed").is_none());
    // A request without a valid credential is refused as usual, key or not.
    let (s, _, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some("jaga_nope_nope"),
            Some(&body),
            &[(KEY, "shared")],
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(creates_in_log(&a).await, 2);
}

#[tokio::test]
async fn malformed_keys_are_400_and_run_nothing() {
    let a = api().await;
    let key = a.key(ALL).await;
    let body = json!({"full_name": "Tono"}).to_string();
    let long = "k".repeat(256);
    for bad in ["", "with space", long.as_str()] {
        let (s, v, _) = a
            .call(
                "POST",
                "/v1/customers",
                Some(&key),
                Some(&body),
                &[(KEY, bad)],
            )
            .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_idempotency_key")),
            "{bad:?}: {v}"
        );
    }
    assert_eq!(creates_in_log(&a).await, 0);
}

#[tokio::test]
async fn refusals_are_kept_but_not_failures_a_retry_should_repeat() {
    let a = api().await;
    let key = a.key(ALL).await;
    // A 4xx answer is the request's answer: a retry gets it again.
    let bad = json!({"full_name": "X", "email": "not-an-email"}).to_string();
    let (s1, v1, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&bad),
            &[(KEY, "bad-1")],
        )
        .await;
    assert_eq!(s1, StatusCode::UNPROCESSABLE_ENTITY);
    let (s2, v2, h2) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&bad),
            &[(KEY, "bad-1")],
        )
        .await;
    assert_eq!((s2, v2), (s1, v1));
    assert_eq!(h2["idempotent-replayed"], "true");
    // A 503 (sealed) is not kept: once unsealed, the same key runs the request.
    let body = json!({"full_name": "Sealed Retry"}).to_string();
    a.h.vault.seal();
    let (s, _, _) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&body),
            &[(KEY, "s-1")],
        )
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    a.h.vault.unseal_with_root(a.h.root.clone()).await.unwrap();
    let (s, _, h) = a
        .call(
            "POST",
            "/v1/customers",
            Some(&key),
            Some(&body),
            &[(KEY, "s-1")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(h.get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn the_kept_answer_is_sealed_at_rest() {
    let a = api().await;
    let key = a.key(ALL).await;
    let (_, c) = a.create(&key, json!({"full_name": "Ayu"})).await;
    let id = c["id"].as_str().unwrap();
    let marker = "QzxIdemMarker7731";
    let order = json!({"order_ref": "INV/IDEM/1", "amount_minor": 1000, "currency": "IDR", "status": "paid",
        "items": [{"sku": "S-1", "name": marker, "quantity": 1, "unit_price_minor": 1000}], "notes": marker});
    let path = format!("/v1/customers/{id}/orders");
    let (s1, v1, _) = a
        .call(
            "POST",
            &path,
            Some(&key),
            Some(&order.to_string()),
            &[(KEY, "ord-1")],
        )
        .await;
    assert_eq!(s1, StatusCode::CREATED, "{v1}");
    let (s2, v2, h2) = a
        .call(
            "POST",
            &path,
            Some(&key),
            Some(&order.to_string()),
            &[(KEY, "ord-1")],
        )
        .await;
    assert_eq!((s2, &v2), (s1, &v1));
    assert_eq!(h2["idempotent-replayed"], "true");
    assert!(
        v2.to_string().contains(marker),
        "the replay carries the answer"
    );
    let (_, list, _) = a.call("GET", &path, Some(&key), None, &[]).await;
    assert_eq!(list["orders"].as_array().unwrap().len(), 1, "one order");
    // Neither the database nor its WAL holds the answer (or the order) in clear.
    let db = a.db_path();
    for f in [db.clone(), db.with_extension("db-wal")] {
        if let Ok(bytes) = std::fs::read(&f) {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{} holds the marker",
                f.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_create_once() {
    let a = std::sync::Arc::new(api().await);
    let key = a.key(ALL).await;
    let body = json!({"full_name": "Race"}).to_string();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (a, key, body) = (a.clone(), key.clone(), body.clone());
            tokio::spawn(async move {
                a.call(
                    "POST",
                    "/v1/customers",
                    Some(&key),
                    Some(&body),
                    &[(KEY, "race-1")],
                )
                .await
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let (s, v, h) = t.await.unwrap();
        match s {
            StatusCode::CREATED => {
                ids.insert(v["id"].as_str().unwrap().to_string());
            }
            StatusCode::CONFLICT => {
                assert_eq!(v["code"], "idempotency_in_progress");
                assert!(h.contains_key("retry-after"));
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert_eq!(ids.len(), 1, "every 201 is the same customer");
    assert_eq!(creates_in_log(&a).await, 1);
}

#[tokio::test]
async fn answers_that_read_or_echo_data_are_never_replayed() {
    // A replayed token resolution would hand out plaintext without the role, segment and
    // detection checks; a POST that only reads or echoes runs again instead.
    let a = api().await;
    let key = a.key(&[Scope::Redact]).await;
    let k = "2d9c7b1e-0f4a-4e3b-8c5d-6a7b8c9d0e1f";
    let body = json!({"text": "hubungi 081234567890"}).to_string();
    for _ in 0..2 {
        let (s, v, h) = a
            .call("POST", "/v1/redact", Some(&key), Some(&body), &[(KEY, k)])
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(h.get("idempotent-replayed").is_none(), "ran again");
    }
    assert_eq!(replays_in_log(&a).await, 0, "nothing was replayed");
    // Nothing is kept under the key, so it binds nothing: another body with it runs too.
    let (s, v, _) = a
        .call(
            "POST",
            "/v1/redact",
            Some(&key),
            Some(&json!({"text": "lain"}).to_string()),
            &[(KEY, k)],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
