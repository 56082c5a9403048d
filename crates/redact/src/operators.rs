//! Applying a policy's operators to findings.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::error::RedactError;
use crate::kind::{EntityKind as K, Finding};
use crate::policy::{Operator, Policy};

/// Redacted text plus the findings that were redacted (offsets into the *input* text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Redacted {
    /// The text with every finding replaced by its operator's output.
    pub text: String,
    /// The findings that were redacted (score at or above the policy's minimum), sorted.
    pub findings: Vec<Finding>,
}

/// Detects and redacts `text` under `policy`.
///
/// ```
/// use jaga_redact::{redact, EntityKind, Operator, Policy};
/// let p = Policy::default().with(EntityKind::Phone, Operator::Replace);
/// let r = redact("WA 0812-3456-7890 ya", &p).unwrap();
/// assert_eq!(r.text, "WA [PHONE] ya");
/// assert_eq!((r.findings[0].start, r.findings[0].end), (3, 17));
/// ```
pub fn redact(text: &str, policy: &Policy) -> Result<Redacted, RedactError> {
    finish(text, crate::detect(text), policy)
}

/// Like [`redact`] for the value of a named field (see [`crate::detect_field`]).
pub fn redact_field(text: &str, field: &str, policy: &Policy) -> Result<Redacted, RedactError> {
    finish(text, crate::detect_field(text, field), policy)
}

fn finish(
    text: &str,
    mut findings: Vec<Finding>,
    policy: &Policy,
) -> Result<Redacted, RedactError> {
    findings.retain(|f| f.score >= policy.min_score());
    let text = apply(text, &findings, policy)?;
    Ok(Redacted { text, findings })
}

/// Applies `policy` to `findings` (sorted, non-overlapping, on char boundaries — as returned by
/// [`crate::detect`]) in `text`. Findings that are out of range, overlap an earlier one or do not
/// fall on character boundaries are skipped rather than trusted.
///
/// The result never holds a card number the detector or the write guard
/// ([`crate::card::find_card_numbers`]) can see: replacing a value changes its neighbours, and
/// digits left on either side may then read as a card that no window of the input did (a long
/// run of digit groups, a value glued to a run by punctuation). Such cards are redacted too,
/// pass after pass, until neither finds one in the output.
pub fn apply(text: &str, findings: &[Finding], policy: &Policy) -> Result<String, RedactError> {
    let out = apply_once(text, findings, policy)?;
    seal_cards(out, policy)
}

/// Redacts every card number [`crate::detect`] (which includes the guard's) finds in `text`,
/// whatever its score, until none is left. Each pass uses the policy's operator for cards
/// (always drop), so every pass removes at least 13 digits and the loop ends.
fn seal_cards(mut text: String, policy: &Policy) -> Result<String, RedactError> {
    loop {
        // The detector reads ASCII digits only and a card has at least 13: below that only the
        // guard (digits of any script, cheap) needs to look. Above it, the whole detection
        // decides, unless neither the guard nor the detector's digit runs
        // ([`crate::detect::card_runs`]) can see a card: then it would find none.
        let ascii_digits = text.bytes().filter(u8::is_ascii_digit).count();
        let cards: Vec<Finding> = if ascii_digits < 13 {
            let mut cards = Vec::new();
            crate::guard::add_cards(&text, &mut cards);
            cards
        } else if crate::detect::card_runs::may_type_card(text.as_bytes())
            || crate::card::contains_card_number(&text)
        {
            crate::detect(&text)
                .into_iter()
                .filter(|f| f.kind == K::CreditCard)
                .collect()
        } else {
            Vec::new()
        };
        if cards.is_empty() {
            return Ok(text);
        }
        let op = match policy.operator(K::CreditCard) {
            Operator::Tokenize => Operator::Replace,
            op => op,
        };
        let card_policy = policy.clone().with(K::CreditCard, op);
        text = apply_once(&text, &cards, &card_policy)?;
    }
}

fn apply_once(text: &str, findings: &[Finding], policy: &Policy) -> Result<String, RedactError> {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in findings {
        if f.start < pos
            || f.end > text.len()
            || f.start >= f.end
            || !text.is_char_boundary(f.start)
            || !text.is_char_boundary(f.end)
        {
            continue;
        }
        out.push_str(&text[pos..f.start]);
        operate(&mut out, f.kind, &text[f.start..f.end], policy)?;
        pos = f.end;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// Kinds whose masked form keeps the last four characters.
fn keeps_last4(kind: K) -> bool {
    matches!(
        kind,
        K::Phone | K::BankAccount | K::Iban | K::Nik | K::Kk | K::Npwp | K::Passport
    )
}

fn operate(out: &mut String, kind: K, value: &str, policy: &Policy) -> Result<(), RedactError> {
    match policy.operator(kind) {
        Operator::Drop => {}
        Operator::Replace => {
            out.push('[');
            out.push_str(kind.as_str());
            out.push(']');
        }
        Operator::Mask => mask(out, kind, value),
        Operator::Hash => {
            let key = policy.hash_key().ok_or(RedactError::MissingHashKey)?;
            let canon = canonical(kind, value);
            // HMAC accepts keys of any length; new_from_slice cannot fail for it.
            let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes())
                .map_err(|_| RedactError::MissingHashKey)?;
            mac.update(kind.as_str().as_bytes());
            mac.update(&[0]);
            mac.update(canon.as_bytes());
            let tag = mac.finalize().into_bytes();
            out.push('[');
            out.push_str(kind.as_str());
            out.push(':');
            // 64 bits as letters a–p: no digit runs that could be re-detected.
            for byte in &tag[..8] {
                out.push(char::from(b'a' + (byte >> 4)));
                out.push(char::from(b'a' + (byte & 0x0f)));
            }
            out.push(']');
        }
        Operator::Tokenize => {
            let t = policy.tokenizer().ok_or(RedactError::MissingTokenizer)?;
            let token = t
                .tokenize(kind, &canonical(kind, value))
                .map_err(|source| RedactError::Tokenizer { kind, source })?;
            out.push_str(&token);
        }
    }
    Ok(())
}

fn mask(out: &mut String, kind: K, value: &str) {
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = if keeps_last4(kind) && alnum > 6 { 4 } else { 0 };
    let mut seen = 0;
    for c in value.chars() {
        if c.is_alphanumeric() {
            seen += 1;
            out.push(if seen > alnum - keep { c } else { '*' });
        } else {
            out.push(c);
        }
    }
}

/// The canonical form that hashing and tokenizing see: digits only for numbers (phones as
/// `62…`), lower-case e-mail, upper-case IBAN/passport without spaces, other text lower-cased
/// with single spaces.
pub(crate) fn canonical(kind: K, value: &str) -> String {
    match kind {
        K::CreditCard | K::Cvv | K::Nik | K::Kk | K::Npwp | K::BankAccount => {
            value.chars().filter(char::is_ascii_digit).collect()
        }
        K::Phone => {
            let d: String = value.chars().filter(char::is_ascii_digit).collect();
            if value.trim_start().starts_with('+') {
                d
            } else if let Some(rest) = d.strip_prefix("00") {
                rest.to_string()
            } else if let Some(rest) = d.strip_prefix('0') {
                format!("62{rest}")
            } else {
                d
            }
        }
        K::Iban | K::Passport => value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        K::Email => value.to_lowercase(),
        _ => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{HashKey, TokenizeError, Tokenizer};
    use std::sync::Arc;

    #[test]
    fn mask_keeps_last_four_where_allowed() {
        let mut s = String::new();
        mask(&mut s, K::Phone, "0812-3456-7890");
        assert_eq!(s, "****-****-7890");
        s.clear();
        mask(&mut s, K::Person, "Budi Santoso");
        assert_eq!(s, "**** *******");
    }

    #[test]
    fn hash_is_keyed_and_canonical() {
        let p = |k: &[u8]| {
            Policy::default()
                .with(K::Phone, Operator::Hash)
                .with_hash_key(HashKey::new(k))
        };
        let a = redact("HP 0812-3456-7890", &p(b"shop-a")).unwrap().text;
        let b = redact("HP +62 812 3456 7890", &p(b"shop-a")).unwrap().text;
        let c = redact("HP 0812-3456-7890", &p(b"shop-b")).unwrap().text;
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with("HP [PHONE:") && !a.chars().any(|c| c.is_ascii_digit()));
        let no_key = Policy::default().with(K::Phone, Operator::Hash);
        assert!(matches!(
            redact("HP 081234567890", &no_key),
            Err(RedactError::MissingHashKey)
        ));
    }

    /// The output check as first written: a whole detection over the text on every pass.
    fn reference_seal(mut text: String, policy: &Policy) -> String {
        loop {
            let ascii_digits = text.bytes().filter(u8::is_ascii_digit).count();
            let cards: Vec<Finding> = if ascii_digits >= 13 {
                crate::detect(&text)
                    .into_iter()
                    .filter(|f| f.kind == K::CreditCard)
                    .collect()
            } else {
                let mut cards = Vec::new();
                crate::guard::add_cards(&text, &mut cards);
                cards
            };
            if cards.is_empty() {
                return text;
            }
            text = apply_once(&text, &cards, policy).unwrap();
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Skipping the whole detection when no digit run could be a card changes nothing.
        #[test]
        fn the_output_check_seals_as_a_whole_detection_does(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "4111", "1111", "5555", "4444", "0", "12", "1220", "0000", "003", "378282246310005",
                "4111111111111111", "79927398713", "3174051204900003", "0812", "3456", "7890",
                " ", "-", "\u{2013}", ".", "/", "(", ")", "+", "x", "a", "*", "\n", ", ", "kartu ",
                "credit card: ", "NIK ", "rek BCA ", "HP ", "WA", "[PHONE]", "\u{ff14}", "#", ":",
                "12/05/1990", "10.0.0.1", "Jl. Merdeka No. ", "Budi Santoso ", "**** ",
            ]), 0..30)
        ) {
            let text: String = parts.concat();
            let policy = Policy::default();
            proptest::prop_assert_eq!(
                seal_cards(text.clone(), &policy).unwrap(),
                reference_seal(text, &policy)
            );
        }
    }

    struct Tok;
    impl Tokenizer for Tok {
        fn tokenize(&self, kind: K, value: &str) -> Result<String, TokenizeError> {
            if value.is_empty() {
                return Err(TokenizeError("empty".into()));
            }
            Ok(format!("tok_{}", kind.as_str().to_lowercase()))
        }
    }

    #[test]
    fn tokenize_never_sees_cards() {
        let p = Policy::tokenize_all(Arc::new(Tok));
        let r = redact("NIK 3174051204900003 kartu 4111111111111111", &p).unwrap();
        assert_eq!(r.text, "NIK tok_nik kartu ");
    }
}
