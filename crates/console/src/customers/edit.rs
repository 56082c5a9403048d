//! Editing a customer's contact details: current values are never shown (placeholders show
//! masks); empty inputs leave a value as it is.

use super::{data_fail, parse_id};
use crate::Chrome;
use crate::i18n::{M, Tr, validation};
use crate::session::{StaffForm, StaffPage};
use crate::web::{Fail, html, see_other};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::model::{Address, CustomerPatch, CustomerView};
use jaga_core::notes::refused_draft;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

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
        } else if refused(value) {
            errs.push((name.into(), super::notes::card_message(tr, value)));
        } else if value.chars().any(|c| c.is_control() && c != '\t') {
            errs.push((name.into(), tr.t(M::VInvalidCharacters).into()));
        }
    }
    if !errs.is_empty() {
        return Ok(edit_page(
            &staff,
            &v,
            &kept(&form),
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
        // The vault's guard refused card data the pre-check did not see: shown at its input.
        Err(CoreError::CardNumber) | Err(CoreError::CardInText { .. }) => {
            let name = writer_refusal_field(&form).unwrap_or("full_name");
            let msg = tr.t(M::VCardNumber).to_string();
            Ok(edit_page(
                &staff,
                &v,
                &kept(&form),
                vec![(name.into(), msg)],
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(data_fail(e)),
    }
}

/// Whether the write guard refuses `value` (a card number, or a CVV named as such).
fn refused(value: &str) -> bool {
    jaga_redact::card::contains_card_number(value) || jaga_core::guard::check_note(value).is_err()
}

/// The first input the guard would refuse.
fn writer_refusal_field(f: &EditForm) -> Option<&'static str> {
    [
        ("full_name", &f.full_name),
        ("email", &f.email),
        ("phone", &f.phone),
        ("street", &f.street),
        ("city", &f.city),
        ("province", &f.province),
        ("postal_code", &f.postal_code),
    ]
    .into_iter()
    .find(|(_, v)| refused(v))
    .map(|(n, _)| n)
}

/// The form as typed, minus what was refused (card numbers and CVVs masked) and control
/// characters, to show back.
fn kept(f: &EditForm) -> EditForm {
    let k = |s: &str| {
        refused_draft(s)
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect::<String>()
    };
    EditForm {
        full_name: k(&f.full_name),
        email: k(&f.email),
        phone: k(&f.phone),
        street: k(&f.street),
        city: k(&f.city),
        province: k(&f.province),
        postal_code: k(&f.postal_code),
    }
}
