//! The fail-closed card pass: every card number the write guard
//! ([`crate::card::find_card_numbers`]) reads in a text is a `CREDIT_CARD` finding of every
//! detection, so every redaction path (text, streamed text, CSV cells, JSON lines, e-mail
//! headers and bodies) drops it.
//!
//! The detector's own digit runs read single spaces, dashes and dots between ASCII digit groups;
//! the guard reads digits of any script or width joined by any run of separators
//! (`4111.1111.1111.1111`, `4111  1111…`, `(4111) [1111]…`, `４１１１…`). Its spans are merged
//! into the findings after overlap resolution: a span that overlaps other findings becomes one
//! card finding covering all of them (nothing that overlapped a card is left half redacted),
//! unless one finding covers it whole, so findings stay sorted, non-overlapping and on
//! character boundaries.

use std::ops::Range;

use crate::card::{Sig, for_each_sig};
use crate::kind::{EntityKind, Evidence, Finding, Validator};

/// Adds the guard's card numbers in `text` to `out` (sorted and non-overlapping, as the
/// detector returns them); see the module documentation.
pub(crate) fn add_cards(text: &str, out: &mut Vec<Finding>) {
    let cards = crate::card::find_card_numbers(text);
    if !cards.is_empty() {
        merge_cards(out, &cards, true);
    }
}

/// Merges card spans (sorted, non-overlapping) into `out` (sorted, non-overlapping): each span
/// and the findings chained to it by overlap become one `CREDIT_CARD` finding, unless one
/// finding already covers it and is a card or, with `keep_covering`, of any kind (a bank account
/// that is also Luhn-valid in a card range stays a bank account: every operator hides its
/// digits but at most the last four, and [`crate::apply`] checks its output for cards again).
pub(crate) fn merge_cards(out: &mut Vec<Finding>, cards: &[Range<usize>], keep_covering: bool) {
    let old = std::mem::take(out);
    out.reserve(old.len() + cards.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < cards.len() {
        // A cluster starts with whichever item starts first and takes every item that starts
        // before its end so far.
        let card_first = j < cards.len() && (i == old.len() || cards[j].start < old[i].start);
        let first_old = i;
        let (start, mut end) = if card_first {
            j += 1;
            (cards[j - 1].start, cards[j - 1].end)
        } else {
            i += 1;
            (old[i - 1].start, old[i - 1].end)
        };
        let mut has_card = card_first;
        loop {
            if i < old.len() && old[i].start < end {
                end = end.max(old[i].end);
                i += 1;
            } else if j < cards.len() && cards[j].start < end {
                end = end.max(cards[j].end);
                j += 1;
                has_card = true;
            } else {
                break;
            }
        }
        let olds = &old[first_old..i];
        if !has_card {
            out.extend_from_slice(olds);
        } else if let [f] = olds
            && (keep_covering || f.kind == EntityKind::CreditCard)
            && f.start <= start
            && f.end >= end
        {
            out.push(*f);
        } else {
            let context = olds
                .iter()
                .find(|f| f.kind == EntityKind::CreditCard)
                .and_then(|f| f.evidence.context);
            out.push(Finding {
                kind: EntityKind::CreditCard,
                start,
                end,
                score: 1.0,
                evidence: Evidence {
                    validator: Validator::LuhnIin,
                    context,
                },
            });
        }
    }
}

/// The guard's reading of the last (`back`) or first significant character of `c`: `Some(true)`
/// for a digit, `Some(false)` for a letter, `None` if `c` is only separators.
pub(crate) fn edge_sig(c: char, back: bool) -> Option<bool> {
    let mut first = None;
    let mut last = None;
    for_each_sig(c, |s| {
        let v = match s {
            Sig::Digit(_) => Some(true),
            Sig::Letter => Some(false),
            Sig::Sep => None,
        };
        if v.is_some() {
            last = v;
            if first.is_none() {
                first = v;
            }
        }
    });
    if back { last } else { first }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(kind: EntityKind, start: usize, end: usize) -> Finding {
        Finding {
            kind,
            start,
            end,
            score: 0.9,
            evidence: Evidence {
                validator: Validator::Shape,
                context: None,
            },
        }
    }

    fn spans(v: &[Finding]) -> Vec<(EntityKind, usize, usize)> {
        v.iter().map(|f| (f.kind, f.start, f.end)).collect()
    }

    #[test]
    fn merges_overlapping_findings_into_one_card() {
        let mut out = vec![
            f(EntityKind::Person, 0, 4),
            f(EntityKind::Phone, 10, 20),
            f(EntityKind::Nik, 22, 30),
            f(EntityKind::Email, 40, 50),
        ];
        merge_cards(&mut out, &[5..8, 15..25, 32..35], true);
        assert_eq!(
            spans(&out),
            [
                (EntityKind::Person, 0, 4),
                (EntityKind::CreditCard, 5, 8),
                (EntityKind::CreditCard, 10, 30),
                (EntityKind::CreditCard, 32, 35),
                (EntityKind::Email, 40, 50),
            ]
        );
        assert!(
            out.iter()
                .all(|f| f.kind != EntityKind::CreditCard || f.score == 1.0)
        );
    }

    #[test]
    fn keeps_a_card_finding_that_already_covers_the_span() {
        let mut out = vec![f(EntityKind::CreditCard, 3, 22)];
        merge_cards(&mut out, std::slice::from_ref(&(3..22)), false);
        assert_eq!(out, vec![f(EntityKind::CreditCard, 3, 22)]);
        // Any finding covering the span is kept by detection, not by the stream's fail-closed
        // drop.
        let mut out = vec![f(EntityKind::BankAccount, 3, 22)];
        merge_cards(&mut out, std::slice::from_ref(&(3..22)), true);
        assert_eq!(out, vec![f(EntityKind::BankAccount, 3, 22)]);
        merge_cards(&mut out, std::slice::from_ref(&(3..22)), false);
        assert_eq!(spans(&out), [(EntityKind::CreditCard, 3, 22)]);
        // A shorter detector card is widened to the guard's span.
        let mut out = vec![f(EntityKind::CreditCard, 5, 20)];
        merge_cards(&mut out, std::slice::from_ref(&(3..22)), true);
        assert_eq!(spans(&out), [(EntityKind::CreditCard, 3, 22)]);
    }

    #[test]
    fn one_finding_chaining_two_cards_makes_one() {
        let mut out = vec![f(EntityKind::Address, 5, 30)];
        merge_cards(&mut out, &[0..10, 25..40], true);
        assert_eq!(spans(&out), [(EntityKind::CreditCard, 0, 40)]);
    }

    #[test]
    fn edge_sigs() {
        assert_eq!(edge_sig('4', true), Some(true));
        assert_eq!(edge_sig('a', false), Some(false));
        assert_eq!(edge_sig('\u{a0}', false), None);
        assert_eq!(edge_sig('\u{ff14}', false), Some(true));
        // U+33E0 (day one) normalises to "1日": a digit first, a letter last.
        assert_eq!(edge_sig('\u{33e0}', false), Some(true));
        assert_eq!(edge_sig('\u{33e0}', true), Some(false));
    }

    /// The card scan as first written (every character normalised into a buffer, every group
    /// in its own vector): the faster scan must read every text the same way.
    fn reference_find(text: &str) -> Vec<Range<usize>> {
        let mut norm: Vec<(Option<u8>, bool, (usize, usize))> = Vec::new();
        for (start, c) in text.char_indices() {
            let src = (start, start + c.len_utf8());
            for_each_sig(c, |s| {
                norm.push(match s {
                    Sig::Digit(d) => (Some(d), false, src),
                    Sig::Letter => (None, true, src),
                    Sig::Sep => (None, false, src),
                })
            });
        }
        let mut found = Vec::new();
        let mut groups: Vec<(Vec<u8>, (usize, usize))> = Vec::new();
        let scan = |groups: &[(Vec<u8>, (usize, usize))], found: &mut Vec<Range<usize>>| {
            let mut start = 0;
            while start < groups.len() {
                let mut best = None;
                let mut digits = Vec::new();
                for (end, g) in groups.iter().enumerate().skip(start) {
                    digits.extend_from_slice(&g.0);
                    if digits.len() > 19 {
                        break;
                    }
                    if crate::card::is_card_number(&digits) {
                        best = Some(end);
                    }
                }
                match best {
                    Some(end) => {
                        found.push(groups[start].1.0..groups[end].1.1);
                        start = end + 1;
                    }
                    None => start += 1,
                }
            }
        };
        for i in 0..norm.len() {
            let (digit, letter, src) = norm[i];
            if let Some(d) = digit {
                match groups.last_mut() {
                    Some(g) if i > 0 && norm[i - 1].0.is_some() => {
                        g.0.push(b'0' + d);
                        g.1.1 = src.1;
                    }
                    _ => groups.push((vec![b'0' + d], src)),
                }
            } else if letter {
                scan(&groups, &mut found);
                groups.clear();
            }
        }
        scan(&groups, &mut found);
        found
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn the_fast_card_scan_reads_as_the_reference(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "4111", "1111", "5555", "4444", "0", "12", "378282246310005", "4111111111111111",
                "\u{ff14}\u{ff11}", "\u{ff11}\u{ff11}", "\u{2463}", "\u{33e0}", "\u{664}\u{661}",
                " ", "  ", "\u{a0}", "\t", "\n", ".", "/", "_", " - ", "(", ")", "\u{301}",
                "\u{200b}", "a", "Jl", "\u{e9}", "\u{65e5}", ",",
            ]), 0..40)
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(crate::card::find_card_numbers(&text), reference_find(&text));
        }
    }
}
