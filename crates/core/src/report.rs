//! Access reports over the audit log: who accessed one customer's data (with a letter the shop
//! can send the customer), one actor's activity over a period, and the periodic access review.
//!
//! Reports read the log through the store's report queries and decode each leaf; they never
//! touch customer fields. Producing a report is itself audited (`audit.read`). The reports are
//! reached only through the auditor capability, [`crate::vault::AuditReader`].

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};
use crate::roles::{Policies, Role};
use crate::store::{ApiKeyRecord, EventFilter, StaffRow, Store};
use jaga_audit::event::{ActorKind, AuditEvent, decode};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;
/// An account or key not used for this long is reported as unused.
pub const UNUSED_DAYS: i64 = 90;
/// A day with at least this many reveals, and at least three times the actor's usual daily
/// count, is a spike.
pub const SPIKE_MIN: u64 = 10;

/// One audited access, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessEntry {
    /// Position in the log (prove it with `jaga audit proof --event`).
    pub seq: u64,
    /// Time, RFC 3339 UTC.
    pub time: String,
    /// `api_key`, `staff` or `system`.
    pub actor_kind: String,
    /// API key id, staff id or component.
    pub actor_id: String,
    /// For a staff member: their role (`cs_staff`, …), so a letter can say who acted without
    /// naming them. Absent for keys and components, and for accounts no longer known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<String>,
    /// For a staff member: their display name (for the shop's own pages; the customer's letter
    /// names roles only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// Action, e.g. `customer.reveal`.
    pub action: String,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// Field names (never values).
    pub fields: Vec<String>,
    /// Stated purpose.
    pub purpose: Option<String>,
    /// Outcome.
    pub outcome: String,
}

impl AccessEntry {
    /// The report view of a decoded event.
    pub fn from_event(e: &AuditEvent) -> Self {
        Self {
            seq: e.seq,
            time: crate::format_ms(i64::try_from(e.ts_ms).unwrap_or(0)),
            actor_kind: match e.actor_kind {
                ActorKind::ApiKey => "api_key",
                ActorKind::Staff => "staff",
                ActorKind::System => "system",
            }
            .into(),
            actor_id: e.actor_id.clone(),
            actor_role: None,
            actor_name: None,
            action: e.action.clone(),
            customer_id: e.customer_id.clone(),
            fields: e.fields.clone(),
            purpose: e.purpose.clone(),
            outcome: e.outcome.clone(),
        }
    }
}

/// Every decodable event matching `filter`, in log order.
pub(crate) async fn matching(
    store: &dyn Store,
    filter: &EventFilter,
) -> Result<Vec<AuditEvent>, CoreError> {
    let mut out = Vec::new();
    let mut from = 0;
    loop {
        let page = store.audit_events_matching(filter, from, 5_000).await?;
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        out.extend(page.iter().filter_map(|e| decode(&e.leaf).ok()));
    }
    Ok(out)
}

/// Appends the `audit.read` event a report costs. Reports are reached only through
/// [`crate::vault::AuditReader`], which the vault hands out (and refuses, audited) by
/// `audit:read`, so the caller here holds it.
async fn audited(
    store: &dyn Store,
    caller: &Caller,
    what: &str,
    customer: Option<Uuid>,
) -> Result<(), CoreError> {
    let mut rec = AuditRecord::new(caller, AuditAction::AuditRead).fields([what]);
    rec.customer_id = customer;
    store.audit_append(rec).await?;
    Ok(())
}

/// "Who accessed this customer's data".
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerReport {
    /// The customer's code.
    pub customer_code: String,
    /// The customer's id.
    pub customer_id: String,
    /// When the report was made, RFC 3339 UTC.
    pub generated_at: String,
    /// Every access, oldest first (the report's own `audit.read` event excluded).
    pub accesses: Vec<AccessEntry>,
}

/// Every access to the customer with code `code`.
pub(crate) async fn customer_report(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
) -> Result<CustomerReport, CoreError> {
    let found = store
        .customer_get_by_code(
            code,
            AuditRecord::new(caller, AuditAction::AuditRead).fields(["report.customer"]),
        )
        .await?
        .ok_or(CoreError::NotFound)?;
    let id = found.row.id;
    let filter = EventFilter {
        customer_id: Some(id),
        ..Default::default()
    };
    let mut events = matching(store, &filter).await?;
    // The lookup above is this report's own audit event: leave it out of the list.
    if events
        .last()
        .is_some_and(|e| e.action == "audit.read" && e.actor_id == caller.id())
    {
        events.pop();
    }
    let mut accesses: Vec<AccessEntry> = events.iter().map(AccessEntry::from_event).collect();
    name_staff(store, &mut accesses).await?;
    Ok(CustomerReport {
        customer_code: found.row.code,
        customer_id: id.to_string(),
        generated_at: crate::format_ms(crate::now_ms()),
        accesses,
    })
}

/// Fills in the role and name of every staff actor still known.
pub(crate) async fn name_staff(
    store: &dyn Store,
    entries: &mut [AccessEntry],
) -> Result<(), CoreError> {
    if !entries.iter().any(|e| e.actor_kind == "staff") {
        return Ok(());
    }
    let staff: BTreeMap<String, StaffRow> = store
        .staff_list()
        .await?
        .into_iter()
        .map(|s| (s.id.to_string(), s))
        .collect();
    for e in entries.iter_mut().filter(|e| e.actor_kind == "staff") {
        if let Some(s) = staff.get(&e.actor_id) {
            e.actor_role = Some(s.role.clone());
            e.actor_name = Some(s.name.clone());
        }
    }
    Ok(())
}

/// Letter language (the one language type of everything a person reads).
pub use jaga_i18n::Lang;

/// The report as a plain-text letter to the customer from `shop` (see [`crate::letter`]).
pub fn customer_letter(r: &CustomerReport, shop: &crate::letter::Shop, lang: Lang) -> String {
    crate::letter::Letter::new(r, shop, lang).text()
}

/// One actor's activity over a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActorReport {
    /// The actor (staff id or API key id).
    pub actor_id: String,
    /// Period start, RFC 3339.
    pub from: String,
    /// Period end (exclusive), RFC 3339.
    pub to: String,
    /// Events by action.
    pub by_action: BTreeMap<String, u64>,
    /// Reveals per UTC day (`YYYY-MM-DD`).
    pub reveals_per_day: BTreeMap<String, u64>,
    /// Failed logins in the period.
    pub failed_logins: u64,
    /// Every event, oldest first.
    pub events: Vec<AccessEntry>,
}

/// The activity of `actor` in `[from_ms, to_ms)`.
pub(crate) async fn actor_report(
    store: &dyn Store,
    caller: &Caller,
    actor: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<ActorReport, CoreError> {
    audited(store, caller, "report.staff", None).await?;
    let filter = EventFilter {
        actor_id: Some(actor.to_string()),
        from_ms: Some(from_ms),
        to_ms: Some(to_ms),
        ..Default::default()
    };
    let events = matching(store, &filter).await?;
    let mut by_action = BTreeMap::new();
    let mut reveals_per_day = BTreeMap::new();
    let mut failed_logins = 0;
    for e in &events {
        *by_action.entry(e.action.clone()).or_insert(0) += 1;
        if e.action == "customer.reveal" && e.outcome == "ok" {
            *reveals_per_day.entry(day(e.ts_ms)).or_insert(0) += 1;
        }
        if e.action == "staff.login.failed" {
            failed_logins += 1;
        }
        // Refusals beyond the audit budget are counted in one summary event.
        if let Some((action, n)) = crate::vault::refusals::aggregated_count(e) {
            *by_action.entry(action.to_string()).or_insert(0) += n;
            if action == "staff.login.failed" {
                failed_logins += n;
            }
        }
    }
    Ok(ActorReport {
        actor_id: actor.to_string(),
        from: crate::format_ms(from_ms),
        to: crate::format_ms(to_ms),
        by_action,
        reveals_per_day,
        failed_logins,
        events: visible_entries(store, caller, &events).await?,
    })
}

/// The report entries of `events`, with the customer left out of every entry whose customer is
/// in a segment a segment-restricted staff caller cannot see (the entry itself stays: what the
/// actor did is the report's subject; whom they did it to is not this reader's to know).
async fn visible_entries(
    store: &dyn Store,
    caller: &Caller,
    events: &[AuditEvent],
) -> Result<Vec<AccessEntry>, CoreError> {
    let mut entries: Vec<AccessEntry> = events.iter().map(AccessEntry::from_event).collect();
    let Some(staff) = caller.staff() else {
        return Ok(entries);
    };
    let mut visible: BTreeMap<String, bool> = BTreeMap::new();
    for entry in &mut entries {
        let Some(id) = entry.customer_id.clone() else {
            continue;
        };
        let sees = match visible.get(&id) {
            Some(v) => *v,
            None => {
                let segment = match id.parse::<Uuid>() {
                    Ok(uuid) => store.customer_load(uuid).await?.map(|f| f.row.segment),
                    Err(_) => None,
                };
                let v = segment.is_none_or(|s| staff.sees_segment(&s));
                visible.insert(id, v);
                v
            }
        };
        if !sees {
            entry.customer_id = None;
        }
    }
    Ok(entries)
}

fn day(ts_ms: u64) -> String {
    let s = crate::format_ms(i64::try_from(ts_ms).unwrap_or(0));
    s.get(..10).unwrap_or(&s).to_string()
}

/// One finding of the access review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// Kind: `unused_api_key`, `broad_api_key`, `unused_account`, `never_reveals`,
    /// `reveal_without_ticket`, `reveal_spike`, `access_change`.
    pub kind: String,
    /// Who or what it is about (API key id, staff id).
    pub subject: String,
    /// Details, without PII.
    pub detail: String,
    /// The log position it comes from, if one event.
    pub seq: Option<u64>,
}

/// The access review.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    /// When it was made, RFC 3339.
    pub generated_at: String,
    /// Start of the period looked at (the last 90 days), RFC 3339.
    pub since: String,
    /// Findings, grouped by kind.
    pub findings: Vec<Finding>,
}

/// Scopes that reach plaintext or the log itself.
const SENSITIVE: [Scope; 4] = [
    Scope::CustomersReveal,
    Scope::CustomersErase,
    Scope::TokensResolve,
    Scope::AuditRead,
];

/// Whether a purpose names a ticket: some word with a digit and at least three characters
/// (`CS-1234`, `#4521`, `TICKET-991`, `INC0042`).
pub fn ticket_like(purpose: &str) -> bool {
    purpose
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ':')
        .any(|w| w.chars().count() >= 3 && w.chars().any(|c| c.is_ascii_digit()))
}

/// The access review at `now_ms`, over the last [`UNUSED_DAYS`] days.
///
/// Staff accounts come from the store; `policies` (the shop's role views) says which roles may
/// reveal. An account is unused when it is older than the period and left no event in the log
/// during the period other than refusals (failed logins do not count); disabled accounts are
/// skipped.
pub(crate) async fn access_review(
    store: &dyn Store,
    caller: &Caller,
    policies: &Policies,
    now_ms: i64,
) -> Result<Review, CoreError> {
    audited(store, caller, "report.review", None).await?;
    let since = now_ms - UNUSED_DAYS * DAY_MS;
    let events = matching(
        store,
        &EventFilter {
            from_ms: Some(since),
            ..Default::default()
        },
    )
    .await?;
    let keys = store.api_key_list().await?;
    let staff = store.staff_list().await?;
    let mut findings = Vec::new();
    let mut active: BTreeSet<&str> = BTreeSet::new();
    let mut revealers: BTreeSet<&str> = BTreeSet::new();
    let mut per_day: BTreeMap<(&str, String), u64> = BTreeMap::new();
    for e in &events {
        // Refusals do not count as use: failed logins against an idle account (someone
        // guessing its password) must not make it look used.
        if e.actor_kind == ActorKind::Staff && e.outcome != "denied" {
            active.insert(&e.actor_id);
        }
        if e.action == "customer.reveal" && e.outcome == "ok" {
            revealers.insert(&e.actor_id);
            *per_day.entry((&e.actor_id, day(e.ts_ms))).or_insert(0) += 1;
            if !e.purpose.as_deref().is_some_and(ticket_like) {
                findings.push(Finding {
                    kind: "reveal_without_ticket".into(),
                    subject: e.actor_id.clone(),
                    detail: format!(
                        "reveal of {} without a ticket reference in its purpose",
                        e.fields.join(", ")
                    ),
                    seq: Some(e.seq),
                });
            }
        }
        if matches!(
            e.action.as_str(),
            "staff.role.change" | "apikey.create" | "apikey.revoke"
        ) {
            findings.push(Finding {
                kind: "access_change".into(),
                subject: e.actor_id.clone(),
                detail: format!(
                    "{} by {} {} ({})",
                    e.action,
                    kind_name(e.actor_kind),
                    e.actor_id,
                    e.fields.join(", ")
                ),
                seq: Some(e.seq),
            });
        }
    }
    for k in keys.iter().filter(|k| k.revoked_at.is_none()) {
        review_key(k, since, &revealers, &mut findings);
    }
    for s in staff.iter().filter(|s| s.disabled_at.is_none()) {
        review_staff(s, since, policies, &active, &revealers, &mut findings);
    }
    // Spikes: a day far above the actor's usual daily count.
    let mut by_actor: BTreeMap<&str, Vec<(&String, u64)>> = BTreeMap::new();
    for ((a, d), n) in &per_day {
        by_actor.entry(a).or_default().push((d, *n));
    }
    for (actor, days) in by_actor {
        let total: u64 = days.iter().map(|d| d.1).sum();
        for (d, n) in &days {
            let others = days.len() as u64 - 1;
            let usual = (total - n).checked_div(others).unwrap_or(0);
            if *n >= SPIKE_MIN && *n >= 3 * usual.max(1) {
                findings.push(Finding {
                    kind: "reveal_spike".into(),
                    subject: actor.to_string(),
                    detail: format!("{n} reveals on {d} (usual: {usual} a day)"),
                    seq: None,
                });
            }
        }
    }
    findings.sort_by(|a, b| (&a.kind, &a.subject, a.seq).cmp(&(&b.kind, &b.subject, b.seq)));
    Ok(Review {
        generated_at: crate::format_ms(now_ms),
        since: crate::format_ms(since),
        findings,
    })
}

fn kind_name(k: ActorKind) -> &'static str {
    match k {
        ActorKind::ApiKey => "api_key",
        ActorKind::Staff => "staff",
        ActorKind::System => "system",
    }
}

fn review_staff(
    s: &StaffRow,
    since: i64,
    policies: &Policies,
    active: &BTreeSet<&str>,
    revealers: &BTreeSet<&str>,
    out: &mut Vec<Finding>,
) {
    let id = s.id.to_string();
    if s.created_at < since && !active.contains(id.as_str()) {
        out.push(Finding {
            kind: "unused_account".into(),
            subject: id.clone(),
            detail: format!("staff account ({}) not used for {UNUSED_DAYS} days", s.role),
            seq: None,
        });
    }
    let can_reveal =
        Role::parse(&s.role).is_some_and(|r| policies.scopes(r).contains(&Scope::CustomersReveal));
    if can_reveal && !revealers.contains(id.as_str()) {
        out.push(Finding {
            kind: "never_reveals".into(),
            subject: id,
            detail: format!(
                "role {} allows reveals but none in {UNUSED_DAYS} days",
                s.role
            ),
            seq: None,
        });
    }
}

fn review_key(k: &ApiKeyRecord, since: i64, revealers: &BTreeSet<&str>, out: &mut Vec<Finding>) {
    let scopes = Scope::parse_list(&k.scopes).unwrap_or_default();
    if k.last_used_at.unwrap_or(k.created_at) < since {
        out.push(Finding {
            kind: "unused_api_key".into(),
            subject: k.id.clone(),
            detail: format!("API key {:?} not used for {UNUSED_DAYS} days", k.name),
            seq: None,
        });
    }
    let sensitive = SENSITIVE.iter().filter(|s| scopes.contains(s)).count();
    if sensitive >= 2 || scopes.len() >= 6 {
        out.push(Finding {
            kind: "broad_api_key".into(),
            subject: k.id.clone(),
            detail: format!("API key {:?} holds {}", k.name, k.scopes),
            seq: None,
        });
    }
    if scopes.contains(&Scope::CustomersReveal) && !revealers.contains(k.id.as_str()) {
        out.push(Finding {
            kind: "never_reveals".into(),
            subject: k.id.clone(),
            detail: format!(
                "API key {:?} may reveal but did not in {UNUSED_DAYS} days",
                k.name
            ),
            seq: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_references() {
        for p in [
            "refund CS-1234",
            "#4521 alamat salah",
            "TICKET-991",
            "INC0042: kurir",
        ] {
            assert!(ticket_like(p), "{p}");
        }
        for p in ["checking", "customer asked", "cek 2x"] {
            assert!(!ticket_like(p), "{p}");
        }
    }
}
