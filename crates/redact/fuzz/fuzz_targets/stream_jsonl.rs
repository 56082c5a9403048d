//! `redact_stream` with the jsonl format:
//! - arbitrary bytes give an error or output, never a panic, and output re-parses: one JSON
//!   object per non-blank line;
//! - lines built from the input with a planted card: every line comes back with its `id`, a
//!   `text` without the card and findings inside the input text.
#![no_main]

mod common;

use jaga_redact::Format;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let [a, b, sel, at, rest @ ..] = data else {
        return;
    };
    let opts = common::options(*a, *b, None);
    if let Ok(out) = common::run(rest, Format::Jsonl, &opts) {
        for line in out.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).expect("output line is JSON");
            assert!(v.is_object() && v["text"].is_string() && v["findings"].is_array());
        }
    }

    let (card, group) = common::card(*sel);
    let body = common::text(rest);
    if body.contains(group) {
        return;
    }
    let mut texts: Vec<String> = body.split('\u{1}').map(String::from).collect();
    let n = usize::from(*at) % texts.len();
    texts[n] = common::insert(
        &texts[n],
        usize::from(*at) * 7,
        &format!(" kartu {card} ya "),
    );
    let input: String = texts
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}\n", json!({"id": i, "text": t})))
        .collect();
    let out = common::run(input.as_bytes(), Format::Jsonl, &opts).expect("valid jsonl streams");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), texts.len());
    for (i, (line, t)) in lines.iter().zip(&texts).enumerate() {
        let v: Value = serde_json::from_str(line).expect("output line is JSON");
        assert_eq!(v["id"], json!(i));
        // Checked on the decoded value: JSON escapes such as `\u0014` hold digits.
        let text = v["text"].as_str().expect("text");
        assert!(!text.contains(group), "planted card survived");
        for f in v["findings"].as_array().expect("findings") {
            let (s, e) = (f["start"].as_u64().unwrap(), f["end"].as_u64().unwrap());
            assert!(s < e && e <= t.len() as u64);
        }
    }
});
