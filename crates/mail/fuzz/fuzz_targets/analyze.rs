//! The analyzer on arbitrary bytes: no panic; a result is consistent (score 0–100, the verdict
//! its band, a bank-detail change never below the floor, every explanation renders in both
//! languages) or a clear error.
#![no_main]

use jaga_i18n::Lang;
use jaga_mail::{Analyzer, BANK_CHANGE_FLOOR, Context, DkimKey, Verdict};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| {
        Analyzer::new(&Context {
            known_domains: vec!["glowbeauty.co.id".into(), "suryakemas.com".into()],
            own_domains: vec!["tokoayu.id".into()],
            known_names: vec![("Ayu Lestari".into(), vec!["tokoayu.id".into()])],
            trusted_authserv: vec!["mx.tokoayu.id".into()],
            dkim_keys: vec![DkimKey {
                selector: "s1".into(),
                domain: "glowbeauty.co.id".into(),
                record: "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".into(),
            }],
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(r) = analyzer().analyze(data) else {
        return;
    };
    assert!(r.score <= 100);
    assert_eq!(r.verdict, Verdict::from_score(r.score));
    if r.bank_details_change() {
        assert!(r.score >= BANK_CHANGE_FLOOR);
    }
    for lang in Lang::ALL {
        assert!(!r.explain(lang).is_empty());
        assert_eq!(r.view(lang).indicators.len(), r.indicators.len());
    }
});
