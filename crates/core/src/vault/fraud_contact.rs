//! An event's e-mail, phone and IP for people: encrypted when the event is scored (the engine
//! and the event table only see keyed hashes), opened only for the review queue, and shown
//! there masked (`s***@gmail.com`, `0812****890`, `36.72.*.*`), never in full.

use super::Keys;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use jaga_crypto::field::{self, Context};
use jaga_fraud::Event;
use serde::{Deserialize, Serialize};

/// An event's contact data, masked for display.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaskedContact {
    /// The e-mail address, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The phone number, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The IP address, masked (first two octets of IPv4; first group of IPv6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Plain {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
}

fn ctx(event_id: &str) -> Context<'_> {
    Context {
        segment: "",
        table: "fraud_contacts",
        record_id: event_id,
        field: "contact",
    }
}

fn key(keys: &Keys) -> jaga_crypto::Key32 {
    jaga_crypto::keys::derive(keys.root_key(), "fraud-contacts")
}

/// The sealed contact of `ev` (before it is pseudonymised), if it has one. Values the server
/// keyed already (`k:…`) are not contact data.
pub(crate) fn seal(keys: &Keys, ev: &Event) -> Option<String> {
    let plain = |v: &Option<String>| v.clone().filter(|s| !s.starts_with("k:"));
    let p = Plain {
        email: plain(&ev.email),
        phone: plain(&ev.phone),
        ip: plain(&ev.ip),
    };
    if p.email.is_none() && p.phone.is_none() && p.ip.is_none() {
        return None;
    }
    let json = zeroize::Zeroizing::new(serde_json::to_vec(&p).ok()?);
    Some(B64.encode(field::seal(&key(keys), 1, &ctx(&ev.id), &json)))
}

/// Opens and masks a sealed contact (`None` if it does not open: a moved or altered row).
pub(crate) fn open_masked(keys: &Keys, event_id: &str, sealed: &str) -> Option<MaskedContact> {
    let bytes = B64.decode(sealed).ok()?;
    let json = field::open(&key(keys), &ctx(event_id), &bytes).ok()?;
    let p: Plain = serde_json::from_slice(&json).ok()?;
    Some(MaskedContact {
        email: p.email.as_deref().map(crate::mask::email),
        phone: p.phone.as_deref().map(crate::mask::phone),
        ip: p.ip.as_deref().map(mask_ip),
    })
}

/// `36.72.*.*`; IPv6 keeps its first group.
pub(crate) fn mask_ip(v: &str) -> String {
    match v.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            let o = a.octets();
            format!("{}.{}.*.*", o[0], o[1])
        }
        Ok(std::net::IpAddr::V6(a)) => format!("{:x}:…", a.segments()[0]),
        Err(_) => "…".into(),
    }
}
