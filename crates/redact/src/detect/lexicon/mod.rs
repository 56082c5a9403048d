//! The word table: context keywords, name titles, address words, month names
//! ([`keywords`]) and the gazetteer of common given names and surnames (`given_names.txt`,
//! `surnames.txt`), in one open-addressing hash table keyed by the lower-cased ASCII word.
//!
//! A lookup packs the word (at most [`MAX_WORD`] bytes, lower-cased by setting bit 5) into a
//! `u128`, hashes it with one multiplication and compares whole keys: no copy, no `memcmp`,
//! no per-byte hashing loop. The table is built once.

mod keywords;
mod name_lists;

/// Role bits of a word.
pub(crate) mod role {
    pub const CARD: u32 = 1;
    pub const CVV: u32 = 1 << 1;
    pub const NIK: u32 = 1 << 2;
    pub const KK: u32 = 1 << 3;
    pub const NPWP: u32 = 1 << 4;
    pub const PASSPORT: u32 = 1 << 5;
    pub const PHONE: u32 = 1 << 6;
    pub const BANK: u32 = 1 << 7;
    pub const DOB: u32 = 1 << 8;
    /// Order/invoice/tracking/price words: the number after them is not personal data.
    pub const NEG: u32 = 1 << 9;
    pub const IP: u32 = 1 << 10;
    /// A title before a name (Bpk., Ibu, Mr …).
    pub const TITLE: u32 = 1 << 11;
    /// An informal title after which lower-case gazetteer names count (kak, mas …).
    pub const INFORMAL: u32 = 1 << 12;
    /// A label before a name (nama:, penerima:, a/n …).
    pub const NAME_LABEL: u32 = 1 << 13;
    /// A sign-off before a name on the next line (Regards, Salam …).
    pub const SIGNOFF: u32 = 1 << 14;
    /// A street word that starts an address (Jl., Jalan, Gg., Perum …).
    pub const STREET: u32 = 1 << 15;
    /// A label before an address (alamat:, address:).
    pub const ADDR_LABEL: u32 = 1 << 16;
    /// A word that can continue an address (RT, RW, Kel., Kec., Kota, No., Blok …).
    pub const ADDR_PART: u32 = 1 << 17;
    /// An abbreviation that takes a period without ending the sentence.
    pub const ABBREV: u32 = 1 << 18;
    /// A month name (aux = month number).
    pub const MONTH: u32 = 1 << 19;
    /// An English street suffix (Street, Rd …).
    pub const STREET_SUFFIX: u32 = 1 << 20;
    /// A given name in the gazetteer.
    pub const GIVEN: u32 = 1 << 21;
    /// A surname in the gazetteer.
    pub const SURNAME: u32 = 1 << 22;
    /// A capitalised word that is never part of a name.
    pub const STOP: u32 = 1 << 23;
    /// Ends an address (hp, telp, email …).
    pub const ADDR_STOP: u32 = 1 << 24;
    /// "saya"/"aku": a capitalised name may follow ("saya Budi").
    pub const SELF: u32 = 1 << 25;
    /// A street suffix that is also a common word (`Green`, `View`, `Park`): an English
    /// address ending in one needs a number after it (unit, ZIP).
    pub const WEAK_SUFFIX: u32 = 1 << 26;
    /// A job title that an honorific may precede (`Bu Dokter`, `Pak Lurah`): not a name.
    pub const JOB: u32 = 1 << 27;
    /// A distinctive surname (Batak marga and the like): a capitalised word before it is a
    /// given name (`Ruth Hutapea`).
    pub const MARGA: u32 = 1 << 28;
    /// A Chinese-Indonesian family name, written first (`Tan Siok Lan`).
    pub const CHINESE: u32 = 1 << 29;
    /// The first word of an English name label used with a colon (`Sender:`, `Bill to:`).
    pub const EN_LABEL: u32 = 1 << 30;
    /// A word after which a full name may follow without a colon: a role noun (`buyer`,
    /// `agent`, `supplier`, `wife`) or the verb of a self-introduction (`I am`, `I'm`,
    /// `this is`); see `names::after_intro`.
    pub const INTRO: u32 = 1 << 31;
    /// The context roles used to type numbers.
    pub const CONTEXT: u32 =
        CARD | CVV | NIK | KK | NPWP | PASSPORT | PHONE | BANK | DOB | NEG | IP;
}

use keywords::{KEYWORDS, MONTHS};
use name_lists::{CHINESE as CHINESE_NAMES, MARGA as MARGA_NAMES, NAME_KEYWORDS};
use role::*;
use std::sync::OnceLock;

/// A word's entry: its roles, the canonical keyword and an auxiliary value (month number).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub roles: u32,
    pub word: &'static str,
    pub aux: u8,
    /// The entry's slot in the table: a two-byte handle for [`word_of`].
    pub id: u16,
}

/// Common Indonesian and English given names, lower-case, one per line. The evaluation corpus
/// also draws names that are *not* in this list, so recall is not measured against the list.
const GIVEN_TXT: &str = include_str!("given_names.txt");
/// Common surnames and second names, lower-case, one per line.
const SURNAMES_TXT: &str = include_str!("surnames.txt");
/// Weak English street suffixes, one per line (`#` starts a comment line).
const SUFFIXES_TXT: &str = include_str!("street_suffixes.txt");

fn list(txt: &'static str) -> impl Iterator<Item = &'static str> {
    txt.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The gazetteer's given names (lower-case), for the corpus generator and tests.
#[cfg(any(test, feature = "corpus"))]
pub(crate) fn given_names() -> &'static [&'static str] {
    static V: OnceLock<Vec<&'static str>> = OnceLock::new();
    V.get_or_init(|| list(GIVEN_TXT).collect())
}

/// The gazetteer's surnames (lower-case), for the corpus generator and tests.
#[cfg(any(test, feature = "corpus"))]
pub(crate) fn surnames() -> &'static [&'static str] {
    static V: OnceLock<Vec<&'static str>> = OnceLock::new();
    V.get_or_init(|| list(SURNAMES_TXT).collect())
}

/// Longest word looked up; longer words have no entry.
pub(crate) const MAX_WORD: usize = 16;

const BITS: u32 = 12;
const SLOTS: usize = 1 << BITS;

/// Open addressing with linear probing; a key of 0 marks an empty slot (packed words never
/// are 0: every byte has bit 5 set).
struct Table {
    keys: Box<[u128]>,
    entries: Box<[Entry]>,
}

/// The word packed little-endian with bit 5 set on every byte (ASCII lower case for letters;
/// digits, `'` and `-` unchanged). `None` for empty or over-long words. Control characters
/// fold onto other key bytes: [`lookup`] rules them out on a hit.
#[inline(always)]
fn pack(word: &[u8]) -> Option<u128> {
    if word.is_empty() || word.len() > MAX_WORD {
        return None;
    }
    let mut buf = [0u8; MAX_WORD];
    for (d, &c) in buf.iter_mut().zip(word) {
        *d = c | 0x20;
    }
    Some(u128::from_le_bytes(buf))
}

#[inline]
fn slot_of(k: u128) -> usize {
    // Truncation intended: the two halves of the key are folded into one word.
    let (lo, hi) = (k as u64, (k >> 64) as u64);
    let h = (lo ^ hi.rotate_left(31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - BITS)) as usize
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let empty = Entry {
            roles: 0,
            word: "",
            aux: 0,
            id: 0,
        };
        let mut t = Table {
            keys: vec![0; SLOTS].into_boxed_slice(),
            entries: vec![empty; SLOTS].into_boxed_slice(),
        };
        let mut add = |w: &'static str, roles: u32, aux: u8| {
            let Some(k) = pack(w.as_bytes()) else {
                return;
            };
            let mut s = slot_of(k);
            while t.keys[s] != 0 && t.keys[s] != k {
                s = (s + 1) & (SLOTS - 1);
            }
            if t.keys[s] == 0 {
                t.keys[s] = k;
                t.entries[s] = Entry {
                    roles: 0,
                    word: w,
                    aux: 0,
                    // SLOTS is 4096: every slot index fits.
                    id: s as u16,
                };
            }
            let e = &mut t.entries[s];
            e.roles |= roles;
            if aux != 0 {
                e.aux = aux;
            }
        };
        for &(w, r) in KEYWORDS.iter().chain(NAME_KEYWORDS) {
            add(w, r, 0);
        }
        for &(w, m) in MONTHS {
            add(w, MONTH | STOP | ABBREV, m);
        }
        for w in list(GIVEN_TXT) {
            add(w, GIVEN, 0);
        }
        for w in list(SURNAMES_TXT) {
            add(w, SURNAME, 0);
        }
        for w in list(SUFFIXES_TXT) {
            add(w, STREET_SUFFIX | WEAK_SUFFIX, 0);
        }
        for &w in MARGA_NAMES {
            add(w, SURNAME | MARGA, 0);
        }
        for &w in CHINESE_NAMES {
            add(w, SURNAME | CHINESE, 0);
        }
        t
    })
}

/// Two-word keywords that have no entry of their own, as handles for [`word_of`].
pub(crate) const KARTU_KELUARGA: u16 = SLOTS as u16;
/// See [`KARTU_KELUARGA`].
pub(crate) const FAMILY_CARD: u16 = SLOTS as u16 + 1;

/// See [`KARTU_KELUARGA`].
pub(crate) const DOB_DOTTED: u16 = SLOTS as u16 + 2;

/// The canonical keyword of an entry handle ([`Entry::id`], [`KARTU_KELUARGA`] …).
pub(crate) fn word_of(id: u16) -> &'static str {
    match id {
        KARTU_KELUARGA => "kartu keluarga",
        FAMILY_CARD => "family card",
        DOB_DOTTED => "d.o.b.",
        _ => table().entries.get(usize::from(id)).map_or("", |e| e.word),
    }
}

/// Looks up a word (any case). `None` for unknown or over-long words.
#[inline(always)]
pub(crate) fn lookup(word: &[u8]) -> Option<Entry> {
    // Every listed word starts with a letter: digit groups are rejected before packing.
    if !word.first()?.is_ascii_alphabetic() {
        return None;
    }
    let k = pack(word)?;
    let t = table();
    let mut s = slot_of(k);
    loop {
        let key = t.keys[s];
        if key == k {
            // Bit 5 folds control characters onto digits, `'` and `-` (`\x12` onto `2`);
            // letters, digits and other printable bytes fold onto themselves or onto bytes no
            // key has. So a hit is exact unless the word has a control character.
            return word.iter().all(|&c| c >= 0x20).then(|| t.entries[s]);
        }
        if key == 0 {
            return None;
        }
        s = (s + 1) & (SLOTS - 1);
    }
}

/// Roles of a word, 0 when unknown.
#[inline]
pub(crate) fn roles(word: &[u8]) -> u32 {
    lookup(word).map_or(0, |e| e.roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive() {
        assert!(roles(b"NIK") & NIK != 0);
        assert!(roles(b"Rekening") & BANK != 0);
        assert_eq!(lookup(b"Mei").map(|e| e.aux), Some(5));
        assert!(roles(b"Budi") & GIVEN != 0);
        assert_eq!(roles(b"xyzzy"), 0);
        assert_eq!(roles(b"averyveryverylongwordindeed"), 0);
        // bit 5 folds some control characters onto digits: no false hit
        assert!(roles(b"cvv2") & CVV != 0);
        assert_eq!(roles(b"cvv\x12"), 0);
        assert_eq!(roles(b"nik\x80"), 0);
    }

    #[test]
    fn every_listed_word_is_found() {
        for &(w, r) in KEYWORDS.iter().chain(NAME_KEYWORDS) {
            assert!(roles(w.as_bytes()) & r == r, "{w}");
        }
        for &w in given_names() {
            assert!(roles(w.as_bytes()) & GIVEN != 0, "{w}");
        }
        for &w in surnames() {
            assert!(roles(w.as_bytes()) & SURNAME != 0, "{w}");
        }
        for &w in MARGA_NAMES {
            assert!(
                roles(w.as_bytes()) & (SURNAME | MARGA) == SURNAME | MARGA,
                "{w}"
            );
        }
        for &w in CHINESE_NAMES {
            assert!(
                roles(w.as_bytes()) & (SURNAME | CHINESE) == SURNAME | CHINESE,
                "{w}"
            );
        }
        // a job title is no name, and neither is a marga a stop word
        assert!(roles(b"Dokter") & (JOB | STOP) == JOB | STOP);
        assert_eq!(roles(b"Hutapea") & STOP, 0);
        assert!(given_names().len() > 100 && surnames().len() > 50);
        for w in list(SUFFIXES_TXT) {
            let r = roles(w.as_bytes());
            assert!(r & WEAK_SUFFIX != 0 && r & STREET_SUFFIX != 0, "{w}");
        }
        // strong suffixes stay strong
        assert_eq!(roles(b"Street") & WEAK_SUFFIX, 0);
    }
}
