//! The token vault: reversible redaction tokens for values found in free text.
//!
//! A token reads `[NIK:tok_bcdfghjkmnpqrstv]`: the entity kind, then `tok_` and 16 random
//! lower-case consonants (≈ 69 bits from the OS CSPRNG, no digits or vowels, so a token never looks
//! like personal data or a word and redacting text twice finds nothing new). The value it stands
//! for is sealed with the field AEAD (AAD: owner segment, table `tokens`, token id, kind) under
//! the owning customer's DEK, so erasing the customer shreds its tokens with everything else, or
//! under a shop-level key derived from the root key (`token-shop`) when there is no customer.
//! A keyed fingerprint (HMAC under a root-derived `token-fingerprint` key of owner, kind and
//! canonical value) gives one value one token per owner without storing the value.

use super::{Keys, Vault, codec};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::{Caller, Purpose, Scope};
use crate::store::{StoreError, TokenRow};
use jaga_crypto::Key32;
use jaga_crypto::blind::BlindIndexKey;
use jaga_crypto::field::{self, Context};
use jaga_redact::{EntityKind, TokenizeError, Tokenizer};
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use zeroize::Zeroizing;

const TABLE: &str = "tokens";
const ALPHABET: &[u8; 20] = b"bcdfghjkmnpqrstvwxyz";
/// Characters of random id after `tok_`.
const ID_LEN: usize = 16;
/// Key version written in shop-level token ciphertexts.
const SHOP_KEY_VERSION: u32 = 1;

/// A new random token id, `tok_` + 16 letters.
fn new_token_id() -> String {
    let mut out = String::from("tok_");
    while out.len() < 4 + ID_LEN {
        let k = Key32::random();
        for &b in k.expose() {
            // Rejection sampling keeps every letter equally likely.
            if b < 240 && out.len() < 4 + ID_LEN {
                out.push(char::from(ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    out
}

/// The text form of a token, `[KIND:tok_…]`.
pub(crate) fn token_text(kind: &str, id: &str) -> String {
    format!("[{kind}:{id}]")
}

/// Accepts `tok_…` or `[KIND:tok_…]`; returns the id if it is well formed.
pub fn parse_token(s: &str) -> Option<&str> {
    let s = s.trim();
    let id = match s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => inner.split_once(':')?.1,
        None => s,
    };
    let rest = id.strip_prefix("tok_")?;
    (rest.len() == ID_LEN && rest.bytes().all(|b| ALPHABET.contains(&b))).then_some(id)
}

/// Whose key seals a token.
#[derive(Clone, Copy)]
pub(crate) enum Owner<'a> {
    /// A customer: its DEK and segment.
    Customer {
        id: Uuid,
        segment: &'a str,
        dek: &'a Key32,
    },
    /// The shop (no customer).
    Shop,
}

impl Owner<'_> {
    fn customer_id(&self) -> Option<Uuid> {
        match self {
            Owner::Customer { id, .. } => Some(*id),
            Owner::Shop => None,
        }
    }
}

struct Pending {
    token: String,
    kind: EntityKind,
    fingerprint: Vec<u8>,
    value: Zeroizing<String>,
}

/// A [`Tokenizer`] that mints tokens for one owner during one redaction; the tokens are stored
/// by [`Minter::finish`] together with the write that uses them.
pub(crate) struct Minter {
    fingerprint_key: BlindIndexKey,
    owner: String,
    pending: Mutex<Vec<Pending>>,
}

impl Minter {
    pub(crate) fn new(keys: &Keys, owner: Option<Uuid>) -> Arc<Self> {
        let root = jaga_crypto::keys::derive(&keys.root, "token-fingerprint");
        Arc::new(Self {
            fingerprint_key: BlindIndexKey::derive(&root, "tokens", 32),
            owner: owner.map_or_else(|| "shop".to_string(), |u| u.to_string()),
            pending: Mutex::new(Vec::new()),
        })
    }

    fn fingerprint(&self, kind: EntityKind, value: &str) -> Vec<u8> {
        let mut msg = Zeroizing::new(Vec::with_capacity(self.owner.len() + value.len() + 24));
        for part in [
            self.owner.as_bytes(),
            kind.as_str().as_bytes(),
            value.as_bytes(),
        ] {
            msg.extend_from_slice(&(part.len() as u32).to_be_bytes());
            msg.extend_from_slice(part);
        }
        self.fingerprint_key.term(&msg)
    }

    /// Reuses the owner's existing token for values already tokenized (rewriting `text`), and
    /// seals the new ones for storage.
    pub(crate) async fn finish(
        &self,
        vault: &Vault,
        keys: &Keys,
        owner: Owner<'_>,
        text: &mut String,
    ) -> Result<Vec<TokenRow>, CoreError> {
        let pending = std::mem::take(&mut *self.pending.lock().expect("minter lock"));
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let fps: Vec<Vec<u8>> = pending.iter().map(|p| p.fingerprint.clone()).collect();
        let existing = vault.store.tokens_find(&fps).await?;
        let shop_key;
        let (key, version, segment) = match owner {
            Owner::Customer { dek, segment, .. } => (dek, codec::DEK_GENERATION, segment),
            Owner::Shop => {
                shop_key = jaga_crypto::keys::derive(&keys.root, "token-shop");
                (&shop_key, SHOP_KEY_VERSION, "")
            }
        };
        let now = crate::now_ms();
        let mut rows = Vec::new();
        for p in pending {
            let new_text = token_text(p.kind.as_str(), &p.token);
            if let Some((_, old, kind)) = existing.iter().find(|(fp, _, _)| *fp == p.fingerprint) {
                *text = text.replace(&new_text, &token_text(kind, old));
                continue;
            }
            let ctx = Context {
                segment,
                table: TABLE,
                record_id: &p.token,
                field: p.kind.as_str(),
            };
            rows.push(TokenRow {
                value: field::seal(key, version, &ctx, p.value.as_bytes()),
                token: p.token,
                kind: p.kind.as_str().to_string(),
                customer_id: owner.customer_id(),
                fingerprint: p.fingerprint,
                created_at: now,
            });
        }
        Ok(rows)
    }
}

impl Tokenizer for Minter {
    fn tokenize(&self, kind: EntityKind, value: &str) -> Result<String, TokenizeError> {
        let fp = self.fingerprint(kind, value);
        let mut pending = self
            .pending
            .lock()
            .map_err(|_| TokenizeError("token minter poisoned".into()))?;
        if let Some(p) = pending.iter().find(|p| p.fingerprint == fp) {
            return Ok(token_text(kind.as_str(), &p.token));
        }
        let token = new_token_id();
        let out = token_text(kind.as_str(), &token);
        pending.push(Pending {
            token,
            kind,
            fingerprint: fp,
            value: Zeroizing::new(value.to_string()),
        });
        Ok(out)
    }
}

/// A resolved token.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedToken {
    /// The token id (`tok_…`).
    pub token: String,
    /// The entity kind, e.g. `NIK`.
    pub kind: String,
    /// The customer the token belongs to, if any.
    pub customer_id: Option<Uuid>,
    /// The value (canonical form: digits only for numbers, lower-case e-mail, …).
    pub value: String,
}

impl Vault {
    /// Token resolution; needs `tokens:resolve` and a purpose (staff: the agreement and a fresh
    /// step-up too; a token of a customer outside their segments is not found).
    pub async fn token_resolver<'a>(
        &'a self,
        caller: &'a Caller,
        purpose: Option<&str>,
    ) -> Result<TokenResolver<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::TokensResolve, AuditAction::TokenResolve)
            .await?;
        self.require_agreement(caller, AuditAction::TokenResolve)
            .await?;
        self.require_step_up(caller, AuditAction::TokenResolve, None)
            .await?;
        let purpose = self.screen_purpose(caller, purpose).await?;
        Ok(TokenResolver {
            vault: self,
            caller,
            keys,
            purpose,
        })
    }
}

/// Holder of `tokens:resolve` with a stated purpose.
pub struct TokenResolver<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
    purpose: Purpose,
}

impl TokenResolver<'_> {
    async fn gone(&self, audit: AuditRecord) -> Result<ResolvedToken, CoreError> {
        self.vault.audit(audit.outcome(Outcome::Erased)).await?;
        Err(CoreError::Erased)
    }

    /// Resolves a token (`tok_…` or `[KIND:tok_…]`) to its value. The resolution is audited as
    /// `token.resolve` (kind, customer, purpose; never the value) **before** anything is
    /// decrypted: if the audit append fails, nothing is returned. Unknown tokens are
    /// [`CoreError::NotFound`]; tokens of an erased customer are [`CoreError::Erased`].
    pub async fn resolve(&self, token: &str) -> Result<ResolvedToken, CoreError> {
        let audit =
            AuditRecord::new(self.caller, AuditAction::TokenResolve).purpose(self.purpose.as_str());
        let Some(id) = parse_token(token) else {
            self.vault.audit(audit.outcome(Outcome::NotFound)).await?;
            return Err(CoreError::NotFound);
        };
        let Some(stored) = self.vault.store.token_get(id).await? else {
            self.vault.audit(audit.outcome(Outcome::NotFound)).await?;
            return Err(CoreError::NotFound);
        };
        let mut audit = audit.fields([stored.kind.as_str()]);
        if let Some(c) = stored.customer_id {
            audit = audit.customer(c);
        }
        if let Some(cid) = stored.customer_id {
            self.vault
                .check_segment(self.caller, cid, AuditAction::TokenResolve)
                .await?;
        }
        let Some(ct) = stored.value.as_ref().filter(|_| stored.erased_at.is_none()) else {
            return self.gone(audit).await;
        };
        let kind = stored.kind.clone();
        let plain = match stored.customer_id {
            Some(cid) => {
                let found = self.vault.store.customer_load(cid).await?;
                let Some((row, key)) = found
                    .filter(|f| f.row.erased_at.is_none())
                    .and_then(|f| f.key.map(|k| (f.row, k)))
                else {
                    return self.gone(audit).await;
                };
                let dek = codec::dek(self.vault, &self.keys, &row, &key).await?;
                self.vault.audit(audit).await?;
                let ctx = Context {
                    segment: &row.segment,
                    table: TABLE,
                    record_id: &stored.token,
                    field: &kind,
                };
                field::open(&dek, &ctx, ct)?
            }
            None => {
                let key = jaga_crypto::keys::derive(&self.keys.root, "token-shop");
                self.vault.audit(audit).await?;
                let ctx = Context {
                    segment: "",
                    table: TABLE,
                    record_id: &stored.token,
                    field: &kind,
                };
                field::open(&key, &ctx, ct)?
            }
        };
        Ok(ResolvedToken {
            token: stored.token,
            kind,
            customer_id: stored.customer_id,
            value: String::from_utf8(plain.to_vec()).map_err(|_| CoreError::Integrity)?,
        })
    }
}

/// Opens a customer-owned token's value with the customer's DEK (`None` once shredded).
pub(super) fn open_customer_token(
    dek: &Key32,
    segment: &str,
    stored: &crate::store::StoredToken,
) -> Result<Option<String>, CoreError> {
    let Some(ct) = stored.value.as_ref().filter(|_| stored.erased_at.is_none()) else {
        return Ok(None);
    };
    let ctx = Context {
        segment,
        table: TABLE,
        record_id: &stored.token,
        field: &stored.kind,
    };
    let plain = field::open(dek, &ctx, ct)?;
    String::from_utf8(plain.to_vec())
        .map(Some)
        .map_err(|_| CoreError::Integrity)
}

/// Re-seals a customer's token value from (`old_dek`, segment `from`) to (`new_dek`, segment
/// `to`), for a move between segments: the token id and fingerprint stay (the fingerprint
/// names the customer, not the segment). Fails if the value does not open.
pub(crate) fn reseal(
    old_dek: &Key32,
    from: &str,
    new_dek: &Key32,
    to: &str,
    stored: &crate::store::StoredToken,
) -> Result<Option<(String, Vec<u8>)>, CoreError> {
    let Some(ct) = &stored.value else {
        return Ok(None);
    };
    let ctx = |segment| Context {
        segment,
        table: TABLE,
        record_id: &stored.token,
        field: &stored.kind,
    };
    let plain = field::open(old_dek, &ctx(from), ct)?;
    Ok(Some((
        stored.token.clone(),
        field::seal(new_dek, codec::DEK_GENERATION, &ctx(to), &plain),
    )))
}

/// Stores `tokens` with `write`, mapping a lost race on a fingerprint to a retryable conflict.
pub(crate) fn token_race(e: StoreError) -> CoreError {
    match e {
        StoreError::Unique("token_fingerprint") => {
            CoreError::Conflict(crate::error::ConflictKind::TokenRace)
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_are_letters_and_parse_back() {
        let a = new_token_id();
        let b = new_token_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + ID_LEN);
        assert!(a[4..].bytes().all(|c| ALPHABET.contains(&c)));
        assert_eq!(parse_token(&a), Some(a.as_str()));
        assert_eq!(parse_token(&format!("[NIK:{a}]")), Some(a.as_str()));
        assert_eq!(parse_token(&format!(" [PHONE:{a}] ")), Some(a.as_str()));
        for bad in [
            "tok_",
            "tok_abc",
            "[NIK:tok_aaaaaaaaaaaaaaaa]",
            "kgdpbjmcoafehnli",
            "",
        ] {
            assert_eq!(parse_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_token_in_text_is_not_detected_again() {
        for _ in 0..50 {
            let t = token_text("NIK", &new_token_id());
            let text = format!("NIK pelanggan {t} sudah dicek kak {t}");
            assert!(jaga_redact::detect(&text).is_empty(), "{text}");
        }
    }
}
