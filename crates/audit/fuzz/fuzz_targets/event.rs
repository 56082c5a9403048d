//! Event leaf decoder: never panics, and whatever decodes re-encodes to the same bytes.
#![no_main]

use jaga_audit::event::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = decode(data) {
        assert_eq!(encode(&event), data);
    }
});
