//! Engine throughput with 50 rules, in events per second of CPU time (so a busy machine does not
//! hide the per-core figure) and of wall time:
//! `cargo run --release -p jaga-fraud --example throughput -- [EVENTS]`.

use jaga_fraud::simulate::{Params, generate};
use jaga_fraud::{Engine, RandomKeyer, RuleSet};
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
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let mut p = Params::new(42);
    p.events = n;
    let evs = generate(&p);
    let mut sources: Vec<(String, String)> = jaga_fraud::rules::DEFAULT_SOURCES
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let have = RuleSet::defaults().rules.len();
    let ents = ["card", "email", "customer", "device", "ip", "address"];
    let wins = ["10m", "1h", "24h", "7d"];
    let mut extra = String::new();
    for i in 0..50usize.saturating_sub(have) {
        extra.push_str(&format!(
            "[[rule]]\nid = \"filler_{i}\"\naction = \"score\"\nscore = 1\nwhen = \"{}_count_{} >= {} && amount > {}\"\nreason = {{ id = \"x\", en = \"x\" }}\n\n",
            ents[i % ents.len()], wins[i % wins.len()], 20 + i, 1000 * i
        ));
    }
    sources.push(("99-filler.toml".into(), extra));
    let set = Arc::new(RuleSet::from_sources(sources).unwrap());
    assert_eq!(set.rules.len(), 50);
    let mut e = Engine::new(set, Arc::new(RandomKeyer::new()), jaga_i18n::Lang::En);
    let (c0, w0) = (cpu_seconds(), Instant::now());
    let mut flagged = 0usize;
    for ev in &evs {
        flagged += usize::from(e.score(ev).decision.flagged());
    }
    let (cpu, wall) = (cpu_seconds() - c0, w0.elapsed().as_secs_f64());
    println!(
        "{} events, 50 rules, {flagged} flagged: {:.0} events/s per CPU second ({cpu:.2} s CPU), {:.0} events/s wall ({wall:.2} s)",
        evs.len(),
        evs.len() as f64 / cpu.max(1e-9),
        evs.len() as f64 / wall
    );
}
