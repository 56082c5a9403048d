//! The catalogue: one table in which every message names its Bahasa Indonesia and its English
//! text, so a missing translation does not compile. Parameters are written `{name}`.

use crate::Lang;

macro_rules! catalog {
    ($($key:ident => $id:literal, $en:literal;)*) => {
        /// A message a person reads (console pages, the customer letter). Every message has a
        /// Bahasa Indonesia and an English text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum M { $($key,)* }

        impl M {
            /// Every message.
            pub const ALL: &'static [M] = &[$(M::$key,)*];

            /// The text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((M::$key, Lang::Id) => $id, (M::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

catalog! {
    AppName => "Jaga", "Jaga";
    Tagline => "Konsol staf", "Staff console";
    SkipToContent => "Lompat ke isi", "Skip to content";
    SwitchLanguage => "Ganti bahasa", "Change language";
    NavCustomers => "Pelanggan", "Customers";
    NavActivity => "Aktivitas saya", "My activity";
    NavAccount => "Akun saya", "My account";
    NavStaff => "Staf", "Staff";
    NavAudit => "Log audit", "Audit log";
    Logout => "Keluar", "Sign out";
    SignedInAs => "Masuk sebagai {name} ({role})", "Signed in as {name} ({role})";
    Save => "Simpan", "Save";
    Cancel => "Batal", "Cancel";
    Back => "Kembali", "Back";
    Continue => "Lanjutkan", "Continue";
    NoneValue => "—", "—";

    // Errors and generic pages
    ErrorTitle => "Terjadi kesalahan", "Something went wrong";
    ErrorInternal => "Permintaan Anda tidak dapat diselesaikan. Coba lagi; jika masalah berlanjut, beri tahu admin dengan nomor permintaan ini.", "Your request could not be completed. Try again; if it keeps happening, give the admin this request number.";
    RequestIdLabel => "Nomor permintaan", "Request number";
    ErrorNotFound => "Halaman atau data ini tidak ada, atau Anda tidak berhak melihatnya.", "This page or record does not exist, or you may not see it.";
    ErrorForbidden => "Peran Anda tidak mengizinkan tindakan ini.", "Your role does not allow this.";
    SearchTruncated => "Terlalu banyak kandidat: hanya 50 pertama yang diperiksa. Cari dengan kode pelanggan untuk hasil pasti.", "Too many candidates: only the first 50 were checked. Search by customer code for an exact answer.";
    ErrorTooMany => "Terlalu banyak pencarian. Tunggu sebentar lalu coba lagi.", "Too many searches. Wait a moment and try again.";
    ErrorCsrf => "Formulir ini kedaluwarsa atau tidak dikirim dari konsol. Muat ulang halaman dan coba lagi.", "This form has expired or was not sent from the console. Reload the page and try again.";
    ErrorTooLarge => "Data yang dikirim terlalu besar. Persingkat isian lalu coba lagi.", "What you sent is too large. Shorten the fields and try again.";
    ErrorBadForm => "Formulir tidak dapat dibaca. Muat ulang halaman dan coba lagi.", "The form could not be read. Reload the page and try again.";
    ErrorSealed => "Brankas sedang tersegel. Admin harus membukanya (jaga unseal) sebelum data dapat dibaca.", "The vault is sealed. An admin must unseal it (jaga unseal) before data can be read.";
    ErrorErased => "Data pelanggan ini telah dihapus permanen.", "This customer's data has been erased for good.";
    ErrorConflict => "Data berubah saat Anda mengedit. Muat ulang dan coba lagi.", "The record changed while you were editing. Reload and try again.";
    ErrorUnavailable => "Basis data sedang tidak tersedia. Coba lagi sebentar lagi.", "The database is unavailable. Try again shortly.";
    ErrorSessionExpired => "Sesi Anda berakhir. Silakan masuk lagi.", "Your session has ended. Please sign in again.";
    FormHasErrors => "Periksa isian yang ditandai.", "Check the marked fields.";

    // Field validation (core codes)
    VTooLong => "terlalu panjang (maksimal {max} karakter)", "is too long (at most {max} characters)";
    VInvalidCharacters => "berisi karakter yang tidak diizinkan", "contains characters that are not allowed";
    VRequired => "wajib diisi", "is required";
    VInvalidEmail => "bukan alamat e-mail yang valid", "is not a valid e-mail address";
    VInvalidPhone => "bukan nomor telepon yang valid", "is not a valid phone number";
    VInvalidNik => "bukan NIK yang valid (16 digit)", "is not a valid NIK (16 digits)";
    VInvalidDate => "bukan tanggal yang valid (TTTT-BB-HH)", "is not a valid date (YYYY-MM-DD)";
    VInvalidPostalCode => "kode pos harus 5 digit", "the postal code must be 5 digits";
    VInvalidCode => "bukan kode pelanggan (JG-XXXX-XXXX-X)", "is not a customer code (JG-XXXX-XXXX-X)";
    VInvalid => "tidak valid", "is invalid";
    VPasswordTooShort => "minimal 12 karakter; beberapa kata yang tidak berhubungan membuat kata sandi yang baik", "use at least 12 characters; a few unrelated words make a good password";
    VPasswordTooLong => "terlalu panjang (maksimal 1024 byte)", "is too long (at most 1024 bytes)";
    VPasswordCommon => "kata sandi ini ada di daftar kata sandi umum atau bocor", "this password is on the list of common or breached passwords";
    VPasswordContext => "jangan membuat kata sandi dari e-mail, nama Anda, atau nama toko", "do not build the password on your e-mail, your name or the shop's name";
    VPasswordWeak => "terlalu mudah ditebak; tambahkan kata lain", "is too easy to guess; add more words";
    VCardNumber => "Nomor kartu pembayaran tidak boleh disimpan di Jaga. Nomor itu telah disamarkan di bawah; hapus lalu simpan lagi.", "Payment card numbers may not be stored in Jaga. The number is masked below; remove it and save again.";

    // Login, TOTP, agreement
    LoginTitle => "Masuk", "Sign in";
    LoginIntro => "Masuk dengan e-mail dan kata sandi Anda.", "Sign in with your e-mail and password.";
    FieldEmail => "E-mail", "E-mail";
    FieldPassword => "Kata sandi", "Password";
    LoginButton => "Masuk", "Sign in";
    LoginFailed => "E-mail atau kata sandi salah.", "Wrong e-mail or password.";
    LoginThrottled => "Terlalu banyak percobaan. Tunggu beberapa menit lalu coba lagi.", "Too many attempts. Wait a few minutes and try again.";
    TotpTitle => "Kode verifikasi", "Verification code";
    TotpIntro => "Masukkan kode 6 digit dari aplikasi autentikator Anda, atau salah satu kode pemulihan.", "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";
    FieldCode => "Kode", "Code";
    TotpWrong => "Kode salah atau sudah dipakai.", "The code is wrong or was already used.";
    VerifyButton => "Verifikasi", "Verify";
    AgreementTitle => "Perjanjian kerahasiaan", "Confidentiality agreement";
    AgreementText => "Data pelanggan di Jaga dilindungi oleh UU PDP No. 27/2022. Saya hanya akan membuka data pelanggan untuk keperluan kerja yang sah, tidak akan menyalin atau membagikannya di luar Jaga, dan memahami bahwa setiap akses tercatat dan dapat diperiksa.", "Customer data in Jaga is protected by Indonesia's Personal Data Protection Law (UU PDP No. 27/2022). I will open customer data only for a legitimate work purpose, will not copy or share it outside Jaga, and understand that every access is recorded and can be reviewed.";
    AgreementAccept => "Saya setuju", "I agree";
    AgreementRequired => "Anda harus menyetujui perjanjian sebelum dapat melihat data pelanggan.", "You must accept the agreement before you can see customer data.";

    // Invitation and enrolment
    InviteTitle => "Aktifkan akun", "Activate your account";
    InviteIntro => "Pilih kata sandi untuk akun {email}.", "Choose a password for the account {email}.";
    InviteInvalid => "Undangan ini tidak berlaku atau sudah dipakai. Minta undangan baru kepada admin.", "This invitation is not valid or was already used. Ask the admin for a new one.";
    FieldNewPassword => "Kata sandi baru", "New password";
    FieldConfirmPassword => "Ulangi kata sandi", "Repeat the password";
    PasswordHint => "Minimal 12 karakter. Kalimat panjang mudah diingat dan sulit ditebak.", "At least 12 characters. A long phrase is easy to remember and hard to guess.";
    PasswordMismatch => "Kedua kata sandi tidak sama.", "The two passwords differ.";
    PasswordWeak => "Kata sandi terlalu lemah: {why}", "The password is too weak: {why}";
    EnrolTitle => "Pasang autentikator", "Set up your authenticator";
    EnrolIntro => "Pindai kode QR ini dengan aplikasi autentikator (mis. Google Authenticator, Aegis), lalu masukkan kode yang muncul.", "Scan this QR code with an authenticator app (e.g. Google Authenticator, Aegis), then enter the code it shows.";
    EnrolManual => "Tidak bisa memindai? Masukkan kunci ini secara manual:", "Cannot scan? Enter this key by hand:";
    RecoveryTitle => "Kode pemulihan", "Recovery codes";
    RecoveryIntro => "Simpan kode-kode ini di tempat aman. Masing-masing bisa dipakai sekali jika ponsel Anda hilang. Kode ini tidak akan ditampilkan lagi.", "Keep these codes somewhere safe. Each works once if you lose your phone. They will not be shown again.";
    RecoveryDone => "Saya sudah menyimpannya", "I have saved them";
    EnrolDone => "Akun Anda aktif. Silakan masuk.", "Your account is active. Please sign in.";

    // Step-up
    StepUpTitle => "Konfirmasi dengan kode", "Confirm with a code";
    StepUpIntro => "Tindakan ini memerlukan kode autentikator baru (berlaku 5 menit).", "This action needs a fresh authenticator code (valid for 5 minutes).";

    // Customers
    SearchTitle => "Cari pelanggan", "Find a customer";
    SearchIntro => "Cari dengan kode pelanggan, e-mail, nomor telepon, atau NIK (harus sama persis).", "Search by customer code, e-mail, phone number or NIK (exact match).";
    SearchBy => "Cari berdasarkan", "Search by";
    SearchQuery => "Kata kunci", "Search term";
    SearchButton => "Cari", "Search";
    KindCode => "Kode pelanggan", "Customer code";
    KindEmail => "E-mail", "E-mail";
    KindPhone => "Telepon", "Phone";
    KindNik => "NIK", "NIK";
    NoResults => "Tidak ada pelanggan yang cocok.", "No matching customer.";
    ResultsCount => "{n} pelanggan ditemukan", "{n} customers found";
    CustomerTitle => "Pelanggan {code}", "Customer {code}";
    FieldName => "Nama", "Name";
    FieldPhone => "Telepon", "Phone";
    FieldAddress => "Alamat", "Address";
    FieldNik => "NIK", "NIK";
    FieldBirthDate => "Tanggal lahir", "Date of birth";
    FieldSegment => "Segmen", "Segment";
    FieldConsent => "Setuju pemasaran", "Marketing consent";
    FieldCreated => "Dibuat", "Created";
    Yes => "Ya", "Yes";
    No => "Tidak", "No";
    Masked => "disamarkan", "masked";
    Revealed => "ditampilkan", "revealed";
    RevealTitle => "Tampilkan data", "Reveal data";
    RevealIntro => "Pilih data yang perlu dilihat dan alasannya. Setiap tampilan dicatat di log audit.", "Choose what you need to see and why. Every reveal is recorded in the audit log.";
    RevealFields => "Data", "Fields";
    RevealPurpose => "Alasan", "Purpose";
    RevealDetail => "Keterangan (mis. nomor tiket)", "Details (e.g. ticket number)";
    RevealButton => "Tampilkan", "Reveal";
    RevealNoRight => "Peran Anda hanya melihat data tersamar.", "Your role sees masked data only.";
    RevealNeedField => "Pilih setidaknya satu data.", "Choose at least one field.";
    RevealNeedPurpose => "Pilih alasan.", "Choose a purpose.";
    RevealNeedDetail => "Untuk \"Lainnya\", jelaskan alasannya (minimal 3 karakter).", "For \"Other\", describe the purpose (at least 3 characters).";
    RevealShownNotice => "Data ditampilkan untuk: {purpose}. Jangan menyalin data ini ke luar Jaga.", "Data shown for: {purpose}. Do not copy it outside Jaga.";
    PurposeRedelivery => "Pengiriman ulang", "Re-delivery";
    PurposeCustomerRequest => "Permintaan pelanggan", "Customer request";
    PurposeRefund => "Pengembalian dana", "Refund";
    PurposeOther => "Lainnya", "Other";
    EditTitle => "Ubah kontak", "Edit contact details";
    EditIntro => "Kosongkan isian yang tidak berubah. Nilai saat ini tidak ditampilkan.", "Leave fields you do not change empty. Current values are not shown.";
    FieldStreet => "Jalan", "Street";
    FieldCity => "Kota/Kabupaten", "City/Regency";
    FieldProvince => "Provinsi", "Province";
    FieldPostalCode => "Kode pos", "Postal code";
    Saved => "Perubahan disimpan.", "Changes saved.";
    NothingChanged => "Tidak ada yang diubah.", "Nothing was changed.";
    NotesTitle => "Catatan", "Notes";
    NotesEmpty => "Belum ada catatan.", "No notes yet.";
    AddNote => "Tambah catatan", "Add a note";
    NoteAdded => "Catatan ditambahkan.", "Note added.";
    OrdersTitle => "Riwayat pesanan", "Order history";
    OrdersEmpty => "Belum ada pesanan.", "No orders yet.";
    OrderDate => "Tanggal", "Date";
    OrderStatus => "Status", "Status";
    OrderTotal => "Total", "Total";
    OrderItems => "Barang", "Items";
    OrderPayment => "Pembayaran", "Payment";

    // Staff management
    StaffTitle => "Staf", "Staff";
    StaffIntro => "Undang staf baru dan atur peran mereka.", "Invite new staff and manage their roles.";
    FieldDisplayName => "Nama tampilan", "Display name";
    FieldRole => "Peran", "Role";
    FieldSegments => "Segmen (pisahkan dengan koma)", "Segments (comma-separated)";
    FieldStatus => "Status", "Status";
    FieldLastLogin => "Terakhir masuk", "Last sign-in";
    FieldYourName => "Nama Anda", "Your name";
    InviteButton => "Undang", "Invite";
    InviteCreated => "Undangan dibuat. Kirim tautan ini kepada {email} lewat saluran yang aman; berlaku {hours} jam:", "Invitation created. Send this link to {email} over a safe channel; it is valid for {hours} hours:";
    ChangeRole => "Ubah peran", "Change role";
    Disable => "Nonaktifkan", "Disable";
    Enable => "Aktifkan", "Enable";
    StatusActive => "aktif", "active";
    StatusInvited => "diundang", "invited";
    StatusDisabled => "nonaktif", "disabled";
    RoleCsStaff => "Staf CS", "CS staff";
    RoleCsManager => "Manajer CS", "CS manager";
    RoleFinance => "Keuangan", "Finance";
    RoleAdmin => "Admin", "Admin";
    RoleAuditor => "Auditor", "Auditor";
    RoleUnknown => "Peran tidak dikenal.", "Unknown role.";
    CannotChangeSelf => "Anda tidak dapat mengubah peran atau status akun Anda sendiri.", "You cannot change your own role or status.";
    StaffEmailTaken => "E-mail ini sudah dipakai staf lain.", "This e-mail is already used by another staff member.";

    // My account
    AccountTitle => "Akun saya", "My account";
    ChangePassword => "Ganti kata sandi", "Change password";
    FieldCurrentPassword => "Kata sandi saat ini", "Current password";
    PasswordChanged => "Kata sandi diganti. Sesi lain Anda telah diakhiri.", "Password changed. Your other sessions were ended.";
    CurrentPasswordWrong => "Kata sandi saat ini salah.", "The current password is wrong.";
    TotpSection => "Autentikator", "Authenticator";
    TotpReset => "Pasang ulang autentikator", "Set up the authenticator again";
    TotpResetIntro => "Setelah dipasang ulang, kode dari aplikasi lama tidak berlaku lagi.", "Once set up again, codes from the old app stop working.";
    TotpReplaced => "Autentikator baru terpasang. Kode dari aplikasi lama tidak berlaku lagi.", "New authenticator set up. Codes from the old app no longer work.";
    TotpReplaceExpired => "Pemasangan ulang kedaluwarsa; autentikator lama tetap berlaku. Silakan mulai lagi.", "The set-up expired; the old authenticator still works. Please start again.";
    SessionsEndOthers => "Akhiri semua sesi lain", "Log out my other sessions";
    SessionsOthersEnded => "Semua sesi lain Anda telah diakhiri.", "All your other sessions were ended.";
    RecoverySection => "Kode pemulihan", "Recovery codes";
    RecoveryRemaining => "Sisa kode pemulihan: {n}", "Recovery codes left: {n}";
    RecoveryRegenerate => "Buat kode pemulihan baru", "Create new recovery codes";
    SessionsSection => "Sesi saya", "My sessions";
    SessionCurrent => "sesi ini", "this session";
    SessionStarted => "Mulai", "Started";
    SessionLastSeen => "Terakhir aktif", "Last active";
    SessionClient => "Perangkat", "Device";
    SessionRevoke => "Akhiri", "End";
    SessionRevoked => "Sesi diakhiri.", "Session ended.";
    LanguageSection => "Bahasa", "Language";

    // Activity
    ActivityTitle => "Aktivitas saya", "My activity";
    ActivityIntro => "Tindakan Anda yang tercatat di log audit, terbaru di atas.", "Your actions as recorded in the audit log, newest first.";
    ActivityEmpty => "Belum ada aktivitas.", "No activity yet.";
    TeamActivityTitle => "Aktivitas tim CS", "CS team activity";
    TeamActivityIntro => "Tindakan staf CS dan manajer CS (di segmen Anda), terbaru di atas. Melihat daftar ini juga tercatat.", "What CS staff and CS managers (in your segments) did, newest first. Viewing this list is recorded too.";
    TeamMember => "Anggota tim", "Team member";
    ActivityWhen => "Waktu", "When";
    ActivityAction => "Tindakan", "Action";
    ActivityCustomer => "Pelanggan", "Customer";
    ActivityFields => "Data", "Fields";
    ActivityPurpose => "Alasan", "Purpose";
    ActivityOutcome => "Hasil", "Outcome";

    // Audit log (auditor, admin)
    AuditTitle => "Log audit", "Audit log";
    AuditIntro => "Setiap akses ke data pelanggan, terbaru di atas. Log hanya berisi kode, nama data dan alasan — tidak pernah isi data. Membuka halaman ini juga tercatat.", "Every access to customer data, newest first. The log holds codes, field names and purposes — never the data itself. Opening this page is recorded too.";
    AuditSearchTitle => "Cari kejadian", "Search events";
    AuditFrom => "Dari tanggal (UTC)", "From date (UTC)";
    AuditTo => "Sampai tanggal (UTC)", "To date (UTC)";
    AuditActor => "Pelaku (ID staf atau kunci API)", "Actor (staff or API key id)";
    AuditActionField => "Tindakan (mis. customer.reveal atau customer)", "Action (e.g. customer.reveal or customer)";
    AuditCode => "Kode pelanggan", "Customer code";
    AuditSearchButton => "Cari", "Search";
    AuditReset => "Hapus filter", "Clear filters";
    AuditPosition => "Posisi", "Position";
    AuditActor2 => "Pelaku", "Actor";
    AuditEmpty => "Tidak ada kejadian yang cocok.", "No matching events.";
    AuditUnknownCode => "Tidak ada pelanggan dengan kode ini.", "No customer has this code.";
    AuditBadDate => "Tanggal harus berformat TTTT-BB-HH.", "Dates must be written YYYY-MM-DD.";
    AuditBadRange => "Tanggal akhir harus sama atau setelah tanggal awal.", "The end date must be on or after the start date.";
    AuditOlder => "Lebih lama", "Older";
    AuditNewest => "Terbaru", "Newest";
    AuditScanLimited => "Pencarian berhenti setelah {n} posisi; lanjutkan dengan \"Lebih lama\".", "The search stopped after {n} positions; go on with \"Older\".";
    AuditIntegrityTitle => "Keutuhan log", "Log integrity";
    AuditLogSize => "Log berisi {n} kejadian.", "The log holds {n} events.";
    AuditCheckpointAt => "Checkpoint bertanda tangan terakhir: {n} kejadian.", "Latest signed checkpoint: {n} events.";
    AuditNoCheckpoint => "Belum ada checkpoint bertanda tangan.", "No signed checkpoint yet.";
    AuditDownloadCheckpoint => "Unduh checkpoint terakhir", "Download the latest checkpoint";
    AuditVerifyButton => "Periksa sekarang", "Verify now";
    AuditVerifyIntro => "Menghitung ulang seluruh log dan membandingkannya dengan checkpoint bertanda tangan, seperti jaga audit verify.", "Recomputes the whole log and compares it with the signed checkpoints, as jaga audit verify does.";
    AuditVerifyOk => "Log utuh: {n} kejadian diperiksa, root {root}.", "The log is intact: {n} events checked, root {root}.";
    AuditVerifyAlso => "Juga bermasalah di posisi: {list}.", "Also bad at positions: {list}.";
    AuditVerifyBad => "Log TIDAK utuh: posisi bermasalah pertama {pos} ({why}).", "The log is NOT intact: first bad position {pos} ({why}).";
    AuditWhyBadSignature => "sebuah checkpoint tersimpan tidak bertanda tangan sah dari log ini", "a stored checkpoint does not carry a valid signature of this log";
    AuditWhyMissing => "sebuah kejadian hilang (dihapus)", "an event is missing (deleted)";
    AuditWhyUndecodable => "sebuah kejadian tidak terbaca atau menyebut posisi lain (disisipkan atau diurutkan ulang)", "an event does not decode or names another position (inserted or reordered)";
    AuditWhyModified => "isi kejadian tidak cocok dengan hash tersimpannya (diubah)", "event bytes do not match their stored hash (modified)";
    AuditWhyCheckpoint => "kejadian sebelum sebuah checkpoint tidak menghasilkan root-nya (ditulis ulang)", "the events before a checkpoint do not give its root (rewritten)";
    AuditWhyTruncated => "sebuah checkpoint mencakup lebih banyak kejadian daripada isi basis data (dipotong)", "a checkpoint covers more events than the database holds (truncated)";
    AuditWhyHead => "kepala log tidak cocok dengan kejadian tersimpan", "the log's head does not match the stored events";
    AuditReportsLink => "Laporan akses", "Access reports";
    ReportsTitle => "Laporan akses", "Access reports";
    ReportsIntro => "Laporan dari log audit, seperti jaga audit report. Laporan hanya berisi kode, nama data dan alasan; membukanya juga tercatat.", "Reports from the audit log, as jaga audit report prints them. They hold codes, field names and purposes only; opening one is recorded too.";
    ReportCustomerTitle => "Siapa mengakses data pelanggan", "Who accessed a customer's data";
    ReportCustomerButton => "Buat laporan", "Make the report";
    ReportAccessCount => "{n} akses tercatat.", "{n} accesses recorded.";
    ReportShop => "Nama toko (untuk surat)", "Shop name (for the letter)";
    ReportShopDefault => "Toko kami", "Our shop";
    ReportLetterId => "Unduh surat (Bahasa Indonesia)", "Download the letter (Bahasa Indonesia)";
    ReportLetterEn => "Unduh surat (English)", "Download the letter (English)";
    ReportStaffTitle => "Aktivitas staf", "Staff activity";
    ReportStaffIntro => "Tanpa tanggal: 30 hari terakhir.", "Without dates: the last 30 days.";
    ReportStaffButton => "Tampilkan aktivitas", "Show activity";
    ReportActorNeeded => "Isi ID staf atau kunci API.", "Enter a staff or API key id.";
    ReportStaffSummary => "Aktivitas {actor} dari {from} sampai {to}.", "Activity of {actor} from {from} to {to}.";
    ReportFailedLogins => "Login gagal: {n}", "Failed logins: {n}";
    ReportByAction => "Per tindakan", "By action";
    ReportRevealsPerDay => "Pembukaan data per hari", "Reveals per day";
    ReportCount => "Jumlah", "Count";
    ReportDay => "Hari", "Day";
    ReportReviewTitle => "Tinjauan akses", "Access review";
    ReportReviewIntro => "Akun tak terpakai 90 hari, peran yang boleh membuka data tetapi tidak pernah, pembukaan tanpa nomor tiket, lonjakan, perubahan akses, dan kunci API yang tak terpakai atau terlalu luas.", "Accounts unused for 90 days, roles that may reveal but never do, reveals without a ticket number, spikes, access changes, and API keys unused or too broad.";
    ReportReviewButton => "Jalankan tinjauan sekarang", "Run the review now";
    ReportReviewEmpty => "Tidak ada temuan.", "No findings.";
    ReportFindingKind => "Temuan", "Finding";
    ReportFindingSubject => "Tentang", "About";
    ReportFindingDetail => "Rincian", "Details";

    // The customer's access letter (`jaga_core::report::customer_letter`, `jaga audit report
    // customer --letter`, the console's download). Plain text: the table columns are padded.
    LetterSubject => "Perihal: Catatan akses data pribadi Anda (kode pelanggan {code})", "Re: Record of access to your personal data (customer code {code})";
    LetterOpening => "Dengan hormat,\n\nSesuai hak Anda atas informasi pemrosesan data pribadi (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi), berikut setiap akses ke data Anda yang tercatat dalam log audit kami yang tidak dapat diubah.", "Dear customer,\n\nAs you asked, here is every access to your data recorded in our tamper-evident audit log.";
    LetterCount => "Jumlah akses: {n}", "Number of accesses: {n}";
    LetterColumns => "No.  Waktu (UTC)           Oleh                 Tindakan           Data                 Tujuan / hasil", "No.  Time (UTC)            By                   Action             Data                 Purpose / outcome";
    LetterClosing => "Setiap baris dapat dibuktikan dengan bukti kriptografis (nomor di kolom pertama). Hubungi kami bila ada akses yang tidak Anda kenali.\n\nHormat kami,", "Each line can be proven with a cryptographic proof (the number in the first column). Contact us about any access you do not recognise.\n\nSincerely,";
    LetterActionRead => "lihat (tersamar)", "view (masked)";
    LetterActionReveal => "buka data", "reveal";
    LetterActionCreate => "buat", "create";
    LetterActionUpdate => "ubah", "update";
    LetterActionErase => "hapus", "erase";
    LetterActionLookup => "cari", "search";
    LetterActionOrders => "riwayat belanja", "order history";
    LetterActionOrderCreate => "pesanan baru", "new order";
}
