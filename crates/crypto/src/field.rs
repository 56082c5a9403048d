//! The AEAD format of every ciphertext Jaga stores.
//!
//! `version(1) ‖ alg(1) ‖ key_version(4, big-endian) ‖ nonce(12) ‖ ciphertext ‖ tag(16)`, sealed
//! with AES-256-GCM-SIV (RFC 8452) under a random 96-bit nonce. `key_version` names the version of
//! the key that sealed it (the customer's DEK generation for fields, the KEK version for wrapped
//! DEKs). The associated data is the 6-byte header followed by the [`Context`], each part
//! length-prefixed, so the same bytes cannot be replayed into another record, field or segment.

use crate::{CryptoError, Key32};
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

/// Format version byte.
pub const VERSION: u8 = 1;
/// Algorithm byte for AES-256-GCM-SIV.
pub const ALG_AES256_GCM_SIV: u8 = 1;
/// Header length: version, algorithm, key version.
pub const HEADER_LEN: usize = 6;
/// Nonce length.
pub const NONCE_LEN: usize = 12;
/// Tag length.
pub const TAG_LEN: usize = 16;
/// Bytes a ciphertext adds to its plaintext.
pub const OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// Where a ciphertext belongs. All four parts are bound into the associated data.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The customer's segment (or `""` for material that belongs to no segment).
    pub segment: &'a str,
    /// The table or collection, e.g. `customers`.
    pub table: &'a str,
    /// The record's id.
    pub record_id: &'a str,
    /// The field name, e.g. `email`.
    pub field: &'a str,
}

impl Context<'_> {
    fn aad(&self, header: &[u8]) -> Vec<u8> {
        let parts = [
            header,
            self.segment.as_bytes(),
            self.table.as_bytes(),
            self.record_id.as_bytes(),
            self.field.as_bytes(),
        ];
        let mut aad = Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
        for p in parts {
            aad.extend_from_slice(&(p.len() as u32).to_be_bytes());
            aad.extend_from_slice(p);
        }
        aad
    }
}

/// Encrypts `plaintext` under `key` for `ctx`, tagging it with `key_version`.
pub fn seal(key: &Key32, key_version: u32, ctx: &Context<'_>, plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plaintext.len() + OVERHEAD);
    out.push(VERSION);
    out.push(ALG_AES256_GCM_SIV);
    out.extend_from_slice(&key_version.to_be_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let aad = ctx.aad(&out[..HEADER_LEN]);
    let cipher = Aes256GcmSiv::new(key.expose().into());
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .expect("AES-GCM-SIV encryption cannot fail for inputs under 2^36 bytes");
    out.extend_from_slice(&ct);
    out
}

/// The key version recorded in a ciphertext's header.
pub fn key_version(ciphertext: &[u8]) -> Result<u32, CryptoError> {
    check_header(ciphertext)?;
    Ok(u32::from_be_bytes(
        ciphertext[2..6].try_into().expect("4 bytes"),
    ))
}

fn check_header(ciphertext: &[u8]) -> Result<(), CryptoError> {
    if ciphertext.len() < OVERHEAD
        || ciphertext[0] != VERSION
        || ciphertext[1] != ALG_AES256_GCM_SIV
    {
        return Err(CryptoError::Malformed);
    }
    Ok(())
}

/// Decrypts a ciphertext made by [`seal`] with the same key and context.
pub fn open(
    key: &Key32,
    ctx: &Context<'_>,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_header(ciphertext)?;
    let (header, rest) = ciphertext.split_at(HEADER_LEN);
    let (nonce, body) = rest.split_at(NONCE_LEN);
    let aad = ctx.aad(header);
    let cipher = Aes256GcmSiv::new(key.expose().into());
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx<'a>(record: &'a str, field: &'a str) -> Context<'a> {
        Context {
            segment: "default",
            table: "customers",
            record_id: record,
            field,
        }
    }

    #[test]
    fn round_trip_and_overhead() {
        let k = Key32::random();
        let ct = seal(&k, 7, &ctx("c1", "email"), b"dewi@example.com");
        assert_eq!(ct.len(), 16 + OVERHEAD);
        assert_eq!(key_version(&ct).unwrap(), 7);
        assert_eq!(
            &open(&k, &ctx("c1", "email"), &ct).unwrap()[..],
            b"dewi@example.com"
        );
    }

    #[test]
    fn same_plaintext_encrypts_differently() {
        let k = Key32::random();
        assert_ne!(
            seal(&k, 1, &ctx("c1", "email"), b"x"),
            seal(&k, 1, &ctx("c1", "email"), b"x")
        );
    }

    #[test]
    fn wrong_record_field_segment_or_key_fails() {
        let k = Key32::random();
        let ct = seal(&k, 1, &ctx("c1", "email"), b"secret");
        assert_eq!(
            open(&k, &ctx("c2", "email"), &ct),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            open(&k, &ctx("c1", "phone"), &ct),
            Err(CryptoError::Decrypt)
        );
        let other_seg = Context {
            segment: "vip",
            ..ctx("c1", "email")
        };
        assert_eq!(open(&k, &other_seg, &ct), Err(CryptoError::Decrypt));
        assert_eq!(
            open(&Key32::random(), &ctx("c1", "email"), &ct),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn context_parts_cannot_be_shifted() {
        // Without length prefixes ("ab","c") and ("a","bc") would give the same AAD.
        let k = Key32::random();
        let a = Context {
            segment: "",
            table: "t",
            record_id: "ab",
            field: "c",
        };
        let b = Context {
            segment: "",
            table: "t",
            record_id: "a",
            field: "bc",
        };
        let ct = seal(&k, 1, &a, b"v");
        assert!(open(&k, &b, &ct).is_err());
    }

    #[test]
    fn header_is_authenticated_and_malformed_rejected() {
        let k = Key32::random();
        let mut ct = seal(&k, 1, &ctx("c1", "email"), b"secret");
        ct[2] ^= 1; // key version
        assert_eq!(
            open(&k, &ctx("c1", "email"), &ct),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            open(&k, &ctx("c1", "email"), &ct[..10]),
            Err(CryptoError::Malformed)
        );
        ct[0] = 9;
        assert_eq!(
            open(&k, &ctx("c1", "email"), &ct),
            Err(CryptoError::Malformed)
        );
    }

    proptest! {
        #[test]
        fn any_flipped_bit_fails(msg in proptest::collection::vec(any::<u8>(), 0..64), bit in 0usize..8, pos in any::<prop::sample::Index>()) {
            let k = Key32::from_bytes([3; 32]);
            let mut ct = seal(&k, 1, &ctx("c", "f"), &msg);
            let i = pos.index(ct.len());
            ct[i] ^= 1 << bit;
            prop_assert!(open(&k, &ctx("c", "f"), &ct).is_err());
        }
    }
}
