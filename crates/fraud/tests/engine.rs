//! The engine through its public surface: features as of each event's time, Radar order,
//! lists, run-time rule failures, reload.

use jaga_fraud::{Decision, Engine, Entity, Event, ListKind, RandomKeyer, RuleSet, parse_event};
use std::sync::Arc;

fn ev(id: &str, ts: &str, extra: &str) -> Event {
    parse_event(&format!(
        r#"{{"id":"{id}","ts":"{ts}","type":"payment"{extra}}}"#
    ))
    .unwrap()
}

fn rules(text: &str) -> Arc<RuleSet> {
    Arc::new(RuleSet::from_sources([("t.toml".to_string(), text.to_string())]).unwrap())
}

fn engine(set: Arc<RuleSet>) -> Engine {
    Engine::new(set, Arc::new(RandomKeyer::new()), jaga_i18n::Lang::En)
}

const COUNT_RULE: &str = r#"
[[rule]]
id = "busy_ip"
action = "review"
when = "ip_count_10m >= 3"
reason = { id = "IP sibuk", en = "Busy IP" }
"#;

#[test]
fn windows_are_as_of_each_events_own_time() {
    let mut e = engine(rules(COUNT_RULE));
    let ip = r#","ip":"10.0.0.1""#;
    // Two events 10:00 and 10:05, then one at 10:20: the first two are outside its 10 minutes.
    assert_eq!(
        e.score(&ev("a", "2026-05-01T10:00:00Z", ip)).decision,
        Decision::Allow
    );
    assert_eq!(
        e.score(&ev("b", "2026-05-01T10:05:00Z", ip)).decision,
        Decision::Allow
    );
    assert_eq!(
        e.score(&ev("c", "2026-05-01T10:20:00Z", ip)).decision,
        Decision::Allow
    );
    // A late event at 10:06 sees a and b (and itself), not c which is later.
    let late = e.score(&ev("d", "2026-05-01T10:06:00Z", ip));
    assert_eq!(late.decision, Decision::Review);
    assert_eq!(late.reasons[0].rule, "busy_ip");
    assert_eq!(late.reasons[0].text, "Busy IP");
    // Another IP is untouched.
    let other = e.score(&ev("e", "2026-05-01T10:06:30Z", r#","ip":"10.0.0.2""#));
    assert_eq!(other.decision, Decision::Allow);
}

#[test]
fn replay_order_does_not_change_features() {
    let evs: Vec<Event> = (0..30)
        .map(|i| {
            ev(
                &format!("x{i}"),
                &format!("2026-05-01T10:{:02}:00Z", (i * 7) % 60),
                &format!(r#","ip":"10.0.0.{}","device_id":"d{}""#, i % 3, i % 4),
            )
        })
        .collect();
    let mut sorted = evs.clone();
    sorted.sort_by_key(|e| e.ts);
    let score_all = |list: &[Event]| {
        let mut e = engine(rules(COUNT_RULE));
        let mut out: Vec<(String, Decision)> = list
            .iter()
            .map(|x| (x.id.clone(), e.score(x).decision))
            .collect();
        out.sort();
        out
    };
    // Scoring in time order is the reference; a file in another order is sorted by the CLI,
    // and the engine itself still counts only earlier events for each one.
    let reference = score_all(&sorted);
    assert!(reference.iter().any(|(_, d)| *d == Decision::Review));
    assert_eq!(reference, score_all(&sorted));
}

#[test]
fn radar_order_allow_list_then_block_then_review() {
    let set = rules(
        r#"
[[rule]]
id = "big"
action = "block"
when = "amount > 1000"
reason = { id = "Besar", en = "Big" }

[[rule]]
id = "medium"
action = "review"
when = "amount > 500"
reason = { id = "Sedang", en = "Medium" }

[[rule]]
id = "trusted_country"
action = "allow"
when = "ip_country == 'SG' && amount < 2000"
reason = { id = "Dipercaya", en = "Trusted" }
"#,
    );
    let mut e = engine(set);
    let big = e.score(&ev("1", "2026-05-01T10:00:00Z", r#","amount":1500"#));
    assert_eq!((big.decision, big.score), (Decision::Block, 100));
    assert_eq!(
        big.reasons
            .iter()
            .map(|r| r.rule.as_str())
            .collect::<Vec<_>>(),
        ["big", "medium"]
    );
    let medium = e.score(&ev("2", "2026-05-01T10:00:01Z", r#","amount":700"#));
    assert_eq!((medium.decision, medium.score), (Decision::Review, 60));
    let allowed = e.score(&ev(
        "3",
        "2026-05-01T10:00:02Z",
        r#","amount":1500,"ip_country":"SG""#,
    ));
    assert_eq!((allowed.decision, allowed.score), (Decision::Allow, 0));
    assert_eq!(allowed.reasons[0].rule, "trusted_country");

    // Allow list beats a block rule; a block list blocks what the rules allow.
    let keyer = Arc::clone(e.keyer());
    e.lists_mut().insert(
        ListKind::Allow,
        Entity::Email,
        "VIP@Example.com",
        keyer.as_ref(),
    );
    e.lists_mut()
        .insert(ListKind::Block, Entity::Device, "bad-phone", keyer.as_ref());
    let vip = e.score(&ev(
        "4",
        "2026-05-01T10:00:03Z",
        r#","amount":5000,"email":"vip@example.com ""#,
    ));
    assert_eq!(vip.decision, Decision::Allow);
    assert_eq!(vip.reasons[0].rule, "allow_list");
    let blocked = e.score(&ev(
        "5",
        "2026-05-01T10:00:04Z",
        r#","amount":10,"device_id":"bad-phone""#,
    ));
    assert_eq!((blocked.decision, blocked.score), (Decision::Block, 90));
    assert_eq!(blocked.reasons[0].rule, "block_list");
    let other = e.score(&ev(
        "6",
        "2026-05-01T10:00:05Z",
        r#","amount":10,"device_id":"good-phone""#,
    ));
    assert_eq!(other.decision, Decision::Allow);
}

#[test]
fn scores_add_up_to_thresholds() {
    let set = rules(
        r#"
[scoring]
review_at = 40
block_at = 70

[[rule]]
id = "a"
action = "score"
score = 30
when = "amount > 10"
reason = { id = "a", en = "a" }

[[rule]]
id = "b"
action = "score"
score = 30
when = "amount > 20"
reason = { id = "b", en = "b" }

[[rule]]
id = "c"
action = "score"
score = 30
when = "amount > 30"
reason = { id = "c", en = "c" }
"#,
    );
    let mut e = engine(set);
    let d = |e: &mut Engine, id: &str, amount: i64| {
        let o = e.score(&ev(
            id,
            "2026-05-01T10:00:00Z",
            &format!(r#","amount":{amount}"#),
        ));
        (o.decision, o.score)
    };
    assert_eq!(d(&mut e, "1", 15), (Decision::Allow, 30));
    assert_eq!(d(&mut e, "2", 25), (Decision::Review, 60));
    assert_eq!(d(&mut e, "3", 35), (Decision::Block, 90));
}

#[test]
fn a_rule_failing_at_run_time_is_reported_and_skipped() {
    let set = rules(
        r#"
[[rule]]
id = "ratio"
action = "block"
when = "amount / (ip_count_10m - 1) > 5"
reason = { id = "rasio", en = "ratio" }

[[rule]]
id = "busy"
action = "review"
when = "amount > 100"
reason = { id = "sibuk", en = "busy" }
"#,
    );
    let mut e = engine(set);
    // First event: ip_count_10m is 1, the division fails; the other rule still runs.
    let o = e.score(&ev(
        "1",
        "2026-05-01T10:00:00Z",
        r#","amount":500,"ip":"1.2.3.4""#,
    ));
    assert_eq!(o.decision, Decision::Review);
    assert_eq!(o.failures.len(), 1);
    assert_eq!(o.failures[0].rule, "ratio");
    assert!(
        o.failures[0].message.to_lowercase().contains("division"),
        "{:?}",
        o.failures
    );
    // Second event: the division works and the block rule matches.
    let o = e.score(&ev(
        "2",
        "2026-05-01T10:00:01Z",
        r#","amount":500,"ip":"1.2.3.4""#,
    ));
    assert_eq!(o.decision, Decision::Block);
    assert!(o.failures.is_empty());
}

#[test]
fn rules_reload_keeps_state() {
    let mut e = engine(rules(COUNT_RULE));
    let ip = r#","ip":"10.9.9.9""#;
    e.score(&ev("a", "2026-05-01T10:00:00Z", ip));
    e.score(&ev("b", "2026-05-01T10:00:10Z", ip));
    e.set_rules(rules(&COUNT_RULE.replace(">= 3", ">= 4")));
    assert_eq!(
        e.score(&ev("c", "2026-05-01T10:00:20Z", ip)).decision,
        Decision::Allow
    );
    assert_eq!(
        e.score(&ev("d", "2026-05-01T10:00:30Z", ip)).decision,
        Decision::Review
    );
}

#[test]
fn customer_history_features() {
    let set = rules(
        r#"
[[rule]]
id = "ato"
action = "review"
when = "new_device_for_customer && new_address_for_customer"
reason = { id = "ato", en = "ato" }

[[rule]]
id = "first"
action = "score"
score = 1
when = "is_first_order"
reason = { id = "pertama", en = "first" }
"#,
    );
    let mut e = engine(set);
    let base = r#","customer_ref":"c1","device_id":"phone-1","shipping":{"address_hash":"home"},"amount":100,"payment":{"status":"captured"}"#;
    let first = e.score(&ev("1", "2026-05-01T10:00:00Z", base));
    assert_eq!(first.reasons[0].rule, "first");
    let second = e.score(&ev("2", "2026-05-02T10:00:00Z", base));
    assert!(second.reasons.is_empty(), "{second:?}");
    // New phone only: not enough.
    let phone = base.replace("phone-1", "phone-2");
    assert_eq!(
        e.score(&ev("3", "2026-05-03T10:00:00Z", &phone)).decision,
        Decision::Allow
    );
    // New phone and a new address the same day: review.
    let both = phone.replace("home", "elsewhere");
    assert_eq!(
        e.score(&ev("4", "2026-05-03T11:00:00Z", &both)).decision,
        Decision::Review
    );
    // Two days later, that phone and address are no longer new.
    assert_eq!(
        e.score(&ev("5", "2026-05-05T11:00:00Z", &both)).decision,
        Decision::Allow
    );
}

#[test]
fn a_rules_velocity_windows_are_named() {
    let set = RuleSet::defaults();
    let w = set.velocity_windows("card_testing_ip");
    assert_eq!(w, vec![(Entity::Ip, 600)], "{w:?}");
    assert!(set.velocity_windows("no_such_rule").is_empty());
    assert_eq!(
        jaga_fraud::names::velocity_of("address_cards_30d"),
        Some((Entity::Address, "cards", 2_592_000))
    );
    assert_eq!(jaga_fraud::names::velocity_of("amount"), None);
}

/// `customer_refunds_*` counts refund events as of each event's time, and the shipped
/// `refund_abuse` rule flags a customer whose refunds are a large share of their events, not a
/// busy customer with an occasional return.
#[test]
fn refunds_are_counted_and_refund_abuse_is_relative_to_the_customer() {
    let mut e = engine(Arc::new(RuleSet::defaults()));
    let day = |d: u32, h: u32| format!("2026-05-{:02}T{:02}:00:00Z", d, h);
    let cycle = |e: &mut Engine, who: &str, d: u32, n: u32| {
        let c = format!(r#","customer_ref":"{who}","amount":15000000,"currency":"IDR""#);
        let pay = ev(&format!("{who}-p{n}"), &day(d, 10), &c);
        let paid = e.score(&pay);
        let refund = parse_event(&format!(
            r#"{{"id":"{who}-r{n}","ts":"{}","type":"refund"{c}}}"#,
            day(d, 20)
        ))
        .unwrap();
        (paid, e.score(&refund))
    };
    // The abuser: buy, refund, three times in a week.
    let (_, r1) = cycle(&mut e, "abuser", 1, 1);
    assert!(
        !r1.reasons.iter().any(|r| r.rule == "refund_abuse"),
        "first refund"
    );
    let (_, r2) = cycle(&mut e, "abuser", 3, 2);
    assert!(
        r2.reasons.iter().any(|r| r.rule == "refund_abuse"),
        "{r2:?}"
    );
    let (p3, _) = cycle(&mut e, "abuser", 5, 3);
    assert!(
        p3.reasons.iter().any(|r| r.rule == "refund_abuse"),
        "{p3:?}"
    );
    // A busy customer: twenty purchases and two returns in the same week.
    for n in 0..20 {
        let c = r#","customer_ref":"busy","amount":15000000,"currency":"IDR""#;
        e.score(&ev(&format!("busy-p{n}"), &day(1 + n / 4, 8 + n % 4), c));
    }
    for (n, d) in [(1, 3), (2, 5)] {
        let (p, r) = cycle(&mut e, "busy", d, 100 + n);
        for o in [p, r] {
            assert!(!o.reasons.iter().any(|r| r.rule == "refund_abuse"), "{o:?}");
        }
    }
}
