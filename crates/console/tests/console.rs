//! The staff console through the router (in process, no TLS): headers, escaping, CSRF, limits,
//! languages, role checks and the agreement gate. The browser tests in `e2e/` cover the same
//! flows in real Chromium.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Caller;
use jaga_core::clock::FakeClock;
use jaga_core::model::NewCustomer;
use jaga_core::staff::{
    ClientInfo, NewInvitation, Role, SESSION_COOKIE, StaffConfig, StaffService,
};
use jaga_server::{AppState, ServerConfig};
use jaga_testkit::Harness;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "kopi susu gula aren di pagi hari";

/// The console's Content-Security-Policy, written out here (not taken from the crate): a change
/// to the policy must show up as a failing test.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Headers every console response carries, with their exact values (`cache-control` differs for
/// static assets and is checked separately).
const CONSOLE_HEADERS: [(&str, &str); 8] = [
    ("content-security-policy", CSP),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// My account: authenticator replacement, other sessions.
#[path = "console/account.rs"]
mod account;
/// The audit log page (auditor, admin).
#[path = "console/auditor.rs"]
mod auditor;
/// Issue 18: pending invitations, the shop's name, the language switch, reasons as codes.
#[path = "console/firstweek.rs"]
mod firstweek;
/// Where sign-in leads, and the step-up prompt.
#[path = "console/flows.rs"]
mod flows;
/// The fraud review queue's decisions and the allow/block lists, with the change each makes.
#[path = "console/fraud.rs"]
mod fraud;
/// Issue 18: hostile values in every form, inline guard refusals, links from `public_url`.
#[path = "console/hostile.rs"]
mod hostile;
/// Issue 18: every POST and GET form of the console with hostile values.
#[path = "console/hostile_forms.rs"]
mod hostile_forms;
/// Issue 10's smaller leaks: lookup by hidden fields, posted searches, the agreement gate,
/// the segment manager's team view, lookup rate limits.
#[path = "console/leaks.rs"]
mod leaks;
/// Issue 15: the customer requests page and the access export button.
#[path = "console/lifecycle.rs"]
mod lifecycle;
/// Every route that changes something: CSRF and step-up refusals, and the change itself.
#[path = "console/mutations.rs"]
mod mutations;
/// Payees, payouts and the mail check (issue 14).
#[path = "console/payees.rs"]
mod payees;
/// Client addresses behind a proxy, and `__Host-` cookies (issue 10).
#[path = "console/proxy.rs"]
mod proxy;
/// Issue 18: write-guard refusals at the field with the text kept, in every form.
#[path = "console/refusals.rs"]
mod refusals;
/// Access reports (auditor, admin).
#[path = "console/reports.rs"]
mod reports;
/// Security: alerts, incidents, the plan, staff containment (issue 16).
#[path = "console/security.rs"]
mod security;
/// Segment isolation on the customer requests page.
#[path = "console/segments.rs"]
mod segments;
/// The payee contact call-back's step-up.
#[path = "console/stepup.rs"]
mod stepup;
/// The activity page: own actions and the CS team's.
#[path = "console/team.rs"]
mod team;

struct Console {
    h: Harness,
    state: Arc<AppState>,
    app: axum::Router,
    /// The staff service's clock (starts at the real time; tests move it).
    clock: FakeClock,
    /// The SQLite database file (tests that tamper with it directly).
    db: std::path::PathBuf,
    /// The temporary directory of the database, removed when the test ends.
    _dir: tempfile::TempDir,
}

/// A signed-in staff member: the session cookie and the session's CSRF token.
struct Member {
    cookie: String,
    csrf: String,
    caller: Caller,
    /// The TOTP secret (base32), for step-up codes.
    secret: String,
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: "127.0.0.1".into(),
        user_agent: "console-test".into(),
        request_id: None,
    }
}

/// The TOTP code for the time step containing `now_ms` (the staff service's clock).
fn code_at(secret_b32: &str, now_ms: i64) -> String {
    // The page shows the key in groups of four (issue 18): spaces are not part of it.
    let clean: String = secret_b32.chars().filter(|c| !c.is_whitespace()).collect();
    let secret = data_encoding::BASE32_NOPAD
        .decode(clean.trim_end_matches('=').as_bytes())
        .expect("base32 secret");
    jaga_crypto::otp::totp_code(&secret, (now_ms / 30_000) as u64)
}

async fn console() -> Console {
    console_with(ServerConfig::default()).await
}

async fn console_with(config: ServerConfig) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let store = jaga_store_sqlite::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("t.db").display()
    ))
    .await
    .unwrap();
    let h = Harness::new(Arc::new(store)).await;
    let clock = FakeClock::at(jaga_core::now_ms());
    let staff = StaffService::new(h.vault.clone(), StaffConfig::default())
        .with_clock(Arc::new(clock.clone()));
    let state = AppState::with_staff(h.vault.clone(), config, Arc::new(staff));
    let app = jaga_console::app(state.clone());
    Console {
        h,
        state,
        app,
        clock,
        db: dir.path().join("t.db"),
        _dir: dir,
    }
}

impl Console {
    async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    async fn get(&self, uri: &str, m: Option<&Member>, cookies: &str) -> Resp {
        let mut c = cookies.to_string();
        if let Some(m) = m {
            c = format!("{SESSION_COOKIE}={}; {c}", m.cookie);
        }
        let req = Request::builder()
            .uri(uri)
            .header("cookie", c)
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(&self, uri: &str, m: Option<&Member>, cookies: &str, form: &str) -> Resp {
        let mut c = cookies.to_string();
        if let Some(m) = m {
            c = format!("{SESSION_COOKIE}={}; {c}", m.cookie);
        }
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("cookie", c)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Accepts an invitation, confirms TOTP and (optionally) the agreement; returns the member.
    async fn onboard(&self, token: &str, email: &str, agree: bool) -> Member {
        let svc = &self.state.staff;
        let pw = SecretString::from(PASSWORD.to_string());
        let (s, enrol) = svc
            .accept_invitation(token, Some(email), "Tester", &pw, &client())
            .await
            .unwrap();
        let cookie = s.cookie.expose_secret().to_string();
        let (s, _codes) = svc
            .confirm_totp(&cookie, &s.csrf, &self.code(&enrol.secret), &client())
            .await
            .unwrap();
        let cookie = s.cookie.expose_secret().to_string();
        let caller = svc.authenticate(&cookie, None, false, None).await.unwrap();
        if agree {
            let v = svc.agreement().version.clone();
            svc.accept_agreement(&caller, &v).await.unwrap();
        }
        let caller = svc.authenticate(&cookie, None, false, None).await.unwrap();
        Member {
            csrf: s.csrf.clone(),
            cookie,
            caller,
            secret: enrol.secret.clone(),
        }
    }

    /// The current TOTP code on the staff service's clock.
    fn code(&self, secret_b32: &str) -> String {
        use jaga_core::clock::Clock;
        code_at(secret_b32, self.clock.now_ms())
    }

    async fn admin(&self) -> Member {
        let inv = self.state.staff.bootstrap_invitation().await.unwrap();
        self.onboard(inv.token.expose_secret(), "owner@toko.example", true)
            .await
    }

    async fn member(&self, admin: &Member, role: Role, email: &str, agree: bool) -> Member {
        let inv = self
            .state
            .staff
            .invite(
                &admin.caller,
                &NewInvitation {
                    email: email.into(),
                    role,
                    segments: vec![],
                },
            )
            .await
            .unwrap();
        self.onboard(inv.token.expose_secret(), email, agree).await
    }

    async fn customer(&self, name: &str, notes: &str) -> uuid::Uuid {
        let admin = self.h.admin();
        let w = self.h.vault.writer(&admin).await.unwrap();
        w.create(&NewCustomer {
            full_name: name.into(),
            email: Some("dewi.sari@gmail.com".into()),
            phone: Some("081234567890".into()),
            notes: Some(notes.into()),
            ..serde_json::from_str(r#"{"full_name":"x"}"#).unwrap()
        })
        .await
        .unwrap()
        .id
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn assert_console_headers(r: &Resp, what: &str) {
    for (name, want) in CONSOLE_HEADERS {
        assert_eq!(
            r.headers.get(name).map(|v| v.to_str().unwrap()),
            Some(want),
            "{what}: {name}"
        );
    }
    assert!(!r.body.contains("<script>"), "{what}: inline script");
    assert!(!r.body.contains("style="), "{what}: inline style");
    assert!(!r.body.contains("panicked"), "{what}");
}

#[tokio::test]
async fn every_console_page_has_the_strict_csp_and_no_inline_script() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "VIP").await;
    // Something on every page that shows one thing: a held fraud case, a payee with a payout,
    // an incident.
    let key = fraud::api_key(&c, &[jaga_core::auth::Scope::EventsWrite]).await;
    fraud::held_case(&c, &key, "signup-csp").await;
    let fina = c
        .member(&admin, Role::Finance, "fina@toko.example", true)
        .await;
    let r = c
        .post(
            "/console/payees",
            Some(&fina),
            "",
            &payees::payee_form(&fina.csrf),
        )
        .await;
    let payee = payees::located(&r, "payees");
    let r = c
        .post(
            &format!("/console/payees/{payee}/bank/1/verify"),
            Some(&admin),
            "",
            &payees::call_form(&admin.csrf, "081234567890", "verify"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            "/console/payouts",
            Some(&fina),
            "",
            &form(&[
                ("csrf_token", &fina.csrf),
                ("payee_id", &payee),
                ("amount", "15.000.000"),
            ]),
        )
        .await;
    let payout = payees::located(&r, "payouts");
    let incident =
        c.h.vault
            .incident_open(
                &admin.caller,
                None,
                Some("Uji"),
                Some("api_key:uji"),
                Some(jaga_core::now_ms() - 3_600_000),
            )
            .await
            .unwrap()
            .id;
    // Every page type, with the status it must answer (a page that exists answers 200).
    let pages = [
        ("/console/login".to_string(), StatusCode::OK),
        (format!("/console/customers/{id}/erase"), StatusCode::OK),
        (format!("/console/customers/{id}/segment"), StatusCode::OK),
        ("/console/requests".into(), StatusCode::OK),
        ("/console/fraud".into(), StatusCode::OK),
        ("/console/fraud/lists".into(), StatusCode::OK),
        ("/console/fraud/case/signup-csp".into(), StatusCode::OK),
        ("/console/payees".into(), StatusCode::OK),
        (format!("/console/payees/{payee}"), StatusCode::OK),
        ("/console/payouts".into(), StatusCode::OK),
        (format!("/console/payouts/{payout}"), StatusCode::OK),
        ("/console/mail".into(), StatusCode::OK),
        ("/console/security".into(), StatusCode::OK),
        (
            format!("/console/security/incidents/{incident}"),
            StatusCode::OK,
        ),
        ("/console/security/plan".into(), StatusCode::OK),
        ("/console/policy".into(), StatusCode::OK),
        ("/console/invite?token=nope".into(), StatusCode::NOT_FOUND),
        ("/console/customers".into(), StatusCode::OK),
        (format!("/console/customers/{id}"), StatusCode::OK),
        (format!("/console/customers/{id}/edit"), StatusCode::OK),
        ("/console/staff".into(), StatusCode::OK),
        ("/console/account".into(), StatusCode::OK),
        ("/console/activity".into(), StatusCode::OK),
        ("/console/audit".into(), StatusCode::OK),
        (
            "/console/audit?action=customer&from=2026-01-01".into(),
            StatusCode::OK,
        ),
        ("/console/audit/reports".into(), StatusCode::OK),
        ("/console/agreement".into(), StatusCode::OK),
        ("/console/no-such-page".into(), StatusCode::NOT_FOUND),
        (
            format!("/console/customers/{}", uuid::Uuid::new_v4()),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (p, want) in &pages {
        let r = c.get(p, Some(&admin), "").await;
        assert_eq!(r.status, *want, "{p}");
        assert_console_headers(&r, p);
        assert_eq!(r.headers.get("cache-control").unwrap(), "no-store", "{p}");
        assert_eq!(
            r.headers.get("content-type").unwrap(),
            "text/html; charset=utf-8",
            "{p}"
        );
        assert!(r.body.contains("<html lang=\"id\">"), "{p}");
    }
    // Without a session: the sign-in page, and a redirect for a page behind it.
    let r = c.get("/console/login", None, "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_console_headers(&r, "anonymous login");
    let r = c.get("/console/customers", None, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_console_headers(&r, "anonymous redirect");
    // A static asset: the same headers, cached for a day.
    let r = c.get("/console/static/console.css", None, "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_console_headers(&r, "static asset");
    // An API answer and an API error keep the API's policy and the edge's headers.
    for (uri, want) in [
        ("/healthz", StatusCode::OK),
        ("/v1/customers", StatusCode::UNAUTHORIZED),
    ] {
        let r = c.get(uri, None, "").await;
        assert_eq!(r.status, want, "{uri}");
        for (name, value) in [
            (
                "content-security-policy",
                "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
            ),
            (
                "strict-transport-security",
                "max-age=63072000; includeSubDomains",
            ),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            ("cache-control", "no-store"),
        ] {
            assert_eq!(
                r.headers.get(name).map(|v| v.to_str().unwrap()),
                Some(value),
                "{uri}: {name}"
            );
        }
    }
    // The API keeps its own policy.
    let api = c.get("/healthz", None, "").await;
    assert_eq!(
        api.headers.get("content-security-policy").unwrap(),
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    // `/` goes to the console.
    let root = c.get("/", None, "").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.headers.get("location").unwrap(), "/console/");
}

#[tokio::test]
async fn static_assets_are_embedded_with_types_and_cache_headers() {
    let c = console().await;
    for (name, ct) in [
        ("console.css", "text/css; charset=utf-8"),
        ("console.js", "text/javascript; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let r = c.get(&format!("/console/static/{name}"), None, "").await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert_eq!(r.headers.get("content-type").unwrap(), ct);
        assert_eq!(
            r.headers.get("cache-control").unwrap(),
            "public, max-age=86400"
        );
    }
    let r = c.get("/console/static/../Cargo.toml", None, "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn html_in_names_and_notes_is_escaped() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c
        .customer(
            "<script>alert(1)</script> Sari",
            "<img src=x onerror=alert(2)> <b>VIP</b>",
        )
        .await;
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&admin), "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<img src=x"), "{}", r.body);
    assert!(!r.body.contains("<b>VIP"));
    assert!(
        r.body.contains("&#60;img src=x onerror=alert(2)&#62;") || r.body.contains("&lt;img src=x")
    );
    assert!(!r.body.contains("<script>alert"));
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let uri = format!("/console/customers/{id}/notes");
    // Missing token.
    let r = c
        .post(&uri, Some(&admin), "", &form(&[("note", "hi")]))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Formulir ini kedaluwarsa"), "{}", r.body);
    assert_console_headers(&r, "csrf page");
    // Wrong token.
    let r = c
        .post(
            &uri,
            Some(&admin),
            "",
            &form(&[("csrf_token", "x".repeat(43).as_str()), ("note", "hi")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The right token works, and nothing was written by the refused ones.
    let r = c
        .post(
            &uri,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("note", "hello")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let view =
        c.h.vault
            .reader(&c.h.admin())
            .await
            .unwrap()
            .get(id)
            .await
            .unwrap();
    let notes = view.notes.unwrap();
    assert!(notes.ends_with("hello") && !notes.contains("hi\n") && notes.matches(']').count() == 1);
    // Sign-in forms use the pre-session cookie: no cookie, no login.
    let r = c
        .post(
            "/console/login",
            None,
            "",
            &form(&[("csrf_token", "abc"), ("email", "a@b.c"), ("password", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn oversized_forms_and_fields_get_a_localized_page() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let uri = format!("/console/customers/{id}/notes");
    let big = "x".repeat(100 * 1024);
    let r = c
        .post(
            &uri,
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("note", &big)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("terlalu besar"), "{}", r.body);
    let long = "y".repeat(5000);
    let r = c
        .post(
            &uri,
            Some(&admin),
            "__Host-jaga_lang=en",
            &form(&[("csrf_token", &admin.csrf), ("note", &long)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("at most 4000 characters"), "{}", r.body);
    // An invalid phone in the edit form: the core's rule, the member's language.
    let r = c
        .post(
            &format!("/console/customers/{id}/edit"),
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("phone", "12")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("bukan nomor telepon yang valid"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_card_number_in_a_note_is_refused_and_shown_masked() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let r = c
        .post(
            &format!("/console/customers/{id}/notes"),
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("note", "refund ke 4111 1111 1111 1111 ya"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("4111 1111 1111 1111"));
    assert!(r.body.contains("•••• •••• •••• 1111"), "{}", r.body);
    assert!(
        r.body
            .contains("Nomor kartu pembayaran tidak boleh disimpan")
    );
    let view =
        c.h.vault
            .reader(&c.h.admin())
            .await
            .unwrap()
            .get(id)
            .await
            .unwrap();
    assert_eq!(view.notes.as_deref().unwrap_or(""), "");
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_changes_the_page() {
    let c = console().await;
    let first = c.get("/console/login", None, "").await;
    assert!(first.body.contains("<h1>Masuk</h1>"));
    let pre = first
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("__Host-jaga_pre="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("pre-session cookie");
    let r = c
        .post(
            "/console/lang",
            None,
            &format!("__Host-jaga_pre={pre}"),
            &form(&[
                ("csrf_token", &pre),
                ("lang", "en"),
                ("back", "/console/login"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get("location").unwrap(), "/console/login");
    let set = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set.starts_with("__Host-jaga_lang=en;") && set.contains("SameSite=Strict"));
    let en = c.get("/console/login", None, "__Host-jaga_lang=en").await;
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("<h1>Sign in</h1>"));
    // An open redirect is not possible through `back`.
    let r = c
        .post(
            "/console/lang",
            None,
            &format!("__Host-jaga_pre={pre}"),
            &form(&[
                ("csrf_token", &pre),
                ("lang", "id"),
                ("back", "https://evil.example/"),
            ]),
        )
        .await;
    assert_eq!(r.headers.get("location").unwrap(), "/console/");
    // Without the token the switch is refused.
    let r = c
        .post(
            "/console/lang",
            None,
            &format!("__Host-jaga_pre={pre}"),
            &form(&[("lang", "en")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A page requested with extra headers (no session).
async fn get_with(c: &Console, uri: &str, cookies: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = Request::builder().uri(uri).header("cookie", cookies);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    c.send(req.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_first_visit_honours_accept_language_until_a_choice_is_stored() {
    use jaga_console::web::LANG_COOKIE as LANG;
    let c = console().await;
    let english =
        |r: &Resp| r.body.contains("<html lang=\"en\">") && r.body.contains("<h1>Sign in</h1>");
    let indonesian =
        |r: &Resp| r.body.contains("<html lang=\"id\">") && r.body.contains("<h1>Masuk</h1>");
    // No stored choice: the browser's preference decides, on every console page.
    for (header, want_en) in [
        ("en-US,en;q=0.9", true),
        ("fr-FR, en;q=0.5", true),
        ("id-ID,id;q=0.9,en;q=0.8", false),
        ("en;q=0.4, id;q=0.6", false),
        ("de, fr", false),
        ("en;q=0", false),
        ("en;q=7", false),
        ("*", false),
    ] {
        let r = get_with(&c, "/console/login", "", &[("accept-language", header)]).await;
        assert_eq!(r.status, StatusCode::OK, "{header}");
        assert!(
            if want_en { english(&r) } else { indonesian(&r) },
            "{header}"
        );
        // The preference is only honoured, never stored: no language cookie is set.
        assert!(
            r.headers
                .get_all("set-cookie")
                .iter()
                .all(|v| !v.to_str().unwrap().starts_with(&format!("{LANG}="))),
            "{header}"
        );
    }
    // The error pages (a 404 here) follow it too.
    let r = get_with(&c, "/console/nope", "", &[("accept-language", "en")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<html lang=\"en\">"));
    // A stored choice wins over the browser's preference, both ways.
    let r = get_with(
        &c,
        "/console/login",
        &format!("{LANG}=id"),
        &[("accept-language", "en")],
    )
    .await;
    assert!(indonesian(&r));
    let r = get_with(
        &c,
        "/console/login",
        &format!("{LANG}=en"),
        &[("accept-language", "id")],
    )
    .await;
    assert!(english(&r));
    // A cookie that names no language is no choice.
    let r = get_with(
        &c,
        "/console/login",
        &format!("{LANG}=fr"),
        &[("accept-language", "en")],
    )
    .await;
    assert!(english(&r));
    // Hostile headers: oversized, non-UTF-8, full of separators: the default, never an error.
    let huge = format!("{}en", "xx;q=0.1,".repeat(500));
    let r = get_with(&c, "/console/login", "", &[("accept-language", &huge)]).await;
    assert!(indonesian(&r));
    let req = Request::builder()
        .uri("/console/login")
        .header(
            "accept-language",
            axum::http::HeaderValue::from_bytes(b"en\xff").unwrap(),
        )
        .body(Body::empty())
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(indonesian(&r));
    let r = get_with(
        &c,
        "/console/login",
        "",
        &[("accept-language", ",;,;q=;;,")],
    )
    .await;
    assert!(indonesian(&r));
}

#[tokio::test]
async fn role_escalation_through_forms_is_refused() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    // cs_staff cannot invite, change roles or see the staff page.
    let r = c
        .post(
            "/console/staff/invite",
            Some(&cs),
            "",
            &form(&[
                ("csrf_token", &cs.csrf),
                ("email", "evil@example.com"),
                ("role", "admin"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post(
            &format!("/console/staff/{}/role", cs.caller.id()),
            Some(&cs),
            "",
            &form(&[("csrf_token", &cs.csrf), ("role", "admin")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.get("/console/staff", Some(&cs), "").await.status,
        StatusCode::FORBIDDEN
    );
    // cs_staff has no reveal.
    let id = c.customer("Dewi Sari", "").await;
    let page = c
        .get(&format!("/console/customers/{id}"), Some(&cs), "")
        .await;
    assert!(page.body.contains("d***@gmail.com") && !page.body.contains("reveal-form"));
    let r = c
        .post(
            &format!("/console/customers/{id}/reveal"),
            Some(&cs),
            "",
            &form(&[
                ("csrf_token", &cs.csrf),
                ("field", "email"),
                ("purpose", "refund"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("dewi.sari@gmail.com"));
    // An admin cannot invent a role or change their own.
    let r = c
        .post(
            "/console/staff/invite",
            Some(&admin),
            "",
            &form(&[
                ("csrf_token", &admin.csrf),
                ("email", "x@toko.example"),
                ("role", "superadmin"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Peran tidak dikenal"));
    let r = c
        .post(
            &format!("/console/staff/{}/role", admin.caller.id()),
            Some(&admin),
            "",
            &form(&[("csrf_token", &admin.csrf), ("role", "cs_staff")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("tidak dapat mengubah peran"));
}
