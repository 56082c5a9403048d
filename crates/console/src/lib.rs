//! The staff console: server-rendered HTML under `/console`, in Bahasa Indonesia and English.
//!
//! Pages are askama templates (auto-escaped) in `crates/console/templates/`; the CSS and the one
//! small script are embedded ([`assets`]). Every console response carries a strict
//! Content-Security-Policy without inline script or style. Forms post url-encoded with a CSRF
//! token in a hidden field ([`web::Form`]) and follow post/redirect/get. Errors render as a page
//! in the reader's language with the request id, never with internal details.
//!
//! Handlers are thin: they obtain a capability from `jaga-core` for the signed-in staff member
//! and never touch a store.
//!
//! The server's edge (`jaga_server`) owns the state, the request id and the middleware every
//! request passes; [`mount`] gives it the console's routes and [`app`] is the whole application
//! (JSON API + console), what `jaga serve` runs.
//!
//! One module per flow: [`signin`], [`onboarding`], [`session_flows`] (step-up, language),
//! [`customers`] (with its reveal, notes and edit actions), [`people`] (staff admin),
//! [`account`], [`authenticator`], [`activity`], [`audit`], [`reports`], [`security`],
//! [`fraud`] (the review queue), [`payees`] and [`payouts`] (BEC-safe payouts), [`mail`] (the
//! e-mail analyzer's upload page). Every text comes from
//! the one catalogue, `jaga_i18n` ([`i18n`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod account;
pub mod activity;
pub mod assets;
pub mod audit;
pub mod authenticator;
pub mod customers;
pub mod fraud;
pub mod fraud_lists;
pub mod i18n;
pub mod invitations;
pub mod mail;
pub mod onboarding;
pub mod payee_contacts;
pub mod payee_forms;
pub mod payees;
pub mod payouts;
pub mod people;
pub mod policy;
pub mod refusal;
pub mod reports;
pub mod requests;
pub mod security;
pub mod session;
pub mod session_flows;
pub mod signin;
pub mod useragent;
pub mod web;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use i18n::{Lang, M, Tr};
use jaga_server::AppState;
use jaga_server::extract::RequestId;
use std::sync::Arc;
use web::{Ctx, Fail, FailPage};

/// The console's Content-Security-Policy: no inline script or style, nothing from elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The whole application: the server's JSON API and operations endpoints with the console
/// mounted ([`mount`]).
pub fn app(state: Arc<AppState>) -> Router {
    jaga_server::router_with(state.clone(), mount(state))
}

/// The console's routes at the root: `/` and `/console` redirect to the console's index, the
/// pages are nested under `/console/`.
pub fn mount(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(root_redirect))
        // Nested at "/console/" (trailing slash) so that the console's index is "/console/":
        // axum 0.8 maps a nested "/" route to the bare prefix, and "/console/" was a 404.
        .route("/console", get(root_redirect))
        .nest("/console/", router(state))
}

/// The console routes, to be nested under `/console`.
pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    use axum::routing::post;
    Router::new()
        .route("/", get(signin::index))
        .route("/static/{name}", get(assets::serve))
        .route("/login", get(signin::login_form).post(signin::login))
        .route("/login/code", get(signin::code_form).post(signin::code))
        .route(
            "/enrol",
            get(onboarding::enrol_form).post(onboarding::enrol),
        )
        .route(
            "/invite",
            get(onboarding::invite_form).post(onboarding::invite),
        )
        .route(
            "/agreement",
            get(onboarding::agreement_form).post(onboarding::agreement),
        )
        .route("/logout", post(signin::logout))
        .route("/lang", post(session_flows::switch_lang))
        .route(
            "/customers",
            get(customers::search_form).post(customers::search_post),
        )
        .route("/customers/{id}", get(customers::show))
        .route("/customers/{id}/reveal", post(customers::reveal::reveal))
        .route("/customers/{id}/export", post(customers::export::export))
        .route("/customers/{id}/notes", post(customers::notes::add_note))
        .route(
            "/customers/{id}/edit",
            get(customers::edit::edit_form).post(customers::edit::edit),
        )
        .route(
            "/customers/{id}/erase",
            get(customers::erase::erase_form).post(customers::erase::erase),
        )
        .route(
            "/customers/{id}/segment",
            get(customers::segment::move_form).post(customers::segment::move_customer),
        )
        .route("/staff", get(people::list))
        .route("/staff/invite", post(people::invite))
        .route("/staff/shop", post(invitations::save_shop))
        .route("/staff/invitations/{id}/cancel", post(invitations::cancel))
        .route("/staff/invitations/{id}/resend", post(invitations::resend))
        .route("/staff/{id}/role", post(people::set_role))
        .route("/staff/{id}/{what}", post(people::set_disabled))
        .route("/account", get(account::account))
        .route("/account/password", post(account::change_password))
        .route("/account/recovery", post(account::regenerate_recovery))
        .route("/account/sessions/{handle}/end", post(account::end_session))
        .route("/account/sessions/others", post(authenticator::end_others))
        .route("/account/totp", post(authenticator::start))
        .route("/account/totp/confirm", post(authenticator::confirm))
        .route("/activity", get(activity::activity))
        .route("/audit", get(audit::page))
        .route("/audit/verify", post(audit::verify))
        .route("/audit/checkpoint", get(audit::checkpoint))
        .route("/audit/reports", get(reports::page))
        .route("/audit/reports/letter", get(reports::letter))
        .route("/policy", get(policy::page))
        .route("/requests", get(requests::page).post(requests::record))
        .route("/requests/{id}/close", post(requests::close))
        .route("/fraud", get(fraud::page))
        .route("/fraud/{id}/decide", post(fraud::decide))
        .route("/fraud/case/{id}", get(fraud::case))
        .route("/fraud/lists", get(fraud_lists::page))
        .route("/fraud/lists/add", post(fraud_lists::add))
        .route("/fraud/lists/remove", post(fraud_lists::remove))
        .route("/payees", get(payees::list).post(payees::create))
        .route("/payees/{id}", get(payees::show))
        .route("/payees/{id}/bank", post(payees::change))
        .route("/payees/{id}/bank/{version}/verify", post(payees::verify))
        .route("/payees/{id}/contacts", post(payee_contacts::change))
        .route(
            "/payees/{id}/contacts/{version}/verify",
            post(payee_contacts::verify),
        )
        .route("/payouts", get(payouts::list).post(payouts::create))
        .route("/payouts/export", post(payouts::export))
        .route("/payouts/{id}", get(payouts::show))
        .route("/payouts/{id}/decide", post(payouts::decide))
        .route("/mail", get(mail::form).post(mail::analyze))
        .route("/security", get(security::page))
        .route("/security/plan", get(security::plan))
        .route("/security/alerts/{id}/ack", post(security::ack))
        .route("/security/alerts/{id}/incident", post(security::open))
        .route("/security/incidents/{id}", get(security::incident))
        .fallback(not_found)
        .layer(middleware::from_fn(layer))
        .with_state(state)
}

async fn not_found() -> Fail {
    Fail::NotFound
}

/// `GET /` → the console.
pub async fn root_redirect() -> Redirect {
    Redirect::to("/console/")
}

/// The frame of every page: language, title, CSRF token, navigation.
pub struct Chrome {
    /// Translator.
    pub tr: Tr,
    /// Page title.
    pub title: String,
    /// The CSRF token forms on this page carry.
    pub csrf: String,
    /// This page's path (the language switch returns here).
    pub here: String,
    /// Navigation for a signed-in staff member.
    pub nav: Option<Nav>,
    /// Which navigation entry is current.
    pub section: &'static str,
    /// Asset version for cache busting.
    pub asset_v: &'static str,
    /// A confirmation shown once after a post/redirect/get.
    pub flash: Option<String>,
    /// A narrow single-column page (sign-in and the like).
    pub narrow: bool,
}

/// Navigation entries a staff member may see.
pub struct Nav {
    /// "Signed in as …".
    pub signed_in_as: String,
    /// Whether the role may search customers.
    pub can_customers: bool,
    /// Whether the role manages staff.
    pub is_admin: bool,
    /// Whether the role reads the audit log (`audit:read`: auditor, admin).
    pub can_audit: bool,
    /// Whether the role works the fraud review queue (`fraud:review`).
    pub can_fraud: bool,
    /// Whether the role reads customer requests (`requests:read`).
    pub can_requests: bool,
    /// Whether the role sees payees and payouts and checks e-mails (`payees:read`).
    pub can_payees: bool,
}

impl Chrome {
    /// A frame for an anonymous page (sign-in, invitation), using the pre-session token.
    pub fn anonymous(ctx: &Ctx, title: M, here: &str) -> Self {
        Self {
            tr: ctx.tr(),
            title: ctx.tr().t(title).to_string(),
            csrf: ctx.pre_token.clone(),
            here: here.to_string(),
            nav: None,
            section: "",
            asset_v: assets::version(),
            flash: None,
            narrow: true,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub c: Chrome,
    pub message: String,
    pub request_id: String,
}

/// Sets the language and request id, renders failures as pages, turns a panic into the friendly
/// error page, and adds the console's headers.
async fn layer(mut req: Request, next: Next) -> Response {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // The reader's choice (the cookie the switcher sets); before any choice, what the browser
    // asks for; Bahasa Indonesia otherwise.
    let lang = web::cookie(req.headers(), web::LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let existing = web::cookie(req.headers(), web::PRE_COOKIE)
        .filter(|t| {
            t.len() == 32
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(String::from);
    let ctx = Ctx {
        lang,
        request_id: request_id.clone(),
        pre_token_new: existing.is_none(),
        pre_token: existing.unwrap_or_else(web::random_token),
    };
    req.extensions_mut().insert(ctx.clone());
    let mut res = match tokio::spawn(next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!("console handler panicked");
            Fail::Internal.into_response()
        }
    };
    if let Some(FailPage(fail)) = res.extensions().get::<FailPage>().cloned() {
        res = error_page(&ctx, &fail);
    } else if res.status() == StatusCode::INTERNAL_SERVER_ERROR
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
    {
        res = error_page(&ctx, &Fail::Internal);
    }
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if ctx.pre_token_new {
        h.append(
            header::SET_COOKIE,
            web::set_cookie(web::PRE_COOKIE, &ctx.pre_token, None),
        );
    }
    res
}

fn error_page(ctx: &Ctx, fail: &Fail) -> Response {
    let (status, msg) = fail.status_and_message();
    let page = ErrorPage {
        c: Chrome {
            narrow: false,
            ..Chrome::anonymous(ctx, M::ErrorTitle, "/console/")
        },
        message: ctx.tr().t(msg).to_string(),
        request_id: ctx.request_id.clone(),
    };
    let mut res = web::html(status, &page);
    res.extensions_mut().remove::<FailPage>();
    if let Fail::TooMany(secs) = fail {
        res.headers_mut()
            .insert(header::RETRY_AFTER, (*secs).into());
    }
    res
}

/// The language cookie (a year; the console has no other stored preference).
pub fn lang_cookie(lang: Lang) -> HeaderValue {
    web::set_cookie(web::LANG_COOKIE, lang.tag(), Some(60 * 60 * 24 * 365))
}
