//! Entity kinds and findings: what the detector reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kinds of personal data the detector finds. The serialized names (`CREDIT_CARD`, `NIK`, …)
/// are part of the public contract: they appear in JSONL output, statistics and policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityKind {
    /// A payment card number (PAN): Luhn-valid, known issuer range.
    CreditCard,
    /// A card verification code (3–4 digits), only next to a CVV/CVC context word.
    Cvv,
    /// Indonesian national identity number (16 digits, on the KTP).
    Nik,
    /// Indonesian family card number (Kartu Keluarga, 16 digits).
    Kk,
    /// Indonesian taxpayer number: 15-digit (old, formatted or plain) or 16-digit.
    Npwp,
    /// A passport number (letter + 7 digits), only with a passport context word.
    Passport,
    /// A telephone number: Indonesian mobile or landline, or international with `+`.
    Phone,
    /// An e-mail address.
    Email,
    /// An International Bank Account Number (mod-97 checked).
    Iban,
    /// A domestic bank account number, only with a bank context word.
    BankAccount,
    /// A date next to a birth context word (lahir, TTL, DOB …).
    DateOfBirth,
    /// A street address (Indonesian or English).
    Address,
    /// A person's name.
    Person,
    /// An IPv4 or IPv6 address.
    IpAddress,
}

impl EntityKind {
    /// Every kind, in declaration order (the order of [`EntityKind::index`]).
    pub const ALL: [EntityKind; 14] = [
        EntityKind::CreditCard,
        EntityKind::Cvv,
        EntityKind::Nik,
        EntityKind::Kk,
        EntityKind::Npwp,
        EntityKind::Passport,
        EntityKind::Phone,
        EntityKind::Email,
        EntityKind::Iban,
        EntityKind::BankAccount,
        EntityKind::DateOfBirth,
        EntityKind::Address,
        EntityKind::Person,
        EntityKind::IpAddress,
    ];

    /// Number of kinds.
    pub const COUNT: usize = 14;

    /// The contract name, e.g. `"CREDIT_CARD"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::CreditCard => "CREDIT_CARD",
            EntityKind::Cvv => "CVV",
            EntityKind::Nik => "NIK",
            EntityKind::Kk => "KK",
            EntityKind::Npwp => "NPWP",
            EntityKind::Passport => "PASSPORT",
            EntityKind::Phone => "PHONE",
            EntityKind::Email => "EMAIL",
            EntityKind::Iban => "IBAN",
            EntityKind::BankAccount => "BANK_ACCOUNT",
            EntityKind::DateOfBirth => "DATE_OF_BIRTH",
            EntityKind::Address => "ADDRESS",
            EntityKind::Person => "PERSON",
            EntityKind::IpAddress => "IP_ADDRESS",
        }
    }

    /// Position of this kind in [`EntityKind::ALL`], for per-kind arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether values of this kind must never be stored or tokenized (cards and CVVs).
    pub const fn is_never_store(self) -> bool {
        matches!(self, EntityKind::CreditCard | EntityKind::Cvv)
    }

    /// Overlap-resolution priority: higher wins when two findings overlap.
    pub(crate) const fn priority(self) -> u8 {
        match self {
            EntityKind::CreditCard => 100,
            EntityKind::Cvv => 95,
            EntityKind::Iban => 90,
            EntityKind::Npwp => 86,
            EntityKind::Kk => 85,
            EntityKind::Nik => 84,
            EntityKind::Passport => 80,
            EntityKind::Email => 75,
            EntityKind::Phone => 70,
            EntityKind::BankAccount => 65,
            EntityKind::IpAddress => 60,
            EntityKind::DateOfBirth => 55,
            EntityKind::Address => 40,
            EntityKind::Person => 30,
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when parsing an unknown entity-kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity kind")]
pub struct UnknownKind;

impl FromStr for EntityKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownKind)
    }
}

/// The check that confirmed a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// Luhn checksum plus card issuer (IIN) range and length.
    LuhnIin,
    /// NIK/KK structure: province code, regency, district, date and serial.
    NikStructure,
    /// NPWP check digit (Luhn over the first 9 digits of the 15-digit form).
    NpwpCheckDigit,
    /// ISO 7064 mod-97 plus the country's IBAN length.
    IbanMod97,
    /// Telephone numbering plan: Indonesian mobile/landline prefixes and lengths, or E.164.
    PhonePlan,
    /// E-mail syntax: local part, `@`, a dotted domain with an alphabetic top-level label.
    EmailSyntax,
    /// A parseable IPv4 or IPv6 address.
    IpSyntax,
    /// A calendar date that exists.
    CalendarDate,
    /// A name from the built-in gazetteer of given names and surnames.
    Gazetteer,
    /// Address structure (street prefix, house number, RT/RW, district, postal code …).
    AddressStructure,
    /// The shape alone (length, letters/digits) — accepted only together with context.
    Shape,
    /// The field or column name (CSV header, e-mail header) says what the value is.
    FieldName,
}

/// Why a finding was reported: the validator that passed and the context word, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// The structural check that passed.
    pub validator: Validator,
    /// The context keyword (from the built-in keyword table, never from the input) that
    /// confirmed or typed the finding, e.g. `"rekening"` or `"cvv"`.
    pub context: Option<&'static str>,
}

/// One detected piece of personal data.
///
/// `start..end` are byte offsets into the UTF-8 input, `end` exclusive; both always fall on
/// character boundaries. The finding holds no copy of the value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Finding {
    /// What was found.
    pub kind: EntityKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Confidence in 0..=1. Checksum-validated values score ≥ 0.9; shape-only values need
    /// context and score by how close and specific it was.
    pub score: f32,
    /// Which validator and which context word confirmed the finding.
    pub evidence: Evidence,
}

impl Finding {
    /// Byte range of the finding.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the finding is empty (never true for detector output).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in EntityKind::ALL {
            assert_eq!(k.as_str().parse::<EntityKind>(), Ok(k));
            assert_eq!(EntityKind::ALL[k.index()], k);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert!("SSN".parse::<EntityKind>().is_err());
    }
}
