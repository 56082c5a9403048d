//! Value generators with real structure (NIK +40 rule, NPWP check digit, Luhn cards in issuer
//! ranges, mod-97 IBANs, bank-specific account lengths) and hard-negative generators.

use super::Rng;
use crate::card::luhn_valid;

const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 94,
];

/// Given names the detector's gazetteer does *not* contain.
const UNSEEN_GIVEN: &[&str] = &[
    "Aryani", "Bagas", "Candra", "Darmawan", "Esti", "Fikri", "Gita", "Haris", "Ilham", "Jaya",
    "Kurnia", "Lusi", "Mulyadi", "Nining", "Oktavia", "Prasetya", "Ridwan", "Sekar", "Taufik",
    "Umi", "Viona", "Wendi", "Yohana", "Zulkifli", "Brandon", "Chloe", "Dexter", "Fiona", "Gavin",
    "Holly", "Jasmine", "Agustina",
];
/// Surnames the gazetteer does not contain.
const UNSEEN_SURNAMES: &[&str] = &[
    "Simatupang",
    "Pardede",
    "Wahyudi",
    "Syahputra",
    "Kartasasmita",
    "Hutagalung",
    "Situmorang",
    "Daulay",
    "Wibisono",
    "Fletcher",
    "Gallagher",
    "Holloway",
    "Whitmore",
    "Rusdi",
];
const STREETS: &[&str] = &[
    "Merdeka",
    "Sudirman",
    "Diponegoro",
    "Gatot Subroto",
    "Ahmad Yani",
    "Pahlawan",
    "Veteran",
    "Kenanga",
    "Melati",
    "Mawar",
    "Cempaka Putih",
    "Raya Bogor",
    "Kaliurang",
    "Gajah Mada",
    "Hayam Wuruk",
    "Teuku Umar",
    "Pemuda",
    "Siliwangi",
    "Asia Afrika",
    "Dago",
];
const AREAS: &[&str] = &[
    "Menteng",
    "Cibubur",
    "Sukajadi",
    "Coblong",
    "Tegalsari",
    "Wonokromo",
    "Depok",
    "Sleman",
    "Kebayoran Baru",
    "Cengkareng",
    "Tembalang",
    "Lowokwaru",
    "Panakkukang",
    "Denpasar Selatan",
];
const CITIES: &[&str] = &[
    "Jakarta Selatan",
    "Bandung",
    "Surabaya",
    "Yogyakarta",
    "Semarang",
    "Malang",
    "Medan",
    "Makassar",
    "Denpasar",
    "Bekasi",
    "Tangerang",
    "Bogor",
    "Palembang",
    "Pekanbaru",
];
const EN_STREETS: &[&str] = &[
    "Oak", "Maple", "Baker", "Elm", "High", "Church", "Park", "Mill",
];
const EN_SUFFIX: &[&str] = &["Street", "Road", "Avenue", "Lane", "Drive", "St.", "Rd."];
const EN_CITIES: &[&str] = &[
    "Springfield, IL 62704",
    "Austin, TX 78701",
    "London NW1 6XE",
    "Manchester M1 1AE",
    "Seattle, WA 98101",
    "Singapore 238823",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.co.id",
    "outlook.com",
    "hotmail.com",
    "tokoku.id",
    "mail.co.id",
];
/// (bank, account length).
pub(crate) const BANKS: &[(&str, usize)] = &[
    ("BCA", 10),
    ("BNI", 10),
    ("Mandiri", 13),
    ("BRI", 15),
    ("BSI", 10),
    ("CIMB Niaga", 13),
    ("BTN", 16),
    ("Danamon", 10),
    ("Permata", 10),
];
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn digits(r: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + r.below(10) as u8))
        .collect()
}

fn luhn_complete(payload: &str) -> String {
    (0..10)
        .map(|d| format!("{payload}{d}"))
        .find(|s| luhn_valid(s.as_bytes()))
        .unwrap_or_default()
}

fn group(s: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    for &n in sizes {
        if i >= s.len() {
            break;
        }
        out.push(&s[i..(i + n).min(s.len())]);
        i += n;
    }
    if i < s.len() {
        out.push(&s[i..]);
    }
    out.join(sep)
}

/// A birth date (year, month, day).
pub(crate) fn date(r: &mut Rng, from: u32, to: u32) -> (u32, u32, u32) {
    let y = from + r.below(u64::from(to - from + 1)) as u32;
    (y, 1 + r.below(12) as u32, 1 + r.below(28) as u32)
}

pub(crate) fn nik(r: &mut Rng) -> String {
    let (y, m, d) = date(r, 1950, 2006);
    let dd = if r.chance(0.5) { d + 40 } else { d };
    let p = PROVINCES[r.below(PROVINCES.len() as u64) as usize];
    format!(
        "{p}{:02}{:02}{dd:02}{m:02}{:02}{:04}",
        1 + r.below(79),
        1 + r.below(40),
        y % 100,
        1 + r.below(2999)
    )
}

pub(crate) fn nik_written(r: &mut Rng) -> String {
    let n = nik(r);
    match r.below(20) {
        0 => group(&n, &[2, 2, 2, 6, 4], "."),
        1 => group(&n, &[4, 4, 4, 4], " "),
        _ => n,
    }
}

pub(crate) fn kk(r: &mut Rng) -> String {
    let (y, m, d) = date(r, 2005, 2024);
    let p = PROVINCES[r.below(PROVINCES.len() as u64) as usize];
    format!(
        "{p}{:02}{:02}{d:02}{m:02}{:02}{:04}",
        1 + r.below(79),
        1 + r.below(40),
        y % 100,
        1 + r.below(2999)
    )
}

pub(crate) fn npwp(r: &mut Rng) -> String {
    let head = format!("{:02}{}", r.pick(&[1, 2, 3, 7, 8, 9, 31]), digits(r, 6));
    let n15 = format!(
        "{}{}{}",
        luhn_complete(&head),
        digits(r, 3),
        r.pick(&["000", "001", "002"])
    );
    match r.below(4) {
        0 | 1 => format!(
            "{}.{}.{}.{}-{}.{}",
            &n15[0..2],
            &n15[2..5],
            &n15[5..8],
            &n15[8..9],
            &n15[9..12],
            &n15[12..15]
        ),
        2 => n15,
        _ => format!("0{n15}"),
    }
}

pub(crate) fn passport(r: &mut Rng) -> String {
    let l = r.pick(&["A", "B", "C", "X", "E"]);
    let sep = if r.chance(0.2) { " " } else { "" };
    format!("{l}{sep}{}", digits(r, 7))
}

const MOBILE: &[&str] = &[
    "811", "812", "813", "821", "822", "823", "851", "852", "853", "814", "815", "816", "855",
    "856", "857", "858", "817", "818", "819", "859", "877", "878", "831", "832", "833", "838",
    "895", "896", "897", "898", "899", "881", "882", "883", "887", "888", "889",
];

/// An Indonesian mobile number in one of the common writings.
pub(crate) fn phone_id(r: &mut Rng) -> String {
    let pre = r.pick(MOBILE);
    let len = 7 + r.below(2) as usize;
    let rest = digits(r, len);
    let a = &rest[..4];
    let b = &rest[4..];
    match r.below(8) {
        0 => format!("0{pre}{rest}"),
        1 => format!("0{pre}-{a}-{b}"),
        2 => format!("0{pre} {a} {b}"),
        3 => format!("+62 {pre}-{a}-{b}"),
        4 => format!("+62{pre}{rest}"),
        5 => format!("62{pre}{rest}"),
        6 => format!("+62 {pre} {a} {b}"),
        _ => format!("0{pre}{rest}"),
    }
}

/// Any phone: mostly Indonesian mobile, some landlines and international numbers.
pub(crate) fn phone(r: &mut Rng) -> String {
    match r.below(10) {
        0 => format!(
            "(0{}) {}-{}",
            r.pick(&["21", "22", "31", "274"]),
            digits(r, 3),
            digits(r, 4)
        ),
        1 => match r.below(3) {
            0 => format!("+1 415 555 {}", digits(r, 4)),
            1 => format!("+44 20 7946 {}", digits(r, 4)),
            _ => format!("+65 9{} {}", digits(r, 3), digits(r, 4)),
        },
        _ => phone_id(r),
    }
}

pub(crate) fn email(r: &mut Rng, name: &str) -> String {
    let mut local: String = name
        .split_whitespace()
        .next()
        .unwrap_or("user")
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match r.below(3) {
        0 => local.push_str(&digits(r, 2)),
        1 => local.push_str(&format!(".{}", r.pick(&["shop", "id", "olshop", "work"]))),
        _ => {}
    }
    format!("{local}@{}", r.pick(DOMAINS))
}

/// A Luhn-valid card number in a real issuer range, plain, spaced or dashed.
pub(crate) fn card(r: &mut Rng) -> String {
    let (prefix, len, amex) = match r.below(6) {
        0 => ("4".to_string(), 16, false),
        1 => (format!("5{}", 1 + r.below(5)), 16, false),
        2 => (format!("{}", 2221 + r.below(500)), 16, false),
        3 => (format!("3{}", r.pick(&[4, 7])), 15, true),
        4 => (format!("{}", 3528 + r.below(62)), 16, false),
        _ => ("62".to_string(), 16, false),
    };
    let payload = format!("{prefix}{}", digits(r, len - 1 - prefix.len()));
    let n = luhn_complete(&payload);
    let sep = r.pick(&["", " ", "-"]);
    if sep.is_empty() {
        n
    } else if amex {
        group(&n, &[4, 6, 5], sep)
    } else {
        group(&n, &[4, 4, 4, 4], sep)
    }
}

pub(crate) fn cvv(r: &mut Rng) -> String {
    digits(r, 3)
}

fn iban_check(country: &str, bban: &str) -> String {
    let s = format!("{bban}{country}00");
    let mut rem = 0u32;
    for c in s.bytes() {
        rem = if c.is_ascii_digit() {
            (rem * 10 + u32::from(c - b'0')) % 97
        } else {
            (rem * 100 + u32::from(c - b'A') + 10) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

pub(crate) fn iban(r: &mut Rng) -> String {
    let s = match r.below(3) {
        0 => iban_check(
            "GB",
            &format!("{}{}", r.pick(&["WEST", "BARC", "HSBC"]), digits(r, 14)),
        ),
        1 => iban_check("DE", &digits(r, 18)),
        _ => iban_check(
            "NL",
            &format!("{}{}", r.pick(&["ABNA", "INGB", "RABO"]), digits(r, 10)),
        ),
    };
    if r.chance(0.5) {
        s.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        s
    }
}

/// (bank name, account number as written).
pub(crate) fn bank_account(r: &mut Rng) -> (&'static str, String) {
    let (bank, len) = BANKS[r.below(BANKS.len() as u64) as usize];
    let first = if bank == "BTN" {
        "00".to_string()
    } else {
        format!("{}", r.below(10))
    };
    let n = format!("{first}{}", digits(r, len - first.len()));
    let written = if bank == "BRI" && r.chance(0.5) {
        group(&n, &[4, 2, 6, 2, 1], "-")
    } else if r.chance(0.15) {
        group(&n, &[3, 3, 4, 3, 3], "-")
    } else {
        n
    };
    (bank, written)
}

pub(crate) fn dob(r: &mut Rng) -> String {
    let (y, m, d) = date(r, 1955, 2006);
    match r.below(6) {
        0 => format!("{d} {} {y}", MONTHS_ID[m as usize - 1]),
        1 => format!("{d:02}/{m:02}/{y}"),
        2 => format!("{d:02}-{m:02}-{y}"),
        3 => format!("{y}-{m:02}-{d:02}"),
        4 => format!("{} {d}, {y}", MONTHS_EN[m as usize - 1]),
        _ => format!("{d} {} {y}", MONTHS_EN[m as usize - 1]),
    }
}

pub(crate) fn address_id(r: &mut Rng) -> String {
    let city = r.pick(CITIES);
    let postal = format!("{}{}", 1 + r.below(9), digits(r, 4));
    let no = 1 + r.below(200);
    let head = match r.below(5) {
        0 | 1 => format!("Jl. {} No. {no}", r.pick(STREETS)),
        2 => format!("Jalan {} {no}", r.pick(STREETS)),
        3 => format!(
            "Perum {} Blok {}{} No. {}",
            r.pick(&["Griya Asri", "Bumi Indah", "Taman Sari", "Villa Melati"]),
            r.pick(&["A", "B", "C", "D"]),
            1 + r.below(9),
            1 + r.below(30)
        ),
        _ => format!(
            "Gg. {} No. {no}",
            r.pick(&["Mawar", "Haji Naim", "Kelinci", "Damai"])
        ),
    };
    let mut parts = vec![head];
    if r.chance(0.5) {
        parts.push(format!(
            "RT {:02}/RW {:02}",
            1 + r.below(15),
            1 + r.below(12)
        ));
    }
    if r.chance(0.4) {
        parts.push(format!("Kel. {}", r.pick(AREAS)));
    }
    if r.chance(0.5) {
        parts.push(format!("Kec. {}", r.pick(AREAS)));
    }
    parts.push(if r.chance(0.5) {
        format!("{city} {postal}")
    } else {
        city.to_string()
    });
    parts.join(", ")
}

pub(crate) fn address_en(r: &mut Rng) -> String {
    format!(
        "{} {} {}, {}",
        1 + r.below(9000),
        r.pick(EN_STREETS),
        r.pick(EN_SUFFIX),
        r.pick(EN_CITIES)
    )
}

/// (given, full name). 30 % of names use words outside the detector's gazetteer.
pub(crate) fn person(r: &mut Rng) -> String {
    let unseen = r.chance(0.3);
    let given = if unseen {
        r.pick(UNSEEN_GIVEN).to_string()
    } else {
        capital(r.pick(crate::detect::lexicon::given_names()))
    };
    if r.chance(0.25) {
        return given;
    }
    let surname = if unseen || r.chance(0.2) {
        r.pick(UNSEEN_SURNAMES).to_string()
    } else {
        capital(r.pick(crate::detect::lexicon::surnames()))
    };
    format!("{given} {surname}")
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(crate) fn ipv4(r: &mut Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        10 + r.below(200),
        r.below(256),
        r.below(256),
        1 + r.below(254)
    )
}

// ---- hard negatives ----

pub(crate) fn order_id(r: &mut Rng) -> String {
    match r.below(5) {
        0 => format!(
            "INV/{}/{:02}/{}",
            2023 + r.below(3),
            1 + r.below(12),
            digits(r, 5)
        ),
        1 => format!(
            "INV/2025{:02}{:02}/MPL/{}",
            1 + r.below(12),
            1 + r.below(28),
            digits(r, 10)
        ),
        2 => format!("#{}", digits(r, 8)),
        3 => format!("ORD-{}", digits(r, 6)),
        _ => format!(
            "2411{}{}",
            digits(r, 2),
            r.pick(&["ABCDEF", "KX9QWE", "PQRS7T"])
        ),
    }
}

pub(crate) fn resi(r: &mut Rng) -> String {
    match r.below(4) {
        0 => format!("JP{}", digits(r, 10)),
        1 => format!("SPXID{}", digits(r, 12)),
        2 => format!("CGK{}", digits(r, 11)),
        _ => format!("JD{}", digits(r, 10)),
    }
}

pub(crate) fn amount(r: &mut Rng) -> String {
    let v = (10 + r.below(5000)) * 1000;
    let dotted = v
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(".");
    match r.below(4) {
        0 => format!("Rp {dotted}"),
        1 => format!("Rp{dotted},00"),
        2 => format!("IDR {v}"),
        _ => format!("{}rb", v / 1000),
    }
}

pub(crate) fn sku(r: &mut Rng) -> String {
    format!("SKU-{}{}", r.pick(&["A", "B", "K", "Z"]), digits(r, 5))
}

pub(crate) fn plain_date(r: &mut Rng) -> String {
    let (y, m, d) = date(r, 2024, 2026);
    match r.below(3) {
        0 => format!("{d:02}/{m:02}/{y}"),
        1 => format!("{d} {} {y}", MONTHS_ID[m as usize - 1]),
        _ => format!("{y}-{m:02}-{d:02}"),
    }
}

/// A 16-digit number in card layout that fails Luhn.
pub(crate) fn luhn_bad(r: &mut Rng) -> String {
    let good = card_digits(r);
    let last = good.as_bytes()[15] - b'0';
    let bad = format!("{}{}", &good[..15], (last + 1 + r.below(8) as u8) % 10);
    group(&bad, &[4, 4, 4, 4], " ")
}

fn card_digits(r: &mut Rng) -> String {
    luhn_complete(&format!("4{}", digits(r, 14)))
}

/// A 16-digit transaction number whose NIK structure is invalid (province 99 / 88).
pub(crate) fn trx16(r: &mut Rng) -> String {
    format!("{}{}", r.pick(&["99", "88", "00"]), digits(r, 14))
}

/// An Indonesian EAN-13 barcode (prefix 899).
pub(crate) fn ean(r: &mut Rng) -> String {
    format!("899{}", digits(r, 10))
}

pub(crate) fn otp(r: &mut Rng) -> String {
    digits(r, 6)
}
