//! Segment isolation on every path a segment-restricted staff member can take to a customer:
//! read, reveal, update, orders (list and create), lookups by e-mail, phone, NIK and code,
//! creating a customer in another segment, token resolution, erasure and the customer access
//! report. Every refusal answers exactly like an unknown customer (404, or an empty lookup) and
//! is audited as a denied event naming the customer and the field `segment`; every refusal has a
//! positive control on the member's own segment, so a test cannot pass because the path is
//! broken for everyone.

use super::*;

/// A customer created by the system in `segment`: `(id, code)`.
async fn customer_with_code(e: &Env, marker: &str, n: u32, segment: &str) -> (String, String) {
    let mut c = marked_customer(marker, n);
    c.segment = Some(segment.into());
    let created =
        e.h.vault
            .writer(&e.h.admin())
            .await
            .unwrap()
            .create(&c)
            .await
            .unwrap();
    (created.id.to_string(), created.code)
}

/// Every audit event, decoded.
async fn events(e: &Env) -> Vec<Value> {
    let store = &e.h.store;
    let head = store.audit_head().await.unwrap();
    store
        .audit_events(0, head.size as u32)
        .await
        .unwrap()
        .iter()
        .map(|ev| serde_json::from_slice(&ev.leaf[1..]).unwrap())
        .collect()
}

/// Denied `action` events naming `customer` (when given) with the field `segment`.
async fn segment_denials(e: &Env, action: &str, customer: Option<&str>) -> usize {
    events(e)
        .await
        .iter()
        .filter(|v| {
            v["action"] == action
                && v["outcome"] == "denied"
                && v["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x == "segment"))
                && customer.is_none_or(|c| v["customer_id"] == c)
        })
        .count()
}

/// An admin restricted to `jakarta` (an admin holds every scope, so one member reaches every
/// path), stepped up, with a Jakarta and a Surabaya customer.
struct Setup {
    e: Env,
    s: Sess,
    own: (String, String),
    other: (String, String),
}

async fn setup() -> Setup {
    let e = env().await;
    let own = customer_with_code(&e, "Jkt", 3, "jakarta").await;
    let other = customer_with_code(&e, "Sby", 4, "surabaya").await;
    let mut s = e.member("adm-jkt@shop.id", Role::Admin, &["jakarta"]).await;
    e.step_up(&mut s).await;
    Setup { e, s, own, other }
}

#[tokio::test]
async fn reveal_of_another_segment_is_not_found_and_audited() {
    let Setup { e, s, own, other } = setup().await;
    let purpose = [("x-jaga-purpose", "ticket CS-77 alamat kirim")];
    let uri = |id: &str| format!("/v1/customers/{id}?reveal=email,phone");
    let (st, v, _) = e.call("GET", &uri(&own.0), Some(&s), None, &purpose).await;
    assert_eq!(st, StatusCode::OK, "own segment reveals: {v}");
    assert_eq!(v["email"], "jkt@example.co.id");
    let (st, v, _) = e
        .call("GET", &uri(&other.0), Some(&s), None, &purpose)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let unknown = uuid::Uuid::new_v4().to_string();
    let (st2, v2, _) = e
        .call("GET", &uri(&unknown), Some(&s), None, &purpose)
        .await;
    assert_eq!(st2, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], v2["code"], "same answer as an unknown id");
    assert!(!v.to_string().contains("sby@example.co.id"), "{v}");
    assert_eq!(
        segment_denials(&e, "customer.reveal", Some(&other.0)).await,
        1
    );
}

#[tokio::test]
async fn an_order_for_another_segments_customer_is_not_found_and_audited() {
    let Setup { e, s, own, other } = setup().await;
    let order = json!({"order_ref": "INV/2026/12/0001", "items": [{"sku": "KAOS-1", "name": "Kaos", "quantity": 1, "unit_price_minor": 50000}],
        "amount_minor": 50000, "currency": "IDR", "status": "paid"});
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{}/orders", own.0),
            Some(&s),
            Some(order.clone()),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "own segment: {v}");
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{}/orders", other.0),
            Some(&s),
            Some(order),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(segment_denials(&e, "order.create", Some(&other.0)).await, 1);
    // Nothing was written for the other customer.
    let orders =
        e.h.vault
            .order_reader(&e.h.admin())
            .await
            .unwrap()
            .list(other.0.parse().unwrap())
            .await
            .unwrap();
    assert!(orders.is_empty(), "{orders:?}");
}

#[tokio::test]
async fn lookups_by_every_field_hide_another_segment_and_audit_it() {
    let Setup { e, s, own, other } = setup().await;
    // (query for the own customer, query for the other one, lookup field)
    let cases = [
        (
            "email=jkt@example.co.id".to_string(),
            "email=sby@example.co.id".to_string(),
            "email",
        ),
        (
            format!("phone=0812{:08}", 10_000_003),
            format!("phone=0812{:08}", 10_000_004),
            "phone",
        ),
        (
            format!("national_id={}", jaga_testkit::nik(3)),
            format!("national_id={}", jaga_testkit::nik(4)),
            "national_id",
        ),
        (
            format!("code={}", own.1),
            format!("code={}", other.1),
            "code",
        ),
    ];
    for (mine, theirs, field) in cases {
        let (st, v, _) = e
            .call("GET", &format!("/v1/customers?{mine}"), Some(&s), None, &[])
            .await;
        assert_eq!(st, StatusCode::OK, "{field}: {v}");
        let found = v["customers"].as_array().unwrap();
        assert_eq!(found.len(), 1, "own segment found by {field}: {v}");
        assert_eq!(found[0]["id"], own.0.as_str());
        let before = segment_denials(&e, "customer.lookup", Some(&other.0)).await;
        let (st, v, _) = e
            .call(
                "GET",
                &format!("/v1/customers?{theirs}"),
                Some(&s),
                None,
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{field}: {v}");
        assert_eq!(
            v,
            json!({"customers": [], "truncated": false, "limit": 50}),
            "another segment by {field} answers like no match"
        );
        assert!(!v.to_string().contains(&other.0));
        assert_eq!(
            segment_denials(&e, "customer.lookup", Some(&other.0)).await,
            before + 1,
            "lookup by {field} audited as denied"
        );
    }
    // A real miss is not a denial.
    let before = segment_denials(&e, "customer.lookup", None).await;
    let (st, v, _) = e
        .call(
            "GET",
            "/v1/customers?email=nobody@example.co.id",
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["customers"], json!([]));
    assert_eq!(segment_denials(&e, "customer.lookup", None).await, before);
}

#[tokio::test]
async fn creating_a_customer_in_another_segment_is_not_found_and_audited() {
    let Setup { e, s, .. } = setup().await;
    let body = |seg: &str| json!({"full_name": "Lim Swie Hong", "segment": seg});
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/customers",
            Some(&s),
            Some(body("jakarta")),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "own segment: {v}");
    let before = e.h.store.audit_head().await.unwrap().size;
    for seg in ["surabaya", "a-segment-nobody-has-yet"] {
        let (st, v, _) = e
            .call("POST", "/v1/customers", Some(&s), Some(body(seg)), &[])
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{seg}: {v}");
        assert!(v.get("id").is_none(), "{v}");
    }
    assert_eq!(segment_denials(&e, "customer.create", None).await, 2);
    let created: Vec<Value> = events(&e)
        .await
        .into_iter()
        .skip(before as usize)
        .filter(|v| v["action"] == "customer.create" && v["outcome"] == "ok")
        .collect();
    assert!(created.is_empty(), "nothing created: {created:?}");
}

#[tokio::test]
async fn the_access_report_of_another_segments_customer_is_not_found_and_audited() {
    let Setup { e, s, own, other } = setup().await;
    let uri = |code: &str| format!("/v1/audit/reports/customer?code={code}");
    let (st, v, _) = e.call("GET", &uri(&own.1), Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "own segment: {v}");
    assert_eq!(v["customer_id"], own.0.as_str());
    let (st, v, _) = e.call("GET", &uri(&other.1), Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert!(!v.to_string().contains(&other.0), "{v}");
    assert_eq!(segment_denials(&e, "audit.read", Some(&other.0)).await, 1);
    // An unrestricted auditor still gets it.
    let aud = e.member("aud@shop.id", Role::Auditor, &[]).await;
    let (st, v, _) = e.call("GET", &uri(&other.1), Some(&aud), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["customer_id"], other.0.as_str());
}

#[tokio::test]
async fn read_update_orders_and_erase_of_another_segment_are_audited_denials() {
    let Setup { e, s, own, other } = setup().await;
    let reqs: [(&str, String, Option<Value>, &str); 4] = [
        ("GET", "/v1/customers/{}".to_string(), None, "customer.read"),
        (
            "PATCH",
            "/v1/customers/{}".to_string(),
            Some(json!({"notes": "catatan"})),
            "customer.update",
        ),
        (
            "GET",
            "/v1/customers/{}/orders".to_string(),
            None,
            "order.list",
        ),
        (
            "DELETE",
            "/v1/customers/{}".to_string(),
            None,
            "customer.erase",
        ),
    ];
    for (method, path, body, action) in reqs {
        let (st, v, _) = e
            .call(
                method,
                &path.replace("{}", &other.0),
                Some(&s),
                body.clone(),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{method} {path}: {v}");
        assert_eq!(
            segment_denials(&e, action, Some(&other.0)).await,
            1,
            "{action} audited"
        );
        let (st, v, _) = e
            .call(method, &path.replace("{}", &own.0), Some(&s), body, &[])
            .await;
        assert!(st.is_success(), "own segment {method} {path}: {st} {v}");
    }
}

#[tokio::test]
async fn a_staff_report_leaves_out_customers_of_another_segment() {
    let Setup { e, s, own, other } = setup().await;
    let creator = events(&e)
        .await
        .iter()
        .find(|v| v["action"] == "customer.create" && v["customer_id"] == other.0.as_str())
        .and_then(|v| v["actor_id"].as_str().map(str::to_string))
        .expect("the create event of the other segment's customer");
    let uri = format!(
        "/v1/audit/reports/staff?actor={creator}&from_ms=0&to_ms={}",
        i64::MAX
    );
    let (st, v, _) = e.call("GET", &uri, Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let text = v.to_string();
    assert!(text.contains(&own.0), "own segment's customer listed: {v}");
    assert!(!text.contains(&other.0), "another segment's customer: {v}");
    // An unrestricted auditor sees both.
    let aud = e.member("aud@shop.id", Role::Auditor, &[]).await;
    let (st, v, _) = e.call("GET", &uri, Some(&aud), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v.to_string().contains(&other.0), "{v}");
}

#[tokio::test]
async fn moving_a_customer_moves_who_sees_it_and_needs_both_segments_and_a_step_up() {
    let e = env().await;
    let (id, code) = customer_with_code(&e, "Pdh", 5, "jakarta").await;
    let mut both = e
        .member(
            "mgr-both@shop.id",
            Role::CsManager,
            &["jakarta", "surabaya"],
        )
        .await;
    let mut jkt = e
        .member("mgr-jkt@shop.id", Role::CsManager, &["jakarta"])
        .await;
    let sby = e
        .member("mgr-sby@shop.id", Role::CsManager, &["surabaya"])
        .await;
    let cs = e
        .member("cs-both@shop.id", Role::CsStaff, &["jakarta", "surabaya"])
        .await;
    let uri = format!("/v1/customers/{id}/segment");
    let body = json!({"segment": "surabaya"});
    let read = |s: &Sess| {
        let s = s.clone();
        let uri = format!("/v1/customers/{id}");
        let e = &e;
        async move { e.call("GET", &uri, Some(&s), None, &[]).await.0 }
    };
    assert_eq!(read(&jkt).await, StatusCode::OK, "positive control");
    assert_eq!(read(&sby).await, StatusCode::NOT_FOUND);

    // CS staff hold no `customers:move`.
    let (st, v, _) = e
        .call("POST", &uri, Some(&cs), Some(body.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "missing_scope", "{v}");
    // A manager of both segments whose step-up (the login) is older than five minutes.
    e.clock.advance(6 * 60_000);
    let (st, v, _) = e
        .call("POST", &uri, Some(&both), Some(body.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "step_up_required", "{v}");
    // A Jakarta-only manager cannot move a customer into Surabaya: as if it did not exist.
    e.step_up(&mut jkt).await;
    let (st, v, _) = e
        .call("POST", &uri, Some(&jkt), Some(body.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(
        segment_denials(&e, "customer.segment_move", Some(&id)).await,
        1
    );
    // A bad name is refused before anything changes.
    e.step_up(&mut both).await;
    let (st, v, _) = e
        .call(
            "POST",
            &uri,
            Some(&both),
            Some(json!({"segment": "Surabaya Timur"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(read(&jkt).await, StatusCode::OK, "not moved");

    // The move.
    let (st, v, _) = e
        .call("POST", &uri, Some(&both), Some(body.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["from"], "jakarta");
    assert_eq!(v["to"], "surabaya");
    assert_eq!(read(&jkt).await, StatusCode::NOT_FOUND, "old segment: gone");
    assert_eq!(read(&sby).await, StatusCode::OK, "new segment: there");
    let (st, v, _) = e
        .call(
            "GET",
            &format!("/v1/customers?code={code}"),
            Some(&sby),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["customers"][0]["id"], id.as_str());
    assert_eq!(v["customers"][0]["segment"], "surabaya");
    let (st, v, _) = e
        .call(
            "GET",
            &format!("/v1/customers?code={code}"),
            Some(&jkt),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["customers"], json!([]), "{v}");
    let moved: Vec<Value> = events(&e)
        .await
        .into_iter()
        .filter(|v| v["action"] == "customer.segment_move" && v["outcome"] == "ok")
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0]["customer_id"], id.as_str());
    assert_eq!(
        moved[0]["fields"],
        json!(["from:jakarta", "to:surabaya", "orders:0", "tokens:0"])
    );
}

/// A request recorded by the system for customer `id`: its id.
async fn system_request(e: &Env, id: &str) -> String {
    e.h.vault
        .requests(&e.h.admin())
        .await
        .unwrap()
        .record(
            &jaga_core::vault::NewRequest {
                customer_id: id.parse().unwrap(),
                kind: jaga_core::requests::RequestKind::Access,
                channel: jaga_core::requests::Channel::Email,
                received_at: None,
            },
            jaga_core::now_ms(),
        )
        .await
        .unwrap()
        .id
        .to_string()
}

#[tokio::test]
async fn consents_of_another_segments_customer_are_not_found_and_audited() {
    let Setup { e, s, own, other } = setup().await;
    let consent = json!({"purpose": "marketing", "granted": true, "source": "web_form"});
    let uri = |id: &str| format!("/v1/customers/{id}/consents");
    let unknown = uuid::Uuid::new_v4().to_string();
    // Recording: the own segment's customer works, the other's answers like an unknown one.
    let (st, v, _) = e
        .call("POST", &uri(&own.0), Some(&s), Some(consent.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::CREATED, "own segment: {v}");
    let (st, v, _) = e
        .call("POST", &uri(&other.0), Some(&s), Some(consent.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (st2, v2, _) = e
        .call("POST", &uri(&unknown), Some(&s), Some(consent), &[])
        .await;
    assert_eq!(st2, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], v2["code"], "same answer as an unknown id");
    assert_eq!(
        segment_denials(&e, "consent.record", Some(&other.0)).await,
        1
    );
    let stored =
        e.h.store
            .consents_of(other.0.parse().unwrap())
            .await
            .unwrap();
    assert!(stored.is_empty(), "nothing recorded: {stored:?}");
    // Reading: the same.
    let (st, v, _) = e.call("GET", &uri(&own.0), Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "own segment: {v}");
    assert_eq!(v["history"].as_array().unwrap().len(), 1, "{v}");
    let (st, v, _) = e.call("GET", &uri(&other.0), Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["code"], v2["code"]);
    assert_eq!(segment_denials(&e, "consent.read", Some(&other.0)).await, 1);
}

#[tokio::test]
async fn requests_of_another_segments_customer_are_not_found_and_audited() {
    let Setup { e, s, own, other } = setup().await;
    let theirs = system_request(&e, &other.0).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    // Recording one for the other segment's customer: 404, audited, nothing recorded.
    let body = |id: &str| json!({"customer_id": id, "kind": "erasure", "channel": "whatsapp"});
    let (st, v, _) = e
        .call("POST", "/v1/requests", Some(&s), Some(body(&own.0)), &[])
        .await;
    assert_eq!(st, StatusCode::CREATED, "own segment: {v}");
    let mine = v["id"].as_str().unwrap().to_string();
    let (st, v, _) = e
        .call("POST", "/v1/requests", Some(&s), Some(body(&other.0)), &[])
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (_, unknown_v, _) = e
        .call("POST", "/v1/requests", Some(&s), Some(body(&unknown)), &[])
        .await;
    assert_eq!(
        v["code"], unknown_v["code"],
        "same answer as an unknown customer"
    );
    assert_eq!(
        segment_denials(&e, "request.record", Some(&other.0)).await,
        1
    );
    // The list leaves the other segment's request out; the own one is there.
    let (st, v, _) = e.call("GET", "/v1/requests", Some(&s), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let ids: Vec<&str> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, [mine.as_str()], "{v}");
    // Reading one: 404 like an unknown id, audited.
    let (st, v, _) = e
        .call("GET", &format!("/v1/requests/{mine}"), Some(&s), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK, "own segment: {v}");
    let (st, v, _) = e
        .call(
            "GET",
            &format!("/v1/requests/{theirs}"),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (_, unknown_v, _) = e
        .call(
            "GET",
            &format!("/v1/requests/{unknown}"),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(v["code"], unknown_v["code"]);
    assert_eq!(segment_denials(&e, "request.read", Some(&other.0)).await, 1);
    // Closing it: 404, audited, still open; the own one closes.
    let close = json!({"status": "done", "outcome": "answered"});
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/requests/{theirs}/close"),
            Some(&s),
            Some(close.clone()),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(
        segment_denials(&e, "request.close", Some(&other.0)).await,
        1
    );
    let row =
        e.h.store
            .request_get(theirs.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(row.status, jaga_core::requests::RequestStatus::Open);
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/requests/{mine}/close"),
            Some(&s),
            Some(close),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "own segment: {v}");
    assert_eq!(v["status"], "done");
}
