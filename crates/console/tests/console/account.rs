//! My account: replacing the authenticator app and ending my other sessions.

use super::*;

/// The value of the hidden input `name` in a page.
fn hidden(body: &str, name: &str) -> String {
    let at = body
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {body}"));
    let rest = &body[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn secret_shown(body: &str) -> String {
    let at = body.find("id=\"totp-secret\">").expect("secret shown");
    let rest = &body[at + 17..];
    rest[..rest.find('<').unwrap()].trim().to_string()
}

fn session_cookie(r: &Resp) -> String {
    let v = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    let (kv, _) = v.split_once(';').unwrap();
    kv.split_once('=').unwrap().1.to_string()
}

/// Replacing the authenticator needs a fresh code, shows a new secret, refuses a code that is
/// not from it (showing the same secret again), and only a code from the new app makes the
/// switch; the old app's codes stop working then, not before.
#[tokio::test]
async fn the_authenticator_is_replaced_only_after_a_code_from_the_new_app() {
    let c = console().await;
    let mut m = c.admin().await;
    c.clock.advance(6 * 60_000);
    let r = c
        .post(
            "/console/account/totp",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "step-up first");
    assert!(!r.body.contains("name=\"ticket\""));
    let code = c.code(&m.secret);
    let r = c
        .post(
            "/console/account/totp",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf), ("stepup_code", &code)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    m.cookie = session_cookie(&r);
    m.csrf = hidden(&r.body, "csrf_token");
    let ticket = hidden(&r.body, "ticket");
    let new_secret = secret_shown(&r.body);
    assert_ne!(new_secret, m.secret);
    c.clock.advance(30_000);

    // A code from the old app is not a code from the new one; the same secret is shown again.
    let old_code = c.code(&m.secret);
    let confirm = |code: &str, ticket: &str| {
        form(&[
            ("csrf_token", m.csrf.as_str()),
            ("ticket", ticket),
            ("code", code),
        ])
    };
    let r = c
        .post(
            "/console/account/totp/confirm",
            Some(&m),
            "",
            &confirm(&old_code, &ticket),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(secret_shown(&r.body), new_secret);
    // A ticket changed in the page is refused and changes nothing.
    // One character of the sealed part changed (always to a different one).
    let mut forged: Vec<char> = ticket.chars().collect();
    let mid = forged.len() - 10;
    forged[mid] = if forged[mid] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    assert_ne!(forged, ticket);
    let r = c
        .post(
            "/console/account/totp/confirm",
            Some(&m),
            "",
            &confirm(&c.code(&new_secret), &forged),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/console/account?done=totp_expired");

    let svc = &c.state.staff;
    let r = c
        .post(
            "/console/account/totp/confirm",
            Some(&m),
            "",
            &confirm(&c.code(&new_secret), &ticket),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/console/account?done=totp");
    c.clock.advance(30_000);
    let refused = svc
        .step_up(&m.cookie, &m.csrf, &c.code(&m.secret), &client())
        .await;
    assert!(refused.is_err(), "the old app's codes stop working");
    c.clock.advance(30_000);
    svc.step_up(&m.cookie, &m.csrf, &c.code(&new_secret), &client())
        .await
        .expect("the new app's codes work");

    let actions: Vec<String> =
        c.h.store
            .audit_events(0, 10_000)
            .await
            .unwrap()
            .iter()
            .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
            .filter(|l| l.contains("staff.totp.replace"))
            .collect();
    assert_eq!(
        actions.len(),
        3,
        "the stale step-up refused, the old app's code refused, one replacement"
    );
    assert!(actions[0].contains("\"denied\"") && actions[0].contains("step_up"));
    assert!(actions[1].contains("\"denied\"") && actions[1].contains("wrong_code"));
    assert!(actions[2].contains("\"ok\""));
    assert!(actions.iter().all(|l| !l.contains(&new_secret)));
}

/// "Log out my other sessions" needs the CSRF token and then ends the other sessions.
#[tokio::test]
async fn my_other_sessions_end_from_the_account_page() {
    let c = console().await;
    let m = c.admin().await;
    // a second sign-in of the same member (another device)
    let svc = &c.state.staff;
    let pw = SecretString::from(PASSWORD.to_string());
    let jaga_core::staff::LoginStep::SecondFactor(pending) = svc
        .login("owner@toko.example", &pw, &client())
        .await
        .unwrap()
    else {
        panic!("enrolled member goes to the second factor");
    };
    c.clock.advance(30_000);
    let other = svc
        .second_factor(
            pending.cookie.expose_secret(),
            &pending.csrf,
            &jaga_core::staff::SecondFactor::Totp(c.code(&m.secret)),
            &client(),
        )
        .await
        .unwrap();
    let other = other.cookie.expose_secret().to_string();
    assert!(svc.authenticate(&other, None, false, None).await.is_ok());
    let r = c.get("/console/account", Some(&m), "").await;
    assert!(r.body.contains("id=\"end-other-sessions\""));
    assert!(r.body.contains("id=\"totp-replace\""));
    let r = c
        .post(
            "/console/account/sessions/others",
            Some(&m),
            "",
            &form(&[("csrf_token", "forged")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post(
            "/console/account/sessions/others",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/console/account?done=others");
    let r = c.get("/console/account?done=others", Some(&m), "").await;
    assert_eq!(r.status, StatusCode::OK, "this session stays");
    assert!(
        svc.authenticate(&other, None, false, None).await.is_err(),
        "the other device's session ended"
    );
}
