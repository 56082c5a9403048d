//! The word table: context keywords, name titles, address words, month names and the
//! gazetteer of common given names and surnames, in one hash table keyed by the lower-cased
//! ASCII word. One lookup per word of input; the table is built once.
//!
//! This file is longer than the 600-line guideline because it is a data table: rustfmt puts
//! every keyword on its own line.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

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
    /// The context roles used to type numbers.
    pub const CONTEXT: u32 =
        CARD | CVV | NIK | KK | NPWP | PASSPORT | PHONE | BANK | DOB | NEG | IP;
}

use role::*;

/// A word's entry: its roles, the canonical keyword and an auxiliary value (month number).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub roles: u32,
    pub word: &'static str,
    pub aux: u8,
}

const KEYWORDS: &[(&str, u32)] = &[
    // cards and CVV
    ("kartu", CARD),
    ("card", CARD),
    ("kredit", CARD),
    ("credit", CARD),
    ("debit", CARD),
    ("cc", CARD),
    ("visa", CARD),
    ("mastercard", CARD),
    ("amex", CARD),
    ("jcb", CARD),
    ("pan", CARD),
    ("cvv", CVV),
    ("cvv2", CVV),
    ("cvc", CVV),
    ("cvc2", CVV),
    ("cid", CVV),
    ("keamanan", CVV),
    ("security", CVV),
    ("belakang", CVV),
    // identity numbers
    ("nik", NIK),
    ("ktp", NIK),
    ("ektp", NIK),
    ("kependudukan", NIK),
    ("induk", NIK),
    ("kk", KK),
    ("keluarga", 0),
    ("npwp", NPWP),
    ("nitku", NPWP),
    ("pajak", NPWP),
    ("tax", NPWP),
    ("paspor", PASSPORT),
    ("passport", PASSPORT),
    ("pasport", PASSPORT),
    // phones
    ("hp", PHONE),
    ("telp", PHONE),
    ("telepon", PHONE),
    ("telpon", PHONE),
    ("tlp", PHONE),
    ("tel", PHONE | ABBREV),
    ("phone", PHONE),
    ("wa", PHONE),
    ("whatsapp", PHONE),
    ("kontak", PHONE),
    ("contact", PHONE),
    ("call", PHONE),
    ("hubungi", PHONE),
    ("mobile", PHONE),
    ("handphone", PHONE),
    ("nomor", 0),
    ("fax", PHONE),
    // bank accounts
    ("rek", BANK | ABBREV),
    ("rekening", BANK),
    ("rekeningnya", BANK),
    ("norek", BANK),
    ("account", BANK),
    ("acct", BANK | ABBREV),
    ("acc", BANK | ABBREV),
    ("bank", BANK),
    ("bca", BANK | STOP),
    ("bni", BANK | STOP),
    ("bri", BANK | STOP),
    ("mandiri", BANK | STOP),
    ("bsi", BANK | STOP),
    ("cimb", BANK | STOP),
    ("niaga", BANK | STOP),
    ("danamon", BANK | STOP),
    ("permata", BANK | STOP),
    ("btn", BANK | STOP),
    ("ocbc", BANK | STOP),
    ("nisp", BANK | STOP),
    ("jago", BANK | STOP),
    ("seabank", BANK | STOP),
    ("muamalat", BANK | STOP),
    ("panin", BANK | STOP),
    ("transfer", BANK),
    ("tf", BANK),
    ("beneficiary", BANK | NAME_LABEL),
    // birth dates
    ("lahir", DOB),
    ("kelahiran", DOB),
    ("ttl", DOB),
    ("dob", DOB),
    ("birth", DOB),
    ("born", DOB),
    ("birthday", DOB),
    ("ultah", DOB),
    // IP
    ("ip", IP),
    // negatives
    ("order", NEG | STOP),
    ("pesanan", NEG | STOP),
    ("invoice", NEG | STOP),
    ("inv", NEG | STOP),
    ("resi", NEG | STOP),
    ("awb", NEG | STOP),
    ("tracking", NEG | STOP),
    ("sku", NEG | STOP),
    ("rp", NEG),
    ("idr", NEG),
    ("total", NEG | STOP),
    ("harga", NEG | STOP),
    ("ongkir", NEG | STOP),
    ("qty", NEG),
    ("otp", NEG),
    ("booking", NEG | STOP),
    ("ref", NEG),
    ("referensi", NEG),
    ("kode", NEG),
    ("va", NEG),
    ("virtual", NEG),
    ("billing", NEG),
    ("transaksi", NEG | STOP),
    ("nota", NEG),
    ("voucher", NEG | STOP),
    ("promo", NEG | STOP),
    ("versi", NEG),
    ("version", NEG),
    ("batch", NEG),
    ("serial", NEG),
    ("imei", NEG),
    ("ticket", NEG | STOP),
    ("tiket", NEG | STOP),
    // person titles and labels
    ("bpk", TITLE | ABBREV),
    ("bapak", TITLE),
    ("pak", TITLE | INFORMAL),
    ("ibu", TITLE | INFORMAL),
    ("bu", TITLE | INFORMAL),
    ("sdr", TITLE | ABBREV),
    ("sdri", TITLE | ABBREV),
    ("saudara", TITLE),
    ("saudari", TITLE),
    ("kak", TITLE | INFORMAL),
    ("kakak", TITLE | INFORMAL),
    ("mas", TITLE | INFORMAL),
    ("mbak", TITLE | INFORMAL),
    ("mba", TITLE | INFORMAL),
    ("bang", TITLE | INFORMAL),
    ("om", TITLE | INFORMAL),
    ("tante", TITLE | INFORMAL),
    ("mr", TITLE | ABBREV),
    ("mrs", TITLE | ABBREV),
    ("ms", TITLE | ABBREV),
    ("miss", TITLE),
    ("dr", TITLE | ABBREV | STREET_SUFFIX),
    ("hj", TITLE | ABBREV),
    ("prof", TITLE | ABBREV),
    ("drs", TITLE | ABBREV),
    ("dra", TITLE | ABBREV),
    ("ir", TITLE | ABBREV),
    ("drg", TITLE | ABBREV),
    ("kh", TITLE | ABBREV),
    ("tgk", TITLE | ABBREV),
    ("dt", TITLE | ABBREV),
    ("jend", ABBREV),
    ("dear", TITLE),
    ("an", NAME_LABEL),
    ("nama", NAME_LABEL),
    ("name", NAME_LABEL),
    ("penerima", NAME_LABEL | ADDR_STOP),
    ("pengirim", NAME_LABEL | ADDR_STOP),
    ("customer", NAME_LABEL | STOP),
    ("pelanggan", NAME_LABEL | STOP),
    ("holder", NAME_LABEL),
    ("pemilik", NAME_LABEL),
    ("regards", SIGNOFF | STOP),
    ("salam", SIGNOFF | STOP),
    ("hormat", SIGNOFF | STOP),
    ("thanks", SIGNOFF | STOP),
    ("sincerely", SIGNOFF | STOP),
    ("cheers", SIGNOFF | STOP),
    ("best", SIGNOFF | STOP),
    // addresses
    ("jl", STREET | ABBREV),
    ("jln", STREET | ABBREV),
    ("jalan", STREET),
    ("gg", STREET | ABBREV),
    ("gang", STREET),
    ("komplek", STREET),
    ("komp", STREET | ABBREV),
    ("perum", STREET | ABBREV),
    ("perumahan", STREET),
    ("ruko", STREET),
    ("apartemen", STREET),
    ("alamat", ADDR_LABEL),
    ("address", ADDR_LABEL),
    ("no", ADDR_PART | ABBREV),
    ("nomor", ADDR_PART),
    ("rt", ADDR_PART),
    ("rw", ADDR_PART),
    ("kel", ADDR_PART | ABBREV),
    ("kelurahan", ADDR_PART),
    ("kec", ADDR_PART | ABBREV),
    ("kecamatan", ADDR_PART),
    ("kab", ADDR_PART | ABBREV),
    ("kabupaten", ADDR_PART),
    ("kota", ADDR_PART),
    ("desa", ADDR_PART),
    ("ds", ADDR_PART | ABBREV),
    ("dusun", ADDR_PART),
    ("provinsi", ADDR_PART),
    ("prov", ADDR_PART | ABBREV),
    ("blok", ADDR_PART),
    ("blk", ADDR_PART | ABBREV),
    ("lt", ADDR_PART | ABBREV),
    ("lantai", ADDR_PART),
    ("pos", ADDR_PART),
    ("apt", ADDR_PART | ABBREV),
    ("unit", ADDR_PART),
    ("suite", ADDR_PART),
    ("street", STREET_SUFFIX),
    ("st", STREET_SUFFIX | ABBREV),
    ("road", STREET_SUFFIX),
    ("rd", STREET_SUFFIX | ABBREV),
    ("avenue", STREET_SUFFIX),
    ("ave", STREET_SUFFIX | ABBREV),
    ("lane", STREET_SUFFIX),
    ("ln", STREET_SUFFIX | ABBREV),
    ("drive", STREET_SUFFIX),
    ("boulevard", STREET_SUFFIX),
    ("blvd", STREET_SUFFIX | ABBREV),
    ("way", STREET_SUFFIX),
    ("court", STREET_SUFFIX),
    ("ct", STREET_SUFFIX | ABBREV),
    ("place", STREET_SUFFIX),
    ("terrace", STREET_SUFFIX),
    ("crescent", STREET_SUFFIX),
    ("plaza", STREET_SUFFIX),
    ("summit", STREET_SUFFIX),
    ("flats", STREET_SUFFIX),
    ("bridge", STREET_SUFFIX),
    ("pines", STREET_SUFFIX),
    ("square", STREET_SUFFIX),
    ("heights", STREET_SUFFIX),
    ("hills", STREET_SUFFIX),
    ("ridge", STREET_SUFFIX),
    ("village", STREET_SUFFIX),
    ("gardens", STREET_SUFFIX),
    ("grove", STREET_SUFFIX),
    ("trail", STREET_SUFFIX),
    ("crossing", STREET_SUFFIX),
    ("circle", STREET_SUFFIX),
    ("parkway", STREET_SUFFIX),
    ("highway", STREET_SUFFIX),
    ("hwy", STREET_SUFFIX | ABBREV),
    ("alley", STREET_SUFFIX),
    ("mews", STREET_SUFFIX),
    ("close", STREET_SUFFIX),
    ("row", STREET_SUFFIX),
    ("walk", STREET_SUFFIX),
    ("pike", STREET_SUFFIX),
    ("loop", STREET_SUFFIX),
    ("point", STREET_SUFFIX),
    ("shores", STREET_SUFFIX),
    ("springs", STREET_SUFFIX),
    ("station", STREET_SUFFIX),
    ("email", ADDR_STOP | STOP),
    ("mohon", ADDR_STOP | STOP),
    ("tolong", ADDR_STOP | STOP),
    ("untuk", ADDR_STOP | STOP),
    ("ya", ADDR_STOP),
    ("dan", ADDR_STOP | STOP),
    ("atau", ADDR_STOP | STOP),
    ("please", ADDR_STOP | STOP),
    ("and", ADDR_STOP | STOP),
    ("or", ADDR_STOP | STOP),
    ("the", STOP),
    ("service", STOP),
    ("support", STOP),
    ("team", STOP),
    ("terima", STOP),
    ("saya", STOP | SELF),
    ("aku", STOP | SELF),
    ("kami", STOP),
    ("sudah", STOP),
    ("belum", STOP),
    ("hi", STOP),
    ("halo", STOP),
    ("hello", STOP),
    ("hai", STOP),
    ("admin", STOP),
    ("agent", STOP),
    ("cs", STOP),
    ("selamat", STOP),
    ("pagi", STOP),
    ("siang", STOP),
    ("sore", STOP),
    ("malam", STOP),
    ("senin", STOP),
    ("selasa", STOP),
    ("rabu", STOP),
    ("kamis", STOP),
    ("jumat", STOP),
    ("sabtu", STOP),
    ("minggu", STOP),
    ("monday", STOP),
    ("tuesday", STOP),
    ("wednesday", STOP),
    ("thursday", STOP),
    ("friday", STOP),
    ("saturday", STOP),
    ("sunday", STOP),
    ("jne", STOP),
    ("jnt", STOP),
    ("sicepat", STOP),
    ("shopee", STOP),
    ("tokopedia", STOP),
    ("gojek", STOP),
    ("grab", STOP),
    ("ovo", STOP),
    ("dana", STOP),
    ("gopay", STOP),
];

const MONTHS: &[(&str, u8)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("maret", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("mei", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("agustus", 8),
    ("august", 8),
    ("agu", 8),
    ("agt", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nopember", 11),
    ("nov", 11),
    ("desember", 12),
    ("december", 12),
    ("des", 12),
    ("dec", 12),
];

/// Common Indonesian and English given names (lower-case). The evaluation corpus also draws
/// names that are *not* in this list, so recall is not measured against the list itself.
pub const GIVEN_NAMES: &[&str] = &[
    "agus",
    "ahmad",
    "aditya",
    "adi",
    "agung",
    "aisyah",
    "andi",
    "anisa",
    "annisa",
    "anton",
    "arief",
    "ari",
    "ayu",
    "bambang",
    "bayu",
    "budi",
    "cahya",
    "citra",
    "dani",
    "dedi",
    "dewi",
    "dian",
    "dimas",
    "dina",
    "dodi",
    "eka",
    "eko",
    "endang",
    "erik",
    "fajar",
    "farhan",
    "fitri",
    "gilang",
    "hadi",
    "hendra",
    "hendro",
    "heru",
    "ika",
    "imam",
    "indra",
    "intan",
    "irfan",
    "iwan",
    "joko",
    "kartika",
    "kevin",
    "lestari",
    "lina",
    "lukman",
    "maya",
    "mega",
    "muhammad",
    "nadia",
    "novi",
    "nur",
    "nurul",
    "putri",
    "putu",
    "rahmat",
    "rani",
    "ratna",
    "reza",
    "rina",
    "rizki",
    "rizky",
    "rudi",
    "sari",
    "siti",
    "slamet",
    "sri",
    "suci",
    "teguh",
    "tika",
    "tri",
    "wahyu",
    "wati",
    "wulan",
    "yanti",
    "yogi",
    "yudi",
    "yusuf",
    "zainal",
    "ketut",
    "made",
    "nyoman",
    "wayan",
    "gede",
    "komang",
    "bagus",
    "rahma",
    "dinda",
    "fadli",
    "galih",
    "hana",
    "indah",
    "jihan",
    "laras",
    "nanda",
    "oki",
    "puspita",
    "rafi",
    "salsabila",
    "tiara",
    "umar",
    "vina",
    "yoga",
    "zahra",
    "james",
    "john",
    "robert",
    "michael",
    "william",
    "david",
    "richard",
    "joseph",
    "thomas",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "emily",
    "emma",
    "olivia",
    "daniel",
    "matthew",
    "andrew",
    "mark",
    "paul",
    "steven",
    "laura",
    "anna",
    "grace",
    "peter",
    "chris",
    "kelly",
    "amanda",
    "rachel",
];

/// Common surnames and second names (lower-case).
pub const SURNAMES: &[&str] = &[
    "santoso",
    "wijaya",
    "saputra",
    "saputri",
    "hidayat",
    "setiawan",
    "kurniawan",
    "pratama",
    "nugroho",
    "susanto",
    "siregar",
    "nasution",
    "simanjuntak",
    "sitompul",
    "harahap",
    "lubis",
    "hutapea",
    "sihombing",
    "tanjung",
    "rahman",
    "hakim",
    "permana",
    "gunawan",
    "wibowo",
    "purnomo",
    "suryadi",
    "halim",
    "tan",
    "lim",
    "wirawan",
    "lestari",
    "rahmawati",
    "susilowati",
    "wulandari",
    "handayani",
    "kusuma",
    "utami",
    "anggraini",
    "puspitasari",
    "ramadhan",
    "firmansyah",
    "hasibuan",
    "pangaribuan",
    "manurung",
    "sinaga",
    "ginting",
    "tarigan",
    "putra",
    "maharani",
    "suharto",
    "sutrisno",
    "prasetyo",
    "hartono",
    "salim",
    "effendi",
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "wilson",
    "anderson",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "thompson",
    "white",
    "harris",
    "clark",
    "lewis",
    "walker",
    "hall",
    "young",
    "king",
    "wright",
    "scott",
    "green",
    "baker",
    "adams",
    "nelson",
    "hill",
    "campbell",
    "mitchell",
    "roberts",
    "carter",
    "phillips",
    "evans",
];

/// FNV-1a, enough for a table of short ASCII words.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Map = HashMap<&'static [u8], Entry, BuildHasherDefault<Fnv>>;

/// The word map plus a prefilter: for each (first letter, second letter) pair, a bit mask of
/// the word lengths present, so most words of running text are rejected without hashing.
struct Table {
    map: Map,
    lengths: [u32; 27 * 27],
}

fn slot2(w: &[u8]) -> Option<usize> {
    let c0 = w[0].to_ascii_lowercase().wrapping_sub(b'a');
    let c1 = w
        .get(1)
        .map_or(26, |c| c.to_ascii_lowercase().wrapping_sub(b'a'));
    (c0 < 26 && c1 <= 26).then_some(usize::from(c0) * 27 + usize::from(c1))
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Map::default();
        let mut add = |w: &'static str, roles: u32, aux: u8| {
            let e = t.entry(w.as_bytes()).or_insert(Entry {
                roles: 0,
                word: w,
                aux: 0,
            });
            e.roles |= roles;
            if aux != 0 {
                e.aux = aux;
            }
        };
        for &(w, r) in KEYWORDS {
            add(w, r, 0);
        }
        for &(w, m) in MONTHS {
            add(w, MONTH | STOP | ABBREV, m);
        }
        for &w in GIVEN_NAMES {
            add(w, GIVEN, 0);
        }
        for &w in SURNAMES {
            add(w, SURNAME, 0);
        }
        let mut lengths = [0u32; 27 * 27];
        for w in t.keys() {
            if let Some(s) = slot2(w) {
                lengths[s] |= 1 << w.len();
            }
        }
        Table { map: t, lengths }
    })
}

/// Longest word looked up; longer words have no entry.
pub(crate) const MAX_WORD: usize = 16;

/// Looks up a word (any case). `None` for unknown or over-long words.
pub(crate) fn lookup(word: &[u8]) -> Option<Entry> {
    if word.is_empty() || word.len() > MAX_WORD {
        return None;
    }
    let t = table();
    if t.lengths[slot2(word)?] & (1 << word.len()) == 0 {
        return None;
    }
    let mut buf = [0u8; MAX_WORD];
    let lw = &mut buf[..word.len()];
    lw.copy_from_slice(word);
    lw.make_ascii_lowercase();
    t.map.get(&*lw).copied()
}

/// Roles of a word, 0 when unknown.
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
    }
}
