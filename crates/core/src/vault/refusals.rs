//! The refusal budget: refused requests (permission denials, card-number refusals, failed and
//! locked-out logins, …) cannot grow the append-only audit log without limit.
//!
//! The rule, per fixed window of [`WINDOW_MS`]:
//!
//! - each actor (kind and id) may have [`PER_ACTOR`] refusals of one action written as
//!   individual events; further ones are only counted;
//! - at most [`GLOBAL`] refusal events are written individually across all actors; further
//!   ones are only counted, per action;
//! - when the window has passed, every count becomes **one** summary event,
//!   `audit.refusals_aggregated`, with the actor (or the system actor `audit-budget` for the
//!   global overflow) and the fields `action:<action>`, `outcome:<outcome>`, `count:<n>` and
//!   `window_s:<seconds>` — counts, never values.
//!
//! So a flood adds at most `GLOBAL + GLOBAL / PER_ACTOR + (number of actions)` events per window,
//! whatever its rate. Every refusal is still refused and counted; only the number of events
//! written is bounded. Events that record something done (outcome `ok`) are never budgeted.
//! Unauthenticated API requests (a missing or wrong key) are not audited at all; they are
//! counted in the `auth_failures` metric.

use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::{ActorKind, Caller};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Length of one budget window.
pub const WINDOW_MS: i64 = 60_000;
/// Individual refusal events per actor and action in one window.
pub const PER_ACTOR: u32 = 10;
/// Individual refusal events in one window, all actors together.
pub const GLOBAL: u32 = 100;
/// Actors tracked in one window (bounds memory); refusals of further actors count against
/// [`GLOBAL`] only.
const MAX_TRACKED: usize = 4_096;

type ActorKey = (ActorKind, String, &'static str);

#[derive(Default)]
struct Window {
    start_ms: i64,
    written: u32,
    /// Per actor and action: `(written, suppressed, outcome)`.
    actors: HashMap<ActorKey, (u32, u64, Outcome)>,
    /// Suppressed by the global cap, per action and outcome.
    overflow: BTreeMap<(&'static str, &'static str), (u64, Outcome)>,
}

/// What to do with one refusal.
#[derive(Debug)]
pub(crate) struct Admission {
    /// Write the refusal itself.
    pub write: bool,
    /// Summaries of the previous window(s), to write first.
    pub summaries: Vec<AuditRecord>,
}

/// The in-memory budget of one vault (see the module documentation).
#[derive(Default)]
pub struct RefusalBudget {
    window: Mutex<Window>,
    /// Summaries handed out whose append failed: handed out again with the next ones, so a
    /// database hiccup does not lose the counts.
    unsent: Mutex<Vec<AuditRecord>>,
}

/// Whether a record is a refusal (and so subject to the budget).
pub(crate) fn is_refusal(r: &AuditRecord) -> bool {
    matches!(r.outcome, Outcome::Denied | Outcome::Rejected)
}

impl RefusalBudget {
    /// Counts one refusal at `now_ms` and says whether to write it; closes the window first
    /// if it has passed.
    pub(crate) fn admit(&self, r: &AuditRecord, now_ms: i64) -> Admission {
        let mut w = self.window.lock().expect("refusal budget lock");
        let summaries = if now_ms >= w.start_ms + WINDOW_MS || now_ms < w.start_ms {
            close(&mut w, now_ms)
        } else {
            Vec::new()
        };
        let key = (r.actor_kind, r.actor_id.clone(), r.action.as_str());
        let global_left = w.written < GLOBAL;
        let tracked = w.actors.len() < MAX_TRACKED || w.actors.contains_key(&key);
        let (write, overflow) = if tracked {
            let e = w.actors.entry(key).or_insert((0, 0, r.outcome));
            if e.0 >= PER_ACTOR {
                e.1 += 1;
                (false, false)
            } else if global_left {
                e.0 += 1;
                (true, false)
            } else {
                (false, true)
            }
        } else {
            (global_left, !global_left)
        };
        if write {
            w.written += 1;
        }
        if overflow {
            w.overflow
                .entry((r.action.as_str(), r.outcome.name()))
                .or_insert((0, r.outcome))
                .0 += 1;
        }
        drop(w);
        Admission {
            write,
            summaries: self.with_unsent(summaries),
        }
    }

    /// Keeps summaries whose append failed, to be handed out again by the next
    /// [`RefusalBudget::admit`] or [`RefusalBudget::take`] that returns any.
    pub(crate) fn requeue(&self, summaries: Vec<AuditRecord>) {
        self.unsent
            .lock()
            .expect("refusal budget lock")
            .extend(summaries);
    }

    /// `fresh` preceded by any summaries kept by [`RefusalBudget::requeue`].
    fn with_unsent(&self, fresh: Vec<AuditRecord>) -> Vec<AuditRecord> {
        let mut unsent = self.unsent.lock().expect("refusal budget lock");
        if unsent.is_empty() {
            return fresh;
        }
        let mut all = std::mem::take(&mut *unsent);
        all.extend(fresh);
        all
    }

    /// The summaries of a window that has passed by `now_ms` (all counts when `force`, e.g.
    /// at shutdown), resetting it.
    pub(crate) fn take(&self, now_ms: i64, force: bool) -> Vec<AuditRecord> {
        let mut w = self.window.lock().expect("refusal budget lock");
        let fresh = if force || now_ms >= w.start_ms + WINDOW_MS || now_ms < w.start_ms {
            close(&mut w, now_ms)
        } else {
            Vec::new()
        };
        drop(w);
        self.with_unsent(fresh)
    }
}

/// The action of a summary event.
pub const AGGREGATED: &str = AuditAction::AuditRefusalsAggregated.as_str();

/// For an `audit.refusals_aggregated` event: the refused action it counts and how many were
/// counted (so reports can add them to the individual events).
pub fn aggregated_count(e: &jaga_audit::event::AuditEvent) -> Option<(&str, u64)> {
    if e.action != AGGREGATED {
        return None;
    }
    let field = |p: &str| e.fields.iter().find_map(|f| f.strip_prefix(p));
    Some((field("action:")?, field("count:")?.parse().ok()?))
}

/// Turns the counts of `w` into summary records and starts a new window at `now_ms`.
fn close(w: &mut Window, now_ms: i64) -> Vec<AuditRecord> {
    let old = std::mem::take(w);
    w.start_ms = now_ms;
    let summary = |kind: ActorKind, id: String, action: &str, outcome: Outcome, n: u64| {
        let c = Caller::named(kind, &id);
        AuditRecord::new(&c, AuditAction::AuditRefusalsAggregated)
            .outcome(outcome)
            .fields([
                format!("action:{action}"),
                format!("outcome:{}", outcome.name()),
                format!("count:{n}"),
                format!("window_s:{}", WINDOW_MS / 1000),
            ])
    };
    let mut over: Vec<_> = old
        .actors
        .into_iter()
        .filter(|(_, (_, n, _))| *n > 0)
        .collect();
    over.sort_by(|a, b| (&a.0.1, a.0.2).cmp(&(&b.0.1, b.0.2)));
    let mut out: Vec<AuditRecord> = over
        .into_iter()
        .map(|((kind, id, action), (_, n, outcome))| summary(kind, id, action, outcome, n))
        .collect();
    out.extend(old.overflow.into_iter().map(|((action, _), (n, outcome))| {
        summary(ActorKind::System, "audit-budget".into(), action, outcome, n)
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_whose_append_failed_are_handed_out_again() {
        let b = RefusalBudget::default();
        for _ in 0..(PER_ACTOR + 3) {
            b.admit(&refusal("k", AuditAction::RequestCardNumberRejected), 0);
        }
        let first = b.take(0, true);
        assert_eq!(first.len(), 1);
        b.requeue(first);
        let again = b.take(1, false);
        assert_eq!(again.len(), 1, "the failed summary comes back");
        assert_eq!(count(&again[0]), 3);
        assert!(b.take(2, false).is_empty(), "and only once");
    }

    fn refusal(actor: &str, action: AuditAction) -> AuditRecord {
        let c = Caller::named(ActorKind::ApiKey, actor);
        AuditRecord::new(&c, action).outcome(Outcome::Rejected)
    }

    fn count(r: &AuditRecord) -> u64 {
        r.fields
            .iter()
            .find_map(|f| f.strip_prefix("count:"))
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn one_actor_gets_its_budget_then_one_summary() {
        let b = RefusalBudget::default();
        let t0 = 1_000_000;
        let written = (0..1_000)
            .filter(|i| {
                b.admit(
                    &refusal("k1", AuditAction::RequestCardNumberRejected),
                    t0 + i,
                )
                .write
            })
            .count();
        assert_eq!(written, PER_ACTOR as usize);
        assert!(b.take(t0 + 5_000, false).is_empty(), "window still open");
        // The next refusal after the window closes it: one summary with the count, no values.
        let a = b.admit(
            &refusal("k1", AuditAction::RequestCardNumberRejected),
            t0 + WINDOW_MS + 1,
        );
        assert!(a.write, "a new window has a new budget");
        assert_eq!(a.summaries.len(), 1);
        let s = &a.summaries[0];
        assert_eq!(s.action, AuditAction::AuditRefusalsAggregated);
        assert_eq!(s.actor_id, "k1");
        assert_eq!(s.outcome, Outcome::Rejected);
        assert_eq!(count(s), 1_000 - u64::from(PER_ACTOR));
        assert!(
            s.fields
                .contains(&"action:request.card_number_rejected".to_string())
        );
    }

    #[test]
    fn many_actors_are_capped_globally_and_summarised_per_action() {
        let b = RefusalBudget::default();
        let t0 = 5_000_000;
        let mut written = 0u64;
        let total = 20_000u64;
        for i in 0..total {
            let r = refusal(&format!("key-{i}"), AuditAction::CustomerReveal);
            if b.admit(&r, t0).write {
                written += 1;
            }
        }
        assert_eq!(written, u64::from(GLOBAL));
        let summaries = b.take(t0, true);
        assert_eq!(summaries.len(), 1, "the overflow is one event per action");
        assert_eq!(summaries[0].actor_id, "audit-budget");
        assert_eq!(count(&summaries[0]), total - u64::from(GLOBAL));
        // Every refusal is accounted for: written or counted.
        assert!(b.take(t0, true).is_empty(), "counts are taken once");
    }

    #[test]
    fn events_per_window_are_bounded_whatever_the_mix() {
        let b = RefusalBudget::default();
        let t0 = 9_000_000;
        let mut events = 0usize;
        let actions = [
            AuditAction::CustomerRead,
            AuditAction::CustomerReveal,
            AuditAction::CustomerWrite,
        ];
        for i in 0..50_000u64 {
            let r = refusal(&format!("k{}", i % 37), actions[(i % 3) as usize]);
            let a = b.admit(&r, t0);
            events += usize::from(a.write) + a.summaries.len();
        }
        events += b.take(t0, true).len();
        let bound = GLOBAL as usize + (GLOBAL / PER_ACTOR) as usize + actions.len();
        assert!(events <= bound, "{events} > {bound}");
    }

    #[test]
    fn non_refusals_are_not_budgeted() {
        let c = Caller::system("x");
        assert!(!is_refusal(&AuditRecord::new(
            &c,
            AuditAction::CustomerRead
        )));
        assert!(is_refusal(
            &AuditRecord::new(&c, AuditAction::CustomerRead).outcome(Outcome::Denied)
        ));
        assert!(!is_refusal(
            &AuditRecord::new(&c, AuditAction::CustomerRead).outcome(Outcome::NotFound)
        ));
    }
}
