//! RFC 9162 §2.1.1 hashing with domain separation between leaves and interior nodes.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The hash of a leaf: `SHA-256(0x00 ‖ leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(leaf);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A hash as standard padded base64, the form used in checkpoints, bundles and API proof lists.
pub fn hash_to_base64(hash: &Hash) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(hash)
}

/// Parses a hash from standard padded base64 (strict: exactly 32 bytes, canonical padding).
pub fn hash_from_base64(s: &str) -> Result<Hash, crate::AuditError> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| crate::AuditError::malformed("hash", "not base64"))?;
    raw.as_slice()
        .try_into()
        .map_err(|_| crate::AuditError::malformed("hash", "not 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_is_strict() {
        let h = leaf_hash(b"x");
        assert_eq!(hash_from_base64(&hash_to_base64(&h)).unwrap(), h);
        let s = hash_to_base64(&h);
        assert!(hash_from_base64(s.trim_end_matches('=')).is_err());
        assert!(hash_from_base64("AAAA").is_err());
        assert!(hash_from_base64(&format!("{s} ")).is_err());
    }
}
