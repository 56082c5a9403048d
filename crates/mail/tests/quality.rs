//! Quality on labelled corpora, with the thresholds: ≥ 95 % of malicious mails rated
//! medium or high; ≤ 1 % of benign mails high and ≤ 5 % medium or above (genuine bank-change
//! notices are expected to be flagged and do not count); `BANK_DETAILS_CHANGE` on ≥ 98 % of the
//! mails that ask for it.
//!
//! Two generated corpora from different seeds and shops, and a hand-written set (`tests/data`,
//! not produced by the generator) with its own labels.
#![allow(missing_docs)]

use jaga_mail::corpus::{self, Quality, Sample};
use jaga_mail::{Analyzer, Context};

fn check(name: &str, q: &Quality) {
    println!(
        "{name}: detection {:.1}% ({}/{}), benign high {:.2}% ({}/{}), benign medium+ {:.2}% ({}), BANK_DETAILS_CHANGE recall {:.1}% ({}/{}), errors {}",
        100.0 * q.detection(),
        q.detected,
        q.malicious,
        100.0 * q.benign_high_rate(),
        q.benign_high,
        q.benign,
        100.0 * q.benign_flagged_rate(),
        q.benign_flagged,
        100.0 * q.bank_recall(),
        q.bank_flagged,
        q.bank_asks,
        q.errors
    );
    for m in q.misses.iter().take(40) {
        println!("  miss: {m}");
    }
    assert_eq!(q.errors, 0, "{name}: analyzer errors");
    assert!(
        q.detection() >= 0.95,
        "{name}: detection {:.3}",
        q.detection()
    );
    assert!(
        q.benign_high_rate() <= 0.01,
        "{name}: benign high {:.3}",
        q.benign_high_rate()
    );
    assert!(
        q.benign_flagged_rate() <= 0.05,
        "{name}: benign flagged {:.3}",
        q.benign_flagged_rate()
    );
    assert!(
        q.bank_recall() >= 0.98,
        "{name}: bank recall {:.3}",
        q.bank_recall()
    );
}

#[test]
fn generated_corpus_meets_the_targets() {
    for (seed, shop) in [(2026u64, 0usize), (99, 1), (4242, 2)] {
        let samples = corpus::generate(seed, shop, 1200);
        assert!(samples.iter().filter(|s| s.malicious).count() > 400);
        let q = corpus::evaluate(&Analyzer::new(&corpus::context(shop)), &samples);
        check(&format!("generated seed {seed} shop {shop}"), &q);
    }
}

/// The hand-written set: `tests/data/handwritten/*.eml`, labels in `labels.tsv`
/// (`file<TAB>malicious|benign<TAB>bank|-`), context in `context.txt`.
#[test]
fn handwritten_set_meets_the_targets() {
    labelled_set("handwritten", 30);
}

/// A second hand-written set (`tests/data/holdout`), written after the first set's lexicon
/// fixes and never edited to fit. Its first run: detection 6/8, `BANK_DETAILS_CHANGE` 1/4; after
/// general fixes 7/8 and 3/4, the miss being a genuine, authenticated mailbox asking to "pakai
/// rekening Mandiri kami" for December only (no bank word near a change word). Passing since the
/// redirection rule (`lexicon/redirect.rs`: an account, a payment direction and a change,
/// time-shift or exception cue such as `khusus … bulan …`), which was written for the whole class
/// and checked on an independent generator (`tests/corpus2`).
#[test]
fn holdout_set_meets_the_targets() {
    labelled_set("holdout", 16);
}

fn labelled_set(name: &str, min: usize) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let labels = std::fs::read_to_string(dir.join("labels.tsv")).expect("labels");
    let mut samples = Vec::new();
    for line in labels
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "bad label line {line:?}");
        samples.push(Sample {
            name: cols[0].to_string(),
            raw: std::fs::read(dir.join(cols[0])).expect("eml"),
            class: "handwritten",
            malicious: cols[1] == "malicious",
            asks_bank_change: cols[2] == "bank",
        });
    }
    assert!(
        samples.len() >= min,
        "only {} mails in {name}",
        samples.len()
    );
    let ctx_text = std::fs::read_to_string(dir.join("context.txt")).expect("context");
    let mut ctx = Context::default();
    for line in ctx_text.lines() {
        match line.split_once('=') {
            Some(("known", v)) => ctx.known_domains.push(v.trim().into()),
            Some(("own", v)) => ctx.own_domains.push(v.trim().into()),
            Some(("authserv", v)) => ctx.trusted_authserv.push(v.trim().into()),
            Some(("name", v)) => {
                let (n, d) = v.split_once('@').unwrap_or((v, ""));
                ctx.known_names
                    .push((n.trim().into(), vec![d.trim().into()]));
            }
            _ => {}
        }
    }
    let q = corpus::evaluate(&Analyzer::new(&ctx), &samples);
    check(name, &q);
    // On a set this small the rates allow no benign mail rated high at all.
    assert_eq!(q.benign_high, 0);
}
