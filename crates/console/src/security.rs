//! Security (admin): intrusion alerts with acknowledgement, incidents with their timeline,
//! affected customer codes and the UU PDP Art. 46 deadline, and the written incident-response
//! plan (`docs/incident-response.md`, compiled in). Thin: everything comes from `Vault::alerts`,
//! `Vault::alert_ack`, `Vault::incident_open`, `Vault::incident`, which refuse (audited) every
//! role but admin.

use super::Chrome;
use super::i18n::M;
use super::session::{StaffForm, StaffPage};
use super::web::{Fail, html, see_other};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::ids::{AlertView, IncidentView};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// The incident-response plan shown in the console: the same file as in the repository.
pub const PLAN: &str = include_str!("../../../docs/incident-response.md");

#[derive(askama::Template)]
#[template(path = "security.html")]
struct SecurityPage {
    c: Chrome,
    alerts: Vec<AlertView>,
    incidents: Vec<(String, String, String, String)>,
}

#[derive(askama::Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    c: Chrome,
    i: IncidentView,
    overdue: bool,
    /// Closed: the countdown has stopped.
    closed: bool,
    /// The deadline and the discovery in the shop's time zone.
    deadline: String,
    discovered: String,
}

#[derive(askama::Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    plan: &'static str,
}

/// `?done=1` after an action.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// A form with only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct Empty {}

fn admin(staff: &StaffPage) -> Result<(), Fail> {
    if !staff.is_admin() {
        return Err(Fail::Forbidden);
    }
    Ok(())
}

/// `GET /console/security`: alerts (newest first) and incidents.
pub async fn page(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<Done>,
) -> Result<Response, Fail> {
    let alerts = state.vault.alerts(&staff.caller, 200).await;
    admin(&staff)?;
    let alerts = alerts.map_err(Fail::from)?;
    let incidents = state
        .vault
        .incidents(&staff.caller)
        .await
        .map_err(Fail::from)?
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.title,
                r.status,
                jaga_core::format_ms(r.discovered_at + jaga_core::ids::incident::DEADLINE_MS),
            )
        })
        .collect();
    let tr = staff.tr();
    let mut c = staff.chrome(
        tr.t(M::SecTitle).to_string(),
        "security",
        "/console/security",
    );
    c.flash = q.done.is_some().then(|| tr.t(M::Saved).to_string());
    Ok(html(
        StatusCode::OK,
        &SecurityPage {
            c,
            alerts,
            incidents,
        },
    ))
}

/// `POST /console/security/alerts/{id}/ack`.
pub async fn ack(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<Empty>,
) -> Result<Response, Fail> {
    let r = state.vault.alert_ack(&f.staff.caller, &id).await;
    admin(&f.staff)?;
    r.map_err(Fail::from)?;
    Ok(see_other("/console/security?done=1"))
}

/// `POST /console/security/alerts/{id}/incident`: opens an incident from the alert.
pub async fn open(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<Empty>,
) -> Result<Response, Fail> {
    let r = state
        .vault
        .incident_open(&f.staff.caller, Some(&id), None, None, None)
        .await;
    admin(&f.staff)?;
    let v = r.map_err(Fail::from)?;
    Ok(see_other(&format!("/console/security/incidents/{}", v.id)))
}

/// `GET /console/security/incidents/{id}`.
pub async fn incident(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    staff: StaffPage,
) -> Result<Response, Fail> {
    let r = state.vault.incident(&staff.caller, &id).await;
    admin(&staff)?;
    let i = r.map_err(Fail::from)?;
    let c = staff.chrome(i.title.clone(), "security", "/console/security");
    let closed = i.status == "closed";
    let overdue = !closed && i.hours_left < 0;
    let zone = &state.config.shop.zone;
    let deadline = zone.datetime_ms(i.deadline_ms);
    let discovered = zone.datetime_ms(i.discovered_ms);
    Ok(html(
        StatusCode::OK,
        &IncidentPage {
            c,
            i,
            overdue,
            closed,
            deadline,
            discovered,
        },
    ))
}

/// `GET /console/security/plan`: the incident-response plan.
pub async fn plan(staff: StaffPage) -> Result<Response, Fail> {
    admin(&staff)?;
    let c = staff.chrome(
        staff.tr().t(M::SecPlan).to_string(),
        "security",
        "/console/security/plan",
    );
    Ok(html(StatusCode::OK, &PlanPage { c, plan: PLAN }))
}
