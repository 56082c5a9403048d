//! Issue 18: every console form — each POST form and each GET query form — driven with hostile
//! values (card numbers in several forms, CVVs, oversized, control characters, markup, wrong
//! types): never a 500, and a card number is never echoed as typed.

use super::*;

/// Card numbers as people type them, and CVVs.
const CARDS: &[&str] = &[
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "4111111111111111",
    "kartu 5500 0000 0000 0004 exp 12/28",
    "３７８２ ８２２４６３ １０００５",
];
const CVVS: &[&str] = &["CVV 123", "cvc: 4567", "kode keamanan 321"];

/// Values that are not card data but still hostile.
fn others() -> Vec<String> {
    vec![
        "x".repeat(70_000),
        "a\u{0}b\u{7}c\u{1b}[31m".into(),
        "<script>alert(1)</script>".into(),
        "\u{202e}evil".into(),
        "%%%".into(),
        String::new(),
    ]
}

fn no_500(r: &Resp, what: &str) {
    assert!(
        r.status.as_u16() < 500,
        "{what}: {} {}",
        r.status,
        &r.body[..r.body.len().min(400)]
    );
    assert!(!r.body.contains("panicked"), "{what}");
}

/// The id in a `Location: /console/<what>/<id>?…` answer.
fn located(r: &Resp, what: &str) -> String {
    let loc = r.headers.get("location").expect("a redirect");
    let loc = loc.to_str().unwrap();
    let rest = loc
        .strip_prefix(&format!("/console/{what}/"))
        .unwrap_or(loc);
    rest.split('?').next().unwrap().to_string()
}

/// A `multipart/form-data` body with `pairs` and its content type.
fn multipart(pairs: &[(&str, &str)]) -> (String, String) {
    let b = "jagaBoundary7MA4YWxkTrZu0gW";
    let mut body = String::new();
    for (k, v) in pairs {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{b}--\r\n"));
    (body, format!("multipart/form-data; boundary={b}"))
}

/// A card number in `v` must not come back as typed.
fn not_echoed(r: &Resp, v: &str, what: &str) {
    if CARDS.contains(&v) {
        assert!(!r.body.contains(v), "{what}: the card number is echoed");
        let enc: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
        assert!(
            !r.body.contains(&enc),
            "{what}: the card number is echoed (encoded)"
        );
        if let Some(loc) = r.headers.get("location") {
            let loc = loc.to_str().unwrap_or_default();
            assert!(
                !loc.contains(&enc) && !loc.contains(v),
                "{what}: in the redirect"
            );
        }
    }
}

#[tokio::test]
async fn every_console_form_survives_hostile_values() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "VIP").await;
    let code =
        c.h.vault
            .reader(&c.h.admin())
            .await
            .unwrap()
            .get(id)
            .await
            .unwrap()
            .code;
    // Real records for the forms that act on one.
    let r = c
        .post(
            "/console/payees",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("kind", "supplier"),
                ("name", "PT Glow Beauty"),
                ("phone", "+62 812-3456-7890"),
                ("bank", "BCA"),
                ("account_number", "2830199401"),
                ("holder", "PT Glow Beauty"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let payee = located(&r, "payees");
    super::refusals::held_event(&c, "ev-1").await;
    let r = c
        .post(
            "/console/requests",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("code", &code),
                ("kind", "access"),
                ("channel", "whatsapp"),
            ]),
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.body);
    let page = c.get("/console/requests", Some(&admin), "").await;
    let request = page
        .body
        .split("data-id=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a request")
        .to_string();
    let mut values: Vec<String> = CARDS.iter().chain(CVVS).map(|s| s.to_string()).collect();
    values.extend(others());
    let payout = uuid::Uuid::new_v4();
    let forms: Vec<(String, Vec<&str>)> = vec![
        (format!("/console/customers/{id}/notes"), vec!["note"]),
        (
            format!("/console/customers/{id}/edit"),
            vec![
                "full_name",
                "email",
                "phone",
                "street",
                "city",
                "province",
                "postal_code",
            ],
        ),
        (
            format!("/console/customers/{id}/reveal"),
            vec!["field", "purpose", "purpose_detail", "stepup_code"],
        ),
        (
            format!("/console/customers/{id}/export"),
            vec!["purpose", "format", "lang", "code", "stepup_code"],
        ),
        (
            format!("/console/customers/{id}/erase"),
            vec!["confirm_code", "stepup_code"],
        ),
        (
            format!("/console/customers/{id}/segment"),
            vec!["segment", "stepup_code"],
        ),
        ("/console/customers".into(), vec!["q", "kind", "lang"]),
        ("/console/staff/shop".into(), vec!["shop_name"]),
        (
            format!("/console/staff/invitations/{}/resend", uuid::Uuid::new_v4()),
            vec!["email", "stepup_code"],
        ),
        (
            format!("/console/staff/invitations/{}/cancel", uuid::Uuid::new_v4()),
            vec!["stepup_code"],
        ),
        (
            "/console/staff/invite".into(),
            vec!["email", "role", "segments"],
        ),
        (
            format!("/console/staff/{}/role", cs.caller.id()),
            vec!["role", "stepup_code"],
        ),
        (
            format!("/console/staff/{}/disable", cs.caller.id()),
            vec!["stepup_code"],
        ),
        (
            "/console/account/password".into(),
            vec!["current", "password", "confirm"],
        ),
        ("/console/account/totp".into(), vec!["stepup_code"]),
        (
            "/console/account/totp/confirm".into(),
            vec!["code", "ticket"],
        ),
        ("/console/account/recovery".into(), vec!["stepup_code"]),
        (
            "/console/account/sessions/others".into(),
            vec!["stepup_code"],
        ),
        (
            "/console/account/sessions/no-such-session/end".into(),
            vec!["stepup_code"],
        ),
        ("/console/lang".into(), vec!["lang", "back"]),
        ("/console/agreement".into(), vec!["version"]),
        (
            "/console/audit/verify".into(),
            vec!["from", "to", "actor", "action", "code", "before"],
        ),
        ("/console/requests".into(), vec!["code", "kind", "channel"]),
        (
            format!("/console/requests/{request}/close"),
            vec!["status", "outcome"],
        ),
        (
            "/console/fraud/ev-1/decide".into(),
            vec!["decision", "note"],
        ),
        (
            "/console/fraud/lists/add".into(),
            vec!["list", "entity", "value", "note"],
        ),
        (
            "/console/fraud/lists/remove".into(),
            vec!["list", "entity", "key"],
        ),
        (
            "/console/payees".into(),
            vec![
                "kind",
                "name",
                "phone",
                "email",
                "contact_name",
                "bank",
                "account_number",
                "holder",
            ],
        ),
        (
            format!("/console/payees/{payee}/bank"),
            vec!["bank", "account_number", "holder"],
        ),
        (
            format!("/console/payees/{payee}/bank/1/verify"),
            vec![
                "number_called",
                "confirmed",
                "reference",
                "decision",
                "stepup_code",
            ],
        ),
        (
            format!("/console/payees/{payee}/contacts"),
            vec!["phone", "email", "contact_name"],
        ),
        (
            format!("/console/payees/{payee}/contacts/2/verify"),
            vec![
                "number_called",
                "confirmed",
                "reference",
                "decision",
                "stepup_code",
            ],
        ),
        (
            "/console/payouts".into(),
            vec!["payee_id", "amount", "remark"],
        ),
        (
            "/console/payouts/export".into(),
            vec!["format", "stepup_code"],
        ),
        (
            format!("/console/payouts/{payout}/decide"),
            vec!["decision", "stepup_code"],
        ),
        (
            "/console/security/alerts/no-such-alert/ack".into(),
            vec!["note"],
        ),
        (
            "/console/security/alerts/no-such-alert/incident".into(),
            vec!["note"],
        ),
        ("/console/enrol".into(), vec!["ticket", "code"]),
    ];
    for (url, fields) in &forms {
        for field in fields {
            for v in &values {
                let mut pairs = vec![("csrf_token", admin.csrf.as_str()), (field, v.as_str())];
                // The other fields a form needs, so the hostile one is the one that is read.
                for (k, d) in [
                    ("purpose", "refund"),
                    ("decision", "verify"),
                    ("payee_id", payee.as_str()),
                    ("amount", "1000"),
                    ("list", "block"),
                    ("entity", "email"),
                    ("value", "x@example.com"),
                    ("status", "done"),
                ] {
                    if k != *field {
                        pairs.push((k, d));
                    }
                }
                let r = c.post(url, Some(&admin), "", &form(&pairs)).await;
                let what = format!("{url} {field}={v:.40}");
                no_500(&r, &what);
                not_echoed(&r, v, &what);
            }
            // Wrong types: repeated keys, arrays, a field given twice.
            let twice = format!("csrf_token={}&{field}=a&{field}=b&{field}[]=c", admin.csrf);
            no_500(&c.post(url, Some(&admin), "", &twice).await, url);
        }
    }
    // The mail check's upload (multipart).
    for v in &values {
        let (body, ct) = multipart(&[("csrf_token", &admin.csrf), ("message", v)]);
        let req = Request::builder()
            .method("POST")
            .uri("/console/mail")
            .header("cookie", format!("{SESSION_COOKIE}={}", admin.cookie))
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap();
        let r = c.send(req).await;
        no_500(&r, &format!("/console/mail message={v:.40}"));
    }
    // The GET query forms: the audit log's filters, the reports and the letter.
    let queries: Vec<(&str, Vec<&str>)> = vec![
        (
            "/console/audit",
            vec!["from", "to", "actor", "action", "code", "before"],
        ),
        (
            "/console/audit/reports?report=customer",
            vec!["code", "shop"],
        ),
        (
            "/console/audit/reports?report=staff",
            vec!["actor", "from", "to"],
        ),
        ("/console/audit/reports", vec!["report"]),
        (
            "/console/audit/reports/letter?code=JG-AAAA&lang=id",
            vec!["format", "shop", "code"],
        ),
        (
            "/console/audit/reports/letter?format=html&code=JG-AAAA",
            vec!["lang"],
        ),
        ("/console/payouts", vec!["status", "done"]),
        ("/console/requests", vec!["all"]),
        ("/console/fraud", vec!["done"]),
        ("/console/fraud/lists", vec!["done"]),
        ("/console/customers", vec!["q", "kind"]),
    ];
    for (url, fields) in &queries {
        for field in fields {
            for v in &values {
                let v = &v[..v.len().min(6000)];
                let enc: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
                let sep = if url.contains('?') { '&' } else { '?' };
                let uri = format!("{url}{sep}{field}={enc}");
                let r = c.get(&uri, Some(&admin), "").await;
                let what = format!("GET {url} {field}={v:.40}");
                no_500(&r, &what);
                not_echoed(&r, v, &what);
            }
        }
    }
    // Ending a session and signing out, last (they end the admin's session).
    for url in [
        "/console/account/sessions/no-such-session/end",
        "/console/logout",
    ] {
        for v in &values {
            let r = c
                .post(
                    url,
                    Some(&admin),
                    "",
                    &form(&[("csrf_token", &admin.csrf), ("stepup_code", v)]),
                )
                .await;
            no_500(&r, &format!("{url} {v:.40}"));
        }
    }
    // Anonymous forms.
    for (url, fields) in [
        ("/console/login", vec!["email", "password"]),
        ("/console/login/code", vec!["code"]),
        (
            "/console/invite?token=nope",
            vec!["name", "password", "confirm"],
        ),
        ("/console/enrol", vec!["ticket", "code"]),
    ] {
        for field in fields {
            for v in &values {
                let r = c
                    .post(
                        url,
                        None,
                        "__Host-jaga_pre=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                        &form(&[
                            ("csrf_token", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                            (field, v),
                        ]),
                    )
                    .await;
                no_500(&r, &format!("{url} {field}"));
                not_echoed(&r, v, url);
            }
        }
    }
}
