//! Where the console sends people: the index, sign-in without a session, the agreement gate,
//! a sealed vault, and the step-up prompt of a reveal.

use super::*;

/// `/console/` is where sign-in, enrolment and the agreement send people: it must answer (it
/// was a JSON 404 once, which left the browser on an error after enrolment).
#[tokio::test]
async fn the_console_index_answers_with_and_without_a_session() {
    let c = console().await;
    for (path, to) in [("/console/", "/console/login"), ("/console", "/console/")] {
        let r = c.get(path, None, "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers.get("location").unwrap(), to, "{path}");
    }
    let admin = c.admin().await;
    let r = c.get("/console/", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get("location").unwrap(), "/console/customers");
    assert_console_headers(&r, "/console/");
    // Unknown console paths still get the console's own 404 page.
    let r = c.get("/console/no-such-page", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<html lang=\"id\">"), "{}", r.body);
}

/// A TOTP code entered at sign-in counts as the step-up for 5 minutes; after that a reveal is
/// answered with a code prompt that carries the form, a wrong code reveals nothing, and the
/// right one reveals (and rotates the session).
#[tokio::test]
async fn reveal_asks_for_a_fresh_code_once_the_step_up_is_stale() {
    let c = console().await;
    let admin = c.admin().await;
    let m = c
        .member(&admin, Role::CsManager, "mgr@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    c.clock.advance(6 * 60_000);
    let uri = format!("/console/customers/{id}/reveal");
    let fields = [
        ("csrf_token", m.csrf.as_str()),
        ("field", "email"),
        ("purpose", "refund"),
        ("purpose_detail", "TICKET-77"),
    ];
    let r = c.post(&uri, Some(&m), "", &form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"TICKET-77\""),
        "the form is carried"
    );
    assert!(!r.body.contains("dewi.sari@gmail.com"));
    let mut wrong = fields.to_vec();
    let bad = if c.code(&m.secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    wrong.push(("stepup_code", bad));
    let r = c.post(&uri, Some(&m), "", &form(&wrong)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.body.contains("dewi.sari@gmail.com"));
    let code = c.code(&m.secret);
    let mut right = fields.to_vec();
    right.push(("stepup_code", &code));
    let r = c.post(&uri, Some(&m), "", &form(&right)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("dewi.sari@gmail.com"));
    assert!(r.body.contains("id=\"reveal-notice\""));
    let rotated = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(rotated.starts_with(SESSION_COOKIE));
}

#[tokio::test]
async fn the_agreement_gate_blocks_customer_data_until_accepted() {
    let c = console().await;
    let admin = c.admin().await;
    let m = c
        .member(&admin, Role::CsManager, "mgr@toko.example", false)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    for uri in [
        format!("/console/customers/{id}"),
        "/console/customers".into(),
    ] {
        let r = c.get(&uri, Some(&m), "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.headers.get("location").unwrap(), "/console/agreement");
        assert!(!r.body.contains("d***@gmail.com"));
    }
    let page = c.get("/console/agreement", Some(&m), "").await;
    assert_eq!(page.status, StatusCode::OK);
    let version = c.state.staff.agreement().version.clone();
    let r = c
        .post(
            "/console/agreement",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf), ("version", &version)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&m), "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("d***@gmail.com"));
}

#[tokio::test]
async fn without_a_session_pages_go_to_sign_in_and_a_sealed_vault_is_a_page() {
    let c = console().await;
    let r = c.get("/console/customers", None, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers.get("location").unwrap(),
        "/console/login?expired=1"
    );
    let r = c
        .get(
            "/console/customers",
            None,
            &format!("{SESSION_COOKIE}=bogus"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    c.h.vault.seal();
    let r = c
        .get(
            &format!("/console/customers/{id}"),
            Some(&admin),
            "__Host-jaga_lang=en",
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("The vault is sealed"), "{}", r.body);
    assert!(r.body.contains("Request number"));
}
