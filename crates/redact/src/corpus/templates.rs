//! Document templates per genre. `{SLOT}` markers become values: upper-case slots for gold
//! values, the rest hard negatives.

use super::values as v;
use super::{Builder, Doc, Genre, Rng};
use crate::kind::EntityKind as K;

const CS_NOTES: &[&str] = &[
    "Pelanggan {PT} minta refund ke rekening {BANKACC} a/n {P}. Order {ORDER}, total {AMT}.",
    "Halo kak, saya {P}, NIK {NIK}, no HP {HP}. Pesanan {ORDER} belum sampai, resi {RESI}.",
    "Tolong kirim ke {ADDR}. Penerima: {P} ({PHONE}).",
    "Data KTP: NIK {NIK}, nama {P}, tgl lahir {DOB}, alamat {ADDR}.",
    "No. KK {KK} atas nama {P}, NIK kepala keluarga {NIK}.",
    "NPWP: {NPWP} a/n {P}. Mohon faktur pajak dikirim ke {EMAIL}.",
    "Sudah transfer via no. rek {BANKACC} sebesar {AMT}, mohon dicek ya kak.",
    "Bayar pakai kartu kredit {CARD} exp 08/27 CVV {CVV}, kok ditolak ya?",
    "Paspor {PASS} a/n {P}, lahir {DOB}, untuk pengiriman internasional.",
    "Customer {P} komplain barang rusak, hubungi {PHONE} atau {EMAIL}. {SKU} qty 2.",
    "Catatan CS {DATE}: {PT} ganti alamat ke {ADDR}, ongkir {AMT}.",
    "Refund {AMT} untuk {ORDER} sudah diproses ke rekening {BANKACC} ({P}).",
    "Kode voucher {LUHNBAD} tidak valid, no transaksi {TRX}. Hub {PT} di {HP}.",
    "{PT} minta invoice {ORDER} dikirim ke email {EMAIL}, barcode {EAN}.",
    "Komplain dari {PT} ({HP}): paket {RESI} rusak, minta retur ke {ADDR}.",
];

const WA_LINES: &[&str] = &[
    "[{TIME}] {P}: kak aku udh tf ke {BANKACC} ya",
    "kak ini nomerku {HP} wa aja",
    "min resi {RESI} kok blm gerak ya",
    "ktp aku {NIK} kak",
    "nik: {NIK}",
    "alamatnya {ADDR} ya kak",
    "cvv nya {CVV} kak, kartunya {CARD}",
    "harga {AMT} udah sama ongkir?",
    "kode otp {OTP} jgn dikasih siapa2",
    "no kk {KK} kak",
    "email aku {EMAIL}",
    "makasih {PK}",
    "tgl lahir aku {DOB}",
    "pesanan {ORDER} sampe tgl {DATE}",
    "{PK} stok {SKU} masih ada?",
    "ok siap {PK}, ditunggu ya",
    "npwp aku {NPWP} buat faktur",
    "WA{HPPLAIN} kak",
];

const EMAILS: &[&str] = &[
    "Hi team,\n\nI placed order {ORDER} on {DATE} but it has not arrived. My phone number is {PHONE} and my shipping address is {ADDREN}.\n\nRegards,\n{P}",
    "Dear {PT},\n\nYour refund of {AMT} was sent to IBAN {IBAN}. Contact us at {EMAIL} if it has not arrived.\n\nBest,\n{P}",
    "Hello,\n\nMy card {CARD} was charged twice for {ORDER}. The CVV is {CVV}, please do not ask again. Call me on {PHONE}.\n\nThanks,\n{P}",
    "Hi,\n\nPlease update my date of birth to {DOB} and my passport number to {PASS}. Account holder: {P}.\n\nSincerely,\n{P}",
    "Hi,\n\nWe saw a login from IP {IP} for {EMAIL}. If this was not you, reply to this email.\n\nCheers,\n{P}",
    "Hello {PT},\n\nInvoice {ORDER} for {AMT} is attached. Please transfer to {BANKACC} or IBAN {IBAN}.\n\nRegards,\n{P}",
];

const TRANSCRIPT_LINES: &[&str] = &[
    "Agent: Hello, thank you for contacting us. How can I help?",
    "Customer: halo kak, mau ganti nomor hp jadi {HP}",
    "Agent: Sure, may I have your full name?\nCustomer: {P}",
    "Customer: my email is {EMAIL}",
    "Agent: Could you confirm your date of birth?\nCustomer: lahir {DOB} kak",
    "Customer: rekening saya {BANKACC} a/n {P}",
    "Agent: Your order {ORDER} is shipped with tracking {RESI}.",
    "Customer: ok makasih {PK}",
    "Customer: alamat: {ADDR}",
    "Agent: The total is {AMT}, due {DATE}.",
    "Customer: NIK saya {NIK}",
    "Agent: Thanks {PT}, I have updated it.",
];

const NEGATIVES: &[&str] = &[
    "Pesanan {ORDER} sudah dikirim via JNE, resi {RESI}, ongkir {AMT}.",
    "Stock {SKU} tinggal 3, restock tanggal {DATE}. Invoice {ORDER}.",
    "Barcode {EAN}, harga {AMT}, kode OTP {OTP}.",
    "Transaksi {TRX} berhasil {DATE} jam 14:30.",
    "Voucher {LUHNBAD} expired, pakai promo lain ya.",
    "Order {ORDER} total {AMT}, dikirim {DATE} dari gudang Bandung.",
];

const CSV_SCHEMAS: &[(&str, &str, &str)] = &[
    (
        "order_id,nama,email,no_hp,alamat,total",
        ",",
        "{ORDER},{P},{EMAIL},{HP},{ADDR},{AMT}",
    ),
    (
        "nama_pelanggan;nik;tgl_lahir;no_hp;bank;no_rekening",
        ";",
        "{P};{NIK};{DOB};{HP};{BANK};{ACCT}",
    ),
    (
        "customer_name,phone,shipping_address,sku,qty,order_date",
        ",",
        "{P},{PHONE},{ADDREN},{SKU},2,{DATE}",
    ),
];

struct State {
    name: Option<String>,
    bank_acct: Option<(&'static str, String)>,
}

fn title(r: &mut Rng, english: bool) -> &'static str {
    if english {
        r.pick(&["Mr. ", "Mrs. ", "Ms. ", "Dr. "])
    } else {
        r.pick(&["Bpk. ", "Ibu ", "Sdr. ", "Pak ", "Hj. ", "Bapak ", "Mbak "])
    }
}

/// Appends one slot's value.
fn slot(r: &mut Rng, b: &mut Builder, name: &str, st: &mut State, quote: Option<&str>) {
    let gold = |b: &mut Builder, k: K, val: String| {
        let needs = quote.is_some_and(|d| val.contains(d) || val.contains(','));
        if needs {
            b.lit("\"").gold(k, &val).lit("\"");
        } else {
            b.gold(k, &val);
        }
    };
    match name {
        "P" => {
            let p = v::person(r);
            st.name = Some(p.clone());
            gold(b, K::Person, p);
        }
        "PT" => {
            let p = v::person(r);
            st.name = Some(p.clone());
            let en = r.chance(0.3);
            b.lit(title(r, en));
            gold(b, K::Person, p);
        }
        "PK" => {
            let p = v::person(r);
            let first = p.split(' ').next().unwrap_or("").to_string();
            let p = if r.chance(0.5) {
                first.to_lowercase()
            } else {
                first
            };
            b.lit(r.pick(&["kak ", "mas ", "mbak ", "pak ", "bu "]));
            gold(b, K::Person, p);
        }
        "NIK" => gold(b, K::Nik, v::nik_written(r)),
        "KK" => gold(b, K::Kk, v::kk(r)),
        "NPWP" => gold(b, K::Npwp, v::npwp(r)),
        "PASS" => gold(b, K::Passport, v::passport(r)),
        "PHONE" => gold(b, K::Phone, v::phone(r)),
        "HP" => gold(b, K::Phone, v::phone_id(r)),
        "HPPLAIN" => {
            let p = format!(
                "08{}{}",
                r.pick(&["12", "13", "77", "95"]),
                r.below(90_000_000) + 10_000_000
            );
            gold(b, K::Phone, p);
        }
        "EMAIL" => {
            let n = st.name.clone().unwrap_or_else(|| v::person(r));
            gold(b, K::Email, v::email(r, &n));
        }
        "CARD" => gold(b, K::CreditCard, v::card(r)),
        "CVV" => gold(b, K::Cvv, v::cvv(r)),
        "IBAN" => gold(b, K::Iban, v::iban(r)),
        "BANKACC" => {
            let (bank, acct) = v::bank_account(r);
            b.lit(bank).lit(" ");
            gold(b, K::BankAccount, acct);
        }
        "BANK" => {
            let (bank, acct) = v::bank_account(r);
            st.bank_acct = Some((bank, acct));
            b.lit(bank);
        }
        "ACCT" => {
            let acct = st
                .bank_acct
                .take()
                .map_or_else(|| v::bank_account(r).1, |x| x.1);
            gold(b, K::BankAccount, acct);
        }
        "DOB" => gold(b, K::DateOfBirth, v::dob(r)),
        "ADDR" => gold(b, K::Address, v::address_id(r)),
        "ADDREN" => gold(b, K::Address, v::address_en(r)),
        "IP" => gold(b, K::IpAddress, v::ipv4(r)),
        "ORDER" => {
            b.lit(&v::order_id(r));
        }
        "RESI" => {
            b.lit(&v::resi(r));
        }
        "AMT" => {
            let a = v::amount(r);
            if quote.is_some() && a.contains(',') {
                b.lit(&format!("\"{a}\""));
            } else {
                b.lit(&a);
            }
        }
        "SKU" => {
            b.lit(&v::sku(r));
        }
        "DATE" => {
            b.lit(&v::plain_date(r));
        }
        "LUHNBAD" => {
            b.lit(&v::luhn_bad(r));
        }
        "TRX" => {
            b.lit(&v::trx16(r));
        }
        "EAN" => {
            b.lit(&v::ean(r));
        }
        "OTP" => {
            b.lit(&v::otp(r));
        }
        "TIME" => {
            b.lit(&format!("{:02}:{:02}", r.below(24), r.below(60)));
        }
        other => {
            b.lit(other);
        }
    }
}

fn fill(r: &mut Rng, b: &mut Builder, tpl: &str, st: &mut State, quote: Option<&str>) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        b.lit(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        slot(r, b, &rest[open + 1..close], st, quote);
        rest = &rest[(close + 1).min(rest.len())..];
    }
    b.lit(rest);
}

/// One document of a random genre.
pub(crate) fn doc(r: &mut Rng) -> Doc {
    let mut b = Builder::new();
    let mut st = State {
        name: None,
        bank_acct: None,
    };
    let genre = match r.below(20) {
        0..=5 => Genre::CsNote,
        6..=9 => Genre::WhatsApp,
        10..=12 => Genre::Email,
        13..=14 => Genre::CsvRow,
        15..=17 => Genre::Transcript,
        _ => Genre::Negative,
    };
    match genre {
        Genre::CsNote => {
            let t = r.pick(CS_NOTES);
            fill(r, &mut b, t, &mut st, None)
        }
        Genre::Email => {
            let t = r.pick(EMAILS);
            fill(r, &mut b, t, &mut st, None)
        }
        Genre::Negative => {
            let t = r.pick(NEGATIVES);
            fill(r, &mut b, t, &mut st, None)
        }
        Genre::WhatsApp | Genre::Transcript => {
            let pool = if genre == Genre::WhatsApp {
                WA_LINES
            } else {
                TRANSCRIPT_LINES
            };
            for i in 0..3 + r.below(4) {
                if i > 0 {
                    b.lit("\n");
                }
                let t = r.pick(pool);
                fill(r, &mut b, t, &mut st, None);
            }
        }
        Genre::CsvRow => {
            let (header, delim, row) = r.pick(CSV_SCHEMAS);
            b.lit(header).lit("\n");
            fill(r, &mut b, row, &mut st, Some(delim));
        }
    }
    b.finish(genre)
}
