//! The window aggregates against the straightforward backward scan, on random streams with
//! ties, out-of-order events, long gaps, the per-entity cap and changing rule needs.

use crate::event::{Event, parse_event};
use crate::features::{FeatureStore, Features, Needs};
use crate::keys::{EventKeys, RandomKeyer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Shape of a random stream.
struct Shape {
    events: usize,
    /// Distinct values per entity (small: keys collide a lot).
    keys: u32,
    /// Share of events placed before the previous one (per mille).
    late_per_mille: u32,
    /// Largest step forward between events (seconds).
    step: i64,
}

fn stream(seed: u64, shape: &Shape) -> Vec<Event> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut now: i64 = 1_780_000_000;
    let kinds = [
        "payment",
        "order",
        "refund",
        "chargeback",
        "login",
        "signup",
    ];
    (0..shape.events)
        .map(|i| {
            let r = rng.gen_range(0..1000u32);
            let ts = if r < shape.late_per_mille {
                // Late: up to three days back, sometimes beyond the 31-day retention.
                let back = if rng.gen_bool(0.1) {
                    rng.gen_range(30 * 86_400..40 * 86_400)
                } else {
                    rng.gen_range(0..3 * 86_400)
                };
                now - back
            } else {
                now += match rng.gen_range(0..100u32) {
                    0..10 => 0, // ties
                    10..12 => rng.gen_range(86_400..45 * 86_400),
                    _ => rng.gen_range(1..=shape.step),
                };
                now
            };
            let k = shape.keys;
            let mut field = |name: &str, p: f64, suffix: &str| -> String {
                if rng.gen_bool(p) {
                    format!(r#","{name}":"{name}-{}{suffix}""#, rng.gen_range(0..k))
                } else {
                    String::new()
                }
            };
            let others = [
                field("email", 0.8, "@example.com"),
                field("customer_ref", 0.5, ""),
                field("device_id", 0.8, ""),
                field("ip", 0.8, ""),
                field("promo_code", 0.2, ""),
            ]
            .concat();
            let card = field("card_fingerprint", 0.7, "");
            let addr = field("address_hash", 0.6, "");
            let bin = if rng.gen_bool(0.5) {
                format!(r#","card_bin":"4{:05}""#, rng.gen_range(0..k))
            } else {
                String::new()
            };
            let created = if rng.gen_bool(0.3) {
                let c = ts - rng.gen_range(0..3 * 86_400);
                format!(r#","account_created_at":"{}""#, rfc3339(c))
            } else {
                String::new()
            };
            let status = ["captured", "declined", "authorized"][rng.gen_range(0..3)];
            let amount = match rng.gen_range(0..100u32) {
                0 => i64::MAX / 3, // sums saturate
                1..5 => 0,
                _ => rng.gen_range(1..5_000_000),
            };
            let kind = kinds[rng.gen_range(0..kinds.len())];
            let json = format!(
                r#"{{"id":"e{i}","ts":"{}","type":"{kind}","amount":{amount},"order_id":"o{}"{others}{created},"payment":{{"method":"card","gateway":"g{}","status":"{status}"{card}{bin}}},"shipping":{{"country":"ID"{addr}}}}}"#,
                rfc3339(ts),
                rng.gen_range(0..k * 4),
                rng.gen_range(0..3),
            );
            parse_event(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
        })
        .collect()
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Feeds `evs` to a window store and a scanning store with the needs `needs(i)` for event
/// `i`, and asserts identical features.
fn compare(evs: &[Event], needs: impl Fn(usize) -> Needs) {
    let keyer = RandomKeyer::new();
    let (mut inc, mut scan) = (FeatureStore::new(), FeatureStore::scanning());
    let (mut a, mut b) = (Features::default(), Features::default());
    for (i, ev) in evs.iter().enumerate() {
        let keys = EventKeys::derive(ev, &keyer);
        let n = needs(i);
        inc.observe_for(ev, &keys, &n, &mut a);
        scan.observe_for(ev, &keys, &n, &mut b);
        assert_eq!(
            format!("{:?}", a.nums),
            format!("{:?}", b.nums),
            "event {i} ({})",
            ev.id
        );
    }
}

#[test]
fn aggregates_equal_backward_scans_on_random_streams() {
    for seed in 0..6 {
        let shape = Shape {
            events: 3_000,
            keys: 12,
            late_per_mille: 80,
            step: 900,
        };
        compare(&stream(seed, &shape), |_| Needs::all());
    }
}

#[test]
fn aggregates_equal_backward_scans_past_the_record_cap() {
    // Few keys and short steps: entities hold more than MAX_RECORDS records within 30 days.
    let shape = Shape {
        events: 12_000,
        keys: 2,
        late_per_mille: 5,
        step: 60,
    };
    compare(&stream(7, &shape), |_| Needs::all());
}

#[test]
fn aggregates_follow_changing_needs() {
    // Rules reloaded mid-stream read other windows and distinct counts; events recorded
    // without scoring (`Needs::none`) still update the aggregates.
    let shape = Shape {
        events: 4_000,
        keys: 6,
        late_per_mille: 30,
        step: 1_800,
    };
    let mut partial = Needs::none();
    partial.add("device_cards_1h");
    partial.add("ip_count_24h");
    partial.add("card_customers_30d");
    compare(&stream(11, &shape), |i| match (i / 500) % 3 {
        0 => partial,
        1 => Needs::none(),
        _ => Needs::all(),
    });
}
