//! The OpenAPI 3.1 document, generated from the handlers and types.

use crate::routes::{
    audit, auth, customers, events, export, fraud, mail, orders, payees, redact, requests, staff,
    sys, tokens, webhooks,
};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Jaga API", description = "Customer-data vault for small online shops: encrypted customer records, masked reads, purpose-bound reveals, crypto-shredding erasure, purchase history. Every access is audited. Errors are RFC 9457 problem details with a stable `code`."),
    paths(customers::create, customers::lookup, customers::get, customers::update, customers::erase, customers::move_segment, orders::create, orders::list, redact::redact, tokens::resolve, mail::analyze, events::score, events::batch, webhooks::receive, fraud::lists, fraud::list_add, fraud::list_remove, fraud::rules_reload, fraud::reviews, fraud::review_decide, fraud::review_case,
          requests::create, requests::list, requests::get_one, requests::close, requests::record_consent, requests::consents, export::export,
          payees::list, payees::create, payees::read, payees::change, payees::verify, payees::contact_change, payees::contact_verify, payees::payouts, payees::create_payout, payees::payout, payees::approve, payees::reject, payees::export,
          sys::healthz, sys::readyz, sys::metrics, sys::seal_status, sys::unseal,
          audit::checkpoint, audit::event, audit::bundle, audit::inclusion, audit::consistency, audit::customer_report, audit::staff_report, audit::review,
          auth::login, auth::second_factor, auth::enrolment, auth::confirm_totp, auth::step_up, auth::logout, auth::logout_others, auth::me, auth::sessions, auth::end_session, auth::change_password, auth::recovery_codes, auth::begin_totp_replacement, auth::finish_totp_replacement, auth::inspect_invitation, auth::accept_invitation, auth::agreement, auth::accept_agreement,
          staff::invite, staff::list, staff::get_one, staff::change_role, staff::disable, staff::enable, staff::end_sessions, staff::reset_mfa),
    modifiers(&Security),
    tags((name = "customers"), (name = "orders"), (name = "redaction"), (name = "mail"), (name = "payees"), (name = "fraud"), (name = "operations"), (name = "audit"), (name = "staff auth"), (name = "staff"), (name = "requests"))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("jaga_<id>_<secret>")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON (what `/openapi.json` serves and `docs/openapi.json` holds).
pub fn json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut s = doc
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    s.push('\n');
    s
}
