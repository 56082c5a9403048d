//! The e-mail and invoice analyzer: reads one raw message (`.eml`, RFC 5322) and explains, in
//! Bahasa Indonesia or English, what makes it look like business e-mail compromise or phishing.
//!
//! Indicators (see [`Code`]): a sender domain confusable with a known one (Unicode TR39
//! skeletons, punycode, edit distance scaled by length, extra labels, TLD swaps; the known domain
//! itself is never flagged), a display name claiming a known company, a brand or an executive
//! while the address is elsewhere, Reply-To and Return-Path mismatches, SPF/DKIM/DMARC results
//! from the trusted receiving host only, DKIM verified against keys the shop provides, links whose
//! text shows another domain than their target, dangerous attachments (executables, double
//! extensions, macros, HTML forms, archives of scripts, looked into without unpacking more than a
//! small bound), urgency and secrecy language, and requests to pay into new or changed bank
//! details ([`Code::BankDetailsChange`], raised whatever the authentication says: a compromised
//! genuine mailbox passes every check).
//!
//! Each indicator adds points; the sum (0–100) gives the [`Verdict`]. A mail asking for a bank
//! change is never rated below medium.
//!
//! Pure: no I/O, no DNS, no clock. Hostile input is bounded ([`MAX_MESSAGE`], [`MAX_PARTS`],
//! link, text and archive limits) and never panics (fuzzed).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod analyze;
mod attach;
mod auth;
#[cfg(feature = "corpus")]
pub mod corpus;
mod dkim;
pub mod domain;
mod lexicon;
mod links;
mod report;

pub use analyze::{Analyzer, MAX_MESSAGE, MAX_PARTS};
pub use dkim::DkimKey;
#[cfg(feature = "corpus")]
pub use dkim::{ed25519_record, sign_ed25519};
pub use report::{
    BANK_CHANGE_FLOOR, Code, HIGH_FROM, Indicator, IndicatorView, MEDIUM_FROM, Report, ReportView,
    Verdict,
};

/// What the analyzer knows about the shop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Domains of suppliers and partners (the payees' domains by default). Never flagged
    /// themselves; their lookalikes are.
    pub known_domains: Vec<String>,
    /// The shop's own domains: links to them are never mismatches, lookalikes of them are flagged.
    pub own_domains: Vec<String>,
    /// Company and people names the shop knows, with the domains they write from (a display name
    /// claiming one of them from elsewhere is impersonation).
    pub known_names: Vec<(String, Vec<String>)>,
    /// `authserv-id`s of the shop's receiving hosts: only their `Authentication-Results` count.
    pub trusted_authserv: Vec<String>,
    /// DKIM public keys to verify signatures with (no DNS is asked).
    pub dkim_keys: Vec<DkimKey>,
}

/// Why a message could not be analysed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    /// Nothing was given.
    #[error("the message is empty")]
    Empty,
    /// Larger than the analyzer reads.
    #[error("the message is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// No header could be read: not an e-mail.
    #[error("this is not an e-mail message (no headers could be read)")]
    NotAMessage,
}

/// Analyses one message with a one-off [`Analyzer`] (use an [`Analyzer`] for many).
pub fn analyze(raw: &[u8], ctx: &Context) -> Result<Report, MailError> {
    Analyzer::new(ctx).analyze(raw)
}

/// The sender's address (the first `From` address, lower-cased), if the message has one: what
/// a caller matches against its payees' contacts. Bounded like [`analyze`].
pub fn sender_address(raw: &[u8]) -> Option<String> {
    if raw.is_empty() || raw.len() > MAX_MESSAGE {
        return None;
    }
    let msg = mail_parser::MessageParser::default().parse_headers(raw)?;
    let addr = msg.from()?.first()?.address()?.trim().to_lowercase();
    addr.contains('@').then_some(addr)
}

/// Reads a known-domains file: one domain a line; blank lines and `#` comments ignored; an
/// address (`finance@supplier.co.id`) or a URL counts for its domain.
pub fn parse_domain_list(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = l.rsplit('@').next().unwrap_or(l);
            let l = l
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            l.split(['/', ' ', '\t']).next().unwrap_or("").to_string()
        })
        .filter(|l| domain::Host::parse(l).is_some())
        .collect()
}

#[cfg(test)]
mod tests;
