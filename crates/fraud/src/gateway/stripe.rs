//! Stripe webhooks.
//!
//! `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`. The expected signature is
//! HMAC-SHA256 of `"{t}.{raw body}"` under the endpoint secret (the whole `whsec_…` string);
//! any `v1` may match (Stripe sends one per active secret while a secret is being rolled, and
//! the shop may hold several), other schemes are ignored. `t` must be within the tolerance of
//! now, in either direction. The delivery identity is the event's `id` (`evt_…`).

use super::{
    Effect, Gateway, Notification, Secret, VerifyError, bare, country, ct_eq, finish, payment, s,
    unhex,
};
use crate::event::{EventType, Shipping};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

/// The `v1` signature of `body` at `t` under `secret` (lower-case hex).
pub fn signature(t: i64, body: &[u8], secret: &Secret) -> String {
    mac(t, body, secret)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn mac(t: i64, body: &[u8], secret: &Secret) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// The header's timestamp and `v1` signatures; `None` when it has no usable `t` or no `v1`.
fn parse_header(h: &str) -> Option<(i64, Vec<Vec<u8>>)> {
    if h.len() > 4096 {
        return None;
    }
    let mut t = None;
    let mut v1 = Vec::new();
    for item in h.split(',') {
        let Some((k, v)) = item.split_once('=') else {
            continue;
        };
        match k.trim() {
            "t" => t = v.trim().parse::<i64>().ok(),
            "v1" => {
                if let Some(b) = unhex(v.trim()).filter(|b| b.len() == 32) {
                    v1.push(b);
                }
            }
            _ => {}
        }
    }
    let t = t?;
    (!v1.is_empty()).then_some((t, v1))
}

/// Verifies and reads one webhook. `now` is Unix seconds.
pub fn verify(
    body: &[u8],
    header: Option<&str>,
    secrets: &[Secret],
    now: i64,
    tolerance: i64,
) -> Result<Notification, VerifyError> {
    let (t, given) = header.and_then(parse_header).ok_or(VerifyError::Unsigned)?;
    let mut ok = false;
    for secret in secrets {
        let expected = mac(t, body, secret);
        for g in &given {
            // Every pair is compared (no early exit), each in constant time.
            ok |= ct_eq(&expected, g);
        }
    }
    if !ok {
        return Err(VerifyError::Forged);
    }
    if now.abs_diff(t) > tolerance.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| VerifyError::Malformed("the body is not JSON"))?;
    read(&v)
}

fn read(v: &serde_json::Value) -> Result<Notification, VerifyError> {
    let id = s(v, "id").ok_or(VerifyError::Malformed("id is missing"))?;
    if id.is_empty() || id.len() > 100 {
        return Err(VerifyError::Malformed("id is out of range"));
    }
    let delivery = format!("stripe:{id}");
    let kind = s(v, "type").unwrap_or_default();
    let created = v
        .get("created")
        .and_then(serde_json::Value::as_i64)
        .ok_or(VerifyError::Malformed("created is missing"))?;
    let ts = OffsetDateTime::from_unix_timestamp(created)
        .map_err(|_| VerifyError::Malformed("created is out of range"))?;
    let obj = v
        .get("data")
        .and_then(|d| d.get("object"))
        .filter(|o| o.is_object())
        .ok_or(VerifyError::Malformed("data.object is missing"))?;
    let (ev_kind, status, effect) = match kind {
        "charge.succeeded" => {
            let captured = obj.get("captured").and_then(serde_json::Value::as_bool);
            let st = if captured == Some(false) {
                "authorized"
            } else {
                "captured"
            };
            (EventType::Payment, st, Effect::None)
        }
        "charge.captured" => (EventType::Payment, "captured", Effect::None),
        "charge.failed" => (EventType::Payment, "failed", Effect::None),
        "charge.refunded" => (EventType::Refund, "refunded", Effect::Refund),
        "charge.dispute.created" => (EventType::Chargeback, "chargeback", Effect::Chargeback),
        "radar.early_fraud_warning.created" => {
            let charge = charge_id(obj, kind)?;
            let mut n = Notification::ignored(Gateway::Stripe, delivery);
            n.effect = Effect::FraudWarning;
            n.targets = vec![format!("stripe:{charge}")];
            return Ok(n);
        }
        _ => return Ok(Notification::ignored(Gateway::Stripe, delivery)),
    };
    let charge = charge_id(obj, kind)?;
    let mut ev = bare(delivery.clone(), ts, ev_kind);
    let currency = s(obj, "currency").map(str::to_ascii_uppercase);
    ev.amount = obj
        .get("amount")
        .and_then(serde_json::Value::as_i64)
        .filter(|a| *a >= 0);
    ev.currency = currency;
    let order = obj
        .get("metadata")
        .and_then(|m| s(m, "order_id"))
        .map(str::to_string);
    ev.order_id = order.clone();
    let mut p = payment(Gateway::Stripe, None, Some(status));
    if ev_kind == EventType::Payment || ev_kind == EventType::Refund {
        ev.customer_ref = s(obj, "customer").map(str::to_string);
        if let Some(b) = obj.get("billing_details") {
            ev.email = s(b, "email").map(str::to_string);
            ev.phone = s(b, "phone").map(str::to_string);
            ev.billing_country = b.get("address").and_then(|a| country(s(a, "country")));
        }
        if let Some(pm) = obj.get("payment_method_details") {
            p.method = match s(pm, "type") {
                Some("card") => Some("card".into()),
                Some(other) => Some(other.to_string()),
                None => None,
            };
            if let Some(c) = pm.get("card") {
                p.card_fingerprint = s(c, "fingerprint").map(str::to_string);
                p.card_country = country(s(c, "country"));
                p.card_last4 = s(c, "last4").map(str::to_string);
            }
        }
        if let Some(sh) = obj.get("shipping").filter(|x| x.is_object()) {
            let a = sh.get("address");
            ev.shipping = Some(Shipping {
                country: a.and_then(|a| country(s(a, "country"))),
                city: a.and_then(|a| s(a, "city")).map(str::to_string),
                postal_code: a.and_then(|a| s(a, "postal_code")).map(str::to_string),
                address_hash: None,
            });
        }
    }
    ev.payment = Some(p);
    let ev = finish(ev)?;
    let charge_ref = format!("stripe:{charge}");
    let mut refs = vec![charge_ref.clone()];
    if let Some(o) = &order {
        refs.push(format!("order:{o}"));
    }
    let targets = match effect {
        Effect::None => Vec::new(),
        _ => refs.clone(),
    };
    Ok(Notification {
        gateway: Gateway::Stripe,
        delivery,
        event: Some(ev),
        refs,
        effect,
        targets,
    })
}

/// The charge an object is about: a charge's own `id`, a dispute's or warning's `charge`.
fn charge_id<'a>(obj: &'a serde_json::Value, kind: &str) -> Result<&'a str, VerifyError> {
    let c = if kind.starts_with("charge.") && !kind.starts_with("charge.dispute") {
        s(obj, "id")
    } else {
        s(obj, "charge")
    };
    c.filter(|c| !c.is_empty() && c.len() <= 100)
        .ok_or(VerifyError::Malformed("the charge id is missing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_531_300;

    fn fixture() -> String {
        r#"{"id":"evt_1Nxyz","object":"event","api_version":"2024-06-20","created":1714531200,"livemode":false,"pending_webhooks":1,"request":{"id":"req_abc","idempotency_key":"a1b2"},"type":"charge.succeeded","data":{"object":{"id":"ch_123","object":"charge","amount":14500,"currency":"idr","status":"succeeded","paid":true,"billing_details":{"email":"a@example.com","address":{"country":"ID","postal_code":"12190"}},"payment_method_details":{"type":"card","card":{"brand":"visa","country":"ID","funding":"credit","last4":"4242","fingerprint":"Xt5EWLLDS7FJjR1c","checks":{"cvc_check":"pass","address_postal_code_check":"pass"}}},"outcome":{"network_status":"approved_by_network","reason":null,"risk_level":"normal","risk_score":32,"rule":null,"seller_message":"Payment complete.","type":"authorized"}}}}"#.to_string()
    }

    fn secret(s: &str) -> Secret {
        Secret::new(s).unwrap()
    }

    #[test]
    fn a_genuine_charge_becomes_a_payment() {
        let k = secret("whsec_test_secret");
        let body = fixture();
        let h = format!("t={NOW},v1={}", signature(NOW, body.as_bytes(), &k));
        let n = verify(body.as_bytes(), Some(&h), &[k], NOW, 300).unwrap();
        assert_eq!(n.delivery, "stripe:evt_1Nxyz");
        let ev = n.event.unwrap();
        assert_eq!(ev.kind, EventType::Payment);
        assert_eq!(ev.amount, Some(14_500));
        assert_eq!(ev.currency.as_deref(), Some("IDR"));
        assert_eq!(ev.email.as_deref(), Some("a@example.com"));
        let p = ev.payment.unwrap();
        assert_eq!(p.card_fingerprint.as_deref(), Some("Xt5EWLLDS7FJjR1c"));
        assert_eq!(p.status.as_deref(), Some("captured"));
        assert_eq!(n.refs, vec!["stripe:ch_123".to_string()]);
    }

    #[test]
    fn the_signed_payload_is_t_dot_body() {
        // HMAC-SHA256 under the whole `whsec_…` string of `"{t}.{payload}"`, recomputed with
        // the primitives directly.
        let k = secret("whsec_test_secret");
        let payload = br#"{"id": "evt_test_webhook", "object": "event"}"#;
        let mut m = Hmac::<Sha256>::new_from_slice(b"whsec_test_secret").unwrap();
        m.update(b"1583000000.");
        m.update(payload);
        let hex: String = m
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(signature(1_583_000_000, payload, &k), hex);
    }

    #[test]
    fn any_v1_may_match_during_rotation() {
        let old = secret("whsec_old");
        let new = secret("whsec_new");
        let body = fixture();
        let h = format!(
            "t={NOW},v1={},v1={},v0=deadbeef",
            signature(NOW, body.as_bytes(), &new),
            signature(NOW, body.as_bytes(), &old)
        );
        // Jaga holds only the old secret: the second v1 matches.
        assert!(
            verify(
                body.as_bytes(),
                Some(&h),
                std::slice::from_ref(&old),
                NOW,
                300
            )
            .is_ok()
        );
        // Jaga holds both while the shop rotates; Stripe sends only the new one.
        let h = format!("t={NOW},v1={}", signature(NOW, body.as_bytes(), &new));
        assert!(verify(body.as_bytes(), Some(&h), &[old, new], NOW, 300).is_ok());
    }

    #[test]
    fn tolerance_edges() {
        let k = secret("whsec_test_secret");
        let body = fixture();
        for (t, ok) in [
            (NOW - 300, true),
            (NOW + 300, true),
            (NOW - 301, false),
            (NOW + 301, false),
        ] {
            let h = format!("t={t},v1={}", signature(t, body.as_bytes(), &k));
            let r = verify(
                body.as_bytes(),
                Some(&h),
                std::slice::from_ref(&k),
                NOW,
                300,
            );
            if ok {
                assert!(r.is_ok(), "t={t}");
            } else {
                assert_eq!(r.unwrap_err(), VerifyError::Stale, "t={t}");
            }
        }
    }

    #[test]
    fn forged_and_unsigned_webhooks_are_refused() {
        let k = secret("whsec_test_secret");
        let body = fixture();
        let good = signature(NOW, body.as_bytes(), &k);
        let cases: Vec<(Option<String>, VerifyError)> = vec![
            (None, VerifyError::Unsigned),
            (Some(String::new()), VerifyError::Unsigned),
            (Some(format!("v1={good}")), VerifyError::Unsigned),
            (Some(format!("t={NOW}")), VerifyError::Unsigned),
            (Some(format!("t={NOW},v0={good}")), VerifyError::Unsigned),
            (Some(format!("t=abc,v1={good}")), VerifyError::Unsigned),
            // Right signature, another timestamp (the timestamp is signed).
            (
                Some(format!("t={},v1={good}", NOW - 1)),
                VerifyError::Forged,
            ),
            // Signed under another secret.
            (
                Some(format!(
                    "t={NOW},v1={}",
                    signature(NOW, body.as_bytes(), &secret("whsec_other"))
                )),
                VerifyError::Forged,
            ),
        ];
        for (h, want) in cases {
            let r = verify(
                body.as_bytes(),
                h.as_deref(),
                std::slice::from_ref(&k),
                NOW,
                300,
            );
            assert_eq!(r.unwrap_err(), want, "{h:?}");
        }
        // The body changed after signing.
        let h = format!("t={NOW},v1={good}");
        let tampered = body.replace("14500", "14501");
        assert_eq!(
            verify(tampered.as_bytes(), Some(&h), &[k], NOW, 300).unwrap_err(),
            VerifyError::Forged
        );
    }

    #[test]
    fn disputes_and_warnings_point_at_the_charge() {
        let k = secret("whsec_x");
        let dispute = r#"{"id":"evt_d1","object":"event","created":1714617600,"type":"charge.dispute.created","data":{"object":{"id":"dp_1","object":"dispute","amount":14500,"currency":"idr","charge":"ch_123","reason":"fraudulent","status":"needs_response"}}}"#;
        let h = format!("t={NOW},v1={}", signature(NOW, dispute.as_bytes(), &k));
        let n = verify(
            dispute.as_bytes(),
            Some(&h),
            std::slice::from_ref(&k),
            NOW,
            300,
        )
        .unwrap();
        assert_eq!(n.effect, Effect::Chargeback);
        assert_eq!(n.targets, vec!["stripe:ch_123".to_string()]);
        assert_eq!(n.event.unwrap().kind, EventType::Chargeback);
        let efw = r#"{"id":"evt_w1","object":"event","created":1714617600,"type":"radar.early_fraud_warning.created","data":{"object":{"id":"issfr_1","object":"radar.early_fraud_warning","actionable":true,"charge":"ch_123","fraud_type":"made_with_stolen_card"}}}"#;
        let h = format!("t={NOW},v1={}", signature(NOW, efw.as_bytes(), &k));
        let n = verify(efw.as_bytes(), Some(&h), std::slice::from_ref(&k), NOW, 300).unwrap();
        assert_eq!(n.effect, Effect::FraudWarning);
        assert!(n.event.is_none());
        // Other event types are acknowledged and ignored.
        let other = r#"{"id":"evt_o","created":1714617600,"type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
        let h = format!("t={NOW},v1={}", signature(NOW, other.as_bytes(), &k));
        let n = verify(other.as_bytes(), Some(&h), &[k], NOW, 300).unwrap();
        assert!(n.event.is_none() && n.effect == Effect::None);
    }
}
