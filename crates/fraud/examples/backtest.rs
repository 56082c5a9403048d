//! An engine-level backtest of N simulated events (default 1,000,000), timed in CPU and wall
//! seconds: the events are written as JSON lines in memory, then parsed, put in time order,
//! scored with the shipped rules and tallied against their labels — what `jaga fraud
//! backtest` does, without the file and the card-number guard:
//! `cargo run --release -p jaga-fraud --example backtest -- [EVENTS] [SEED]`.

use jaga_fraud::backtest::Tally;
use jaga_fraud::simulate::{Params, generate};
use jaga_fraud::{Engine, RandomKeyer, RuleSet, parse_event};
use std::sync::Arc;
use std::time::Instant;

/// User + system CPU seconds of this process (Linux `/proc/self/stat`, 100 ticks per second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut p = Params::new(seed);
    p.events = n;
    let lines: Vec<String> = generate(&p)
        .iter()
        .map(|e| serde_json::to_string(e).expect("events serialise"))
        .collect();
    let set = Arc::new(RuleSet::defaults());
    let (c0, w0) = (cpu_seconds(), Instant::now());
    let mut evs: Vec<_> = lines
        .iter()
        .map(|l| parse_event(l).expect("simulated events parse"))
        .collect();
    evs.sort_by_key(|e| e.unix());
    let (c1, w1) = (cpu_seconds(), Instant::now());
    let mut e = Engine::new(
        set.clone(),
        Arc::new(RandomKeyer::new()),
        jaga_i18n::Lang::En,
    );
    let mut tally = Tally::new(&set);
    for ev in &evs {
        let label = ev.label.as_ref().map(|l| l.fraud);
        tally.add(&e.score(ev), label);
    }
    let report = tally.finish("defaults");
    let (c2, w2) = (cpu_seconds(), Instant::now());
    let m = &report.metrics;
    println!(
        "{} events ({} rules): parse+sort {:.2} s CPU ({:.2} s wall), score+tally {:.2} s CPU ({:.2} s wall), total {:.2} s CPU ({:.2} s wall); precision {:.3}, recall {:.3}, false-positive rate {:.4}",
        evs.len(),
        set.rules.len(),
        c1 - c0,
        (w1 - w0).as_secs_f64(),
        c2 - c1,
        (w2 - w1).as_secs_f64(),
        c2 - c0,
        (w2 - w0).as_secs_f64(),
        m.precision,
        m.recall,
        m.false_positive_rate
    );
}
