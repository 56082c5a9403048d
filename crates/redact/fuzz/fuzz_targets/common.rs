//! Helpers shared by the stream targets: options from the input, a planted card, checks.
#![allow(dead_code)]

use jaga_redact::{Format, Policy, RedactError, StreamOptions, redact_stream_with};

/// Cards in every separator form the write guard (`card::find_card_numbers`) reads; the
/// planted one must never survive redaction.
pub const CARDS: &[&str] = &[
    "4111 1111 1111 1111",
    "4111111111111111",
    "4111-1111-1111-1111",
    "5500 0000 0000 0004",
    "5500-0000-0000-0004",
    "3782 822463 10005",
    "4111.1111.1111.1111",
    "5555.5555.5555.4444",
    "4111  1111  1111  1111",
    "4111\u{a0}1111\u{a0}1111\u{a0}1111",
    "4111\t1111\t1111\t1111",
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111 - 1111 - 1111 - 1111",
    "(4111) [1111] {1111} <1111>",
    "\u{ff14}\u{ff11}\u{ff11}\u{ff11} \u{ff11}\u{ff11}\u{ff11}\u{ff11} \u{ff11}\u{ff11}\u{ff11}\u{ff11} \u{ff11}\u{ff11}\u{ff11}\u{ff11}",
];

/// The card picked by `sel` and its first group, as written (which no redaction keeps: cards
/// are dropped, and masks keep at most the last four digits).
pub fn card(sel: u8) -> (&'static str, &'static str) {
    let c = CARDS[usize::from(sel) % CARDS.len()];
    let start = c.find(|ch: char| ch.is_numeric()).unwrap_or(0);
    let end = c[start..]
        .char_indices()
        .nth(4)
        .map_or(c.len(), |(i, _)| start + i);
    (c, &c[start..end])
}

/// Small windows and line pieces (so every boundary is hit) from two control bytes.
pub fn options(a: u8, b: u8, delimiter: Option<u8>) -> StreamOptions {
    StreamOptions {
        chunk_bytes: 1 + usize::from(a) * 4,
        max_line_bytes: 1 + usize::from(b) * 4,
        max_record_bytes: 1 << 16,
        csv_delimiter: delimiter,
    }
}

/// Fuzz bytes as text: lossy UTF-8 without NUL bytes.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).replace('\0', " ")
}

/// `s` with `what` inserted at the character boundary at or before `at % (len + 1)`.
pub fn insert(s: &str, at: usize, what: &str) -> String {
    let mut p = at % (s.len() + 1);
    while !s.is_char_boundary(p) {
        p -= 1;
    }
    format!("{}{what}{}", &s[..p], &s[p..])
}

/// Runs the stream; the output must be UTF-8 whenever the run succeeds.
pub fn run(input: &[u8], format: Format, opts: &StreamOptions) -> Result<String, RedactError> {
    let mut out = Vec::new();
    redact_stream_with(input, &mut out, format, &Policy::default(), opts, |_| {})?;
    Ok(String::from_utf8(out).expect("stream output is UTF-8"))
}
