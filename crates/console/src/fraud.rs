//! The fraud review queue (`fraud:review`: `cs_manager`, `finance`, `admin`): events the fraud
//! monitor held, newest first, each with its score, reasons and masked contact, and a form to
//! approve or decline it with a note. Thin: `Vault::fraud_review_queue`,
//! `Vault::fraud_reviews_recent` and `Vault::fraud_review_decide` refuse (audited) every other
//! role and record the decision (audited, and as the event's label).

use super::Chrome;
use super::i18n::M;
use super::session::{StaffForm, StaffPage};
use super::web::{Fail, html, see_other};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::vault::FRAUD_MAX_NOTE as MAX_NOTE;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// One held event as the page shows it.
pub struct Case {
    /// Event id.
    pub id: String,
    /// When (shop time).
    pub when: String,
    /// Event type.
    pub kind: String,
    /// Amount, formatted, or empty.
    pub amount: String,
    /// Score 0-100.
    pub score: i64,
    /// Reasons (rule id, text).
    pub reasons: Vec<(String, String)>,
    /// Masked contact, one line, or empty.
    pub contact: String,
    /// Order id, or empty.
    pub order: String,
}

/// One recent decision.
pub struct Decided {
    /// Event id.
    pub id: String,
    /// Approved or declined, in the reader's language.
    pub decision: String,
    /// The reviewer's id.
    pub by: String,
    /// When (shop time).
    pub when: String,
    /// The note.
    pub note: String,
}

#[derive(askama::Template)]
#[template(path = "fraud.html")]
struct FraudPage {
    c: Chrome,
    cases: Vec<Case>,
    recent: Vec<Decided>,
    can_manage: bool,
    refused: Refused,
}

/// A decision the page refused: the event, the message at its note and the note as typed,
/// minus anything the write guard refused.
#[derive(Default)]
struct Refused {
    id: String,
    error: String,
    note: String,
}

impl Refused {
    /// The note to show in the form of event `id`.
    fn note_for(&self, id: &str) -> &str {
        if self.id == id { &self.note } else { "" }
    }

    /// The error at the note of event `id`, if any.
    fn error_for(&self, id: &str) -> Option<&str> {
        (self.id == id && !self.error.is_empty()).then_some(self.error.as_str())
    }
}

/// `?done=1` after a decision.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// The decision form.
#[derive(Debug, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `GET /console/fraud`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<Done>,
) -> Result<Response, Fail> {
    let flash = q.done.is_some();
    render(&state, &staff, flash, Refused::default(), StatusCode::OK).await
}

async fn render(
    state: &Arc<AppState>,
    staff: &StaffPage,
    flash: bool,
    refused: Refused,
    status: StatusCode,
) -> Result<Response, Fail> {
    let queue = state.vault.fraud_review_queue(&staff.caller, 200).await;
    let queue = queue.map_err(Fail::from)?;
    staff.require_agreement()?;
    let recent = state
        .vault
        .fraud_reviews_recent(&staff.caller, 20)
        .await
        .map_err(Fail::from)?;
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let lang = tr.lang();
    let cases = queue
        .into_iter()
        .map(|c| {
            let ev: serde_json::Value = serde_json::from_str(&c.row.event).unwrap_or_default();
            let amount = match (ev["amount"].as_i64(), ev["currency"].as_str()) {
                (Some(a), Some(cur)) => jaga_i18n::format::money(a, cur, lang),
                _ => String::new(),
            };
            let contact = c
                .contact
                .map(|m| {
                    [m.email, m.phone, m.ip]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .unwrap_or_default();
            Case {
                when: zone.datetime_ms(c.row.ts),
                kind: c.row.kind.clone(),
                amount,
                score: c.row.score,
                reasons: c.reasons.into_iter().map(|r| (r.rule, r.text)).collect(),
                contact,
                order: ev["order_id"].as_str().unwrap_or_default().to_string(),
                id: c.row.id,
            }
        })
        .collect();
    let recent = recent
        .into_iter()
        .map(|r| Decided {
            decision: tr
                .t(if r.decision == "decline" {
                    M::FraudDeclined
                } else {
                    M::FraudApproved
                })
                .to_string(),
            when: zone.datetime_ms(r.decided_at),
            id: r.event_id,
            by: r.staff_id,
            note: r.note,
        })
        .collect();
    let mut c = staff.chrome(tr.t(M::FraudTitle).to_string(), "fraud", "/console/fraud");
    c.flash = flash.then(|| tr.t(M::Saved).to_string());
    let can_manage = staff.caller.has(jaga_core::auth::Scope::FraudManage);
    Ok(html(
        status,
        &FraudPage {
            c,
            cases,
            recent,
            can_manage,
            refused,
        },
    ))
}

/// `POST /console/fraud/{id}/decide`: approve or decline with a note.
pub async fn decide(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<DecideForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    staff.require_agreement()?;
    let tr = staff.tr();
    let again = |error: String| Refused {
        id: id.clone(),
        error,
        note: crate::refusal::shown(&form.note),
    };
    if crate::refusal::refused(&form.note) {
        // Refused at the note (audited, the field name only), the note kept minus the card data.
        state
            .vault
            .refuse_card_number(&staff.caller, None, "note")
            .await
            .map_err(Fail::from)?;
        let r = again(crate::customers::notes::card_message(tr, &form.note));
        return render(&state, &staff, false, r, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state
        .vault
        .fraud_review_decide(&staff.caller, &id, &form.decision, &form.note)
        .await
    {
        Ok(_) => Ok(see_other("/console/fraud?done=1")),
        Err(jaga_core::CoreError::CardNumber | jaga_core::CoreError::CardInText { .. }) => {
            let r = again(crate::customers::notes::card_message(tr, &form.note));
            render(&state, &staff, false, r, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(jaga_core::CoreError::Invalid(errs)) if errs.iter().any(|e| e.field == "note") => {
            let e = errs.iter().find(|e| e.field == "note").expect("checked");
            let message = if e.code == "invalid" {
                tr.f(M::VTooLong, &[("max", &MAX_NOTE.to_string())])
            } else {
                crate::i18n::validation(tr, e.code, &e.field)
            };
            let r = again(message);
            render(&state, &staff, false, r, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(Fail::from(e)),
    }
}

/// Another event of a case, as the page shows it.
pub struct Other {
    /// Event id.
    pub id: String,
    /// When (shop time).
    pub when: String,
    /// Event type.
    pub kind: String,
    /// Amount, formatted, or empty.
    pub amount: String,
    /// The decision, in the reader's language.
    pub decision: String,
    /// Score 0-100.
    pub score: i64,
    /// Rule ids that matched.
    pub rules: String,
    /// What it shares with the case's event, in the reader's language.
    pub shared: String,
    /// Masked contact, one line, or empty.
    pub contact: String,
}

#[derive(askama::Template)]
#[template(path = "fraud_case.html")]
struct CasePage {
    c: Chrome,
    k: Case,
    decision: String,
    held: bool,
    details: Vec<(String, String)>,
    windows: String,
    history: Vec<Other>,
    related: Vec<Other>,
    truncated: bool,
}

fn amount_of(ev: &serde_json::Value, lang: jaga_i18n::Lang) -> String {
    match (ev["amount"].as_i64(), ev["currency"].as_str()) {
        (Some(a), Some(cur)) => jaga_i18n::format::money(a, cur, lang),
        _ => String::new(),
    }
}

fn contact_line(m: Option<jaga_core::vault::MaskedContact>) -> String {
    m.map(|m| {
        [m.email, m.phone, m.ip]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    })
    .unwrap_or_default()
}

fn decision_text(tr: jaga_i18n::Tr, d: &str) -> String {
    tr.t(match d {
        "block" => M::FraudDecBlock,
        "review" => M::FraudDecReview,
        _ => M::FraudDecAllow,
    })
    .to_string()
}

fn entity_text(tr: jaga_i18n::Tr, e: &str) -> String {
    tr.t(match e {
        "card" => M::FraudEntCard,
        "email" => M::FraudEntEmail,
        "customer" => M::FraudEntCustomer,
        "device" => M::FraudEntDevice,
        "ip" => M::FraudEntIp,
        "address" => M::FraudEntAddress,
        "bin" => M::FraudEntBin,
        _ => M::FraudEntPromo,
    })
    .to_string()
}

fn window_text(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400).replace("1d", "24h"),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{}m", s / 60),
    }
}

/// `GET /console/fraud/case/{id}`: one event with its reasons, the customer's history and the
/// events behind its velocity rules (all masked; the read is audited by the vault).
pub async fn case(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
) -> Result<Response, Fail> {
    let d = state
        .vault
        .fraud_review_case(&staff.caller, &id)
        .await
        .map_err(Fail::from)?;
    staff.require_agreement()?;
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let lang = tr.lang();
    let other = |o: jaga_core::vault::CaseEvent| {
        let ev: serde_json::Value = serde_json::from_str(&o.row.event).unwrap_or_default();
        let rules: Vec<serde_json::Value> =
            serde_json::from_str(&o.row.reasons).unwrap_or_default();
        Other {
            when: zone.datetime_ms(o.row.ts),
            kind: o.row.kind.clone(),
            amount: amount_of(&ev, lang),
            decision: decision_text(tr, &o.row.decision),
            score: o.row.score,
            rules: rules
                .iter()
                .filter_map(|r| r["rule"].as_str())
                .collect::<Vec<_>>()
                .join(", "),
            shared: o
                .shared
                .iter()
                .map(|e| entity_text(tr, e))
                .collect::<Vec<_>>()
                .join(", "),
            contact: contact_line(o.contact),
            id: o.row.id,
        }
    };
    let c = d.case;
    let ev: serde_json::Value = serde_json::from_str(&c.row.event).unwrap_or_default();
    let mut details: Vec<(String, String)> = Vec::new();
    let mut add = |m: M, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            details.push((tr.t(m).to_string(), v.to_string()));
        }
    };
    let pay = &ev["payment"];
    add(M::FraudCustomerRef, ev["customer_ref"].as_str());
    add(M::FraudPayment, pay["method"].as_str());
    add(M::FraudGateway, pay["gateway"].as_str());
    add(M::FraudStatus, pay["status"].as_str());
    add(M::FraudCardLast4, pay["card_last4"].as_str());
    add(M::FraudCardCountry, pay["card_country"].as_str());
    add(M::FraudIpCountry, ev["ip_country"].as_str());
    add(M::FraudShipCountry, ev["shipping"]["country"].as_str());
    add(M::FraudDevice, ev["device_id"].as_str());
    add(M::FraudPromo, ev["promo_code"].as_str());
    let decision = decision_text(tr, &c.row.decision);
    let held = c.row.decision == "review";
    let windows = d
        .windows
        .iter()
        .map(|(e, s)| format!("{} {}", entity_text(tr, e), window_text(*s)))
        .collect::<Vec<_>>()
        .join(" · ");
    let k = Case {
        when: zone.datetime_ms(c.row.ts),
        kind: c.row.kind.clone(),
        amount: amount_of(&ev, lang),
        score: c.row.score,
        reasons: c.reasons.into_iter().map(|r| (r.rule, r.text)).collect(),
        contact: contact_line(c.contact),
        order: ev["order_id"].as_str().unwrap_or_default().to_string(),
        id: c.row.id,
    };
    let here = format!("/console/fraud/case/{}", urlencoding(&k.id));
    let c = staff.chrome(tr.t(M::FraudCaseTitle).to_string(), "fraud", &here);
    let page = CasePage {
        c,
        k,
        decision,
        held,
        details,
        windows,
        history: d.history.into_iter().map(other).collect(),
        related: d.related.into_iter().map(other).collect(),
        truncated: d.truncated,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Percent-encodes a path segment.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
