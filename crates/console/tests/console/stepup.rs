//! The payee contact call-back (`/console/payees/{id}/contacts/{version}/verify`) needs a fresh
//! step-up like the bank-detail one: a stale one gets the code prompt, a wrong code 401, and in
//! both cases the new contacts stay unverified; the right code verifies them.

use super::payees::{call_form, located, payee_form};
use super::*;

#[tokio::test]
async fn a_contact_call_back_needs_a_fresh_step_up() {
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
            &form(&[("csrf_token", &fina.csrf), ("phone", "0813 9999 0000")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let verify = format!("{page}/contacts/2/verify");
    let still_old = |body: &str| body.contains("id=\"payee-phone\">+6281234567890<");
    // Stale: the prompt, nothing verified.
    c.clock.advance(6 * 60_000);
    let r = c
        .post(
            &verify,
            Some(&dewi),
            "",
            &call_form(&dewi.csrf, "081234567890", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    let r = c.get(&page, Some(&dewi), "").await;
    assert!(still_old(&r.body), "{}", r.body);
    assert!(r.body.contains("id=\"contact-verify-form\""));
    // A wrong code: 401, nothing verified.
    let code = c.code(&dewi.secret);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let with_code = |code: &str| {
        form(&[
            ("csrf_token", &dewi.csrf),
            ("number_called", "081234567890"),
            ("confirmed", "nomor baru 0813 9999 0000"),
            ("reference", "K7Q2"),
            ("decision", "verify"),
            ("stepup_code", code),
        ])
    };
    let r = c.post(&verify, Some(&dewi), "", &with_code(&wrong)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = c.get(&page, Some(&dewi), "").await;
    assert!(still_old(&r.body), "{}", r.body);
    // The right code: verified, the new number is on file.
    let r = c.post(&verify, Some(&dewi), "", &with_code(&code)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&page, Some(&admin), "").await;
    assert!(
        r.body.contains("id=\"payee-phone\">+6281399990000<"),
        "{}",
        r.body
    );
}
