//! Streaming redaction of whole inputs: `text`, `csv`, `jsonl` and `eml`.
//!
//! [`redact_stream`] reads from any [`BufRead`] and writes to any [`Write`] in bounded memory:
//! text is processed in overlapping windows, CSV and JSONL one record at a time, e-mail one
//! MIME part at a time. The only buffers are one window/record/part, each capped by
//! [`StreamOptions`]. Errors name line numbers, never values.
//!
//! **Chunking guarantee**: the output never depends on where the input is cut. Text windows
//! overlap by [`OVERLAP_BYTES`] of context on both sides of every cut (far more than the
//! longest identifier with its separators and context words), a cut never falls inside a
//! finding, and never where a card number whose groups are joined by a longer separator run
//! could straddle it (the window is held back instead, up to 1 MiB, then written failing
//! closed), so streamed text equals [`crate::redact`] on the whole input; CSV cells, JSONL
//! `text` values, header values and e-mail bodies are never split (a record or part over
//! [`StreamOptions::max_record_bytes`] is an error, not a split).
//!
//! ```
//! use jaga_redact::{redact_stream, Format, Policy};
//! let input = "id,nama,no_hp\n1,Budi Santoso,081234567890\n";
//! let mut out = Vec::new();
//! let stats = redact_stream(input.as_bytes(), &mut out, Format::Csv, &Policy::default(), |_| {})
//!     .unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "id,nama,no_hp\n1,[PERSON],********7890\n");
//! assert_eq!(stats.total(), 2);
//! ```

mod csv;
mod eml;
mod jsonl;
mod lines;
mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, Write};
use std::str::FromStr;

use serde::Serialize;

use crate::error::RedactError;
use crate::kind::{EntityKind, Finding};
use crate::policy::Policy;

/// Context kept on each side of every cut in streamed text: no identifier, with its separators
/// and context words, comes near this length, so where the input is cut never changes the
/// output.
pub const OVERLAP_BYTES: usize = text::OVERLAP;

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text; redacted in chunks of whole lines.
    Text,
    /// CSV with a header row (kept as is); each cell is redacted with its column name as
    /// context, so `nama`, `alamat`, `no_rek`, `tgl_lahir` … columns are recognised.
    Csv,
    /// One JSON object per line, `{"id": …, "text": …}`; each output line is
    /// `{"id": …, "text": <redacted>, "findings": [{"kind", "start", "end", "score"}]}` with
    /// byte offsets into the input `text` value. Other fields are not copied (they were not
    /// scanned). Blank lines are kept.
    Jsonl,
    /// One RFC 5322 message: header values and text parts (`text/*`, any transfer encoding)
    /// are redacted; text parts are re-emitted as UTF-8 `8bit`; other parts are removed.
    Eml,
}

impl Format {
    /// The format's name as used on the command line: `text`, `csv`, `jsonl`, `eml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Eml => "eml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format (expected text, csv, jsonl or eml)")]
pub struct UnknownFormat;

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "eml" | "email" => Ok(Format::Eml),
            _ => Err(UnknownFormat),
        }
    }
}

/// Limits and knobs for [`redact_stream_with`].
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// Text is written in windows of about this many new bytes (default 64 KiB), each detected
    /// with [`OVERLAP_BYTES`] of context on both sides.
    pub chunk_bytes: usize,
    /// Text lines longer than this (default 1 MiB) are read in pieces of this size and counted
    /// in [`Stats::lines_split`]; the pieces go through the same overlapping windows, so no value
    /// is missed where a line is cut.
    pub max_line_bytes: usize,
    /// Largest CSV record, JSONL line or e-mail part/header block (default 16 MiB); larger
    /// ones are an error.
    pub max_record_bytes: usize,
    /// CSV delimiter; `None` picks `,`, `;` or tab from the header line.
    pub csv_delimiter: Option<u8>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            chunk_bytes: 64 * 1024,
            max_line_bytes: 1024 * 1024,
            max_record_bytes: 16 * 1024 * 1024,
            csv_delimiter: None,
        }
    }
}

/// What a stream run did: counts per kind (never values) and sizes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Redacted findings per kind.
    pub counts: BTreeMap<EntityKind, u64>,
    /// Records processed: lines (text, jsonl), data rows (csv), text parts (eml).
    pub records: u64,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Text lines longer than [`StreamOptions::max_line_bytes`] (read in pieces; nothing is
    /// missed at the pieces' edges).
    pub lines_split: u64,
    /// Non-text e-mail parts (attachments) removed.
    pub parts_removed: u64,
}

impl Stats {
    /// Findings of `kind`.
    pub fn count(&self, kind: EntityKind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    /// All findings.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    pub(crate) fn add(&mut self, findings: &[Finding]) {
        for f in findings {
            *self.counts.entry(f.kind).or_insert(0) += 1;
        }
    }
}

/// Redacts `reader` into `writer` with default [`StreamOptions`]. `progress` is called with the
/// number of input bytes consumed so far after each chunk or record.
pub fn redact_stream<R: BufRead, W: Write>(
    reader: R,
    writer: W,
    format: Format,
    policy: &Policy,
    progress: impl FnMut(u64),
) -> Result<Stats, RedactError> {
    redact_stream_with(
        reader,
        writer,
        format,
        policy,
        &StreamOptions::default(),
        progress,
    )
}

/// [`redact_stream`] with explicit options.
pub fn redact_stream_with<R: BufRead, W: Write>(
    reader: R,
    writer: W,
    format: Format,
    policy: &Policy,
    options: &StreamOptions,
    mut progress: impl FnMut(u64),
) -> Result<Stats, RedactError> {
    let mut input = lines::Input::new(reader);
    let mut output = Counting { w: writer, n: 0 };
    let mut stats = Stats::default();
    let mut cx = Cx {
        policy,
        options,
        stats: &mut stats,
        progress: &mut progress,
    };
    match format {
        Format::Text => text::run(&mut input, &mut output, &mut cx)?,
        Format::Csv => csv::run(&mut input, &mut output, &mut cx)?,
        Format::Jsonl => jsonl::run(&mut input, &mut output, &mut cx)?,
        Format::Eml => eml::run(&mut input, &mut output, &mut cx)?,
    }
    output.flush()?;
    stats.bytes_in = input.bytes();
    stats.bytes_out = output.n;
    progress(stats.bytes_in);
    Ok(stats)
}

/// Shared state of one run.
pub(crate) struct Cx<'a> {
    pub policy: &'a Policy,
    pub options: &'a StreamOptions,
    pub stats: &'a mut Stats,
    pub progress: &'a mut dyn FnMut(u64),
}

struct Counting<W> {
    w: W,
    n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.w.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}
