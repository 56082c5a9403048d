//! PII detection and redaction for the text a small shop handles.
//!
//! The first detector is the payment-card detector that guards every write into the vault:
//! [`card::find_card_numbers`] finds Luhn-valid 13–19 digit card numbers written plainly or with
//! single spaces or dashes between digit groups.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod card;
