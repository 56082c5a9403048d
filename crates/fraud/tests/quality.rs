//! Detection quality of the shipped rules on labelled synthetic streams: several seeds of two
//! differently shaped generators, each against the targets (recall ≥ 0.92 of fraud events
//! flagged, precision ≥ 0.80, false-positive rate ≤ 1 %), and against a naive velocity baseline.

use jaga_fraud::backtest::{SetReport, Tally};
use jaga_fraud::simulate::{Params, Shape, generate};
use jaga_fraud::{Engine, RandomKeyer, RuleSet};
use std::sync::Arc;

fn run(set: Arc<RuleSet>, shape: Shape, seed: u64, events: usize) -> SetReport {
    let mut p = Params::new(seed);
    p.shape = shape;
    p.events = events;
    let evs = generate(&p);
    let mut tally = Tally::new(&set);
    let mut engine = Engine::new(set, Arc::new(RandomKeyer::new()), jaga_i18n::Lang::En);
    for ev in &evs {
        let o = engine.score(ev);
        tally.add(&o, ev.label.as_ref().map(|l| l.fraud));
    }
    tally.finish("defaults")
}

fn baseline() -> Arc<RuleSet> {
    Arc::new(
        RuleSet::from_sources([(
            "baseline.toml".to_string(),
            include_str!("baseline/baseline.toml").to_string(),
        )])
        .unwrap(),
    )
}

fn check(shape: Shape, seeds: &[u64]) {
    let defaults = Arc::new(RuleSet::defaults());
    for &seed in seeds {
        let r = run(Arc::clone(&defaults), shape, seed, 12_000);
        let m = &r.metrics;
        let weak: Vec<String> = r
            .rules
            .iter()
            .filter(|x| x.legit_hits > 0)
            .map(|x| format!("{}:{}/{}", x.rule, x.fraud_hits, x.legit_hits))
            .collect();
        eprintln!(
            "{shape:?} seed {seed}: precision {:.3} recall {:.3} fpr {:.4} (tp {} fp {} tn {} fn {}) legit hits {weak:?}",
            m.precision, m.recall, m.false_positive_rate, m.tp, m.fp, m.tn, m.fn_
        );
        assert!(m.tp + m.fn_ > 200, "too little fraud to measure: {m:?}");
        assert!(
            m.recall >= 0.92,
            "{shape:?} seed {seed}: recall {:.3}",
            m.recall
        );
        assert!(
            m.precision >= 0.80,
            "{shape:?} seed {seed}: precision {:.3}",
            m.precision
        );
        assert!(
            m.false_positive_rate <= 0.01,
            "{shape:?} seed {seed}: false-positive rate {:.4}",
            m.false_positive_rate
        );
        assert!(r.rule_errors.is_empty(), "{:?}", r.rule_errors);
        let b = run(baseline(), shape, seed, 12_000);
        eprintln!("  naive baseline: {:?}", b.metrics);
        let f1 = |m: &jaga_fraud::backtest::Metrics| {
            2.0 * m.precision * m.recall / (m.precision + m.recall).max(1e-9)
        };
        assert!(
            f1(m) > f1(&b.metrics) + 0.1
                && m.precision > b.metrics.precision
                && m.false_positive_rate < b.metrics.false_positive_rate,
            "defaults must clearly beat the naive baseline: {m:?} vs {:?}",
            b.metrics
        );
    }
}

#[test]
fn shop_streams_meet_targets() {
    check(Shape::Shop, &[1, 2, 3]);
}

#[test]
fn guest_streams_meet_targets() {
    check(Shape::Guest, &[11, 12]);
}

#[test]
fn generator_is_deterministic_and_labelled() {
    let a = generate(&Params::new(7));
    let b = generate(&Params::new(7));
    assert_eq!(a, b);
    let c = generate(&Params::new(8));
    assert_ne!(a, c);
    assert!(a.windows(2).all(|w| w[0].ts <= w[1].ts), "time order");
    let fraud = a
        .iter()
        .filter(|e| e.label.as_ref().is_some_and(|l| l.fraud))
        .count();
    let share = fraud as f64 / a.len() as f64;
    assert!((0.02..0.12).contains(&share), "fraud share {share}");
    let scenarios: std::collections::BTreeSet<&str> = a
        .iter()
        .filter_map(|e| e.label.as_ref())
        .map(|l| l.scenario.as_str())
        .collect();
    for s in [
        "card_testing",
        "account_takeover",
        "stolen_card_new_account",
        "promo_abuse",
        "triangulation",
        "failed_payment_burst",
        "declined_retry",
        "new_customer",
    ] {
        assert!(scenarios.contains(s), "missing scenario {s}: {scenarios:?}");
    }
}
