//! Redaction of free text with the shop's keyed hash: a capability for the `redact` scope.

use super::tokens::{Minter, Owner, token_race};
use super::{Keys, Vault};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};
use crate::store::GuardedWrite;
use jaga_redact::{HashKey, Operator, Policy, PolicySpec, Redacted};
use std::collections::BTreeMap;
use std::sync::Arc;

impl Vault {
    /// Redaction of text; needs `redact` (and, for staff, the accepted agreement).
    pub async fn redactor<'a>(&'a self, caller: &'a Caller) -> Result<Redactor<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::Redact, AuditAction::TextRedact)
            .await?;
        self.require_agreement(caller, AuditAction::TextRedact)
            .await?;
        Ok(Redactor {
            vault: self,
            caller,
            keys,
        })
    }
}

/// Holder of the `redact` scope.
pub struct Redactor<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
}

impl Redactor<'_> {
    /// Detects and redacts identifiers in `text` under the default policy adjusted by `spec`.
    /// The `hash` operator uses a key derived from the root key, so one value gives one token
    /// within this shop. The `tokenize` operator stores each value in the token vault under a
    /// shop-level key (one value, one token) and returns `[KIND:tok_…]`, resolvable with
    /// `tokens:resolve`. The call is audited with the number of findings per kind, never values,
    /// in the same transaction as any new tokens.
    pub async fn redact(
        &self,
        text: &str,
        spec: Option<&PolicySpec>,
    ) -> Result<Redacted, CoreError> {
        let hash_key = jaga_crypto::keys::derive(&self.keys.root, "redact-hash");
        let minter = Minter::new(&self.keys, None);
        let mut policy = Policy::default()
            .with_hash_key(HashKey::new(hash_key.expose()))
            .with_tokenizer(minter.clone());
        if let Some(spec) = spec {
            policy = policy.with_spec(spec);
        }
        let mut out = jaga_redact::redact(text, &policy)
            .map_err(|e| CoreError::invalid("policy", "invalid_policy", e.to_string()))?;
        let tokens = if spec.is_some_and(|s| s.operators.values().any(|o| *o == Operator::Tokenize))
        {
            minter
                .finish(self.vault, &self.keys, Owner::Shop, &mut out.text)
                .await?
        } else {
            Vec::new()
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for f in &out.findings {
            *counts.entry(f.kind.to_string()).or_default() += 1;
        }
        let audit = AuditRecord::new(self.caller, AuditAction::TextRedact)
            .fields(counts.iter().map(|(k, n)| format!("{k}:{n}")));
        if tokens.is_empty() {
            self.vault.audit(audit).await?;
        } else {
            self.vault
                .store
                .write_with_tokens(GuardedWrite::Audit(audit), tokens)
                .await
                .map_err(token_race)?;
        }
        Ok(out)
    }
}
