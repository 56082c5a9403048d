//! Data-subject requests and consent over HTTP: due dates, the open list with overdue counts,
//! closing once, consent history, scopes, and bad input refused with a clear 4xx.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tower::ServiceExt;

mod common;
use common::api;

async fn call(
    app: &axum::Router,
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
    let res = app
        .clone()
        .oneshot(
            b.body(body.map_or(Body::empty(), |v| Body::from(v.to_string())))
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

#[tokio::test]
async fn requests_and_consents_over_http() {
    let api = api().await;
    let admin = api.h.admin();
    let key = |scopes: Vec<Scope>| {
        let v = api.h.vault.clone();
        let admin = admin.clone();
        async move {
            v.apikey_create(&admin, "req", &scopes.into_iter().collect(), None)
                .await
                .unwrap()
                .token
                .expose_secret()
                .to_string()
        }
    };
    let rw = key(vec![Scope::RequestsRead, Scope::RequestsWrite]).await;
    let ro = key(vec![Scope::RequestsRead]).await;
    let customer = api
        .h
        .vault
        .writer(&admin)
        .await
        .unwrap()
        .create(&jaga_testkit::marked_customer("Http", 4))
        .await
        .unwrap()
        .id;

    // Received two days ago by WhatsApp: due 3×24 h after receipt, not overdue yet.
    let received = jaga_core::format_ms(jaga_core::now_ms() - 48 * 3_600_000);
    let (st, r) = call(&api.app, "POST", "/v1/requests", &rw, Some(json!({
        "customer_id": customer, "kind": "erasure", "channel": "whatsapp", "received_at": received
    }))).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["overdue"].as_bool()),
        (Some("open"), Some(false))
    );
    let due = jaga_core::parse_rfc3339_ms(r["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        due - jaga_core::parse_rfc3339_ms(&received).unwrap(),
        72 * 3_600_000
    );
    let id = r["id"].as_str().unwrap().to_string();
    // Received four days ago: overdue at once.
    let old = jaga_core::format_ms(jaga_core::now_ms() - 96 * 3_600_000);
    let (st, late) = call(
        &api.app,
        "POST",
        "/v1/requests",
        &rw,
        Some(json!({
            "customer_id": customer, "kind": "access", "channel": "email", "received_at": old
        })),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(late["overdue"], true);

    let (st, list) = call(&api.app, "GET", "/v1/requests", &ro, None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["requests"].as_array().unwrap().len(), 2);
    assert_eq!(list["overdue"], 1);
    assert_eq!(list["requests"][0]["id"], late["id"], "earliest due first");
    let (st, one) = call(&api.app, "GET", &format!("/v1/requests/{id}"), &ro, None).await;
    assert_eq!(
        (st, one["kind"].as_str()),
        (StatusCode::OK, Some("erasure"))
    );

    // Close once; a second close is a conflict; the open list shrinks.
    let close = json!({"status": "done", "outcome": "erased"});
    let (st, c) = call(
        &api.app,
        "POST",
        &format!("/v1/requests/{id}/close"),
        &rw,
        Some(close.clone()),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["outcome"].as_str()),
        (Some("done"), Some("erased"))
    );
    assert!(c["handled_by"].as_str().is_some() && c["closed_at"].as_str().is_some());
    let (st, _) = call(
        &api.app,
        "POST",
        &format!("/v1/requests/{id}/close"),
        &rw,
        Some(close),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, list) = call(&api.app, "GET", "/v1/requests?open=true", &ro, None).await;
    assert_eq!(list["requests"].as_array().unwrap().len(), 1);
    let (_, all) = call(&api.app, "GET", "/v1/requests?open=false", &ro, None).await;
    assert_eq!(all["requests"].as_array().unwrap().len(), 2);

    // Consent: withdraw WhatsApp; current and history.
    let uri = format!("/v1/customers/{customer}/consents");
    for granted in [true, false] {
        let (st, v) = call(
            &api.app,
            "POST",
            &uri,
            &rw,
            Some(json!({
                "purpose": "whatsapp", "granted": granted, "source": "whatsapp"
            })),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let (st, cs) = call(&api.app, "GET", &uri, &ro, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(cs["history"].as_array().unwrap().len(), 2);
    assert_eq!(cs["current"].as_array().unwrap().len(), 1);
    assert_eq!(cs["current"][0]["granted"], false);

    // Refusals: scope, unknown codes and fields, bad times and ids, unknown customer.
    let (st, _) = call(
        &api.app,
        "POST",
        "/v1/requests",
        &ro,
        Some(json!({
            "customer_id": customer, "kind": "access", "channel": "email"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let nobody = key(vec![Scope::CustomersRead]).await;
    assert_eq!(
        call(&api.app, "GET", "/v1/requests", &nobody, None).await.0,
        StatusCode::FORBIDDEN
    );
    for bad in [
        json!({"customer_id": customer, "kind": "delete_all", "channel": "email"}),
        json!({"customer_id": customer, "kind": "access", "channel": "fax"}),
        json!({"customer_id": customer, "kind": "access", "channel": "email", "note": "x"}),
        json!({"customer_id": customer, "kind": "access", "channel": "email", "received_at": "yesterday"}),
        json!({"customer_id": customer, "kind": "access", "channel": "email", "received_at": jaga_core::format_ms(jaga_core::now_ms() + 86_400_000)}),
    ] {
        let (st, v) = call(&api.app, "POST", "/v1/requests", &rw, Some(bad.clone())).await;
        assert!(
            st.is_client_error() && st != StatusCode::NOT_FOUND,
            "{bad} → {st} {v}"
        );
    }
    let (st, _) = call(
        &api.app,
        "POST",
        "/v1/requests",
        &rw,
        Some(json!({
            "customer_id": uuid::Uuid::new_v4(), "kind": "access", "channel": "email"
        })),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&api.app, "GET", "/v1/requests/nope", &ro, None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        call(&api.app, "GET", "/v1/requests?open=maybe", &ro, None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (st, _) = call(
        &api.app,
        "POST",
        &format!("/v1/requests/{id}/close"),
        &rw,
        Some(json!({"status": "open", "outcome": "answered"})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}
