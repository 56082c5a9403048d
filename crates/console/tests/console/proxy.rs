//! Behind a proxy every console client has its own throttle, and every console cookie has the
//! `__Host-` prefix so a sibling subdomain cannot toss one in.

use super::*;

/// A fresh pre-session token from the login page.
async fn pre_token(c: &Console) -> String {
    let r = c.get("/console/login", None, "").await;
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("__Host-jaga_pre="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("pre-session cookie")
}

async fn login_from(c: &Console, ip: &str, email: &str, password: &str) -> Resp {
    let pre = pre_token(c).await;
    let req = Request::builder()
        .method("POST")
        .uri("/console/login")
        .header("cookie", format!("__Host-jaga_pre={pre}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", format!("10.0.0.1, {ip}"))
        .body(Body::from(form(&[
            ("csrf_token", &pre),
            ("email", email),
            ("password", password),
        ])))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn behind_a_proxy_each_console_client_has_its_own_throttle() {
    let c = console_with(ServerConfig {
        behind_proxy: true,
        ..ServerConfig::default()
    })
    .await;
    let admin = c.admin().await;
    c.member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    // An attacker fails three times against the owner's account…
    for _ in 0..3 {
        let r = login_from(&c, "198.51.100.7", "owner@toko.example", "wrong password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(&c, "198.51.100.7", "owner@toko.example", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker waits"
    );
    // …and the owner, behind the same proxy but at another address, is not locked out.
    let r = login_from(&c, "192.0.2.20", "owner@toko.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The pending session records the forwarded address, not the proxy's.
    let id: uuid::Uuid = admin.caller.id().parse().unwrap();
    let sessions = c.h.store.sessions_of(id).await.unwrap();
    assert!(
        sessions.iter().any(|s| s.ip == "192.0.2.20"),
        "{:?}",
        sessions.iter().map(|s| &s.ip).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn without_behind_proxy_a_forwarded_header_is_ignored() {
    let c = console().await;
    let admin = c.admin().await;
    for i in 0..3 {
        let r = login_from(
            &c,
            &format!("198.51.100.{i}"),
            "owner@toko.example",
            "wrong",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Forging another address does not escape the throttle.
    let r = login_from(&c, "203.0.113.1", "owner@toko.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    drop(admin);
}

#[tokio::test]
async fn every_console_cookie_has_the_host_prefix() {
    let c = console().await;
    let admin = c.admin().await;
    let pre = pre_token(&c).await;
    let lang = c
        .post(
            "/console/lang",
            None,
            &format!("__Host-jaga_pre={pre}"),
            &form(&[("csrf_token", &pre), ("lang", "en"), ("back", "/console/")]),
        )
        .await;
    let login = login_from(&c, "127.0.0.1", "owner@toko.example", PASSWORD).await;
    let first = c.get("/console/login", None, "").await;
    let mut seen = 0;
    for r in [&first, &lang, &login] {
        for v in r.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            seen += 1;
            assert!(v.starts_with("__Host-"), "{v}");
            assert!(v.contains("; Path=/;") || v.ends_with("; Path=/"), "{v}");
            assert!(v.contains("; Secure;") && v.contains("; HttpOnly;"), "{v}");
            assert!(v.contains("; SameSite=Strict"), "{v}");
            assert!(!v.to_ascii_lowercase().contains("domain="), "{v}");
        }
    }
    assert!(
        seen >= 3,
        "pre-session, language and session cookies were set"
    );
    drop(admin);
}

#[tokio::test]
async fn a_tossed_unprefixed_pre_session_cookie_is_worthless() {
    let c = console().await;
    // A sibling subdomain can set `jaga_pre` (no prefix) for the parent domain, and make the
    // victim's browser post a form carrying the same token. The console must not accept it.
    let tossed = "A".repeat(32);
    for cookie in [
        format!("jaga_pre={tossed}"),
        format!("jaga_pre={tossed}; __Host-jaga_pre="),
        format!("__host-jaga_pre={tossed}"),
    ] {
        let r = c
            .post(
                "/console/lang",
                None,
                &cookie,
                &form(&[
                    ("csrf_token", &tossed),
                    ("lang", "en"),
                    ("back", "/console/"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{cookie}");
    }
    let r = c
        .post(
            "/console/login",
            None,
            &format!("jaga_pre={tossed}"),
            &form(&[
                ("csrf_token", &tossed),
                ("email", "owner@toko.example"),
                ("password", PASSWORD),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The `Set-Cookie` values of a response whose name starts with `name=`.
fn set_cookies(r: &Resp, name: &str) -> Vec<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .filter(|v| v.starts_with(&format!("{name}=")))
        .collect()
}

/// The value a `Set-Cookie` line gives its cookie.
fn cookie_value(line: &str) -> &str {
    let v = line.split(';').next().unwrap();
    &v[v.find('=').unwrap() + 1..]
}

/// Every cookie the console sets on the way in and out, compared with the literal line it must
/// be (written out here, not built by the crate): the `__Host-` name, `Path=/`, `Secure`,
/// `HttpOnly`, `SameSite=Strict`, no `Domain`, and the lifetimes of the pending session (5 min),
/// the active session (12 h), the language (a year) and the removal (0).
#[tokio::test]
async fn console_cookies_are_exactly_host_prefixed_secure_httponly_and_samesite_strict() {
    let c = console().await;
    let admin = c.admin().await;
    // The pre-session cookie, set by the first page.
    let first = c.get("/console/login", None, "").await;
    let pre = set_cookies(&first, "__Host-jaga_pre");
    assert_eq!(pre.len(), 1, "{pre:?}");
    let token = cookie_value(&pre[0]).to_string();
    assert!(token.len() >= 32, "{token}");
    assert_eq!(
        pre[0],
        format!("__Host-jaga_pre={token}; Path=/; Secure; HttpOnly; SameSite=Strict")
    );
    // The language cookie.
    let lang = c
        .post(
            "/console/lang",
            None,
            &format!("__Host-jaga_pre={token}"),
            &form(&[
                ("csrf_token", &token),
                ("lang", "en"),
                ("back", "/console/"),
            ]),
        )
        .await;
    assert_eq!(
        set_cookies(&lang, "__Host-jaga_lang"),
        ["__Host-jaga_lang=en; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=31536000"]
    );
    // The password step: a pending session cookie for five minutes.
    let login = login_from(&c, "127.0.0.1", "owner@toko.example", PASSWORD).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let pending = set_cookies(&login, "__Host-jaga_session");
    assert_eq!(pending.len(), 1, "{pending:?}");
    let pending_value = cookie_value(&pending[0]).to_string();
    assert_eq!(
        pending[0],
        format!(
            "__Host-jaga_session={pending_value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=300"
        )
    );
    // The code step: a new session id for the active session, for twelve hours.
    let jar = format!("__Host-jaga_session={pending_value}");
    let page = c.get("/console/login/code", None, &jar).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let key = "name=\"csrf_token\" value=\"";
    let at = page.body.find(key).expect("csrf field") + key.len();
    let csrf = &page.body[at..at + page.body[at..].find('"').unwrap()];
    c.clock.advance(30_000);
    let code = c.code(&admin.secret);
    let done = c
        .post(
            "/console/login/code",
            None,
            &jar,
            &form(&[("csrf_token", csrf), ("code", &code)]),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let active = set_cookies(&done, "__Host-jaga_session");
    assert_eq!(active.len(), 1, "{active:?}");
    let active_value = cookie_value(&active[0]).to_string();
    assert_ne!(active_value, pending_value, "the session id rotates");
    assert_eq!(
        active[0],
        format!(
            "__Host-jaga_session={active_value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=43200"
        )
    );
    // Signing out removes it with the same attributes.
    let jar = format!("__Host-jaga_session={active_value}");
    let account = c.get("/console/account", None, &jar).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    let at = account.body.find(key).expect("csrf field") + key.len();
    let csrf = &account.body[at..at + account.body[at..].find('"').unwrap()];
    let out = c
        .post(
            "/console/logout",
            None,
            &jar,
            &form(&[("csrf_token", csrf)]),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(
        set_cookies(&out, "__Host-jaga_session"),
        ["__Host-jaga_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"]
    );
}
