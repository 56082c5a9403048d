//! The rule engine: pure, in memory, fed with each audit event as it is committed. It keeps
//! per-actor sliding windows and baselines (no personal data: actor ids, counts, segments'
//! names) and returns the rules that fire. It knows no store and no clock: time is the
//! event's own timestamp, so a recorded week can be replayed through it.

use super::config::{IdsConfig, Rule, WorkTime};
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::ActorKind;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use uuid::Uuid;

const HOUR_MS: i64 = 3_600_000;
const TEN_MIN_MS: i64 = 600_000;
/// How far back the baseline looks: one week of hourly counts.
const BASELINE_HOURS: i64 = 24 * 7;

/// One committed audit event with what the vault knew when it committed it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The event.
    pub record: &'a AuditRecord,
    /// The segment of the customer it concerns, when the vault loaded it.
    pub segment: Option<&'a str>,
}

impl<'a> Seen<'a> {
    /// An event with no customer context.
    pub fn event(record: &'a AuditRecord) -> Self {
        Self {
            record,
            segment: None,
        }
    }
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    /// The rule.
    pub rule: Rule,
    /// Kind of the actor it is about.
    pub actor_kind: ActorKind,
    /// The actor.
    pub actor_id: String,
    /// A customer it concerns (honeytokens).
    pub customer: Option<Uuid>,
    /// Counts and names that explain it (never values).
    pub detail: BTreeMap<String, String>,
    /// Extra de-duplication key (e.g. the local day for off-hours).
    pub dedup_extra: String,
    /// When, ms since epoch (the event's time).
    pub at_ms: i64,
}

impl Firing {
    fn new(rule: Rule, r: &AuditRecord) -> Self {
        Self {
            rule,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id.clone(),
            customer: None,
            detail: BTreeMap::new(),
            dedup_extra: String::new(),
            at_ms: r.ts_ms,
        }
    }

    fn with(mut self, k: &str, v: impl ToString) -> Self {
        self.detail.insert(k.into(), v.to_string());
        self
    }

    /// The key alerts are de-duplicated by.
    pub fn dedup(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.rule.name(),
            self.actor_kind.name(),
            self.actor_id,
            self.dedup_extra
        )
    }
}

#[derive(Default)]
struct Actor {
    reveals: VecDeque<i64>,
    reads: VecDeque<i64>,
    /// Reveals per hour index over the last week (for the baseline).
    hourly: BTreeMap<i64, u32>,
    segment_reads: u32,
    segments: HashSet<String>,
    segment_denials: VecDeque<i64>,
    card_refusals: VecDeque<i64>,
    /// Last firing per rule (a rule fires at most once per window per actor).
    fired: HashMap<Rule, i64>,
}

/// Wrong unseal attempts within 10 minutes from which `unseal_failures` fires.
const UNSEAL_FAILURES: u32 = 3;

/// The engine's state.
pub struct Detector {
    config: IdsConfig,
    work: WorkTime,
    actors: HashMap<(ActorKind, String), Actor>,
    failed_logins: VecDeque<i64>,
    failed_fired: Option<i64>,
    unseal_failures: VecDeque<i64>,
    unseal_fired: Option<i64>,
    off_hours_fired: HashSet<(String, i64)>,
}

fn window(q: &mut VecDeque<i64>, now: i64, len: i64) {
    while q.front().is_some_and(|t| *t <= now - len) {
        q.pop_front();
    }
}

/// Whether `a` touches customer data as a read (the rules' notion of "access").
fn is_access(a: AuditAction) -> bool {
    matches!(
        a,
        AuditAction::CustomerRead
            | AuditAction::CustomerReveal
            | AuditAction::CustomerLookup
            | AuditAction::OrderList
            | AuditAction::TokenResolve
            | AuditAction::CustomerUpdate
            | AuditAction::CustomerErase
    ) || is_export(a)
}

fn is_export(a: AuditAction) -> bool {
    a.as_str().contains("export")
}

impl Detector {
    /// A detector with `config` (checked: see [`IdsConfig::checked`]).
    pub fn new(config: IdsConfig) -> Result<Self, String> {
        let config = config.checked()?;
        Ok(Self {
            work: config.work_time()?,
            config,
            actors: HashMap::new(),
            failed_logins: VecDeque::new(),
            failed_fired: None,
            unseal_failures: VecDeque::new(),
            unseal_fired: None,
            off_hours_fired: HashSet::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &IdsConfig {
        &self.config
    }

    /// Feeds one committed event; returns the rules it made fire. `honeytoken` says whether a
    /// customer id is a decoy.
    pub fn observe(&mut self, seen: Seen<'_>, honeytoken: impl Fn(&Uuid) -> bool) -> Vec<Firing> {
        let r = seen.record;
        let mut out = Vec::new();
        if !self.config.enabled
            || r.actor_kind == ActorKind::System && r.actor_id.starts_with("ids")
        {
            return out;
        }
        let now = r.ts_ms;
        // Honeytokens: any touch by anyone but the operator's own tools.
        if let Some(c) = r.customer_id
            && r.actor_kind != ActorKind::System
            && r.outcome != Outcome::NotFound
            && honeytoken(&c)
        {
            let mut f = Firing::new(Rule::Honeytoken, r).with("action", r.action.as_str());
            f.customer = Some(c);
            f.dedup_extra = c.to_string();
            out.push(f);
        }
        if r.action == AuditAction::StaffLoginFailed {
            window(&mut self.failed_logins, now, TEN_MIN_MS);
            self.failed_logins.push_back(now);
            let n = self.failed_logins.len() as u32;
            if n >= self.config.failed_logins
                && self.failed_fired.is_none_or(|t| now - t >= TEN_MIN_MS)
            {
                self.failed_fired = Some(now);
                let mut f = Firing::new(Rule::FailedLogins, r).with("count", n);
                f.actor_kind = ActorKind::System;
                f.actor_id = "login".into();
                f.detail.insert("window_s".into(), "600".into());
                out.push(f);
            }
            return out;
        }
        // Wrong unseal passphrases or shares (the unseal gate records each as `sys.unseal`,
        // denied, `reason:wrong_material`): from the third within 10 minutes, once per 10
        // minutes. The server's log warns at the same count.
        if r.action == AuditAction::SysUnseal
            && r.outcome == Outcome::Denied
            && r.fields.iter().any(|f| f == "reason:wrong_material")
        {
            window(&mut self.unseal_failures, now, TEN_MIN_MS);
            self.unseal_failures.push_back(now);
            let n = self.unseal_failures.len() as u32;
            if n >= UNSEAL_FAILURES && self.unseal_fired.is_none_or(|t| now - t >= TEN_MIN_MS) {
                self.unseal_fired = Some(now);
                let mut f = Firing::new(Rule::UnsealFailures, r).with("count", n);
                f.actor_kind = ActorKind::System;
                f.actor_id = "unseal".into();
                f.detail.insert("window_s".into(), "600".into());
                out.push(f);
            }
            return out;
        }
        if r.actor_kind == ActorKind::System {
            return out;
        }
        let staff = r.actor_kind == ActorKind::Staff;
        let key = (r.actor_kind, r.actor_id.clone());
        let a = self.actors.entry(key).or_default();
        let ok = r.outcome == Outcome::Ok;
        match r.action {
            AuditAction::CustomerReveal | AuditAction::TokenResolve if ok => {
                window(&mut a.reveals, now, HOUR_MS);
                a.reveals.push_back(now);
                let hour = now.div_euclid(HOUR_MS);
                *a.hourly.entry(hour).or_insert(0) += 1;
                while a
                    .hourly
                    .first_key_value()
                    .is_some_and(|(h, _)| *h <= hour - BASELINE_HOURS)
                {
                    a.hourly.pop_first();
                }
                let n = a.reveals.len() as u32;
                // Baseline: mean reveals per active hour in the last week, this hour excluded.
                let past: Vec<u32> = a
                    .hourly
                    .iter()
                    .filter(|(h, _)| **h != hour)
                    .map(|(_, c)| *c)
                    .collect();
                let baseline = (past.len() as u32 >= self.config.baseline_min_hours)
                    .then(|| past.iter().sum::<u32>() as f64 / past.len() as f64);
                let over_threshold = n > self.config.reveals_per_hour;
                let over_baseline = baseline.is_some_and(|b| {
                    n >= self.config.baseline_min_reveals
                        && f64::from(n) > b * self.config.baseline_multiple
                });
                if (over_threshold || over_baseline) && fire_once(a, Rule::BulkReveal, now, HOUR_MS)
                {
                    let mut f = Firing::new(Rule::BulkReveal, r)
                        .with("count", n)
                        .with("window_s", 3600)
                        .with("threshold", self.config.reveals_per_hour);
                    if let Some(b) = baseline {
                        f = f.with("baseline_per_hour", format!("{b:.1}"));
                    }
                    out.push(f);
                }
            }
            AuditAction::RequestCardNumberRejected => {
                window(&mut a.card_refusals, now, TEN_MIN_MS);
                a.card_refusals.push_back(now);
                let n = a.card_refusals.len() as u32;
                if n >= self.config.card_refusals
                    && fire_once(a, Rule::CardRefusals, now, TEN_MIN_MS)
                {
                    out.push(
                        Firing::new(Rule::CardRefusals, r)
                            .with("count", n)
                            .with("window_s", 600),
                    );
                }
            }
            _ => {}
        }
        if ok && self.config.reads_per_hour > 0 && is_access(r.action) {
            window(&mut a.reads, now, HOUR_MS);
            a.reads.push_back(now);
            let n = a.reads.len() as u32;
            if n > self.config.reads_per_hour && fire_once(a, Rule::BulkRead, now, HOUR_MS) {
                out.push(
                    Firing::new(Rule::BulkRead, r)
                        .with("count", n)
                        .with("window_s", 3600),
                );
            }
        }
        if ok && is_export(r.action) {
            out.push(Firing::new(Rule::Export, r).with("action", r.action.as_str()));
        }
        if staff {
            // A refused read of another segment's customer (the vault audits it `denied` with
            // field `segment`).
            if r.outcome == Outcome::Denied && r.fields.iter().any(|f| f == "segment") {
                window(&mut a.segment_denials, now, HOUR_MS);
                a.segment_denials.push_back(now);
                let n = a.segment_denials.len() as u32;
                if n >= self.config.segment_denials
                    && fire_once(a, Rule::OutsideSegment, now, HOUR_MS)
                {
                    out.push(
                        Firing::new(Rule::OutsideSegment, r)
                            .with("denied", n)
                            .with("window_s", 3600),
                    );
                }
            }
            if ok && is_access(r.action) {
                if let Some(seg) = seen.segment {
                    let learned = a.segment_reads >= self.config.segment_learning_reads;
                    if learned && !a.segments.contains(seg) {
                        if fire_once(a, Rule::OutsideSegment, now, HOUR_MS) {
                            out.push(
                                Firing::new(Rule::OutsideSegment, r)
                                    .with("segment", seg)
                                    .with("usual_segments", a.segments.len()),
                            );
                        }
                    } else if !learned {
                        a.segments.insert(seg.to_string());
                    }
                    a.segment_reads = a.segment_reads.saturating_add(1);
                }
                if !self.work.contains(now) {
                    let day = self.work.local_day(now);
                    if self.off_hours_fired.insert((r.actor_id.clone(), day)) {
                        let mut f = Firing::new(Rule::OffHours, r)
                            .with("action", r.action.as_str())
                            .with("working_hours", &self.config.working_hours);
                        f.dedup_extra = day.to_string();
                        out.push(f);
                    }
                    if self.off_hours_fired.len() > 10_000 {
                        self.off_hours_fired.retain(|(_, d)| *d >= day - 1);
                    }
                }
            }
        }
        out
    }

    /// A firing that does not come from an event (address rules, verification).
    pub fn external(
        rule: Rule,
        actor_kind: ActorKind,
        actor_id: &str,
        detail: &[(&str, String)],
    ) -> Firing {
        Firing {
            rule,
            actor_kind,
            actor_id: actor_id.to_string(),
            customer: None,
            detail: detail
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            dedup_extra: String::new(),
            at_ms: crate::now_ms(),
        }
    }
}

fn fire_once(a: &mut Actor, rule: Rule, now: i64, every: i64) -> bool {
    match a.fired.get(&rule) {
        Some(t) if now - t < every => false,
        _ => {
            a.fired.insert(rule, now);
            true
        }
    }
}
