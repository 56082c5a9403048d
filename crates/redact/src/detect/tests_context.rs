//! Regression tests for names found from shape and context, phones joined by slashes, birth
//! dates in Indonesian and English forms, log labels that are not names, and dotted numbers
//! that are not addresses.

use crate::{EntityKind as K, detect};

fn found(t: &str) -> Vec<(K, &str)> {
    detect(t)
        .into_iter()
        .map(|f| (f.kind, &t[f.range()]))
        .collect()
}

fn persons(t: &str) -> Vec<&str> {
    found(t)
        .into_iter()
        .filter(|(k, _)| *k == K::Person)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn balinese_names_keep_their_i_or_ni() {
    assert_eq!(
        persons("Rekening atas nama I Gusti Ngurah Rai Wirawan."),
        ["I Gusti Ngurah Rai Wirawan"]
    );
    assert_eq!(persons("Nama: I Wayan Sudarsana"), ["I Wayan Sudarsana"]);
    assert_eq!(persons("a.n. I Ketut Sudiarta"), ["I Ketut Sudiarta"]);
    assert_eq!(persons("Pak I Made Sudarsana"), ["I Made Sudarsana"]);
    assert_eq!(persons("a/n Ni Nengah Sriani"), ["Ni Nengah Sriani"]);
    assert_eq!(
        persons("kemarin I Komang Adi Putra datang"),
        ["I Komang Adi Putra"]
    );
    assert_eq!(persons("Ida Bagus Oka sudah bayar"), ["Ida Bagus Oka"]);
    assert_eq!(
        persons("atas nama Anak Agung Ngurah Oka"),
        ["Anak Agung Ngurah Oka"]
    );
    assert_eq!(persons("Anak saya sakit"), Vec::<&str>::new());
    // an English `I` before a capitalised word is no Balinese prefix
    assert!(persons("How I Made It").iter().all(|p| !p.starts_with('I')));
    assert!(persons("I Think So").is_empty());
}

#[test]
fn mei_inside_a_name_is_no_month() {
    assert_eq!(persons("Ci Lim Mei Hua"), ["Lim Mei Hua"]);
    assert_eq!(persons("Ko Lim Mei Hua"), ["Lim Mei Hua"]);
    assert_eq!(persons("Bu Tan Mei Ling sudah transfer"), ["Tan Mei Ling"]);
    // a day or year next to it makes it a month again
    assert_eq!(persons("Bu Lim Mei 2024 lalu"), ["Lim"]);
    assert_eq!(
        found("lahir Budi Mei 1990"),
        [(K::Person, "Budi"), (K::DateOfBirth, "Mei 1990")]
    );
}

#[test]
fn a_capitalised_word_before_a_marga_is_a_name() {
    assert_eq!(persons("Ruth Hutapea sudah transfer"), ["Ruth Hutapea"]);
    assert_eq!(
        persons("Yosafat Simanjuntak sudah transfer"),
        ["Yosafat Simanjuntak"]
    );
    assert_eq!(
        persons("tadi Rosmawati Sinaga telepon"),
        ["Rosmawati Sinaga"]
    );
    assert_eq!(persons("Dengan Ruth Hutapea?"), ["Ruth Hutapea"]);
    assert_eq!(persons("Dengan Marulak Hutapea?"), ["Marulak Hutapea"]);
    // Chinese-Indonesian: family name first, short syllables after
    assert_eq!(persons("kemarin Tan Siok Lan transfer"), ["Tan Siok Lan"]);
    assert_eq!(persons("sudah dikirim ke Kwee Hok Gie"), ["Kwee Hok Gie"]);
    // sentence words, places and products stay out
    assert!(persons("Kemarin Hutapea datang").is_empty());
    assert!(persons("Pelabuhan Tanjung Priok").is_empty());
    assert!(persons("Tan Leather Sepatu, ukuran 42").is_empty());
    assert!(persons("Burger King Jakarta buka").is_empty());
    assert!(persons("Wong Solo restoran enak").is_empty());
}

#[test]
fn lower_case_names_after_an_explicit_label() {
    assert_eq!(persons("nama saya ruth hutapea"), ["ruth hutapea"]);
    assert_eq!(persons("nama saya marulak hutapea ya"), ["marulak hutapea"]);
    assert_eq!(persons("atas nama saya, Benny Wijaya"), ["Benny Wijaya"]);
    assert_eq!(
        persons("atas nama saya, Yohan Kristanto"),
        ["Yohan Kristanto"]
    );
    assert!(persons("nama saya mau tanya").is_empty());
    assert!(persons("nama produk: kaos polos hitam").is_empty());
}

#[test]
fn english_name_labels() {
    for label in [
        "Sender",
        "Recipient",
        "Bill to",
        "Ship to",
        "Attn",
        "PIC",
        "CP",
        "Contact person",
        "Cust",
    ] {
        let t = format!("{label}: Liem Swie King");
        assert_eq!(persons(&t), ["Liem Swie King"], "{t}");
    }
    assert_eq!(persons("Attn. Yohan Kristanto"), ["Yohan Kristanto"]);
    assert!(persons("Attn: Finance Department").is_empty());
    assert!(persons("PIC: pending").is_empty());
    assert!(persons("kirim pic Barang").is_empty());
    assert!(persons("Bill Gates founded a company").is_empty());
}

#[test]
fn every_name_of_a_list_after_a_label() {
    assert_eq!(
        persons("Data reseller: Wayan Sudarsana; Tjoa Kim Lie; Ruth Hutapea"),
        ["Wayan Sudarsana", "Tjoa Kim Lie", "Ruth Hutapea"]
    );
    assert_eq!(
        persons("Data reseller:\nWayan Sudarsana\n- Tjoa Kim Lie\n- Ruth Hutapea\n\nTotal 3"),
        ["Wayan Sudarsana", "Tjoa Kim Lie", "Ruth Hutapea"]
    );
    assert_eq!(
        persons("Penerima:\r\n- Yohan Kristanto\r\n- Marulak Hutapea"),
        ["Yohan Kristanto", "Marulak Hutapea"]
    );
    assert_eq!(
        persons("Data reseller: Budi Santoso, Rina Wijaya, WA 0812"),
        ["Budi Santoso", "Rina Wijaya"]
    );
    // a town after a comma is no list item; a line that is not a bullet ends the list
    assert_eq!(
        persons("Data reseller: Asep Sunandar, Garut, WA 0821 1234 5678"),
        ["Asep Sunandar"]
    );
    assert_eq!(
        persons("Nama:\nBudi Santoso\nJakarta Selatan"),
        ["Budi Santoso"]
    );
}

#[test]
fn phones_joined_by_a_slash() {
    assert_eq!(
        found("hp 081234567890/081311112222"),
        [(K::Phone, "081234567890"), (K::Phone, "081311112222")]
    );
    assert_eq!(
        found("hp 0812-3456-7890 /0813-1111-2222"),
        [(K::Phone, "0812-3456-7890"), (K::Phone, "0813-1111-2222")]
    );
    assert_eq!(found("hp 0812/3456/7890"), [(K::Phone, "0812/3456/7890")]);
    assert_eq!(
        found("+6281234567890/+6281311112222"),
        [(K::Phone, "+6281234567890"), (K::Phone, "+6281311112222")]
    );
    assert_eq!(found("telp 62-21-5551234"), [(K::Phone, "62-21-5551234")]);
    // a number before a slashed phone keeps its own type
    assert_eq!(
        found("NIK 3174051204900003 0812/3456/7890"),
        [(K::Nik, "3174051204900003"), (K::Phone, "0812/3456/7890")]
    );
    // slashed codes and dates stay what they were
    for t in [
        "Harga 0812/2024",
        "no surat 005/123/2024",
        "Kode 0001/SK/2024",
        "INV/2025/11/00123",
        "021/123/456",
        "tgl 2024/08/12",
        "62-12-3456789",
    ] {
        assert!(found(t).is_empty(), "{t}: {:?}", found(t));
    }
}

#[test]
fn birth_dates_in_every_common_form() {
    for (t, d) in [
        ("Lahir: 17 Ags 1985", "17 Ags 1985"),
        ("lahir 17 Agt 1985", "17 Agt 1985"),
        ("lahir 5 Nop 1985", "5 Nop 1985"),
        ("lahir 5 Peb 1985", "5 Peb 1985"),
        ("lahir 5 Okt 1985", "5 Okt 1985"),
        ("lahir 5 Des 1985", "5 Des 1985"),
        ("lahir 5 Mrt 1985", "5 Mrt 1985"),
        ("d.o.b. 17/08/1985", "17/08/1985"),
        ("D.O.B.: 17/08/1985", "17/08/1985"),
        ("tgl lhr 17/08/1985", "17/08/1985"),
        ("Tgl. Lahir : 17 - 08 - 1985", "17 - 08 - 1985"),
        ("tanggal lahir 17 / 08 / 1985", "17 / 08 / 1985"),
        ("lahir: 17081985", "17081985"),
        ("DOB: 19850817", "19850817"),
        ("DOB: 5th May 1990", "5th May 1990"),
        ("DOB: 5th of May 1990", "5th of May 1990"),
        ("birthday: 20th May 1990", "20th May 1990"),
        ("born on the 1st of March 1988", "1st of March 1988"),
    ] {
        assert_eq!(found(t), [(K::DateOfBirth, d)], "{t}");
    }
    // compact dates need the birth word and a real date; ordinals without one are no birth date
    for t in [
        "order 17081985",
        "lahir: 31021985",
        "lahir: 12345678",
        "meeting on 5th May 1990",
    ] {
        assert!(
            found(t).iter().all(|(k, _)| *k != K::DateOfBirth),
            "{t}: {:?}",
            found(t)
        );
    }
}

#[test]
fn log_labels_job_titles_and_code_paths_are_no_persons() {
    for t in [
        "[2024-03-12 10:15:22] Gateway: timeout",
        "[10:15:22] Server: started",
        "[10:15] Status: ok",
        "[10:15] Connection: refused",
        "[10:15] Worker Pool: started",
        "Bu Dokter sudah datang",
        "Pak Guru, Pak Lurah, Pak Satpam, Pak Kurir",
        "bu dokter ada?",
        "Person::Budi",
        "let x = crate::Santoso;",
    ] {
        assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
    }
    // chat speakers and names after a job title still count
    assert_eq!(persons("[10:15] Budi: ok"), ["Budi"]);
    assert_eq!(persons("[10:15] Marulak: halo kak"), ["Marulak"]);
    assert_eq!(
        persons("[10:15] Marulak Hutapea: halo"),
        ["Marulak Hutapea"]
    );
    assert_eq!(persons("Pak Guru Bambang datang"), ["Bambang"]);
}

#[test]
fn a_longer_dotted_number_holds_no_ipv4() {
    assert!(found("OID 1.3.6.1.4.1").is_empty());
    assert!(found("oid 1.3.6.1.4.1.311.21.7 ok").is_empty());
    assert!(found("Version 1.2.3.4.5.6 released").is_empty());
    assert_eq!(found("host 10.0.0.1 up"), [(K::IpAddress, "10.0.0.1")]);
}

#[test]
fn honduras_iban() {
    assert_eq!(
        found("IBAN HN88CABF00000000000250005469"),
        [(K::Iban, "HN88CABF00000000000250005469")]
    );
    assert!(found("IBAN HN88CABF00000000000250005468").is_empty());
}
