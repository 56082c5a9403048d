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
    /// The error at the shop's name (card data refused by the write guard).
    shop_error: Option<String>,
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

/// One audited access as the console shows it: staff by name and role, everything else in the
/// reader's language, the time in the shop's zone.
/// The CLI's reports (`jaga audit report`) print the same rows.
pub struct EntryRow {
    /// Position in the log.
    pub seq: u64,
    /// When, in the shop's zone with the zone shown (`2026-12-07 15:15 WIB`).
    pub when: String,
    /// Who: a staff member by name and role, a key by its id, a component.
    pub actor: String,
    /// The actor's id.
    pub actor_id: String,
    /// The action in the reader's language.
    pub action: String,
    /// The action's code (`customer.reveal`).
    pub action_code: String,
    /// The fields in the reader's language, comma-separated.
    pub fields: String,
    /// The stated purpose in the reader's language, or empty.
    pub purpose: String,
    /// The outcome in the reader's language.
    pub outcome: String,
}

#[derive(askama::Template)]
#[template(path = "letter.html")]
struct LetterPage {
    c: Chrome,
    l: jaga_core::letter::Letter,
    pdf_href: String,
    text_href: String,
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
    /// The letter's format: `text` (default, a file), `html` (the document page) or `pdf`.
    #[serde(default)]
    format: String,
}

/// Who acted, for the shop's own pages: a staff member by name and role, a key by its id.
pub fn actor_label(tr: crate::i18n::Tr, e: &AccessEntry) -> String {
    use jaga_core::letter::role_label;
    match (e.actor_kind.as_str(), &e.actor_name, &e.actor_role) {
        ("staff", Some(n), Some(r)) => format!("{n} ({})", role_label(r, tr)),
        ("api_key", _, _) => format!("{} {}", tr.t(M::ActorApiKey), e.actor_id),
        ("system", _, _) => format!("{} ({})", tr.t(M::LetterBySystem), e.actor_id),
        _ => format!("{}:{}", e.actor_kind, e.actor_id),
    }
}

/// The rows of `entries`, newest first, in the reader's language and the shop's zone.
pub fn rows(entries: &[AccessEntry], tr: crate::i18n::Tr, zone: &jaga_i18n::Zone) -> Vec<EntryRow> {
    use jaga_core::letter::{action_label, field_label, outcome_label, purpose_label};
    entries
        .iter()
        .rev()
        .map(|e| EntryRow {
            seq: e.seq,
            when: zone.datetime(&e.time),
            actor: actor_label(tr, e),
            actor_id: e.actor_id.clone(),
            action: action_label(&e.action, tr),
            action_code: e.action.clone(),
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
        })
        .collect()
}

fn letter_href(code: &str, lang: &str, shop: &str, format: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("code", code).append_pair("lang", lang);
    if !shop.is_empty() {
        q.append_pair("shop", shop);
    }
    if !format.is_empty() {
        q.append_pair("format", format);
    }
    format!("/console/audit/reports/letter?{}", q.finish())
}

impl ReportParams {
    /// The parameters as they may be used and shown back: anything the write guard refuses
    /// (a card number, a CVV) masked, never echoed as typed.
    fn masked(self) -> Self {
        use crate::refusal::shown;
        Self {
            report: shown(&self.report),
            code: shown(&self.code),
            actor: shown(&self.actor),
            from: shown(&self.from),
            to: shown(&self.to),
            shop: shown(&self.shop),
            lang: shown(&self.lang),
            format: shown(&self.format),
        }
    }

    /// The query string of these parameters.
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("report", &self.report),
            ("code", &self.code),
            ("actor", &self.actor),
            ("from", &self.from),
            ("to", &self.to),
            ("shop", &self.shop),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
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
    // The shop's name goes into the letter: the write guard refuses card data in it, at the
    // field; every parameter is shown back masked where the guard refuses it.
    let shop_error = crate::refusal::refused(&f.shop)
        .then(|| super::customers::notes::card_message(tr, &f.shop));
    let f = f.masked();
    let zone = &state.config.shop.zone;
    // Dates typed in the form are days in the shop's zone.
    let zone_off = i64::from(zone.offset_minutes) * 60_000;
    let mut errors = Vec::new();
    let mut customer = None;
    let mut staff_view = None;
    let mut review = None;
    let reader = || state.vault.audit_reader(&staff.caller);
    match f.report.as_str() {
        "customer" => {
            let code = clean(&f.code, 40).to_ascii_uppercase();
            if shop_error.is_some() {
                // No letter with refused card data in it; the error is at the shop's name.
            } else if code.is_empty() {
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
                            rows: rows(&r.accesses, tr, zone),
                            letter_id: letter_href(&r.customer_code, "id", &shop, "html"),
                            letter_en: letter_href(&r.customer_code, "en", &shop, "html"),
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
                s => date_ms(s).map(|ms| ms - zone_off),
            };
            // The end date is inclusive.
            let to = match f.to.trim() {
                "" => Some(now),
                s => date_ms(s).map(|ms| ms + DAY_MS - zone_off),
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
                        rows: rows(&r.events, tr, zone),
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
    let status = if errors.is_empty() && shop_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // The language switch comes back to this report (its parameters as shown, masked).
    let here = match f.query() {
        q if !q.is_empty() && q.len() < 400 => format!("/console/audit/reports?{q}"),
        _ => "/console/audit/reports".to_string(),
    };
    Ok(html(
        status,
        &ReportsPage {
            c: staff.chrome(tr.t(M::ReportsTitle).into(), "audit", &here),
            f,
            errors,
            shop_error,
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
    if crate::refusal::refused(&f.shop) {
        // Card data in the shop's name never reaches a letter: the report's form again, with
        // the error at the field and the name masked.
        let again = ReportParams {
            report: "customer".into(),
            ..f
        };
        return page(State(state), staff, RawQuery(Some(again.query()))).await;
    }
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
    // The name saved in the console (staff page) wins over `[shop] name` in jaga.toml.
    let mut shop = state.staff.shop(&state.config.shop).await?;
    if let Some(name) = Some(clean(&f.shop, 100)).filter(|s| !s.is_empty()) {
        shop.name = Some(name);
    }
    let letter = jaga_core::letter::Letter::new(&r, &shop, lang);
    let file = |ext: &str, ct: &'static str, body: Vec<u8>| -> Result<Response, Fail> {
        // The code is letters and digits (it was found), so it is safe in a header.
        let disposition = HeaderValue::from_str(&format!(
            "attachment; filename=\"access-{}-{}.{ext}\"",
            r.customer_code,
            lang.tag()
        ))
        .map_err(|_| Fail::Internal)?;
        Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(ct)),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response())
    };
    match f.format.as_str() {
        // A file by default (as before: scripts and bookmarks keep working).
        "" | "text" | "txt" => file(
            "txt",
            "text/plain; charset=utf-8",
            letter.text().into_bytes(),
        ),
        "pdf" => file("pdf", "application/pdf", letter.pdf()),
        "html" => {
            let shop_param = clean(&f.shop, 100);
            let here = letter_href(&r.customer_code, lang.tag(), &shop_param, "html");
            let mut c = staff.chrome(letter.subject.clone(), "audit", &here);
            c.narrow = false;
            Ok(html(
                StatusCode::OK,
                &LetterPage {
                    pdf_href: letter_href(&r.customer_code, lang.tag(), &shop_param, "pdf"),
                    text_href: letter_href(&r.customer_code, lang.tag(), &shop_param, "text"),
                    c,
                    l: letter,
                },
            ))
        }
        _ => Err(Fail::BadForm),
    }
}
