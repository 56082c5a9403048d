//! Redaction policy: one operator per entity kind, a score threshold, and the key material
//! the operators need.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::kind::EntityKind;

/// What happens to a detected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    /// Replace letters and digits with `*`, keeping separators; phone, bank account, IBAN,
    /// NIK, KK, NPWP and passport numbers keep their last 4 characters (`********7890`).
    Mask,
    /// Replace with the kind in brackets: `[NIK]`.
    Replace,
    /// Replace with a keyed HMAC-SHA256 token, `[NIK:kgdpbjmcoafehnli]`: the same value gives
    /// the same token under the same key (one key per shop), and it cannot be reversed.
    Hash,
    /// Replace with a token from the caller's [`Tokenizer`] (a reversible vault token).
    Tokenize,
    /// Remove the value entirely.
    Drop,
}

/// Issues reversible tokens for values (implemented by the vault; the library only calls it).
///
/// `value` is the canonical form of the detected value (digits only for numbers, lower-case
/// e-mail, …), so the same number written differently gets the same token. The returned token
/// is inserted into the text as is; it should not itself look like personal data (letters and
/// a prefix such as `tok_nik_…` are safe).
pub trait Tokenizer: Send + Sync {
    /// Returns the token for `value` of kind `kind`.
    fn tokenize(&self, kind: EntityKind, value: &str) -> Result<String, TokenizeError>;
}

/// A tokenizer failure. The message must not contain the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenizeError(pub String);

/// Key for the [`Operator::Hash`] operator. Its `Debug` output does not show the key.
#[derive(Clone)]
pub struct HashKey(Vec<u8>);

impl HashKey {
    /// Wraps key bytes (use at least 32 random bytes per shop).
    pub fn new(key: &[u8]) -> Self {
        HashKey(key.to_vec())
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(..)")
    }
}

/// The serializable part of a policy, e.g. from an HTTP request body:
/// `{"operators": {"NIK": "mask", "PERSON": "hash"}, "min_score": 0.6}`.
/// Kinds not listed keep their defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Operator per kind.
    #[serde(default)]
    pub operators: BTreeMap<EntityKind, Operator>,
    /// Findings scoring below this are left alone (default 0.5).
    #[serde(default)]
    pub min_score: Option<f32>,
}

/// Per-kind operators plus what they need.
///
/// Defaults ([`Policy::default`]): `CREDIT_CARD` and `CVV` drop; `PHONE`, `BANK_ACCOUNT` and
/// `IBAN` mask (last 4 kept); everything else replace (`[NIK]`, `[PERSON]` …); minimum score
/// 0.5. Card numbers and CVVs are **always** dropped: [`Policy::operator`] returns
/// [`Operator::Drop`] for them whatever was set.
#[derive(Clone)]
pub struct Policy {
    ops: [Operator; EntityKind::COUNT],
    min_score: f32,
    hash_key: Option<HashKey>,
    tokenizer: Option<Arc<dyn Tokenizer>>,
}

impl Default for Policy {
    fn default() -> Self {
        let mut ops = [Operator::Replace; EntityKind::COUNT];
        for k in [EntityKind::Phone, EntityKind::BankAccount, EntityKind::Iban] {
            ops[k.index()] = Operator::Mask;
        }
        Policy {
            ops,
            min_score: 0.5,
            hash_key: None,
            tokenizer: None,
        }
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ops: BTreeMap<_, _> = EntityKind::ALL
            .iter()
            .map(|&k| (k, self.operator(k)))
            .collect();
        f.debug_struct("Policy")
            .field("operators", &ops)
            .field("min_score", &self.min_score)
            .field("hash_key", &self.hash_key.as_ref().map(|_| ".."))
            .field("tokenizer", &self.tokenizer.as_ref().map(|_| ".."))
            .finish()
    }
}

impl Policy {
    /// The default policy (see the type's docs).
    pub fn new() -> Self {
        Policy::default()
    }

    /// The vault's default for free text: every kind tokenized through `tokenizer`, except card
    /// numbers and CVVs, which are dropped.
    pub fn tokenize_all(tokenizer: Arc<dyn Tokenizer>) -> Self {
        Policy {
            ops: [Operator::Tokenize; EntityKind::COUNT],
            tokenizer: Some(tokenizer),
            ..Policy::default()
        }
    }

    /// Sets the operator for `kind`. Ignored for `CREDIT_CARD` and `CVV`, which are always
    /// dropped.
    pub fn with(mut self, kind: EntityKind, op: Operator) -> Self {
        self.ops[kind.index()] = op;
        self
    }

    /// Sets the same operator for every kind (cards and CVVs stay dropped).
    pub fn with_all(mut self, op: Operator) -> Self {
        self.ops = [op; EntityKind::COUNT];
        self
    }

    /// Sets the minimum score a finding needs to be redacted (clamped to 0..=1).
    pub fn with_min_score(mut self, min_score: f32) -> Self {
        self.min_score = if min_score.is_nan() {
            0.5
        } else {
            min_score.clamp(0.0, 1.0)
        };
        self
    }

    /// Sets the key for [`Operator::Hash`].
    pub fn with_hash_key(mut self, key: HashKey) -> Self {
        self.hash_key = Some(key);
        self
    }

    /// Sets the tokenizer for [`Operator::Tokenize`].
    pub fn with_tokenizer(mut self, tokenizer: Arc<dyn Tokenizer>) -> Self {
        self.tokenizer = Some(tokenizer);
        self
    }

    /// Applies a [`PolicySpec`] on top of this policy.
    pub fn with_spec(mut self, spec: &PolicySpec) -> Self {
        for (&k, &op) in &spec.operators {
            self = self.with(k, op);
        }
        if let Some(m) = spec.min_score {
            self = self.with_min_score(m);
        }
        self
    }

    /// The operator applied to `kind` (always [`Operator::Drop`] for cards and CVVs).
    pub fn operator(&self, kind: EntityKind) -> Operator {
        if kind.is_never_store() {
            Operator::Drop
        } else {
            self.ops[kind.index()]
        }
    }

    /// The minimum score for redaction.
    pub fn min_score(&self) -> f32 {
        self.min_score
    }

    pub(crate) fn hash_key(&self) -> Option<&HashKey> {
        self.hash_key.as_ref()
    }

    pub(crate) fn tokenizer(&self) -> Option<&dyn Tokenizer> {
        self.tokenizer.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_and_cvv_are_always_dropped() {
        let p = Policy::default()
            .with(EntityKind::CreditCard, Operator::Tokenize)
            .with_all(Operator::Mask);
        assert_eq!(p.operator(EntityKind::CreditCard), Operator::Drop);
        assert_eq!(p.operator(EntityKind::Cvv), Operator::Drop);
        assert_eq!(p.operator(EntityKind::Nik), Operator::Mask);
    }

    #[test]
    fn spec_from_json() {
        let spec: PolicySpec = serde_json::from_str(
            r#"{"operators":{"NIK":"hash","CREDIT_CARD":"tokenize"},"min_score":0.7}"#,
        )
        .unwrap();
        let p = Policy::default().with_spec(&spec);
        assert_eq!(p.operator(EntityKind::Nik), Operator::Hash);
        assert_eq!(p.operator(EntityKind::CreditCard), Operator::Drop);
        assert!((p.min_score() - 0.7).abs() < 1e-6);
        assert!(serde_json::from_str::<PolicySpec>(r#"{"ops":{}}"#).is_err());
    }

    #[test]
    fn debug_hides_key() {
        let p = Policy::default().with_hash_key(HashKey::new(b"secret-key"));
        assert!(!format!("{p:?}").contains("secret"));
    }
}
