//! Per-caller rate limits for customer lookups: one token bucket per API key and per staff
//! member, so a stolen key or a curious session cannot walk the blind indexes (confirming whose
//! a list of NIKs or e-mail addresses is) faster than the shop allows.

use crate::auth::{ActorKind, Caller};
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::Instant;

/// Lookup limits per caller, in lookups per minute; `0` turns the limit off for that kind of
/// caller. A caller may spend a whole minute's allowance at once (the bucket holds one minute
/// of lookups) and then gets one more every `60 / n` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupLimits {
    /// Lookups per minute for each API key (default 60).
    pub api_key_per_minute: u32,
    /// Lookups per minute for each staff member, over all their sessions (default 30).
    pub staff_per_minute: u32,
}

impl Default for LookupLimits {
    fn default() -> Self {
        Self {
            api_key_per_minute: 60,
            staff_per_minute: 30,
        }
    }
}

impl LookupLimits {
    /// The limit that applies to `caller`; `None` when unlimited (the system, or a limit of 0).
    fn for_caller(&self, caller: &Caller) -> Option<u32> {
        let n = match caller.kind() {
            ActorKind::ApiKey => self.api_key_per_minute,
            ActorKind::Staff => self.staff_per_minute,
            ActorKind::System => 0,
        };
        (n > 0).then_some(n)
    }
}

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 10_000;

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets keyed by caller kind and id.
#[derive(Default)]
pub(crate) struct Limiter {
    limits: RwLock<LookupLimits>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    /// Replaces the limits (buckets keep their state).
    pub(crate) fn set(&self, limits: LookupLimits) {
        *self.limits.write().expect("limits lock") = limits;
    }

    /// The limits in force.
    pub(crate) fn limits(&self) -> LookupLimits {
        *self.limits.read().expect("limits lock")
    }

    /// Takes one lookup from `caller`'s bucket, or returns the whole seconds until one is
    /// available.
    pub(crate) fn take(&self, caller: &Caller) -> Result<(), u64> {
        self.take_at(caller, Instant::now())
    }

    fn take_at(&self, caller: &Caller, now: Instant) -> Result<(), u64> {
        let Some(per_minute) = self.limits().for_caller(caller) else {
            return Ok(());
        };
        let capacity = f64::from(per_minute);
        let per_sec = capacity / 60.0;
        let mut buckets = self.buckets.lock().expect("buckets lock");
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * per_sec < capacity
            });
        }
        let key = format!("{}:{}", caller.kind().name(), caller.id());
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * per_sec).min(capacity);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err((((1.0 - b.tokens) / per_sec).ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;
    use std::time::Duration;

    fn key(id: &str) -> Caller {
        Caller::api_key(
            id.into(),
            [Scope::CustomersRead].into_iter().collect(),
            None,
        )
    }

    #[test]
    fn a_key_gets_its_minute_then_waits_and_refills() {
        let l = Limiter::default();
        l.set(LookupLimits {
            api_key_per_minute: 3,
            staff_per_minute: 1,
        });
        let t0 = Instant::now();
        let a = key("a");
        for _ in 0..3 {
            assert_eq!(l.take_at(&a, t0), Ok(()));
        }
        assert_eq!(l.take_at(&a, t0), Err(20));
        // Another key has its own bucket.
        assert_eq!(l.take_at(&key("b"), t0), Ok(()));
        // 20 s later exactly one more lookup is allowed.
        let t1 = t0 + Duration::from_secs(20);
        assert_eq!(l.take_at(&a, t1), Ok(()));
        assert!(l.take_at(&a, t1).is_err());
    }

    #[test]
    fn zero_means_unlimited_and_the_system_is_never_limited() {
        let l = Limiter::default();
        l.set(LookupLimits {
            api_key_per_minute: 0,
            staff_per_minute: 0,
        });
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(l.take_at(&key("a"), t0).is_ok());
            assert!(l.take_at(&Caller::system("test"), t0).is_ok());
        }
    }
}
