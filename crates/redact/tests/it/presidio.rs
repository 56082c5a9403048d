//! Presidio's own recognizer test cases (vendored in `tests/data/presidio_cases.json` with
//! their licence and source commit; regenerate with `tools/vendor_presidio_cases.py`), run
//! through `detect`, the same code as `jaga redact`. Reports agreement per recognizer.
//!
//! A case agrees when Jaga reports exactly the expected number of values of the mapped kind
//! and, where Presidio states offsets, exactly those spans. Out of scope: cases where
//! Presidio itself expects a score below 0.5 (its low-confidence guesses, such as the
//! unspecified address `::` or a day and month without a year), and the differences listed
//! in [`KNOWN_DIFFERENCES`] with their reason. Presidio's date recognizer finds any date;
//! Jaga reports dates only as `DATE_OF_BIRTH` after a birth word, so date cases are run with
//! `Born on: ` in front (offsets shifted).

use jaga_redact::{EntityKind as K, detect};
use serde_json::Value;

const CASES: &str = include_str!("../data/presidio_cases.json");
const BIRTH_PREFIX: &str = "Born on: ";

/// Cases where Jaga deliberately differs, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "122000000000003",
        "a UATP number (`1…`) outside the issuer table with no card word: Jaga needs the word \
         (`my credit card: 122000000000003` agrees), as a bare Luhn-valid 15-digit number is \
         as likely an account or an order number",
    ),
    (
        "My CN number is 13812345678",
        "a Chinese mobile number without `+86` (11 digits from `1`) is as likely an \
         Indonesian bank account; with `+86` it is found",
    ),
    (
        "src=:: dst=::1",
        "the unspecified address `::` identifies no one (Presidio scores it 0.05-0.15); \
         `::1` is found",
    ),
    (
        "Today is May-21",
        "a month and a two-digit number without a year is not reported as a date of birth",
    ),
    (
        "Today is 21-May",
        "a day and month without a year is not reported as a date of birth",
    ),
    (
        "Today is 05-May",
        "a day and month without a year is not reported as a date of birth",
    ),
    (
        "Today is\n2024-03-15T14:30:00+02:00 or not?",
        "with the birth word put in front, the date is on the next line; Jaga's context \
         stays on the value's line",
    ),
];

fn kind(recognizer: &str) -> K {
    match recognizer {
        "credit_card" => K::CreditCard,
        "email" => K::Email,
        "iban" => K::Iban,
        "ip" => K::IpAddress,
        "phone" => K::Phone,
        _ => K::DateOfBirth,
    }
}

#[derive(Default)]
struct Tally {
    agree: usize,
    in_scope: usize,
    low_score: usize,
    listed: usize,
}

#[test]
fn presidio_cases_agree() {
    let data: Value = serde_json::from_str(CASES).expect("vendored JSON");
    assert!(data["licence"].as_str().unwrap().contains("MIT License"));
    assert!(data["source"].as_str().unwrap().contains("commit"));
    let order = ["credit_card", "email", "iban", "ip", "phone", "date"];
    let mut tally: Vec<Tally> = order.iter().map(|_| Tally::default()).collect();
    let mut unlisted = Vec::new();
    let mut listed_but_agree = Vec::new();
    for case in data["cases"].as_array().unwrap() {
        let rec = case["recognizer"].as_str().unwrap();
        let raw = case["text"].as_str().unwrap();
        let shift = if rec == "date" { BIRTH_PREFIX.len() } else { 0 };
        let text = if rec == "date" {
            format!("{BIRTH_PREFIX}{raw}")
        } else {
            raw.to_string()
        };
        let k = kind(rec);
        let got: Vec<(usize, usize)> = detect(&text)
            .iter()
            .filter(|f| f.kind == k)
            .map(|f| (f.start - shift.min(f.start), f.end - shift.min(f.end)))
            .collect();
        let want: Vec<(usize, usize)> = case["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s[0].as_u64().unwrap() as usize,
                    s[1].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let n = case["expected_len"].as_u64().unwrap() as usize;
        let agrees = got.len() == n && (want.is_empty() || got == want);
        let t = &mut tally[order.iter().position(|&r| r == rec).unwrap()];
        // Score *ranges* (IP, date) below 0.5 mark Presidio's own low-confidence guesses;
        // the phone and card tests state the score of every result (0.4 for phones).
        let ranged = matches!(rec, "ip" | "date");
        if ranged && case["max_score"].as_f64().is_some_and(|s| s < 0.5) {
            t.low_score += 1;
            continue;
        }
        if let Some((_, _)) = KNOWN_DIFFERENCES.iter().find(|(t, _)| *t == raw) {
            t.listed += 1;
            if agrees {
                listed_but_agree.push(raw.to_string());
            }
            continue;
        }
        t.in_scope += 1;
        if agrees {
            t.agree += 1;
        } else {
            unlisted.push(format!("{rec}: {raw:?} want {n} {want:?}, got {got:?}"));
        }
    }
    println!("| recognizer | in scope | agree | agreement | low score (out) | listed (out) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let (mut all_in, mut all_agree) = (0, 0);
    for (rec, t) in order.iter().zip(&tally) {
        println!(
            "| {rec} | {} | {} | {:.3} | {} | {} |",
            t.in_scope,
            t.agree,
            t.agree as f64 / t.in_scope.max(1) as f64,
            t.low_score,
            t.listed
        );
        all_in += t.in_scope;
        all_agree += t.agree;
    }
    let rate = all_agree as f64 / all_in as f64;
    println!("| **all** | {all_in} | {all_agree} | **{rate:.3}** | | |");
    for u in &unlisted {
        println!("DIFF {u}");
    }
    assert!(
        listed_but_agree.is_empty(),
        "listed differences that now agree (remove them): {listed_but_agree:?}"
    );
    assert!(
        unlisted.is_empty(),
        "{} unlisted differences",
        unlisted.len()
    );
    assert!(rate >= 0.98, "in-scope agreement {rate:.3} < 0.98");
}
