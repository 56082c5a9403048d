//! Activity views that need no `audit:read` (DESIGN's "audit log, reports" row): every staff
//! member sees their own recent actions, and a cs_manager sees the CS team's. Both read through
//! the log's actor index; neither returns customer values (events hold none).

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::{Caller, StaffContext};
use crate::error::ForbiddenReason;
use crate::roles::{Role, parse_segments};
use crate::store::EventFilter;
use jaga_audit::event::{AuditEvent, decode};
use std::collections::HashMap;
use uuid::Uuid;

/// One event of the team view, with the member who did it.
#[derive(Debug, Clone)]
pub struct TeamEvent {
    /// The member's display name.
    pub member: String,
    /// The member's role.
    pub role: Role,
    /// The event.
    pub event: AuditEvent,
}

impl Vault {
    /// The newest `show` events of `actor` among the last `scan` log positions, newest first.
    async fn actor_tail(
        &self,
        actor: &str,
        scan: u64,
        show: usize,
    ) -> Result<Vec<AuditEvent>, CoreError> {
        let head = self.store.audit_head().await?;
        let filter = EventFilter {
            actor_id: Some(actor.to_string()),
            ..Default::default()
        };
        let mut from = head.size.saturating_sub(scan);
        let mut out = Vec::new();
        loop {
            let page = self
                .store
                .audit_events_matching(&filter, from, 1_000)
                .await?;
            let Some(last) = page.last() else { break };
            from = last.seq + 1;
            out.extend(page.iter().filter_map(|e| decode(&e.leaf).ok()));
            if out.len() > show {
                out.drain(..out.len() - show);
            }
        }
        out.reverse();
        Ok(out)
    }

    /// The caller's own recent actions, newest first: at most `show` events among the last
    /// `scan` positions of the log. Needs no scope (everyone may see what they did themselves;
    /// DESIGN's "own actions" row) and reads through the actor index, never another's events.
    pub async fn own_activity(
        &self,
        caller: &Caller,
        scan: u64,
        show: usize,
    ) -> Result<Vec<AuditEvent>, CoreError> {
        self.require_agreement(caller, AuditAction::AuditRead)
            .await?;
        self.actor_tail(caller.id(), scan, show).await
    }

    /// The codes of the customers `ids` (event `customer_id`s) names, for pages that list the
    /// member's own or team's events: customers by code, not by id. Only the pseudonym leaves
    /// here; ids that name no customer row are left out. At most 200 ids are looked up.
    pub async fn customer_codes(
        &self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<HashMap<String, String>, CoreError> {
        self.require_agreement(caller, AuditAction::AuditRead)
            .await?;
        let mut out = HashMap::new();
        for id in ids.iter().take(200) {
            if out.contains_key(id) {
                continue;
            }
            if let Ok(u) = Uuid::parse_str(id)
                && let Some(c) = self.store.customer_load(u).await?
            {
                out.insert(id.clone(), c.row.code);
            }
        }
        Ok(out)
    }

    /// The CS team's recent actions for a cs_manager (DESIGN's "team" row), newest first: the
    /// events of every enabled cs_staff and cs_manager account (sharing a segment with the
    /// manager when the manager is segment-restricted), at most `show` among the last `scan`
    /// positions of each member. For a segment-restricted manager, events about a customer
    /// outside the manager's segments (or one no longer on record) are left out, whoever made
    /// them. Other roles are refused; every look is audited as `audit.read` with the field
    /// `team`.
    pub async fn team_activity(
        &self,
        caller: &Caller,
        scan: u64,
        show: usize,
    ) -> Result<Vec<TeamEvent>, CoreError> {
        let Some(ctx) = caller.staff().filter(|c| c.role() == Role::CsManager) else {
            let refusal =
                Refusal::new(AuditAction::AuditRead, ForbiddenReason::Role).fields(["team"]);
            return Err(self.deny(caller, refusal).await);
        };
        self.require_agreement(caller, AuditAction::AuditRead)
            .await?;
        self.store
            .audit_append(AuditRecord::new(caller, AuditAction::AuditRead).fields(["team"]))
            .await?;
        let mut segment_of: HashMap<String, bool> = HashMap::new();
        let mut out = Vec::new();
        for m in self.store.staff_list().await? {
            let Some(role) = Role::parse(&m.role) else {
                continue;
            };
            let shares_segment = match (ctx.segments(), parse_segments(&m.segments)) {
                (None, _) | (Some(_), None) => true,
                (Some(mine), Some(theirs)) => !mine.is_disjoint(&theirs),
            };
            if m.disabled_at.is_some()
                || !matches!(role, Role::CsStaff | Role::CsManager)
                || !shares_segment
            {
                continue;
            }
            for event in self.actor_tail(&m.id.to_string(), scan, show).await? {
                if ctx.segments().is_some()
                    && let Some(customer) = &event.customer_id
                    && !self
                        .visible_customer(ctx, customer, &mut segment_of)
                        .await?
                {
                    continue;
                }
                out.push(TeamEvent {
                    member: m.name.clone(),
                    role,
                    event,
                });
            }
        }
        out.sort_by_key(|t| std::cmp::Reverse(t.event.seq));
        out.truncate(show);
        Ok(out)
    }

    /// Whether the customer with id `customer` (as written in an event) lies in one of the
    /// manager's segments; unknown or unparsable ids are not visible. Answers are cached in
    /// `seen` for the rest of one team view.
    async fn visible_customer(
        &self,
        ctx: &StaffContext,
        customer: &str,
        seen: &mut HashMap<String, bool>,
    ) -> Result<bool, CoreError> {
        if let Some(v) = seen.get(customer) {
            return Ok(*v);
        }
        let visible = match Uuid::parse_str(customer) {
            Ok(id) => self
                .store()
                .customer_load(id)
                .await?
                .is_some_and(|f| ctx.sees_segment(&f.row.segment)),
            Err(_) => false,
        };
        seen.insert(customer.to_string(), visible);
        Ok(visible)
    }
}
