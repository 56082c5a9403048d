//! Street addresses.
//!
//! Indonesian: a street word (`Jl.`, `Jalan`, `Gg.`, `Perum`, `Komplek` …) or an address label
//! (`alamat:`, `address:`) followed by address tokens: capitalised words, numbers, `No.`,
//! `RT 02/RW 05`, `Kel.`, `Kec.`, `Kab.`, `Kota`, postal codes, commas. English: a house
//! number, one to four capitalised words and a street suffix (`Street`, `Rd` …), then the
//! same token walk for city, state and ZIP. The walk stops at a new line, `(`, `;`, a
//! lower-case word that is not an address word, a context word (`HP`, `email`, `penerima` …)
//! or the end of a sentence.

use super::Scan;
use super::lexicon::{self, Entry, role};
use crate::kind::{EntityKind as K, Validator as V};

const MAX_BYTES: usize = 240;
const MAX_TOKENS: usize = 30;

/// Words that may sit between `alamat` and the address (`alamat saya di …`).
const FILLERS: &[&[u8]] = &[
    b"saya",
    b"aku",
    b"di",
    b"lengkap",
    b"pengiriman",
    b"kirim",
    b"rumah",
    b"baru",
    b"is",
    b"to",
    b"ke",
    b"kantor",
    b"tujuan",
    b"the",
    b"shipping",
];

const BREAK: u32 = role::ADDR_STOP
    | role::NAME_LABEL
    | role::TITLE
    | role::SIGNOFF
    | role::PHONE
    | role::NIK
    | role::KK
    | role::NPWP
    | role::CARD
    | role::CVV
    | role::NEG
    | role::BANK
    | role::DOB
    | role::PASSPORT;

struct Walk {
    end: usize,
    tokens: usize,
    strong: bool,
    /// A token that starts with a digit (house or unit number, postal code) was taken.
    number: bool,
}

fn token_end(b: &[u8], s: usize) -> usize {
    let mut e = s;
    while e < b.len() {
        let c = b[e];
        let joins = matches!(c, b'/' | b'-' | b'\'')
            && e > s
            && b.get(e + 1)
                .is_some_and(|&n| n.is_ascii_alphanumeric() || n >= 0x80);
        if c.is_ascii_alphanumeric() || c >= 0x80 || joins {
            e += 1;
        } else {
            break;
        }
    }
    e
}

/// Walks address tokens from `p`.
fn walk(b: &[u8], p: usize) -> Walk {
    let mut w = Walk {
        end: p,
        tokens: 0,
        strong: false,
        number: false,
    };
    let mut q = p;
    // Streets named after titled people: "Jl. Ir. H. Djuanda", "Jalan KH Ahmad Dahlan".
    let mut after_street = false;
    while w.tokens < MAX_TOKENS && q < b.len() && q - p < MAX_BYTES {
        // separators: spaces, one comma
        let mut t = q;
        while b.get(t) == Some(&b' ') {
            t += 1;
        }
        if b.get(t) == Some(&b',') {
            t += 1;
            while b.get(t) == Some(&b' ') {
                t += 1;
            }
        }
        let Some(&(mut c)) = b.get(t) else { break };
        // a unit number after the street: `10 Anson Road, #21-02 …`, `Main St #5`
        if c == b'#' && b.get(t + 1).is_some_and(u8::is_ascii_digit) {
            t += 1;
            c = b[t];
        }
        if !(c.is_ascii_alphanumeric() || c >= 0x80) {
            break;
        }
        let te = token_end(b, t);
        let tok = &b[t..te];
        let roles = lexicon::roles(tok);
        let digit_led = c.is_ascii_digit();
        let dotted_number =
            b.get(te) == Some(&b'.') && b.get(te + 1).is_some_and(u8::is_ascii_digit);
        let street_title = after_street && roles & role::TITLE != 0 && c.is_ascii_uppercase();
        // A US state before its ZIP code ("WA 98101") even when it is also a keyword (WA).
        let state_zip = tok.len() == 2
            && tok.iter().all(u8::is_ascii_uppercase)
            && b.get(te) == Some(&b' ')
            && b.len() >= te + 6
            && b[te + 1..te + 6].iter().all(u8::is_ascii_digit)
            && b.get(te + 6).is_none_or(|c| !c.is_ascii_digit());
        // a mobile number after the address (`…, Manokwari 98312, 0821-9911-2233`) ends it: no
        // house number or postal code starts with `08`, and none is longer than 5 with `628`
        let phone_like = digit_led
            && tok.iter().all(|c| c.is_ascii_digit() || *c == b'-')
            && ((tok.starts_with(b"08") && tok.len() >= 4)
                || (tok.starts_with(b"628") && tok.len() > 5));
        let accept = if digit_led {
            !dotted_number && !phone_like
        } else if street_title || state_zip {
            true
        } else if roles & BREAK != 0 && roles & (role::ADDR_PART | role::STREET) == 0 {
            false
        } else if roles & (role::ADDR_PART | role::STREET | role::STREET_SUFFIX) != 0 {
            true
        } else {
            c.is_ascii_uppercase() || c >= 0x80
        };
        if !accept {
            break;
        }
        // "No." must be followed by a number to count.
        if roles & role::ADDR_PART != 0
            && (tok.eq_ignore_ascii_case(b"no") || tok.eq_ignore_ascii_case(b"nomor"))
        {
            let mut n = te;
            while matches!(b.get(n), Some(b'.' | b' ' | b':')) {
                n += 1;
            }
            if !b.get(n).is_some_and(u8::is_ascii_digit) {
                break;
            }
        }
        if (digit_led && tok.len() == 5 && tok.iter().all(u8::is_ascii_digit))
            || tok.eq_ignore_ascii_case(b"rt")
            || tok.eq_ignore_ascii_case(b"rw")
            || roles & role::ADDR_PART != 0 && tok.len() >= 3
        {
            w.strong = true;
        }
        w.tokens += 1;
        w.number |= digit_led;
        after_street = roles & role::STREET != 0 || street_title;
        w.end = te;
        q = te;
        if b.get(te) == Some(&b'.') {
            let short_cap = tok.len() <= 4
                && tok[0].is_ascii_uppercase()
                && b.get(te + 1) == Some(&b' ')
                && b.get(te + 2).is_some_and(u8::is_ascii_uppercase);
            let abbrev = roles & role::ABBREV != 0 || tok.len() == 1 || short_cap;
            if abbrev {
                q = te + 1;
                w.end = te + 1;
            } else {
                break; // end of sentence
            }
        }
    }
    w
}

fn skip_fillers(b: &[u8], mut q: usize) -> usize {
    for _ in 0..3 {
        while b.get(q) == Some(&b' ') {
            q += 1;
        }
        let we = q + b[q..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if we > q && FILLERS.iter().any(|f| f.eq_ignore_ascii_case(&b[q..we])) {
            q = we;
        } else {
            break;
        }
    }
    while matches!(b.get(q), Some(b' ' | b':')) {
        q += 1;
    }
    q
}

/// An Indonesian address from the street word or label `s..e`.
pub(crate) fn indonesian(sc: &mut Scan<'_>, s: usize, e: usize, entry: Entry) -> Option<usize> {
    let b = sc.b;
    let (start, label) = if entry.roles & role::ADDR_LABEL != 0 {
        let mut q = e;
        if b.get(q) == Some(&b'.') {
            q += 1;
        }
        (skip_fillers(b, q), true)
    } else {
        (s, false)
    };
    if start >= b.len() {
        return None;
    }
    let w = walk(b, start);
    let needed = if label { 2 } else { 3 };
    if w.tokens < needed && !(w.strong && w.tokens >= 2) {
        return None;
    }
    let score = if w.strong { 0.9 } else { 0.8 };
    let ctx = if label { Some(entry.word) } else { None };
    let end = trim_end(b, start, w.end);
    sc.push(K::Address, start, end, score, V::AddressStructure, ctx);
    Some(end)
}

/// Street words written before the street's name, after the house number: `18 Rue de la
/// République`, `5 Via Roma`, `12 Calle Mayor`, `7 Rua Augusta`.
const PREFIX_STREETS: &[&[u8]] = &[
    b"rue",
    b"boulevard",
    b"bd",
    b"chemin",
    b"impasse",
    b"quai",
    b"cours",
    b"via",
    b"viale",
    b"calle",
    b"avenida",
    b"rua",
    b"piazza",
    b"corso",
    b"strada",
    b"ulica",
    b"ul",
];

/// Lower-case words inside a street's name: `Rue de la République`, `Via dei Mille`.
const STREET_PARTICLES: &[&[u8]] = &[
    b"de", b"la", b"du", b"des", b"del", b"della", b"dei", b"di", b"da", b"do", b"dos", b"le",
    b"les", b"von", b"van",
];

/// Endings of German, Austrian, Swiss and Dutch street names written as one word, which are
/// followed by the house number: `Schillerstraße 27`, `Rosenweg 4`, `Hauptstr. 5`.
const STREET_ENDINGS: &[&[u8]] = &[
    "straße".as_bytes(),
    b"strasse",
    b"str.",
    b"weg",
    b"gasse",
    b"allee",
    b"platz",
    b"damm",
    b"ufer",
    b"chaussee",
    b"steig",
    b"pfad",
    b"straat",
    b"laan",
    b"plein",
    b"gracht",
];

/// The street ending (`…straße`, `…weg`, `…gracht`) a compound word `w` ends in.
fn street_ending(w: &[u8]) -> Option<&'static [u8]> {
    STREET_ENDINGS
        .iter()
        .find(|x| w.len() > x.len() + 2 && w[w.len() - x.len()..].eq_ignore_ascii_case(x))
        .copied()
}

/// Whether the word `w`, followed by a house number, is a compound street name: it ends a
/// person's name before it (`Tan Siok Lan Goethestraße 8`).
pub(crate) fn street_before_number(w: &[u8], b: &[u8], q: usize) -> bool {
    b.get(q) == Some(&b' ')
        && b.get(q + 1).is_some_and(u8::is_ascii_digit)
        && street_ending(w).is_some()
}

/// Words that open a neighbourhood-level address but mean something else too: a `BTN`
/// housing estate (`BTN` is also a bank), a Balinese `Br.` (*banjar*; `br.` is also Batak
/// *boru*), `Banjar`, `Lingkungan`/`Lingk.`, a Minang `Jorong` or `Nagari`.
const ESTATES: &[&[u8]] = &[
    b"BTN",
    b"Br",
    b"Banjar",
    b"Lingkungan",
    b"Lingk",
    b"Jorong",
    b"Nagari",
];

/// An address opened by one of `ESTATES` at `s..e`: a capitalised name must follow, and the
/// walk after it must hold a strong address part (RT/RW, `Blok`, `Desa`, `Kec.`, a postal
/// code): `BTN Minasa Upa Blok G5 No. 12`, `Br. Tegal, Desa Mas, Kec. Ubud`; not `BTN Syariah
/// 1234567890`.
pub(crate) fn estate(sc: &mut Scan<'_>, s: usize, e: usize) -> Option<usize> {
    let b = sc.b;
    if !ESTATES.iter().any(|x| *x == &b[s..e]) {
        return None;
    }
    let q = e + usize::from(b.get(e) == Some(&b'.'));
    let q = q + usize::from(b.get(q) == Some(&b','));
    if b.get(q) != Some(&b' ') || !b.get(q + 1).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let w = walk(b, q);
    if !w.strong || w.tokens < 3 {
        return None;
    }
    let end = trim_end(b, s, w.end);
    sc.push(K::Address, s, end, 0.85, V::AddressStructure, None);
    Some(end)
}

/// A street written as one compound word and then the house number, postal code and town:
/// `Schillerstraße 27, 10627 Berlin`, `Rosenweg 4, 8001 Zürich`, `Keizersgracht 123, 1015 CJ
/// Amsterdam`. `s` is the capitalised word's first byte.
pub(crate) fn street_compound(sc: &mut Scan<'_>, s: usize) -> Option<usize> {
    let b = sc.b;
    if !b.get(s).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let mut te = s;
    while te < b.len() && (b[te].is_ascii_alphabetic() || b[te] >= 0x80) && te - s < 40 {
        te += 1;
    }
    if b.get(te) == Some(&b'.') {
        te += 1;
    }
    let word = &b[s..te];
    let ending = street_ending(word)?;
    if word.ends_with(b".") != ending.ends_with(b".")
        || b.get(te) != Some(&b' ')
        || !b.get(te + 1).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    // the house number, then at least a postal code or a town
    let w = walk(b, te);
    if w.tokens < 2 {
        return None;
    }
    let end = trim_end(b, s, w.end);
    sc.push(K::Address, s, end, 0.8, V::AddressStructure, None);
    Some(end)
}

/// A street name that starts with a prefix street word (`Rue de la République`) at `p`:
/// where its name ends, when a capitalised word is in it.
fn prefix_street(b: &[u8], p: usize) -> Option<usize> {
    let we = p + b[p..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if !PREFIX_STREETS
        .iter()
        .any(|x| x.eq_ignore_ascii_case(&b[p..we]))
    {
        return None;
    }
    let (mut end, mut q, mut named) = (we, we, false);
    for _ in 0..6 {
        if b.get(q) != Some(&b' ') {
            break;
        }
        let s = q + 1;
        let e = token_end(b, s);
        if e == s {
            break;
        }
        let t = &b[s..e];
        if b[s].is_ascii_uppercase() || (b[s] >= 0x80 && !named) {
            named = true;
            end = e;
        } else if !(STREET_PARTICLES.iter().any(|x| x == &t)
            || (t.len() > 2 && matches!(&t[..2], b"d'" | b"l'")))
        {
            break;
        }
        q = e;
    }
    named.then_some(end)
}

/// An English street address starting with the house number at `i`.
pub(crate) fn english(sc: &mut Scan<'_>, i: usize) -> Option<usize> {
    let b = sc.b;
    let mut q = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    // `221B Baker Street`: one capital letter glued to the house number
    if b.get(q).is_some_and(u8::is_ascii_uppercase) && b.get(q + 1) == Some(&b' ') {
        q += 1;
    }
    if b.get(q) != Some(&b' ') || !b.get(q + 1).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    if let Some(name_end) = prefix_street(b, q + 1) {
        // `18 Rue de la République, 69002 Lyon`: a postal code or town must follow
        let w = walk(b, name_end);
        if w.tokens == 0 {
            return None;
        }
        let end = trim_end(b, i, w.end);
        sc.push(K::Address, i, end, 0.85, V::AddressStructure, None);
        return Some(end);
    }
    // one to four capitalised words, then a street suffix; a weak suffix may be part of the
    // name ("Park Lane", "Green Valley Road"), so the last suffix counts
    let mut found = None;
    let mut p = q;
    for _ in 0..5 {
        if b.get(p) != Some(&b' ') {
            break;
        }
        let s = p + 1;
        let e = s + b[s..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if e == s || !b[s].is_ascii_uppercase() {
            break;
        }
        p = e;
        let r = lexicon::roles(&b[s..e]);
        if r & role::STREET_SUFFIX != 0 {
            let end = if b.get(p) == Some(&b'.') { p + 1 } else { p };
            found = Some((end, r & role::WEAK_SUFFIX != 0));
            if r & role::WEAK_SUFFIX == 0 || end > p {
                break;
            }
        }
    }
    let (q, weak) = found?;
    let w = walk(b, q);
    if weak && !w.number {
        return None;
    }
    let end = trim_end(b, i, w.end.max(q));
    sc.push(K::Address, i, end, 0.85, V::AddressStructure, None);
    Some(end)
}

fn trim_end(b: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(b[end - 1], b' ' | b',' | b'-' | b'/') {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use crate::{EntityKind, detect};

    fn addr(t: &str) -> Vec<&str> {
        detect(t)
            .into_iter()
            .filter(|f| f.kind == EntityKind::Address)
            .map(|f| &t[f.range()])
            .collect()
    }

    #[test]
    fn indonesian_and_english_addresses() {
        assert_eq!(
            addr("Tolong kirim ke Jl. Merdeka No. 10, Bandung 40111. Makasih"),
            ["Jl. Merdeka No. 10, Bandung 40111"]
        );
        assert_eq!(
            addr("alamat: Perum Griya Asri Blok C2 No. 5 RT 03/RW 07, Kec. Depok, Sleman ya kak"),
            ["Perum Griya Asri Blok C2 No. 5 RT 03/RW 07, Kec. Depok, Sleman"]
        );
        assert_eq!(
            addr("ship to 221 Baker Street, London NW1 6XE (call first)"),
            ["221 Baker Street, London NW1 6XE"]
        );
        assert!(addr("jalan-jalan ke mall dulu").is_empty());
        // held-out misses: street suffixes beyond the common ones, titled street names,
        // military mail
        assert_eq!(
            addr("Tolong kirim ke 53645 Brooks Valley, Romeroburgh, CA 85443. Penerima: X"),
            ["53645 Brooks Valley, Romeroburgh, CA 85443"]
        );
        assert_eq!(
            addr("ke 129 Patricia Green, Port Terrence, NC 24924"),
            ["129 Patricia Green, Port Terrence, NC 24924"]
        );
        assert_eq!(
            addr("to Jl. Ir. H. Djuanda No. 91, Madiun, Sumatera Utara 18033. Order"),
            ["Jl. Ir. H. Djuanda No. 91, Madiun, Sumatera Utara 18033"]
        );
        assert_eq!(
            addr("alamat Jalan KH Amin Jasuta No. 419, Batam, BB 70586."),
            ["Jalan KH Amin Jasuta No. 419, Batam, BB 70586"]
        );
        assert_eq!(
            addr("x,IDR 3288000,PSC 6163, Box 1922, APO AP 94825"),
            ["PSC 6163, Box 1922, APO AP 94825"]
        );
        assert_eq!(
            addr("Tolong kirim ke USS Nelson, FPO AP 79980. Penerima"),
            ["USS Nelson, FPO AP 79980"]
        );
        // a weak suffix needs a number after it: quantities of products are not addresses
        assert!(addr("ada 2 Kaos Green ya kak").is_empty());
        // a weak suffix inside the street name, a state that is also a keyword (WA)
        assert_eq!(
            addr("Jasmine Holloway,0812,\"7453 Park Lane, Seattle, WA 98101\",SKU-Z80391"),
            ["7453 Park Lane, Seattle, WA 98101"]
        );
        assert_eq!(addr("kirim ke 7453 Park Lane ya"), ["7453 Park Lane"]);
        assert!(addr("beli 3 Tas Ransel Park, ukuran besar").is_empty());
        assert!(addr("saya tinggal di Bandung").is_empty());
    }
}
