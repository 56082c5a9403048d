//! PII detection and redaction for the text a small Indonesian online shop handles: CS notes,
//! WhatsApp-style chats, e-mails, order exports.
//!
//! # Overview
//!
//! - [`detect`] / [`detect_field`] find personal data and return [`Finding`]s: the
//!   [`EntityKind`] (`CREDIT_CARD`, `NIK`, `PHONE` …), UTF-8 byte offsets, a score and the
//!   [`Evidence`] (validator and context word) that confirmed it.
//! - [`redact`] / [`redact_field`] apply a [`Policy`] — one [`Operator`] per kind (mask,
//!   replace, keyed hash, tokenize through a caller-supplied [`Tokenizer`], drop). Card numbers
//!   and CVVs are always dropped, whatever the policy says.
//! - [`redact_stream`] redacts `text`, `csv`, `jsonl` or `eml` input from any
//!   [`std::io::BufRead`] to any [`std::io::Write`] in bounded memory and returns per-kind
//!   counts ([`Stats`]), never values.
//! - [`card`] is the fail-closed card-number guard used by the vault's write path; every
//!   detection, and so every redaction path, also reports the card numbers it reads.
//! - `corpus` (feature `corpus`, off by default) is evaluation tooling: a seeded generator of
//!   labelled text and a scorer.
//!
//! The crate does no I/O of its own besides the reader and writer it is given.
//!
//! ```
//! use jaga_redact::{redact, Policy};
//! let out = redact("NIK 3174051204900003, kartu 4111 1111 1111 1111", &Policy::default()).unwrap();
//! assert_eq!(out.text, "NIK [NIK], kartu ");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod card;
#[cfg(feature = "corpus")]
pub mod corpus;
mod detect;
mod error;
mod guard;
mod kind;
mod operators;
mod policy;
pub mod stream;
pub mod validate;

pub use detect::{MIN_REPORTED_SCORE, detect, detect_field};
pub use error::RedactError;
pub use kind::{EntityKind, Evidence, Finding, UnknownKind, Validator};
pub use operators::{Redacted, apply, redact, redact_field};
pub use policy::{HashKey, Operator, Policy, PolicySpec, TokenizeError, Tokenizer};
pub use stream::{Format, Stats, StreamOptions, redact_stream, redact_stream_with};
