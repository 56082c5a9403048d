//! Header-less delimited records: `Budi Santoso;3174051204900003;12-05-1990;0812…` or
//! `ORD-1,Budi Santoso,budi@mail.com,0812…,Rp 50.000,Jl. …`.
//!
//! In such a line nothing names the columns, so a birth date or a name has no context word.
//! The line itself is the context: when it splits into at least four fields on one delimiter
//! (`;`, tab, `|`, or `,` with short fields) and already holds two strong identifiers
//! (e-mail, phone, NIK, KK, NPWP, card, account, IBAN, passport), a field that is exactly
//!
//! - a calendar date with a year up to [`MAX_BIRTH_YEAR`] is a `DATE_OF_BIRTH` (order and
//!   payment dates in exports are recent; a customer's birth year is not), and
//! - two to four capitalised name words (titles, initials and degrees allowed) is a `PERSON`.
//!
//! When the line before is a header (as many fields, all column names), the column names
//! decide instead, as for [`crate::detect_field`]: `nama` marks a one-word name, `tgl_lahir` a
//! birth date, `tgl_order` nothing (CSV pasted into a chat or streamed as text).
//!
//! Runs after overlap resolution, on sorted findings; only fields no finding touches count.

use super::lexicon::{self, role};
use super::{dates, person, words};
use crate::kind::{EntityKind as K, Evidence, Finding, Validator as V};

/// Latest year a bare date in a record is taken as a birth date.
pub(crate) const MAX_BIRTH_YEAR: u32 = 2012;

/// Longest field of a comma-separated record (prose has long clauses between commas).
const MAX_COMMA_FIELD: usize = 64;

fn strong(k: K) -> bool {
    matches!(
        k,
        K::Email
            | K::Phone
            | K::Nik
            | K::Kk
            | K::Npwp
            | K::CreditCard
            | K::BankAccount
            | K::Iban
            | K::Passport
    )
}

/// The delimiter of a record line, if it is one (`memchr` scans: most lines have none).
fn delimiter(line: &[u8]) -> Option<u8> {
    for d in [b';', b'\t', b'|'] {
        if memchr::memchr_iter(d, line).nth(2).is_some() {
            return Some(d);
        }
    }
    let (mut n, mut last) = (0, 0);
    for c in memchr::memchr_iter(b',', line) {
        if c - last > MAX_COMMA_FIELD {
            return None;
        }
        n += 1;
        last = c + 1;
    }
    (n >= 3 && line.len() - last <= MAX_COMMA_FIELD).then_some(b',')
}

/// Adds birth dates and names found in record fields to the sorted findings `out`; returns
/// whether anything was added (the caller re-sorts).
pub(crate) fn records(text: &str, out: &mut Vec<Finding>) -> bool {
    let b = text.as_bytes();
    let mut added = Vec::new();
    let mut fi = 0;
    let mut ls = 0;
    let mut prev = (0, 0);
    while ls < b.len() {
        let le = memchr::memchr(b'\n', &b[ls..]).map_or(b.len(), |k| ls + k);
        while fi < out.len() && out[fi].start < ls {
            fi += 1;
        }
        let mut fj = fi;
        while fj < out.len() && out[fj].start < le {
            fj += 1;
        }
        let found = &out[fi..fj];
        if found.iter().filter(|f| strong(f.kind)).nth(1).is_some()
            && let Some(d) = delimiter(&b[ls..le])
        {
            let header = header(&text[prev.0..prev.1], &text[ls..le], d);
            fields(text, ls, le, d, header, found, &mut added);
        }
        prev = (ls, le);
        ls = le + 1;
    }
    let any = !added.is_empty();
    out.extend(added);
    any
}

/// The previous line as the record's header: as many fields, each a column name (letters,
/// `_`, `-`, spaces; no digits).
fn header<'t>(prev: &'t str, line: &str, d: u8) -> Option<&'t str> {
    let names = prev.trim_end_matches('\r');
    let count = |t: &str| t.bytes().filter(|&c| c == d).count();
    let column = |f: &[u8]| {
        f.iter().any(u8::is_ascii_alphabetic)
            && f.iter()
                .all(|&c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'-' | b' ' | b'"'))
    };
    (count(names) == count(line) && names.as_bytes().split(|&c| c == d).all(column))
        .then_some(names)
}

fn fields(
    text: &str,
    ls: usize,
    le: usize,
    d: u8,
    header: Option<&str>,
    found: &[Finding],
    added: &mut Vec<Finding>,
) {
    let b = text.as_bytes();
    let mut one = Vec::new();
    let mut hs = 0;
    let mut fs = ls;
    while fs <= le {
        let column = header.map(|h| {
            let he =
                memchr::memchr(d, &h.as_bytes()[hs.min(h.len())..]).map_or(h.len(), |k| hs + k);
            let c = h.get(hs.min(he)..he).unwrap_or("").trim().trim_matches('"');
            hs = he + 1;
            c
        });
        let fe = memchr::memchr(d, &b[fs..le]).map_or(le, |k| fs + k);
        let (mut s, mut e) = (fs, fe);
        while s < e && matches!(b[s], b' ' | b'"') {
            s += 1;
        }
        while e > s && matches!(b[e - 1], b' ' | b'\r' | b'"') {
            e -= 1;
        }
        let free = |s: usize, e: usize| !found.iter().any(|f| f.start < e && s < f.end);
        if let Some(column) = column {
            // A header names the columns: its name, not the value's shape, decides
            // (`tgl_lahir` marks a birth date, `tgl_order` nothing).
            if s < e && free(s, e) && words::field_kind(column).is_some() {
                one.clear();
                words::whole_field(&text[s..e], column, &mut one);
                added.extend(one.drain(..).map(|mut f| {
                    f.start += s;
                    f.end += s;
                    f
                }));
            }
        } else if s < e && free(s, e) {
            if let Some(f) = birth_date(text, s, e) {
                added.push(f);
            } else if let Some(f) = name(b, s, e, le, d)
                && free(f.start, f.end)
            {
                added.push(f);
            }
        }
        fs = fe + 1;
    }
}

fn birth_date(text: &str, s: usize, e: usize) -> Option<Finding> {
    let span = dates::is_whole_date(&text[s..e])?;
    (span.year <= MAX_BIRTH_YEAR && !span.partial).then_some(Finding {
        kind: K::DateOfBirth,
        start: s + span.start,
        end: s + span.end,
        score: 0.75,
        evidence: Evidence {
            validator: V::CalendarDate,
            context: None,
        },
    })
}

fn name(b: &[u8], s: usize, e: usize, le: usize, d: u8) -> Option<Finding> {
    if !b[s].is_ascii_alphabetic() {
        return None;
    }
    let n = person::name_words(&b[..le], s, false)?;
    // The name is the whole field; with commas, a degree (", S.Pt") may run into the next one.
    let whole = n.end == e || (d == b',' && n.end > e && b.get(n.end).is_none_or(|&c| c == d));
    if n.words < 2 || !whole {
        return None;
    }
    // Address pieces (`Port Terrence`, `East Rogerville`, `Lake Amy`) are not names: a city
    // field starts with a direction or a place word; a surname may be one (`Tiffany Brooks`).
    let first = b[n.start..].split(|&c| !c.is_ascii_alphabetic()).next()?;
    let r = lexicon::roles(first);
    let place = r & (role::STREET_SUFFIX | role::SELF | role::INFORMAL) != 0
        && r & (role::GIVEN | role::SURNAME) == 0;
    let direction = [
        &b"east"[..],
        b"west",
        b"north",
        b"south",
        b"new",
        b"san",
        b"saint",
    ]
    .iter()
    .any(|d| first.eq_ignore_ascii_case(d));
    // a street without its house number (`Raffles Place`, `Baker Street`) ends in a street
    // suffix that is no common surname (`Tiffany Brooks` keeps hers)
    let last = b[n.start..n.end]
        .rsplit(|&c| !c.is_ascii_alphabetic())
        .next()?;
    let rl = lexicon::roles(last);
    let street = rl & role::STREET_SUFFIX != 0
        && rl & (role::WEAK_SUFFIX | role::GIVEN | role::SURNAME) == 0;
    if place || direction || street {
        return None;
    }
    Some(Finding {
        kind: K::Person,
        start: n.start,
        end: n.end,
        score: 0.7,
        evidence: Evidence {
            validator: if n.gazetteer { V::Gazetteer } else { V::Shape },
            context: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use crate::{EntityKind as K, detect};

    fn found(t: &str, k: K) -> Vec<&str> {
        detect(t)
            .into_iter()
            .filter(|f| f.kind == k)
            .map(|f| &t[f.range()])
            .collect()
    }

    #[test]
    fn semicolon_records_give_names_and_birth_dates() {
        // held-out misses: header-less exports, no context word anywhere
        let t = "Gina Vazquez;1922316507986798;1985-10-31;081734786122;BRI;878375762833125";
        assert_eq!(found(t, K::DateOfBirth), ["1985-10-31"]);
        assert_eq!(found(t, K::Person), ["Gina Vazquez"]);
        let t = "Karsa Permadi;7335262404806914;21 Juli 1983;6281466203984;BTN;3311900685785790";
        assert_eq!(found(t, K::DateOfBirth), ["21 Juli 1983"]);
        assert_eq!(found(t, K::Person), ["Karsa Permadi"]);
        let t = "R.M. Gada Palastri;1204266501772378;04/01/1981;0883-1495-6255;BNI;28543001";
        assert_eq!(found(t, K::Person), ["R.M. Gada Palastri"]);
        let t = "Eric Miller III;3174051204900003;1 Juli 1972;+6281269360534;BRI;39616056921";
        assert_eq!(found(t, K::Person), ["Eric Miller III"]);
        // a surname that is also a street suffix
        let t = "Tiffany Brooks;3623321509958399;05-01-1970;6288754640194;BCA;8807681764";
        assert_eq!(found(t, K::Person), ["Tiffany Brooks"]);
        // a street field without a house number
        let t = "Orchard Road, budi@mail.id, 0812-1111-2222, Tan Ah Kow, 05-01-1970";
        assert!(!found(t, K::Person).contains(&"Orchard Road"));
    }

    #[test]
    fn a_header_line_names_the_columns() {
        // corpus misses when CSV is scanned as text: one-word names, dates after 2012
        let t = "nama_pelanggan;nik;tgl_lahir;no_hp;bank;no_rekening\n\
                 Rafi;9444086004861968;01-03-2015;085820732007;Mandiri;0883059629400";
        assert_eq!(found(t, K::Person), ["Rafi"]);
        assert_eq!(found(t, K::DateOfBirth), ["01-03-2015"]);
        // a date column that is not a birth date stays unmarked, even with an old year
        let t = "nama;nik;tgl_order;no_hp\n\
                 Budi Santoso;3174051204900003;01-03-2005;081234567890";
        assert!(found(t, K::DateOfBirth).is_empty());
        assert_eq!(found(t, K::Person), ["Budi Santoso"]);
    }

    #[test]
    fn comma_records_give_names() {
        let t = "ORD-491295,Dadi Gunawan,schroederpatrick@example.net,643-736-1436,IDR 551000";
        assert_eq!(found(t, K::Person), ["Dadi Gunawan"]);
        let t =
            "24057256728117,Usyi Riyanti, S.Pt,zfischer@example.net,+62 832 1967 7629,Rp3.477.000";
        assert_eq!(found(t, K::Person), ["Usyi Riyanti, S.Pt"]);
    }

    #[test]
    fn record_hard_negatives() {
        // recent dates are order dates; no strong identifier, no record; prose with commas
        let t = "ORD-1;2024-05-12;Rp 1.250.000;0812-3456-7890;dikirim";
        assert!(found(t, K::DateOfBirth).is_empty());
        assert!(found("Budi Santoso;1985-10-31;Jakarta;Bandung", K::DateOfBirth).is_empty());
        let t = "Halo kak, pesanan sudah dikirim tanggal 12-05-1990, resi JP1234567890, HP 081234567890";
        assert!(found(t, K::DateOfBirth).is_empty());
        let t = "SKU-A1;Kaos Polos Hitam;Rp 50.000;budi@example.com";
        assert!(found(t, K::Person).is_empty());
        let t = "12-05-1990, 13-05-1990, 14-05-1990, 15-05-1990";
        assert!(found(t, K::DateOfBirth).is_empty());
        // city fields of an address the address rule did not take
        let t = "ORD-1,Budi Santoso,budi@example.com,Port Terrence,East Rogerville,NC 24924";
        assert_eq!(found(t, K::Person), ["Budi Santoso"]);
    }
}
