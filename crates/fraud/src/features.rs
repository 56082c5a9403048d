//! Feature state over time windows, computed as of each event's own time.
//!
//! Per entity key (card, e-mail, customer, device, IP, address, BIN, promo code) the store keeps
//! a time-sorted list of compact records (time, amount, truncated keys of the card, customer and
//! device, flags) for the last 31 days; older records are folded into all-time aggregates. An
//! event is scored against the records with a time at or before its own `ts`, so replaying a
//! file (in any order) gives the features the server computed live. A customer also keeps the
//! devices, addresses, cards, e-mails, phones and IPs it has used, with the first time each was
//! seen (for "new device for a known customer").

use crate::event::{Event, EventType};
use crate::keys::{Entity, EventKeys, VELOCITY};
use crate::lists;
use crate::names::{METRICS, N, N_NUM, WINDOWS, vslot};
use crate::scan::Distinct;
pub use crate::scan::Needs;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// How long per-event records are kept (the longest window plus a day of slack).
pub const RETAIN_SECS: i64 = 31 * 86_400;
/// Most records kept per entity (older ones are folded into the aggregates).
pub const MAX_RECORDS: usize = 4_096;
/// Most linked values (devices, cards …) remembered per customer and kind.
const MAX_LINKS: usize = 48;

const F_DECLINED: u32 = 1;
const F_SMALL: u32 = 1 << 1;
const F_CHARGEBACK: u32 = 1 << 2;
const F_PROMO: u32 = 1 << 3;
const F_NEW_ACCOUNT: u32 = 1 << 4;
const F_PURCHASE: u32 = 1 << 5;

/// One past event as an entity remembers it.
#[derive(Debug, Clone, Copy)]
struct Rec {
    ts: i64,
    amount: i64,
    card: u32,
    cust: u32,
    dev: u32,
    gw: u32,
    order: u32,
    flags: u32,
}

/// Aggregates of records older than the retention.
#[derive(Debug, Clone, Copy, Default)]
struct Folded {
    events: u64,
    purchases: u64,
    amount_sum: i64,
    amount_max: i64,
}

#[derive(Debug, Default)]
struct EntityState {
    recs: VecDeque<Rec>,
    folded: Folded,
    first_ts: Option<i64>,
    /// (kind, key, first seen) for customers.
    links: Vec<(Entity, u32, i64)>,
}

/// Hasher for keys that are already uniform hashes.
#[derive(Default)]
struct KeyHasher(u64);

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

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A feature value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// Integer.
    I(i64),
    /// Double.
    F(f64),
    /// Boolean.
    B(bool),
}

/// The features of one event (numeric part; strings are read from the event).
#[derive(Debug, Clone)]
pub struct Features {
    pub(crate) nums: Vec<Num>,
}

fn template() -> &'static [Num] {
    static T: std::sync::OnceLock<Vec<Num>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut nums = vec![Num::I(0); N_NUM];
        for (i, (_, kind, _)) in crate::names::EVENT_FEATURES.iter().enumerate() {
            nums[i] = match kind {
                crate::names::Kind::Float => Num::F(0.0),
                crate::names::Kind::Bool => Num::B(false),
                _ => Num::I(0),
            };
        }
        nums
    })
}

impl Default for Features {
    fn default() -> Self {
        Features {
            nums: template().to_vec(),
        }
    }
}

impl Features {
    /// The value of a feature by name (`None` for unknown names and string features).
    pub fn get(&self, name: &str) -> Option<Num> {
        match crate::names::registry().slot(name)? {
            crate::names::Slot::Num(i) => Some(self.nums[i]),
            crate::names::Slot::Str(_) => None,
        }
    }

    fn set(&mut self, n: N, v: Num) {
        self.nums[n as usize] = v;
    }
}

/// Running statistics of the shop's log-amounts (Welford).
#[derive(Debug, Default, Clone, Copy)]
struct ShopStats {
    n: u64,
    mean: f64,
    m2: f64,
}

impl ShopStats {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    fn ready(&self) -> bool {
        self.n >= 30
    }
    fn std(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

/// The feature state of a shop.
#[derive(Default)]
pub struct FeatureStore {
    entities: FastMap<(Entity, u64), EntityState>,
    shop: ShopStats,
    scratch: [Distinct; 3],
    /// Reused by the customer history scan (gateways in the last hour, orders seen).
    cust_scratch: (Vec<u32>, Vec<u32>),
}

fn trunc(k: Option<u64>) -> u32 {
    k.map_or(0, |k| (k as u32) | 1)
}

fn small_hash(s: &str) -> u32 {
    let mut h = KeyHasher::default();
    h.write(s.as_bytes());
    (h.finish() as u32) | 1
}

/// Decimal digits of a currency's minor unit (ISO 4217).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

impl FeatureStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entity keys held.
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// Computes every feature of `ev` as of `ev.ts` into `out`, then records `ev`.
    pub fn observe(&mut self, ev: &Event, keys: &EventKeys, out: &mut Features) {
        self.observe_for(ev, keys, &Needs::all(), out);
    }

    /// Computes the features of `ev` as of `ev.ts` that `needs` names (the others read as
    /// zero) into `out`, then records `ev`.
    pub fn observe_for(&mut self, ev: &Event, keys: &EventKeys, needs: &Needs, out: &mut Features) {
        let rec = self.compute(ev, keys, needs, out);
        self.record(keys, rec);
    }

    fn compute(&mut self, ev: &Event, keys: &EventKeys, needs: &Needs, out: &mut Features) -> Rec {
        let t = ev.unix();
        let amount = ev.amount.unwrap_or(0);
        let declined = ev.declined();
        let purchase = matches!(ev.kind, EventType::Order | EventType::Payment) && !declined;
        // Shop-relative amount.
        let (ratio, z) = if amount > 0 && self.shop.ready() {
            let la = (amount as f64).ln();
            let sd = self.shop.std().max(1e-6);
            ((la - self.shop.mean).exp(), (la - self.shop.mean) / sd)
        } else {
            (0.0, 0.0)
        };
        let small = amount > 0 && ratio > 0.0 && ratio < 0.1;
        let account_age = ev
            .account_created_at
            .map(|c| (ev.ts - c).as_seconds_f64() / 3600.0);
        let p = ev.payment.as_ref();
        // The hash of "gateway/method" (0 when both are missing), without building it.
        let gw = p.map_or(0, |p| {
            let (g, m) = (
                p.gateway.as_deref().unwrap_or(""),
                p.method.as_deref().unwrap_or(""),
            );
            if g.is_empty() && m.is_empty() {
                return 0;
            }
            let mut h = KeyHasher::default();
            h.write(g.as_bytes());
            h.write(b"/");
            h.write(m.as_bytes());
            (h.finish() as u32) | 1
        });
        let mut flags = 0;
        if declined {
            flags |= F_DECLINED;
        }
        if small {
            flags |= F_SMALL;
        }
        if ev.kind == EventType::Chargeback {
            flags |= F_CHARGEBACK;
        }
        if ev.promo_code.is_some() {
            flags |= F_PROMO;
        }
        if account_age.is_some_and(|h| h < 24.0) {
            flags |= F_NEW_ACCOUNT;
        }
        if purchase {
            flags |= F_PURCHASE;
        }
        let rec = Rec {
            ts: t,
            amount,
            card: trunc(keys.get(Entity::Card)),
            cust: trunc(keys.get(Entity::Customer)),
            dev: trunc(keys.get(Entity::Device)),
            gw,
            order: ev.order_id.as_deref().map_or(0, small_hash),
            flags,
        };

        if out.nums.len() == N_NUM {
            out.nums.copy_from_slice(template());
        } else {
            *out = Features::default();
        }
        let currency = ev.currency.as_deref().unwrap_or("IDR");
        out.set(N::Amount, Num::I(amount));
        out.set(
            N::AmountMajor,
            Num::F(amount as f64 / 10f64.powi(minor_digits(currency) as i32)),
        );
        out.set(N::Declined, Num::B(declined));
        for (n, e) in [
            (N::HasCard, Entity::Card),
            (N::HasEmail, Entity::Email),
            (N::HasCustomer, Entity::Customer),
            (N::HasDevice, Entity::Device),
            (N::HasIp, Entity::Ip),
            (N::HasAddress, Entity::Address),
            (N::HasPromo, Entity::Promo),
        ] {
            out.set(n, Num::B(keys.get(e).is_some()));
        }
        if let Some(items) = &ev.items {
            out.set(N::ItemsCount, Num::I(items.len() as i64));
            out.set(
                N::ItemsQty,
                Num::I(items.iter().map(|i| i64::from(i.qty.unwrap_or(1))).sum()),
            );
        }
        out.set(
            N::HourWib,
            Num::I(((t + 7 * 3600).rem_euclid(86_400)) / 3600),
        );
        out.set(N::AccountAgeHours, Num::F(account_age.unwrap_or(-1.0)));
        out.set(N::HasAccountAge, Num::B(account_age.is_some()));
        out.set(N::AmountShopRatio, Num::F(ratio));
        out.set(N::AmountShopZ, Num::F(z));
        out.set(N::SmallAmount, Num::B(small));
        if let Some(email) = &ev.email {
            let domain = email.rsplit('@').next().unwrap_or("");
            let domain: std::borrow::Cow<'_, str> =
                if domain.bytes().any(|b| b.is_ascii_uppercase()) {
                    domain.to_ascii_lowercase().into()
                } else {
                    domain.into()
                };
            out.set(N::EmailDisposable, Num::B(lists::is_disposable(&domain)));
            out.set(N::EmailFree, Num::B(lists::is_free_mail(&domain)));
        }
        let ship = ev.shipping.as_ref().and_then(|s| s.country.as_deref());
        let card_c = p.and_then(|p| p.card_country.as_deref());
        let ip_c = ev.ip_country.as_deref();
        let bill_c = ev.billing_country.as_deref();
        let differ =
            |a: Option<&str>, b: Option<&str>| matches!((a, b), (Some(a), Some(b)) if a != b);
        out.set(N::CardIpMismatch, Num::B(differ(card_c, ip_c)));
        out.set(N::CardShipMismatch, Num::B(differ(card_c, ship)));
        out.set(N::IpShipMismatch, Num::B(differ(ip_c, ship)));
        out.set(N::BillShipMismatch, Num::B(differ(bill_c, ship)));

        for (ei, ent) in VELOCITY.iter().enumerate() {
            let nw = usize::from(needs.windows[ei]);
            if nw == 0 {
                continue;
            }
            if let Some(k) = keys.get(*ent) {
                self.velocity(ei, (*ent, k), &rec, (nw, needs.distinct[ei]), out);
            }
        }
        if let Some(ck) = keys.get(Entity::Customer) {
            let (mut gws, mut orders) = std::mem::take(&mut self.cust_scratch);
            self.customer(keys, ck, &rec, out, (&mut gws, &mut orders));
            self.cust_scratch = (gws, orders);
        } else {
            out.set(N::IsFirstOrder, Num::B(purchase));
        }
        rec
    }

    /// Velocity metrics of one entity: one backward scan over its records, as far back as
    /// the longest window `nw` the rules read (distinct counts only when read).
    fn velocity(
        &mut self,
        ei: usize,
        key: (Entity, u64),
        cur: &Rec,
        (nw, want): (usize, u8),
        out: &mut Features,
    ) {
        let t = cur.ts;
        let mut acc = [[0i64; 5]; 7];
        let mut distinct = [[0i64; 5]; 3];
        let add = |acc: &mut [[i64; 5]; 7], w: usize, r: &Rec| {
            acc[0][w] += 1;
            acc[1][w] = acc[1][w].saturating_add(r.amount);
            acc[2][w] += i64::from(r.flags & F_DECLINED != 0);
            acc[3][w] += i64::from(r.flags & F_SMALL != 0);
            acc[4][w] += i64::from(r.flags & F_CHARGEBACK != 0);
            acc[5][w] += i64::from(r.flags & F_PROMO != 0);
            acc[6][w] += i64::from(r.flags & F_NEW_ACCOUNT != 0);
        };
        add(&mut acc, 0, cur);
        fn insert(sets: &mut [Distinct; 3], r: &Rec, want: u8) {
            for (d, (set, v)) in sets.iter_mut().zip([r.card, r.cust, r.dev]).enumerate() {
                if v != 0 && want & (1 << d) != 0 {
                    set.insert(v);
                }
            }
        }
        let want_distinct = want != 0;
        fn snapshot(sets: &[Distinct; 3], distinct: &mut [[i64; 5]; 3], w: usize) {
            for (d, set) in sets.iter().enumerate() {
                distinct[d][w] = set.len() as i64;
            }
        }
        let sets = &mut self.scratch;
        if want_distinct {
            for s in sets.iter_mut() {
                s.clear();
            }
            insert(sets, cur, want);
        }
        let limit = WINDOWS[nw - 1].1;
        let mut w = 0; // window of the record being looked at
        let mut w_done = 0; // windows whose distinct counts are final
        if let Some(st) = self.entities.get(&key) {
            let end = st.recs.partition_point(|r| r.ts <= t);
            for r in st.recs.range(..end).rev().take(MAX_RECORDS) {
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
            let mut running = 0;
            for (w, v) in row.iter().enumerate().take(nw) {
                running = v.saturating_add(running);
                out.nums[vslot(ei, m, w)] = Num::I(running);
            }
        }
        if want_distinct {
            for (d, row) in distinct.iter().enumerate() {
                if want & (1 << d) == 0 {
                    continue;
                }
                for (w, v) in row.iter().enumerate().take(nw) {
                    out.nums[vslot(ei, 7 + d, w)] = Num::I(*v);
                }
            }
        }
        debug_assert_eq!(METRICS.len(), 10);
    }

    /// Customer history: known, first order, amounts, new device/address/card/e-mail/IP.
    fn customer(
        &self,
        keys: &EventKeys,
        ck: u64,
        cur: &Rec,
        out: &mut Features,
        (gws, orders): (&mut Vec<u32>, &mut Vec<u32>),
    ) {
        let t = cur.ts;
        let purchase = cur.flags & F_PURCHASE != 0;
        let Some(st) = self.entities.get(&(Entity::Customer, ck)) else {
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

    fn record(&mut self, keys: &EventKeys, rec: Rec) {
        let t = rec.ts;
        if rec.flags & F_PURCHASE != 0 && rec.amount > 0 {
            self.shop.add((rec.amount as f64).ln());
        }
        for ent in VELOCITY {
            let Some(k) = keys.get(ent) else { continue };
            let st = self.entities.entry((ent, k)).or_default();
            st.first_ts = Some(st.first_ts.map_or(t, |f| f.min(t)));
            let pos = st.recs.partition_point(|r| r.ts <= t);
            st.recs.insert(pos, rec);
            let newest = st.recs.back().map_or(t, |r| r.ts);
            let cut = st
                .recs
                .partition_point(|r| r.ts < newest - RETAIN_SECS)
                .max(st.recs.len().saturating_sub(MAX_RECORDS));
            if cut > 0 {
                for r in st.recs.drain(..cut) {
                    st.folded.events += 1;
                    if r.flags & F_PURCHASE != 0 && r.amount > 0 {
                        st.folded.purchases += 1;
                        st.folded.amount_sum = st.folded.amount_sum.saturating_add(r.amount);
                        st.folded.amount_max = st.folded.amount_max.max(r.amount);
                    }
                }
            }
            if ent == Entity::Customer {
                for kind in [
                    Entity::Device,
                    Entity::Address,
                    Entity::Card,
                    Entity::Email,
                    Entity::Phone,
                    Entity::Ip,
                ] {
                    let Some(v) = keys.get(kind) else { continue };
                    let v = trunc(Some(v));
                    if let Some(l) = st
                        .links
                        .iter_mut()
                        .find(|(lk, key, _)| *lk == kind && *key == v)
                    {
                        l.2 = l.2.min(t);
                    } else if st.links.iter().filter(|(lk, _, _)| *lk == kind).count() < MAX_LINKS {
                        st.links.push((kind, v, t));
                    }
                }
            }
        }
    }
}
