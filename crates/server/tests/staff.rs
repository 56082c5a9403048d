//! Staff accounts through the JSON API: invitation, enrolment, login, TOTP, step-up, sessions,
//! CSRF, throttling, roles, field views, segments, the agreement, and every bad input.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::{ActorKind, Caller, Scope};
use jaga_core::clock::FakeClock;
use jaga_core::staff::{NewInvitation, Role, StaffConfig, StaffService};
use jaga_server::{AppState, ServerConfig, router};
use jaga_testkit::{Harness, marked_customer};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// Throttle reservations, second-factor caps, IPv6 grouping, step-up for staff admin.
#[path = "staff/authz.rs"]
mod authz;
/// The access and portability export: purpose, step-up, roles, segments, erased customers.
#[path = "staff/export.rs"]
mod export;
/// Detection rules and containment on scripted attacks.
#[path = "staff/ids_rules.rs"]
mod ids_rules;
/// The incident report: exactly the customers a scripted attacker received.
#[path = "staff/incident.rs"]
mod incident;
/// Payees and payouts: call-back verification and four-eyes approval with real sessions.
#[path = "staff/payees.rs"]
mod payees;
/// Segment isolation on every path, each refusal audited, each with a positive control.
#[path = "staff/segments.rs"]
mod segments;
/// Step-up, recovery codes and invitation tokens: sequential and concurrent guessing.
#[path = "staff/throttles.rs"]
mod throttles;

const T0: i64 = 1_800_000_000_000;
const PASSWORD: &str = "violet kettle marmalade oxbow";

struct Env {
    h: Harness,
    _dir: tempfile::TempDir,
    app: axum::Router,
    staff: Arc<StaffService>,
    clock: FakeClock,
}

/// A logged-in staff member.
#[derive(Clone)]
struct Sess {
    cookie: String,
    csrf: String,
    secret: Vec<u8>,
    email: String,
    ip: String,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = jaga_store_sqlite::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("t.db").display()
    ))
    .await
    .unwrap();
    let h = Harness::new(Arc::new(store)).await;
    let clock = FakeClock::at(T0);
    let staff = Arc::new(
        StaffService::new(h.vault.clone(), StaffConfig::default())
            .with_clock(Arc::new(clock.clone())),
    );
    let app = router(AppState::with_staff(
        h.vault.clone(),
        ServerConfig {
            body_limit: 64 * 1024,
            behind_proxy: true,
            ..Default::default()
        },
        staff.clone(),
    ));
    Env {
        h,
        _dir: dir,
        app,
        staff,
        clock,
    }
}

fn cookie_of(h: &HeaderMap) -> Option<String> {
    let v = h.get("set-cookie")?.to_str().ok()?;
    let (kv, _) = v.split_once(';')?;
    Some(kv.split_once('=')?.1.to_string())
}

impl Env {
    async fn call(
        &self,
        method: &str,
        uri: &str,
        sess: Option<&Sess>,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Value, HeaderMap) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(s) = sess {
            b = b
                .header("cookie", format!("__Host-jaga_session={}", s.cookie))
                .header("x-csrf-token", &s.csrf)
                .header("x-forwarded-for", &s.ip);
        }
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let res = self
            .app
            .clone()
            .oneshot(
                b.body(
                    body.map(|v| Body::from(v.to_string()))
                        .unwrap_or_else(Body::empty),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v, headers)
    }

    /// A request with a raw body and content type (for bodies that are not JSON).
    async fn call_raw(
        &self,
        method: &str,
        uri: &str,
        sess: Option<&Sess>,
        body: &str,
        content_type: &str,
    ) -> (StatusCode, Value, HeaderMap) {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type);
        if let Some(s) = sess {
            b = b
                .header("cookie", format!("__Host-jaga_session={}", s.cookie))
                .header("x-csrf-token", &s.csrf)
                .header("x-forwarded-for", &s.ip);
        }
        let res = self
            .app
            .clone()
            .oneshot(b.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v, headers)
    }

    fn code(&self, secret: &[u8], delta_steps: i64) -> String {
        let step = self.clock_ms() / 1000 / 30 + delta_steps;
        jaga_crypto::otp::totp_code(secret, step as u64)
    }

    fn clock_ms(&self) -> i64 {
        use jaga_core::clock::Clock;
        self.clock.now_ms()
    }

    /// Moves to the next TOTP step (so a new code is not a replay).
    fn next_step(&self) {
        self.clock.advance(30_000);
    }

    async fn invite(&self, email: &str, role: Role, segments: &[&str]) -> String {
        let inv = self
            .staff
            .invite(
                &Caller::for_tests(ActorKind::System, "test", &Scope::ALL),
                &NewInvitation {
                    email: email.into(),
                    role,
                    segments: segments.iter().map(|s| s.to_string()).collect(),
                },
            )
            .await
            .unwrap();
        inv.token.expose_secret().to_string()
    }

    /// Invitation → enrolment → confirmed TOTP → agreement accepted.
    async fn member(&self, email: &str, role: Role, segments: &[&str]) -> Sess {
        let s = self.enrolled(email, role, segments).await;
        let version = self.staff.agreement().version.clone();
        let (st, v, _) = self
            .call(
                "POST",
                "/v1/agreement/accept",
                Some(&s),
                Some(json!({"version": version})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        s
    }

    /// Invitation → enrolment → confirmed TOTP (agreement not yet accepted).
    async fn enrolled(&self, email: &str, role: Role, segments: &[&str]) -> Sess {
        let token = self.invite(email, role, segments).await;
        let (st, v, h) = self
            .call(
                "POST",
                "/v1/invitations/accept",
                None,
                Some(json!({"token": token, "name": "Rina Wulandari", "password": PASSWORD})),
                &[("x-forwarded-for", "192.0.2.10")],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "enrolling");
        assert!(v["totp"]["qr_svg"].as_str().unwrap().contains("<svg"));
        assert!(
            v["totp"]["otpauth_uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/")
        );
        let secret = data_encoding::BASE32_NOPAD
            .decode(v["totp"]["secret"].as_str().unwrap().as_bytes())
            .unwrap();
        let mut s = Sess {
            cookie: cookie_of(&h).unwrap(),
            csrf: v["csrf_token"].as_str().unwrap().into(),
            secret,
            email: email.into(),
            ip: "192.0.2.10".into(),
        };
        let code = self.code(&s.secret, 0);
        let (st, v, h) = self
            .call(
                "POST",
                "/v1/auth/totp/confirm",
                Some(&s),
                Some(json!({"code": code})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "active");
        assert_eq!(v["recovery_codes"].as_array().unwrap().len(), 10);
        s.cookie = cookie_of(&h).unwrap();
        s.csrf = v["csrf_token"].as_str().unwrap().into();
        self.next_step();
        s
    }

    /// Password + TOTP login from `ip`.
    async fn login(&self, email: &str, secret: &[u8], ip: &str) -> Sess {
        let (st, v, h) = self
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
        let mut s = Sess {
            cookie: cookie_of(&h).unwrap(),
            csrf: v["csrf_token"].as_str().unwrap().into(),
            secret: secret.to_vec(),
            email: email.into(),
            ip: ip.into(),
        };
        let code = self.code(secret, 0);
        let (st, v, h) = self
            .call(
                "POST",
                "/v1/auth/totp",
                Some(&s),
                Some(json!({"code": code})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        s.cookie = cookie_of(&h).unwrap();
        s.csrf = v["csrf_token"].as_str().unwrap().into();
        self.next_step();
        s
    }

    async fn step_up(&self, s: &mut Sess) {
        let code = self.code(&s.secret, 0);
        let (st, v, h) = self
            .call(
                "POST",
                "/v1/auth/step-up",
                Some(s),
                Some(json!({"code": code})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        s.cookie = cookie_of(&h).unwrap();
        s.csrf = v["csrf_token"].as_str().unwrap().into();
        self.next_step();
    }

    async fn customer(&self, marker: &str, n: u32, segment: &str) -> String {
        let mut c = marked_customer(marker, n);
        c.segment = Some(segment.into());
        let admin = self.h.admin();
        let w = self.h.vault.writer(&admin).await.unwrap();
        w.create(&c).await.unwrap().id.to_string()
    }

    async fn actions(&self) -> Vec<(String, String)> {
        let store = &self.h.store;
        let head = store.audit_head().await.unwrap();
        store
            .audit_events(0, head.size as u32)
            .await
            .unwrap()
            .iter()
            .map(|e| {
                let v: Value = serde_json::from_slice(&e.leaf[1..]).unwrap();
                (
                    v["action"].as_str().unwrap_or("").to_string(),
                    v["outcome"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

fn has(actions: &[(String, String)], action: &str, outcome: &str) -> bool {
    actions.iter().any(|(a, o)| a == action && o == outcome)
}

#[tokio::test]
async fn invitation_enrolment_login_and_session_cookie() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    // The cookie is a __Host- cookie with every protective attribute.
    let (st, v, h) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "RINA@shop.id", "password": PASSWORD})),
            &[("x-forwarded-for", "192.0.2.10")],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let set = h["set-cookie"].to_str().unwrap();
    for attr in [
        "__Host-jaga_session=",
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
    ] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    assert!(!set.contains("Domain"));
    // A pending session cannot reach data.
    let pending = Sess {
        cookie: cookie_of(&h).unwrap(),
        csrf: v["csrf_token"].as_str().unwrap().into(),
        ..s.clone()
    };
    let (st, _, _) = e
        .call("GET", "/v1/auth/me", Some(&pending), None, &[])
        .await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "password alone is not a login"
    );
    // The active session works; /me reports the account.
    let (st, v, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["staff"]["role"], "cs_staff");
    assert_eq!(v["staff"]["agreement_ok"], true);
    // The invitation cannot be used twice.
    let actions = e.actions().await;
    assert!(has(&actions, "staff.invitation.accept", "ok"));
    assert!(has(&actions, "staff.totp.enrol", "ok"));
    assert!(has(&actions, "staff.login.ok", "ok"));
    assert!(has(&actions, "staff.agreement.accept", "ok"));
}

/// A leftover bootstrap link (two printed before the owner signed up) must not mint a second
/// admin once the first is accepted.
#[tokio::test]
async fn a_bootstrap_link_is_void_once_an_admin_exists() {
    let e = env().await;
    let first = e.staff.bootstrap_invitation().await.unwrap();
    let second = e.staff.bootstrap_invitation().await.unwrap();
    let accept = |token: &str, email: &str| json!({"token": token, "email": email, "name": "Pemilik", "password": PASSWORD});
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(accept(first.token.expose_secret(), "owner@shop.id")),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(accept(
                second.token.expose_secret(),
                "intruder@evil.example",
            )),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "invalid_invitation");
    let admins =
        e.h.store
            .staff_list()
            .await
            .unwrap()
            .iter()
            .filter(|s| s.role == "admin")
            .count();
    assert_eq!(admins, 1);
    // and no new bootstrap link can be made
    assert!(e.staff.bootstrap_invitation().await.is_err());
}

#[tokio::test]
async fn invitation_is_single_use_and_password_policy_applies() {
    let e = env().await;
    let token = e.invite("budi@shop.id", Role::CsStaff, &[]).await;
    for (pw, code) in [
        ("short", "password_too_short"),
        ("password1234", "password_common"),
        ("aaaaaaaaaaaaaaaa", "password_weak"),
        ("budi@shop.id!!", "password_context"),
    ] {
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/invitations/accept",
                None,
                Some(json!({"token": token, "name": "Budi", "password": pw})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{pw}: {v}");
        assert_eq!(v["errors"][0]["code"], code, "{pw}: {v}");
        if pw.len() >= 12 {
            assert!(!v.to_string().contains(pw), "the password is never echoed");
        }
    }
    let body = json!({"token": token, "name": "Budi", "password": PASSWORD});
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(body.clone()),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v, _) = e
        .call("POST", "/v1/invitations/accept", None, Some(body), &[])
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["code"], "invalid_invitation");
    // A forged token and an oversized name are refused.
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(json!({"token": "x".repeat(43), "name": "B", "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let t2 = e.invite("c@shop.id", Role::CsStaff, &[]).await;
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(json!({"token": t2, "name": "N".repeat(101), "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "invalid_name");
    // An expired invitation is refused.
    e.clock.advance(73 * 3_600_000);
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(json!({"token": t2, "name": "C", "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

#[tokio::test]
async fn wrong_password_unknown_account_and_oversized_input() {
    let e = env().await;
    e.member("rina@shop.id", Role::CsStaff, &[]).await;
    for (email, pw) in [
        ("rina@shop.id", "wrong password here"),
        ("nobody@shop.id", PASSWORD),
    ] {
        let (st, v, h) = e
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"email": email, "password": pw})),
                &[("x-forwarded-for", "198.51.100.1")],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(v["code"], "login_failed");
        assert!(h.get("set-cookie").is_none());
    }
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "rina@shop.id", "password": "p".repeat(2000)})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "rina@shop.id", "password": "p".repeat(70_000)})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let actions = e.actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|(a, o)| a == "staff.login.failed" && o == "denied")
            .count(),
        2
    );
}

#[tokio::test]
async fn totp_replay_skew_and_recovery_codes() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    e.next_step();
    let login_pw = |ip: &'static str| {
        let e = &e;
        async move {
            let (st, v, h) = e
                .call(
                    "POST",
                    "/v1/auth/login",
                    None,
                    Some(json!({"email": "rina@shop.id", "password": PASSWORD})),
                    &[("x-forwarded-for", ip)],
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
            Sess {
                cookie: cookie_of(&h).unwrap(),
                csrf: v["csrf_token"].as_str().unwrap().into(),
                secret: vec![],
                email: String::new(),
                ip: ip.into(),
            }
        }
    };
    // ±2 steps are refused, ±1 accepted.
    let p = login_pw("203.0.113.1").await;
    for d in [-2i64, 2] {
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/auth/totp",
                Some(&p),
                Some(json!({"code": e.code(&s.secret, d)})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{d}: {v}");
    }
    let code = e.code(&s.secret, -1);
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p),
            Some(json!({"code": code})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // The same code again (another pending session) is a replay.
    let p2 = login_pw("203.0.113.2").await;
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p2),
            Some(json!({"code": code})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p2),
            Some(json!({"code": e.code(&s.secret, 1)})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "+1 step is accepted");
    // An older step than the last accepted one is refused too.
    let p3 = login_pw("203.0.113.3").await;
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p3),
            Some(json!({"code": e.code(&s.secret, 0)})),
            &[],
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "step 0 is before the used step +1"
    );
    assert!(
        e.actions()
            .await
            .iter()
            .any(|(a, o)| a == "staff.login.failed" && o == "denied")
    );
    // Recovery codes: a wrong one fails; a right one works exactly once.
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/totp",
            Some(&p3),
            Some(json!({"recovery_code": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn recovery_code_is_single_use() {
    let e = env().await;
    let token = e.invite("r@shop.id", Role::CsStaff, &[]).await;
    let (_, v, h) = e
        .call(
            "POST",
            "/v1/invitations/accept",
            None,
            Some(json!({"token": token, "name": "R", "password": PASSWORD})),
            &[],
        )
        .await;
    let secret = data_encoding::BASE32_NOPAD
        .decode(v["totp"]["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    let s = Sess {
        cookie: cookie_of(&h).unwrap(),
        csrf: v["csrf_token"].as_str().unwrap().into(),
        secret: secret.clone(),
        email: "r@shop.id".into(),
        ip: "192.0.2.1".into(),
    };
    let (_, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp/confirm",
            Some(&s),
            Some(json!({"code": e.code(&secret, 0)})),
            &[],
        )
        .await;
    let rc = v["recovery_codes"][0].as_str().unwrap().to_string();
    for (i, want) in [StatusCode::OK, StatusCode::UNAUTHORIZED]
        .into_iter()
        .enumerate()
    {
        let (st, v, h) = e
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"email": "r@shop.id", "password": PASSWORD})),
                &[("x-forwarded-for", "192.0.2.1")],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let p = Sess {
            cookie: cookie_of(&h).unwrap(),
            csrf: v["csrf_token"].as_str().unwrap().into(),
            ..s.clone()
        };
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/auth/totp",
                Some(&p),
                Some(json!({"recovery_code": rc.to_lowercase()})),
                &[],
            )
            .await;
        assert_eq!(st, want, "use {i}: {v}");
    }
    assert!(has(&e.actions().await, "staff.recovery.use", "ok"));
}

#[tokio::test]
async fn throttling_grows_per_account_and_address_and_spares_other_addresses() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let attempt = |ip: &'static str, pw: &'static str| {
        let e = &e;
        async move {
            e.call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"email": "rina@shop.id", "password": pw})),
                &[("x-forwarded-for", ip)],
            )
            .await
        }
    };
    for _ in 0..3 {
        let (st, _, _) = attempt("198.51.100.7", "wrong password here").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    // The attacker's address is now delayed, even with the right password…
    let (st, v, h) = attempt("198.51.100.7", PASSWORD).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["code"], "login_throttled");
    assert!(h.get("retry-after").is_some());
    // …while the real user at another address logs in.
    e.login(&s.email, &s.secret, "192.0.2.99").await;
    // The delay expires: not a permanent lock.
    e.clock.advance(2_000);
    let (st, _, _) = attempt("198.51.100.7", "wrong password here").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _, _) = attempt("198.51.100.7", "wrong password here").await;
    assert_eq!(
        st,
        StatusCode::TOO_MANY_REQUESTS,
        "the next delay is longer (2 s)"
    );
    let actions = e.actions().await;
    assert!(has(&actions, "staff.login.locked", "denied"));
    // Distributed guessing on one account: the account-wide delay is capped at one minute.
    for i in 0..12u8 {
        let ip: &'static str = Box::leak(format!("203.0.113.{i}").into_boxed_str());
        e.clock.advance(61_000);
        attempt(ip, "wrong password here").await;
    }
    let (st, _, h) = attempt("192.0.2.200", PASSWORD).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait <= 60, "account-wide delay is capped ({wait} s)");
    e.clock.advance(wait * 1000);
    e.login(&s.email, &s.secret, "192.0.2.200").await;
}

#[tokio::test]
async fn forged_expired_and_csrf_less_sessions_are_refused() {
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let forged = Sess {
        cookie: "A".repeat(43),
        ..s.clone()
    };
    let (st, v, _) = e.call("GET", "/v1/auth/me", Some(&forged), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    let garbage = Sess {
        cookie: "not-a-token".into(),
        ..s.clone()
    };
    let (st, _, _) = e
        .call("GET", "/v1/auth/me", Some(&garbage), None, &[])
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Missing or wrong CSRF token on a state-changing request.
    for csrf in ["", "wrong"] {
        let bad = Sess {
            csrf: csrf.into(),
            ..s.clone()
        };
        let (st, v, _) = e
            .call("POST", "/v1/auth/logout-others", Some(&bad), None, &[])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["code"], "csrf_failed");
    }
    assert!(has(&e.actions().await, "request.csrf_rejected", "denied"));
    // Idle timeout: 30 minutes without a request.
    e.clock.advance(29 * 60_000);
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK);
    e.clock.advance(31 * 60_000);
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "idle timeout");
    // Absolute timeout: 12 hours even when active.
    let s2 = e.login(&s.email, &s.secret, "192.0.2.10").await;
    for _ in 0..25 {
        e.clock.advance(29 * 60_000);
        let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s2), None, &[]).await;
        if st != StatusCode::OK {
            break;
        }
    }
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s2), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "absolute timeout");
}

#[tokio::test]
async fn session_ids_rotate_and_logout_ends_sessions() {
    let e = env().await;
    let mut s = e.member("rina@shop.id", Role::CsManager, &[]).await;
    let before = s.clone();
    e.step_up(&mut s).await;
    assert_ne!(before.cookie, s.cookie);
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&before), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the pre-step-up id is dead");
    let other = e.login(&s.email, &s.secret, "192.0.2.11").await;
    let (st, v, _) = e
        .call("GET", "/v1/auth/sessions", Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["sessions"].as_array().unwrap().len(), 2);
    let (st, v, _) = e
        .call("POST", "/v1/auth/logout-others", Some(&s), None, &[])
        .await;
    assert_eq!((st, v["ended"].as_u64()), (StatusCode::OK, Some(1)));
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&other), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _, h) = e.call("POST", "/v1/auth/logout", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert!(h["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "reuse after logout");
}

#[tokio::test]
async fn agreement_gates_customer_data_and_new_versions_need_acceptance() {
    let e = env().await;
    let id = e.customer("Agree", 1, "default").await;
    let s = e.enrolled("rina@shop.id", Role::CsStaff, &[]).await;
    let (st, v, _) = e
        .call("GET", &format!("/v1/customers/{id}"), Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "agreement_required");
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/agreement/accept",
            Some(&s),
            Some(json!({"version": "old"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, a, _) = e.call("GET", "/v1/agreement", Some(&s), None, &[]).await;
    assert!(
        a["text_id"]
            .as_str()
            .unwrap()
            .contains("PERJANJIAN KERAHASIAAN")
    );
    assert!(a["text_en"].as_str().unwrap().contains("CONFIDENTIALITY"));
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/agreement/accept",
            Some(&s),
            Some(json!({"version": a["version"]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = e
        .call("GET", &format!("/v1/customers/{id}"), Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    let actions = e.actions().await;
    assert!(has(&actions, "customer.read", "denied"));
    assert!(has(&actions, "staff.agreement.accept", "ok"));
}

#[tokio::test]
async fn roles_apply_field_views_and_reveal_needs_step_up() {
    let e = env().await;
    let id = e.customer("Views", 2, "default").await;
    let path = format!("/v1/customers/{id}");
    // cs_staff: masked contact data, NIK and birth date absent, notes plain; no reveal.
    let cs = e.member("cs@shop.id", Role::CsStaff, &[]).await;
    let (st, v, _) = e.call("GET", &path, Some(&cs), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["email"], "v***@example.co.id");
    assert!(v.get("national_id").is_none_or(Value::is_null), "{v}");
    assert!(v.get("birth_date").is_none_or(Value::is_null), "{v}");
    assert_eq!(v["notes"], "note Views");
    let reveal = format!("{path}?reveal=email");
    let purpose = [("x-jaga-purpose", "ticket CS-9 delivery address")];
    let (st, v, _) = e.call("GET", &reveal, Some(&cs), None, &purpose).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "cs_staff cannot reveal: {v}");
    // finance: address hidden, phone masked, notes hidden.
    let fin = e.member("fin@shop.id", Role::Finance, &[]).await;
    let (_, v, _) = e.call("GET", &path, Some(&fin), None, &[]).await;
    assert!(v.get("address").is_none_or(Value::is_null), "{v}");
    assert!(v.get("notes").is_none_or(Value::is_null), "{v}");
    assert!(v["phone"].as_str().unwrap().contains("****"));
    // auditor: no customer data at all.
    let aud = e.member("aud@shop.id", Role::Auditor, &[]).await;
    let (st, v, _) = e.call("GET", &path, Some(&aud), None, &[]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{id}/orders"),
            Some(&aud),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // cs_manager: reveal needs a fresh step-up, and a purpose.
    let mut mgr = e.member("mgr@shop.id", Role::CsManager, &[]).await;
    e.clock.advance(6 * 60_000);
    let (st, v, _) = e.call("GET", &reveal, Some(&mgr), None, &purpose).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "step_up_required");
    e.step_up(&mut mgr).await;
    let (st, v, _) = e.call("GET", &reveal, Some(&mgr), None, &[]).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "purpose required: {v}");
    let (st, v, _) = e.call("GET", &reveal, Some(&mgr), None, &purpose).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["email"], "views@example.co.id");
    assert_eq!(v["revealed"], json!(["email"]));
    let actions = e.actions().await;
    assert!(has(&actions, "customer.reveal", "denied"));
    assert!(has(&actions, "customer.reveal", "ok"));
}

#[tokio::test]
async fn segments_hide_other_customers_as_not_found() {
    let e = env().await;
    let jkt = e.customer("Jkt", 3, "jakarta").await;
    let sby = e.customer("Sby", 4, "surabaya").await;
    let cs = e.member("cs@shop.id", Role::CsStaff, &["jakarta"]).await;
    let (st, _, _) = e
        .call("GET", &format!("/v1/customers/{jkt}"), Some(&cs), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v, _) = e
        .call("GET", &format!("/v1/customers/{sby}"), Some(&cs), None, &[])
        .await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "other segment is 404, not 403: {v}"
    );
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{}", uuid::Uuid::new_v4()),
            Some(&cs),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v, _) = e
        .call(
            "GET",
            "/v1/customers?email=sby@example.co.id",
            Some(&cs),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        v["customers"].as_array().unwrap().len(),
        0,
        "lookup hides it too"
    );
    let (st, _, _) = e
        .call(
            "PATCH",
            &format!("/v1/customers/{sby}"),
            Some(&cs),
            Some(json!({"notes": "x"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{sby}/orders"),
            Some(&cs),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_admin_escalation_and_idor_are_refused() {
    let e = env().await;
    let mut admin = e.member("owner@shop.id", Role::Admin, &[]).await;
    let cs = e.member("cs@shop.id", Role::CsStaff, &[]).await;
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    let cs_id = me["staff"]["id"].as_str().unwrap().to_string();
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&admin), None, &[]).await;
    let admin_id = me["staff"]["id"].as_str().unwrap().to_string();
    // cs_staff tries to make itself admin, list staff, invite, disable the admin.
    let (st, v, _) = e
        .call(
            "PATCH",
            &format!("/v1/staff/{cs_id}"),
            Some(&cs),
            Some(json!({"role": "admin"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "admin_required");
    for (m, p, b) in [
        ("GET", "/v1/staff".to_string(), None),
        (
            "POST",
            "/v1/staff".to_string(),
            Some(json!({"email": "x@shop.id", "role": "admin"})),
        ),
        ("POST", format!("/v1/staff/{admin_id}/disable"), None),
    ] {
        let (st, v, _) = e.call(m, &p, Some(&cs), b, &[]).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{m} {p}: {v}");
    }
    // Unknown role names are refused.
    let (st, _, _) = e
        .call(
            "PATCH",
            &format!("/v1/staff/{cs_id}"),
            Some(&admin),
            Some(json!({"role": "root"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Admin: role change needs a fresh step-up, never on oneself.
    e.clock.advance(6 * 60_000);
    let (st, v, _) = e
        .call(
            "PATCH",
            &format!("/v1/staff/{cs_id}"),
            Some(&admin),
            Some(json!({"role": "cs_manager"})),
            &[],
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("step_up_required"))
    );
    e.step_up(&mut admin).await;
    let (st, v, _) = e
        .call(
            "PATCH",
            &format!("/v1/staff/{admin_id}"),
            Some(&admin),
            Some(json!({"role": "auditor"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let (st, v, _) = e
        .call(
            "PATCH",
            &format!("/v1/staff/{cs_id}"),
            Some(&admin),
            Some(json!({"role": "cs_manager", "segments": ["jakarta"]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["role"], "cs_manager");
    // The change applies to the member's next request.
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    assert_eq!(me["staff"]["role"], "cs_manager");
    // IDOR: ending someone else's session by handle is "not found".
    let (_, sessions, _) = e
        .call("GET", "/v1/auth/sessions", Some(&admin), None, &[])
        .await;
    let handle = sessions["sessions"][0]["handle"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _, _) = e
        .call(
            "DELETE",
            &format!("/v1/auth/sessions/{handle}"),
            Some(&cs),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Disabling ends the member's sessions at once.
    let (st, _, _) = e
        .call(
            "POST",
            &format!("/v1/staff/{cs_id}/disable"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "cs@shop.id", "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot log in"
    );
    let actions = e.actions().await;
    assert!(has(&actions, "staff.role.change", "denied"));
    assert!(has(&actions, "staff.role.change", "ok"));
    assert!(has(&actions, "staff.disable", "ok"));
}

#[tokio::test]
async fn admin_invites_and_resets_mfa_and_api_keys_keep_working() {
    let e = env().await;
    let mut admin = e.member("owner@shop.id", Role::Admin, &[]).await;
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/staff",
            Some(&admin),
            Some(json!({"email": "new@shop.id", "role": "finance"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert!(
        v["link_path"]
            .as_str()
            .unwrap()
            .starts_with("/console/invite?token=")
    );
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/invitations/inspect",
            None,
            Some(json!({"token": v["token"]})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let cs = e.member("cs@shop.id", Role::CsStaff, &[]).await;
    let (_, me, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    let cs_id = me["staff"]["id"].as_str().unwrap().to_string();
    e.step_up(&mut admin).await;
    let (st, _, _) = e
        .call(
            "POST",
            &format!("/v1/staff/{cs_id}/reset-mfa"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // The member's sessions ended; the next login asks for a new enrolment.
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&cs), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "cs@shop.id", "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["state"], "enrolling");
    assert_ne!(
        v["totp"]["secret"].as_str().unwrap(),
        data_encoding::BASE32_NOPAD.encode(&cs.secret)
    );
    // API keys are unaffected by staff rules.
    let k =
        e.h.vault
            .apikey_create(
                &e.h.admin(),
                "k",
                &[jaga_core::auth::Scope::CustomersRead]
                    .into_iter()
                    .collect(),
                None,
            )
            .await
            .unwrap();
    let id = e.customer("Key", 5, "default").await;
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{id}"),
            None,
            None,
            &[(
                "authorization",
                &format!("Bearer {}", k.token.expose_secret()),
            )],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_ends_other_sessions() {
    const NEW: &str = "copper lantern quietly harbours ferns";
    let e = env().await;
    let s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    let other = e.login(&s.email, &s.secret, "192.0.2.11").await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/password",
            Some(&s),
            Some(change("not my password at all", NEW)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert!(!v.to_string().contains(NEW), "no password echoed: {v}");
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/password",
            Some(&s),
            Some(change(PASSWORD, "password1234")),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "weak password: {v}");
    let no_csrf = Sess {
        csrf: "forged".into(),
        ..s.clone()
    };
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/password",
            Some(&no_csrf),
            Some(change(PASSWORD, NEW)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "CSRF token required");
    let (st, v, _) = e.call("GET", "/v1/auth/me", Some(&other), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "refused changes end no session: {v}");

    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/password",
            Some(&s),
            Some(change(PASSWORD, NEW)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&other), None, &[]).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "other sessions ended");
    let (st, _, _) = e.call("GET", "/v1/auth/me", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "this session stays");

    let login = |pw: &str| json!({"email": "rina@shop.id", "password": pw});
    let ip = [("x-forwarded-for", "192.0.2.12")];
    let (st, _, _) = e
        .call("POST", "/v1/auth/login", None, Some(login(PASSWORD)), &ip)
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the old password is dead");
    let (st, v, _) = e
        .call("POST", "/v1/auth/login", None, Some(login(NEW)), &ip)
        .await;
    assert_eq!(
        (st, v["state"].as_str()),
        (StatusCode::OK, Some("pending_mfa")),
        "{v}"
    );

    // guessing the password through a signed-in session is throttled like a login
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (st, _, h) = e
            .call(
                "POST",
                "/v1/auth/password",
                Some(&s),
                Some(change("still not my password", PASSWORD)),
                &[],
            )
            .await;
        statuses.push((st, h.contains_key("retry-after")));
    }
    assert_eq!(
        statuses.last(),
        Some(&(StatusCode::TOO_MANY_REQUESTS, true)),
        "{statuses:?}"
    );

    let actions = e.actions().await;
    assert!(has(&actions, "staff.password.change", "denied"));
    assert!(has(&actions, "staff.password.change", "ok"));
    assert!(has(&actions, "staff.login.locked", "denied"));
}

#[tokio::test]
async fn authenticator_replacement_needs_step_up_and_a_code_from_the_new_app() {
    let e = env().await;
    let mut s = e.member("rina@shop.id", Role::CsStaff, &[]).await;
    e.clock.advance(6 * 60_000);
    let (st, v, _) = e
        .call("POST", "/v1/auth/totp/replace", Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    // the refusal is audited (a stolen session trying to swap the authenticator is visible)
    assert!(has(&e.actions().await, "staff.totp.replace", "denied"));
    e.step_up(&mut s).await;
    let (st, v, _) = e
        .call("POST", "/v1/auth/totp/replace", Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let ticket = v["ticket"].as_str().unwrap().to_string();
    let new_secret = data_encoding::BASE32_NOPAD
        .decode(v["enrolment"]["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    assert!(v["enrolment"]["qr_svg"].as_str().unwrap().contains("<svg"));
    e.next_step();
    let confirm = |ticket: &str, code: String| json!({"ticket": ticket, "code": code});

    // the old app still works until the replacement is confirmed (this sign-in uses it), and
    // another session of the same member cannot use the ticket
    let other = e.login(&s.email, &s.secret, "192.0.2.11").await;
    e.next_step();
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp/replace/confirm",
            Some(&other),
            Some(confirm(&ticket, e.code(&new_secret, 0))),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // the old app's code is not the new app's
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp/replace/confirm",
            Some(&s),
            Some(confirm(&ticket, e.code(&s.secret, 0))),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(!v.to_string().contains(&ticket), "no ticket echoed");
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp/replace/confirm",
            Some(&s),
            Some(confirm(&ticket, e.code(&new_secret, 0))),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    e.next_step();
    let old = e.code(&s.secret, 0);
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/auth/step-up",
            Some(&s),
            Some(json!({"code": old})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the old app stopped working");
    s.secret = new_secret;
    e.next_step();
    e.step_up(&mut s).await;

    // a ticket past its five minutes is refused
    let (st, v, _) = e
        .call("POST", "/v1/auth/totp/replace", Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let late = v["ticket"].as_str().unwrap().to_string();
    let late_secret = data_encoding::BASE32_NOPAD
        .decode(v["enrolment"]["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    e.clock.advance(6 * 60_000);
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/auth/totp/replace/confirm",
            Some(&s),
            Some(confirm(&late, e.code(&late_secret, 0))),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let actions = e.actions().await;
    assert!(has(&actions, "staff.totp.replace", "denied"));
    assert!(has(&actions, "staff.totp.replace", "ok"));
}

#[tokio::test]
async fn staff_token_resolution_and_erasure_need_step_up_and_the_segment() {
    let e = env().await;
    let admin = e.h.admin();
    let w = e.h.vault.writer(&admin).await.unwrap();
    let mut note_token = std::collections::BTreeMap::new();
    for seg in ["jakarta", "bandung"] {
        let mut c = marked_customer(&format!("Tok{seg}"), 7);
        c.segment = Some(seg.into());
        c.notes = Some("NIK titipan 3174051204900003, cek lagi".into());
        let id = w.create(&c).await.unwrap().id;
        let notes =
            e.h.vault
                .reader(&admin)
                .await
                .unwrap()
                .get(id)
                .await
                .unwrap()
                .notes
                .unwrap();
        let token = jaga_testkit::conformance_tokens::first_token(&notes).unwrap();
        note_token.insert(seg, (id.to_string(), token));
    }
    let mut s = e.member("mgr@shop.id", Role::CsManager, &["jakarta"]).await;
    e.clock.advance(6 * 60_000);
    let resolve = |token: &str| json!({"token": token, "purpose": "CS-12 faktur pajak"});
    let (own_id, own_token) = note_token["jakarta"].clone();
    let (other_id, other_token) = note_token["bandung"].clone();

    let (st, v, _) = e
        .call(
            "POST",
            "/v1/tokens/resolve",
            Some(&s),
            Some(resolve(&own_token)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "stale step-up: {v}");
    assert!(!v.to_string().contains("3174051204900003"));
    let (st, _, _) = e
        .call(
            "DELETE",
            &format!("/v1/customers/{own_id}"),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "erasure needs a step-up too");

    e.step_up(&mut s).await;
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/tokens/resolve",
            Some(&s),
            Some(resolve(&other_token)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another segment's token: {v}");
    assert!(!v.to_string().contains("3174051204900003"));
    let (st, _, _) = e
        .call(
            "DELETE",
            &format!("/v1/customers/{other_id}"),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another segment's customer");
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/tokens/resolve",
            Some(&s),
            Some(resolve(&own_token)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["value"], "3174051204900003");
    let (st, v, _) = e
        .call(
            "DELETE",
            &format!("/v1/customers/{own_id}"),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert!(st.is_success(), "{st} {v}");
    let (st, _, _) = e
        .call(
            "POST",
            "/v1/tokens/resolve",
            Some(&s),
            Some(resolve(&own_token)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::GONE, "erased with its customer");

    let actions = e.actions().await;
    assert!(has(&actions, "token.resolve", "denied"));
    assert!(has(&actions, "customer.erase", "denied"));
    assert!(has(&actions, "customer.erase", "ok"));
}

/// Every refusal names its rule in the problem's `code` and `type`, from the one classification
/// in core, and none tells a staff member about "this API key" (issue 11: the old catch-all
/// did, for every scope a role lacks).
#[tokio::test]
async fn refusals_name_their_reason_and_never_blame_an_api_key() {
    let e = env().await;
    let id = e.customer("Why", 3, "default").await;
    let path = format!("/v1/customers/{id}");
    let refused = |st: StatusCode, v: &Value, code: &str| {
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["code"], code, "{v}");
        assert_eq!(
            v["type"],
            format!("https://jaga.dev/problems/{code}"),
            "{v}"
        );
        let detail = v["detail"].as_str().unwrap_or_default().to_string();
        assert!(!detail.contains("API key"), "{v}");
        detail
    };
    // A role without the scope: the auditor reads no customers.
    let aud = e.member("aud@shop.id", Role::Auditor, &[]).await;
    let (st, v, _) = e.call("GET", &path, Some(&aud), None, &[]).await;
    assert!(refused(st, &v, "missing_scope").contains("customers:read"));
    // A role whose view withholds the reveal.
    let cs = e.member("cs@shop.id", Role::CsStaff, &[]).await;
    let purpose = [("x-jaga-purpose", "ticket CS-9 delivery address")];
    let reveal = format!("{path}?reveal=email");
    let (st, v, _) = e.call("GET", &reveal, Some(&cs), None, &purpose).await;
    refused(st, &v, "missing_scope");
    // Admin-only staff management.
    let (st, v, _) = e.call("GET", "/v1/staff", Some(&cs), None, &[]).await;
    refused(st, &v, "admin_required");
    // A session request without its CSRF token.
    let no_csrf = Sess {
        csrf: String::new(),
        ..cs.clone()
    };
    let (st, v, _) = e
        .call("POST", "/v1/auth/logout-others", Some(&no_csrf), None, &[])
        .await;
    refused(st, &v, "csrf_failed");
    // An API key on a staff-only endpoint, and one without `audit:read` on the log.
    let key =
        e.h.vault
            .apikey_create(
                &e.h.admin(),
                "k",
                &[Scope::CustomersRead].into_iter().collect(),
                None,
            )
            .await
            .unwrap();
    let bearer = format!(
        "Bearer {}",
        secrecy::ExposeSecret::expose_secret(&key.token)
    );
    let auth = [("authorization", bearer.as_str())];
    let (st, v, _) = e.call("GET", "/v1/auth/me", None, None, &auth).await;
    refused(st, &v, "staff_session_required");
    let (st, v, _) = e
        .call("GET", "/v1/audit/checkpoint", None, None, &auth)
        .await;
    assert!(refused(st, &v, "missing_scope").contains("audit:read"));
    // Each audited refusal is in the log as `denied`.
    let actions = e.actions().await;
    for action in [
        "customer.read",
        "customer.reveal",
        "staff.list",
        "audit.read",
    ] {
        assert!(has(&actions, action, "denied"), "{action}: {actions:?}");
    }
    assert!(has(&actions, "request.csrf_rejected", "denied"));
}
