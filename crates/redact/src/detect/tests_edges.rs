//! Regression tests for issue 17: every IBAN country, IP and phone edge cases, IDN e-mail,
//! cards raised by context, birth dates in every common form, labels that are not names.

use crate::{EntityKind as K, detect};

fn found(t: &str) -> Vec<(K, &str)> {
    detect(t)
        .into_iter()
        .map(|f| (f.kind, &t[f.range()]))
        .collect()
}

#[test]
fn ibans_of_every_registry_country_in_running_text() {
    for iban in [
        "BG80 BNBG 9661 1020 3456 78",
        "AL47212110090000000235698741",
        "IS14 0159 2600 7654 5510 7303 39",
        "GI75NWBK000000007099453",
        "MD24 AG00 0225 1000 1310 4168",
        "ME25505000012345678951",
        "MK07250120000058984",
        "RS35260005601001611379",
        "SM86U0322509800000000270100",
        "VA59001123000012345678",
        "BR1800360305000010009795493C1",
        "UA21 3223 1300 0002 6007 2335 6600 1",
        "PK36SCBL0000001123456702",
        "EG380019000500000000263180002",
        "KZ86125KZT5004100100",
        "AL47-2121-1009-0000-0002-3569-8741",
        "de89 3704 0044 0532 0130 00",
        "gb82west12345698765432",
    ] {
        let t = format!("Refund ke IBAN {iban}, terima kasih.");
        assert_eq!(found(&t), [(K::Iban, iban)], "{t}");
    }
    assert_eq!(
        found("list of ibans: AL47212110090000000235698741, AL47212110090000000235698741"),
        [
            (K::Iban, "AL47212110090000000235698741"),
            (K::Iban, "AL47212110090000000235698741")
        ]
    );
    assert_eq!(
        found("this is an iban VG96 VPVG 0000 0123 4567 8901 X in a sentence"),
        [(K::Iban, "VG96 VPVG 0000 0123 4567 8901")]
    );
}

#[test]
fn ibans_that_break_the_registry_are_not_reported() {
    for t in [
        "AL47 212A 1009 0000 0002 3569 8741",
        "GI75 aWBK 0000 0000 7099 453",
        "gb82WEST12345698765432",
        "de89 3704 0044 0532 0130 01",
        "AL47 2121 1009 0000 0002 3569 8740",
        "BG80 BNBG 9661 1020 3456 79",
        "Slash as iban separator: AL47/2121/1009/0000/0002/3569/8741",
        "mixed AL47-2121 1009-0000-0002-3569-8741",
        "CY17 0020 0128 0000 0012 0052 7601 failed",
        "Dalla's Pizza | 3843 Peartree Road, Bamblee, SD 20241 440-600-5124",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::Iban),
            "{t}: {:?}",
            found(t)
        );
    }
}

#[test]
fn ipv4_edges() {
    for (t, ip) in [
        ("ssh root@192.168.1.1 now", "192.168.1.1"),
        ("192.168.2.1@eth0", "192.168.2.1"),
        ("allow 203.0.113.45/32", "203.0.113.45/32"),
        ("route 10.0.0.0/8.", "10.0.0.0/8"),
        ("(192.168.1.1)", "192.168.1.1"),
        ("IP: 192.168.1.1.", "192.168.1.1"),
        ("http://10.1.2.3/login", "10.1.2.3"),
        ("[10.0.0.1]:80", "10.0.0.1"),
        ("connect 192.168.1.1:8080 failed", "192.168.1.1:8080"),
        ("ip:10.0.0.1", "10.0.0.1"),
    ] {
        assert_eq!(found(t), [(K::IpAddress, ip)], "{t}");
    }
    for t in [
        "IP192.168.1.1text",
        "text192.168.1.1",
        "192.168.1.256",
        "300.168.1.1",
        "versi 1.2.3.4",
        "SKU-10.0.0.1",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::IpAddress),
            "{t}: {:?}",
            found(t)
        );
    }
    assert_eq!(
        found("range 10.0.0.1-10.0.0.9 ok"),
        [(K::IpAddress, "10.0.0.1"), (K::IpAddress, "10.0.0.9")]
    );
    // found by the property tests: a port left behind became a CVV on a second pass
    assert_eq!(
        found("cvv 123 10.0.0.1:8080 "),
        [(K::Cvv, "123"), (K::IpAddress, "10.0.0.1:8080")]
    );
    // found by the property tests: a quad after another number is a value of its own, and
    // `:` before a quad is a boundary (`ip:10.0.0.1`)
    assert_eq!(
        found("NIK 3174051204900003 10.0.0.0/8 "),
        [(K::Nik, "3174051204900003"), (K::IpAddress, "10.0.0.0/8")]
    );
    assert_eq!(
        found("NIK 3174051204900003:10.0.0.0/8]"),
        [(K::Nik, "3174051204900003"), (K::IpAddress, "10.0.0.0/8")]
    );
    // a prefix length out of range is not part of the address
    assert_eq!(found("net 10.0.0.0/33 x"), [(K::IpAddress, "10.0.0.0")]);
}

#[test]
fn ipv6_loopback_and_prefix() {
    assert_eq!(found("my ip: ::1"), [(K::IpAddress, "::1")]);
    assert_eq!(found("connecting from ::1"), [(K::IpAddress, "::1")]);
    assert_eq!(
        found("Prefix: 2001:db8::/32"),
        [(K::IpAddress, "2001:db8::/32")]
    );
    assert_eq!(found("fe80::/10"), [(K::IpAddress, "fe80::/10")]);
    assert_eq!(found("fe80::1%eth0 up"), [(K::IpAddress, "fe80::1%eth0")]);
    assert_eq!(found("::10.0.0.1"), [(K::IpAddress, "::10.0.0.1")]);
    assert_eq!(
        found("CN +86 138 1234 5678"),
        [(K::Phone, "+86 138 1234 5678")]
    );
    // found by the property tests: `::1:` before a code is not the loopback
    assert!(found("::1:AL47").iter().all(|(k, _)| *k != K::IpAddress));
    for t in [
        "std::cout",
        "MyClass::toString",
        ":::",
        "Time 12:34:56",
        "a ::",
    ] {
        assert!(found(t).is_empty(), "{t}: {:?}", found(t));
    }
}

#[test]
fn idn_emails() {
    assert_eq!(
        found("mail a@xn--d1acufc.xn--p1ai ya"),
        [(K::Email, "a@xn--d1acufc.xn--p1ai")]
    );
    assert_eq!(
        found("my email is user@xn--80ak6aa92e.com today"),
        [(K::Email, "user@xn--80ak6aa92e.com")]
    );
    assert_eq!(found("kirim ke a@пример.рф."), [(K::Email, "a@пример.рф")]);
    assert_eq!(found("x@例え.テスト"), [(K::Email, "x@例え.テスト")]);
    for t in ["a@b.xn--", "a@пример.р", "a@пример。рф"] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::Email),
            "{t}: {:?}",
            found(t)
        );
    }
}

#[test]
fn phones_with_bracketed_codes() {
    for (t, p) in [
        ("Kantor: +62 (21) 555 1234", "+62 (21) 555 1234"),
        ("telp +62(21)5551234.", "+62(21)5551234"),
        ("WA (+62) 811-2345-6789 ya", "(+62) 811-2345-6789"),
        ("hp (+62)81234567890", "(+62)81234567890"),
        ("call +1 (415) 555-0123", "+1 (415) 555-0123"),
        // every way Indonesians write a number: trunk zero in brackets, dots, WhatsApp links
        ("hub +62 (0)812-3456-7890 ya", "+62 (0)812-3456-7890"),
        ("kantor +62 (0) 21 555 1234", "+62 (0) 21 555 1234"),
        ("hub 0812.3456.7890", "0812.3456.7890"),
        ("hub +62.812.3456.7890", "+62.812.3456.7890"),
        ("telp (021)-555-1234", "(021)-555-1234"),
        ("chat wa.me/6281234567890", "6281234567890"),
        (
            "hub 0812\u{2013}3456\u{2013}7890 ya",
            "0812\u{2013}3456\u{2013}7890",
        ),
    ] {
        assert_eq!(found(t), [(K::Phone, p)], "{t}");
    }
    // brackets that do not hold an area code
    for t in ["+62 (2024) catatan", "+62 (abc) 555 1234"] {
        assert!(
            found(t)
                .iter()
                .all(|(k, s)| *k != K::Phone || !s.contains('(')),
            "{t}: {:?}",
            found(t)
        );
    }
}

#[test]
fn dotted_prices_and_link_codes_are_not_phones() {
    for t in [
        "harga 1.250.000",
        "Rp 12.345.678",
        "lihat example.com/6281234567890",
        "INV/0812/3456/7890",
        "harga Rp 10.000\u{2013}20.000",
        "tahun 1990\u{2013}2000",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::Phone),
            "{t}: {:?}",
            found(t)
        );
    }
}

#[test]
fn cards_raised_by_context() {
    assert_eq!(
        found("my credit card: 122000000000003"),
        [(K::CreditCard, "122000000000003")]
    );
    assert_eq!(
        found("no kartu kredit 1220 0000 0000 003"),
        [(K::CreditCard, "1220 0000 0000 003")]
    );
    // Luhn-invalid, no card word, or an identity word nearer: not a card
    for t in [
        "my credit card number is 4012-8888-8888-1882",
        "my credit card number is 36168002586008",
        "nomor 122000000000003",
        "kartu keluarga no KK 3174052301150007",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::CreditCard),
            "{t}: {:?}",
            found(t)
        );
    }
}

#[test]
fn birth_dates_in_every_form() {
    for (t, d) in [
        ("Born on: 5-20-1990", "5-20-1990"),
        ("tgl lahir 05-20-1990", "05-20-1990"),
        ("DOB 5-May-1990", "5-May-1990"),
        ("tanggal lahir 5 Mei 1990", "5 Mei 1990"),
        ("born May 5, 1990", "May 5, 1990"),
        ("lahir 1990-05-20", "1990-05-20"),
        ("date of birth 1990-05-20T08:30:00Z", "1990-05-20T08:30:00Z"),
        ("born in May 1990", "May 1990"),
        ("lahir 05/1990", "05/1990"),
        ("birthday: 20.5.1990", "20.5.1990"),
        ("DOB: May 20th, 1990", "May 20th, 1990"),
        ("tgl lahir 20 Mei '90", "20 Mei '90"),
    ] {
        assert_eq!(found(t), [(K::DateOfBirth, d)], "{t}");
    }
    // without a birth word a date is not personal data; a month-year far from one is not either
    for t in [
        "Today is 5-20-2021",
        "dikirim 5-May-2024",
        "invoice May 2024",
        "tgl lahir tidak ada, kartu exp 08/2027",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::DateOfBirth),
            "{t}: {:?}",
            found(t)
        );
    }
    // no longer typed as a phone
    assert!(
        found("tgl lahir 05-20-1990")
            .iter()
            .all(|(k, _)| *k != K::Phone)
    );
}

#[test]
fn field_labels_and_code_are_not_people() {
    for t in [
        "Gateway: 10.0.0.1",
        "Subnet: 255.255.255.0",
        "Brazil: BR1800360305000010009795493C1",
        "United States: +1 415 555 0123",
        "MyClass::toString",
        "Status: ok\nGateway: down",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::Person),
            "{t}: {:?}",
            found(t)
        );
    }
    // chat speakers remain names: a gazetteer name, or any name after a time stamp
    assert_eq!(found("Budi: kak sudah tf")[0], (K::Person, "Budi"));
    assert_eq!(
        found("[10:21] Togar Siregar: barang sudah sampai")[0],
        (K::Person, "Togar Siregar")
    );
    assert_eq!(
        found("12/05/24 10.21 - Lim Swie Hong: ok kak")[0],
        (K::Person, "Lim Swie Hong")
    );
    assert_eq!(
        found("[12/05/24, 10:21:33] Ketut Ardana: siap")[0],
        (K::Person, "Ketut Ardana")
    );
}

#[test]
fn names_from_context() {
    for (t, n) in [
        ("tolong kirim ke Ci Lina ya", "Lina"),
        ("sudah diterima Ko Hendrawan", "Hendrawan"),
        ("Bli Wayan Sudarsana yang pesan", "Wayan Sudarsana"),
        ("transfer a.n. Togar Simanjuntak", "Togar Simanjuntak"),
        ("rekening atas nama Lim Swie Hong", "Lim Swie Hong"),
        (
            "Data reseller: Andi Tenri Ajeng, Makassar",
            "Andi Tenri Ajeng",
        ),
        ("Bu Ni Luh Sekar minta retur", "Ni Luh Sekar"),
        ("Customer Lim Swie Hong typed: halo", "Lim Swie Hong"),
        ("makasih koh hendra", "hendra"),
        ("cici lina sudah transfer", "lina"),
        // widened gazetteer: Balinese, Christian, Batak and Javanese names without a trigger
        ("paket untuk Ketut Ardana sudah dikirim", "Ketut Ardana"),
        ("kemarin Yohanes Siregar datang", "Yohanes Siregar"),
        ("dikirim oleh Slamet kemarin", "Slamet"),
        // iPhone exports in Indonesian: a dotted time inside the brackets
        (
            "[05/01/25 14.02] Kwee Hok Gie: kak, sudah dikirim?",
            "Kwee Hok Gie",
        ),
        // a sign-off and the name on one line, closing the message
        (
            "Terima kasih atas kerjasamanya. Salam, Yohana Pardede",
            "Yohana Pardede",
        ),
        (
            "Thanks for the quick reply.\nRegards, Martinus Sihombing.",
            "Martinus Sihombing",
        ),
    ] {
        assert!(found(t).contains(&(K::Person, n)), "{t}: {:?}", found(t));
    }
    // a brand after an honorific-looking word stays unmarked only when lower-case; a sign-off
    // followed by a team or a single word, or by words that do not end the line, is no name
    for t in [
        "Salam, Tim",
        "[12/03/24 09.15] Toko Cantik: sudah kak",
        "[09:15] Official Store: pesanan diproses",
        "Regards, Customer Service",
        "Salam, sukses selalu",
        "Best, Jakarta Selatan office team will call",
        "[1.2] Catatan: barang rusak",
        "ko bisa gitu ya",
        "ci ini gimana",
        "ko gitu sih",
        "koh udah ya",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::Person),
            "{t}: {:?}",
            found(t)
        );
    }
}
