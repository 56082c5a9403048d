//! A seeded generator of labelled mails (Bahasa Indonesia and English, benign and malicious,
//! several templates per class) and the scorer the quality tests and the benchmark use.
//!
//! Every name and domain is fictional except the brands a shop really receives mail from
//! (marketplaces, couriers, banks), which appear only on their real domains in benign mail.
//! Phrasings are drawn from pools larger than the analyzer's lexicon on purpose: the measured
//! rates include what the lexicon misses.

mod classes;

use crate::{Analyzer, Context, Verdict};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A labelled mail.
#[derive(Debug, Clone)]
pub struct Sample {
    /// File-like name (`00042-lookalike-id.eml`).
    pub name: String,
    /// The raw message.
    pub raw: Vec<u8>,
    /// Class, e.g. `lookalike`, `invoice`.
    pub class: &'static str,
    /// Whether it is an attack.
    pub malicious: bool,
    /// Whether it asks to pay into new or changed bank details.
    pub asks_bank_change: bool,
}

/// Deterministic PRNG (SplitMix64): the same seed gives the same corpus everywhere.
pub struct Rng(u64);

impl Rng {
    /// From a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// Next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// True with probability `p` percent.
    pub fn chance(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

struct Supplier {
    name: &'static str,
    domain: &'static str,
    person: &'static str,
    bank: &'static str,
}

const SUPPLIERS: &[Supplier] = &[
    Supplier {
        name: "Glow Beauty",
        domain: "glowbeauty.co.id",
        person: "Rina",
        bank: "BCA 2830199471",
    },
    Supplier {
        name: "Surya Kemas",
        domain: "suryakemas.com",
        person: "Budi",
        bank: "Mandiri 1370011223344",
    },
    Supplier {
        name: "Wangi Nusantara",
        domain: "wanginusantara.id",
        person: "Sari",
        bank: "BNI 0712345678",
    },
    Supplier {
        name: "Cetak Prima",
        domain: "cetakprima.co.id",
        person: "Agus",
        bank: "BRI 0345011122233",
    },
    Supplier {
        name: "Herbal Lestari",
        domain: "herballestari.my.id",
        person: "Dewi",
        bank: "BCA 5271100299",
    },
    Supplier {
        name: "Botol Jaya",
        domain: "botoljaya.com",
        person: "Hendra",
        bank: "CIMB 800123456700",
    },
    Supplier {
        name: "Aroma Sejahtera",
        domain: "aromasejahtera.co.id",
        person: "Lina",
        bank: "Permata 4102938475",
    },
    Supplier {
        name: "Kemasan Hijau",
        domain: "kemasanhijau.id",
        person: "Yusuf",
        bank: "BSI 7123456789",
    },
];

const SHOPS: &[(&str, &str, &str)] = &[
    ("Toko Ayu", "tokoayu.id", "Ayu Lestari"),
    ("Kulit Sehat", "kulitsehat.co.id", "Bambang Wijaya"),
    ("Rupa Cantik", "rupacantik.com", "Maya Putri"),
];

const CUSTOMERS: &[&str] = &[
    "Nadia", "Rizky", "Fitri", "Andi", "Putri", "Kevin", "Siti", "Joko",
];
const FREEMAIL: &[&str] = &["gmail.com", "yahoo.com", "outlook.com", "yahoo.co.id"];
const NEW_BANKS: &[&str] = &[
    "Bank Mandiri 1560019988776",
    "BRI 0987012345678",
    "BNI 1122334455",
    "BCA 7771234567",
    "Bank Jago 100234567890",
    "SeaBank 901234567812",
];

/// The context the generated world expects: its suppliers as known domains, the shop's domain,
/// the owner's name, and the trusted receiving host.
pub fn context(shop: usize) -> Context {
    let (_, domain, owner) = SHOPS[shop % SHOPS.len()];
    Context {
        known_domains: SUPPLIERS.iter().map(|s| s.domain.to_string()).collect(),
        own_domains: vec![domain.to_string()],
        known_names: SUPPLIERS
            .iter()
            .map(|s| (s.name.to_string(), vec![s.domain.to_string()]))
            .chain([(owner.to_string(), vec![domain.to_string()])])
            .collect(),
        trusted_authserv: vec![format!("mx.{domain}")],
        dkim_keys: vec![],
    }
}

/// A lookalike of `domain` by one of several dnstwist-style fuzzers.
pub fn lookalike(rng: &mut Rng, domain: &str) -> String {
    let (label, suffix) = domain.split_once('.').unwrap_or((domain, "com"));
    let chars: Vec<char> = label.chars().collect();
    let i = 1 + rng.below(chars.len().saturating_sub(2).max(1));
    match rng.below(9) {
        0 => {
            // Homoglyph.
            let swaps = [
                ('l', '1'),
                ('o', '0'),
                ('i', 'l'),
                ('m', 'n'),
                ('e', '3'),
                ('a', '4'),
            ];
            for (a, b) in swaps {
                if label.contains(a) {
                    return format!("{}.{suffix}", label.replacen(a, &b.to_string(), 1));
                }
            }
            format!("{label}s.{suffix}")
        }
        1 => {
            let mut c = chars.clone();
            let j = (i + 1).min(c.len() - 1);
            c.swap(i, j);
            format!("{}.{suffix}", c.iter().collect::<String>())
        }
        2 => {
            let mut c = chars.clone();
            c.remove(i);
            format!("{}.{suffix}", c.iter().collect::<String>())
        }
        3 => {
            let mut c = chars.clone();
            c.insert(i, c[i]);
            format!("{}.{suffix}", c.iter().collect::<String>())
        }
        4 => format!(
            "{label}.{}",
            rng.pick(&["com", "net", "co", "id", "biz", "org", "co.id"])
                .replace(suffix, "online")
        ),
        5 => format!(
            "{label}-{}.{}",
            rng.pick(&["invoice", "finance", "id", "payment", "billing"]),
            rng.pick(&["com", "net", "co.id"])
        ),
        6 => format!("{}-{}.{suffix}", &label[..i], &label[i..]),
        7 => {
            // Cyrillic о/а/е for Latin.
            let cyr = label
                .replacen('o', "\u{043E}", 1)
                .replacen('a', "\u{0430}", 1)
                .replacen('e', "\u{0435}", 1);
            idna::domain_to_ascii(&format!("{cyr}.{suffix}"))
                .unwrap_or_else(|_| format!("{label}x.{suffix}"))
        }
        _ => format!(
            "{domain}.{}",
            rng.pick(&["secure-pay.com", "invoice-center.net", "mail-id.com"])
        ),
    }
}

struct Mail {
    from: String,
    reply_to: Option<String>,
    return_path: Option<String>,
    subject: String,
    body: String,
    html: bool,
    extra_headers: Vec<String>,
    attachments: Vec<(String, Vec<u8>)>,
}

impl Mail {
    fn new(from: String, subject: String, body: String) -> Mail {
        Mail {
            from,
            reply_to: None,
            return_path: None,
            subject,
            body,
            html: false,
            extra_headers: vec![],
            attachments: vec![],
        }
    }

    fn render(&self, rng: &mut Rng, to: &str, n: usize) -> Vec<u8> {
        let mut h = String::new();
        for x in &self.extra_headers {
            h.push_str(x);
            h.push_str("\r\n");
        }
        if let Some(rp) = &self.return_path {
            h.push_str(&format!("Return-Path: <{rp}>\r\n"));
        }
        h.push_str(&format!("From: {}\r\nTo: {to}\r\n", self.from));
        if let Some(r) = &self.reply_to {
            h.push_str(&format!("Reply-To: {r}\r\n"));
        }
        let subject = if self.subject.is_ascii() || rng.chance(50) {
            self.subject.clone()
        } else {
            format!("=?UTF-8?B?{}?=", STANDARD.encode(&self.subject))
        };
        h.push_str(&format!(
            "Subject: {subject}\r\nDate: Mon, {} Dec 2026 {:02}:{:02}:00 +0700\r\nMessage-ID: <{n}.{}@mail.example>\r\nMIME-Version: 1.0\r\n",
            1 + n % 28,
            8 + n % 10,
            n % 60,
            rng.next_u64() % 100_000
        ));
        let ctype = if self.html { "text/html" } else { "text/plain" };
        let body = if self.html {
            format!(
                "<html><body><p>{}</p></body></html>",
                self.body.replace("\n\n", "</p><p>").replace('\n', "<br>")
            )
        } else {
            self.body.clone()
        };
        let (cte, encoded) = match rng.below(3) {
            0 => ("base64", wrap(&STANDARD.encode(body.as_bytes()))),
            1 => ("quoted-printable", quoted_printable(&body)),
            _ => ("8bit", body.replace('\n', "\r\n")),
        };
        let text_part = format!(
            "Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{encoded}\r\n"
        );
        let mut out = h;
        if self.attachments.is_empty() {
            out.push_str(&text_part);
        } else {
            out.push_str("Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n--=_b\r\n");
            out.push_str(&text_part);
            for (name, data) in &self.attachments {
                out.push_str(&format!(
                    "--=_b\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                    wrap(&STANDARD.encode(data))
                ));
            }
            out.push_str("--=_b--\r\n");
        }
        if rng.chance(20) {
            out = out.replace("\r\n", "\n");
        }
        out.into_bytes()
    }
}

fn wrap(s: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn quoted_printable(s: &str) -> String {
    let mut out = String::new();
    for line in s.split('\n') {
        let mut len = 0;
        for b in line.bytes() {
            let piece = if (b == b'=' || !(32..=126).contains(&b)) && b != b' ' {
                format!("={b:02X}")
            } else {
                (b as char).to_string()
            };
            if len + piece.len() > 73 {
                out.push_str("=\r\n");
                len = 0;
            }
            len += piece.len();
            out.push_str(&piece);
        }
        out.push_str("\r\n");
    }
    out
}

fn id(rng: &mut Rng) -> bool {
    rng.chance(55)
}

const ID_GREET: &[&str] = &[
    "Selamat pagi Bapak/Ibu,",
    "Dengan hormat,",
    "Halo tim {shop},",
    "Yth. Bagian Keuangan {shop},",
];
const EN_GREET: &[&str] = &[
    "Dear {shop} team,",
    "Hello,",
    "Hi finance team,",
    "Good morning,",
];
const ID_CLOSE: &[&str] = &[
    "Terima kasih.\nSalam,\n{person}\n{supplier}",
    "Hormat kami,\n{person} - {supplier}",
    "Atas perhatiannya kami ucapkan terima kasih.\n{person}",
];
const EN_CLOSE: &[&str] = &[
    "Thank you.\nBest regards,\n{person}\n{supplier}",
    "Kind regards,\n{person} | {supplier}",
    "Thanks,\n{person}",
];

const ID_BANK_CHANGE: &[&str] = &[
    "Bersama ini kami informasikan bahwa rekening perusahaan kami telah berubah. Mohon pembayaran invoice {inv} ditransfer ke rekening baru: {bank}.",
    "Mulai bulan ini pembayaran mohon dialihkan ke rekening kami yang baru di {bank}, karena rekening lama sedang dalam proses audit.",
    "Rekening lama kami tidak aktif lagi. Silakan transfer ke {bank} a.n. {supplier}.",
    "Ada perubahan nomor rekening untuk pembayaran tagihan {inv}. Rekening pengganti: {bank}.",
    "Mohon jangan transfer ke rekening lama. Gunakan rekening berikut yang baru: {bank}.",
    "Kami sudah ganti rekening bank. Nomor rekening terbaru kami {bank}.",
];
const EN_BANK_CHANGE: &[&str] = &[
    "Please note that our bank details have changed. Kindly pay invoice {inv} to our new account: {bank}.",
    "Due to an ongoing audit, our old account cannot receive payments. Please remit to {bank} instead.",
    "We have updated our banking information. All future payments should go to {bank}.",
    "Kindly direct payment for {inv} to our new beneficiary account {bank}; do not use the previous account.",
    "Our account is currently under review, so please use the alternate bank account below: {bank}.",
    "Find attached the invoice with our updated bank details ({bank}).",
];
const ID_URGENT: &[&str] = &[
    "Mohon segera diproses hari ini.",
    "Pembayaran ini mendesak, batas waktu hari ini.",
    "Tolong diselesaikan secepatnya.",
    "",
];
const EN_URGENT: &[&str] = &[
    "This is urgent, please process it today.",
    "Please complete the payment as soon as possible.",
    "Kindly treat as urgent.",
    "",
];
const ID_SECRET: &[&str] = &[
    "Saya sedang rapat, jangan telepon, balas lewat e-mail saja.",
    "Tolong rahasiakan dulu dari tim lain.",
    "Nomor WA baru saya nanti saya kirim, sementara hanya via email.",
];
const EN_SECRET: &[&str] = &[
    "I'm in a meeting, do not call, just reply by email.",
    "Keep this confidential for now.",
    "I can't take calls today, reply only to this address.",
];

fn fill(t: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = t.to_string();
    for (k, v) in pairs {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Generates `n` labelled mails from `seed` for shop `shop` (see [`context`]). Roughly half are
/// malicious.
pub fn generate(seed: u64, shop: usize, n: usize) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let (shop_name, shop_domain, owner) = SHOPS[shop % SHOPS.len()];
    let to = format!("finance@{shop_domain}");
    (0..n)
        .map(|i| {
            let s = &SUPPLIERS[rng.below(SUPPLIERS.len())];
            let lang_id = id(&mut rng);
            let inv = format!("INV/{}/{:04}", 2026, rng.below(9999));
            let bank = rng.pick::<&str>(NEW_BANKS);
            let pairs = [
                ("shop", shop_name),
                ("supplier", s.name),
                ("person", s.person),
                ("inv", inv.as_str()),
                ("bank", bank),
            ];
            let greet = fill(
                if lang_id {
                    rng.pick::<&str>(ID_GREET)
                } else {
                    rng.pick::<&str>(EN_GREET)
                },
                &pairs,
            );
            let close = fill(
                if lang_id {
                    rng.pick::<&str>(ID_CLOSE)
                } else {
                    rng.pick::<&str>(EN_CLOSE)
                },
                &pairs,
            );
            let malicious = rng.chance(50);
            let (class, mail, asks) = if malicious {
                classes::malicious(
                    &mut rng,
                    lang_id,
                    s,
                    &pairs,
                    &greet,
                    &close,
                    owner,
                    shop_domain,
                )
            } else {
                classes::benign(
                    &mut rng,
                    lang_id,
                    s,
                    &pairs,
                    &greet,
                    &close,
                    shop_name,
                    shop_domain,
                )
            };
            Sample {
                name: format!("{i:05}-{class}-{}.eml", if lang_id { "id" } else { "en" }),
                raw: mail.render(&mut rng, &to, i),
                class,
                malicious,
                asks_bank_change: asks,
            }
        })
        .collect()
}

/// Quality figures over a labelled set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quality {
    /// Malicious mails.
    pub malicious: usize,
    /// Of which rated medium or high.
    pub detected: usize,
    /// Benign mails (genuine bank-change notices excluded).
    pub benign: usize,
    /// Of which rated high.
    pub benign_high: usize,
    /// Of which rated medium or high.
    pub benign_flagged: usize,
    /// Mails asking for a bank change.
    pub bank_asks: usize,
    /// Of which carry `BANK_DETAILS_CHANGE`.
    pub bank_flagged: usize,
    /// Mails the analyzer refused (errors).
    pub errors: usize,
    /// Names of misses (malicious low, benign high), for reading.
    pub misses: Vec<String>,
}

impl Quality {
    /// Detection rate.
    pub fn detection(&self) -> f64 {
        self.detected as f64 / self.malicious.max(1) as f64
    }
    /// Benign rated high.
    pub fn benign_high_rate(&self) -> f64 {
        self.benign_high as f64 / self.benign.max(1) as f64
    }
    /// Benign rated medium or above.
    pub fn benign_flagged_rate(&self) -> f64 {
        self.benign_flagged as f64 / self.benign.max(1) as f64
    }
    /// `BANK_DETAILS_CHANGE` recall.
    pub fn bank_recall(&self) -> f64 {
        self.bank_flagged as f64 / self.bank_asks.max(1) as f64
    }
}

/// Scores `samples` with `analyzer`.
pub fn evaluate(analyzer: &Analyzer, samples: &[Sample]) -> Quality {
    let mut q = Quality::default();
    for s in samples {
        let Ok(r) = analyzer.analyze(&s.raw) else {
            q.errors += 1;
            q.misses.push(format!("{} (error)", s.name));
            continue;
        };
        if s.asks_bank_change {
            q.bank_asks += 1;
            if r.bank_details_change() {
                q.bank_flagged += 1;
            } else {
                q.misses
                    .push(format!("{} (no BANK_DETAILS_CHANGE)", s.name));
            }
        }
        if s.malicious {
            q.malicious += 1;
            if r.verdict >= Verdict::Medium {
                q.detected += 1;
            } else {
                q.misses.push(format!(
                    "{} (malicious rated {} {}: {:?})",
                    s.name,
                    r.verdict.as_str(),
                    r.score,
                    r.indicators
                        .iter()
                        .map(|i| i.code.as_str())
                        .collect::<Vec<_>>()
                ));
            }
        } else if !s.asks_bank_change {
            q.benign += 1;
            if r.verdict == Verdict::High {
                q.benign_high += 1;
            }
            if r.verdict >= Verdict::Medium {
                q.benign_flagged += 1;
                q.misses.push(format!(
                    "{} (benign rated {}: {:?})",
                    s.name,
                    r.verdict.as_str(),
                    r.indicators
                        .iter()
                        .map(|i| i.code.as_str())
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    q
}
