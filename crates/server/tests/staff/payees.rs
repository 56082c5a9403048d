//! Payees and payouts over HTTP with real staff sessions: the bank-detail change → call-back
//! verification → four-eyes approval flow, and every refusal (the requester verifying their own
//! change, a number that is not the one on file, a creator approving their own payout, a
//! second approval by the same member, other roles, no step-up, an API key doing a person's
//! act), each audited; the export only ever carries approved payouts to verified details.

use super::*;

async fn key(e: &Env, scopes: &[Scope]) -> String {
    let k =
        e.h.vault
            .apikey_create(
                &e.h.admin(),
                "shop",
                &scopes.iter().copied().collect(),
                None,
            )
            .await
            .unwrap();
    k.token.expose_secret().to_string()
}

async fn call_key(
    e: &Env,
    key: &str,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value, HeaderMap) {
    let auth = format!("Bearer {key}");
    e.call(method, uri, None, body, &[("authorization", auth.as_str())])
        .await
}

fn payee_body() -> Value {
    json!({
        "name": "PT Glow Beauty",
        "phone": "+62 812-3456-7890",
        "email": "billing@glowbeauty.co.id",
        "bank": {"bank": "BCA", "account_number": "2830199401", "holder": "PT Glow Beauty"}
    })
}

fn call(number: &str, approved: bool) -> Value {
    json!({"number_called": number, "confirmed": "last four digits 9401, holder PT Glow Beauty", "reference": "K7Q2", "approved": approved})
}

fn outcomes(actions: &[(String, String)], action: &str) -> Vec<String> {
    actions
        .iter()
        .filter(|(a, _)| a == action)
        .map(|(_, o)| o.clone())
        .collect()
}

#[tokio::test]
async fn change_callback_and_four_eyes_approval() {
    let e = env().await;
    let mut fina = e.member("fina@shop.id", Role::Finance, &[]).await;
    let mut dewi = e.member("dewi@shop.id", Role::Finance, &[]).await;
    let mut ayu = e.member("ayu@shop.id", Role::Admin, &[]).await;
    let cs = e.member("cs@shop.id", Role::CsManager, &[]).await;

    // Fina creates the payee: its first details wait for a call-back.
    let (st, p, h) = e
        .call("POST", "/v1/payees", Some(&fina), Some(payee_body()), &[])
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(h["location"], format!("/v1/payees/{id}").as_str());
    assert_eq!(p["versions"][0]["status"], "pending_verification");
    assert_eq!(p["payable_version"], Value::Null);

    // No payout while nothing is verified: held with a clear message.
    let payout = json!({"payee_id": id, "amount": 2_000_000, "remark": "INV-7"});
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/payouts",
            Some(&fina),
            Some(payout.clone()),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "no_verified_details");

    let verify = format!("/v1/payees/{id}/bank/1/verify");
    // Without a fresh step-up: 403 step_up_required.
    e.clock.advance(10 * 60_000);
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&dewi),
            Some(call("081234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "step_up_required");
    // The requester cannot verify their own request.
    e.step_up(&mut fina).await;
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&fina),
            Some(call("081234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "four_eyes_required");
    // Another member, but calling a number that is not the one on file.
    e.step_up(&mut dewi).await;
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&dewi),
            Some(call("0813 9999 8888", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "wrong_number");
    // A customer-service manager has no payee scope at all.
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&cs),
            Some(call("081234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "missing_scope");
    // Dewi calls the number on file (written differently): verified.
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&dewi),
            Some(call("0812 3456 7890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["versions"][0]["status"], "verified");
    assert_eq!(v["versions"][0]["call"]["reference"], "K7Q2");
    assert_eq!(v["payable_version"], 1);
    // Once decided, never again.
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&ayu),
            Some(call("081234567890", false)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}"); // ayu has no fresh step-up yet
    e.step_up(&mut ayu).await;
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&ayu),
            Some(call("081234567890", false)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "not_pending");

    // Fina asks for new details (as a "supplier" e-mail would): a new version, pending; the
    // old one stays and stays in use.
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/payees/{id}/bank"),
            Some(&fina),
            Some(json!({"bank": "Mandiri", "account_number": "137-001-234-5678", "holder": "Glow Beauty"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["versions"].as_array().unwrap().len(), 2);
    assert_eq!(v["versions"][0]["account_number"], "2830199401");
    assert_eq!(v["versions"][1]["status"], "pending_verification");
    assert_eq!(
        (v["payable_version"].clone(), v["pending_version"].clone()),
        (json!(1), json!(2))
    );

    // A payout now pays to version 1 (the last verified), one approval at Rp 2.000.000.
    let (st, po, _) = e
        .call("POST", "/v1/payouts", Some(&fina), Some(payout), &[])
        .await;
    assert_eq!(st, StatusCode::CREATED, "{po}");
    assert_eq!(po["details"]["version"], 1);
    assert_eq!(po["required_approvals"], 1);
    let pid = po["id"].as_str().unwrap().to_string();
    let approve = format!("/v1/payouts/{pid}/approve");
    // The creator cannot approve.
    e.step_up(&mut fina).await;
    let (st, v, _) = e.call("POST", &approve, Some(&fina), None, &[]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "four_eyes_required");
    // Dewi verifies the change (Fina asked for it), then approves the payout.
    e.step_up(&mut dewi).await;
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/payees/{id}/bank/2/verify"),
            Some(&dewi),
            Some(call("+6281234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["payable_version"], 2);
    let (st, v, _) = e.call("POST", &approve, Some(&dewi), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "approved");
    assert_eq!(v["approvals"][0]["by"].as_str().unwrap().len(), 36);
    assert_eq!(
        v["details_superseded"], true,
        "version 2 replaced what it pays to"
    );

    // A big payout to the just-changed details: two approvals + one for the recent change,
    // with the warning; the same member cannot approve twice.
    let (st, big, _) = e
        .call(
            "POST",
            "/v1/payouts",
            Some(&fina),
            Some(json!({"payee_id": id, "amount": 25_000_000})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{big}");
    assert_eq!(big["details"]["version"], 2);
    assert_eq!(big["required_approvals"], 3);
    assert_eq!(big["recent_change_warning"], true);
    let bid = big["id"].as_str().unwrap().to_string();
    let approve_big = format!("/v1/payouts/{bid}/approve");
    let (st, v, _) = e.call("POST", &approve_big, Some(&dewi), None, &[]).await;
    assert_eq!(
        (st, v["status"].clone()),
        (StatusCode::OK, json!("pending_approval"))
    );
    let (st, v, _) = e.call("POST", &approve_big, Some(&dewi), None, &[]).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "four_eyes_required");
    e.step_up(&mut ayu).await;
    let (st, v, _) = e.call("POST", &approve_big, Some(&ayu), None, &[]).await;
    assert_eq!(
        (st, v["status"].clone()),
        (StatusCode::OK, json!("pending_approval"))
    );

    // The whole chain is readable.
    let (st, v, _) = e
        .call("GET", &format!("/v1/payouts/{bid}"), Some(&fina), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["approvals"].as_array().unwrap().len(), 2);
    assert_eq!(v["details"]["call"]["number_called"], "+6281234567890");
    assert_eq!(v["details"]["requested_by"], v["created_by"]);

    // Export: the first payout pays to superseded details and is held; nothing else is
    // approved yet, so the file has no line.
    e.step_up(&mut fina).await;
    let (st, csv, h) = e
        .call(
            "POST",
            "/v1/payouts/export?format=bca",
            Some(&fina),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{csv}");
    assert_eq!(h["x-jaga-held"], "1");
    assert_eq!(h["x-jaga-exported"], "0");
    assert_eq!(csv, "No,Account Number,Account Name,Amount,Remark\r\n");

    // Every step is in the log, refusals included.
    let actions = e.actions().await;
    let verify_outcomes = outcomes(&actions, "payee.bank.verify");
    for o in ["ok", "denied", "rejected"] {
        assert!(
            verify_outcomes.iter().any(|x| x == o),
            "{verify_outcomes:?}"
        );
    }
    assert!(has(&actions, "payee.create", "ok"));
    assert!(has(&actions, "payee.bank.change", "ok"));
    assert!(has(&actions, "payout.create", "ok"));
    assert!(has(&actions, "payout.create", "rejected"));
    assert!(has(&actions, "payout.approve", "ok"));
    assert!(has(&actions, "payout.approve", "denied"));
    assert!(has(&actions, "payout.export", "ok"));
}

#[tokio::test]
async fn export_carries_only_approved_verified_payouts_once() {
    let e = env().await;
    let fina = e.member("fina@shop.id", Role::Finance, &[]).await;
    let mut dewi = e.member("dewi@shop.id", Role::Finance, &[]).await;
    let (_, p, _) = e
        .call("POST", "/v1/payees", Some(&fina), Some(payee_body()), &[])
        .await;
    let id = p["id"].as_str().unwrap().to_string();
    e.step_up(&mut dewi).await;
    let (st, _, _) = e
        .call(
            "POST",
            &format!("/v1/payees/{id}/bank/1/verify"),
            Some(&dewi),
            Some(call("081234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut ids = Vec::new();
    for remark in ["=HYPERLINK(\"x\")", "INV-8"] {
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/payouts",
                Some(&fina),
                Some(json!({"payee_id": id, "amount": 1_500_000, "remark": remark})),
                &[],
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    // Only the first is approved.
    let (st, _, _) = e
        .call(
            "POST",
            &format!("/v1/payouts/{}/approve", ids[0]),
            Some(&dewi),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // Exports need a fresh step-up from staff.
    e.clock.advance(10 * 60_000);
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/payouts/export?format=mandiri",
            Some(&dewi),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (st, v["code"].clone()),
        (StatusCode::FORBIDDEN, json!("step_up_required"))
    );
    e.step_up(&mut dewi).await;
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/payouts/export?format=swift",
            Some(&dewi),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (st, v["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_format"))
    );
    let (st, csv, h) = e
        .call(
            "POST",
            "/v1/payouts/export?format=mandiri",
            Some(&dewi),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{csv}");
    assert_eq!(h["x-jaga-exported"], "1");
    assert_eq!(
        csv,
        "Account No,Account Name,Bank Code,Amount,Currency,Remark\r\n\"2830199401\",\"PT Glow Beauty\",014,1500000,IDR,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
    );
    // Exported once: a second export has nothing; the payout says so.
    let (_, csv, h) = e
        .call(
            "POST",
            "/v1/payouts/export?format=mandiri",
            Some(&dewi),
            None,
            &[],
        )
        .await;
    assert_eq!(h["x-jaga-exported"], "0");
    assert!(!csv.as_str().unwrap().contains("2830199401"));
    let (_, v, _) = e
        .call(
            "GET",
            &format!("/v1/payouts/{}", ids[0]),
            Some(&fina),
            None,
            &[],
        )
        .await;
    assert_eq!(v["status"], "exported");
    let (_, v, _) = e
        .call(
            "GET",
            "/v1/payouts?status=pending_approval",
            Some(&fina),
            None,
            &[],
        )
        .await;
    assert_eq!(v["payouts"].as_array().unwrap().len(), 1);
    let (st, _, _) = e
        .call("GET", "/v1/payouts?status=paid", Some(&fina), None, &[])
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn api_keys_and_other_roles_are_refused_what_needs_a_person() {
    let e = env().await;
    let writer = key(
        &e,
        &[
            Scope::PayeesRead,
            Scope::PayeesWrite,
            Scope::PayoutsWrite,
            Scope::PayoutsApprove,
        ],
    )
    .await;
    let reader = key(&e, &[Scope::PayeesRead]).await;
    let cs_key = key(&e, &[Scope::CustomersRead]).await;
    // An API key may create payees and ask for changes…
    let (st, p, _) = call_key(&e, &writer, "POST", "/v1/payees", Some(payee_body())).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    // …but never record a call-back or approve: those are a person's acts.
    let (st, v, _) = call_key(
        &e,
        &writer,
        "POST",
        &format!("/v1/payees/{id}/bank/1/verify"),
        Some(call("081234567890", true)),
    )
    .await;
    assert_eq!(
        (st, v["code"].clone()),
        (StatusCode::FORBIDDEN, json!("staff_session_required"))
    );
    // Scopes: read-only and unrelated keys are refused before the body is read.
    let (st, v, _) = call_key(&e, &reader, "POST", "/v1/payees", Some(json!({"x": 1}))).await;
    assert_eq!(
        (st, v["code"].clone()),
        (StatusCode::FORBIDDEN, json!("missing_scope"))
    );
    let (st, _, _) = call_key(&e, &cs_key, "GET", "/v1/payees", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = call_key(&e, &cs_key, "GET", &format!("/v1/payouts/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // The number on file is the one used: a change request cannot carry a phone number.
    let (st, v, _) = call_key(
        &e,
        &writer,
        "POST",
        &format!("/v1/payees/{id}/bank"),
        Some(json!({"bank": "BRI", "account_number": "0021010099887", "holder": "X", "phone": "081399998888"})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Roles: cs_staff, cs_manager and auditor sessions get 403 on every payee route.
    for (mail, role) in [
        ("cs1@shop.id", Role::CsStaff),
        ("cs2@shop.id", Role::CsManager),
        ("aud@shop.id", Role::Auditor),
    ] {
        let s = e.member(mail, role, &[]).await;
        for (m, uri, body) in [
            ("GET", "/v1/payees".to_string(), None),
            ("POST", "/v1/payees".to_string(), Some(payee_body())),
            ("GET", format!("/v1/payees/{id}"), None),
            (
                "POST",
                "/v1/payouts".to_string(),
                Some(json!({"payee_id": id, "amount": 1})),
            ),
            ("POST", "/v1/payouts/export?format=bca".to_string(), None),
        ] {
            let (st, v, _) = e.call(m, &uri, Some(&s), body, &[]).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{role:?} {m} {uri}: {v}");
        }
    }
    // Bad input: clear 4xx, nothing written.
    let before = e.h.store.payee_list().await.unwrap().len();
    for body in [
        json!({"name": "", "phone": "0812", "bank": {"bank": "BCA", "account_number": "12", "holder": ""}}),
        json!({"name": "X", "phone": "081234567890", "kind": "friend", "bank": {"bank": "BCA", "account_number": "2830199401", "holder": "X"}}),
    ] {
        let (st, v, _) = call_key(&e, &writer, "POST", "/v1/payees", Some(body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    }
    let (st, _, _) = call_key(&e, &writer, "GET", "/v1/payees/not-a-uuid", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, _) = call_key(
        &e,
        &writer,
        "GET",
        &format!("/v1/payees/{}", uuid::Uuid::nil()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v, _) = call_key(
        &e,
        &writer,
        "POST",
        "/v1/payouts",
        Some(json!({"payee_id": id, "amount": -5})),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(e.h.store.payee_list().await.unwrap().len(), before);
}

/// A payee created by `by` with its first details verified by `verifier` (a fresh step-up).
async fn verified_payee(e: &Env, by: &Sess, verifier: &mut Sess) -> String {
    let (st, p, _) = e
        .call("POST", "/v1/payees", Some(by), Some(payee_body()), &[])
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    e.step_up(verifier).await;
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/payees/{id}/bank/1/verify"),
            Some(verifier),
            Some(call("081234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    id
}

#[tokio::test]
async fn a_pending_payout_is_rejected_by_a_person_and_never_paid() {
    let e = env().await;
    let fina = e.member("fina@shop.id", Role::Finance, &[]).await;
    let mut dewi = e.member("dewi@shop.id", Role::Finance, &[]).await;
    let cs = e.member("cs@shop.id", Role::CsManager, &[]).await;
    let id = verified_payee(&e, &fina, &mut dewi).await;
    let (st, p, _) = e
        .call(
            "POST",
            "/v1/payouts",
            Some(&fina),
            Some(json!({"payee_id": id, "amount": 750_000})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let reject = format!("/v1/payouts/{}/reject", p["id"].as_str().unwrap());
    // Other roles and API keys may not: rejecting is a person's act.
    let (st, _, _) = e.call("POST", &reject, Some(&cs), None, &[]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let k = key(&e, &[Scope::PayoutsApprove]).await;
    let (st, v, _) = call_key(&e, &k, "POST", &reject, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "staff_session_required");
    // A finance member rejects it: recorded in its chain, never approved or exported after.
    let (st, v, _) = e.call("POST", &reject, Some(&dewi), None, &[]).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "rejected");
    assert_eq!(v["approvals"][0]["decision"], "reject");
    let approve = reject.replace("/reject", "/approve");
    for uri in [&approve, &reject] {
        let (st, v, _) = e.call("POST", uri, Some(&dewi), None, &[]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["code"], "not_pending_approval");
    }
    let (st, v, _) = e
        .call("GET", "/v1/payouts?status=rejected", Some(&fina), None, &[])
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["payouts"].as_array().unwrap().len(), 1);
    e.step_up(&mut dewi).await;
    let (st, _, h) = e
        .call(
            "POST",
            "/v1/payouts/export?format=bca",
            Some(&dewi),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h["x-jaga-exported"], "0");
    let actions = e.actions().await;
    assert_eq!(
        outcomes(&actions, "payout.reject"),
        ["denied", "denied", "ok", "rejected"]
    );
}

/// `prefix` with the Luhn check digit appended.
fn luhn(prefix: &str) -> String {
    for d in 0..10 {
        let n = format!("{prefix}{d}");
        if jaga_redact::card::luhn_valid(n.as_bytes()) {
            return n;
        }
    }
    unreachable!()
}

#[tokio::test]
async fn bank_account_numbers_pass_the_card_guard_and_card_numbers_do_not() {
    let e = env().await;
    let fina = e.member("fina@shop.id", Role::Finance, &[]).await;
    // Luhn-valid account numbers of Indonesian banks' lengths: BCA (10), Mandiri (13, written
    // in its usual groups), BRI (15), BTN (16), a virtual account (16). None has a card
    // network's prefix at a card's length, so none is a card number.
    let mandiri = luhn("137001234567");
    let accounts = [
        luhn("283019940"),
        format!(
            "{}-{}-{}-{}",
            &mandiri[..3],
            &mandiri[3..5],
            &mandiri[5..12],
            &mandiri[12..]
        ),
        luhn("01230100012350"),
        luhn("000160150012345"),
        luhn("889080812345678"),
    ];
    for a in &accounts {
        let digits: String = a.chars().filter(char::is_ascii_digit).collect();
        assert!(jaga_redact::card::luhn_valid(digits.as_bytes()), "{a}");
        let mut body = payee_body();
        body["bank"]["account_number"] = json!(a);
        let (st, p, _) = e
            .call("POST", "/v1/payees", Some(&fina), Some(body), &[])
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}: {p}");
        assert_eq!(p["versions"][0]["account_number"], digits.as_str());
    }
    // Card numbers (a card network's prefix, a card's length, Luhn) are refused there too,
    // whatever their grouping, and nothing is stored.
    let (_, before, _) = e.call("GET", "/v1/payees", Some(&fina), None, &[]).await;
    for card in [
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        &luhn("422222222222"),
        &luhn("37828224631000"),
    ] {
        assert!(jaga_redact::card::contains_card_number(card), "{card}");
        let mut body = payee_body();
        body["bank"]["account_number"] = json!(card);
        let (st, v, _) = e
            .call("POST", "/v1/payees", Some(&fina), Some(body), &[])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{card}: {v}");
        assert_eq!(v["code"], "card_number_not_allowed", "{card}");
    }
    let (_, after, _) = e.call("GET", "/v1/payees", Some(&fina), None, &[]).await;
    assert_eq!(before["payees"], after["payees"]);
}

#[tokio::test]
async fn configured_thresholds_change_how_many_approvals_a_payout_needs() {
    let e = env().await;
    let fina = e.member("fina@shop.id", Role::Finance, &[]).await;
    let mut dewi = e.member("dewi@shop.id", Role::Finance, &[]).await;
    let id = verified_payee(&e, &fina, &mut dewi).await;
    e.h.vault
        .set_payout_policy(jaga_core::payouts::PayoutPolicy {
            two_approvals_above: 1_000_000,
            recent_change_days: 0,
        });
    let pay = |amount: i64| json!({"payee_id": id, "amount": amount});
    let (_, v, _) = e
        .call(
            "POST",
            "/v1/payouts",
            Some(&fina),
            Some(pay(1_000_001)),
            &[],
        )
        .await;
    assert_eq!(v["required_approvals"], 2, "{v}");
    let (_, v, _) = e
        .call(
            "POST",
            "/v1/payouts",
            Some(&fina),
            Some(pay(1_000_000)),
            &[],
        )
        .await;
    assert_eq!(v["required_approvals"], 1, "{v}");
}

#[tokio::test]
async fn a_contact_change_is_verified_by_another_member_calling_the_old_number() {
    let e = env().await;
    let mut fina = e.member("fina@shop.id", Role::Finance, &[]).await;
    let mut dewi = e.member("dewi@shop.id", Role::Finance, &[]).await;
    let id = verified_payee(&e, &fina, &mut dewi).await;
    let contacts = format!("/v1/payees/{id}/contacts");
    let new = json!({"phone": "0813 9999 0000", "email": "finance@glowbeauty-new.com"});
    let (st, p, _) = e
        .call("POST", &contacts, Some(&fina), Some(new.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    // Pending: the old contacts stay on file.
    assert_eq!(p["phone"], "+6281234567890");
    assert_eq!(p["contact_version"], 1);
    assert_eq!(p["pending_contact_version"], 2);
    assert_eq!(p["contact_changes"][0]["status"], "pending_verification");
    // One change at a time; a request cannot carry a call record or a status.
    let (st, v, _) = e
        .call("POST", &contacts, Some(&fina), Some(new.clone()), &[])
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "contact_change_pending");
    let mut forged = new.clone();
    forged["approved"] = json!(true);
    let (st, _, _) = e
        .call("POST", &contacts, Some(&fina), Some(forged), &[])
        .await;
    assert!(st.is_client_error());

    // Payouts still use the verified bank details, unaffected.
    let (st, v, _) = e
        .call(
            "POST",
            "/v1/payouts",
            Some(&fina),
            Some(json!({"payee_id": id, "amount": 100_000})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["details"]["account_number"], "2830199401");

    let verify = format!("/v1/payees/{id}/contacts/2/verify");
    // The requester cannot verify it.
    e.step_up(&mut fina).await;
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&fina),
            Some(call("081234567890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "four_eyes_required");
    // Calling the new number (the one from the request) is refused.
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&dewi),
            Some(call("081399990000", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "wrong_number");
    // Bank-detail call-backs meanwhile still go to the old number.
    let (st, _, _) = e
        .call(
            "POST",
            &format!("/v1/payees/{id}/bank"),
            Some(&fina),
            Some(json!({"bank": "Mandiri", "account_number": "1370012345673", "holder": "PT Glow Beauty"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let bank2 = format!("/v1/payees/{id}/bank/2/verify");
    let (st, v, _) = e
        .call(
            "POST",
            &bank2,
            Some(&dewi),
            Some(call("081399990000", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "wrong_number");
    // Dewi calls the old number on file: the new contacts are in use from now on.
    let (st, p, _) = e
        .call(
            "POST",
            &verify,
            Some(&dewi),
            Some(call("0812 3456 7890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["phone"], "+6281399990000");
    assert_eq!(p["email"], "finance@glowbeauty-new.com");
    assert_eq!(p["contact_version"], 2);
    assert_eq!(p["pending_contact_version"], Value::Null);
    assert_eq!(
        p["contact_changes"][0]["call"]["number_called"],
        "0812 3456 7890"
    );
    // Decided once.
    let (st, v, _) = e
        .call(
            "POST",
            &verify,
            Some(&dewi),
            Some(call("081399990000", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "not_pending");
    // Now the call-back on the pending bank details goes to the new number.
    let (st, v, _) = e
        .call(
            "POST",
            &bank2,
            Some(&dewi),
            Some(call("0812 3456 7890", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, _, _) = e
        .call(
            "POST",
            &bank2,
            Some(&dewi),
            Some(call("081399990000", true)),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // The old e-mail address is told of the contact change.
    let notices = e.h.vault.payee_notices_pending(10).await.unwrap();
    let n = notices
        .iter()
        .find(|n| n.version == -2)
        .expect("contact notice");
    assert_eq!(n.to.as_deref(), Some("billing@glowbeauty.co.id"));
    assert!(n.body.contains("0000") && !n.body.contains("1399990000"));
    let actions = e.actions().await;
    assert_eq!(outcomes(&actions, "payee.contact.change"), ["ok"]);
    assert_eq!(
        outcomes(&actions, "payee.contact.verify"),
        ["denied", "rejected", "ok", "rejected"]
    );
}
