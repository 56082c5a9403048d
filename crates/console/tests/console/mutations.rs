//! Every console route that changes something, over HTTP: each refuses a missing or forged CSRF
//! token without doing anything, and the ones that need a fresh step-up (recovery codes, staff
//! enable/disable) ask for a code, refuse a wrong one, and act only on the right one. Password
//! change and ending one session are tested end to end.

use super::*;

/// The new session cookie a response sets, if any.
fn new_session(r: &Resp) -> Option<String> {
    r.headers.get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let rest = v.strip_prefix(&format!("{SESSION_COOKIE}="))?;
        Some(rest.split(';').next()?.to_string())
    })
}

/// The value of the first hidden input `name` in a page.
fn hidden_value(body: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = body.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// The number of audit events with outcome `ok` (anything done is recorded as one).
async fn done_count(c: &Console) -> usize {
    c.audit_lines()
        .await
        .iter()
        .filter(|l| l.contains("\"outcome\":\"ok\""))
        .count()
}

/// Every signed-in POST route of the console, with a form that would change something.
/// (`/console/security/alerts/{id}/…` name an alert that does not exist: with a valid token they
/// answer 404, so the 403 the test sees is the token check's.) A route added to the router
/// without an entry here fails `every_post_route_of_the_router_is_listed`.
pub(super) fn signed_in_posts(
    customer: uuid::Uuid,
    code: &str,
    member: &str,
    session: &str,
) -> Vec<(String, String)> {
    vec![
        ("/console/agreement".into(), "version=1".into()),
        (
            "/console/lang".into(),
            "lang=en&back=%2Fconsole%2Faccount".into(),
        ),
        ("/console/logout".into(), String::new()),
        (
            "/console/customers".into(),
            "kind=email&q=dewi.sari%40gmail.com".into(),
        ),
        (
            format!("/console/customers/{customer}/reveal"),
            "fields=email&purpose=CS-1+alamat".into(),
        ),
        (
            format!("/console/customers/{customer}/export"),
            "purpose=permintaan+akses+pelanggan".into(),
        ),
        (
            format!("/console/customers/{customer}/notes"),
            "note=halo".into(),
        ),
        (
            format!("/console/customers/{customer}/edit"),
            "full_name=Dewi+Lestari".into(),
        ),
        (
            format!("/console/customers/{customer}/erase"),
            format!("confirm_code={code}"),
        ),
        (
            format!("/console/customers/{customer}/segment"),
            "segment=vip".into(),
        ),
        (
            "/console/staff/invite".into(),
            "email=x%40toko.example&role=cs_staff".into(),
        ),
        (format!("/console/staff/{member}/role"), "role=admin".into()),
        ("/console/staff/shop".into(), "shop_name=Toko+Lain".into()),
        (
            format!("/console/staff/invitations/{}/cancel", uuid::Uuid::new_v4()),
            String::new(),
        ),
        (
            format!("/console/staff/invitations/{}/resend", uuid::Uuid::new_v4()),
            String::new(),
        ),
        (format!("/console/staff/{member}/disable"), String::new()),
        (format!("/console/staff/{member}/enable"), String::new()),
        (
            "/console/account/password".into(),
            format!(
                "current={0}&new=x{0}&confirm=x{0}",
                "kopi+susu+gula+aren+di+pagi+hari"
            ),
        ),
        ("/console/account/recovery".into(), String::new()),
        (
            format!("/console/account/sessions/{session}/end"),
            String::new(),
        ),
        ("/console/account/sessions/others".into(), String::new()),
        ("/console/account/totp".into(), String::new()),
        (
            "/console/account/totp/confirm".into(),
            "ticket=x&code=123456".into(),
        ),
        ("/console/audit/verify".into(), String::new()),
        (
            "/console/payees".into(),
            "name=PT+X&phone=081234567890&bank=BCA&account_number=1234567890&holder=X".into(),
        ),
        (
            format!("/console/payees/{}/bank", uuid::Uuid::new_v4()),
            "bank=BCA&account_number=1234567890&holder=X".into(),
        ),
        (
            format!("/console/payees/{}/bank/2/verify", uuid::Uuid::new_v4()),
            "number_called=081234567890&confirmed=ok&reference=R1&decision=verify".into(),
        ),
        (
            "/console/payouts".into(),
            format!("payee_id={}&amount=1000", uuid::Uuid::new_v4()),
        ),
        (
            format!("/console/payouts/{}/decide", uuid::Uuid::new_v4()),
            "decision=approve".into(),
        ),
        ("/console/payouts/export".into(), "format=bca".into()),
        ("/console/mail".into(), String::new()),
        (
            "/console/requests".into(),
            format!("code={code}&kind=erasure&channel=email"),
        ),
        (
            format!("/console/requests/{}/close", uuid::Uuid::new_v4()),
            "status=done&outcome=answered".into(),
        ),
        (
            "/console/fraud/signup-1/decide".into(),
            "decision=decline&note=kartu+curian".into(),
        ),
        (
            "/console/fraud/lists/add".into(),
            "list=block&entity=email&value=penipu%40mailinator.com&note=x".into(),
        ),
        (
            "/console/fraud/lists/remove".into(),
            format!("list=block&entity=email&key=k:{}", "0".repeat(64)),
        ),
        (
            format!("/console/payees/{}/contacts", uuid::Uuid::new_v4()),
            "phone=081399990000&email=finance%40glowbeauty.co.id".into(),
        ),
        (
            format!("/console/payees/{}/contacts/2/verify", uuid::Uuid::new_v4()),
            "number_called=081234567890&confirmed=ok&reference=R1&decision=verify".into(),
        ),
        (
            "/console/security/alerts/no-such-alert/ack".into(),
            String::new(),
        ),
        (
            "/console/security/alerts/no-such-alert/incident".into(),
            String::new(),
        ),
    ]
}

#[tokio::test]
async fn every_signed_in_post_refuses_a_missing_or_forged_csrf_token_and_does_nothing() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "catatan").await;
    let code = c.h.store.customer_load(id).await.unwrap().unwrap().row.code;
    let sessions = c.state.staff.sessions(&cs.caller).await.unwrap();
    let handle = sessions[0].handle.to_string();
    let before = done_count(&c).await;
    for (uri, body) in signed_in_posts(id, &code, cs.caller.id(), &handle) {
        for token in [None, Some("A".repeat(32)), Some(cs.csrf.clone())] {
            // The admin's session with no token, a forged one, or another member's token.
            let form = match &token {
                None => body.clone(),
                Some(t) if body.is_empty() => format!("csrf_token={t}"),
                Some(t) => format!("csrf_token={t}&{body}"),
            };
            let r = c.post(&uri, Some(&admin), "", &form).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} with {token:?}");
            assert_console_headers(&r, &uri);
        }
    }
    assert_eq!(done_count(&c).await, before, "a refused form did nothing");
    // With a valid token, the made-up alert is not found: the 403s above were the token check.
    let r = c
        .post(
            "/console/security/alerts/no-such-alert/ack",
            Some(&admin),
            "",
            &format!("csrf_token={}", admin.csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let shop = c.h.admin();
    let reader = c.h.vault.reader(&shop).await.unwrap();
    assert!(reader.get(id).await.is_ok(), "the customer was not erased");
    // Both sessions still work.
    assert_eq!(
        c.get("/console/account", Some(&admin), "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        c.get("/console/account", Some(&cs), "").await.status,
        StatusCode::OK
    );
}

/// The POST routes of the console's router, read from its source (`crates/console/src/lib.rs`):
/// the path of every `.route(…)` whose handlers include a `post(…)`, under `/console`.
fn router_post_routes() -> Vec<String> {
    let src = include_str!("../../src/lib.rs");
    let start = src.find("pub fn router(").expect("the router function");
    let end = start
        + src[start..]
            .find(".fallback(")
            .expect("the router's fallback");
    src[start..end]
        .split(".route(")
        .skip(1)
        .filter(|chunk| chunk.contains("post("))
        .map(|chunk| {
            let path = chunk.split('"').nth(1).expect("a route path literal");
            format!("/console{path}")
        })
        .collect()
}

/// Whether `uri` (no query) matches the route `pattern`, where `{…}` is one path segment.
fn matches_route(pattern: &str, uri: &str) -> bool {
    let (p, u): (Vec<_>, Vec<_>) = (pattern.split('/').collect(), uri.split('/').collect());
    p.len() == u.len()
        && p.iter()
            .zip(&u)
            .all(|(p, u)| (p.starts_with('{') && p.ends_with('}') && !u.is_empty()) || p == u)
}

/// The POST routes a visitor uses before having a session (their forms carry the pre-session
/// token or the pending session's; tested in `forms_without_a_valid_csrf_token_are_refused`,
/// `a_tossed_unprefixed_pre_session_cookie_is_worthless` and the staff API tests).
const PRE_SESSION_POSTS: [&str; 4] = [
    "/console/login",
    "/console/login/code",
    "/console/enrol",
    "/console/invite",
];

#[test]
fn every_post_route_of_the_router_is_listed() {
    let routes = router_post_routes();
    assert!(routes.len() >= 40, "the source was read: {routes:?}");
    let id = uuid::Uuid::new_v4();
    let listed: Vec<String> = signed_in_posts(id, "JG-AAAA-AAAA-A", "m", "h")
        .into_iter()
        .map(|(uri, _)| uri)
        .collect();
    for route in &routes {
        let covered = PRE_SESSION_POSTS.contains(&route.as_str())
            || listed.iter().any(|uri| matches_route(route, uri));
        assert!(
            covered,
            "POST {route} has no entry in signed_in_posts (CSRF refusal untested)"
        );
    }
    // And no entry names a route that does not exist (a stale entry tests nothing).
    for uri in &listed {
        assert!(
            routes.iter().any(|r| matches_route(r, uri)),
            "{uri} is no POST route of the router"
        );
    }
    // The matcher itself: a parameter is one non-empty segment.
    assert!(matches_route(
        "/console/staff/{id}/{what}",
        "/console/staff/1/disable"
    ));
    assert!(!matches_route(
        "/console/staff/{id}/role",
        "/console/staff/1/2/role"
    ));
    assert!(!matches_route("/console/payees/{id}", "/console/payees/"));
}

#[tokio::test]
async fn the_password_changes_only_with_the_current_one_and_the_old_one_stops_working() {
    let c = console().await;
    let admin = c.admin().await;
    let m = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let new = "teh manis hangat di sore yang hujan";
    let post = |current: &str, new: &str, confirm: &str| {
        form(&[
            ("csrf_token", m.csrf.as_str()),
            ("current", current),
            ("new", new),
            ("confirm", confirm),
        ])
    };
    // Wrong current password, then a mismatched confirmation: refused, nothing changes.
    let r = c
        .post(
            "/console/account/password",
            Some(&m),
            "",
            &post("bukan kata sandi saya sama sekali", new, new),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.body.contains(new), "no password echoed");
    let r = c
        .post(
            "/console/account/password",
            Some(&m),
            "",
            &post(PASSWORD, new, "something else entirely"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let svc = &c.state.staff;
    let login = |pw: &str| {
        let pw = SecretString::from(pw.to_string());
        async move {
            matches!(
                svc.login("cs@toko.example", &pw, &client()).await,
                Ok(jaga_core::staff::LoginStep::SecondFactor(_))
            )
        }
    };
    assert!(login(PASSWORD).await, "unchanged so far");
    let r = c
        .post(
            "/console/account/password",
            Some(&m),
            "",
            &post(PASSWORD, new, new),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/console/account?done=password");
    assert!(login(new).await, "the new password works");
    assert!(!login(PASSWORD).await, "the old one does not");
    assert!(
        c.audit_lines()
            .await
            .iter()
            .any(|l| l.contains("staff.password.change") && l.contains("\"ok\""))
    );
}

#[tokio::test]
async fn new_recovery_codes_need_a_fresh_step_up() {
    let c = console().await;
    let m = c.admin().await;
    c.clock.advance(6 * 60_000);
    async fn issued(c: &Console) -> usize {
        c.audit_lines()
            .await
            .iter()
            .filter(|l| l.contains("staff.recovery.issue") && l.contains("\"ok\""))
            .count()
    }
    async fn refused(c: &Console) -> usize {
        c.audit_lines()
            .await
            .iter()
            .filter(|l| {
                l.contains("staff.recovery.issue")
                    && l.contains("\"denied\"")
                    && l.contains("step_up")
            })
            .count()
    }
    let refused_before = refused(&c).await;
    let before = issued(&c).await;
    // Stale step-up: the code prompt, nothing issued.
    let r = c
        .post(
            "/console/account/recovery",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert_eq!(issued(&c).await, before);
    // The refusal is audited, so repeated attempts on a stolen session are visible.
    assert_eq!(refused(&c).await, refused_before + 1);
    // A wrong code: refused, nothing issued.
    let wrong = format!(
        "{:06}",
        (c.code(&m.secret).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let r = c
        .post(
            "/console/account/recovery",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf), ("stepup_code", &wrong)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(issued(&c).await, before);
    // The right code: ten new codes, shown once.
    let r = c
        .post(
            "/console/account/recovery",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf), ("stepup_code", &c.code(&m.secret))]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(new_session(&r).is_some(), "the session rotated");
    assert_eq!(issued(&c).await, before + 1);
    assert_eq!(
        c.state.staff.recovery_codes_left(&m.caller).await.unwrap(),
        10
    );
}

#[tokio::test]
async fn staff_disable_and_enable_need_a_fresh_step_up_and_take_effect() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let svc = &c.state.staff;
    let id = cs.caller.id().to_string();
    c.clock.advance(6 * 60_000);
    let disable = format!("/console/staff/{id}/disable");
    let r = c
        .post(
            &disable,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(
        svc.authenticate(&cs.cookie, None, false, None)
            .await
            .is_ok(),
        "not disabled without a step-up"
    );
    let r = c
        .post(
            &disable,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("stepup_code", "000000")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        svc.authenticate(&cs.cookie, None, false, None)
            .await
            .is_ok()
    );
    let r = c
        .post(
            &disable,
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("stepup_code", &c.code(&admin.secret)),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        svc.authenticate(&cs.cookie, None, false, None)
            .await
            .is_err(),
        "a disabled member's session ends"
    );
    let pw = SecretString::from(PASSWORD.to_string());
    assert!(
        !matches!(
            svc.login("cs@toko.example", &pw, &client()).await,
            Ok(jaga_core::staff::LoginStep::SecondFactor(_))
        ),
        "a disabled member cannot sign in"
    );
    // The step-up is now fresh: enable goes straight through (with the rotated session).
    let mut admin = admin;
    admin.cookie = new_session(&r).expect("the step-up rotated the session");
    let page = c.get("/console/staff", Some(&admin), "").await;
    admin.csrf = hidden_value(&page.body, "csrf_token");
    c.clock.advance(30_000);
    let r = c
        .post(
            &format!("/console/staff/{id}/enable"),
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(matches!(
        svc.login("cs@toko.example", &pw, &client()).await,
        Ok(jaga_core::staff::LoginStep::SecondFactor(_))
    ));
    let lines = c.audit_lines().await;
    assert!(lines.iter().any(|l| l.contains("staff.disable")));
    assert!(lines.iter().any(|l| l.contains("staff.enable")));
}

#[tokio::test]
async fn one_of_my_sessions_ends_from_the_account_page() {
    let c = console().await;
    let m = c.admin().await;
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
    let other_cookie = other.cookie.expose_secret().to_string();
    let handle = svc
        .sessions(&m.caller)
        .await
        .unwrap()
        .into_iter()
        .find(|s| !s.current)
        .expect("the other session is listed")
        .handle;
    let uri = format!("/console/account/sessions/{handle}/end");
    let r = c.post(&uri, Some(&m), "", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    assert!(
        svc.authenticate(&other_cookie, None, false, None)
            .await
            .is_ok()
    );
    let r = c
        .post(&uri, Some(&m), "", &form(&[("csrf_token", &m.csrf)]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers["location"], "/console/account?done=session");
    assert!(
        svc.authenticate(&other_cookie, None, false, None)
            .await
            .is_err(),
        "that session ended"
    );
    assert_eq!(
        c.get("/console/account", Some(&m), "").await.status,
        StatusCode::OK,
        "this one stays"
    );
    // Another member's session handle is not mine to end.
    let cs = c.member(&m, Role::CsStaff, "cs@toko.example", true).await;
    let theirs = svc.sessions(&cs.caller).await.unwrap()[0].handle;
    let r = c
        .post(
            &format!("/console/account/sessions/{theirs}/end"),
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(
        svc.authenticate(&cs.cookie, None, false, None)
            .await
            .is_ok()
    );
}
