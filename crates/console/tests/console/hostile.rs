//! Issue 18: every console form driven with hostile values (card numbers in several forms,
//! CVVs, oversized, control characters, wrong types): never a 500, write-guard refusals are
//! inline errors at the field in the member's language with the text kept minus the refused
//! part; and invitation links start with `public_url`, never with the request's `Host`.

use super::*;

#[tokio::test]
async fn a_cvv_in_a_note_is_an_inline_error_with_the_text_kept() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let url = format!("/console/customers/{id}/notes");
    for (lang, expect) in [
        ("id", "CVV (kode keamanan kartu)"),
        ("en", "Card security codes (CVV)"),
    ] {
        let cookies = format!("__Host-jaga_lang={lang}");
        let r = c
            .post(
                &url,
                Some(&admin),
                &cookies,
                &form(&[
                    ("csrf_token", &admin.csrf),
                    ("note", "Pelanggan telepon, CVV 123, minta refund"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(expect), "{lang}: {}", r.body);
        // The text is kept, minus the CVV.
        assert!(
            r.body.contains("Pelanggan telepon, CVV ***, minta refund"),
            "{}",
            r.body
        );
        assert!(!r.body.contains("CVV 123"));
    }
    // A card number comes back masked; saving that draft again is accepted.
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("note", "refund ke kartu 4111 1111 1111 1111 cvv 123"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("Nomor kartu pembayaran tidak boleh disimpan")
    );
    let draft = textarea(&r.body, "note");
    assert!(
        !draft.contains("4111 1111 1111 1111") && !draft.contains("123"),
        "{draft}"
    );
    assert!(draft.starts_with("refund ke kartu "), "{draft}");
    let again = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("note", &draft)]),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
}

/// The (unescaped) content of `<textarea id=…>`.
fn textarea(body: &str, id: &str) -> String {
    let start = body.find(&format!("id=\"{id}\"")).expect("textarea");
    let open = start + body[start..].find('>').unwrap() + 1;
    let close = open + body[open..].find("</textarea>").unwrap();
    body[open..close]
        .replace("&#42;", "*")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn card_data_in_the_contact_form_is_refused_at_its_input() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let url = format!("/console/customers/{id}/edit");
    let r = c
        .post(
            &url,
            Some(&admin),
            "__Host-jaga_lang=en",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("city", "Jakarta"),
                ("street", "Jl. Melati 5, kartu 4111 1111 1111 1111"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The error is under the street input, not another one.
    let street = r.body.find("id=\"street\"").unwrap();
    let err = r.body.find("id=\"err-street\"").expect("street error");
    let city = r.body.find("id=\"city\"").unwrap();
    assert!(street < err && err < city, "error not at its field");
    assert!(r.body.contains("Payment card numbers may not be stored"));
    assert!(!r.body.contains("4111 1111 1111 1111"));
    assert!(r.body.contains("value=\"Jakarta\""), "other inputs kept");
}

#[tokio::test]
async fn a_card_number_in_the_invitation_form_is_an_inline_error() {
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
                ("segments", "jakarta, 4111 1111 1111 1111"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("Nomor kartu pembayaran tidak boleh disimpan")
    );
    assert!(!r.body.contains("4111 1111 1111 1111"));
    assert!(r.body.contains("rina@toko.example"), "the e-mail is kept");
}

#[tokio::test]
async fn invitation_links_use_public_url_never_the_host_header() {
    let c = console_with(ServerConfig {
        public_url: "https://jaga.toko.example:8443".into(),
        ..ServerConfig::default()
    })
    .await;
    let admin = c.admin().await;
    // A fresh step-up for the invitation (a code from a step not used at enrolment).
    c.clock.advance(30_000);
    let code = c.code(&admin.secret);
    let req = Request::builder()
        .method("POST")
        .uri("/console/staff/invite")
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("cookie", format!("{SESSION_COOKIE}={}", admin.cookie))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("csrf_token", &admin.csrf),
            ("email", "rina@toko.example"),
            ("role", "cs_staff"),
            ("stepup_code", &code),
        ])))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("https://jaga.toko.example:8443/console/invite?token="),
        "{}",
        r.body
    );
    assert!(!r.body.contains("evil.example"));
    assert!(!r.body.contains("https://localhost"));
}

#[tokio::test]
async fn an_admin_erases_a_customer_after_typing_the_code_and_a_fresh_code() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    let page = c
        .get(&format!("/console/customers/{id}"), Some(&admin), "")
        .await;
    let code = page
        .body
        .split("name=\"code\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the customer code on the page")
        .to_string();
    assert!(page.body.contains("id=\"erase-link\""));
    // Not for CS staff: no link, and the page and the form are refused.
    let mine = c
        .get(&format!("/console/customers/{id}"), Some(&cs), "")
        .await;
    assert!(!mine.body.contains("id=\"erase-link\""));
    let url = format!("/console/customers/{id}/erase");
    assert_eq!(
        c.get(&url, Some(&cs), "").await.status,
        StatusCode::FORBIDDEN
    );
    let r = c
        .post(
            &url,
            Some(&cs),
            "",
            &form(&[("csrf_token", &cs.csrf), ("confirm_code", &code)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The confirmation page names the customer.
    let r = c.get(&url, Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&code) && r.body.contains("id=\"confirm_code\""));
    // A wrong code: an error at the field, nothing erased.
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("confirm_code", "JG-AAAA-BBBB-C"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"err-confirm_code\""), "{}", r.body);
    assert_eq!(
        c.get(&format!("/console/customers/{id}"), Some(&admin), "")
            .await
            .status,
        StatusCode::OK
    );
    // The right code (any case) but a stale step-up: the prompt says what it confirms and can
    // be cancelled.
    c.clock.advance(6 * 60_000);
    let typed = code.to_lowercase();
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("confirm_code", &typed)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(
        r.body.contains(&format!("Hapus permanen pelanggan {code}")),
        "{}",
        r.body
    );
    assert!(r.body.contains(&format!(
        "href=\"/console/customers/{id}\" id=\"stepup-cancel\""
    )));
    // With a fresh code it is erased.
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("confirm_code", &code),
                ("stepup_code", &c.code(&admin.secret)),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers.get("location").unwrap(),
        &format!("/console/customers?erased={code}")
    );
    // The step-up rotated the session: continue with the new cookie.
    let v = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    let rotated = Member {
        cookie: v
            .split_once(';')
            .unwrap()
            .0
            .split_once('=')
            .unwrap()
            .1
            .to_string(),
        csrf: admin.csrf.clone(),
        caller: admin.caller.clone(),
        secret: admin.secret.clone(),
    };
    let gone = c
        .get(&format!("/console/customers/{id}"), Some(&rotated), "")
        .await;
    assert_eq!(gone.status, StatusCode::GONE, "{}", gone.body);
    let flash = c
        .get(
            &format!("/console/customers?erased={code}"),
            Some(&rotated),
            "",
        )
        .await;
    assert!(
        flash
            .body
            .contains(&format!("Pelanggan {code} telah dihapus permanen"))
    );
}

#[tokio::test]
async fn times_amounts_and_hidden_fields_read_for_a_person() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    let who = c.h.admin();
    c.h.vault
        .order_writer(&who)
        .await
        .unwrap()
        .add(
            id,
            &serde_json::from_value(serde_json::json!({
                "order_ref": "INV-1", "amount_minor": 25_000_000, "currency": "IDR",
                "status": "shipped",
                "items": [{"sku": "S", "name": "Serum", "quantity": 1, "unit_price_minor": 25_000_000}]
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&cs), "")
        .await;
    assert!(r.body.contains("Rp 250.000"), "{}", r.body);
    assert!(r.body.contains("dikirim"));
    assert!(r.body.contains(" WIB<"), "times name the zone");
    // NIK is hidden from CS staff: said so, not "—".
    assert!(r.body.contains("disembunyikan untuk peran Anda"));
    let en = c
        .get(
            &format!("/console/customers/{id}"),
            Some(&cs),
            "__Host-jaga_lang=en",
        )
        .await;
    assert!(en.body.contains("hidden for your role") && en.body.contains("shipped"));
    assert!(en.body.contains("Rp 250.000"));
    // "My activity" names customers by code, actions in the reader's language.
    let code =
        c.h.vault
            .reader(&who)
            .await
            .unwrap()
            .get(id)
            .await
            .unwrap()
            .code;
    let act = c.get("/console/activity", Some(&cs), "").await;
    assert!(act.body.contains(&format!(">{code}</a>")), "{}", act.body);
    assert!(act.body.contains("lihat (tersamar)"), "{}", act.body);
}

#[tokio::test]
async fn an_admin_moves_a_customer_to_another_segment_after_a_fresh_code() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    let page = c
        .get(&format!("/console/customers/{id}"), Some(&admin), "")
        .await;
    assert!(page.body.contains("id=\"segment-link\""), "{}", page.body);
    // Not for CS staff: no link, and the page and the form are refused.
    let mine = c
        .get(&format!("/console/customers/{id}"), Some(&cs), "")
        .await;
    assert!(!mine.body.contains("id=\"segment-link\""));
    let url = format!("/console/customers/{id}/segment");
    assert_eq!(
        c.get(&url, Some(&cs), "").await.status,
        StatusCode::FORBIDDEN
    );
    let r = c
        .post(
            &url,
            Some(&cs),
            "",
            &form(&[("csrf_token", &cs.csrf), ("segment", "vip")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let segment_now = || async {
        c.h.store
            .customer_load(id)
            .await
            .unwrap()
            .unwrap()
            .row
            .segment
    };
    // The form names the current segment.
    let r = c.get(&url, Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Segmen sekarang: default"), "{}", r.body);
    // A bad name and the same segment: an error at the field, nothing moved.
    for typed in ["VIP Pelanggan", "default", "<script>", ""] {
        let r = c
            .post(
                &url,
                Some(&admin),
                "",
                &form(&[("csrf_token", &admin.csrf), ("segment", typed)]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(r.body.contains("id=\"err-segment\""), "{}", r.body);
        assert!(!r.body.contains("<script>"), "{}", r.body);
    }
    assert_eq!(segment_now().await, "default");
    // A stale step-up: the prompt says what it confirms.
    c.clock.advance(6 * 60_000);
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("segment", "vip")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(
        r.body.contains("Pindahkan pelanggan ke segmen vip"),
        "{}",
        r.body
    );
    assert_eq!(segment_now().await, "default", "not before the step-up");
    // With a fresh code it is moved.
    let r = c
        .post(
            &url,
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("segment", "vip"),
                ("stepup_code", &c.code(&admin.secret)),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers.get("location").unwrap(),
        &format!("/console/customers/{id}?done=moved")
    );
    assert_eq!(segment_now().await, "vip");
    let v = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    let rotated = Member {
        cookie: v
            .split_once(';')
            .unwrap()
            .0
            .split_once('=')
            .unwrap()
            .1
            .to_string(),
        csrf: admin.csrf.clone(),
        caller: admin.caller.clone(),
        secret: admin.secret.clone(),
    };
    let shown = c
        .get(
            &format!("/console/customers/{id}?done=moved"),
            Some(&rotated),
            "",
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("Pelanggan dipindahkan ke segmen vip"),
        "{}",
        shown.body
    );
}
