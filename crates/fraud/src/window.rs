//! Per-entity records and velocity windows.
//!
//! Each entity key keeps its records (time-sorted, the last 31 days, at most
//! [`MAX_RECORDS`]) and, once a rule reads its velocity features, incremental aggregates of
//! every window ([`Windows`]): per window the index of its first record and the running
//! counts and sums of the records from there to the newest, kept up to date as records arrive
//! (added at the back) and as event time advances (expired from the front). Distinct counts
//! (cards, customers, devices) keep, per value, the index of its latest record: a value is in
//! a window while that index is.
//!
//! **Out-of-order events.** The features of an event are those of the records at or before its
//! own time, exactly as a backward scan over the records would compute them ([`scan`], kept
//! as the reference and used for such events). An event at or after an entity's newest record
//! (the usual case, ties included) is answered from the aggregates in O(windows). An event
//! older than the entity's newest record is answered by the backward scan, and inserting it
//! in the middle of the records drops that entity's aggregates, rebuilt from the records the
//! next time an in-order event reads them. Results are therefore the same in any arrival
//! order; only the cost differs.

use crate::customer::Purchases;
use crate::names::{METRICS, WINDOWS};
use crate::scan::Distinct;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// How long per-event records are kept (the longest window plus a day of slack).
pub const RETAIN_SECS: i64 = 31 * 86_400;
/// Most records kept per entity (older ones are folded into the aggregates).
pub const MAX_RECORDS: usize = 4_096;

pub(crate) const F_DECLINED: u32 = 1;
pub(crate) const F_SMALL: u32 = 1 << 1;
pub(crate) const F_CHARGEBACK: u32 = 1 << 2;
pub(crate) const F_PROMO: u32 = 1 << 3;
pub(crate) const F_NEW_ACCOUNT: u32 = 1 << 4;
pub(crate) const F_PURCHASE: u32 = 1 << 5;
pub(crate) const F_REFUND: u32 = 1 << 6;

/// The flag counted by each velocity metric after `count` and `sum`.
const FLAG_METRICS: [u32; 6] = [
    F_DECLINED,
    F_SMALL,
    F_CHARGEBACK,
    F_PROMO,
    F_NEW_ACCOUNT,
    F_REFUND,
];
/// The first distinct metric (cards) in [`METRICS`] order: after count, sum and the flags.
pub(crate) const DISTINCT0: usize = 2 + FLAG_METRICS.len();
const NW: usize = WINDOWS.len();

/// One past event as an entity remembers it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rec {
    pub(crate) ts: i64,
    pub(crate) amount: i64,
    pub(crate) card: u32,
    pub(crate) cust: u32,
    pub(crate) dev: u32,
    pub(crate) gw: u32,
    pub(crate) order: u32,
    pub(crate) flags: u32,
}

impl Rec {
    fn distinct(&self, d: usize) -> u32 {
        [self.card, self.cust, self.dev][d]
    }
}

/// Aggregates of records older than the retention.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Folded {
    pub(crate) events: u64,
    pub(crate) purchases: u64,
    pub(crate) amount_sum: i64,
    pub(crate) amount_max: i64,
}

/// Hasher for keys that are already uniform hashes.
#[derive(Default)]
pub(crate) struct KeyHasher(pub(crate) u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

/// A hash map keyed by values that are already uniform hashes.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Running totals of the records in one window.
#[derive(Debug, Clone, Copy, Default)]
struct Agg {
    count: u32,
    flags: [u32; FLAG_METRICS.len()],
    /// Amounts are non-negative, so a saturating sum equals the exact sum clamped to
    /// `i64::MAX`, whatever the order: kept exact here and clamped when read.
    amount: i128,
}

impl Agg {
    fn add(&mut self, r: &Rec) {
        self.count += 1;
        self.amount += i128::from(r.amount);
        for (c, f) in self.flags.iter_mut().zip(FLAG_METRICS) {
            *c += u32::from(r.flags & f != 0);
        }
    }
    fn remove(&mut self, r: &Rec) {
        self.count -= 1;
        self.amount -= i128::from(r.amount);
        for (c, f) in self.flags.iter_mut().zip(FLAG_METRICS) {
            *c -= u32::from(r.flags & f != 0);
        }
    }
}

/// Incremental aggregates of every window over an entity's records.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    /// Absolute index (see [`EntityState::base`]) of each window's first record.
    start: [u64; NW],
    aggs: [Agg; NW],
    /// Bit d: distinct metric d (cards, customers, devices) is maintained.
    mask: u8,
    /// Per distinct metric: value → absolute index of its latest record.
    latest: [FastMap<u32, u64>; 3],
    /// Per distinct metric and window: values whose latest record is in the window.
    distinct: [[u32; NW]; 3],
}

/// What an entity remembers.
#[derive(Debug, Default)]
pub(crate) struct EntityState {
    pub(crate) recs: VecDeque<Rec>,
    /// Absolute index of `recs[0]` (records ever dropped from the front).
    base: u64,
    pub(crate) folded: Folded,
    pub(crate) first_ts: Option<i64>,
    /// (kind, key, first seen) for customers.
    pub(crate) links: Vec<(crate::keys::Entity, u32, i64)>,
    /// The window aggregates, once read; `None` when never read or invalidated.
    windows: Option<Box<Windows>>,
    /// A customer's purchase totals, once read; `None` when never read or invalidated.
    purchases: Option<Box<Purchases>>,
}

/// The velocity values of one event for one entity: per metric (as [`METRICS`]) and window.
pub(crate) type Velocity = [[i64; NW]; DISTINCT0 + 3];

impl EntityState {
    /// Whether an event at `t` comes at or after every record (answered from the aggregates).
    pub(crate) fn in_order(&self, t: i64) -> bool {
        self.recs.back().is_none_or(|r| r.ts <= t)
    }

    /// The velocity values of `cur` (time `cur.ts`, at or after every record) from the
    /// aggregates, for the first `nw` windows and the distinct metrics in `want`.
    pub(crate) fn velocity(&mut self, cur: &Rec, nw: usize, want: u8, out: &mut Velocity) {
        debug_assert!(self.in_order(cur.ts));
        let t = cur.ts;
        let rebuild = self.windows.as_ref().is_none_or(|w| w.mask & want != want);
        if rebuild {
            let mask = want | self.windows.as_ref().map_or(0, |w| w.mask);
            self.rebuild(t, mask);
        } else {
            self.advance(t);
        }
        let win = self.windows.as_deref().expect("built above");
        for (w, a) in win.aggs.iter().enumerate().take(nw) {
            out[0][w] = i64::from(a.count) + 1;
            let sum = a.amount + i128::from(cur.amount);
            out[1][w] = i64::try_from(sum).unwrap_or(i64::MAX);
            for (m, f) in FLAG_METRICS.iter().enumerate() {
                out[2 + m][w] = i64::from(a.flags[m]) + i64::from(cur.flags & f != 0);
            }
        }
        for d in 0..3 {
            if want & (1 << d) == 0 {
                continue;
            }
            let v = cur.distinct(d);
            let latest = if v == 0 {
                None
            } else {
                win.latest[d].get(&v).copied()
            };
            for (w, (start, n)) in win.start.iter().zip(win.distinct[d]).enumerate().take(nw) {
                // The current event's value counts unless it is already in the window.
                let new = v != 0 && latest.is_none_or(|i| i < *start);
                out[DISTINCT0 + d][w] = i64::from(n) + i64::from(new);
            }
        }
    }

    /// The purchase totals over the kept records (built when first read).
    pub(crate) fn purchases(&mut self) -> &Purchases {
        let recs = &self.recs;
        self.purchases
            .get_or_insert_with(|| Box::new(Purchases::build(recs.iter())))
    }

    /// Builds the aggregates as of `t` (at or after every record) from the records.
    fn rebuild(&mut self, t: i64, mask: u8) {
        let mut win = self.windows.take().unwrap_or_default();
        win.mask = mask;
        win.aggs = Default::default();
        win.distinct = Default::default();
        for m in &mut win.latest {
            m.clear();
        }
        for (w, (_, len)) in WINDOWS.iter().enumerate() {
            let first = self.recs.partition_point(|r| r.ts <= t - len);
            win.start[w] = self.base + first as u64;
            for r in self.recs.range(first..) {
                win.aggs[w].add(r);
            }
        }
        for (i, r) in self.recs.iter().enumerate() {
            let idx = self.base + i as u64;
            for d in 0..3 {
                let v = r.distinct(d);
                if mask & (1 << d) != 0 && v != 0 {
                    win.latest[d].insert(v, idx);
                }
            }
        }
        for d in 0..3 {
            for &idx in win.latest[d].values() {
                for w in 0..NW {
                    win.distinct[d][w] += u32::from(idx >= win.start[w]);
                }
            }
        }
        self.windows = Some(win);
    }

    /// Expires from each window the records that are no longer in it at `t`.
    fn advance(&mut self, t: i64) {
        let Some(win) = self.windows.as_deref_mut() else {
            return;
        };
        let end = self.base + self.recs.len() as u64;
        for (w, (_, len)) in WINDOWS.iter().enumerate() {
            while win.start[w] < end {
                let idx = win.start[w];
                let r = &self.recs[(idx - self.base) as usize];
                if r.ts > t - len {
                    break;
                }
                win.leave(w, idx, r);
            }
        }
    }

    /// Inserts `rec` at its place and folds into the all-time aggregates what the retention
    /// and the cap no longer keep.
    pub(crate) fn insert(&mut self, rec: Rec) {
        let t = rec.ts;
        if self.in_order(t) {
            self.recs.push_back(rec);
            if let Some(win) = self.windows.as_deref_mut() {
                let idx = self.base + self.recs.len() as u64 - 1;
                win.enter(idx, &rec);
            }
            if let Some(p) = self.purchases.as_deref_mut() {
                p.enter(&rec);
            }
        } else {
            let pos = self.recs.partition_point(|r| r.ts <= t);
            self.recs.insert(pos, rec);
            // Indexes after `pos` moved: rebuilt when next read in order.
            self.windows = None;
            self.purchases = None;
        }
        let newest = self.recs.back().map_or(t, |r| r.ts);
        let cut = self
            .recs
            .partition_point(|r| r.ts < newest - RETAIN_SECS)
            .max(self.recs.len().saturating_sub(MAX_RECORDS));
        for _ in 0..cut {
            let r = self.recs.pop_front().expect("cut <= len");
            if let Some(win) = self.windows.as_deref_mut() {
                win.drop_front(self.base, &r);
            }
            if let Some(p) = self.purchases.as_deref_mut() {
                p.leave(&r);
            }
            self.base += 1;
            let f = &mut self.folded;
            f.events += 1;
            if r.flags & F_PURCHASE != 0 && r.amount > 0 {
                f.purchases += 1;
                f.amount_sum = f.amount_sum.saturating_add(r.amount);
                f.amount_max = f.amount_max.max(r.amount);
            }
        }
        if self.recs.is_empty() {
            self.windows = None;
            self.purchases = None;
        }
    }
}

impl Windows {
    /// Record `idx` (the newest) arrives: it is in every window.
    fn enter(&mut self, idx: u64, r: &Rec) {
        for a in &mut self.aggs {
            a.add(r);
        }
        for d in 0..3 {
            let v = r.distinct(d);
            if self.mask & (1 << d) == 0 || v == 0 {
                continue;
            }
            let prev = self.latest[d].insert(v, idx);
            for w in 0..NW {
                if prev.is_none_or(|p| p < self.start[w]) {
                    self.distinct[d][w] += 1;
                }
            }
        }
    }

    /// Record `idx`, the first of window `w`, leaves it.
    fn leave(&mut self, w: usize, idx: u64, r: &Rec) {
        self.aggs[w].remove(r);
        for d in 0..3 {
            let v = r.distinct(d);
            if self.mask & (1 << d) != 0 && v != 0 && self.latest[d].get(&v) == Some(&idx) {
                self.distinct[d][w] -= 1;
            }
        }
        self.start[w] = idx + 1;
    }

    /// Record `idx`, the oldest kept, is dropped by the retention or the cap.
    fn drop_front(&mut self, idx: u64, r: &Rec) {
        for w in 0..NW {
            if self.start[w] <= idx {
                self.leave(w, idx, r);
            }
        }
        for d in 0..3 {
            let v = r.distinct(d);
            if self.mask & (1 << d) != 0 && v != 0 && self.latest[d].get(&v) == Some(&idx) {
                self.latest[d].remove(&v);
            }
        }
    }
}

/// The velocity values of `cur` by one backward scan over `recs` (the records at or before
/// `cur.ts`, newest last), as far back as the first `nw` windows reach, with the distinct
/// metrics in `want`: the reference the aggregates must equal, and the path of out-of-order
/// events.
pub(crate) fn scan(
    recs: Option<&VecDeque<Rec>>,
    cur: &Rec,
    (nw, want): (usize, u8),
    sets: &mut [Distinct; 3],
    out: &mut Velocity,
) {
    let t = cur.ts;
    let mut acc = [[0i64; NW]; DISTINCT0];
    let mut distinct = [[0i64; NW]; 3];
    let add = |acc: &mut [[i64; NW]; DISTINCT0], w: usize, r: &Rec| {
        acc[0][w] += 1;
        acc[1][w] = acc[1][w].saturating_add(r.amount);
        for (m, f) in FLAG_METRICS.iter().enumerate() {
            acc[2 + m][w] += i64::from(r.flags & f != 0);
        }
    };
    add(&mut acc, 0, cur);
    fn insert(sets: &mut [Distinct; 3], r: &Rec, want: u8) {
        for (d, set) in sets.iter_mut().enumerate() {
            let v = r.distinct(d);
            if v != 0 && want & (1 << d) != 0 {
                set.insert(v);
            }
        }
    }
    fn snapshot(sets: &[Distinct; 3], distinct: &mut [[i64; NW]; 3], w: usize) {
        for (d, set) in sets.iter().enumerate() {
            distinct[d][w] = set.len() as i64;
        }
    }
    let want_distinct = want != 0;
    if want_distinct {
        for s in sets.iter_mut() {
            s.clear();
        }
        insert(sets, cur, want);
    }
    let limit = WINDOWS[nw - 1].1;
    let mut w = 0; // window of the record being looked at
    let mut w_done = 0; // windows whose distinct counts are final
    if let Some(recs) = recs {
        let end = recs.partition_point(|r| r.ts <= t);
        for r in recs.range(..end).rev().take(MAX_RECORDS) {
            let age = t - r.ts;
            if age >= limit {
                break;
            }
            while age >= WINDOWS[w].1 {
                w += 1;
            }
            if want_distinct {
                while w_done < w {
                    snapshot(sets, &mut distinct, w_done);
                    w_done += 1;
                }
                insert(sets, r, want);
            }
            add(&mut acc, w, r);
        }
    }
    if want_distinct {
        while w_done < nw {
            snapshot(sets, &mut distinct, w_done);
            w_done += 1;
        }
    }
    for (m, row) in acc.iter().enumerate() {
        let mut running = 0i64;
        for (w, v) in row.iter().enumerate().take(nw) {
            running = v.saturating_add(running);
            out[m][w] = running;
        }
    }
    for (d, row) in distinct.iter().enumerate() {
        if want & (1 << d) != 0 {
            out[DISTINCT0 + d][..nw].copy_from_slice(&row[..nw]);
        }
    }
    debug_assert_eq!(METRICS.len(), DISTINCT0 + 3);
}
