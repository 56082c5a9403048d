//! Structural validators for Indonesian identifiers, IBANs and calendar dates.
//!
//! All functions take ASCII digits (or IBAN characters) without separators and never panic.

use crate::card::luhn_valid;

/// BPS/Kemendagri province codes that start a NIK or KK (Papua provinces of 2022 included).
const PROVINCES: [u8; 38] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

fn all_digits(d: &[u8]) -> bool {
    !d.is_empty() && d.iter().all(u8::is_ascii_digit)
}

/// Whether `year`/`month`/`day` is a real Gregorian date.
pub fn valid_date(year: u32, month: u32, day: u32) -> bool {
    if !(1..=12).contains(&month) || day == 0 {
        return false;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let max = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= max
}

/// `DDMMYY` exists in 19YY or 20YY.
fn valid_ddmmyy(day: u32, month: u32, yy: u32) -> bool {
    valid_date(1900 + yy, month, day) || valid_date(2000 + yy, month, day)
}

/// Region part shared by NIK and KK: province in the table, regency and district not `00`.
fn valid_region(d: &[u8]) -> bool {
    let province = num(&d[0..2]);
    PROVINCES.contains(&(province as u8)) && num(&d[2..4]) != 0 && num(&d[4..6]) != 0
}

/// NIK structure: 16 digits `PP RR SS DDMMYY NNNN`, a known province, non-zero regency and
/// district, a real birth date (women add 40 to the day) and a non-zero serial.
pub fn nik_valid(d: &[u8]) -> bool {
    if d.len() != 16 || !all_digits(d) || !valid_region(d) || num(&d[12..16]) == 0 {
        return false;
    }
    let dd = num(&d[6..8]);
    let day = if dd > 40 { dd - 40 } else { dd };
    valid_ddmmyy(day, num(&d[8..10]), num(&d[10..12]))
}

/// KK structure: like a NIK but the date is the issue date (no +40 for women).
pub fn kk_valid(d: &[u8]) -> bool {
    d.len() == 16
        && all_digits(d)
        && valid_region(d)
        && num(&d[12..16]) != 0
        && valid_ddmmyy(num(&d[6..8]), num(&d[8..10]), num(&d[10..12]))
}

/// Old NPWP: 15 digits whose 9th digit is the Luhn check digit over the first 9.
pub fn npwp15_valid(d: &[u8]) -> bool {
    d.len() == 15 && all_digits(d) && luhn_valid(&d[..9]) && num(&d[..9]) != 0
}

/// New 16-digit NPWP of an entity or non-resident: `0` followed by a valid old NPWP.
/// (A resident's 16-digit NPWP is their NIK; see [`nik_valid`].)
pub fn npwp16_entity_valid(d: &[u8]) -> bool {
    d.len() == 16 && d[0] == b'0' && npwp15_valid(&d[1..])
}

/// IBAN length by country (ISO 13616 registry, the countries a small shop is likely to see).
fn iban_length(country: &[u8]) -> Option<usize> {
    Some(match country {
        b"AD" => 24,
        b"AE" => 23,
        b"AT" => 20,
        b"BE" => 16,
        b"BH" => 22,
        b"CH" => 21,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DK" => 18,
        b"EE" => 20,
        b"ES" => 24,
        b"FI" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GR" => 27,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"MC" => 27,
        b"MT" => 31,
        b"NL" => 18,
        b"NO" => 15,
        b"PL" => 28,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"SA" => 24,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"TR" => 26,
        _ => return None,
    })
}

/// IBAN check: known country, that country's length, alphanumeric BBAN and ISO 7064 mod-97 = 1.
/// `iban` is upper-case without spaces.
pub fn iban_valid(iban: &[u8]) -> bool {
    if iban.len() < 15 || iban.len() > 34 {
        return false;
    }
    if iban_length(&iban[..2]) != Some(iban.len())
        || !iban[2..4].iter().all(u8::is_ascii_digit)
        || !iban[4..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(b - b'A') + 10) % 97;
        }
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nik_structure() {
        assert!(nik_valid(b"3174051204900003"));
        assert!(nik_valid(b"3273015708850002")); // female, day 57 = 17
        assert!(!nik_valid(b"3174053204900003")); // day 32
        assert!(!nik_valid(b"9974051204900003")); // province 99
        assert!(!nik_valid(b"3100051204900003")); // regency 00
        assert!(!nik_valid(b"3174051204900000")); // serial 0000
        assert!(!nik_valid(b"3174052902010003")); // 29 Feb 2001 / 1901
        assert!(nik_valid(b"3174052902000003")); // 29 Feb 2000
        assert!(!nik_valid(b"317405120490000")); // 15 digits
    }

    #[test]
    fn kk_has_no_plus_forty() {
        assert!(kk_valid(b"3174052301150007"));
        assert!(!kk_valid(b"3273015708850002"));
    }

    #[test]
    fn npwp_check_digit() {
        assert!(npwp15_valid(b"013121660091000"));
        assert!(!npwp15_valid(b"013121661091000"));
        assert!(npwp16_entity_valid(b"0013121660091000"));
        assert!(!npwp16_entity_valid(b"1013121660091000"));
    }

    #[test]
    fn iban_mod97() {
        assert!(iban_valid(b"GB82WEST12345698765432"));
        assert!(iban_valid(b"DE89370400440532013000"));
        assert!(!iban_valid(b"GB82WEST12345698765433"));
        assert!(!iban_valid(b"GB82WEST1234569876543")); // wrong length
        assert!(!iban_valid(b"XX82WEST12345698765432"));
    }

    #[test]
    fn dates() {
        assert!(valid_date(2024, 2, 29));
        assert!(!valid_date(2023, 2, 29));
        assert!(!valid_date(2023, 13, 1));
        assert!(!valid_date(2023, 4, 31));
    }
}
