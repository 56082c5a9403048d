//! The generator's classes: what each benign and malicious mail looks like.

use super::{
    CUSTOMERS, EN_BANK_CHANGE, EN_SECRET, EN_URGENT, FREEMAIL, ID_BANK_CHANGE, ID_SECRET,
    ID_URGENT, Mail, Rng, Supplier, fill, lookalike,
};

fn pick_str(rng: &mut Rng, id: bool, ids: &[&str], ens: &[&str], pairs: &[(&str, &str)]) -> String {
    fill(
        if id {
            rng.pick::<&str>(ids)
        } else {
            rng.pick::<&str>(ens)
        },
        pairs,
    )
}

fn attach_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    // Stored entries, central directory, end record.
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let off = out.len() as u32;
        let len = data.len() as u32;
        out.extend_from_slice(
            b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        );
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(
            b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        );
        central.extend_from_slice(&len.to_le_bytes());
        central.extend_from_slice(&len.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&off.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A malicious mail: (class, mail, asks for a bank change).
#[allow(clippy::too_many_arguments)]
pub(super) fn malicious(
    rng: &mut Rng,
    id: bool,
    s: &Supplier,
    pairs: &[(&str, &str)],
    greet: &str,
    close: &str,
    owner: &str,
    shop_domain: &str,
) -> (&'static str, Mail, bool) {
    let bank_text = pick_str(rng, id, ID_BANK_CHANGE, EN_BANK_CHANGE, pairs);
    let urgent = pick_str(rng, id, ID_URGENT, EN_URGENT, pairs);
    let subj_change = if id {
        rng.pick(&[
            "Perubahan rekening pembayaran",
            "Info rekening baru",
            "Invoice {inv} - update pembayaran",
            "Pemberitahuan penting",
        ])
        .to_string()
    } else {
        rng.pick(&[
            "Change of bank details",
            "Updated payment information",
            "Invoice {inv} - payment update",
            "Important notice",
        ])
        .to_string()
    };
    let subj_change = fill(&subj_change, pairs);
    match rng.below(8) {
        0 | 1 => {
            let fake = lookalike(rng, s.domain);
            let mut m = Mail::new(
                format!(
                    "{} <{}@{fake}>",
                    s.name,
                    rng.pick(&["finance", "billing", "admin", "accounting"])
                ),
                subj_change,
                format!("{greet}\n\n{bank_text} {urgent}\n\n{close}"),
            );
            m.html = rng.chance(40);
            ("lookalike", m, true)
        }
        2 => {
            let free = rng.pick(FREEMAIL);
            let local = format!(
                "{}.{}",
                s.name.to_lowercase().replace(' ', ""),
                rng.pick(&["finance", "billing", "official", "id"])
            );
            let body = if rng.chance(60) {
                format!("{greet}\n\n{bank_text} {urgent}\n\n{close}")
            } else if id {
                format!(
                    "{greet}\n\nTerlampir tagihan {}. Mohon dibayar hari ini juga agar pengiriman tidak tertunda.\n\n{close}",
                    pairs[3].1
                )
            } else {
                format!(
                    "{greet}\n\nPlease settle invoice {} today to avoid delaying your shipment.\n\n{close}",
                    pairs[3].1
                )
            };
            let asks = body.contains(&bank_text);
            (
                "display_name_spoof",
                Mail::new(
                    format!(
                        "\"{} {}\" <{local}@{free}>",
                        s.name,
                        rng.pick(&["Finance", "Billing", "Accounting", ""])
                    ),
                    subj_change,
                    body,
                ),
                asks,
            )
        }
        3 => {
            let free = rng.pick(FREEMAIL);
            let hijack = if rng.chance(50) {
                format!(
                    "{}.{}@{free}",
                    s.person.to_lowercase(),
                    s.domain.split('.').next().unwrap_or("x")
                )
            } else {
                format!("finance@{}", lookalike(rng, s.domain))
            };
            let mut m = Mail::new(
                format!("{} <{}@{}>", s.name, s.person.to_lowercase(), s.domain),
                subj_change,
                format!("{greet}\n\n{bank_text}\n\n{close}"),
            );
            m.reply_to = Some(hijack);
            if rng.chance(50) {
                m.extra_headers.push(format!("Authentication-Results: mx.{shop_domain}; spf=fail smtp.mailfrom={}; dmarc=fail header.from={}", s.domain, s.domain));
            }
            ("reply_to_hijack", m, true)
        }
        4 => {
            let mut m = Mail::new(
                format!("{} <{}@{}>", s.person, s.person.to_lowercase(), s.domain),
                subj_change,
                format!("{greet}\n\n{bank_text} {urgent}\n\n{close}"),
            );
            m.extra_headers.push(format!("Authentication-Results: mx.{shop_domain}; spf=pass smtp.mailfrom={d}; dkim=pass header.d={d}; dmarc=pass header.from={d}", d = s.domain));
            ("compromised_mailbox", m, true)
        }
        5 => {
            let (brand, real) = *rng.pick(&[
                ("BCA", "www.klikbca.com"),
                ("Shopee", "seller.shopee.co.id"),
                ("Tokopedia", "seller.tokopedia.com"),
                (s.name, s.domain),
            ]);
            let evil = rng.pick(&[
                "http://198.51.100.23/secure/login",
                "https://verify-account.example-login.net/x",
                "https://bit.ly/3xYz",
                "https://login.masuk-akun.info/",
            ]);
            let text = if rng.chance(50) {
                real.to_string()
            } else if id {
                "Verifikasi akun".into()
            } else {
                "Verify your account".into()
            };
            let body = if id {
                format!(
                    "Yth. pelanggan,\n\nAkun Anda akan diblokir dalam 24 jam. Segera verifikasi data Anda: <a href=\"{evil}\">{text}</a>\n\nSalam, Tim {brand}"
                )
            } else {
                format!(
                    "Dear customer,\n\nYour account will be suspended within 24 hours. Verify your details now: <a href=\"{evil}\">{text}</a>\n\nRegards, {brand} Team"
                )
            };
            let sender = format!(
                "{brand} <no-reply@{}>",
                rng.pick(&["notif-service.info", "security-alert.net", "akun-resmi.com"])
            );
            let mut m = Mail::new(
                sender,
                if id {
                    "Akun Anda akan diblokir".into()
                } else {
                    "Your account will be suspended".into()
                },
                body,
            );
            m.html = true;
            ("credential_phish", m, false)
        }
        6 => {
            let (name, data): (String, Vec<u8>) = match rng.below(5) {
                0 => (
                    format!("{}.pdf.exe", pairs[3].1.replace('/', "_")),
                    b"MZ\x90\x00".to_vec(),
                ),
                1 => ("Invoice_Nov.docm".into(), b"PK\x03\x04".to_vec()),
                2 => (
                    "dokumen.zip".into(),
                    attach_zip(&[("Invoice.pdf.js", b"WScript.Shell")]),
                ),
                3 => (
                    "payment_advice.html".into(),
                    b"<html><form action='https://x.example/p'><input type=password></form></html>"
                        .to_vec(),
                ),
                _ => ("Faktur\u{202E}fdp.scr".into(), b"MZ".to_vec()),
            };
            let mut m = Mail::new(
                format!(
                    "{} <{}@{}>",
                    s.name,
                    rng.pick(&["billing", "admin"]),
                    if rng.chance(50) {
                        s.domain.to_string()
                    } else {
                        lookalike(rng, s.domain)
                    }
                ),
                if id {
                    fill("Tagihan {inv}", pairs)
                } else {
                    fill("Invoice {inv}", pairs)
                },
                format!(
                    "{greet}\n\n{}\n\n{close}",
                    if id {
                        "Terlampir dokumen tagihan, mohon dibuka dan diperiksa."
                    } else {
                        "Please open the attached invoice document."
                    }
                ),
            );
            m.attachments.push((name, data));
            ("malware_attachment", m, false)
        }
        _ => {
            let free = rng.pick(FREEMAIL);
            let local = format!(
                "{}{}",
                owner.to_lowercase().replace(' ', "."),
                rng.pick(&["", ".ceo", "2026", ".office"])
            );
            let ask = if id {
                rng.pick(&[
                    "Tolong segera transfer Rp 47.500.000 ke vendor baru hari ini.",
                    "Saya perlu bantuan pembayaran mendesak ke rekening berikut sebelum jam 3.",
                    "Bisa bantu belikan voucher Google Play 10 x Rp 500.000 secepatnya?",
                ])
                .to_string()
            } else {
                rng.pick(&[
                    "Please wire IDR 47,500,000 to a new vendor today, it is urgent.",
                    "I need you to handle an urgent payment to the account below before 3pm.",
                    "Can you buy 10 gift cards of IDR 500,000 right away?",
                ])
                .to_string()
            };
            let secret = pick_str(rng, id, ID_SECRET, EN_SECRET, pairs);
            (
                "ceo_fraud",
                Mail::new(
                    format!("{owner} <{local}@{free}>"),
                    if id {
                        "Permintaan".into()
                    } else {
                        "Quick request".into()
                    },
                    format!("{ask} {secret}\n\n{owner}"),
                ),
                false,
            )
        }
    }
}

/// A benign mail: (class, mail, asks for a bank change — only the genuine notice does).
#[allow(clippy::too_many_arguments)]
pub(super) fn benign(
    rng: &mut Rng,
    id: bool,
    s: &Supplier,
    pairs: &[(&str, &str)],
    greet: &str,
    close: &str,
    shop_name: &str,
    shop_domain: &str,
) -> (&'static str, Mail, bool) {
    match rng.below(10) {
        0 | 1 => {
            let body = if id {
                format!(
                    "{greet}\n\nTerlampir invoice {} untuk pengiriman bulan ini. Pembayaran dapat ditransfer ke rekening {} a.n. {} seperti biasa, paling lambat 14 hari.\n\n{close}",
                    pairs[3].1, s.bank, s.name
                )
            } else {
                format!(
                    "{greet}\n\nPlease find attached invoice {} for this month's delivery. Payment to our usual account {} ({}) within 14 days.\n\n{close}",
                    pairs[3].1, s.bank, s.name
                )
            };
            let mut m = Mail::new(
                format!("{} <billing@{}>", s.name, s.domain),
                fill(
                    if id {
                        "Invoice {inv}"
                    } else {
                        "Invoice {inv} from {supplier}"
                    },
                    pairs,
                ),
                body,
            );
            if rng.chance(60) {
                m.attachments.push((
                    format!("{}.pdf", pairs[3].1.replace('/', "-")),
                    PDF.to_vec(),
                ));
            }
            if rng.chance(50) {
                m.extra_headers.push(format!("Authentication-Results: mx.{shop_domain}; spf=pass smtp.mailfrom={d}; dkim=pass header.d={d}; dmarc=pass header.from={d}", d = s.domain));
            }
            ("invoice", m, false)
        }
        2 => {
            let (courier, domain) = *rng.pick(&[
                ("JNE", "jne.co.id"),
                ("SiCepat", "sicepat.com"),
                ("AnterAja", "anteraja.id"),
            ]);
            let resi = format!(
                "{}{:010}",
                courier.chars().next().unwrap_or('X'),
                rng.next_u64() % 10_000_000_000
            );
            let body = if id {
                format!(
                    "Halo {shop_name},\n\nPaket dengan nomor resi {resi} sedang dalam perjalanan dan akan segera tiba. Lacak paket: https://www.{domain}/tracking?resi={resi}\n\nTerima kasih telah menggunakan {courier}."
                )
            } else {
                format!(
                    "Hello {shop_name},\n\nYour parcel {resi} is on its way and will arrive soon. Track it at https://www.{domain}/tracking?resi={resi}\n\nThank you for shipping with {courier}."
                )
            };
            let mut m = Mail::new(
                format!("{courier} <no-reply@{domain}>"),
                if id {
                    format!("Paket {resi} dalam pengiriman")
                } else {
                    format!("Parcel {resi} in transit")
                },
                body,
            );
            m.return_path = Some(format!("bounce@mail.{domain}"));
            ("courier", m, false)
        }
        3 => {
            let (mp, domain) = *rng.pick(&[
                ("Shopee", "shopee.co.id"),
                ("Tokopedia", "tokopedia.com"),
                ("Lazada", "lazada.co.id"),
            ]);
            let order = rng.next_u64() % 1_000_000_000;
            let body = if id {
                format!(
                    "Pesanan baru #{order} telah dibayar pembeli. Segera kemas dan kirim pesanan sebelum batas waktu pengiriman. <a href=\"https://seller.{domain}/order/{order}\">Lihat pesanan</a>"
                )
            } else {
                format!(
                    "New order #{order} has been paid. Please pack and ship it before the shipping deadline. <a href=\"https://seller.{domain}/order/{order}\">View order</a>"
                )
            };
            let mut m = Mail::new(
                format!("{mp} Seller Centre <info@{domain}>"),
                if id {
                    format!("Pesanan baru #{order}")
                } else {
                    format!("New order #{order}")
                },
                body,
            );
            m.html = true;
            m.return_path = Some(format!(
                "bounces+{order}@em.{}",
                rng.pick(&["sendgrid.net", "amazonses.com", "mailgun.org"])
            ));
            ("marketplace", m, false)
        }
        4 => {
            let body = if id {
                format!(
                    "Promo akhir tahun {shop_name}! Diskon 30% untuk serum favorit, hanya hari ini. <a href=\"https://{shop_domain}.us1.list-manage.com/track/click?u=ab12&id={}\">www.{shop_domain}/promo</a>\n\nBerhenti berlangganan: https://{shop_domain}/unsubscribe",
                    rng.next_u64() % 9999
                )
            } else {
                format!(
                    "{shop_name} year-end sale! 30% off favourite serums, today only. <a href=\"https://click.sendgrid.net/ls/click?upn={}\">www.{shop_domain}/sale</a>\n\nUnsubscribe: https://{shop_domain}/unsubscribe",
                    rng.next_u64() % 9999
                )
            };
            let mut m = Mail::new(
                format!("{shop_name} <news@{shop_domain}>"),
                if id {
                    "Promo akhir tahun - segera!".into()
                } else {
                    "Year-end sale - hurry!".into()
                },
                body,
            );
            m.html = true;
            m.extra_headers.push(format!(
                "List-Unsubscribe: <https://{shop_domain}/unsubscribe>"
            ));
            m.reply_to = Some(format!("cs@{shop_domain}"));
            m.return_path = Some("bounce@mcsv.net".into());
            ("newsletter", m, false)
        }
        5 => {
            let c = rng.pick(CUSTOMERS);
            let free = rng.pick(FREEMAIL);
            let body = if id {
                rng.pick(&["Halo kak, pesanan saya kok belum sampai ya? Mohon segera dicek, terima kasih.", "Kak, saya mau tanya apakah serum vitamin C ready? Kalau ada saya mau pesan segera, transfer ke rekening mana ya?", "Min, paket saya rusak. Tolong secepatnya dibantu ya, urgent."]).to_string()
            } else {
                rng.pick(&["Hi, my order has not arrived yet. Could you check urgently? Thanks.", "Hello, is the vitamin C serum in stock? I'd like to order asap, which account do I pay to?", "My parcel arrived damaged, please help as soon as possible."]).to_string()
            };
            (
                "customer_question",
                Mail::new(
                    format!("{c} <{}{}@{free}>", c.to_lowercase(), rng.below(999)),
                    if id {
                        "Pertanyaan pesanan".into()
                    } else {
                        "Question about my order".into()
                    },
                    format!("{body}\n\n{c}"),
                ),
                false,
            )
        }
        6 => {
            let (svc, domain) = *rng.pick(&[
                ("Kasir Pintar", "kasirpintar.co.id"),
                ("Jurnal", "jurnal.id"),
                ("Mailchimp", "mailchimp.com"),
            ]);
            let body = if id {
                format!(
                    "Kami menerima permintaan reset kata sandi untuk akun Anda. <a href=\"https://accounts.{domain}/reset?t={}\">Reset kata sandi</a>. Tautan berlaku 1 jam. Abaikan jika bukan Anda.",
                    rng.next_u64()
                )
            } else {
                format!(
                    "We received a request to reset your password. <a href=\"https://accounts.{domain}/reset?t={}\">Reset password</a>. The link expires in 1 hour. Ignore this if it was not you.",
                    rng.next_u64()
                )
            };
            let mut m = Mail::new(
                format!("{svc} <no-reply@{domain}>"),
                if id {
                    "Reset kata sandi".into()
                } else {
                    "Reset your password".into()
                },
                body,
            );
            m.html = true;
            ("password_reset", m, false)
        }
        7 => {
            let ticket = rng.below(99999);
            let mut m = Mail::new(
                format!("{} Support <support@{}>", s.name, s.domain),
                format!(
                    "[#{ticket}] {}",
                    if id {
                        "Tiket Anda telah diperbarui"
                    } else {
                        "Your ticket was updated"
                    }
                ),
                if id {
                    format!(
                        "Halo,\n\nTiket #{ticket} tentang pengiriman botol telah kami tanggapi. Balas e-mail ini untuk menambahkan komentar.\n\nTim Dukungan {}",
                        s.name
                    )
                } else {
                    format!(
                        "Hello,\n\nWe replied to ticket #{ticket} about the bottle delivery. Reply to this e-mail to add a comment.\n\n{} Support",
                        s.name
                    )
                },
            );
            m.reply_to = Some(format!(
                "support+{ticket}@{}.zendesk.com",
                s.domain.split('.').next().unwrap_or("x")
            ));
            ("helpdesk", m, false)
        }
        8 => {
            let body = if id {
                format!(
                    "{greet}\n\nKami mengingatkan: {} tidak pernah mengubah nomor rekening melalui e-mail. Rekening resmi kami tetap {}. Jika menerima permintaan seperti itu, hubungi kami di nomor yang tercatat.\n\n{close}",
                    s.name, s.bank
                )
            } else {
                format!(
                    "{greet}\n\nA reminder: {} will never change its bank details by e-mail. Our official account remains {}. If you receive such a request, call us on the number you have on file.\n\n{close}",
                    s.name, s.bank
                )
            };
            (
                "fraud_warning",
                Mail::new(
                    format!("{} <info@{}>", s.name, s.domain),
                    if id {
                        "Waspada penipuan".into()
                    } else {
                        "Fraud awareness".into()
                    },
                    body,
                ),
                false,
            )
        }
        _ => {
            // A genuine notice of new bank details: flagged for verification by design.
            let bank_text = pick_str(rng, id, ID_BANK_CHANGE, EN_BANK_CHANGE, pairs);
            let mut m = Mail::new(
                format!("{} <finance@{}>", s.name, s.domain),
                if id {
                    "Pemberitahuan perubahan rekening".into()
                } else {
                    "Notice of new bank details".into()
                },
                format!("{greet}\n\n{bank_text}\n\n{close}"),
            );
            m.extra_headers.push(format!("Authentication-Results: mx.{shop_domain}; dkim=pass header.d={d}; dmarc=pass header.from={d}", d = s.domain));
            ("genuine_bank_change", m, true)
        }
    }
}
