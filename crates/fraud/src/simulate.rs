//! Seeded generators of labelled synthetic event streams.
//!
//! A shop's regular customers with stable cards, devices and addresses buy through the month
//! (more in the evening, around payday); among them the hard negatives a careless rule flags:
//! customers abroad, families sharing a tablet, offices sharing an address, declined cards
//! retried, new phones, gifts to a new address, welcome vouchers. Into that traffic go the fraud
//! patterns: card testing, account takeover, a stolen card on a brand-new account, promo abuse,
//! triangulation and failed-payment bursts. Every event carries its label
//! ([`SimLabel`]: `fraud` and the scenario).
//!
//! Two shapes, so tests do not fit one generator:
//!
//! - [`Shape::Shop`]: registered customers, an `order` then a `payment` per purchase, logins
//!   and sign-ups, amounts in ISO 4217 minor units (rupiah × 100);
//! - [`Shape::Guest`]: mostly guest checkouts (no `customer_ref`, the e-mail is the identity),
//!   payments only, amounts in whole rupiah, no logins, card testers rotating IPs and devices,
//!   a different fraud mix.
//!
//! The same seed and parameters always give the same stream.

use crate::event::{Event, EventType, Item, Payment, Shipping, SimLabel};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{OffsetDateTime, UtcOffset};

/// Which generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Registered customers, orders and payments, minor units.
    Shop,
    /// Guest checkouts, payments only, whole rupiah.
    Guest,
}

/// Generator parameters.
#[derive(Debug, Clone)]
pub struct Params {
    /// Seed.
    pub seed: u64,
    /// Approximate number of events.
    pub events: usize,
    /// Days covered.
    pub days: u32,
    /// Generator shape.
    pub shape: Shape,
    /// Unix time of the first day (midnight WIB).
    pub start: i64,
}

impl Params {
    /// Defaults for a seed: 20,000 events over 30 days, shop shape, starting 2026-05-01.
    pub fn new(seed: u64) -> Self {
        Params {
            seed,
            events: 20_000,
            days: 30,
            shape: Shape::Shop,
            start: 1_777_568_400, // 2026-05-01T00:00:00+07:00
        }
    }
}

#[derive(Clone)]
struct Card {
    fp: String,
    bin: String,
    country: &'static str,
}

#[derive(Clone)]
struct Customer {
    cref: Option<String>,
    email: String,
    phone: String,
    created: i64,
    devices: Vec<String>,
    ips: Vec<String>,
    cards: Vec<Card>,
    addresses: Vec<String>,
    city: &'static str,
    mu: f64,
    abroad: Option<&'static str>,
}

const CITIES: [&str; 8] = [
    "Jakarta",
    "Surabaya",
    "Bandung",
    "Medan",
    "Makassar",
    "Yogyakarta",
    "Denpasar",
    "Semarang",
];
const BINS_ID: [&str; 6] = ["421570", "455633", "520191", "542640", "461700", "356789"];
const FOREIGN: [&str; 6] = ["US", "GB", "NG", "BR", "RU", "UA"];
const DISPOSABLE: [&str; 5] = [
    "mailinator.com",
    "yopmail.com",
    "guerrillamail.com",
    "10minutemail.com",
    "tempmail.com",
];
const FREE: [&str; 4] = ["gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com"];

struct Gen {
    rng: StdRng,
    p: Params,
    out: Vec<Event>,
    n: u64,
}

fn hex(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect()
}

impl Gen {
    fn normal(&mut self) -> f64 {
        let u1: f64 = self.rng.gen_range(1e-9..1.0);
        let u2: f64 = self.rng.gen_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Amount for `rupiah` in the shape's unit.
    fn money(&self, rupiah: f64) -> i64 {
        let r = (rupiah / 500.0).round().max(1.0) as i64 * 500;
        match self.p.shape {
            Shape::Shop => r * 100,
            Shape::Guest => r,
        }
    }

    fn card(&mut self, country: &'static str) -> Card {
        let bin = if country == "ID" {
            BINS_ID[self.rng.gen_range(0..BINS_ID.len())].to_string()
        } else {
            format!("4{:05}", self.rng.gen_range(0..100_000))
        };
        Card {
            fp: hex(&mut self.rng, 16),
            bin,
            country,
        }
    }

    fn ip(&mut self) -> String {
        format!(
            "{}.{}.{}.{}",
            [36, 110, 114, 139, 180, 182][self.rng.gen_range(0..6)],
            self.rng.gen_range(0..256),
            self.rng.gen_range(0..256),
            self.rng.gen_range(1..255)
        )
    }

    fn customer(&mut self, created: i64, email_domain: Option<&str>) -> Customer {
        let id = hex(&mut self.rng, 10);
        let domain = email_domain.map_or_else(
            || {
                if self.rng.gen_bool(0.01) {
                    DISPOSABLE[self.rng.gen_range(0..DISPOSABLE.len())].to_string()
                } else {
                    FREE[self.rng.gen_range(0..FREE.len())].to_string()
                }
            },
            str::to_string,
        );
        let ncards = if self.rng.gen_bool(0.3) { 2 } else { 1 };
        let cards = (0..ncards).map(|_| self.card("ID")).collect();
        let dev = format!("dev-{}", hex(&mut self.rng, 12));
        let ips = vec![self.ip(), self.ip()]; // home Wi-Fi and mobile
        Customer {
            cref: match self.p.shape {
                Shape::Shop => Some(format!("cus-{id}")),
                Shape::Guest if self.rng.gen_bool(0.2) => Some(format!("cus-{id}")),
                Shape::Guest => None,
            },
            email: format!("u{id}@{domain}"),
            phone: format!("08{}", self.rng.gen_range(100_000_000u64..999_999_999)),
            created,
            devices: vec![dev],
            ips,
            cards,
            addresses: vec![hex(&mut self.rng, 20)],
            city: CITIES[self.rng.gen_range(0..CITIES.len())],
            mu: (150_000f64).ln() + 0.4 * self.normal(),
            abroad: None,
        }
    }

    /// A time on `day` following the shop's diurnal curve (WIB evenings busiest).
    fn time_on(&mut self, day: u32) -> i64 {
        let hour = loop {
            let h = self.rng.gen_range(0..24);
            let w = match h {
                0..=5 => 0.15,
                6..=10 => 0.6,
                11..=17 => 0.8,
                _ => 1.0,
            };
            if self.rng.gen_bool(w) {
                break h;
            }
        };
        self.p.start + i64::from(day) * 86_400 + hour * 3_600 + self.rng.gen_range(0..3_600)
    }

    fn base(&mut self, t: i64, kind: EventType, scenario: &str, fraud: bool) -> Event {
        self.n += 1;
        let ts = OffsetDateTime::from_unix_timestamp(t)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC));
        Event {
            id: format!("sim{}-{}", self.p.seed, self.n),
            ts,
            kind,
            order_id: None,
            customer_ref: None,
            account_created_at: None,
            email: None,
            phone: None,
            amount: None,
            currency: None,
            payment: None,
            ip: None,
            ip_country: None,
            device_id: None,
            billing_country: None,
            shipping: None,
            items: None,
            promo_code: None,
            label: Some(SimLabel {
                fraud,
                scenario: scenario.to_string(),
            }),
        }
    }

    fn who(&self, e: &mut Event, c: &Customer, dev: usize, ip: usize) {
        e.customer_ref.clone_from(&c.cref);
        e.email = Some(c.email.clone());
        e.phone = Some(c.phone.clone());
        e.account_created_at = c
            .cref
            .as_ref()
            .and_then(|_| OffsetDateTime::from_unix_timestamp(c.created).ok());
        e.device_id = c.devices.get(dev).cloned();
        e.ip = c.ips.get(ip).cloned();
        e.ip_country = Some(c.abroad.unwrap_or("ID").to_string());
    }

    /// One purchase: (login) + (order) + payment(s). `declines` failed attempts come first.
    #[allow(clippy::too_many_arguments)]
    fn purchase(
        &mut self,
        t: i64,
        c: &Customer,
        (dev, ip, addr, card): (usize, usize, usize, Option<usize>),
        rupiah: f64,
        declines: usize,
        promo: Option<&str>,
        scenario: &str,
        fraud: bool,
    ) {
        let amount = self.money(rupiah);
        let order_id = format!("ORD-{}", hex(&mut self.rng, 8));
        let method = match card {
            Some(_) => "card",
            None => ["ewallet", "qris", "va", "ewallet", "cod"][self.rng.gen_range(0..5)],
        };
        let gateway = ["midtrans", "xendit", "stripe"][self.rng.gen_range(0..3)];
        let ship = Shipping {
            country: Some("ID".into()),
            city: Some(c.city.into()),
            postal_code: Some(format!("{}", self.rng.gen_range(10_000..99_999))),
            address_hash: c.addresses.get(addr).cloned(),
        };
        if self.p.shape == Shape::Shop && c.cref.is_some() && !fraud && self.rng.gen_bool(0.3) {
            let mut l = self.base(t - 120, EventType::Login, scenario, fraud);
            self.who(&mut l, c, dev, ip);
            self.out.push(l);
        }
        let mut tt = t;
        if self.p.shape == Shape::Shop {
            let mut o = self.base(tt, EventType::Order, scenario, fraud);
            self.who(&mut o, c, dev, ip);
            o.order_id = Some(order_id.clone());
            o.amount = Some(amount);
            o.currency = Some("IDR".into());
            o.shipping = Some(ship.clone());
            o.billing_country = Some("ID".into());
            o.promo_code = promo.map(str::to_string);
            // The order records how the customer chose to pay (the outcome comes with the
            // payment event).
            let cd = card.and_then(|i| c.cards.get(i));
            o.payment = Some(Payment {
                method: Some(method.into()),
                gateway: Some(gateway.into()),
                card_fingerprint: cd.map(|k| k.fp.clone()),
                card_bin: cd.map(|k| k.bin.clone()),
                card_country: cd.map(|k| k.country.to_string()),
                card_last4: None,
                status: None,
            });
            o.items = Some(vec![Item {
                sku: Some(format!("SKU-{}", self.rng.gen_range(100..140))),
                qty: Some(self.rng.gen_range(1..4)),
                price: Some(amount),
            }]);
            self.out.push(o);
            tt += 30;
        }
        for attempt in 0..=declines {
            let declined = attempt < declines;
            let mut p = self.base(tt, EventType::Payment, scenario, fraud);
            self.who(&mut p, c, dev, ip);
            p.order_id = Some(order_id.clone());
            p.amount = Some(amount);
            p.currency = Some("IDR".into());
            p.shipping = Some(ship.clone());
            p.billing_country = Some("ID".into());
            p.promo_code = promo.map(str::to_string);
            let cd = card.and_then(|i| c.cards.get(i));
            p.payment = Some(Payment {
                method: Some(method.into()),
                gateway: Some(gateway.into()),
                card_fingerprint: cd.map(|k| k.fp.clone()),
                card_bin: cd.map(|k| k.bin.clone()),
                card_country: cd.map(|k| k.country.to_string()),
                card_last4: cd.map(|_| format!("{:04}", self.rng.gen_range(0..10_000))),
                status: Some(if declined { "declined" } else { "captured" }.into()),
            });
            self.out.push(p);
            tt += self.rng.gen_range(40..300);
        }
    }
}

/// Generates a labelled stream, sorted by time.
pub fn generate(p: &Params) -> Vec<Event> {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(
            p.seed
                ^ if p.shape == Shape::Guest {
                    0x9e37_79b9
                } else {
                    0
                },
        ),
        p: p.clone(),
        out: Vec::with_capacity(p.events + 1_000),
        n: 0,
    };
    let shop = p.shape == Shape::Shop;
    let per_purchase = if shop { 2.4 } else { 1.1 };
    let purchases = ((p.events as f64 * 0.94) / per_purchase) as usize;
    let ncust = (purchases / 4).max(20);
    let mut custs: Vec<Customer> = Vec::with_capacity(ncust);
    for _ in 0..ncust {
        let created = p.start - g.rng.gen_range(1..400) * 86_400;
        let mut c = g.customer(created, None);
        if g.rng.gen_bool(0.05) {
            c.abroad = Some(["SG", "MY", "AU", "JP"][g.rng.gen_range(0..4)]);
        }
        custs.push(c);
    }
    // Families: 2-4 customers share a tablet and an address. Offices: many share an address.
    let mut i = 0;
    while i + 4 < custs.len() / 3 {
        let k = g.rng.gen_range(2..5);
        let (dev, addr) = (custs[i].devices[0].clone(), custs[i].addresses[0].clone());
        for c in &mut custs[i + 1..i + k] {
            c.devices.push(dev.clone());
            c.addresses[0].clone_from(&addr);
        }
        i += k + 3;
    }
    for _ in 0..(ncust / 60).max(1) {
        let addr = hex(&mut g.rng, 20);
        let n = g.rng.gen_range(5..15);
        for _ in 0..n {
            let j = g.rng.gen_range(0..custs.len());
            custs[j].addresses.push(addr.clone());
        }
    }
    // Regular traffic, in time order (a customer's new phone is used from then on).
    let mut times: Vec<i64> = (0..purchases)
        .map(|_| {
            let day = g.rng.gen_range(0..p.days);
            g.time_on(day)
        })
        .collect();
    times.sort_unstable();
    for t in times {
        // A few loyal customers buy often.
        let j = if g.rng.gen_bool(0.3) {
            g.rng.gen_range(0..ncust.min(50))
        } else {
            g.rng.gen_range(0..ncust)
        };
        let mut scenario = "regular";
        if g.rng.gen_bool(0.02) {
            let d = format!("dev-{}", hex(&mut g.rng, 12));
            custs[j].devices.push(d); // a new phone, kept from now on
            scenario = "new_phone";
        }
        if g.rng.gen_bool(0.1) {
            let ip = g.ip(); // mobile networks hand out new addresses
            custs[j].ips.push(ip);
        }
        if g.rng.gen_bool(0.03) {
            let a = hex(&mut g.rng, 20); // a gift to someone else's address
            custs[j].addresses.push(a);
            scenario = "gift";
        }
        let c = &custs[j];
        let dev = c.devices.len() - 1;
        let ip = if scenario == "regular" {
            g.rng.gen_range(0..c.ips.len())
        } else {
            c.ips.len() - 1
        };
        let addr = if scenario == "gift" {
            c.addresses.len() - 1
        } else {
            g.rng.gen_range(0..c.addresses.len())
        };
        let card = if g.rng.gen_bool(if shop { 0.2 } else { 0.35 }) {
            Some(g.rng.gen_range(0..c.cards.len()))
        } else {
            None
        };
        let declines = match (card, g.rng.gen_range(0..100)) {
            (Some(_), 0..=4) => {
                scenario = "declined_retry";
                1
            }
            (Some(_), 5) => {
                scenario = "declined_retry";
                2
            }
            _ => 0,
        };
        let rupiah = (c.mu + 0.6 * g.normal()).exp();
        let promo = g.rng.gen_bool(0.05).then_some("GAJIAN");
        let c = &custs[j];
        g.purchase(
            t,
            c,
            (dev, ip, addr, card),
            rupiah,
            declines,
            promo,
            scenario,
            false,
        );
    }
    // Legitimate new customers: sign up and buy at once, often with the welcome voucher.
    for _ in 0..purchases / 25 {
        let day = g.rng.gen_range(0..p.days);
        let t = g.time_on(day);
        let c = g.customer(t, None);
        if shop {
            let mut s = g.base(t - 60, EventType::Signup, "new_customer", false);
            g.who(&mut s, &c, 0, 0);
            g.out.push(s);
        }
        let rupiah = (c.mu + 0.6 * g.normal()).exp();
        let promo = g.rng.gen_bool(0.6).then_some("WELCOME10");
        let card = g.rng.gen_bool(0.2).then_some(0);
        g.purchase(
            t,
            &c,
            (0, 0, 0, card),
            rupiah,
            0,
            promo,
            "new_customer",
            false,
        );
    }
    fraud(&mut g, &custs);
    g.out.sort_by_key(|e| e.ts);
    g.out
}

fn fraud(g: &mut Gen, custs: &[Customer]) {
    let p = g.p.clone();
    let shop = p.shape == Shape::Shop;
    let budget = p.events / 18; // about 5 % of the stream is fraud
    let mut spent = 0;
    let mut k = 0u32;
    while spent < budget {
        let day = g.rng.gen_range(0..p.days);
        let t = g.time_on(day);
        let before = g.out.len();
        let pick = if shop {
            k % 6
        } else {
            [0, 2, 2, 3, 5, 0][(k % 6) as usize]
        };
        k += 1;
        match pick {
            0 => {
                // Card testing: many cards, small amounts, mostly declined, 1-3 IPs/devices.
                let n = g.rng.gen_range(if shop { 20..120 } else { 15..80 });
                let nodes = if shop { 1 } else { 3 };
                let tester = g.customer(t, None);
                let mut guest = tester;
                guest.cref = None;
                guest.devices = (0..nodes)
                    .map(|_| format!("dev-{}", hex(&mut g.rng, 12)))
                    .collect();
                guest.ips = (0..nodes).map(|_| g.ip()).collect();
                for a in 0..n {
                    let country = if g.rng.gen_bool(0.5) { "ID" } else { "US" };
                    let card = g.card(country);
                    guest.cards = vec![card];
                    let tt = t + a as i64 * g.rng.gen_range(5..40);
                    let declined = g.rng.gen_bool(0.85);
                    let rupiah = g.rng.gen_range(1_000.0..10_000.0);
                    let node = a % nodes;
                    let mut e = g.base(tt, EventType::Payment, "card_testing", true);
                    g.who(&mut e, &guest, node, node);
                    e.amount = Some(g.money(rupiah));
                    e.currency = Some("IDR".into());
                    e.payment = Some(Payment {
                        method: Some("card".into()),
                        gateway: Some("stripe".into()),
                        card_fingerprint: Some(guest.cards[0].fp.clone()),
                        card_bin: Some(guest.cards[0].bin.clone()),
                        card_country: Some(guest.cards[0].country.into()),
                        card_last4: Some("0000".into()),
                        status: Some(if declined { "declined" } else { "authorized" }.into()),
                    });
                    g.out.push(e);
                }
            }
            1 => {
                // Account takeover: known customer, new device and IP, new address, big order.
                let j = g.rng.gen_range(0..custs.len().min(50));
                let mut victim = custs[j].clone();
                let t = t.max(p.start + 5 * 86_400);
                let dev = format!("dev-{}", hex(&mut g.rng, 12));
                victim.devices.push(dev);
                let ip = format!(
                    "{}.{}.{}.{}",
                    103,
                    g.rng.gen_range(0..256),
                    g.rng.gen_range(0..256),
                    7
                );
                victim.ips.push(ip);
                let addr = hex(&mut g.rng, 20);
                victim.addresses.push(addr);
                if g.rng.gen_bool(0.5) {
                    let c = g.card("ID");
                    victim.cards.push(c);
                }
                let old_email = victim.email.clone();
                if g.rng.gen_bool(0.3) {
                    victim.email = format!("x{}@{}", hex(&mut g.rng, 8), FREE[0]);
                }
                let victim = &victim;
                let (d, i, a) = (
                    victim.devices.len() - 1,
                    victim.ips.len() - 1,
                    victim.addresses.len() - 1,
                );
                let mut l = g.base(t - 600, EventType::Login, "account_takeover", true);
                g.who(&mut l, victim, d, i);
                l.email = Some(old_email);
                g.out.push(l);
                let rupiah = (victim.mu + 1.2 + 0.3 * g.normal()).exp();
                let card = Some(victim.cards.len() - 1);
                for r in 0..g.rng.gen_range(1..3) {
                    g.purchase(
                        t + r * 900,
                        victim,
                        (d, i, a, card),
                        rupiah,
                        0,
                        None,
                        "account_takeover",
                        true,
                    );
                }
            }
            2 => {
                // Stolen card on a brand-new account.
                let disposable = g.rng.gen_bool(0.6);
                let dom = DISPOSABLE[g.rng.gen_range(0..DISPOSABLE.len())];
                let age = g.rng.gen_range(60..3_600);
                let mut c = g.customer(t - age, disposable.then_some(dom));
                if !shop {
                    c.cref = Some(format!("cus-{}", hex(&mut g.rng, 10)));
                }
                let foreign = FOREIGN[g.rng.gen_range(0..FOREIGN.len())];
                if g.rng.gen_bool(0.5) {
                    c.cards = vec![g.card(foreign)];
                }
                if g.rng.gen_bool(0.3) {
                    c.abroad = Some(foreign);
                }
                let rupiah = (c.mu + 1.6 + 0.4 * g.normal()).exp();
                if shop {
                    let mut s = g.base(
                        c.created,
                        EventType::Signup,
                        "stolen_card_new_account",
                        true,
                    );
                    g.who(&mut s, &c, 0, 0);
                    g.out.push(s);
                }
                g.purchase(
                    t,
                    &c,
                    (0, 0, 0, Some(0)),
                    rupiah,
                    0,
                    None,
                    "stolen_card_new_account",
                    true,
                );
            }
            3 => {
                // Promo abuse: new accounts on one device redeeming the welcome voucher.
                let dev = format!("dev-{}", hex(&mut g.rng, 12));
                let ip = g.ip();
                for a in 0..g.rng.gen_range(3..8) {
                    let tt = t + a * g.rng.gen_range(600..7_200);
                    let mut c = g.customer(tt - 120, None);
                    c.devices = vec![dev.clone()];
                    c.ips = vec![ip.clone()];
                    if !shop {
                        c.cref = Some(format!("cus-{}", hex(&mut g.rng, 10)));
                    }
                    if shop {
                        let mut s = g.base(tt - 120, EventType::Signup, "promo_abuse", true);
                        g.who(&mut s, &c, 0, 0);
                        g.out.push(s);
                    }
                    let rupiah = (c.mu + 0.3 * g.normal()).exp();
                    g.purchase(
                        tt,
                        &c,
                        (0, 0, 0, None),
                        rupiah,
                        0,
                        Some("WELCOME10"),
                        "promo_abuse",
                        true,
                    );
                }
            }
            4 => {
                // Triangulation: a reseller pays with many stolen cards from one or two
                // accounts, shipping to a few of its buyers' addresses.
                let age = 86_400 * g.rng.gen_range(1..20);
                let mut c = g.customer(t - age, None);
                c.addresses = (0..2).map(|_| hex(&mut g.rng, 20)).collect();
                let ncards = g.rng.gen_range(6..12);
                c.cards = (0..ncards).map(|_| g.card("ID")).collect();
                let mut tt = t;
                for n in 0..c.cards.len() {
                    tt += g.rng.gen_range(1_200..21_600);
                    let rupiah = (c.mu + 0.5 + 0.3 * g.normal()).exp();
                    g.purchase(
                        tt,
                        &c,
                        (0, 0, n % 2, Some(n)),
                        rupiah,
                        0,
                        None,
                        "triangulation",
                        true,
                    );
                }
            }
            _ => {
                // Failed-payment burst: one customer, declines across gateways and cards.
                let j = g.rng.gen_range(0..custs.len());
                let mut c = custs[j].clone();
                let c2 = g.card("ID");
                c.cards.push(c2);
                let c = &c;
                let n = g.rng.gen_range(4..9);
                for a in 0..n {
                    let gap = g.rng.gen_range(30..300);
                    let mut e = g.base(
                        t + a * gap,
                        EventType::Payment,
                        "failed_payment_burst",
                        true,
                    );
                    g.who(&mut e, c, c.devices.len() - 1, c.ips.len() - 1);
                    e.amount = Some(g.money((c.mu).exp()));
                    e.currency = Some("IDR".into());
                    let card = &c.cards[a as usize % c.cards.len()];
                    e.payment = Some(Payment {
                        method: Some("card".into()),
                        gateway: Some(["midtrans", "xendit", "stripe"][a as usize % 3].into()),
                        card_fingerprint: Some(card.fp.clone()),
                        card_bin: Some(card.bin.clone()),
                        card_country: Some(card.country.into()),
                        card_last4: Some("1234".into()),
                        status: Some("declined".into()),
                    });
                    g.out.push(e);
                }
            }
        }
        spent += g.out.len() - before;
    }
}
