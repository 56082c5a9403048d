//! Engine throughput: features plus 50 rules (the shipped rules and filler rules of the same
//! kind) per event, no I/O. `cargo bench -p jaga-fraud --bench engine`.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jaga_fraud::simulate::{Params, generate};
use jaga_fraud::{Engine, RandomKeyer, RuleSet};
use std::sync::Arc;

/// The shipped rules plus filler rules up to `n`.
pub fn rules_with(n: usize) -> RuleSet {
    let mut sources: Vec<(String, String)> = jaga_fraud::rules::DEFAULT_SOURCES
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let have = RuleSet::defaults().rules.len();
    let ents = ["card", "email", "customer", "device", "ip", "address"];
    let wins = ["10m", "1h", "24h", "7d"];
    let mut extra = String::new();
    for i in 0..n.saturating_sub(have) {
        let e = ents[i % ents.len()];
        let w = wins[i % wins.len()];
        extra.push_str(&format!(
            "[[rule]]\nid = \"filler_{i}\"\naction = \"score\"\nscore = 1\nwhen = \"{e}_count_{w} >= {} && amount > {}\"\nreason = {{ id = \"x\", en = \"x\" }}\n\n",
            20 + i,
            1000 * i
        ));
    }
    sources.push(("99-filler.toml".into(), extra));
    RuleSet::from_sources(sources).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut p = Params::new(42);
    p.events = 20_000;
    let evs = generate(&p);
    let set = Arc::new(rules_with(50));
    assert_eq!(set.rules.len(), 50);
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.sample_size(10);
    g.bench_function("score_50_rules", |b| {
        b.iter(|| {
            let mut e = Engine::new(
                Arc::clone(&set),
                Arc::new(RandomKeyer::new()),
                jaga_i18n::Lang::En,
            );
            let mut flagged = 0;
            for ev in &evs {
                flagged += usize::from(e.score(ev).decision.flagged());
            }
            flagged
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
