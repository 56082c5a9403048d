//! Payment card numbers (PAN): Luhn-valid 13–19 digit numbers in a card network's issuer range.
//!
//! Digits may be of any script or width and written together or in groups separated by any
//! run of non-alphanumeric characters (`4111 1111 1111 1111`, `4111.1111.1111.1111`,
//! `４１１１　１１１１…`, `+4111111111111111`): see [`find_card_numbers`]. A run of digits
//! that is part of a longer unbroken digit run is not a card number (a 20-digit tracking
//! number contains no card).

use std::ops::Range;

/// The Luhn (mod 10) check over ASCII digits; `false` for anything that is not all digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 1 {
                let dbl = v * 2;
                if dbl > 9 { dbl - 9 } else { dbl }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether `digits` (ASCII digits) has the length and issuer prefix (IIN) of a card network.
///
/// Ranges (ISO/IEC 7812 registrations as published by the networks):
/// Visa `4` (13, 16, 19 digits); Mastercard `51–55` and `2221–2720` (16); Mir `2200–2204`
/// (16–19); Amex `34`, `37` (15); Diners `300–305`, `36`, `38–39` (14–19); JCB `3528–3589`
/// (16–19); Maestro/Mastercard debit `50`, `56–59` (13–19); Discover, UnionPay, RuPay and Maestro
/// in `60`, `62`, `65–69`, Maestro `6304`, InterPayment/InstaPayment `636–639` and Discover
/// `644–649` (16–19; `61`, the rest of `63` and `640–643` are not issued to card networks —
/// they are Kalimantan NIK prefixes; `62` UnionPay needs ≥ 16 digits, so Indonesian phone numbers written as
/// `62812…` are not cards). Indonesian GPN debit cards use these networks' ranges or `60`/`9`
/// prefixes shared with other numbers; only the listed ranges are claimed.
pub fn plausible_card_prefix(digits: &[u8]) -> bool {
    let len = digits.len();
    if !(13..=19).contains(&len) || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let p = |n: usize| -> u32 {
        digits[..n]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    match digits[0] {
        b'4' => matches!(len, 13 | 16 | 19),
        b'5' => match p(2) {
            51..=55 => len == 16,
            50 | 56..=59 => len >= 13,
            _ => false,
        },
        b'2' => match p(4) {
            2221..=2720 => len == 16,
            2200..=2204 => len >= 16,
            _ => false,
        },
        b'3' => match p(2) {
            34 | 37 => len == 15,
            36 | 38 | 39 => len >= 14,
            30 => (300..=305).contains(&p(3)) && len >= 14,
            35 => (3528..=3589).contains(&p(4)) && len >= 16,
            _ => false,
        },
        b'6' => {
            len >= 16
                && match p(2) {
                    61 => false,
                    63 => p(4) == 6304 || (636..=639).contains(&p(3)),
                    64 => p(3) >= 644,
                    _ => true,
                }
        }
        _ => false,
    }
}

/// Whether `digits` is a plausible payment card number: length, issuer range and Luhn.
pub fn is_card_number(digits: &[u8]) -> bool {
    plausible_card_prefix(digits) && luhn_valid(digits)
}

/// The zero of every block of Unicode decimal digits (general category `Nd`): each block is
/// ten consecutive code points, zero to nine. Unicode 16.0 (ASCII and full-width digits
/// included, though NFKC already folds the latter, and the mathematical digits).
const ND_ZEROS: &[u32] = &[
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50,
    0x11D50, 0x11DA0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0,
];

/// The value of `c` if it is a Unicode decimal digit (`Nd`) of any script.
pub fn decimal_digit_value(c: char) -> Option<u8> {
    let cp = u32::from(c);
    let i = ND_ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    let d = cp - ND_ZEROS[i];
    // Every block is ten code points; `d < 10` also rules out the gaps between blocks.
    (d < 10).then_some(d as u8)
}

/// How the guard reads one character of its normalised view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sig {
    /// A decimal digit of any script, with its value.
    Digit(u8),
    /// A letter or other alphanumeric character: it ends a run of digit groups.
    Letter,
    /// Anything else: it may join digit groups.
    Sep,
}

/// The class of each ASCII character (no normalisation needed).
const ASCII_SIG: [Sig; 128] = {
    let mut t = [Sig::Sep; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        if b.is_ascii_digit() {
            t[c] = Sig::Digit(b - b'0');
        } else if b.is_ascii_alphabetic() {
            t[c] = Sig::Letter;
        }
        c += 1;
    }
    t
};

fn sig_of_normalised(n: char) -> Sig {
    match decimal_digit_value(n) {
        Some(d) => Sig::Digit(d),
        None if n.is_alphanumeric() => Sig::Letter,
        None => Sig::Sep,
    }
}

/// Calls `f` with the class of every character of the guard's normalised view of `c`: Unicode
/// NFKC per character (full-width, superscript, circled and mathematical digits become
/// digits; one source character may give several), every decimal digit of any script mapped
/// to its value, and everything that is neither a digit nor alphanumeric a separator.
pub(crate) fn for_each_sig(c: char, mut f: impl FnMut(Sig)) {
    if c.is_ascii() {
        f(ASCII_SIG[c as usize]);
    } else {
        use unicode_normalization::UnicodeNormalization;
        for n in std::iter::once(c).nfkc() {
            f(sig_of_normalised(n));
        }
    }
}

/// Most digits a card number has.
const MAX_DIGITS: usize = 19;

/// A digit group in the normalised view: its first digits (a group longer than
/// [`MAX_DIGITS`] is never part of a card, so only its length is kept past that) and its
/// source byte range.
#[derive(Clone, Copy)]
struct Group {
    digits: [u8; MAX_DIGITS],
    /// Number of digits, counted up to `MAX_DIGITS + 1` ("too long").
    len: usize,
    src: (usize, usize),
}

/// The groups of the current run (digit groups not separated by a letter) and their digit
/// count, which decides whether the run is worth trying at all.
#[derive(Default)]
struct Runs {
    groups: Vec<Group>,
    digits: usize,
    /// Whether the previous normalised character was a digit (the next one extends its group).
    in_group: bool,
}

impl Runs {
    fn digit(&mut self, d: u8, src: (usize, usize)) {
        match self.groups.last_mut() {
            Some(g) if self.in_group => {
                if g.len < MAX_DIGITS {
                    g.digits[g.len] = b'0' + d;
                }
                g.len = (g.len + 1).min(MAX_DIGITS + 1);
                g.src.1 = src.1;
            }
            _ => {
                let mut digits = [0; MAX_DIGITS];
                digits[0] = b'0' + d;
                self.groups.push(Group {
                    digits,
                    len: 1,
                    src,
                });
            }
        }
        self.digits += 1;
        self.in_group = true;
    }

    /// Ends the run (at a letter or the end of the text), trying it if it has enough digits.
    fn end(&mut self, found: &mut Vec<Range<usize>>) {
        if self.digits >= 13 {
            scan_groups(&self.groups, found);
        }
        self.groups.clear();
        self.digits = 0;
        self.in_group = false;
    }
}

/// Byte ranges of card numbers in `text`, non-overlapping, in order. Each range starts and ends
/// on a digit, so it covers separators inside the number but none around it.
///
/// The text is read as a person reads it: digits of any script or width, and digit groups
/// joined by any run of characters that are neither letters nor digits (spaces of any kind,
/// tabs, newlines, dots, slashes, underscores, dashes, signs, brackets, zero-width characters,
/// combining marks, …), however long. Every window of consecutive whole groups with 13–19
/// digits is tried. A run of digits that is part of a longer unbroken digit run is not a card
/// number (a 20-digit tracking number contains no card).
pub fn find_card_numbers(text: &str) -> Vec<Range<usize>> {
    // A count first: only a run (the text between two letters) with 13 digits or more is read
    // in groups. Most runs in prose are a word's worth of digits or none.
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut runs = Runs::default();
    let (mut run_start, mut digits) = (0, 0usize);
    let mut i = 0;
    while i < b.len() {
        // Digits and other ASCII characters (separators) are the common case: count the digits
        // up to the next letter or non-ASCII byte.
        while i < b.len() && !STOPS[usize::from(b[i])] {
            digits += usize::from(b[i].is_ascii_digit());
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        if c.is_ascii_alphabetic() {
            if digits >= 13 {
                read_run(text, run_start, i, &mut runs, &mut found);
            }
            digits = 0;
            i += 1;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            run_start = i;
        } else {
            // A non-ASCII character: `i` is on a boundary, as every step is one whole character.
            let Some(ch) = text[i..].chars().next() else {
                break;
            };
            let next = i + ch.len_utf8();
            let (mut letter, mut after) = (false, 0);
            for_each_sig(ch, |s| match s {
                Sig::Digit(_) => after += 1,
                Sig::Letter => {
                    letter = true;
                    digits += after;
                    after = 0;
                }
                Sig::Sep => {}
            });
            if letter {
                // The run ends inside this character: read it up to there, then start the next
                // run at the character again (its digits before the letter are too few to
                // matter there; those after it belong to the next run).
                if digits >= 13 {
                    read_run(text, run_start, next, &mut runs, &mut found);
                }
                digits = after;
                run_start = i;
            } else {
                digits += after;
            }
            i = next;
        }
    }
    if digits >= 13 {
        read_run(text, run_start, b.len(), &mut runs, &mut found);
    }
    found
}

/// The bytes [`find_card_numbers`] stops at: ASCII letters (they end a run) and the bytes of
/// non-ASCII characters (read whole).
const STOPS: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_alphabetic() || c >= 0x80;
        c += 1;
    }
    t
};

/// Reads `text[start..end]` in digit groups and tries every run in it (see [`Runs`]).
fn read_run(text: &str, start: usize, end: usize, runs: &mut Runs, found: &mut Vec<Range<usize>>) {
    for (k, ch) in text[start..end].char_indices() {
        let src = (start + k, start + k + ch.len_utf8());
        for_each_sig(ch, |s| match s {
            Sig::Digit(d) => runs.digit(d, src),
            Sig::Letter => runs.end(found),
            Sig::Sep => runs.in_group = false,
        });
    }
    runs.end(found);
}

/// Whether `text` contains a card number anywhere, read as [`find_card_numbers`] reads it.
pub fn contains_card_number(text: &str) -> bool {
    !find_card_numbers(text).is_empty()
}

/// Tries every window of whole groups (longest first from each start) for a card number.
fn scan_groups(groups: &[Group], found: &mut Vec<Range<usize>>) {
    let mut start = 0;
    let mut digits = [0u8; MAX_DIGITS];
    while start < groups.len() {
        let mut best = None;
        let mut len = 0;
        for (end, g) in groups.iter().enumerate().skip(start) {
            if len + g.len > MAX_DIGITS {
                break;
            }
            digits[len..len + g.len].copy_from_slice(&g.digits[..g.len]);
            len += g.len;
            if len >= 13 && is_card_number(&digits[..len]) {
                best = Some(end);
            }
        }
        match best {
            Some(end) => {
                found.push(groups[start].src.0..groups[end].src.1);
                start = end + 1;
            }
            None => start += 1,
        }
    }
}

/// `text` with every card number masked for showing back to the person who typed it: each
/// digit but the last four of each number becomes `mask`; separators are kept.
pub fn mask_card_numbers(text: &str, mask: char) -> String {
    mask_ranges(text, &find_card_numbers(text), 4, mask)
}

/// Masks the alphanumeric characters (digits of any script) of each of `ranges` in `text`
/// except the last `keep` of each range. Ranges must be in order, non-overlapping and on
/// character boundaries (others are skipped).
pub fn mask_ranges(text: &str, ranges: &[Range<usize>], keep: usize, mask: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for r in ranges {
        if r.start < pos || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        let value = &text[r.clone()];
        let total = value.chars().filter(|c| c.is_alphanumeric()).count();
        let mut seen = 0;
        for c in value.chars() {
            if c.is_alphanumeric() {
                seen += 1;
                out.push(if seen > total.saturating_sub(keep) {
                    c
                } else {
                    mask
                });
            } else {
                out.push(c);
            }
        }
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(!luhn_valid(b"41111a1111111111"));
        assert!(!luhn_valid(b""));
    }

    #[test]
    fn finds_plain_spaced_and_dashed_cards() {
        for t in [
            "card 4111111111111111 ok",
            "kartu 4111 1111 1111 1111",
            "no: 4111-1111-1111-1111.",
            "amex 378282246310005",
            "mc 5555 5555 5555 4444 exp 12/27",
            "mc2 2223 0031 2200 3222",
            "jcb 3530111333300000",
        ] {
            let f = find_card_numbers(t);
            assert_eq!(f.len(), 1, "{t}");
            let digits: String = t[f[0].clone()]
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            assert!(luhn_valid(digits.as_bytes()), "{t}");
        }
    }

    #[test]
    fn kalimantan_nik_prefixes_are_not_card_ranges() {
        // Luhn-valid 16-digit NIKs from provinces 61 and 63 (held-out corpus misses).
        assert!(luhn_valid(b"6321371307788947") && luhn_valid(b"6344086208032160"));
        assert!(!is_card_number(b"6321371307788947"));
        assert!(!is_card_number(b"6344086208032160"));
        // Issued ranges in 6 stay cards: Discover, UnionPay, Maestro 6304, InstaPayment, 644+.
        for p in [
            &b"6011000990139424"[..],
            b"6200000000000005",
            b"6304000000000000",
            b"6370000000000000",
            b"6440000000000000",
        ] {
            let mut d = p.to_vec();
            // fix the check digit
            let last = d.len() - 1;
            for c in b'0'..=b'9' {
                d[last] = c;
                if luhn_valid(&d) {
                    break;
                }
            }
            assert!(is_card_number(&d), "{}", String::from_utf8_lossy(&d));
        }
    }

    #[test]
    fn ignores_non_cards() {
        for t in [
            "4111111111111112",              // Luhn-invalid
            "order INV/2025/11/00123",       // invoice number
            "+62 812-3456-7890",             // phone
            "+6281234567897",                // E.164 phone
            "6281234567897",                 // phone without plus, 13 digits
            "081234567897",                  // local phone
            "tracking 41111111111111110000", // 20 unbroken digits
            "Rp 1.250.000",                  // price
            "NIK 3174051204900003",          // NIK, province 31 is no issuer range
            "0812-3456-7890",                // local phone, dashed
        ] {
            assert!(find_card_numbers(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn finds_card_followed_by_more_digit_groups() {
        let t = "4111 1111 1111 1111 2027";
        let f = find_card_numbers(t);
        assert_eq!(f, vec![0..19]);
    }
    #[test]
    fn every_digit_block_is_ten_numeric_code_points() {
        assert!(ND_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]));
        for &z in ND_ZEROS {
            for d in 0..10u8 {
                let c = char::from_u32(z + u32::from(d)).expect("a scalar value");
                assert!(c.is_numeric() && c.is_alphanumeric(), "{:#x}", z);
                assert_eq!(decimal_digit_value(c), Some(d));
            }
        }
        for c in ['a', ' ', '\u{2460}', '\u{0F2A}', '\u{FF1A}'] {
            assert_eq!(decimal_digit_value(c), None, "{c:?}");
        }
    }

    /// Regression: only single spaces or dashes between groups were seen; every other way of
    /// writing a card number a person still reads as one was stored.
    #[test]
    fn finds_cards_in_any_separator_script_or_width() {
        for t in [
            "4111  1111  1111  1111",
            "4111\u{a0}1111\u{a0}1111\u{a0}1111",
            "4111\u{2009}1111\u{202f}1111\u{3000}1111",
            "4111\t1111\n1111\r\n1111",
            "4111.1111.1111.1111",
            "4111/1111/1111/1111",
            "4111_1111_1111_1111",
            "4111 - 1111 - 1111 - 1111",
            "4111\u{2013}1111\u{2014}1111\u{2212}1111",
            "4111\u{200b}1111\u{200b}1111\u{200b}1111",
            "4\u{ad}1\u{ad}1\u{ad}1 1111 1111 1111",
            "+4111111111111111",
            "-4111111111111111",
            "(4111) [1111] {1111} <1111>",
            "\u{ff14}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}",
            "\u{664}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}",
            "\u{96a}\u{967}\u{967}\u{967} \u{967}\u{967}\u{967}\u{967} 1111 \u{e51}\u{e51}\u{e51}\u{e51}",
            "\u{1d7d2}\u{1d7cf}\u{1d7cf}\u{1d7cf}1111 1111 1111",
            "\u{2463}\u{2460}\u{2460}\u{2460} 1111 1111 1111",
            "4\u{301}111 1111 1111 1111",
            "kartu:4111111111111111;exp",
            "5555.5555.5555.4444",
            "3782 822463 10005",
            "4111111111111111.0",
        ] {
            assert_eq!(find_card_numbers(t).len(), 1, "{t:?}");
            assert_ne!(mask_card_numbers(t, '*'), t, "{t:?}");
        }
    }

    #[test]
    fn masks_digits_of_any_script_but_the_last_four() {
        let t = "no \u{ff14}\u{ff11}\u{ff11}\u{ff11}.1111.1111.1111 ok";
        assert_eq!(mask_card_numbers(t, '*'), "no ****.****.****.1111 ok");
    }
}
