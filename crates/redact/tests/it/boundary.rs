//! Chunk and line-split boundaries: streaming output never depends on where the input is cut.
//!
//! Text is redacted in windows; these tests place identifiers at every offset around the
//! window and line-split points and compare with redacting the whole input in one call.

use jaga_redact::{Format, Policy, StreamOptions, redact, redact_stream_with};

/// Streams `input` as text with the given window and line-piece sizes.
fn stream_text(input: &str, chunk_bytes: usize, max_line_bytes: usize) -> String {
    stream_text_stats(input, chunk_bytes, max_line_bytes).0
}

/// [`stream_text`] with the run's statistics.
fn stream_text_stats(
    input: &str,
    chunk_bytes: usize,
    max_line_bytes: usize,
) -> (String, jaga_redact::Stats) {
    let opts = StreamOptions {
        chunk_bytes,
        max_line_bytes,
        ..StreamOptions::default()
    };
    let mut out = Vec::new();
    let stats = redact_stream_with(
        input.as_bytes(),
        &mut out,
        Format::Text,
        &Policy::default(),
        &opts,
        |_| {},
    )
    .expect("valid text streams");
    (String::from_utf8(out).expect("output is UTF-8"), stats)
}

/// Regression (issue 19): a line longer than `max_line_bytes` used to be cut at its last space
/// before the limit and each piece redacted alone, so a card whose digit groups straddled the
/// cut came out whole.
#[test]
fn card_straddling_the_default_long_line_limit_is_redacted() {
    let limit = StreamOptions::default().max_line_bytes;
    let card = "4111 1111 1111 1111";
    let mut line = "kata ".repeat(limit / 5);
    line.truncate(limit - 10); // the card's groups straddle the limit
    while !line.ends_with(' ') {
        line.pop();
    }
    line.push_str("kartu ");
    line.push_str(card);
    line.push_str(" ya\n");
    let out = stream_text(&line, StreamOptions::default().chunk_bytes, limit);
    assert!(!out.contains("4111"), "card prefix leaked at the split");
    assert!(
        !out.contains("1111 1111"),
        "card groups leaked at the split"
    );
    assert_eq!(out, redact(&line, &Policy::default()).unwrap().text);
}

/// The same leak with a small limit, the card at every offset around the split point.
#[test]
fn card_at_every_offset_of_a_small_line_limit_is_redacted() {
    let card = "4111 1111 1111 1111";
    for max_line in [24, 40, 64, 100] {
        for pad in 0..max_line + card.len() {
            let line = format!(
                "{}kartu {card} ya\n",
                "x ".repeat(pad / 2) + &"y".repeat(pad % 2)
            );
            let out = stream_text(&line, 16, max_line);
            let whole = redact(&line, &Policy::default()).unwrap().text;
            assert!(
                !out.contains("1111"),
                "leak: max_line={max_line} pad={pad}: {out}"
            );
            assert_eq!(out, whole, "max_line={max_line} pad={pad}");
        }
    }
}

/// Every kind of identifier, in every separator form the detector or the card guard reads, with
/// its context word.
const IDENTIFIERS: &[&str] = &[
    "kartu 4111111111111111",
    "kartu 4111 1111 1111 1111",
    "kartu 4111-1111-1111-1111",
    "kartu 5500 0000 0000 0004",
    "amex 3782 822463 10005",
    // Forms the write guard refuses that the detector's digit runs did not read (issue 19).
    "kartu 4111.1111.1111.1111",
    "mc 5555.5555.5555.4444",
    "kartu 4111  1111  1111  1111",
    "kartu 4111\u{a0}1111\u{a0}1111\u{a0}1111",
    "kartu 4111\t1111\t1111\t1111",
    "kartu 4111/1111/1111/1111",
    "kartu 4111_1111_1111_1111",
    "kartu 4111 - 1111 - 1111 - 1111",
    "kartu (4111) [1111] {1111} <1111>",
    "kartu \u{ff14}\u{ff11}\u{ff11}\u{ff11} \u{ff11}\u{ff11}\u{ff11}\u{ff11} \u{ff11}\u{ff11}\u{ff11}\u{ff11} \u{ff11}\u{ff11}\u{ff11}\u{ff11}",
    "cvv 123",
    "NIK 3174051204900003",
    "NIK 3174 0512 0490 0003",
    "KK 3174050101090012",
    "NPWP 01.312.166.0-091.000",
    "NPWP 013121660091000",
    "HP 081234567890",
    "HP 0812-3456-7890",
    "HP 0812 3456 7890",
    "HP 0812.3456.7890",
    "WA +62 812 3456 7890",
    "WA +62-812-3456-7890",
    "budi.santoso@example.co.id",
    "no rek BCA 1234567890",
    "rek 123-456-7890",
    "a/n Siti Rahmawati",
    "Bapak Budi Santoso",
    "Jl. Merdeka No. 10, Bandung 40111",
    "tgl lahir 12 Mei 1990",
    "lahir 12-05-1990",
    "IBAN GB82 WEST 1234 5698 7654 32",
    "IBAN GB82WEST12345698765432",
    "paspor A1234567",
    "IP 192.168.1.1",
    "IP 2001:db8::1",
];

/// Text that is not personal data, to pad lines to any length.
const FILLER: &[&str] = &[
    "kata ",
    "pesanan sudah dikirim ",
    "ok, ",
    "x ",
    "Rp 50.000 ",
    "é ",
    "\t",
];

/// Builds a text of `parts`: (filler index, filler repeats, identifier index, line break).
fn build(parts: &[(usize, usize, usize, bool)]) -> String {
    let mut s = String::new();
    for &(f, n, id, nl) in parts {
        s.push_str(&FILLER[f % FILLER.len()].repeat(n));
        s.push_str(IDENTIFIERS[id % IDENTIFIERS.len()]);
        s.push_str(if nl { "\n" } else { " " });
    }
    s
}

/// Each identifier on a long line, the window's cut swept across every byte of it: the
/// streamed output equals the unsplit result and holds none of the identifier's digits.
#[test]
fn every_identifier_across_every_cut_of_a_long_line() {
    for id in IDENTIFIERS {
        // The cut advances in steps of the line piece (16 bytes here), so 16 paddings put it
        // at every offset of the identifier.
        for pad in 0..16 {
            let text = format!(
                "{}{}{id} ya {}\n",
                "kata ".repeat(220),
                "x".repeat(pad),
                "kata ".repeat(220)
            );
            let whole = redact(&text, &Policy::default()).unwrap().text;
            for (chunk, piece) in [(1, 16), (50, 24), (100, 333)] {
                assert_eq!(
                    stream_text(&text, chunk, piece),
                    whole,
                    "{id} pad={pad} chunk={chunk} piece={piece}"
                );
            }
        }
    }
}

/// Each identifier on short lines around every window boundary.
#[test]
fn every_identifier_across_every_line_boundary() {
    for id in IDENTIFIERS {
        // One stream moves the cut line by line over the identifier; the offsets vary the
        // lines' phase against the window size.
        for lines_before in 0..4 {
            let text = format!(
                "{}{id}\n{}",
                "baris ke sekian\n".repeat(lines_before + 60),
                "ok\n".repeat(400)
            );
            let whole = redact(&text, &Policy::default()).unwrap().text;
            for (chunk, piece) in [(1, 16), (13, 16), (200, 64)] {
                assert_eq!(
                    stream_text(&text, chunk, piece),
                    whole,
                    "{id} lines={lines_before} chunk={chunk}"
                );
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Random layouts of identifiers and filler (lines of any length), random window and line
    /// piece sizes: the streamed output equals redacting the whole text in one call.
    #[test]
    fn streamed_text_equals_unsplit(
        parts in proptest::collection::vec((0usize..7, 0usize..400, 0usize..64, proptest::bool::ANY), 1..12),
        chunk in 1usize..300,
        piece in 1usize..300,
    ) {
        let text = build(&parts);
        let whole = redact(&text, &Policy::default()).unwrap();
        let (out, stats) = stream_text_stats(&text, chunk, piece);
        proptest::prop_assert_eq!(out, whole.text);
        // Every finding counted once: none lost or counted twice at a cut.
        proptest::prop_assert_eq!(stats.total(), whole.findings.len() as u64);
        proptest::prop_assert_eq!(stats.records, text.lines().count() as u64);
    }
}

/// Streams `input` in `format` through a reader that hands out `cap` bytes at a time.
fn stream_with_reads(input: &[u8], format: Format, cap: usize, opts: &StreamOptions) -> String {
    let reader = std::io::BufReader::with_capacity(cap, input);
    let mut out = Vec::new();
    redact_stream_with(reader, &mut out, format, &Policy::default(), opts, |_| {})
        .expect("valid input streams");
    String::from_utf8(out).expect("output is UTF-8")
}

/// CSV cells, JSON lines and e-mail bodies are redacted whole (one record or part at a time),
/// so how the reader delivers the bytes never changes the output, and every identifier placed
/// in them is redacted exactly as in a single call on the cell, text value or body.
#[test]
fn record_formats_do_not_depend_on_read_boundaries() {
    let opts = StreamOptions::default();
    for id in IDENTIFIERS {
        let cell = format!("catatan {id} ya");
        let csv = format!("id,catatan\n1,\"{cell}\"\n2,{}\n", cell.replace(',', " "));
        let jsonl = format!("{}\n", serde_json::json!({"id": 1, "text": cell}));
        let eml = format!(
            "From: toko@example.com\nSubject: pesanan\nContent-Type: text/plain; charset=utf-8\n\n{}\n{cell}\n",
            "baris\n".repeat(50)
        );
        let want_cell = jaga_redact::redact_field(&cell, "catatan", &Policy::default())
            .unwrap()
            .text;
        let want_text = redact(&cell, &Policy::default()).unwrap().text;
        for (format, input) in [
            (Format::Csv, &csv),
            (Format::Jsonl, &jsonl),
            (Format::Eml, &eml),
        ] {
            let base = stream_with_reads(input.as_bytes(), format, 8192, &opts);
            for cap in [1, 2, 3, 7, 64] {
                assert_eq!(
                    stream_with_reads(input.as_bytes(), format, cap, &opts),
                    base,
                    "{format} {id} cap={cap}"
                );
            }
            match format {
                Format::Csv => assert!(base.contains(&want_cell), "{id}: {base}"),
                Format::Jsonl => {
                    let v: serde_json::Value = serde_json::from_str(base.trim_end()).unwrap();
                    assert_eq!(v["text"], want_text.as_str(), "{id}");
                }
                _ => assert!(base.contains(&want_text), "{id}: {base}"),
            }
        }
    }
}

/// Multi-byte characters cut by a line piece are joined again, while invalid UTF-8 or a NUL
/// byte on a long line is still an error naming its line, never a panic or a silent pass.
#[test]
fn line_pieces_keep_characters_whole_and_errors_exact() {
    let text = format!(
        "baris satu\n{}kartu 4111 1111 1111 1111 ya\n",
        "é ß ".repeat(700)
    );
    for piece in [1, 2, 3, 5, 16, 17] {
        let out = stream_text(&text, 7, piece);
        assert_eq!(
            out,
            redact(&text, &Policy::default()).unwrap().text,
            "piece={piece}"
        );
        assert!(!out.contains("1111"));
    }
    let opts = StreamOptions {
        chunk_bytes: 7,
        max_line_bytes: 16,
        ..StreamOptions::default()
    };
    for bad in [&b"\xff"[..], b"\xc3", b"\0"] {
        let mut input = b"baris satu\n".to_vec();
        input.extend_from_slice("é ".repeat(900).as_bytes());
        input.extend_from_slice(bad);
        input.extend_from_slice(b" lagi\nbaris tiga\n");
        let err = redact_stream_with(
            &input[..],
            std::io::sink(),
            Format::Text,
            &Policy::default(),
            &opts,
            |_| {},
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                jaga_redact::RedactError::InvalidUtf8 { line: 2 }
                    | jaga_redact::RedactError::Binary { line: 2 }
            ),
            "{err:?}"
        );
    }
}

/// Hostile layouts: a card inside a digit table longer than the overlap, after a long run
/// without spaces, among digit groups joined by dashes, on a line of tabs.
#[test]
fn hostile_long_runs_equal_the_unsplit_result() {
    let card = "4111 1111 1111 1111";
    let inputs = [
        format!("{}kartu {card} {}", "1 ".repeat(700), "2 ".repeat(700)),
        format!(
            "{}{} kartu {card} ya {}",
            "a".repeat(1400),
            " ",
            "b".repeat(1400)
        ),
        format!("{}kartu {card} {}", "12-".repeat(500), "-34".repeat(500)),
        format!("{}kartu\t{card}\t{}", "\t".repeat(1400), "x\t".repeat(700)),
        format!(
            "{}kartu {card}\n{}",
            "1234 5678\n".repeat(400),
            "0 ".repeat(900)
        ),
        format!("{}kartu {card}{}", "é".repeat(900), "ß".repeat(900)),
        format!("{}{card} {}", "1 ".repeat(700), "2 ".repeat(700)),
        format!("{}{card}-{}", "5-".repeat(700), "6-".repeat(700)),
    ];
    for text in &inputs {
        let whole = redact(text, &Policy::default()).unwrap().text;
        for (chunk, piece) in [(1, 16), (64, 64), (500, 1000), (4096, 100_000)] {
            let out = stream_text(text, chunk, piece);
            assert_eq!(out, whole, "chunk={chunk} piece={piece} len={}", text.len());
        }
    }
}

/// A `format=flowed` e-mail wraps long lines at soft breaks (a space before the line end) that
/// the reader's mail client joins: a card wrapped there is one value and is redacted, in plain
/// and quoted (`>`) paragraphs, with `delsp=yes` too.
#[test]
fn card_wrapped_at_a_flowed_soft_break_is_redacted() {
    let opts = StreamOptions::default();
    for (params, body) in [
        ("", "kartu 4111 1111 \r\n1111 1111 ya\r\n"),
        ("", "> kartu 4111 \r\n> 1111 1111 1111\r\n"),
        ("; delsp=yes", "kartu 4111 1111  \r\n1111 1111 ya\r\n"),
        ("; DelSp=\"yes\"", "kartu 4111-1111- \r\n1111-1111 ya\r\n"),
    ] {
        let eml = format!(
            "From: toko@example.com\r\nContent-Type: text/plain; charset=utf-8; format=flowed{params}\r\n\r\n{body}"
        );
        let out = stream_with_reads(eml.as_bytes(), Format::Eml, 8192, &opts);
        assert!(!out.contains("1111"), "{params} {body:?}: {out}");
        assert!(out.contains("kartu"), "{out}");
    }
    // Without format=flowed the line breaks are hard and kept.
    let eml = "From: toko@example.com\nContent-Type: text/plain\n\nbaris satu \nbaris dua\n";
    let out = stream_with_reads(eml.as_bytes(), Format::Eml, 8192, &opts);
    assert!(out.ends_with("\n\nbaris satu \nbaris dua\n"), "{out}");
}

/// A header value folded over several lines (RFC 5322) is one value: a card folded between its
/// groups, or a name folded in a mailbox, is redacted.
#[test]
fn card_folded_in_a_header_is_redacted() {
    let opts = StreamOptions::default();
    let eml = "From: \"Budi\r\n Santoso\" <budi@example.com>\r\nSubject: kartu 4111 1111\r\n 1111 1111 ya\r\nX-Catatan: kartu 5500\n 0000 0000 0004\n\nhalo\n";
    let out = stream_with_reads(eml.as_bytes(), Format::Eml, 8192, &opts);
    assert!(!out.contains("1111") && !out.contains("5500"), "{out}");
    assert!(!out.contains("Santoso") && !out.contains("budi@"), "{out}");
    assert!(
        out.contains("Subject: kartu") && out.ends_with("\r\nhalo\n"),
        "{out}"
    );
}
