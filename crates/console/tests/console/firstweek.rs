//! Issue 18, the rest of an owner's first week: pending invitations cancelled and sent again
//! from the staff page, the shop's name edited there, the language switch keeping the search
//! and the query string, reveal reasons stored as codes and read in the reader's language.

use super::*;

/// The one-time link shown on the staff page after an invitation or a resend.
fn shown_link(body: &str) -> String {
    let at = body.find("id=\"invite-link\">").expect("a link is shown") + 17;
    body[at..at + body[at..].find('<').unwrap()].replace("&#x3d;", "=")
}

/// The path and query of a link (`https://host/console/invite?token=…` → `/console/invite?…`).
fn path_of(link: &str) -> String {
    let at = link.find("/console/").unwrap();
    link[at..].to_string()
}

/// The value of the language switch's `back` field.
fn lang_back(body: &str) -> String {
    let form = &body[body
        .find("class=\"lang-switch\"")
        .expect("a language switch")..];
    let key = "name=\"back\" value=\"";
    let at = form.find(key).unwrap() + key.len();
    form[at..at + form[at..].find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#x3d;", "=")
        .replace("&#x3D;", "=")
}

#[tokio::test]
async fn a_pending_invitation_is_listed_cancelled_and_sent_again_from_the_staff_page() {
    let c = console().await;
    let admin = c.admin().await;
    let invite = |email: &'static str| {
        let svc = c.state.staff.clone();
        let caller = admin.caller.clone();
        async move {
            svc.invite(
                &caller,
                &NewInvitation {
                    email: email.into(),
                    role: Role::Finance,
                    segments: vec![],
                },
            )
            .await
            .unwrap()
        }
    };
    let a = invite("ani@toko.example").await;
    let b = invite("budi@toko.example").await;
    let page = c.get("/console/staff", Some(&admin), "").await;
    assert_eq!(page.status, StatusCode::OK);
    for inv in [&a, &b] {
        assert!(
            page.body
                .contains(&format!("/console/staff/invitations/{}/cancel", inv.id)),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains(&format!("/console/staff/invitations/{}/resend", inv.id))
        );
    }
    let link_a = format!("/console/invite?token={}", a.token.expose_secret());
    assert_eq!(c.get(&link_a, None, "").await.status, StatusCode::OK);

    // Cancel: the link stops working, the row goes, the log says so.
    let r = c
        .post(
            &format!("/console/staff/invitations/{}/cancel", a.id),
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers.get("location").unwrap(),
        "/console/staff?done=cancelled"
    );
    assert_eq!(c.get(&link_a, None, "").await.status, StatusCode::NOT_FOUND);
    let page = c
        .get("/console/staff?done=cancelled", Some(&admin), "")
        .await;
    assert!(!page.body.contains("ani@toko.example"));
    assert!(page.body.contains("Undangan dibatalkan"), "{}", page.body);
    assert!(
        c.audit_lines()
            .await
            .iter()
            .any(|l| l.contains("staff.invitation.cancel") && l.contains(&a.id.to_string()))
    );
    // Cancelling it again: said on the page, not an error page.
    let r = c
        .post(
            &format!("/console/staff/invitations/{}/cancel", a.id),
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body
            .contains("sudah diterima, kedaluwarsa atau dibatalkan")
    );

    // Resend: needs a fresh step-up, says what it confirms, then shows a new link; the old
    // link stops working and the new one opens.
    c.clock.advance(6 * 60_000);
    let resend = format!("/console/staff/invitations/{}/resend", b.id);
    let fields = [
        ("csrf_token", admin.csrf.as_str()),
        ("email", "budi@toko.example"),
    ];
    let r = c.post(&resend, Some(&admin), "", &form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(
        r.body
            .contains("Kirim ulang undangan untuk budi@toko.example")
    );
    let code = c.code(&admin.secret);
    let mut with_code = fields.to_vec();
    with_code.push(("stepup_code", &code));
    let r = c.post(&resend, Some(&admin), "", &form(&with_code)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Tautan baru untuk budi@toko.example"));
    let new_link = path_of(&shown_link(&r.body));
    assert!(!new_link.contains(b.token.expose_secret()));
    let old_link = format!("/console/invite?token={}", b.token.expose_secret());
    assert_eq!(
        c.get(&old_link, None, "").await.status,
        StatusCode::NOT_FOUND
    );
    let opened = c.get(&new_link, None, "").await;
    assert_eq!(opened.status, StatusCode::OK, "{new_link}");
    assert!(opened.body.contains("budi@toko.example"));
    let pending = c
        .state
        .staff
        .pending_invitations(&admin.caller)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].role, Role::Finance);
    assert!(
        c.audit_lines()
            .await
            .iter()
            .any(|l| l.contains("staff.invitation.resend") && l.contains(&b.id.to_string()))
    );
}

#[tokio::test]
async fn only_an_admin_cancels_or_resends_invitations_or_renames_the_shop() {
    let c = console().await;
    let admin = c.admin().await;
    let auditor = c
        .member(&admin, Role::Auditor, "audit@toko.example", true)
        .await;
    let inv = c
        .state
        .staff
        .invite(
            &admin.caller,
            &NewInvitation {
                email: "ani@toko.example".into(),
                role: Role::CsStaff,
                segments: vec![],
            },
        )
        .await
        .unwrap();
    for (uri, body) in [
        (
            format!("/console/staff/invitations/{}/cancel", inv.id),
            String::new(),
        ),
        (
            format!("/console/staff/invitations/{}/resend", inv.id),
            String::new(),
        ),
        ("/console/staff/shop".into(), "shop_name=Toko+Palsu".into()),
    ] {
        let r = c
            .post(
                &uri,
                Some(&auditor),
                "",
                &format!("csrf_token={}&{body}", auditor.csrf),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    assert_eq!(
        c.state
            .staff
            .pending_invitations(&admin.caller)
            .await
            .unwrap()
            .len(),
        1
    );
    let shop = c.state.staff.shop(&c.state.config.shop).await.unwrap();
    assert_eq!(shop.name, None);
    // The service refuses too (not only the page).
    assert!(
        c.state
            .staff
            .cancel_invitation(&auditor.caller, inv.id)
            .await
            .is_err()
    );
    assert!(
        c.state
            .staff
            .set_shop_name(&auditor.caller, "Toko Palsu")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_shop_name_is_edited_on_the_staff_page_audited_and_printed_on_the_letter() {
    let c = console().await;
    let admin = c.admin().await;
    let post = |name: &str| form(&[("csrf_token", admin.csrf.as_str()), ("shop_name", name)]);
    // Refusals keep the typed text at the field (a card number masked), nothing saved.
    for (typed, want, kept) in [
        ("   ", "Isi nama toko", ""),
        (&"T".repeat(101)[..], "Isi nama toko", &"T".repeat(100)[..]),
        (
            "Toko 4111 1111 1111 1111",
            "nomor kartu",
            "Toko •••• •••• •••• 1111",
        ),
    ] {
        let r = c
            .post("/console/staff/shop", Some(&admin), "", &post(typed))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(r.body.contains("id=\"err-shop-name\""), "{}", r.body);
        assert!(
            r.body.to_lowercase().contains(&want.to_lowercase()),
            "{typed}: {}",
            r.body
        );
        assert!(!r.body.contains("4111 1111 1111 1111"));
        if !kept.is_empty() {
            assert!(r.body.contains(kept), "{typed}: {}", r.body);
        }
    }
    assert_eq!(
        c.state.staff.shop(&c.state.config.shop).await.unwrap().name,
        None
    );
    let r = c
        .post(
            "/console/staff/shop",
            Some(&admin),
            "",
            &post("  Toko Ayu Bandung "),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get("/console/staff?done=shop", Some(&admin), "").await;
    assert!(
        page.body.contains("value=\"Toko Ayu Bandung\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Nama toko disimpan"));
    assert!(
        c.audit_lines()
            .await
            .iter()
            .any(|l| l.contains("shop.settings.change") && l.contains("setting:shop.name"))
    );
    // The letter uses it (in both languages), never "Toko kami" / "Our shop".
    let id = c.customer("Dewi Sari", "").await;
    let code =
        c.h.vault
            .reader(&c.h.admin())
            .await
            .unwrap()
            .get(id)
            .await
            .unwrap()
            .code;
    for lang in ["id", "en"] {
        let r = c
            .get(
                &format!("/console/audit/reports/letter?code={code}&lang={lang}&format=text"),
                Some(&admin),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.starts_with("Toko Ayu Bandung\n"), "{}", r.body);
        assert!(!r.body.contains("Toko kami") && !r.body.contains("Our shop"));
    }
}

#[tokio::test]
async fn switching_the_language_keeps_the_search_and_the_query_string() {
    let c = console().await;
    let admin = c.admin().await;
    c.customer("Dewi Sari", "").await;
    // After a search, the switch posts the same search with the other language.
    let r = c
        .post(
            "/console/customers",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("kind", "email"),
                ("q", "dewi.sari@gmail.com"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let switch = &r.body[r.body.find("class=\"lang-switch\"").unwrap()..];
    let switch = &switch[..switch.find("</form>").unwrap()];
    assert!(switch.contains("action=\"/console/customers\""), "{switch}");
    assert!(switch.contains("name=\"kind\" value=\"email\""), "{switch}");
    assert!(
        switch.contains("name=\"q\" value=\"dewi.sari@gmail.com\""),
        "{switch}"
    );
    let r = c
        .post(
            "/console/customers",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("kind", "email"),
                ("q", "dewi.sari@gmail.com"),
                ("lang", "en"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<html lang=\"en\">"));
    assert!(r.body.contains("id=\"results\""), "{}", r.body);
    assert!(r.body.contains("1 customer"), "{}", r.body);
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.contains("lang"))
        .expect("the language is kept");
    assert!(cookie.contains("=en"), "{cookie}");
    // A bad language is a plain search, never an error.
    let r = c
        .post(
            "/console/customers",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("kind", "email"),
                ("q", "dewi.sari@gmail.com"),
                ("lang", "xx"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Pages with a query string come back to it: the audit log's filters and position, a
    // report, and an invitation (whose token opens it).
    let audit = "/console/audit?action=customer&from=2026-01-01&before=5";
    let r = c.get(audit, Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    let back = lang_back(&r.body);
    for part in ["action=customer", "from=2026-01-01", "before=5"] {
        assert!(back.contains(part), "{back}");
    }
    let inv = c
        .state
        .staff
        .invite(
            &admin.caller,
            &NewInvitation {
                email: "ani@toko.example".into(),
                role: Role::CsStaff,
                segments: vec![],
            },
        )
        .await
        .unwrap();
    let link = format!("/console/invite?token={}", inv.token.expose_secret());
    let r = c.get(&link, None, "").await;
    assert_eq!(lang_back(&r.body), link);
    let r = c
        .post(
            "/console/lang",
            None,
            "",
            &form(&[("lang", "en"), ("back", &link)]),
        )
        .await;
    // (without the pre-session token the switch is refused; the page carries it)
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reveal_reasons_are_stored_as_codes_and_read_in_the_readers_language() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let r = c
        .post(
            &format!("/console/customers/{id}/reveal"),
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("field", "email"),
                ("purpose", "refund"),
                ("purpose_detail", "TICKET-9"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("dewi.sari@gmail.com"));
    let lines = c.audit_lines().await;
    let reveal = lines
        .iter()
        .find(|l| l.contains("customer.reveal"))
        .expect("the reveal is logged");
    assert!(reveal.contains("refund: TICKET-9"), "{reveal}");
    assert!(!reveal.contains("Refund"), "{reveal}");
    // A row from before the codes (the English label) reads the same.
    let old = jaga_core::audit::AuditRecord::new(
        &admin.caller,
        jaga_core::audit::AuditAction::CustomerReveal,
    )
    .purpose("Re-delivery: JNE-1");
    c.h.store.audit_append(old).await.unwrap();
    for (lang, refund, redelivery) in [
        (
            "id",
            "Pengembalian dana: TICKET-9",
            "Pengiriman ulang: JNE-1",
        ),
        ("en", "Refund: TICKET-9", "Re-delivery: JNE-1"),
    ] {
        let cookie = format!("__Host-jaga_lang={lang}");
        for page in ["/console/audit", "/console/activity"] {
            let r = c.get(page, Some(&admin), &cookie).await;
            assert_eq!(r.status, StatusCode::OK, "{page}");
            assert!(
                r.body.contains(&format!("<html lang=\"{lang}\">")),
                "{page}"
            );
            assert!(r.body.contains(refund), "{page} {lang}: {}", r.body);
            assert!(r.body.contains(redelivery), "{page} {lang}");
            assert!(
                !r.body.contains("refund: TICKET-9"),
                "{page} {lang}: the code shows"
            );
        }
    }
}
