//! `jaga redact` drops every card number the vault's write guard refuses, whatever its
//! separators or digit width, in text, CSV, JSON lines and e-mail.
//!
//! Regression: the redactor read only single-space or dash groups of ASCII digits, so
//! `kartu 4111.1111.1111.1111 ya` and the forms below were printed whole.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;
use common::{BIN, ok, temp};

/// Card numbers the detector's digit runs did not read, each refused by the write guard.
const FORMS: &[&str] = &[
    "4111.1111.1111.1111",
    "5555.5555.5555.4444",
    "4111  1111  1111  1111",
    "4111\u{a0}1111\u{a0}1111\u{a0}1111",
    "4111\t1111\t1111\t1111",
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111 - 1111 - 1111 - 1111",
    "(4111) [1111] {1111} <1111>",
    "\u{ff14}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}",
];

fn redact(args: &[&str], input: &str) -> Output {
    let dir = temp();
    let mut c = Command::new(BIN)
        .arg("redact")
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    c.wait_with_output().unwrap()
}

#[test]
fn jaga_redact_drops_every_card_form_the_guard_refuses() {
    let text: String = FORMS.iter().map(|f| format!("kartu {f} ya\n")).collect();
    for form in FORMS {
        assert!(
            jaga_redact::card::contains_card_number(form),
            "the guard refuses {form:?}"
        );
    }
    let out = ok(&redact(&[], &text));
    assert!(!jaga_redact::card::contains_card_number(&out), "{out}");
    assert!(
        !out.contains("4111") && !out.contains("5555") && !out.contains('\u{ff14}'),
        "{out}"
    );
    // Only the digits go: the words around each card stay, one line per card.
    assert_eq!(out.lines().count(), FORMS.len(), "{out}");
    assert!(
        out.lines()
            .all(|l| l.starts_with("kartu ") && l.ends_with(" ya")),
        "{out}"
    );

    // The same cards in JSON lines, CSV cells and an e-mail body and subject.
    let jsonl: String = FORMS
        .iter()
        .enumerate()
        .map(|(i, f)| {
            serde_json::json!({"id": i, "text": format!("kartu {f} ya")}).to_string() + "\n"
        })
        .collect();
    let csv: String = std::iter::once("id,catatan\n".to_string())
        .chain(
            FORMS
                .iter()
                .enumerate()
                .map(|(i, f)| format!("{i},\"kartu {f} ya\"\n")),
        )
        .collect();
    let eml = format!(
        "From: toko@example.com\nSubject: kartu {}\nContent-Type: text/plain; charset=utf-8\n\n{text}",
        FORMS[0]
    );
    for (args, input) in [
        (&["--jsonl"][..], &jsonl),
        (&["--format", "csv"][..], &csv),
        (&["--format", "eml"][..], &eml),
    ] {
        let out = ok(&redact(args, input));
        assert!(
            !out.contains("4111") && !out.contains("5555") && !out.contains('\u{ff14}'),
            "{args:?}: {out}"
        );
    }
}
