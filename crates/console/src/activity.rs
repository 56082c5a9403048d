//! "My activity": the member's own audited actions, and for a CS manager the CS team's.

use crate::Chrome;
use crate::i18n::M;
use crate::session::{StaffPage, role_label};
use crate::web::{Fail, html};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::staff::Role;
use jaga_server::AppState;
use std::sync::Arc;

#[derive(askama::Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    c: Chrome,
    rows: Vec<ActivityRow>,
    /// For a cs_manager: the CS team's recent actions.
    team: Option<Vec<ActivityRow>>,
}

struct ActivityRow {
    /// Who (team view only).
    member: String,
    when: String,
    action: String,
    action_code: String,
    customer: Option<String>,
    customer_short: String,
    fields: String,
    purpose: String,
    outcome: String,
}

/// How far back the activity page looks (events), and how many of the member's it shows.
const SCAN: u64 = 5000;
const SHOW: usize = 100;

/// `GET /console/activity`: the member's own recent audit events, newest first, and for a
/// cs_manager the CS team's too (DESIGN's "own actions" and "team" rows). The audit log holds no
/// PII values: field names, ids, purposes.
pub async fn activity(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
) -> Result<Response, Fail> {
    // The log names customers and purposes: not before the agreement is accepted.
    staff.require_agreement()?;
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let events = state
        .vault
        .own_activity(&staff.caller, SCAN, SHOW)
        .await
        .map_err(Fail::from)?;
    let rows = events
        .into_iter()
        .map(|e| activity_row(tr, zone, String::new(), e))
        .collect();
    let team = if staff.role == Role::CsManager {
        let team = state
            .vault
            .team_activity(&staff.caller, SCAN, SHOW)
            .await
            .map_err(Fail::from)?;
        Some(
            team.into_iter()
                .map(|t| {
                    let who = format!("{} ({})", t.member, role_label(tr, t.role));
                    activity_row(tr, zone, who, t.event)
                })
                .collect(),
        )
    } else {
        None
    };
    // Customers by code, not by id.
    let mut rows: Vec<ActivityRow> = rows;
    let mut team: Option<Vec<ActivityRow>> = team;
    let ids: Vec<String> = rows
        .iter()
        .chain(team.iter().flatten())
        .filter_map(|r| r.customer.clone())
        .collect();
    if !ids.is_empty() {
        let codes = state
            .vault
            .customer_codes(&staff.caller, &ids)
            .await
            .map_err(Fail::from)?;
        for r in rows.iter_mut().chain(team.iter_mut().flatten()) {
            if let Some(code) = r.customer.as_ref().and_then(|id| codes.get(id)) {
                r.customer_short = code.clone();
            }
        }
    }
    Ok(html(
        StatusCode::OK,
        &ActivityPage {
            c: staff.chrome(
                tr.t(M::ActivityTitle).into(),
                "activity",
                "/console/activity",
            ),
            rows,
            team,
        },
    ))
}

fn activity_row(
    tr: crate::i18n::Tr,
    zone: &jaga_i18n::Zone,
    member: String,
    e: jaga_audit::event::AuditEvent,
) -> ActivityRow {
    use jaga_core::letter::{action_label, field_label, outcome_label, purpose_label};
    ActivityRow {
        member,
        when: zone.datetime_ms(i64::try_from(e.ts_ms).unwrap_or(0)),
        action: action_label(&e.action, tr),
        action_code: e.action,
        customer_short: e
            .customer_id
            .as_deref()
            .map(|c| c.chars().take(8).collect())
            .unwrap_or_default(),
        customer: e.customer_id,
        fields: e
            .fields
            .iter()
            .map(|f| match field_label(f, tr) {
                l if l.is_empty() => f.clone(),
                l => l,
            })
            .collect::<Vec<_>>()
            .join(", "),
        purpose: e
            .purpose
            .as_deref()
            .map(|p| purpose_label(p, tr))
            .unwrap_or_default(),
        outcome: outcome_label(&e.outcome, tr),
    }
}
