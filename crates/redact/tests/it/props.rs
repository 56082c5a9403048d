//! Property tests: offsets, no leaked values, idempotence, no panics on any input.

use jaga_redact::corpus::generate;
use jaga_redact::{Operator, Policy, detect, detect_field, redact};
use proptest::prelude::*;

/// Text built from fragments that trigger every detector, glued by arbitrary strings
/// (possibly nothing, so values run into each other).
fn pii_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![fragment(), "\\PC{0,6}"], 0..14).prop_map(|v| v.concat())
}

/// Fragments joined by one to three punctuation or space characters (never letters/digits,
/// and not `.`/`-`/`/`, which glue a number to a word into a code such as `v1.2` or `SKU-1`).
fn pii_punctuated() -> impl Strategy<Value = String> {
    prop::collection::vec((fragment(), "[ ,;:!?()\\[\\]'\"\n]{1,3}"), 0..14)
        .prop_map(|v| v.into_iter().map(|(f, s)| f + &s).collect())
}

/// The same fragments separated by spaces, commas or new lines (nothing glued).
fn pii_sentences() -> impl Strategy<Value = String> {
    let sep = prop::sample::select(vec![" ", ", ", "\n", " ya "]);
    prop::collection::vec((fragment(), sep), 0..14)
        .prop_map(|v| v.into_iter().map(|(f, s)| f + s).collect())
}

fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "NIK 3174051204900003",
        "kartu 4111 1111 1111 1111",
        "cvv 123",
        "HP 0812-3456-7890",
        "+62 812 3456 7890",
        "budi@example.co.id",
        "no rek BCA 1234567890",
        "a/n Siti Rahmawati",
        "Jl. Merdeka No. 10, Bandung 40111",
        "tgl lahir 12 Mei 1990",
        "IBAN GB82 WEST 1234 5698 7654 32",
        "paspor A1234567",
        "NPWP 01.312.166.0-091.000",
        "192.168.1.1",
        "Rp 1.250.000",
        "INV/2025/11/00123",
        "kak rina",
        // issue 17 patterns
        "AL47-2121-1009-0000-0002-3569-8741",
        "BG80 BNBG 9661 1020 3456 78",
        "root@10.0.0.1",
        "10.0.0.0/8",
        "::1",
        "a@пример.рф",
        "x@xn--d1acufc.xn--p1ai",
        "+62 (21) 555 1234",
        "(+62) 811-2345-6789",
        "credit card: 122000000000003",
        "Born on: 5-20-1990",
        "lahir 1990-05-20T08:30:00Z",
        "born May 1990",
        "DOB 5-May-1990",
        "[10:21] Togar Siregar:",
        "Gateway:",
        "MyClass::x",
        "Ci Lina",
        "HP 0812\u{2013}3456\u{2013}7890",
        "+62 (0)812-3456-7890",
        "0812.3456.7890",
        "wa.me/6281234567890",
        "10.0.0.1:8080",
        "de89 3704 0044 0532 0130 00",
        "DOB: May 20th, 1990",
        "é",
        "ß—",
        "\n",
        " ",
        "0",
        "9",
        ".",
        "-",
        "(",
        "+",
        "@",
        "/",
    ])
    .prop_map(String::from)
}

fn check_offsets(text: &str) {
    let found = detect(text);
    let mut last = 0;
    for f in &found {
        assert!(f.start < f.end && f.end <= text.len(), "range");
        assert!(
            text.is_char_boundary(f.start) && text.is_char_boundary(f.end),
            "boundary"
        );
        assert!(f.start >= last, "sorted, non-overlapping");
        assert!((0.0..=1.0).contains(&f.score));
        last = f.end;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn offsets_in_range_on_boundaries(text in pii_soup()) {
        check_offsets(&text);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,200}") {
        check_offsets(&text);
        let _ = detect_field(&text, "nama");
        let _ = detect_field(&text, "no_rekening");
    }

    #[test]
    fn redacted_output_contains_no_detected_value(text in pii_sentences()) {
        // Fragments are separated, so no copy of a value is glued into an undetectable code.
        let policy = Policy::default().with_all(Operator::Replace);
        let r = redact(&text, &policy).unwrap();
        for f in &r.findings {
            let value = &text[f.range()];
            // Short values (a 3-digit CVV, a 4-letter name) can occur elsewhere in the text
            // by coincidence; long ones cannot.
            if value.len() >= 6 {
                prop_assert!(!r.text.contains(value), "{} left in output", f.kind);
            }
        }
    }

    #[test]
    fn redaction_is_idempotent_on_separated_text(text in pii_sentences()) {
        // Not with Drop for every kind: dropping a name moves the next word up to its title
        // ("kak <dropped> tgl"), and a second pass may read that word as a name.
        for policy in [
            Policy::default(),
            Policy::default().with_all(Operator::Replace),
            Policy::default().with_all(Operator::Mask),
        ] {
            let once = redact(&text, &policy).unwrap().text;
            let twice = redact(&once, &policy).unwrap().text;
            prop_assert_eq!(&once, &twice);
        }
    }

    #[test]
    fn redaction_is_idempotent(text in pii_punctuated()) {
        // Values glued straight into words (`1111Jl.`, `32budi@…`) are ambiguous: removing one
        // can uncover its neighbour for a second pass. Punctuation between values is tested.
        for policy in [
            Policy::default().with_all(Operator::Replace),
            Policy::default().with_all(Operator::Mask),
        ] {
            let once = redact(&text, &policy).unwrap().text;
            let twice = redact(&once, &policy).unwrap().text;
            prop_assert_eq!(&once, &twice);
        }
    }
}

#[test]
fn corpus_redaction_is_idempotent_and_leaves_no_gold_value() {
    let policy = Policy::default().with_all(Operator::Replace);
    for doc in generate(77, 300) {
        let once = redact(&doc.text, &policy).unwrap();
        let twice = redact(&once.text, &policy).unwrap();
        assert_eq!(once.text, twice.text, "not idempotent");
        for f in &once.findings {
            let v = &doc.text[f.range()];
            if v.len() >= 8 {
                assert!(!once.text.contains(v), "{} value left", f.kind);
            }
        }
    }
}
