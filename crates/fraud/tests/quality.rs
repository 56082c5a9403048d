//! Detection quality of the shipped rules on labelled synthetic streams: several seeds of three
//! differently shaped generators — the crate's shop and guest-checkout shapes and the
//! independent marketplace generator in `market/mod.rs` (written apart from the rules and
//! never used to tune them) — at regular and high density, each against the targets (recall ≥
//! 0.92 of fraud events flagged, precision ≥ 0.80, false-positive rate ≤ 1 %), and against a
//! naive velocity baseline.
//!
//! Larger runs (1,000,000 events and more) are examples: `cargo run --release -p jaga-fraud
//! --example market -- SEED PER_DAY DAYS` and `--example backtest -- EVENTS SEED`.

mod market;

use jaga_fraud::backtest::{Metrics, SetReport, Tally};
use jaga_fraud::simulate::{Params, Shape, generate};
use jaga_fraud::{Engine, Event, RandomKeyer, RuleSet};
use market::{MarketParams, market};
use std::sync::Arc;

fn run(set: Arc<RuleSet>, evs: &[Event]) -> SetReport {
    let mut tally = Tally::new(&set);
    let mut engine = Engine::new(set, Arc::new(RandomKeyer::new()), jaga_i18n::Lang::En);
    for ev in evs {
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

fn f1(m: &Metrics) -> f64 {
    2.0 * m.precision * m.recall / (m.precision + m.recall).max(1e-9)
}

/// Minimum recall, minimum precision and maximum false-positive rate.
type Bar = (f64, f64, f64);

/// The targets of the issue.
const TARGETS: Bar = (0.92, 0.80, 0.01);

/// What the shipped rules reach on the marketplace generator, every seed and density tested
/// (docs/BENCHMARKS.md § 9): below the recall target (refund abuse, the first attempts of card
/// testing and the sign-ups of promo rings on distinct devices go unflagged) and, at 50,000
/// events a day, just below the precision target. A floor against regressions, not the target.
const MARKET_FLOOR: Bar = (0.74, 0.78, 0.012);

/// Asserts the targets on `evs` and that the defaults clearly beat the naive baseline.
fn check(name: &str, evs: &[Event]) {
    check_bar(name, evs, TARGETS);
}

/// Asserts `bar` on `evs` and that the defaults clearly beat the naive baseline.
fn check_bar(name: &str, evs: &[Event], (recall, precision, fpr): Bar) {
    let r = run(Arc::new(RuleSet::defaults()), evs);
    let m = &r.metrics;
    let weak: Vec<String> = r
        .rules
        .iter()
        .filter(|x| x.legit_hits > 0)
        .map(|x| format!("{}:{}/{}", x.rule, x.fraud_hits, x.legit_hits))
        .collect();
    eprintln!(
        "{name} ({} events): precision {:.3} recall {:.3} fpr {:.4} (tp {} fp {} tn {} fn {}) legit hits {weak:?}",
        evs.len(),
        m.precision,
        m.recall,
        m.false_positive_rate,
        m.tp,
        m.fp,
        m.tn,
        m.fn_
    );
    assert!(
        m.tp + m.fn_ > 200,
        "{name}: too little fraud to measure: {m:?}"
    );
    assert!(m.recall >= recall, "{name}: recall {:.3}", m.recall);
    assert!(
        m.precision >= precision,
        "{name}: precision {:.3}",
        m.precision
    );
    assert!(
        m.false_positive_rate <= fpr,
        "{name}: false-positive rate {:.4}",
        m.false_positive_rate
    );
    assert!(r.rule_errors.is_empty(), "{:?}", r.rule_errors);
    let b = run(baseline(), evs);
    eprintln!("  naive baseline: {:?}", b.metrics);
    assert!(
        f1(m) > f1(&b.metrics) + 0.1
            && m.precision > b.metrics.precision
            && m.false_positive_rate < b.metrics.false_positive_rate,
        "{name}: defaults must clearly beat the naive baseline: {m:?} vs {:?}",
        b.metrics
    );
}

fn sim(shape: Shape, seed: u64, events: usize, days: u32) -> Vec<Event> {
    let mut p = Params::new(seed);
    p.shape = shape;
    p.events = events;
    p.days = days;
    generate(&p)
}

#[test]
fn shop_streams_meet_targets() {
    for seed in [1, 2, 3] {
        check(
            &format!("shop seed {seed}"),
            &sim(Shape::Shop, seed, 12_000, 30),
        );
    }
}

#[test]
fn guest_streams_meet_targets() {
    for seed in [11, 12] {
        check(
            &format!("guest seed {seed}"),
            &sim(Shape::Guest, seed, 12_000, 30),
        );
    }
}

/// The 1,000,000-events-in-30-days shape (about 33,000 events a day) over two days.
#[test]
fn dense_shop_and_guest_streams_meet_targets() {
    for seed in [4, 5] {
        check(
            &format!("dense shop seed {seed}"),
            &sim(Shape::Shop, seed, 66_000, 2),
        );
    }
    check("dense guest seed 13", &sim(Shape::Guest, 13, 66_000, 2));
}

fn mk(seed: u64, per_day: usize, days: u32, returning: f64, guest: f64) -> Vec<Event> {
    let mut p = MarketParams::new(seed);
    p.per_day = per_day;
    p.days = days;
    p.returning = returning;
    p.guest = guest;
    market(&p)
}

#[test]
fn market_streams_stay_above_their_floor() {
    for seed in [21, 22, 23] {
        check_bar(
            &format!("market seed {seed} 1,000/day"),
            &mk(seed, 1_000, 14, 0.6, 0.4),
            MARKET_FLOOR,
        );
    }
}

#[test]
fn market_streams_of_other_densities_and_mixes_stay_above_their_floor() {
    for (name, evs) in [
        ("market seed 24 500/day 30 days", mk(24, 500, 30, 0.8, 0.2)),
        (
            "market seed 25 20,000/day 2 days",
            mk(25, 20_000, 2, 0.5, 0.6),
        ),
        (
            "market seed 26 50,000/day 1 day",
            mk(26, 50_000, 1, 0.7, 0.3),
        ),
    ] {
        check_bar(name, &evs, MARKET_FLOOR);
    }
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

#[test]
fn market_generator_is_deterministic_labelled_and_scales() {
    let a = mk(3, 1_000, 10, 0.6, 0.4);
    assert_eq!(a, mk(3, 1_000, 10, 0.6, 0.4));
    assert_ne!(a, mk(4, 1_000, 10, 0.6, 0.4));
    assert!(a.windows(2).all(|w| w[0].ts <= w[1].ts), "time order");
    let n = a.len() as f64;
    assert!(
        (8_000.0..13_000.0).contains(&n),
        "{n} events for 10,000 asked"
    );
    let dense = mk(3, 20_000, 1, 0.6, 0.4).len() as f64;
    assert!(
        (16_000.0..26_000.0).contains(&dense),
        "{dense} events for 20,000 asked"
    );
    let fraud = a
        .iter()
        .filter(|e| e.label.as_ref().is_some_and(|l| l.fraud))
        .count();
    assert!(
        (0.03..0.09).contains(&(fraud as f64 / n)),
        "fraud share {}",
        fraud as f64 / n
    );
    let scenarios: std::collections::BTreeSet<&str> = a
        .iter()
        .filter_map(|e| e.label.as_ref())
        .map(|l| l.scenario.as_str())
        .collect();
    for s in [
        "slow_card_testing",
        "fast_card_testing",
        "account_takeover",
        "refund_abuse",
        "friendly_fraud",
        "promo_ring",
        "stolen_card_guest",
        "reseller",
        "flash_sale",
        "traveller",
        "declined_retry",
        "first_time",
    ] {
        assert!(scenarios.contains(s), "missing scenario {s}: {scenarios:?}");
    }
    for e in &a {
        jaga_fraud::parse_event(&serde_json::to_string(e).unwrap()).expect("valid event");
    }
}
