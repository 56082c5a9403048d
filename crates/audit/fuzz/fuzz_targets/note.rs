//! Signed-note, checkpoint and key-string parsers: any input must give `Ok` or `Err`, never a
//! panic, and what parses must survive a round trip.
#![no_main]

use jaga_audit::note::Note;
use jaga_audit::{Checkpoint, SigningKeyPair, VerifierKey, open_checkpoint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let key = SigningKeyPair::from_seed("fuzz.example/log", &[9; 32]).unwrap();
    if let Ok(note) = Note::parse(s) {
        let _ = note.verify(std::slice::from_ref(key.verifier()));
    }
    let _ = open_checkpoint(s, key.verifier());
    if let Ok(cp) = Checkpoint::parse(s) {
        assert_eq!(Checkpoint::parse(&cp.to_text()).unwrap(), cp);
    }
    if let Ok(v) = VerifierKey::parse(s) {
        assert_eq!(VerifierKey::parse(&v.to_string()).unwrap(), v);
    }
    let _ = SigningKeyPair::parse(s);
});
