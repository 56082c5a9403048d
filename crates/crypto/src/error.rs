//! The one error type of this crate. Messages never contain key material or plaintext.

/// Why a cryptographic operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The ciphertext is not in Jaga's format (too short, unknown version or algorithm).
    #[error("ciphertext is malformed")]
    Malformed,
    /// Authentication failed: wrong key, wrong context, or the bytes were modified.
    #[error("decryption failed: wrong key, wrong record or field, or modified ciphertext")]
    Decrypt,
    /// Unseal material is invalid (bad share encoding, too few shares, wrong secret).
    #[error("unseal failed: {0}")]
    Unseal(&'static str),
    /// An encoded value (customer code, API key, key string) could not be parsed.
    #[error("invalid encoding: {0}")]
    Encoding(&'static str),
}
