//! Feature state over time windows, computed as of each event's own time.
//!
//! Per entity key (card, e-mail, customer, device, IP, address, BIN, promo code) the store keeps
//! a time-sorted list of compact records (time, amount, truncated keys of the card, customer and
//! device, flags) for the last 31 days; older records are folded into all-time aggregates. An
//! event is scored against the records with a time at or before its own `ts`, so replaying a
//! file (in any order) gives the features the server computed live: velocity windows and the
//! customer's purchases come from incremental aggregates (see `window.rs` and
//! `customer.rs`; out-of-order events take a scan of the records). A customer also keeps the
//! devices, addresses, cards, e-mails, phones and IPs it has used, with the first time each was
//! seen (for "new device for a known customer").

use crate::event::{Event, EventType};
use crate::keys::{Entity, EventKeys, VELOCITY};
use crate::lists;
use crate::names::{N, N_NUM, vslot};
use crate::scan::Distinct;
pub use crate::scan::Needs;
use crate::window::{
    DISTINCT0, EntityState, F_CHARGEBACK, F_DECLINED, F_NEW_ACCOUNT, F_PROMO, F_PURCHASE, F_REFUND,
    F_SMALL, FastMap, KeyHasher, Rec, Velocity,
};
pub use crate::window::{MAX_RECORDS, RETAIN_SECS};
use std::hash::Hasher;

/// Most linked values (devices, cards …) remembered per customer and kind.
const MAX_LINKS: usize = 48;

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

    pub(crate) fn set(&mut self, n: N, v: Num) {
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
    /// Computes every velocity feature by backward scans (the reference, for tests).
    force_scan: bool,
}

pub(crate) fn trunc(k: Option<u64>) -> u32 {
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

    /// A store that computes every velocity feature by backward scans over the records (the
    /// straightforward reference the window aggregates are tested against).
    #[cfg(test)]
    pub(crate) fn scanning() -> Self {
        FeatureStore {
            force_scan: true,
            ..Self::default()
        }
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
        if ev.kind == EventType::Refund {
            flags |= F_REFUND;
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
            let st = self.entities.get_mut(&(Entity::Customer, ck));
            let scan = self.force_scan;
            crate::customer::history(st, keys, &rec, out, (&mut gws, &mut orders), scan);
            self.cust_scratch = (gws, orders);
        } else {
            out.set(N::IsFirstOrder, Num::B(purchase));
        }
        rec
    }

    /// Velocity metrics of one entity for the first `nw` windows (distinct counts only when
    /// read): from the entity's window aggregates when the event comes at or after its
    /// records, else by a backward scan (see [`crate::window`]).
    fn velocity(
        &mut self,
        ei: usize,
        key: (Entity, u64),
        cur: &Rec,
        (nw, want): (usize, u8),
        out: &mut Features,
    ) {
        let mut v: Velocity = [[0; crate::names::WINDOWS.len()]; DISTINCT0 + 3];
        match self.entities.get_mut(&key) {
            Some(st) if !self.force_scan && st.in_order(cur.ts) => {
                st.velocity(cur, nw, want, &mut v);
            }
            st => {
                let recs = st.map(|st| &st.recs);
                crate::window::scan(recs, cur, (nw, want), &mut self.scratch, &mut v);
            }
        }
        for (m, row) in v.iter().enumerate() {
            if m >= DISTINCT0 && want & (1 << (m - DISTINCT0)) == 0 {
                continue;
            }
            for (w, x) in row.iter().enumerate().take(nw) {
                out.nums[vslot(ei, m, w)] = Num::I(*x);
            }
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
            st.insert(rec);
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
