//! A third labelled stream generator, "market", written apart from the crate's own simulator and
//! never used to tune the shipped rules: a marketplace whose idea of a shop differs from
//! `jaga_fraud::simulate`.
//!
//! - Traffic volume is a parameter ([`MarketParams::per_day`], 500 to 50,000 events a day and
//!   more), with weekday swings; the returning customers' share of purchases and the guest
//!   share are parameters too. Popularity among returning customers is heavy-tailed, so at high
//!   volume the busiest regular customers buy many times a day.
//! - Mobile buyers come through carrier-grade NAT: their IP address is drawn per session from
//!   a pool of shared carrier addresses, whatever the volume.
//! - Fraud: slow card testing spread over hours, fast card testing through rotating proxies
//!   on one BIN, account takeover (a login from a new device and IP, then orders to a new
//!   address with the saved card), refund abuse, friendly-fraud chargebacks, stolen cards on
//!   guest checkouts (their chargebacks arrive weeks later), collusive promo rings of 3-20
//!   accounts.
//! - Honest hard negatives: resellers buying in bulk every day, offices behind one IP
//!   address, families sharing a tablet and a card, flash sales (hundreds of buyers within
//!   ten minutes through a handful of carrier addresses, many of them new accounts with the
//!   sale's voucher), travellers abroad, new phones, house moves, declined cards retried,
//!   ordinary returns.
//!
//! Amounts are in minor units (rupiah × 100). Every event carries its label.

use jaga_fraud::event::{Event, EventType, Item, Payment, Shipping, SimLabel};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{OffsetDateTime, UtcOffset};

mod fraud;
use fraud::fraud;

/// Parameters of the market generator.
#[derive(Debug, Clone)]
pub struct MarketParams {
    /// Seed.
    pub seed: u64,
    /// Mean events per day.
    pub per_day: usize,
    /// Days covered.
    pub days: u32,
    /// Share of purchases made by returning customers (the rest: first-time buyers).
    pub returning: f64,
    /// Share of first-time buyers checking out as guests (no account).
    pub guest: f64,
    /// Approximate share of fraud events.
    pub fraud_share: f64,
}

impl MarketParams {
    /// Defaults for a seed: 2,000 events a day for 14 days.
    pub fn new(seed: u64) -> Self {
        MarketParams {
            seed,
            per_day: 2_000,
            days: 14,
            returning: 0.6,
            guest: 0.4,
            fraud_share: 0.05,
        }
    }
}

const START: i64 = 1_788_195_600; // 2026-09-01T00:00:00+07:00
const CITIES: [&str; 6] = [
    "Jakarta Selatan",
    "Bekasi",
    "Tangerang",
    "Palembang",
    "Balikpapan",
    "Malang",
];
const ID_BINS: [&str; 8] = [
    "437527", "489087", "523984", "552338", "410505", "474711", "536184", "421888",
];
const DOMAINS: [&str; 5] = [
    "gmail.com",
    "yahoo.co.id",
    "ymail.com",
    "hotmail.com",
    "icloud.com",
];
const THROWAWAY: [&str; 3] = ["sharklasers.com", "trashmail.com", "maildrop.cc"];

#[derive(Clone)]
struct Card {
    fp: String,
    bin: String,
    country: &'static str,
}

#[derive(Clone)]
struct Person {
    cref: Option<String>,
    email: String,
    phone: String,
    created: i64,
    devices: Vec<String>,
    home_ip: String,
    mobile: bool,
    cards: Vec<Card>,
    addrs: Vec<String>,
    city: &'static str,
    mu: f64,
    abroad: Option<(&'static str, i64, i64)>,
}

struct Market {
    rng: StdRng,
    p: MarketParams,
    out: Vec<Event>,
    n: u64,
    carrier: Vec<String>,
}

fn tok(rng: &mut StdRng, n: usize) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| A[rng.gen_range(0..A.len())] as char)
        .collect()
}

impl Market {
    fn gauss(&mut self) -> f64 {
        let u1: f64 = self.rng.gen_range(1e-9..1.0);
        let u2: f64 = self.rng.gen_range(0.0..1.0);
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).sin()
    }

    fn rupiah(rp: f64) -> i64 {
        ((rp / 100.0).round().max(10.0) as i64) * 100 * 100
    }

    fn card(&mut self, country: &'static str) -> Card {
        let bin = if country == "ID" {
            ID_BINS[self.rng.gen_range(0..ID_BINS.len())].to_string()
        } else {
            format!("5{:05}", self.rng.gen_range(0..100_000))
        };
        Card {
            fp: format!("fp_{}", tok(&mut self.rng, 20)),
            bin,
            country,
        }
    }

    fn fixed_ip(&mut self) -> String {
        format!(
            "{}.{}.{}.{}",
            [125, 202, 103, 118][self.rng.gen_range(0..4)],
            self.rng.gen_range(0..256),
            self.rng.gen_range(0..256),
            self.rng.gen_range(2..254)
        )
    }

    fn carrier_ip(&mut self) -> String {
        let i = self.rng.gen_range(0..self.carrier.len());
        self.carrier[i].clone()
    }

    fn person(&mut self, created: i64, account: bool, domain: Option<&str>) -> Person {
        let id = tok(&mut self.rng, 9);
        let domain = domain.map_or_else(
            || DOMAINS[self.rng.gen_range(0..DOMAINS.len())].to_string(),
            str::to_string,
        );
        let seg: f64 = [80_000.0, 200_000.0, 650_000.0][self.rng.gen_range(0..3)];
        let ncards = [1, 1, 1, 2, 3][self.rng.gen_range(0..5)];
        let cards = (0..ncards).map(|_| self.card("ID")).collect();
        let home_ip = self.fixed_ip();
        Person {
            cref: account.then(|| format!("member:{id}")),
            email: format!(
                "{}.{id}@{domain}",
                ["budi", "sari", "ayu", "rizky", "dewi"][self.rng.gen_range(0..5)]
            ),
            phone: format!(
                "+628{}",
                self.rng.gen_range(1_000_000_000u64..9_999_999_999)
            ),
            created,
            devices: vec![format!("fpjs-{}", tok(&mut self.rng, 14))],
            home_ip,
            mobile: self.rng.gen_bool(0.55),
            cards,
            addrs: vec![format!("addr-{}", tok(&mut self.rng, 16))],
            city: CITIES[self.rng.gen_range(0..CITIES.len())],
            mu: seg.ln() + 0.3 * self.gauss(),
            abroad: None,
        }
    }

    /// A time on `day` following the marketplace's curve (lunch and late evening peaks).
    fn time_on(&mut self, day: u32) -> i64 {
        const W: [f64; 24] = [
            0.35, 0.2, 0.1, 0.05, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0, 0.9, 0.7, 0.6,
            0.6, 0.65, 0.7, 0.85, 1.0, 1.0, 0.9, 0.6,
        ];
        let h = loop {
            let h = self.rng.gen_range(0..24);
            if self.rng.gen_bool(W[h]) {
                break h as i64;
            }
        };
        START + i64::from(day) * 86_400 + h * 3_600 + self.rng.gen_range(0..3_600)
    }

    fn ev(&mut self, t: i64, kind: EventType, scenario: &str, fraud: bool) -> Event {
        self.n += 1;
        let ts = OffsetDateTime::from_unix_timestamp(t)
            .expect("time in range")
            .to_offset(UtcOffset::from_hms(7, 0, 0).expect("offset"));
        Event {
            id: format!("mk{}-{}", self.p.seed, self.n),
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

    /// Identity fields of `c` at time `t` on device `dev`, from `ip` (or the person's usual).
    fn stamp(&mut self, e: &mut Event, c: &Person, dev: usize, ip: Option<&str>, t: i64) {
        e.customer_ref.clone_from(&c.cref);
        e.email = Some(c.email.clone());
        e.phone = c.cref.as_ref().map(|_| c.phone.clone());
        e.account_created_at = c
            .cref
            .as_ref()
            .and_then(|_| OffsetDateTime::from_unix_timestamp(c.created).ok());
        e.device_id = c.devices.get(dev).cloned();
        let away = c.abroad.filter(|(_, from, to)| (*from..*to).contains(&t));
        e.ip = Some(match (ip, away) {
            (Some(ip), _) => ip.to_string(),
            (None, Some(_)) => self.fixed_ip(),
            (None, None) if c.mobile => self.carrier_ip(),
            (None, None) => c.home_ip.clone(),
        });
        e.ip_country = Some(away.map_or("ID", |(cc, _, _)| cc).to_string());
    }

    /// One checkout: accounts place an order then pay; guests only pay. Returns the order id
    /// and the time of the last event.
    #[allow(clippy::too_many_arguments)]
    fn checkout(
        &mut self,
        t: i64,
        c: &Person,
        dev: usize,
        ip: Option<&str>,
        addr: usize,
        card: Option<usize>,
        amount: i64,
        qty: u32,
        declines: usize,
        promo: Option<&str>,
        scenario: &str,
        fraud: bool,
    ) -> (String, i64) {
        let order_id = format!("MP{}", tok(&mut self.rng, 10).to_uppercase());
        let method = match card {
            Some(_) => "card",
            None => ["ewallet", "va", "qris", "ewallet", "paylater"][self.rng.gen_range(0..5)],
        };
        let gateway = if self.rng.gen_bool(0.7) {
            "xendit"
        } else {
            "midtrans"
        };
        let ship = Shipping {
            country: Some("ID".into()),
            city: Some(c.city.into()),
            postal_code: None,
            address_hash: c.addrs.get(addr).cloned(),
        };
        // One session, one IP address for the whole checkout.
        let probe = {
            let mut x = self.ev(t, EventType::Order, scenario, fraud);
            self.stamp(&mut x, c, dev, ip, t);
            self.n -= 1;
            x.ip
        };
        let ip = probe.as_deref();
        let cd = card.and_then(|i| c.cards.get(i)).cloned();
        let pay = |status: Option<&str>, last4: bool| Payment {
            method: Some(method.into()),
            gateway: Some(gateway.into()),
            card_fingerprint: cd.as_ref().map(|k| k.fp.clone()),
            card_bin: cd.as_ref().map(|k| k.bin.clone()),
            card_country: cd.as_ref().map(|k| k.country.to_string()),
            card_last4: (last4 && cd.is_some()).then(|| "4242".to_string()),
            status: status.map(str::to_string),
        };
        let mut tt = t;
        if c.cref.is_some() {
            let mut o = self.ev(tt, EventType::Order, scenario, fraud);
            self.stamp(&mut o, c, dev, ip, tt);
            o.order_id = Some(order_id.clone());
            o.amount = Some(amount);
            o.currency = Some("IDR".into());
            o.shipping = Some(ship.clone());
            o.promo_code = promo.map(str::to_string);
            o.payment = Some(pay(None, false));
            o.items = Some(vec![Item {
                sku: Some(format!("MK-{}", self.rng.gen_range(1_000..1_400))),
                qty: Some(qty),
                price: Some(amount / i64::from(qty.max(1))),
            }]);
            self.out.push(o);
            tt += self.rng.gen_range(10..90);
        }
        for a in 0..=declines {
            let declined = a < declines;
            let mut e = self.ev(tt, EventType::Payment, scenario, fraud);
            self.stamp(&mut e, c, dev, ip, tt);
            e.order_id = Some(order_id.clone());
            e.amount = Some(amount);
            e.currency = Some("IDR".into());
            e.shipping = Some(ship.clone());
            e.billing_country = Some("ID".into());
            e.promo_code = promo.map(str::to_string);
            e.payment = Some(pay(
                Some(if declined { "declined" } else { "captured" }),
                true,
            ));
            self.out.push(e);
            tt += self.rng.gen_range(20..240);
        }
        (order_id, tt)
    }

    #[allow(clippy::too_many_arguments)]
    fn after(
        &mut self,
        t: i64,
        kind: EventType,
        c: &Person,
        order: &str,
        amount: i64,
        scenario: &str,
        fraud: bool,
    ) {
        if t >= START + i64::from(self.p.days) * 86_400 {
            return;
        }
        let mut e = self.ev(t, kind, scenario, fraud);
        self.stamp(&mut e, c, 0, None, t);
        e.order_id = Some(order.to_string());
        e.amount = Some(amount);
        e.currency = Some("IDR".into());
        e.payment = Some(Payment {
            method: c.cards.first().map(|_| "card".to_string()),
            gateway: Some("xendit".into()),
            card_fingerprint: c.cards.first().map(|k| k.fp.clone()),
            card_bin: c.cards.first().map(|k| k.bin.clone()),
            card_country: c.cards.first().map(|k| k.country.to_string()),
            card_last4: None,
            status: None,
        });
        self.out.push(e);
    }

    fn amount(&mut self, mu: f64, spread: f64) -> i64 {
        let g = self.gauss();
        Self::rupiah((mu + spread * g).exp())
    }
}

/// Generates a labelled marketplace stream, sorted by time.
pub fn market(p: &MarketParams) -> Vec<Event> {
    let mut rng = StdRng::seed_from_u64(p.seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x6d61_726b);
    let carrier = (0..2_500)
        .map(|_| {
            format!(
                "{}.{}.{}.{}",
                [114, 112, 182][rng.gen_range(0..3)],
                [124, 125, 215, 1][rng.gen_range(0..4)],
                rng.gen_range(0..256),
                rng.gen_range(1..255)
            )
        })
        .collect();
    let total = p.per_day * p.days as usize;
    let mut m = Market {
        rng,
        p: p.clone(),
        out: Vec::with_capacity(total + total / 10),
        n: 0,
        carrier,
    };
    let legit_events = (total as f64 * (1.0 - p.fraud_share)) as usize;
    // About 2.4 events per account purchase, 1.1 per guest one; regular pool sized so a
    // returning customer buys about six times in the period on average (heavy-tailed).
    let purchases = legit_events * 10 / 22;
    let pool = ((purchases as f64 * p.returning) / 6.0).max(40.0) as usize;
    let mut people: Vec<Person> = (0..pool)
        .map(|_| {
            let created = START - m.rng.gen_range(2..900) * 86_400;
            let acc = m.rng.gen_bool(0.85);
            m.person(created, acc, None)
        })
        .collect();
    // Families: a shared tablet, the parent's card and one address across 2-5 accounts.
    let mut i = 0;
    while i + 6 < people.len() / 4 {
        let k = m.rng.gen_range(2..6);
        let (dev, card, addr) = (
            people[i].devices[0].clone(),
            people[i].cards[0].clone(),
            people[i].addrs[0].clone(),
        );
        for q in &mut people[i + 1..i + k] {
            q.devices.push(dev.clone());
            q.cards.push(card.clone());
            q.addrs.insert(0, addr.clone());
        }
        i += k + 5;
    }
    // Offices: one NAT address and one delivery address for 20-80 colleagues.
    let offices = (pool / 400).clamp(1, 12);
    let mut office_ip = Vec::new();
    for _ in 0..offices {
        let ip = m.fixed_ip();
        let addr = format!("addr-{}", tok(&mut m.rng, 16));
        for _ in 0..m.rng.gen_range(20..80) {
            let j = m.rng.gen_range(0..people.len());
            people[j].home_ip.clone_from(&ip);
            people[j].mobile = false;
            people[j].addrs.push(addr.clone());
        }
        office_ip.push(ip);
    }
    // Travellers.
    for _ in 0..(pool / 30).max(2) {
        let j = m.rng.gen_range(0..people.len());
        let from = START + m.rng.gen_range(0..p.days.max(1)) as i64 * 86_400;
        let cc = ["SG", "SA", "JP", "AU", "MY", "NL"][m.rng.gen_range(0..6)];
        people[j].abroad = Some((cc, from, from + m.rng.gen_range(3..11) * 86_400));
    }
    // Weekday swings: some days busier.
    let weights: Vec<f64> = (0..p.days)
        .map(|d| {
            let base = if d % 7 == 5 || d % 7 == 6 { 1.25 } else { 0.9 };
            base * m.rng.gen_range(0.8..1.2)
        })
        .collect();
    let wsum: f64 = weights.iter().sum();
    let mut times: Vec<i64> = Vec::with_capacity(purchases);
    for (d, w) in weights.iter().enumerate() {
        let n = (purchases as f64 * w / wsum) as usize;
        for _ in 0..n {
            times.push(m.time_on(d as u32));
        }
    }
    times.sort_unstable();
    let alpha = 2.2;
    for t in times {
        if m.rng.gen_bool(p.returning) {
            let u: f64 = m.rng.gen_range(0.0..1.0);
            let j = ((u.powf(alpha)) * people.len() as f64) as usize;
            let j = j.min(people.len() - 1);
            let mut scenario = "regular";
            if m.rng.gen_bool(0.015) {
                let d = format!("fpjs-{}", tok(&mut m.rng, 14));
                people[j].devices.push(d);
                scenario = "new_phone";
            }
            if m.rng.gen_bool(0.01) {
                let a = format!("addr-{}", tok(&mut m.rng, 16));
                people[j].addrs.push(a);
                scenario = "moved_house";
            }
            let c = people[j].clone();
            let dev = if scenario == "new_phone" {
                c.devices.len() - 1
            } else {
                m.rng.gen_range(0..c.devices.len())
            };
            let addr = if scenario == "moved_house" {
                c.addrs.len() - 1
            } else {
                m.rng.gen_range(0..c.addrs.len())
            };
            let card = m
                .rng
                .gen_bool(0.4)
                .then(|| m.rng.gen_range(0..c.cards.len()));
            let declines = if card.is_some() && m.rng.gen_bool(0.05) {
                scenario = "declined_retry";
                m.rng.gen_range(1..3)
            } else {
                0
            };
            if c.abroad.is_some_and(|(_, a, b)| (a..b).contains(&t)) {
                scenario = "traveller";
            }
            if c.cref.is_some() && m.rng.gen_bool(0.35) {
                let lt = t - m.rng.gen_range(30..900);
                let mut l = m.ev(lt, EventType::Login, scenario, false);
                m.stamp(&mut l, &c, dev, None, t);
                m.out.push(l);
            }
            let amount = m.amount(c.mu, 0.7);
            let promo = m.rng.gen_bool(0.08).then_some("HEMAT20");
            let qty = m.rng.gen_range(1..4);
            let (order, end) = m.checkout(
                t, &c, dev, None, addr, card, amount, qty, declines, promo, scenario, false,
            );
            if m.rng.gen_bool(0.02) {
                let r = end + m.rng.gen_range(2..10) * 86_400;
                m.after(r, EventType::Refund, &c, &order, amount, "return", false);
            }
        } else {
            // A first-time buyer: an account made just now, or a guest.
            let guest = m.rng.gen_bool(p.guest);
            let ct = t - m.rng.gen_range(60..1_800);
            let mut c = m.person(ct, !guest, None);
            if m.rng.gen_bool(0.004) {
                c.email = format!("x{}@{}", tok(&mut m.rng, 8), THROWAWAY[0]);
            }
            if !guest {
                let mut s = m.ev(c.created, EventType::Signup, "first_time", false);
                m.stamp(&mut s, &c, 0, None, c.created);
                m.out.push(s);
            }
            let amount = m.amount(c.mu, 0.6);
            let promo = (!guest && m.rng.gen_bool(0.5)).then_some("NEWUSER");
            let card = m.rng.gen_bool(0.35).then_some(0);
            m.checkout(
                t,
                &c,
                0,
                None,
                0,
                card,
                amount,
                1,
                0,
                promo,
                "first_time",
                false,
            );
        }
    }
    // Resellers: old accounts buying in bulk every day, several company cards, one warehouse.
    let per_day = (p.per_day / 1_500).clamp(2, 30);
    for _ in 0..2 {
        let mut c = m.person(START - 400 * 86_400, true, None);
        c.cards = (0..3).map(|_| m.card("ID")).collect();
        c.devices.push(format!("fpjs-{}", tok(&mut m.rng, 14)));
        c.mobile = false;
        c.mu = (6_000_000f64).ln();
        for d in 0..p.days {
            for _ in 0..m.rng.gen_range(per_day / 2..=per_day) {
                let t = START + i64::from(d) * 86_400 + m.rng.gen_range(8 * 3_600..18 * 3_600);
                let amount = m.amount(c.mu, 0.5);
                let card = m.rng.gen_bool(0.6).then(|| m.rng.gen_range(0..3));
                let dev = m.rng.gen_range(0..2);
                let declines = usize::from(card.is_some() && m.rng.gen_bool(0.08));
                let scenario = "reseller";
                let qty = m.rng.gen_range(10..120);
                m.checkout(
                    t, &c, dev, None, 0, card, amount, qty, declines, None, scenario, false,
                );
            }
        }
    }
    // Flash sales: hundreds of buyers within ten minutes through a few carrier addresses.
    for d in (1..p.days).step_by(4) {
        let t0 = START + i64::from(d) * 86_400 + [12, 20, 0][(d % 3) as usize] * 3_600;
        let ips: Vec<String> = (0..m.rng.gen_range(4..12))
            .map(|_| m.carrier_ip())
            .collect();
        let n = (p.per_day / 12).max(30);
        for _ in 0..n / 2 {
            let t = t0 + m.rng.gen_range(0..600);
            let ip = ips[m.rng.gen_range(0..ips.len())].clone();
            let (c, promo) = if m.rng.gen_bool(0.35) {
                let ct = t - m.rng.gen_range(60..900);
                let mut c = m.person(ct, true, None);
                c.mobile = true;
                let mut s = m.ev(c.created, EventType::Signup, "flash_sale", false);
                m.stamp(&mut s, &c, 0, Some(&ip), c.created);
                m.out.push(s);
                (c, "FLASH1010")
            } else {
                let j = m.rng.gen_range(0..people.len());
                (people[j].clone(), "FLASH1010")
            };
            let card = m
                .rng
                .gen_bool(0.3)
                .then(|| m.rng.gen_range(0..c.cards.len()));
            let declines = usize::from(card.is_some() && m.rng.gen_bool(0.12));
            let amount = Market::rupiah(m.rng.gen_range(49_000.0..199_000.0));
            let dev = c.devices.len() - 1;
            m.checkout(
                t,
                &c,
                dev,
                Some(&ip),
                0,
                card,
                amount,
                1,
                declines,
                Some(promo),
                "flash_sale",
                false,
            );
        }
    }
    fraud(&mut m, &people, &office_ip);
    m.out
        .sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.id.cmp(&b.id)));
    m.out
}
