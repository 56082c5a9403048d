//! Blind indexes: keyed, truncated HMAC-SHA256 of a normalized value, for exact-match lookup
//! without decrypting every row.
//!
//! Each field has its own key derived from the blind-index root key, and index keys are never
//! used for encryption. Short terms are deliberate for low-entropy fields (NIK): many customers
//! share a term, so a leaked index key cannot pin one person's NIK; the vault resolves false
//! positives by decrypting the few candidates.

use crate::Key32;
use crate::keys::derive;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The index key for one field.
#[derive(Debug, Clone)]
pub struct BlindIndexKey {
    key: Key32,
    len: usize,
}

impl BlindIndexKey {
    /// Derives the key for `field` from the blind-index root key; terms are `len` bytes (1..=32).
    pub fn derive(index_root: &Key32, field: &str, len: usize) -> Self {
        assert!(
            (1..=32).contains(&len),
            "blind index length must be 1..=32 bytes"
        );
        Self {
            key: derive(index_root, &format!("blind-index/{field}")),
            len,
        }
    }

    /// The term for an already-normalized value.
    pub fn term(&self, normalized: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.expose())
            .expect("HMAC takes any key length");
        mac.update(normalized);
        mac.finalize().into_bytes()[..self.len].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_deterministic_per_field_and_truncated() {
        let root = Key32::random();
        let email = BlindIndexKey::derive(&root, "email", 16);
        let phone = BlindIndexKey::derive(&root, "phone", 16);
        assert_eq!(email.term(b"a@b.id"), email.term(b"a@b.id"));
        assert_ne!(email.term(b"a@b.id"), email.term(b"b@b.id"));
        assert_ne!(email.term(b"x"), phone.term(b"x"));
        assert_eq!(
            BlindIndexKey::derive(&root, "national_id", 2)
                .term(b"1")
                .len(),
            2
        );
        assert_ne!(
            BlindIndexKey::derive(&Key32::random(), "email", 16).term(b"a@b.id"),
            email.term(b"a@b.id")
        );
    }
}
