//! Erasing a customer from the console (UU PDP requests arrive by WhatsApp, not curl): for
//! roles with `customers:erase` (admin), after typing the customer's code to confirm and a
//! fresh step-up. The domain step is `Eraser::erase` (the customer's key is destroyed; the
//! record then answers "erased"); it is audited as `customer.erase`.

use super::{data_fail, parse_id};
use crate::Chrome;
use crate::i18n::M;
use crate::session::{StaffForm, StaffPage, client_info};
use crate::session_flows::{maybe_with_session, step_up_if_asked, stepup_page};
use crate::web::{Ctx, Fail, html, see_other};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(askama::Template)]
#[template(path = "erase.html")]
struct ErasePage {
    c: Chrome,
    id: Uuid,
    type_code: String,
    typed: String,
    error: Option<String>,
}

/// The fields of `EraseForm`.
#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    confirm_code: String,
    #[serde(default)]
    stepup_code: Option<String>,
}

fn may_erase(staff: &StaffPage) -> Result<(), Fail> {
    if staff.caller.has(Scope::CustomersErase) {
        Ok(())
    } else {
        Err(Fail::Forbidden)
    }
}

fn page(staff: &StaffPage, id: Uuid, code: &str, typed: &str, error: Option<String>) -> Response {
    let tr = staff.tr();
    let here = format!("/console/customers/{id}/erase");
    html(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ErasePage {
            c: staff.chrome(tr.f(M::EraseTitle, &[("code", code)]), "customers", &here),
            id,
            type_code: tr.f(M::EraseTypeCode, &[("code", code)]),
            typed: crate::refusal::shown(&typed.chars().take(40).collect::<String>()),
            error,
        },
    )
}

/// The customer's code (a masked, audited read: the page names whom it erases).
async fn code_of(state: &Arc<AppState>, staff: &StaffPage, id: Uuid) -> Result<String, Fail> {
    Ok(state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)?
        .code)
}

/// `GET /console/customers/{id}/erase`: what erasing means, and the confirmation form.
pub async fn erase_form(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
) -> Result<Response, Fail> {
    staff.require_agreement()?;
    may_erase(&staff)?;
    let id = parse_id(&id)?;
    let code = code_of(&state, &staff, id).await?;
    Ok(page(&staff, id, &code, "", None))
}

/// Whether `typed` is the customer's code (case and surrounding spaces do not matter).
fn same_code(typed: &str, code: &str) -> bool {
    typed.trim().eq_ignore_ascii_case(code)
}

/// `POST /console/customers/{id}/erase`: erases once the code is typed and a fresh code from
/// the authenticator is given.
pub async fn erase(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, .. } = StaffForm::<EraseForm>::from_request(req, &state).await?;
    staff.require_agreement()?;
    may_erase(&staff)?;
    let id = parse_id(&id)?;
    let tr = staff.tr();
    let code = code_of(&state, &staff, id).await?;
    if !same_code(&form.confirm_code, &code) {
        let e = tr.f(M::EraseCodeMismatch, &[("code", &code)]);
        return Ok(page(&staff, id, &code, &form.confirm_code, Some(e)));
    }
    let action = format!("/console/customers/{id}/erase");
    // Only the typed code is carried through the step-up prompt.
    let carry = vec![("confirm_code".to_string(), code.clone())];
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    let eraser = state.vault.eraser(&staff.caller).await.map_err(data_fail)?;
    match eraser.erase(id).await {
        Ok(()) => Ok(maybe_with_session(
            see_other(&format!("/console/customers?erased={code}")),
            &rotated,
        )),
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, &action, carry, None))
        }
        Err(e) => Err(data_fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::same_code;

    #[test]
    fn the_typed_code_is_compared_without_case() {
        assert!(same_code(" jg-7k3q-9xm2-p ", "JG-7K3Q-9XM2-P"));
        assert!(!same_code("JG-7K3Q-9XM2", "JG-7K3Q-9XM2-P"));
        assert!(!same_code("", "JG-7K3Q-9XM2-P"));
    }
}
