//! Xendit callbacks.
//!
//! Xendit sends the account's static callback verification token in `x-callback-token`; the
//! body is not signed, so authenticity rests on TLS and the token's secrecy. The token is
//! compared in constant time (as SHA-256 digests, so its length does not leak either). Three
//! kinds of callback are read, told apart by their shape; the delivery identity is always the
//! object's `id` and `status`, and amounts are in the currency's major unit (`145000` rupiah):
//!
//! - **Invoices** (`PAID`, `SETTLED`, `EXPIRED`, `FAILED`): a payment, referenced by the
//!   invoice id, its `payment_id` when present and the order (`external_id`).
//! - **Refunds** (`{"event": "refund.succeeded" | "refund.failed", "data": {…}}`): a succeeded
//!   refund becomes a refund event whose targets are the refunded invoice (`invoice_id`) and
//!   payment (`payment_id`); the earlier payment is recorded as refunded, not labelled. A
//!   failed refund is acknowledged and ignored.
//! - **Disputes** (`{"event": "dispute.…", "id", "status", "payment_id", "reference_id", …}`):
//!   a new dispute (`dispute.action_required`) becomes a chargeback event and labels the
//!   disputed payment (`payment_id`, and the order named by `reference_id`) fraud, as Stripe's
//!   `charge.dispute.created` and Midtrans' `chargeback` do; a lost dispute (`dispute.lost`)
//!   labels it too without a second chargeback event (so a dispute missed at creation is still
//!   labelled). Reviews and won disputes are acknowledged and ignored: a verdict already given
//!   is not withdrawn.

use super::{
    Effect, Gateway, Notification, Secret, VerifyError, bare, ct_eq_token, finish, payment, s,
    to_minor,
};
use crate::event::EventType;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Verifies and reads one callback.
pub fn verify(
    body: &[u8],
    token: Option<&str>,
    expected: &Secret,
) -> Result<Notification, VerifyError> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(VerifyError::Unsigned)?;
    if !ct_eq_token(token.trim().as_bytes(), expected.bytes()) {
        return Err(VerifyError::Forged);
    }
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| VerifyError::Malformed("the body is not JSON"))?;
    read(&v)
}

fn read(v: &serde_json::Value) -> Result<Notification, VerifyError> {
    match s(v, "event") {
        Some(e) if e.starts_with("refund.") => return refund(e, v),
        Some(e) if e.starts_with("dispute.") => return dispute(e, v),
        _ => {}
    }
    let id = s(v, "id").ok_or(VerifyError::Malformed("id is missing"))?;
    let status = s(v, "status").ok_or(VerifyError::Malformed("status is missing"))?;
    if id.is_empty() || id.len() > 64 || status.len() > 32 {
        return Err(VerifyError::Malformed("id is out of range"));
    }
    let delivery = format!("xendit:{id}:{status}");
    let pay_status = match status {
        "PAID" | "SETTLED" => "captured",
        "EXPIRED" => "expired",
        "FAILED" => "failed",
        _ => return Ok(Notification::ignored(Gateway::Xendit, delivery)),
    };
    let when = s(v, "paid_at")
        .or_else(|| s(v, "updated"))
        .or_else(|| s(v, "created"))
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .ok_or(VerifyError::Malformed(
            "paid_at or updated is missing or invalid",
        ))?;
    let currency = s(v, "currency").unwrap_or("IDR").to_ascii_uppercase();
    let amount = match v.get("paid_amount").or_else(|| v.get("amount")) {
        Some(serde_json::Value::Number(n)) => to_minor(&n.to_string(), &currency),
        Some(serde_json::Value::String(t)) => to_minor(t, &currency),
        _ => None,
    };
    let method = method_of(s(v, "payment_method"));
    let mut ev = bare(delivery.clone(), when, EventType::Payment);
    let order = s(v, "external_id").map(str::to_string);
    ev.order_id = order.clone();
    ev.amount = amount;
    ev.currency = Some(currency);
    ev.email = s(v, "payer_email").map(str::to_string);
    ev.payment = Some(payment(Gateway::Xendit, method, Some(pay_status)));
    let ev = finish(ev)?;
    let mut refs = vec![format!("xendit:{id}")];
    if let Some(p) = s(v, "payment_id").filter(|p| !p.is_empty() && p.len() <= 100) {
        refs.push(format!("xendit:{p}"));
    }
    if let Some(o) = order {
        refs.push(format!("order:{o}"));
    }
    Ok(Notification {
        gateway: Gateway::Xendit,
        delivery,
        event: Some(ev),
        refs,
        effect: Effect::None,
        targets: Vec::new(),
    })
}

/// A time field (RFC 3339) of `v`, the first of `names` present.
fn time_of(v: &serde_json::Value, names: &[&str]) -> Option<OffsetDateTime> {
    names
        .iter()
        .find_map(|n| s(v, n))
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

/// An object id that can go into a delivery identity or a reference.
fn object_id<'a>(v: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    s(v, name).filter(|i| !i.is_empty() && i.len() <= 100)
}

/// An amount in major units (number or decimal string) → minor units of `currency`.
fn amount_of(a: Option<&serde_json::Value>, currency: &str) -> Option<i64> {
    match a {
        Some(serde_json::Value::Number(n)) => to_minor(&n.to_string(), currency),
        Some(serde_json::Value::String(t)) => to_minor(t, currency),
        _ => None,
    }
}

/// A refund callback: `{"event", "business_id", "created", "data": {refund}}`.
fn refund(event: &str, v: &serde_json::Value) -> Result<Notification, VerifyError> {
    let d = v
        .get("data")
        .filter(|d| d.is_object())
        .ok_or(VerifyError::Malformed("data is missing"))?;
    let id = object_id(d, "id").ok_or(VerifyError::Malformed("data.id is missing"))?;
    let status = s(d, "status")
        .filter(|st| st.len() <= 32)
        .ok_or(VerifyError::Malformed("data.status is missing"))?;
    let delivery = format!("xendit:{id}:{status}");
    if event != "refund.succeeded" || status != "SUCCEEDED" {
        return Ok(Notification::ignored(Gateway::Xendit, delivery));
    }
    let targets: Vec<String> = ["invoice_id", "payment_id"]
        .iter()
        .filter_map(|n| object_id(d, n))
        .map(|t| format!("xendit:{t}"))
        .collect();
    if targets.is_empty() {
        return Err(VerifyError::Malformed(
            "the refund names no invoice or payment",
        ));
    }
    let when = time_of(d, &["updated", "created"])
        .or_else(|| time_of(v, &["created"]))
        .ok_or(VerifyError::Malformed(
            "updated or created is missing or invalid",
        ))?;
    let currency = s(d, "currency").unwrap_or("IDR").to_ascii_uppercase();
    let mut ev = bare(delivery.clone(), when, EventType::Refund);
    ev.amount = amount_of(d.get("amount"), &currency);
    ev.currency = Some(currency);
    ev.payment = Some(payment(
        Gateway::Xendit,
        method_of(s(d, "payment_method_type")),
        Some("refunded"),
    ));
    let ev = finish(ev)?;
    Ok(Notification {
        gateway: Gateway::Xendit,
        delivery,
        event: Some(ev),
        refs: vec![format!("xendit:{id}")],
        effect: Effect::Refund,
        targets,
    })
}

/// A dispute callback: the dispute object with its `event`.
fn dispute(event: &str, v: &serde_json::Value) -> Result<Notification, VerifyError> {
    let id = object_id(v, "id").ok_or(VerifyError::Malformed("id is missing"))?;
    let status = s(v, "status")
        .filter(|st| st.len() <= 32)
        .ok_or(VerifyError::Malformed("status is missing"))?;
    let delivery = format!("xendit:{id}:{status}");
    let opened = event == "dispute.action_required";
    if !opened && event != "dispute.lost" {
        return Ok(Notification::ignored(Gateway::Xendit, delivery));
    }
    let payment_id = object_id(v, "payment_id");
    let order = object_id(v, "reference_id");
    let mut targets = Vec::new();
    if let Some(p) = payment_id {
        targets.push(format!("xendit:{p}"));
    }
    if let Some(o) = order {
        targets.push(format!("order:{o}"));
    }
    if targets.is_empty() {
        return Err(VerifyError::Malformed(
            "the dispute names no payment or reference",
        ));
    }
    if !opened {
        // Lost: label the payment; the chargeback event came with the dispute's creation.
        let mut n = Notification::ignored(Gateway::Xendit, delivery);
        n.effect = Effect::Chargeback;
        n.targets = targets;
        return Ok(n);
    }
    let when = time_of(v, &["created_at", "updated_at"])
        .ok_or(VerifyError::Malformed("created_at is missing or invalid"))?;
    let currency = s(v, "currency").unwrap_or("IDR").to_ascii_uppercase();
    let mut ev = bare(delivery.clone(), when, EventType::Chargeback);
    ev.amount = amount_of(v.get("amount").and_then(|a| a.get("initial")), &currency);
    ev.currency = Some(currency);
    ev.order_id = order.map(str::to_string);
    let method = match s(v, "channel_code") {
        Some("CARDS") => Some("card"),
        Some("QRIS") => Some("qris"),
        _ => None,
    };
    ev.payment = Some(payment(Gateway::Xendit, method, Some("chargeback")));
    let ev = finish(ev)?;
    Ok(Notification {
        gateway: Gateway::Xendit,
        delivery,
        event: Some(ev),
        refs: vec![format!("xendit:{id}")],
        effect: Effect::Chargeback,
        targets,
    })
}

/// Xendit's payment method names → the event's `payment.method`.
fn method_of(m: Option<&str>) -> Option<&'static str> {
    match m {
        Some("EWALLET") => Some("ewallet"),
        Some("BANK_TRANSFER") | Some("VIRTUAL_ACCOUNT") => Some("va"),
        Some("CREDIT_CARD") | Some("CARDS") | Some("CARD") => Some("card"),
        Some("QR_CODE") | Some("QRIS") => Some("qris"),
        Some("RETAIL_OUTLET") | Some("OVER_THE_COUNTER") => Some("cstore"),
        Some("DIRECT_DEBIT") => Some("direct_debit"),
        Some("PAYLATER") => Some("paylater"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAID: &str = r#"{"id":"579c8d61f23fa4ca35e52da4","external_id":"ORD-10001","user_id":"5781d19b2e2385880609791c","is_high":false,"payment_method":"EWALLET","status":"PAID","merchant_name":"Toko Cantik","amount":145000,"paid_amount":145000,"paid_at":"2024-05-01T03:15:32.000Z","payer_email":"a@example.com","description":"Serum x2","created":"2024-05-01T03:10:00.000Z","updated":"2024-05-01T03:15:33.000Z","currency":"IDR","payment_channel":"OVO","payment_destination":"OVO"}"#;

    #[test]
    fn a_paid_invoice_becomes_a_payment() {
        let k = Secret::new("xnd-callback-token").unwrap();
        let n = verify(PAID.as_bytes(), Some("xnd-callback-token"), &k).unwrap();
        assert_eq!(n.delivery, "xendit:579c8d61f23fa4ca35e52da4:PAID");
        let ev = n.event.unwrap();
        assert_eq!(ev.amount, Some(14_500_000));
        assert_eq!(ev.order_id.as_deref(), Some("ORD-10001"));
        assert_eq!(ev.unix(), 1_714_533_332);
        let p = ev.payment.unwrap();
        assert_eq!(p.method.as_deref(), Some("ewallet"));
        assert_eq!(p.status.as_deref(), Some("captured"));
    }

    #[test]
    fn a_wrong_or_missing_token_is_refused() {
        let k = Secret::new("xnd-callback-token").unwrap();
        assert_eq!(
            verify(PAID.as_bytes(), None, &k).unwrap_err(),
            VerifyError::Unsigned
        );
        assert_eq!(
            verify(PAID.as_bytes(), Some(""), &k).unwrap_err(),
            VerifyError::Unsigned
        );
        for bad in [
            "xnd-callback-toke",
            "xnd-callback-token2",
            "XND-CALLBACK-TOKEN",
        ] {
            assert_eq!(
                verify(PAID.as_bytes(), Some(bad), &k).unwrap_err(),
                VerifyError::Forged
            );
        }
        // A right token with a body that is not JSON is malformed, not forged.
        assert!(matches!(
            verify(b"{", Some("xnd-callback-token"), &k).unwrap_err(),
            VerifyError::Malformed(_)
        ));
        // Unknown statuses are acknowledged and ignored.
        let pending = PAID.replace("\"PAID\"", "\"PENDING\"");
        let n = verify(pending.as_bytes(), Some("xnd-callback-token"), &k).unwrap();
        assert!(n.event.is_none());
    }

    const TOKEN: &str = "xnd-callback-token";

    fn read_ok(body: &str) -> Notification {
        let k = Secret::new(TOKEN).unwrap();
        verify(body.as_bytes(), Some(TOKEN), &k).unwrap()
    }

    /// Refund callback as Xendit documents it (`refund.succeeded`), for the invoice above.
    const REFUND: &str = r#"{"event":"refund.succeeded","business_id":"5f27a14a9bf05c73dd040bc8","created":"2024-05-03T09:12:33.001Z","data":{"id":"rfd-6f4a377d-a201-437f-9119-f8b00cbbe857","payment_id":null,"invoice_id":"579c8d61f23fa4ca35e52da4","amount":145000,"payment_method_type":"EWALLET","channel_code":"OVO","currency":"IDR","status":"SUCCEEDED","reason":"REQUESTED_BY_CUSTOMER","reference_id":"b2756a1e-e6cd-4352-9a68-0483aa2b6a2","failure_code":null,"refund_fee_amount":null,"created":"2024-05-03T09:12:30.001Z","updated":"2024-05-03T09:12:33.001Z","metadata":null}}"#;

    /// Dispute callback as Xendit documents it (`dispute.action_required`).
    const DISPUTE: &str = r#"{"event":"dispute.action_required","id":"mi-dspt-f44d259f-fd9d-4de9-80de-1eef3f1506b7","channel_code":"CARDS","card_brands":"VISA","status":"ACTION_REQUIRED","currency":"USD","amount":{"initial":"1000.00","terminal":null},"created_at":"2026-03-01T19:50:51.724Z","updated_at":"2026-03-01T19:50:51.724Z","due_date":"2026-03-15T19:50:51.724Z","note":"Please provide evidence of delivery.","category":{"name":"fraud","allowed_evidence":[{"name":"proof_of_delivery","type":"FILE","max_length":5242880,"is_recommended":true,"max_evidences":3},{"name":"explanation","type":"TEXT","max_length":255,"is_recommended":false,"max_evidences":3}]},"related_disputes":[],"payment_id":"py-1402feb0-bb79-47ae-9d1e-e69394d3949c","reference_id":"ORD-10001"}"#;

    #[test]
    fn a_succeeded_refund_becomes_a_refund_of_the_invoice() {
        let n = read_ok(REFUND);
        assert_eq!(
            n.delivery,
            "xendit:rfd-6f4a377d-a201-437f-9119-f8b00cbbe857:SUCCEEDED"
        );
        assert_eq!(n.effect, Effect::Refund);
        // The invoice callback's own reference, so the vault finds the paid invoice.
        assert_eq!(n.targets, vec!["xendit:579c8d61f23fa4ca35e52da4"]);
        let ev = n.event.unwrap();
        assert_eq!(ev.kind, EventType::Refund);
        assert_eq!(ev.amount, Some(14_500_000));
        assert_eq!(ev.currency.as_deref(), Some("IDR"));
        assert_eq!(ev.unix(), 1_714_727_553);
        let p = ev.payment.unwrap();
        assert_eq!(p.method.as_deref(), Some("ewallet"));
        assert_eq!(p.status.as_deref(), Some("refunded"));
        // The payments-API shape names the payment instead (here in pesos: 10000.00 PHP).
        let direct = REFUND
            .replace(
                r#""payment_id":null"#,
                r#""payment_id":"ddpy-3cd658ae-25b9-4659-aa36-596ae41a809f""#,
            )
            .replace(
                r#""invoice_id":"579c8d61f23fa4ca35e52da4""#,
                r#""invoice_id":null"#,
            )
            .replace(r#""currency":"IDR""#, r#""currency":"PHP""#)
            .replace(r#""amount":145000"#, r#""amount":10000"#);
        let n = read_ok(&direct);
        assert_eq!(
            n.targets,
            vec!["xendit:ddpy-3cd658ae-25b9-4659-aa36-596ae41a809f"]
        );
        assert_eq!(n.event.unwrap().amount, Some(1_000_000));
    }

    #[test]
    fn failed_refunds_are_ignored_and_unreadable_ones_refused() {
        let failed = REFUND
            .replace("refund.succeeded", "refund.failed")
            .replace(r#""status":"SUCCEEDED""#, r#""status":"FAILED""#);
        let n = read_ok(&failed);
        assert!(n.event.is_none() && n.effect == Effect::None);
        assert_eq!(
            n.delivery,
            "xendit:rfd-6f4a377d-a201-437f-9119-f8b00cbbe857:FAILED"
        );
        let k = Secret::new(TOKEN).unwrap();
        let nowhere = REFUND.replace(
            r#""invoice_id":"579c8d61f23fa4ca35e52da4""#,
            r#""invoice_id":null"#,
        );
        for bad in [
            nowhere.as_str(),
            r#"{"event":"refund.succeeded","created":"2024-05-03T09:12:33.001Z"}"#,
            &REFUND
                .replace(
                    r#""updated":"2024-05-03T09:12:33.001Z""#,
                    r#""updated":"yesterday""#,
                )
                .replace(r#""created":"2024-05-03T09:12:30.001Z""#, r#""created":1"#)
                .replace(r#""created":"2024-05-03T09:12:33.001Z""#, r#""created":2"#),
        ] {
            assert!(matches!(
                verify(bad.as_bytes(), Some(TOKEN), &k).unwrap_err(),
                VerifyError::Malformed(_)
            ));
        }
        // The token guards refunds and disputes as it guards invoices.
        for body in [REFUND, DISPUTE] {
            assert_eq!(
                verify(body.as_bytes(), Some("xnd-callback-toke"), &k).unwrap_err(),
                VerifyError::Forged
            );
            assert_eq!(
                verify(body.as_bytes(), None, &k).unwrap_err(),
                VerifyError::Unsigned
            );
        }
    }

    #[test]
    fn a_new_dispute_is_a_chargeback_labelling_the_payment() {
        let n = read_ok(DISPUTE);
        assert_eq!(
            n.delivery,
            "xendit:mi-dspt-f44d259f-fd9d-4de9-80de-1eef3f1506b7:ACTION_REQUIRED"
        );
        assert_eq!(n.effect, Effect::Chargeback);
        assert_eq!(
            n.targets,
            vec![
                "xendit:py-1402feb0-bb79-47ae-9d1e-e69394d3949c",
                "order:ORD-10001"
            ]
        );
        let ev = n.event.unwrap();
        assert_eq!(ev.kind, EventType::Chargeback);
        assert_eq!(ev.amount, Some(100_000)); // 1000.00 USD in cents
        assert_eq!(ev.order_id.as_deref(), Some("ORD-10001"));
        assert_eq!(ev.unix(), 1_772_394_651);
        let p = ev.payment.unwrap();
        assert_eq!(p.method.as_deref(), Some("card"));
        assert_eq!(p.status.as_deref(), Some("chargeback"));
    }

    #[test]
    fn a_lost_dispute_labels_without_a_second_chargeback() {
        let lost = DISPUTE
            .replace("dispute.action_required", "dispute.lost")
            .replace(r#""status":"ACTION_REQUIRED""#, r#""status":"LOST""#)
            .replace(r#""terminal":null"#, r#""terminal":"1000.00""#);
        let n = read_ok(&lost);
        assert!(n.event.is_none());
        assert_eq!(n.effect, Effect::Chargeback);
        assert_eq!(n.targets.len(), 2);
        assert_eq!(
            n.delivery,
            "xendit:mi-dspt-f44d259f-fd9d-4de9-80de-1eef3f1506b7:LOST"
        );
        // Under review and won: acknowledged, nothing recorded.
        for (event, status) in [
            ("dispute.under_review", "UNDER_REVIEW"),
            ("dispute.won", "WON"),
        ] {
            let body = DISPUTE.replace("dispute.action_required", event).replace(
                r#""status":"ACTION_REQUIRED""#,
                &format!(r#""status":"{status}""#),
            );
            let n = read_ok(&body);
            assert!(n.event.is_none() && n.effect == Effect::None && n.targets.is_empty());
        }
        // A dispute that names neither the payment nor a reference cannot label anything.
        let k = Secret::new(TOKEN).unwrap();
        let orphan = DISPUTE
            .replace(
                r#""payment_id":"py-1402feb0-bb79-47ae-9d1e-e69394d3949c","#,
                "",
            )
            .replace(r#","reference_id":"ORD-10001""#, "");
        assert!(matches!(
            verify(orphan.as_bytes(), Some(TOKEN), &k).unwrap_err(),
            VerifyError::Malformed(_)
        ));
    }

    #[test]
    fn an_invoice_is_referenced_by_its_payment_id_too() {
        let with_payment = PAID.replace(
            r#""status":"PAID""#,
            r#""status":"PAID","payment_id":"py-1402feb0-bb79-47ae-9d1e-e69394d3949c""#,
        );
        let n = read_ok(&with_payment);
        assert_eq!(
            n.refs,
            vec![
                "xendit:579c8d61f23fa4ca35e52da4",
                "xendit:py-1402feb0-bb79-47ae-9d1e-e69394d3949c",
                "order:ORD-10001"
            ]
        );
    }
}
