//! Names found from a cue next to them rather than from a label with a colon: a role noun or
//! a self-introduction before the name (`buyer Chloe Nguyen`, `I'm Aisha Bello`), a display
//! name before an address in angle brackets, a numbered recap row whose next field is a
//! phone, and an account holder after an account number or IBAN. Every helper looks a bounded
//! number of bytes around a position the main pass already stops at.

use super::Scan;
use super::person::{name_words, skip_spaces, validator};
use crate::kind::EntityKind as K;

/// An account holder right after a bank account or IBAN: in parentheses (`1234567890 (Budi
/// Santoso)`), or after a dash as the last item of a line or list entry (`ES91 2100 … —
/// Lucía Fernández García`, `BCA 1234567890 - Budi Santoso;`): two or more name words.
pub(crate) fn holder_in_parens(sc: &mut Scan<'_>, end: usize) {
    let b = sc.b;
    if holder_after_dash(sc, end) || !b[end.min(b.len())..].starts_with(b" (") {
        return;
    }
    if let Some(n) = name_words(b, end + 2, false)
        && b.get(n.end) == Some(&b')')
    {
        sc.push(K::Person, n.start, n.end, 0.75, validator(&n), Some("a/n"));
    }
}

/// The dash form of `holder_in_parens`, the only one after an IBAN (in brackets after an
/// IBAN stands the bank: `(Commerzbank)`). Returns whether a dash followed `end`.
pub(crate) fn holder_after_dash(sc: &mut Scan<'_>, end: usize) -> bool {
    let b = sc.b;
    let rest = &b[end.min(b.len())..];
    let dash = [
        &b" - "[..],
        " \u{2014} ".as_bytes(),
        " \u{2013} ".as_bytes(),
    ]
    .iter()
    .find(|d| rest.starts_with(d))
    .map(|d| d.len());
    if let Some(k) = dash {
        if let Some(n) = name_words(b, end + k, false)
            && n.words >= 2
            && b.get(n.end)
                .is_none_or(|c| matches!(c, b'\n' | b'\r' | b',' | b';' | b'.' | b')'))
        {
            sc.push(K::Person, n.start, n.end, 0.75, validator(&n), Some("a/n"));
        }
        return true;
    }
    false
}

/// A full name after a role noun or a self-introduction, where no colon follows: `buyer
/// Chloe Nguyen`, `agent Raj Doorgakant`, `Contact Zhang Wei`, `I'm Aisha Bello`, `I am Olga
/// Petrenko`, `this is Maria Gonzalez`. `s..e` is the word (an `INTRO` entry); the name must
/// be two or more capitalised name words, or a gazetteer name.
pub(crate) fn after_intro(sc: &mut Scan<'_>, s: usize, e: usize) -> Option<usize> {
    let b = sc.b;
    let w = &b[s..e];
    let free_before = |k: usize| k == 0 || !b[k - 1].is_ascii_alphanumeric();
    let ok = if w.eq_ignore_ascii_case(b"m") {
        // `I'm`
        s >= 2 && b[s - 1] == b'\'' && b[s - 2] == b'I' && free_before(s - 2)
    } else if w.eq_ignore_ascii_case(b"am") {
        s >= 2 && b[s - 1] == b' ' && b[s - 2] == b'I' && free_before(s - 2)
    } else if w.eq_ignore_ascii_case(b"is") {
        s >= 5
            && b[s - 1] == b' '
            && b[s - 5..s - 1].eq_ignore_ascii_case(b"this")
            && free_before(s - 5)
    } else {
        true
    };
    if !ok || b.get(e) != Some(&b' ') {
        return None;
    }
    let n = name_words(b, skip_spaces(b, e), false)?;
    if n.words < 2 && !n.gazetteer {
        return None;
    }
    sc.push(
        K::Person,
        n.start,
        n.end,
        0.75,
        validator(&n),
        Some("intro"),
    );
    Some(n.end)
}

/// A display name before an address in angle brackets: `From: Wong Kar Fai <kf@…>`, `Dari:
/// Hendra Gunawan <hendra@…>`, `"Budi Santoso" <budi@…>` in a pasted mail. The name runs back
/// to the start of the line or a `:`, `,`, `;` or quote, at most 64 bytes; it must be two
/// or more name words, or a gazetteer name, and end right before ` <`.
pub(crate) fn display_names(sc: &mut Scan<'_>) {
    let b = sc.b;
    for k in 0..sc.out.len() {
        let f = &sc.out[k];
        if f.kind != K::Email || f.start < 3 || b[f.start - 1] != b'<' || b[f.start - 2] != b' ' {
            continue;
        }
        let mut e = f.start - 2;
        if b[e - 1] == b'"' {
            e -= 1;
        }
        let lo = e.saturating_sub(64);
        let s = match b[lo..e]
            .iter()
            .rposition(|c| matches!(c, b'\n' | b':' | b',' | b';' | b'"' | b'>'))
        {
            Some(p) => lo + p + 1,
            None if lo == 0 => 0,
            None => continue,
        };
        if let Some(n) = name_words(b, skip_spaces(b, s), false)
            && n.end == e
            && (n.words >= 2 || n.gazetteer)
        {
            sc.push(K::Person, n.start, n.end, 0.8, validator(&n), Some("from"));
        }
    }
}

/// A name opening a numbered list item whose next field is a phone number: a reseller's or
/// dropshipper's order recap (`2. Muh. Syahrul Daeng Ngalle - 0853-…`, `10) Rina Marlina,
/// +62 …`). `s` is the first name word, right after `N. ` or `N) ` at the start of a line.
pub(crate) fn numbered_item(sc: &mut Scan<'_>, s: usize) -> Option<usize> {
    let b = sc.b;
    if s < 3 || b[s - 1] != b' ' || !matches!(b[s - 2], b'.' | b')') {
        return None;
    }
    let digits = b[..s - 2]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let k = s - 2 - digits;
    if !(1..=3).contains(&digits) || (k > 0 && b[k - 1] != b'\n') {
        return None;
    }
    let n = name_words(b, s, false)?;
    let rest = &b[n.end..];
    let q = if rest.starts_with(b" - ") || rest.starts_with(" \u{2013} ".as_bytes()) {
        n.end + 3 + usize::from(rest.starts_with(" \u{2013} ".as_bytes())) * 2
    } else if rest.starts_with(b", ") {
        n.end + 2
    } else {
        return None;
    };
    let phone_next = [&b"08"[..], b"62", b"+", b"(0", b"(+"]
        .iter()
        .any(|p| b[q.min(b.len())..].starts_with(p));
    if n.words < 2 || !phone_next {
        return None;
    }
    sc.push(K::Person, n.start, n.end, 0.8, validator(&n), Some("no."));
    Some(n.end)
}
