//! `redact_stream` with the text format, small windows and line pieces:
//! - arbitrary bytes give an error or output, never a panic;
//! - on text, the output equals redacting the whole text in one call (no value depends on
//!   where the input was cut), a planted card, on its own line, never survives, and the write
//!   guard finds no card in the output.
#![no_main]

mod common;

use jaga_redact::{Format, Policy, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, sel, at, rest @ ..] = data else {
        return;
    };
    let opts = common::options(*a, *b, None);
    let _ = common::run(rest, Format::Text, &opts);

    let (card, group) = common::card(*sel);
    let body = common::text(rest);
    if body.contains(group) {
        return;
    }
    let body = common::insert(
        &body,
        usize::from(*at) * 16,
        &format!("\nkartu {card} ya\n"),
    );
    // Filler around the input so it is longer than the windows' overlap and every cut falls
    // somewhere in the fuzzed part (libFuzzer's inputs stay short).
    let sep = if *sel & 0x80 == 0 { " " } else { "\n" };
    let pad = |n: u8| format!("kata{sep}").repeat(150 + usize::from(n) * 2);
    let input = format!("{}{body}{}", pad(*a), pad(*b));
    let out = common::run(input.as_bytes(), Format::Text, &opts).expect("text without NUL streams");
    assert!(!out.contains(group), "planted card survived");
    assert!(
        jaga_redact::card::find_card_numbers(&out).is_empty(),
        "the write guard finds a card in the output"
    );
    let whole = redact(&input, &Policy::default())
        .expect("default policy")
        .text;
    assert_eq!(
        out, whole,
        "streamed output differs from the unsplit result"
    );
});
