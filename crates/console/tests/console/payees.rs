//! Payees, payouts and the mail check in the console (issue 14), over HTTP with real sessions:
//! the bank-detail change → call-back by another member (to the number on file only, with a
//! fresh step-up) → four-eyes approval flow, every refusal shown in the reader's language
//! (self-verification, a wrong number, self-approval, a second approval), rejection, the bank
//! export, the analyzer's upload page and the role gates.

use super::*;

/// The id in a `Location: /console/<what>/<id>?…` answer.
pub(super) fn located(r: &Resp, what: &str) -> String {
    let loc = r
        .headers
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    let rest = loc
        .strip_prefix(&format!("/console/{what}/"))
        .unwrap_or_else(|| panic!("{loc}"));
    rest.split('?').next().unwrap().to_string()
}

pub(super) fn payee_form(csrf: &str) -> String {
    form(&[
        ("csrf_token", csrf),
        ("kind", "supplier"),
        ("name", "PT Glow Beauty"),
        ("phone", "+62 812-3456-7890"),
        ("email", "billing@glowbeauty.co.id"),
        ("bank", "BCA"),
        ("account_number", "2830199401"),
        ("holder", "PT Glow Beauty"),
    ])
}

pub(super) fn call_form(csrf: &str, number: &str, decision: &str) -> String {
    form(&[
        ("csrf_token", csrf),
        ("number_called", number),
        ("confirmed", "akhiran 9402, atas nama PT Glow Beauty"),
        ("reference", "K7Q2"),
        ("decision", decision),
    ])
}

#[tokio::test]
async fn payee_change_call_back_and_four_eyes_payout_in_the_console() {
    let c = console().await;
    let admin = c.admin().await;
    let fina = c
        .member(&admin, Role::Finance, "fina@toko.example", true)
        .await;
    let dewi = c
        .member(&admin, Role::Finance, "dewi@toko.example", true)
        .await;

    // Fina adds the supplier; its first details wait for a call-back.
    let r = c
        .post("/console/payees", Some(&fina), "", &payee_form(&fina.csrf))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = located(&r, "payees");
    let page = format!("/console/payees/{id}");
    let r = c.get(&page, Some(&fina), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_console_headers(&r, "payee page");
    assert!(
        r.body.contains("id=\"call-number\">+6281234567890<"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"verify-own\""));
    assert!(r.body.contains("Belum ada rekening terverifikasi"));
    let verify = format!("/console/payees/{id}/bank/1/verify");

    // The requester cannot verify their own change: refused on the page, nothing recorded.
    let r = c
        .post(
            &verify,
            Some(&fina),
            "",
            &call_form(&fina.csrf, "081234567890", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("sudah memutuskannya"), "{}", r.body);
    // Another member calling a number that is not the one on file.
    let r = c
        .post(
            &verify,
            Some(&dewi),
            "",
            &call_form(&dewi.csrf, "0899 1111 2222", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("Telepon nomor yang terdaftar"),
        "{}",
        r.body
    );
    // The number on file (written another way): verified, with the call record shown.
    let r = c
        .post(
            &verify,
            Some(&dewi),
            "",
            &call_form(&dewi.csrf, "0812 3456 7890", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&page, Some(&fina), "").await;
    assert!(r.body.contains("terverifikasi"), "{}", r.body);
    assert!(r.body.contains("K7Q2") && r.body.contains("0812 3456 7890"));
    assert!(!r.body.contains("id=\"verify-form\""));

    // A payout of Rp 15.000.000 to version 1: two approvals, never the creator's, never twice.
    let r = c
        .post(
            "/console/payouts",
            Some(&fina),
            "",
            &form(&[
                ("csrf_token", &fina.csrf),
                ("payee_id", &id),
                ("amount", "15.000.000"),
                ("remark", "INV-2026-07"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let first = located(&r, "payouts");
    let decide = format!("/console/payouts/{first}/decide");
    let approve = |m: &Member| form(&[("csrf_token", &m.csrf), ("decision", "approve")]);
    let r = c.post(&decide, Some(&fina), "", &approve(&fina)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("id=\"payout-error\""), "{}", r.body);
    let r = c.post(&decide, Some(&dewi), "", &approve(&dewi)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.post(&decide, Some(&dewi), "", &approve(&dewi)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = c.post(&decide, Some(&admin), "", &approve(&admin)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .get(&format!("/console/payouts/{first}"), Some(&fina), "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_console_headers(&r, "payout page");
    assert!(r.body.contains("data-status=\"approved\""), "{}", r.body);
    assert!(r.body.contains("Rp 15.000.000"));
    assert_eq!(r.body.matches("class=\"step approve\"").count(), 2);
    assert!(
        r.body.contains("class=\"step call\""),
        "the call-back is in the chain"
    );

    // Fina asks for new details: version 2 waits; payouts still go to version 1.
    let r = c
        .post(
            &format!("/console/payees/{id}/bank"),
            Some(&fina),
            "",
            &form(&[
                ("csrf_token", &fina.csrf),
                ("bank", "Mandiri"),
                ("account_number", "137-00-1234567-3"),
                ("holder", "PT Glow Beauty"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&page, Some(&dewi), "").await;
    assert!(
        r.body.contains("id=\"pending-account\">1370012345673<"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("2830199401"),
        "the payable details are still version 1"
    );
    // A stale step-up: the prompt names what it confirms and carries the call record.
    c.clock.advance(6 * 60_000);
    let verify2 = format!("/console/payees/{id}/bank/2/verify");
    let r = c
        .post(
            &verify2,
            Some(&dewi),
            "",
            &call_form(&dewi.csrf, "081234567890", "verify"),
        )
        .await;
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(r.body.contains("versi 2"), "{}", r.body);
    let r = c
        .post(
            &verify2,
            Some(&dewi),
            "",
            &form(&[
                ("csrf_token", &dewi.csrf),
                ("number_called", "081234567890"),
                ("confirmed", "akhiran 5673"),
                ("reference", "M3X9"),
                ("decision", "verify"),
                ("stepup_code", &c.code(&dewi.secret)),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let dewi = rotated(&c, dewi, &r).await;

    // The first payout is now held from export; a new one carries the cooling-off warning.
    let r = c
        .get(&format!("/console/payouts/{first}"), Some(&fina), "")
        .await;
    assert!(r.body.contains("id=\"payout-superseded\""), "{}", r.body);
    let r = c
        .post(
            "/console/payouts",
            Some(&fina),
            "",
            &form(&[
                ("csrf_token", &fina.csrf),
                ("payee_id", &id),
                ("amount", "500000"),
            ]),
        )
        .await;
    let second = located(&r, "payouts");
    let r = c
        .get(&format!("/console/payouts/{second}"), Some(&fina), "")
        .await;
    assert!(r.body.contains("id=\"payout-warning\""), "{}", r.body);
    assert!(r.body.contains("0 dari 2 persetujuan"), "{}", r.body);
    // Rejected: never approved after.
    let r = c
        .post(
            &format!("/console/payouts/{second}/decide"),
            Some(&dewi),
            "",
            &form(&[("csrf_token", &dewi.csrf), ("decision", "reject")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let late = form(&[
        ("csrf_token", &admin.csrf),
        ("decision", "approve"),
        ("stepup_code", &c.code(&admin.secret)),
    ]);
    let r = c
        .post(
            &format!("/console/payouts/{second}/decide"),
            Some(&admin),
            "",
            &late,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("tidak sedang menunggu persetujuan"),
        "{}",
        r.body
    );
    let r = c
        .get(&format!("/console/payouts/{second}"), Some(&fina), "")
        .await;
    assert!(r.body.contains("data-status=\"rejected\""));
    assert!(r.body.contains("class=\"step reject\""));

    // The export: nothing approved to the current details, so the file has its header only and
    // the superseded payout is not in it.
    let r = c
        .post(
            "/console/payouts/export",
            Some(&dewi),
            "",
            &form(&[("csrf_token", &dewi.csrf), ("format", "bca")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        r.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("payouts-bca.csv")
    );
    assert_eq!(r.body, "No,Account Number,Account Name,Amount,Remark\r\n");

    // Everything above is in the audit log, by code.
    let lines = c.audit_lines().await;
    for action in [
        "payee.create",
        "payee.bank.change",
        "payee.bank.verify",
        "payout.create",
        "payout.approve",
        "payout.reject",
        "payout.export",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(&format!("\"{action}\""))),
            "{action}"
        );
    }
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("2830199401") || l.contains("K7Q2"))
    );
}

/// The member after a step-up rotated their session (the cookie the answer sets).
async fn rotated(c: &Console, m: Member, r: &Resp) -> Member {
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            let v = v.to_str().ok()?;
            let rest = v.strip_prefix(&format!("{SESSION_COOKIE}="))?;
            Some(rest.split(';').next()?.to_string())
        })
        .expect("a rotated session");
    let csrf = c.state.staff.csrf_token(&cookie).await.unwrap();
    let caller = c
        .state
        .staff
        .authenticate(&cookie, None, false, None)
        .await
        .unwrap();
    Member {
        cookie,
        csrf,
        caller,
        secret: m.secret,
    }
}

fn multipart(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let b = "----jagatestboundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"message\"; filename=\"invoice.eml\"\r\nContent-Type: message/rfc822\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

const BANK_CHANGE: &str = "From: \"PT Glow Beauty\" <billing@glowbeauty-invoice.com>\r\nTo: finance@toko.example\r\nSubject: Perubahan rekening\r\nMessage-ID: <x1@glowbeauty-invoice.com>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nSelamat pagi,\r\nMohon segera transfer pembayaran invoice INV-7 ke rekening baru kami: BCA 1234567890 a.n. Glow Beauty. Rekening lama sedang diaudit, jangan telepon kantor.\r\n";

#[tokio::test]
async fn the_mail_check_explains_a_bank_change_and_links_to_payees() {
    let c = console().await;
    let admin = c.admin().await;
    let fina = c
        .member(&admin, Role::Finance, "fina@toko.example", true)
        .await;
    // A payee, so its domain is a known one the lookalike is compared with.
    let r = c
        .post("/console/payees", Some(&fina), "", &payee_form(&fina.csrf))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c.get("/console/mail", Some(&fina), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_console_headers(&r, "mail page");
    assert!(r.body.contains("enctype=\"multipart/form-data\""));

    let send = |ct: String, body: Vec<u8>, m: &Member| {
        Request::builder()
            .method("POST")
            .uri("/console/mail")
            .header("cookie", format!("{SESSION_COOKIE}={}", m.cookie))
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap()
    };
    let (ct, body) = multipart(&fina.csrf, BANK_CHANGE.as_bytes());
    let r = c.send(send(ct, body, &fina)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_console_headers(&r, "mail result");
    assert!(r.body.contains("data-verdict=\"high\""), "{}", r.body);
    assert!(r.body.contains("data-code=\"BANK_DETAILS_CHANGE\""));
    assert!(
        r.body.contains("data-code=\"LOOKALIKE_DOMAIN\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"mail-start-verification\""));
    assert!(r.body.contains("Risiko tinggi"));
    // The analysis is audited by codes only.
    let lines = c.audit_lines().await;
    let l = lines
        .iter()
        .find(|l| l.contains("\"mail.analyze\""))
        .unwrap();
    assert!(
        l.contains("BANK_DETAILS_CHANGE") && !l.contains("glowbeauty-invoice"),
        "{l}"
    );

    // A forged or missing token: refused before anything is read.
    let (ct, body) = multipart(&"A".repeat(32), BANK_CHANGE.as_bytes());
    let r = c.send(send(ct, body, &fina)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post(
            "/console/mail",
            Some(&fina),
            "",
            &form(&[("csrf_token", &fina.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An empty file, and one that is not an e-mail: a clear message, no 500.
    let (ct, body) = multipart(&fina.csrf, b"");
    let r = c.send(send(ct, body, &fina)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"mail-error\""));
    let (ct, body) = multipart(&fina.csrf, &[0xff, 0xfe, 0x00, 0x01]);
    let r = c.send(send(ct, body, &fina)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"mail-error\""), "{}", r.body);
    assert!(!r.body.contains("panicked"));
}

#[tokio::test]
async fn other_roles_have_no_payee_pages() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsManager, "cs@toko.example", true)
        .await;
    let r = c.get("/console/customers", Some(&cs), "").await;
    assert!(!r.body.contains("href=\"/console/payees\""));
    for p in ["/console/payees", "/console/payouts", "/console/mail"] {
        let r = c.get(p, Some(&cs), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{p}");
    }
    let r = c
        .post("/console/payees", Some(&cs), "", &payee_form(&cs.csrf))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The admin sees them, in English too.
    let r = c
        .get("/console/payees", Some(&admin), "__Host-jaga_lang=en")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Add a payee"), "{}", r.body);
}

#[tokio::test]
async fn a_contact_change_waits_for_a_call_to_the_old_number() {
    let c = console().await;
    let admin = c.admin().await;
    let fina = c
        .member(&admin, Role::Finance, "fina@toko.example", true)
        .await;
    let dewi = c
        .member(&admin, Role::Finance, "dewi@toko.example", true)
        .await;
    let r = c
        .post("/console/payees", Some(&fina), "", &payee_form(&fina.csrf))
        .await;
    let id = located(&r, "payees");
    let page = format!("/console/payees/{id}");
    let r = c
        .post(
            &format!("{page}/contacts"),
            Some(&fina),
            "",
            &form(&[
                ("csrf_token", &fina.csrf),
                ("phone", "0813 9999 0000"),
                ("email", "finance@glowbeauty-new.com"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&page, Some(&dewi), "").await;
    assert!(
        r.body
            .contains("id=\"contact-call-number\">+6281234567890<"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"contact-new-phone\">+6281399990000<"));
    let verify = format!("{page}/contacts/2/verify");
    // Fina asked for it: refused. Dewi calling the new number: refused.
    let r = c
        .post(
            &verify,
            Some(&fina),
            "",
            &call_form(&fina.csrf, "081234567890", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = c
        .post(
            &verify,
            Some(&dewi),
            "",
            &call_form(&dewi.csrf, "081399990000", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Telepon nomor yang terdaftar"));
    // The old number: verified; the new number is the one on file now.
    let r = c
        .post(
            &verify,
            Some(&dewi),
            "",
            &call_form(&dewi.csrf, "081234567890", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&page, Some(&dewi), "").await;
    assert!(
        r.body.contains("id=\"payee-phone\">+6281399990000<"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("id=\"contact-verify-form\""));
    assert!(r.body.contains("id=\"payee-contacts\""));
}
