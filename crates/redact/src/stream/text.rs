//! Plain text, redacted in overlapping windows so that no value depends on where the input is
//! cut (issue 19).
//!
//! Input is read in pieces: whole lines, and lines longer than
//! [`StreamOptions::max_line_bytes`](crate::StreamOptions::max_line_bytes) in pieces of that
//! size. Once `chunk_bytes` + [`OVERLAP`] bytes are pending, the window is detected as a whole
//! and only its part up to a *cut* is written:
//!
//! - the cut lies at least [`OVERLAP`] bytes before the end of what was read (right context),
//!   at a line start if there is one, else at a space between words that are not digits;
//! - a cut that would fall inside a finding moves to the finding's start (or past its end when
//!   the finding began in text already written);
//! - the next window is detected again from the start of the line before the cut (left context,
//!   at most [`LEFT_MAX`] bytes; on a longer line, from a clean break at least [`OVERLAP`]
//!   bytes before the cut), and findings that end before the cut are not applied twice.
//!
//! The detector looks at most 64 bytes back, spans at most 240 bytes (an address) and reads
//! digit runs of at most 8 groups, all far inside [`OVERLAP`], so the output equals redacting
//! the whole input at once. A finding that would still straddle the written part (only
//! possible with a value longer than [`OVERLAP`]) is redacted from the cut on: fail closed.
//!
//! Card numbers as the write guard reads them ([`crate::card::find_card_numbers`]) may have
//! separator runs of any length between their groups, so no overlap bounds them. A cut is
//! therefore only made where no such card can straddle it: a letter (outside any finding, so
//! it stays in the output) lies between the cut and the nearest digit on one side within the
//! window. Otherwise the cut moves back to just after the last such letter; with none in the
//! window, reading goes on (the next try waits until the window has doubled, so the work stays
//! linear) up to [`MAX_HOLD`] bytes, and past that the window is written failing closed: every
//! digit between the last letter and the cut is dropped as a card.

use std::io::{BufRead, Write};

use super::Cx;
use super::lines::{Input, LineEnd};
use crate::error::RedactError;
use crate::kind::Finding;

/// Bytes of right context kept unwritten after every cut, and the least left context kept
/// before it: many times the longest identifier plus its separators and context words.
pub(crate) const OVERLAP: usize = 1024;

/// Most left context kept before a cut.
pub(crate) const LEFT_MAX: usize = 2 * OVERLAP;

/// Most bytes held back, beyond a window, while no cut is safe from a card straddling it.
pub(crate) const MAX_HOLD: usize = 1024 * OVERLAP;

/// The window buffer: `buf[..emitted]` is left context already written, `buf[..checked]` is
/// valid UTF-8, `buf[checked..]` is at most an incomplete character still being read.
struct Window {
    buf: Vec<u8>,
    checked: usize,
    emitted: usize,
    /// Pending bytes needed before the next try after one that found no safe cut.
    hold: usize,
}

pub(crate) fn run<R: BufRead, W: Write>(
    input: &mut Input<R>,
    w: &mut W,
    cx: &mut Cx<'_>,
) -> Result<(), RedactError> {
    let piece = cx.options.max_line_bytes.max(16);
    let chunk = cx.options.chunk_bytes.max(1);
    let mut win = Window {
        buf: Vec::with_capacity((chunk + OVERLAP + LEFT_MAX).min(4 << 20)),
        checked: 0,
        emitted: 0,
        hold: 0,
    };
    let mut in_long_line = false;
    loop {
        let line_no = input.line();
        let start = win.buf.len();
        let end = input.read_line(&mut win.buf, start + piece)?;
        if end == LineEnd::Eof {
            break;
        }
        if memchr::memchr(0, &win.buf[start..]).is_some() {
            return Err(RedactError::Binary { line: line_no });
        }
        win.validate(end == LineEnd::Line, line_no)?;
        if end == LineEnd::Line {
            cx.stats.records += 1;
            in_long_line = false;
        } else if !in_long_line {
            cx.stats.lines_split += 1;
            in_long_line = true;
        }
        let pending = win.checked - win.emitted;
        let most = chunk + OVERLAP + MAX_HOLD;
        if pending >= chunk + OVERLAP && pending >= win.hold.min(most) {
            win.flush(w, cx, false, pending >= most)?;
            (cx.progress)(input.bytes());
        }
    }
    if win.checked != win.buf.len() {
        return Err(RedactError::InvalidUtf8 { line: input.line() });
    }
    win.flush(w, cx, true, false)?;
    (cx.progress)(input.bytes());
    Ok(())
}

impl Window {
    /// Extends the valid prefix over the bytes just read; an incomplete character at the end
    /// is allowed only while the line goes on.
    fn validate(&mut self, line_complete: bool, line: u64) -> Result<(), RedactError> {
        match std::str::from_utf8(&self.buf[self.checked..]) {
            Ok(_) => self.checked = self.buf.len(),
            Err(e) if e.error_len().is_none() && !line_complete => self.checked += e.valid_up_to(),
            Err(_) => return Err(RedactError::InvalidUtf8 { line }),
        }
        Ok(())
    }

    /// Detects the whole window and writes its redacted part up to the cut (everything when
    /// `last`), then drops left context that is no longer needed. With `force`, a window
    /// without a cut safe from cards is written anyway, failing closed (see the module docs).
    fn flush<W: Write>(
        &mut self,
        w: &mut W,
        cx: &mut Cx<'_>,
        last: bool,
        force: bool,
    ) -> Result<(), RedactError> {
        // `validate` keeps `buf[..checked]` UTF-8; the error is unreachable but not a panic.
        let text = std::str::from_utf8(&self.buf[..self.checked])
            .map_err(|_| RedactError::InvalidUtf8 { line: 0 })?;
        let mut findings: Vec<Finding> = crate::detect(text)
            .into_iter()
            .filter(|f| f.score >= cx.policy.min_score())
            .collect();
        let from = self.emitted;
        let cut = if last {
            Some(text.len())
        } else {
            let cut = cut_point(text, from, text.len() - OVERLAP, &findings);
            match card_safe_cut(text, from, cut, &findings) {
                None if force => {
                    let digits = unsafe_digits(text, from, cut, &findings);
                    if !digits.is_empty() {
                        crate::guard::merge_cards(&mut findings, &[digits], false);
                    }
                    Some(cut)
                }
                c => c,
            }
        };
        let cut = match cut {
            Some(c) if c > from => c,
            _ => {
                // Nothing safe to write yet: read on, and try again once the window doubled.
                self.hold = 2 * (self.checked - self.emitted);
                return Ok(());
            }
        };
        self.hold = 0;
        let local: Vec<Finding> = findings
            .iter()
            .filter(|f| f.end > from && f.start < cut)
            .map(|f| Finding {
                start: f.start.max(from) - from,
                end: f.end.min(cut) - from,
                ..*f
            })
            .collect();
        let out = crate::apply(&text[from..cut], &local, cx.policy)?;
        cx.stats.add(&local);
        w.write_all(out.as_bytes())?;
        let keep = if last { cut } else { left_start(text, cut) };
        self.buf.drain(..keep);
        self.checked -= keep;
        self.emitted = cut - keep;
        Ok(())
    }
}

/// Where to stop writing: the last line start in `(from, target]`, else a clean break before
/// `target`; moved out of any finding it would split.
fn cut_point(text: &str, from: usize, target: usize, findings: &[Finding]) -> usize {
    let b = text.as_bytes();
    let mut cut = match memchr::memrchr(b'\n', &b[from..target]) {
        Some(p) => from + p + 1,
        None => break_before(text, from, target),
    };
    if let Some(f) = findings.iter().find(|f| f.start < cut && cut < f.end) {
        // Findings do not overlap, so neither end lies inside another one.
        cut = if f.start > from { f.start } else { f.end };
    }
    cut
}

/// Whether the character starting at or ending at `p` lies inside a finding (its letters may
/// not reach the output, so they do not separate card groups there).
fn in_finding(findings: &[Finding], p: usize) -> bool {
    let i = findings.partition_point(|f| f.end <= p);
    findings.get(i).is_some_and(|f| f.start <= p)
}

/// The guard's nearest significant character before `cut` (back to `from`) or from `cut` on
/// (`back == false`): `Some(true)` a digit, `Some(false)` a letter outside every finding, `None`
/// none. Digits inside findings count as digits (they may be kept by a mask).
fn nearest_sig(
    text: &str,
    from: usize,
    cut: usize,
    back: bool,
    findings: &[Finding],
) -> Option<bool> {
    let scan = |p: usize, c: char| match crate::guard::edge_sig(c, back) {
        Some(false) if in_finding(findings, p) => None,
        s => s,
    };
    if back {
        text[from..cut]
            .char_indices()
            .rev()
            .find_map(|(i, c)| scan(from + i, c))
    } else {
        text[cut..]
            .char_indices()
            .find_map(|(i, c)| scan(cut + i, c))
    }
}

/// `cut` if no card number the guard reads can straddle it, else the position just after the
/// last letter outside findings in `(from, cut)`, else `None`.
///
/// A card straddling the cut has digits on both sides joined only by separators. So the cut is
/// safe when the nearest significant character before it is a letter, or when that is a digit
/// and the nearest one after it, within the window (which reaches at least [`OVERLAP`] bytes
/// further), is a letter. Nothing significant back to `from` is safe too: the previous cut was
/// safe (or failed closed, leaving no digit before it in the output).
fn card_safe_cut(text: &str, from: usize, cut: usize, findings: &[Finding]) -> Option<usize> {
    if nearest_sig(text, from, cut, true, findings) != Some(true)
        || nearest_sig(text, from, cut, false, findings) == Some(false)
    {
        return Some(cut);
    }
    text[from..cut]
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            crate::guard::edge_sig(c, true) == Some(false) && !in_finding(findings, from + i)
        })
        .map(|(i, c)| from + i + c.len_utf8())
        .filter(|&p| p > from)
}

/// The span to drop when a window must be written without a safe cut: from the first digit
/// after the last letter (outside findings) before `cut`, or after `from`, to the end of the last
/// digit before `cut`. Every digit a card straddling the cut could have before it is in it.
fn unsafe_digits(
    text: &str,
    from: usize,
    cut: usize,
    findings: &[Finding],
) -> std::ops::Range<usize> {
    let region = &text[from..cut];
    let mut start = None;
    let mut end = None;
    for (i, c) in region.char_indices().rev() {
        match crate::guard::edge_sig(c, true) {
            Some(false) if !in_finding(findings, from + i) => break,
            Some(true) => {
                end.get_or_insert(from + i + c.len_utf8());
                start = Some(from + i);
            }
            _ => {}
        }
    }
    match (start, end) {
        (Some(s), Some(e)) => s..e,
        _ => cut..cut,
    }
}

/// Where the next window's detection starts: the start of the line before the cut's line when
/// that is within [`LEFT_MAX`], else the cut's own line start, else a clean break at least
/// [`OVERLAP`] bytes before the cut.
fn left_start(text: &str, cut: usize) -> usize {
    let b = text.as_bytes();
    let line = memchr::memrchr(b'\n', &b[..cut]).map_or(0, |p| p + 1);
    let prev = match line {
        0 => 0,
        l => memchr::memrchr(b'\n', &b[..l - 1]).map_or(0, |p| p + 1),
    };
    if cut - prev <= LEFT_MAX {
        prev
    } else if cut - line <= LEFT_MAX {
        line
    } else {
        break_before(text, cut - LEFT_MAX, cut - OVERLAP)
    }
}

/// A position in `(lo, hi]` (or `hi` rounded down to a character boundary): after the last
/// space or tab that does not join two digit groups (so no digit run is entered mid-way),
/// else after any space or tab.
fn break_before(text: &str, lo: usize, hi: usize) -> usize {
    let b = text.as_bytes();
    let space = |p: usize| matches!(b[p - 1], b' ' | b'\t');
    let clean = |p: usize| {
        let digit_before = p >= 2 && b[p - 2].is_ascii_digit();
        let digit_after = b.get(p).is_some_and(u8::is_ascii_digit);
        space(p) && !(digit_before && digit_after)
    };
    if let Some(p) = (lo + 1..=hi).rev().find(|&p| clean(p)) {
        return p;
    }
    if let Some(p) = (lo + 1..=hi).rev().find(|&p| space(p)) {
        return p;
    }
    let mut p = hi;
    while p > lo && !text.is_char_boundary(p) {
        p -= 1;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_avoid_digit_runs_and_characters() {
        let t = "ab 12 34 cd ef";
        assert_eq!(break_before(t, 0, t.len()), 12); // before "ef"
        assert_eq!(break_before(t, 0, 8), 3); // "12 34" is not entered
        let u = "ééé";
        assert_eq!(break_before(u, 0, 3), 2);
        assert_eq!(left_start("a\nb\nc", 4), 2);
    }
}
