//! Plain text: chunks of whole lines; over-long lines are split at a space.

use std::io::{BufRead, Write};

use super::Cx;
use super::lines::{Input, LineEnd, check_text};
use crate::error::RedactError;

pub(crate) fn run<R: BufRead, W: Write>(
    input: &mut Input<R>,
    w: &mut W,
    cx: &mut Cx<'_>,
) -> Result<(), RedactError> {
    let max_line = cx.options.max_line_bytes.max(16);
    let mut chunk: Vec<u8> = Vec::with_capacity(cx.options.chunk_bytes.min(1 << 20) + 1024);
    let mut line_start = 0;
    loop {
        let line_no = input.line();
        let end = input.read_line(&mut chunk, line_start + max_line)?;
        match end {
            LineEnd::Eof => break,
            LineEnd::Line => {
                check_text(&chunk[line_start..], line_no)?;
                cx.stats.records += 1;
                line_start = chunk.len();
                if chunk.len() >= cx.options.chunk_bytes {
                    flush(&mut chunk, w, cx, line_no, input.bytes())?;
                    line_start = 0;
                }
            }
            LineEnd::Limit => {
                let seg = &chunk[line_start..];
                let cut = split_point(seg);
                let rest = chunk.split_off(line_start + cut);
                check_text(&chunk[line_start..], line_no)?;
                cx.stats.lines_split += 1;
                flush(&mut chunk, w, cx, line_no, input.bytes())?;
                chunk = rest;
                line_start = 0;
            }
        }
    }
    flush(&mut chunk, w, cx, input.line(), input.bytes())
}

/// Where to split an over-long line: after the last space/tab in its second half, else at
/// the last complete UTF-8 character.
fn split_point(seg: &[u8]) -> usize {
    if let Some(p) = seg.iter().rposition(|&c| c == b' ' || c == b'\t')
        && p + 1 > seg.len() / 2
    {
        return p + 1;
    }
    match std::str::from_utf8(seg) {
        Ok(_) => seg.len(),
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => e.valid_up_to(),
        Err(_) => seg.len(),
    }
}

fn flush<W: Write>(
    chunk: &mut Vec<u8>,
    w: &mut W,
    cx: &mut Cx<'_>,
    line: u64,
    done: u64,
) -> Result<(), RedactError> {
    if chunk.is_empty() {
        return Ok(());
    }
    let text = std::str::from_utf8(chunk).map_err(|_| RedactError::InvalidUtf8 { line })?;
    let r = crate::redact(text, cx.policy)?;
    cx.stats.add(&r.findings);
    w.write_all(r.text.as_bytes())?;
    chunk.clear();
    (cx.progress)(done);
    Ok(())
}
