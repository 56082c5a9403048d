//! Jaga's domain core: what a customer record is, who may do what with it, and the vault service
//! that encrypts, indexes, masks, reveals and audits.
//!
//! - [`model`]: the request and response shapes of customers and orders, and [`model::Field`].
//! - [`validate`]: normalisation and validation (e-mail, +62 phones in E.164, NIK structure, …).
//! - [`mask`]: the masked views staff and API clients see by default.
//! - [`guard`]: the card-number guard every write passes through (the vault's `screen` applies
//!   the shop's policy on top).
//! - [`auth`]: callers (unforgeable: built only by authentication), scopes and purposes.
//! - [`roles`]: staff roles, their field and order views, and the shop's policies.
//! - [`store`]: the ports a database adapter implements (SQLite and PostgreSQL crates).
//! - [`vault`]: the service: sealed/unsealed state, customers, orders, tokens, API keys and key
//!   rotation (the operator's).
//! - [`audit`]: audit records and actions, the bounds every event is held to, the one refusal
//!   step, proofs, checkpoints, verification, search, and the `audit:read` capability with its
//!   reports ([`report`]).
//! - [`staff`]: staff accounts, passwords, TOTP, sessions, throttling.
//! - [`ids`]: intrusion detection: honeytokens, behaviour rules, containment, alerts, incidents.
//! - [`payouts`]: the rules of BEC-safe payouts (call-back verification of bank-detail changes,
//!   four-eyes approval, bank bulk export of verified details only); the e-mail analyzer is
//!   handed out by [`vault::Vault::mail_analyzer`].
//! - [`CoreError`] and its one classification, [`ErrorClass`].
//!
//! This crate never depends on HTTP or database crates; the server reaches data only through
//! [`vault::Vault`], so no handler can read PII without a permission check and an audit event.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audit;
pub mod auth;
pub mod clock;
mod error;
pub mod export;
pub mod guard;
pub mod ids;
pub mod letter;
pub mod lifecycle;
pub mod mask;
pub mod model;
pub mod notes;
pub mod payouts;
pub mod policy;
pub mod purpose;
pub mod report;
pub mod requests;
pub mod retention;
pub mod roles;
pub mod staff;
pub mod store;
pub mod unseal;
pub mod validate;
pub mod vault;

pub use error::{
    ConflictKind, CoreError, ErrorClass, ErrorKind, ForbiddenReason, InvalidField, UnsealError,
};
/// The e-mail analyzer's types (its context and report), for the edges that show a report.
pub use jaga_mail;

/// Milliseconds since the Unix epoch, UTC: the timestamp unit stored everywhere.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Formats milliseconds since the epoch as RFC 3339 UTC.
pub fn format_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Parses an RFC 3339 time into milliseconds since the epoch, UTC.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod boundary_tests {
    /// The core stays free of HTTP, database, OpenAPI and drawing crates: utoipa only behind the
    /// `openapi` feature, no qrcode, axum or sqlx at all.
    #[test]
    fn the_core_depends_on_no_edge_crate() {
        let manifest = include_str!("../Cargo.toml");
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .and_then(|s| s.split("\n[").next())
            .expect("a [dependencies] table");
        for banned in ["qrcode", "axum", "sqlx", "askama", "hyper", "tower"] {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(banned)),
                "jaga-core depends on {banned}"
            );
        }
        let utoipa = deps
            .lines()
            .find(|l| l.trim_start().starts_with("utoipa"))
            .expect("utoipa, optional");
        assert!(utoipa.contains("optional = true"), "{utoipa}");
    }
}
