//! Customer requests (UU PDP) in the console: the open requests, earliest due first, overdue
//! ones highlighted; recording a request by customer code; closing one as done or refused with
//! an outcome. `requests:read` to see the list, `requests:write` to record and close (cs_manager
//! and admin by default). Thin: `Vault::requests` refuses (audited) every other role, keeps
//! other segments out and audits every call.

use super::Chrome;
use super::i18n::{M, Tr};
use super::session::{StaffForm, StaffPage};
use super::web::{Fail, html, see_other};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::ConflictKind;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::model::Lookup;
use jaga_core::requests::{Channel, Outcome, RequestKind, RequestStatus};
use jaga_core::vault::NewRequest;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// One request as the page shows it.
pub struct Row {
    id: String,
    customer_id: String,
    code: String,
    kind: String,
    channel: String,
    received: String,
    due: String,
    status: String,
    open: bool,
    overdue: bool,
}

#[derive(askama::Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    c: Chrome,
    rows: Vec<Row>,
    all: bool,
    overdue: String,
    can_write: bool,
    error: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    typed_code: String,
}

/// `?all=1` shows closed requests too; `?done=…` confirms a post.
#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    all: Option<String>,
    done: Option<String>,
}

/// The form recording a request.
#[derive(Debug, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    channel: String,
}

/// The form closing a request.
#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    outcome: String,
}

fn kind_label(k: RequestKind, tr: Tr) -> &'static str {
    tr.t(match k {
        RequestKind::Access => M::ReqKindAccess,
        RequestKind::Portability => M::ReqKindPortability,
        RequestKind::Rectification => M::ReqKindRectification,
        RequestKind::Erasure => M::ReqKindErasure,
        RequestKind::ConsentWithdrawal => M::ReqKindConsentWithdrawal,
        RequestKind::Restriction => M::ReqKindRestriction,
        RequestKind::Objection => M::ReqKindObjection,
    })
}

fn channel_label(c: Channel, tr: Tr) -> &'static str {
    tr.t(match c {
        Channel::Email => M::ReqChanEmail,
        Channel::Whatsapp => M::ReqChanWhatsapp,
        Channel::Phone => M::ReqChanPhone,
        Channel::InStore => M::ReqChanInStore,
        Channel::Letter => M::ReqChanLetter,
        Channel::Web => M::ReqChanWeb,
    })
}

fn outcome_label(o: Outcome, tr: Tr) -> &'static str {
    tr.t(match o {
        Outcome::Answered => M::ReqOutAnswered,
        Outcome::Corrected => M::ReqOutCorrected,
        Outcome::Erased => M::ReqOutErased,
        Outcome::ProcessingStopped => M::ReqOutProcessingStopped,
        Outcome::IdentityNotVerified => M::ReqOutIdentityNotVerified,
        Outcome::LegalObligation => M::ReqOutLegalObligation,
        Outcome::Withdrawn => M::ReqOutWithdrawn,
    })
}

fn status_label(s: RequestStatus, tr: Tr) -> &'static str {
    tr.t(match s {
        RequestStatus::Open => M::ReqStatusOpen,
        RequestStatus::Done => M::ReqStatusDone,
        RequestStatus::Refused => M::ReqStatusRefused,
    })
}

/// The page, with `error` shown above the record form (422) or none (200).
async fn render(
    state: &Arc<AppState>,
    staff: &StaffPage,
    all: bool,
    flash: Option<String>,
    error: Option<String>,
    typed_code: &str,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let now = jaga_core::now_ms();
    let listed = state
        .vault
        .requests(&staff.caller)
        .await
        .map_err(Fail::from)?
        .list_with_codes(!all)
        .await
        .map_err(Fail::from)?;
    let overdue_n = listed.iter().filter(|(r, _)| r.overdue(now)).count();
    let rows = listed
        .into_iter()
        .map(|(r, code)| Row {
            id: r.id.to_string(),
            customer_id: r.customer_id.to_string(),
            code,
            kind: kind_label(r.kind, tr).to_string(),
            channel: channel_label(r.channel, tr).to_string(),
            received: zone.datetime_ms(r.received_at),
            due: zone.datetime_ms(r.due_at),
            status: match r.outcome {
                Some(o) if r.status != RequestStatus::Open => {
                    format!("{} · {}", status_label(r.status, tr), outcome_label(o, tr))
                }
                _ => status_label(r.status, tr).to_string(),
            },
            open: r.status == RequestStatus::Open,
            overdue: r.overdue(now),
        })
        .collect();
    let mut c = staff.chrome(
        tr.t(M::ReqTitle).to_string(),
        "requests",
        "/console/requests",
    );
    c.flash = flash;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &RequestsPage {
            c,
            rows,
            all,
            overdue: if overdue_n > 0 {
                tr.f(M::ReqOverdueCount, &[("n", &overdue_n.to_string())])
            } else {
                String::new()
            },
            can_write: staff.caller.has(Scope::RequestsWrite),
            error,
            kinds: RequestKind::ALL
                .iter()
                .map(|k| (k.as_str(), kind_label(*k, tr)))
                .collect(),
            channels: Channel::ALL
                .iter()
                .map(|k| (k.as_str(), channel_label(*k, tr)))
                .collect(),
            outcomes: Outcome::ALL
                .iter()
                .map(|k| (k.as_str(), outcome_label(*k, tr)))
                .collect(),
            typed_code: crate::refusal::shown(&typed_code.chars().take(24).collect::<String>()),
        },
    ))
}

/// `GET /console/requests`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<ListQuery>,
) -> Result<Response, Fail> {
    staff.require_agreement()?;
    let tr = staff.tr();
    let flash = match q.done.as_deref() {
        Some("closed") => Some(tr.t(M::ReqClosed).to_string()),
        Some(d) if d.starts_with("recorded:") => d
            .strip_prefix("recorded:")
            .and_then(|ms| ms.parse::<i64>().ok())
            .map(|ms| {
                tr.f(
                    M::ReqRecorded,
                    &[("due", &state.config.shop.zone.datetime_ms(ms))],
                )
            }),
        _ => None,
    };
    render(&state, &staff, q.all.is_some(), flash, None, "").await
}

/// `POST /console/requests`: records a request for the customer with the typed code.
pub async fn record(
    State(state): State<Arc<AppState>>,
    f: StaffForm<RecordForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    staff.require_agreement()?;
    let tr = staff.tr();
    // Authorise first (audited refusal), so nothing of the form is looked at for a reader.
    let requests = state
        .vault
        .requests(&staff.caller)
        .await
        .map_err(Fail::from)?;
    state
        .vault
        .authorize(
            &staff.caller,
            Scope::RequestsWrite,
            jaga_core::audit::AuditAction::RequestRecord,
            true,
            false,
        )
        .await
        .map_err(Fail::from)?;
    let (Some(kind), Some(channel)) = (
        RequestKind::parse(form.kind.trim()),
        Channel::parse(form.channel.trim()),
    ) else {
        let e = tr.t(M::ReqBadInput).to_string();
        return render(&state, &staff, false, None, Some(e), &form.code).await;
    };
    let code = form.code.trim().to_ascii_uppercase();
    let found = state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(Fail::from)?
        .lookup(&Lookup::Code(code.clone()))
        .await;
    let Some(customer) = found.ok().and_then(|v| v.into_iter().next()) else {
        let e = tr.t(M::ReqNoCustomer).to_string();
        return render(&state, &staff, false, None, Some(e), &form.code).await;
    };
    let row = requests
        .record(
            &NewRequest {
                customer_id: customer.id,
                kind,
                channel,
                received_at: None,
            },
            jaga_core::now_ms(),
        )
        .await
        .map_err(Fail::from)?;
    Ok(see_other(&format!(
        "/console/requests?done=recorded:{}",
        row.due_at
    )))
}

/// `POST /console/requests/{id}/close`: closes an open request as done or refused.
pub async fn close(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<CloseForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    staff.require_agreement()?;
    let tr = staff.tr();
    let requests = state
        .vault
        .requests(&staff.caller)
        .await
        .map_err(Fail::from)?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| Fail::NotFound)?;
    let (Some(status @ (RequestStatus::Done | RequestStatus::Refused)), Some(outcome)) = (
        RequestStatus::parse(form.status.trim()),
        Outcome::parse(form.outcome.trim()),
    ) else {
        return Err(Fail::BadForm);
    };
    match requests
        .close(id, status, outcome, jaga_core::now_ms())
        .await
    {
        Ok(_) => Ok(see_other("/console/requests?done=closed")),
        Err(CoreError::Conflict(ConflictKind::RequestClosed)) => {
            let e = tr.t(M::ReqAlreadyClosed).to_string();
            render(&state, &staff, false, None, Some(e), "").await
        }
        Err(e) => Err(Fail::from(e)),
    }
}
