//! CSV (RFC 4180): a small record reader and writer. The header row is copied; every data
//! cell is redacted with its column name as context. Quoted fields may span lines. Quoting is
//! kept where the input had it and added where the output needs it.

use std::io::{BufRead, Write};

use super::Cx;
use super::lines::{Input, LineEnd, check_text};
use crate::error::RedactError;

/// One parsed field.
struct Field {
    text: String,
    quoted: bool,
}

/// One record and its line terminator.
struct Record {
    fields: Vec<Field>,
    terminator: &'static str,
}

/// Reads the next record. `None` at end of input.
fn read_record<R: BufRead>(
    input: &mut Input<R>,
    buf: &mut Vec<u8>,
    delim: Option<u8>,
    limit: usize,
) -> Result<Option<(Record, u8, u64)>, RedactError> {
    buf.clear();
    let first_line = input.line();
    loop {
        let end = input.read_line(buf, limit)?;
        match end {
            LineEnd::Eof if buf.is_empty() => return Ok(None),
            LineEnd::Limit => {
                return Err(RedactError::RecordTooLong {
                    line: first_line,
                    limit,
                });
            }
            LineEnd::Eof | LineEnd::Line => {}
        }
        let at_eof = end == LineEnd::Eof || !buf.ends_with(b"\n");
        let text = check_text(buf, first_line)?;
        let d = delim.unwrap_or_else(|| sniff(text));
        match parse(text, d, first_line)? {
            Some(rec) => return Ok(Some((rec, d, first_line))),
            None if at_eof => {
                return Err(RedactError::Csv {
                    line: first_line,
                    reason: "unterminated quoted field",
                });
            }
            None => continue, // quoted field spans a line break; read more
        }
    }
}

/// Picks the delimiter that occurs most often outside quotes in the header line.
fn sniff(line: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Parses a complete record from `text`; `None` if a quoted field is still open.
fn parse(text: &str, d: u8, line: u64) -> Result<Option<Record>, RedactError> {
    let (body, terminator) = if let Some(b) = text.strip_suffix("\r\n") {
        (b, "\r\n")
    } else if let Some(b) = text.strip_suffix('\n') {
        (b, "\n")
    } else {
        (text, "")
    };
    let bytes = body.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        if bytes.get(i) == Some(&b'"') {
            let mut s = String::new();
            let mut j = i + 1;
            let mut seg = j;
            loop {
                match memchr::memchr(b'"', &bytes[j..]) {
                    None => return Ok(None),
                    Some(k) => {
                        let q = j + k;
                        s.push_str(&body[seg..q]);
                        if bytes.get(q + 1) == Some(&b'"') {
                            s.push('"');
                            j = q + 2;
                            seg = j;
                        } else {
                            j = q + 1;
                            break;
                        }
                    }
                }
            }
            fields.push(Field {
                text: s,
                quoted: true,
            });
            match bytes.get(j) {
                None => break,
                Some(&c) if c == d => i = j + 1,
                Some(_) => {
                    return Err(RedactError::Csv {
                        line,
                        reason: "unexpected character after a closing quote",
                    });
                }
            }
        } else {
            let e = memchr::memchr(d, &bytes[i..]).map_or(bytes.len(), |k| i + k);
            fields.push(Field {
                text: body[i..e].to_string(),
                quoted: false,
            });
            if e == bytes.len() {
                break;
            }
            i = e + 1;
        }
    }
    Ok(Some(Record { fields, terminator }))
}

fn write_record<W: Write>(w: &mut W, rec: &Record, d: u8) -> std::io::Result<()> {
    for (i, f) in rec.fields.iter().enumerate() {
        if i > 0 {
            w.write_all(&[d])?;
        }
        let needs = f.quoted
            || f.text
                .bytes()
                .any(|c| c == d || matches!(c, b'"' | b'\n' | b'\r'));
        if needs {
            w.write_all(b"\"")?;
            w.write_all(f.text.replace('"', "\"\"").as_bytes())?;
            w.write_all(b"\"")?;
        } else {
            w.write_all(f.text.as_bytes())?;
        }
    }
    w.write_all(rec.terminator.as_bytes())
}

pub(crate) fn run<R: BufRead, W: Write>(
    input: &mut Input<R>,
    w: &mut W,
    cx: &mut Cx<'_>,
) -> Result<(), RedactError> {
    let limit = cx.options.max_record_bytes;
    let mut buf = Vec::new();
    let Some((header, d, _)) = read_record(input, &mut buf, cx.options.csv_delimiter, limit)?
    else {
        return Ok(());
    };
    write_record(w, &header, d)?;
    let names: Vec<String> = header.fields.iter().map(|f| f.text.clone()).collect();
    while let Some((mut rec, _, _)) = read_record(input, &mut buf, Some(d), limit)? {
        if rec.fields.len() == 1 && rec.fields[0].text.is_empty() {
            write_record(w, &rec, d)?; // blank line
            continue;
        }
        for (i, f) in rec.fields.iter_mut().enumerate() {
            if f.text.is_empty() {
                continue;
            }
            let name = names.get(i).map_or("", String::as_str);
            let r = crate::redact_field(&f.text, name, cx.policy)?;
            cx.stats.add(&r.findings);
            f.text = r.text;
        }
        // A one-field record redacted to nothing would print as an empty line, and as the last
        // line without a terminator as no record at all: quote it so every record stays.
        if let [only] = rec.fields.as_mut_slice() {
            only.quoted |= only.text.is_empty();
        }
        write_record(w, &rec, d)?;
        cx.stats.records += 1;
        (cx.progress)(input.bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(t: &str) -> Vec<(String, bool)> {
        parse(t, b',', 1)
            .unwrap()
            .unwrap()
            .fields
            .into_iter()
            .map(|f| (f.text, f.quoted))
            .collect()
    }

    #[test]
    fn parses_quotes_and_empty_fields() {
        assert_eq!(
            fields("a,\"b,\"\"c\"\"\",,d\r\n"),
            [
                ("a".into(), false),
                ("b,\"c\"".into(), true),
                ("".into(), false),
                ("d".into(), false)
            ]
        );
        assert!(parse("a,\"open\n", b',', 1).unwrap().is_none());
        assert!(parse("a,\"x\"y\n", b',', 1).is_err());
        assert_eq!(sniff("a;b;c,d"), b';');
    }
}
