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

use crate::account::short_time;

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
    let events = state
        .vault
        .own_activity(&staff.caller, SCAN, SHOW)
        .await
        .map_err(Fail::from)?;
    let rows = events
        .into_iter()
        .map(|e| activity_row(String::new(), e))
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
                    activity_row(who, t.event)
                })
                .collect(),
        )
    } else {
        None
    };
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

fn activity_row(member: String, e: jaga_audit::event::AuditEvent) -> ActivityRow {
    ActivityRow {
        member,
        when: short_time(&jaga_core::format_ms(e.ts_ms as i64)),
        action: e.action,
        customer_short: e
            .customer_id
            .as_deref()
            .map(|c| c.chars().take(8).collect())
            .unwrap_or_default(),
        customer: e.customer_id,
        fields: e.fields.join(", "),
        purpose: e.purpose.unwrap_or_default(),
        outcome: e.outcome,
    }
}
