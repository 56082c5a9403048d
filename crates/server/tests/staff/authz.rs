//! Throttling that a burst cannot outrun, second-factor caps, IPv6 grouping, and staff
//! administration that needs a fresh step-up (issue 10).

use super::*;

/// POSTs `body` to `uri` from `ip` with an optional session; returns the status. For firing
/// many requests at once from spawned tasks.
async fn post(
    app: axum::Router,
    uri: &'static str,
    body: Value,
    ip: String,
    sess: Option<Sess>,
) -> StatusCode {
    let mut b = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .header("x-forwarded-for", ip);
    if let Some(s) = sess {
        b = b
            .header("cookie", format!("__Host-jaga_session={}", s.cookie))
            .header("x-csrf-token", &s.csrf);
    }
    app.oneshot(b.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap()
        .status()
}

/// Fires `n` copies of a request at once and returns their statuses.
async fn burst(
    e: &Env,
    n: usize,
    uri: &'static str,
    body: Value,
    ip: &str,
    sess: Option<&Sess>,
) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            tokio::spawn(post(
                e.app.clone(),
                uri,
                body.clone(),
                ip.to_string(),
                sess.cloned(),
            ))
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn count(actions: &[(String, String)], action: &str, outcome: &str) -> usize {
    actions
        .iter()
        .filter(|(a, o)| a == action && o == outcome)
        .count()
}

pub(super) fn wrong_code(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_is_verified_at_most_three_times() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let before = count(&e.actions().await, "staff.login.failed", "denied");
    let got = burst(
        &e,
        24,
        "/v1/auth/login",
        json!({"email": "rina@shop.id", "password": "wrong password here"}),
        "198.51.100.7",
        None,
    )
    .await;
    let verified = got
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = got
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(verified + refused, 24, "{got:?}");
    assert!(verified <= 3, "{verified} guesses were verified");
    let failed = count(&e.actions().await, "staff.login.failed", "denied") - before;
    assert_eq!(failed, verified, "only reserved attempts were tried");
    // The refused ones did not extend the delay: after it has passed, the right password works.
    e.clock.advance(1_000);
    e.login("rina@shop.id", &s.secret, "198.51.100.7").await;
}

/// A login that stops at the pending second-factor step.
pub(super) async fn pending(e: &Env, email: &str, ip: &str) -> Sess {
    let (st, v, h) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": email, "password": PASSWORD})),
            &[("x-forwarded-for", ip)],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "pending_mfa");
    Sess {
        cookie: cookie_of(&h).unwrap(),
        csrf: v["csrf_token"].as_str().unwrap().into(),
        secret: Vec::new(),
        email: email.into(),
        ip: ip.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_codes_on_a_pending_login_is_verified_at_most_three_times() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let p = pending(&e, &s.email, "198.51.100.7").await;
    let before = count(&e.actions().await, "staff.login.failed", "denied");
    let wrong = wrong_code(&e.code(&s.secret, 0));
    let got = burst(
        &e,
        24,
        "/v1/auth/totp",
        json!({"code": wrong}),
        "198.51.100.7",
        Some(&p),
    )
    .await;
    let failed = count(&e.actions().await, "staff.login.failed", "denied") - before;
    assert!(failed <= 3, "{failed} codes were verified: {got:?}");
    assert!(
        got.iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_pending_login_ends_after_five_wrong_codes() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let mut p = pending(&e, &s.email, "198.51.100.1").await;
    let right = e.code(&s.secret, 0);
    // Each guess from another address, so only the pending login's own cap applies.
    for i in 0..5 {
        p.ip = format!("198.51.100.{}", 10 + i);
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/auth/totp",
                Some(&p),
                Some(json!({"code": wrong_code(&right)})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "guess {i}: {v}");
    }
    // The pending login is over: even the right code is refused; the password is needed again.
    p.ip = "198.51.100.99".into();
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p),
            Some(json!({"code": right})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["code"], "unauthenticated", "{v}");
    assert!(has(&e.actions().await, "staff.login.ended", "denied"));
    // A new login with the password and the right code works.
    e.login(&s.email, &s.secret, "192.0.2.50").await;
}

#[tokio::test]
async fn the_second_factor_locks_after_100_consecutive_failures_until_an_mfa_reset() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
    let id = me["staff"]["id"].as_str().unwrap().to_string();
    let mut s = s;
    // Step-up guesses on an active session: no pending-login cap, each from a new address and
    // after the account delay, so only the consecutive-failure cap is left.
    for i in 0..100u32 {
        e.clock.advance(61_000);
        // Any request keeps the session from idling out.
        let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
        assert_eq!(st, StatusCode::OK);
        s.ip = format!("10.{}.{}.1", i / 250, i % 250);
        let right = e.code(&s.secret, 0);
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/auth/step-up",
                Some(&s),
                Some(json!({"code": wrong_code(&right)})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "guess {i}: {v}");
    }
    e.clock.advance(61_000);
    s.ip = "192.0.2.77".into();
    let right = e.code(&s.secret, 0);
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/step-up",
            Some(&s),
            Some(json!({"code": right})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "locked: {v}");
    // A fresh login cannot get past the locked second factor either, and its pending login ends.
    e.next_step();
    let p = pending(&e, "rina@shop.id", "192.0.2.78").await;
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p),
            Some(json!({"code": e.code(&s.secret, 0)})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p),
            Some(json!({"code": e.code(&s.secret, 0)})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the pending login was ended");
    // An admin's MFA reset lifts the lock: the member enrols a new authenticator.
    let mut admin = e.member("owner@shop.id", Role::Admin, &[]).await;
    e.step_up(&mut admin).await;
    let (st, _, _) = e
        .call(
            "POST",
            &format!("/v1/staff/{id}/reset-mfa"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    e.clock.advance(61_000);
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "rina@shop.id", "password": PASSWORD})),
            &[("x-forwarded-for", "192.0.2.79")],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "enrolling");
}

#[tokio::test]
async fn ipv6_addresses_in_one_64_share_a_throttle() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    // Three wrong passwords, each from another address of the same /64.
    for i in 1..=3 {
        let ip = format!("2001:db8:aa:bb::{i:x}");
        let (st, _, _) = e
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"email": "rina@shop.id", "password": "wrong password here"})),
                &[("x-forwarded-for", &ip)],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "rina@shop.id", "password": PASSWORD})),
            &[("x-forwarded-for", "2001:db8:aa:bb:ffff:1:2:3")],
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "same /64, same counter");
    // Another /64 is another client.
    e.login(&s.email, &s.secret, "2001:db8:aa:bc::1").await;
}

#[tokio::test]
async fn invite_enable_and_disable_need_a_fresh_step_up() {
    let e = env().await;
    let mut admin = e.member("owner@shop.id", Role::Admin, &[]).await;
    let cs = e.member("cs@shop.id", Role::CsStaff, &[]).await;
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    let cs_id = me["staff"]["id"].as_str().unwrap().to_string();
    // The login's step-up has gone stale.
    e.clock.advance(6 * 60_000);
    let oks_before = |acts: &[(String, String)]| {
        ["staff.invite", "staff.disable", "staff.enable"].map(|a| count(acts, a, "ok"))
    };
    let before = oks_before(&e.actions().await);
    let invite = json!({"email": "new@shop.id", "role": "admin"});
    let attempts = [
        ("/v1/staff".to_string(), Some(invite.clone())),
        (format!("/v1/staff/{cs_id}/disable"), None),
        (format!("/v1/staff/{cs_id}/enable"), None),
    ];
    for (path, body) in &attempts {
        let (st, v, _) = e.call("POST", path, Some(&admin), body.clone(), &[]).await;
        assert_eq!(
            (st, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("step_up_required")),
            "{path}: {v}"
        );
    }
    let actions = e.actions().await;
    for a in ["staff.invite", "staff.disable", "staff.enable"] {
        assert!(has(&actions, a, "denied"), "{a} refusal audited");
    }
    assert_eq!(oks_before(&actions), before, "nothing was done");
    // The member was not disabled.
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    assert_eq!(st, StatusCode::OK);
    // With a fresh step-up all three work.
    e.step_up(&mut admin).await;
    for (path, body) in &attempts {
        let (st, v, _) = e.call("POST", path, Some(&admin), body.clone(), &[]).await;
        assert!(st.is_success(), "{path}: {st} {v}");
    }
}

#[tokio::test]
async fn staff_administration_is_authorised_before_the_body_is_read() {
    let e = env().await;
    let mut admin = e.member("owner@shop.id", Role::Admin, &[]).await;
    let cs = e.member("cs@shop.id", Role::CsStaff, &[]).await;
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    let cs_id = me["staff"]["id"].as_str().unwrap().to_string();
    let bodies = ["{not json", "{\"unknown\": 1}", "[]", "{\"role\": 42}"];
    for body in bodies {
        for (m, p) in [
            ("POST", "/v1/staff".to_string()),
            ("PATCH", format!("/v1/staff/{cs_id}")),
        ] {
            // A non-admin learns nothing about the body's schema.
            let (st, v, _) = e.call_raw(m, &p, Some(&cs), body, "application/json").await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{m} {p} {body}: {v}");
            assert_eq!(v["code"], "admin_required");
            let (st, v, _) = e.call_raw(m, &p, Some(&cs), body, "text/plain").await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{m} {p} {body}: {v}");
        }
    }
    // An admin without a fresh step-up is refused before parsing too.
    e.clock.advance(6 * 60_000);
    let (st, v, _) = e
        .call_raw(
            "POST",
            "/v1/staff",
            Some(&admin),
            "{not json",
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "step_up_required");
    // With the step-up, the body is parsed and judged.
    e.step_up(&mut admin).await;
    let (st, _, _) = e
        .call_raw(
            "POST",
            "/v1/staff",
            Some(&admin),
            "{not json",
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}
