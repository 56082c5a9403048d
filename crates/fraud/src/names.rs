//! The feature catalogue: every name a rule can use, its type and what it means.
//!
//! Two families:
//!
//! - event features (`amount`, `card_country`, `new_device_for_customer`, …), listed in
//!   [`EVENT_FEATURES`];
//! - velocity features `{entity}_{metric}_{window}` for every entity in
//!   [`VELOCITY`], metric in [`METRICS`] and window in [`WINDOWS`], e.g.
//!   `ip_cards_10m` (distinct cards seen from this IP in the last 10 minutes). Velocity
//!   features count the current event too, as of its own `ts`.
//!
//! Missing values read as `""`, `0` or `false` (never `null`), so a rule need not guard
//! against absent fields; `has_*` features tell absent from zero where that matters.

use crate::event::Event;
use crate::keys::VELOCITY;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a: the catalogue's names are fixed, short and not attacker-chosen.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The value type of a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit integer.
    Int,
    /// Double.
    Float,
    /// Boolean.
    Bool,
    /// String.
    Str,
}

impl Kind {
    /// The CEL type name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Int => "int",
            Kind::Float => "double",
            Kind::Bool => "bool",
            Kind::Str => "string",
        }
    }
}

/// The time windows of velocity features: name and length in seconds.
pub const WINDOWS: [(&str, i64); 5] = [
    ("10m", 600),
    ("1h", 3_600),
    ("24h", 86_400),
    ("7d", 604_800),
    ("30d", 2_592_000),
];

/// The velocity metrics: name and meaning.
pub const METRICS: [(&str, &str); 11] = [
    ("count", "events"),
    ("sum", "sum of amounts (minor units)"),
    ("declines", "declined or failed payments"),
    (
        "small",
        "small amounts (under a tenth of the shop's typical amount): card testing",
    ),
    ("chargebacks", "chargebacks"),
    ("promos", "events with a promo code"),
    ("new_accounts", "events from accounts younger than 24 hours"),
    ("refunds", "refunds (money returned to the customer)"),
    ("cards", "distinct card fingerprints"),
    ("customers", "distinct customers"),
    ("devices", "distinct devices"),
];

macro_rules! event_features {
    ($( $var:ident = $name:literal : $kind:ident, $doc:literal; )*) => {
        /// Indexes of the numeric event features.
        #[derive(Debug, Clone, Copy)]
        #[repr(usize)]
        #[allow(missing_docs)]
        pub(crate) enum N { $($var),* }
        /// The event features (numeric and boolean): name, type, meaning.
        pub const EVENT_FEATURES: &[(&str, Kind, &str)] = &[ $(($name, Kind::$kind, $doc)),* ];
    };
}

event_features! {
    Amount = "amount": Int, "the amount in minor units (0 when missing)";
    AmountMajor = "amount_major": Float, "the amount in major units (rupiah, dollars) per ISO 4217";
    Declined = "declined": Bool, "the payment status is declined, denied or failed";
    HasCard = "has_card": Bool, "the event has a card fingerprint";
    HasEmail = "has_email": Bool, "the event has an e-mail address";
    HasCustomer = "has_customer": Bool, "the event has a customer (customer_ref or e-mail)";
    HasDevice = "has_device": Bool, "the event has a device id";
    HasIp = "has_ip": Bool, "the event has an IP address";
    HasAddress = "has_address": Bool, "the event has a shipping address hash";
    HasPromo = "has_promo": Bool, "the event has a promo code";
    ItemsCount = "items_count": Int, "number of line items";
    ItemsQty = "items_qty": Int, "total quantity of the line items";
    HourWib = "hour_wib": Int, "hour of day in Western Indonesian Time (UTC+7), 0-23";
    AccountAgeHours = "account_age_hours": Float, "hours since account_created_at (-1 when unknown)";
    HasAccountAge = "has_account_age": Bool, "account_created_at is known";
    CustomerKnown = "customer_known": Bool, "the customer has earlier events";
    CustomerEventsBefore = "customer_events_before": Int, "the customer's earlier events";
    CustomerOrdersBefore = "customer_orders_before": Int, "the customer's earlier successful orders and payments";
    CustomerDaysKnown = "customer_days_known": Float, "days since the customer's first event";
    IsFirstOrder = "is_first_order": Bool, "an order or payment with no earlier successful one for this customer";
    NewDevice = "new_device_for_customer": Bool, "a known customer on a device never seen for them";
    NewAddress = "new_address_for_customer": Bool, "a known customer shipping to an address never seen for them";
    NewCard = "new_card_for_customer": Bool, "a known customer paying with a card never seen for them";
    NewEmail = "new_email_for_customer": Bool, "a known customer with an e-mail address never seen for them";
    NewPhone = "new_phone_for_customer": Bool, "a known customer with a phone number never seen for them";
    NewIp = "new_ip_for_customer": Bool, "a known customer from an IP address never seen for them";
    CustomerAvgAmount = "customer_avg_amount": Float, "the customer's average earlier amount (0 when none)";
    CustomerMaxAmount = "customer_max_amount": Int, "the customer's largest earlier amount (0 when none)";
    AmountVsCustomerAvg = "amount_vs_customer_avg": Float, "amount / the customer's average earlier amount (0 when no history)";
    AmountVsCustomerMax = "amount_vs_customer_max": Float, "amount / the customer's largest earlier amount (0 when no history)";
    AmountShopRatio = "amount_shop_ratio": Float, "amount / the shop's typical (geometric mean) amount (0 until 30 amounts are seen)";
    AmountShopZ = "amount_shop_z": Float, "z-score of log(amount) against the shop's amounts (0 until 30 are seen)";
    SmallAmount = "small_amount": Bool, "amount under a tenth of the shop's typical amount";
    EmailDisposable = "email_disposable": Bool, "the e-mail domain is on the shipped disposable-domain list";
    EmailFree = "email_free": Bool, "the e-mail domain is a free webmail provider";
    CardIpMismatch = "card_ip_country_mismatch": Bool, "card country and IP country are both known and differ";
    CardShipMismatch = "card_shipping_country_mismatch": Bool, "card country and shipping country are both known and differ";
    IpShipMismatch = "ip_shipping_country_mismatch": Bool, "IP country and shipping country are both known and differ";
    BillShipMismatch = "billing_shipping_country_mismatch": Bool, "billing and shipping country are both known and differ";
    CustomerGateways1h = "customer_gateways_1h": Int, "distinct payment gateways or methods the customer used in the last hour";
}

/// The string features, read straight from the event.
pub const STRING_FEATURES: &[(&str, &str)] = &[
    (
        "event_type",
        "payment, order, refund, chargeback, login or signup",
    ),
    ("currency", "ISO 4217 code"),
    ("payment_method", "card, va, ewallet, qris, cod …"),
    ("payment_status", "authorized, captured, declined …"),
    ("gateway", "midtrans, xendit, stripe …"),
    ("card_bin", "the card's first digits"),
    ("card_country", "the card's issuing country"),
    ("ip_country", "the IP address's country"),
    ("billing_country", "billing country"),
    ("shipping_country", "shipping country"),
    ("shipping_city", "shipping city"),
    ("promo_code", "the promo code (upper case)"),
];

fn string_field(i: usize) -> fn(&Event) -> &str {
    fn s(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    match i {
        0 => |e| e.kind.as_str(),
        1 => |e| s(&e.currency),
        2 => |e| e.payment.as_ref().map_or("", |p| s(&p.method)),
        3 => |e| e.payment.as_ref().map_or("", |p| s(&p.status)),
        4 => |e| e.payment.as_ref().map_or("", |p| s(&p.gateway)),
        5 => |e| e.payment.as_ref().map_or("", |p| s(&p.card_bin)),
        6 => |e| e.payment.as_ref().map_or("", |p| s(&p.card_country)),
        7 => |e| s(&e.ip_country),
        8 => |e| s(&e.billing_country),
        9 => |e| e.shipping.as_ref().map_or("", |p| s(&p.country)),
        10 => |e| e.shipping.as_ref().map_or("", |p| s(&p.city)),
        _ => |e| s(&e.promo_code),
    }
}

/// Where a feature's value comes from.
#[derive(Clone, Copy)]
pub(crate) enum Slot {
    /// Index into [`crate::features::Features`]'s numbers.
    Num(usize),
    /// Read from the event.
    Str(fn(&Event) -> &str),
}

/// One entry of the catalogue.
#[derive(Debug, Clone)]
pub struct FeatureDef {
    /// The name rules use.
    pub name: String,
    /// Its type.
    pub kind: Kind,
    /// What it means.
    pub doc: String,
}

/// The whole catalogue.
pub struct Registry {
    /// Every feature, in table order.
    pub defs: Vec<FeatureDef>,
    pub(crate) slots: Vec<Slot>,
    index: HashMap<String, usize, BuildHasherDefault<Fnv>>,
}

/// Number of numeric slots: event features, then velocity features.
pub(crate) const N_EVENT: usize = EVENT_FEATURES.len();
/// Slots per velocity entity.
pub(crate) const PER_ENTITY: usize = METRICS.len() * WINDOWS.len();
/// All numeric slots.
pub(crate) const N_NUM: usize = N_EVENT + VELOCITY.len() * PER_ENTITY;

/// The slot of velocity metric `m` over window `w` for the `e`-th velocity entity.
pub(crate) const fn vslot(e: usize, m: usize, w: usize) -> usize {
    N_EVENT + e * PER_ENTITY + m * WINDOWS.len() + w
}

impl Registry {
    fn build() -> Registry {
        let mut defs = Vec::new();
        let mut slots = Vec::new();
        for (i, (name, doc)) in STRING_FEATURES.iter().enumerate() {
            defs.push(FeatureDef {
                name: name.to_string(),
                kind: Kind::Str,
                doc: doc.to_string(),
            });
            slots.push(Slot::Str(string_field(i)));
        }
        for (i, (name, kind, doc)) in EVENT_FEATURES.iter().enumerate() {
            defs.push(FeatureDef {
                name: name.to_string(),
                kind: *kind,
                doc: doc.to_string(),
            });
            slots.push(Slot::Num(i));
        }
        for (e, ent) in VELOCITY.iter().enumerate() {
            for (m, (metric, mdoc)) in METRICS.iter().enumerate() {
                for (w, (win, _)) in WINDOWS.iter().enumerate() {
                    defs.push(FeatureDef {
                        name: format!("{}_{metric}_{win}", ent.as_str()),
                        kind: Kind::Int,
                        doc: format!("{mdoc} for this {} in the last {win}", ent.as_str()),
                    });
                    slots.push(Slot::Num(vslot(e, m, w)));
                }
            }
        }
        let index = defs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i))
            .collect();
        Registry { defs, slots, index }
    }

    /// The feature called `name`.
    pub(crate) fn slot(&self, name: &str) -> Option<Slot> {
        self.index.get(name).map(|&i| self.slots[i])
    }

    /// The catalogue index of `name` (into `defs` and `slots`).
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Whether `name` is a feature.
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

/// The entity, metric name and window length (seconds) of a velocity feature
/// (`ip_cards_10m` → IP, `cards`, 600); `None` for other names.
pub fn velocity_of(name: &str) -> Option<(crate::keys::Entity, &'static str, i64)> {
    let Slot::Num(i) = registry().slot(name)? else {
        return None;
    };
    let v = i.checked_sub(N_EVENT)?;
    let (e, m, w) = (
        v / PER_ENTITY,
        (v % PER_ENTITY) / WINDOWS.len(),
        v % WINDOWS.len(),
    );
    Some((VELOCITY[e], METRICS[m].0, WINDOWS[w].1))
}

/// The catalogue (built once).
pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::build)
}
