//! Bundle parser and verifier: any input must give `Ok` or `Err`, never a panic.
#![no_main]

use jaga_audit::{Bundle, SigningKeyPair};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let key = SigningKeyPair::from_seed("fuzz.example/log", &[9; 32]).unwrap();
    if let Ok(b) = Bundle::parse(s) {
        assert_eq!(Bundle::parse(&b.to_text()).unwrap(), b);
        let _ = b.verify(key.verifier());
    }
});
