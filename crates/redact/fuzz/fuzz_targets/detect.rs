//! Detector and redaction on arbitrary UTF-8: no panic, offsets in range and on character
//! boundaries, sorted and non-overlapping; every card the write guard reads in the input is
//! inside a finding; redaction of the findings succeeds, and the write guard
//! (`card::find_card_numbers`, not the detector checking itself) finds no card number in the
//! redacted text under any operator.
#![no_main]

use jaga_redact::card::find_card_numbers;
use jaga_redact::{EntityKind, Operator, Policy, detect, detect_field, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let guard = find_card_numbers(text);
    for found in [
        detect(text),
        detect_field(text, "nama"),
        detect_field(text, "no_rekening"),
    ] {
        let mut last = 0;
        for f in &found {
            assert!(f.start < f.end && f.end <= text.len());
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            assert!(f.start >= last);
            last = f.end;
        }
        for g in &guard {
            assert!(
                found.iter().any(|f| f.start <= g.start && g.end <= f.end),
                "a card the guard reads is not in a finding: {:?}",
                &text[g.clone()]
            );
        }
    }
    for policy in [
        Policy::default(),
        Policy::default().with_all(Operator::Replace),
        Policy::default().with_all(Operator::Mask),
        Policy::default().with_all(Operator::Drop),
    ] {
        let r = redact(text, &policy).expect("these policies need no key");
        for g in find_card_numbers(&r.text) {
            panic!("the guard found a card after redaction: {:?}", &r.text[g]);
        }
        for f in detect(&r.text) {
            assert!(
                f.kind != EntityKind::CreditCard,
                "a second pass found a card: {:?}",
                &r.text[f.range()]
            );
        }
    }
});
