//! Everything a person reads from Jaga, in Bahasa Indonesia and English: one [`Lang`] and one
//! message catalogue ([`M`]) for the console's pages, the customer's access letter and the
//! default confidentiality agreement.
//!
//! [`M`] is generated from one table in which every entry must name both languages, so a missing
//! translation does not compile. Parameters are written `{name}` and filled by [`Tr::f`]; a test
//! checks that both languages of a message use the same parameters.
//!
//! [`Lang::from_accept_language`] picks a language from a browser's `Accept-Language` header,
//! for a first visit before the reader has chosen one.
//!
//! This crate is a leaf: no HTTP, no database, no other Jaga crate. The core (the letter) and
//! the console (the pages) both use it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod catalog;
pub mod format;

pub use catalog::M;
pub use format::{Zone, money};
use std::fmt;

/// A language. Bahasa Indonesia is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia.
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// The language tag (`id`, `en`), as used in the `lang` attribute and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Parses a tag; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language (the switcher offers it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// The language's own name.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Id => "Bahasa Indonesia",
            Lang::En => "English",
        }
    }

    /// The language a browser prefers, from its `Accept-Language` header (RFC 9110 §12.5.4):
    /// the supported language with the highest weight (`id`, `id-ID`, `in` for Indonesian;
    /// `en`, `en-*` for English; `*` for the default), the earlier one on a tie. `None` when the
    /// header names neither (or only with `q=0`), or cannot be read.
    ///
    /// Bounded work whatever the header: at most [`MAX_ACCEPT_LANGUAGE_ITEMS`] entries of a
    /// header of at most [`MAX_ACCEPT_LANGUAGE_LEN`] bytes are looked at.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        if header.len() > MAX_ACCEPT_LANGUAGE_LEN {
            return None;
        }
        // (weight in thousandths, order) of the best entry so far.
        let mut best: Option<(u16, Lang)> = None;
        for item in header.split(',').take(MAX_ACCEPT_LANGUAGE_ITEMS) {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim();
            let mut q = 1000u16;
            for p in parts {
                let p = p.trim();
                if let Some(v) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                    match parse_qvalue(v.trim()) {
                        Some(v) => q = v,
                        None => {
                            q = 0;
                            break;
                        }
                    }
                }
            }
            let Some(lang) = range_lang(range) else {
                continue;
            };
            if q == 0 {
                continue;
            }
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// Longest `Accept-Language` header looked at, bytes; a longer one is ignored.
pub const MAX_ACCEPT_LANGUAGE_LEN: usize = 1024;
/// Entries of an `Accept-Language` header looked at; later ones are ignored.
pub const MAX_ACCEPT_LANGUAGE_ITEMS: usize = 32;

/// The supported language a language range names (case-insensitive primary subtag).
fn range_lang(range: &str) -> Option<Lang> {
    let primary = range.split('-').next().unwrap_or("");
    if primary.eq_ignore_ascii_case("id") || primary.eq_ignore_ascii_case("in") {
        Some(Lang::Id)
    } else if primary.eq_ignore_ascii_case("en") {
        Some(Lang::En)
    } else if primary == "*" && range == "*" {
        Some(Lang::default())
    } else {
        None
    }
}

/// A `qvalue` (`0`, `0.5`, `1.000` …) in thousandths; anything else is `None`.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A translator bound to one language, handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text of `m`.
    pub fn t(&self, m: M) -> &'static str {
        m.text(self.0)
    }

    /// The text of `m` with `{name}` parameters filled in.
    pub fn f(&self, m: M, args: &[(&str, &str)]) -> String {
        fill(m.text(self.0), args)
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.0
    }
}

/// Replaces each `{name}` in `text` by its value.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (k, v) in args {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The default confidentiality agreement staff accept before seeing customer data (an
/// installation may replace it with its own files, `[staff] agreement_file_id` / `_en`).
pub fn default_agreement(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => include_str!("agreement_id.txt"),
        Lang::En => include_str!("agreement_en.txt"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn params(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(i) = rest.find('{') {
            let Some(j) = rest[i..].find('}') else { break };
            out.insert(rest[i + 1..i + j].to_string());
            rest = &rest[i + j + 1..];
        }
        out
    }

    #[test]
    fn every_message_has_both_languages_with_the_same_parameters() {
        assert!(M::ALL.len() > 100);
        for m in M::ALL {
            let (id, en) = (m.text(Lang::Id), m.text(Lang::En));
            assert!(!id.trim().is_empty() && !en.trim().is_empty(), "{m:?}");
            assert_eq!(params(id), params(en), "{m:?}");
        }
    }

    #[test]
    fn long_texts_are_really_translated() {
        // A sentence that is the same in both languages was most likely not translated.
        for m in M::ALL {
            let (id, en) = (m.text(Lang::Id), m.text(Lang::En));
            if en.split_whitespace().count() >= 3 {
                assert_ne!(id, en, "{m:?} is not translated");
            }
        }
    }

    #[test]
    fn filling_and_languages() {
        let t = Tr(Lang::En);
        assert_eq!(t.f(M::ResultsCount, &[("n", "3")]), "3 customers found");
        assert_eq!(
            Tr(Lang::Id).f(M::ResultsCount, &[("n", "3")]),
            "3 pelanggan ditemukan"
        );
        assert_eq!(Lang::default(), Lang::Id);
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::Id.other(), Lang::En);
    }

    #[test]
    fn the_agreement_exists_in_both_languages() {
        assert!(default_agreement(Lang::En).contains("CONFIDENTIALITY"));
        assert_ne!(default_agreement(Lang::Id), default_agreement(Lang::En));
    }

    #[test]
    fn accept_language_picks_the_heaviest_supported_language() {
        let cases: &[(&str, Option<Lang>)] = &[
            ("en", Some(Lang::En)),
            ("en-US,en;q=0.9", Some(Lang::En)),
            ("EN-gb", Some(Lang::En)),
            ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", Some(Lang::Id)),
            ("in", Some(Lang::Id)),
            ("en;q=0.5, id;q=0.8", Some(Lang::Id)),
            ("id;q=0.5, en;q=0.8", Some(Lang::En)),
            ("fr-FR, fr;q=0.9, en;q=0.1", Some(Lang::En)),
            ("en;q=0.5, id;q=0.5", Some(Lang::En)),
            ("de, fr", None),
            ("*", Some(Lang::Id)),
            ("de, *;q=0.1", Some(Lang::Id)),
            ("en;q=0", None),
            ("en;q=0.000, id;q=0", None),
            ("en;q=1.000", Some(Lang::En)),
            // Malformed weights make the entry unacceptable, never a panic.
            ("en;q=2", None),
            ("en;q=1.5, id", Some(Lang::Id)),
            ("en;q=0.5555", None),
            ("en;q=-1", None),
            ("en;q=", None),
            ("en;q=0.x", None),
            ("english", None),
            ("enx-US", None),
            ("", None),
            (",,,;;;", None),
            ("ïd, én", None),
        ];
        for (header, want) in cases {
            assert_eq!(Lang::from_accept_language(header), *want, "{header:?}");
        }
    }

    #[test]
    fn accept_language_work_is_bounded() {
        let long = format!("{}en", "x-yz;q=0.1,".repeat(200));
        assert_eq!(Lang::from_accept_language(&long), None);
        let many = format!("{}en", "de,".repeat(MAX_ACCEPT_LANGUAGE_ITEMS));
        assert!(many.len() < MAX_ACCEPT_LANGUAGE_LEN);
        assert_eq!(Lang::from_accept_language(&many), None);
        let within = format!("{}en", "de,".repeat(MAX_ACCEPT_LANGUAGE_ITEMS - 1));
        assert_eq!(Lang::from_accept_language(&within), Some(Lang::En));
    }
}
