//! The auditor's view of the log (the console's audit page): event search, newest first, and
//! "verify now". Needs `audit:read` (a refusal is audited by [`Vault::audit_reader`]); every
//! call is itself an `audit.read` event. Events never hold PII values, only ids, codes, field
//! names and purposes; customer codes shown next to events are the pseudonyms staff use.

use crate::CoreError;
use crate::audit::verify::{self, VerifyOutcome};
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::store::EventFilter;
use crate::vault::Vault;
use jaga_audit::VerifierKey;
use jaga_audit::event::AuditEvent;
use std::collections::HashMap;
use uuid::Uuid;

/// Positions read per store query while scanning backwards.
const WINDOW: u64 = 2_000;
/// At most this many positions are scanned for one page; the page then offers to go on from
/// where the scan stopped.
pub const SCAN_LIMIT: u64 = 200_000;

/// What to look for; an empty filter matches every event.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Events at or after this time (ms since the epoch).
    pub from_ms: Option<i64>,
    /// Events before this time (ms since the epoch).
    pub to_ms: Option<i64>,
    /// Events by this actor id (staff id, API key id or system component).
    pub actor_id: Option<String>,
    /// An action (`customer.reveal`) or a family of them (`customer` matches `customer.*`).
    pub action: Option<String>,
    /// Events about the customer with this code.
    pub customer_code: Option<String>,
    /// Only events before this position (the cursor of an older page); `None` = the newest.
    pub before: Option<u64>,
    /// Events per page (1–200).
    pub limit: usize,
}

/// One event found, with the code of its customer when there is one.
#[derive(Debug, Clone)]
pub struct AuditHit {
    /// The event as logged.
    pub event: AuditEvent,
    /// The customer's code (`None` without a customer or once the customer row is gone).
    pub customer_code: Option<String>,
    /// For a staff actor still known: (display name, role name).
    pub staff: Option<(String, String)>,
}

/// One page of results, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    /// The events.
    pub hits: Vec<AuditHit>,
    /// The `before` cursor of the next (older) page, when there may be one.
    pub older: Option<u64>,
    /// The scan stopped at [`SCAN_LIMIT`] before reaching the start of the log.
    pub scan_limited: bool,
    /// The customer code matched no customer (nothing was searched).
    pub unknown_customer: bool,
    /// Events in the log when the search began.
    pub log_size: u64,
    /// Size of the latest signed checkpoint, if any.
    pub checkpoint_size: Option<u64>,
}

fn action_matches(want: Option<&str>, action: &str) -> bool {
    match want {
        None => true,
        Some(w) => {
            action == w
                || action
                    .strip_prefix(w)
                    .is_some_and(|rest| rest.starts_with('.'))
        }
    }
}

impl Vault {
    /// Searches the log (newest first). Audited as `audit.read` with field `search` (and the
    /// customer, when searching by code).
    pub async fn audit_search(
        &self,
        caller: &Caller,
        q: &AuditQuery,
    ) -> Result<AuditPage, CoreError> {
        self.audit_reader(caller).await?;
        let store = self.store();
        let head = store.audit_head().await?.size;
        let record = AuditRecord::new(caller, AuditAction::AuditRead).fields(["search"]);
        let customer_id = match q.customer_code.as_deref() {
            Some(code) => match store.customer_get_by_code(code, record).await? {
                Some(c) => Some(c.row.id),
                None => {
                    return Ok(AuditPage {
                        unknown_customer: true,
                        log_size: head,
                        ..Default::default()
                    });
                }
            },
            None => {
                store.audit_append(record).await?;
                None
            }
        };
        let filter = EventFilter {
            customer_id,
            actor_id: q.actor_id.clone(),
            from_ms: q.from_ms,
            to_ms: q.to_ms,
        };
        let limit = q.limit.clamp(1, 200);
        let action = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
        let mut end = q.before.unwrap_or(head).min(head);
        let mut scanned = 0u64;
        let mut events: Vec<AuditEvent> = Vec::new();
        while end > 0 && events.len() <= limit && scanned < SCAN_LIMIT {
            let start = end.saturating_sub(WINDOW);
            let rows = store
                .audit_events_matching(&filter, start, WINDOW as u32)
                .await?;
            let mut batch: Vec<AuditEvent> = rows
                .iter()
                .filter(|e| e.seq < end)
                .filter_map(|e| jaga_audit::event::decode(&e.leaf).ok())
                .filter(|e| action_matches(action, &e.action))
                .collect();
            batch.reverse();
            events.extend(batch);
            scanned += end - start;
            end = start;
        }
        let (older, scan_limited) = if events.len() > limit {
            events.truncate(limit);
            (events.last().map(|e| e.seq), false)
        } else if end > 0 {
            (Some(end), true)
        } else {
            (None, false)
        };
        // Codes of the customers on this page (the pseudonym only; nothing else leaves here).
        let mut codes: HashMap<String, Option<String>> = HashMap::new();
        for e in &events {
            if let Some(id) = &e.customer_id
                && !codes.contains_key(id)
            {
                let code = match Uuid::parse_str(id) {
                    Ok(u) => store.customer_load(u).await?.map(|c| c.row.code),
                    Err(_) => None,
                };
                codes.insert(id.clone(), code);
            }
        }
        // Staff by name and role (the shop's own page; the customer's letter names roles only).
        let staff: HashMap<String, (String, String)> = if events
            .iter()
            .any(|e| e.actor_kind == jaga_audit::event::ActorKind::Staff)
        {
            store
                .staff_list()
                .await?
                .into_iter()
                .map(|s| (s.id.to_string(), (s.name, s.role)))
                .collect()
        } else {
            HashMap::new()
        };
        let hits = events
            .into_iter()
            .map(|event| AuditHit {
                staff: (event.actor_kind == jaga_audit::event::ActorKind::Staff)
                    .then(|| staff.get(&event.actor_id).cloned())
                    .flatten(),
                customer_code: event
                    .customer_id
                    .as_ref()
                    .and_then(|id| codes.get(id).cloned().flatten()),
                event,
            })
            .collect();
        Ok(AuditPage {
            hits,
            older,
            scan_limited,
            unknown_customer: false,
            log_size: head,
            checkpoint_size: store.checkpoint_latest().await?.map(|c| c.size),
        })
    }

    /// Verifies the whole log now, as `jaga audit verify` does (signatures of stored
    /// checkpoints are checked when `key` is given). Audited as `audit.read` with field
    /// `verify`.
    pub async fn audit_verify(
        &self,
        caller: &Caller,
        key: Option<&VerifierKey>,
    ) -> Result<VerifyOutcome, CoreError> {
        self.audit_reader(caller).await?;
        self.store()
            .audit_append(AuditRecord::new(caller, AuditAction::AuditRead).fields(["verify"]))
            .await?;
        let r = verify::verify_log(self.store().as_ref(), key, None).await?;
        if let Some(p) = &r.problem {
            self.report_audit_verify_failure(Some(p.pos));
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::action_matches;

    #[test]
    fn an_action_filter_matches_the_action_or_its_family() {
        assert!(action_matches(None, "customer.reveal"));
        assert!(action_matches(Some("customer.reveal"), "customer.reveal"));
        assert!(action_matches(Some("customer"), "customer.reveal"));
        assert!(!action_matches(Some("customer"), "customers.reveal"));
        assert!(!action_matches(Some("customer.rev"), "customer.reveal"));
        assert!(!action_matches(Some("staff"), "customer.reveal"));
    }
}
