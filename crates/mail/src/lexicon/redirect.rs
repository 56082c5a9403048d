//! Payment redirection said without a bank word next to a change word: "we have switched banks.
//! Please remit … to Bank Mandiri account …", "kindly use the account below for this and future
//! payments", "mulai bulan ini pembayaran ditujukan ke rekening BNI …", "rekening yang biasa
//! sedang tidak bisa menerima dana, transfer ke rekening berikut".
//!
//! A sentence counts when it has all three of
//! - an **account** the money should go to: an account noun (`rekening`, `a/c`, `IBAN`,
//!   `account no`, `account below`, `account at Bank …`, `bank details`), or a bank's name or
//!   `bank` followed by a digit run (`BNI 0654 3321 98`) or preceded by `to`/`ke`; never the
//!   reader's own account (`rekening Anda`, `your account`: a payout notice, not a request);
//! - a **payment direction** (`pay`, `remit`, `transfer`, `send`, `use`, `pembayaran`,
//!   `ditujukan`, `kirim`, `pakai`, …);
//! - a **cue** that this account is new, changed, temporary or replaces one that no longer works:
//!   change words (`switched`, `updated`, `diganti`, `pindah`, `penyesuaian`, …), time shifts
//!   (`effective`, `from now on`, `future payments`, `mulai bulan ini`, `ke depannya`, …),
//!   exceptions (`this time`, `for now`, `khusus … bulan …`, `kali ini`), unavailability
//!   (`cannot receive`, `tidak bisa menerima`, `sedang bermasalah`, `closed`, …). A cue counts in
//!   the sentence itself, or — for change and unavailability cues only — in the sentence before
//!   or after when that one speaks of money or a bank ("We have switched banks.").
//!
//! An ordinary invoice that names the usual account has an account and a direction but no cue,
//! and says so (`seperti biasa`, `as usual`, `remains the same`, `tidak berubah`): not a change.
//! A negated cue (`has not changed`), a warning (`never`, `if you receive …`, scam words) and the
//! reader's own account do not count.

use super::{BANK_NAMES, SCAM_WORDS};

/// A sentence as ` w1 w2 … ` for phrase look-ups, with each word's byte offset.
struct Sent<'a> {
    words: &'a [String],
    padded: String,
    starts: Vec<usize>,
}

impl<'a> Sent<'a> {
    fn new(words: &'a [String]) -> Sent<'a> {
        let mut padded = String::from(" ");
        let mut starts = Vec::with_capacity(words.len());
        for w in words {
            starts.push(padded.len());
            padded.push_str(w);
            padded.push(' ');
        }
        Sent {
            words,
            padded,
            starts,
        }
    }

    /// Word index where `phrase` (words separated by one space) first occurs.
    fn find(&self, phrase: &str) -> Option<usize> {
        let mut from = 0;
        while let Some(b) = self.padded[from..].find(phrase).map(|b| b + from) {
            let end = b + phrase.len();
            let before = self.padded.as_bytes().get(b.wrapping_sub(1)) == Some(&b' ');
            let after = self.padded.as_bytes().get(end) == Some(&b' ');
            if before && after {
                return self.starts.binary_search(&b).ok();
            }
            from = b + 1;
        }
        None
    }

    /// The first phrase of `list` found, with its word index (not negated).
    fn first_of(&self, list: &[&str]) -> Option<(usize, usize)> {
        list.iter().find_map(|p| {
            let i = self.find(p)?;
            (!negated(self.words, i)).then_some((i, p.split(' ').count()))
        })
    }

    fn has(&self, list: &[&str]) -> bool {
        list.iter().any(|p| self.find(p).is_some())
    }

    fn word(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.as_str())
    }
}

/// Negations of a cue (`has not changed`, `tidak berubah`, `haven't switched`). Unlike the
/// change rule's list, `no` is left out: `account no. … changed` is not a negation.
const NEGATIONS: &[&str] = &[
    "tidak", "tak", "never", "not", "belum", "nt", "won", "haven", "hasn", "didn", "t",
];

fn negated(words: &[String], i: usize) -> bool {
    words[i.saturating_sub(3)..i]
        .iter()
        .any(|w| NEGATIONS.contains(&w.as_str()))
}

/// Whose account is meant: the reader's (`rekening Anda`, `your account`) is a payout notice.
fn readers(s: &Sent<'_>, i: usize) -> bool {
    matches!(s.word(i + 1), "anda" | "kamu" | "saudara" | "you")
        || (i >= 1 && s.word(i - 1) == "your")
        || (i >= 2 && s.word(i - 2) == "your")
}

/// Digits in the run of number tokens starting at `i` (`0654 3321 98` is one run).
fn digit_run(s: &Sent<'_>, i: usize) -> usize {
    s.words[i.min(s.words.len())..]
        .iter()
        .take_while(|w| w.bytes().all(|b| b.is_ascii_digit()))
        .map(|w| w.len())
        .sum()
}

/// An account number within a few words after `i` (6 digits or more, so neither an invoice
/// day nor a short code).
fn number_after(s: &Sent<'_>, i: usize) -> bool {
    (i + 1..(i + 7).min(s.words.len())).any(|k| {
        let prev_digit = s.word(k - 1).bytes().all(|b| b.is_ascii_digit());
        !prev_digit && digit_run(s, k) >= 6
    })
}

/// Where the sentence names an account money should go to.
fn account(s: &Sent<'_>) -> Option<usize> {
    let is_bank = |w: &str| w == "bank" || BANK_NAMES.contains(&w) || EXTRA_BANKS.contains(&w);
    for i in 0..s.words.len() {
        let w = s.word(i);
        let found = match w {
            "rekening" | "rek" | "norek" | "iban" | "beneficiary" | "swift" | "bic" => true,
            "a" => s.word(i + 1) == "c" && (i == 0 || s.word(i - 1) != "a"),
            "account" | "accounts" | "akun" => {
                matches!(
                    s.word(i + 1),
                    "no" | "number" | "nr" | "name" | "details" | "below" | "above" | "at"
                        | "with" | "holder" | "berikut" | "di"
                ) || matches!(
                    s.word(i.wrapping_sub(1)),
                    "bank" | "following" | "this" | "that" | "our" | "company" | "business"
                        | "corporate" | "receiving" | "beneficiary"
                ) || (i.saturating_sub(3)..(i + 4).min(s.words.len()))
                    .any(|k| is_bank(s.word(k)))
                    || number_after(s, i)
            }
            "details" | "detail" | "data" | "info" | "information" => {
                matches!(
                    s.word(i.wrapping_sub(1)),
                    "bank" | "banking" | "payment" | "remittance" | "wire"
                ) || s.word(i + 1) == "rekening"
            }
            _ if is_bank(w) => {
                number_after(s, i)
                    || matches!(s.word(i.wrapping_sub(1)), "to" | "ke" | "at" | "di" | "into")
                    || (w == "bank" && s.word(i.wrapping_sub(1)) == "to")
            }
            _ => false,
        };
        if found && !readers(s, i) {
            return Some(i);
        }
    }
    None
}

/// Banks not in the change rule's list (its list is for "BCA baru" next to a name).
const EXTRA_BANKS: &[&str] = &[
    "mega",
    "sinarmas",
    "btpn",
    "bjb",
    "muamalat",
    "bukopin",
    "citibank",
    "wise",
    "bankjatim",
];

const DIRECTION: &[&str] = &[
    // Indonesian
    "transfer",
    "transfernya",
    "ditransfer",
    "mentransfer",
    "tf",
    "bayar",
    "dibayar",
    "membayar",
    "dibayarkan",
    "bayarkan",
    "pembayaran",
    "pelunasan",
    "lunasi",
    "dilunasi",
    "kirim",
    "kirimkan",
    "dikirim",
    "setor",
    "setorkan",
    "disetor",
    "ditujukan",
    "dialihkan",
    "diarahkan",
    "arahkan",
    "pakai",
    "gunakan",
    "menggunakan",
    "memakai",
    "dipakai",
    "digunakan",
    // English
    "pay",
    "paying",
    "payment",
    "payments",
    "remit",
    "remittance",
    "remittances",
    "transfers",
    "wire",
    "wires",
    "send",
    "settle",
    "deposit",
    "deposits",
    "direct",
    "directed",
    "redirect",
    "route",
    "routed",
    "use",
    "go to",
    "made to",
    "sent to",
    "credited to",
];

/// Change and unavailability cues: they count in the sentence or in a neighbouring one.
const CHANGE: &[&str] = &[
    // English
    "switched",
    "switch",
    "switching",
    "changed",
    "change",
    "changes",
    "changing",
    "moved",
    "moving",
    "migrated",
    "updated",
    "update",
    "revised",
    "amended",
    "replaced",
    "replacement",
    "instead",
    "rather than",
    "no longer",
    "cannot receive",
    "can not receive",
    "can t receive",
    "unable to receive",
    "not able to receive",
    "cannot accept",
    "can t accept",
    "not accepting",
    "currently unavailable",
    "is unavailable",
    "closed",
    "frozen",
    "suspended",
    "blocked",
    "inactive",
    "dormant",
    "under review",
    "under audit",
    "under maintenance",
    "on hold",
    "having issues",
    "having problems",
    "experiencing issues",
    "experiencing problems",
    "temporarily",
    "temporary",
    "back to normal",
    // Indonesian
    "ganti",
    "diganti",
    "berganti",
    "mengganti",
    "pergantian",
    "penggantian",
    "pengganti",
    "ubah",
    "diubah",
    "berubah",
    "mengubah",
    "perubahan",
    "pindah",
    "berpindah",
    "dipindah",
    "dipindahkan",
    "perpindahan",
    "pengalihan",
    "dialihkan",
    "beralih",
    "penyesuaian",
    "disesuaikan",
    "pembaruan",
    "diperbarui",
    "terbaru",
    "tidak lagi",
    "tak lagi",
    "tidak bisa menerima",
    "tidak dapat menerima",
    "belum bisa menerima",
    "belum dapat menerima",
    "tidak bisa dipakai",
    "tidak bisa digunakan",
    "tidak dapat digunakan",
    "tidak aktif",
    "nonaktif",
    "ditutup",
    "dibekukan",
    "diblokir",
    "bermasalah",
    "kendala",
    "gangguan",
    "untuk sementara",
    "sementara",
    "diaudit",
    "pemeliharaan",
    "kembali seperti biasa",
    "kembali normal",
];

/// Time-shift and exception cues: only in the sentence itself.
const TIME: &[&str] = &[
    "effective",
    "with effect",
    "from now on",
    "from today",
    "from this",
    "from next",
    "starting",
    "as of",
    "going forward",
    "moving forward",
    "henceforth",
    "hereafter",
    "future payments",
    "future payment",
    "future invoices",
    "future transfers",
    "subsequent",
    "this time",
    "this invoice only",
    "this payment only",
    "only for this",
    "just this once",
    "for now",
    "until further notice",
    "different",
    "alternate",
    "alternative",
    "another",
    "terhitung",
    "per tanggal",
    "ke depan",
    "kedepan",
    "kedepannya",
    "ke depannya",
    "seterusnya",
    "untuk selanjutnya",
    "pembayaran selanjutnya",
    "pembayaran berikutnya",
    "transaksi berikutnya",
    "sampai pemberitahuan",
    "hingga pemberitahuan",
    "sampai ada pemberitahuan",
    "kali ini",
    "mulai sekarang",
    "kini",
    "bukan",
];

/// Words after `mulai` (starting) or `khusus` (only for) that make them a time shift or an
/// exception: `mulai bulan ini`, `mulai 1 Januari`, `khusus pembayaran bulan Desember`.
const TIME_WORDS: &[&str] = &[
    "bulan", "minggu", "hari", "tanggal", "tahun", "periode", "kali", "sekarang", "besok",
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
    "oktober", "november", "desember", "ini", "po", "invoice", "tagihan",
];

/// The usual account, said as such: not a change.
const USUAL: &[&str] = &[
    "seperti biasa",
    "as usual",
    "remain the same",
    "remains the same",
    "remain unchanged",
    "remains unchanged",
    "unchanged",
    "still the same",
    "same as before",
    "same account",
    "tetap sama",
    "masih sama",
    "tetap menggunakan",
    "sama seperti sebelumnya",
];

/// A warning rather than a request.
const WARNING: &[&str] = &[
    "never",
    "pernah",
    "if you receive",
    "if you get",
    "if anyone",
    "if someone",
    "jika menerima",
    "jika anda menerima",
    "apabila menerima",
    "apabila anda menerima",
    "bila menerima",
    "bila anda menerima",
    "jika ada pihak",
    "jika ada yang",
];

/// Money or bank words: a neighbouring sentence's cue counts only when it speaks of these
/// ("We have switched banks", not "our office has moved").
const MONEY: &[&str] = &[
    "bank",
    "banks",
    "banking",
    "rekening",
    "account",
    "accounts",
    "pembayaran",
    "payment",
    "payments",
    "dana",
    "funds",
    "transfer",
    "transfers",
    "remittance",
];

fn time_shift(s: &Sent<'_>) -> Option<(usize, usize)> {
    s.first_of(TIME).or_else(|| {
        (0..s.words.len()).find_map(|i| {
            let w = s.word(i);
            let reach = match w {
                "mulai" | "starting" => 3,
                "khusus" => 4,
                _ => return None,
            };
            let hit = (i + 1..(i + 1 + reach).min(s.words.len())).find(|&k| {
                TIME_WORDS.contains(&s.word(k)) || s.word(k).bytes().all(|b| b.is_ascii_digit())
            })?;
            Some((i, hit - i + 1))
        })
    })
}

fn warning(s: &Sent<'_>, warns: bool) -> bool {
    s.has(WARNING) || (warns && s.words.iter().any(|w| SCAM_WORDS.contains(&w.as_str())))
}

fn usual(s: &Sent<'_>) -> bool {
    USUAL.iter().any(|p| {
        s.find(p)
            .is_some_and(|i| i == 0 || s.word(i - 1) != "kembali")
    })
}

fn text(s: &Sent<'_>, lo: usize, hi: usize) -> String {
    let hi = hi.min(s.words.len().saturating_sub(1)).min(lo + 11);
    s.words[lo..=hi].join(" ")
}

/// The words of a payment redirection in `sents` (lower-cased sentences of words), if any.
/// `warns` is set when the mail elsewhere says bank details are never changed by e-mail.
pub(super) fn redirect(sents: &[Vec<String>], warns: bool) -> Option<String> {
    let ss: Vec<Sent<'_>> = sents.iter().map(|s| Sent::new(s)).collect();
    for (i, s) in ss.iter().enumerate() {
        if warning(s, warns) || usual(s) {
            continue;
        }
        let Some(a) = account(s) else { continue };
        let Some((d, _)) = s.first_of(DIRECTION) else {
            continue;
        };
        if let Some((c, n)) = s.first_of(CHANGE).or_else(|| time_shift(s)) {
            let lo = a.min(d).min(c);
            let hi = a.max(d).max(c + n - 1);
            return Some(text(s, lo, hi));
        }
        let neighbours = [i.checked_sub(1), Some(i + 1)];
        for n in neighbours.into_iter().flatten().filter_map(|n| ss.get(n)) {
            if warning(n, warns) || !n.has(MONEY) {
                continue;
            }
            if let Some((c, len)) = n.first_of(CHANGE) {
                return Some(format!(
                    "{} … {}",
                    text(n, c, c + len - 1),
                    text(s, a.min(d), a.max(d))
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::sentences;
    use super::*;

    fn hit(text: &str) -> Option<String> {
        redirect(&sentences(text), false)
    }

    #[test]
    fn redirections_without_a_bank_word_next_to_a_change_word() {
        for t in [
            "We have switched banks. Please remit the balance to Bank Mandiri account 1560019988776.",
            "Kindly use the account below for this and future payments: BNI 1122334455.",
            "Effective this month all payments should go to our account at Bank Mandiri.",
            "Mulai bulan ini pembayaran ditujukan ke rekening BNI 0712345678.",
            "Rekening yang biasa sedang tidak bisa menerima dana. Mohon transfer ke rekening berikut: BRI 034501002211309.",
            "Khusus pembayaran bulan Desember tolong pakai rekening Mandiri kami 122-00-7766554-3 ya.",
            "Our usual account cannot receive funds this week, so please send the payment to BCA 7771234567.",
            "From now on, please pay to a/c 0987012345678 at BRI.",
            "Ke depannya pembayaran dikirim ke rek. BSI 7123456789 a.n. CV Herbal.",
            "Our bank is under maintenance. Please transfer to account no. 4102938475 (Permata).",
            "For this invoice only, kindly wire to IBAN GB29NWBK60161331926819.",
        ] {
            assert!(hit(t).is_some(), "missed: {t}");
        }
    }

    #[test]
    fn the_usual_account_and_payouts_to_the_reader_are_not_redirections() {
        for t in [
            "Pembayaran dapat ditransfer ke rekening BCA 1234567890 a.n. PT Sinar seperti biasa.",
            "Please remit payment to the account below within 30 days: BCA 2830199471.",
            "All payments should be made to our account at Bank Mandiri 1370011223344.",
            "Payment to our usual account BCA 2830199471 within 14 days.",
            "Rekening pembayaran tidak berubah: BCA 2830199471.",
            "Our bank details remain the same. Please pay invoice 1120 to BCA 2830199471.",
            "Mulai bulan ini dana penjualan ditransfer ke rekening Anda setiap hari.",
            "From now on your earnings will be sent to your bank account every Monday.",
            "We will never ask you to pay to a different account.",
            "Jika Anda menerima permintaan transfer ke rekening lain, hubungi kami.",
            "Kantor kami pindah ke Jl. Sudirman 10. Pembayaran ke rekening BCA 5271100299.",
            "We have not changed our bank. Please pay to BCA 5271100299.",
            "Please pay this month's invoice to BCA 2830199471 by Friday.",
            "Transfer ke rekening mana ya kak? Saya mau pesan segera.",
        ] {
            assert_eq!(hit(t), None, "false positive: {t}");
        }
    }
}
