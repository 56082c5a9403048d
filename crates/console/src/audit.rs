//! The audit log page for roles with `audit:read` (auditor, admin): event search (time range,
//! actor, action, customer code; newest first, paginated), the log's integrity with a "verify
//! now" button, and the latest signed checkpoint as a file. Every read goes through
//! `Vault::audit_search`, `Vault::audit_verify` or `AuditReader::checkpoint`, which append an
//! `audit.read` event (and refuse, audited, without the scope). Events hold no PII values.

use super::Chrome;
use super::i18n::M;
use super::session::{StaffForm, StaffPage};
use super::web::{Fail, html};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jaga_core::audit::verify::{ProblemKind, VerifyOutcome};
use jaga_core::auth::Scope;
use jaga_core::vault::{AuditPage, AuditQuery, SCAN_LIMIT};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// Events per page.
const PAGE: usize = 50;

#[derive(askama::Template)]
#[template(path = "audit.html")]
struct AuditLogPage {
    c: Chrome,
    f: AuditParams,
    rows: Vec<Row>,
    errors: Vec<String>,
    notice: Option<String>,
    older_href: Option<String>,
    newest_href: Option<String>,
    scan_note: Option<String>,
    log_size: String,
    checkpoint: String,
    has_checkpoint: bool,
    verify: Option<(bool, String)>,
}

struct Row {
    seq: u64,
    when: String,
    actor: String,
    actor_id: String,
    action: String,
    action_code: String,
    code: String,
    fields: String,
    purpose: String,
    outcome: String,
}

/// The search form (query string of `GET /console/audit`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    before: String,
}

impl AuditParams {
    /// The filters as they may be used and shown back: anything the write guard refuses
    /// (a card number, a CVV) masked, never echoed as typed.
    fn masked(self) -> Self {
        use crate::refusal::shown;
        Self {
            from: shown(&self.from),
            to: shown(&self.to),
            actor: shown(&self.actor),
            action: shown(&self.action),
            code: shown(&self.code),
            before: shown(&self.before),
        }
    }

    /// The query string of these filters (without the cursor).
    fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                [
                    ("from", &self.from),
                    ("to", &self.to),
                    ("actor", &self.actor),
                    ("action", &self.action),
                    ("code", &self.code),
                ]
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty()),
            )
            .finish()
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (UTC) → milliseconds at midnight; `None` when it is not a real date.
pub(crate) fn date_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) || y < 1970 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000)
}

/// 403 for roles without `audit:read`, after the vault recorded the refused attempt (as the
/// `/v1/audit` API does); then the agreement gate.
pub(crate) async fn require_audit(state: &Arc<AppState>, staff: &StaffPage) -> Result<(), Fail> {
    if !staff.caller.has(Scope::AuditRead) {
        let _ = state.vault.audit_reader(&staff.caller).await;
        return Err(Fail::Forbidden);
    }
    staff.require_agreement()
}

/// The reason for a verification failure, in the member's language.
fn why(kind: ProblemKind) -> M {
    match kind {
        ProblemKind::BadSignature => M::AuditWhyBadSignature,
        ProblemKind::Missing => M::AuditWhyMissing,
        ProblemKind::Undecodable => M::AuditWhyUndecodable,
        ProblemKind::Modified => M::AuditWhyModified,
        ProblemKind::CheckpointMismatch => M::AuditWhyCheckpoint,
        ProblemKind::Truncated => M::AuditWhyTruncated,
        ProblemKind::HeadMismatch => M::AuditWhyHead,
    }
}

async fn render(
    state: &Arc<AppState>,
    staff: &StaffPage,
    f: AuditParams,
    verify: Option<VerifyOutcome>,
) -> Result<Response, Fail> {
    let f = f.masked();
    let tr = staff.tr();
    let zone_offset_ms = i64::from(state.config.shop.zone.offset_minutes) * 60_000;
    let mut errors = Vec::new();
    let mut day = |s: &str| -> Option<i64> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        // Days in the shop's time zone (the zone every time on the page is shown in).
        let ms = date_ms(s).map(|ms| ms - zone_offset_ms);
        if ms.is_none() {
            errors.push(tr.t(M::AuditBadDate).to_string());
        }
        ms
    };
    let from_ms = day(&f.from);
    // The end date is inclusive: events before the next midnight.
    let to_ms = day(&f.to).map(|ms| ms + 86_400_000);
    if let (Some(a), Some(b)) = (from_ms, to_ms)
        && b <= a
    {
        errors.push(tr.t(M::AuditBadRange).to_string());
    }
    errors.dedup();
    let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let q = AuditQuery {
        from_ms,
        to_ms,
        actor_id: nonempty(&f.actor),
        action: nonempty(&f.action),
        customer_code: nonempty(&f.code).map(|c| c.to_ascii_uppercase()),
        before: f.before.trim().parse().ok(),
        limit: PAGE,
    };
    let page = if errors.is_empty() {
        state
            .vault
            .audit_search(&staff.caller, &q)
            .await
            .map_err(Fail::from)?
    } else {
        // Still audited: the integrity panel reads the log's size and latest checkpoint.
        state
            .vault
            .audit_search(
                &staff.caller,
                &AuditQuery {
                    before: Some(0),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await
            .map_err(Fail::from)?
    };
    let AuditPage {
        hits,
        older,
        scan_limited,
        unknown_customer,
        log_size,
        checkpoint_size,
    } = page;
    let base = f.query();
    let href = |before: Option<u64>| {
        let mut q = base.clone();
        if let Some(b) = before {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("before={b}"));
        }
        if q.is_empty() {
            "/console/audit".to_string()
        } else {
            format!("/console/audit?{q}")
        }
    };
    let zone = &state.config.shop.zone;
    let rows = hits
        .into_iter()
        .map(|h| {
            let e = h.event;
            let kind = match e.actor_kind {
                jaga_audit::event::ActorKind::ApiKey => "api_key",
                jaga_audit::event::ActorKind::Staff => "staff",
                jaga_audit::event::ActorKind::System => "system",
            };
            let entry = jaga_core::report::AccessEntry {
                seq: e.seq,
                time: jaga_core::format_ms(i64::try_from(e.ts_ms).unwrap_or(0)),
                actor_kind: kind.into(),
                actor_id: e.actor_id.clone(),
                actor_role: h.staff.as_ref().map(|s| s.1.clone()),
                actor_name: h.staff.as_ref().map(|s| s.0.clone()),
                action: e.action.clone(),
                customer_id: e.customer_id.clone(),
                fields: e.fields.clone(),
                purpose: e.purpose.clone(),
                outcome: e.outcome.clone(),
            };
            let r = super::reports::rows(std::slice::from_ref(&entry), tr, zone)
                .pop()
                .expect("one row");
            Row {
                seq: e.seq,
                when: r.when,
                actor: r.actor,
                actor_id: format!("{kind}:{}", e.actor_id),
                action: r.action,
                action_code: e.action,
                code: h.customer_code.unwrap_or_default(),
                fields: r.fields,
                purpose: r.purpose,
                outcome: r.outcome,
            }
        })
        .collect();
    let verify = verify.map(|v| match v.problem {
        None => (
            true,
            tr.f(
                M::AuditVerifyOk,
                &[("n", &v.events.to_string()), ("root", &hex::encode(v.root))],
            ),
        ),
        Some(p) => {
            let mut text = tr.f(
                M::AuditVerifyBad,
                &[("pos", &p.pos.to_string()), ("why", tr.t(why(p.kind)))],
            );
            // Verification goes on past an undecodable event, so later faults are shown too.
            let mut also: Vec<String> = v
                .problems
                .iter()
                .skip(1)
                .map(|q| format!("{} ({})", q.pos, tr.t(why(q.kind))))
                .collect();
            if v.more_problems > 0 {
                also.push(format!("+{}", v.more_problems));
            }
            if !also.is_empty() {
                text.push(' ');
                text.push_str(&tr.f(M::AuditVerifyAlso, &[("list", &also.join("; "))]));
            }
            (false, text)
        }
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AuditLogPage {
        // The language switch comes back to this very page (filters and position).
        c: staff.chrome(tr.t(M::AuditTitle).into(), "audit", &href(q.before)),
        rows,
        notice: unknown_customer.then(|| tr.t(M::AuditUnknownCode).to_string()),
        older_href: older.filter(|_| errors.is_empty()).map(|b| href(Some(b))),
        newest_href: (!f.before.trim().is_empty()).then(|| href(None)),
        scan_note: scan_limited
            .then(|| tr.f(M::AuditScanLimited, &[("n", &SCAN_LIMIT.to_string())])),
        log_size: tr.f(M::AuditLogSize, &[("n", &log_size.to_string())]),
        checkpoint: match checkpoint_size {
            Some(n) => tr.f(M::AuditCheckpointAt, &[("n", &n.to_string())]),
            None => tr.t(M::AuditNoCheckpoint).to_string(),
        },
        has_checkpoint: checkpoint_size.is_some(),
        errors,
        verify,
        f,
    };
    Ok(html(status, &page))
}

/// `GET /console/audit`: search form, results and the integrity panel.
pub async fn page(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    RawQuery(raw): RawQuery,
) -> Result<Response, Fail> {
    require_audit(&state, &staff).await?;
    let f: AuditParams =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|_| Fail::BadForm)?;
    render(&state, &staff, f, None).await
}

/// `POST /console/audit/verify`: verifies the whole log now (as `jaga audit verify`) and shows
/// the result on the page that answers the post.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    f: StaffForm<AuditParams>,
) -> Result<Response, Fail> {
    let staff = f.staff;
    require_audit(&state, &staff).await?;
    let outcome = state
        .vault
        .audit_verify(&staff.caller, state.audit_verifier.get())
        .await
        .map_err(Fail::from)?;
    if let Some(p) = &outcome.problem {
        // Positions only: no event contents reach the log.
        tracing::warn!(
            first_bad_position = p.pos,
            "console: audit verification failed"
        );
    }
    render(&state, &staff, f.form, Some(outcome)).await
}

/// `GET /console/audit/checkpoint`: the latest signed checkpoint (a C2SP signed note) as a
/// text file, `checkpoint-<size>.txt`.
pub async fn checkpoint(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
) -> Result<Response, Fail> {
    require_audit(&state, &staff).await?;
    let reader = state
        .vault
        .audit_reader(&staff.caller)
        .await
        .map_err(Fail::from)?;
    let cp = reader.checkpoint().await.map_err(Fail::from)?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"checkpoint-{}.txt\"",
        cp.size
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
        cp.note,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::date_ms;

    #[test]
    fn dates_are_utc_midnights_and_nonsense_is_refused() {
        assert_eq!(date_ms("1970-01-01"), Some(0));
        assert_eq!(date_ms("2026-11-22"), Some(1_795_305_600_000));
        assert_eq!(date_ms("2024-02-29"), Some(1_709_164_800_000));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "22-11-2026",
            "2026-11-22T00",
            "+026-11-22",
            "",
        ] {
            assert_eq!(date_ms(bad), None, "{bad}");
        }
    }
}
