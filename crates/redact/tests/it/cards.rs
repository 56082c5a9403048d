//! Card numbers in every form the write guard (`card::find_card_numbers`) refuses are redacted
//! by every redaction path.
//!
//! Regression: the detector read only single-space, dash or dot groups of ASCII digits, so
//! `redact` and every stream format left `4111.1111.1111.1111`, double spaces, tabs, `/`, `_`,
//! ` - `, bracketed groups, non-breaking spaces and full-width digits whole, although the vault
//! refuses to store them.

use jaga_redact::card::find_card_numbers;
use jaga_redact::{
    EntityKind, Format, Operator, Policy, StreamOptions, detect, redact, redact_field,
    redact_stream_with,
};

/// Card numbers written in forms the detector's digit runs did not read.
pub const FORMS: &[&str] = &[
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
    "\u{ff14}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}",
    "4111\u{3000}1111\u{2009}1111\u{202f}1111",
    "3782\u{a0}822463\u{a0}10005",
];

/// The first four digit characters of `form`: no redaction may keep them.
fn head(form: &str) -> String {
    form.chars().filter(|c| c.is_numeric()).take(4).collect()
}

fn policies() -> [Policy; 4] {
    [
        Policy::default(),
        Policy::default().with_all(Operator::Replace),
        Policy::default().with_all(Operator::Mask),
        Policy::default().with_all(Operator::Drop),
    ]
}

/// Every form, with and without a context word and glued to punctuation, through the public
/// `redact`: the guard sees a card in the input and none in the output, `detect` reports it as
/// one `CREDIT_CARD` finding with the guard's exact offsets, and exactly that span is dropped.
#[test]
fn every_form_the_guard_refuses_is_redacted() {
    for form in FORMS {
        for (text, exact) in [
            (format!("kartu {form} ya"), true),
            (form.to_string(), true),
            (format!("no:{form};exp 12/27"), true),
            (
                format!("Bu Dewi bayar pakai kartu {form}, terima kasih"),
                false,
            ),
        ] {
            let guard = find_card_numbers(&text);
            assert_eq!(guard.len(), 1, "{text:?}");
            let cards: Vec<_> = detect(&text)
                .into_iter()
                .filter(|f| f.kind == EntityKind::CreditCard)
                .map(|f| f.range())
                .collect();
            assert_eq!(cards, guard, "{text:?}");
            for policy in policies() {
                let out = redact(&text, &policy).unwrap().text;
                assert!(find_card_numbers(&out).is_empty(), "{text:?} -> {out:?}");
                assert!(!out.contains(&head(form)), "{text:?} -> {out:?}");
            }
            if exact {
                // Exactly the guard's span is dropped: brackets around it stay.
                let want = format!("{}{}", &text[..guard[0].start], &text[guard[0].end..]);
                assert_eq!(redact(&text, &Policy::default()).unwrap().text, want);
            }
            let field = redact_field(&text, "catatan", &Policy::default()).unwrap();
            assert!(find_card_numbers(&field.text).is_empty(), "{text:?}");
        }
    }
}

/// A card next to a bank account, phone or NIK finding is dropped whole with whatever it
/// overlaps: no finding is left half redacted.
#[test]
fn a_guard_card_overlapping_other_findings_is_dropped_whole() {
    for text in [
        "rek 1234567890 4111.1111.1111.1111 ya",
        "HP 0812-3456-7890 / 4111/1111/1111/1111",
        "NIK 3174051204900003 (4111) [1111] {1111} <1111>",
    ] {
        let r = redact(text, &Policy::default()).unwrap();
        assert!(
            find_card_numbers(&r.text).is_empty(),
            "{text} -> {}",
            r.text
        );
        assert!(!r.text.contains("4111"), "{}", r.text);
        let mut last = 0;
        for f in &r.findings {
            assert!(f.start >= last && f.start < f.end, "{:?}", r.findings);
            last = f.end;
        }
    }
}

fn stream(input: &str, format: Format, opts: &StreamOptions) -> String {
    let mut out = Vec::new();
    redact_stream_with(
        input.as_bytes(),
        &mut out,
        format,
        &Policy::default(),
        opts,
        |_| {},
    )
    .expect("valid input streams");
    String::from_utf8(out).expect("output is UTF-8")
}

fn small(chunk_bytes: usize, max_line_bytes: usize) -> StreamOptions {
    StreamOptions {
        chunk_bytes,
        max_line_bytes,
        ..StreamOptions::default()
    }
}

/// Every form through every stream format: text (whole and in small windows, the card placed
/// across cuts), CSV cells, JSON lines, e-mail bodies and headers.
#[test]
fn every_form_is_redacted_by_every_stream_format() {
    for form in FORMS {
        let head = head(form);
        let cell = format!("catatan kartu {form} ya");
        let text = format!("{}{cell}\n{}", "baris\n".repeat(300), "ok ".repeat(400));
        let csv = format!("id,catatan\n1,\"{cell}\"\n");
        let jsonl = format!("{}\n", serde_json::json!({"id": 1, "text": cell}));
        let eml = format!(
            "From: toko@example.com\nSubject: {cell}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nhalo\n{cell}\n"
        );
        let whole = redact(&text, &Policy::default()).unwrap().text;
        for (format, input, opts) in [
            (Format::Text, &text, StreamOptions::default()),
            (Format::Text, &text, small(1, 16)),
            (Format::Text, &text, small(37, 5)),
            (Format::Csv, &csv, StreamOptions::default()),
            (Format::Jsonl, &jsonl, StreamOptions::default()),
            (Format::Eml, &eml, StreamOptions::default()),
        ] {
            let out = stream(input, format, &opts);
            assert!(!out.contains(&head), "{format} {form:?}: {out}");
            if format == Format::Jsonl {
                let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
                let t = v["text"].as_str().unwrap();
                assert!(find_card_numbers(t).is_empty(), "{form:?}: {t}");
                assert_eq!(v["findings"][0]["kind"], "CREDIT_CARD", "{out}");
            } else {
                assert!(
                    find_card_numbers(&out).is_empty(),
                    "{format} {form:?}: {out}"
                );
            }
            if format == Format::Text {
                assert_eq!(out, whole, "{form:?}");
            }
        }
    }
}

/// A card whose groups are further apart than the windows' overlap (separator runs of any
/// length, or groups on lines of their own): the stream holds the window back until a cut no
/// card can straddle, and the output equals redacting the whole text.
#[test]
fn separator_runs_longer_than_the_overlap_are_held_back() {
    for gap in [" ".repeat(3000), "\n".repeat(1500), "\t \u{a0}".repeat(700)] {
        let text = format!(
            "{}kartu 4111{gap}1111 1111 1111 ya\n{}",
            "kata ".repeat(300),
            "kata ".repeat(300)
        );
        let whole = redact(&text, &Policy::default()).unwrap().text;
        assert!(
            !whole.contains("4111") && !whole.contains("1111"),
            "{whole}"
        );
        for (chunk, piece) in [(1, 16), (64, 64), (500, 1000), (64 * 1024, 1 << 20)] {
            let out = stream(&text, Format::Text, &small(chunk, piece));
            assert_eq!(out, whole, "chunk={chunk} piece={piece}");
        }
    }
}

/// More than the stream will hold back without a letter: it writes the window failing closed,
/// dropping every digit between the last letter and the cut, so the card's head is gone and the
/// output holds no card.
#[test]
fn a_card_split_beyond_what_is_held_back_fails_closed() {
    let text = format!("kartu 4111{}1111 1111 1111 ya\n", " ".repeat(1100 * 1024));
    let out = stream(&text, Format::Text, &small(1, 4096));
    assert!(!out.contains("4111"), "the card's head was written");
    assert!(find_card_numbers(&out).is_empty());
    assert!(out.starts_with("kartu ") && out.ends_with(" ya\n"));
    assert_eq!(out.len(), text.len() - 4, "only the head was dropped");
}
