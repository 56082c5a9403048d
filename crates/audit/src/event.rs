//! The canonical leaf encoding of an audit event (format documented in `docs/audit-format.md`).
//!
//! A leaf is `0x01 ‖ JSON`, where the JSON is the compact `serde_json` encoding of
//! [`AuditEvent`] with its fields in declaration order, no whitespace, absent optional values as
//! `null`, and strings escaped the way `serde_json` escapes them (only `"`, `\` and control
//! characters; other characters as raw UTF-8). [`decode`] accepts exactly the bytes [`encode`]
//! produces: it re-encodes the decoded event and rejects any difference, so every event has
//! one and only one leaf.

use serde::{Deserialize, Serialize};

use crate::error::AuditError;

/// The version byte of the current leaf encoding.
pub const EVENT_VERSION: u8 = 0x01;
/// Largest encoded event [`decode`] accepts.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// Who performed an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A machine client authenticated by an API key.
    ApiKey,
    /// A staff member logged in to the console or CLI.
    Staff,
    /// The vault itself (scheduled jobs, start-up, key rotation).
    System,
}

/// One audit event, the content of one Merkle leaf. Never put raw customer data here: refer to
/// customers by their ID and list field *names*, not values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    /// Position of the event in the log (the leaf index); binds the leaf to its place.
    pub seq: u64,
    /// When the event happened, in milliseconds since the Unix epoch (UTC).
    pub ts_ms: u64,
    /// What kind of actor performed the action.
    pub actor_kind: ActorKind,
    /// The actor's ID (API key ID, staff ID, or the system component).
    pub actor_id: String,
    /// The action, e.g. `customer.reveal`.
    pub action: String,
    /// The customer concerned, if any.
    pub customer_id: Option<String>,
    /// Names of the fields read or changed.
    pub fields: Vec<String>,
    /// The stated purpose or ticket reference, if any.
    pub purpose: Option<String>,
    /// The outcome, e.g. `ok`, `denied`, `error`.
    pub outcome: String,
    /// The request ID, to correlate with application logs.
    pub request_id: Option<String>,
}

/// Encodes an event as leaf bytes `0x01 ‖ canonical JSON`.
pub fn encode(event: &AuditEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    encode_into(event, &mut out);
    out
}

/// Appends the leaf bytes of `event` to `out` (reuse one buffer for many events).
pub fn encode_into(event: &AuditEvent, out: &mut Vec<u8>) {
    out.push(EVENT_VERSION);
    // serde_json fails only on writer I/O errors and non-string map keys; a Vec never fails and
    // the event has no maps, so this cannot panic.
    serde_json::to_writer(&mut *out, event).expect("serializing an AuditEvent into a Vec");
}

/// Decodes leaf bytes, strictly: known version, valid JSON of exactly the [`AuditEvent`] fields,
/// no trailing bytes, and in canonical form (re-encoding gives the same bytes).
pub fn decode(leaf: &[u8]) -> Result<AuditEvent, AuditError> {
    let bad = |r: String| AuditError::malformed("event", r);
    if leaf.len() > MAX_EVENT_BYTES {
        return Err(bad(format!(
            "{} bytes is over the {MAX_EVENT_BYTES}-byte limit",
            leaf.len()
        )));
    }
    let Some((&version, json)) = leaf.split_first() else {
        return Err(bad("empty leaf".into()));
    };
    if version != EVENT_VERSION {
        return Err(AuditError::UnknownEventVersion(version));
    }
    let event: AuditEvent = serde_json::from_slice(json).map_err(|e| bad(e.to_string()))?;
    if encode(&event) != leaf {
        return Err(bad("not in canonical form".into()));
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AuditEvent {
        AuditEvent {
            seq: 7,
            ts_ms: 1_767_225_600_000,
            actor_kind: ActorKind::Staff,
            actor_id: "staff-42".into(),
            action: "customer.reveal".into(),
            customer_id: Some("C-0001".into()),
            fields: vec!["phone".into(), "address".into()],
            purpose: Some("TICKET-991 alamat \"baru\"".into()),
            outcome: "ok".into(),
            request_id: None,
        }
    }

    #[test]
    fn encoding_is_fixed() {
        let leaf = encode(&sample());
        let want = concat!(
            "\u{1}{\"seq\":7,\"ts_ms\":1767225600000,\"actor_kind\":\"staff\",",
            "\"actor_id\":\"staff-42\",\"action\":\"customer.reveal\",\"customer_id\":\"C-0001\",",
            "\"fields\":[\"phone\",\"address\"],\"purpose\":\"TICKET-991 alamat \\\"baru\\\"\",",
            "\"outcome\":\"ok\",\"request_id\":null}"
        );
        assert_eq!(leaf, want.as_bytes());
        assert_eq!(decode(&leaf).unwrap(), sample());
    }

    #[test]
    fn decode_is_strict() {
        let leaf = encode(&sample());
        let mut trailing = leaf.clone();
        trailing.push(b' ');
        assert!(decode(&trailing).is_err());
        let mut v2 = leaf.clone();
        v2[0] = 2;
        assert_eq!(decode(&v2), Err(AuditError::UnknownEventVersion(2)));
        assert!(decode(&[]).is_err());
        assert!(decode(&[1]).is_err());
        let json = std::str::from_utf8(&leaf[1..]).unwrap();
        let variants = [
            json.replace("\"seq\":7,", "\"seq\":7, "),
            json.replace(
                "\"seq\":7,\"ts_ms\":1767225600000,",
                "\"ts_ms\":1767225600000,\"seq\":7,",
            ),
            json.replace("\"request_id\":null}", "\"request_id\":null,\"extra\":1}"),
            json.replace(",\"request_id\":null}", "}"),
            json.replace("\"staff\"", "\"robot\""),
            json.replace("\"ok\"", "\"\\u006fk\""),
            json.replace("\"seq\":7", "\"seq\":7.0"),
        ];
        for v in variants {
            let mut bytes = vec![1u8];
            bytes.extend_from_slice(v.as_bytes());
            assert!(decode(&bytes).is_err(), "{v}");
        }
    }
}
