//! Language signals in Bahasa Indonesia and English: a request to pay into new or changed bank
//! details, urgency, secrecy or a change of channel, a payment request.
//!
//! Bank-change intent is found by proximity, not by a fixed phrase list: a bank word (`rekening`,
//! `bank account`, `IBAN`, `payment details`, …) near a change word (`baru`, `diganti`,
//! `updated`, `new`, …) in the same sentence, unless the change word is negated
//! (`tidak pernah mengganti rekening`, `have not changed`). The weak change words (`baru`, `new`)
//! count only right next to the bank word, so `pesanan baru … transfer bank` is not a change.
//! Requests that name no bank word next to a change word ("we have switched banks. Please remit
//! … to Bank Mandiri account …") are found by [`redirect`]: an account, a payment direction and
//! a change, time-shift or unavailability cue.

mod redirect;

/// Most text looked at (bytes of normalised text); the rest of a huge body is ignored.
pub const MAX_TEXT: usize = 128 * 1024;

/// What the text asks for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Signals {
    /// The words that show a bank-detail change, e.g. `rekening … baru`.
    pub bank_change: Option<String>,
    /// An urgency phrase.
    pub urgency: Option<String>,
    /// A secrecy or channel-change phrase.
    pub secrecy: Option<String>,
    /// A payment request word.
    pub payment: Option<String>,
}

/// Lower-cases and splits into sentences of words (letters and digits only); a question ends
/// with the word `?`.
fn sentences(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut seen = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        seen += c.len_utf8();
        if seen > MAX_TEXT {
            break;
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            cur.push(std::mem::take(&mut word));
        }
        if matches!(c, '.' | '!' | '?' | '\n' | ';' | '•') && !cur.is_empty() {
            // A dot inside a number or an abbreviation ("No. Rek", "Rp 1.000.000", "acc. no.",
            // "a.n.") does not end a sentence: a short sentence is merged, and so is one whose
            // next word follows the dot directly or, after a space, in lower case or as a digit.
            if c == '.' {
                let glued = chars.peek().is_some_and(|n| n.is_alphanumeric());
                let mut ahead = chars.clone();
                let lower = ahead.next() == Some(' ')
                    && ahead
                        .next()
                        .is_some_and(|n| n.is_lowercase() || n.is_ascii_digit());
                if cur.len() < 3 || glued || lower {
                    continue;
                }
            }
            if c == '?' {
                cur.push("?".into());
            }
            out.push(std::mem::take(&mut cur));
        }
    }
    if !word.is_empty() {
        cur.push(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

const BANK_WORDS: &[&str] = &[
    "rekening",
    "norek",
    "iban",
    "beneficiary",
    "remittance",
    "banking",
    "bank",
    "rek",
];
/// Bank names stand for the account: "kami tidak lagi memakai BCA".
const BANK_NAMES: &[&str] = &[
    "bca", "bri", "bni", "mandiri", "cimb", "permata", "bsi", "danamon", "btn", "ocbc", "maybank",
    "panin", "jago", "seabank", "jenius", "hsbc", "uob", "dbs",
];
const ACCOUNT_MODIFIERS: &[&str] = &[
    "bank",
    "banking",
    "details",
    "detail",
    "number",
    "no",
    "receiving",
    "beneficiary",
    "payee",
    "nomor",
    "our",
    "old",
    "previous",
    "former",
    "company",
    "perusahaan",
    "lama",
    "collection",
    "corporate",
    "settlement",
    "payment",
    "escrow",
    "remittance",
    "business",
];
const DETAILS_MODIFIERS: &[&str] = &[
    "payment",
    "banking",
    "bank",
    "remittance",
    "wire",
    "transfer",
];
/// Change words that count anywhere near a bank word in the sentence.
const STRONG_CHANGE: &[&str] = &[
    "berubah",
    "ubah",
    "diubah",
    "mengubah",
    "perubahan",
    "ganti",
    "diganti",
    "mengganti",
    "pergantian",
    "penggantian",
    "gantikan",
    "changed",
    "change",
    "changes",
    "changing",
    "update",
    "updated",
    "updating",
    "pembaruan",
    "diperbarui",
    "memperbarui",
    "perbarui",
    "pengganti",
    "replacement",
    "replaced",
    "alternatif",
    "alternate",
    "alternative",
    "migrated",
    "moved",
    "pindah",
    "dipindahkan",
    "memindahkan",
    "mengalihkan",
    "switched",
    "beralih",
    "instead",
];
/// Change words that count only right next to a bank word.
const WEAK_CHANGE: &[&str] = &[
    "baru",
    "new",
    "newly",
    "terbaru",
    "different",
    "another",
    "lain",
    "pribadi",
    "personal",
    "private",
    "sementara",
    "temporary",
    "temporarily",
];
const OLD_WORDS: &[&str] = &["lama", "old", "previous", "sebelumnya", "former", "current"];
/// Words that say the account on file no longer works (`rekening … dibekukan`, `under audit`).
const FROZEN: &[&str] = &[
    "nonaktif",
    "ditutup",
    "dibekukan",
    "diblokir",
    "diaudit",
    "audit",
    "frozen",
    "closed",
    "suspended",
    "inactive",
    "blocked",
    "bermasalah",
    "maintenance",
    "pemeliharaan",
    "kendala",
    "gangguan",
    "masalah",
    "dormant",
];
/// A sentence describing fraud ("email palsu … meminta transfer ke rekening lain").
const SCAM_WORDS: &[&str] = &[
    "palsu",
    "penipuan",
    "penipu",
    "mengatasnamakan",
    "waspada",
    "fake",
    "fraudulent",
    "scam",
    "scammers",
    "phishing",
    "impersonating",
    "beware",
];
/// With an old-account word: `jangan transfer ke rekening lama`, `no longer in use`.
const OLD_TROUBLE: &[&str] = &["jangan", "dont", "don", "not", "longer", "lagi", "tidak"];
const NEGATIONS: &[&str] = &[
    "tidak", "tak", "never", "not", "belum", "bukan", "no", "nt", "won",
];

fn is_anchor(words: &[String], i: usize) -> bool {
    let w = words[i].as_str();
    if BANK_WORDS.contains(&w) || BANK_NAMES.contains(&w) {
        return true;
    }
    let near = |j: Option<usize>, set: &[&str]| {
        j.and_then(|j| words.get(j))
            .is_some_and(|x| set.contains(&x.as_str()))
    };
    match w {
        "account" | "akun" => {
            near(i.checked_sub(1), ACCOUNT_MODIFIERS) || near(Some(i + 1), ACCOUNT_MODIFIERS)
        }
        "details" | "instructions" | "instruksi" | "information" | "info" => {
            near(i.checked_sub(1), DETAILS_MODIFIERS) || near(Some(i + 1), DETAILS_MODIFIERS)
        }
        _ => false,
    }
}

fn negated(words: &[String], i: usize) -> bool {
    let from = i.saturating_sub(3);
    words[from..i]
        .iter()
        .any(|w| NEGATIONS.contains(&w.as_str()))
}

fn bank_change_in(words: &[String]) -> Option<String> {
    let anchors: Vec<usize> = (0..words.len()).filter(|&i| is_anchor(words, i)).collect();
    if anchors.is_empty() {
        return None;
    }
    for (j, w) in words.iter().enumerate() {
        let w = w.as_str();
        let radius = if STRONG_CHANGE.contains(&w) {
            7
        } else if WEAK_CHANGE.contains(&w) {
            3
        } else {
            0
        };
        if radius > 0 {
            // A bank's name takes a weak change word only right next to it ("BCA baru").
            let fits = |a: usize| {
                let d = a.abs_diff(j);
                d <= radius
                    && a != j
                    && (radius > 3 || d <= 1 || !BANK_NAMES.contains(&words[a].as_str()))
            };
            if let Some(&a) = anchors.iter().find(|&&a| fits(a))
                && !negated(words, j)
            {
                return Some(span(words, a, j));
            }
        }
        if FROZEN.contains(&w)
            && !negated(words, j)
            && let Some(&a) = anchors.iter().find(|&&a| a.abs_diff(j) <= 6)
        {
            return Some(span(words, a, j));
        }
        // "bukan ke rekening PT seperti sebelumnya", "not to the usual account".
        if matches!(w, "bukan" | "instead")
            && let Some(&a) = anchors.iter().find(|&&a| a > j && a - j <= 3)
        {
            return Some(span(words, j, a));
        }
        // "no longer use BCA", "tidak lagi memakai rekening BCA".
        let prev = j.checked_sub(1).map(|p| words[p].as_str());
        let no_longer = (w == "longer" && prev == Some("no"))
            || (w == "lagi" && matches!(prev, Some("tidak" | "tak" | "jangan")));
        if no_longer && let Some(&a) = anchors.iter().find(|&&a| a.abs_diff(j) <= 6) {
            return Some(span(words, a, j));
        }
        if OLD_WORDS.contains(&w) {
            let near_anchor = anchors.iter().find(|&&a| a.abs_diff(j) <= 3);
            let trouble = (j.saturating_sub(4)..(j + 6).min(words.len())).find(|&k| {
                OLD_TROUBLE.contains(&words[k].as_str()) || FROZEN.contains(&words[k].as_str())
            });
            if let (Some(&a), Some(t)) = (near_anchor, trouble) {
                return Some(span(words, a.min(t), a.max(t).max(j)));
            }
        }
    }
    None
}

/// A negated strong change next to a bank word: "tidak pernah mengubah rekening".
fn negated_change(words: &[String]) -> bool {
    (0..words.len()).any(|j| {
        STRONG_CHANGE.contains(&words[j].as_str())
            && negated(words, j)
            && (0..words.len()).any(|a| a.abs_diff(j) <= 7 && is_anchor(words, a))
    })
}

fn span(words: &[String], a: usize, b: usize) -> String {
    let (lo, hi) = (a.min(b), a.max(b));
    words[lo..=hi.min(lo + 8)].join(" ")
}

const URGENCY: &[&str] = &[
    "segera",
    "secepatnya",
    "sesegera mungkin",
    "mendesak",
    "hari ini juga",
    "batas waktu",
    "jatuh tempo hari ini",
    "paling lambat hari ini",
    "dalam 24 jam",
    "1x24 jam",
    "darurat",
    "urgent",
    "urgently",
    "asap",
    "as soon as possible",
    "immediately",
    "right away",
    "by end of day",
    "before end of day",
    "final notice",
    "overdue",
    "within 24 hours",
    "time sensitive",
    "today without fail",
    "hari ini tanpa",
    "sebelum jam",
    "hari ini sebelum",
    "today before",
    "must go out today",
    "go out today",
    "must be paid today",
    "has to be paid today",
    "needs to be paid today",
];
const SECRECY: &[&str] = &[
    "jangan telepon",
    "jangan menelepon",
    "jangan hubungi",
    "tidak bisa dihubungi",
    "tidak dapat dihubungi",
    "tidak bisa menerima telepon",
    "hanya via email",
    "hanya melalui email",
    "hanya lewat email",
    "rahasiakan",
    "jaga kerahasiaan",
    "jangan beri tahu",
    "jangan memberi tahu",
    "jangan sampaikan",
    "jangan bilang",
    "nomor wa baru",
    "nomor whatsapp baru",
    "sedang rapat",
    "sedang meeting",
    "keep this confidential",
    "keep it confidential",
    "strictly confidential",
    "strict confidentiality",
    "do not mention",
    "don t mention",
    "dont mention",
    "tell no one",
    "tell nobody",
    "not a word to",
    "jangan kasih tahu",
    "jangan kasih tau",
    "jangan cerita",
    "keep this between us",
    "do not call",
    "dont call",
    "don t call",
    "do not phone",
    "i m in a meeting",
    "im in a meeting",
    "in a meeting all day",
    "unable to take calls",
    "cannot take calls",
    "can t take calls",
    "reply only to",
    "only via email",
    "only by email",
    "be discreet",
    "do not tell",
    "don t tell",
    "do not discuss",
    "new whatsapp number",
    "balas hanya ke",
    "hanya balas ke",
    "diam diam",
];
const PAYMENT: &[&str] = &[
    "transfer",
    "bayar",
    "pembayaran",
    "dibayar",
    "membayar",
    "bayarkan",
    "lunasi",
    "pelunasan",
    "payment",
    "pay",
    "wire",
    "remit",
    "invoice",
    "tagihan",
    "faktur",
    "gift card",
    "kartu hadiah",
];

fn find_phrase(padded: &str, list: &[&str]) -> Option<String> {
    list.iter()
        .find(|p| padded.contains(&format!(" {p} ")))
        .map(|p| p.to_string())
}

/// A question from the one who pays ("Do you accept transfers to a different bank?", "Boleh
/// saya transfer ke rekening lain?"): asking, not telling where to pay.
fn payer_question(words: &[String]) -> bool {
    const ASKS: &[&str] = &[
        "do you",
        "does",
        "can i",
        "could i",
        "may i",
        "should i",
        "shall i",
        "which",
        "where",
        "apakah",
        "bolehkah",
        "bisakah saya",
        "boleh saya",
        "bisa saya",
        "saya boleh",
        "kemana",
        "ke mana",
    ];
    if words.last().map(String::as_str) != Some("?") {
        return false;
    }
    let head = words
        .iter()
        .take(3)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    ASKS.iter()
        .any(|a| head.starts_with(a) && matches!(head.as_bytes().get(a.len()), None | Some(b' ')))
        || words.windows(2).any(|w| {
            matches!(
                (w[0].as_str(), w[1].as_str()),
                ("rekening", "mana") | ("which", "account") | ("what", "account")
            )
        })
}

/// Reads the signals from a mail's subject and body text.
pub fn signals(subject: &str, body: &str) -> Signals {
    let mut sents = sentences(subject);
    sents.extend(sentences(body));
    // A mail that says "we never change our account by e-mail" and describes the scam in
    // another sentence is a warning, not a request.
    let warns = sents.iter().any(|s| negated_change(s));
    let bank_change = sents
        .iter()
        .filter(|s| !(warns && s.iter().any(|w| SCAM_WORDS.contains(&w.as_str()))))
        .filter(|s| !payer_question(s) && !redirect::is_warning(s))
        .find_map(|s| bank_change_in(s))
        .or_else(|| redirect::redirect(&sents, warns));
    let mut padded = String::with_capacity(body.len().min(MAX_TEXT) + subject.len() + 4);
    padded.push(' ');
    for s in &sents {
        for w in s {
            padded.push_str(w);
            padded.push(' ');
        }
    }
    Signals {
        bank_change,
        urgency: find_phrase(&padded, URGENCY),
        secrecy: find_phrase(&padded, SECRECY),
        payment: find_phrase(&padded, PAYMENT),
    }
}

/// Words of a link's text or its surroundings that lead to a sign-in or a document to open.
pub fn credential_lure(text: &str) -> bool {
    const LURES: &[&str] = &[
        "login",
        "log in",
        "sign in",
        "masuk",
        "verifikasi",
        "verify",
        "verification",
        "konfirmasi akun",
        "confirm your account",
        "update account",
        "perbarui akun",
        "unlock",
        "buka blokir",
        "lihat dokumen",
        "view document",
        "lihat tagihan",
        "view invoice",
        "download invoice",
        "unduh invoice",
        "unduh tagihan",
        "open document",
        "dokumen bersama",
        "shared document",
        "review document",
        "lihat faktur",
        "validate",
        "validasi",
    ];
    let mut padded = String::from(" ");
    for s in sentences(text) {
        for w in s {
            padded.push_str(&w);
            padded.push(' ');
        }
    }
    find_phrase(&padded, LURES).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(s: &str) -> bool {
        signals("", s).bank_change.is_some()
    }

    #[test]
    fn bank_changes_in_both_languages() {
        for s in [
            "Mohon transfer ke rekening baru kami: BCA 1234567890.",
            "Rekening kami yang baru adalah Mandiri 123-00-456.",
            "Kami informasikan perubahan nomor rekening perusahaan.",
            "Rekening lama kami sedang diaudit, jangan transfer ke sana.",
            "Please note our updated bank details for all future payments.",
            "Kindly remit to our new bank account below.",
            "Our account is under audit. Do not pay to the old account.",
            "We have changed our banking details effective today.",
            "Please update the beneficiary account to the one below.",
            "We no longer use BCA, please pay to Permata 4101 9988 2211.",
            "Rekening Mandiri kami sedang ada kendala, transfer ke BRI saja.",
            "Transfer ke rekening pribadi saya dulu, BCA 0372881102.",
            "Mohon transfer ke BNI 0654332198, bukan ke rekening PT seperti sebelumnya.",
            "Please pay to our temporary account at Bank Jago.",
        ] {
            assert!(bank(s), "missed: {s}");
        }
    }

    #[test]
    fn no_bank_change_in_ordinary_mail() {
        for s in [
            "Pesanan baru Anda sudah dibayar melalui transfer bank.",
            "Pesanan baru dibayar via BCA virtual account.",
            "New order paid with BCA.",
            "Your new account has been created. Welcome!",
            "Pembayaran dapat ditransfer ke rekening BCA 1234567890 a.n. PT Sinar.",
            "Kami tidak pernah mengganti rekening melalui e-mail.",
            "Our bank details have not changed.",
            "We will never change our bank details by email.",
            "Pesanan akan segera kami kirim hari ini.",
            "Reset your password with the link below.",
        ] {
            assert!(!bank(s), "false positive: {s}");
        }
    }

    #[test]
    fn urgency_secrecy_payment() {
        let s = signals(
            "URGENT",
            "Tolong segera transfer hari ini. Jangan telepon, saya sedang rapat.",
        );
        assert!(s.urgency.is_some());
        assert!(s.secrecy.is_some());
        assert!(s.payment.is_some());
        // Secrecy and deadline pressure in other words than the lists' first entries.
        for (text, urgent, secret) in [
            (
                "Handle this with strict confidentiality. The wire has to be paid today.",
                true,
                true,
            ),
            (
                "Please don't mention this to the team until the deal is signed.",
                false,
                true,
            ),
            (
                "Ini harus selesai hari ini sebelum rapat direksi, jangan kasih tahu bagian keuangan lain.",
                true,
                true,
            ),
        ] {
            let s = signals("", text);
            assert_eq!(s.urgency.is_some(), urgent, "urgency: {text}");
            assert_eq!(s.secrecy.is_some(), secret, "secrecy: {text}");
        }
        let s = signals("Newsletter", "Promo minggu ini untuk kulit berminyak.");
        assert_eq!(s, Signals::default());
        assert!(credential_lure("Sign in to view invoice"));
        assert!(!credential_lure("Lihat koleksi terbaru"));
    }
}
