//! Detector unit tests: one positive and the nearby hard negatives per kind.

use crate::{EntityKind as K, detect, detect_field};

fn found(t: &str) -> Vec<(K, &str)> {
    detect(t)
        .into_iter()
        .map(|f| (f.kind, &t[f.range()]))
        .collect()
}

fn kinds(t: &str) -> Vec<K> {
    detect(t).into_iter().map(|f| f.kind).collect()
}

#[test]
fn identity_numbers() {
    assert_eq!(
        found("NIK saya 3174051204900003 ya kak"),
        [(K::Nik, "3174051204900003")]
    );
    assert_eq!(
        found("NIK 32.73.01.570885.0002"),
        [(K::Nik, "32.73.01.570885.0002")]
    );
    assert_eq!(
        found("Nomor KK 3174052301150007"),
        [(K::Kk, "3174052301150007")]
    );
    assert_eq!(
        found("no. kartu keluarga: 3174052301150007"),
        [(K::Kk, "3174052301150007")]
    );
    assert_eq!(
        found("NPWP: 01.312.166.0-091.000"),
        [(K::Npwp, "01.312.166.0-091.000")]
    );
    assert_eq!(
        found("npwp 013121660091000"),
        [(K::Npwp, "013121660091000")]
    );
    assert_eq!(
        found("NPWP baru 0013121660091000"),
        [(K::Npwp, "0013121660091000")]
    );
    assert_eq!(found("paspor A1234567"), [(K::Passport, "A1234567")]);
    assert_eq!(
        found("passport no. X 7654321"),
        [(K::Passport, "X 7654321")]
    );
    // 16-digit order number that fails the NIK date check, passport shape without context
    assert!(found("order 3174999999990000").is_empty());
    // held-out miss: a Kalimantan NIK (63…) that is Luhn-valid is not a card number
    assert_eq!(
        found("Clayton Moore;6321371307788947;(658)506-9413x877;BNI;7026196498")[1],
        (K::Nik, "6321371307788947")
    );
    assert!(found("kode A1234567").is_empty());
}

#[test]
fn cards_and_cvv() {
    assert_eq!(
        found("kartu 4111 1111 1111 1111 exp 08/27 CVV 123"),
        [(K::CreditCard, "4111 1111 1111 1111"), (K::Cvv, "123")]
    );
    assert_eq!(kinds("mc 2223-0031-2200-3222"), [K::CreditCard]);
    assert_eq!(kinds("kode keamanan: 456"), [K::Cvv]);
    assert!(kinds("4111 1111 1111 1112").is_empty());
    assert!(kinds("qty 123").is_empty());
}

#[test]
fn phones() {
    for t in [
        "+62 812-3456-7890",
        "6281234567890",
        "081234567890",
        "0812 3456 7890",
        "(021) 555-1234",
        "+1 415 555 0123",
        "0062 812 3456 7890",
    ] {
        assert_eq!(found(&format!("hub {t} ya")), [(K::Phone, t)], "{t}");
    }
    assert_eq!(found("WA081234567890"), [(K::Phone, "081234567890")]);
    assert!(found("resi JP1234567890").is_empty());
    assert!(found("resi SPXID012345678901").is_empty());
}

#[test]
fn bank_accounts() {
    assert_eq!(
        found("no rek BCA 1234567890 a/n Budi"),
        [(K::BankAccount, "1234567890"), (K::Person, "Budi")]
    );
    assert_eq!(
        found("rekening BRI 0123-01-012345-50-5"),
        [(K::BankAccount, "0123-01-012345-50-5")]
    );
    assert!(found("order 1234567890").is_empty());
    assert!(found("total 12500000").is_empty());
    // corpus miss: a Luhn-valid BRI account in the bank's 4-2-6-2-1 grouping is not a card
    assert_eq!(
        found("refund ke rekening BRI 5889-64-032052-10-9 a/n Ketut Salim"),
        [
            (K::BankAccount, "5889-64-032052-10-9"),
            (K::Person, "Ketut Salim")
        ]
    );
    // held-out: a number before "BTN;<account>" is not that bank's account
    let accounts = kinds("Alex Nelson;3539145901825735;1997-11-08;5802994824;BTN;1090986573689370")
        .into_iter()
        .filter(|&k| k == K::BankAccount)
        .count();
    assert_eq!(accounts, 1);
}

#[test]
fn north_american_phones() {
    // held-out misses: dotted and dashed numbers without a phone word, bare ones after one
    assert_eq!(
        found("#61139192,Bryan Ray,ray@example.org,679.416.8421,IDR 4894000"),
        [
            (K::Person, "Bryan Ray"),
            (K::Email, "ray@example.org"),
            (K::Phone, "679.416.8421")
        ]
    );
    assert_eq!(
        found("email x, 223.275.9556x5025, Rp1.996.000"),
        [(K::Phone, "223.275.9556x5025")]
    );
    assert_eq!(
        found("ORD-491295,643-736-1436,IDR 551000"),
        [(K::Phone, "643-736-1436")]
    );
    assert_eq!(
        found("Call me at 2057917659 or email"),
        [(K::Phone, "2057917659")]
    );
    assert_eq!(found("hubungi 2143586361 atau"), [(K::Phone, "2143586361")]);
    // not NANP (area code or exchange starting 0/1), a bare number without a phone word,
    // dotted prices
    assert!(found("kode 123-456-7890").is_empty());
    assert!(found("total Rp 415.555.0123").is_empty());
    assert!(found("ref 2057917659").is_empty());
    assert!(found("Rp 1.250.000 dan 12.500.000").is_empty());
}

#[test]
fn hard_negatives() {
    for t in [
        "Rp 1.250.000",
        "Rp1.250.000,00",
        "INV/2025/11/00123",
        "INV/20240512/MPL/1234567890",
        "SKU-A12345",
        "ORD-123456",
        "#12345678",
        "dikirim tanggal 12/11/2025",
        "4111111111111112",
        "versi 1.2.3.4",
        "jam 10:30",
    ] {
        assert!(found(t).is_empty(), "{t}: {:?}", found(t));
    }
}

#[test]
fn email_ip_iban() {
    assert_eq!(
        found("email budi@example.co.id."),
        [(K::Email, "budi@example.co.id")]
    );
    assert_eq!(
        found("ip 192.168.1.20 dan fe80::1"),
        [(K::IpAddress, "192.168.1.20"), (K::IpAddress, "fe80::1")]
    );
    assert_eq!(
        found("IBAN DE89 3704 0044 0532 0130 00."),
        [(K::Iban, "DE89 3704 0044 0532 0130 00")]
    );
    assert_eq!(
        found("GB82WEST12345698765432"),
        [(K::Iban, "GB82WEST12345698765432")]
    );
}

#[test]
fn dates_of_birth() {
    assert_eq!(
        found("tgl lahir 12 Mei 1990"),
        [(K::DateOfBirth, "12 Mei 1990")]
    );
    assert_eq!(
        found("TTL: Bandung, 17-08-1985"),
        [(K::DateOfBirth, "17-08-1985")]
    );
    assert_eq!(
        found("DOB March 3, 1988"),
        [(K::DateOfBirth, "March 3, 1988")]
    );
    assert!(found("dikirim 12 Mei 2025").is_empty());
}

#[test]
fn persons() {
    assert_eq!(
        found("Bpk. Ahmad Hidayat minta refund"),
        [(K::Person, "Ahmad Hidayat")]
    );
    assert_eq!(found("makasih kak rina"), [(K::Person, "rina")]);
    assert_eq!(
        found("transfer a/n Siti Rahmawati"),
        [(K::Person, "Siti Rahmawati")]
    );
    assert_eq!(found("Regards,\nJohn Carter"), [(K::Person, "John Carter")]);
    assert_eq!(
        found("tadi Budi Santoso telpon"),
        [(K::Person, "Budi Santoso")]
    );
    assert!(found("Mohon dicek ya kak").is_empty());
    // held-out misses: names that are also months or bank names
    assert_eq!(
        found("(account holder April Baird)."),
        [(K::Person, "April Baird")]
    );
    assert_eq!(
        found("Pelanggan Juli Susanti minta refund"),
        [(K::Person, "Juli Susanti")]
    );
    assert_eq!(
        found("NPWP: 86.100.507.2-406.000 a/n Yono Permata. Mohon"),
        [
            (K::Npwp, "86.100.507.2-406.000"),
            (K::Person, "Yono Permata")
        ]
    );
    assert!(found("Customer Service siap membantu").is_empty());
}

#[test]
fn field_hints() {
    let f = detect_field("1234567890", "no_rekening");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, K::BankAccount);
    let f = detect_field("Agustina Wibisono", "nama_pelanggan");
    assert_eq!((f[0].kind, f[0].start, f[0].end), (K::Person, 0, 17));
    let f = detect_field("12/05/1990", "tgl_lahir");
    assert_eq!(f[0].kind, K::DateOfBirth);
    assert!(detect_field("12/05/2025", "tgl_order").is_empty());
    // corpus miss: a column named for the account decides even for a mobile-like number
    let f = detect_field("0883059629400", "no_rekening");
    assert_eq!(f[0].kind, K::BankAccount);
    let f = detect_field("0883059629400", "no_hp");
    assert_eq!(f[0].kind, K::Phone);
}

#[test]
fn mailbox_display_names() {
    let t = "\"Budi Santoso\" <budi@example.com>, Ana <ana@x.id>";
    let f = super::detect_mailboxes(t);
    let got: Vec<_> = f.iter().map(|f| (f.kind, &t[f.range()])).collect();
    assert_eq!(
        got,
        [
            (K::Person, "Budi Santoso"),
            (K::Email, "budi@example.com"),
            (K::Person, "Ana"),
            (K::Email, "ana@x.id")
        ]
    );
}

#[test]
fn apostrophes_inside_names_and_between_words() {
    assert_eq!(found("a/n Ma'ruf Amin"), [(K::Person, "Ma'ruf Amin")]);
    assert_eq!(found("Mr O'Brien called"), [(K::Person, "O'Brien")]);
    // a quote mark glued to an address is not part of the name before it
    let t = "kak rina'Jl. Merdeka No. 10, Bandung 40111";
    let f = found(t);
    assert_eq!(f[0], (K::Person, "rina"));
    assert_eq!(f[1].0, K::Address);
}

#[test]
fn mixed_separators_are_not_one_bank_account_and_short_ipv6_needs_a_word_group() {
    // an NPWP after a bank-account context, followed by an IP address
    assert_eq!(
        found("no rek BCA 1234567890 cvv 123 NPWP 01.312.166.0-091.000 192.168.1.1"),
        [
            (K::BankAccount, "1234567890"),
            (K::Cvv, "123"),
            (K::Npwp, "01.312.166.0-091.000"),
            (K::IpAddress, "192.168.1.1")
        ]
    );
    assert_eq!(found("gateway fe80::1 down"), [(K::IpAddress, "fe80::1")]);
    assert!(found("ref **** 7890::a").is_empty());
}
