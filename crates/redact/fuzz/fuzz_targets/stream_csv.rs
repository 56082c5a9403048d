//! `redact_stream` with the csv format:
//! - arbitrary bytes give an error or output, never a panic, and output re-parses as CSV with
//!   the same shape (records and fields per record) and the same header;
//! - records built from the input with a planted card in one cell: the card never survives.
#![no_main]

mod common;

use jaga_redact::Format;
use libfuzzer_sys::fuzz_target;

/// RFC 4180 as the crate reads it: a quote only opens a field at its start; `""` inside
/// quotes is a quote; a record ends at a line feed outside quotes, minus one `\r`.
/// `None` for an unterminated quote.
fn parse(s: &str, d: char) -> Option<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut at_start = true;
        let mut end = rest.len();
        let mut quoted = false;
        while let Some((i, c)) = chars.next() {
            if quoted {
                if c == '"' {
                    if chars.peek().map(|&(_, c)| c) == Some('"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(c);
                }
            } else if c == '"' && at_start {
                quoted = true;
                at_start = false;
            } else if c == d {
                fields.push(std::mem::take(&mut field));
                at_start = true;
            } else if c == '\n' {
                end = i + 1;
                break;
            } else {
                field.push(c);
                at_start = false;
            }
        }
        if quoted {
            return None;
        }
        if rest[..end].ends_with("\r\n") && field.ends_with('\r') {
            field.pop();
        }
        fields.push(field);
        records.push(fields);
        rest = &rest[end..];
    }
    Some(records)
}

fn shape(r: &[Vec<String>]) -> Vec<usize> {
    r.iter().map(Vec::len).collect()
}

fn quote(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

fuzz_target!(|data: &[u8]| {
    let [a, b, sel, at, rest @ ..] = data else {
        return;
    };
    let d = [b',', b';', b'\t'][usize::from(*sel) % 3];
    let opts = common::options(*a, *b, Some(d));
    if let (Ok(out), Ok(input)) = (
        common::run(rest, Format::Csv, &opts),
        std::str::from_utf8(rest),
    ) {
        if let (Some(i), Some(o)) = (parse(input, char::from(d)), parse(&out, char::from(d))) {
            assert_eq!(shape(&i), shape(&o), "output has another shape");
            assert_eq!(i.first(), o.first(), "header changed");
        }
    }

    let (card, group) = common::card(*sel / 3);
    let body = common::text(rest);
    if body.contains(group) {
        return;
    }
    let cells: Vec<&str> = body.split('\u{1}').collect();
    let width = 1 + usize::from(*at) % 4;
    let target = usize::from(*at) % cells.len();
    let mut input = String::from("id,catatan,nama,no_hp\n");
    for (row, chunk) in cells.chunks(width).enumerate() {
        input.push_str(&row.to_string());
        for (k, cell) in chunk.iter().enumerate() {
            let cell = if row * width + k == target {
                common::insert(cell, usize::from(*a), &format!(" kartu {card} ya "))
            } else {
                (*cell).to_string()
            };
            input.push(',');
            input.push_str(&quote(&cell));
        }
        input.push('\n');
    }
    let opts = common::options(*a, *b, Some(b','));
    let out = common::run(input.as_bytes(), Format::Csv, &opts).expect("valid csv streams");
    assert!(!out.contains(group), "planted card survived");
    let (i, o) = (
        parse(&input, ',').unwrap(),
        parse(&out, ',').expect("output re-parses"),
    );
    assert_eq!(shape(&i), shape(&o));
});
