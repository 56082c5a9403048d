//! The purpose of a reveal as staff state it: one reason from a fixed list plus free text. The
//! audit log records the reason's code and the text (`refund: TICKET-42`), so the log does not
//! depend on the language of the member; pages, reports and letters show the reason in the
//! reader's language ([`crate::letter::purpose_label`]). Rows written before the codes carry the
//! English label (`Refund: TICKET-42`) and read the same way.

use crate::auth::Purpose;
use jaga_i18n::M;

/// Longest free text kept after the reason, characters (control characters are dropped).
pub const MAX_DETAIL: usize = 200;

/// The free text as kept: control characters dropped, at most [`MAX_DETAIL`] characters (not
/// trimmed).
pub fn clean_detail(detail: &str) -> String {
    detail
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_DETAIL)
        .collect()
}

/// A reason from the fixed list offered for a reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Re-delivery of an order.
    Redelivery,
    /// The customer asked.
    CustomerRequest,
    /// A refund.
    Refund,
    /// Something else: the free text is required (at least 3 characters).
    Other,
}

impl Reason {
    /// Every reason, in the order offered.
    pub const ALL: [Reason; 4] = [
        Reason::Redelivery,
        Reason::CustomerRequest,
        Reason::Refund,
        Reason::Other,
    ];

    /// The form value.
    pub fn key(self) -> &'static str {
        match self {
            Reason::Redelivery => "redelivery",
            Reason::CustomerRequest => "customer_request",
            Reason::Refund => "refund",
            Reason::Other => "other",
        }
    }

    /// The reason named by a form value.
    pub fn parse(key: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The English label rows written before the codes carry (`Refund: …`); still read as
    /// this reason.
    pub fn audit_label(self) -> &'static str {
        match self {
            Reason::Redelivery => "Re-delivery",
            Reason::CustomerRequest => "Customer request",
            Reason::Refund => "Refund",
            Reason::Other => "Other",
        }
    }

    /// The label shown to people (`jaga_i18n`).
    pub fn message(self) -> M {
        match self {
            Reason::Redelivery => M::PurposeRedelivery,
            Reason::CustomerRequest => M::PurposeCustomerRequest,
            Reason::Refund => M::PurposeRefund,
            Reason::Other => M::PurposeOther,
        }
    }
}

/// What is missing from a stated purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurposeProblem {
    /// No reason (or one not on the list) was chosen.
    NoReason,
    /// "Other" without at least 3 characters of text.
    NoDetail,
}

/// A purpose assembled from a reason and its free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedPurpose {
    /// The reason.
    pub reason: Reason,
    /// The free text, trimmed, without control characters, at most [`MAX_DETAIL`] characters.
    pub detail: String,
}

impl StatedPurpose {
    /// Assembles the purpose from the form's reason key and free text.
    pub fn assemble(reason_key: &str, detail: &str) -> Result<Self, PurposeProblem> {
        let reason = Reason::parse(reason_key).ok_or(PurposeProblem::NoReason)?;
        let detail = clean_detail(detail).trim().to_string();
        if reason == Reason::Other && detail.chars().count() < 3 {
            return Err(PurposeProblem::NoDetail);
        }
        Ok(Self { reason, detail })
    }

    /// The text the audit log records: the reason's code ([`Reason::key`]), then `: ` and the
    /// free text if any.
    pub fn audit_text(&self) -> String {
        if self.detail.is_empty() {
            self.reason.key().to_string()
        } else {
            format!("{}: {}", self.reason.key(), self.detail)
        }
    }

    /// The vault's [`Purpose`] for this statement (always valid: labels are ≥ 3 characters and
    /// the text is bounded and single-line).
    pub fn purpose(&self) -> Option<Purpose> {
        Purpose::new(&self.audit_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_are_assembled_from_a_reason_and_text() {
        let p = StatedPurpose::assemble("refund", "  TICKET-42 ").unwrap();
        assert_eq!(p.audit_text(), "refund: TICKET-42");
        assert!(p.purpose().is_some());
        let p = StatedPurpose::assemble("redelivery", "").unwrap();
        assert_eq!(p.audit_text(), "redelivery");
        let p = StatedPurpose::assemble("customer_request", "").unwrap();
        assert_eq!(
            p.purpose().map(|p| p.as_str().to_string()).as_deref(),
            Some("customer_request")
        );
        assert_eq!(
            StatedPurpose::assemble("other", " ab "),
            Err(PurposeProblem::NoDetail)
        );
        assert_eq!(
            StatedPurpose::assemble("other", "a\u{0}\nb\tc")
                .unwrap()
                .detail,
            "abc"
        );
        assert_eq!(
            StatedPurpose::assemble("because", "text"),
            Err(PurposeProblem::NoReason)
        );
        assert_eq!(
            StatedPurpose::assemble("", "text"),
            Err(PurposeProblem::NoReason)
        );
        let long = StatedPurpose::assemble("other", &"x".repeat(5000)).unwrap();
        assert_eq!(long.detail.chars().count(), MAX_DETAIL);
        assert!(long.purpose().is_some());
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.key()), Some(r));
        }
    }

    /// Regression: the vault's purpose screening read the reason label ("Refund:", "Other:") as a
    /// chat speaker's name and logged `[PERSON]: TICKET-42`. The label stays; what follows it is
    /// still screened.
    #[test]
    fn reason_labels_survive_screening_and_the_text_after_them_does_not_escape_it() {
        for r in Reason::ALL {
            let p = StatedPurpose::assemble(r.key(), "TICKET-42").unwrap();
            assert_eq!(
                p.purpose().map(|p| p.as_str().to_string()),
                Some(format!("{}: TICKET-42", r.key()))
            );
            // Rows of the English labels (before the codes) screen the same way.
            assert_eq!(
                Purpose::screen(&format!("{}: TICKET-42", r.audit_label()))
                    .unwrap()
                    .as_str(),
                format!("{}: TICKET-42", r.audit_label())
            );
        }
        assert!(Purpose::screen("refund: 4111 1111 1111 1111").is_err());
        let p = Purpose::screen("other: Dewi: kirim ulang").unwrap();
        assert!(!p.as_str().contains("Dewi"), "{}", p.as_str());
        assert!(p.as_str().starts_with("other: "), "{}", p.as_str());
        // Card numbers after a label are still refused, names still replaced.
        assert!(Purpose::screen("Refund: 4111 1111 1111 1111").is_err());
        let p = Purpose::screen("Other: Dewi: kirim ulang").unwrap();
        assert!(!p.as_str().contains("Dewi"), "{}", p.as_str());
        assert!(p.as_str().starts_with("Other: "), "{}", p.as_str());
        // Only a real label is exempt: a speaker at the start is still a name.
        let p = Purpose::screen("Dewi: kirim ulang").unwrap();
        assert!(!p.as_str().contains("Dewi"), "{}", p.as_str());
        // A label alone, or one glued to text, is screened as a whole as before.
        assert_eq!(Purpose::screen("Refund").unwrap().as_str(), "Refund");
    }
}
