//! Changing a payee's contacts in the console (issue 14): the request form and the call-back
//! that verifies it, made by another finance or admin member to the number **already on file**
//! (the old one) with a fresh step-up. Shown on the payee's page; thin: the rules, the notice
//! to the old e-mail address and the audit are `Vault::payees`'s. The call-back handler
//! (`call_back`) serves the bank-details verification too.

use super::i18n::{M, Tr};
use super::payee_forms::{CallForm, ContactForm, PayeeForms};
use super::payees::{bank_status, may_read, parse_id, refusal, show_page, stepped};
use super::session::StaffForm;
use super::session_flows::{maybe_with_session, stepup_page};
use super::web::{Fail, see_other};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::vault::{CallInput, ContactInput, PayeeView};
use jaga_server::AppState;
use std::sync::Arc;

/// One contact version as the page shows it.
pub struct ContactRow {
    /// Version (1: the first contacts).
    pub version: u32,
    /// Phone number.
    pub phone: String,
    /// E-mail address, or empty.
    pub email: String,
    /// Contact person, or empty.
    pub person: String,
    /// Status code (for the page's class).
    pub status: String,
    /// Status in the reader's language.
    pub status_text: String,
    /// Who asked for it and when.
    pub requested: String,
    /// The call record, or empty.
    pub call: String,
}

/// The requested contact changes, newest first.
pub fn rows(tr: Tr, state: &AppState, p: &PayeeView) -> Vec<ContactRow> {
    let zone = &state.config.shop.zone;
    p.contact_changes
        .iter()
        .rev()
        .map(|c| ContactRow {
            version: c.version,
            phone: c.phone.clone(),
            email: c.email.clone().unwrap_or_default(),
            person: c.contact_name.clone().unwrap_or_default(),
            status: c.status.clone(),
            status_text: bank_status(tr, &c.status),
            requested: format!("{} · {}", c.requested_by, zone.datetime_ms(c.requested_at)),
            call: c.call.as_ref().map_or_else(String::new, |k| {
                tr.f(
                    M::PayeeCallRecord,
                    &[
                        ("by", &k.by),
                        ("number", &k.number_called),
                        ("when", &zone.datetime_ms(k.at)),
                        ("confirmed", &k.confirmed),
                        ("reference", &k.reference),
                    ],
                )
            }),
        })
        .collect()
}

/// `POST /console/payees/{id}/contacts`: requests new contacts (pending until a call-back to
/// the number on file).
pub async fn change(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<ContactForm>,
) -> Result<Response, Fail> {
    let StaffForm {
        staff, mut form, ..
    } = f;
    may_read(&staff)?;
    let id = parse_id(&id)?;
    if form.screen(staff.tr()) {
        crate::refusal::audit(&state, &staff.caller, None, &form.errors).await?;
        let forms = PayeeForms {
            contact: form.masked(),
            ..Default::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show_page(&state, &staff, id, forms, vec![], status, None).await;
    }
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let input = ContactInput {
        phone: form.phone.clone(),
        email: opt(&form.email),
        contact_name: opt(&form.contact_name),
    };
    match state
        .vault
        .payees(&staff.caller)?
        .request_contact_change(id, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/console/payees/{id}?done=contact"))),
        Err(e) => match refusal(staff.tr(), &e) {
            Some((status, errors)) => {
                let forms = PayeeForms {
                    contact: form.masked(),
                    ..Default::default()
                };
                show_page(&state, &staff, id, forms, errors, status, None).await
            }
            None => Err(Fail::from(e)),
        },
    }
}

/// `POST /console/payees/{id}/contacts/{version}/verify`: the call-back (to the number on
/// file, the old one) that verifies or rejects a contact change; needs a fresh step-up.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    Path((id, version)): Path<(String, String)>,
    req: Request,
) -> Result<Response, Fail> {
    call_back(&state, &id, &version, req, CallBack::Contacts).await
}

/// What a call-back verifies: a bank-details version or a contact change.
#[derive(Clone, Copy)]
pub(crate) enum CallBack {
    /// `…/bank/{version}/verify`.
    Bank,
    /// `…/contacts/{version}/verify`.
    Contacts,
}

impl CallBack {
    fn segment(self) -> &'static str {
        match self {
            CallBack::Bank => "bank",
            CallBack::Contacts => "contacts",
        }
    }

    /// The page's forms with `form` in this call-back's place.
    fn forms(self, form: CallForm) -> PayeeForms {
        match self {
            CallBack::Bank => PayeeForms {
                call: form,
                ..Default::default()
            },
            CallBack::Contacts => PayeeForms {
                contact_call: form,
                ..Default::default()
            },
        }
    }
}

/// The call-back form of either kind: step-up, screening of the typed texts, the vault's
/// verification (which checks the number called against the one on file), the page again with
/// the errors at their fields.
pub(crate) async fn call_back(
    state: &Arc<AppState>,
    id: &str,
    version: &str,
    req: Request,
    kind: CallBack,
) -> Result<Response, Fail> {
    let id = parse_id(id)?;
    let version: u32 = version.parse().map_err(|_| Fail::NotFound)?;
    let action = format!("/console/payees/{id}/{}/{version}/verify", kind.segment());
    let mut s = match stepped::<CallForm>(state, req, &action).await? {
        Ok(s) => s,
        Err(prompt) => return Ok(prompt),
    };
    may_read(&s.staff)?;
    let approved = match s.form.decision.as_str() {
        "verify" => true,
        "reject" => false,
        _ => return Err(Fail::BadForm),
    };
    if s.form.screen(s.staff.tr()) {
        crate::refusal::audit(state, &s.staff.caller, None, &s.form.errors).await?;
        let forms = kind.forms(s.form.masked());
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let res = show_page(state, &s.staff, id, forms, vec![], status, None).await?;
        return Ok(maybe_with_session(res, &s.rotated));
    }
    let input = CallInput {
        number_called: s.form.number_called.clone(),
        confirmed: s.form.confirmed.clone(),
        reference: s.form.reference.clone(),
        approved,
    };
    let payees = state.vault.payees(&s.staff.caller)?;
    let done = match kind {
        CallBack::Bank => payees.verify(id, version, &input).await.map(drop),
        CallBack::Contacts => payees
            .verify_contact_change(id, version, &input)
            .await
            .map(drop),
    };
    let res = match done {
        Ok(()) => see_other(&format!("/console/payees/{id}?done=call")),
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            stepup_page(&s.staff, &action, s.carry, None)
        }
        Err(e) => match refusal(s.staff.tr(), &e) {
            Some((status, errors)) => {
                let forms = kind.forms(s.form.masked());
                show_page(state, &s.staff, id, forms, errors, status, None).await?
            }
            None => return Err(Fail::from(e)),
        },
    };
    Ok(maybe_with_session(res, &s.rotated))
}
