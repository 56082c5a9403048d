//! Issue 18, every form: a refusal of the write guard (card number, CVV) is an error at the
//! field, in the member's language, with the typed text kept minus what was refused (masked),
//! never echoed as typed and never a generic error page.

use super::*;

const CARD: &str = "4111 1111 1111 1111";

/// The position of `needle` in `body`, or a panic naming it.
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} not in page: {body}"))
}

/// The (unescaped) `value` attribute of the input with `id`.
fn value_of(body: &str, id: &str) -> String {
    let start = at(body, &format!("id=\"{id}\""));
    let tag_end = start + body[start..].find('>').unwrap();
    let tag = &body[start..tag_end];
    let Some(v) = tag.find("value=\"") else {
        // `value` may come before `id` in the tag.
        let open = body[..start].rfind('<').unwrap();
        let tag = &body[open..tag_end];
        let v = tag.find("value=\"").expect("a value attribute") + 7;
        let end = v + tag[v..].find('"').unwrap();
        return unescape(&tag[v..end]);
    };
    let v = v + 7;
    let end = v + tag[v..].find('"').unwrap();
    unescape(&tag[v..end])
}

fn unescape(s: &str) -> String {
    s.replace("&#42;", "*")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#32;", " ")
        .replace("&#45;", "-")
}

/// The error `err_id` comes right after the input `input_id` (before `next_id`, if given).
fn error_at(body: &str, input_id: &str, err_id: &str) {
    let input = at(body, &format!("id=\"{input_id}\""));
    let err = at(body, &format!("id=\"{err_id}\""));
    assert!(input < err, "{err_id} is not after {input_id}");
    assert!(
        body[input..err].matches("<input").count() <= 1
            && !body[input..err].contains("<select")
            && !body[input..err].contains("<textarea"),
        "{err_id} is not at {input_id}"
    );
}

#[tokio::test]
async fn a_refused_reveal_purpose_keeps_the_form_with_the_error_at_the_detail() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let url = format!("/console/customers/{id}/reveal");
    for (lang, card_msg, cvv_msg) in [
        ("id", "Nomor kartu pembayaran", "CVV (kode keamanan kartu)"),
        ("en", "Payment card numbers", "Card security codes (CVV)"),
    ] {
        let cookies = format!("__Host-jaga_lang={lang}");
        for (detail, msg, refused) in [
            (format!("refund ke kartu {CARD}"), card_msg, CARD),
            ("pelanggan bilang CVV 123".to_string(), cvv_msg, "CVV 123"),
        ] {
            let body = format!(
                "csrf_token={}&field=email&field=phone&purpose=other&purpose_detail={}",
                admin.csrf,
                form_urlencoded::byte_serialize(detail.as_bytes()).collect::<String>()
            );
            let r = c.post(&url, Some(&admin), &cookies, &body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            error_at(&r.body, "purpose_detail", "err-purpose_detail");
            let err = &r.body[at(&r.body, "id=\"err-purpose_detail\"")..];
            assert!(
                err[..400.min(err.len())].contains(msg),
                "{lang}: {err:.400}"
            );
            assert!(!r.body.contains(refused), "the refused value is echoed");
            // The typed text is kept, minus what was refused; the ticks and the reason too.
            let kept = value_of(&r.body, "purpose_detail");
            assert!(kept.len() > 10 && !kept.contains(refused), "{kept}");
            assert!(kept.starts_with(&detail[..10]), "the text is kept: {kept}");
            assert!(r.body.contains("value=\"email\" checked"), "ticks kept");
            assert!(r.body.contains("value=\"phone\" checked"), "ticks kept");
            assert!(r.body.contains("value=\"other\" selected"), "reason kept");
        }
    }
    // Nothing chosen: each error at its own field.
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"err-reveal-field\""));
    error_at(&r.body, "purpose", "err-purpose");
}

#[tokio::test]
async fn a_card_number_in_the_export_purpose_is_said_as_such_and_the_text_kept() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let r = c
        .post(
            &format!("/console/customers/{id}/export"),
            Some(&admin),
            "__Host-jaga_lang=en",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("purpose", &format!("UU PDP request, card {CARD}")),
                ("format", "html"),
                ("lang", "id"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    error_at(&r.body, "export-purpose", "err-export-purpose");
    assert!(r.body.contains("Payment card numbers may not be stored"));
    assert!(!r.body.contains(CARD));
    let kept = value_of(&r.body, "export-purpose");
    assert!(kept.starts_with("UU PDP request, card "), "{kept}");
    assert!(kept.ends_with("1111"), "{kept}");
}

/// An event held for review, stored as the fraud monitor stores it.
pub(super) async fn held_event(c: &Console, id: &str) {
    let now = jaga_core::now_ms();
    c.h.store
        .fraud_events_insert(vec![jaga_core::store::FraudEventRow {
            seq: 0,
            id: id.into(),
            ts: now,
            kind: "order".into(),
            event: format!(r#"{{"id":"{id}","amount":14500000,"currency":"IDR"}}"#),
            decision: "review".into(),
            score: 70,
            reasons: "[]".into(),
            created_at: now,
        }])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_cvv_in_a_fraud_review_note_is_refused_at_the_note_with_the_note_kept() {
    let c = console().await;
    let admin = c.admin().await;
    held_event(&c, "q-1").await;
    let r = c
        .post(
            "/console/fraud/q-1/decide",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("decision", "approve"),
                ("note", "ditelepon, CVV 123 cocok"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("CVV (kode keamanan kartu)"), "{}", r.body);
    assert!(!r.body.contains("CVV 123"));
    let kept = unescape(&r.body);
    assert!(
        kept.contains("value=\"ditelepon, CVV *** cocok\""),
        "the note is kept minus the CVV: {}",
        r.body
    );
    assert!(r.body.contains("id=\"err-note-q-1\""));
    // Still held: nothing was decided or stored.
    let q = c.get("/console/fraud", Some(&admin), "").await;
    assert!(q.body.contains("data-id=\"q-1\""));
    // Events' `amount` is in ISO 4217 minor units (sen): 14500000 is Rp 145.000.
    assert!(q.body.contains("Rp 145.000"), "{}", q.body);
    assert!(!q.body.contains("CVV"));
    // The vault refuses it too (the same write guard), whoever calls it.
    let err = c
        .state
        .vault
        .fraud_review_decide(&admin.caller, "q-1", "approve", "CVV 123")
        .await
        .unwrap_err();
    assert!(matches!(err, jaga_core::CoreError::CardNumber), "{err:?}");
    // A clean note is accepted.
    let r = c
        .post(
            "/console/fraud/q-1/decide",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("decision", "approve"),
                ("note", "ditelepon, cocok"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

#[tokio::test]
async fn payout_and_payee_forms_never_echo_a_card_number_and_say_it_at_the_field() {
    let c = console().await;
    let admin = c.admin().await;
    // The payout's remark: at the field, masked.
    let r = c
        .post(
            "/console/payouts",
            Some(&admin),
            "__Host-jaga_lang=en",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("payee_id", &uuid::Uuid::new_v4().to_string()),
                ("amount", "250000"),
                ("remark", &format!("refund kartu {CARD}")),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        !r.body.contains(CARD),
        "SECURITY: the card number is echoed"
    );
    error_at(&r.body, "o-remark", "err-o-remark");
    let kept = value_of(&r.body, "o-remark");
    assert!(
        kept.starts_with("refund kartu ") && kept.ends_with("1111"),
        "{kept}"
    );
    // A card number typed as the amount comes back masked with the amount's error.
    let r = c
        .post(
            "/console/payouts",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("payee_id", &uuid::Uuid::new_v4().to_string()),
                ("amount", "4111-1111-1111-1111"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.body.contains("4111-1111-1111-1111"));
    // A new payee: the CVV in the holder at the holder, the other fields kept.
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
                ("holder", "PT Glow Beauty CVV 123"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    error_at(&r.body, "p-holder", "err-p-holder");
    assert!(!r.body.contains("CVV 123"));
    assert_eq!(value_of(&r.body, "p-name"), "PT Glow Beauty");
    assert_eq!(value_of(&r.body, "p-account"), "2830199401");
    assert!(value_of(&r.body, "p-holder").starts_with("PT Glow Beauty CVV "));
}

#[tokio::test]
async fn the_invitation_and_fraud_list_forms_put_the_refusal_at_the_field() {
    let c = console().await;
    let admin = c.admin().await;
    let r = c
        .post(
            "/console/staff/invite",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("email", "rina@toko.example"),
                ("role", "cs_staff"),
                ("segments", &format!("jakarta, {CARD}")),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    error_at(&r.body, "inv-segments", "err-inv-segments");
    assert!(
        !r.body.contains("class=\"notice err\""),
        "not a page-top notice"
    );
    assert!(value_of(&r.body, "inv-segments").starts_with("jakarta, "));
    // The shop's name: a CVV is said as a CVV, at the field, the name kept without it.
    let r = c
        .post(
            "/console/staff/shop",
            Some(&admin),
            "__Host-jaga_lang=en",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("shop_name", "Toko Melati CVV 123"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    error_at(&r.body, "shop-name", "err-shop-name");
    assert!(r.body.contains("Card security codes (CVV)"), "{}", r.body);
    assert!(!r.body.contains("CVV 123"));
    assert!(value_of(&r.body, "shop-name").starts_with("Toko Melati CVV "));
    // The fraud list's note: kept minus the CVV, the error at the note.
    let r = c
        .post(
            "/console/fraud/lists/add",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("list", "block"),
                ("entity", "email"),
                ("value", "penipu@gmail.com"),
                ("note", "minta CVV 123 lewat WA"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"err-fl-note\""));
    assert!(!r.body.contains("CVV 123"));
    assert!(
        !r.body.contains("penipu@gmail.com"),
        "the value is never echoed"
    );
    assert!(
        unescape(&r.body).contains("value=\"minta CVV *** lewat WA\""),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_card_number_as_the_letters_shop_name_is_refused_at_the_field() {
    let c = console().await;
    let admin = c.admin().await;
    let shop = format!("Toko {CARD}");
    let enc: String = form_urlencoded::byte_serialize(shop.as_bytes()).collect();
    for url in [
        format!("/console/audit/reports?report=customer&code=JG-AAAA&shop={enc}"),
        format!("/console/audit/reports/letter?code=JG-AAAA&lang=id&format=html&shop={enc}"),
        format!("/console/audit/reports/letter?code=JG-AAAA&lang=en&shop={enc}"),
    ] {
        let r = c.get(&url, Some(&admin), "").await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.body
        );
        assert!(!r.body.contains(CARD), "{url}");
        assert!(!r.body.contains(&enc), "{url}: in a link");
        error_at(&r.body, "shop", "err-shop");
        assert!(value_of(&r.body, "shop").starts_with("Toko "));
    }
    // Filters are searches, not stores: never echoed as typed either (the language switch's
    // way back included).
    let r = c
        .get(
            &format!("/console/audit?actor={enc}&code={enc}"),
            Some(&admin),
            "",
        )
        .await;
    assert!(r.status.as_u16() < 500);
    assert!(!r.body.contains(CARD) && !r.body.contains(&enc));
}
