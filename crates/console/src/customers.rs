//! Customer pages: search by code, e-mail, phone or NIK; the customer page (masked fields,
//! reveal with a purpose and a fresh step-up, notes, order history); editing contact details.
//! Everything goes through the vault's capabilities for the signed-in member.

use super::Chrome;
use super::auth_pages::{maybe_with_session, step_up_if_asked, stepup_page};
use super::i18n::{M, Tr, validation};
use super::session::{StaffForm, StaffPage, client_info};
use super::web::{Ctx, Fail, html, see_other};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::model::{Address, CustomerPatch, CustomerView, Field, Lookup, OrderView};
use jaga_core::notes::{self, MAX_NOTE, NoteProblem, mask_cards};
use jaga_core::purpose::{PurposeProblem, Reason, StatedPurpose};
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
    title: String,
    fields: Vec<FieldRow>,
    segment: String,
    consent: &'static str,
    created: String,
    can_reveal: bool,
    can_write: bool,
    reveal_notice: Option<String>,
    reveal_errors: Vec<String>,
    purposes: Vec<(&'static str, &'static str)>,
    notes: Option<String>,
    note_errors: Vec<String>,
    note_draft: String,
    orders: Vec<OrderRow>,
}

/// One input of the edit form.
pub struct Input {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    placeholder: String,
    max: usize,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "edit.html")]
struct EditPage {
    c: Chrome,
    id: Uuid,
    code: String,
    inputs: Vec<Input>,
    errors: Vec<String>,
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
}

fn dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("—").to_string()
}

/// `GET /console/customers`: the empty search form. A query string is ignored (never searched
/// or echoed): searches are posted.
pub async fn search_form(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
) -> Result<Response, Fail> {
    search(
        state,
        staff,
        SearchForm {
            kind: String::new(),
            q: String::new(),
        },
    )
    .await
}

/// `POST /console/customers` (form `kind`, `q`, `csrf_token`): the search and its results.
pub async fn search_post(
    State(state): State<Arc<AppState>>,
    StaffForm { staff, form, .. }: StaffForm<SearchForm>,
) -> Result<Response, Fail> {
    search(state, staff, form).await
}

async fn search(state: Arc<AppState>, staff: StaffPage, q: SearchForm) -> Result<Response, Fail> {
    staff.require_agreement()?;
    let tr = staff.tr();
    let kind = match q.kind.as_str() {
        "email" | "phone" | "nik" | "code" => q.kind.clone(),
        _ => "code".into(),
    };
    let term = q.q.trim().to_string();
    let mut page = SearchPage {
        c: staff.chrome(
            tr.t(M::SearchTitle).into(),
            "customers",
            "/console/customers",
        ),
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
            page.count_label = tr.f(M::ResultsCount, &[("n", &found.len().to_string())]);
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
    match e {
        CoreError::AgreementRequired => Fail::Agreement,
        other => Fail::from(other),
    }
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

fn field_rows(tr: Tr, v: &CustomerView) -> Vec<FieldRow> {
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
            FieldRow {
                key: f.name(),
                label: field_label(tr, f),
                has_value: value.is_some(),
                value: dash(value.as_deref()),
                revealed: v.revealed.contains(&f),
                maskable: true,
            }
        })
        .collect()
}

fn order_rows(orders: Vec<OrderView>) -> Vec<OrderRow> {
    orders
        .into_iter()
        .map(|o| {
            let j = serde_json::to_value(&o).unwrap_or_default();
            let s = |k: &str| j.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let items = j
                .get("items")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .map(|i| {
                            format!(
                                "{} × {}",
                                i.get("quantity").and_then(|q| q.as_u64()).unwrap_or(0),
                                i.get("name").and_then(|n| n.as_str()).unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let total = j
                .get("amount_minor")
                .and_then(|t| t.as_i64())
                .map(|t| format!("{} {}", s("currency"), t))
                .unwrap_or_default();
            let payment = j
                .get("payment")
                .filter(|p| !p.is_null())
                .map(|p| {
                    let g = p.get("gateway").and_then(|x| x.as_str()).unwrap_or("");
                    let b = p.get("brand").and_then(|x| x.as_str()).unwrap_or("");
                    let l = p.get("last4").and_then(|x| x.as_str()).unwrap_or("");
                    format!("{g} {b} ···· {l}").trim().to_string()
                })
                .unwrap_or_default();
            OrderRow {
                date: s("created_at").chars().take(10).collect(),
                items,
                total,
                status: s("status"),
                payment,
            }
        })
        .collect()
}

/// Everything the customer page shows besides the view itself.
#[derive(Default)]
struct Extras {
    reveal_notice: Option<String>,
    reveal_errors: Vec<String>,
    note_errors: Vec<String>,
    note_draft: String,
    flash: Option<String>,
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
            Err(CoreError::Forbidden(_)) => Vec::new(),
            Err(e) => return Err(data_fail(e)),
        },
        Err(CoreError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(data_fail(e)),
    };
    let here = format!("/console/customers/{}", view.id);
    let mut c = staff.chrome(
        tr.f(M::CustomerTitle, &[("code", &view.code)]),
        "customers",
        &here,
    );
    c.flash = extras.flash;
    let page = CustomerPage {
        title: c.title.clone(),
        c,
        id: view.id,
        fields: field_rows(tr, &view),
        segment: view.segment.clone(),
        consent: tr.t(if view.marketing_consent {
            M::Yes
        } else {
            M::No
        }),
        created: view
            .created_at
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " "),
        can_reveal: staff.caller.has(Scope::CustomersReveal),
        can_write: staff.caller.has(Scope::CustomersWrite),
        reveal_notice: extras.reveal_notice,
        reveal_errors: extras.reveal_errors,
        purposes: Reason::ALL
            .iter()
            .map(|r| (r.key(), tr.t(r.message())))
            .collect(),
        notes: view.notes.clone().filter(|n| !n.is_empty()),
        note_errors: extras.note_errors,
        note_draft: extras.note_draft,
        orders: order_rows(orders),
    };
    Ok(html(status, &page))
}

/// The fields of `DoneQuery`.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn flash(tr: Tr, done: Option<&str>) -> Option<String> {
    match done? {
        "saved" => Some(tr.t(M::Saved).into()),
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
        flash: flash(staff.tr(), q.done.as_deref()),
        ..Default::default()
    };
    render_customer(&state, &staff, view, extras, StatusCode::OK).await
}

/// The fields of `RevealForm`.
#[derive(Deserialize)]
pub struct RevealForm {
    #[serde(default)]
    field: Vec<String>,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    purpose_detail: String,
    #[serde(default)]
    stepup_code: Option<String>,
}

/// The form as url-encoded pairs, for `serde_urlencoded` (repeated `field` keys).
fn parse_reveal(bytes: &[u8]) -> Result<RevealForm, Fail> {
    let mut f = RevealForm {
        field: Vec::new(),
        purpose: String::new(),
        purpose_detail: String::new(),
        stepup_code: None,
    };
    for (k, v) in form_urlencoded::parse(bytes) {
        match &*k {
            "field" => f.field.push(v.into_owned()),
            "purpose" => f.purpose = v.into_owned(),
            "purpose_detail" => f.purpose_detail = v.into_owned(),
            "stepup_code" => f.stepup_code = Some(v.into_owned()),
            _ => {}
        }
    }
    Ok(f)
}

/// `POST /console/customers/{id}/reveal`: reveals the chosen fields for a stated purpose. Needs
/// `customers:reveal` and a TOTP step-up within 5 minutes (asked for here when missing). The
/// page with the revealed values is the response to the post, never a URL that could be
/// reloaded or shared.
pub async fn reveal(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, raw, .. } =
        StaffForm::<serde::de::IgnoredAny>::from_request(req, &state).await?;
    let f = parse_reveal(&raw)?;
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    let tr = staff.tr();
    if !staff.caller.has(Scope::CustomersReveal) {
        // Audited refusal: the vault records the attempt.
        let _ = state.vault.revealer(&staff.caller, Some("console")).await;
        return Err(Fail::Forbidden);
    }
    let fields: Vec<Field> = f
        .field
        .iter()
        .filter_map(|n| Field::parse(n))
        .filter(|f| !matches!(f, Field::Notes | Field::Preferences))
        .collect();
    let stated = StatedPurpose::assemble(&f.purpose, &f.purpose_detail);
    let mut errors = Vec::new();
    if fields.is_empty() {
        errors.push(tr.t(M::RevealNeedField).to_string());
    }
    match stated {
        Err(PurposeProblem::NoReason) => errors.push(tr.t(M::RevealNeedPurpose).to_string()),
        Err(PurposeProblem::NoDetail) => errors.push(tr.t(M::RevealNeedDetail).to_string()),
        Ok(_) => {}
    }
    let stated = match stated {
        Ok(stated) if errors.is_empty() => stated,
        _ => {
            let view = state
                .vault
                .reader(&staff.caller)
                .await
                .map_err(data_fail)?
                .get(id)
                .await
                .map_err(data_fail)?;
            let extras = Extras {
                reveal_errors: errors,
                ..Default::default()
            };
            return render_customer(
                &state,
                &staff,
                view,
                extras,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let purpose_text = stated.audit_text();
    let action = format!("/console/customers/{id}/reveal");
    let carry: Vec<(String, String)> = form_urlencoded::parse(&raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, f.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    let fresh = staff.caller.staff.as_ref().is_none_or(|s| s.step_up_fresh);
    if !fresh {
        return Ok(stepup_page(&staff, &action, carry, None));
    }
    let revealer = match state
        .vault
        .revealer(&staff.caller, Some(&purpose_text))
        .await
    {
        Ok(r) => r,
        Err(CoreError::StepUpRequired) => return Ok(stepup_page(&staff, &action, carry, None)),
        Err(e) => return Err(data_fail(e)),
    };
    let view = match revealer.get(id, &fields).await {
        Ok(v) => v,
        Err(CoreError::StepUpRequired) => return Ok(stepup_page(&staff, &action, carry, None)),
        Err(e) => return Err(data_fail(e)),
    };
    let shown = format!(
        "{}{}",
        tr.t(stated.reason.message()),
        if stated.detail.is_empty() {
            String::new()
        } else {
            format!(" — {}", stated.detail)
        }
    );
    let extras = Extras {
        reveal_notice: Some(tr.f(M::RevealShownNotice, &[("purpose", &shown)])),
        ..Default::default()
    };
    let res = render_customer(&state, &staff, view, extras, StatusCode::OK).await?;
    Ok(maybe_with_session(res, &rotated))
}

/// The fields of `NoteForm`.
#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// `POST /console/customers/{id}/notes`: appends a dated note signed with the member's name.
/// A card number is refused (audited, like the API's guard) and the note is shown back with
/// the number masked.
pub async fn add_note(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<NoteForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    let tr = staff.tr();
    let note = notes::normalise(&form.note);
    let problem = match state
        .vault
        .append_note(&staff.caller, id, &staff.name, &note)
        .await
    {
        Ok(Ok(())) => return Ok(see_other(&format!("/console/customers/{id}?done=note"))),
        Ok(Err(p)) => p,
        Err(CoreError::Invalid(errs)) => {
            let errors = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        tr.t(M::NotesTitle),
                        validation(tr, e.code, &e.field)
                    )
                })
                .collect();
            return note_refused(&state, &staff, id, errors, note).await;
        }
        Err(CoreError::CardNumber) => return Err(Fail::BadForm),
        Err(e) => return Err(data_fail(e)),
    };
    let (error, draft) = match problem {
        NoteProblem::Empty => (
            format!("{}: {}", tr.t(M::AddNote), tr.t(M::VRequired)),
            note,
        ),
        NoteProblem::TooLong => (
            format!(
                "{}: {}",
                tr.t(M::AddNote),
                tr.f(M::VTooLong, &[("max", &MAX_NOTE.to_string())])
            ),
            note.chars().take(MAX_NOTE).collect(),
        ),
        NoteProblem::CardNumber => (tr.t(M::VCardNumber).to_string(), mask_cards(&note)),
    };
    note_refused(&state, &staff, id, vec![error], draft).await
}

/// The customer page again with the note's errors and the draft (422).
async fn note_refused(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
    errors: Vec<String>,
    draft: String,
) -> Result<Response, Fail> {
    let view = state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)?;
    let extras = Extras {
        note_errors: errors,
        note_draft: draft,
        ..Default::default()
    };
    render_customer(state, staff, view, extras, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The fields of `EditForm`.
#[derive(Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    postal_code: String,
}

fn edit_inputs(tr: Tr, v: &CustomerView, f: &EditForm, errs: &[(String, String)]) -> Vec<Input> {
    let err = |name: &str| {
        errs.iter()
            .find(|(k, _)| k == name || k.strip_prefix("address.") == Some(name))
            .map(|(_, m)| m.clone())
    };
    let a = v.address.clone().unwrap_or(Address {
        street: None,
        city: None,
        province: None,
        postal_code: None,
    });
    let mk = |name: &'static str,
              label: M,
              kind: &'static str,
              value: &str,
              ph: Option<&String>,
              max: usize| Input {
        name,
        label: tr.t(label),
        kind,
        value: value.chars().take(max).collect(),
        placeholder: ph.cloned().unwrap_or_default(),
        max,
        error: err(name),
    };
    vec![
        mk(
            "full_name",
            M::FieldName,
            "text",
            &f.full_name,
            v.full_name.as_ref(),
            200,
        ),
        mk(
            "email",
            M::FieldEmail,
            "email",
            &f.email,
            v.email.as_ref(),
            254,
        ),
        mk(
            "phone",
            M::FieldPhone,
            "tel",
            &f.phone,
            v.phone.as_ref(),
            32,
        ),
        mk(
            "street",
            M::FieldStreet,
            "text",
            &f.street,
            a.street.as_ref(),
            200,
        ),
        mk("city", M::FieldCity, "text", &f.city, a.city.as_ref(), 100),
        mk(
            "province",
            M::FieldProvince,
            "text",
            &f.province,
            a.province.as_ref(),
            100,
        ),
        mk(
            "postal_code",
            M::FieldPostalCode,
            "text",
            &f.postal_code,
            a.postal_code.as_ref(),
            5,
        ),
    ]
}

async fn editable(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
) -> Result<CustomerView, Fail> {
    if !staff.caller.has(Scope::CustomersWrite) {
        return Err(Fail::Forbidden);
    }
    state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)
}

fn edit_page(
    staff: &StaffPage,
    v: &CustomerView,
    f: &EditForm,
    errs: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let tr = staff.tr();
    let here = format!("/console/customers/{}/edit", v.id);
    html(
        status,
        &EditPage {
            c: staff.chrome(tr.t(M::EditTitle).into(), "customers", &here),
            id: v.id,
            code: v.code.clone(),
            inputs: edit_inputs(tr, v, f, &errs),
            errors: errs.into_iter().map(|(_, m)| m).collect(),
        },
    )
}

/// `GET /console/customers/{id}/edit`: the contact form. Current values are not filled in (the
/// member may only see masks); empty inputs leave a value as it is.
pub async fn edit_form(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
) -> Result<Response, Fail> {
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    let v = editable(&state, &staff, id).await?;
    Ok(edit_page(
        &staff,
        &v,
        &EditForm::default(),
        Vec::new(),
        StatusCode::OK,
    ))
}

/// `POST /console/customers/{id}/edit`: validates with the core's rules and saves; errors are
/// shown next to their inputs in the member's language.
pub async fn edit(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<EditForm>,
) -> Result<Response, Fail> {
    let StaffForm { staff, form, .. } = f;
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    let tr = staff.tr();
    let v = editable(&state, &staff, id).await?;
    let mut errs: Vec<(String, String)> = Vec::new();
    let limits = [
        ("full_name", &form.full_name, 200),
        ("email", &form.email, 254),
        ("phone", &form.phone, 32),
        ("street", &form.street, 200),
        ("city", &form.city, 100),
        ("province", &form.province, 100),
        ("postal_code", &form.postal_code, 5),
    ];
    for (name, value, max) in limits {
        if value.chars().count() > max {
            errs.push((name.into(), tr.f(M::VTooLong, &[("max", &max.to_string())])));
        } else if jaga_redact::card::contains_card_number(value) {
            errs.push((name.into(), tr.t(M::VCardNumber).into()));
        }
    }
    if !errs.is_empty() {
        let masked = EditForm {
            full_name: mask_cards(&form.full_name),
            email: mask_cards(&form.email),
            phone: mask_cards(&form.phone),
            street: mask_cards(&form.street),
            city: mask_cards(&form.city),
            province: mask_cards(&form.province),
            postal_code: String::new(),
        };
        return Ok(edit_page(
            &staff,
            &v,
            &masked,
            errs,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let any_address = [&form.street, &form.city, &form.province, &form.postal_code]
        .iter()
        .any(|s| !s.trim().is_empty());
    let patch = CustomerPatch {
        full_name: opt(&form.full_name),
        email: opt(&form.email).map(Some),
        phone: opt(&form.phone).map(Some),
        address: any_address.then(|| {
            Some(Address {
                street: opt(&form.street),
                city: opt(&form.city),
                province: opt(&form.province),
                postal_code: opt(&form.postal_code),
            })
        }),
        ..Default::default()
    };
    if patch.full_name.is_none()
        && patch.email.is_none()
        && patch.phone.is_none()
        && patch.address.is_none()
    {
        return Ok(see_other(&format!(
            "/console/customers/{id}?done=unchanged"
        )));
    }
    let writer = state.vault.writer(&staff.caller).await.map_err(data_fail)?;
    match writer.update(id, &patch).await {
        Ok(_) => Ok(see_other(&format!("/console/customers/{id}?done=saved"))),
        Err(CoreError::Invalid(list)) => {
            let errs = list
                .iter()
                .map(|e| {
                    let name = e
                        .field
                        .strip_prefix("address.")
                        .unwrap_or(&e.field)
                        .to_string();
                    (name, validation(tr, e.code, &e.field))
                })
                .collect();
            Ok(edit_page(
                &staff,
                &v,
                &form,
                errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(data_fail(e)),
    }
}
