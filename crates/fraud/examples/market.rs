//! The shipped rules (and the naive baseline) on the third, independent generator
//! (`tests/market/mod.rs`), at any density:
//! `cargo run --release -p jaga-fraud --example market -- SEED PER_DAY DAYS [RETURNING] [GUEST] [scenarios]`
//! e.g. `... -- 1 50000 30` for 1,500,000 events in 30 days. With `scenarios`, per-scenario
//! events, flagged events and the rules behind them are printed too.

#[path = "../tests/market/mod.rs"]
mod market;

use jaga_fraud::backtest::Tally;
use jaga_fraud::{Engine, RandomKeyer, RuleSet};
use market::{MarketParams, market};
use std::collections::BTreeMap;
use std::sync::Arc;

/// (scenario, fraud, event type) -> (events, flagged, hits per rule).
type Per = BTreeMap<(String, bool, &'static str), (u64, u64, BTreeMap<String, u64>)>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| args.get(i).and_then(|s| s.parse::<f64>().ok());
    let mut p = MarketParams::new(num(0).unwrap_or(1.0) as u64);
    p.per_day = num(1).map_or(p.per_day, |x| x as usize);
    p.days = num(2).map_or(p.days, |x| x as u32);
    p.returning = num(3).unwrap_or(p.returning);
    p.guest = num(4).unwrap_or(p.guest);
    let by_scenario = args.iter().any(|a| a == "scenarios");
    let evs = market(&p);
    let baseline = RuleSet::from_sources([(
        "baseline.toml".to_string(),
        include_str!("../tests/baseline/baseline.toml").to_string(),
    )])
    .expect("baseline rules load");
    for (name, set) in [("defaults", RuleSet::defaults()), ("baseline", baseline)] {
        let set = Arc::new(set);
        let mut tally = Tally::new(&set);
        let mut e = Engine::new(
            set.clone(),
            Arc::new(RandomKeyer::new()),
            jaga_i18n::Lang::En,
        );
        let mut per: Per = BTreeMap::new();
        for ev in &evs {
            let o = e.score(ev);
            let l = ev.label.as_ref().expect("labelled");
            tally.add(&o, Some(l.fraud));
            if by_scenario && name == "defaults" {
                let s = per
                    .entry((l.scenario.clone(), l.fraud, ev.kind.as_str()))
                    .or_default();
                s.0 += 1;
                if o.decision.flagged() {
                    s.1 += 1;
                    for r in &o.reasons {
                        *s.2.entry(r.rule.clone()).or_default() += 1;
                    }
                }
            }
        }
        let r = tally.finish(name);
        let m = &r.metrics;
        println!(
            "{name}: {} events, seed {}, {}/day x {} days: precision {:.3} recall {:.3} fpr {:.4} (tp {} fp {} tn {} fn {})",
            evs.len(),
            p.seed,
            p.per_day,
            p.days,
            m.precision,
            m.recall,
            m.false_positive_rate,
            m.tp,
            m.fp,
            m.tn,
            m.fn_
        );
        for ((sc, fraud, kind), (n, f, rules)) in per {
            let top: Vec<String> = rules.iter().map(|(r, n)| format!("{r}:{n}")).collect();
            println!(
                "  {sc:<20} {fraud:<5} {kind:<10} {n:>7} flagged {f:>6}  {}",
                top.join(" ")
            );
        }
    }
}
