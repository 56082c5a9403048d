//! Request and response shapes for customers and orders.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A customer field that is stored encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Full name.
    FullName,
    /// E-mail address (normalised to lower case).
    Email,
    /// Phone number in E.164.
    Phone,
    /// Postal address.
    Address,
    /// Indonesian national ID number (NIK).
    NationalId,
    /// Date of birth.
    BirthDate,
    /// Free JSON preferences (e.g. skin type and concerns).
    Preferences,
    /// Free-text notes.
    Notes,
}

impl Field {
    /// Every encrypted field, in storage order.
    pub const ALL: [Field; 8] = [
        Field::FullName,
        Field::Email,
        Field::Phone,
        Field::Address,
        Field::NationalId,
        Field::BirthDate,
        Field::Preferences,
        Field::Notes,
    ];

    /// The field's name in the API and the database.
    pub fn name(self) -> &'static str {
        match self {
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::NationalId => "national_id",
            Field::BirthDate => "birth_date",
            Field::Preferences => "preferences",
            Field::Notes => "notes",
        }
    }

    /// Parses an API field name.
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Fields with a blind index for exact-match lookup, and the index length in bytes.
    pub fn blind_index_len(self) -> Option<usize> {
        match self {
            Field::Email | Field::Phone => Some(16),
            // Deliberately short: ~65k buckets, resolved by decrypting candidates.
            Field::NationalId => Some(2),
            _ => None,
        }
    }
}

/// An Indonesian postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street, number, RT/RW, kelurahan.
    pub street: Option<String>,
    /// City or regency (kota/kabupaten).
    pub city: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Five-digit postal code.
    pub postal_code: Option<String>,
}

/// A new customer. Only `full_name` is required: collect only what the shop needs.
#[derive(Debug, Clone, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// Full name.
    pub full_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number; Indonesian numbers may be written locally (`0812…`).
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<Address>,
    /// NIK: 16 digits.
    pub national_id: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Free JSON preferences.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub preferences: Option<serde_json::Value>,
    /// Free-text notes.
    pub notes: Option<String>,
    /// Whether the customer agreed to marketing messages.
    #[serde(default)]
    pub marketing_consent: bool,
    /// Customer segment (a group with its own keys); `default` when absent.
    pub segment: Option<String>,
}

/// A partial update. Absent fields are left as they are; `null` clears a field.
#[derive(Debug, Clone, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    /// New full name (cannot be cleared).
    pub full_name: Option<String>,
    /// New e-mail, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    /// New phone, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    /// New address, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Address>))]
    pub address: Option<Option<Address>>,
    /// New NIK, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub national_id: Option<Option<String>>,
    /// New birth date, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_date: Option<Option<String>>,
    /// New preferences, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub preferences: Option<Option<serde_json::Value>>,
    /// New notes, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    /// New marketing consent.
    pub marketing_consent: Option<bool>,
}

fn double_option<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// What `POST /v1/customers` returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    /// The customer's id.
    pub id: Uuid,
    /// The customer's human-readable code, for documents and chats.
    pub code: String,
}

/// A customer as a caller may see it: each field masked, revealed or absent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerView {
    /// Id.
    pub id: Uuid,
    /// Customer code.
    pub code: String,
    /// Segment.
    pub segment: String,
    /// Full name (masked unless revealed).
    pub full_name: Option<String>,
    /// E-mail (masked unless revealed).
    pub email: Option<String>,
    /// Phone (masked unless revealed).
    pub phone: Option<String>,
    /// Address (masked unless revealed).
    pub address: Option<Address>,
    /// NIK (masked unless revealed; the mask never shows the birth-date digits).
    pub national_id: Option<String>,
    /// Birth date (masked unless revealed).
    pub birth_date: Option<String>,
    /// Preferences.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub preferences: Option<serde_json::Value>,
    /// Notes.
    pub notes: Option<String>,
    /// Marketing consent.
    pub marketing_consent: bool,
    /// Fields shown in plain text in this response.
    pub revealed: Vec<Field>,
    /// Creation time, RFC 3339.
    pub created_at: String,
    /// Last update time, RFC 3339.
    pub updated_at: String,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderItem {
    /// Stock-keeping unit.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Quantity (at least 1).
    pub quantity: u32,
    /// Unit price in the order currency's ISO 4217 minor unit (sen for IDR: Rp 25.000 is
    /// `2500000`).
    pub unit_price_minor: i64,
}

/// How an order was paid: the gateway's token and the card's public details, never the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentRef {
    /// Gateway: `midtrans`, `xendit`, `stripe` or `other`.
    pub gateway: String,
    /// The gateway's token or payment id.
    pub token: String,
    /// Card brand, e.g. `visa`.
    pub card_brand: Option<String>,
    /// Last four digits of the card.
    pub last4: Option<String>,
    /// Card expiry month (1–12).
    pub exp_month: Option<u8>,
    /// Card expiry year (four digits).
    pub exp_year: Option<u16>,
}

/// A new order in a customer's purchase history.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// The shop's own order number (e.g. `INV/2025/11/00123`).
    pub order_ref: String,
    /// Order lines (stored encrypted).
    pub items: Vec<OrderItem>,
    /// Total in the currency's ISO 4217 minor unit: sen for IDR (two decimals), so
    /// Rp 150.000 is `15000000`.
    pub amount_minor: i64,
    /// ISO 4217 currency code.
    pub currency: String,
    /// `pending`, `paid`, `shipped`, `completed`, `cancelled` or `refunded`.
    pub status: String,
    /// Payment reference.
    pub payment: Option<PaymentRef>,
    /// Free-text notes (stored encrypted).
    pub notes: Option<String>,
}

/// An order as returned to callers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    /// Jaga's id for the order.
    pub id: Uuid,
    /// The shop's order number.
    pub order_ref: String,
    /// Order lines.
    pub items: Vec<OrderItem>,
    /// Total in the currency's ISO 4217 minor unit (sen for IDR: Rp 150.000 is `15000000`).
    pub amount_minor: i64,
    /// Currency.
    pub currency: String,
    /// Status.
    pub status: String,
    /// Payment reference.
    pub payment: Option<PaymentRef>,
    /// Notes.
    pub notes: Option<String>,
    /// Creation time, RFC 3339.
    pub created_at: String,
}

/// A lookup by exact value through a blind index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// By e-mail.
    Email(String),
    /// By phone.
    Phone(String),
    /// By NIK.
    NationalId(String),
    /// By customer code.
    Code(String),
}
