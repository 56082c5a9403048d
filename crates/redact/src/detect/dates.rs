//! Calendar dates in Indonesian and English writing: `12/05/1990`, `12-05-90`, `1990-05-12`,
//! `12 Mei 1990`, `3rd March 1988`, `March 3, 1988`. A date is only reported as
//! `DATE_OF_BIRTH` when a birth context word is near; other dates are hard negatives.

use super::lexicon::{self, role};
use crate::validate::valid_date;

/// A parsed date: byte span and whether the day/month/year is real.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateSpan {
    pub start: usize,
    pub end: usize,
    /// The four-digit year.
    pub year: u32,
    /// Month and year only (`May 1990`, `05/1990`): reported only right after a birth word.
    pub partial: bool,
}

fn digits_at(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// Value of ASCII digits, saturating (a run of 20 digits must not overflow).
fn num(b: &[u8]) -> u32 {
    b.iter().fold(0u32, |a, d| {
        a.saturating_mul(10).saturating_add(u32::from(d - b'0'))
    })
}

fn year_ok(y: u32, len: usize) -> Option<u32> {
    match len {
        2 => Some(if y > 30 { 1900 + y } else { 2000 + y }),
        4 if (1900..=2035).contains(&y) => Some(y),
        _ => None,
    }
}

/// Whether the byte after a date ends it cleanly (not more digits or a `.digit` continuation).
fn clean_end(b: &[u8], e: usize) -> bool {
    match b.get(e) {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() => false,
        Some(b'.' | b'/' | b'-') => !b.get(e + 1).is_some_and(u8::is_ascii_digit),
        _ => true,
    }
}

/// A month word starting at `i`: returns (month, end of word incl. an abbreviation dot).
fn month_word(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let len = b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let e = lexicon::lookup(&b[i..i + len]).filter(|e| e.roles & role::MONTH != 0)?;
    let mut end = i + len;
    if b.get(end) == Some(&b'.') {
        end += 1;
    }
    Some((u32::from(e.aux), end))
}

/// A date that starts with the digit at `i` (numeric or day-month-name forms).
pub(crate) fn at_digit(b: &[u8], i: usize) -> Option<DateSpan> {
    let n1 = digits_at(b, i);
    if let Some(d) = spaced(b, i, n1) {
        return Some(d);
    }
    let sep = *b.get(i + n1)?;
    // numeric: d/m/y, d-m-y, d.m.y, or y-m-d
    if matches!(sep, b'/' | b'-' | b'.') {
        let j = i + n1 + 1;
        let n2 = digits_at(b, j);
        if (1..=2).contains(&n2) && b.get(j + n2) == Some(&sep) {
            let k = j + n2 + 1;
            let n3 = digits_at(b, k);
            let (a, m, c) = (num(&b[i..i + n1]), num(&b[j..j + n2]), num(&b[k..k + n3]));
            // day-month-year, month-day-year (`5-20-1990`), or year-month-day with an
            // optional ISO time (`1990-05-20T08:30:00Z`)
            let (year, end) = match (n1, n3) {
                (1 | 2, 2 | 4) => (
                    year_ok(c, n3).filter(|&y| valid_date(y, m, a) || valid_date(y, a, m)),
                    k + n3,
                ),
                (4, 1 | 2) => (
                    year_ok(a, 4).filter(|&y| valid_date(y, m, c)),
                    iso_time_end(b, k + n3).unwrap_or(k + n3),
                ),
                _ => (None, k + n3),
            };
            if let Some(year) = year
                && clean_end(b, end)
            {
                return Some(DateSpan {
                    start: i,
                    end,
                    year,
                    partial: false,
                });
            }
        }
        // month/year: `05/1990`, `5-1990`
        if (1..=2).contains(&n1) && n2 == 4 && matches!(sep, b'/' | b'-') {
            let (m, y) = (num(&b[i..i + n1]), num(&b[j..j + n2]));
            if (1..=12).contains(&m) && year_ok(y, 4).is_some() && clean_end(b, j + n2) {
                return Some(DateSpan {
                    start: i,
                    end: j + n2,
                    year: y,
                    partial: true,
                });
            }
        }
        // day-Month-year: `5-May-1990`, `05-MAY-90`, `5/Mei/1990`
        if (1..=2).contains(&n1)
            && let Some(d) = dashed_month(b, i, num(&b[i..i + n1]), j, sep)
        {
            return Some(d);
        }
        return None;
    }
    // day [st|nd|rd|th] [of] Month year
    if !(1..=2).contains(&n1) {
        return None;
    }
    let day = num(&b[i..i + n1]);
    let mut j = i + n1;
    if b[j..].len() >= 2 && matches!(&b[j..j + 2], b"st" | b"nd" | b"rd" | b"th") {
        j += 2;
    }
    if b.get(j) != Some(&b' ') {
        return None;
    }
    j += 1;
    if b[j..].starts_with(b"of ") {
        j += 3;
    }
    let (month, mut k) = month_word(b, j)?;
    if b.get(k) == Some(&b',') {
        k += 1;
    }
    if b.get(k) != Some(&b' ') {
        return None;
    }
    k += 1;
    let n3 = digits_at(b, k);
    // `20 May 1990`, and `20 Mei '90` / `20 May 90` with an apostrophe or two digits
    let apostrophe = n3 == 0 && b.get(k) == Some(&b'\'') && digits_at(b, k + 1) == 2;
    let (k, n3) = if apostrophe { (k + 1, 2) } else { (k, n3) };
    let y = year_ok(num(&b[k..k + n3]), n3)?;
    (valid_date(y, month, day) && clean_end(b, k + n3)).then_some(DateSpan {
        start: i,
        end: k + n3,
        year: y,
        partial: false,
    })
}

/// `17 - 08 - 1985`, `17 / 08 / 1985`: day, month and a four-digit year with a spaced dash
/// or slash between them (the same both times), from the `n1` digits at `i`.
fn spaced(b: &[u8], i: usize, n1: usize) -> Option<DateSpan> {
    let sep_at = |p: usize| {
        (b.get(p) == Some(&b' ')
            && b.get(p + 1).is_some_and(|c| matches!(c, b'-' | b'/'))
            && b.get(p + 2) == Some(&b' '))
        .then(|| b[p + 1])
    };
    if !(1..=2).contains(&n1) {
        return None;
    }
    let sep = sep_at(i + n1)?;
    let j = i + n1 + 3;
    let n2 = digits_at(b, j);
    if !(1..=2).contains(&n2) || sep_at(j + n2) != Some(sep) {
        return None;
    }
    let k = j + n2 + 3;
    let n3 = digits_at(b, k);
    let (d, m) = (num(&b[i..i + n1]), num(&b[j..j + n2]));
    let y = year_ok(num(&b[k..k + n3]), n3).filter(|_| n3 == 4)?;
    (valid_date(y, m, d) && clean_end(b, k + n3)).then_some(DateSpan {
        start: i,
        end: k + n3,
        year: y,
        partial: false,
    })
}

/// A compact eight-digit date at `i`: `17081985` (day-month-year) or `19850817`
/// (year-month-day). Only taken right after a birth word: on its own it is any number.
pub(crate) fn compact(b: &[u8], i: usize) -> Option<DateSpan> {
    // cheap tests first: this runs for every digit run that is no other date
    if b.len() < i + 8
        || b.get(i + 8).is_some_and(u8::is_ascii_digit)
        || !b[i..i + 8].iter().all(u8::is_ascii_digit)
        || !clean_end(b, i + 8)
    {
        return None;
    }
    let d = &b[i..i + 8];
    let dmy = (num(&d[4..]), num(&d[2..4]), num(&d[..2]));
    let ymd = (num(&d[..4]), num(&d[4..6]), num(&d[6..]));
    [dmy, ymd]
        .into_iter()
        .find(|&(y, m, day)| (1900..=2035).contains(&y) && valid_date(y, m, day))
        .map(|(y, _, _)| DateSpan {
            start: i,
            end: i + 8,
            year: y,
            partial: false,
        })
}

/// `5-May-1990` from the day at `i` (value `day`), the month word at `j` after `sep`.
fn dashed_month(b: &[u8], i: usize, day: u32, j: usize, sep: u8) -> Option<DateSpan> {
    if !b.get(j).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let (month, k) = month_word(b, j)?;
    if b.get(k) != Some(&sep) {
        return None;
    }
    let n3 = digits_at(b, k + 1);
    let y = year_ok(num(&b[k + 1..k + 1 + n3]), n3)?;
    let end = k + 1 + n3;
    (valid_date(y, month, day) && clean_end(b, end)).then_some(DateSpan {
        start: i,
        end,
        year: y,
        partial: false,
    })
}

/// End of an ISO 8601 time after a date ending at `e`: `T14:30`, `T14:30:00`, `.123`,
/// then `Z` or `±hh:mm`. Fixed-size steps: linear.
fn iso_time_end(b: &[u8], e: usize) -> Option<usize> {
    let two = |p: usize, max: u32| {
        (digits_at(b, p) >= 2
            && num(&b[p..p + 2]) <= max
            && !b.get(p + 2).is_some_and(u8::is_ascii_digit))
        .then_some(p + 2)
    };
    if b.get(e) != Some(&b'T') {
        return None;
    }
    let mut p = two(e + 1, 23)?;
    if b.get(p) != Some(&b':') {
        return None;
    }
    p = two(p + 1, 59)?;
    if b.get(p) == Some(&b':') {
        p = two(p + 1, 60)?;
        if b.get(p) == Some(&b'.') && digits_at(b, p + 1) > 0 {
            p += 1 + digits_at(b, p + 1).min(9);
        }
    }
    match b.get(p) {
        Some(b'Z') => p += 1,
        Some(b'+' | b'-') => {
            if let Some(h) = two(p + 1, 14)
                && b.get(h) == Some(&b':')
                && let Some(m) = two(h + 1, 59)
            {
                p = m;
            }
        }
        _ => {}
    }
    Some(p)
}

/// A date that starts with a month word at `i`: `March 3, 1988`, `Mei 12 1990`, or only a
/// month and year (`May 1990`, `May-1990`, `Mei, 1990`; partial).
pub(crate) fn at_month(b: &[u8], i: usize) -> Option<DateSpan> {
    let (month, mut j) = month_word(b, i)?;
    if let Some(d) = month_year(b, i, j) {
        return Some(d);
    }
    if b.get(j) != Some(&b' ') {
        return None;
    }
    j += 1;
    let n1 = digits_at(b, j);
    if !(1..=2).contains(&n1) {
        return None;
    }
    let day = num(&b[j..j + n1]);
    let mut k = j + n1;
    // `May 20th, 1990`
    if b[k..].len() >= 2 && matches!(&b[k..k + 2], b"st" | b"nd" | b"rd" | b"th") {
        k += 2;
    }
    if b.get(k) == Some(&b',') {
        k += 1;
    }
    if b.get(k) != Some(&b' ') {
        return None;
    }
    k += 1;
    let n3 = digits_at(b, k);
    let y = year_ok(num(&b[k..k + n3]), n3).filter(|_| n3 == 4)?;
    (valid_date(y, month, day) && clean_end(b, k + n3)).then_some(DateSpan {
        start: i,
        end: k + n3,
        year: y,
        partial: false,
    })
}

/// `May 1990`, `May-1990`, `Mei, 1990` from the month word at `i` ending at `j`.
fn month_year(b: &[u8], i: usize, j: usize) -> Option<DateSpan> {
    let k = match (b.get(j), b.get(j + 1)) {
        (Some(b' ' | b'-'), _) => j + 1,
        (Some(b','), Some(b' ')) => j + 2,
        _ => return None,
    };
    let n = digits_at(b, k);
    let y = year_ok(num(&b[k..k + n]), n).filter(|_| n == 4)?;
    clean_end(b, k + n).then_some(DateSpan {
        start: i,
        end: k + n,
        year: y,
        partial: true,
    })
}

/// Whether the whole of `s` (trimmed) is one date.
pub(crate) fn is_whole_date(s: &str) -> Option<DateSpan> {
    let t = s.trim();
    let off = s.len() - s.trim_start().len();
    let b = t.as_bytes();
    let d = match b.first()? {
        c if c.is_ascii_digit() => at_digit(b, 0)?,
        _ => at_month(b, 0)?,
    };
    (d.end == b.len()).then_some(DateSpan {
        start: off,
        end: off + d.end,
        ..d
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(s: &str) -> bool {
        is_whole_date(s).is_some()
    }

    #[test]
    fn date_forms() {
        for s in [
            "12/05/1990",
            "12-05-90",
            "1990-05-12",
            "12.05.1990",
            "12 Mei 1990",
            "3rd March 1988",
            "3 of March 1988",
            "March 3, 1988",
            "17 Agustus 1945",
            "5 Des. 2001",
            "5-20-1990",
            "05-20-1990",
            "5-May-1990",
            "05-MEI-90",
            "1990-05-20T08:30:00Z",
            "2024-03-15T14:30:00.123+07:00",
            "May 1990",
            "Mei-1990",
            "05/1990",
            "May 20th, 1990",
            "20 Mei '90",
            "20 May 90",
            "17 - 08 - 1985",
            "17 / 8 / 1985",
            "5th May 1990",
            "5th of May 1990",
            "17 Ags 1985",
            "5 Nop 1985",
            "5 Peb 1985",
            "5 Mrt 1985",
        ] {
            assert!(whole(s), "{s}");
        }
        for s in [
            "31/02/1990",
            "12 Foo 1990",
            "0812-3456-7890",
            "10.10.10.10",
            "1.250.000",
            "13/1990",
            "5-Foo-1990",
            "1990-05-20T25:00",
            "May 90",
            "17 - 08 / 1985",
            "17 - 13 - 1985",
            "17 - 08 - 85",
        ] {
            assert!(!whole(s), "{s}");
        }
        let c = |s: &str| compact(s.as_bytes(), 0).map(|d| d.year);
        assert_eq!(c("17081985"), Some(1985));
        assert_eq!(c("19850817"), Some(1985));
        assert_eq!(c("31021985"), None);
        assert_eq!(c("12345678"), None);
        assert_eq!(c("170819851"), None);
    }
}
