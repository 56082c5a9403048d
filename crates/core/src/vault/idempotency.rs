//! Idempotent retries: the `Idempotency-Key` a client sends with a POST.
//!
//! Semantics (as Stripe's): the first request with a key runs and its answer is kept for
//! [`TTL_MS`] (24 hours); a retry with the same key and the same request (method, path, body)
//! gets that first answer again, without running again; the same key with a different request
//! is refused ([`Begin::Mismatch`], HTTP 422); a retry while the first is still running is
//! told to come back ([`Begin::InProgress`], HTTP 409). Keys are **scoped to the caller** (the
//! API key or staff member): two callers using the same key never see each other's answers.
//! Records live in the store, so every node sharing a database honours them.
//!
//! What is stored, and why it is safe to store:
//!
//! - the record id and the request digest are HMAC-SHA256 values under a key derived from the
//!   root key and the (caller, key) pair: neither the key nor the request can be read back,
//!   and without the root key nobody can link a record to a caller;
//! - the answer's body is sealed (field AEAD) under a key derived from the root key, the
//!   caller and the Idempotency-Key, so a copy of the database alone does not disclose it (an
//!   answer may hold masked customer data or resolved token values);
//! - only the status, `Content-Type` and `Location` are kept besides the body (never a
//!   `Set-Cookie`).
//!
//! A replay is audited (`request.replayed`), so handing out a stored answer again is as visible
//! in the log as the first answer was. Answers that a retry should repeat rather than replay
//! (5xx, 408, 409, 429) are not kept: their claim is released.
//!
//! Limitation: the answer is recorded after the request's own commit, not in the same
//! transaction. If the node dies in between, the record stays pending until its lease
//! ([`LEASE_MS`]) runs out and a retry then runs the request again.

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::store::{IdempotencyClaim, StoredResponse};
use crate::vault::Vault;
use hmac::{Hmac, Mac};
use jaga_crypto::{Key32, field, keys};
use sha2::Sha256;

/// How long an answer is kept and replayed.
pub const TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// How long a running request holds its key before another node may take it over.
pub const LEASE_MS: i64 = 60 * 1000;
/// The longest key accepted (Stripe's limit).
pub const MAX_KEY_LEN: usize = 255;

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Empty or longer than [`MAX_KEY_LEN`].
    #[error("an Idempotency-Key must be 1 to 255 characters")]
    Length,
    /// Not printable ASCII.
    #[error("an Idempotency-Key must be printable ASCII")]
    Charset,
}

/// Checks a client's key: 1 to [`MAX_KEY_LEN`] printable ASCII characters.
pub fn check_key(key: &str) -> Result<(), KeyError> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(KeyError::Length);
    }
    if !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(KeyError::Charset);
    }
    Ok(())
}

/// The request a key is used for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path and query.
    pub path: &'a str,
    /// Body bytes.
    pub body: &'a [u8],
}

/// An answer to keep or replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// `Location`, if any.
    pub location: Option<String>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Answer {
    /// Whether a retry should get this answer again (rather than run again).
    pub fn keep(&self) -> bool {
        self.status < 500 && !matches!(self.status, 408 | 409 | 429)
    }
}

/// The claim on a key held while its first request runs.
pub struct Ticket {
    id: [u8; 32],
    body_key: Key32,
}

/// What to do with a request that carries a key.
pub enum Begin {
    /// First use: run the request, then [`Vault::idempotency_finish`] with its answer.
    Proceed(Ticket),
    /// Seen before with the same request: answer with this (the replay is audited).
    Replay(Answer),
    /// Seen before with a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &Key32, parts: &[&[u8]]) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key.expose()).expect("HMAC takes any key length");
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn context(id_hex: &str) -> field::Context<'_> {
    field::Context {
        segment: "",
        table: "idempotency_keys",
        record_id: id_hex,
        field: "body",
    }
}

impl Vault {
    /// Looks up `key` for `caller` and `request`, claiming it if it is new (see the module
    /// documentation). Fails with [`CoreError::Sealed`] while sealed.
    pub async fn idempotency_begin(
        &self,
        caller: &Caller,
        key: &str,
        request: Request<'_>,
    ) -> Result<Begin, CoreError> {
        let root = keys::derive(&self.keys()?.root, "idempotency-v1");
        let scoped = Key32::from_bytes(mac(
            &root,
            &[
                caller.kind().name().as_bytes(),
                caller.id().as_bytes(),
                key.as_bytes(),
            ],
        ));
        let id = mac(&scoped, &[b"id"]);
        let digest = mac(
            &scoped,
            &[
                b"request",
                request.method.as_bytes(),
                request.path.as_bytes(),
                request.body,
            ],
        );
        let body_key = keys::derive(&scoped, "idempotency-body");
        let now = crate::now_ms();
        // A record may vanish between the claim and its read (its request released it): then
        // the key is free again and one more claim settles it.
        for _ in 0..3 {
            let claim = self
                .store
                .idempotency_claim(&id, &digest, now, now + LEASE_MS, now - TTL_MS)
                .await?;
            let row = match claim {
                IdempotencyClaim::Claimed => return Ok(Begin::Proceed(Ticket { id, body_key })),
                IdempotencyClaim::Vanished => continue,
                IdempotencyClaim::Existing(row) => row,
            };
            if !bool::from(subtle_eq(&row.request, &digest)) {
                return Ok(Begin::Mismatch);
            }
            let Some(stored) = row.response else {
                return Ok(Begin::InProgress);
            };
            let body = field::open(&body_key, &context(&hex::encode(id)), &stored.body)
                .map_err(|_| CoreError::Integrity)?;
            // No replay without its audit event.
            self.audit(AuditRecord::new(caller, AuditAction::RequestReplayed))
                .await?;
            return Ok(Begin::Replay(Answer {
                status: stored.status,
                content_type: stored.content_type,
                location: stored.location,
                body: body.to_vec(),
            }));
        }
        Ok(Begin::InProgress)
    }

    /// Records the first answer for a claimed key, or releases the claim when the answer is
    /// one a retry should repeat ([`Answer::keep`]).
    pub async fn idempotency_finish(
        &self,
        ticket: Ticket,
        answer: &Answer,
    ) -> Result<(), CoreError> {
        if !answer.keep() {
            self.store.idempotency_release(&ticket.id).await?;
            return Ok(());
        }
        let sealed = field::seal(
            &ticket.body_key,
            0,
            &context(&hex::encode(ticket.id)),
            &answer.body,
        );
        self.store
            .idempotency_complete(
                &ticket.id,
                &StoredResponse {
                    status: answer.status,
                    content_type: answer.content_type.clone(),
                    location: answer.location.clone(),
                    body: sealed,
                },
            )
            .await?;
        Ok(())
    }

    /// Deletes records older than [`TTL_MS`]; returns how many.
    pub async fn idempotency_purge(&self) -> Result<u64, CoreError> {
        Ok(self
            .store
            .idempotency_purge(crate::now_ms() - TTL_MS)
            .await?)
    }
}

/// Constant-time comparison of two digests.
fn subtle_eq(a: &[u8], b: &[u8]) -> subtle::Choice {
    use subtle::ConstantTimeEq;
    if a.len() != b.len() {
        return subtle::Choice::from(0);
    }
    a.ct_eq(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_ascii_up_to_255() {
        assert!(check_key("8e4a1f3c-5b2d-4c6e-9f0a-1b2c3d4e5f60").is_ok());
        assert!(check_key(&"k".repeat(255)).is_ok());
        assert_eq!(check_key(""), Err(KeyError::Length));
        assert_eq!(check_key(&"k".repeat(256)), Err(KeyError::Length));
        assert_eq!(check_key("a b"), Err(KeyError::Charset));
        assert_eq!(check_key("kunci-é"), Err(KeyError::Charset));
        assert_eq!(check_key("a\nb"), Err(KeyError::Charset));
    }

    #[test]
    fn answers_a_retry_should_repeat_are_not_kept() {
        let a = |status| Answer {
            status,
            content_type: None,
            location: None,
            body: Vec::new(),
        };
        for s in [200, 201, 400, 404, 422] {
            assert!(a(s).keep(), "{s}");
        }
        for s in [408, 409, 429, 500, 503] {
            assert!(!a(s).keep(), "{s}");
        }
    }

    #[test]
    fn macs_separate_their_parts() {
        let k = Key32::from_bytes([7; 32]);
        assert_ne!(mac(&k, &[b"ab", b"c"]), mac(&k, &[b"a", b"bc"]));
        assert_eq!(mac(&k, &[b"ab", b"c"]), mac(&k, &[b"ab", b"c"]));
    }
}
