//! Detector and redaction on arbitrary UTF-8: no panic, offsets in range and on character
//! boundaries, sorted and non-overlapping; redaction of the findings succeeds, and a second pass
//! over the redacted text finds no card number under any operator.
#![no_main]

use jaga_redact::{EntityKind, Operator, Policy, detect, detect_field, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
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
    }
    for policy in [
        Policy::default(),
        Policy::default().with_all(Operator::Replace),
        Policy::default().with_all(Operator::Mask),
        Policy::default().with_all(Operator::Drop),
    ] {
        let r = redact(text, &policy).expect("these policies need no key");
        for f in detect(&r.text) {
            assert!(
                f.kind != EntityKind::CreditCard,
                "a second pass found a card: {:?}",
                &r.text[f.range()]
            );
        }
    }
});
