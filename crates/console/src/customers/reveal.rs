//! Revealing chosen fields of a customer for a stated purpose, after a fresh step-up.

use super::{Extras, RevealDraft, data_fail, parse_id, render_customer};
use crate::i18n::M;
use crate::refusal::{self, FieldErrors};
use crate::session::{StaffForm, client_info};
use crate::session_flows::{maybe_with_session, step_up_if_asked, stepup_page};
use crate::web::{Ctx, Fail};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::model::Field;
use jaga_core::purpose::{self, PurposeProblem, StatedPurpose};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;

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

/// The customer page again with the reveal form as the member left it (ticked fields, reason,
/// the detail minus anything the write guard refused) and `errors` at their fields (422).
async fn reveal_refused(
    state: &Arc<AppState>,
    staff: &crate::session::StaffPage,
    id: uuid::Uuid,
    f: &RevealForm,
    errors: FieldErrors,
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
        reveal_errors: errors,
        reveal_draft: RevealDraft {
            fields: f
                .field
                .iter()
                .map(|k| k.chars().take(40).collect())
                .collect(),
            purpose: f.purpose.chars().take(40).collect(),
            detail: refusal::shown(&purpose::clean_detail(&f.purpose_detail)),
        },
        ..Default::default()
    };
    render_customer(state, staff, view, extras, StatusCode::UNPROCESSABLE_ENTITY).await
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
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
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
    let mut errors = FieldErrors::default();
    if fields.is_empty() {
        errors.push("field", tr.t(M::RevealNeedField).to_string());
    }
    let detail = purpose::clean_detail(&f.purpose_detail);
    if refusal::refused(&detail) {
        // Never into the audit log: refused (and the refusal audited) before any reveal.
        state
            .vault
            .refuse_card_number(&staff.caller, Some(id), "purpose")
            .await
            .map_err(data_fail)?;
        errors.push("purpose_detail", super::notes::card_message(tr, &detail));
    }
    match stated {
        Err(PurposeProblem::NoReason) => {
            errors.push("purpose", tr.t(M::RevealNeedPurpose).to_string())
        }
        Err(PurposeProblem::NoDetail) => {
            errors.push("purpose_detail", tr.t(M::RevealNeedDetail).to_string())
        }
        Ok(_) => {}
    }
    let stated = match stated {
        Ok(stated) if errors.is_empty() => stated,
        _ => return reveal_refused(&state, &staff, id, &f, errors).await,
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
    let fresh = staff.caller.staff().is_none_or(|s| s.step_up_fresh());
    if !fresh {
        return Ok(stepup_page(&staff, &action, carry, None));
    }
    let revealer = match state
        .vault
        .revealer(&staff.caller, Some(&purpose_text))
        .await
    {
        Ok(r) => r,
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            return Ok(stepup_page(&staff, &action, carry, None));
        }
        Err(CoreError::CardNumber | CoreError::CardInText { .. }) => {
            // The vault's screening of the purpose refused card data: said at the field.
            let mut errors = FieldErrors::default();
            errors.push("purpose_detail", super::notes::card_message(tr, &detail));
            return reveal_refused(&state, &staff, id, &f, errors).await;
        }
        Err(e) => return Err(data_fail(e)),
    };
    let view = match revealer.get(id, &fields).await {
        Ok(v) => v,
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            return Ok(stepup_page(&staff, &action, carry, None));
        }
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
