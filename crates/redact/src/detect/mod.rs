//! The detector: one forward pass over the bytes plus two `memchr` passes (`@` for e-mail,
//! `:` for IPv6).
//!
//! The main pass walks word by word. A word of digits starts a *digit run* (groups joined by
//! single spaces, dashes or dots) that is typed by validators and context
//! ([`numeric`]); a word of letters is looked up once in the word table ([`lexicon`]) and may
//! start a name ([`person`]), an address ([`address`]), a month-first date, a passport number
//! or an IBAN ([`words`]). Context is only computed for candidates, by looking back at most
//! 64 bytes / 6 words on the same line ([`context`]). Nothing is allocated per character; the
//! output vector is the only allocation.

mod address;
pub(crate) mod card_runs;
mod context;
mod cues;
mod dates;
pub(crate) mod lexicon;
mod names;
mod net;
mod numeric;
mod person;
mod phone;
mod record;
mod resolve;
mod words;

use crate::kind::{EntityKind, Evidence, Finding, Validator};
use context::Ctx;

/// ASCII letters and digits: the bytes of a word.
const WORD_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

/// Whether `c` is an ASCII letter or digit (a table lookup: this runs for every byte).
#[inline]
pub(crate) fn is_word(c: u8) -> bool {
    WORD_BYTES[usize::from(c)]
}

/// Scores below this are never reported.
pub const MIN_REPORTED_SCORE: f32 = 0.5;

/// Detects personal data in free text. Findings are sorted by `start`, do not overlap, and
/// lie on UTF-8 character boundaries. Every card number the write guard
/// ([`crate::card::find_card_numbers`]) reads, whatever its separators, script or width, lies
/// inside a finding: a `CREDIT_CARD` one, or a single other finding that covers it whole (a
/// Luhn-valid bank account next to a bank word).
///
/// ```
/// use jaga_redact::{detect, EntityKind};
/// let text = "NIK 3174051204900003, HP 0812-3456-7890";
/// let kinds: Vec<_> = detect(text).iter().map(|f| f.kind).collect();
/// assert_eq!(kinds, [EntityKind::Nik, EntityKind::Phone]);
/// ```
pub fn detect(text: &str) -> Vec<Finding> {
    run(text, None)
}

/// Detects personal data in the value of a named field, such as a CSV column or an e-mail
/// header. The field name acts as context for every number in the value (`no_rekening` makes
/// a 10-digit number a bank account), and name, address and birth-date fields (`nama`,
/// `customer_name`, `alamat`, `shipping_address`, `tgl_lahir`, `dob` …) mark the whole value.
pub fn detect_field(text: &str, field: &str) -> Vec<Finding> {
    let hint = context::from_field(field);
    let mut out = run_raw(text, Some(hint));
    words::whole_field(text, field, &mut out);
    resolve::resolve(text, &mut out);
    crate::guard::add_cards(text, &mut out);
    out
}

/// Detection for mailbox header values (`"Budi Santoso" <budi@example.com>, …`): display
/// names are marked as `PERSON` in addition to the normal detection.
pub(crate) fn detect_mailboxes(text: &str) -> Vec<Finding> {
    let mut out = run_raw(text, None);
    let b = text.as_bytes();
    let (mut seg, mut quoted, mut angle) = (0, false, false);
    for i in 0..=b.len() {
        let c = b.get(i).copied().unwrap_or(b',');
        match c {
            b'"' => quoted = !quoted,
            b'<' if !quoted => {
                angle = true;
                let part = &text[seg..i];
                let lead = part.len() - part.trim_start().len();
                let t = part.trim();
                let q = usize::from(t.starts_with('"'));
                let name = t[q..].trim_end_matches('"').trim();
                if name.chars().any(char::is_alphabetic) {
                    let s = seg + lead + q + (t[q..].len() - t[q..].trim_start().len());
                    sc_push(&mut out, s, s + name.len());
                }
            }
            b'>' if !quoted => angle = false,
            b',' if !quoted && !angle => seg = i + 1,
            _ => {}
        }
    }
    resolve::resolve(text, &mut out);
    crate::guard::add_cards(text, &mut out);
    out
}

fn sc_push(out: &mut Vec<Finding>, start: usize, end: usize) {
    out.push(Finding {
        kind: EntityKind::Person,
        start,
        end,
        score: 0.8,
        evidence: Evidence {
            validator: Validator::FieldName,
            context: None,
        },
    });
}

fn run(text: &str, hint: Option<Ctx>) -> Vec<Finding> {
    let mut out = run_raw(text, hint);
    resolve::resolve(text, &mut out);
    if record::records(text, &mut out) {
        resolve::resolve(text, &mut out);
    }
    crate::guard::add_cards(text, &mut out);
    out
}

fn run_raw(text: &str, hint: Option<Ctx>) -> Vec<Finding> {
    let mut sc = Scan {
        b: text.as_bytes(),
        hint,
        out: Vec::new(),
    };
    net::emails(&mut sc);
    cues::display_names(&mut sc);
    net::ipv6(&mut sc);
    sc.main_pass();
    sc.out
}

/// State of one detection pass.
pub(crate) struct Scan<'t> {
    pub b: &'t [u8],
    pub hint: Option<Ctx>,
    pub out: Vec<Finding>,
}

impl Scan<'_> {
    pub(crate) fn push(
        &mut self,
        kind: EntityKind,
        start: usize,
        end: usize,
        score: f32,
        validator: Validator,
        context: Option<&'static str>,
    ) {
        debug_assert!(start < end && end <= self.b.len());
        if score >= MIN_REPORTED_SCORE && start < end {
            self.out.push(Finding {
                kind,
                start,
                end,
                score: score.min(1.0),
                evidence: Evidence { validator, context },
            });
        }
    }

    /// Context before `pos`, with the field-name hint filling gaps.
    pub(crate) fn ctx(&self, pos: usize) -> Ctx {
        let c = context::before(self.b, pos);
        match &self.hint {
            Some(h) => c.with_hint(h, 0),
            None => c,
        }
    }

    fn main_pass(&mut self) {
        let b = self.b;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if !is_word(c) {
                i += 1;
                continue;
            }
            let mut e = i + 1;
            while e < b.len() && is_word(b[e]) {
                e += 1;
            }
            // Words glued to non-ASCII letters are not ours to split; a number followed by an
            // en dash and a digit (`0812–3456–7890`, typed by phone keyboards) is a digit run.
            let en_dash_run = c.is_ascii_digit() && numeric::en_dash_then_digit(b, e);
            if (i > 0 && b[i - 1] >= 0x80) || (e < b.len() && b[e] >= 0x80 && !en_dash_run) {
                // `Schillerstraße 27, …`: a street word spelt with a non-ASCII letter
                i = if i == 0 || b[i - 1] < 0x80 {
                    address::street_compound(self, i).unwrap_or(e).max(e)
                } else {
                    e
                };
                continue;
            }
            i = if c.is_ascii_digit() && b[i..e].iter().all(u8::is_ascii_digit) {
                numeric::scan(self, i, false).max(e)
            } else if c.is_ascii_digit() && e - i <= 6 && b[e - 1].is_ascii_uppercase() {
                // `221B Baker Street`: a house number with a letter
                address::english(self, i).unwrap_or(e).max(e)
            } else if c.is_ascii_digit() {
                // `5th May 1990`: an ordinal day starts a date
                let ordinal = e - i >= 3
                    && matches!(&b[e - 2..e], b"st" | b"nd" | b"rd" | b"th")
                    && b[i..e - 2].iter().all(u8::is_ascii_digit);
                if ordinal {
                    numeric::date(self, i).unwrap_or(e).max(e)
                } else {
                    e
                }
            } else {
                words::word(self, i, e).max(e)
            };
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_context;
#[cfg(test)]
mod tests_edges;
#[cfg(test)]
mod tests_heldout;
