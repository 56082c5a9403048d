//! Segment isolation on the console's customer requests page: a member restricted to one
//! segment sees, records and closes only requests of customers in it. Another segment's request
//! is left out of the list, its customer's code is answered like an unknown code, and closing
//! its request answers 404 — each hidden attempt audited as a denial with the field `segment`,
//! each next to a positive control on the member's own segment.

use super::*;

/// A customer in `segment`: `(id, code)`.
async fn customer_in(c: &Console, name: &str, segment: &str) -> (uuid::Uuid, String) {
    let system = c.h.admin();
    let w = c.h.vault.writer(&system).await.unwrap();
    let created = w
        .create(&NewCustomer {
            full_name: name.into(),
            segment: Some(segment.into()),
            ..serde_json::from_str(r#"{"full_name":"x"}"#).unwrap()
        })
        .await
        .unwrap();
    (created.id, created.code)
}

/// A request recorded by the system for customer `id`.
async fn request_for(c: &Console, id: uuid::Uuid) -> uuid::Uuid {
    c.h.vault
        .requests(&c.h.admin())
        .await
        .unwrap()
        .record(
            &jaga_core::vault::NewRequest {
                customer_id: id,
                kind: jaga_core::requests::RequestKind::Access,
                channel: jaga_core::requests::Channel::Email,
                received_at: None,
            },
            jaga_core::now_ms(),
        )
        .await
        .unwrap()
        .id
}

/// Denied `action` events naming `customer` (when given) with the field `segment`.
async fn segment_denials(c: &Console, action: &str, customer: Option<uuid::Uuid>) -> usize {
    let head = c.h.store.audit_head().await.unwrap();
    c.h.store
        .audit_events(0, head.size as u32)
        .await
        .unwrap()
        .iter()
        .map(|e| serde_json::from_slice::<serde_json::Value>(&e.leaf[1..]).unwrap())
        .filter(|v| {
            v["action"] == action
                && v["outcome"] == "denied"
                && v["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x == "segment"))
                && customer.is_none_or(|id| v["customer_id"] == id.to_string().as_str())
        })
        .count()
}

#[tokio::test]
async fn the_requests_page_keeps_another_segments_requests_out_and_audits_the_attempts() {
    let c = console().await;
    let admin = c.admin().await;
    let inv = c
        .state
        .staff
        .invite(
            &admin.caller,
            &jaga_core::staff::NewInvitation {
                email: "mgr-jkt@toko.example".into(),
                role: Role::CsManager,
                segments: vec!["jakarta".into()],
            },
        )
        .await
        .unwrap();
    let m = c
        .onboard(inv.token.expose_secret(), "mgr-jkt@toko.example", true)
        .await;
    let own = customer_in(&c, "Dewi Sari", "jakarta").await;
    let other = customer_in(&c, "Budi Santoso", "surabaya").await;
    let own_req = request_for(&c, own.0).await;
    let other_req = request_for(&c, other.0).await;

    // The list: the own segment's request (and code) only; an unrestricted admin sees both.
    let r = c.get("/console/requests?all=1", Some(&m), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&own.1), "own request listed: {}", r.body);
    assert!(!r.body.contains(&other.1), "{}", r.body);
    assert!(!r.body.contains(&other_req.to_string()), "{}", r.body);
    let r = c.get("/console/requests?all=1", Some(&admin), "").await;
    assert!(r.body.contains(&own.1) && r.body.contains(&other.1));

    // Recording by code: the own customer's works; the other's is answered like an unknown
    // code (the same message), the hidden match audited, nothing recorded.
    let record = |code: &str| {
        form(&[
            ("csrf_token", &m.csrf),
            ("code", code),
            ("kind", "erasure"),
            ("channel", "whatsapp"),
        ])
    };
    let r = c
        .post("/console/requests", Some(&m), "", &record(&own.1))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "own segment: {}", r.body);
    let unknown = c
        .post("/console/requests", Some(&m), "", &record("JG-AAAA-AAAA-A"))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let hidden = c
        .post("/console/requests", Some(&m), "", &record(&other.1))
        .await;
    assert_eq!(
        hidden.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        hidden.body
    );
    let message = |body: &str| {
        let at = body
            .find("id=\"requests-error\"")
            .expect("an error message");
        body[at..at + body[at..].find("</").unwrap()].to_string()
    };
    assert_eq!(message(&hidden.body), message(&unknown.body));
    assert_eq!(
        segment_denials(&c, "customer.lookup", Some(other.0)).await,
        1,
        "the hidden match is audited"
    );
    let all =
        c.h.vault
            .requests(&c.h.admin())
            .await
            .unwrap()
            .list(false)
            .await
            .unwrap();
    let for_other = all.iter().filter(|r| r.customer_id == other.0).count();
    assert_eq!(for_other, 1, "nothing recorded for the other segment");

    // Closing: the other segment's request is not found, audited, and stays open; the own one
    // closes.
    let close = form(&[
        ("csrf_token", &m.csrf),
        ("status", "done"),
        ("outcome", "answered"),
    ]);
    let r = c
        .post(
            &format!("/console/requests/{other_req}/close"),
            Some(&m),
            "",
            &close,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let unknown = c
        .post(
            &format!("/console/requests/{}/close", uuid::Uuid::new_v4()),
            Some(&m),
            "",
            &close,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(segment_denials(&c, "request.close", Some(other.0)).await, 1);
    let row = c.h.store.request_get(other_req).await.unwrap().unwrap();
    assert_eq!(row.status, jaga_core::requests::RequestStatus::Open);
    let r = c
        .post(
            &format!("/console/requests/{own_req}/close"),
            Some(&m),
            "",
            &close,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "own segment: {}", r.body);
    let row = c.h.store.request_get(own_req).await.unwrap().unwrap();
    assert_eq!(row.status, jaga_core::requests::RequestStatus::Done);
}
