//! The rules on scripted traffic: each fires on its attack and stays silent on a normal week of
//! a five-person CS team plus the shop's backend key.

use super::config::{IdsConfig, Rule};
use super::detect::{Detector, Firing, Seen};
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::ActorKind;
use std::collections::HashSet;
use uuid::Uuid;

const H: i64 = 3_600_000;
const MIN: i64 = 60_000;
/// Monday 2026-11-30 00:00 WIB (UTC+7) = 2026-11-29T17:00:00Z.
const MONDAY_WIB: i64 = 1_795_971_600_000;

fn ev(kind: ActorKind, actor: &str, action: AuditAction, ts: i64) -> AuditRecord {
    AuditRecord {
        ts_ms: ts,
        actor_kind: kind,
        actor_id: actor.into(),
        action,
        customer_id: Some(Uuid::new_v4()),
        fields: vec![],
        purpose: None,
        outcome: Outcome::Ok,
        request_id: None,
    }
}

struct Run {
    d: Detector,
    honey: HashSet<Uuid>,
    fired: Vec<Firing>,
    fed: usize,
}

impl Run {
    fn new() -> Self {
        Self {
            d: Detector::new(IdsConfig::default()).unwrap(),
            honey: HashSet::new(),
            fired: vec![],
            fed: 0,
        }
    }
    fn feed(&mut self, r: &AuditRecord, segment: Option<&str>) {
        self.fed += 1;
        let h = &self.honey;
        let out = self
            .d
            .observe(Seen { record: r, segment }, |c| h.contains(c));
        self.fired.extend(out);
    }
    fn rules(&self) -> Vec<Rule> {
        self.fired.iter().map(|f| f.rule).collect()
    }
}

/// A deterministic "random" number in `0..n` from a seed.
fn pick(seed: u64, n: u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x ^ (x >> 29)) % n
}

/// A normal week: five CS members (two segments), Monday to Saturday, 08:00–17:00 WIB; each
/// reads 30–60 customers a day, looks some up, reveals 2–8 a day (at most 4 in an hour) for
/// tickets, lists orders, mistypes a password now and then, once pastes a card number; the shop
/// backend's key reads and creates customers around the clock.
fn normal_week(run: &mut Run) {
    let team = [
        ("cs-ana", "default"),
        ("cs-budi", "default"),
        ("cs-citra", "default"),
        ("cs-dewi", "b2b"),
        ("cs-eko", "b2b"),
    ];
    let mut seed = 1u64;
    for day in 0..7 {
        let base = MONDAY_WIB + day * 24 * H;
        // The backend key: a read every 10 minutes, day and night, every day.
        for m in (0..24 * 60).step_by(10) {
            let r = ev(
                ActorKind::ApiKey,
                "backend",
                AuditAction::CustomerRead,
                base + m * MIN,
            );
            run.feed(&r, Some("default"));
        }
        if day == 6 {
            continue; // Sunday: the team is off
        }
        for (who, seg) in team {
            seed += 1;
            let reads = 30 + pick(seed, 30);
            for i in 0..reads {
                seed += 1;
                let t =
                    base + 8 * H + (i as i64) * 9 * H / reads as i64 + pick(seed, 5) as i64 * MIN;
                let action = if i % 4 == 0 {
                    AuditAction::CustomerLookup
                } else if i % 7 == 0 {
                    AuditAction::OrderList
                } else {
                    AuditAction::CustomerRead
                };
                run.feed(&ev(ActorKind::Staff, who, action, t), Some(seg));
            }
            seed += 1;
            let reveals = 2 + pick(seed, 7);
            for i in 0..reveals {
                // Spread over the day: at most a few in any hour.
                let t = base + 8 * H + (i as i64) * (8 * H / reveals as i64) + 7 * MIN;
                run.feed(
                    &ev(ActorKind::Staff, who, AuditAction::CustomerReveal, t),
                    Some(seg),
                );
            }
            seed += 1;
            if pick(seed, 3) == 0 {
                let mut f = ev(
                    ActorKind::Staff,
                    who,
                    AuditAction::StaffLoginFailed,
                    base + 8 * H,
                );
                f.customer_id = None;
                f.outcome = Outcome::Denied;
                run.feed(&f, None);
            }
        }
        // One pasted card number in the week.
        if day == 2 {
            let mut c = ev(
                ActorKind::Staff,
                "cs-ana",
                AuditAction::RequestCardNumberRejected,
                base + 11 * H,
            );
            c.customer_id = None;
            c.outcome = Outcome::Rejected;
            run.feed(&c, None);
        }
    }
}

#[test]
fn a_normal_week_of_a_five_person_cs_team_raises_nothing() {
    let mut run = Run::new();
    normal_week(&mut run);
    assert!(run.fed > 2_500, "a busy week: {} events", run.fed);
    assert!(run.fired.is_empty(), "false alarms: {:?}", run.fired);
}

#[test]
fn a_bulk_reveal_by_an_api_key_fires_once_with_suspension() {
    let mut run = Run::new();
    let t = MONDAY_WIB + 10 * H;
    for i in 0..20 {
        run.feed(
            &ev(
                ActorKind::ApiKey,
                "k1",
                AuditAction::CustomerReveal,
                t + i * MIN,
            ),
            None,
        );
    }
    assert!(
        run.fired.is_empty(),
        "20 reveals in an hour is the limit, not over it"
    );
    for i in 20..40 {
        run.feed(
            &ev(
                ActorKind::ApiKey,
                "k1",
                AuditAction::CustomerReveal,
                t + i * MIN,
            ),
            None,
        );
    }
    assert_eq!(
        run.rules(),
        vec![Rule::BulkReveal],
        "fires once per hour, not per reveal"
    );
    assert_eq!(run.fired[0].detail["count"], "21");
    let c = IdsConfig::default();
    assert_eq!(
        c.containment_for(Rule::BulkReveal, false),
        super::config::Containment::Suspend
    );
    // Another key is not affected.
    run.feed(
        &ev(ActorKind::ApiKey, "k2", AuditAction::CustomerReveal, t),
        None,
    );
    assert_eq!(run.fired.len(), 1);
}

#[test]
fn five_times_the_usual_fires_below_the_absolute_threshold() {
    let mut run = Run::new();
    // Ten working hours with 2 reveals each: a baseline of 2 an hour.
    for h in 0..10 {
        for i in 0..2 {
            let t = MONDAY_WIB + 8 * H + h * H + i * 10 * MIN;
            run.feed(
                &ev(ActorKind::Staff, "cs-ana", AuditAction::CustomerReveal, t),
                None,
            );
        }
    }
    assert!(run.fired.is_empty());
    let t = MONDAY_WIB + 24 * H + 9 * H;
    for i in 0..11 {
        run.feed(
            &ev(
                ActorKind::Staff,
                "cs-ana",
                AuditAction::CustomerReveal,
                t + i * MIN,
            ),
            None,
        );
    }
    assert_eq!(run.rules(), vec![Rule::BulkReveal]);
    assert_eq!(run.fired[0].detail["baseline_per_hour"], "2.0");
}

#[test]
fn off_hours_access_by_staff_fires_once_a_day() {
    let mut run = Run::new();
    let night = MONDAY_WIB + 23 * H;
    run.feed(
        &ev(ActorKind::Staff, "cs-ana", AuditAction::CustomerRead, night),
        Some("default"),
    );
    run.feed(
        &ev(
            ActorKind::Staff,
            "cs-ana",
            AuditAction::CustomerReveal,
            night + MIN,
        ),
        None,
    );
    assert_eq!(run.rules(), vec![Rule::OffHours]);
    // Sunday afternoon is off too; API keys are never off-hours.
    let sunday = MONDAY_WIB + 6 * 24 * H + 14 * H;
    run.feed(
        &ev(
            ActorKind::Staff,
            "cs-ana",
            AuditAction::CustomerRead,
            sunday,
        ),
        None,
    );
    run.feed(
        &ev(
            ActorKind::ApiKey,
            "backend",
            AuditAction::CustomerRead,
            night,
        ),
        None,
    );
    assert_eq!(run.rules(), vec![Rule::OffHours, Rule::OffHours]);
}

#[test]
fn a_honeytoken_touch_fires_for_any_actor_but_not_for_a_miss() {
    let mut run = Run::new();
    let decoy = Uuid::new_v4();
    run.honey.insert(decoy);
    let mut r = ev(
        ActorKind::ApiKey,
        "k1",
        AuditAction::CustomerLookup,
        MONDAY_WIB + 10 * H,
    );
    r.customer_id = Some(decoy);
    run.feed(&r, Some("default"));
    assert_eq!(run.rules(), vec![Rule::Honeytoken]);
    assert_eq!(run.fired[0].customer, Some(decoy));
    // Unknown id: nothing; the operator's own tools (system): nothing.
    let mut miss = r.clone();
    miss.outcome = Outcome::NotFound;
    run.feed(&miss, None);
    let mut sys = r.clone();
    sys.actor_kind = ActorKind::System;
    run.feed(&sys, None);
    assert_eq!(run.fired.len(), 1);
}

#[test]
fn reading_outside_the_usual_segment_fires() {
    let mut run = Run::new();
    let t = MONDAY_WIB + 9 * H;
    for i in 0..50 {
        run.feed(
            &ev(
                ActorKind::Staff,
                "cs-dewi",
                AuditAction::CustomerRead,
                t + i * MIN,
            ),
            Some("b2b"),
        );
    }
    assert!(run.fired.is_empty(), "still learning");
    run.feed(
        &ev(
            ActorKind::Staff,
            "cs-dewi",
            AuditAction::CustomerRead,
            t + 51 * MIN,
        ),
        Some("b2b"),
    );
    assert!(run.fired.is_empty(), "the usual segment");
    run.feed(
        &ev(
            ActorKind::Staff,
            "cs-dewi",
            AuditAction::CustomerRead,
            t + 52 * MIN,
        ),
        Some("vip"),
    );
    assert_eq!(run.rules(), vec![Rule::OutsideSegment]);
    // Refused reads of another segment by a restricted member.
    let mut run = Run::new();
    for i in 0..3 {
        let mut d = ev(
            ActorKind::Staff,
            "cs-eko",
            AuditAction::CustomerRead,
            t + i * MIN,
        );
        d.outcome = Outcome::Denied;
        d.fields = vec!["segment".into()];
        run.feed(&d, None);
    }
    assert_eq!(run.rules(), vec![Rule::OutsideSegment]);
}

#[test]
fn bursts_of_failed_logins_and_card_numbers_fire() {
    let mut run = Run::new();
    let t = MONDAY_WIB + 10 * H;
    for i in 0..12 {
        let mut f = ev(
            ActorKind::Staff,
            "unknown",
            AuditAction::StaffLoginFailed,
            t + i * 20_000,
        );
        f.outcome = Outcome::Denied;
        f.customer_id = None;
        run.feed(&f, None);
    }
    assert_eq!(run.rules(), vec![Rule::FailedLogins], "once per 10 minutes");
    let mut run = Run::new();
    for i in 0..5 {
        let mut c = ev(
            ActorKind::ApiKey,
            "k9",
            AuditAction::RequestCardNumberRejected,
            t + i * MIN,
        );
        c.outcome = Outcome::Rejected;
        c.customer_id = None;
        run.feed(&c, None);
    }
    assert_eq!(run.rules(), vec![Rule::CardRefusals]);
}

/// Issue 18: many wrong unseal passphrases in a row were a log line only. From the third
/// within 10 minutes they are an alert (once per 10 minutes); an accepted share or a
/// throttled attempt does not count.
#[test]
fn wrong_unseal_attempts_in_a_row_fire() {
    let mut run = Run::new();
    let t = MONDAY_WIB + 10 * H;
    let unseal = |i: i64, reason: &str, outcome: Outcome| {
        let mut u = ev(
            ActorKind::System,
            "unseal-endpoint",
            AuditAction::SysUnseal,
            t + i * 20_000,
        );
        u.outcome = outcome;
        u.customer_id = None;
        u.fields = vec!["material:passphrase".into(), format!("reason:{reason}")];
        u
    };
    run.feed(&unseal(0, "wrong_material", Outcome::Denied), None);
    run.feed(&unseal(1, "share_accepted", Outcome::Ok), None);
    run.feed(&unseal(2, "throttled_unseal", Outcome::Denied), None);
    run.feed(&unseal(3, "wrong_material", Outcome::Denied), None);
    assert!(run.rules().is_empty());
    for i in 4..10 {
        run.feed(&unseal(i, "wrong_material", Outcome::Denied), None);
    }
    assert_eq!(
        run.rules(),
        vec![Rule::UnsealFailures],
        "once per 10 minutes"
    );
}

#[test]
fn thresholds_are_configurable_and_detection_can_be_off() {
    let c = IdsConfig {
        reveals_per_hour: 3,
        ..Default::default()
    };
    let mut run = Run::new();
    run.d = Detector::new(c).unwrap();
    for i in 0..4 {
        run.feed(
            &ev(
                ActorKind::ApiKey,
                "k1",
                AuditAction::CustomerReveal,
                MONDAY_WIB + 10 * H + i * MIN,
            ),
            None,
        );
    }
    assert_eq!(run.rules(), vec![Rule::BulkReveal]);
    let mut run = Run::new();
    run.d = Detector::new(IdsConfig {
        enabled: false,
        ..Default::default()
    })
    .unwrap();
    for i in 0..40 {
        run.feed(
            &ev(
                ActorKind::ApiKey,
                "k1",
                AuditAction::CustomerReveal,
                MONDAY_WIB + 10 * H + i * MIN,
            ),
            None,
        );
    }
    assert!(run.fired.is_empty());
}
