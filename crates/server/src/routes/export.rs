//! `POST /v1/customers/{id}/export`: the access and portability export (everything held about
//! one customer) as JSON or as a letter, for a data-subject request. Needs `requests:write`
//! and `customers:reveal`, a purpose, and for staff the agreement and a fresh step-up.

use super::parse_id;
use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::GuardedJson;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use jaga_core::export::{ExportFormat, render};
use jaga_i18n::Lang;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Why the export is made.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportInput {
    /// The stated purpose (3–500 characters, e.g. `access request REQ-12`), recorded in the
    /// audit log.
    pub purpose: String,
}

/// How to write the export.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (default), `letter` or `md` (Markdown letter), `html` or `pdf`.
    pub format: Option<String>,
    /// The letter's language: `id` (default) or `en`.
    pub lang: Option<String>,
}

fn bad_query() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        "format must be json, letter, md, html or pdf and lang id or en",
    )
}

/// Everything held about one customer — fields in plain text, orders, consents, tokens,
/// requests, and who accessed their data and why — for an access or portability request.
/// Audited as `customer.export` (field names, format, language and purpose; never values).
#[utoipa::path(post, path = "/v1/customers/{id}/export", tag = "requests", request_body = ExportInput,
    params(("id" = String, Path, description = "customer id (UUID)"), ExportQuery),
    security(("api_key" = ["requests:write", "customers:reveal"])),
    responses((status = 200, body = jaga_core::export::CustomerExport, description = "the JSON document; letters are text/markdown, text/html or application/pdf"),
        (status = 400, body = Problem), (status = 403, body = Problem, description = "missing scope, agreement, step-up, or a role that does not see every field"),
        (status = 404, body = Problem, description = "unknown customer, or one outside the member's segments"),
        (status = 410, body = Problem, description = "the customer was erased"), (status = 422, body = Problem)))]
pub async fn export(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::CustomerExport>,
    Path(id): Path<String>,
    q: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
    GuardedJson(input): GuardedJson<ExportInput>,
) -> ApiResult<impl IntoResponse> {
    let Ok(Query(q)) = q else {
        return Err(bad_query());
    };
    let format = match q.format.as_deref() {
        None => ExportFormat::Json,
        Some(f) => ExportFormat::parse(f).ok_or_else(bad_query)?,
    };
    let lang = match q.lang.as_deref().map(str::trim) {
        None | Some("id") => Lang::Id,
        Some("en") => Lang::En,
        Some(_) => return Err(bad_query()),
    };
    let id = parse_id(&id)?;
    let doc = s
        .vault
        .exporter(&caller, Some(&input.purpose))
        .await?
        .export(id, format, lang)
        .await?;
    let shop = s.staff.shop(&s.config.shop).await?;
    let body = render(&doc, &shop, lang, format);
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-export.{}\"",
                    doc.customer.code,
                    format.extension()
                ),
            ),
        ],
        body,
    ))
}
