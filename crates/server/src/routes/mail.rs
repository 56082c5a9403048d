//! `POST /v1/mail/analyze`: rate one e-mail (`message/rfc822` body) for business e-mail
//! compromise and phishing, with explanations. Nothing is stored; the analysis is audited by
//! verdict, score and indicator codes.

use crate::AppState;
use crate::authorize::{self, Scoped};
use crate::error::{ApiError, ApiResult, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use jaga_i18n::Lang;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Largest message accepted by this route (the API's general body limit is smaller).
pub const MAIL_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// Options (all optional; lists are comma-separated).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyzeQuery {
    /// Language of the explanations: `id` (default) or `en`.
    pub lang: Option<String>,
    /// Known supplier/partner domains to compare the sender with (default: the domains of the
    /// payees' e-mail addresses and the `[mail]` known-domains file; given, they replace both;
    /// send an empty value for none).
    pub known_domains: Option<String>,
    /// The shop's own domains, added to `[mail] own_domains`.
    pub own_domains: Option<String>,
    /// `authserv-id`s whose `Authentication-Results` are believed, added to
    /// `[mail] trusted_authserv`.
    pub trusted_authserv: Option<String>,
}

/// One finding.
#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    /// Stable code, e.g. `LOOKALIKE_DOMAIN`, `BANK_DETAILS_CHANGE`.
    pub code: String,
    /// Explanation in the chosen language.
    pub detail: String,
}

/// The analysis.
#[derive(Serialize, ToSchema)]
pub struct MailAnalysis {
    /// `low`, `medium` or `high`.
    pub verdict: String,
    /// 0–100.
    pub score: u8,
    /// Findings, strongest first.
    pub indicators: Vec<IndicatorOut>,
    /// The mail asks to pay into new or changed bank details: verify by calling the number on
    /// file and start a payee verification before paying.
    pub bank_details_change: bool,
    /// The explanation a person reads (the same as the CLI and the console show).
    pub explanation: String,
    /// The payee the sender is (its contact address on file, else the same non-free-mail
    /// domain), with the console page where its bank-details change is requested and verified
    /// by a call-back; absent when the sender matches no payee.
    pub payee: Option<MailPayee>,
}

/// The payee a mail's sender matches.
#[derive(Serialize, ToSchema)]
pub struct MailPayee {
    /// The payee's id (`GET /v1/payees/{id}`).
    pub id: String,
    /// The payee's name.
    pub name: String,
    /// `email` (the sender is the contact address on file) or `domain`.
    pub matched_by: String,
    /// Console path (relative to the server's public URL) of the payee's page at its
    /// bank-details change form, where the change is requested and then verified by calling the
    /// number on file.
    pub verify_path: String,
}

fn list(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// Analyses one e-mail. Send the raw message (RFC 5322, as saved to an `.eml` file) as the body
/// with `Content-Type: message/rfc822`. Needs `payees:read`.
#[utoipa::path(post, path = "/v1/mail/analyze", tag = "mail", params(AnalyzeQuery),
    request_body(content = String, content_type = "message/rfc822", description = "The raw message"),
    security(("api_key" = ["payees:read"])),
    responses((status = 200, body = MailAnalysis), (status = 400, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn analyze(
    State(s): State<Arc<AppState>>,
    Scoped(caller, _): Scoped<authorize::MailAnalyze>,
    query: Result<Query<AnalyzeQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<MailAnalysis>> {
    let Query(q) = query.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "the query parameters could not be read",
        )
    })?;
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if !matches!(
        ctype.as_deref(),
        Some("message/rfc822" | "application/octet-stream" | "text/plain")
    ) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the raw e-mail with Content-Type: message/rfc822",
        ));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the message must be at most {MAIL_BODY_LIMIT} bytes"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "the body could not be read",
            )
        }
    })?;
    let lang = match q.lang.as_deref() {
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default(),
        Some(l) => Lang::parse(l).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_lang",
                "lang must be id or en",
            )
        })?,
    };
    let analyzer = s.vault.mail_analyzer(&caller).await?;
    // Known domains default to the payees' e-mail domains and `[mail]`'s; the shop's own
    // domains, trusted hosts and DKIM keys come from `[mail]`, the query adds to them.
    let mut ctx = analyzer
        .context(q.known_domains.is_some().then(|| list(&q.known_domains)))
        .await?;
    for d in list(&q.own_domains) {
        if !ctx.own_domains.contains(&d) {
            ctx.own_domains.push(d);
        }
    }
    for h in list(&q.trusted_authserv) {
        if !ctx.trusted_authserv.contains(&h) {
            ctx.trusted_authserv.push(h);
        }
    }
    let report = analyzer.analyze(&body, &ctx).await?;
    let payee = analyzer.sender_payee(&body).await?.map(|p| MailPayee {
        verify_path: format!("/console/payees/{}#payee-change", p.id),
        id: p.id,
        name: p.name,
        matched_by: p.matched_by.to_string(),
    });
    let view = report.view(lang);
    Ok(Json(MailAnalysis {
        verdict: view.verdict.as_str().to_string(),
        score: view.score,
        indicators: view
            .indicators
            .into_iter()
            .map(|i| IndicatorOut {
                code: i.code.to_string(),
                detail: i.detail,
            })
            .collect(),
        bank_details_change: report.bank_details_change(),
        explanation: report.explain(lang),
        payee,
    }))
}
