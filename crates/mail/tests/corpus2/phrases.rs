//! The second generator's phrase pools, written independently of the first generator's (no
//! sentence is shared) and of the analyzer's lexicon. Placeholders: `{acct}` the account to pay
//! (inline or as a block of lines), `{bankname}`, `{num}`, `{who}`, `{ref}`, `{amount}`,
//! `{date}`, `{last4}`, `{co}`.

/// Requests to pay into new, changed, temporary or replacement bank details (English).
pub const EN_REDIRECT: &[&str] = &[
    "We recently moved our banking to {bankname}. Please direct the payment for {ref} there:\n{acct}",
    "Our finance department has a new banking partner. The transfer for {ref} should be made to:\n{acct}",
    "Kindly note that the remittance instructions below supersede any previous ones.\n{acct}",
    "Due to a system migration at our bank we are unable to receive funds in the account on your file. Please send {amount} to {acct} today.",
    "Please hold any payment to our old account and use this one instead: {acct}",
    "For invoice {ref}, please credit our account at {bankname}, account number {num}, as the account you have on record is being closed.",
    "Going forward, settle all outstanding invoices into the account listed here: {acct}",
    "Our accounts team asks that you update your vendor records with the following details before the next payment run: {acct}",
    "Please be informed that the beneficiary name and number for our payments have been revised as follows:\n{acct}",
    "Hi, just a quick one - the transfer for {ref} should go to our other account this time: {acct}. Thanks!",
    "Our auditors have frozen the account ending {last4}. Until it is released, kindly remit to {acct}.",
    "Attached is the corrected invoice {ref}; the bank information on the earlier copy was wrong. Please pay to the correct account: {acct}",
    "As part of our year-end restructuring, {co} now receives all customer payments at {acct}.",
    "Please make sure the payment for {ref} reaches us at {acct} - our previous bank account is no longer active.",
];

/// The same in Bahasa Indonesia.
pub const ID_REDIRECT: &[&str] = &[
    "Kami informasikan bahwa mulai tanggal {date} seluruh pembayaran agar ditransfer ke {acct}.",
    "Sehubungan dengan pergantian bank mitra, tagihan {ref} mohon dibayarkan ke:\n{acct}",
    "Rekening kami yang tercantum di invoice sebelumnya sudah tidak dipakai lagi. Silakan kirim ke {acct}.",
    "Mohon maaf, rekening kami sedang dalam perbaikan sistem, untuk sementara transfer ke {acct} dulu ya.",
    "Untuk pembayaran {ref} dan seterusnya, harap gunakan rekening atas nama {who}: {acct}.",
    "Info dari bagian finance: nomor rekening perusahaan sekarang {acct}, yang lama mohon dihapus dari data Bapak/Ibu.",
    "Bapak/Ibu, pembayaran kali ini tolong ditransfer ke rekening operasional kami {acct} ya, bukan ke rekening yang di invoice.",
    "Terlampir invoice revisi {ref} dengan data rekening yang sudah diperbarui:\n{acct}",
    "Dikarenakan rekening utama kami terkena pembatasan transaksi, mohon pelunasan dialihkan ke {acct}.",
    "Per hari ini kami menggunakan rekening {bankname} untuk semua penerimaan. Nomornya {num} a.n. {who}, mohon transfer ke sana.",
    "Tolong update data vendor kami: bank {bankname}, no rek {num}, a.n. {who}. Tagihan {ref} mohon ditransfer ke sana.",
    "Rekening BCA kami lagi diblokir sementara oleh bank, jadi DP-nya transfer ke {acct} saja ya Pak.",
    "Mohon dicatat, penerimaan pembayaran {co} kini melalui {acct}.",
    "Karena ada audit internal, dana untuk tagihan {ref} harap dikirim ke rekening penampung kami {acct}.",
];

/// An ordinary invoice, statement or receipt naming the usual account (English).
pub const EN_USUAL: &[&str] = &[
    "Invoice {ref} for {amount} is attached. Please remit payment to the account below within 30 days.\n{acct}",
    "Payment can be made by bank transfer to {acct}, quoting {ref} as the reference.",
    "Kindly settle the balance of {amount} by {date}. Our bank details are printed at the bottom of the invoice.",
    "Thank you for your payment of {amount}, received on {date} into our {bankname} account.",
    "Please find our statement for November. The outstanding balance is {amount}; payment to {acct} as before.",
    "As always, transfers go to {acct}. Let us know if you need a tax invoice.",
    "Your order has been dispatched and invoice {ref} is attached. Bank: {bankname}, account {num}, {who}.",
    "Friendly reminder that {ref} ({amount}) falls due on {date}. If you have already paid, please disregard this note.",
];

/// The same in Bahasa Indonesia.
pub const ID_USUAL: &[&str] = &[
    "Terlampir invoice {ref} sebesar {amount}. Pembayaran mohon ditransfer ke {acct} paling lambat {date}.",
    "Mohon pembayaran ditujukan ke rekening {acct} dengan mencantumkan nomor invoice {ref}.",
    "Kami sudah menerima transfer Bapak/Ibu sebesar {amount} ke rekening {bankname} kami. Terima kasih.",
    "Berikut kami kirimkan rekap tagihan bulan ini. Rekening tujuan tetap {acct}.",
    "Pembayaran bisa melalui transfer ke {acct} atau giro, konfirmasi ke nomor kantor.",
    "Mulai bulan depan harga botol 100 ml naik 5%. Pembayaran tetap ke rekening yang sama.",
    "Barang untuk PO {ref} sudah kami kirim hari ini. Invoice terlampir, pembayaran ke {acct}.",
    "Mengingatkan tagihan {ref} sebesar {amount} jatuh tempo {date}. Abaikan pesan ini bila sudah dibayar.",
];

/// Ways of writing the account: `{bankname}`, `{num}`, `{who}`.
pub const ACCOUNT_FORMS: &[&str] = &[
    "{bankname} {num} a.n. {who}",
    "{bankname} acc. no. {num} ({who})",
    "\nBank: {bankname}\nNo. Rek: {num}\nA/N: {who}\n",
    "\nBank name: {bankname}\nAccount number: {num}\nAccount name: {who}\n",
    "rek. {bankname} {num} atas nama {who}",
    "{bankname} - {num} - {who}",
];
