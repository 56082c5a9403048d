//! `redact_stream` with the eml format:
//! - arbitrary bytes give an error or output, never a panic, and output re-parses (a second
//!   run over it succeeds);
//! - a message built from the input with a planted card in its body, sent as 8bit,
//!   quoted-printable (soft line breaks every few bytes, so inside the card), base64 or
//!   `format=flowed` (wrapped at spaces, so between the card's groups): the
//!   card never survives and the output re-parses. The card is also folded into a header.
#![no_main]

mod common;

use jaga_redact::Format;
use libfuzzer_sys::fuzz_target;

/// Quoted-printable with a soft line break every `every` encoded bytes.
fn qp(s: &str, every: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for &c in s.as_bytes() {
        if c == b'\n' {
            out.push('\n');
            n = 0;
            continue;
        }
        if n >= every {
            out.push_str("=\n");
            n = 0;
        }
        if (b' '..=b'~').contains(&c) && c != b'=' {
            out.push(char::from(c));
            n += 1;
        } else {
            out.push_str(&format!("={c:02X}"));
            n += 3;
        }
    }
    out
}

/// `format=flowed` (RFC 3676): lines wrapped after the first space past `width` bytes, soft
/// breaks marked by the space before the line end, lines starting with a space, `>` or
/// `From ` space-stuffed, trailing spaces of hard breaks removed.
fn flowed(s: &str, width: usize) -> String {
    let mut out = String::new();
    for line in s.split('\n') {
        let line = line.trim_end_matches([' ', '\r']);
        let mut n = 0;
        let mut first = true;
        for word in line.split_inclusive(' ') {
            if first && (word.starts_with([' ', '>']) || word.starts_with("From ")) {
                out.push(' ');
            }
            first = false;
            out.push_str(word);
            n += word.len();
            if n > width && word.ends_with(' ') {
                out.push('\n');
                n = 0;
                first = true;
            }
        }
        out.push('\n');
    }
    out
}

fn base64(s: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, c) in s.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push('\n');
        }
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * k)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out.push('\n');
    out
}

fuzz_target!(|data: &[u8]| {
    let [a, b, sel, at, rest @ ..] = data else {
        return;
    };
    let opts = common::options(*a, *b, None);
    if let Ok(out) = common::run(rest, Format::Eml, &opts) {
        common::run(out.as_bytes(), Format::Eml, &opts).expect("output re-parses");
    }

    let (card, group) = common::card(*sel);
    let body = common::text(rest);
    if body.contains(group) {
        return;
    }
    let body = common::insert(&body, usize::from(*at) * 16, &format!(" kartu {card} ya "));
    let (cte, encoded, params) = match *b % 4 {
        0 => ("8bit", body.clone(), ""),
        1 => ("quoted-printable", qp(&body, 1 + usize::from(*a) % 40), ""),
        2 => ("base64", base64(body.as_bytes()), ""),
        _ => (
            "8bit",
            flowed(&body, 1 + usize::from(*a) % 30),
            "; format=flowed",
        ),
    };
    // The card again in a header value, folded at one of its spaces (RFC 5322).
    let folded = match card.match_indices(' ').nth(usize::from(*at) % 3) {
        Some((p, _)) => format!("{}\n {}", &card[..p], &card[p + 1..]),
        None => card.to_string(),
    };
    let input = format!(
        "From: Toko <toko@example.com>\nSubject: kartu {folded} ya\nMIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8{params}\nContent-Transfer-Encoding: {cte}\n\n{encoded}"
    );
    let out = common::run(input.as_bytes(), Format::Eml, &opts).expect("valid message streams");
    assert!(!out.contains(group), "planted card survived");
    common::run(out.as_bytes(), Format::Eml, &opts).expect("output re-parses");
});
