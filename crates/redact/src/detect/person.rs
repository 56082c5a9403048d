//! Person names: after a title (`Bpk.`, `Ibu`, `Kak`, `Mr`), a label (`nama:`, `a/n`,
//! `penerima:`), a sign-off (`Regards,` + new line), or starting with a given name from the
//! gazetteer. A name is one to four words that are capitalised (or, after an informal title
//! such as `kak`, a lower-case gazetteer name); stop words, context words and all-caps
//! acronyms end it.

use super::lexicon::{self, Entry, role};
use super::{Scan, names};
use crate::kind::{EntityKind as K, Validator as V};

/// Words that may sit between a name label and the name (`nama lengkap: …`, `atas nama saya …`).
const FILLERS: &[&[u8]] = &[
    b"saya",
    b"aku",
    b"lengkap",
    b"pemesan",
    b"akun",
    b"penerima",
    b"customer",
    b"pelanggan",
    b"is",
    b"adalah",
];

/// Lower-case particles between the parts of one name: Batak `br.`/`boru` before a marga,
/// Malay and Arabic `bin`/`binti`, Dutch and German `van`/`von`.
const PARTICLES: &[&[u8]] = &[b"br", b"boru", b"bin", b"binti", b"bt", b"van", b"von"];

/// Written-short forms of Muhammad that take a full stop like an initial.
const NAME_ABBREVS: &[&[u8]] = &[
    b"muh", b"moh", b"mhd", b"moch", b"mochd", b"mohd", b"muhd", b"mhmd", b"abd",
];

pub(crate) const NOT_NAME: u32 = role::STOP
    | role::TITLE
    | role::NAME_LABEL
    | role::STREET
    | role::ADDR_LABEL
    | role::ADDR_PART
    | role::MONTH
    | role::SIGNOFF
    | role::CONTEXT;

pub(crate) struct Name {
    pub start: usize,
    pub end: usize,
    pub words: usize,
    pub gazetteer: bool,
}

fn letter(c: u8) -> bool {
    c.is_ascii_alphabetic() || c >= 0x80
}

/// Whether the `'` or `-` at `q` joins two parts of one name word that started at `ws`:
/// `Ma'ruf`, `O'Brien`, `Siti-Nur`. An apostrophe before a capital after a longer part
/// (`rina'Jl.`) is a quote mark gluing two words, not a name.
fn joins_name(b: &[u8], ws: usize, q: usize) -> bool {
    let Some(&next) = b.get(q + 1) else {
        return false;
    };
    match b[q] {
        b'-' => q > ws && letter(next),
        b'\'' => q > ws && letter(next) && (q - ws == 1 || !next.is_ascii_uppercase()),
        _ => false,
    }
}

/// The name starting at `p`, if any.
pub(crate) fn name_words(b: &[u8], p: usize, allow_lower: bool) -> Option<Name> {
    let mut q = p;
    let mut name = Name {
        start: p,
        end: p,
        words: 0,
        gazetteer: false,
    };
    let mut max_words = 4;
    while name.words < max_words && q < b.len() {
        let ws = q;
        while q < b.len() && (letter(b[q]) || joins_name(b, ws, q)) {
            q += 1;
        }
        // A word glued to a digit, a dash, a slash, an @ or a bracket is part of a code; when
        // a quote mark came before the code (`rina'budi@…`), the word ends at the quote.
        let glued = |q: usize| {
            b.get(q).is_some_and(|&c| {
                c.is_ascii_digit() || matches!(c, b'-' | b'/' | b'@' | b'[' | b'_')
            }) || b[q.min(b.len())..].starts_with(b"::")
        };
        if q > ws && glued(q) {
            match b[ws..q].iter().rposition(|&c| c == b'\'') {
                Some(a) if a > 0 => q = ws + a,
                _ => break,
            }
        }
        if q == ws {
            break;
        }
        let w = &b[ws..q];
        // A marga or patronymic particle inside a name (`Romauli br. Simanjuntak`, `Nurul
        // Izzati binti Ahmad`, `Ruud van Dijk`): kept when a capitalised word follows it.
        if name.words > 0 && PARTICLES.iter().any(|p| p.eq_ignore_ascii_case(w)) {
            let k = q + usize::from(b.get(q) == Some(&b'.'));
            if b.get(k) == Some(&b' ') && b.get(k + 1).is_some_and(u8::is_ascii_uppercase) {
                q = k + 1;
                continue;
            }
            break;
        }
        if name.words > 0 && w.len() > 5 && super::address::street_before_number(w, b, q) {
            break;
        }
        let roles = lexicon::roles(w);
        let in_gaz = roles & (role::GIVEN | role::SURNAME) != 0;
        let cap = w[0].is_ascii_uppercase();
        let all_caps = w.len() > 1 && w.iter().all(|c| !c.is_ascii_lowercase());
        // `M.` and the written-short forms of Muhammad (`Muh.`, `Moh.`, `Mhd.`, `Moch.`)
        let initial = cap
            && b.get(q) == Some(&b'.')
            && (w.len() == 1 || NAME_ABBREVS.iter().any(|a| a.eq_ignore_ascii_case(w)));
        // An honorific inside the name ("a/n Drs. Sari", "Bpk. H. Ahmad") is kept with it.
        let honorific =
            roles & role::TITLE != 0 && roles & role::ABBREV != 0 && b.get(q) == Some(&b'.');
        if honorific && name.words == 0 {
            q += 1;
            if b.get(q) == Some(&b' ') {
                q += 1;
                name.start = q;
                continue;
            }
            break;
        }
        let next_cap_word = b.get(q) == Some(&b' ')
            && b.get(q + 1).is_some_and(u8::is_ascii_uppercase)
            && b.get(q + 2).is_some_and(u8::is_ascii_lowercase);
        let ok = if in_gaz {
            cap || allow_lower
        } else if name.words == 0 && (w == b"I" || w == b"Ni") && names::bali_next(b, q) {
            // Balinese `I`/`Ni` before a birth-order name or caste title (`I Wayan …`,
            // `I Gusti Ngurah Rai Wirawan`): part of the name, which may run longer
            max_words = 6;
            true
        } else if w == b"Anak" && next_word_is(b, q, b"Agung") {
            // the Balinese title `Anak Agung` (`anak` alone is a common word)
            true
        } else if roles & role::MONTH != 0
            && name.words > 0
            && cap
            && names::month_name(w)
            && !names::date_next(b, q)
        {
            // a month that is a given-name part inside a name (`Lim Mei Hua`), unless a day or
            // year stands next to it (`Budi Mei 1990`)
            true
        } else if roles & NOT_NAME & !(role::MONTH | role::STOP) == 0
            && roles & role::MONTH != 0
            && name.words == 0
            && cap
            && next_cap_word
        {
            // a month that is a given name: "April Baird", "Juli Susanti" (not "Juli 2024")
            true
        } else if roles & NOT_NAME & !(role::BANK | role::STOP) == 0
            && roles & role::BANK != 0
            && name.words > 0
            && cap
            && !all_caps
            && !(b.get(q) == Some(&b' ') && b.get(q + 1).is_some_and(u8::is_ascii_digit))
        {
            // a bank name that is a surname: "Yono Permata" (not "Budi Permata 1234567890")
            true
        } else if name.words > 0 && w.eq_ignore_ascii_case(b"daeng") && cap && next_cap_word {
            // the Bugis-Makassar title inside a name (`Syahrul Daeng Ngalle`)
            true
        } else if roles & NOT_NAME != 0 {
            false
        } else {
            initial || (cap && !all_caps && w.len() > 1)
        };
        if !ok {
            break;
        }
        name.gazetteer |= in_gaz;
        name.words += 1;
        if initial {
            q += 1;
        }
        name.end = q;
        if b.get(q) == Some(&b' ') {
            q += 1;
        } else if initial && b.get(q).is_some_and(u8::is_ascii_uppercase) {
            // "R.M. Gada", "R.A. Kartini": initials written together
        } else {
            break;
        }
    }
    // A generational suffix after a full name: "Eric Miller III", "John Smith Jr."
    if name.words >= 2 {
        name.end = generation_suffix(b, name.end);
    }
    // Academic degrees after a comma: ", S.Kom", ", M.Pd", ", S.E.I".
    if name.words > 0 {
        name.end = degree_suffix(b, name.end);
    }
    // A trailing initial alone ("Budi S.") is fine; a name that is only an initial is not.
    (name.words > 0 && name.end - name.start > 2).then_some(name)
}

/// Extends past ` II`, ` III`, ` IV`, ` Jr.`, ` Sr.` after a name ending at `end`.
fn generation_suffix(b: &[u8], end: usize) -> usize {
    for suffix in [
        &b" III"[..],
        b" II",
        b" IV",
        b" Jr.",
        b" Sr.",
        b" Jr",
        b" Sr",
    ] {
        let e = end + suffix.len();
        if b[end..].starts_with(suffix) && b.get(e).is_none_or(|c| !c.is_ascii_alphanumeric()) {
            return e;
        }
    }
    end
}

/// Extends past `, S.Kom`-style degrees (capital, up to 3 letters, dot; repeated).
fn degree_suffix(b: &[u8], end: usize) -> usize {
    if !b[end..].starts_with(b", ") {
        return end;
    }
    let mut q = end + 2;
    let mut pieces = 0;
    loop {
        let s = q;
        if !b.get(q).is_some_and(u8::is_ascii_uppercase) {
            break;
        }
        q += 1;
        while q - s < 4 && b.get(q).is_some_and(u8::is_ascii_alphabetic) {
            q += 1;
        }
        let dot = b.get(q) == Some(&b'.');
        if dot {
            q += 1;
        }
        pieces += 1;
        if !dot {
            break;
        }
    }
    let boundary = b.get(q).is_none_or(|c| !c.is_ascii_alphanumeric());
    if pieces >= 2 && boundary { q } else { end }
}

/// Whether the word after the space at `q` is `word`, followed by a non-letter.
fn next_word_is(b: &[u8], q: usize, word: &[u8]) -> bool {
    b.get(q) == Some(&b' ')
        && b[q + 1..].starts_with(word)
        && !b
            .get(q + 1 + word.len())
            .is_some_and(u8::is_ascii_alphabetic)
}

pub(crate) fn skip_spaces(b: &[u8], mut p: usize) -> usize {
    while b.get(p) == Some(&b' ') {
        p += 1;
    }
    p
}

/// After a title, label or sign-off word `s..e`.
pub(crate) fn after_trigger(sc: &mut Scan<'_>, s: usize, e: usize, entry: Entry) -> Option<usize> {
    let b = sc.b;
    let r = entry.roles;
    let mut p = e;
    if b.get(p) == Some(&b'.') {
        p += 1;
    }
    if r & role::SIGNOFF != 0 {
        // "Regards,\nName" / "Hormat saya,\nName"
        let mut q = skip_spaces(b, p);
        if b[q..].starts_with(b"saya") || b[q..].starts_with(b"kami") {
            q = skip_spaces(b, q + 4);
        }
        let comma = b.get(q) == Some(&b',');
        if comma {
            q += 1;
        }
        q = skip_spaces(b, q);
        if b.get(q) == Some(&b'\r') {
            q += 1;
        }
        if b.get(q) != Some(&b'\n') {
            // "Salam, Fransiska Tampubolon" closing a message on the same line: two or more
            // name words after the comma that end the line (or the text).
            let n = comma.then(|| name_words(b, q, false)).flatten()?;
            let rest = &b[n.end..];
            let ends_line = rest.is_empty()
                || matches!(rest[0], b'\n' | b'\r')
                || (rest[0] == b'.' && rest.get(1).is_none_or(|c| matches!(c, b'\n' | b'\r')));
            if n.words < 2 || !ends_line {
                return None;
            }
            sc.push(
                K::Person,
                n.start,
                n.end,
                0.75,
                validator(&n),
                Some(entry.word),
            );
            return Some(n.end);
        }
        let n = name_words(b, q + 1, false)?;
        sc.push(
            K::Person,
            n.start,
            n.end,
            0.8,
            validator(&n),
            Some(entry.word),
        );
        return Some(n.end);
    }
    if r & role::NAME_LABEL != 0 && r & role::TITLE == 0 {
        return after_label(sc, p, entry.word);
    }
    let p = skip_spaces(b, p);
    if p == e || p >= b.len() {
        return None;
    }
    let _ = s;
    if r & role::SELF != 0 {
        // "saya Budi Santoso": capitalised name words only.
        let n = name_words(b, p, false)?;
        sc.push(
            K::Person,
            n.start,
            n.end,
            0.75,
            validator(&n),
            Some(entry.word),
        );
        return Some(n.end);
    }
    let informal = r & role::INFORMAL != 0;
    let n = match name_words(b, p, informal) {
        Some(n) => n,
        None => {
            // A job title after the honorific (`Bu Dokter`, `Pak Lurah`; a stop word, so no
            // name above) is a role, not a name; a name may follow it (`Pak Guru Bambang`).
            // (a lower-case `bu dokter` is no name either: `informal_name` skips keywords)
            let job_end = if b[p].is_ascii_uppercase() {
                p + b[p..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count()
            } else {
                p
            };
            if job_end == p || lexicon::roles(&b[p..job_end]) & role::JOB == 0 {
                return if informal {
                    informal_name(sc, p, entry.word)
                } else {
                    None
                };
            }
            let q = skip_spaces(b, job_end);
            if q == job_end || !b.get(q).is_some_and(u8::is_ascii_uppercase) {
                return Some(job_end);
            }
            name_words(b, q, false)?
        }
    };
    let score = if n.gazetteer { 0.9 } else { 0.85 };
    sc.push(
        K::Person,
        n.start,
        n.end,
        score,
        validator(&n),
        Some(entry.word),
    );
    Some(n.end)
}

/// Common informal words that follow `kak`/`mas`/`pak` … and are not names.
pub(crate) const CHAT_WORDS: &[&str] = &[
    "aku", "saya", "gue", "gw", "ini", "itu", "udah", "udh", "sudah", "mau", "bisa", "ada", "ya",
    "yah", "kok", "gimana", "gmn", "dong", "sih", "tolong", "mohon", "boleh", "minta", "jadi",
    "kalau", "kalo", "klo", "blm", "belum", "untuk", "utk", "barang", "paket", "pesanan", "order",
    "harga", "stok", "ongkir", "gak", "ga", "nggak", "engga", "tidak", "apa", "berapa", "kapan",
    "dimana", "masih", "lagi", "juga", "terima", "makasih", "thanks", "admin", "min", "semua",
    "sekalian", "tadi", "besok", "nanti", "baru", "ok", "oke", "siap", "sama", "dan", "atau", "di",
    "ke", "dari", "yang", "the", "sudah", "tanya", "cek", "kirim", "transfer", "tf", "bayar",
    "beli", "pesan", "ganti", "retur", "refund", "komplain", "maaf", "permisi", "halo", "hai",
    "salam", "selamat", "pagi", "siang", "sore", "malam", "kami", "kita", "kalian", "dia",
    "mereka", "tetap", "segera", "langsung", "cuma", "hanya", "sudah", "akan", "sedang", "lg",
    "aja", "saja", "dulu", "banget", "bgt", "pun", "nih", "tuh", "deh", "lho", "kan", "an", "and",
    "or", "please", "sorry", "no", "hp", "wa",
    // what follows `ibu`/`bapak` as a kinship or status word (`nama ibu kandung: …`)
    "kandung", "tiri", "mertua", "angkat", "rumah", "hamil", "menyusui", "muda", "negara",
];

/// A lower-case word after an informal title that is not a common chat word (`bu ridwan`).
/// Weaker evidence than a gazetteer hit; scored just above the default threshold.
fn informal_name(sc: &mut Scan<'_>, p: usize, word: &'static str) -> Option<usize> {
    let b = sc.b;
    let e = p + b[p..].iter().take_while(|c| c.is_ascii_lowercase()).count();
    let w = &b[p..e];
    let next_ok = b
        .get(e)
        .is_none_or(|&c| !c.is_ascii_alphanumeric() && c != b'-' && c != b'@');
    let affix = [&b"nya"[..], b"kah", b"lah", b"ku", b"mu"]
        .iter()
        .any(|a| w.ends_with(a));
    if w.len() < 3 || !next_ok || affix || lexicon::roles(w) != 0 {
        return None;
    }
    let lw = std::str::from_utf8(w).ok()?;
    if CHAT_WORDS.contains(&lw) {
        return None;
    }
    sc.push(K::Person, p, e, 0.55, V::Shape, Some(word));
    Some(e)
}

/// Whether a chat export's time stamp fills the line before `s`: `[10:21] `,
/// `[12/05/24, 10:21:33] `, `[12/05/24 10.21] ` or `12/05/24 10.21 - ` (WhatsApp), at most 32
/// bytes.
fn chat_stamp_before(b: &[u8], s: usize) -> bool {
    let lo = s.saturating_sub(32);
    let ls = b[lo..s]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(lo, |p| lo + p + 1);
    if ls == lo && lo > 0 {
        return false;
    }
    let pre = &b[ls..s];
    let closed = pre.ends_with(b"] ") && pre.first() == Some(&b'[');
    let dashed = pre.ends_with(b" - ") && pre.first().is_some_and(u8::is_ascii_digit);
    let stamp_bytes = pre
        .iter()
        .all(|&c| c.is_ascii_digit() || b"/.,:[] -APMapm".contains(&c));
    // `10:21`, or `10.21` as Indonesian phones write it (`[12/03/24 09.14] `, `… 10.21 - `)
    let dot_time = pre.windows(5).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b'.'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    });
    let has_time = pre.contains(&b':') || dot_time;
    stamp_bytes && (closed || dashed) && has_time
}

/// A chat speaker label at the start of a line: `Budi Santoso: …` or `[10:21] Budi: …`.
/// Without a time stamp the label must hold a gazetteer name: `Gateway:`, `Subnet:` and
/// `United States:` at the start of a log or form line are field labels, not people.
pub(crate) fn speaker(sc: &mut Scan<'_>, s: usize) -> Option<usize> {
    let b = sc.b;
    // cheap test first: this runs for every capitalised word
    let stamped =
        s >= 2 && b[s - 1] == b' ' && matches!(b[s - 2], b']' | b'-') && chat_stamp_before(b, s);
    let line_start = s == 0 || b[s - 1] == b'\n' || stamped;
    if !line_start {
        return None;
    }
    // A label of at most three name words ends in ':' within the next 64 bytes of the line.
    let ahead = &b[s..(s + 64).min(b.len())];
    match memchr::memchr2(b':', b'\n', ahead) {
        Some(k) if ahead[k] == b':' => {}
        _ => return None,
    }
    let n = name_words(b, s, false)?;
    if b.get(n.end) != Some(&b':')
        || b.get(n.end + 1) == Some(&b':')
        || n.words > 3
        || !(n.gazetteer || (stamped && names::plausible_speaker(b, &n)))
    {
        return None;
    }
    sc.push(K::Person, n.start, n.end, 0.8, validator(&n), None);
    Some(n.end)
}

/// After a name label ending at `p` (`nama`, `a/n`, `penerima` …): optional fillers and `:`
/// (or `,` after a filler: `atas nama saya, Benny Wijaya`). The name may stand on the next
/// line, and a list of names may follow ([`names::list_items`]).
pub(crate) fn after_label(sc: &mut Scan<'_>, p: usize, word: &'static str) -> Option<usize> {
    let b = sc.b;
    let mut q = skip_spaces(b, p);
    let mut filler = false;
    for _ in 0..2 {
        let we = q + b[q..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if we > q && FILLERS.iter().any(|f| f.eq_ignore_ascii_case(&b[q..we])) {
            filler = true;
            q = skip_spaces(b, we);
        } else {
            break;
        }
    }
    let mut next_line = false;
    if b.get(q) == Some(&b':') || (filler && b.get(q) == Some(&b',')) {
        q = skip_spaces(b, q + 1);
        // `Data reseller:` with the name (or a bulleted list) on the next line
        if let Some(n) = names::line_start_after(b, q) {
            q = names::skip_bullet(b, n);
            next_line = true;
        }
    }
    if q == p {
        return None;
    }
    // `Ship to: Rosenweg 4, 8001 Zürich`: an address, not a name, after the label
    if let Some(end) = super::address::street_compound(sc, q) {
        return Some(end);
    }
    let n = match name_words(b, q, true) {
        Some(n) => n,
        // `nama saya ruth hutapea`: lower-case words after an explicit label
        None => names::lower_name(b, q)?,
    };
    if next_line && !names::ends_line(b, n.end) {
        return None;
    }
    let score = if n.gazetteer { 0.9 } else { 0.85 };
    sc.push(K::Person, n.start, n.end, score, validator(&n), Some(word));
    Some(names::list_items(sc, n.end, word))
}

pub(crate) fn validator(n: &Name) -> V {
    if n.gazetteer { V::Gazetteer } else { V::Shape }
}

/// A capitalised gazetteer given name at `s`, possibly followed by more name words.
pub(crate) fn from_gazetteer(sc: &mut Scan<'_>, s: usize) -> Option<usize> {
    let b = sc.b;
    let n = name_words(b, s, false)?;
    if n.words == 1 {
        let mut k = s;
        while k > 0 && b[k - 1] == b' ' {
            k -= 1;
        }
        let sentence_start = k == 0 || matches!(b[k - 1], b'.' | b'!' | b'?' | b'\n' | b'"');
        let speaker = b.get(n.end) == Some(&b':');
        if sentence_start && !speaker {
            return None;
        }
    }
    let score = if n.words > 1 { 0.8 } else { 0.65 };
    sc.push(K::Person, n.start, n.end, score, V::Gazetteer, None);
    Some(n.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(t: &str, lower: bool) -> Option<&str> {
        name_words(t.as_bytes(), 0, lower).map(|n| &t[n.start..n.end])
    }

    #[test]
    fn name_shapes() {
        assert_eq!(name("Siti Rahmawati minta", false), Some("Siti Rahmawati"));
        assert_eq!(
            name("M. Rizki Pratama, ok", false),
            Some("M. Rizki Pratama")
        );
        assert_eq!(name("rina ya", true), Some("rina"));
        assert_eq!(name("rina ya", false), None);
        assert_eq!(name("BCA 123", false), None);
        assert_eq!(name("Mohon dicek", false), None);
        // held-out misses: joined initials, generational suffixes
        assert_eq!(
            name("R.M. Gada Palastri;", false),
            Some("R.M. Gada Palastri")
        );
        assert_eq!(name("Eric Miller III;", false), Some("Eric Miller III"));
        assert_eq!(name("John Smith Jr. called", false), Some("John Smith Jr"));
        assert_eq!(name("Budi IV", false), Some("Budi"));
        // months and banks that are names
        assert_eq!(name("April Baird)", false), Some("April Baird"));
        assert_eq!(name("Juli Susanti minta", false), Some("Juli Susanti"));
        assert_eq!(name("Juli 2024", false), None);
        assert_eq!(name("Yono Permata. Mohon", false), Some("Yono Permata"));
        assert_eq!(name("Budi Permata 1234567890", false), Some("Budi"));
    }
}
