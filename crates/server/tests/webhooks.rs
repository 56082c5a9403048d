//! Payment-gateway webhooks over HTTP (issue 13): Midtrans, Stripe and Xendit notifications
//! verified with the configured secrets; forged, stale and unsigned ones refused with 401 and
//! audited; genuine ones scored and stored once (replays acknowledged); a chargeback labels
//! the earlier payment of the same order or charge as fraud, a refund is recorded without a
//! verdict.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_fraud::gateway::{GatewaySecrets, Secret, midtrans, stripe};
use serde_json::Value;
use tower::ServiceExt;

mod common;
use common::{Api, api};

const MIDTRANS_KEY: &str = "SB-Mid-server-TEST";
const STRIPE_SECRET: &str = "whsec_test_secret";
const XENDIT_TOKEN: &str = "xnd-callback-token";

async fn configured() -> Api {
    let api = api().await;
    api.h.vault.set_fraud_gateways(GatewaySecrets {
        midtrans: Secret::new(MIDTRANS_KEY),
        stripe: vec![Secret::new(STRIPE_SECRET).unwrap()],
        stripe_tolerance_secs: None,
        xendit: Secret::new(XENDIT_TOKEN),
    });
    api
}

async fn send(
    api: &Api,
    gateway: &str,
    body: &str,
    headers: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method("POST")
        .uri(format!("/v1/webhooks/{gateway}"))
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    let res = api
        .app
        .clone()
        .oneshot(b.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn webhook_refusals(api: &Api) -> Vec<jaga_audit::event::AuditEvent> {
    let size = api.h.store.audit_head().await.unwrap().size;
    api.h
        .store
        .audit_events(0, size as u32)
        .await
        .unwrap()
        .iter()
        .map(|e| jaga_audit::event::decode(&e.leaf).unwrap())
        .filter(|e| e.action == "fraud.webhook")
        .collect()
}

fn midtrans_body(status: &str, code: &str, gross: &str, key: &str) -> String {
    let sig = midtrans::signature("ORD-10001", code, gross, &Secret::new(key).unwrap());
    format!(
        r#"{{"transaction_time":"2024-05-01 10:15:32","transaction_status":"{status}","transaction_id":"1a1a66f7-27a7-4844-ba1f-d86dcc16ab27","status_message":"midtrans payment notification","status_code":"{code}","signature_key":"{sig}","payment_type":"credit_card","order_id":"ORD-10001","merchant_id":"G123456789","masked_card":"48111111-1114","gross_amount":"{gross}","fraud_status":"accept","eci":"05","currency":"IDR","channel_response_message":"Approved","channel_response_code":"00","card_type":"credit","bank":"bni","approval_code":"1714531234567"}}"#
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn stripe_event(id: &str, kind: &str, object: &str) -> String {
    format!(
        r#"{{"id":"{id}","object":"event","api_version":"2024-06-20","created":1714531200,"livemode":false,"type":"{kind}","data":{{"object":{object}}}}}"#
    )
}

const CHARGE: &str = r#"{"id":"ch_123","object":"charge","amount":14500,"currency":"idr","status":"succeeded","paid":true,"metadata":{"order_id":"ORD-S1"},"billing_details":{"email":"a@example.com","address":{"country":"ID","postal_code":"12190"}},"payment_method_details":{"type":"card","card":{"brand":"visa","country":"ID","funding":"credit","last4":"4242","fingerprint":"Xt5EWLLDS7FJjR1c"}},"outcome":{"risk_level":"normal","risk_score":32,"type":"authorized"}}"#;

fn stripe_headers(body: &str, t: i64, secret: &str) -> Vec<(&'static str, String)> {
    let sig = stripe::signature(t, body.as_bytes(), &Secret::new(secret).unwrap());
    vec![("stripe-signature", format!("t={t},v1={sig}"))]
}

async fn label(api: &Api, id: &str) -> Option<jaga_core::store::FraudLabelRow> {
    api.h
        .store
        .fraud_labels_after("", 100)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.event_id == id)
}

#[tokio::test]
async fn midtrans_genuine_notifications_are_scored_once_and_chargebacks_label_the_payment() {
    let api = configured().await;
    let body = midtrans_body("capture", "200", "145000.00", MIDTRANS_KEY);
    let (s, v) = send(&api, "midtrans", &body, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = "midtrans:1a1a66f7-27a7-4844-ba1f-d86dcc16ab27:capture";
    assert_eq!(v["delivery"], id);
    assert_eq!(v["status"], "scored");
    assert!(v["decision"].is_string());
    let rows = api.h.store.fraud_events_get(&[id.into()]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].event.contains("\"amount\":14500000"),
        "{}",
        rows[0].event
    );
    // The retry is acknowledged with the same decision and stores nothing new.
    let (s, again) = send(&api, "midtrans", &body, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["decision"], v["decision"]);
    assert_eq!(
        api.h.store.fraud_events_after(0, 100).await.unwrap().len(),
        1
    );

    // A chargeback of the same order labels the capture as fraud.
    let cb = midtrans_body("chargeback", "200", "145000.00", MIDTRANS_KEY);
    let (s, v) = send(&api, "midtrans", &cb, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "scored");
    let l = label(&api, id).await.expect("the capture is labelled");
    assert_eq!(l.fraud, Some(true));
    assert_eq!(l.kind, "chargeback");
    // The chargeback event took the payment's card, so per-card chargeback features count it.
    let cb_row = api
        .h
        .store
        .fraud_events_get(&["midtrans:1a1a66f7-27a7-4844-ba1f-d86dcc16ab27:chargeback".into()])
        .await
        .unwrap();
    assert!(cb_row[0].event.contains("481111"), "{}", cb_row[0].event);
    assert!(webhook_refusals(&api).await.is_empty());
}

#[tokio::test]
async fn midtrans_forged_or_unsigned_notifications_are_401_and_audited() {
    let api = configured().await;
    let cases = [
        midtrans_body("capture", "200", "145000.00", "SB-Mid-server-WRONG"),
        // Amount changed after signing.
        midtrans_body("capture", "200", "145000.00", MIDTRANS_KEY).replace(
            r#""gross_amount":"145000.00""#,
            r#""gross_amount":"1450000.00""#,
        ),
        r#"{"order_id":"ORD-1","status_code":"200","gross_amount":"1.00"}"#.to_string(),
        "not json".to_string(),
    ];
    for body in &cases {
        let (s, v) = send(&api, "midtrans", body, &[]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
        assert_eq!(v["code"], "webhook_unverified");
    }
    assert!(
        api.h
            .store
            .fraud_events_after(0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let audited = webhook_refusals(&api).await;
    assert_eq!(audited.len(), cases.len());
    assert!(audited.iter().all(|e| e.outcome == "denied"
        && e.actor_id == "webhook.midtrans"
        && e.fields.contains(&"gateway:midtrans".to_string())));
    let reasons: Vec<&String> = audited.iter().flat_map(|e| e.fields.iter()).collect();
    assert!(reasons.iter().any(|f| *f == "reason:forged"));
    assert!(reasons.iter().any(|f| *f == "reason:unsigned"));
    // The key never reaches the log.
    assert!(!format!("{audited:?}").contains(MIDTRANS_KEY));
}

#[tokio::test]
async fn stripe_signatures_tolerance_rotation_and_disputes() {
    let api = configured().await;
    let body = stripe_event("evt_1", "charge.succeeded", CHARGE);
    // Rotation: an unknown secret's v1 first, ours second.
    let ours = stripe::signature(now(), body.as_bytes(), &Secret::new(STRIPE_SECRET).unwrap());
    let other = stripe::signature(now(), body.as_bytes(), &Secret::new("whsec_new").unwrap());
    let h = vec![(
        "stripe-signature",
        format!("t={},v1={other},v1={ours}", now()),
    )];
    let (s, v) = send(&api, "stripe", &body, &h).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "scored");

    // Stale (beyond 300 s), forged, unsigned: 401, audited, nothing stored.
    let before = api.h.store.fraud_events_after(0, 100).await.unwrap().len();
    let body2 = stripe_event(
        "evt_2",
        "charge.succeeded",
        &CHARGE.replace("ch_123", "ch_456"),
    );
    for (headers, reason) in [
        (
            stripe_headers(&body2, now() - 400, STRIPE_SECRET),
            "reason:stale",
        ),
        (
            stripe_headers(&body2, now(), "whsec_wrong"),
            "reason:forged",
        ),
        (vec![], "reason:unsigned"),
    ] {
        let (s, v) = send(&api, "stripe", &body2, &headers).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{reason}: {v}");
        let audited = webhook_refusals(&api).await;
        assert!(
            audited.last().unwrap().fields.contains(&reason.to_string()),
            "{audited:?}"
        );
    }
    assert_eq!(
        api.h.store.fraud_events_after(0, 100).await.unwrap().len(),
        before
    );
    // Just inside the tolerance is accepted.
    let (s, v) = send(
        &api,
        "stripe",
        &body2,
        &stripe_headers(&body2, now() - 290, STRIPE_SECRET),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A dispute on ch_123 labels the charge's event fraud (found through the charge id).
    let dispute = stripe_event(
        "evt_3",
        "charge.dispute.created",
        r#"{"id":"dp_1","object":"dispute","amount":14500,"currency":"idr","charge":"ch_123","reason":"fraudulent"}"#,
    );
    let (s, v) = send(
        &api,
        "stripe",
        &dispute,
        &stripe_headers(&dispute, now(), STRIPE_SECRET),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(label(&api, "stripe:evt_1").await.unwrap().fraud, Some(true));
    assert!(label(&api, "stripe:evt_2").await.is_none());

    // A refund of ch_456 is recorded without a verdict; it never overrides a fraud label.
    let refund = stripe_event(
        "evt_4",
        "charge.refunded",
        &CHARGE.replace("ch_123", "ch_456"),
    );
    let (s, _) = send(
        &api,
        "stripe",
        &refund,
        &stripe_headers(&refund, now(), STRIPE_SECRET),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let l = label(&api, "stripe:evt_2").await.unwrap();
    assert_eq!((l.fraud, l.kind.as_str()), (None, "refund"));
    let refund1 = stripe_event("evt_5", "charge.refunded", CHARGE);
    send(
        &api,
        "stripe",
        &refund1,
        &stripe_headers(&refund1, now(), STRIPE_SECRET),
    )
    .await;
    assert_eq!(label(&api, "stripe:evt_1").await.unwrap().fraud, Some(true));

    // Event types the monitor does not read are acknowledged.
    let other = stripe_event("evt_6", "customer.created", r#"{"id":"cus_1"}"#);
    let (s, v) = send(
        &api,
        "stripe",
        &other,
        &stripe_headers(&other, now(), STRIPE_SECRET),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ignored")));
}

#[tokio::test]
async fn xendit_token_and_unconfigured_gateways() {
    let api = configured().await;
    let paid = r#"{"id":"579c8d61f23fa4ca35e52da4","external_id":"ORD-10001","user_id":"5781d19b2e2385880609791c","is_high":false,"payment_method":"EWALLET","status":"PAID","merchant_name":"Toko Cantik","amount":145000,"paid_amount":145000,"paid_at":"2024-05-01T03:15:32.000Z","payer_email":"a@example.com","description":"Serum x2","created":"2024-05-01T03:10:00.000Z","updated":"2024-05-01T03:15:33.000Z","currency":"IDR","payment_channel":"OVO","payment_destination":"OVO"}"#;
    let (s, v) = send(
        &api,
        "xendit",
        paid,
        &[("x-callback-token", XENDIT_TOKEN.into())],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["delivery"], "xendit:579c8d61f23fa4ca35e52da4:PAID");
    for h in [vec![], vec![("x-callback-token", "wrong".to_string())]] {
        let (s, _) = send(&api, "xendit", paid, &h).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // A right token with an unreadable body: 422, not stored.
    let (s, v) = send(
        &api,
        "xendit",
        "{",
        &[("x-callback-token", XENDIT_TOKEN.into())],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Unknown gateway: 404. A gateway without a secret: 404, audited.
    let (s, _) = send(&api, "paypal", paid, &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let bare = api_unconfigured().await;
    let (s, v) = send(&bare, "stripe", paid, &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "gateway_not_configured");
    assert_eq!(webhook_refusals(&bare).await.len(), 1);
}

/// A paid Xendit invoice for `order` (invoice `inv`, payment `py`), as Xendit sends it.
fn xendit_paid(inv: &str, order: &str, py: &str) -> String {
    format!(
        r#"{{"id":"{inv}","external_id":"{order}","user_id":"5781d19b2e2385880609791c","is_high":false,"payment_method":"CREDIT_CARD","status":"PAID","merchant_name":"Toko Cantik","amount":145000,"paid_amount":145000,"paid_at":"2024-05-01T03:15:32.000Z","payer_email":"a@example.com","description":"Serum x2","created":"2024-05-01T03:10:00.000Z","updated":"2024-05-01T03:15:33.000Z","currency":"IDR","payment_channel":"CREDIT_CARD","payment_id":"{py}"}}"#
    )
}

/// A Xendit dispute callback (`dispute.action_required` or `dispute.lost`).
fn xendit_dispute(event: &str, status: &str, payment: &str, reference: &str) -> String {
    format!(
        r#"{{"event":"{event}","id":"mi-dspt-{payment}","channel_code":"CARDS","card_brands":"VISA","status":"{status}","currency":"IDR","amount":{{"initial":"145000","terminal":null}},"created_at":"2024-05-20T19:50:51.724Z","updated_at":"2024-05-20T19:50:51.724Z","due_date":"2024-06-03T19:50:51.724Z","note":"Please provide evidence of delivery.","category":{{"name":"fraud","allowed_evidence":[]}},"related_disputes":[],"payment_id":"{payment}","reference_id":"{reference}"}}"#
    )
}

#[tokio::test]
async fn xendit_refunds_and_disputes_reach_the_earlier_payment() {
    let api = configured().await;
    let h = [("x-callback-token", XENDIT_TOKEN.to_string())];
    for (inv, order, py) in [
        ("inv-a", "ORD-A", "py-aaaa"),
        ("inv-b", "ORD-B", "py-bbbb"),
        ("inv-c", "ORD-C", "py-cccc"),
    ] {
        let (s, v) = send(&api, "xendit", &xendit_paid(inv, order, py), &h).await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::OK, Some("scored")),
            "{v}"
        );
    }
    // A succeeded refund of invoice A: a refund event, the payment recorded as refunded
    // without a verdict.
    let refund = r#"{"event":"refund.succeeded","business_id":"5f27a14a9bf05c73dd040bc8","created":"2024-05-03T09:12:33.001Z","data":{"id":"rfd-6f4a377d-a201-437f-9119-f8b00cbbe857","payment_id":null,"invoice_id":"inv-a","amount":145000,"payment_method_type":"CREDIT_CARD","channel_code":"CARDS","currency":"IDR","status":"SUCCEEDED","reason":"REQUESTED_BY_CUSTOMER","reference_id":"b2756a1e-e6cd-4352-9a68-0483aa2b6a2","failure_code":null,"refund_fee_amount":null,"created":"2024-05-03T09:12:30.001Z","updated":"2024-05-03T09:12:33.001Z","metadata":null}}"#;
    let (s, v) = send(&api, "xendit", refund, &h).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("scored")),
        "{v}"
    );
    let l = label(&api, "xendit:inv-a:PAID")
        .await
        .expect("refund recorded");
    assert_eq!((l.fraud, l.kind.as_str()), (None, "refund"));
    // A new dispute naming order B: a chargeback event labelling B's payment fraud.
    let opened = xendit_dispute(
        "dispute.action_required",
        "ACTION_REQUIRED",
        "py-bbbb",
        "ORD-B",
    );
    let (s, v) = send(&api, "xendit", &opened, &h).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("scored")),
        "{v}"
    );
    let l = label(&api, "xendit:inv-b:PAID").await.expect("B labelled");
    assert_eq!((l.fraud, l.kind.as_str()), (Some(true), "chargeback"));
    // A lost dispute on payment C (its opening missed): labelled, no event of its own.
    let lost = xendit_dispute("dispute.lost", "LOST", "py-cccc", "ORD-C");
    let (s, v) = send(&api, "xendit", &lost, &h).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("labelled")),
        "{v}"
    );
    let l = label(&api, "xendit:inv-c:PAID").await.expect("C labelled");
    assert_eq!((l.fraud, l.kind.as_str()), (Some(true), "chargeback"));
    // Three invoices, one refund, one chargeback.
    assert_eq!(
        api.h.store.fraud_events_after(0, 100).await.unwrap().len(),
        5
    );
    assert!(webhook_refusals(&api).await.is_empty());
}

async fn api_unconfigured() -> Api {
    api().await
}

/// Forged notifications need no key: each is refused, but the vault's refusal budget audits
/// only the first ones one by one (the rest are counted into a summary), so a flood cannot
/// grow the log without bound.
#[tokio::test]
async fn a_flood_of_forged_notifications_is_refused_without_flooding_the_log() {
    let api = configured().await;
    let body = midtrans_body("capture", "200", "145000.00", "SB-Mid-server-WRONG");
    let sent = 45;
    for _ in 0..sent {
        let (s, v) = send(&api, "midtrans", &body, &[]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    }
    let audited = webhook_refusals(&api).await.len();
    assert!(
        (1..sent).contains(&audited),
        "{audited} refusals audited one by one"
    );
}
