//! The letter a customer receives about the accesses to their data (UU PDP), in Bahasa
//! Indonesia or English: the shop's name, times in the shop's time zone with the zone named,
//! staff by role (never by name), actions, fields, reasons and outcomes in the reader's
//! language, aligned columns. [`Letter`] is the document; [`Letter::text`] and
//! [`Letter::pdf`] render it (the console renders the same rows as an HTML page).

use crate::report::{AccessEntry, CustomerReport};
use jaga_i18n::{Lang, M, Tr, Zone};

pub mod pdf;

/// The shop as its letters and pages name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shop {
    /// The shop's name (asked at `jaga init`; `[shop] name` in `jaga.toml`).
    pub name: Option<String>,
    /// The shop's time zone (WIB unless configured).
    pub zone: Zone,
}

impl Shop {
    /// The name to print: the configured one, else "our shop" in the reader's language.
    pub fn display_name(&self, lang: Lang) -> String {
        self.name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .unwrap_or_else(|| Tr(lang).t(M::ShopFallback).to_string())
    }
}

/// One row of the letter, every cell in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRow {
    /// Position in the audit log (provable).
    pub seq: String,
    /// Time in the shop's zone (`2026-12-01 15:15`; the zone is in the column title).
    pub time: String,
    /// Who: a role, the shop's system (API key) or Jaga itself.
    pub by: String,
    /// What was done.
    pub action: String,
    /// Which data (field names).
    pub data: String,
    /// The stated reason, its fixed part translated.
    pub purpose: String,
    /// The outcome.
    pub outcome: String,
}

/// The letter, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// Language.
    pub lang: Lang,
    /// The shop's name.
    pub shop: String,
    /// The date, written out (`7 Desember 2026`).
    pub date: String,
    /// "Re: …".
    pub subject: String,
    /// Greeting and opening paragraph.
    pub opening: String,
    /// "Number of accesses: n".
    pub count: String,
    /// Column titles.
    pub columns: [String; 7],
    /// The rows, oldest first.
    pub rows: Vec<LetterRow>,
    /// "Times are in WIB."
    pub times_note: String,
    /// Closing paragraph and salutation.
    pub closing: String,
}

/// The action's name for a customer.
pub fn action_label(action: &str, tr: Tr) -> String {
    let m = match action {
        "customer.read" => M::LetterActionRead,
        "customer.reveal" => M::LetterActionReveal,
        "customer.create" => M::LetterActionCreate,
        "customer.update" => M::LetterActionUpdate,
        "customer.erase" => M::LetterActionErase,
        "customer.lookup" => M::LetterActionLookup,
        "order.list" => M::LetterActionOrders,
        "order.read" => M::LetterActionOrderRead,
        "order.create" => M::LetterActionOrderCreate,
        "audit.read" => M::LetterActionAccessReport,
        "token.resolve" => M::LetterActionTokenResolve,
        "request.card_number_rejected" => M::LetterActionRefused,
        "staff.login.ok" => M::ActStaffLogin,
        "staff.login.failed" | "staff.login.locked" => M::ActStaffLoginFailed,
        "staff.logout" | "staff.login.ended" => M::ActStaffLogout,
        "staff.invite" => M::ActStaffInvite,
        "staff.invitation.accept" => M::ActStaffInvitationAccept,
        "staff.invitation.cancel" => M::ActStaffInvitationCancel,
        "staff.invitation.resend" => M::ActStaffInvitationResend,
        "shop.settings.change" => M::ActShopSettings,
        "staff.agreement.accept" => M::ActStaffAgreement,
        "staff.role.change" => M::ActStaffRole,
        "staff.disable" => M::ActStaffDisable,
        "staff.enable" => M::ActStaffEnable,
        "staff.step_up" => M::ActStaffStepUp,
        "staff.password.change" => M::ActStaffPassword,
        "staff.totp.enrol" | "staff.totp.replace" => M::ActStaffTotp,
        "staff.sessions.end" => M::ActStaffSessions,
        "staff.list" => M::ActStaffList,
        "sys.unseal" => M::ActSysUnseal,
        "apikey.create" => M::ActApiKeyCreate,
        "apikey.revoke" => M::ActApiKeyRevoke,
        _ => return action.replace(['.', '_'], " "),
    };
    tr.t(m).to_string()
}

/// A field's name for a reader.
pub fn field_label(field: &str, tr: Tr) -> String {
    let m = match field {
        "full_name" => M::FieldName,
        "email" => M::FieldEmail,
        "phone" => M::FieldPhone,
        "address" => M::FieldAddress,
        "national_id" => M::FieldNik,
        "birth_date" => M::FieldBirthDate,
        "notes" => M::FieldNotesLower,
        "preferences" => M::FieldPreferences,
        // Fields the log records that are not customer data (`report.customer`, counts).
        _ => return String::new(),
    };
    let l = tr.t(m);
    if l == "NIK" || l == "E-mail" {
        l.to_string()
    } else {
        l.to_lowercase()
    }
}

/// A role's name for a reader.
pub fn role_label(role: &str, tr: Tr) -> String {
    match crate::staff::Role::parse(role) {
        Some(r) => tr
            .t(match r {
                crate::staff::Role::CsStaff => M::RoleCsStaff,
                crate::staff::Role::CsManager => M::RoleCsManager,
                crate::staff::Role::Finance => M::RoleFinance,
                crate::staff::Role::Admin => M::RoleAdmin,
                crate::staff::Role::Auditor => M::RoleAuditor,
            })
            .to_string(),
        None => tr.t(M::LetterByStaff).to_string(),
    }
}

/// An outcome for a reader.
pub fn outcome_label(outcome: &str, tr: Tr) -> String {
    tr.t(match outcome {
        "ok" => M::OutcomeOk,
        "denied" => M::OutcomeDenied,
        "rejected" => M::OutcomeRejected,
        "not_found" => M::OutcomeNotFound,
        "erased" => M::OutcomeErased,
        _ => M::OutcomeError,
    })
    .to_string()
}

/// A stated purpose for a reader: the reason (stored as its fixed English code label, e.g.
/// `Refund: TICKET-42`) translated, the free text after it as written.
pub fn purpose_label(purpose: &str, tr: Tr) -> String {
    use crate::purpose::Reason;
    for r in Reason::ALL {
        for code in [r.audit_label(), r.key()] {
            if purpose == code {
                return tr.t(r.message()).to_string();
            }
            if let Some(rest) = purpose
                .strip_prefix(code)
                .and_then(|x| x.strip_prefix(": "))
            {
                return format!("{}: {rest}", tr.t(r.message()));
            }
        }
    }
    purpose.to_string()
}

/// Who acted, for the customer: a role, the shop's system, or Jaga.
fn by_label(a: &AccessEntry, tr: Tr) -> String {
    match a.actor_kind.as_str() {
        "staff" => a
            .actor_role
            .as_deref()
            .map(|r| role_label(r, tr))
            .unwrap_or_else(|| tr.t(M::LetterByStaff).to_string()),
        "api_key" => tr.t(M::LetterByApiKey).to_string(),
        _ => tr.t(M::LetterBySystem).to_string(),
    }
}

/// `7 Desember 2026` for a `YYYY-MM-DD` date.
pub fn long_date(ymd: &str, tr: Tr) -> String {
    const MONTHS: [M; 12] = [
        M::Month1,
        M::Month2,
        M::Month3,
        M::Month4,
        M::Month5,
        M::Month6,
        M::Month7,
        M::Month8,
        M::Month9,
        M::Month10,
        M::Month11,
        M::Month12,
    ];
    let mut it = ymd.split('-');
    match (
        it.next(),
        it.next().and_then(|m| m.parse::<usize>().ok()),
        it.next(),
    ) {
        (Some(y), Some(m @ 1..=12), Some(d)) => {
            format!("{} {} {y}", d.trim_start_matches('0'), tr.t(MONTHS[m - 1]))
        }
        _ => ymd.to_string(),
    }
}

impl Letter {
    /// The letter about report `r` from `shop`, in `lang`.
    pub fn new(r: &CustomerReport, shop: &Shop, lang: Lang) -> Self {
        let tr = Tr(lang);
        let zone = &shop.zone;
        let rows = r
            .accesses
            .iter()
            .map(|a| {
                let fields: Vec<String> = a
                    .fields
                    .iter()
                    .map(|f| field_label(f, tr))
                    .filter(|f| !f.is_empty())
                    .collect();
                LetterRow {
                    seq: a.seq.to_string(),
                    time: strip_zone(&zone.datetime(&a.time), zone),
                    by: by_label(a, tr),
                    action: action_label(&a.action, tr),
                    data: if fields.is_empty() {
                        "-".into()
                    } else {
                        fields.join(", ")
                    },
                    purpose: a
                        .purpose
                        .as_deref()
                        .map(|p| purpose_label(p, tr))
                        .unwrap_or_else(|| "-".into()),
                    outcome: outcome_label(&a.outcome, tr),
                }
            })
            .collect();
        let shop_name = shop.display_name(lang);
        Letter {
            lang,
            date: long_date(&zone.date(&r.generated_at), tr),
            subject: tr.f(M::LetterSubject, &[("code", &r.customer_code)]),
            opening: tr.t(M::LetterOpening).to_string(),
            count: tr.f(M::LetterCount, &[("n", &r.accesses.len().to_string())]),
            columns: [
                tr.t(M::LetterColNo).to_string(),
                tr.f(M::LetterColTime, &[("zone", &zone.label)]),
                tr.t(M::LetterColBy).to_string(),
                tr.t(M::LetterColAction).to_string(),
                tr.t(M::LetterColData).to_string(),
                tr.t(M::LetterColPurpose).to_string(),
                tr.t(M::LetterColOutcome).to_string(),
            ],
            rows,
            times_note: tr.f(M::LetterTimesNote, &[("zone", &zone.label)]),
            closing: tr.t(M::LetterClosing).to_string(),
            shop: shop_name,
        }
    }

    /// The letter as plain text with aligned columns (widths by characters).
    pub fn text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n\n{}\n\n{}\n\n{}\n\n",
            self.shop, self.date, self.subject, self.opening, self.count
        );
        if self.rows.is_empty() {
            s.push_str(Tr(self.lang).t(M::LetterNone));
            s.push('\n');
        } else {
            let cells = |r: &LetterRow| -> [String; 7] {
                [
                    r.seq.clone(),
                    r.time.clone(),
                    r.by.clone(),
                    r.action.clone(),
                    r.data.clone(),
                    r.purpose.clone(),
                    r.outcome.clone(),
                ]
            };
            let mut widths = self.columns.clone().map(|c| c.chars().count());
            for r in &self.rows {
                for (w, c) in widths.iter_mut().zip(cells(r)) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cols: &[String; 7]| -> String {
                let mut l = String::new();
                for (i, c) in cols.iter().enumerate() {
                    l.push_str(c);
                    if i + 1 < cols.len() {
                        l.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
                    }
                }
                l.trim_end().to_string()
            };
            s.push_str(&line(&self.columns));
            s.push('\n');
            for r in &self.rows {
                s.push_str(&line(&cells(r)));
                s.push('\n');
            }
            s.push('\n');
            s.push_str(&self.times_note);
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.closing);
        s.push('\n');
        s.push_str(&self.shop);
        s.push('\n');
        s
    }

    /// The letter as a PDF (A4 landscape, monospaced so the columns stay aligned). The PDF's
    /// standard font shows WinAnsi only: when the letter holds characters it cannot show
    /// (a shop name or a stated reason in another script), they are printed as `?` and a note
    /// at the top, in the reader's language, says so and points to the HTML and text versions.
    pub fn pdf(&self) -> Vec<u8> {
        let title = format!("{} - {}", self.shop, self.subject);
        let text = self.text();
        if pdf::all_shown(&text) {
            pdf::text_document(&title, &text)
        } else {
            let note = Tr(self.lang).t(M::LetterPdfMissing);
            pdf::text_document(&title, &format!("{note}\n\n{text}"))
        }
    }
}

/// `2026-12-01 15:15 WIB` → `2026-12-01 15:15` (the zone is in the column title).
fn strip_zone(s: &str, zone: &Zone) -> String {
    s.strip_suffix(&format!(" {}", zone.label))
        .unwrap_or(s)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample_report() -> CustomerReport {
        let entry = |seq: u64,
                     kind: &str,
                     role: Option<&str>,
                     action: &str,
                     fields: &[&str],
                     purpose: Option<&str>,
                     outcome: &str| AccessEntry {
            seq,
            time: "2026-12-01T08:15:30.123Z".into(),
            actor_kind: kind.into(),
            actor_id: "s-1".into(),
            actor_role: role.map(String::from),
            actor_name: role.map(|_| "Rina Wijaya".into()),
            action: action.into(),
            customer_id: Some("c-1".into()),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            purpose: purpose.map(String::from),
            outcome: outcome.into(),
        };
        CustomerReport {
            customer_code: "JG-ABCD-EFGH-J".into(),
            customer_id: "c-1".into(),
            generated_at: "2026-12-07T20:00:00Z".into(),
            accesses: vec![
                entry(7, "api_key", None, "customer.create", &[], None, "ok"),
                entry(
                    8,
                    "staff",
                    Some("cs_staff"),
                    "customer.read",
                    &[],
                    None,
                    "ok",
                ),
                entry(
                    9,
                    "staff",
                    Some("cs_manager"),
                    "customer.reveal",
                    &["phone", "national_id"],
                    Some("Refund: T-1"),
                    "ok",
                ),
                entry(
                    12,
                    "staff",
                    Some("cs_staff"),
                    "customer.reveal",
                    &["email"],
                    None,
                    "denied",
                ),
            ],
        }
    }

    #[test]
    fn the_letter_reads_like_a_letter_in_indonesian() {
        let shop = Shop {
            name: Some("Toko Cantik".into()),
            zone: Zone::default(),
        };
        let t = Letter::new(&sample_report(), &shop, Lang::Id).text();
        // The shop's name, the date in the shop's zone (20:00 UTC is the next day in Jakarta).
        assert!(t.starts_with("Toko Cantik\n8 Desember 2026\n"), "{t}");
        assert!(t.contains("Waktu (WIB)"), "{t}");
        assert!(t.contains("2026-12-01 15:15"), "{t}");
        assert!(!t.contains("08:15"), "UTC time shown: {t}");
        assert!(t.contains("manajer CS") || t.contains("Manajer CS"), "{t}");
        assert!(t.contains("sistem toko (kunci API)"), "{t}");
        assert!(t.contains("telepon, NIK"), "{t}");
        assert!(t.contains("Pengembalian dana: T-1"), "{t}");
        assert!(t.contains("ditolak") && t.contains("berhasil"), "{t}");
        assert!(
            !t.contains("Rina"),
            "staff are named by role, never by name: {t}"
        );
        assert!(!t.contains("Our shop") && !t.contains("national_id"), "{t}");
        assert!(t.trim_end().ends_with("Toko Cantik"), "{t}");
        // Columns line up: every row's time starts where the title's does.
        let lines: Vec<&str> = t.lines().collect();
        let head = lines.iter().position(|l| l.starts_with("No.")).unwrap();
        let col = lines[head].find("Waktu").unwrap();
        for l in &lines[head + 1..head + 5] {
            assert_eq!(l.chars().nth(col - 1), Some(' '), "{l}");
            assert!(
                l.chars().skip(col).take(4).all(|c| c.is_ascii_digit()),
                "{l}"
            );
        }
    }

    #[test]
    fn the_english_letter_and_a_shop_without_a_name() {
        let shop = Shop {
            name: None,
            zone: Zone::parse("WITA").unwrap(),
        };
        let t = Letter::new(&sample_report(), &shop, Lang::En).text();
        assert!(t.starts_with("Our shop\n8 December 2026\n"), "{t}");
        assert!(
            t.contains("Time (WITA)") && t.contains("2026-12-01 16:15"),
            "{t}"
        );
        assert!(t.contains("Refund: T-1") && t.contains("phone, NIK"), "{t}");
        assert!(
            t.contains("refused") && t.contains("shop system (API key)"),
            "{t}"
        );
        let id = Letter::new(&sample_report(), &shop, Lang::Id).text();
        assert!(
            id.starts_with("Toko kami\n"),
            "never 'Our shop' in Indonesian: {id}"
        );
    }

    #[test]
    fn purposes_translate_their_reason_and_keep_the_rest() {
        let tr = Tr(Lang::Id);
        assert_eq!(purpose_label("Refund: T-1", tr), "Pengembalian dana: T-1");
        assert_eq!(purpose_label("Re-delivery", tr), "Pengiriman ulang");
        assert_eq!(
            purpose_label("redelivery: JNE", tr),
            "Pengiriman ulang: JNE"
        );
        assert_eq!(purpose_label("ticket CS-1042", tr), "ticket CS-1042");
    }

    /// Regression (issue 18): a shop or reason in another script came out of the PDF as an
    /// unexplained row of `?`. It still cannot be drawn with the standard fonts, but the letter
    /// now says so at the top, in the reader's language; Latin letters keep their base letter.
    #[test]
    fn a_pdf_that_cannot_show_every_character_says_so() {
        let pdf_text = |name: &str, lang: Lang| {
            let shop = Shop {
                name: Some(name.into()),
                zone: Zone::default(),
            };
            String::from_utf8_lossy(&Letter::new(&sample_report(), &shop, lang).pdf()).into_owned()
        };
        let plain = pdf_text("Toko Łucja", Lang::Id);
        assert!(plain.contains("(Toko Lucja)"), "{plain}");
        assert!(!plain.contains("beberapa huruf"), "{plain}");
        let id = pdf_text("Toko 林 Jaya", Lang::Id);
        assert!(id.contains("(Toko ? Jaya)"), "{id}");
        assert!(
            id.contains("beberapa huruf tidak dapat ditampilkan"),
            "{id}"
        );
        let en = pdf_text("Toko 林 Jaya", Lang::En);
        assert!(en.contains("some characters cannot be shown"), "{en}");
    }
}
