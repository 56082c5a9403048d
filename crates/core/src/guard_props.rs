//! Property tests of the card guard: card numbers of every major brand, written in any way a
//! person still reads as a card number, are found in every JSON shape; ordinary Indonesian data
//! is not.

use super::{find_card_number, find_card_number_in_body, literal_is_card};
use proptest::prelude::*;
use serde_json::Value;

/// Issuer prefixes and lengths of the major brands (the card detector's ranges).
const BRANDS: &[(&str, &[usize])] = &[
    ("4", &[13, 16, 19]),        // Visa
    ("51", &[16]),               // Mastercard
    ("55", &[16]),               // Mastercard
    ("2221", &[16]),             // Mastercard 2-series
    ("2720", &[16]),             // Mastercard 2-series
    ("34", &[15]),               // Amex
    ("37", &[15]),               // Amex
    ("6011", &[16, 17, 18, 19]), // Discover
    ("65", &[16, 19]),           // Discover
    ("3528", &[16, 19]),         // JCB
    ("3589", &[16, 19]),         // JCB
    ("36", &[14, 16, 19]),       // Diners
    ("300", &[14, 16]),          // Diners
    ("62", &[16, 17, 18, 19]),   // UnionPay
    ("50", &[13, 16, 19]),       // Maestro
    ("58", &[13, 16, 19]),       // Maestro
    ("2200", &[16, 19]),         // Mir
    ("6304", &[16, 19]),         // Maestro
];

fn luhn_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 0 {
                let dbl = v * 2;
                if dbl > 9 { dbl - 9 } else { dbl }
            } else {
                v
            }
        })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// A Luhn-valid card number of a major brand, as ASCII digits.
fn card() -> impl Strategy<Value = String> {
    (
        0..BRANDS.len(),
        any::<prop::sample::Index>(),
        any::<[u8; 19]>(),
    )
        .prop_map(|(b, len_i, rnd)| {
            let (prefix, lens) = BRANDS[b];
            let len = lens[len_i.index(lens.len())];
            let mut d: Vec<u8> = prefix.bytes().collect();
            let mut k = 0;
            while d.len() < len - 1 {
                d.push(b'0' + rnd[k] % 10);
                k += 1;
            }
            d.push(luhn_check_digit(&d));
            let s = String::from_utf8(d).expect("ascii");
            assert!(jaga_redact::card::is_card_number(s.as_bytes()), "{s}");
            s
        })
}

/// Separators a person skips over between digit groups.
const SEPARATORS: &[&str] = &[
    " ", "  ", "-", " - ", ".", "/", "_", "\t", "\n", "\r\n", "\u{a0}", "\u{2009}", "\u{202f}",
    "\u{3000}", "\u{2007}", "\u{200b}", "\u{2060}", "\u{ad}", "\u{2013}", "\u{2014}", "\u{2212}",
    "\u{ff0d}", "\u{30fb}", "·", "•", ",", ":", "|", "*", "~", "'", "+", "#",
];

/// Zeros of digit scripts and widths (ASCII, full-width, Arabic-Indic, Persian, Devanagari,
/// Bengali, Thai, Myanmar, Khmer, mathematical bold and monospace).
const ZEROS: &[u32] = &[
    0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1040, 0x17E0, 0x1D7CE, 0x1D7F6,
];

/// A card number written out: random group sizes, separators and digit scripts.
fn written(card: &str, groups: &[usize], seps: &[usize], scripts: &[usize], mixed: bool) -> String {
    let mut out = String::new();
    let mut gi = 0;
    let mut in_group = 0;
    for (i, b) in card.bytes().enumerate() {
        if in_group == groups[gi % groups.len()] {
            out.push_str(SEPARATORS[seps[gi % seps.len()] % SEPARATORS.len()]);
            gi += 1;
            in_group = 0;
        }
        let script = if mixed {
            scripts[i % scripts.len()]
        } else {
            scripts[0]
        };
        let zero = ZEROS[script % ZEROS.len()];
        out.push(char::from_u32(zero + u32::from(b - b'0')).expect("digit"));
        in_group += 1;
    }
    out
}

const BEFORE: &[&str] = &[
    "",
    "kartu ",
    "no: ",
    "(",
    "bayar pakai ",
    "+",
    "CC#",
    "ref-",
];
const AFTER: &[&str] = &["", " ya", ")", " exp 12/27", ".", " a.n. Budi", "\n"];

/// Where a string goes in a request body.
fn place(s: &str, shape: usize) -> Value {
    let v = Value::String(s.to_string());
    match shape % 8 {
        0 => serde_json::json!({ "notes": v }),
        1 => serde_json::json!({ "full_name": v }),
        2 => serde_json::json!({ "address": { "street": v } }),
        3 => serde_json::json!({ "preferences": { "a": { "b": [1, { "c": v }] } } }),
        4 => serde_json::json!({ "preferences": { s: true } }),
        5 => serde_json::json!({ "order_ref": v, "items": [] }),
        6 => serde_json::json!({ "items": [{ "sku": "A-1", "name": v }] }),
        _ => serde_json::json!({ "payment": { "gateway": "other", "token": v } }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn card_numbers_in_any_writing_and_shape_are_found(
        card in card(),
        groups in prop::collection::vec(1usize..=6, 1..6),
        seps in prop::collection::vec(any::<usize>(), 1..6),
        scripts in prop::collection::vec(any::<usize>(), 1..4),
        mixed in any::<bool>(),
        before in 0..BEFORE.len(),
        after in 0..AFTER.len(),
        shape in any::<usize>(),
    ) {
        let text = format!(
            "{}{}{}",
            BEFORE[before],
            written(&card, &groups, &seps, &scripts, mixed),
            AFTER[after]
        );
        prop_assert!(find_card_number(&place(&text, shape)).is_some(), "{:?}", text);
    }

    #[test]
    fn card_numbers_as_json_numbers_are_found(card in card(), form in 0usize..7) {
        let lit = match form {
            0 => card.clone(),
            1 => format!("-{card}"),
            2 => format!("{card}.0"),
            3 => format!("{card}e0"),
            4 => format!("{}.{}e{}", &card[..1], &card[1..], card.len() - 1),
            5 => format!("{card}0e-1"),
            _ => format!("-{}.{}E+{}", &card[..2], &card[2..], card.len() - 2),
        };
        prop_assert!(literal_is_card(&lit), "{}", lit);
        let raw = format!("{{\"preferences\":{{\"n\":[{lit}]}}}}");
        let v: Value = serde_json::from_str(&raw).expect("valid json");
        prop_assert!(find_card_number_in_body(raw.as_bytes(), &v).is_some(), "{}", raw);
    }
}

/// Provinces whose 16-digit NIKs cannot fall in a card range (others are refused in free text
/// one time in ten; in `national_id` every valid NIK is accepted).
const NIK_SAFE_PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92,
    93, 94, 95, 96,
];
const ALL_PROVINCES: &[u32] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

fn nik(province: u32, r: [u32; 6]) -> String {
    let day = 1 + r[2] % 28 + if r[3].is_multiple_of(2) { 0 } else { 40 };
    format!(
        "{province:02}{:02}{:02}{day:02}{:02}{:02}{:04}",
        1 + r[0] % 79,
        1 + r[1] % 50,
        1 + r[3] % 12,
        r[4] % 100,
        1 + r[5] % 9999
    )
}

/// An ordinary Indonesian value: phone, invoice number, resi, price or date.
fn ordinary(kind: usize, r: [u32; 6]) -> String {
    let n = |i: usize, m: u32| r[i] % m;
    match kind % 14 {
        0 => format!(
            "+62 8{}{}-{:04}-{:04}",
            1 + n(0, 9),
            n(1, 10),
            n(2, 10_000),
            n(3, 10_000)
        ),
        1 => format!(
            "08{}{} {:04} {:04}",
            1 + n(0, 9),
            n(1, 10),
            n(2, 10_000),
            n(3, 10_000)
        ),
        2 => format!(
            "628{}{}{:04}{:04}",
            1 + n(0, 9),
            n(1, 10),
            n(2, 10_000),
            n(3, 10_000)
        ),
        3 => format!("(021) {:03}-{:04}", n(0, 1000), n(1, 10_000)),
        4 => format!(
            "INV/{}/{:02}/{:05}",
            2020 + n(0, 8),
            1 + n(1, 12),
            n(2, 100_000)
        ),
        5 => format!(
            "INV-{}{:02}{:02}-{:04}",
            2020 + n(0, 8),
            1 + n(1, 12),
            1 + n(2, 28),
            n(3, 10_000)
        ),
        6 => format!("JP{:05}{:05}", n(0, 100_000), n(1, 100_000)),
        7 => format!("00{:05}{:05}", n(0, 100_000), n(1, 100_000)),
        8 => format!("RR{:09}ID", n(0, 1_000_000_000)),
        9 => format!("10{:06}{:06}", n(0, 1_000_000), n(1, 1_000_000)),
        10 => {
            let rp = n(0, 100_000) * 1000;
            format!("Rp {}.{:03}", rp / 1000, rp % 1000)
        }
        11 => format!("Rp{},00", n(0, 10_000_000)),
        12 => format!(
            "{:02}/{:02}/{} {:02}:{:02}",
            1 + n(0, 28),
            1 + n(1, 12),
            2000 + n(2, 30),
            n(3, 24),
            n(4, 60)
        ),
        _ => format!(
            "{}-{:02}-{:02}",
            2000 + n(0, 30),
            1 + n(1, 12),
            1 + n(2, 28)
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ordinary_indonesian_data_is_not_refused(
        kind in any::<usize>(),
        r in any::<[u32; 6]>(),
        province in any::<prop::sample::Index>(),
        safe in any::<prop::sample::Index>(),
        shape in any::<usize>(),
    ) {
        let value = ordinary(kind, r);
        prop_assert_eq!(find_card_number(&place(&value, shape)), None, "{}", value);
        let note = format!("tolong kirim ke alamat baru, {value} ya");
        prop_assert_eq!(find_card_number(&serde_json::json!({ "notes": note })), None);
        // Every structurally valid NIK in its own field, whatever its province.
        let id = nik(ALL_PROVINCES[province.index(ALL_PROVINCES.len())], r);
        prop_assert!(crate::validate::national_id(&id).is_ok(), "{}", id);
        let body = serde_json::json!({ "national_id": id, "phone": "+62 812-3456-7890" });
        prop_assert_eq!(find_card_number(&body), None);
        // NIKs of provinces outside every card range, in free text too.
        let id = nik(NIK_SAFE_PROVINCES[safe.index(NIK_SAFE_PROVINCES.len())], r);
        let note = format!("NIK {id}");
        prop_assert_eq!(find_card_number(&serde_json::json!({ "notes": note })), None);
        // Prices and quantities as JSON numbers.
        let raw = format!("{{\"amount_minor\":{},\"qty\":{},\"w\":{}.5}}", r[0], r[1] % 100, r[2]);
        let v: Value = serde_json::from_str(&raw).expect("json");
        prop_assert_eq!(find_card_number_in_body(raw.as_bytes(), &v), None);
    }
}
