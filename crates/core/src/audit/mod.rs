//! The audit log, in one folder. Never PII values.
//!
//! - this module: [`AuditRecord`] (who did what to which customer, why, how it ended), its
//!   [`AuditAction`] and [`Outcome`], and [`plan_append`], the Merkle arithmetic both stores
//!   share. A store appends each record as a leaf of the RFC 9162 Merkle log (see `jaga-audit`)
//!   **in the same transaction** as the change it describes, taking the position from the
//!   locked head row. These depend on nothing but `auth` (the store depends on them, not the
//!   other way round).
//! - [`bound`]: the bounds every event is held to before it is encoded.
//! - [`log`]: proofs, signed checkpoints and offline bundles over the stored log.
//! - [`verify`]: re-hashing the whole log and checking checkpoints (`jaga audit verify`).
//! - [`AuditReader`] (`reader`): the `audit:read` capability the vault hands out — events,
//!   proofs, bundles and the access reports; [`AuditQuery`] (`search`): the log search.
//! - `refusal`: what a refusal records (the vault's `deny` writes it).

mod action;
pub mod bound;
pub mod log;
mod reader;
mod refusal;
mod search;
pub mod verify;

pub use action::AuditAction;
pub use reader::{AuditReader, CheckpointView, EventView, ProofView};
pub(crate) use refusal::{Refusal, denied_event};
pub use search::{AuditHit, AuditPage, AuditQuery, SCAN_LIMIT};

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
    /// What was done, e.g. [`AuditAction::CustomerReveal`].
    pub action: AuditAction,
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
    pub fn new(caller: &Caller, action: AuditAction) -> Self {
        Self {
            ts_ms: crate::now_ms(),
            actor_kind: caller.kind(),
            actor_id: caller.id().to_string(),
            action,
            customer_id: None,
            fields: Vec::new(),
            purpose: None,
            outcome: Outcome::Ok,
            request_id: caller.request_id().map(String::from),
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

    /// The canonical leaf bytes for position `seq` (`jaga_audit::event` format:
    /// `0x01 ‖ canonical JSON`). Binding `seq` into the leaf ties each event to its position.
    pub fn leaf(&self, seq: u64) -> Vec<u8> {
        jaga_audit::event::encode(&self.to_event(seq))
    }

    /// The event as it is stored in the log at position `seq`: every string screened and
    /// bounded by [`crate::audit::bound`] (card numbers masked, control characters replaced, each
    /// string and the list of fields capped), so whatever a request puts into a record, the
    /// event stays within [`jaga_audit::event::MAX_EVENT_BYTES`].
    pub fn to_event(&self, seq: u64) -> jaga_audit::event::AuditEvent {
        use crate::audit::bound::{bound_fields, bound_purpose, bound_text};
        use jaga_audit::event::ActorKind as K;
        jaga_audit::event::AuditEvent {
            seq,
            ts_ms: u64::try_from(self.ts_ms).unwrap_or(0),
            actor_kind: match self.actor_kind {
                ActorKind::ApiKey => K::ApiKey,
                ActorKind::Staff => K::Staff,
                ActorKind::System => K::System,
            },
            actor_id: bound_text(&self.actor_id),
            // A fixed wire name from the enum: nothing a request can put in.
            action: self.action.as_str().to_string(),
            customer_id: self.customer_id.map(|u| u.to_string()),
            fields: bound_fields(&self.fields),
            purpose: self.purpose.as_deref().map(bound_purpose),
            outcome: self.outcome.name().to_string(),
            request_id: self.request_id.as_deref().map(bound_text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_is_versioned_and_binds_position() {
        let c = Caller::system("test");
        let r = AuditRecord::new(&c, AuditAction::CustomerRead)
            .customer(Uuid::nil())
            .fields(["email"]);
        let a = r.leaf(0);
        assert_eq!(a[0], 0x01);
        assert_ne!(a, r.leaf(1));
        let back = jaga_audit::event::decode(&a).unwrap();
        assert_eq!(back.seq, 0);
        assert_eq!(back.outcome, "ok");
        assert_eq!(back.fields, vec!["email".to_string()]);
    }

    /// Regression (issue 10): a request could put a 70,000-character JSON path into a refusal
    /// event, which then exceeded the decoder's limit and stopped verification there.
    #[test]
    fn any_record_encodes_to_a_decodable_bounded_leaf() {
        let huge = format!("{}4111111111111111", "k\u{0}\"\n".repeat(30_000));
        let c = Caller::api_key(huge.clone(), Default::default(), Some(huge.clone()));
        let r = AuditRecord::new(&c, AuditAction::RequestCardNumberRejected)
            .fields(vec![huge.clone(); 5_000])
            .purpose(&huge);
        let leaf = r.leaf(3);
        assert!(
            leaf.len() <= jaga_audit::event::MAX_EVENT_BYTES,
            "{}",
            leaf.len()
        );
        let back = jaga_audit::event::decode(&leaf).expect("decodes");
        assert_eq!(back.seq, 3);
        assert!(!String::from_utf8_lossy(&leaf).contains("4111111111111111"));
        // Worst case per string: 4-byte characters that each need no escaping.
        let wide = "\u{10348}".repeat(100_000);
        let c = Caller::api_key(wide.clone(), Default::default(), Some(wide.clone()));
        let r = AuditRecord::new(&c, AuditAction::CustomerRead)
            .fields(vec![wide.clone(); 100])
            .purpose(&wide);
        let leaf = r.leaf(0);
        assert!(
            leaf.len() <= jaga_audit::event::MAX_EVENT_BYTES,
            "{}",
            leaf.len()
        );
        assert!(jaga_audit::event::decode(&leaf).is_ok());
        assert!(plan_append(0, &[], &[&r]).is_ok());
    }
}

/// What a store writes to append records under its locked head: computed here once so both
/// adapters share the Merkle arithmetic.
#[derive(Debug)]
pub struct AppendPlan {
    /// Each event: position, canonical leaf bytes, leaf hash.
    pub events: Vec<(u64, Vec<u8>, [u8; 32])>,
    /// Complete subtrees (level ≥ 1) the appends finished: `(level, index, hash)`.
    pub nodes: Vec<(u8, u64, [u8; 32])>,
    /// New tree size.
    pub size: u64,
    /// New root.
    pub root: [u8; 32],
    /// New frontier bytes, to store in the head row.
    pub frontier: Vec<u8>,
}

/// Plans the append of `records` to a log whose locked head holds `size` and `frontier`. A
/// frontier that does not fit `size` is an error (a store reports it as corrupt data).
pub fn plan_append(
    size: u64,
    frontier: &[u8],
    records: &[&AuditRecord],
) -> Result<AppendPlan, jaga_audit::AuditError> {
    let mut f = jaga_audit::Frontier::from_bytes(size, frontier)?;
    let mut events = Vec::with_capacity(records.len());
    let mut nodes = Vec::new();
    for r in records {
        let seq = f.size();
        let leaf = r.leaf(seq);
        if leaf.len() > jaga_audit::event::MAX_EVENT_BYTES {
            // Unreachable with the bounds of `to_event`; kept so that no code path can ever
            // write an event the verifier would refuse to decode.
            return Err(jaga_audit::AuditError::Malformed {
                what: "event",
                reason: format!(
                    "an audit event of {} bytes is over the {}-byte limit",
                    leaf.len(),
                    jaga_audit::event::MAX_EVENT_BYTES
                ),
            });
        }
        let lh = jaga_audit::leaf_hash(&leaf);
        nodes.extend(
            f.push(lh)
                .into_iter()
                .filter(|n| n.level > 0)
                .map(|n| (n.level, n.index, n.hash)),
        );
        events.push((seq, leaf, lh));
    }
    Ok(AppendPlan {
        events,
        nodes,
        size: f.size(),
        root: f.root(),
        frontier: f.to_bytes(),
    })
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn planned_appends_chain_and_match_one_big_append() {
        let c = Caller::system("t");
        let recs: Vec<AuditRecord> = (0..7)
            .map(|_| AuditRecord::new(&c, AuditAction::CustomerRead))
            .collect();
        let refs: Vec<&AuditRecord> = recs.iter().collect();
        let all = plan_append(0, &[], &refs).unwrap();
        let first = plan_append(0, &[], &refs[..3]).unwrap();
        let rest = plan_append(first.size, &first.frontier, &refs[3..]).unwrap();
        assert_eq!(rest.size, 7);
        assert_eq!(rest.root, all.root);
        assert_eq!(rest.events[0].0, 3);
        assert!(
            plan_append(4, &first.frontier, &refs).is_err(),
            "a frontier of the wrong size is corrupt"
        );
    }
}
