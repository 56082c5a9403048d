//! The rule loader on arbitrary text: never a panic; an error names a line inside the file;
//! an accepted rule set scores an event without a panic.
#![no_main]

use jaga_fraud::{Engine, RandomKeyer, RuleSet, parse_event};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RuleSet::from_sources([("fuzz.toml".to_string(), text.to_string())]) {
        Err(e) => {
            assert_eq!(e.file, "fuzz.toml");
            assert!(
                e.line >= 1 && e.line <= text.lines().count().max(1) + 1,
                "{e}"
            );
        }
        Ok(set) => {
            let mut engine = Engine::new(
                Arc::new(set),
                Arc::new(RandomKeyer::new()),
                jaga_i18n::Lang::Id,
            );
            let ev = parse_event(r#"{"id":"f","ts":"2026-05-01T10:00:00Z","type":"payment","amount":100,"ip":"10.0.0.1"}"#).unwrap();
            let o = engine.score(&ev);
            assert!(o.score <= 100);
        }
    }
});
