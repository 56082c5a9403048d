//! Per-kind precision/recall on the generated corpus: development seed and held-out seeds.

use jaga_redact::EntityKind as K;
use jaga_redact::corpus::{Report, evaluate, generate};

/// Development set: the seed the detector was tuned on.
const DEV_SEED: u64 = 1;
/// Held-out set: seeds never looked at while tuning, generated at test time.
const HELD_OUT_SEEDS: std::ops::Range<u64> = 1000..1004;

fn check(r: &Report, label: &str) {
    println!("{label}: {} docs, {} bytes\n{}", r.docs, r.bytes, r.table());
    let mut misses = Vec::new();
    for (kinds, min) in [
        (
            &[K::CreditCard, K::Nik, K::Npwp, K::Email, K::Phone, K::Iban][..],
            0.99,
        ),
        (&[K::BankAccount, K::Cvv, K::Kk, K::Passport][..], 0.95),
        (&[K::Person, K::Address, K::DateOfBirth][..], 0.85),
    ] {
        for &k in kinds {
            let s = r.kind(k);
            assert!(s.gold > 0, "{label}: no {k} in corpus");
            if s.recall() < min {
                misses.push(format!("{k} recall {:.3} < {min}", s.recall()));
            }
        }
    }
    if r.precision() < 0.95 {
        misses.push(format!("precision {:.3} < 0.95", r.precision()));
    }
    if r.card_leaks != 0 {
        misses.push(format!("{} documents leak a card number", r.card_leaks));
    }
    assert!(misses.is_empty(), "{label}: {misses:?}");
}

#[test]
fn development_set_meets_targets() {
    check(&evaluate(&generate(DEV_SEED, 3000)), "dev");
}

#[test]
fn held_out_set_meets_targets() {
    let docs: Vec<_> = HELD_OUT_SEEDS.flat_map(|s| generate(s, 1000)).collect();
    check(&evaluate(&docs), "held-out");
}
