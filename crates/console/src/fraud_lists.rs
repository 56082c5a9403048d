//! The fraud monitor's allow and block lists in the console (`fraud:manage`: `admin` by
//! default): every entry with its masked hint, note, author and date; a form to list an e-mail
//! address, card fingerprint, device, IP address or shipping-address hash; a remove button per
//! entry. Thin: `Vault::fraud_lists`, `Vault::fraud_list_add` and `Vault::fraud_list_remove`
//! refuse (audited) every other role, keep only the keyed hash and a masked hint of the value,
//! and audit every change (`fraud.list.change`) in the same transaction. Forms carry the CSRF
//! token (checked by [`StaffForm`]).

use super::Chrome;
use super::i18n::M;
use super::session::{StaffForm, StaffPage};
use super::web::{Fail, html, see_other};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

/// The entities the page offers (the API also takes `customer` and `phone`).
const ENTITIES: [&str; 5] = ["email", "card", "device", "ip", "address"];

/// One entry as the page shows it.
pub struct Entry {
    /// `allow` or `block`.
    pub list: String,
    /// The list, in the reader's language.
    pub list_text: String,
    /// `email`, `card` …
    pub entity: String,
    /// The entity, in the reader's language.
    pub entity_text: String,
    /// The entry's key (`k:<hex>`).
    pub key: String,
    /// Masked hint.
    pub hint: String,
    /// Note.
    pub note: String,
    /// Who listed it.
    pub by: String,
    /// When (shop time).
    pub when: String,
}

#[derive(askama::Template)]
#[template(path = "fraud_lists.html")]
struct ListsPage {
    c: Chrome,
    entries: Vec<Entry>,
    entities: Vec<(&'static str, String)>,
    errors: crate::refusal::FieldErrors,
    typed_note: String,
}

/// `?done=added|removed`.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// The add form.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    list: String,
    entity: String,
    value: String,
    #[serde(default)]
    note: String,
}

/// The remove form.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    list: String,
    entity: String,
    key: String,
}

fn entity_text(tr: jaga_i18n::Tr, e: &str) -> String {
    tr.t(match e {
        "email" => M::FraudEntEmail,
        "card" => M::FraudEntCard,
        "device" => M::FraudEntDevice,
        "ip" => M::FraudEntIp,
        "address" => M::FraudEntAddress,
        "customer" => M::FraudEntCustomer,
        _ => M::FraudEntPhone,
    })
    .to_string()
}

async fn render(
    state: &Arc<AppState>,
    staff: &StaffPage,
    flash: Option<String>,
    errors: crate::refusal::FieldErrors,
    typed_note: String,
    status: StatusCode,
) -> Result<Response, Fail> {
    let rows = state
        .vault
        .fraud_lists(&staff.caller)
        .await
        .map_err(Fail::from)?;
    staff.require_agreement()?;
    let tr = staff.tr();
    let zone = &state.config.shop.zone;
    let entries = rows
        .into_iter()
        .map(|r| Entry {
            list_text: tr
                .t(if r.list == "allow" {
                    M::FraudListAllow
                } else {
                    M::FraudListBlock
                })
                .to_string(),
            entity_text: entity_text(tr, &r.entity),
            when: zone.datetime_ms(r.created_at),
            list: r.list,
            entity: r.entity,
            key: r.key,
            hint: r.hint,
            note: r.note,
            by: r.created_by,
        })
        .collect();
    let mut c = staff.chrome(
        tr.t(M::FraudListsTitle).to_string(),
        "fraud",
        "/console/fraud/lists",
    );
    c.flash = flash;
    let entities = ENTITIES.iter().map(|e| (*e, entity_text(tr, e))).collect();
    Ok(html(
        status,
        &ListsPage {
            c,
            entries,
            entities,
            errors,
            typed_note,
        },
    ))
}

/// `GET /console/fraud/lists`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<Done>,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let flash = match q.done.as_deref() {
        Some("added") => Some(tr.t(M::FraudListAdded).to_string()),
        Some("removed") => Some(tr.t(M::FraudListRemoved).to_string()),
        _ => None,
    };
    render(
        &state,
        &staff,
        flash,
        Default::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /console/fraud/lists/add`: lists a value (only its keyed hash and a masked hint are
/// kept). Invalid input is shown on the page, the typed value is not echoed back.
pub async fn add(
    State(state): State<Arc<AppState>>,
    f: StaffForm<AddForm>,
) -> Result<Response, Fail> {
    f.staff.require_agreement()?;
    let tr = f.staff.tr();
    let form = f.form;
    if !ENTITIES.contains(&form.entity.as_str()) {
        return Err(Fail::BadForm);
    }
    // The note is kept (minus anything the write guard refuses); the value never comes back.
    let note = crate::refusal::shown(&form.note);
    let refused = |errors| async {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        render(&state, &f.staff, None, errors, note.clone(), status).await
    };
    let mut errors = crate::refusal::FieldErrors::default();
    for (field, text) in [("value", &form.value), ("note", &form.note)] {
        if crate::refusal::refused(text) {
            errors.push(field, super::customers::notes::card_message(tr, text));
        }
    }
    if !errors.is_empty() {
        crate::refusal::audit(&state, &f.staff.caller, None, &errors).await?;
        return refused(errors).await;
    }
    match state
        .vault
        .fraud_list_add(
            &f.staff.caller,
            &form.list,
            &form.entity,
            &form.value,
            &form.note,
        )
        .await
    {
        Ok(_) => Ok(see_other("/console/fraud/lists?done=added")),
        Err(CoreError::CardNumber) => {
            let mut errors = crate::refusal::FieldErrors::default();
            errors.push("value", tr.t(M::VCardNumber).to_string());
            refused(errors).await
        }
        Err(CoreError::Invalid(fields)) => {
            let mut errors = crate::refusal::FieldErrors::default();
            for x in &fields {
                let field = if x.field == "note" { "note" } else { "value" };
                errors.push(field, super::i18n::validation(tr, x.code, &x.field));
            }
            refused(errors).await
        }
        Err(e) => Err(Fail::from(e)),
    }
}

/// `POST /console/fraud/lists/remove`: removes an entry by its key.
pub async fn remove(
    State(state): State<Arc<AppState>>,
    f: StaffForm<RemoveForm>,
) -> Result<Response, Fail> {
    f.staff.require_agreement()?;
    if !f.form.key.starts_with("k:") {
        return Err(Fail::BadForm);
    }
    let removed = state
        .vault
        .fraud_list_remove(&f.staff.caller, &f.form.list, &f.form.entity, &f.form.key)
        .await
        .map_err(Fail::from)?;
    if removed {
        Ok(see_other("/console/fraud/lists?done=removed"))
    } else {
        Err(Fail::NotFound)
    }
}
