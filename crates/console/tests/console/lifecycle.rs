//! Issue 15 in the console: the customer requests page (open requests with due dates, overdue
//! highlighted, record by code, close once; both languages; CSRF; roles) and the access export
//! button on the customer page (purpose, step-up, attachment, roles).

use super::*;

/// Every audit event's action and outcome.
async fn actions(c: &Console) -> Vec<(String, String)> {
    let store = &c.h.store;
    let head = store.audit_head().await.unwrap();
    store
        .audit_events(0, head.size as u32)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            let v: serde_json::Value = serde_json::from_slice(&e.leaf[1..]).unwrap();
            (
                v["action"].as_str().unwrap_or("").to_string(),
                v["outcome"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A request recorded four days ago (overdue) for customer `id`, by the system.
async fn late_request(c: &Console, id: uuid::Uuid) {
    let ops = jaga_core::auth::Caller::for_tests(
        jaga_core::auth::ActorKind::System,
        "ops",
        &[
            jaga_core::auth::Scope::RequestsRead,
            jaga_core::auth::Scope::RequestsWrite,
        ],
    );
    c.h.vault
        .requests(&ops)
        .await
        .unwrap()
        .record(
            &jaga_core::vault::NewRequest {
                customer_id: id,
                kind: jaga_core::requests::RequestKind::Erasure,
                channel: jaga_core::requests::Channel::Whatsapp,
                received_at: Some(jaga_core::now_ms() - 96 * 3_600_000),
            },
            jaga_core::now_ms(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn requests_are_listed_recorded_and_closed_in_both_languages() {
    let c = console().await;
    let admin = c.admin().await;
    let m = c
        .member(&admin, Role::CsManager, "mgr@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    let code =
        c.h.vault
            .reader(&c.h.admin())
            .await
            .unwrap()
            .get(id)
            .await
            .unwrap()
            .code;
    late_request(&c, id).await;

    // The list: overdue highlighted, in Indonesian by default and in English by cookie.
    let r = c.get("/console/requests", Some(&m), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_console_headers(&r, "requests page");
    assert!(r.body.contains("Permintaan pelanggan"), "{}", r.body);
    assert!(r.body.contains("class=\"request overdue\""), "{}", r.body);
    assert!(r.body.contains("TERLAMBAT") && r.body.contains("penghapusan"));
    assert!(r.body.contains(&code), "the customer's code links the row");
    assert!(!r.body.contains("dewi.sari@gmail.com") && !r.body.contains("Dewi Sari"));
    let en = c
        .get("/console/requests", Some(&m), "__Host-jaga_lang=en")
        .await;
    assert!(
        en.body.contains("OVERDUE") && en.body.contains("erasure"),
        "{}",
        en.body
    );
    assert!(en.body.contains("1 request(s) overdue"));

    // Record one by code (lower case is fine): redirected with its due date.
    let r = c
        .post(
            "/console/requests",
            Some(&m),
            "",
            &form(&[
                ("csrf_token", &m.csrf),
                ("code", &code.to_lowercase()),
                ("kind", "access"),
                ("channel", "email"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(to.starts_with("/console/requests?done=recorded:"), "{to}");
    let r = c.get(&to, Some(&m), "").await;
    assert!(r.body.contains("Permintaan dicatat"), "{}", r.body);
    assert!(r.body.contains("akses (salinan data)"));
    // An unknown code or kind: the form again with a message, nothing recorded.
    for (code, kind) in [("JG-AAAA-AAAA-A", "access"), (code.as_str(), "delete_all")] {
        let r = c
            .post(
                "/console/requests",
                Some(&m),
                "",
                &form(&[
                    ("csrf_token", &m.csrf),
                    ("code", code),
                    ("kind", kind),
                    ("channel", "email"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("id=\"requests-error\""));
    }
    // Without the CSRF token: refused.
    let r = c
        .post(
            "/console/requests",
            Some(&m),
            "",
            &form(&[("code", &code), ("kind", "access"), ("channel", "email")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let open =
        c.h.vault
            .requests(&c.h.admin())
            .await
            .unwrap()
            .list(true)
            .await
            .unwrap();
    assert_eq!(open.len(), 2, "only the one good form recorded a request");

    // Close the overdue one; closing it again says so.
    let late = open
        .iter()
        .find(|r| r.kind == jaga_core::requests::RequestKind::Erasure)
        .unwrap();
    let uri = format!("/console/requests/{}/close", late.id);
    let f = form(&[
        ("csrf_token", &m.csrf),
        ("status", "done"),
        ("outcome", "erased"),
    ]);
    let r = c.post(&uri, Some(&m), "", &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get("/console/requests", Some(&m), "").await;
    assert!(!r.body.contains("TERLAMBAT"), "closed: no longer overdue");
    let r = c.post(&uri, Some(&m), "", &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("sudah ditutup"), "{}", r.body);
    let all = c.get("/console/requests?all=1", Some(&m), "").await;
    assert!(all.body.contains("selesai · data dihapus"), "{}", all.body);
    let acts = actions(&c).await;
    assert!(acts.iter().any(|(a, o)| a == "request.record" && o == "ok"));
    assert!(acts.iter().any(|(a, o)| a == "request.close" && o == "ok"));
}

#[tokio::test]
async fn roles_without_requests_scopes_are_refused_and_audited() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    late_request(&c, id).await;
    let r = c.get("/console/requests", Some(&cs), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("TERLAMBAT"));
    let home = c.get("/console/customers", Some(&cs), "").await;
    assert!(
        !home.body.contains("href=\"/console/requests\""),
        "no nav entry"
    );
    let r = c
        .post(
            "/console/requests",
            Some(&cs),
            "",
            &form(&[
                ("csrf_token", &cs.csrf),
                ("code", "JG-AAAA-AAAA-A"),
                ("kind", "access"),
                ("channel", "email"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        actions(&c)
            .await
            .iter()
            .any(|(a, o)| a == "request.read" && o == "denied")
    );
    // The export button is not offered to cs_staff, and posting it is refused.
    let page = c
        .get(&format!("/console/customers/{id}"), Some(&cs), "")
        .await;
    assert!(!page.body.contains("id=\"export-form\""));
    let r = c
        .post(
            &format!("/console/customers/{id}/export"),
            Some(&cs),
            "",
            &form(&[("csrf_token", &cs.csrf), ("purpose", "access request")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("dewi.sari@gmail.com"));
    assert!(
        actions(&c)
            .await
            .iter()
            .any(|(a, o)| a == "customer.export" && o == "denied")
    );
}

#[tokio::test]
async fn the_export_button_asks_for_a_code_then_downloads_the_letter() {
    let c = console().await;
    let admin = c.admin().await;
    let m = c
        .member(&admin, Role::CsManager, "mgr@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "kulit sensitif").await;
    let page = c
        .get(&format!("/console/customers/{id}"), Some(&m), "")
        .await;
    assert!(page.body.contains("id=\"export-form\""), "{}", page.body);
    let uri = format!("/console/customers/{id}/export");
    // No purpose: the page again with the message.
    let r = c
        .post(
            &uri,
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf), ("purpose", " ")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Tulis alasan ekspor"), "{}", r.body);
    // A stale step-up: the code prompt, carrying the form, nothing exported.
    c.clock.advance(6 * 60_000);
    let fields = [
        ("csrf_token", m.csrf.as_str()),
        ("purpose", "permintaan akses REQ-9"),
        ("format", "html"),
        ("lang", "en"),
    ];
    let r = c.post(&uri, Some(&m), "", &form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"stepup_code\""), "{}", r.body);
    assert!(!r.body.contains("dewi.sari@gmail.com"));
    let code = c.code(&m.secret);
    let mut with_code = fields.to_vec();
    with_code.push(("stepup_code", &code));
    let r = c.post(&uri, Some(&m), "", &form(&with_code)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert!(
        r.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.body.contains("Your data") && r.body.contains("dewi.sari@gmail.com"),
        "{}",
        r.body
    );
    assert!(r.body.contains("kulit sensitif"));
    assert_eq!(
        r.headers.get("cache-control").unwrap().to_str().unwrap(),
        "no-store"
    );
    assert!(
        actions(&c)
            .await
            .iter()
            .any(|(a, o)| a == "customer.export" && o == "ok")
    );
}

/// Policy versions: a first version, an unchanged policy writes nothing, a staff-facing change
/// (a retention period) is a new version with its audit event and sends every member to accept
/// it before customer data (the agreement's gate), the policy page is readable before that, and
/// a change of wording only needs no acceptance.
#[tokio::test]
async fn a_staff_facing_policy_change_needs_acceptance_like_the_agreement() {
    use jaga_core::policy::{Category, Policy, PolicyFile, default_rule};
    let c = console().await;
    let admin = c.admin().await;
    let m = c
        .member(&admin, Role::CsManager, "mgr@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    let svc = &c.state.staff;
    let roles = jaga_core::staff::Policies::default();
    let base = Policy::from_file(PolicyFile::default()).unwrap();
    svc.set_policy_documents("<h1>Kebijakan</h1>".into(), "<h1>Policy</h1>".into());

    let count =
        |acts: &[(String, String)]| acts.iter().filter(|(a, _)| a == "policy.change").count();

    let v1 = svc
        .policy_observe(Some(b"# v1\n"), &base, &roles)
        .await
        .unwrap()
        .expect("a first version");
    assert_eq!((v1.n, v1.staff_facing), (1, false));
    assert_eq!(count(&actions(&c).await), 1);
    // Unchanged: nothing recorded, nothing audited.
    assert!(
        svc.policy_observe(Some(b"# v1\n"), &base, &roles)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(count(&actions(&c).await), 1);
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&m), "")
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "no acceptance needed for a first version"
    );

    // A retention period changes: staff-facing.
    let mut changed = base.clone();
    let mut rule = default_rule(Category::Identity);
    rule.retention_days += 30;
    changed.rules.insert(Category::Identity, rule);
    let v2 = svc
        .policy_observe(Some(b"# v2\n[categories.identity]\n"), &changed, &roles)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v2.n, v2.staff_facing), (2, true));
    assert_eq!(v2.changed, vec!["identity".to_string()]);
    assert_eq!(count(&actions(&c).await), 2);
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&m), "")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.headers.get("location").unwrap(), "/console/agreement");
    // The policy page is readable before accepting, in the reader's language, with history.
    let p = c.get("/console/policy", Some(&m), "").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_console_headers(&p, "policy page");
    assert!(p.body.contains("<h1>Kebijakan</h1>"), "{}", p.body);
    assert_eq!(p.body.matches("class=\"policy-version\"").count(), 2);
    assert!(p.body.contains("identity"));
    let p = c
        .get("/console/policy", Some(&m), "__Host-jaga_lang=en")
        .await;
    assert!(p.body.contains("<h1>Policy</h1>"));
    let page = c.get("/console/agreement", Some(&m), "").await;
    assert!(page.body.contains("versi 2"), "{}", page.body);
    let version = svc.agreement().version;
    assert!(version.ends_with("+policy-2"), "{version}");
    let r = c
        .post(
            "/console/agreement",
            Some(&m),
            "",
            &form(&[("csrf_token", &m.csrf), ("version", &version)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&m), "")
        .await;
    assert_eq!(r.status, StatusCode::OK, "accepted: customer data again");

    // Wording only: a new version, nobody has to accept again.
    let mut worded = changed.clone();
    let mut rule = default_rule(Category::Notes);
    rule.purpose_en = "Remembering what the customer told us".into();
    worded.rules.insert(Category::Notes, rule);
    let v3 = svc
        .policy_observe(Some(b"# v3\n"), &worded, &roles)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v3.n, v3.staff_facing), (3, false));
    let r = c
        .get(&format!("/console/customers/{id}"), Some(&m), "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The log holds the version and what changed, never the policy's text.
    let store = &c.h.store;
    let head = store.audit_head().await.unwrap();
    let log: String = store
        .audit_events(0, head.size as u32)
        .await
        .unwrap()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
        .collect();
    assert!(log.contains("changed:identity") && log.contains("staff_facing:true"));
    assert!(!log.contains("Remembering what the customer"));
}
