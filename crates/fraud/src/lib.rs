//! Transaction fraud scoring for Jaga: what a small shop's payments look like over time, and
//! which of them a person should look at before the goods leave.
//!
//! # Overview
//!
//! - [`event`]: the event model (payments, orders, refunds, chargebacks, logins, sign-ups) and
//!   its parser, with clear errors that never echo a value.
//! - [`keys`]: e-mail, phone, IP, card fingerprint … become keyed 64-bit pseudonyms before
//!   anything is kept.
//! - [`features`]: windowed counts, sums and distinct counts per card, e-mail, customer,
//!   device, IP, address, BIN and promo code (10 min to 30 days), customer history, country
//!   mismatches, disposable e-mail domains; all computed as of each event's own time, so a
//!   replay gives what the server saw. [`names`] is the catalogue rules can use.
//! - [`rules`]: TOML files of CEL expressions, loaded with file and line errors; the shipped
//!   defaults ([`RuleSet::defaults`]) are documented rule by rule.
//! - [`engine`]: allow lists, block rules, review rules and a score, in Stripe Radar's order.
//! - [`backtest`]: precision, recall, false-positive rate, per-rule hits and the difference
//!   between two rule sets on labelled history.
//! - [`gateway`]: Midtrans, Stripe and Xendit notifications, verified as each gateway
//!   documents (constant-time), read into events.
//! - [`simulate`]: seeded generators of labelled synthetic streams.
//!
//! The crate does no I/O: callers hand it text and events.
//!
//! ```
//! use jaga_fraud::{Engine, RandomKeyer, RuleSet, parse_event};
//! use std::sync::Arc;
//! let mut engine = Engine::new(Arc::new(RuleSet::defaults()), Arc::new(RandomKeyer::new()),
//!     jaga_i18n::Lang::En);
//! let ev = parse_event(r#"{"id":"e1","ts":"2026-05-01T10:00:00+07:00","type":"order","amount":14500000,"currency":"IDR"}"#).unwrap();
//! assert_eq!(engine.score(&ev).decision, jaga_fraud::Decision::Allow);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod backtest;
mod compiled;
mod customer;
pub mod engine;
pub mod event;
pub mod features;
pub mod gateway;
pub mod keys;
pub mod lists;
pub mod names;
pub mod rules;
mod scan;
pub mod simulate;
mod window;
#[cfg(test)]
mod window_tests;

pub use engine::{Decision, Engine, Outcome, Reason, RuleFailure};
pub use event::{Event, EventError, EventType, parse_event, parse_label};
pub use keys::{Entity, EventKeys, Keyer, RandomKeyer};
pub use lists::{ListKind, Lists};
pub use rules::{Action, Rule, RuleError, RuleSet};
