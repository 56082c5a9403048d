//! The write guard and the token vault through HTTP (issue 4): identifiers pasted into notes
//! are tokenized before encryption, card data in notes is refused, tokens resolve only with the
//! `tokens:resolve` scope and a purpose, and erasure shreds them.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tower::ServiceExt;

const NIK: &str = "3174051204900003";

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
        let res = self
            .app
            .clone()
            .oneshot(
                b.body(
                    body.map(|v| Body::from(v.to_string()))
                        .unwrap_or_else(Body::empty),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v)
    }

    async fn leaves(&self) -> Vec<String> {
        let size = self.h.store.audit_head().await.unwrap().size;
        self.h
            .store
            .audit_events(0, size as u32)
            .await
            .unwrap()
            .into_iter()
            .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
            .collect()
    }
}

fn token_in(text: &str) -> String {
    let start = text.find("[NIK:tok_").expect("a NIK token");
    let end = start + text[start..].find(']').unwrap() + 1;
    text[start..end].to_string()
}

#[tokio::test]
async fn nik_in_a_note_is_tokenized_and_resolves_only_with_scope_and_purpose() {
    let a = api().await;
    let key = a
        .key(&[
            Scope::CustomersRead,
            Scope::CustomersWrite,
            Scope::CustomersErase,
        ])
        .await;
    let (s, v) = a
        .call(
            "POST",
            "/v1/customers",
            &key,
            Some(
                json!({"full_name": "Dewi Sari", "notes": format!("NIK {NIK} minta faktur pajak")}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (s, v) = a
        .call("GET", &format!("/v1/customers/{id}"), &key, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let notes = v["notes"].as_str().unwrap();
    assert!(!notes.contains(NIK), "{notes}");
    let token = token_in(notes);
    assert!(notes.ends_with("minta faktur pajak"));

    // Without the scope: 403, audited as denied.
    let (s, v) = a
        .call(
            "POST",
            "/v1/tokens/resolve",
            &key,
            Some(json!({"token": token, "purpose": "ticket CS-7"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("missing_scope"))
    );

    let resolver = a.key(&[Scope::TokensResolve]).await;
    // Without a purpose: 400.
    let (s, v) = a
        .call(
            "POST",
            "/v1/tokens/resolve",
            &resolver,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required"))
    );
    // Unknown token: 404.
    let (s, v) = a
        .call(
            "POST",
            "/v1/tokens/resolve",
            &resolver,
            Some(json!({"token": "[NIK:tok_bbbbbbbbbbbbbbbb]", "purpose": "ticket CS-7"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    // With scope and purpose: the NIK.
    let (s, v) = a
        .call(
            "POST",
            "/v1/tokens/resolve",
            &resolver,
            Some(json!({"token": token, "purpose": "ticket CS-7 faktur"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"], NIK);
    assert_eq!(v["kind"], "NIK");
    assert_eq!(v["customer_id"], id.as_str());

    let leaves = a.leaves().await;
    assert!(leaves.iter().any(|l| l.contains("token.resolve")
        && l.contains(&id)
        && l.contains("ticket CS-7 faktur")
        && l.contains("\"ok\"")));
    assert!(
        leaves
            .iter()
            .any(|l| l.contains("token.resolve") && l.contains("denied"))
    );
    assert!(
        leaves
            .iter()
            .any(|l| l.contains("customer.create") && l.contains("notes.NIK:1"))
    );
    for l in &leaves {
        assert!(!l.contains(NIK), "an audit leaf holds the NIK: {l}");
    }

    // Erasure shreds the token: 410.
    let (s, _) = a
        .call("DELETE", &format!("/v1/customers/{id}"), &key, None)
        .await;
    assert!(s.is_success(), "{s}");
    let (s, v) = a
        .call(
            "POST",
            "/v1/tokens/resolve",
            &resolver,
            Some(json!({"token": token, "purpose": "ticket CS-7 faktur"})),
        )
        .await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::GONE, Some("erased")));
}

#[tokio::test]
async fn card_data_in_notes_is_refused_with_the_path_and_nothing_is_stored() {
    let a = api().await;
    let key = a
        .key(&[
            Scope::CustomersRead,
            Scope::CustomersWrite,
            Scope::OrdersWrite,
            Scope::OrdersRead,
        ])
        .await;
    let before = a.h.store.audit_head().await.unwrap().size;
    // A CVV passes the plain card-number scan of the body; the full detector in the guard
    // refuses it.
    let (s, v) = a
        .call(
            "POST",
            "/v1/customers",
            &key,
            Some(json!({"full_name": "Budi", "notes": "kartu visa, cvv 123"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("card_number_not_allowed")
        )
    );
    assert_eq!(v["errors"][0]["field"], "notes");
    assert!(!v.to_string().contains("123"), "{v}");
    let (s, v) = a
        .call(
            "POST",
            "/v1/customers",
            &key,
            Some(json!({"full_name": "Budi", "notes": "kartu 4111 1111 1111 1111"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("card_number_not_allowed")
        )
    );
    let leaves = a.leaves().await;
    assert_eq!(
        leaves.len() as u64,
        before + 2,
        "only the refusals are logged"
    );
    assert!(
        leaves[before as usize..]
            .iter()
            .all(|l| l.contains("card_number_rejected"))
    );

    // Same for a note added by PATCH and for order notes.
    let (_, c) = a
        .call(
            "POST",
            "/v1/customers",
            &key,
            Some(json!({"full_name": "Budi"})),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    let (s, _) = a
        .call(
            "PATCH",
            &format!("/v1/customers/{id}"),
            &key,
            Some(json!({"notes": "cvc 4321 ya"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = a
        .call("GET", &format!("/v1/customers/{id}"), &key, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["notes"].is_null(), "{v}");
    let (s, _) = a
        .call(
            "POST",
            &format!("/v1/customers/{id}/orders"),
            &key,
            Some(json!({"order_ref": "INV/9", "amount_minor": 1000, "currency": "IDR", "status": "paid",
                "items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price_minor": 1000}],
                "notes": "security code 999"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn redact_endpoint_tokenizes_into_the_shop_vault() {
    let a = api().await;
    let key = a.key(&[Scope::Redact, Scope::TokensResolve]).await;
    let body = json!({"text": format!("NIK {NIK} dan lagi {NIK}, kartu 4111 1111 1111 1111"),
        "policy": {"operators": {"NIK": "tokenize"}}});
    let (s, v) = a.call("POST", "/v1/redact", &key, Some(body.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let text = v["text"].as_str().unwrap();
    let token = token_in(text);
    assert_eq!(text.matches(&token).count(), 2, "{text}");
    assert!(!text.contains("4111") && !text.contains(NIK), "{text}");
    // The same value gets the same shop token next time.
    let (_, v2) = a.call("POST", "/v1/redact", &key, Some(body)).await;
    assert_eq!(token_in(v2["text"].as_str().unwrap()), token);
    let (s, v) = a
        .call(
            "POST",
            "/v1/tokens/resolve",
            &key,
            Some(json!({"token": token, "purpose": "cek data"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"], NIK);
    assert!(v["customer_id"].is_null());
    for l in a.leaves().await {
        assert!(!l.contains(NIK));
    }
}
