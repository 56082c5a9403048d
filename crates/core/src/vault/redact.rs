//! Redaction of free text with the shop's keyed hash: a capability for the `redact` scope.

use super::{Keys, Vault};
use crate::CoreError;
use crate::audit::AuditRecord;
use crate::auth::{Caller, Scope};
use jaga_redact::{HashKey, Policy, PolicySpec, Redacted};
use std::collections::BTreeMap;
use std::sync::Arc;

impl Vault {
    /// Redaction of text; needs `redact`.
    pub async fn redactor<'a>(&'a self, caller: &'a Caller) -> Result<Redactor<'a>, CoreError> {
        let keys = self.require(caller, Scope::Redact, "text.redact").await?;
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
    /// within this shop. The call is audited with the number of findings per kind, never values.
    pub async fn redact(
        &self,
        text: &str,
        spec: Option<&PolicySpec>,
    ) -> Result<Redacted, CoreError> {
        let hash_key = jaga_crypto::keys::derive(&self.keys.root, "redact-hash");
        let mut policy = Policy::default().with_hash_key(HashKey::new(hash_key.expose()));
        if let Some(spec) = spec {
            policy = policy.with_spec(spec);
        }
        let out = jaga_redact::redact(text, &policy)
            .map_err(|e| CoreError::invalid("policy", "invalid_policy", e.to_string()))?;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for f in &out.findings {
            *counts.entry(f.kind.to_string()).or_default() += 1;
        }
        let audit = AuditRecord::new(self.caller, "text.redact")
            .fields(counts.iter().map(|(k, n)| format!("{k}:{n}")));
        self.vault.audit(audit).await?;
        Ok(out)
    }
}
