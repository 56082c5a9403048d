//! Quality on a second, independent generator (`tests/corpus2`: its own shop, suppliers,
//! phrasings, PRNG and MIME layout) with the targets, and the naive keyword baseline the
//! issue compares with, measured on both generators. Figures in `docs/BENCHMARKS.md` §8:
//! `cargo test -p jaga-mail --release --locked --test independent -- --nocapture`.
#![allow(missing_docs)]

mod corpus2;

use jaga_mail::Analyzer;
use jaga_mail::corpus::{self, Quality, Sample};
use mail_parser::MessageParser;

fn report(name: &str, q: &Quality) {
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
    for m in q.misses.iter().take(30) {
        println!("  miss: {m}");
    }
}

#[test]
fn independent_generator_meets_the_targets() {
    for seed in [7u64, 20261207, 31337] {
        let samples = corpus2::generate(seed, 1500);
        assert!(samples.iter().filter(|s| s.malicious).count() > 600);
        assert!(samples.iter().filter(|s| s.asks_bank_change).count() > 300);
        let q = corpus::evaluate(&Analyzer::new(&corpus2::context()), &samples);
        let name = format!("independent seed {seed}");
        report(&name, &q);
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
            "{name}: benign medium+ {:.3}",
            q.benign_flagged_rate()
        );
        assert!(
            q.bank_recall() >= 0.98,
            "{name}: bank recall {:.3}",
            q.bank_recall()
        );
    }
}

/// The naive baseline: a mail is "medium" when its subject or text contains one of the alarm
/// phrases the issue names or their everyday neighbours; there is no "high".
const KEYWORDS: &[&str] = &[
    "rekening baru",
    "mohon segera",
    "jangan telepon",
    "updated bank details",
    "new bank",
    "new account",
    "bank details",
    "perubahan rekening",
    "ganti rekening",
    "urgent",
    "segera",
    "verify",
    "verifikasi",
    "password",
    "kata sandi",
    "gift card",
    "voucher",
    "suspended",
    "diblokir",
    "confidential",
    "rahasia",
];

fn baseline_flags(raw: &[u8]) -> bool {
    let Some(m) = MessageParser::default().parse(raw) else {
        return false;
    };
    let mut text = m.subject().unwrap_or("").to_lowercase();
    for i in 0..m.text_body_count() {
        text.push(' ');
        text.push_str(&m.body_text(i).unwrap_or_default().to_lowercase());
    }
    KEYWORDS.iter().any(|k| text.contains(k))
}

/// Detection and benign medium+ of the baseline (genuine bank-change notices excluded, as for
/// the analyzer).
fn baseline(samples: &[Sample]) -> (f64, f64) {
    let (mut mal, mut hit, mut ben, mut fp) = (0, 0, 0, 0);
    for s in samples {
        let f = baseline_flags(&s.raw);
        if s.malicious {
            mal += 1;
            hit += usize::from(f);
        } else if !s.asks_bank_change {
            ben += 1;
            fp += usize::from(f);
        }
    }
    (hit as f64 / mal as f64, fp as f64 / ben as f64)
}

#[test]
fn the_analyzer_beats_the_naive_keyword_baseline() {
    let sets = [
        (
            "first generator seed 2026",
            corpus::generate(2026, 0, 1200),
            corpus::context(0),
        ),
        (
            "independent seed 7",
            corpus2::generate(7, 1500),
            corpus2::context(),
        ),
    ];
    for (name, samples, ctx) in sets {
        let (det, fp) = baseline(&samples);
        let q = corpus::evaluate(&Analyzer::new(&ctx), &samples);
        println!(
            "{name}: baseline detection {:.1}%, benign medium+ {:.1}%; analyzer detection {:.1}%, benign medium+ {:.1}%",
            100.0 * det,
            100.0 * fp,
            100.0 * q.detection(),
            100.0 * q.benign_flagged_rate()
        );
        assert!(
            q.detection() > det && q.benign_flagged_rate() < fp,
            "{name}"
        );
    }
}
