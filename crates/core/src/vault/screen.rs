//! The write guard inside the vault: free text is screened before it is encrypted.
//!
//! [`crate::guard::screen`] does the detection; this module supplies the shop's policy (default:
//! every identifier tokenized, configurable per kind), mints the tokens under the owner's key,
//! audits refusals and turns the counts into audit fields (`notes.NIK:1`, never values).

use super::tokens::{Minter, Owner};
use super::{Keys, Vault};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::{Caller, Purpose, PurposeError};
use crate::guard::{self, CardHandling, FindingCounts, GuardError};
use crate::store::TokenRow;
use jaga_redact::{HashKey, Policy, PolicySpec};
use uuid::Uuid;

/// Free text after the guard, with the tokens to store alongside it.
pub(crate) struct Guarded {
    /// The text to encrypt.
    pub text: String,
    /// Findings per kind.
    pub counts: FindingCounts,
    /// New tokens to insert in the same transaction as the write.
    pub tokens: Vec<TokenRow>,
}

/// Audit fields for finding counts: `<field>.<KIND>:<n>`.
pub(crate) fn count_fields(field: &str, counts: &FindingCounts) -> Vec<String> {
    counts
        .iter()
        .map(|(k, n)| format!("{field}.{k}:{n}"))
        .collect()
}

impl Vault {
    /// Sets the shop's operators for identifiers found in stored free text (notes, imports).
    /// Kinds not listed are tokenized; card numbers and CVVs are never stored whatever it says.
    pub fn set_text_policy(&self, spec: PolicySpec) {
        *self.text_policy.write().expect("policy lock") = spec;
    }

    /// The shop's free-text policy as configured.
    pub fn text_policy(&self) -> PolicySpec {
        self.text_policy.read().expect("policy lock").clone()
    }

    /// Audits the refusal of a card number sent by `caller` in the field at `path` (about
    /// `customer`, if known): `request.card_number_rejected`, outcome `rejected`, the path only
    /// (never the text). Every edge that refuses a card number calls this: the JSON guard, the
    /// vault's free-text guard, the console's forms.
    pub async fn refuse_card_number(
        &self,
        caller: &Caller,
        customer: Option<Uuid>,
        path: &str,
    ) -> Result<(), CoreError> {
        let mut rec = AuditRecord::new(caller, AuditAction::RequestCardNumberRejected)
            .outcome(Outcome::Rejected)
            .fields([path]);
        if let Some(id) = customer {
            rec = rec.customer(id);
        }
        self.audit(rec).await?;
        Ok(())
    }

    /// Audits a refused card number in `field` (`request.card_number_rejected`, the field name
    /// only) and returns the error for it.
    pub(crate) async fn refuse_card(
        &self,
        caller: &Caller,
        customer: Option<Uuid>,
        field: &str,
    ) -> CoreError {
        match self.refuse_card_number(caller, customer, field).await {
            Ok(()) => CoreError::CardInText {
                field: field.to_string(),
            },
            Err(e) => e,
        }
    }

    /// The card guard on values as they will be stored, after the field's own normalisation
    /// (collapsed whitespace, canonical forms): `value` is the normalised record as JSON. A
    /// card number is audited and refused with its JSON path.
    pub(crate) async fn guard_normalised(
        &self,
        caller: &Caller,
        customer: Option<Uuid>,
        value: &serde_json::Value,
    ) -> Result<(), CoreError> {
        match guard::find_card_number(value) {
            Some(path) => Err(self.refuse_card(caller, customer, &path).await),
            None => Ok(()),
        }
    }

    /// A reveal's or token resolution's purpose, screened for the audit log: missing or
    /// malformed is [`CoreError::PurposeRequired`]; a card number or CVV is audited and refused
    /// ([`CoreError::CardInText`] at `purpose`); other identifiers are replaced by their kind.
    pub(crate) async fn screen_purpose(
        &self,
        caller: &Caller,
        purpose: Option<&str>,
    ) -> Result<Purpose, CoreError> {
        match Purpose::screen(purpose.unwrap_or_default()) {
            Ok(p) => Ok(p),
            Err(PurposeError::Invalid) => Err(CoreError::PurposeRequired),
            Err(PurposeError::CardNumber) => Err(self.refuse_card(caller, None, "purpose").await),
        }
    }

    /// Screens `text` (the field at `path`) for `owner`: refuses or drops card data per `cards`
    /// and applies the shop's policy to the rest, minting tokens under the owner's key. A
    /// refusal is audited (`request.card_number_rejected`, the path only).
    pub(crate) async fn guard_text(
        &self,
        caller: &Caller,
        keys: &Keys,
        owner: Owner<'_>,
        path: &str,
        text: &str,
        cards: CardHandling,
    ) -> Result<Guarded, CoreError> {
        let customer = match owner {
            Owner::Customer { id, .. } => Some(id),
            Owner::Shop => None,
        };
        let minter = Minter::new(keys, customer);
        let hash_key = jaga_crypto::keys::derive(&keys.root, "redact-hash");
        let policy = Policy::tokenize_all(minter.clone())
            .with_hash_key(HashKey::new(hash_key.expose()))
            .with_spec(&self.text_policy());
        let field = path.rsplit('.').next().unwrap_or(path);
        match guard::screen(text, field, &policy, cards) {
            Ok(s) => {
                let mut text = s.text;
                let tokens = minter.finish(self, keys, owner, &mut text).await?;
                Ok(Guarded {
                    text,
                    counts: s.counts,
                    tokens,
                })
            }
            Err(GuardError::Card(_)) => Err(self.refuse_card(caller, customer, path).await),
            Err(GuardError::Redact(e)) => {
                tracing::error!(error = %e, "free-text policy could not be applied");
                Err(CoreError::invalid(
                    path.to_string(),
                    "redaction_failed",
                    "the text could not be screened for identifiers",
                ))
            }
        }
    }
}

/// The customer a token belongs to, for [`Owner::Customer`].
pub(crate) fn customer_owner<'a>(
    id: Uuid,
    segment: &'a str,
    dek: &'a jaga_crypto::Key32,
) -> Owner<'a> {
    Owner::Customer { id, segment, dek }
}
