//! The event and label parsers on arbitrary bytes: never a panic; an accepted event is valid,
//! round-trips through JSON, and scores without a panic (score 0-100, a reason per flag).
#![no_main]

use jaga_fraud::{Engine, RandomKeyer, RuleSet, parse_event, parse_label};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_label(text);
    let Ok(ev) = parse_event(text) else { return };
    assert!(ev.validate().is_ok());
    let again = parse_event(&serde_json_string(&ev)).expect("an accepted event round-trips");
    assert_eq!(again.id, ev.id);
    static RULES: OnceLock<Arc<RuleSet>> = OnceLock::new();
    let rules = RULES.get_or_init(|| Arc::new(RuleSet::defaults()));
    let mut engine = Engine::new(
        Arc::clone(rules),
        Arc::new(RandomKeyer::new()),
        jaga_i18n::Lang::En,
    );
    let a = engine.score(&ev);
    let b = engine.score(&ev);
    assert!(a.score <= 100 && b.score <= 100);
    assert!(!b.decision.flagged() || !b.reasons.is_empty());
});

fn serde_json_string(ev: &jaga_fraud::Event) -> String {
    // The crate's own serialisation (as the server stores events).
    jaga_fraud::event::to_json(ev)
}
