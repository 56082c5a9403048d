//! Audit records: who did what to which customer, why, and how it ended. Never PII values.
//!
//! A store appends each record as a leaf of the RFC 9162 Merkle log (see `jaga-audit`) **in the
//! same transaction** as the change it describes, taking the position from the locked head row.

use crate::auth::{ActorKind, Caller};
use serde::Serialize;
use uuid::Uuid;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Refused for lack of permission.
    Denied,
    /// The record does not exist.
    NotFound,
    /// The record was erased.
    Erased,
    /// Refused because the input was rejected (e.g. a card number).
    Rejected,
}

impl Outcome {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::NotFound => "not_found",
            Outcome::Erased => "erased",
            Outcome::Rejected => "rejected",
        }
    }
}

/// One audit event before it has a position in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Milliseconds since the epoch, UTC.
    pub ts_ms: i64,
    /// Kind of actor.
    pub actor_kind: ActorKind,
    /// API key id, staff id or system component.
    pub actor_id: String,
    /// What was done, e.g. `customer.reveal`.
    pub action: &'static str,
    /// The customer concerned, if any.
    pub customer_id: Option<Uuid>,
    /// Field names concerned (never values).
    pub fields: Vec<String>,
    /// The stated purpose, for reveals.
    pub purpose: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Request id, for correlation with logs.
    pub request_id: Option<String>,
}

impl AuditRecord {
    /// A record for `caller` doing `action`, outcome `ok`, stamped now.
    pub fn new(caller: &Caller, action: &'static str) -> Self {
        Self {
            ts_ms: crate::now_ms(),
            actor_kind: caller.kind,
            actor_id: caller.id.clone(),
            action,
            customer_id: None,
            fields: Vec::new(),
            purpose: None,
            outcome: Outcome::Ok,
            request_id: caller.request_id.clone(),
        }
    }

    /// Sets the customer.
    pub fn customer(mut self, id: Uuid) -> Self {
        self.customer_id = Some(id);
        self
    }

    /// Sets the fields.
    pub fn fields<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the purpose.
    pub fn purpose(mut self, purpose: &str) -> Self {
        self.purpose = Some(purpose.to_string());
        self
    }

    /// Sets the outcome.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// The canonical leaf bytes for position `seq`: `0x01 ‖ JSON` with a fixed field order.
    /// Binding `seq` into the leaf ties each event to its position.
    pub fn leaf(&self, seq: u64) -> Vec<u8> {
        #[derive(Serialize)]
        struct Leaf<'a> {
            seq: u64,
            ts_ms: i64,
            actor_kind: &'a str,
            actor_id: &'a str,
            action: &'a str,
            customer_id: Option<String>,
            fields: &'a [String],
            purpose: Option<&'a str>,
            outcome: &'a str,
            request_id: Option<&'a str>,
        }
        let leaf = Leaf {
            seq,
            ts_ms: self.ts_ms,
            actor_kind: self.actor_kind.name(),
            actor_id: &self.actor_id,
            action: self.action,
            customer_id: self.customer_id.map(|u| u.to_string()),
            fields: &self.fields,
            purpose: self.purpose.as_deref(),
            outcome: self.outcome.name(),
            request_id: self.request_id.as_deref(),
        };
        let mut out = vec![0x01];
        serde_json::to_writer(&mut out, &leaf).expect("serialising a plain struct cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_is_versioned_and_binds_position() {
        let c = Caller::system("test");
        let r = AuditRecord::new(&c, "customer.read").customer(Uuid::nil()).fields(["email"]);
        let a = r.leaf(0);
        assert_eq!(a[0], 0x01);
        assert_ne!(a, r.leaf(1));
        let text = String::from_utf8(a[1..].to_vec()).unwrap();
        assert!(text.starts_with("{\"seq\":0,"), "{text}");
        assert!(text.contains("\"outcome\":\"ok\""));
    }
}
