//! Cases of the redirection rule, read through the whole signal reader.
fn hit(text: &str) -> Option<String> {
    // Through the whole signal reader: the change rule first, then this one.
    super::super::signals("", text).bank_change
}

#[test]
fn redirections_without_a_bank_word_next_to_a_change_word() {
    for t in [
        "We have switched banks. Please remit the balance to Bank Mandiri account 1560019988776.",
        "Kindly use the account below for this and future payments: BNI 1122334455.",
        "Effective this month all payments should go to our account at Bank Mandiri.",
        "Mulai bulan ini pembayaran ditujukan ke rekening BNI 0712345678.",
        "Rekening yang biasa sedang tidak bisa menerima dana. Mohon transfer ke rekening berikut: BRI 034501002211309.",
        "Khusus pembayaran bulan Desember tolong pakai rekening Mandiri kami 122-00-7766554-3 ya.",
        "Our usual account cannot receive funds this week, so please send the payment to BCA 7771234567.",
        "From now on, please pay to a/c 0987012345678 at BRI.",
        "Ke depannya pembayaran dikirim ke rek. BSI 7123456789 a.n. CV Herbal.",
        "Our bank is under maintenance. Please transfer to account no. 4102938475 (Permata).",
        "For this invoice only, kindly wire to IBAN GB29NWBK60161331926819.",
        // An amount's dots and an abbreviation's do not cut the sentence.
        "Our old account cannot receive funds. Please send Rp 29.417.000 to BRI acc. no. 033901000777509.",
        // The account on the lines after a lead-in, the cue in the sentence before.
        "Rekening kami yang lama sudah tidak dipakai lagi. Silakan kirim ke\nBank: BNI\nNo. Rek: 0698123344\nA/N: CV Maju",
        "Nomor rekening perusahaan sekarang\nBank: Bank Mandiri\nNo. Rek: 1440087766554",
        "Kindly note that the remittance instructions below supersede any previous ones.",
        "Due to our year-end restructuring we now receive all payments at Bank Jago 102938475610.",
        // "stop using the account you have": no new/changed word at all.
        "Mohon jangan lagi transfer ke rekening pada invoice terdahulu. Gunakan rekening berikut: Bank Danamon 003512345678.",
        "Please do not use the account on our earlier invoices anymore; kindly pay to Maybank 2011234567 instead of it.",
        "Please stop using the BCA account printed on past invoices and pay to Bank Jago 102938475610.",
        // The account moved to another bank, said with an active verb.
        "Kami telah memindahkan rekening usaha ke Bank Mandiri. Pembayaran berikutnya harap ke 1370099887766.",
        "We relocated our business account to CIMB Niaga; kindly remit to 800123456700 going forward.",
    ] {
        assert!(hit(t).is_some(), "missed: {t}");
    }
}

#[test]
fn the_usual_account_and_payouts_to_the_reader_are_not_redirections() {
    for t in [
        "Pembayaran dapat ditransfer ke rekening BCA 1234567890 a.n. PT Sinar seperti biasa.",
        "Please remit payment to the account below within 30 days: BCA 2830199471.",
        "All payments should be made to our account at Bank Mandiri 1370011223344.",
        "Payment to our usual account BCA 2830199471 within 14 days.",
        "Rekening pembayaran tidak berubah: BCA 2830199471.",
        "Our bank details remain the same. Please pay invoice 1120 to BCA 2830199471.",
        "Mulai bulan ini dana penjualan ditransfer ke rekening Anda setiap hari.",
        "From now on your earnings will be sent to your bank account every Monday.",
        "We will never ask you to pay to a different account.",
        "Jika Anda menerima permintaan transfer ke rekening lain, hubungi kami.",
        "Kantor kami pindah ke Jl. Sudirman 10. Pembayaran ke rekening BCA 5271100299.",
        "We have not changed our bank. Please pay to BCA 5271100299.",
        "Please pay this month's invoice to BCA 2830199471 by Friday.",
        "Transfer ke rekening mana ya kak? Saya mau pesan segera.",
        "Do you accept transfers to a different bank than BCA? I need to order urgently.",
        "Ada penyesuaian harga mulai Januari, pembayaran tetap ke BCA 4410293847.",
        "Please pay now to BCA 4410293847, the goods are ready.",
        "Total Rp 12.500.000. Please pay to BCA 4410293847 as always.",
    ] {
        assert_eq!(hit(t), None, "false positive: {t}");
    }
}
