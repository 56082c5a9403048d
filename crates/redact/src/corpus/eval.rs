//! Scoring detections against gold spans.
//!
//! A gold span is *found* when a finding of the same kind overlaps it with intersection over
//! union ≥ 0.5; a finding is *correct* when it matches a gold span of its kind the same way.
//! Precision counts every reported finding (score ≥ the default policy's 0.5), so a hard
//! negative that is flagged lowers it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Doc, Genre, GoldSpan};
use crate::kind::{EntityKind, Finding};
use crate::policy::Policy;

/// Counts for one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindScore {
    /// Gold spans of this kind.
    pub gold: usize,
    /// Gold spans found.
    pub found: usize,
    /// Findings of this kind.
    pub predicted: usize,
    /// Findings that match a gold span of this kind.
    pub correct: usize,
}

impl KindScore {
    /// found / gold (1 when there is no gold span).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.gold)
    }

    /// correct / predicted (1 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Evaluation result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Scores per kind.
    pub per_kind: BTreeMap<EntityKind, KindScore>,
    /// Documents scored.
    pub docs: usize,
    /// Bytes of text scored.
    pub bytes: usize,
    /// Findings that overlap some gold span of any kind.
    pub overlapping_any_gold: usize,
    /// Documents whose redacted text (default policy) still contains a card number or a gold
    /// card value.
    pub card_leaks: usize,
}

impl Report {
    /// Correct findings / all findings, over all kinds.
    pub fn precision(&self) -> f64 {
        let (c, p) = self
            .per_kind
            .values()
            .fold((0, 0), |(c, p), s| (c + s.correct, p + s.predicted));
        ratio(c, p)
    }

    /// Found gold spans / all gold spans.
    pub fn recall(&self) -> f64 {
        let (f, g) = self
            .per_kind
            .values()
            .fold((0, 0), |(f, g), s| (f + s.found, g + s.gold));
        ratio(f, g)
    }

    /// Findings overlapping any gold span / all findings (type-agnostic, as in the Presidio
    /// baseline).
    pub fn any_type_precision(&self) -> f64 {
        ratio(
            self.overlapping_any_gold,
            self.per_kind.values().map(|s| s.predicted).sum(),
        )
    }

    /// Score for `kind` (zeros when absent).
    pub fn kind(&self, kind: EntityKind) -> KindScore {
        self.per_kind.get(&kind).copied().unwrap_or_default()
    }

    /// A Markdown table of the per-kind scores.
    pub fn table(&self) -> String {
        let mut s =
            String::from("| kind | gold | found | recall | predicted | correct | precision |\n");
        s.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for (k, v) in &self.per_kind {
            let _ = writeln!(
                s,
                "| {k} | {} | {} | {:.3} | {} | {} | {:.3} |",
                v.gold,
                v.found,
                v.recall(),
                v.predicted,
                v.correct,
                v.precision()
            );
        }
        let _ = writeln!(
            s,
            "| **all** | | | **{:.3}** | | | **{:.3}** (any-type {:.3}) |",
            self.recall(),
            self.precision(),
            self.any_type_precision()
        );
        s
    }
}

fn iou(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let union = a.1.max(b.1) - a.0.min(b.0);
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn matches(g: &GoldSpan, f: &Finding) -> bool {
    g.kind == f.kind && iou((g.start, g.end), (f.start, f.end)) >= 0.5
}

/// Cell ranges (inside quotes) of one CSV line.
fn cells(line: &str, d: u8) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let e = memchr::memchr(b'"', &b[i + 1..]).map_or(b.len(), |k| i + 1 + k);
            out.push((i + 1, e));
            i = e + 1;
        } else {
            let e = memchr::memchr(d, &b[i.min(b.len())..]).map_or(b.len(), |k| i + k);
            out.push((i, e));
            i = e;
        }
        if i >= b.len() {
            return out;
        }
        i += 1; // delimiter
    }
}

/// Runs the crate's detector on a document the way the streaming API would: CSV rows are
/// detected cell by cell with the header name as context, everything else as free text.
pub fn detect_doc(doc: &Doc) -> Vec<Finding> {
    if doc.genre != Genre::CsvRow {
        return crate::detect(&doc.text);
    }
    let Some((header, row)) = doc.text.split_once('\n') else {
        return crate::detect(&doc.text);
    };
    let d = if header.contains(';') { b';' } else { b',' };
    let names: Vec<&str> = header.split(char::from(d)).collect();
    let off = header.len() + 1;
    let mut out = Vec::new();
    for (i, (s, e)) in cells(row, d).into_iter().enumerate() {
        let name = names.get(i).copied().unwrap_or("");
        for mut f in crate::detect_field(&row[s..e], name) {
            f.start += off + s;
            f.end += off + s;
            out.push(f);
        }
    }
    out
}

/// Scores the crate's detector ([`detect_doc`]) on `docs`, including the card-leak check.
pub fn evaluate(docs: &[Doc]) -> Report {
    let policy = Policy::default();
    let mut leaks = 0;
    let mut report = evaluate_with(docs, |doc| {
        let f = detect_doc(doc);
        let kept: Vec<_> = f
            .iter()
            .copied()
            .filter(|x| x.score >= policy.min_score())
            .collect();
        let red = crate::apply(&doc.text, &kept, &policy).unwrap_or_default();
        let gold_card_left = doc
            .spans
            .iter()
            .any(|g| g.kind == EntityKind::CreditCard && red.contains(&doc.text[g.start..g.end]));
        // A card-shaped digit sequence the source already held (the card guard reads digit
        // groups joined by any punctuation, so CSV cells such as `SKU-K36855,2,20/06/2025` can
        // add up to one) is not a leak unless it is gold; redaction must not create new ones.
        let digits = |t: &str, r: std::ops::Range<usize>| -> String {
            t[r].chars().filter(char::is_ascii_digit).collect()
        };
        let before: Vec<String> = crate::card::find_card_numbers(&doc.text)
            .into_iter()
            .map(|r| digits(&doc.text, r))
            .collect();
        let new_card = crate::card::find_card_numbers(&red)
            .into_iter()
            .any(|r| !before.contains(&digits(&red, r)));
        if gold_card_left || new_card {
            leaks += 1;
        }
        f
    });
    report.card_leaks = leaks;
    report
}

/// Scores any detector on `docs` (used to compare other engines on the same corpus).
pub fn evaluate_with(docs: &[Doc], mut detector: impl FnMut(&Doc) -> Vec<Finding>) -> Report {
    let mut r = Report::default();
    for k in EntityKind::ALL {
        r.per_kind.insert(k, KindScore::default());
    }
    for doc in docs {
        r.docs += 1;
        r.bytes += doc.text.len();
        let found: Vec<Finding> = detector(doc)
            .into_iter()
            .filter(|f| f.score >= crate::MIN_REPORTED_SCORE)
            .collect();
        for g in &doc.spans {
            let s = r.per_kind.entry(g.kind).or_default();
            s.gold += 1;
            if found.iter().any(|f| matches(g, f)) {
                s.found += 1;
            }
        }
        for f in &found {
            let any = doc
                .spans
                .iter()
                .any(|g| iou((g.start, g.end), (f.start, f.end)) > 0.0);
            r.overlapping_any_gold += usize::from(any);
            let s = r.per_kind.entry(f.kind).or_default();
            s.predicted += 1;
            if doc.spans.iter().any(|g| matches(g, f)) {
                s.correct += 1;
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_inside_quotes() {
        let l = "a,\"b, c\",d";
        let c: Vec<_> = cells(l, b',').into_iter().map(|(s, e)| &l[s..e]).collect();
        assert_eq!(c, ["a", "b, c", "d"]);
    }

    #[test]
    fn generator_is_deterministic_and_spans_are_valid() {
        let a = super::super::generate(42, 200);
        assert_eq!(a, super::super::generate(42, 200));
        for d in &a {
            for s in &d.spans {
                assert!(
                    s.start < s.end
                        && d.text.is_char_boundary(s.start)
                        && d.text.is_char_boundary(s.end)
                );
            }
        }
    }
}
