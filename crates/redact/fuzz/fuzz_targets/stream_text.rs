//! `redact_stream` with the text format on arbitrary bytes: an error or output, never a panic.
#![no_main]

use jaga_redact::{Format, Policy, StreamOptions, redact_stream_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = StreamOptions {
        chunk_bytes: 256,
        max_line_bytes: 512,
        max_record_bytes: 4096,
        ..StreamOptions::default()
    };
    let mut out = Vec::new();
    let _ = redact_stream_with(
        data,
        &mut out,
        Format::Text,
        &Policy::default(),
        &opts,
        |_| {},
    );
});
