//! Secret key material as a distinct type.

use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use std::fmt;

/// 32 bytes of key material, zeroized on drop, never printed.
pub struct Key32(SecretBox<[u8; 32]>);

impl Key32 {
    /// A fresh random key from the operating system's CSPRNG.
    pub fn random() -> Self {
        let mut bytes = Box::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self(SecretBox::new(bytes))
    }

    /// Takes ownership of `bytes` (the caller's copy should be zeroized by the caller).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// Builds a key from a slice that must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Self::from_bytes(arr))
    }

    /// The key bytes, for use at the point of use only.
    pub fn expose(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

impl Clone for Key32 {
    fn clone(&self) -> Self {
        Self::from_bytes(*self.expose())
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_nothing_secret() {
        let k = Key32::from_bytes([0xAB; 32]);
        let s = format!("{k:?}");
        assert!(
            !s.contains("171") && !s.to_lowercase().contains("ab"),
            "{s}"
        );
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(Key32::random().expose(), Key32::random().expose());
    }
}
