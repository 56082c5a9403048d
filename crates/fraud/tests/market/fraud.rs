//! The fraud scenarios of the market generator.

use super::{Market, Person, START, THROWAWAY, tok};
use jaga_fraud::event::{EventType, Payment};
use rand::Rng;

/// Adds the fraud scenarios to `m`, about `fraud_share` of the stream.
pub(super) fn fraud(m: &mut Market, people: &[Person], _offices: &[String]) {
    let p = m.p.clone();
    let budget = (p.per_day as f64 * f64::from(p.days) * p.fraud_share) as usize;
    let end = START + i64::from(p.days) * 86_400;
    let mut spent = 0;
    let mut k = 0usize;
    // Weighted mix, cycled.
    const MIX: [u8; 12] = [0, 1, 2, 3, 2, 5, 6, 4, 6, 0, 5, 2];
    while spent < budget {
        let day = m.rng.gen_range(0..p.days);
        let t = m.time_on(day);
        let before = m.out.len();
        match MIX[k % MIX.len()] {
            0 => {
                // Slow card testing: one card every few minutes for hours, small amounts,
                // one or two devices, one IP or a couple of proxies, a new guest e-mail now and then.
                let n = m.rng.gen_range(20..70);
                let devs: Vec<String> = (0..m.rng.gen_range(1..3))
                    .map(|_| format!("fpjs-{}", tok(&mut m.rng, 14)))
                    .collect();
                let ips: Vec<String> = (0..m.rng.gen_range(1..4)).map(|_| m.fixed_ip()).collect();
                let mut c = m.person(t, false, None);
                let mut tt = t;
                for a in 0..n {
                    if a % 5 == 0 {
                        c = m.person(tt, false, None);
                    }
                    c.devices = vec![devs[a % devs.len()].clone()];
                    let cc = if m.rng.gen_bool(0.7) { "ID" } else { "US" };
                    c.cards = vec![m.card(cc)];
                    let declined = m.rng.gen_bool(0.8);
                    let ip = ips[m.rng.gen_range(0..ips.len())].clone();
                    let mut e = m.ev(tt, EventType::Payment, "slow_card_testing", true);
                    m.stamp(&mut e, &c, 0, Some(&ip), tt);
                    e.amount = Some(Market::rupiah(m.rng.gen_range(5_000.0..25_000.0)));
                    e.currency = Some("IDR".into());
                    e.order_id = Some(format!("MP{}", tok(&mut m.rng, 10).to_uppercase()));
                    e.payment = Some(Payment {
                        method: Some("card".into()),
                        gateway: Some("xendit".into()),
                        card_fingerprint: Some(c.cards[0].fp.clone()),
                        card_bin: Some(c.cards[0].bin.clone()),
                        card_country: Some(c.cards[0].country.into()),
                        card_last4: Some("0101".into()),
                        status: Some(if declined { "declined" } else { "authorized" }.into()),
                    });
                    m.out.push(e);
                    tt += m.rng.gen_range(180..1_500);
                }
            }
            1 => {
                // Fast card testing through rotating proxies, cards of one BIN, one device
                // fingerprint most of the time.
                let n = m.rng.gen_range(10..40);
                let bin = format!("4{:05}", m.rng.gen_range(0..100_000));
                let dev = format!("fpjs-{}", tok(&mut m.rng, 14));
                for a in 0..n {
                    let tt = t + a as i64 * m.rng.gen_range(2..20);
                    let mut c = m.person(tt, false, None);
                    if m.rng.gen_bool(0.7) {
                        c.devices = vec![dev.clone()];
                    }
                    let ip = m.fixed_ip();
                    let declined = m.rng.gen_bool(0.9);
                    let mut e = m.ev(tt, EventType::Payment, "fast_card_testing", true);
                    m.stamp(&mut e, &c, 0, Some(&ip), tt);
                    e.amount = Some(Market::rupiah(m.rng.gen_range(1_000.0..12_000.0)));
                    e.currency = Some("IDR".into());
                    e.payment = Some(Payment {
                        method: Some("card".into()),
                        gateway: Some("midtrans".into()),
                        card_fingerprint: Some(format!("fp_{}", tok(&mut m.rng, 20))),
                        card_bin: Some(bin.clone()),
                        card_country: Some("US".into()),
                        card_last4: Some("0202".into()),
                        status: Some(if declined { "declined" } else { "authorized" }.into()),
                    });
                    m.out.push(e);
                }
            }
            2 => {
                // Account takeover: login from a new device and IP, then orders to a new
                // address with the saved card or the e-wallet, above the usual amount.
                let u: f64 = m.rng.gen_range(0.0..1.0);
                let j = ((u * u) * people.len() as f64) as usize;
                let mut v = people[j.min(people.len() - 1)].clone();
                if v.cref.is_none() {
                    k += 1;
                    continue;
                }
                let t = t.max(START + 3 * 86_400);
                v.devices.push(format!("fpjs-{}", tok(&mut m.rng, 14)));
                v.addrs.push(format!("addr-{}", tok(&mut m.rng, 16)));
                v.mobile = false;
                v.home_ip = m.fixed_ip();
                if m.rng.gen_bool(0.3) {
                    v.phone = format!("+628{}", m.rng.gen_range(1_000_000_000u64..9_999_999_999));
                }
                let d = v.devices.len() - 1;
                let a = v.addrs.len() - 1;
                for r in 0..m.rng.gen_range(1..3) {
                    let mut l = m.ev(
                        t - 1_800 + r * 60,
                        EventType::Login,
                        "account_takeover",
                        true,
                    );
                    m.stamp(&mut l, &v, d, None, t);
                    m.out.push(l);
                }
                let gap = m.rng.gen_range(300..7_200);
                for r in 0..m.rng.gen_range(1..4) {
                    let up = m.rng.gen_range(0.7..1.8);
                    let amount = m.amount(v.mu + up, 0.2);
                    let card = m.rng.gen_bool(0.7).then_some(0);
                    let qty = m.rng.gen_range(1..3);
                    m.checkout(
                        t + gap + r * 1_200,
                        &v,
                        d,
                        None,
                        a,
                        card,
                        amount,
                        qty,
                        0,
                        None,
                        "account_takeover",
                        true,
                    );
                }
            }
            3 => {
                // Refund abuse: an account a few weeks old buys and claims refunds, again and again.
                let ct = t - m.rng.gen_range(5..60) * 86_400;
                let mut c = m.person(ct, true, None);
                c.mobile = false;
                let mut tt = t;
                for _ in 0..m.rng.gen_range(3..7) {
                    if tt >= end {
                        break;
                    }
                    let amount = m.amount(c.mu + 0.5, 0.3);
                    let card = m.rng.gen_bool(0.5).then_some(0);
                    let (order, e) = m.checkout(
                        tt,
                        &c,
                        0,
                        None,
                        0,
                        card,
                        amount,
                        1,
                        0,
                        None,
                        "refund_abuse",
                        true,
                    );
                    let r = e + m.rng.gen_range(1..4) * 86_400;
                    m.after(
                        r,
                        EventType::Refund,
                        &c,
                        &order,
                        amount,
                        "refund_abuse",
                        true,
                    );
                    tt += m.rng.gen_range(1..5) * 86_400;
                }
            }
            4 => {
                // Friendly fraud: a customer with history buys, disputes, and buys again.
                let j = m.rng.gen_range(0..people.len());
                let c = people[j].clone();
                let mut tt = t;
                for _ in 0..m.rng.gen_range(2..4) {
                    if tt >= end {
                        break;
                    }
                    let amount = m.amount(c.mu + 0.6, 0.3);
                    let card = Some(0);
                    let (order, e) = m.checkout(
                        tt,
                        &c,
                        0,
                        None,
                        0,
                        card,
                        amount,
                        1,
                        0,
                        None,
                        "friendly_fraud",
                        true,
                    );
                    let cb = e + m.rng.gen_range(3..12) * 86_400;
                    m.after(
                        cb,
                        EventType::Chargeback,
                        &c,
                        &order,
                        amount,
                        "friendly_fraud",
                        true,
                    );
                    tt = cb + m.rng.gen_range(1..6) * 86_400;
                }
            }
            5 => {
                // Collusive promo ring: 3-20 accounts made within hours or days, an emulator
                // farm of a few devices or distinct devices on one subnet, one or two drop
                // addresses, the new-user voucher, amounts near the voucher's minimum.
                let size = m.rng.gen_range(3..21);
                let farm = m.rng.gen_bool(0.6);
                let devs: Vec<String> = (0..m.rng.gen_range(1..4))
                    .map(|_| format!("fpjs-{}", tok(&mut m.rng, 14)))
                    .collect();
                let subnet = format!(
                    "103.{}.{}",
                    m.rng.gen_range(0..256),
                    m.rng.gen_range(0..256)
                );
                let drops: Vec<String> = (0..m.rng.gen_range(1..3))
                    .map(|_| format!("addr-{}", tok(&mut m.rng, 16)))
                    .collect();
                let span = m.rng.gen_range(2..48) * 3_600;
                for a in 0..size {
                    let tt = t + m.rng.gen_range(0..span);
                    let ct = tt - m.rng.gen_range(120..3_600);
                    let mut c = m.person(ct, true, None);
                    if farm {
                        c.devices = vec![devs[a % devs.len()].clone()];
                    }
                    c.addrs = vec![drops[a % drops.len()].clone()];
                    let ip = format!("{subnet}.{}", m.rng.gen_range(2..30));
                    let mut s = m.ev(c.created, EventType::Signup, "promo_ring", true);
                    m.stamp(&mut s, &c, 0, Some(&ip), c.created);
                    m.out.push(s);
                    let amount = Market::rupiah(m.rng.gen_range(100_000.0..130_000.0));
                    m.checkout(
                        tt,
                        &c,
                        0,
                        Some(&ip),
                        0,
                        None,
                        amount,
                        1,
                        0,
                        Some("NEWUSER"),
                        "promo_ring",
                        true,
                    );
                }
            }
            _ => {
                // Stolen card on a guest checkout: new e-mail, often a foreign card, expensive
                // goods to a new address; a retry with another card after a decline; the
                // owner's chargeback weeks later.
                let mut c = m.person(t, false, None);
                if m.rng.gen_bool(0.3) {
                    c.email = format!(
                        "{}@{}",
                        tok(&mut m.rng, 10),
                        THROWAWAY[m.rng.gen_range(0..3)]
                    );
                }
                let foreign = m.rng.gen_bool(0.5);
                c.cards = (0..3)
                    .map(|_| m.card(if foreign { "GB" } else { "ID" }))
                    .collect();
                if m.rng.gen_bool(0.3) {
                    c.abroad = Some(("NL", t - 86_400, t + 86_400));
                }
                c.mobile = false;
                let amount = m.amount((3_500_000f64).ln(), 0.5);
                let tries = m.rng.gen_range(1..3);
                for n in 0..tries {
                    let declines = usize::from(n + 1 < tries);
                    let (order, e) = m.checkout(
                        t + n as i64 * 200,
                        &c,
                        0,
                        None,
                        0,
                        Some(n),
                        amount,
                        1,
                        declines,
                        None,
                        "stolen_card_guest",
                        true,
                    );
                    if declines == 0 {
                        let cb = e + m.rng.gen_range(10..40) * 86_400;
                        m.after(
                            cb,
                            EventType::Chargeback,
                            &c,
                            &order,
                            amount,
                            "stolen_card_guest",
                            true,
                        );
                    }
                }
            }
        }
        k += 1;
        spent += m.out.len() - before;
    }
}
