//! The event model: what a shop (or a verified gateway notification) reports, and its parser.
//!
//! Every field but `id`, `ts` and `type` may be missing or `null`. Unknown fields are refused,
//! so a typo (`ammount`) is an error instead of a silently ignored signal. Error messages name
//! the field and never echo the value that was sent (it may be an e-mail address or worse).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Longest accepted string field (identifiers, codes, cities).
pub const MAX_FIELD_LEN: usize = 256;
/// Most line items in one event.
pub const MAX_ITEMS: usize = 500;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// A payment attempt or its outcome (authorised, captured, declined …).
    Payment,
    /// An order was placed.
    Order,
    /// Money went back to the customer.
    Refund,
    /// The card holder disputed a payment.
    Chargeback,
    /// A customer logged in.
    Login,
    /// A customer account was created.
    Signup,
}

impl EventType {
    /// The name used in JSON and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Payment => "payment",
            EventType::Order => "order",
            EventType::Refund => "refund",
            EventType::Chargeback => "chargeback",
            EventType::Login => "login",
            EventType::Signup => "signup",
        }
    }
}

/// Payment details. No card number: only the gateway's fingerprint, BIN and last four digits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// `card`, `va`, `ewallet`, `qris`, `cod` (other gateway names are kept as sent, lowercased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The gateway (`midtrans`, `xendit`, `stripe` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The gateway's card fingerprint (stable per card, not the number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_fingerprint: Option<String>,
    /// The card's first 6–8 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_bin: Option<String>,
    /// The issuing country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_country: Option<String>,
    /// The card's last four digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_last4: Option<String>,
    /// `authorized`, `captured`, `declined`, `pending`, `refunded` … (lowercased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Where the goods go. The street address itself never reaches Jaga's fraud engine: only the
/// shop's hash of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// City name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// A stable hash of the full address, computed by the shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_hash: Option<String>,
}

/// One line item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stock-keeping unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qty: Option<u32>,
    /// Unit price in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
}

/// The label `jaga fraud simulate` writes into each line. Scoring ignores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimLabel {
    /// Whether the event is part of a fraud pattern.
    pub fraud: bool,
    /// The scenario that produced it (`regular`, `card_testing`, …).
    pub scenario: String,
}

/// One event, as posted to `POST /v1/events` or read from a JSON-lines file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The shop's unique id for the event.
    pub id: String,
    /// When it happened (RFC 3339). Features are computed as of this time.
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The order this event belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The shop's customer reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
    /// When the customer's account was created.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_created_at: Option<OffsetDateTime>,
    /// E-mail address (kept only as a keyed hash by the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (kept only as a keyed hash by the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Amount in the currency's ISO 4217 minor unit, an integer (sen for IDR: Rp 145.000 is
    /// `14500000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Payment details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// The client's IP address (kept only as a keyed hash by the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The IP address's country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_country: Option<String>,
    /// The shop's device identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Billing country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_country: Option<String>,
    /// Shipping details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Shipping>,
    /// Line items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    /// Promotion or voucher code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo_code: Option<String>,
    /// Written by `jaga fraud simulate`; ignored by scoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<SimLabel>,
}

/// Why an event was refused. Names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EventError {
    /// The offending field (`payment.status`), when known.
    pub field: Option<String>,
    /// What is wrong, without the value.
    pub message: String,
}

impl EventError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        EventError {
            field: Some(field.to_string()),
            message: format!("{field}: {}", message.into()),
        }
    }
}

/// Parses one event from JSON text and validates it ([`Event::validate`]).
pub fn parse_event(text: &str) -> Result<Event, EventError> {
    let ev: Event = serde_json::from_str(text).map_err(|e| from_serde(&e))?;
    ev.validate()?;
    Ok(ev.normalized())
}

/// Parses one event from an already parsed JSON value (the HTTP edge parses once for the card
/// guard) and validates it.
pub fn event_from_value(v: serde_json::Value) -> Result<Event, EventError> {
    let ev: Event = serde_json::from_value(v).map_err(|e| from_serde(&e))?;
    ev.validate()?;
    Ok(ev.normalized())
}

/// A serde error without the values it may quote: `invalid type: string "a@b.c"` becomes
/// `invalid type: string, expected i64`.
pub fn from_serde(e: &serde_json::Error) -> EventError {
    let msg = scrub_quotes(&e.to_string());
    EventError {
        field: None,
        message: msg,
    }
}

/// The event as JSON (as the server stores it).
pub fn to_json(ev: &Event) -> String {
    serde_json::to_string(ev).unwrap_or_default()
}

/// Removes quoted values (`"…"`) from a message; field names in backticks stay.
pub(crate) fn scrub_quotes(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quote = false;
    for c in msg.chars() {
        if c == '"' {
            if !in_quote {
                out.push_str("(value)");
            }
            in_quote = !in_quote;
        } else if !in_quote {
            out.push(c);
        }
    }
    out
}

fn check_text(field: &str, v: &Option<String>) -> Result<(), EventError> {
    if let Some(s) = v {
        if s.len() > MAX_FIELD_LEN {
            return Err(EventError::field(
                field,
                format!("longer than {MAX_FIELD_LEN} bytes"),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(EventError::field(field, "contains control characters"));
        }
    }
    Ok(())
}

fn check_country(field: &str, v: &Option<String>) -> Result<(), EventError> {
    if let Some(s) = v
        && !(s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(EventError::field(
            field,
            "must be a two-letter ISO 3166-1 country code",
        ));
    }
    Ok(())
}

impl Event {
    /// Checks the values serde cannot: lengths, control characters, country and currency codes,
    /// non-negative amounts.
    pub fn validate(&self) -> Result<(), EventError> {
        if self.id.is_empty() {
            return Err(EventError::field("id", "must not be empty"));
        }
        if self.id.len() > 128 {
            return Err(EventError::field("id", "longer than 128 bytes"));
        }
        check_text("id", &Some(self.id.clone()))?;
        for (name, v) in [
            ("order_id", &self.order_id),
            ("customer_ref", &self.customer_ref),
            ("email", &self.email),
            ("phone", &self.phone),
            ("ip", &self.ip),
            ("device_id", &self.device_id),
            ("promo_code", &self.promo_code),
        ] {
            check_text(name, v)?;
        }
        if let Some(a) = self.amount
            && a < 0
        {
            return Err(EventError::field("amount", "must not be negative"));
        }
        if let Some(c) = &self.currency
            && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            return Err(EventError::field(
                "currency",
                "must be a three-letter ISO 4217 code",
            ));
        }
        check_country("ip_country", &self.ip_country)?;
        check_country("billing_country", &self.billing_country)?;
        if let Some(p) = &self.payment {
            for (name, v) in [
                ("payment.method", &p.method),
                ("payment.gateway", &p.gateway),
                ("payment.card_fingerprint", &p.card_fingerprint),
                ("payment.status", &p.status),
            ] {
                check_text(name, v)?;
            }
            check_country("payment.card_country", &p.card_country)?;
            if let Some(b) = &p.card_bin
                && (!(6..=8).contains(&b.len()) || !b.bytes().all(|c| c.is_ascii_digit()))
            {
                return Err(EventError::field(
                    "payment.card_bin",
                    "must be 6 to 8 digits",
                ));
            }
            if let Some(l) = &p.card_last4
                && !(l.len() == 4 && l.bytes().all(|c| c.is_ascii_digit()))
            {
                return Err(EventError::field("payment.card_last4", "must be 4 digits"));
            }
        }
        if let Some(s) = &self.shipping {
            check_country("shipping.country", &s.country)?;
            for (name, v) in [
                ("shipping.city", &s.city),
                ("shipping.postal_code", &s.postal_code),
                ("shipping.address_hash", &s.address_hash),
            ] {
                check_text(name, v)?;
            }
        }
        if let Some(items) = &self.items {
            if items.len() > MAX_ITEMS {
                return Err(EventError::field(
                    "items",
                    format!("more than {MAX_ITEMS} items"),
                ));
            }
            for it in items {
                check_text("items.sku", &it.sku)?;
                if it.price.is_some_and(|p| p < 0) {
                    return Err(EventError::field("items.price", "must not be negative"));
                }
            }
        }
        Ok(())
    }

    /// Upper-case codes, lower-case enumerations, trimmed identifiers; empty strings become
    /// missing.
    pub fn normalized(mut self) -> Self {
        fn up(v: &mut Option<String>) {
            *v = v
                .take()
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty());
        }
        fn low(v: &mut Option<String>) {
            *v = v
                .take()
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty());
        }
        fn trim(v: &mut Option<String>) {
            *v = v
                .take()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
        }
        up(&mut self.currency);
        up(&mut self.ip_country);
        up(&mut self.billing_country);
        up(&mut self.promo_code);
        trim(&mut self.order_id);
        trim(&mut self.customer_ref);
        trim(&mut self.email);
        trim(&mut self.phone);
        trim(&mut self.ip);
        trim(&mut self.device_id);
        if let Some(p) = &mut self.payment {
            low(&mut p.method);
            low(&mut p.gateway);
            low(&mut p.status);
            up(&mut p.card_country);
            trim(&mut p.card_fingerprint);
        }
        if let Some(s) = &mut self.shipping {
            up(&mut s.country);
            trim(&mut s.city);
            trim(&mut s.address_hash);
            trim(&mut s.postal_code);
        }
        self
    }

    /// Unix seconds of `ts`.
    pub fn unix(&self) -> i64 {
        self.ts.unix_timestamp()
    }

    /// Whether the payment status says the payment failed.
    pub fn declined(&self) -> bool {
        self.payment
            .as_ref()
            .and_then(|p| p.status.as_deref())
            .is_some_and(is_declined_status)
    }
}

/// Statuses counted as a declined or failed payment (gateways spell them differently).
pub fn is_declined_status(s: &str) -> bool {
    matches!(
        s,
        "declined" | "denied" | "deny" | "failed" | "failure" | "rejected" | "blocked"
    )
}

/// One label line: `{"id", "fraud": true|false}`. Lines written by `jaga fraud simulate`
/// (`{"id", …, "label": {"fraud", "scenario"}}`) are read too.
pub fn parse_label(text: &str) -> Result<(String, bool), EventError> {
    #[derive(Deserialize)]
    struct Line {
        id: String,
        fraud: Option<bool>,
        label: Option<SimLabel>,
    }
    let l: Line = serde_json::from_str(text).map_err(|e| from_serde(&e))?;
    match (l.fraud, l.label) {
        (Some(f), _) => Ok((l.id, f)),
        (None, Some(lab)) => Ok((l.id, lab.fraud)),
        (None, None) => Err(EventError::field("fraud", "missing (true or false)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_event_parses_and_nulls_are_missing() {
        let e = parse_event(
            r#"{"id":"e1","ts":"2026-05-01T10:00:00+07:00","type":"payment","email":null,"payment":{"status":"DECLINED"}}"#,
        )
        .unwrap();
        assert_eq!(e.kind, EventType::Payment);
        assert_eq!(e.unix(), 1_777_604_400);
        assert!(e.email.is_none());
        assert!(e.declined());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused_without_echo() {
        let err =
            parse_event(r#"{"id":"e1","ts":"2026-05-01T10:00:00Z","type":"payment","ammount":5}"#)
                .unwrap_err();
        assert!(err.message.contains("ammount"), "{err}");
        let err = parse_event(
            r#"{"id":"e1","ts":"2026-05-01T10:00:00Z","type":"payment","amount":"siti@example.com"}"#,
        )
        .unwrap_err();
        assert!(!err.message.contains("siti"), "{err}");
        let err = parse_event(r#"{"id":"e1","ts":"yesterday","type":"payment"}"#).unwrap_err();
        assert!(!err.message.contains("yesterday"), "{err}");
        assert!(
            parse_event(r#"{"id":"e1","ts":"2026-05-01T10:00:00Z","type":"transfer"}"#).is_err()
        );
        assert!(
            parse_event(r#"{"id":"e1","ts":"2026-05-01T10:00:00Z","type":"order","amount":-1}"#)
                .is_err()
        );
        assert!(parse_event(r#"{"id":"","ts":"2026-05-01T10:00:00Z","type":"order"}"#).is_err());
        assert!(
            parse_event(
                r#"{"id":"e1","ts":"2026-05-01T10:00:00Z","type":"order","ip_country":"IDN"}"#
            )
            .is_err()
        );
        assert!(parse_event(r#"{"ts":"2026-05-01T10:00:00Z","type":"order"}"#).is_err());
        assert!(parse_event(r#"{"id":"e1","ts":"2026-05-01T10:00:00Z","type":"order","payment":{"card_bin":"4111x1"}}"#).is_err());
    }

    #[test]
    fn labels_in_both_shapes() {
        assert_eq!(
            parse_label(r#"{"id":"a","fraud":true}"#).unwrap(),
            ("a".into(), true)
        );
        assert_eq!(
            parse_label(r#"{"id":"b","ts":"x","label":{"fraud":false,"scenario":"regular"}}"#)
                .unwrap(),
            ("b".into(), false)
        );
        assert!(parse_label(r#"{"id":"c"}"#).is_err());
    }
}
