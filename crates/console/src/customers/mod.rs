//! Customer pages: search by code, e-mail, phone or NIK; the customer page (masked fields,
//! reveal with a purpose and a fresh step-up, notes, order history); editing contact details.
//! Everything goes through the vault's capabilities for the signed-in member.
//!
//! This module holds the search and the customer page; [`reveal`], [`notes`] and [`edit`] the
//! actions on it.

pub mod edit;
pub mod erase;
pub mod export;
pub mod notes;
pub mod reveal;
pub mod segment;

use super::Chrome;
use super::i18n::{M, Tr, validation};
use super::session::{StaffForm, StaffPage};
use super::web::{Fail, html};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::model::{Address, CustomerView, Field, Lookup, OrderView};
use jaga_core::purpose::Reason;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(askama::Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    q: String,
    error: Option<String>,
    searched: bool,
    truncated: bool,
    results: Vec<Row>,
    count_label: String,
}

struct Row {
    id: Uuid,
    code: String,
    name: String,
    email: String,
    phone: String,
}

/// One field on the customer page.
pub struct FieldRow {
    key: &'static str,
    label: &'static str,
    value: String,
    has_value: bool,
    revealed: bool,
    maskable: bool,
    /// The member's role does not see this field ("hidden for your role", not "—", which
    /// reads as "no data").
    hidden: bool,
}

/// One order line on the customer page.
pub struct OrderRow {
    date: String,
    items: String,
    total: String,
    status: String,
    payment: String,
}

#[derive(askama::Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    c: Chrome,
    id: Uuid,
    code: String,
    title: String,
    fields: Vec<FieldRow>,
    segment: String,
    consent: &'static str,
    created: String,
    can_reveal: bool,
    can_write: bool,
    can_erase: bool,
    can_export: bool,
    export_errors: crate::refusal::FieldErrors,
    export_draft: String,
    can_move: bool,
    reveal_notice: Option<String>,
    reveal_errors: crate::refusal::FieldErrors,
    reveal_draft: RevealDraft,
    purposes: Vec<(&'static str, &'static str)>,
    notes: Option<String>,
    note_errors: Vec<String>,
    note_draft: String,
    orders: Vec<OrderRow>,
}

fn kinds(tr: Tr) -> Vec<(&'static str, &'static str)> {
    vec![
        ("code", tr.t(M::KindCode)),
        ("email", tr.t(M::KindEmail)),
        ("phone", tr.t(M::KindPhone)),
        ("nik", tr.t(M::KindNik)),
    ]
}

/// The search form (posted, so the e-mail address, phone number or NIK searched for never
/// appears in a URL: not in the browser's history, a proxy's log or a `Referer`).
#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
    /// Set by the language switch of a search page: run the same search in that language.
    #[serde(default)]
    lang: String,
}

fn dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("—").to_string()
}

/// `GET /console/customers`: the empty search form. A query string is ignored (never searched
/// or echoed): searches are posted.
pub async fn search_form(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<ErasedQuery>,
) -> Result<Response, Fail> {
    // After an erasure: which customer is gone (a code, checked to look like one).
    let flash = q
        .erased
        .filter(|c| {
            c.len() <= 24
                && c.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        })
        .map(|c| staff.tr().f(M::ErasedFlash, &[("code", &c)]));
    search(
        state,
        staff,
        SearchForm {
            kind: String::new(),
            q: String::new(),
            lang: String::new(),
        },
        flash,
    )
    .await
}

/// The query of `GET /console/customers` (only `erased=<code>` after an erasure).
#[derive(Deserialize)]
pub struct ErasedQuery {
    #[serde(default)]
    erased: Option<String>,
}

/// `POST /console/customers` (form `kind`, `q`, `csrf_token`): the search and its results.
pub async fn search_post(
    State(state): State<Arc<AppState>>,
    StaffForm {
        mut staff, form, ..
    }: StaffForm<SearchForm>,
) -> Result<Response, Fail> {
    // The language switch on a search page posts the search with the other language: the
    // results come back in it and the choice is kept (the term never goes into a URL).
    let Some(lang) = jaga_i18n::Lang::parse(&form.lang) else {
        return search(state, staff, form, None).await;
    };
    staff.ctx.lang = lang;
    let mut res = search(state, staff, form, None).await?;
    res.headers_mut()
        .append(axum::http::header::SET_COOKIE, crate::lang_cookie(lang));
    Ok(res)
}

async fn search(
    state: Arc<AppState>,
    staff: StaffPage,
    q: SearchForm,
    flash: Option<String>,
) -> Result<Response, Fail> {
    staff.require_agreement()?;
    let tr = staff.tr();
    let kind = match q.kind.as_str() {
        "email" | "phone" | "nik" | "code" => q.kind.clone(),
        _ => "code".into(),
    };
    let term = q.q.trim().to_string();
    let mut c = staff.chrome(
        tr.t(M::SearchTitle).into(),
        "customers",
        "/console/customers",
    );
    c.flash = flash;
    let mut page = SearchPage {
        c,
        kinds: kinds(tr),
        kind: kind.clone(),
        q: term.chars().take(254).collect(),
        error: None,
        searched: false,
        truncated: false,
        results: Vec::new(),
        count_label: String::new(),
    };
    if term.is_empty() {
        return Ok(html(StatusCode::OK, &page));
    }
    if term.chars().count() > 254 {
        page.error = Some(validation(tr, "too_long", "q"));
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if jaga_core::guard::text_has_card_number(&term) {
        // Never searched for, never echoed: the number comes back masked.
        page.q = jaga_core::notes::refused_draft(&page.q);
        page.error = Some(notes::card_message(tr, &term));
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let lookup = match kind.as_str() {
        "email" => Lookup::Email(term),
        "phone" => Lookup::Phone(term),
        "nik" => Lookup::NationalId(term),
        _ => Lookup::Code(term.to_uppercase()),
    };
    let reader = state.vault.reader(&staff.caller).await.map_err(data_fail)?;
    match reader.lookup_page(&lookup).await {
        Ok(jaga_core::vault::LookupResult {
            customers: found,
            truncated,
        }) => {
            page.searched = true;
            page.truncated = truncated;
            page.count_label = match found.len() {
                0 => tr.t(M::ResultsNone).to_string(),
                1 => tr.t(M::ResultsOne).to_string(),
                n => tr.f(M::ResultsCount, &[("n", &n.to_string())]),
            };
            page.results = found
                .into_iter()
                .map(|v| Row {
                    id: v.id,
                    code: v.code,
                    name: dash(v.full_name.as_deref()),
                    email: dash(v.email.as_deref()),
                    phone: dash(v.phone.as_deref()),
                })
                .collect();
            Ok(html(StatusCode::OK, &page))
        }
        Err(CoreError::Invalid(errs)) => {
            page.error = errs.first().map(|e| validation(tr, e.code, &e.field));
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(data_fail(e)),
    }
}

/// Maps a vault error on a customer page to the console's failure.
fn data_fail(e: CoreError) -> Fail {
    Fail::from(e)
}

fn parse_id(raw: &str) -> Result<Uuid, Fail> {
    Uuid::parse_str(raw).map_err(|_| Fail::NotFound)
}

fn field_label(tr: Tr, f: Field) -> &'static str {
    tr.t(match f {
        Field::FullName => M::FieldName,
        Field::Email => M::FieldEmail,
        Field::Phone => M::FieldPhone,
        Field::Address => M::FieldAddress,
        Field::NationalId => M::FieldNik,
        Field::BirthDate => M::FieldBirthDate,
        Field::Preferences => M::FieldSegment,
        Field::Notes => M::NotesTitle,
    })
}

fn address_text(a: &Address) -> String {
    [&a.street, &a.city, &a.province, &a.postal_code]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_rows(tr: Tr, v: &CustomerView, hidden: &dyn Fn(Field) -> bool) -> Vec<FieldRow> {
    let shown = [
        Field::FullName,
        Field::Email,
        Field::Phone,
        Field::Address,
        Field::NationalId,
        Field::BirthDate,
    ];
    shown
        .into_iter()
        .map(|f| {
            let value = match f {
                Field::FullName => v.full_name.clone(),
                Field::Email => v.email.clone(),
                Field::Phone => v.phone.clone(),
                Field::Address => v.address.as_ref().map(address_text),
                Field::NationalId => v.national_id.clone(),
                Field::BirthDate => v.birth_date.clone(),
                _ => None,
            };
            let hidden = value.is_none() && hidden(f);
            FieldRow {
                key: f.name(),
                label: field_label(tr, f),
                has_value: value.is_some(),
                value: if hidden {
                    tr.t(M::HiddenForRole).to_string()
                } else {
                    dash(value.as_deref())
                },
                revealed: v.revealed.contains(&f),
                maskable: true,
                hidden,
            }
        })
        .collect()
}

/// An order status in the reader's language.
pub(crate) fn status_label(tr: Tr, status: &str) -> String {
    let m = match status {
        "pending" => M::OrderPending,
        "paid" => M::OrderPaid,
        "shipped" => M::OrderShipped,
        "completed" => M::OrderCompleted,
        "cancelled" => M::OrderCancelled,
        "refunded" => M::OrderRefunded,
        other => return other.to_string(),
    };
    tr.t(m).to_string()
}

fn order_rows(tr: Tr, zone: &jaga_i18n::Zone, orders: Vec<OrderView>) -> Vec<OrderRow> {
    orders
        .into_iter()
        .map(|o| {
            let items = o
                .items
                .iter()
                .map(|i| format!("{} × {}", i.quantity, i.name))
                .collect::<Vec<_>>()
                .join(", ");
            let payment = o
                .payment
                .as_ref()
                .map(|p| {
                    let mut parts = vec![p.gateway.clone()];
                    parts.extend(p.card_brand.clone());
                    parts.extend(p.last4.as_ref().map(|l| format!("···· {l}")));
                    parts.join(" ")
                })
                .unwrap_or_default();
            OrderRow {
                date: zone.datetime(&o.created_at),
                items,
                total: jaga_i18n::money(o.amount_minor, &o.currency, tr.lang()),
                status: status_label(tr, &o.status),
                payment,
            }
        })
        .collect()
}

/// Everything the customer page shows besides the view itself.
#[derive(Default)]
struct Extras {
    reveal_notice: Option<String>,
    reveal_errors: crate::refusal::FieldErrors,
    reveal_draft: RevealDraft,
    note_errors: Vec<String>,
    note_draft: String,
    flash: Option<String>,
    export_errors: crate::refusal::FieldErrors,
    export_draft: String,
}

/// The reveal form as the member left it, shown again after a refusal (the purpose's detail
/// with anything the write guard refused masked).
#[derive(Default)]
pub struct RevealDraft {
    /// The ticked fields' keys.
    fields: Vec<String>,
    /// The chosen reason's key.
    purpose: String,
    /// The typed detail.
    detail: String,
}

impl RevealDraft {
    /// Whether the field `key` was ticked.
    fn ticked(&self, key: &str) -> bool {
        self.fields.iter().any(|f| f == key)
    }
}

async fn render_customer(
    state: &Arc<AppState>,
    staff: &StaffPage,
    view: CustomerView,
    extras: Extras,
    status: StatusCode,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let orders = match state.vault.order_reader(&staff.caller).await {
        Ok(r) => match r.list(view.id).await {
            Ok(o) => o,
            Err(CoreError::Forbidden(jaga_core::ForbiddenReason::Scope(_))) => Vec::new(),
            Err(e) => return Err(data_fail(e)),
        },
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::Scope(_))) => Vec::new(),
        Err(e) => return Err(data_fail(e)),
    };
    let here = format!("/console/customers/{}", view.id);
    let mut c = staff.chrome(
        tr.f(M::CustomerTitle, &[("code", &view.code)]),
        "customers",
        &here,
    );
    c.flash = extras.flash;
    let zone = &state.config.shop.zone;
    let policies = &state.staff.config().policies;
    let views = staff.caller.staff().map(|s| policies.views(s.role()));
    let hidden = |f: Field| {
        views
            .as_ref()
            .is_some_and(|v| v.field(f) == jaga_core::roles::FieldView::Hidden)
    };
    let page = CustomerPage {
        title: c.title.clone(),
        c,
        id: view.id,
        code: view.code.clone(),
        fields: field_rows(tr, &view, &hidden),
        segment: view.segment.clone(),
        consent: tr.t(if view.marketing_consent {
            M::Yes
        } else {
            M::No
        }),
        created: zone.datetime(&view.created_at),
        can_reveal: staff.caller.has(Scope::CustomersReveal),
        can_write: staff.caller.has(Scope::CustomersWrite),
        can_erase: staff.caller.has(Scope::CustomersErase),
        can_export: export::may_export(staff),
        export_errors: extras.export_errors,
        export_draft: extras.export_draft,
        can_move: staff.caller.has(Scope::CustomersMove),
        reveal_notice: extras.reveal_notice,
        reveal_errors: extras.reveal_errors,
        reveal_draft: extras.reveal_draft,
        purposes: Reason::ALL
            .iter()
            .map(|r| (r.key(), tr.t(r.message())))
            .collect(),
        notes: view.notes.clone().filter(|n| !n.is_empty()),
        note_errors: extras.note_errors,
        note_draft: extras.note_draft,
        orders: order_rows(tr, zone, orders),
    };
    Ok(html(status, &page))
}

/// The fields of `DoneQuery`.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn flash(tr: Tr, done: Option<&str>, segment: &str) -> Option<String> {
    match done? {
        "saved" => Some(tr.t(M::Saved).into()),
        "moved" => Some(tr.f(M::SegmentMovedFlash, &[("segment", segment)])),
        "unchanged" => Some(tr.t(M::NothingChanged).into()),
        "note" => Some(tr.t(M::NoteAdded).into()),
        _ => None,
    }
}

/// `GET /console/customers/{id}`: the masked customer.
pub async fn show(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, Fail> {
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    let view = state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)?;
    let extras = Extras {
        flash: flash(staff.tr(), q.done.as_deref(), &view.segment),
        ..Default::default()
    };
    render_customer(&state, &staff, view, extras, StatusCode::OK).await
}
