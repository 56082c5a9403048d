//! Managing the fraud monitor over the API: allow and block lists and rule reloads (scope
//! `fraud:manage`), the review queue (scope `fraud:review`). Changes are audited by the vault.

use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Authed, GuardedJson};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use jaga_core::store::{FraudListRow, FraudReviewRow};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The routes of this module.
pub fn router() -> axum::Router<Arc<AppState>> {
    axum::Router::new()
        .route("/v1/fraud/lists", get(lists).post(list_add))
        .route("/v1/fraud/lists/{list}/{entity}/{key}", delete(list_remove))
        .route("/v1/fraud/rules/reload", post(rules_reload))
        .route("/v1/fraud/reviews", get(reviews))
        .route(
            "/v1/fraud/reviews/{id}",
            get(review_case).post(review_decide),
        )
}

/// One list entry: the keyed hash of the value, a masked hint and a note; never the value.
#[derive(Serialize, ToSchema)]
pub struct ListEntry {
    /// `allow` or `block`.
    pub list: String,
    /// `email`, `card`, `device`, `ip`, `address`, `customer` or `phone`.
    pub entity: String,
    /// The value's key (`k:<hex>`), used to remove it.
    pub key: String,
    /// A masked hint.
    pub hint: String,
    /// Why it is listed.
    pub note: String,
    /// Who listed it.
    pub created_by: String,
    /// When (ms since epoch).
    pub created_at: i64,
}

impl From<FraudListRow> for ListEntry {
    fn from(r: FraudListRow) -> Self {
        Self {
            list: r.list,
            entity: r.entity,
            key: r.key,
            hint: r.hint,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// Every list entry.
#[derive(Serialize, ToSchema)]
pub struct ListEntries {
    /// The entries.
    pub entries: Vec<ListEntry>,
}

/// A new list entry.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListEntry {
    /// `allow` or `block`.
    pub list: String,
    /// `email`, `card` (the gateway's fingerprint), `device`, `ip`, `address` (the shop's
    /// address hash), `customer` or `phone`.
    pub entity: String,
    /// The value (kept only as a keyed hash and a masked hint).
    pub value: String,
    /// Why (optional, one line, at most 200 characters).
    #[serde(default)]
    pub note: String,
}

/// The entry and whether it is new.
#[derive(Serialize, ToSchema)]
pub struct ListAdded {
    /// The entry.
    pub entry: ListEntry,
    /// `false` if it was listed already.
    pub created: bool,
}

/// The allow and block lists.
#[utoipa::path(get, path = "/v1/fraud/lists", tag = "fraud",
    security(("api_key" = ["fraud:manage"])),
    responses((status = 200, body = ListEntries), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn lists(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<ListEntries>> {
    let rows = s.vault.fraud_lists(&caller).await?;
    Ok(Json(ListEntries {
        entries: rows.into_iter().map(ListEntry::from).collect(),
    }))
}

/// Lists a value (audited). 201 when new, 200 when it was listed already.
#[utoipa::path(post, path = "/v1/fraud/lists", tag = "fraud", request_body = NewListEntry,
    security(("api_key" = ["fraud:manage"])),
    responses((status = 201, body = ListAdded), (status = 200, body = ListAdded), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_add(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::FraudManage>,
    GuardedJson(body): GuardedJson<NewListEntry>,
) -> ApiResult<Response> {
    let (row, created) = s
        .vault
        .fraud_list_add(&caller, &body.list, &body.entity, &body.value, &body.note)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(ListAdded {
            entry: row.into(),
            created,
        }),
    )
        .into_response())
}

/// Removes a list entry by its key (audited). 204, or 404 if there was none.
#[utoipa::path(delete, path = "/v1/fraud/lists/{list}/{entity}/{key}", tag = "fraud",
    params(("list" = String, Path), ("entity" = String, Path), ("key" = String, Path, description = "The entry's key (k:<hex>)")),
    security(("api_key" = ["fraud:manage"])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_remove(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::FraudManage>,
    Path((list, entity, key)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    if !key.starts_with("k:") {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_key",
            "name the entry by its key (k:<hex>, as listed)",
        ));
    }
    if s.vault
        .fraud_list_remove(&caller, &list, &entity, &key)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such list entry",
        ))
    }
}

/// The rules in force after a reload.
#[derive(Serialize, ToSchema)]
pub struct RulesReloaded {
    /// How many rules.
    pub rules: usize,
    /// The sources' fingerprint.
    pub version: String,
}

/// Re-reads the rule directory (`[fraud] rules_dir`) and puts it in force; an invalid set is
/// refused with file and line and the rules in force stay (both audited).
#[utoipa::path(post, path = "/v1/fraud/rules/reload", tag = "fraud",
    security(("api_key" = ["fraud:manage"])),
    responses((status = 200, body = RulesReloaded), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn rules_reload(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
) -> ApiResult<Json<RulesReloaded>> {
    let info = s.vault.fraud_reload_rules(&caller).await?;
    Ok(Json(RulesReloaded {
        rules: info.rules,
        version: info.version,
    }))
}

/// One held event.
#[derive(Serialize, ToSchema)]
pub struct ReviewCaseView {
    /// The event id.
    pub id: String,
    /// Event time (ms since epoch).
    pub ts: i64,
    /// Event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// 0-100.
    pub score: i64,
    /// The reasons it was held.
    pub reasons: Vec<crate::routes::events::ReasonView>,
    /// The event as stored (e-mail, phone and IP are keyed hashes).
    pub event: serde_json::Value,
    /// Its e-mail, phone and IP, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<jaga_core::vault::MaskedContact>,
}

/// The queue.
#[derive(Serialize, ToSchema)]
pub struct ReviewQueue {
    /// Held events nobody has decided, newest first.
    pub cases: Vec<ReviewCaseView>,
}

/// `?limit=` (1-500, default 100).
#[derive(Deserialize)]
pub struct Limit {
    limit: Option<u32>,
}

/// Events held for review that nobody has decided yet.
#[utoipa::path(get, path = "/v1/fraud/reviews", tag = "fraud",
    params(("limit" = Option<u32>, Query)),
    security(("api_key" = ["fraud:review"])),
    responses((status = 200, body = ReviewQueue), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn reviews(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Query(q): Query<Limit>,
) -> ApiResult<Json<ReviewQueue>> {
    let cases = s
        .vault
        .fraud_review_queue(&caller, q.limit.unwrap_or(100))
        .await?;
    Ok(Json(ReviewQueue {
        cases: cases
            .into_iter()
            .map(|c| ReviewCaseView {
                id: c.row.id,
                ts: c.row.ts,
                kind: c.row.kind,
                score: c.row.score,
                reasons: c
                    .reasons
                    .into_iter()
                    .map(|r| crate::routes::events::ReasonView {
                        rule: r.rule,
                        text: r.text,
                    })
                    .collect(),
                event: serde_json::from_str(&c.row.event).unwrap_or_default(),
                contact: c.contact,
            })
            .collect(),
    }))
}

fn reasons_view(reasons: Vec<jaga_fraud::Reason>) -> Vec<crate::routes::events::ReasonView> {
    reasons
        .into_iter()
        .map(|r| crate::routes::events::ReasonView {
            rule: r.rule,
            text: r.text,
        })
        .collect()
}

/// Another event of a case: the customer's history or an event sharing an entity.
#[derive(Serialize, ToSchema)]
pub struct CaseEventView {
    /// The event id.
    pub id: String,
    /// Event time (ms since epoch).
    pub ts: i64,
    /// Event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// `allow`, `review` or `block`.
    pub decision: String,
    /// 0-100.
    pub score: i64,
    /// Its reasons.
    pub reasons: Vec<crate::routes::events::ReasonView>,
    /// The event as stored (e-mail, phone and IP are keyed hashes).
    pub event: serde_json::Value,
    /// Its e-mail, phone and IP, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<jaga_core::vault::MaskedContact>,
    /// What it shares with the case's event within the windows (`card`, `email`,
    /// `customer`, `device`, `ip`, `address`, `bin`, `promo`).
    pub shared: Vec<String>,
}

impl From<jaga_core::vault::CaseEvent> for CaseEventView {
    fn from(c: jaga_core::vault::CaseEvent) -> Self {
        Self {
            reasons: reasons_view(serde_json::from_str(&c.row.reasons).unwrap_or_default()),
            event: serde_json::from_str(&c.row.event).unwrap_or_default(),
            id: c.row.id,
            ts: c.row.ts,
            kind: c.row.kind,
            decision: c.row.decision,
            score: c.row.score,
            contact: c.contact,
            shared: c.shared.into_iter().map(String::from).collect(),
        }
    }
}

/// A window related events were looked for in.
#[derive(Serialize, ToSchema)]
pub struct CaseWindow {
    /// The entity (`card`, `ip` …).
    pub entity: String,
    /// Its length in seconds (the longest window the matching rules read for it; 24 h when
    /// none does).
    pub seconds: i64,
}

/// One review case in full.
#[derive(Serialize, ToSchema)]
pub struct ReviewCaseDetail {
    /// The event, its reasons and masked contact.
    pub case: ReviewCaseView,
    /// `allow`, `review` or `block`.
    pub decision: String,
    /// The windows of the related events.
    pub windows: Vec<CaseWindow>,
    /// The customer's earlier events (last 90 days), newest first, at most 100.
    pub history: Vec<CaseEventView>,
    /// Events sharing its card, e-mail, customer, device, IP, address, BIN or promo code
    /// within the windows, newest first, at most 100.
    pub related: Vec<CaseEventView>,
    /// The search stopped at its limit of stored events read.
    pub truncated: bool,
}

/// One event with the customer's history and the events behind its velocity rules (any
/// stored event; the read is audited).
#[utoipa::path(get, path = "/v1/fraud/reviews/{id}", tag = "fraud",
    params(("id" = String, Path, description = "The event id")),
    security(("api_key" = ["fraud:review"])),
    responses((status = 200, body = ReviewCaseDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn review_case(
    State(s): State<Arc<AppState>>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewCaseDetail>> {
    let d = s.vault.fraud_review_case(&caller, &id).await?;
    let c = d.case;
    Ok(Json(ReviewCaseDetail {
        decision: c.row.decision.clone(),
        case: ReviewCaseView {
            event: serde_json::from_str(&c.row.event).unwrap_or_default(),
            id: c.row.id,
            ts: c.row.ts,
            kind: c.row.kind,
            score: c.row.score,
            reasons: reasons_view(c.reasons),
            contact: c.contact,
        },
        windows: d
            .windows
            .into_iter()
            .map(|(e, secs)| CaseWindow {
                entity: e.to_string(),
                seconds: secs,
            })
            .collect(),
        history: d.history.into_iter().map(CaseEventView::from).collect(),
        related: d.related.into_iter().map(CaseEventView::from).collect(),
        truncated: d.truncated,
    }))
}

/// A decision on a held event.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    /// `approve` or `decline`.
    pub decision: String,
    /// Why (optional, one line, at most 200 characters).
    #[serde(default)]
    pub note: String,
}

/// A recorded decision.
#[derive(Serialize, ToSchema)]
pub struct ReviewRecorded {
    /// The event.
    pub event_id: String,
    /// `approve` or `decline`.
    pub decision: String,
    /// Who decided.
    pub decided_by: String,
    /// When (ms since epoch).
    pub decided_at: i64,
}

impl From<FraudReviewRow> for ReviewRecorded {
    fn from(r: FraudReviewRow) -> Self {
        Self {
            event_id: r.event_id,
            decision: r.decision,
            decided_by: r.staff_id,
            decided_at: r.decided_at,
        }
    }
}

/// Approves or declines a held event (audited; the decision becomes the event's label).
#[utoipa::path(post, path = "/v1/fraud/reviews/{id}", tag = "fraud", request_body = ReviewDecision,
    params(("id" = String, Path, description = "The event id")),
    security(("api_key" = ["fraud:review"])),
    responses((status = 200, body = ReviewRecorded), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review_decide(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::FraudReview>,
    Path(id): Path<String>,
    GuardedJson(body): GuardedJson<ReviewDecision>,
) -> ApiResult<Json<ReviewRecorded>> {
    let r = s
        .vault
        .fraud_review_decide(&caller, &id, &body.decision, &body.note)
        .await?;
    Ok(Json(r.into()))
}
