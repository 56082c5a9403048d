//! Key derivation and envelope wrapping: root key → KEK versions → segment KEKs → customer DEKs.

use crate::field::{self, Context};
use crate::{CryptoError, Key32};
use hkdf::Hkdf;
use sha2::Sha256;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Derives a 32-byte subkey from `key` with HKDF-SHA256 and the label `info`.
pub fn derive(key: &Key32, info: &str) -> Key32 {
    let hk = Hkdf::<Sha256>::new(Some(b"jaga/v1"), key.expose());
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(info.as_bytes(), out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Key32::from_bytes(*out)
}

/// The key-encryption key of one segment under KEK version `kek`:
/// `HKDF-SHA256(kek, salt "jaga/v1", info "segment-kek/<segment>")`.
///
/// HKDF is a pseudo-random function of the KEK: one segment's key tells nothing about the KEK
/// or about any other segment's key, so a leaked segment KEK opens only that segment's DEKs.
pub fn segment_kek(kek: &Key32, segment: &str) -> Key32 {
    derive(kek, &format!("segment-kek/{segment}"))
}

/// Wraps a key-encryption key (or other root-held key) under the root key.
pub fn wrap_under_root(root: &Key32, kind: &str, version: u32, key: &Key32) -> Vec<u8> {
    let v = version.to_string();
    let ctx = Context {
        segment: "",
        table: "keyring",
        record_id: &v,
        field: kind,
    };
    field::seal(root, version, &ctx, key.expose())
}

/// Unwraps a key made by [`wrap_under_root`]; fails with the wrong root key.
pub fn unwrap_under_root(
    root: &Key32,
    kind: &str,
    version: u32,
    wrapped: &[u8],
) -> Result<Key32, CryptoError> {
    let v = version.to_string();
    let ctx = Context {
        segment: "",
        table: "keyring",
        record_id: &v,
        field: kind,
    };
    let bytes = field::open(root, &ctx, wrapped)?;
    Key32::from_slice(&bytes).ok_or(CryptoError::Malformed)
}

/// The unwrapped key-encryption keys the vault holds while unsealed, by version.
///
/// One version is active (new DEKs are wrapped under it); older ones stay decrypt-only until
/// every DEK has been re-wrapped and they are retired.
#[derive(Debug, Clone)]
pub struct Keyring {
    keks: BTreeMap<u32, Key32>,
    active: u32,
}

impl Keyring {
    /// A keyring with its active version. Returns `None` if `active` is not among `keks`.
    pub fn new(keks: BTreeMap<u32, Key32>, active: u32) -> Option<Self> {
        keks.contains_key(&active).then_some(Self { keks, active })
    }

    /// The active version.
    pub fn active_version(&self) -> u32 {
        self.active
    }

    /// Whether this keyring holds `version`.
    pub fn has(&self, version: u32) -> bool {
        self.keks.contains_key(&version)
    }

    fn segment_kek(&self, version: u32, segment: &str) -> Result<Key32, CryptoError> {
        let kek = self.keks.get(&version).ok_or(CryptoError::Decrypt)?;
        Ok(segment_kek(kek, segment))
    }

    /// Wraps a customer's DEK under the active version's segment KEK.
    pub fn wrap_dek(&self, segment: &str, customer_id: &str, dek: &Key32) -> (u32, Vec<u8>) {
        let v = self.active;
        let kek = self
            .segment_kek(v, segment)
            .expect("active version is present");
        let ctx = Context {
            segment,
            table: "customer_keys",
            record_id: customer_id,
            field: "dek",
        };
        (v, field::seal(&kek, v, &ctx, dek.expose()))
    }

    /// Unwraps a customer's DEK; the version is read from the ciphertext header.
    pub fn unwrap_dek(
        &self,
        segment: &str,
        customer_id: &str,
        wrapped: &[u8],
    ) -> Result<Key32, CryptoError> {
        let v = field::key_version(wrapped)?;
        let kek = self.segment_kek(v, segment)?;
        let ctx = Context {
            segment,
            table: "customer_keys",
            record_id: customer_id,
            field: "dek",
        };
        let bytes = field::open(&kek, &ctx, wrapped)?;
        Key32::from_slice(&bytes).ok_or(CryptoError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(versions: &[u32], active: u32) -> Keyring {
        Keyring::new(
            versions.iter().map(|v| (*v, Key32::random())).collect(),
            active,
        )
        .unwrap()
    }

    #[test]
    fn derive_is_deterministic_and_label_separated() {
        let k = Key32::random();
        assert_eq!(derive(&k, "a").expose(), derive(&k, "a").expose());
        assert_ne!(derive(&k, "a").expose(), derive(&k, "b").expose());
    }

    #[test]
    fn dek_wraps_to_active_and_unwraps_by_header_version() {
        let mut keks = BTreeMap::new();
        keks.insert(1, Key32::random());
        let old = Keyring::new(keks.clone(), 1).unwrap();
        let dek = Key32::random();
        let (v1, w1) = old.wrap_dek("default", "c1", &dek);
        assert_eq!(v1, 1);
        keks.insert(2, Key32::random());
        let new = Keyring::new(keks, 2).unwrap();
        assert_eq!(
            new.unwrap_dek("default", "c1", &w1).unwrap().expose(),
            dek.expose()
        );
        let (v2, w2) = new.wrap_dek("default", "c1", &dek);
        assert_eq!(v2, 2);
        assert_eq!(
            new.unwrap_dek("default", "c1", &w2).unwrap().expose(),
            dek.expose()
        );
        // The old keyring does not know version 2.
        assert!(old.unwrap_dek("default", "c1", &w2).is_err());
    }

    #[test]
    fn wrapped_dek_is_bound_to_customer_and_segment() {
        let r = ring(&[1], 1);
        let (_, w) = r.wrap_dek("default", "c1", &Key32::random());
        assert!(r.unwrap_dek("default", "c2", &w).is_err());
        assert!(r.unwrap_dek("vip", "c1", &w).is_err());
    }

    #[test]
    fn root_wrapping_needs_the_right_root() {
        let root = Key32::random();
        let kek = Key32::random();
        let w = wrap_under_root(&root, "kek", 3, &kek);
        assert_eq!(
            unwrap_under_root(&root, "kek", 3, &w).unwrap().expose(),
            kek.expose()
        );
        assert!(unwrap_under_root(&Key32::random(), "kek", 3, &w).is_err());
        assert!(unwrap_under_root(&root, "kek", 4, &w).is_err());
        assert!(unwrap_under_root(&root, "index", 3, &w).is_err());
    }

    #[test]
    fn keyring_requires_present_active_version() {
        let mut keks = BTreeMap::new();
        keks.insert(1, Key32::random());
        assert!(Keyring::new(keks, 2).is_none());
    }
}
