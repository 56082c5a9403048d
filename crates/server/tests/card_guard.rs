//! The normalising card guard through HTTP (issue 10): a card number in any form a person still
//! reads as one — any separators, any digit script or width, a leading sign, a JSON number in
//! integer, negative, float or exponent form — is refused with 422 `card_number_not_allowed`
//! in every field of every write, after the field's own normalisation, and in reveal purposes;
//! ordinary Indonesian data is accepted; purposes reach the audit log without identifiers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tower::ServiceExt;

mod common;
use common::{Api, api};

const ALL: &[Scope] = &[
    Scope::CustomersRead,
    Scope::CustomersWrite,
    Scope::CustomersReveal,
    Scope::OrdersRead,
    Scope::OrdersWrite,
    Scope::TokensResolve,
];

impl Api {
    async fn key(&self) -> String {
        let k = self
            .h
            .vault
            .apikey_create(
                &self.h.admin(),
                "test",
                &ALL.iter().copied().collect(),
                None,
            )
            .await
            .unwrap();
        k.token.expose_secret().to_string()
    }

    /// Sends `body` as written (number literals untouched).
    async fn raw(
        &self,
        method: &str,
        uri: &str,
        key: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {key}"));
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let body = body.map_or_else(Body::empty, |s| Body::from(s.to_string()));
        let res = self
            .app
            .clone()
            .oneshot(b.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v)
    }

    async fn post(&self, uri: &str, key: &str, body: &Value) -> (StatusCode, Value) {
        self.raw("POST", uri, key, Some(&body.to_string()), &[])
            .await
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

    async fn customer(&self, key: &str) -> String {
        let (s, v) = self
            .post(
                "/v1/customers",
                key,
                &json!({"full_name": "Budi Santoso", "email": "budi@example.com"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }
}

fn refused(s: StatusCode, v: &Value) -> bool {
    s == StatusCode::UNPROCESSABLE_ENTITY && v["code"] == "card_number_not_allowed"
}

/// `4111 1111 1111 1111` (and other test cards) written as people and attackers write them.
fn card_forms() -> Vec<String> {
    let fw: String = "4111111111111111"
        .chars()
        .map(|c| char::from_u32(0xFF10 + c.to_digit(10).unwrap()).unwrap())
        .collect();
    let arabic: String = "5555555555554444"
        .chars()
        .map(|c| char::from_u32(0x660 + c.to_digit(10).unwrap()).unwrap())
        .collect();
    let devanagari: String = "378282246310005"
        .chars()
        .map(|c| char::from_u32(0x966 + c.to_digit(10).unwrap()).unwrap())
        .collect();
    vec![
        "4111  1111  1111  1111".into(),
        "4111\u{a0}1111\u{a0}1111\u{a0}1111".into(),
        "4111\u{2009}1111\u{3000}1111\u{202f}1111".into(),
        "4111\t1111\n1111\n1111".into(),
        "4111.1111.1111.1111".into(),
        "4111/1111/1111/1111".into(),
        "4111_1111_1111_1111".into(),
        "4111 -- 1111 -- 1111 -- 1111".into(),
        "4111\u{200b}1111\u{200b}1111\u{200b}1111".into(),
        "+4111111111111111".into(),
        format!("kartu {fw} ya"),
        arabic,
        devanagari,
        "6011\u{2013}0009\u{2013}9013\u{2013}9424".into(),
        "3530 1113 3330 0000".into(),
    ]
}

#[tokio::test]
async fn card_numbers_in_any_form_and_any_field_are_refused_and_not_stored() {
    let a = api().await;
    let key = a.key().await;
    let id = a.customer(&key).await;
    let before = a.h.store.audit_head().await.unwrap().size;
    let mut refusals = 0;
    for card in card_forms() {
        let customers = [
            json!({"full_name": card}),
            json!({"full_name": "Budi", "notes": card}),
            json!({"full_name": "Budi", "address": {"street": card, "city": "Bandung"}}),
            json!({"full_name": "Budi", "preferences": {"a": {"b": [1, {"c": card}]}}}),
            json!({"full_name": "Budi", "preferences": {card.clone(): true}}),
        ];
        for body in customers {
            let (s, v) = a.post("/v1/customers", &key, &body).await;
            assert!(refused(s, &v), "{body}: {s} {v}");
            refusals += 1;
        }
        let item =
            json!({"sku": "SRM-1", "name": "Serum", "quantity": 1, "unit_price_minor": 1000});
        let order = json!({
            "order_ref": "INV/2025/11/00123", "items": [item], "amount_minor": 1000,
            "currency": "IDR", "status": "paid",
        });
        let mut variants = Vec::new();
        for (path, ptr) in [
            ("order_ref", "/order_ref"),
            ("item name", "/items/0/name"),
            ("sku", "/items/0/sku"),
        ] {
            let mut o = order.clone();
            *o.pointer_mut(ptr).unwrap() = json!(card);
            variants.push((path, o));
        }
        let mut o = order.clone();
        o["payment"] = json!({"gateway": "midtrans", "token": card});
        variants.push(("payment token", o));
        for (what, body) in variants {
            let (s, v) = a
                .post(&format!("/v1/customers/{id}/orders"), &key, &body)
                .await;
            assert!(refused(s, &v), "{what}: {s} {v}");
            refusals += 1;
        }
        let (s, v) = a
            .raw(
                "PATCH",
                &format!("/v1/customers/{id}"),
                &key,
                Some(&json!({"full_name": card}).to_string()),
                &[],
            )
            .await;
        assert!(refused(s, &v), "patch: {s} {v}");
        refusals += 1;
    }
    // Nothing was written: every new audit event is a refusal (individually, or counted in a
    // summary once the refusal budget's window closes), none names the number, and the
    // customer has no orders.
    a.h.vault.flush_refusals(true).await.unwrap();
    let leaves = a.leaves().await;
    let new = &leaves[before as usize..];
    let size = a.h.store.audit_head().await.unwrap().size;
    let events: Vec<_> =
        a.h.store
            .audit_events(before, size as u32)
            .await
            .unwrap()
            .iter()
            .map(|e| jaga_audit::event::decode(&e.leaf).unwrap())
            .collect();
    let individual = events
        .iter()
        .filter(|e| e.action == "request.card_number_rejected")
        .count();
    let summarised: u64 = events
        .iter()
        .filter_map(jaga_core::vault::refusals::aggregated_count)
        .filter(|(action, _)| *action == "request.card_number_rejected")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(individual + summarised as usize, refusals);
    assert!(new.iter().all(|l| l.contains("card_number_rejected")));
    for l in new {
        for needle in ["41111111", "4111 1111", "4111.1111", "55555555", "\u{ff14}"] {
            assert!(!l.contains(needle), "{l}");
        }
    }
    let (s, v) = a
        .raw(
            "GET",
            &format!("/v1/customers/{id}/orders"),
            &key,
            None,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["orders"].as_array().map(Vec::len), Some(0), "{v}");
}

#[tokio::test]
async fn card_numbers_as_json_numbers_are_refused_in_every_form() {
    let a = api().await;
    let key = a.key().await;
    for lit in [
        "4111111111111111",
        "-4111111111111111",
        "4111111111111111.0",
        "4111111111111111.000",
        "4.111111111111111e15",
        "4111111111111111e0",
        "41111111111111110e-1",
        "4111111111111111110.0",
        "4.111111111111111110E+18",
        "-6011000990139424.0",
    ] {
        for body in [
            format!(r#"{{"full_name": "Budi", "preferences": {{"n": {lit}}}}}"#),
            format!(r#"{{"full_name": "Budi", "preferences": {{"a": [1, {{"b": {lit}}}]}}}}"#),
        ] {
            let (s, v) = a.raw("POST", "/v1/customers", &key, Some(&body), &[]).await;
            assert!(refused(s, &v), "{body}: {s} {v}");
        }
    }
}

/// Regression: the order reference was checked before whitespace was collapsed, so
/// `4111  1111  1111  1111` was stored (in a plaintext column that outlives erasure) as
/// `4111 1111 1111 1111`.
#[tokio::test]
async fn an_order_ref_is_checked_as_it_will_be_stored() {
    let a = api().await;
    let key = a.key().await;
    let id = a.customer(&key).await;
    let (s, v) = a
        .post(
            &format!("/v1/customers/{id}/orders"),
            &key,
            &json!({
                "order_ref": "4111  1111  1111  1111",
                "items": [{"sku": "A", "name": "B", "quantity": 1, "unit_price_minor": 1}],
                "amount_minor": 1, "currency": "IDR", "status": "paid",
            }),
        )
        .await;
    assert!(refused(s, &v), "{s} {v}");
    let (_, v) = a
        .raw(
            "GET",
            &format!("/v1/customers/{id}/orders"),
            &key,
            None,
            &[],
        )
        .await;
    assert!(!v.to_string().contains("4111 1111"), "{v}");
    assert_eq!(v["orders"].as_array().map(Vec::len), Some(0), "{v}");
}

#[tokio::test]
async fn ordinary_indonesian_data_is_accepted() {
    let a = api().await;
    let key = a.key().await;
    // A Surabaya NIK that is also Luhn-valid and JCB-shaped: accepted in its own field.
    let nik = (0..10u64)
        .map(|d| format!("357801120590000{d}"))
        .find(|n| jaga_redact::card::is_card_number(n.as_bytes()))
        .unwrap();
    let (s, v) = a
        .post(
            "/v1/customers",
            &key,
            &json!({
                "full_name": "Siti Rahayu",
                "phone": "+62 812-3456-7890",
                "national_id": nik,
                "address": {"street": "Jl. Merdeka No. 12 RT 03/RW 05", "city": "Surabaya",
                            "postal_code": "60111"},
                "preferences": {"hp_lain": "0812 3456 7890", "ulang_tahun": "1990-05-12",
                                "budget": 1250000, "berat_kg": 1.5},
                "notes": "Resi JNE CGK1N01234567890, invoice INV/2025/11/00123, total Rp 1.250.000, kirim 12/11/2025 14:30",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap();
    let (s, v) = a
        .post(
            &format!("/v1/customers/{id}/orders"),
            &key,
            &json!({
                "order_ref": "INV/2025/11/00123",
                "items": [{"sku": "SRM-001", "name": "Serum 30 ml", "quantity": 2,
                           "unit_price_minor": 125000}],
                "amount_minor": 250000, "currency": "IDR", "status": "paid",
                "payment": {"gateway": "midtrans", "token": "tok_4c8a2b", "card_brand": "visa",
                            "last4": "1111", "exp_month": 12, "exp_year": 2027},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// Regression: a reveal's purpose was written verbatim into the permanent audit log.
#[tokio::test]
async fn reveal_purposes_refuse_cards_and_lose_identifiers_before_the_log() {
    let a = api().await;
    let key = a.key().await;
    let id = a.customer(&key).await;
    let uri = format!("/v1/customers/{id}?reveal=email");
    for purpose in [
        "refund 4111 1111 1111 1111",
        "refund 4111.1111.1111.1111",
        "refund 4111  1111  1111  1111",
        "cek kartu +4111111111111111",
        "cvv 123 dari pelanggan",
    ] {
        let (s, v) = a
            .raw("GET", &uri, &key, None, &[("x-jaga-purpose", purpose)])
            .await;
        assert!(refused(s, &v), "{purpose}: {s} {v}");
        assert_eq!(v["errors"][0]["field"], "purpose", "{v}");
    }
    let (s, v) = a
        .raw(
            "GET",
            &uri,
            &key,
            None,
            &[(
                "x-jaga-purpose",
                "ticket CS-12 refund for dewi.sari@example.com",
            )],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let leaves = a.leaves().await;
    assert!(
        leaves
            .iter()
            .any(|l| l.contains("customer.reveal") && l.contains("ticket CS-12 refund for"))
    );
    for l in &leaves {
        assert!(!l.contains("dewi.sari"), "{l}");
        assert!(!l.contains("4111 1111") && !l.contains("4111.1111"), "{l}");
        assert!(!l.contains("41111111") && !l.contains("cvv 123"), "{l}");
    }
}

#[tokio::test]
async fn token_resolution_purposes_carry_no_personal_data() {
    let a = api().await;
    let key = a.key().await;
    let (s, v) = a
        .post(
            "/v1/customers",
            &key,
            &json!({"full_name": "Dewi", "notes": "NIK 3174051204900003 minta faktur"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap();
    let (_, v) = a
        .raw("GET", &format!("/v1/customers/{id}"), &key, None, &[])
        .await;
    let notes = v["notes"].as_str().unwrap();
    let start = notes.find("[NIK:tok_").unwrap();
    let token = &notes[start..start + notes[start..].find(']').unwrap() + 1];
    let (s, v) = a
        .post(
            "/v1/tokens/resolve",
            &key,
            &json!({"token": token, "purpose": "faktur 4111\u{a0}1111\u{a0}1111\u{a0}1111"}),
        )
        .await;
    assert!(refused(s, &v), "{s} {v}");
    let (s, v) = a
        .post(
            "/v1/tokens/resolve",
            &key,
            &json!({"token": token, "purpose": "faktur untuk dewi@example.com hp 081234567890"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let leaves = a.leaves().await;
    assert!(
        leaves
            .iter()
            .any(|l| l.contains("token.resolve") && l.contains("faktur untuk"))
    );
    for l in &leaves {
        assert!(
            !l.contains("dewi@example.com") && !l.contains("081234567890"),
            "{l}"
        );
        assert!(!l.contains("4111\u{a0}1111"), "{l}");
    }
}
