//! Per-scenario recall and false positives of the shipped rules on a simulated stream:
//! `cargo run -p jaga-fraud --example scenarios -- SEED [shop|guest] [EVENTS] [DAYS]`.

use jaga_fraud::simulate::{Params, Shape, generate};
use jaga_fraud::{Engine, RandomKeyer, RuleSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// (scenario, fraud, event type).
type Key<'a> = (String, bool, &'a str);
/// (events, flagged, hits per rule).
type Tally = (u64, u64, BTreeMap<String, u64>);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut p = Params::new(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1));
    if args.get(2).map(String::as_str) == Some("guest") {
        p.shape = Shape::Guest;
    }
    p.events = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(12_000);
    p.days = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(p.days);
    let evs = generate(&p);
    let mut e = Engine::new(
        Arc::new(RuleSet::defaults()),
        Arc::new(RandomKeyer::new()),
        jaga_i18n::Lang::En,
    );
    // scenario/type -> (events, flagged)
    let mut per: BTreeMap<Key, Tally> = BTreeMap::new();
    for ev in &evs {
        let o = e.score(ev);
        let l = ev.label.as_ref().expect("labelled");
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
    for ((sc, fraud, kind), (n, f, rules)) in per {
        let top: Vec<String> = rules.iter().map(|(r, n)| format!("{r}:{n}")).collect();
        println!(
            "{:<26} {:<5} {:<10} {:>6} flagged {:>6}  {}",
            sc,
            fraud,
            kind,
            n,
            f,
            top.join(" ")
        );
    }
}
