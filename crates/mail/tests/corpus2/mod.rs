//! A second, independent seeded generator of labelled mails: its own shop, suppliers, phrase
//! pools (`phrases.rs`), PRNG, lookalike fuzzer and MIME layout (multipart/alternative, quoted
//! replies, disclaimers, `Received` lines), written without reading the first generator's
//! sentences so the analyzer is not measured on the phrasings it was built against.

mod phrases;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jaga_mail::Context;
use jaga_mail::corpus::Sample;
use phrases::*;

/// xorshift64* (a different generator from the first corpus's SplitMix64).
pub struct Xs(u64);

impl Xs {
    fn new(seed: u64) -> Xs {
        Xs(seed ^ 0x2545_F491_4F6C_DD1D | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn n(&mut self, n: usize) -> usize {
        (self.next() >> 11) as usize % n
    }
    fn of<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.n(xs.len())]
    }
    fn s(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.n(xs.len())]
    }
    fn p(&mut self, pct: usize) -> bool {
        self.n(100) < pct
    }
}

struct Vendor {
    co: &'static str,
    domain: &'static str,
    person: &'static str,
    bank: (&'static str, &'static str),
}

const VENDORS: &[Vendor] = &[
    Vendor {
        co: "CV Sumber Rejeki",
        domain: "sumberrejeki.co.id",
        person: "Teguh",
        bank: ("BCA", "4410293847"),
    },
    Vendor {
        co: "PT Indah Plastik",
        domain: "indahplastik.com",
        person: "Wulan",
        bank: ("Mandiri", "1230098765432"),
    },
    Vendor {
        co: "Label Kreasi",
        domain: "labelkreasi.id",
        person: "Fajar",
        bank: ("BNI", "0821736455"),
    },
    Vendor {
        co: "Minyak Atsiri Jawa",
        domain: "atsirijawa.co.id",
        person: "Ratna",
        bank: ("BRI", "002101000123567"),
    },
    Vendor {
        co: "Kotak Cantik",
        domain: "kotakcantik.com",
        person: "Dimas",
        bank: ("BSI", "7299911234"),
    },
    Vendor {
        co: "Bali Botanicals",
        domain: "balibotanicals.com",
        person: "Made",
        bank: ("Permata", "4129384756"),
    },
];

const SHOP: (&str, &str, &str) = ("Sehat Alami", "sehatalami.id", "Rudi Hartono");

const OTHER_BANKS: &[(&str, &str)] = &[
    ("Bank Mandiri", "1440087766554"),
    ("BNI", "0698123344"),
    ("BRI", "033901000777509"),
    ("CIMB Niaga", "704512345600"),
    ("Bank Jago", "102938475610"),
    ("BCA", "6280417733"),
    ("Permata", "9912003344"),
    ("SeaBank", "901122334455"),
];

const FREE: &[&str] = &[
    "gmail.com",
    "yahoo.co.id",
    "hotmail.com",
    "outlook.co.id",
    "ymail.com",
];

/// What the generated shop knows.
pub fn context() -> Context {
    Context {
        known_domains: VENDORS.iter().map(|v| v.domain.to_string()).collect(),
        own_domains: vec![SHOP.1.to_string()],
        known_names: VENDORS
            .iter()
            .map(|v| (v.co.to_string(), vec![v.domain.to_string()]))
            .chain([(SHOP.2.to_string(), vec![SHOP.1.to_string()])])
            .collect(),
        trusted_authserv: vec![format!("mx1.{}", SHOP.1)],
        dkim_keys: vec![],
    }
}

/// A lookalike by this generator's own tricks.
fn twist(r: &mut Xs, domain: &str) -> String {
    let (label, suffix) = domain.split_once('.').unwrap_or((domain, "com"));
    match r.n(7) {
        0 => format!(
            "{}.{suffix}",
            label.replacen('m', "rn", 1).replacen('i', "1", 1)
        ),
        1 => format!("{label}-pay.{suffix}"),
        2 => format!("{label}.{}", if suffix == "com" { "co" } else { "com" }),
        3 => format!("finance-{label}.com"),
        4 => format!("{}.{suffix}", label.replacen('a', "e", 1)),
        5 => format!("{label}{}.{suffix}", r.s(&["s", "id", "grup"])),
        _ => format!("{label}.{suffix}.invoices-portal.net"),
    }
}

pub struct Draft {
    from: String,
    subject: String,
    text: String,
    headers: Vec<String>,
    html: Option<String>,
    files: Vec<(String, Vec<u8>)>,
}

impl Draft {
    fn new(from: String, subject: impl Into<String>, text: String) -> Draft {
        Draft {
            from,
            subject: subject.into(),
            text,
            headers: vec![],
            html: None,
            files: vec![],
        }
    }

    fn render(&self, r: &mut Xs, i: usize) -> Vec<u8> {
        let mut h = format!(
            "Received: from mail{}.relay.example (mail.relay.example [203.0.113.{}])\r\n\tby mx1.{}; Tue, 8 Dec 2026 10:{:02}:00 +0700\r\n",
            r.n(9),
            r.n(250),
            SHOP.1,
            i % 60
        );
        for x in &self.headers {
            h.push_str(x);
            h.push_str("\r\n");
        }
        let subject = if r.p(30) {
            format!(
                "=?utf-8?Q?{}?=",
                self.subject.replace(' ', "_").replace('?', "=3F")
            )
        } else {
            self.subject.clone()
        };
        h.push_str(&format!(
            "Date: Tue, 08 Dec 2026 {:02}:{:02}:{:02} +0700\r\nFrom: {}\r\nTo: \"Keuangan {}\" <keuangan@{}>\r\nSubject: {subject}\r\nMessage-ID: <{i:06}.{}@{}>\r\nX-Mailer: {}\r\nMIME-Version: 1.0\r\n",
            7 + i % 12,
            i % 60,
            (i * 7) % 60,
            self.from,
            SHOP.0,
            SHOP.1,
            r.next() % 1_000_000,
            self.from.rsplit('@').next().unwrap_or("x").trim_end_matches('>'),
            r.s(&["Microsoft Outlook 16.0", "Thunderbird 128.2", "Apple Mail (2.3774)", "Zimbra 9.0"])
        ));
        let enc = |r: &mut Xs, ctype: &str, body: &str| -> String {
            if r.p(50) {
                let b = STANDARD.encode(body.as_bytes());
                let lines: Vec<&str> = b
                    .as_bytes()
                    .chunks(72)
                    .map(|c| std::str::from_utf8(c).unwrap_or(""))
                    .collect();
                format!(
                    "Content-Type: {ctype}; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                    lines.join("\r\n")
                )
            } else {
                format!(
                    "Content-Type: {ctype}; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
                    body.replace('\n', "\r\n")
                )
            }
        };
        let html = self.html.clone().unwrap_or_else(|| {
            format!(
                "<div dir=\"ltr\">{}</div>",
                self.text.replace('\n', "<br>\n")
            )
        });
        let body = if self.html.is_some() || r.p(50) {
            format!(
                "Content-Type: multipart/alternative; boundary=\"alt{i}\"\r\n\r\n--alt{i}\r\n{}--alt{i}\r\n{}--alt{i}--\r\n",
                enc(r, "text/plain", &self.text),
                enc(r, "text/html", &html)
            )
        } else {
            enc(r, "text/plain", &self.text)
        };
        let mut out = h;
        if self.files.is_empty() {
            out.push_str(&body);
        } else {
            out.push_str(&format!("Content-Type: multipart/mixed; boundary=\"mix{i}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n--mix{i}\r\n{body}"));
            for (name, data) in &self.files {
                out.push_str(&format!(
                    "--mix{i}\r\nContent-Type: application/octet-stream;\r\n\tname=\"{name}\"\r\nContent-Disposition: attachment;\r\n\tfilename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                    STANDARD.encode(data)
                ));
            }
            out.push_str(&format!("--mix{i}--\r\n"));
        }
        out.into_bytes()
    }
}

/// Fills the placeholders of `t`.
fn fill(t: &str, v: &[(&str, String)]) -> String {
    let mut s = t.to_string();
    for (k, x) in v {
        s = s.replace(&format!("{{{k}}}"), x);
    }
    s
}

mod classes;

/// `n` labelled mails from `seed`, about half malicious.
pub fn generate(seed: u64, n: usize) -> Vec<Sample> {
    let mut r = Xs::new(seed);
    (0..n)
        .map(|i| {
            let v = r.of(VENDORS);
            let id = r.p(50);
            let (bankname, num) = if r.p(50) { *r.of(OTHER_BANKS) } else { v.bank };
            let who = if r.p(40) {
                format!(
                    "{} {}",
                    v.person,
                    r.s(&["Santoso", "Wijaya", "Kusuma", "Pratama"])
                )
            } else {
                v.co.to_string()
            };
            let mut vars: Vec<(&str, String)> = vec![
                ("bankname", bankname.to_string()),
                ("num", num.to_string()),
                ("who", who),
                ("co", v.co.to_string()),
                (
                    "ref",
                    format!("{}-{}", r.s(&["INV", "SI", "PO", "FK"]), 1000 + r.n(8999)),
                ),
                ("amount", format!("Rp {}.{:03}.000", 1 + r.n(60), r.n(1000))),
                (
                    "date",
                    format!(
                        "{} {}",
                        1 + r.n(28),
                        r.s(&["Januari", "Februari", "December", "January"])
                    ),
                ),
                ("last4", format!("{:04}", r.n(10000))),
            ];
            let acct = fill(r.s(ACCOUNT_FORMS), &vars);
            vars.push(("acct", acct));
            let malicious = r.p(50);
            let (class, d, asks) = if malicious {
                classes::bad(&mut r, v, id, &vars)
            } else {
                classes::good(&mut r, v, id, &vars)
            };
            Sample {
                name: format!("c2-{i:05}-{class}-{}.eml", if id { "id" } else { "en" }),
                raw: d.render(&mut r, i),
                class,
                malicious,
                asks_bank_change: asks,
            }
        })
        .collect()
}
