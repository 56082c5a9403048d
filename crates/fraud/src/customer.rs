//! Customer history features: known customer, first order, amounts against the customer's
//! own purchases, and "new device / address / card / e-mail / phone / IP for a known customer".

use crate::features::{Features, Num, trunc};
use crate::keys::{Entity, EventKeys};
use crate::names::N;
use crate::window::{EntityState, F_PURCHASE, FastMap, Rec};
use std::collections::{BTreeMap, VecDeque};

/// A customer's earlier purchases as the history features count them, kept up to date as
/// records arrive at the back and leave from the front: one purchase per order (the first
/// purchase record of each order id among the kept records; records without an order id each
/// count), with the running count, sum and a multiset of the counted amounts for the maximum.
#[derive(Debug, Default)]
pub(crate) struct Purchases {
    /// Order → amounts of its purchase records, oldest first (the first one is counted).
    orders: FastMap<u32, VecDeque<i64>>,
    /// Counted amounts → how many.
    amounts: BTreeMap<i64, u32>,
    count: u64,
    sum: i128,
}

fn counts(r: &Rec) -> bool {
    r.flags & F_PURCHASE != 0 && r.amount > 0
}

impl Purchases {
    /// Built from the kept records.
    pub(crate) fn build<'a>(recs: impl Iterator<Item = &'a Rec>) -> Self {
        let mut p = Purchases::default();
        for r in recs {
            p.enter(r);
        }
        p
    }

    fn count_amount(&mut self, a: i64, delta: i64) {
        self.sum += i128::from(a) * i128::from(delta);
        if delta > 0 {
            self.count += 1;
            *self.amounts.entry(a).or_default() += 1;
        } else {
            self.count -= 1;
            if let Some(c) = self.amounts.get_mut(&a) {
                *c -= 1;
                if *c == 0 {
                    self.amounts.remove(&a);
                }
            }
        }
    }

    /// A record arrives after every kept one.
    pub(crate) fn enter(&mut self, r: &Rec) {
        if !counts(r) {
            return;
        }
        if r.order != 0 {
            let list = self.orders.entry(r.order).or_default();
            list.push_back(r.amount);
            if list.len() > 1 {
                return;
            }
        }
        self.count_amount(r.amount, 1);
    }

    /// The oldest kept record leaves.
    pub(crate) fn leave(&mut self, r: &Rec) {
        if !counts(r) {
            return;
        }
        self.count_amount(r.amount, -1);
        if r.order != 0
            && let Some(list) = self.orders.get_mut(&r.order)
        {
            list.pop_front();
            match list.front() {
                Some(&next) => self.count_amount(next, 1),
                None => {
                    self.orders.remove(&r.order);
                }
            }
        }
    }

    /// (count, sum, max) of the counted purchases, without the order `order` (the current
    /// event's own; 0 = none).
    fn without(&self, order: u32) -> (u64, i128, Option<i64>) {
        let excl = (order != 0)
            .then(|| self.orders.get(&order).and_then(|l| l.front().copied()))
            .flatten();
        let mut top = self.amounts.iter().rev();
        match excl {
            None => (self.count, self.sum, top.next().map(|(a, _)| *a)),
            Some(x) => {
                let max = match top.next() {
                    Some((&a, &1)) if a == x => top.next().map(|(a, _)| *a),
                    other => other.map(|(a, _)| *a),
                };
                (self.count - 1, self.sum - i128::from(x), max)
            }
        }
    }
}

/// Customer history: known, first order, amounts, new device/address/card/e-mail/IP. From
/// the customer's running purchase totals when the event comes at or after its records, else
/// (and with `scan`) by a forward scan of the records at or before the event.
pub(crate) fn history(
    st: Option<&mut EntityState>,
    keys: &EventKeys,
    cur: &Rec,
    out: &mut Features,
    (gws, orders): (&mut Vec<u32>, &mut Vec<u32>),
    scan: bool,
) {
    let t = cur.ts;
    let purchase = cur.flags & F_PURCHASE != 0;
    let Some(st) = st else {
        out.set(N::IsFirstOrder, Num::B(purchase));
        return;
    };
    gws.clear();
    if cur.gw != 0 {
        gws.push(cur.gw);
    }
    let folded = st.folded;
    let (events, purchases, sum, max);
    if !scan && st.in_order(t) {
        events = st.recs.len() as u64 + folded.events;
        // Gateways of the last hour: the newest records.
        for r in st.recs.iter().rev() {
            if t - r.ts >= 3_600 {
                break;
            }
            if r.gw != 0 && !gws.contains(&r.gw) {
                gws.push(r.gw);
            }
        }
        let (n, s, m) = st.purchases().without(cur.order);
        purchases = folded.purchases + n;
        sum = i64::try_from(i128::from(folded.amount_sum) + s).unwrap_or(i64::MAX);
        max = m.map_or(folded.amount_max, |m| m.max(folded.amount_max));
    } else {
        let end = st.recs.partition_point(|r| r.ts <= t);
        events = end as u64 + folded.events;
        let (mut p, mut s, mut m) = (folded.purchases, folded.amount_sum, folded.amount_max);
        orders.clear();
        // Earlier purchases, one per order (an order and its payment are one purchase); the
        // current event's own order does not count.
        for r in st.recs.range(..end) {
            if r.gw != 0 && t - r.ts < 3_600 && !gws.contains(&r.gw) {
                gws.push(r.gw);
            }
            if counts(r) && (r.order == 0 || r.order != cur.order) {
                if r.order != 0 {
                    if orders.contains(&r.order) {
                        continue;
                    }
                    orders.push(r.order);
                }
                p += 1;
                s = s.saturating_add(r.amount);
                m = m.max(r.amount);
            }
        }
        (purchases, sum, max) = (p, s, m);
    }
    let st = &*st;
    let known = events > 0;
    out.set(N::CustomerKnown, Num::B(known));
    out.set(N::CustomerEventsBefore, Num::I(events as i64));
    out.set(N::CustomerOrdersBefore, Num::I(purchases as i64));
    out.set(N::CustomerGateways1h, Num::I(gws.len() as i64));
    if let Some(first) = st.first_ts.filter(|f| *f <= t) {
        out.set(N::CustomerDaysKnown, Num::F((t - first) as f64 / 86_400.0));
    }
    out.set(N::IsFirstOrder, Num::B(purchase && purchases == 0));
    if purchases > 0 {
        let avg = sum as f64 / purchases as f64;
        out.set(N::CustomerAvgAmount, Num::F(avg));
        out.set(N::CustomerMaxAmount, Num::I(max));
        if cur.amount > 0 {
            out.set(
                N::AmountVsCustomerAvg,
                Num::F(cur.amount as f64 / avg.max(1.0)),
            );
            out.set(
                N::AmountVsCustomerMax,
                Num::F(cur.amount as f64 / (max.max(1)) as f64),
            );
        }
    }
    if known {
        // "New" = first used with this customer within the last 24 hours, while the
        // customer already had an older value of that kind (so a login from a new phone
        // keeps the orders placed from it in the next hours "new" too).
        let first_of = |ts: Option<i64>| ts.unwrap_or(t);
        let new = |kind: Entity| -> bool {
            let Some(k) = keys.get(kind) else {
                return false;
            };
            let k = trunc(Some(k));
            let first_use = first_of(
                st.links
                    .iter()
                    .find(|(lk, key, first)| *lk == kind && *key == k && *first <= t)
                    .map(|l| l.2),
            );
            t - first_use < 86_400
                && st
                    .links
                    .iter()
                    .any(|(lk, key, first)| *lk == kind && *key != k && *first < first_use)
        };
        out.set(N::NewDevice, Num::B(new(Entity::Device)));
        out.set(N::NewAddress, Num::B(new(Entity::Address)));
        out.set(N::NewCard, Num::B(new(Entity::Card)));
        out.set(N::NewEmail, Num::B(new(Entity::Email)));
        out.set(N::NewPhone, Num::B(new(Entity::Phone)));
        out.set(N::NewIp, Num::B(new(Entity::Ip)));
    }
}
