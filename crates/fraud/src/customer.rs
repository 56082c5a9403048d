//! Customer history features: known customer, first order, amounts against the customer's
//! own purchases, and "new device / address / card / e-mail / phone / IP for a known customer".

use crate::features::{Features, Num, trunc};
use crate::keys::{Entity, EventKeys};
use crate::names::N;
use crate::window::{EntityState, F_PURCHASE, Rec};

/// Customer history: known, first order, amounts, new device/address/card/e-mail/IP.
pub(crate) fn history(
    st: Option<&EntityState>,
    keys: &EventKeys,
    cur: &Rec,
    out: &mut Features,
    (gws, orders): (&mut Vec<u32>, &mut Vec<u32>),
) {
    let t = cur.ts;
    let purchase = cur.flags & F_PURCHASE != 0;
    let Some(st) = st else {
        out.set(N::IsFirstOrder, Num::B(purchase));
        return;
    };
    let end = st.recs.partition_point(|r| r.ts <= t);
    let before = st.recs.range(..end);
    let events = end as u64 + st.folded.events;
    let mut purchases = st.folded.purchases;
    let mut sum = st.folded.amount_sum;
    let mut max = st.folded.amount_max;
    gws.clear();
    orders.clear();
    if cur.gw != 0 {
        gws.push(cur.gw);
    }
    // Earlier purchases, one per order (an order and its payment are one purchase); the
    // current event's own order does not count.
    for r in before {
        if r.gw != 0 && t - r.ts < 3_600 && !gws.contains(&r.gw) {
            gws.push(r.gw);
        }
        if r.flags & F_PURCHASE != 0 && r.amount > 0 && (r.order == 0 || r.order != cur.order) {
            if r.order != 0 {
                if orders.contains(&r.order) {
                    continue;
                }
                orders.push(r.order);
            }
            purchases += 1;
            sum = sum.saturating_add(r.amount);
            max = max.max(r.amount);
        }
    }
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
