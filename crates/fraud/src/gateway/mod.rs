//! Payment-gateway notifications: verified exactly as each gateway documents, then turned into
//! events.
//!
//! - [`midtrans`]: `signature_key` in the body = SHA-512 of `order_id + status_code +
//!   gross_amount + server key` (lower-case hex).
//! - [`stripe`]: the `Stripe-Signature` header, `t=…,v1=…[,v1=…]`: HMAC-SHA256 of
//!   `"{t}.{raw body}"` under the endpoint secret; any `v1` may match (secret rotation); `t`
//!   must be within the tolerance (300 s by default) of now.
//! - [`xendit`]: the static `x-callback-token` header (the body is not signed).
//!
//! Every comparison is constant-time. The body is verified as received, before it is read.
//! A verified notification becomes a [`Notification`]: the event to score (its id is the
//! gateway's delivery identity, so a replayed notification is the same event), the references
//! that link it to earlier events (the order, the gateway's charge) and what it says about
//! them ([`Effect`]: a chargeback or an early fraud warning labels the earlier payment fraud).
//! Nothing here logs or echoes a secret or a value from the body.

pub mod midtrans;
pub mod stripe;
pub mod xendit;

use crate::event::{Event, EventType, Payment};
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

/// A gateway Jaga verifies notifications from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gateway {
    /// Midtrans HTTP(S) notifications.
    Midtrans,
    /// Stripe webhooks.
    Stripe,
    /// Xendit callbacks.
    Xendit,
}

impl Gateway {
    /// Every gateway.
    pub const ALL: [Gateway; 3] = [Gateway::Midtrans, Gateway::Stripe, Gateway::Xendit];

    /// `midtrans`, `stripe` or `xendit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Midtrans => "midtrans",
            Gateway::Stripe => "stripe",
            Gateway::Xendit => "xendit",
        }
    }

    /// Parses [`Gateway::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// A gateway secret (server key, webhook secret, callback token). Never printed.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret from its text (surrounding whitespace removed). `None` when empty.
    pub fn new(text: &str) -> Option<Self> {
        let t = text.trim();
        (!t.is_empty()).then(|| Secret(t.as_bytes().to_vec()))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: overwrite before the allocation is freed.
        for b in self.0.iter_mut() {
            *b = 0;
        }
        std::hint::black_box(&self.0);
    }
}

/// The secrets of the configured gateways. A gateway without its secret refuses every
/// notification.
#[derive(Debug, Clone, Default)]
pub struct GatewaySecrets {
    /// Midtrans server key.
    pub midtrans: Option<Secret>,
    /// Stripe endpoint secrets (`whsec_…`); several while the shop rotates them.
    pub stripe: Vec<Secret>,
    /// How far Stripe's `t` may be from now, seconds (300 when unset).
    pub stripe_tolerance_secs: Option<i64>,
    /// Xendit callback verification token.
    pub xendit: Option<Secret>,
}

impl GatewaySecrets {
    /// Whether `g` has its secret.
    pub fn configured(&self, g: Gateway) -> bool {
        match g {
            Gateway::Midtrans => self.midtrans.is_some(),
            Gateway::Stripe => !self.stripe.is_empty(),
            Gateway::Xendit => self.xendit.is_some(),
        }
    }
}

/// Stripe's default tolerance (its SDKs' `DEFAULT_TOLERANCE`).
pub const STRIPE_TOLERANCE_SECS: i64 = 300;

/// What came with the request besides the body.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    /// `Stripe-Signature`.
    pub stripe_signature: Option<String>,
    /// `x-callback-token`.
    pub xendit_token: Option<String>,
}

/// Why a notification was refused. The names are stable (they go into the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The gateway has no secret configured.
    #[error("this gateway is not configured")]
    NotConfigured,
    /// No signature (or token) where the gateway puts one, or one that cannot be read.
    #[error("the notification is not signed")]
    Unsigned,
    /// The signature (or token) does not match.
    #[error("the notification's signature does not match")]
    Forged,
    /// Stripe's timestamp is outside the tolerance (a replay or a clock far off).
    #[error("the notification's timestamp is outside the tolerance")]
    Stale,
    /// Signed correctly, but not a notification Jaga can read.
    #[error("the notification is not valid: {0}")]
    Malformed(&'static str),
}

impl VerifyError {
    /// Stable code (`not_configured`, `unsigned`, `forged`, `stale`, `malformed`).
    pub fn code(self) -> &'static str {
        match self {
            VerifyError::NotConfigured => "not_configured",
            VerifyError::Unsigned => "unsigned",
            VerifyError::Forged => "forged",
            VerifyError::Stale => "stale",
            VerifyError::Malformed(_) => "malformed",
        }
    }
}

/// What a verified notification says about earlier events of the same order or charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond the event itself.
    None,
    /// Money was refunded: recorded against the earlier events, not a fraud label.
    Refund,
    /// A chargeback (dispute): the earlier payment is labelled fraud.
    Chargeback,
    /// The issuer reported fraud before any dispute (Stripe's early fraud warning): labelled
    /// fraud; no event of its own.
    FraudWarning,
}

impl Effect {
    /// `refund`, `chargeback`, `fraud_warning` (`none` for [`Effect::None`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::None => "none",
            Effect::Refund => "refund",
            Effect::Chargeback => "chargeback",
            Effect::FraudWarning => "fraud_warning",
        }
    }
}

/// A verified notification.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The gateway.
    pub gateway: Gateway,
    /// The delivery's identity (the gateway's event id, or transaction id and status): the
    /// same for every retry of one notification.
    pub delivery: String,
    /// The event to score, if the notification describes one.
    pub event: Option<Event>,
    /// References to this event's order and charge (`order:<id>`, `stripe:<charge id>`).
    pub refs: Vec<String>,
    /// What it says about earlier events found through [`Notification::targets`].
    pub effect: Effect,
    /// References of the earlier events it concerns.
    pub targets: Vec<String>,
}

impl Notification {
    fn ignored(gateway: Gateway, delivery: String) -> Self {
        Self {
            gateway,
            delivery,
            event: None,
            refs: Vec::new(),
            effect: Effect::None,
            targets: Vec::new(),
        }
    }
}

/// Verifies a notification for `gateway` and reads it. `now` is the current Unix time in
/// seconds (Stripe's tolerance).
pub fn verify(
    gateway: Gateway,
    secrets: &GatewaySecrets,
    headers: &Headers,
    body: &[u8],
    now: i64,
) -> Result<Notification, VerifyError> {
    match gateway {
        Gateway::Midtrans => {
            let key = secrets
                .midtrans
                .as_ref()
                .ok_or(VerifyError::NotConfigured)?;
            midtrans::verify(body, key)
        }
        Gateway::Stripe => {
            if secrets.stripe.is_empty() {
                return Err(VerifyError::NotConfigured);
            }
            let tol = secrets
                .stripe_tolerance_secs
                .unwrap_or(STRIPE_TOLERANCE_SECS);
            stripe::verify(
                body,
                headers.stripe_signature.as_deref(),
                &secrets.stripe,
                now,
                tol,
            )
        }
        Gateway::Xendit => {
            let token = secrets.xendit.as_ref().ok_or(VerifyError::NotConfigured)?;
            xendit::verify(body, headers.xendit_token.as_deref(), token)
        }
    }
}

/// Constant-time equality of two byte strings of the same length (`false` otherwise).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Constant-time equality of two tokens of any length: their SHA-256 digests are compared, so
/// neither the content nor the length leaks through timing.
pub(crate) fn ct_eq_token(a: &[u8], b: &[u8]) -> bool {
    let da = Sha256::digest(a);
    let db = Sha256::digest(b);
    bool::from(da.ct_eq(&db))
}

/// Decodes lower- or upper-case hex; `None` if it is not hex.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let v = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Some((v(p[0])? << 4) | v(p[1])?))
        .collect()
}

/// Decimal exponent of a currency's minor unit (ISO 4217; 2 unless listed).
pub(crate) fn minor_exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// A decimal amount (`"145000.00"`, `145000`, `99.5`) in minor units of `currency`; `None` if
/// it is not a non-negative decimal or has more fraction digits than the currency.
pub(crate) fn to_minor(text: &str, currency: &str) -> Option<i64> {
    let exp = minor_exponent(currency);
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty()
        || int.len() > 15
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() as u32 > exp {
        return None;
    }
    let mut v: i64 = int.parse().ok()?;
    v = v.checked_mul(10i64.pow(exp))?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().ok()? * 10i64.pow(exp - frac.len() as u32)
    };
    v.checked_add(f)
}

/// A bare event of `kind` at `ts`.
pub(crate) fn bare(id: String, ts: OffsetDateTime, kind: EventType) -> Event {
    Event {
        id,
        ts,
        kind,
        order_id: None,
        customer_ref: None,
        account_created_at: None,
        email: None,
        phone: None,
        amount: None,
        currency: None,
        payment: None,
        ip: None,
        ip_country: None,
        device_id: None,
        billing_country: None,
        shipping: None,
        items: None,
        promo_code: None,
        label: None,
    }
}

/// A payment block for `gateway`.
pub(crate) fn payment(gateway: Gateway, method: Option<&str>, status: Option<&str>) -> Payment {
    Payment {
        method: method.map(str::to_string),
        gateway: Some(gateway.as_str().to_string()),
        status: status.map(str::to_string),
        ..Payment::default()
    }
}

/// A string member of a JSON object (`None` if absent, null or not a string).
pub(crate) fn s<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}

/// Validates and normalises an event built from a notification.
pub(crate) fn finish(ev: Event) -> Result<Event, VerifyError> {
    ev.validate()
        .map_err(|_| VerifyError::Malformed("a field is out of range"))?;
    Ok(ev.normalized())
}

/// A two-letter country code, or `None`.
pub(crate) fn country(v: Option<&str>) -> Option<String> {
    v.filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_the_currency() {
        assert_eq!(to_minor("145000.00", "IDR"), Some(14_500_000));
        assert_eq!(to_minor("145000", "IDR"), Some(14_500_000));
        assert_eq!(to_minor("99.5", "USD"), Some(9_950));
        assert_eq!(to_minor("1500", "JPY"), Some(1_500));
        assert_eq!(to_minor("1.5", "JPY"), None);
        assert_eq!(to_minor("-1", "IDR"), None);
        assert_eq!(to_minor("1e5", "IDR"), None);
        assert_eq!(to_minor("", "IDR"), None);
        assert_eq!(to_minor("9999999999999999999", "IDR"), None);
    }

    #[test]
    fn comparisons() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq_token(b"tok", b"tok"));
        assert!(!ct_eq_token(b"tok", b"tok2"));
        assert_eq!(unhex("0aFf"), Some(vec![10, 255]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[test]
    fn secrets_never_print() {
        let s = GatewaySecrets {
            midtrans: Secret::new("SB-Mid-server-TEST"),
            ..Default::default()
        };
        assert!(!format!("{s:?}").contains("SB-Mid"));
        assert!(Secret::new("  \n").is_none());
    }
}
