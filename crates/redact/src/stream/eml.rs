//! E-mail (RFC 5322 + MIME): header values and text parts are redacted; non-text parts are
//! removed. Memory is bounded by one header block or one part
//! ([`crate::StreamOptions::max_record_bytes`]).
//!
//! Text parts are decoded (quoted-printable, base64; UTF-8, US-ASCII or ISO-8859-1/
//! Windows-1252) and written back as UTF-8 with `Content-Transfer-Encoding: 8bit`; the soft
//! line breaks of `format=flowed` text are joined first, so a value wrapped there is one value.
//! Encoded words in headers (`=?UTF-8?B?…?=`) are not decoded, so a name inside one is missed.

use std::io::{BufRead, Write};

use super::Cx;
use super::lines::{Input, LineEnd};
use crate::error::RedactError;

/// Headers copied unchanged (structure, identifiers, signatures).
const KEEP: &[&str] = &[
    "content-type",
    "content-transfer-encoding",
    "mime-version",
    "content-id",
    "message-id",
    "in-reply-to",
    "references",
    "date",
    "dkim-signature",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
];

/// Headers holding mailboxes (`Name <addr>`): display names are names.
const MAILBOX: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "sender",
    "delivered-to",
    "return-path",
];

enum Ended {
    Eof,
    /// A boundary line of the multipart at `depth` in the stack.
    Boundary {
        depth: usize,
        close: bool,
        line: Vec<u8>,
    },
}

struct Parser<'i, R> {
    input: &'i mut Input<R>,
    stack: Vec<Vec<u8>>,
    eol: &'static str,
}

pub(crate) fn run<R: BufRead, W: Write>(
    input: &mut Input<R>,
    w: &mut W,
    cx: &mut Cx<'_>,
) -> Result<(), RedactError> {
    let mut p = Parser {
        input,
        stack: Vec::new(),
        eol: "\n",
    };
    entity(&mut p, w, cx, true)?;
    Ok(())
}

#[derive(Default)]
struct Info {
    ctype: String,
    boundary: Option<Vec<u8>>,
    charset: String,
    cte: String,
    has_cte: bool,
    /// `format=flowed` (RFC 3676): soft line breaks are joined before detection.
    flowed: bool,
    /// `delsp=yes`: the space before a soft line break is not part of the text.
    delsp: bool,
}

fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn header_name(raw: &str) -> Option<(&str, &str)> {
    let (name, value) = raw.split_once(':')?;
    (!name.is_empty() && !name.contains([' ', '\t'])).then_some((name, value))
}

fn entity<R: BufRead, W: Write>(
    p: &mut Parser<'_, R>,
    w: &mut W,
    cx: &mut Cx<'_>,
    top: bool,
) -> Result<Ended, RedactError> {
    let limit = cx.options.max_record_bytes;
    // Header block.
    let first_line = p.input.line();
    let mut headers: Vec<String> = Vec::new();
    let mut size = 0;
    let mut buf = Vec::new();
    let mut saw_blank = false;
    loop {
        buf.clear();
        let line = p.input.line();
        match p.input.read_line(&mut buf, limit)? {
            LineEnd::Eof => break,
            LineEnd::Limit => return Err(RedactError::RecordTooLong { line, limit }),
            LineEnd::Line => {}
        }
        if top && headers.is_empty() && buf.ends_with(b"\r\n") {
            p.eol = "\r\n";
        }
        size += buf.len();
        if size > limit {
            return Err(RedactError::RecordTooLong {
                line: first_line,
                limit,
            });
        }
        if buf.iter().all(|c| matches!(c, b'\r' | b'\n')) {
            saw_blank = true;
            break;
        }
        let s = String::from_utf8_lossy(&buf).into_owned();
        if matches!(buf[0], b' ' | b'\t') && !headers.is_empty() {
            if let Some(last) = headers.last_mut() {
                last.push_str(&s);
            }
        } else if header_name(&s).is_some() {
            headers.push(s);
        } else if top && headers.is_empty() {
            return Err(RedactError::Eml {
                line,
                reason: "the message does not start with a header",
            });
        } else {
            headers.push(s); // malformed header line: redacted as text below
        }
    }
    let mut info = Info::default();
    for h in &headers {
        if let Some((name, value)) = header_name(h) {
            if name.eq_ignore_ascii_case("content-type") {
                info.ctype = value
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                info.boundary = param(value, "boundary").map(String::into_bytes);
                info.charset = param(value, "charset")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let is = |name: &str, want: &str| {
                    param(value, name).is_some_and(|v| v.eq_ignore_ascii_case(want))
                };
                info.flowed = is("format", "flowed");
                info.delsp = is("delsp", "yes");
            } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
                info.cte = value.trim().to_ascii_lowercase();
                info.has_cte = true;
            }
        }
    }
    let multipart = info.ctype.starts_with("multipart/") && info.boundary.is_some();
    let text = !multipart
        && (info.ctype.is_empty()
            || info.ctype.starts_with("text/")
            || info.ctype == "message/rfc822");
    for h in &headers {
        write_header(w, h, &info, text, cx)?;
    }
    if text && !info.has_cte {
        write!(w, "Content-Transfer-Encoding: 8bit{}", p.eol)?;
    }
    if !text && !multipart {
        write!(w, "X-Jaga-Redacted: part removed{}", p.eol)?;
    }
    if !saw_blank {
        return Ok(Ended::Eof);
    }
    w.write_all(p.eol.as_bytes())?;

    if multipart {
        let boundary = info.boundary.unwrap_or_default();
        p.stack.push(boundary);
        let me = p.stack.len() - 1;
        let mut ended = copy_until_boundary(p, limit)?; // preamble
        loop {
            match ended {
                Ended::Boundary { depth, close, line } if depth == me => {
                    w.write_all(&line)?;
                    if close {
                        p.stack.pop();
                        return copy_until_boundary(p, limit); // epilogue
                    }
                    ended = entity(p, w, cx, false)?;
                }
                other => {
                    p.stack.pop();
                    return Ok(other);
                }
            }
        }
    }
    let body_line = p.input.line();
    let mut body = Vec::new();
    let ended = read_until_boundary(p, &mut body, limit, text)?;
    if text {
        let mut decoded = decode(&body, &info, body_line)?;
        if info.flowed {
            // A value wrapped at a soft line break is one value to the reader: join first.
            decoded = unflow(&decoded, info.delsp);
        }
        let r = crate::redact(&decoded, cx.policy)?;
        cx.stats.add(&r.findings);
        cx.stats.records += 1;
        w.write_all(r.text.as_bytes())?;
        if !r.text.is_empty() && !r.text.ends_with('\n') && matches!(ended, Ended::Boundary { .. })
        {
            w.write_all(p.eol.as_bytes())?;
        }
    } else {
        cx.stats.parts_removed += 1;
    }
    (cx.progress)(p.input.bytes());
    Ok(ended)
}

fn write_header<W: Write>(
    w: &mut W,
    raw: &str,
    info: &Info,
    text: bool,
    cx: &mut Cx<'_>,
) -> Result<(), RedactError> {
    let Some((name, value)) = header_name(raw) else {
        let r = crate::redact(raw, cx.policy)?;
        cx.stats.add(&r.findings);
        w.write_all(r.text.as_bytes())?;
        return Ok(());
    };
    let lower = name.to_ascii_lowercase();
    let eol = if raw.ends_with("\r\n") { "\r\n" } else { "\n" };
    if text && lower == "content-transfer-encoding" {
        write!(w, "{name}: 8bit{eol}")?;
        return Ok(());
    }
    if text && lower == "content-type" {
        let ct = if info.ctype.is_empty() {
            "text/plain"
        } else {
            &info.ctype
        };
        write!(w, "{name}: {ct}; charset=utf-8{eol}")?;
        return Ok(());
    }
    if KEEP.contains(&lower.as_str()) || lower.starts_with("arc-") {
        w.write_all(raw.as_bytes())?;
        return Ok(());
    }
    // A folded value is one value (RFC 5322 unfolding): a card folded between its groups must
    // not come out as two harmless halves. The header is written back unfolded.
    let unfolded = unfold(value);
    let value = unfolded.as_str();
    let findings = if MAILBOX.contains(&lower.as_str()) {
        crate::detect::detect_mailboxes(value)
    } else {
        crate::detect_field(value, name)
    };
    let findings: Vec<_> = findings
        .into_iter()
        .filter(|f| f.score >= cx.policy.min_score())
        .collect();
    cx.stats.add(&findings);
    let redacted = crate::apply(value, &findings, cx.policy)?;
    write!(w, "{name}:{redacted}")?;
    Ok(())
}

/// Removes the line breaks of a folded header value (those followed by a space or tab); the
/// final line end is kept.
fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(p) = rest.find('\n') {
        let folded = rest[p + 1..].starts_with([' ', '\t']);
        let line = &rest[..p];
        if folded {
            out.push_str(line.strip_suffix('\r').unwrap_or(line));
        } else {
            out.push_str(&rest[..=p]);
        }
        rest = &rest[p + 1..];
    }
    out.push_str(rest);
    out
}

fn boundary_of(stack: &[Vec<u8>], line: &[u8]) -> Option<(usize, bool)> {
    let t = line.trim_ascii_end();
    let rest = t.strip_prefix(b"--")?;
    stack.iter().enumerate().rev().find_map(|(i, b)| {
        let after = rest.strip_prefix(b.as_slice())?;
        match after {
            b"" => Some((i, false)),
            b"--" => Some((i, true)),
            _ => None,
        }
    })
}

/// Skips lines (preamble/epilogue) until a boundary of the stack or end of input.
fn copy_until_boundary<R: BufRead>(
    p: &mut Parser<'_, R>,
    limit: usize,
) -> Result<Ended, RedactError> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = p.input.line();
        match p.input.read_line(&mut line, limit)? {
            LineEnd::Eof => return Ok(Ended::Eof),
            LineEnd::Limit => return Err(RedactError::RecordTooLong { line: n, limit }),
            LineEnd::Line => {}
        }
        if let Some((depth, close)) = boundary_of(&p.stack, &line) {
            return Ok(Ended::Boundary { depth, close, line });
        }
        // Preambles and epilogues are not shown by mail clients; they are dropped.
    }
}

/// Reads a leaf part's body until a boundary; keeps it only if `keep`.
fn read_until_boundary<R: BufRead>(
    p: &mut Parser<'_, R>,
    body: &mut Vec<u8>,
    limit: usize,
    keep: bool,
) -> Result<Ended, RedactError> {
    let start = p.input.line();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = p.input.line();
        match p.input.read_line(&mut line, limit)? {
            LineEnd::Eof => return Ok(Ended::Eof),
            LineEnd::Limit => return Err(RedactError::RecordTooLong { line: n, limit }),
            LineEnd::Line => {}
        }
        if let Some((depth, close)) = boundary_of(&p.stack, &line) {
            return Ok(Ended::Boundary { depth, close, line });
        }
        if keep {
            if body.len() + line.len() > limit {
                return Err(RedactError::RecordTooLong { line: start, limit });
            }
            body.extend_from_slice(&line);
        }
    }
}

fn decode(body: &[u8], info: &Info, line: u64) -> Result<String, RedactError> {
    let bytes = match info.cte.as_str() {
        "quoted-printable" => qp_decode(body),
        "base64" => b64_decode(body).ok_or(RedactError::Eml {
            line,
            reason: "invalid base64 in a text part",
        })?,
        _ => body.to_vec(),
    };
    Ok(match info.charset.as_str() {
        "iso-8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252" => {
            bytes.iter().map(|&b| char::from(b)).collect()
        }
        "" | "utf-8" | "utf8" | "us-ascii" | "ascii" => {
            String::from_utf8(bytes).map_err(|_| RedactError::InvalidUtf8 { line })?
        }
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Joins the soft line breaks of `format=flowed` text (RFC 3676) as a mail client shows them:
/// a line ending in a space goes on with the next line of the same quote depth, whose quote
/// marks and stuffed space are dropped. The signature separator `-- ` is a hard break.
fn unflow(s: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(s.len());
    // Quote depth and line end of a soft break waiting for its continuation.
    let mut joining: Option<(usize, &str)> = None;
    for raw in s.split_inclusive('\n') {
        let (line, eol) = if let Some(l) = raw.strip_suffix("\r\n") {
            (l, "\r\n")
        } else if let Some(l) = raw.strip_suffix('\n') {
            (l, "\n")
        } else {
            (raw, "")
        };
        let depth = line.bytes().take_while(|&c| c == b'>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        match joining {
            Some((d, _)) if d == depth => out.push_str(content),
            Some((_, pending)) => {
                // Another quote depth: the break was hard after all.
                if delsp {
                    out.push(' ');
                }
                out.push_str(pending);
                out.push_str(line);
            }
            None => out.push_str(line),
        }
        if line.ends_with(' ') && content != "-- " && !eol.is_empty() {
            if delsp {
                out.pop();
            }
            joining = Some((depth, eol));
        } else {
            out.push_str(eol);
            joining = None;
        }
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn qp_decode(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn b64_decode(b: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in b {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders() {
        assert_eq!(qp_decode(b"caf=C3=A9 =\r\nok"), "café ok".as_bytes());
        assert_eq!(b64_decode(b"aGFsbyBrYWs=\r\n").unwrap(), b"halo kak");
        assert!(b64_decode(b"a*b").is_none());
    }

    #[test]
    fn folded_headers_are_unfolded() {
        assert_eq!(
            unfold(" a 4111\r\n 1111\r\n\t1111\r\n"),
            " a 4111 1111\t1111\r\n"
        );
        assert_eq!(unfold(" x\n"), " x\n");
    }

    #[test]
    fn flowed_soft_breaks_are_joined() {
        assert_eq!(
            unflow("kartu 4111 \r\n1111 ya\r\nbaru\n", false),
            "kartu 4111 1111 ya\r\nbaru\n"
        );
        assert_eq!(unflow("a4111\u{20}\n 1111\n", true), "a41111111\n");
        assert_eq!(
            unflow("> 4111 \n> 1111\n>> x \nlain\n", false),
            "> 4111 1111\n>> x \nlain\n"
        );
        assert_eq!(unflow("-- \nToko\n", false), "-- \nToko\n");
    }
}
