//! Policy as code: `policy.toml` declares, per data category, the purpose, the legal basis,
//! the retention period and what happens at its end; [`render`] writes the shop's
//! data-protection policy and record of processing from it **and from what the configuration
//! actually enforces** ([`Facts`]: the roles' field views, the unseal method, the witnesses,
//! scheduled backups). A measure the configuration does not back is never claimed.

use crate::model::Field;
use crate::roles::{FieldView, OrdersView, Policies, Role};
use jaga_i18n::{Lang, M};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A data category of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Name, e-mail, phone.
    Contact,
    /// Postal address.
    Address,
    /// NIK and birth date.
    Identity,
    /// Preferences and skin concerns.
    Preferences,
    /// Order history.
    OrderHistory,
    /// Staff notes.
    Notes,
    /// The payment gateway's references (never card numbers).
    PaymentReferences,
    /// The audit log.
    Audit,
}

impl Category {
    /// Every category, in document order.
    pub const ALL: [Category; 8] = [
        Category::Contact,
        Category::Address,
        Category::Identity,
        Category::Preferences,
        Category::OrderHistory,
        Category::Notes,
        Category::PaymentReferences,
        Category::Audit,
    ];

    /// The key in `policy.toml`.
    pub fn key(self) -> &'static str {
        match self {
            Category::Contact => "contact",
            Category::Address => "address",
            Category::Identity => "identity",
            Category::Preferences => "preferences",
            Category::OrderHistory => "order_history",
            Category::Notes => "notes",
            Category::PaymentReferences => "payment_references",
            Category::Audit => "audit",
        }
    }

    fn title(self) -> M {
        match self {
            Category::Contact => M::PolicyCatContact,
            Category::Address => M::PolicyCatAddress,
            Category::Identity => M::PolicyCatIdentity,
            Category::Preferences => M::PolicyCatPreferences,
            Category::OrderHistory => M::PolicyCatOrders,
            Category::Notes => M::PolicyCatNotes,
            Category::PaymentReferences => M::PolicyCatPayment,
            Category::Audit => M::PolicyCatAudit,
        }
    }

    /// The customer fields of the category (none for orders, payment references, audit).
    pub fn fields(self) -> &'static [Field] {
        match self {
            Category::Contact => &[Field::FullName, Field::Email, Field::Phone],
            Category::Address => &[Field::Address],
            Category::Identity => &[Field::NationalId, Field::BirthDate],
            Category::Preferences => &[Field::Preferences],
            Category::Notes => &[Field::Notes],
            _ => &[],
        }
    }
}

/// The legal basis of processing (UU PDP art. 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Explicit consent.
    Consent,
    /// Performing a contract (the order).
    Contract,
    /// A legal obligation (e.g. tax records).
    LegalObligation,
    /// Vital interests.
    VitalInterest,
    /// A public task.
    PublicTask,
    /// Legitimate interests.
    LegitimateInterest,
}

impl LegalBasis {
    fn text(self) -> M {
        match self {
            LegalBasis::Consent => M::PolicyBasisConsent,
            LegalBasis::Contract => M::PolicyBasisContract,
            LegalBasis::LegalObligation => M::PolicyBasisLegal,
            LegalBasis::VitalInterest => M::PolicyBasisVital,
            LegalBasis::PublicTask => M::PolicyBasisPublic,
            LegalBasis::LegitimateInterest => M::PolicyBasisLegitimate,
        }
    }
}

/// What happens when the retention period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndAction {
    /// Crypto-shred.
    Erase,
    /// Remove what identifies the person, keep the rest.
    Anonymise,
    /// Keep counts and totals only.
    KeepAggregates,
}

impl EndAction {
    fn text(self) -> M {
        match self {
            EndAction::Erase => M::PolicyEndErase,
            EndAction::Anonymise => M::PolicyEndAnonymise,
            EndAction::KeepAggregates => M::PolicyEndAggregates,
        }
    }
}

/// One category as written in `policy.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    /// Purpose, in Bahasa Indonesia.
    pub purpose_id: String,
    /// Purpose, in English.
    pub purpose_en: String,
    /// Legal basis.
    pub legal_basis: LegalBasis,
    /// Days kept after the customer's last activity.
    pub retention_days: u32,
    /// What happens then.
    pub end_action: EndAction,
}

/// `policy.toml` as written (every key optional; missing categories take the defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The shop's name, as the document names the controller.
    pub shop: Option<String>,
    /// Where data subjects write to (an e-mail or address of the shop).
    pub contact: Option<String>,
    /// Rules by category key.
    #[serde(default)]
    pub categories: BTreeMap<String, CategoryRule>,
}

/// A checked policy: every category has a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Shop name.
    pub shop: String,
    /// Contact for requests.
    pub contact: Option<String>,
    /// Rules, by category.
    pub rules: BTreeMap<Category, CategoryRule>,
}

/// Why a policy was refused; the message names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy.toml: {key}: {why}")]
pub struct PolicyError {
    /// The key at fault, e.g. `categories.identity.retention_days`.
    pub key: String,
    /// Why.
    pub why: String,
}

fn rule(pid: &str, pen: &str, basis: LegalBasis, days: u32, end: EndAction) -> CategoryRule {
    CategoryRule {
        purpose_id: pid.into(),
        purpose_en: pen.into(),
        legal_basis: basis,
        retention_days: days,
        end_action: end,
    }
}

/// The shipped defaults: an Indonesian beauty shop selling online.
pub fn default_rule(c: Category) -> CategoryRule {
    use EndAction::*;
    use LegalBasis::*;
    match c {
        Category::Contact => rule(
            "Mengirim pesanan dan melayani pertanyaan pelanggan",
            "Delivering orders and answering customers",
            Contract,
            730,
            Erase,
        ),
        Category::Address => rule(
            "Mengirim pesanan",
            "Delivering orders",
            Contract,
            730,
            Erase,
        ),
        Category::Identity => rule(
            "Verifikasi pelanggan untuk pembelian tertentu (mis. reseller)",
            "Verifying customers for specific purchases (e.g. resellers)",
            LegalObligation,
            365,
            Erase,
        ),
        Category::Preferences => rule(
            "Rekomendasi produk perawatan kulit atas persetujuan pelanggan",
            "Skincare recommendations with the customer's consent",
            Consent,
            365,
            Erase,
        ),
        Category::OrderHistory => rule(
            "Memenuhi pesanan, retur, dan kewajiban pajak",
            "Fulfilling orders, returns and tax duties",
            LegalObligation,
            3650,
            KeepAggregates,
        ),
        Category::Notes => rule(
            "Catatan layanan pelanggan",
            "Customer-service notes",
            LegitimateInterest,
            365,
            Erase,
        ),
        Category::PaymentReferences => rule(
            "Pengembalian dana dan rekonsiliasi pembayaran (tanpa nomor kartu)",
            "Refunds and payment reconciliation (no card numbers)",
            Contract,
            730,
            Erase,
        ),
        Category::Audit => rule(
            "Membuktikan siapa mengakses data pribadi dan mengapa",
            "Proving who accessed personal data and why",
            LegalObligation,
            1825,
            KeepAggregates,
        ),
    }
}

impl Policy {
    /// Checks a written policy and fills missing categories with the defaults.
    pub fn from_file(f: PolicyFile) -> Result<Policy, PolicyError> {
        let mut rules = BTreeMap::new();
        for (key, r) in f.categories {
            let Some(c) = Category::ALL.into_iter().find(|c| c.key() == key) else {
                return Err(PolicyError {
                    key: format!("categories.{key}"),
                    why: format!(
                        "unknown data category (known: {})",
                        Category::ALL.map(Category::key).join(", ")
                    ),
                });
            };
            let at = |k: &str| format!("categories.{key}.{k}");
            for (k, v) in [("purpose_id", &r.purpose_id), ("purpose_en", &r.purpose_en)] {
                if v.trim().is_empty() || v.chars().count() > 300 || v.contains(['\n', '\r']) {
                    return Err(PolicyError {
                        key: at(k),
                        why: "a purpose of 1–300 characters on one line is required".into(),
                    });
                }
            }
            if r.retention_days == 0 || r.retention_days > 36_500 {
                return Err(PolicyError {
                    key: at("retention_days"),
                    why: "must be between 1 and 36500 days".into(),
                });
            }
            if c == Category::Audit && r.end_action != EndAction::KeepAggregates {
                return Err(PolicyError {
                    key: at("end_action"),
                    why: "the audit log is append-only and tamper-evident; only keep_aggregates can be honoured".into(),
                });
            }
            rules.insert(c, r);
        }
        for c in Category::ALL {
            rules.entry(c).or_insert_with(|| default_rule(c));
        }
        Ok(Policy {
            shop: f.shop.unwrap_or_else(|| "Toko".into()),
            contact: f.contact,
            rules,
        })
    }
}

/// Scheduled backups as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFacts {
    /// Hours between backups.
    pub every_hours: u64,
    /// Owner keys the backups are encrypted to.
    pub recipients: usize,
    /// Whether a passphrase opens them too.
    pub passphrase: bool,
    /// Daily backups kept.
    pub keep_daily: usize,
    /// Weekly backups kept.
    pub keep_weekly: usize,
    /// Days between restore drills (0 = none).
    pub drill_days: u64,
}

/// What the configuration actually enforces; the document claims nothing else.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Roles and their field views.
    pub roles: Policies,
    /// `keyfile`, `passphrase` or `shamir`.
    pub unseal_method: String,
    /// Audit witnesses configured.
    pub witnesses: usize,
    /// Scheduled backups, if configured.
    pub backup: Option<BackupFacts>,
    /// Whether a retention job enforces the periods.
    pub retention_enforced: bool,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown.
    Md,
    /// HTML (self-contained, escaped).
    Html,
    /// PDF (text, Helvetica).
    Pdf,
}

/// The document as blocks, before formatting.
enum Block {
    H1(String),
    H2(String),
    P(String),
    Table(Vec<String>, Vec<Vec<String>>),
}

fn t(m: M, lang: Lang) -> String {
    m.text(lang).to_string()
}

fn who_sees(c: Category, roles: &Policies, lang: Lang) -> String {
    let mut out = Vec::new();
    for r in Role::ALL {
        let v = roles.views(r);
        let view = match c {
            Category::OrderHistory => match v.orders {
                OrdersView::Hidden => None,
                _ => Some(M::PolicyViewPlain),
            },
            Category::PaymentReferences => match v.orders {
                OrdersView::Plain => Some(M::PolicyViewPlain),
                _ => None,
            },
            Category::Audit => {
                matches!(r, Role::Admin | Role::Auditor).then_some(M::PolicyViewPlain)
            }
            _ => {
                let best = c
                    .fields()
                    .iter()
                    .map(|f| v.field(*f))
                    .max_by_key(|v| match v {
                        FieldView::Hidden => 0,
                        FieldView::Masked => 1,
                        FieldView::Reveal => 2,
                        FieldView::Plain => 3,
                    })
                    .unwrap_or(FieldView::Hidden);
                match best {
                    FieldView::Hidden => None,
                    FieldView::Masked => Some(M::PolicyViewMasked),
                    FieldView::Reveal => Some(M::PolicyViewReveal),
                    FieldView::Plain => Some(M::PolicyViewPlain),
                }
            }
        };
        if let Some(m) = view {
            out.push(format!("{} ({})", r.name(), m.text(lang)));
        }
    }
    if out.is_empty() {
        t(M::PolicyNobody, lang)
    } else {
        out.join(", ")
    }
}

fn blocks(p: &Policy, f: &Facts, lang: Lang, today: &str) -> Vec<Block> {
    let mut b = vec![
        Block::H1(M::PolicyTitle.text(lang).replace("{shop}", &p.shop)),
        Block::P(M::PolicyIntro.text(lang).replace("{date}", today)),
        Block::H2(t(M::PolicyHeadCategories, lang)),
    ];
    let head = vec![
        t(M::PolicyColCategory, lang),
        t(M::PolicyColPurpose, lang),
        t(M::PolicyColBasis, lang),
        t(M::PolicyColWho, lang),
        t(M::PolicyColRetention, lang),
        t(M::PolicyColEnd, lang),
    ];
    let rows = Category::ALL
        .iter()
        .map(|c| {
            let r = &p.rules[c];
            vec![
                t(c.title(), lang),
                match lang {
                    Lang::Id => r.purpose_id.clone(),
                    Lang::En => r.purpose_en.clone(),
                },
                t(r.legal_basis.text(), lang),
                who_sees(*c, &f.roles, lang),
                M::PolicyDays
                    .text(lang)
                    .replace("{n}", &r.retention_days.to_string()),
                t(r.end_action.text(), lang),
            ]
        })
        .collect();
    b.push(Block::Table(head, rows));
    b.push(Block::P(t(
        if f.retention_enforced {
            M::PolicyRetentionEnforced
        } else {
            M::PolicyRetentionManual
        },
        lang,
    )));
    b.push(Block::H2(t(M::PolicyHeadSecurity, lang)));
    b.push(Block::P(t(M::PolicyMeasureEncryption, lang)));
    b.push(Block::P(t(
        match f.unseal_method.as_str() {
            "shamir" => M::PolicyUnsealShamir,
            "passphrase" => M::PolicyUnsealPassphrase,
            _ => M::PolicyUnsealKeyfile,
        },
        lang,
    )));
    b.push(Block::P(t(M::PolicyMeasureMfa, lang)));
    b.push(Block::P(t(M::PolicyMeasureCards, lang)));
    b.push(Block::P(if f.witnesses > 0 {
        M::PolicyAuditWitnessed
            .text(lang)
            .replace("{n}", &f.witnesses.to_string())
    } else {
        t(M::PolicyAuditLocal, lang)
    }));
    b.push(Block::P(match &f.backup {
        Some(bk) => {
            let mut s = M::PolicyBackupsOn
                .text(lang)
                .replace("{hours}", &bk.every_hours.to_string())
                .replace("{recipients}", &bk.recipients.to_string())
                .replace("{daily}", &bk.keep_daily.to_string())
                .replace("{weekly}", &bk.keep_weekly.to_string());
            if bk.drill_days > 0 {
                s.push(' ');
                s.push_str(
                    &M::PolicyDrill
                        .text(lang)
                        .replace("{days}", &bk.drill_days.to_string()),
                );
            }
            s
        }
        None => t(M::PolicyBackupsOff, lang),
    }));
    b.push(Block::H2(t(M::PolicyHeadRights, lang)));
    b.push(Block::P(t(M::PolicyRights, lang)));
    if let Some(c) = &p.contact {
        b.push(Block::P(
            M::PolicyContact.text(lang).replace("{contact}", c),
        ));
    }
    b
}

fn esc_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Writes the policy and record of processing in `lang` and `format`; `today` is the date
/// printed (`YYYY-MM-DD`).
pub fn render(p: &Policy, f: &Facts, lang: Lang, format: Format, today: &str) -> Vec<u8> {
    let bl = blocks(p, f, lang, today);
    match format {
        Format::Md => {
            let mut s = String::new();
            for b in &bl {
                match b {
                    Block::H1(x) => s.push_str(&format!("# {x}\n\n")),
                    Block::H2(x) => s.push_str(&format!("## {x}\n\n")),
                    Block::P(x) => s.push_str(&format!("{x}\n\n")),
                    Block::Table(h, rows) => {
                        s.push_str(&format!(
                            "| {} |\n",
                            h.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                        ));
                        s.push_str(&format!("|{}\n", "---|".repeat(h.len())));
                        for r in rows {
                            s.push_str(&format!(
                                "| {} |\n",
                                r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                            ));
                        }
                        s.push('\n');
                    }
                }
            }
            s.into_bytes()
        }
        Format::Html => {
            let code = match lang {
                Lang::Id => "id",
                Lang::En => "en",
            };
            let mut s = format!(
                "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n",
                esc_html(&p.shop)
            );
            s.push_str(&html_blocks(&bl));
            s.push_str("</body></html>\n");
            s.into_bytes()
        }
        Format::Pdf => pdf_of(&bl),
    }
}

/// The policy's HTML body (headings, paragraphs, tables; every value escaped, no styles), for
/// a page that frames it (the console's policy page).
pub fn html_body(p: &Policy, f: &Facts, lang: Lang, today: &str) -> String {
    html_blocks(&blocks(p, f, lang, today))
}

fn html_blocks(bl: &[Block]) -> String {
    let mut s = String::new();
    {
        for b in bl {
            match b {
                Block::H1(x) => s.push_str(&format!("<h1>{}</h1>\n", esc_html(x))),
                Block::H2(x) => s.push_str(&format!("<h2>{}</h2>\n", esc_html(x))),
                Block::P(x) => s.push_str(&format!("<p>{}</p>\n", esc_html(x))),
                Block::Table(h, rows) => {
                    s.push_str("<table>\n<tr>");
                    for c in h {
                        s.push_str(&format!("<th>{}</th>", esc_html(c)));
                    }
                    s.push_str("</tr>\n");
                    for r in rows {
                        s.push_str("<tr>");
                        for c in r {
                            s.push_str(&format!("<td>{}</td>", esc_html(c)));
                        }
                        s.push_str("</tr>\n");
                    }
                    s.push_str("</table>\n");
                }
            }
        }
    }
    s
}

fn pdf_of(bl: &[Block]) -> Vec<u8> {
    {
        {
            let mut lines = Vec::new();
            for b in bl {
                match b {
                    Block::H1(x) | Block::H2(x) => {
                        lines.push(x.to_uppercase());
                        lines.push(String::new());
                    }
                    Block::P(x) => {
                        lines.extend(wrap(x, 95));
                        lines.push(String::new());
                    }
                    Block::Table(h, rows) => {
                        for r in rows {
                            for (k, v) in h.iter().zip(r) {
                                lines.extend(wrap(&format!("{k}: {v}"), 95));
                            }
                            lines.push(String::new());
                        }
                    }
                }
            }
            pdf(&lines)
        }
    }
}

fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for w in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// A minimal PDF 1.4: Helvetica, 10 pt, 60 lines a page; characters outside Latin-1 become `?`.
fn pdf(lines: &[String]) -> Vec<u8> {
    let pages: Vec<&[String]> = lines.chunks(60).collect();
    let mut objs: Vec<Vec<u8>> = Vec::new();
    let n_pages = pages.len().max(1);
    // 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..n_pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objs.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n_pages} >>",
            kids.join(" ")
        )
        .into_bytes(),
    );
    objs.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for (i, page) in pages.iter().enumerate() {
        let mut content = b"BT /F1 10 Tf 50 800 Td 13 TL\n".to_vec();
        for l in page.iter() {
            content.push(b'(');
            for ch in l.chars() {
                let c = match ch {
                    '–' | '—' => b'-',
                    c if (c as u32) < 256 => c as u8,
                    _ => b'?',
                };
                if matches!(c, b'(' | b')' | b'\\') {
                    content.push(b'\\');
                }
                content.push(c);
            }
            content.extend_from_slice(b") Tj T*\n");
        }
        content.extend_from_slice(b"ET");
        objs.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", 5 + 2 * i).into_bytes());
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objs.push(stream);
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            roles: Policies::default(),
            unseal_method: "keyfile".into(),
            witnesses: 0,
            backup: None,
            retention_enforced: false,
        }
    }

    #[test]
    fn invalid_policies_name_the_key() {
        let mut f = PolicyFile::default();
        f.categories
            .insert("skin".into(), default_rule(Category::Notes));
        assert_eq!(Policy::from_file(f).unwrap_err().key, "categories.skin");
        let mut f = PolicyFile::default();
        let mut r = default_rule(Category::Identity);
        r.retention_days = 0;
        f.categories.insert("identity".into(), r);
        assert_eq!(
            Policy::from_file(f).unwrap_err().key,
            "categories.identity.retention_days"
        );
        let mut f = PolicyFile::default();
        let mut r = default_rule(Category::Audit);
        r.end_action = EndAction::Erase;
        f.categories.insert("audit".into(), r);
        assert_eq!(
            Policy::from_file(f).unwrap_err().key,
            "categories.audit.end_action"
        );
    }

    #[test]
    fn the_text_follows_the_configuration() {
        let p = Policy::from_file(PolicyFile::default()).unwrap();
        let off =
            String::from_utf8(render(&p, &facts(), Lang::En, Format::Md, "2026-12-07")).unwrap();
        let mut f = facts();
        f.backup = Some(BackupFacts {
            every_hours: 24,
            recipients: 1,
            passphrase: false,
            keep_daily: 7,
            keep_weekly: 4,
            drill_days: 30,
        });
        f.witnesses = 2;
        let on = String::from_utf8(render(&p, &f, Lang::En, Format::Md, "2026-12-07")).unwrap();
        assert!(off.contains(M::PolicyBackupsOff.text(Lang::En)), "{off}");
        assert!(!on.contains(M::PolicyBackupsOff.text(Lang::En)));
        assert!(on.contains("every 24 hours"), "{on}");
        assert!(off.contains(M::PolicyAuditLocal.text(Lang::En)));
        assert!(
            !off.contains("retention job erases"),
            "no claim of enforcement"
        );
        let pdf = render(&p, &f, Lang::Id, Format::Pdf, "2026-12-07");
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
        let html = String::from_utf8(render(&p, &f, Lang::Id, Format::Html, "2026-12-07")).unwrap();
        assert!(html.contains("lang=\"id\""));
    }
}
