//! Smaller leaks (issue 10), through the console and the API with a staff session: no lookup by
//! a field the role cannot see, searches posted (never in a URL), the agreement gate on the
//! audit pages, `/v1/redact` and the activity page, a segment manager's team view, and the
//! per-member lookup rate limit.

use super::*;
use jaga_core::vault::LookupLimits;

const NIK: &str = "3174011205900001";

impl Console {
    async fn customer_in(&self, name: &str, segment: &str) -> (uuid::Uuid, String) {
        let admin = self.h.admin();
        let w = self.h.vault.writer(&admin).await.unwrap();
        let c = w
            .create(&NewCustomer {
                full_name: name.into(),
                email: Some("dewi.sari@gmail.com".into()),
                phone: Some("081234567890".into()),
                national_id: Some(NIK.into()),
                segment: Some(segment.into()),
                ..serde_json::from_str(r#"{"full_name":"x"}"#).unwrap()
            })
            .await
            .unwrap();
        (c.id, c.code)
    }

    pub(super) async fn audit_lines(&self) -> Vec<String> {
        self.h
            .store
            .audit_events(0, 1_000_000)
            .await
            .unwrap()
            .iter()
            .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
            .collect()
    }

    async fn search(&self, m: &Member, kind: &str, q: &str) -> Resp {
        self.post(
            "/console/customers",
            Some(m),
            "",
            &form(&[("csrf_token", &m.csrf), ("kind", kind), ("q", q)]),
        )
        .await
    }
}

#[tokio::test]
async fn a_role_cannot_look_up_by_a_field_it_cannot_see() {
    let c = console().await;
    let admin = c.admin().await;
    let (id, code) = c.customer_in("Dewi Sari", "default").await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let fin = c
        .member(&admin, Role::Finance, "fin@toko.example", true)
        .await;
    let before = c.audit_lines().await.len();
    // Every spelling of the NIK, valid or not: refused before the index is touched.
    let variants = [
        NIK.to_string(),
        "3174 0112 0590 0001".into(),
        "3174-0112-0590-0001".into(),
        format!(" {NIK} "),
        "1234".into(),
    ];
    for m in [&cs, &fin] {
        for v in &variants {
            let uri = format!("/v1/customers?national_id={}", v.replace(' ', "%20"));
            let r = c.get(&uri, Some(m), "").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
            assert!(r.body.contains("field_not_visible"), "{}", r.body);
            assert!(!r.body.contains(&code) && !r.body.contains(&id.to_string()));
            // The console's search refuses it the same way.
            let r = c.search(m, "nik", v).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "console nik {v}");
            assert!(!r.body.contains(&code) && !r.body.contains(&id.to_string()));
        }
    }
    let new = &c.audit_lines().await[before..];
    assert!(
        new.iter().all(|l| !l.contains(&id.to_string())),
        "no candidate was read or even named"
    );
    let denied = new
        .iter()
        .filter(|l| {
            l.contains("\"customer.lookup\"")
                && l.contains("\"denied\"")
                && l.contains("\"field_view\"")
                && l.contains("\"national_id\"")
        })
        .count();
    assert_eq!(denied, 2 * 2 * variants.len(), "each refusal is audited");
    // Fields the role does see still work (finance sees e-mail masked), as does the admin's NIK.
    let r = c.search(&fin, "email", "dewi.sari@gmail.com").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&code));
    let r = c
        .get(
            &format!("/v1/customers?national_id={NIK}"),
            Some(&admin),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&code));
}

#[tokio::test]
async fn console_searches_are_posted_and_never_read_from_the_url() {
    let c = console().await;
    let admin = c.admin().await;
    let (id, code) = c.customer_in("Dewi Sari", "default").await;
    let before = c.audit_lines().await.len();
    // An old bookmark or a crafted link: nothing is searched, nothing echoed.
    for uri in [
        "/console/customers?kind=email&q=dewi.sari%40gmail.com".to_string(),
        format!("/console/customers?kind=nik&q={NIK}"),
        format!("/console/customers?kind=code&q={code}"),
    ] {
        let r = c.get(&uri, Some(&admin), "").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("id=\"results\""), "{uri}");
        assert!(!r.body.contains("dewi.sari") && !r.body.contains(NIK));
        assert!(!r.body.contains(&id.to_string()));
        assert!(
            r.body
                .contains("method=\"post\" action=\"/console/customers\"")
        );
    }
    assert!(
        c.audit_lines().await[before..]
            .iter()
            .all(|l| !l.contains("customer.lookup")),
        "a GET never looks anything up"
    );
    // The form posts with the CSRF token; without it nothing is searched.
    let r = c
        .post(
            "/console/customers",
            Some(&admin),
            "",
            &form(&[("kind", "email"), ("q", "dewi.sari@gmail.com")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains(&code));
    for (kind, q) in [
        ("email", "dewi.sari@gmail.com"),
        ("nik", NIK),
        ("phone", "+62 812 3456 7890"),
        ("code", code.as_str()),
    ] {
        let r = c.search(&admin, kind, q).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}");
        assert!(r.body.contains("id=\"results\""), "{kind}");
        assert!(
            r.body
                .contains(&format!("href=\"/console/customers/{id}\""))
        );
        // No URL on the results page carries the search term.
        for attr in r.body.split(['"', '\'']).filter(|s| s.starts_with('/')) {
            assert!(
                !attr.contains("q=") && !attr.contains("%40") && !attr.contains(NIK),
                "{attr}"
            );
        }
    }
}

#[tokio::test]
async fn the_agreement_gate_covers_audit_redact_and_activity() {
    let c = console().await;
    let admin = c.admin().await;
    let fresh = c
        .member(&admin, Role::Admin, "admin2@toko.example", false)
        .await;
    c.customer_in("Dewi Sari", "default").await;
    for uri in [
        "/v1/audit/checkpoint",
        "/v1/audit/events/0",
        "/v1/audit/reports/review",
        "/v1/audit/reports/customer?code=JG-0000-0000-0",
        "/v1/audit/proof/consistency?first=1&second=2",
    ] {
        let r = c.get(uri, Some(&fresh), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
        assert!(r.body.contains("agreement_required"), "{uri}: {}", r.body);
        assert!(!r.body.contains("Dewi"));
    }
    let redact = |m: &Member| {
        Request::builder()
            .method("POST")
            .uri("/v1/redact")
            .header("cookie", format!("{SESSION_COOKIE}={}", m.cookie))
            .header("x-csrf-token", m.csrf.clone())
            .header("content-type", "application/json")
            .body(Body::from(r#"{"text":"NIK 3174011205900001"}"#))
            .unwrap()
    };
    let r = c.send(redact(&fresh)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("agreement_required"));
    for uri in [
        "/console/activity",
        "/console/audit",
        "/console/audit/reports",
        "/console/audit/checkpoint",
    ] {
        let r = c.get(uri, Some(&fresh), "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(r.headers["location"], "/console/agreement", "{uri}");
    }
    assert!(
        c.audit_lines()
            .await
            .iter()
            .any(|l| l.contains("\"text.redact\"") && l.contains("\"agreement\"")),
        "the refused redaction is audited"
    );
    // Accepted: the same calls work.
    let r = c.send(redact(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains(NIK));
    let r = c.get("/console/activity", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_segment_managers_team_view_leaves_out_other_segments() {
    let c = console().await;
    let admin = c.admin().await;
    let (jkt, _) = c.customer_in("Pelanggan Jakarta", "jakarta").await;
    let (bdg, _) = c.customer_in("Pelanggan Bandung", "bandung").await;
    // A CS member who sees every segment, and one in both, read both customers.
    let everywhere = c
        .member(&admin, Role::CsStaff, "all@toko.example", true)
        .await;
    let both = c
        .in_segments(
            &admin,
            Role::CsStaff,
            "both@toko.example",
            &["jakarta", "bandung"],
        )
        .await;
    for m in [&everywhere, &both] {
        for id in [jkt, bdg] {
            let r = c
                .get(&format!("/console/customers/{id}"), Some(m), "")
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
    }
    let boss = c
        .in_segments(&admin, Role::CsManager, "mgr@toko.example", &["bandung"])
        .await;
    let team = c
        .state
        .vault
        .team_activity(&boss.caller, 5_000, 1_000)
        .await
        .unwrap();
    let customers: Vec<String> = team
        .iter()
        .filter_map(|t| t.event.customer_id.clone())
        .collect();
    assert!(customers.contains(&bdg.to_string()), "own segment shown");
    assert!(
        !customers.contains(&jkt.to_string()),
        "another segment's customer is not shown, whoever looked"
    );
    let r = c.get("/console/activity", Some(&boss), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&bdg.to_string()));
    assert!(!r.body.contains(&jkt.to_string()));
    assert!(!r.body.contains(&jkt.to_string()[..8]));
    // An unrestricted manager still sees both.
    let all = c
        .member(&admin, Role::CsManager, "boss@toko.example", true)
        .await;
    let r = c.get("/console/activity", Some(&all), "").await;
    assert!(r.body.contains(&jkt.to_string()) && r.body.contains(&bdg.to_string()));
}

#[tokio::test]
async fn a_members_lookups_are_rate_limited_across_console_and_api() {
    let c = console().await;
    c.h.vault.set_lookup_limits(LookupLimits {
        api_key_per_minute: 100,
        staff_per_minute: 3,
    });
    let admin = c.admin().await;
    let (_, code) = c.customer_in("Dewi Sari", "default").await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    for _ in 0..3 {
        assert_eq!(c.search(&cs, "code", &code).await.status, StatusCode::OK);
    }
    let r = c.search(&cs, "email", "dewi.sari@gmail.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    assert!(!r.body.contains(&code));
    // The same member through the API: the same allowance.
    let r = c
        .get(&format!("/v1/customers?code={code}"), Some(&cs), "")
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("rate_limited"));
    // Another member is not affected.
    assert_eq!(c.search(&admin, "code", &code).await.status, StatusCode::OK);
    assert!(
        c.audit_lines()
            .await
            .iter()
            .any(|l| l.contains(cs.caller.id()) && l.contains("rate_limit")),
        "the refusal is audited"
    );
}
