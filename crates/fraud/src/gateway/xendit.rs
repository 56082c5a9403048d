//! Xendit callbacks.
//!
//! Xendit sends the account's static callback verification token in `x-callback-token`; the
//! body is not signed, so authenticity rests on TLS and the token's secrecy. The token is
//! compared in constant time (as SHA-256 digests, so its length does not leak either). Invoice
//! callbacks are read (`PAID`, `SETTLED`, `EXPIRED`); the delivery identity is the invoice `id`
//! and `status`. Amounts are in the currency's major unit (`145000` rupiah).

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
    let method = match s(v, "payment_method") {
        Some("EWALLET") => Some("ewallet"),
        Some("BANK_TRANSFER") => Some("va"),
        Some("CREDIT_CARD") => Some("card"),
        Some("QR_CODE") | Some("QRIS") => Some("qris"),
        Some("RETAIL_OUTLET") => Some("cstore"),
        Some("DIRECT_DEBIT") => Some("direct_debit"),
        Some("PAYLATER") => Some("paylater"),
        _ => None,
    };
    let mut ev = bare(delivery.clone(), when, EventType::Payment);
    let order = s(v, "external_id").map(str::to_string);
    ev.order_id = order.clone();
    ev.amount = amount;
    ev.currency = Some(currency);
    ev.email = s(v, "payer_email").map(str::to_string);
    ev.payment = Some(payment(Gateway::Xendit, method, Some(pay_status)));
    let ev = finish(ev)?;
    let mut refs = vec![format!("xendit:{id}")];
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
}
