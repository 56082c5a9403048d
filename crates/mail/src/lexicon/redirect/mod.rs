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

mod words;

use super::{BANK_NAMES, SCAM_WORDS, payer_question};
use words::*;

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
            "acc" => matches!(s.word(i + 1), "no" | "number" | "nr") || number_after(s, i),
            "account" | "accounts" | "akun" => {
                matches!(
                    s.word(i + 1),
                    "no" | "number"
                        | "nr"
                        | "name"
                        | "details"
                        | "below"
                        | "above"
                        | "at"
                        | "with"
                        | "holder"
                        | "berikut"
                        | "di"
                        | "listed"
                        | "here"
                        | "shown"
                        | "provided"
                ) || matches!(
                    s.word(i.wrapping_sub(1)),
                    "bank"
                        | "following"
                        | "this"
                        | "that"
                        | "our"
                        | "company"
                        | "business"
                        | "corporate"
                        | "receiving"
                        | "beneficiary"
                        | "other"
                        | "correct"
                        | "new"
                        | "alternative"
                        | "different"
                        | "separate"
                        | "holding"
                ) || (i.saturating_sub(3)..(i + 4).min(s.words.len())).any(|k| is_bank(s.word(k)))
                    || number_after(s, i)
            }
            "details" | "detail" | "data" | "info" | "information" | "instructions"
            | "instruksi" => {
                matches!(
                    s.word(i.wrapping_sub(1)),
                    "bank" | "banking" | "payment" | "remittance" | "wire"
                ) || s.word(i + 1) == "rekening"
            }
            _ if is_bank(w) => {
                number_after(s, i)
                    || matches!(
                        s.word(i.wrapping_sub(1)),
                        "to" | "ke" | "at" | "di" | "into" | "melalui" | "via" | "through"
                    )
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

/// A change or unavailability cue about the account, not about prices or an address; or a
/// negation with `lagi`/`anymore` ("sudah tidak dipakai lagi", "not used anymore").
fn change(s: &Sent<'_>) -> Option<(usize, usize)> {
    let about_other = |i: usize, n: usize| {
        (i.saturating_sub(1)..(i + n + 2).min(s.words.len()))
            .any(|k| OTHER_OBJECTS.contains(&s.word(k)))
    };
    CHANGE
        .iter()
        .find_map(|p| {
            let i = s.find(p)?;
            let n = p.split(' ').count();
            (!negated(s.words, i) && !about_other(i, n)).then_some((i, n))
        })
        .or_else(|| {
            (0..s.words.len()).find_map(|i| {
                if !matches!(s.word(i), "lagi" | "anymore") {
                    return None;
                }
                let from = i.saturating_sub(3);
                (from..i)
                    .find(|&k| NEGATIONS.contains(&s.word(k)))
                    .map(|k| (k, i - k + 1))
            })
        })
}

fn time_shift(s: &Sent<'_>) -> Option<(usize, usize)> {
    s.first_of(TIME).or_else(|| {
        (0..s.words.len()).find_map(|i| {
            let w = s.word(i);
            let reach = match w {
                "mulai" | "starting" => 3,
                "khusus" => 4,
                "per" => 2,
                // "nomor rekening kami sekarang …", "now receives all payments at …"; not
                // "transfer sekarang", "pay now", "right now".
                "sekarang" | "now" => {
                    let prev = s.word(i.wrapping_sub(1));
                    let pressing = DIRECTION.contains(&prev)
                        || matches!(prev, "right" | "juga" | "segera" | "bayar" | "me");
                    return (!pressing).then_some((i, 1));
                }
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

/// A warning sentence ("if you receive a request to pay to another account, call us"): neither
/// rule reads it as a request.
pub(super) fn is_warning(words: &[String]) -> bool {
    Sent::new(words).has(WARNING)
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
        // The account in the sentence, or on the lines after one that leads in to it
        // ("mohon dibayarkan ke:\nBank: BRI\nNo. Rek: …").
        let last = s
            .words
            .iter()
            .rev()
            .find(|w| *w != "?")
            .map_or("", |w| w.as_str());
        let account_here = account(s);
        let account_after = || {
            LEADS_IN.contains(&last)
                && ss[i + 1..(i + 3).min(ss.len())]
                    .iter()
                    .any(|n| account(n).is_some())
        };
        let direction = s.first_of(DIRECTION).map(|(d, _)| d);
        // Cheap tests first: most sentences name neither an account nor a payment.
        if account_here.is_none() && direction.is_none() {
            continue;
        }
        if warning(s, warns) || usual(s) || payer_question(s.words) {
            continue;
        }
        let cue = change(s).or_else(|| time_shift(s));
        let (a, d) = match (account_here, direction) {
            (Some(a), Some(d)) => (a, d),
            (None, Some(d)) if account_after() => (d, d),
            // "nomor rekening perusahaan sekarang BNI 0698123344": an account number with a
            // change or "now" says where to pay without a verb.
            (Some(a), None)
                if cue.is_some()
                    && ((a..(a + 8).min(s.words.len())).any(|k| number_after(s, k))
                        || ss[i + 1..(i + 3).min(ss.len())]
                            .iter()
                            .any(|n| (0..n.words.len().min(6)).any(|k| number_after(n, k)))) =>
            {
                (a, a)
            }
            _ => continue,
        };
        if let Some((c, n)) = cue {
            let lo = a.min(d).min(c);
            let hi = a.max(d).max(c + n - 1);
            return Some(text(s, lo, hi));
        }
        let neighbours = [i.checked_sub(1), Some(i + 1)];
        for n in neighbours.into_iter().flatten().filter_map(|n| ss.get(n)) {
            if warning(n, warns) || !n.has(MONEY) {
                continue;
            }
            if let Some((c, len)) = change(n) {
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
mod tests;
