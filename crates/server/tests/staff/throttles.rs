//! Throttling on every guessable secret that `authz` does not already cover: TOTP step-up,
//! recovery codes at login and invitation tokens, each with a sequential run (the exact point
//! where guesses stop being checked, the right secret refused while throttled, another address
//! unaffected) and a concurrent burst (at most the threshold is ever checked). Passwords and
//! TOTP at login are in `authz`; unseal is in `tests/authz.rs`.
//!
//! "Checked" is read from the answer: a wrong secret that was compared answers 401 (422 for an
//! invitation), one refused before it was compared answers 429 with `Retry-After`.

use super::authz::{pending, wrong_code};
use super::*;

/// Fires `n` copies of a POST at once from `ip` (with `sess`); returns each answer's status and
/// problem `code` (`login_failed` = compared and wrong; `unauthenticated` = the pending login
/// already ended, nothing compared).
async fn burst(
    e: &Env,
    n: usize,
    uri: &'static str,
    body: Value,
    ip: &str,
    sess: Option<&Sess>,
) -> Vec<(StatusCode, String)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let app = e.app.clone();
            let body = body.clone();
            let ip = ip.to_string();
            let sess = sess.cloned();
            tokio::spawn(async move {
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
                let res = app
                    .oneshot(b.body(Body::from(body.to_string())).unwrap())
                    .await
                    .unwrap();
                let st = res.status();
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                (st, v["code"].as_str().unwrap_or("").to_string())
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// How many answers have `code`.
fn with_code(got: &[(StatusCode, String)], code: &str) -> usize {
    got.iter().filter(|(_, c)| c == code).count()
}

/// A well-formed invitation token that was never issued (43 URL-safe characters).
fn forged_token(i: usize) -> String {
    format!("{:A>43}", format!("forged{i}"))
}

fn retry_after(h: &HeaderMap) -> u64 {
    h.get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn wrong_step_up_codes_are_checked_three_times_then_throttled() {
    let e = env().await;
    let mut s = e.member("rina@shop.id", Role::CsManager, &[]).await;
    let right = e.code(&s.secret, 0);
    for i in 0..3 {
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
        assert_eq!(v["code"], "login_failed");
    }
    // The fourth attempt is not checked, even with the right code.
    let (st, v, h) = e
        .call(
            "POST",
            "/v1/auth/step-up",
            Some(&s),
            Some(json!({"code": right})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(retry_after(&h) >= 1);
    // The failures are audited (factor, never the code).
    let evs = e.actions().await;
    assert!(has(&evs, "staff.login.failed", "denied"));
    assert!(has(&evs, "staff.login.locked", "denied"));
    // After the delay the right code works.
    e.clock.advance(retry_after(&h) as i64 * 1000);
    e.step_up(&mut s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_step_up_codes_is_checked_at_most_three_times() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsManager, &[]).await;
    let wrong = wrong_code(&e.code(&s.secret, 0));
    let got = burst(
        &e,
        24,
        "/v1/auth/step-up",
        json!({"code": wrong}),
        &s.ip,
        Some(&s),
    )
    .await;
    let checked = with_code(&got, "login_failed");
    let throttled = got
        .iter()
        .filter(|(st, _)| *st == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + throttled, 24, "{got:?}");
    assert!(
        checked <= 3,
        "{checked} step-up codes were checked: {got:?}"
    );
    assert!(throttled >= 21, "{got:?}");
}

#[tokio::test]
async fn wrong_recovery_codes_are_checked_three_times_then_throttled() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let p = pending(&e, &s.email, "198.51.100.20").await;
    for i in 0..3 {
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/auth/totp",
                Some(&p),
                Some(json!({"recovery_code": format!("AAAA-AAAA-AAAA-AAAA-AAAA-AAA{i}")})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "guess {i}: {v}");
    }
    let (st, v, h) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p),
            Some(json!({"recovery_code": "BBBB-BBBB-BBBB-BBBB-BBBB-BBBB"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(retry_after(&h) >= 1);
    // The real user at another address signs in with password and TOTP.
    e.login(&s.email, &s.secret, "192.0.2.77").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_recovery_codes_is_checked_at_most_three_times() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let p = pending(&e, &s.email, "198.51.100.21").await;
    let got = burst(
        &e,
        24,
        "/v1/auth/totp",
        json!({"recovery_code": "CCCC-CCCC-CCCC-CCCC-CCCC-CCCC"}),
        "198.51.100.21",
        Some(&p),
    )
    .await;
    // Compared and wrong: `login_failed`; refused before comparing: 429, or `unauthenticated`
    // once the pending login has ended (after five wrong codes at most).
    let checked = with_code(&got, "login_failed");
    assert!(
        checked <= 3,
        "{checked} recovery codes were checked: {got:?}"
    );
    let refused = got
        .iter()
        .filter(|(st, c)| *st == StatusCode::TOO_MANY_REQUESTS || c == "unauthenticated")
        .count();
    assert_eq!(checked + refused, 24, "{got:?}");
}

#[tokio::test]
async fn wrong_invitation_tokens_are_checked_ten_times_per_address_then_throttled() {
    let e = env().await;
    let token = e.invite("new@shop.id", Role::CsStaff, &[]).await;
    let ip = "203.0.113.50";
    for (i, path) in ["/v1/invitations/inspect", "/v1/invitations/accept"]
        .iter()
        .cycle()
        .take(10)
        .enumerate()
    {
        let body = if path.ends_with("inspect") {
            json!({"token": forged_token(i)})
        } else {
            json!({"token": forged_token(i), "name": "Mallory", "password": PASSWORD})
        };
        let (st, v, _) = e
            .call("POST", path, None, Some(body), &[("x-forwarded-for", ip)])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "guess {i}: {v}");
        assert_eq!(v["errors"][0]["code"], "invalid_invitation", "{v}");
    }
    // The eleventh is not looked up, even the real token.
    let (st, v, h) = e
        .call(
            "POST",
            "/v1/invitations/inspect",
            None,
            Some(json!({"token": token})),
            &[("x-forwarded-for", ip)],
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(retry_after(&h) >= 1);
    // Failures are audited without the token.
    let evs = e.actions().await;
    assert!(has(&evs, "staff.login.failed", "denied"));
    let head = e.h.store.audit_head().await.unwrap();
    for ev in e.h.store.audit_events(0, head.size as u32).await.unwrap() {
        assert!(!String::from_utf8_lossy(&ev.leaf).contains("forged"));
    }
    // The invited person at another address is unaffected.
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/invitations/inspect",
            None,
            Some(json!({"token": token})),
            &[("x-forwarded-for", "192.0.2.60")],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["email"], "new@shop.id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_invitation_tokens_is_checked_at_most_ten_times() {
    let e = env().await;
    let got = burst(
        &e,
        40,
        "/v1/invitations/inspect",
        json!({"token": forged_token(7)}),
        "203.0.113.51",
        None,
    )
    .await;
    let checked = got
        .iter()
        .filter(|(st, _)| *st == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let throttled = got
        .iter()
        .filter(|(st, _)| *st == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + throttled, 40, "{got:?}");
    assert!(checked <= 10, "{checked} tokens were looked up: {got:?}");
    assert!(throttled >= 30, "{got:?}");
}
