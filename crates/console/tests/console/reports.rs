//! The console's access reports: who accessed a customer (with the letter as a file), one staff
//! member's activity, the access review; who may see them, bad input, and their own audit.

use super::*;

async fn customer_code(c: &Console, id: uuid::Uuid) -> String {
    let found = c.h.store.customer_load(id).await.unwrap().unwrap();
    found.row.code
}

fn header<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers.get(name).unwrap().to_str().unwrap()
}

#[tokio::test]
async fn reports_show_accesses_activity_and_the_review_without_pii() {
    let c = console().await;
    let admin = c.admin().await;
    let id = c.customer("Dewi Sari", "").await;
    let code = customer_code(&c, id).await;

    let r = c.get("/console/audit/reports", Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"report-customer\""));

    // Who accessed the customer: the creation is listed; no value is shown.
    let uri = format!(
        "/console/audit/reports?report=customer&code={}&shop=Toko+Cantik",
        code.to_lowercase()
    );
    let r = c.get(&uri, Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"customer-report\""));
    assert!(r.body.contains("customer.create"), "{}", r.body);
    for pii in ["Dewi Sari", "dewi.sari@gmail.com", "081234567890"] {
        assert!(!r.body.contains(pii), "{pii} shown");
    }

    // The letter, in both languages, as a file.
    for (lang, words) in [("id", "Perihal"), ("en", "Dear customer")] {
        let uri = format!("/console/audit/reports/letter?code={code}&lang={lang}&shop=Toko+Cantik");
        let r = c.get(&uri, Some(&admin), "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(header(&r, "content-type").starts_with("text/plain"));
        assert!(header(&r, "content-disposition").contains(&format!("access-{code}-{lang}.txt")));
        assert!(r.body.contains(words) && r.body.contains("Toko Cantik") && r.body.contains(&code));
        assert!(!r.body.contains("Dewi Sari"));
    }
    let r = c
        .get(
            &format!("/console/audit/reports/letter?code={code}&lang=fr"),
            Some(&admin),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = c
        .get(
            "/console/audit/reports?report=customer&code=NOPE-0000",
            Some(&admin),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("id=\"customer-report\""));

    // One staff member's activity: the admin's own sign-up is in it.
    let uri = format!(
        "/console/audit/reports?report=staff&actor={}",
        admin.caller.id()
    );
    let r = c.get(&uri, Some(&admin), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"failed-logins\""));
    assert!(r.body.contains("staff.agreement.accept"), "{}", r.body);
    let me = &admin.caller.id();
    for bad in [
        format!("actor={me}&from=2026-02-30"),
        format!("actor={me}&from=2026-11-22&to=2026-11-01"),
        "actor=".to_string(),
    ] {
        let uri = format!("/console/audit/reports?report=staff&{bad}");
        let r = c.get(&uri, Some(&admin), "").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(!r.body.contains("id=\"staff-report\""), "{bad}");
    }

    // The access review.
    let r = c
        .get("/console/audit/reports?report=review", Some(&admin), "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"review-report\""));
    let r = c
        .get("/console/audit/reports?report=other", Some(&admin), "")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Each report read is itself in the log.
    let leaves: Vec<String> =
        c.h.store
            .audit_events(0, 100_000)
            .await
            .unwrap()
            .iter()
            .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
            .filter(|l| l.contains("\"audit.read\""))
            .collect();
    for what in ["report.customer", "report.review"] {
        assert!(leaves.iter().any(|l| l.contains(what)), "{what} audited");
    }
}

#[tokio::test]
async fn reports_are_refused_to_roles_without_audit_read() {
    let c = console().await;
    let admin = c.admin().await;
    let cs = c
        .member(&admin, Role::CsStaff, "cs@toko.example", true)
        .await;
    let id = c.customer("Dewi Sari", "").await;
    let code = customer_code(&c, id).await;
    for uri in [
        "/console/audit/reports".to_string(),
        format!("/console/audit/reports?report=customer&code={code}"),
        format!("/console/audit/reports/letter?code={code}&lang=id"),
    ] {
        let r = c.get(&uri, Some(&cs), "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(
            !r.body.contains("Perihal") && !r.body.contains("customer.create"),
            "{uri}: no report content"
        );
    }
    let r = c.get("/console/audit", Some(&admin), "").await;
    assert!(r.body.contains("id=\"reports-link\""));
}

/// A customer in `segment`, created by the shop (not by a staff member): its id and code.
async fn customer_in_segment(c: &Console, name: &str, segment: &str) -> (uuid::Uuid, String) {
    let admin = c.h.admin();
    let w = c.h.vault.writer(&admin).await.unwrap();
    let created = w
        .create(&NewCustomer {
            full_name: name.into(),
            email: Some("dewi.sari@gmail.com".into()),
            segment: Some(segment.into()),
            ..serde_json::from_str(r#"{"full_name":"x"}"#).unwrap()
        })
        .await
        .unwrap();
    (created.id, created.code)
}

/// Denied events of `action` naming `customer` with the field `segment`.
async fn segment_denials(c: &Console, action: &str, customer: uuid::Uuid) -> usize {
    c.audit_lines()
        .await
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l[1..]).ok())
        .filter(|v| {
            v["action"] == action
                && v["outcome"] == "denied"
                && v["customer_id"] == customer.to_string().as_str()
                && v["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x == "segment"))
        })
        .count()
}

#[tokio::test]
async fn a_restricted_auditors_report_and_letter_hide_another_segment() {
    let c = console().await;
    let admin = c.admin().await;
    let aud = c
        .in_segments(&admin, Role::Auditor, "aud-bdg@toko.example", &["bandung"])
        .await;
    let (own, own_code) = customer_in_segment(&c, "Dewi Bandung", "bandung").await;
    let (other, other_code) = customer_in_segment(&c, "Dewi Medan", "medan").await;
    let report = |code: &str| format!("/console/audit/reports?report=customer&code={code}");
    let letter = |code: &str| format!("/console/audit/reports/letter?code={code}&lang=id");

    // Positive control: the auditor's own segment.
    let r = c.get(&report(&own_code), Some(&aud), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"customer-report\""));
    let r = c.get(&letter(&own_code), Some(&aud), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&own_code));

    // Another segment's customer answers exactly like an unknown code, and is audited.
    let unknown = c.get(&report("JG-ZZZZ-ZZZZ-Z"), Some(&aud), "").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.get(&report(&other_code), Some(&aud), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.body.contains("id=\"customer-report\""));
    assert!(!r.body.contains(&other.to_string()));
    assert_eq!(segment_denials(&c, "audit.read", other).await, 1);
    let r = c.get(&letter(&other_code), Some(&aud), "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(!r.body.contains(&other_code) && !r.body.contains("Dewi"));
    assert_eq!(segment_denials(&c, "audit.read", other).await, 2);
    assert_eq!(segment_denials(&c, "audit.read", own).await, 0);

    // An unrestricted auditor gets both.
    let all = c
        .member(&admin, Role::Auditor, "aud@toko.example", true)
        .await;
    let r = c.get(&letter(&other_code), Some(&all), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
