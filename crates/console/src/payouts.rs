//! Payouts (issue 14): the list with a form to create one and the bank export, and a payout's
//! page with its whole chain — the request, the bank details it pays to with their own request
//! and call-back, each approval or the rejection, the holds and warnings — with the approve and
//! reject buttons (fresh step-up; nobody approves their own request). Thin: `Vault::payees`
//! decides and audits; the refusals are shown in the reader's language.

use super::Chrome;
use super::i18n::{M, Tr};
use super::payees::{VersionRow, refusal, stepped, version_rows};
use super::session::{StaffForm, StaffPage};
use super::session_flows::{maybe_with_session, stepup_page};
use super::web::{Fail, html, see_other};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::payouts::BankFormat;
use jaga_core::vault::{NewPayout, PayoutView};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// A payout's line in the list.
pub struct Line {
    /// Id.
    pub id: String,
    /// When (shop time).
    pub when: String,
    /// Payee name.
    pub payee: String,
    /// Amount, formatted.
    pub amount: String,
    /// Status code (for the page's class).
    pub status: String,
    /// Status in the reader's language, with the approvals count while pending.
    pub status_text: String,
    /// The recent-change warning.
    pub warning: bool,
    /// Held from export (details changed since).
    pub superseded: bool,
}

/// One step of a payout's chain.
pub struct Step {
    /// `request`, `details`, `call`, `approve`, `reject` or `waiting`.
    pub kind: &'static str,
    /// The step in the reader's language.
    pub text: String,
}

#[derive(askama::Template)]
#[template(path = "payouts.html")]
struct ListPage {
    c: Chrome,
    intro: String,
    lines: Vec<Line>,
    payees: Vec<(String, String)>,
    can_write: bool,
    f: CreateForm,
    errors: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "payout.html")]
struct ShowPage {
    c: Chrome,
    p: PayoutView,
    amount: String,
    status_text: String,
    warning: String,
    details_title: String,
    details: VersionRow,
    chain: Vec<Step>,
    can_decide: bool,
    errors: Vec<String>,
}

/// The fields of the form that creates a payout.
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    payee_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    remark: String,
    /// Errors at the fields (never posted).
    #[serde(skip)]
    errors: crate::refusal::FieldErrors,
}

impl CreateForm {
    /// Every value as it may be shown back (what the write guard refuses, masked).
    fn masked(mut self) -> Self {
        self.amount = crate::refusal::shown(&self.amount);
        self.remark = crate::refusal::shown(&self.remark);
        self
    }
}

/// The decision form (plus `stepup_code`, read by the step-up).
#[derive(Debug, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
}

/// The export form.
#[derive(Debug, Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    format: String,
}

/// `?status=` on the list, `?done=` after a post.
#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    done: Option<String>,
}

fn may_read(staff: &StaffPage) -> Result<(), Fail> {
    staff.require_agreement()?;
    if staff.caller.has(Scope::PayeesRead) {
        Ok(())
    } else {
        Err(Fail::Forbidden)
    }
}

fn rupiah(amount: i64, tr: Tr) -> String {
    jaga_i18n::format::money(amount.saturating_mul(100), "IDR", tr.lang())
}

fn status_text(tr: Tr, p: &PayoutView) -> String {
    match p.status.as_str() {
        "approved" => tr.t(M::PayoutStatusApproved).to_string(),
        "rejected" => tr.t(M::PayoutStatusRejected).to_string(),
        "exported" => tr.t(M::PayoutStatusExported).to_string(),
        _ => format!(
            "{} ({})",
            tr.t(M::PayoutStatusPending),
            tr.f(
                M::PayoutApprovalsCount,
                &[
                    ("n", &approvals(p).to_string()),
                    ("required", &p.required_approvals.to_string()),
                ],
            )
        ),
    }
}

fn approvals(p: &PayoutView) -> usize {
    p.approvals
        .iter()
        .filter(|a| a.decision == "approve")
        .count()
}

async fn list_page(
    state: &Arc<AppState>,
    staff: &StaffPage,
    q: &ListQuery,
    f: CreateForm,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let cap = state.vault.payees(&staff.caller)?;
    let filter = q.status.as_deref().filter(|s| !s.is_empty());
    let payouts = cap.payouts(filter).await.map_err(Fail::from)?;
    let payees = cap
        .list()
        .await
        .map_err(Fail::from)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let lines = payouts
        .iter()
        .map(|p| Line {
            id: p.id.clone(),
            when: zone.datetime_ms(p.created_at),
            payee: p.payee_name.clone(),
            amount: rupiah(p.amount, tr),
            status: p.status.clone(),
            status_text: status_text(tr, p),
            warning: p.recent_change_warning,
            superseded: p.details_superseded && p.status == "approved",
        })
        .collect();
    let policy = state.vault.payout_policy();
    let intro = tr.f(
        M::PayoutsIntro,
        &[
            ("limit", &rupiah(policy.two_approvals_above, tr)),
            ("days", &policy.recent_change_days.to_string()),
        ],
    );
    let mut c = staff.chrome(tr.t(M::PayoutsTitle).into(), "payees", "/console/payouts");
    c.flash = q.done.as_ref().map(|_| tr.t(M::PayoutDecided).to_string());
    Ok(html(
        status,
        &ListPage {
            c,
            intro,
            lines,
            payees,
            can_write: staff.caller.has(Scope::PayoutsWrite),
            f,
            errors,
        },
    ))
}

/// `GET /console/payouts`: payouts newest first (`?status=` filters), the form to create one
/// and the bank export.
pub async fn list(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<ListQuery>,
) -> Result<Response, Fail> {
    may_read(&staff)?;
    list_page(
        &state,
        &staff,
        &q,
        CreateForm::default(),
        vec![],
        StatusCode::OK,
    )
    .await
}

/// `POST /console/payouts`: creates a payout to the payee's last verified details (refused,
/// with the reason, when there are none: the payout is held).
pub async fn create(
    State(state): State<Arc<AppState>>,
    f: StaffForm<CreateForm>,
) -> Result<Response, Fail> {
    let StaffForm {
        staff, mut form, ..
    } = f;
    may_read(&staff)?;
    let tr = staff.tr();
    form.errors = crate::refusal::screen_fields(tr, &mut [("remark", &mut form.remark)]);
    if !form.errors.is_empty() {
        crate::refusal::audit(&state, &staff.caller, None, &form.errors).await?;
        let (q, status) = (ListQuery::default(), StatusCode::UNPROCESSABLE_ENTITY);
        return list_page(&state, &staff, &q, form.masked(), vec![], status).await;
    }
    let payee_id = Uuid::parse_str(form.payee_id.trim()).map_err(|_| Fail::BadForm)?;
    // Whole rupiah; dots and spaces as thousands separators are accepted.
    let digits: String = form
        .amount
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '_'))
        .collect();
    let Ok(amount) = digits.parse::<i64>() else {
        let errors = vec![tr.t(M::PayoutErrAmount).to_string()];
        let q = ListQuery::default();
        return list_page(
            &state,
            &staff,
            &q,
            form.masked(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewPayout {
        payee_id,
        amount,
        remark: (!form.remark.trim().is_empty()).then(|| form.remark.clone()),
    };
    match state.vault.payees(&staff.caller)?.create_payout(&new).await {
        Ok(p) => Ok(see_other(&format!(
            "/console/payouts/{}?done=created",
            p.id
        ))),
        Err(e) => match refusal(tr, &e) {
            Some((status, errors)) => {
                let (q, form) = (ListQuery::default(), form.masked());
                list_page(&state, &staff, &q, form, errors, status).await
            }
            None => Err(Fail::from(e)),
        },
    }
}

fn chain(tr: Tr, state: &AppState, p: &PayoutView) -> Vec<Step> {
    let zone = &state.config.shop.zone;
    let d = &p.details;
    let mut out = vec![Step {
        kind: "details",
        text: tr.f(
            M::PayoutChainDetailsRequested,
            &[
                ("version", &d.version.to_string()),
                ("by", &d.requested_by),
                ("when", &zone.datetime_ms(d.requested_at)),
            ],
        ),
    }];
    if let Some(c) = &d.call {
        out.push(Step {
            kind: "call",
            text: tr.f(
                M::PayeeCallRecord,
                &[
                    ("by", &c.by),
                    ("number", &c.number_called),
                    ("when", &zone.datetime_ms(c.at)),
                    ("confirmed", &c.confirmed),
                    ("reference", &c.reference),
                ],
            ),
        });
    }
    out.push(Step {
        kind: "request",
        text: tr.f(
            M::PayoutChainRequested,
            &[
                ("by", &p.created_by),
                ("when", &zone.datetime_ms(p.created_at)),
            ],
        ),
    });
    for a in &p.approvals {
        let (kind, m) = if a.decision == "reject" {
            ("reject", M::PayoutChainRejected)
        } else {
            ("approve", M::PayoutChainApproved)
        };
        out.push(Step {
            kind,
            text: tr.f(m, &[("by", &a.by), ("when", &zone.datetime_ms(a.at))]),
        });
    }
    let left = (p.required_approvals as usize).saturating_sub(approvals(p));
    if p.status == "pending_approval" && left > 0 {
        out.push(Step {
            kind: "waiting",
            text: tr.f(M::PayoutChainWaiting, &[("n", &left.to_string())]),
        });
    }
    out
}

async fn show_page(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
    errors: Vec<String>,
    status: StatusCode,
    flash: Option<M>,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let p = state
        .vault
        .payees(&staff.caller)?
        .payout(id)
        .await
        .map_err(Fail::from)?;
    let details = version_rows(tr, state, std::slice::from_ref(&p.details))
        .pop()
        .ok_or(Fail::Internal)?;
    let days = state.vault.payout_policy().recent_change_days.to_string();
    let here = format!("/console/payouts/{id}");
    let mut c = staff.chrome(
        tr.f(M::PayoutTitle, &[("payee", &p.payee_name)]),
        "payees",
        &here,
    );
    c.flash = flash.map(|m| tr.t(m).to_string());
    Ok(html(
        status,
        &ShowPage {
            c,
            amount: rupiah(p.amount, tr),
            status_text: status_text(tr, &p),
            warning: tr.f(M::PayoutRecentWarning, &[("days", &days)]),
            details_title: tr.f(
                M::PayoutDetailsUsed,
                &[("version", &p.details.version.to_string())],
            ),
            details,
            chain: chain(tr, state, &p),
            can_decide: staff.caller.has(Scope::PayoutsApprove) && p.status == "pending_approval",
            errors,
            p,
        },
    ))
}

/// `GET /console/payouts/{id}`: the payout with its whole chain.
pub async fn show(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, Fail> {
    may_read(&staff)?;
    let id = Uuid::parse_str(&id).map_err(|_| Fail::NotFound)?;
    let flash = match q.done.as_deref() {
        Some("created") => Some(M::PayoutCreated),
        Some(_) => Some(M::PayoutDecided),
        None => None,
    };
    show_page(&state, &staff, id, vec![], StatusCode::OK, flash).await
}

/// `POST /console/payouts/{id}/decide`: approves or rejects (fresh step-up; never one's own
/// request, never twice).
pub async fn decide(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Fail> {
    let id = Uuid::parse_str(&id).map_err(|_| Fail::NotFound)?;
    let action = format!("/console/payouts/{id}/decide");
    let s = match stepped::<DecideForm>(&state, req, &action).await? {
        Ok(s) => s,
        Err(prompt) => return Ok(prompt),
    };
    may_read(&s.staff)?;
    let cap = state.vault.payees(&s.staff.caller)?;
    let done = match s.form.decision.as_str() {
        "approve" => cap.approve(id).await,
        "reject" => cap.reject(id).await,
        _ => return Err(Fail::BadForm),
    };
    let res = match done {
        Ok(_) => see_other(&format!("/console/payouts/{id}?done=decided")),
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            stepup_page(&s.staff, &action, s.carry, None)
        }
        Err(e) => match refusal(s.staff.tr(), &e) {
            Some((status, errors)) => show_page(&state, &s.staff, id, errors, status, None).await?,
            None => return Err(Fail::from(e)),
        },
    };
    Ok(maybe_with_session(res, &s.rotated))
}

/// `POST /console/payouts/export`: the bank bulk-transfer CSV of every approved payout to
/// details still verified (fresh step-up: the file holds account numbers); they become
/// `exported`.
pub async fn export(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, Fail> {
    let action = "/console/payouts/export";
    let s = match stepped::<ExportForm>(&state, req, action).await? {
        Ok(s) => s,
        Err(prompt) => return Ok(prompt),
    };
    may_read(&s.staff)?;
    let (format, name) = match s.form.format.as_str() {
        "bca" => (BankFormat::Bca, "bca"),
        "mandiri" => (BankFormat::Mandiri, "mandiri"),
        _ => return Err(Fail::BadForm),
    };
    let res = match state.vault.payees(&s.staff.caller)?.export(format).await {
        Ok(r) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"payouts-{name}.csv\""),
                ),
            ],
            r.csv,
        )
            .into_response(),
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            stepup_page(&s.staff, action, s.carry, None)
        }
        Err(e) => return Err(Fail::from(e)),
    };
    Ok(maybe_with_session(res, &s.rotated))
}
