//! Phone numbers in a digit run ([`numeric`](super::numeric)): Indonesian mobiles and
//! landlines in every written form (`0812-3456-7890`, `+62 (21) 555 1234`, `62-21-5551234`,
//! `0812/3456/7890`), international numbers after `+` or `00`, and North-American numbers.

use super::context::Ctx;
use super::lexicon::role;
use super::numeric::{Hit, Run};
use crate::kind::{EntityKind as K, Validator as V};

/// Indonesian mobile national number (after the trunk `0` or `62`): `8[1-35-9]` + 7–10 digits.
pub(super) fn id_mobile(nsn: &[u8]) -> bool {
    (9..=12).contains(&nsn.len()) && nsn[0] == b'8' && matches!(nsn[1], b'1'..=b'3' | b'5'..=b'9')
}

/// Indonesian landline national number: area code `2x`–`7x`/`9xx` + subscriber, 7–11 digits.
fn id_landline(nsn: &[u8]) -> bool {
    (7..=11).contains(&nsn.len()) && matches!(nsn[0], b'2'..=b'7' | b'9')
}

pub(super) fn phone(run: &Run, a: usize, z: usize, d: &[u8], ctx: &Ctx) -> Option<Hit> {
    let plus = a == 0 && run.plus;
    let paren = a == 0 && run.paren;
    let word = ctx.word(role::PHONE);
    let has_ctx = ctx.has(role::PHONE, 4);
    if ctx.dist(role::NEG).is_some_and(|n| n <= 1) && !has_ctx {
        return None;
    }
    let grouped = z > a;
    let first_len = run.groups[a].1 - run.groups[a].0;
    let intl = if plus {
        Some(d)
    } else if d.starts_with(b"00") && d.len() > 10 && (has_ctx || (grouped && first_len <= 4)) {
        Some(&d[2..])
    } else {
        None
    };
    // `+62 (0)812…`: the trunk `0` kept in brackets is not dialled from abroad
    let trunk_in_brackets = plus
        && run.n > 1
        && run.seps[0] == b'('
        && run.groups[1].1 - run.groups[1].0 == 1
        && d.get(2) == Some(&b'0');
    if let Some(i) = intl {
        if let Some(nsn) = i.strip_prefix(b"62") {
            let nsn = if trunk_in_brackets { &nsn[1..] } else { nsn };
            if id_mobile(nsn) || id_landline(nsn) {
                return Some((K::Phone, 0.95, V::PhonePlan, word));
            }
            return None;
        }
        if (8..=15).contains(&i.len()) && i[0] != b'0' {
            return Some((K::Phone, 0.85, V::PhonePlan, word));
        }
        return None;
    }
    if let Some(nsn) = d.strip_prefix(b"62")
        && nsn.first() == Some(&b'8')
        && id_mobile(nsn)
    {
        return Some((K::Phone, 0.85, V::PhonePlan, word));
    }
    // `62-21-5551234`: the country code as a group of its own before an area code
    if let Some(nsn) = d.strip_prefix(b"62")
        && grouped
        && first_len == 2
        && matches!(run.seps[a], b'-' | b' ' | b'.')
        && id_landline(nsn)
        && nsn.len() >= 9
    {
        return Some((K::Phone, 0.8, V::PhonePlan, word));
    }
    if let Some(nsn) = d.strip_prefix(b"0") {
        if id_mobile(nsn) {
            return Some((
                K::Phone,
                if has_ctx { 0.95 } else { 0.9 },
                V::PhonePlan,
                word,
            ));
        }
        if id_landline(nsn) {
            let score = if has_ctx || paren {
                0.9
            } else if grouped {
                0.7
            } else {
                0.55
            };
            return Some((K::Phone, score, V::PhonePlan, word));
        }
    }
    // North-American numbers: (415) 555-0123 with parentheses or a phone word; 415-555-0123 and
    // 415.555.0123 on their own when area code and exchange are valid (`[2-9]xx`); 4155550123
    // only right after a phone word.
    let lens = run.groups[a..=z].iter().map(|(s, e)| e - s);
    if d.len() == 10 && lens.eq([3, 3, 4]) && (paren || has_ctx) {
        return Some((K::Phone, 0.75, V::PhonePlan, word));
    }
    if nanp_grouped(run, a, z, d) && ctx.dist(role::NEG).is_none_or(|n| n > 3) {
        return Some((K::Phone, 0.7, V::PhonePlan, word));
    }
    if a == z && nanp(d) && ctx.has(role::PHONE, 2) {
        return Some((K::Phone, 0.7, V::PhonePlan, word));
    }
    None
}

/// A 10-digit North-American number: area code and exchange start with 2–9.
fn nanp(d: &[u8]) -> bool {
    d.len() == 10 && matches!(d[0], b'2'..=b'9') && matches!(d[3], b'2'..=b'9')
}

/// `415-555-0123` / `415.555.0123`: three groups of 3, 3, 4 digits with one kind of separator.
pub(super) fn nanp_grouped(run: &Run, a: usize, z: usize, d: &[u8]) -> bool {
    let seps = &run.seps[a..z];
    z == a + 2
        && nanp(d)
        && run.groups[a..=z].iter().map(|(s, e)| e - s).eq([3, 3, 4])
        && (seps == b"--" || seps == b"..")
}
