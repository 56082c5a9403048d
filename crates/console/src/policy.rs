//! The shop's data policy (`/console/policy`): the written policy in the reader's language,
//! rendered by `jaga serve` from `policy.toml` and what the configuration enforces, and its
//! version history (time, what changed, whether staff had to accept it). Every signed-in
//! member may read it — also before accepting a changed policy, which the agreement page asks
//! for (`StaffService::agreement`).

use super::Chrome;
use super::i18n::M;
use super::session::StaffPage;
use super::web::{Fail, html};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jaga_server::AppState;
use std::sync::Arc;

/// One version as the page shows it.
pub struct VersionRow {
    n: u32,
    when: String,
    changed: String,
    staff: bool,
    hash: String,
}

#[derive(askama::Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    c: Chrome,
    /// The policy's HTML body, escaped by its renderer (`jaga_core::policy::html_body`).
    document: Option<String>,
    versions: Vec<VersionRow>,
}

/// `GET /console/policy`.
pub async fn page(State(state): State<Arc<AppState>>, staff: StaffPage) -> Result<Response, Fail> {
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let history = state.staff.policy_history().await.map_err(Fail::from)?;
    let versions = history
        .iter()
        .rev()
        .map(|v| VersionRow {
            n: v.n,
            when: zone.datetime_ms(v.at_ms),
            changed: if v.n == 1 {
                tr.t(M::PolicyFirst).to_string()
            } else if v.changed.is_empty() {
                tr.t(M::PolicyLayoutOnly).to_string()
            } else {
                v.changed.join(", ")
            },
            staff: v.staff_facing,
            hash: v.hash.chars().take(16).collect(),
        })
        .collect();
    Ok(html(
        StatusCode::OK,
        &PolicyPage {
            c: staff.chrome(tr.t(M::PolicyPageTitle).into(), "policy", "/console/policy"),
            document: state.staff.policy_document(tr.lang()),
            versions,
        },
    ))
}
