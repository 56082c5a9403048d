//! The access and portability export (UU PDP art. 7 and 13): everything held about one
//! customer — their fields in plain text, orders, consent records, the tokens standing for
//! their values, their requests — and who accessed their data and why (from the audit log).
//!
//! [`CustomerExport`] is the machine-readable document (JSON, [`EXPORT_FORMAT`]);
//! [`render`] writes it as JSON or as a letter in Bahasa Indonesia or English (Markdown text,
//! HTML or PDF), reusing the access letter's rows ([`crate::letter`]). Pure: the vault's
//! `Exporter` (see `vault/export.rs`) gathers the document under audit.

use crate::letter::Shop;
use crate::model::{Address, OrderView};
use crate::report::AccessEntry;
use jaga_i18n::{Lang, M, Tr};

mod letter;
use letter::{blocks, html, markdown, plain};
use serde::Serialize;
use uuid::Uuid;

/// The document format's name and version, written into every JSON export.
pub const EXPORT_FORMAT: &str = "jaga.customer-export/1";

/// Everything held about one customer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// When the export was made, RFC 3339 UTC.
    pub generated_at: String,
    /// The customer record, every field in plain text.
    pub customer: ExportedCustomer,
    /// Orders, newest first.
    pub orders: Vec<OrderView>,
    /// Consent records, oldest first (the latest per purpose is the current state).
    pub consents: Vec<ExportedConsent>,
    /// Tokens that stand for the customer's values in redacted text, with the values.
    pub tokens: Vec<ExportedToken>,
    /// The customer's data-subject requests, oldest first.
    pub requests: Vec<ExportedRequest>,
    /// Every audited access to the customer's data, oldest first (staff named by role only).
    pub accesses: Vec<AccessEntry>,
}

/// The customer record in plain text.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedCustomer {
    /// Id.
    pub id: Uuid,
    /// Customer code.
    pub code: String,
    /// Segment.
    pub segment: String,
    /// Full name.
    pub full_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<Address>,
    /// NIK.
    pub national_id: Option<String>,
    /// Date of birth.
    pub birth_date: Option<String>,
    /// Preferences.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub preferences: Option<serde_json::Value>,
    /// Notes.
    pub notes: Option<String>,
    /// Marketing consent flag.
    pub marketing_consent: bool,
    /// Created, RFC 3339.
    pub created_at: String,
    /// Last changed, RFC 3339.
    pub updated_at: String,
}

/// One consent record.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedConsent {
    /// `marketing`, `whatsapp` or `email`.
    pub purpose: String,
    /// Given (`true`) or withdrawn.
    pub granted: bool,
    /// Where it came from (`web_form`, …).
    pub source: String,
    /// When, RFC 3339.
    pub at: String,
}

/// One token and the value it stands for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedToken {
    /// The token id (`tok_…`).
    pub token: String,
    /// The entity kind, e.g. `NIK`.
    pub kind: String,
    /// The value.
    pub value: String,
    /// Created, RFC 3339.
    pub created_at: String,
}

/// One data-subject request (codes only; staff are not named).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedRequest {
    /// Request id.
    pub id: Uuid,
    /// `access`, `erasure`, …
    pub kind: String,
    /// How it came in.
    pub channel: String,
    /// `open`, `done` or `refused`.
    pub status: String,
    /// Received, RFC 3339.
    pub received_at: String,
    /// Legal due date, RFC 3339.
    pub due_at: String,
    /// Closed, RFC 3339.
    pub closed_at: Option<String>,
    /// Outcome code.
    pub outcome: Option<String>,
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The JSON document (portability).
    Json,
    /// The letter as Markdown text.
    Markdown,
    /// The letter as an HTML page.
    Html,
    /// The letter as a PDF.
    Pdf,
}

impl ExportFormat {
    /// Every format.
    pub const ALL: [ExportFormat; 4] = [Self::Json, Self::Markdown, Self::Html, Self::Pdf];

    /// `json`, `md` (also `letter`, `text`), `html` or `pdf`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "md" | "markdown" | "letter" | "text" => Some(Self::Markdown),
            "html" => Some(Self::Html),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }

    /// The code the audit event records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Pdf => "pdf",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Pdf => "application/pdf",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Pdf => "pdf",
        }
    }
}

/// Writes `export` in `format`; letters are in `lang`, from `shop`.
pub fn render(export: &CustomerExport, shop: &Shop, lang: Lang, format: ExportFormat) -> Vec<u8> {
    if format == ExportFormat::Json {
        let mut v =
            serde_json::to_vec_pretty(export).expect("serialising a plain value cannot fail");
        v.push(b'\n');
        return v;
    }
    let (letter, blocks) = blocks(export, shop, lang);
    match format {
        ExportFormat::Json => unreachable!("handled above"),
        ExportFormat::Markdown => markdown(&letter, &blocks).into_bytes(),
        ExportFormat::Html => html(&letter, &blocks).into_bytes(),
        ExportFormat::Pdf => {
            let title = format!("{} - {}", letter.shop, letter.subject);
            let text = plain(&letter, &blocks);
            if crate::letter::pdf::all_shown(&text) {
                crate::letter::pdf::text_document(&title, &text)
            } else {
                let note = Tr(lang).t(M::LetterPdfMissing);
                crate::letter::pdf::text_document(&title, &format!("{note}\n\n{text}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrderItem;

    fn sample() -> CustomerExport {
        CustomerExport {
            format: EXPORT_FORMAT.into(),
            generated_at: "2026-12-07T10:00:00Z".into(),
            customer: ExportedCustomer {
                id: Uuid::nil(),
                code: "JG-ABCD-EFGH-J".into(),
                segment: "default".into(),
                full_name: Some("Siti <b>Rahayu</b> | x".into()),
                email: Some("siti@example.id".into()),
                phone: Some("+6281234567890".into()),
                address: Some(Address {
                    street: Some("Jl. Melati 5".into()),
                    city: Some("Bandung".into()),
                    province: None,
                    postal_code: Some("40111".into()),
                }),
                national_id: None,
                birth_date: None,
                preferences: None,
                notes: Some("kulit sensitif\nhindari alkohol".into()),
                marketing_consent: true,
                created_at: "2026-12-01T01:00:00Z".into(),
                updated_at: "2026-12-02T01:00:00Z".into(),
            },
            orders: vec![OrderView {
                id: Uuid::nil(),
                order_ref: "INV-1".into(),
                items: vec![OrderItem {
                    sku: "S1".into(),
                    name: "Serum".into(),
                    quantity: 2,
                    unit_price_minor: 50_000,
                }],
                amount_minor: 100_000,
                currency: "IDR".into(),
                status: "paid".into(),
                payment: None,
                notes: None,
                created_at: "2026-12-03T01:00:00Z".into(),
            }],
            consents: vec![ExportedConsent {
                purpose: "marketing".into(),
                granted: false,
                source: "whatsapp".into(),
                at: "2026-12-04T01:00:00Z".into(),
            }],
            tokens: vec![],
            requests: vec![],
            accesses: vec![],
        }
    }

    #[test]
    fn the_letter_holds_every_value_in_the_readers_language() {
        let shop = Shop {
            name: Some("Toko Cantik".into()),
            ..Default::default()
        };
        let id =
            String::from_utf8(render(&sample(), &shop, Lang::Id, ExportFormat::Markdown)).unwrap();
        assert!(id.starts_with("# Toko Cantik\n"), "{id}");
        for want in [
            "Data Anda",
            "siti@example.id",
            "+6281234567890",
            "Jl. Melati 5, Bandung, 40111",
            "INV-1",
            "2 × Serum",
            "tidak (ditarik)",
            "Tidak ada akses yang tercatat.",
            "JG-ABCD-EFGH-J",
        ] {
            assert!(id.contains(want), "{want} missing: {id}");
        }
        // Markup in a value stays text, and a newline in a value does not start a block.
        assert!(id.contains(r"Siti \<b\>Rahayu\</b\> \| x"), "{id}");
        assert!(id.contains("kulit sensitif hindari alkohol"), "{id}");
        let en =
            String::from_utf8(render(&sample(), &shop, Lang::En, ExportFormat::Markdown)).unwrap();
        assert!(
            en.contains("Your data") && en.contains("no (withdrawn)"),
            "{en}"
        );
        assert!(!en.contains("Data Anda"), "{en}");
    }

    #[test]
    fn html_escapes_values_and_json_keeps_them() {
        let shop = Shop::default();
        let h = String::from_utf8(render(&sample(), &shop, Lang::En, ExportFormat::Html)).unwrap();
        assert!(h.contains("Siti &lt;b&gt;Rahayu&lt;/b&gt;"), "{h}");
        assert!(!h.contains("<b>Rahayu"), "{h}");
        assert!(h.contains("<html lang=\"en\">"), "{h}");
        let j: serde_json::Value =
            serde_json::from_slice(&render(&sample(), &shop, Lang::En, ExportFormat::Json))
                .unwrap();
        assert_eq!(j["format"], EXPORT_FORMAT);
        assert_eq!(j["customer"]["email"], "siti@example.id");
        assert_eq!(j["orders"][0]["order_ref"], "INV-1");
        let pdf = render(&sample(), &shop, Lang::Id, ExportFormat::Pdf);
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn formats_parse() {
        assert_eq!(ExportFormat::parse("letter"), Some(ExportFormat::Markdown));
        assert_eq!(ExportFormat::parse(" PDF "), Some(ExportFormat::Pdf));
        assert_eq!(ExportFormat::parse("xml"), None);
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.as_str()), Some(f));
        }
    }
}
