//! A cheap test that the detector's own digit runs type no card in a text.
//!
//! The detector types a window of a digit run as `CREDIT_CARD` only when the window is 13–19
//! ASCII digits in whole groups joined by single spaces or dashes (an en dash reads as a dash), the
//! digits pass the Luhn check ([`crate::card::luhn_valid`]), and either their issuer range is a
//! card network's ([`crate::card::plausible_card_prefix`]) or a card word is among the words
//! before them on the same line (and they do not start with `0`). Every other card finding
//! comes from the write guard ([`crate::card::find_card_numbers`]). A window starts at the
//! first digit of a group: a run starts at the first digit of a word or right after a context
//! word's letters (`WA0812…`), and every value the main pass skips over ends at a token boundary
//! (dates and addresses check their ends, IBANs and digit runs end with whole groups); the
//! property tests below check this against the detector itself. [`crate::apply`] checks its
//! output for cards again: when neither this test nor the guard sees one there, a whole second
//! detection cannot find one either and is skipped.

use super::context::WINDOW_BYTES;
use super::is_word;
use super::lexicon::{self, role};
use crate::card::plausible_card_prefix;

const EN_DASH: &[u8] = "\u{2013}".as_bytes();

/// Longest card number.
const MAX_CARD: usize = 19;

/// Whether some run of ASCII digit groups in `b`, joined by a single space, dash or en dash,
/// has a stretch of whole groups with 13–19 digits that the detector could type as a card (see
/// the module documentation). A superset of the detector's card windows: the card word is
/// looked for in a wider window than the detector's, with no limit on the words, and neither
/// the groups' lengths nor the other words of the context are checked.
pub(crate) fn may_type_card(b: &[u8]) -> bool {
    let (mut run_start, mut run_digits, mut prev_end) = (0, 0, usize::MAX);
    let mut i = 0;
    loop {
        i = next_digit(b, i);
        if i == b.len() {
            return false;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let joined = prev_end != usize::MAX
            && ((s == prev_end + 1 && matches!(b[prev_end], b' ' | b'-'))
                || (s == prev_end + EN_DASH.len() && &b[prev_end..s] == EN_DASH));
        if !joined {
            run_start = s;
            run_digits = 0;
        }
        run_digits += i - s;
        prev_end = i;
        if run_digits >= 13 && card_stretch_ending_at(b, run_start, i) {
            return true;
        }
    }
}

/// Where the next ASCII digit at or after `i` is (`b.len()` if none): sixteen bytes at a time
/// while a block holds none (most of a text is letters and spaces).
fn next_digit(b: &[u8], mut i: usize) -> usize {
    while let Some(block) = b.get(i..i + 16).and_then(|s| <&[u8; 16]>::try_from(s).ok()) {
        if block.iter().fold(false, |any, c| any | c.is_ascii_digit()) {
            break;
        }
        i += 16;
    }
    while i < b.len() && !b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Whether the last 13–19 digits of the run `b[start..end]` (digits and separators), from the
/// start of a group, pass the Luhn check and have a card network's issuer range or a card word
/// before them.
fn card_stretch_ending_at(b: &[u8], start: usize, end: usize) -> bool {
    // The digits from the right, and where each one is.
    let mut digits = [0u8; MAX_CARD];
    let mut at = [0usize; MAX_CARD];
    let (mut sum, mut m) = (0u32, 0usize);
    let mut k = end;
    while k > start && m < MAX_CARD {
        k -= 1;
        let c = b[k];
        if !c.is_ascii_digit() {
            continue;
        }
        let v = u32::from(c - b'0');
        sum += if m % 2 == 1 {
            if v * 2 > 9 { v * 2 - 9 } else { v * 2 }
        } else {
            v
        };
        digits[m] = c;
        at[m] = k;
        m += 1;
        // A window of the detector starts at the start of a group.
        let group_start = k == 0 || !b[k - 1].is_ascii_digit();
        if m >= 13 && group_start && sum.is_multiple_of(10) {
            let mut number = [0u8; MAX_CARD];
            for (x, d) in number[..m].iter_mut().zip(digits[..m].iter().rev()) {
                *x = *d;
            }
            if plausible_card_prefix(&number[..m]) || (c != b'0' && card_word_before(b, at[m - 1]))
            {
                return true;
            }
        }
    }
    false
}

/// Whether a word with the card role lies on the same line within [`WINDOW_BYTES`] + 2 bytes
/// before `pos` (the detector's window, measured from the number or from a bracket or `+`
/// before it).
fn card_word_before(b: &[u8], pos: usize) -> bool {
    let lo = pos.saturating_sub(WINDOW_BYTES + 2);
    let mut i = pos;
    while i > lo {
        if b[i - 1] == b'\n' {
            return false;
        }
        if !is_word(b[i - 1]) {
            i -= 1;
            continue;
        }
        let e = i;
        while i > lo && is_word(b[i - 1]) {
            i -= 1;
        }
        if lexicon::lookup(&b[i..e]).is_some_and(|w| w.roles & role::CARD != 0) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::may_type_card;
    use crate::kind::EntityKind;

    #[test]
    fn sees_spaced_dashed_and_plain_cards() {
        for t in [
            "4111111111111111",
            "kartu 4111 1111 1111 1111 ya",
            "4111-1111-1111-1111",
            "4111\u{2013}1111\u{2013}1111\u{2013}1111",
            "x 12 4111 1111 1111 1111",
            "my credit card: 1220 0000 0000 003",
            "card\n1220 0000 0000 003 kartu 4111 1111 1111 1111",
        ] {
            assert!(may_type_card(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn passes_texts_without_a_card_shaped_run() {
        for t in [
            "",
            "Rp 4.543.000,00 tgl 12-05-2024 jam 14.30",
            "4111111111111112",
            "Voucher 4701 6089 7137 8361 expired",
            "Transaksi 0037078751392308 berhasil",
            "kartu 0037078751392308",
            "4111 1111  1111 1111",
            "4111.1111.1111.1111",
            "NIK [NIK] HP [PHONE] 12 34",
            "411111111111",
        ] {
            assert!(!may_type_card(t.as_bytes()), "{t}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Whenever detection finds a card, this test or the guard sees one: skipping a
        /// detection both pass over never loses a card.
        #[test]
        fn never_misses_a_card_detection_finds(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "4111", "1111", "5555", "4444", "0", "12", "1220", "0000", "003", "378282246310005",
                "4111111111111111", "79927398713", "3174051204900003", "0812", "3456", "7890",
                " ", "-", "\u{2013}", ".", "/", "(", ")", "+", "+62 ", "x", "a", "*", "\n", ", ",
                "kartu ", "credit card: ", "card ", "NIK ", "rek BCA ", "HP ", "WA", "lahir ",
                "\u{ff14}", "#", "@", ":", "12/05/1990", "5 May 1990", "10.0.0.1", "/8", ":8080",
                "DE89 3704 0044 0532 0130 00", "Jl. Merdeka No. ", "RT 01/RW 02 ", "12345",
                "Budi Santoso ", "tgl lahir ", "x12", "2024-05-20T10:00", "*", "**** ", "Rp ",
                "221B ", "A1234567", "my credit card: ",
            ]), 0..30)
        ) {
            let text: String = parts.concat();
            let card = crate::detect(&text).iter().any(|f| f.kind == EntityKind::CreditCard);
            if card {
                proptest::prop_assert!(
                    may_type_card(text.as_bytes())
                        || !crate::card::find_card_numbers(&text).is_empty(),
                    "{:?}", text
                );
            }
        }
    }
}
