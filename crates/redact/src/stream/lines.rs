//! Bounded line reading: never buffers more than the caller's limit.

use std::io::BufRead;

use crate::error::RedactError;

/// How a [`Input::read_line`] call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// A full line, including its `\n` (or the last line without one).
    Line,
    /// End of input, nothing read.
    Eof,
    /// The limit was reached before a `\n`.
    Limit,
}

/// A reader that counts bytes and lines.
pub(crate) struct Input<R> {
    r: R,
    bytes: u64,
    /// Number of `\n` consumed so far; the current line is `line + 1`.
    newlines: u64,
}

impl<R: BufRead> Input<R> {
    pub(crate) fn new(r: R) -> Self {
        Input {
            r,
            bytes: 0,
            newlines: 0,
        }
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// 1-based number of the line the next byte belongs to.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// Appends one line to `buf`, reading at most `limit - buf.len()` bytes.
    pub(crate) fn read_line(
        &mut self,
        buf: &mut Vec<u8>,
        limit: usize,
    ) -> Result<LineEnd, RedactError> {
        let start_len = buf.len();
        loop {
            let avail = match self.r.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if avail.is_empty() {
                return Ok(if buf.len() == start_len {
                    LineEnd::Eof
                } else {
                    LineEnd::Line
                });
            }
            let room = limit.saturating_sub(buf.len());
            if room == 0 {
                return Ok(LineEnd::Limit);
            }
            let take = avail.len().min(room);
            if let Some(p) = memchr::memchr(b'\n', &avail[..take]) {
                buf.extend_from_slice(&avail[..=p]);
                self.r.consume(p + 1);
                self.bytes += (p + 1) as u64;
                self.newlines += 1;
                return Ok(LineEnd::Line);
            }
            buf.extend_from_slice(&avail[..take]);
            self.r.consume(take);
            self.bytes += take as u64;
        }
    }
}

/// Checks a line for NUL bytes (binary input) and UTF-8.
pub(crate) fn check_text(bytes: &[u8], line: u64) -> Result<&str, RedactError> {
    if memchr::memchr(0, bytes).is_some() {
        return Err(RedactError::Binary { line });
    }
    std::str::from_utf8(bytes).map_err(|_| RedactError::InvalidUtf8 { line })
}
