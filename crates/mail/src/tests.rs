//! End-to-end checks of the analyzer on hand-built messages.

use super::*;
use jaga_i18n::Lang;

fn ctx() -> Context {
    Context {
        known_domains: vec!["glowbeauty.co.id".into(), "suryakemas.com".into()],
        own_domains: vec!["tokoayu.id".into()],
        known_names: vec![("Ayu Lestari".into(), vec!["tokoayu.id".into()])],
        trusted_authserv: vec!["mx.tokoayu.id".into()],
        dkim_keys: vec![],
    }
}

fn mail(headers: &str, body: &str) -> Vec<u8> {
    format!(
        "{headers}\r\nTo: finance@tokoayu.id\r\nMessage-ID: <1@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn run(raw: &[u8]) -> Report {
    analyze(raw, &ctx()).expect("analysed")
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.indicators.iter().map(|i| i.code.as_str()).collect()
}

#[test]
fn routine_invoice_from_a_known_supplier_is_low() {
    let r = run(&mail(
        "From: Glow Beauty <billing@glowbeauty.co.id>\r\nSubject: Invoice INV-2026-118",
        "Terlampir invoice bulan November. Pembayaran ke rekening BCA 1234567890 a.n. PT Glow Beauty seperti biasa.",
    ));
    assert_eq!(r.verdict, Verdict::Low, "{:?}", codes(&r));
    assert!(r.indicators.is_empty(), "{:?}", codes(&r));
}

#[test]
fn lookalike_domain_with_bank_change_is_high_and_explained() {
    let r = run(&mail(
        "From: Glow Beauty <billing@g1owbeauty.co.id>\r\nSubject: Perubahan rekening",
        "Mohon segera transfer ke rekening baru kami di Bank Mandiri 1370012345678.",
    ));
    assert_eq!(r.verdict, Verdict::High);
    assert!(r.has(Code::LookalikeDomain) && r.has(Code::BankDetailsChange) && r.has(Code::Urgency));
    let en = r.view(Lang::En);
    let look = en
        .indicators
        .iter()
        .find(|i| i.code == "LOOKALIKE_DOMAIN")
        .unwrap();
    assert!(
        look.detail.contains("g1owbeauty.co.id") && look.detail.contains("'l' replaced by '1'"),
        "{}",
        look.detail
    );
    let id = r.explain(Lang::Id);
    assert!(
        id.contains("Risiko tinggi") && id.contains("huruf 'l' diganti '1'"),
        "{id}"
    );
    assert!(id.contains("nomor yang sudah tercatat"));
}

#[test]
fn compromised_genuine_mailbox_still_flags_the_bank_change() {
    let r = run(&mail(
        "Authentication-Results: mx.tokoayu.id; spf=pass smtp.mailfrom=glowbeauty.co.id; dkim=pass header.d=glowbeauty.co.id; dmarc=pass header.from=glowbeauty.co.id\r\nFrom: Glow Beauty <billing@glowbeauty.co.id>\r\nSubject: Updated bank details",
        "Please note our updated bank details for all future payments: account 9988776655.",
    ));
    assert!(r.bank_details_change());
    assert!(r.has(Code::AuthPass));
    assert!(r.score >= BANK_CHANGE_FLOOR);
    assert!(r.verdict >= Verdict::Medium);
}

#[test]
fn forged_authentication_results_are_not_believed() {
    let forged = "Authentication-Results: mx.tokoayu.id.evil.example; dmarc=pass header.from=glowbeauty.co.id\r\n";
    let r = run(&mail(
        &format!("{forged}From: Glow Beauty <billing@glowbeauty.co.id>\r\nSubject: Invoice"),
        "Invoice attached.",
    ));
    assert!(!r.has(Code::AuthPass));
    assert!(r.has(Code::AuthUntrusted));
    let r = run(&mail(
        "Authentication-Results: mx.tokoayu.id; dmarc=fail header.from=glowbeauty.co.id\r\nFrom: Glow Beauty <billing@glowbeauty.co.id>\r\nSubject: Invoice",
        "Invoice attached.",
    ));
    assert!(r.has(Code::DmarcFail) && r.verdict >= Verdict::Medium);
}

#[test]
fn display_name_impersonation_and_ceo_fraud() {
    let r = run(&mail(
        "From: \"Glow Beauty Finance\" <glowbeauty.finance@gmail.com>\r\nSubject: Tagihan",
        "Mohon dibayar hari ini.",
    ));
    assert!(r.has(Code::DisplayNameImpersonation));
    assert_eq!(r.verdict, Verdict::High);
    let r = run(&mail(
        "From: Ayu Lestari <ayu.lestari.direktur@gmail.com>\r\nSubject: Permintaan",
        "Tolong segera transfer Rp 45.000.000 ke vendor baru. Jangan telepon, saya sedang rapat.",
    ));
    assert!(r.has(Code::DisplayNameImpersonation) && r.has(Code::Secrecy));
    assert_eq!(r.verdict, Verdict::High);
    // A relay writing for the shop is not impersonation; the same name from elsewhere is.
    let r = run(&mail(
        "From: \"Toko Ayu (via Google Forms)\" <forms-receipts-noreply@google.com>\r\nSubject: Formulir",
        "Respons baru.",
    ));
    assert!(!r.has(Code::DisplayNameImpersonation), "{:?}", codes(&r));
    let r = run(&mail(
        "From: \"Toko Ayu via Support\" <help@tokoayu-support.example>\r\nSubject: Formulir",
        "Respons baru.",
    ));
    assert!(r.has(Code::DisplayNameImpersonation), "{:?}", codes(&r));
    // The owner writing from the shop's own domain is fine.
    let r = run(&mail(
        "From: Ayu Lestari <ayu@tokoayu.id>\r\nSubject: Rapat",
        "Rapat jam 3.",
    ));
    assert!(r.indicators.is_empty(), "{:?}", codes(&r));
}

#[test]
fn reply_to_to_free_mail_and_link_mismatch() {
    let r = run(&mail(
        "From: Surya Kemas <sales@suryakemas.com>\r\nReply-To: suryakemas.sales@gmail.com\r\nSubject: Invoice",
        "Invoice attached.",
    ));
    assert!(r.has(Code::ReplyToMismatch));
    assert!(r.verdict >= Verdict::Medium);
    let html = "From: BCA <info@notif-bca.example>\r\nSubject: Akun Anda diblokir\r\nMIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>Akun Anda akan diblokir. <a href=\"http://203.0.113.9/login\">www.klikbca.com</a></p>";
    let r = run(html.as_bytes());
    assert!(
        r.has(Code::LinkTextMismatch)
            && r.has(Code::SuspiciousLink)
            && r.has(Code::DisplayNameImpersonation),
        "{:?}",
        codes(&r)
    );
    assert_eq!(r.verdict, Verdict::High);
}

#[test]
fn newsletter_tracking_links_are_not_mismatches() {
    let html = "From: Toko Ayu <news@tokoayu.id>\r\nList-Unsubscribe: <mailto:u@tokoayu.id>\r\nMessage-ID: <n@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\nSubject: Promo\r\nContent-Type: text/html\r\n\r\n<a href=\"https://tokoayu.us1.list-manage.com/track/click?u=1\">www.tokoayu.id/promo</a> <a href=\"https://tokoayu.id/x\">tokoayu.id</a> Segera, promo berakhir!";
    let r = run(html.as_bytes());
    assert!(!r.has(Code::LinkTextMismatch), "{:?}", codes(&r));
    assert_eq!(r.verdict, Verdict::Low, "{:?}", codes(&r));
}

#[test]
fn attachments() {
    let m = "From: Surya Kemas <sales@suryakemas.com>\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream; name=\"invoice.pdf.exe\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n";
    let r = run(m.as_bytes());
    assert!(r.has(Code::AttachmentExecutable) && r.has(Code::AttachmentDisguised));
    assert_eq!(r.verdict, Verdict::High);
}

#[test]
fn forwarded_message_is_analysed_too() {
    let inner = "From: Glow Beauty <billing@glowbeauty-id.com>\r\nSubject: Rekening baru\r\n\r\nMohon transfer ke rekening baru kami.\r\n";
    let m = format!(
        "From: Staff <staff@tokoayu.id>\r\nSubject: Fwd: Rekening baru\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nIni asli?\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--b--\r\n"
    );
    let r = run(m.as_bytes());
    assert!(
        r.has(Code::LookalikeDomain) && r.has(Code::BankDetailsChange),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn dkim_with_provided_keys() {
    let seed = [3u8; 32];
    let body = "From: Glow Beauty <billing@glowbeauty.co.id>\r\nSubject: Invoice 9\r\nMessage-ID: <9@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nInvoice 9 attached.\r\n";
    let sig = dkim::sign_ed25519(
        body.as_bytes(),
        "glowbeauty.co.id",
        "k1",
        &seed,
        &["from", "subject"],
    );
    let mut c = ctx();
    c.dkim_keys = vec![DkimKey {
        selector: "k1".into(),
        domain: "glowbeauty.co.id".into(),
        record: dkim::ed25519_record(&seed),
    }];
    let good = format!("{sig}{body}");
    let r = analyze(good.as_bytes(), &c).unwrap();
    assert!(
        r.has(Code::DkimVerified) && r.has(Code::AuthPass),
        "{:?}",
        codes(&r)
    );
    let bad = good.replace(
        "Invoice 9 attached.",
        "Pay to our new bank account 123456789.",
    );
    let r = analyze(bad.as_bytes(), &c).unwrap();
    assert!(r.has(Code::DkimFail) && !r.has(Code::AuthPass));
    assert!(
        r.indicators
            .iter()
            .find(|i| i.code == Code::DkimFail)
            .unwrap()
            .detail(Lang::En)
            .contains("body was changed")
    );
}

#[test]
fn a_file_that_does_not_begin_with_a_header_is_not_a_message() {
    // A binary file or an Outlook `.msg` (an OLE container) got a "low risk" verdict before.
    for raw in [
        &b"\xff\xfe\x00\x01"[..],
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00From: a@b.c\r\n",
        b"Mohon transfer ke rekening baru: BCA 1234567890\r\n",
        b": no name\r\n\r\nhi",
        b"\r\n\r\nFrom: a@example.com\r\n\r\nhi\r\n",
    ] {
        assert_eq!(analyze(raw, &ctx()), Err(MailError::NotAMessage), "{raw:?}");
    }
    // What does begin with a header is analysed: a byte-order mark, an mbox `From ` line and
    // the obsolete blank before the colon are accepted. (Blank lines first mean no header, as
    // the parser has always read them.)
    for raw in [
        &b"From: a@example.com\r\nSubject: x\r\n\r\nhi\r\n"[..],
        b"\xef\xbb\xbfFrom: a@example.com\r\n\r\nhi\r\n",
        b"From a@example.com Mon Dec  7 09:00:00 2026\nFrom: a@example.com\n\nhi\n",
        b"Subject : x\r\nFrom: a@example.com\r\n\r\nhi\r\n",
    ] {
        assert!(analyze(raw, &ctx()).is_ok(), "{raw:?}");
    }
}

#[test]
fn bad_input_is_an_error_or_a_result_never_a_panic() {
    assert_eq!(analyze(b"", &ctx()), Err(MailError::Empty));
    assert!(matches!(
        analyze(&vec![b'a'; MAX_MESSAGE + 1], &ctx()),
        Err(MailError::TooLarge { .. })
    ));
    for raw in [
        &b"\xff\xfe\x00garbage"[..],
        b"From:\r\n\r\n",
        b"Subject: =?utf-8?B?////?=\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
        b"From: a@b\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!",
    ] {
        let _ = analyze(raw, &ctx());
    }
    // Deeply nested multiparts and forwards.
    let mut m = String::from("From: a@example.com\r\nSubject: deep\r\n");
    for i in 0..400 {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
        ));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nhi\r\n");
    let _ = analyze(m.as_bytes(), &ctx());
    let mut f = String::from("From: a@example.com\r\nSubject: x\r\n\r\nhi\r\n");
    for _ in 0..20 {
        f = format!("From: a@example.com\r\nContent-Type: message/rfc822\r\n\r\n{f}");
    }
    let _ = analyze(f.as_bytes(), &ctx());
    // Huge multi-byte bodies are cut on a character boundary.
    let long = format!(
        "From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
        "é漢".repeat(60_000)
    );
    assert!(analyze(long.as_bytes(), &ctx()).is_ok());
    let long_html = format!(
        "From: a@example.com\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>{}</p>",
        "é漢<a href=x>ü</a>".repeat(40_000)
    );
    assert!(analyze(long_html.as_bytes(), &ctx()).is_ok());
    // Missing headers: a clear result.
    let r = analyze(b"Subject: hello\r\n\r\nbody", &ctx()).unwrap();
    assert!(r.has(Code::StructureAnomaly));
}

#[test]
fn domain_lists() {
    assert_eq!(
        parse_domain_list(
            "# suppliers\nglowbeauty.co.id\n\nfinance@suryakemas.com\nhttps://kemas.example/x\nnot a domain\n"
        ),
        vec!["glowbeauty.co.id", "suryakemas.com", "kemas.example"]
    );
}

#[test]
fn mutated_messages_give_consistent_results() {
    // A deterministic stand-in for the fuzz target (crates/mail/fuzz) in the ordinary test run:
    // truncations, byte flips and spliced boundaries of generated and hand-built mails.
    let analyzer = Analyzer::new(&ctx());
    let mut rng = corpus::Rng::new(11);
    let mut seeds: Vec<Vec<u8>> = corpus::generate(5, 0, 60)
        .into_iter()
        .map(|s| s.raw)
        .collect();
    seeds.push(mail(
        "From: x <a@b.example>\r\nSubject: s",
        "segera transfer ke rekening baru",
    ));
    for seed in &seeds {
        for _ in 0..20 {
            let mut m = seed.clone();
            match rng.below(4) {
                0 => m.truncate(rng.below(m.len().max(1))),
                1 => {
                    for _ in 0..8 {
                        let i = rng.below(m.len().max(1));
                        if let Some(b) = m.get_mut(i) {
                            *b = (rng.next_u64() & 0xff) as u8;
                        }
                    }
                }
                2 => {
                    let i = rng.below(m.len().max(1));
                    m.splice(
                        i..i,
                        b"\r\n--=_b\r\nContent-Type: message/rfc822\r\n\r\n"
                            .iter()
                            .copied(),
                    );
                }
                _ => {
                    let i = rng.below(m.len().max(1));
                    let tail = m[i..].to_vec();
                    m.extend_from_slice(&tail);
                }
            }
            if let Ok(r) = analyzer.analyze(&m) {
                assert!(r.score <= 100);
                assert_eq!(r.verdict, Verdict::from_score(r.score));
                if r.bank_details_change() {
                    assert!(r.score >= BANK_CHANGE_FLOOR);
                }
                for lang in Lang::ALL {
                    assert!(!r.explain(lang).is_empty());
                }
            }
        }
    }
}

#[test]
fn a_free_mail_known_domain_gives_no_auth_pass_credit() {
    // A payee writes from gmail.com, so gmail.com reaches the known domains; a stranger's gmail
    // address with a trusted DMARC pass must not be credited as a known partner.
    let mut c = ctx();
    c.known_domains.push("gmail.com".into());
    c.known_domains.push("Yahoo.co.id".into());
    let raw = mail(
        "Authentication-Results: mx.tokoayu.id; spf=pass smtp.mailfrom=gmail.com; dkim=pass header.d=gmail.com; dmarc=pass header.from=gmail.com\r\nFrom: Budi <budi.stranger@gmail.com>\r\nSubject: Halo",
        "Halo, saya mau tanya stok serum.",
    );
    let r = analyze(&raw, &c).expect("analysed");
    assert!(!r.has(Code::AuthPass), "{:?}", codes(&r));
    // The same mail from a real known domain still gets the credit.
    let raw = mail(
        "Authentication-Results: mx.tokoayu.id; spf=pass smtp.mailfrom=glowbeauty.co.id; dkim=pass header.d=glowbeauty.co.id; dmarc=pass header.from=glowbeauty.co.id\r\nFrom: Rina <rina@glowbeauty.co.id>\r\nSubject: Halo",
        "Halo, stok serum sudah siap.",
    );
    assert!(analyze(&raw, &c).expect("analysed").has(Code::AuthPass));
}

#[test]
fn the_sender_address_is_read_for_payee_matching() {
    let raw = mail(
        "From: Glow Beauty <Billing@GlowBeauty.co.id>\r\nSubject: x",
        "halo",
    );
    assert_eq!(
        sender_address(&raw).as_deref(),
        Some("billing@glowbeauty.co.id")
    );
    assert_eq!(sender_address(b"Subject: none\r\n\r\nbody"), None);
    assert_eq!(sender_address(b""), None);
}
