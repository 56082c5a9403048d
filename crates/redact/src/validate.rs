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

/// The SWIFT IBAN registry (ISO 13616): country, total length and BBAN structure, where
/// `n` is a digit, `a` an upper-case letter and `c` either, each after its count (`4a6n8n`
/// for GB). Sorted by country for a binary search. French, British and Finnish territories
/// use their parent's prefix (`FR`, `GB`, `FI`) and so need no row of their own.
pub(crate) const IBAN_REGISTRY: &[([u8; 2], usize, &[u8])] = &[
    (*b"AD", 24, b"4n4n12c"),
    (*b"AE", 23, b"3n16n"),
    (*b"AL", 28, b"8n16c"),
    (*b"AT", 20, b"5n11n"),
    (*b"AZ", 28, b"4a20c"),
    (*b"BA", 20, b"3n3n8n2n"),
    (*b"BE", 16, b"3n7n2n"),
    (*b"BG", 22, b"4a4n2n8c"),
    (*b"BH", 22, b"4a14c"),
    (*b"BI", 27, b"5n5n11n2n"),
    (*b"BR", 29, b"8n5n10n1a1c"),
    (*b"BY", 28, b"4c4n16c"),
    (*b"CH", 21, b"5n12c"),
    (*b"CR", 22, b"4n14n"),
    (*b"CY", 28, b"3n5n16c"),
    (*b"CZ", 24, b"4n6n10n"),
    (*b"DE", 22, b"8n10n"),
    (*b"DJ", 27, b"5n5n11n2n"),
    (*b"DK", 18, b"4n9n1n"),
    (*b"DO", 28, b"4c20n"),
    (*b"EE", 20, b"2n2n11n1n"),
    (*b"EG", 29, b"4n4n17n"),
    (*b"ES", 24, b"4n4n1n1n10n"),
    (*b"FI", 18, b"3n11n"),
    (*b"FK", 18, b"2a12n"),
    (*b"FO", 18, b"4n9n1n"),
    (*b"FR", 27, b"5n5n11c2n"),
    (*b"GB", 22, b"4a6n8n"),
    (*b"GE", 22, b"2a16n"),
    (*b"GI", 23, b"4a15c"),
    (*b"GL", 18, b"4n9n1n"),
    (*b"GR", 27, b"3n4n16c"),
    (*b"GT", 28, b"4c20c"),
    (*b"HN", 28, b"4a20n"),
    (*b"HR", 21, b"7n10n"),
    (*b"HU", 28, b"3n4n1n15n1n"),
    (*b"IE", 22, b"4a6n8n"),
    (*b"IL", 23, b"3n3n13n"),
    (*b"IQ", 23, b"4a3n12n"),
    (*b"IS", 26, b"4n2n6n10n"),
    (*b"IT", 27, b"1a5n5n12c"),
    (*b"JO", 30, b"4a4n18c"),
    (*b"KW", 30, b"4a22c"),
    (*b"KZ", 20, b"3n13c"),
    (*b"LB", 28, b"4n20c"),
    (*b"LC", 32, b"4a24c"),
    (*b"LI", 21, b"5n12c"),
    (*b"LT", 20, b"5n11n"),
    (*b"LU", 20, b"3n13c"),
    (*b"LV", 21, b"4a13c"),
    (*b"LY", 25, b"3n3n15n"),
    (*b"MC", 27, b"5n5n11c2n"),
    (*b"MD", 24, b"2c18c"),
    (*b"ME", 22, b"3n13n2n"),
    (*b"MK", 19, b"3n10c2n"),
    (*b"MN", 20, b"4n12n"),
    (*b"MR", 27, b"5n5n11n2n"),
    (*b"MT", 31, b"4a5n18c"),
    (*b"MU", 30, b"4a2n2n12n3n3a"),
    (*b"NI", 28, b"4a20n"),
    (*b"NL", 18, b"4a10n"),
    (*b"NO", 15, b"4n6n1n"),
    (*b"OM", 23, b"3n16c"),
    (*b"PK", 24, b"4a16c"),
    (*b"PL", 28, b"8n16n"),
    (*b"PS", 29, b"4a21c"),
    (*b"PT", 25, b"4n4n11n2n"),
    (*b"QA", 29, b"4a21c"),
    (*b"RO", 24, b"4a16c"),
    (*b"RS", 22, b"3n13n2n"),
    (*b"RU", 33, b"9n5n15c"),
    (*b"SA", 24, b"2n18c"),
    (*b"SC", 31, b"4a2n2n16n3a"),
    (*b"SD", 18, b"2n12n"),
    (*b"SE", 24, b"3n16n1n"),
    (*b"SI", 19, b"5n8n2n"),
    (*b"SK", 24, b"4n6n10n"),
    (*b"SM", 27, b"1a5n5n12c"),
    (*b"SO", 23, b"4n3n12n"),
    (*b"ST", 25, b"4n4n11n2n"),
    (*b"SV", 28, b"4a20n"),
    (*b"TL", 23, b"3n14n2n"),
    (*b"TN", 24, b"2n3n13n2n"),
    (*b"TR", 26, b"5n1n16c"),
    (*b"UA", 29, b"6n19c"),
    (*b"VA", 22, b"3n15n"),
    (*b"VG", 24, b"4a16n"),
    (*b"XK", 20, b"4n10n2n"),
    (*b"YE", 30, b"4a4n18c"),
];

/// Whether `bban` matches the registry structure `spec` (`4a6n8n`); `spec` lengths sum to
/// `bban.len()` (checked by the caller through the total length).
fn bban_matches(spec: &[u8], bban: &[u8]) -> bool {
    let mut pos = 0;
    let mut count = 0usize;
    for &c in spec {
        if c.is_ascii_digit() {
            count = count * 10 + usize::from(c - b'0');
            continue;
        }
        let Some(part) = bban.get(pos..pos + count) else {
            return false;
        };
        let ok = match c {
            b'n' => part.iter().all(u8::is_ascii_digit),
            b'a' => part.iter().all(u8::is_ascii_uppercase),
            _ => part
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
        };
        if !ok {
            return false;
        }
        pos += count;
        count = 0;
    }
    pos == bban.len()
}

/// IBAN check: a registry country, that country's length and BBAN structure, and ISO 7064
/// mod-97 = 1. `iban` is upper-case without spaces.
pub fn iban_valid(iban: &[u8]) -> bool {
    if iban.len() < 15 || iban.len() > 34 {
        return false;
    }
    let Ok(row) = IBAN_REGISTRY.binary_search_by(|r| r.0[..].cmp(&iban[..2])) else {
        return false;
    };
    let (_, len, spec) = IBAN_REGISTRY[row];
    if len != iban.len()
        || !iban[2..4].iter().all(u8::is_ascii_digit)
        || !bban_matches(spec, &iban[4..])
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

    /// The registry's example IBANs (one per country added after the first 42).
    const REGISTRY_EXAMPLES: &[&str] = &[
        "BG80BNBG96611020345678",
        "AL47212110090000000235698741",
        "IS140159260076545510730339",
        "GI75NWBK000000007099453",
        "MD24AG000225100013104168",
        "ME25505000012345678951",
        "MK07250120000058984",
        "RS35260005601001611379",
        "SM86U0322509800000000270100",
        "VA59001123000012345678",
        "BR1800360305000010009795493C1",
        "UA213223130000026007233566001",
        "PK36SCBL0000001123456702",
        "EG380019000500000000263180002",
        "KZ86125KZT5004100100",
        "XK051212012345678906",
        "SV62CENR00000000000000700025",
        "RU0304452522540817810538091310419",
        "MN121234123456789123",
        "SO211000001001000100141",
        "NI45BAPR00000013000003558124",
        "OM810180000001299123456",
        "YE15CBYE0001018861234567891234",
        "FK88SC123456789012",
        "LC55HEMM000100010012001200023015",
        "ST23000100010051845310146",
        "SC18SSCB11010000000000001497USD",
        "BI4210000100010000332045181",
        "DJ2100010000000154000100186",
        "SD2129010501234001",
        "LY83002048000020100120361",
        "IQ98NBIQ850123456789012",
        "TL380080012345678910157",
        "CR05015202001026284066",
        "GT82TRAJ01020000001210029690",
        "LB62099900000001001901229114",
        "JO94CBJO0010000000000131000302",
        "BY13NBRB3600900000002Z00AB00",
        "AZ21NABZ00000000137010001944",
        "TN5910006035183598478831",
        "VG96VPVG0000012345678901",
        "PS92PALS000000000400123456702",
        "QA58DOHB00001234567890ABCDEFG",
        "MU17BOMM0101101030300200000MUR",
        "HN88CABF00000000000250005469",
    ];

    /// `country` + check digits + `bban`, with the check digits computed.
    fn with_check(country: &[u8], bban: &[u8]) -> Vec<u8> {
        let mut rem: u32 = 0;
        for &b in bban.iter().chain(country).chain(b"00") {
            rem = if b.is_ascii_digit() {
                (rem * 10 + u32::from(b - b'0')) % 97
            } else {
                (rem * 100 + u32::from(b - b'A') + 10) % 97
            };
        }
        let check = 98 - rem;
        let mut v = country.to_vec();
        v.extend_from_slice(format!("{check:02}").as_bytes());
        v.extend_from_slice(bban);
        v
    }

    #[test]
    fn registry_is_sorted_and_consistent() {
        assert!(IBAN_REGISTRY.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(IBAN_REGISTRY.len() >= 89);
        for (cc, len, spec) in IBAN_REGISTRY {
            let mut n = 0;
            let mut sum = 0;
            for &c in *spec {
                if c.is_ascii_digit() {
                    n = n * 10 + usize::from(c - b'0');
                } else {
                    sum += n;
                    n = 0;
                }
            }
            assert_eq!(sum + 4, *len, "{}", String::from_utf8_lossy(cc));
        }
    }

    #[test]
    fn every_registry_country_validates_and_rejects_wrong_structure() {
        for (cc, len, spec) in IBAN_REGISTRY {
            // a BBAN of the right shape: digits `7`, letters `K`
            let mut bban = Vec::new();
            let mut n = 0;
            for &c in *spec {
                if c.is_ascii_digit() {
                    n = n * 10 + usize::from(c - b'0');
                    continue;
                }
                bban.extend(std::iter::repeat_n(if c == b'a' { b'K' } else { b'7' }, n));
                n = 0;
            }
            let good = with_check(cc, &bban);
            assert_eq!(good.len(), *len);
            assert!(iban_valid(&good), "{}", String::from_utf8_lossy(&good));
            // one digit changed: the checksum fails
            let mut bad = good.clone();
            let last = bad.len() - 1;
            bad[last] = if bad[last] == b'7' { b'8' } else { b'7' };
            assert!(!iban_valid(&bad));
            // a letter where the registry wants a digit (or the reverse), checksum recomputed
            let mut wrong = bban.clone();
            let i = bban.len() - 1;
            let digit_wanted = spec.ends_with(b"n");
            let letter_wanted = spec.ends_with(b"a");
            if digit_wanted || letter_wanted {
                wrong[i] = if digit_wanted { b'K' } else { b'7' };
                assert!(!iban_valid(&with_check(cc, &wrong)));
            }
            // one character too many or too few, checksum recomputed
            wrong = bban.clone();
            wrong.push(b'7');
            assert!(!iban_valid(&with_check(cc, &wrong)));
            assert!(!iban_valid(&with_check(cc, &bban[1..])));
        }
    }

    #[test]
    fn registry_examples_validate() {
        for iban in REGISTRY_EXAMPLES {
            assert!(iban_valid(iban.as_bytes()), "{iban}");
        }
        assert!(!iban_valid(b"BG80BNBG96611020345679"));
        assert!(!iban_valid(b"ZZ80BNBG96611020345678"));
    }

    #[test]
    fn dates() {
        assert!(valid_date(2024, 2, 29));
        assert!(!valid_date(2023, 2, 29));
        assert!(!valid_date(2023, 13, 1));
        assert!(!valid_date(2023, 4, 31));
    }
}
