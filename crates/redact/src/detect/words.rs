//! Words that start with a letter: passport numbers, IBANs, context words glued to digits
//! (`WA081234567890`), month-first dates, and the triggers for names and addresses.

use super::lexicon::{self, role};
use super::{Scan, address, cues, dates, names, numeric, person};
use crate::kind::{EntityKind as K, Evidence, Finding, Validator as V};
use crate::validate::iban_valid;

/// Handles the word `s..e` (ASCII alphanumeric, starting with a letter); returns where the
/// main pass continues.
pub(crate) fn word(sc: &mut Scan<'_>, s: usize, e: usize) -> usize {
    let b = sc.b;
    let w = &b[s..e];
    if let Some(l) = w.iter().position(u8::is_ascii_digit) {
        if let Some(end) = iban(sc, s, e).or_else(|| passport(sc, s, e)) {
            return end;
        }
        let letters = &w[..l];
        if w[l..].iter().all(u8::is_ascii_digit) && lexicon::roles(letters) & role::CONTEXT != 0 {
            return numeric::scan(sc, s + l, true);
        }
        return e;
    }
    // `Person::Budi`, `crate::Name`: a path in code, not a name
    if s >= 2 && &b[s - 2..s] == b"::" {
        return e;
    }
    if w.len() == 1
        && w[0].is_ascii_uppercase()
        && let Some(end) = passport(sc, s, e)
    {
        return end;
    }
    // "a/n Budi", "a.n. Budi"
    if w.eq_ignore_ascii_case(b"a") {
        let rest = &b[e..];
        for pat in [&b"/n"[..], b".n.", b".n"] {
            if rest.len() >= pat.len() && rest[..pat.len()].eq_ignore_ascii_case(pat) {
                let end = e + pat.len();
                return person::after_label(sc, end, "a/n").unwrap_or(end);
            }
        }
        return e;
    }
    if w[0].is_ascii_uppercase()
        && let Some(end) = person::speaker(sc, s)
            .or_else(|| cues::numbered_item(sc, s))
            .or_else(|| {
                // cheap gate: the estate words start with B, L, J or N
                matches!(w[0], b'B' | b'L' | b'J' | b'N')
                    .then(|| address::estate(sc, s, e))
                    .flatten()
            })
    {
        return end;
    }
    // a capitalised word before another one may start a name known from its shape
    let shape = |sc: &mut Scan<'_>, r: u32| {
        if w[0].is_ascii_uppercase()
            && b.get(e) == Some(&b' ')
            && b.get(e + 1).is_some_and(u8::is_ascii_uppercase)
        {
            names::by_shape(sc, s, e, r).unwrap_or(e)
        } else {
            e
        }
    };
    let Some(entry) = lexicon::lookup(w) else {
        if let Some(end) = address::street_compound(sc, s) {
            return end;
        }
        return shape(sc, 0);
    };
    let r = entry.roles;
    if r & role::EN_LABEL != 0
        && let Some(end) = names::english_label(sc, s, e)
    {
        return end;
    }
    if r & role::INTRO != 0
        && let Some(end) = cues::after_intro(sc, s, e)
    {
        return end;
    }
    if r & role::MONTH != 0
        && let Some(d) = dates::at_month(b, s)
    {
        let ctx = sc.ctx(s);
        if ctx.has(role::DOB, if d.partial { 3 } else { 6 }) {
            sc.push(
                K::DateOfBirth,
                d.start,
                d.end,
                0.9,
                V::CalendarDate,
                ctx.word(role::DOB),
            );
        }
        return d.end;
    }
    if r & (role::STREET | role::ADDR_LABEL) != 0
        && let Some(end) = address::indonesian(sc, s, e, entry)
    {
        return end;
    }
    if r & (role::TITLE | role::NAME_LABEL | role::SIGNOFF | role::SELF) != 0
        && let Some(end) = person::after_trigger(sc, s, e, entry)
    {
        return end;
    }
    if r & role::GIVEN != 0
        && w[0].is_ascii_uppercase()
        && let Some(end) = person::from_gazetteer(sc, s)
    {
        return end;
    }
    shape(sc, r)
}

/// Passport: one or two capital letters and 7 digits (`A1234567`, `B 1234567`), only within
/// four words of a passport word.
fn passport(sc: &mut Scan<'_>, s: usize, e: usize) -> Option<usize> {
    let b = sc.b;
    let letters = b[s..e]
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    if !(1..=2).contains(&letters) {
        return None;
    }
    let (ds, de) = if e - s == letters {
        // "A 1234567"
        if b.get(e) != Some(&b' ') {
            return None;
        }
        let de = e + 1 + b[e + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if de < b.len() && b[de].is_ascii_alphanumeric() {
            return None;
        }
        (e + 1, de)
    } else {
        (s + letters, e)
    };
    if de - ds != 7 || !b[ds..de].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let ctx = sc.ctx(s);
    if !ctx.has(role::PASSPORT, 4) {
        return None;
    }
    sc.push(K::Passport, s, de, 0.9, V::Shape, ctx.word(role::PASSPORT));
    Some(de)
}

/// IBAN, compact or in groups of four joined by spaces or dashes: `GB82WEST12345698765432`,
/// `DE89 3704 0044 0532 0130 00`, `AL47-2121-1009-0000-0002-3569-8741`.
fn iban(sc: &mut Scan<'_>, s: usize, e: usize) -> Option<usize> {
    let b = sc.b;
    let w = &b[s..e];
    // Upper case, or lower case all through (`de89 3704 …` typed on a phone); mixed case
    // (`GI75 aWBK …`) is not an IBAN.
    let lower = w.len() >= 2 && w[..2].iter().all(u8::is_ascii_lowercase);
    if w.len() < 4
        || !(lower || w[..2].iter().all(u8::is_ascii_uppercase))
        || !w[2..4].iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let upper = |c: &u8| {
        c.is_ascii_digit()
            || if lower {
                c.is_ascii_lowercase()
            } else {
                c.is_ascii_uppercase()
            }
    };
    let mut buf = [0u8; 34];
    let mut n = 0;
    let mut ends: [(usize, usize); 10] = [(0, 0); 10]; // (byte end, chars so far)
    let mut groups = 0;
    let mut sep = None;
    let mut p = s;
    loop {
        let ge = p + b[p..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let g = &b[p..ge];
        if n + g.len() > 34 || !g.iter().all(upper) {
            break;
        }
        buf[n..n + g.len()].copy_from_slice(g);
        buf[n..n + g.len()].make_ascii_uppercase();
        n += g.len();
        ends[groups] = (ge, n);
        groups += 1;
        if groups == ends.len() || g.len() > 4 && groups > 1 {
            break;
        }
        // groups are joined by single spaces or single dashes, the same all through
        let next_sep = b.get(ge).copied().filter(|c| matches!(c, b' ' | b'-'));
        if next_sep.is_some()
            && (sep.is_none() || sep == next_sep)
            && b.get(ge + 1).is_some_and(&upper)
        {
            sep = next_sep;
            p = ge + 1;
        } else {
            break;
        }
    }
    for &(end, len) in ends[..groups].iter().rev() {
        if iban_valid(&buf[..len]) {
            sc.push(K::Iban, s, end, 0.99, V::IbanMod97, None);
            cues::holder_after_dash(sc, end);
            return Some(end);
        }
    }
    None
}

/// What a field name says about its whole value.
pub(crate) fn field_kind(field: &str) -> Option<K> {
    let (mut mail, mut dob, mut addr, mut person) = (false, false, false, false);
    for w in field.as_bytes().split(|c| !c.is_ascii_alphanumeric()) {
        let mut buf = [0u8; 9];
        if w.is_empty() || w.len() > buf.len() {
            continue;
        }
        let lw = &mut buf[..w.len()];
        lw.copy_from_slice(w);
        lw.make_ascii_lowercase();
        match &*lw {
            b"email" | b"mail" => mail = true,
            b"lahir" | b"dob" | b"birth" | b"birthday" | b"ttl" => dob = true,
            b"alamat" | b"address" | b"street" => addr = true,
            b"nama" | b"name" | b"customer" | b"penerima" | b"pelanggan" => person = true,
            _ => {}
        }
    }
    if mail {
        None
    } else if dob {
        Some(K::DateOfBirth)
    } else if addr {
        Some(K::Address)
    } else if person {
        Some(K::Person)
    } else {
        None
    }
}

/// Marks the whole value of a name, address or birth-date field.
pub(crate) fn whole_field(text: &str, field: &str, out: &mut Vec<Finding>) {
    let Some(kind) = field_kind(field) else {
        return;
    };
    let lead = text.len() - text.trim_start().len();
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    let (start, end) = (lead, lead + t.len());
    let ok = match kind {
        K::DateOfBirth => dates::is_whole_date(text).is_some(),
        K::Person => {
            t.split_whitespace().count() <= 6
                && t.chars().any(char::is_alphabetic)
                && t.chars().all(|c| c.is_alphabetic() || " .,'-".contains(c))
        }
        _ => t.chars().any(char::is_alphanumeric),
    };
    if !ok {
        return;
    }
    let validator = if kind == K::DateOfBirth {
        V::CalendarDate
    } else {
        V::FieldName
    };
    out.retain(|f| !(f.kind == kind && f.start >= start && f.end <= end));
    out.push(Finding {
        kind,
        start,
        end,
        score: 0.85,
        evidence: Evidence {
            validator,
            context: None,
        },
    });
}
