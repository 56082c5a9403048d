//! The access and portability export from the customer page: for members whose role holds
//! `requests:write` and `customers:reveal` (cs_manager, admin), with a stated purpose and a
//! fresh step-up. The domain step is `Exporter::export` (audited `customer.export`); the file
//! is the response to the post (an attachment, `no-store`), never a URL that could be reloaded.

use super::{Extras, data_fail, parse_id, render_customer};
use crate::i18n::M;
use crate::session::{StaffForm, StaffPage, client_info};
use crate::session_flows::{maybe_with_session, step_up_if_asked, stepup_page};
use crate::web::{Ctx, Fail};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::export::{ExportFormat, render};
use jaga_i18n::Lang;
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

/// The fields of the export form.
#[derive(Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    stepup_code: Option<String>,
}

/// Whether the page offers the export to this member.
pub(crate) fn may_export(staff: &StaffPage) -> bool {
    staff.caller.has(Scope::RequestsWrite) && staff.caller.has(Scope::CustomersReveal)
}

/// The customer page again with `error` at the export's purpose and the typed purpose kept,
/// minus anything the write guard refused (422).
async fn with_error(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
    error: String,
    typed: &str,
) -> Result<Response, Fail> {
    let view = state
        .vault
        .reader(&staff.caller)
        .await
        .map_err(data_fail)?
        .get(id)
        .await
        .map_err(data_fail)?;
    let mut export_errors = crate::refusal::FieldErrors::default();
    export_errors.push("purpose", error);
    let extras = Extras {
        export_errors,
        export_draft: crate::refusal::shown(typed),
        ..Default::default()
    };
    render_customer(state, staff, view, extras, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /console/customers/{id}/export`: the export as an attachment, after a fresh step-up.
pub async fn export(
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
    let StaffForm { staff, form, .. } = StaffForm::<ExportForm>::from_request(req, &state).await?;
    staff.require_agreement()?;
    let id = parse_id(&id)?;
    if !may_export(&staff) {
        // Audited refusal: the vault records the attempt.
        let _ = state.vault.exporter(&staff.caller, Some("console")).await;
        return Err(Fail::Forbidden);
    }
    let tr = staff.tr();
    let format = ExportFormat::parse(&form.format).unwrap_or(ExportFormat::Html);
    let lang = Lang::parse(&form.lang).unwrap_or(Lang::Id);
    let purpose: String = form.purpose.trim().chars().take(200).collect();
    if crate::refusal::refused(&purpose) {
        // Never into the audit log as typed: refused (and the refusal audited) before export.
        state
            .vault
            .refuse_card_number(&staff.caller, Some(id), "purpose")
            .await
            .map_err(data_fail)?;
        let message = super::notes::card_message(tr, &purpose);
        return with_error(&state, &staff, id, message, &purpose).await;
    }
    if purpose.chars().count() < 3 {
        let message = tr.t(M::ExportNeedPurpose).into();
        return with_error(&state, &staff, id, message, &purpose).await;
    }
    let action = format!("/console/customers/{id}/export");
    let carry = vec![
        ("purpose".to_string(), purpose.clone()),
        ("format".to_string(), format.as_str().to_string()),
        (
            "lang".to_string(),
            match lang {
                Lang::Id => "id",
                Lang::En => "en",
            }
            .to_string(),
        ),
        ("code".to_string(), form.code.chars().take(24).collect()),
    ];
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    if !staff.caller.staff().is_none_or(|s| s.step_up_fresh()) {
        return Ok(stepup_page(&staff, &action, carry, None));
    }
    let exporter = match state.vault.exporter(&staff.caller, Some(&purpose)).await {
        Ok(x) => x,
        Err(CoreError::Forbidden(jaga_core::ForbiddenReason::StepUp)) => {
            return Ok(stepup_page(&staff, &action, carry, None));
        }
        Err(CoreError::CardNumber | CoreError::CardInText { .. }) => {
            let message = super::notes::card_message(tr, &purpose);
            return with_error(&state, &staff, id, message, &purpose).await;
        }
        Err(CoreError::PurposeRequired) => {
            let message = tr.t(M::ExportNeedPurpose).into();
            return with_error(&state, &staff, id, message, &purpose).await;
        }
        Err(e) => return Err(data_fail(e)),
    };
    let doc = exporter.export(id, format, lang).await.map_err(data_fail)?;
    let shop = state
        .staff
        .shop(&state.config.shop)
        .await
        .map_err(data_fail)?;
    let body = render(&doc, &shop, lang, format);
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-export.{}\"",
        doc.customer.code,
        format.extension()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(maybe_with_session(res, &rotated))
}
