//! Access reports in the console for roles with `audit:read` (auditor, admin), the same reports
//! `jaga audit report` prints: who accessed one customer's data (with the letter to the customer
//! in Bahasa Indonesia or English as a file), one staff member's activity over a period (by
//! action, reveals per day, failed logins), and the access review. Every report is read through
//! `AuditReader`, which appends an `audit.read` event; none holds PII values.

use super::Chrome;
use super::audit::{date_ms, require_audit};
use super::i18n::{Lang, M};
use super::session::StaffPage;
use super::web::{Fail, html};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jaga_core::CoreError;
use jaga_core::report::AccessEntry;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// The days a staff report covers when no dates are given.
const DEFAULT_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

#[derive(askama::Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    c: Chrome,
    f: ReportParams,
    errors: Vec<String>,
    customer: Option<CustomerView>,
    staff: Option<StaffView>,
    review: Option<Vec<FindingRow>>,
}

struct CustomerView {
    code: String,
    count: String,
    rows: Vec<EntryRow>,
    letter_id: String,
    letter_en: String,
}

struct StaffView {
    summary: String,
    failed: String,
    by_action: Vec<(String, u64)>,
    per_day: Vec<(String, u64)>,
    rows: Vec<EntryRow>,
}

struct EntryRow {
    seq: u64,
    when: String,
    actor: String,
    action: String,
    fields: String,
    purpose: String,
    outcome: String,
}

struct FindingRow {
    kind: String,
    subject: String,
    detail: String,
}

/// The query string of `GET /console/audit/reports`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportParams {
    /// `customer`, `staff` or `review`.
    #[serde(default)]
    report: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    shop: String,
    #[serde(default)]
    lang: String,
}

fn rows(entries: &[AccessEntry]) -> Vec<EntryRow> {
    entries
        .iter()
        .rev()
        .map(|e| EntryRow {
            seq: e.seq,
            when: e.time.replace('T', " ").chars().take(19).collect(),
            actor: format!("{}:{}", e.actor_kind, e.actor_id),
            action: e.action.clone(),
            fields: e.fields.join(", "),
            purpose: e.purpose.clone().unwrap_or_default(),
            outcome: e.outcome.clone(),
        })
        .collect()
}

fn letter_href(code: &str, lang: &str, shop: &str) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code)
        .append_pair("lang", lang)
        .append_pair("shop", shop)
        .finish();
    format!("/console/audit/reports/letter?{q}")
}

fn clean(s: &str, max: usize) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect()
}

/// `GET /console/audit/reports`: the three report forms, and the report asked for.
pub async fn page(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    RawQuery(raw): RawQuery,
) -> Result<Response, Fail> {
    require_audit(&state, &staff).await?;
    let f: ReportParams =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|_| Fail::BadForm)?;
    let tr = staff.tr();
    let mut errors = Vec::new();
    let mut customer = None;
    let mut staff_view = None;
    let mut review = None;
    let reader = || state.vault.audit_reader(&staff.caller);
    match f.report.as_str() {
        "customer" => {
            let code = clean(&f.code, 40).to_ascii_uppercase();
            if code.is_empty() {
                errors.push(tr.t(M::AuditUnknownCode).to_string());
            } else {
                match reader().await?.customer_report(&code).await {
                    Ok(r) => {
                        let shop = clean(&f.shop, 100);
                        customer = Some(CustomerView {
                            count: tr.f(
                                M::ReportAccessCount,
                                &[("n", &r.accesses.len().to_string())],
                            ),
                            rows: rows(&r.accesses),
                            letter_id: letter_href(&r.customer_code, "id", &shop),
                            letter_en: letter_href(&r.customer_code, "en", &shop),
                            code: r.customer_code,
                        });
                    }
                    Err(CoreError::NotFound) => errors.push(tr.t(M::AuditUnknownCode).to_string()),
                    Err(e) => return Err(Fail::from(e)),
                }
            }
        }
        "staff" => {
            let actor = clean(&f.actor, 100);
            let now = jaga_core::now_ms();
            let from = match f.from.trim() {
                "" => Some(now - DEFAULT_DAYS * DAY_MS),
                s => date_ms(s),
            };
            // The end date is inclusive.
            let to = match f.to.trim() {
                "" => Some(now),
                s => date_ms(s).map(|ms| ms + DAY_MS),
            };
            match (from, to) {
                _ if actor.is_empty() => errors.push(tr.t(M::ReportActorNeeded).to_string()),
                (Some(a), Some(b)) if a < b => {
                    let r = reader().await?.actor_report(&actor, a, b).await?;
                    staff_view = Some(StaffView {
                        summary: tr.f(
                            M::ReportStaffSummary,
                            &[
                                ("actor", &r.actor_id),
                                ("from", r.from.get(..10).unwrap_or(&r.from)),
                                ("to", r.to.get(..10).unwrap_or(&r.to)),
                            ],
                        ),
                        failed: tr.f(
                            M::ReportFailedLogins,
                            &[("n", &r.failed_logins.to_string())],
                        ),
                        by_action: r.by_action.into_iter().collect(),
                        per_day: r.reveals_per_day.into_iter().collect(),
                        rows: rows(&r.events),
                    });
                }
                (Some(_), Some(_)) => errors.push(tr.t(M::AuditBadRange).to_string()),
                _ => errors.push(tr.t(M::AuditBadDate).to_string()),
            }
        }
        "review" => {
            let r = reader()
                .await?
                .review(&state.staff.config().policies)
                .await?;
            review = Some(
                r.findings
                    .into_iter()
                    .map(|x| FindingRow {
                        kind: x.kind,
                        subject: x.subject,
                        detail: x.detail,
                    })
                    .collect(),
            );
        }
        "" => {}
        _ => return Err(Fail::BadForm),
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(
        status,
        &ReportsPage {
            c: staff.chrome(
                tr.t(M::ReportsTitle).into(),
                "audit",
                "/console/audit/reports",
            ),
            f,
            errors,
            customer,
            staff: staff_view,
            review,
        },
    ))
}

/// `GET /console/audit/reports/letter?code=…&lang=id|en&shop=…`: the letter to the customer
/// listing every access to their data, as a text file.
pub async fn letter(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    RawQuery(raw): RawQuery,
) -> Result<Response, Fail> {
    require_audit(&state, &staff).await?;
    let f: ReportParams =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|_| Fail::BadForm)?;
    let lang = match f.lang.as_str() {
        "id" => Lang::Id,
        "en" => Lang::En,
        _ => return Err(Fail::BadForm),
    };
    let code = clean(&f.code, 40).to_ascii_uppercase();
    let r = state
        .vault
        .audit_reader(&staff.caller)
        .await?
        .customer_report(&code)
        .await?;
    let shop = match clean(&f.shop, 100) {
        s if s.is_empty() => staff.tr().t(M::ReportShopDefault).to_string(),
        s => s,
    };
    let text = jaga_core::report::customer_letter(&r, &shop, lang);
    // The code is letters and digits (it was found), so it is safe in a header.
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"access-{}-{}.txt\"",
        r.customer_code, f.lang
    ))
    .map_err(|_| Fail::Internal)?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}
