//! The access and portability export (`POST /v1/customers/{id}/export`) with real staff
//! sessions: a manager with a purpose and a fresh step-up gets everything held about the
//! customer (JSON and letters); no step-up, the wrong role, another segment, an erased
//! customer and API keys without both scopes are refused, each refusal audited; the log holds
//! field names and the purpose, never a value.

use super::*;

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

/// The raw body of a call (letters are not JSON).
async fn raw(e: &Env, uri: &str, s: &Sess, body: Value) -> (StatusCode, Vec<u8>, HeaderMap) {
    let res = e
        .app
        .clone()
        .oneshot(
            Request::builder()
                .method("POST")
                .uri(uri)
                .header("cookie", format!("__Host-jaga_session={}", s.cookie))
                .header("x-csrf-token", &s.csrf)
                .header("x-forwarded-for", &s.ip)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, bytes, headers)
}

/// A customer in `segment` with a NIK in the notes (so a token exists), an order, a consent
/// record and a request.
async fn rich_customer(e: &Env, marker: &str, n: u32, segment: &str) -> String {
    let admin = e.h.admin();
    let mut c = marked_customer(marker, n);
    c.segment = Some(segment.into());
    c.notes = Some(format!("minta invoice, NIK {}", jaga_testkit::nik(n + 1)));
    let id =
        e.h.vault
            .writer(&admin)
            .await
            .unwrap()
            .create(&c)
            .await
            .unwrap()
            .id;
    let order: jaga_core::model::NewOrder = serde_json::from_value(json!({
        "order_ref": format!("INV-{marker}"),
        "items": [{"sku": "SR-1", "name": "Serum Vit C", "quantity": 2, "unit_price_minor": 95000}],
        "amount_minor": 190000, "currency": "IDR", "status": "paid"
    }))
    .unwrap();
    e.h.vault
        .order_writer(&admin)
        .await
        .unwrap()
        .add(id, &order)
        .await
        .unwrap();
    let ops = Caller::for_tests(
        ActorKind::System,
        "ops",
        &[Scope::RequestsRead, Scope::RequestsWrite],
    );
    let req = e.h.vault.requests(&ops).await.unwrap();
    req.record_consent(
        id,
        jaga_core::vault::NewConsent {
            purpose: jaga_core::requests::ConsentPurpose::Whatsapp,
            granted: false,
            source: jaga_core::requests::ConsentSource::Whatsapp,
        },
        jaga_core::now_ms(),
    )
    .await
    .unwrap();
    req.record(
        &jaga_core::vault::NewRequest {
            customer_id: id,
            kind: jaga_core::requests::RequestKind::Access,
            channel: jaga_core::requests::Channel::Whatsapp,
            received_at: None,
        },
        jaga_core::now_ms(),
    )
    .await
    .unwrap();
    id.to_string()
}

const PURPOSE: &str = "access request REQ-12";

#[tokio::test]
async fn a_manager_exports_everything_held_with_a_purpose_and_a_step_up() {
    let e = env().await;
    let id = rich_customer(&e, "Ekspor", 21, "default").await;
    let uri = format!("/v1/customers/{id}/export");
    let mut m = e.member("mgr@shop.id", Role::CsManager, &[]).await;
    // The code entered at enrolment counts as a step-up for 5 minutes: let it go stale.
    e.clock.advance(6 * 60_000);

    // Without a fresh step-up: refused before anything is read, audited.
    let (st, v, _) = e
        .call(
            "POST",
            &uri,
            Some(&m),
            Some(json!({"purpose": PURPOSE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "step_up_required", "{v}");
    assert!(!v.to_string().contains("ekspor@example.co.id"));

    e.step_up(&mut m).await;
    // A purpose is required.
    let (st, v, _) = e
        .call("POST", &uri, Some(&m), Some(json!({"purpose": ""})), &[])
        .await;
    assert!(st.is_client_error(), "{st} {v}");

    let (st, v, h) = e
        .call(
            "POST",
            &uri,
            Some(&m),
            Some(json!({"purpose": PURPOSE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(v["format"], "jaga.customer-export/1");
    assert_eq!(v["customer"]["email"], "ekspor@example.co.id");
    assert_eq!(v["customer"]["national_id"], jaga_testkit::nik(21));
    assert_eq!(v["customer"]["address"]["street"], "Jl. Ekspor No. 5");
    assert_eq!(v["orders"][0]["order_ref"], "INV-Ekspor");
    assert_eq!(v["orders"][0]["items"][0]["name"], "Serum Vit C");
    assert_eq!(v["consents"][0]["purpose"], "whatsapp");
    assert_eq!(v["consents"][0]["granted"], false);
    assert_eq!(v["requests"][0]["kind"], "access");
    let tokens = v["tokens"].as_array().unwrap();
    assert!(
        tokens
            .iter()
            .any(|t| t["kind"] == "NIK" && t["value"] == jaga_testkit::nik(22)),
        "the NIK token in the notes, opened: {v}"
    );
    // Who accessed their data: the export itself, by role, never by name.
    let accesses = v["accesses"].as_array().unwrap();
    assert!(accesses.iter().any(|a| a["action"] == "customer.create"));
    assert!(
        accesses.iter().any(|a| a["action"] == "customer.export"
            && a["actor_role"] == "cs_manager"
            && a["purpose"] == PURPOSE),
        "{v}"
    );
    assert!(!v["accesses"].to_string().contains("Rina"), "{v}");

    // Letters: Markdown in English, HTML in Indonesian, PDF.
    let (st, md, h) = raw(
        &e,
        &format!("{uri}?format=letter&lang=en"),
        &m,
        json!({"purpose": PURPOSE}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("Your data") && md.contains("ekspor@example.co.id"),
        "{md}"
    );
    assert!(
        md.contains("Who accessed your data") && md.contains("INV-Ekspor"),
        "{md}"
    );
    let (st, html, _) = raw(
        &e,
        &format!("{uri}?format=html&lang=id"),
        &m,
        json!({"purpose": PURPOSE}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("Data Anda") && html.contains("Serum Vit C"),
        "{html}"
    );
    let (st, pdf, h) = raw(
        &e,
        &format!("{uri}?format=pdf"),
        &m,
        json!({"purpose": PURPOSE}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    // Bad query: 400, nothing exported.
    let before = events(&e).await.len();
    let (st, _, _) = e
        .call(
            "POST",
            &format!("{uri}?format=xml"),
            Some(&m),
            Some(json!({"purpose": PURPOSE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, _) = e
        .call(
            "POST",
            &format!("{uri}?lang=fr"),
            Some(&m),
            Some(json!({"purpose": PURPOSE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // The log: the refused attempt, then exports with field names, format, language and the
    // purpose — never a value.
    let ev = events(&e).await;
    assert!(
        !ev[before..]
            .iter()
            .any(|x| x["action"] == "customer.export")
    );
    assert!(ev.iter().any(|x| x["action"] == "customer.export"
        && x["outcome"] == "denied"
        && x["fields"].to_string().contains("step_up")));
    let ok: Vec<&Value> = ev
        .iter()
        .filter(|x| x["action"] == "customer.export" && x["outcome"] == "ok")
        .collect();
    assert_eq!(ok.len(), 4, "json, md, html, pdf");
    assert_eq!(ok[0]["customer_id"], id.as_str());
    assert_eq!(ok[0]["purpose"], PURPOSE);
    let f = ok[0]["fields"].to_string();
    assert!(
        f.contains("national_id") && f.contains("format:json") && f.contains("lang:id"),
        "{f}"
    );
    assert!(ok[1]["fields"].to_string().contains("lang:en"));
    let log = serde_json::to_string(&ev).unwrap();
    for value in [
        "ekspor@example.co.id",
        &jaga_testkit::nik(21),
        &jaga_testkit::nik(22),
        "Serum Vit C",
    ] {
        assert!(!log.contains(value), "{value} in the audit log");
    }
}

#[tokio::test]
async fn roles_without_the_right_are_refused_and_audited() {
    let e = env().await;
    let id = rich_customer(&e, "Peran", 31, "default").await;
    let uri = format!("/v1/customers/{id}/export");
    for (email, role) in [
        ("cs@shop.id", Role::CsStaff),
        ("fin@shop.id", Role::Finance),
        ("aud@shop.id", Role::Auditor),
    ] {
        let mut s = e.member(email, role, &[]).await;
        e.step_up(&mut s).await;
        let (st, v, _) = e
            .call(
                "POST",
                &uri,
                Some(&s),
                Some(json!({"purpose": PURPOSE})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role:?}: {v}");
        assert!(!v.to_string().contains("peran@example.co.id"), "{v}");
    }
    let denied = events(&e)
        .await
        .iter()
        .filter(|x| x["action"] == "customer.export" && x["outcome"] == "denied")
        .count();
    assert_eq!(denied, 3, "each refusal is audited");
    // An admin may (positive control).
    let mut a = e.member("adm@shop.id", Role::Admin, &[]).await;
    e.step_up(&mut a).await;
    let (st, v, _) = e
        .call(
            "POST",
            &uri,
            Some(&a),
            Some(json!({"purpose": PURPOSE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["customer"]["email"], "peran@example.co.id");
}

#[tokio::test]
async fn the_export_of_another_segments_customer_is_not_found_and_audited() {
    let e = env().await;
    let own = rich_customer(&e, "Jkt", 41, "jakarta").await;
    let other = rich_customer(&e, "Sby", 42, "surabaya").await;
    let mut m = e
        .member("mgr-jkt@shop.id", Role::CsManager, &["jakarta"])
        .await;
    e.step_up(&mut m).await;
    let body = Some(json!({"purpose": PURPOSE}));
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{own}/export"),
            Some(&m),
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "own segment: {v}");
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{other}/export"),
            Some(&m),
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let unknown = uuid::Uuid::new_v4();
    let (st2, v2, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{unknown}/export"),
            Some(&m),
            body,
            &[],
        )
        .await;
    assert_eq!(st2, StatusCode::NOT_FOUND);
    assert_eq!(
        v["code"], v2["code"],
        "answered exactly like an unknown customer"
    );
    assert!(!v.to_string().contains("sby@example.co.id"), "{v}");
    let ev = events(&e).await;
    assert_eq!(
        ev.iter()
            .filter(|x| x["action"] == "customer.export"
                && x["outcome"] == "denied"
                && x["customer_id"] == other.as_str()
                && x["fields"].to_string().contains("segment"))
            .count(),
        1
    );
    assert!(!ev.iter().any(|x| x["customer_id"] == other.as_str()
        && x["action"] == "customer.export"
        && x["outcome"] == "ok"));
}

#[tokio::test]
async fn an_erased_customer_and_keys_without_both_scopes_are_refused() {
    let e = env().await;
    let id = rich_customer(&e, "Hapus", 51, "default").await;
    let mut m = e.member("mgr@shop.id", Role::CsManager, &[]).await;
    e.step_up(&mut m).await;
    let uuid: uuid::Uuid = id.parse().unwrap();
    e.h.vault
        .eraser(&e.h.admin())
        .await
        .unwrap()
        .erase(uuid)
        .await
        .unwrap();
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{id}/export"),
            Some(&m),
            Some(json!({"purpose": PURPOSE})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::GONE, "{v}");
    assert!(
        events(&e)
            .await
            .iter()
            .any(|x| x["action"] == "customer.export"
                && x["customer_id"] == id.as_str()
                && x["outcome"] == "erased")
    );

    // API keys: both scopes needed.
    let live = rich_customer(&e, "Kunci", 52, "default").await;
    let key = |scopes: Vec<Scope>| {
        let v = e.h.vault.clone();
        let admin = e.h.admin();
        async move {
            v.apikey_create(&admin, "export", &scopes.into_iter().collect(), None)
                .await
                .unwrap()
                .token
                .expose_secret()
                .to_string()
        }
    };
    let both = key(vec![Scope::RequestsWrite, Scope::CustomersReveal]).await;
    let half = key(vec![Scope::RequestsWrite]).await;
    let reveal_only = key(vec![Scope::CustomersReveal, Scope::CustomersRead]).await;
    let uri = format!("/v1/customers/{live}/export");
    let bearer = |k: &str| format!("Bearer {k}");
    let b = bearer(&both);
    let (st, v, _) = e
        .call(
            "POST",
            &uri,
            None,
            Some(json!({"purpose": PURPOSE})),
            &[("authorization", &b)],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["customer"]["email"], "kunci@example.co.id");
    for k in [&half, &reveal_only] {
        let b = bearer(k);
        let (st, v, _) = e
            .call(
                "POST",
                &uri,
                None,
                Some(json!({"purpose": PURPOSE})),
                &[("authorization", &b)],
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    }
}
