//! Data-subject requests and consent records (UU PDP, Law 27/2022).
//!
//! A request is recorded when the customer asks (by e-mail, WhatsApp, in the shop, …), with
//! the date the law gives the shop to answer; it stays open — and shows as overdue once that
//! date passes — until someone closes it as done or refused with an outcome code. Consent is
//! recorded per purpose with its time and source; a withdrawal is a new record, so the
//! history stays. Both hold ids, codes and times only: never a value, never free text.
//!
//! **Due dates.** UU PDP gives the controller 3×24 hours for most rights: to correct or update
//! (art. 30), to give access and a copy (art. 32), to stop processing after consent is
//! withdrawn (art. 40), to delay or restrict processing (art. 41). The law fixes no hours for
//! erasure (art. 43), objection (art. 10) or portability (art. 13); Jaga applies the same
//! 3×24 hours to them, the strictest reading, so a shop that meets it meets the law.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// 3×24 hours, in milliseconds.
pub const DUE_MS: i64 = 72 * 3_600_000;

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            /// The code as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }
            /// Parses a code.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

codes! {
    /// What the customer asks for.
    RequestKind {
        /// A copy of everything held about them (art. 7, 32).
        Access => "access",
        /// Their data in a machine-readable form for another controller (art. 13).
        Portability => "portability",
        /// Correction of inaccurate data (art. 6, 30).
        Rectification => "rectification",
        /// Erasure (art. 8, 43).
        Erasure => "erasure",
        /// Withdrawal of consent (art. 9, 40).
        ConsentWithdrawal => "consent_withdrawal",
        /// Delay or restriction of processing (art. 11, 41).
        Restriction => "restriction",
        /// Objection to automated decisions (art. 10).
        Objection => "objection",
    }
}

codes! {
    /// How the request reached the shop.
    Channel {
        /// E-mail.
        Email => "email",
        /// WhatsApp.
        Whatsapp => "whatsapp",
        /// Telephone.
        Phone => "phone",
        /// In the shop.
        InStore => "in_store",
        /// A letter.
        Letter => "letter",
        /// A web form.
        Web => "web",
    }
}

codes! {
    /// Where a request stands.
    RequestStatus {
        /// Not answered yet.
        Open => "open",
        /// Answered and carried out.
        Done => "done",
        /// Refused (with a lawful reason as outcome).
        Refused => "refused",
    }
}

codes! {
    /// How a request was closed (a code; the details are in the audit log and the letter).
    Outcome {
        /// The copy or export was sent.
        Answered => "answered",
        /// The data were corrected.
        Corrected => "corrected",
        /// The customer was erased.
        Erased => "erased",
        /// Processing for the purpose stopped.
        ProcessingStopped => "processing_stopped",
        /// The requester's identity could not be verified.
        IdentityNotVerified => "identity_not_verified",
        /// The shop must keep the data by law (e.g. tax records).
        LegalObligation => "legal_obligation",
        /// The customer withdrew the request.
        Withdrawn => "withdrawn",
    }
}

codes! {
    /// What a consent is for.
    ConsentPurpose {
        /// Marketing in general (also kept on the customer record as `marketing_consent`).
        Marketing => "marketing",
        /// Messages over WhatsApp.
        Whatsapp => "whatsapp",
        /// Messages by e-mail.
        Email => "email",
    }
}

codes! {
    /// Where a consent (or its withdrawal) came from.
    ConsentSource {
        /// A web or checkout form.
        WebForm => "web_form",
        /// A WhatsApp message.
        Whatsapp => "whatsapp",
        /// An e-mail.
        Email => "email",
        /// In the shop.
        InStore => "in_store",
        /// A telephone call.
        Phone => "phone",
        /// The shop's system through the API.
        Api => "api",
        /// An import of older records.
        Import => "import",
    }
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    /// Id.
    pub id: Uuid,
    /// The customer it concerns.
    pub customer_id: Uuid,
    /// What is asked.
    pub kind: RequestKind,
    /// How it came in.
    pub channel: Channel,
    /// Where it stands.
    pub status: RequestStatus,
    /// When it was received (ms since the epoch).
    pub received_at: i64,
    /// When the answer is due by law (ms since the epoch).
    pub due_at: i64,
    /// Who recorded it (staff id or API key id).
    pub created_by: String,
    /// Who closed it.
    pub handled_by: Option<String>,
    /// When it was closed.
    pub closed_at: Option<i64>,
    /// How it was closed.
    pub outcome: Option<Outcome>,
}

impl RequestRow {
    /// Open and past its due date at `now_ms`.
    pub fn overdue(&self, now_ms: i64) -> bool {
        self.status == RequestStatus::Open && now_ms > self.due_at
    }
}

/// A consent record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRow {
    /// Id.
    pub id: Uuid,
    /// The customer.
    pub customer_id: Uuid,
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// Given (`true`) or withdrawn (`false`).
    pub granted: bool,
    /// Where it came from.
    pub source: ConsentSource,
    /// When (ms since the epoch).
    pub at: i64,
    /// Who recorded it.
    pub recorded_by: String,
}

/// The current state per purpose from a history (oldest first): the latest record of each.
pub fn current_consents(history: &[ConsentRow]) -> Vec<(ConsentPurpose, Option<&ConsentRow>)> {
    ConsentPurpose::ALL
        .iter()
        .map(|p| (*p, history.iter().rev().find(|r| r.purpose == *p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_refused() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(*k));
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(RequestKind::parse("delete_everything"), None);
        assert!(serde_json::from_str::<Channel>("\"fax\"").is_err());
        assert_eq!(Outcome::parse("erased"), Some(Outcome::Erased));
    }

    #[test]
    fn overdue_only_when_open_and_past_due() {
        let mut r = RequestRow {
            id: Uuid::nil(),
            customer_id: Uuid::nil(),
            kind: RequestKind::Access,
            channel: Channel::Email,
            status: RequestStatus::Open,
            received_at: 0,
            due_at: DUE_MS,
            created_by: "s".into(),
            handled_by: None,
            closed_at: None,
            outcome: None,
        };
        assert!(!r.overdue(DUE_MS));
        assert!(r.overdue(DUE_MS + 1));
        r.status = RequestStatus::Done;
        assert!(!r.overdue(DUE_MS + 1));
    }

    #[test]
    fn the_latest_record_per_purpose_is_current() {
        let rec = |p, g, at| ConsentRow {
            id: Uuid::new_v4(),
            customer_id: Uuid::nil(),
            purpose: p,
            granted: g,
            source: ConsentSource::WebForm,
            at,
            recorded_by: "k".into(),
        };
        let h = vec![
            rec(ConsentPurpose::Marketing, true, 1),
            rec(ConsentPurpose::Whatsapp, true, 2),
            rec(ConsentPurpose::Marketing, false, 3),
        ];
        let cur = current_consents(&h);
        assert_eq!(cur[0].1.map(|r| r.granted), Some(false));
        assert_eq!(cur[1].1.map(|r| r.granted), Some(true));
        assert!(cur[2].1.is_none());
    }
}
