//! `POST /v1/mail/analyze` over HTTP: the analysis, languages, options, the scope, the media type,
//! the size limit, bad messages, and what the audit log keeps (codes, never the message).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use secrecy::ExposeSecret;
use serde_json::Value;
use tower::ServiceExt;

mod common;
use common::{Api, api};

const LOOKALIKE: &str = "From: Glow Beauty <billing@g1owbeauty.co.id>\r\nTo: finance@tokoayu.id\r\nSubject: Perubahan rekening\r\nMessage-ID: <1@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nMohon segera transfer ke rekening baru kami: Mandiri 1370012345678 a.n. Rina.\r\n";

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

    async fn analyze(
        &self,
        key: &str,
        uri: &str,
        ctype: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {key}"));
        if let Some(c) = ctype {
            b = b.header("content-type", c);
        }
        let res = self
            .app
            .clone()
            .oneshot(b.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

fn codes(v: &Value) -> Vec<String> {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn analyses_explains_and_audits_codes_only() {
    let a = api().await;
    let key = a.key(&[Scope::PayeesRead]).await;
    let before = a.h.store.audit_head().await.unwrap().size;
    let (s, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze?known_domains=glowbeauty.co.id&lang=en",
            Some("message/rfc822"),
            LOOKALIKE.into(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["verdict"], "high");
    assert!(v["score"].as_u64().unwrap() >= 50);
    let c = codes(&v);
    assert!(
        c.contains(&"LOOKALIKE_DOMAIN".to_string())
            && c.contains(&"BANK_DETAILS_CHANGE".to_string()),
        "{c:?}"
    );
    assert_eq!(v["bank_details_change"], true);
    assert!(v["explanation"].as_str().unwrap().contains("High risk"));
    // Indonesian by default.
    let (_, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze?known_domains=glowbeauty.co.id",
            Some("message/rfc822"),
            LOOKALIKE.into(),
        )
        .await;
    assert!(
        v["explanation"].as_str().unwrap().contains("Risiko tinggi"),
        "{v}"
    );
    let evs = a.h.store.audit_events(before, 10).await.unwrap();
    assert_eq!(evs.len(), 2);
    let leaf = String::from_utf8_lossy(&evs[0].leaf);
    assert!(
        leaf.contains("mail.analyze")
            && leaf.contains("verdict:high")
            && leaf.contains("BANK_DETAILS_CHANGE"),
        "{leaf}"
    );
    assert!(
        !leaf.contains("1370012345678") && !leaf.contains("g1owbeauty") && !leaf.contains("Rina"),
        "{leaf}"
    );
}

#[tokio::test]
async fn refusals() {
    let a = api().await;
    let key = a.key(&[Scope::PayeesRead]).await;
    // Another scope: 403 before the body is read.
    let other = a.key(&[Scope::CustomersRead, Scope::Redact]).await;
    let (s, v) = a
        .analyze(
            &other,
            "/v1/mail/analyze",
            Some("message/rfc822"),
            LOOKALIKE.into(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // No key.
    let res = a
        .app
        .clone()
        .oneshot(
            Request::builder()
                .method("POST")
                .uri("/v1/mail/analyze")
                .header("content-type", "message/rfc822")
                .body(Body::from(LOOKALIKE))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // JSON is not a message.
    let (s, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze",
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    assert_eq!(v["code"], "unsupported_media_type");
    let (s, _) = a
        .analyze(&key, "/v1/mail/analyze", None, LOOKALIKE.into())
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Empty body and something that is not a message: a clear 4xx.
    let (s, v) = a
        .analyze(&key, "/v1/mail/analyze", Some("message/rfc822"), vec![])
        .await;
    assert!(s.is_client_error(), "{s} {v}");
    assert_eq!(v["errors"][0]["field"], "message", "{v}");
    // Unknown language.
    let (s, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze?lang=fr",
            Some("message/rfc822"),
            LOOKALIKE.into(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // Larger than the route's limit (the API's general limit is smaller still).
    let (s, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze",
            Some("message/rfc822"),
            vec![b'a'; 10 * 1024 * 1024 + 1],
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    // Bigger than the general limit but within the route's: analysed.
    let big = format!(
        "{LOOKALIKE}{}",
        "Lorem ipsum dolor sit amet.\r\n".repeat(4000)
    );
    let (s, v) = a
        .analyze(&key, "/v1/mail/analyze", Some("message/rfc822"), big.into())
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Garbage: a result or a 4xx, never a 500.
    for body in [
        &b"\x00\x01\x02"[..],
        b"From: \xff\xfe\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n",
        b"\r\n\r\n\r\n",
    ] {
        let (s, v) = a
            .analyze(
                &key,
                "/v1/mail/analyze",
                Some("message/rfc822"),
                body.to_vec(),
            )
            .await;
        assert!(s == StatusCode::OK || s.is_client_error(), "{s} {v}");
    }
}

#[tokio::test]
async fn trusted_authserv_decides_which_results_count() {
    let a = api().await;
    let key = a.key(&[Scope::PayeesRead]).await;
    let m = "Authentication-Results: mx.tokoayu.id; dmarc=fail header.from=glowbeauty.co.id\r\nFrom: Glow Beauty <billing@glowbeauty.co.id>\r\nSubject: Invoice\r\nMessage-ID: <4@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nInvoice.\r\n";
    let (_, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze?trusted_authserv=mx.tokoayu.id",
            Some("message/rfc822"),
            m.into(),
        )
        .await;
    assert!(codes(&v).contains(&"DMARC_FAIL".to_string()), "{v}");
    let (_, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze?trusted_authserv=mx.other.example",
            Some("message/rfc822"),
            m.into(),
        )
        .await;
    assert!(!codes(&v).contains(&"DMARC_FAIL".to_string()), "{v}");
}

/// A bank-change request from a payee's domain names that payee and the console path of its
/// change and call-back form; a lookalike sender matches no payee.
#[tokio::test]
async fn a_bank_change_names_the_senders_payee_and_its_verification_path() {
    use jaga_core::vault::{BankInput, NewPayee};
    let a = api().await;
    let writer = a.h.caller(&[Scope::PayeesRead, Scope::PayeesWrite]);
    let p =
        a.h.vault
            .payees(&writer)
            .unwrap()
            .create(&NewPayee {
                kind: None,
                name: "Glow Beauty".into(),
                phone: "0812 3456 7890".into(),
                email: Some("billing@glowbeauty.co.id".into()),
                contact_name: None,
                bank: BankInput {
                    bank: "BCA".into(),
                    account_number: "2830199401".into(),
                    holder: "PT Glow Beauty".into(),
                },
            })
            .await
            .unwrap();
    let key = a.key(&[Scope::PayeesRead]).await;
    let genuine = LOOKALIKE
        .replace("billing@g1owbeauty", "rina@glowbeauty")
        .into_bytes();
    let (s, v) = a
        .analyze(&key, "/v1/mail/analyze", Some("message/rfc822"), genuine)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["bank_details_change"], true, "{v}");
    assert_eq!(v["payee"]["id"], p.id.as_str(), "{v}");
    assert_eq!(v["payee"]["matched_by"], "domain");
    assert_eq!(
        v["payee"]["verify_path"],
        format!("/console/payees/{}#payee-change", p.id)
    );
    let (_, v) = a
        .analyze(
            &key,
            "/v1/mail/analyze",
            Some("message/rfc822"),
            LOOKALIKE.into(),
        )
        .await;
    assert!(v["payee"].is_null(), "{v}");
}
