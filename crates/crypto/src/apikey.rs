//! API keys: long random secrets shown once, stored only as a keyed SHA-256 (HMAC) digest.
//!
//! A key reads `jaga_<id>_<secret>`: `id` (10 base32 characters) finds the row, `secret` (32
//! random bytes in base32) is what authenticates. A slow password hash would be wasted on 256-bit
//! random secrets and would cost every request; the HMAC key (derived from the root key) means a
//! stolen database alone cannot even check a guess.

use crate::{CryptoError, Key32};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// A freshly generated key: the public id and the full secret token (to show once).
pub struct NewApiKey {
    /// The public identifier, stored in plain text.
    pub id: String,
    /// The whole key to give the user.
    pub token: SecretString,
}

/// Generates a new API key.
pub fn generate() -> NewApiKey {
    let mut id = [0u8; 6];
    let mut secret = zeroize::Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(&mut id);
    rand::rngs::OsRng.fill_bytes(secret.as_mut());
    let id = BASE32_NOPAD.encode(&id).to_lowercase();
    let token = format!(
        "jaga_{id}_{}",
        BASE32_NOPAD.encode(secret.as_ref()).to_lowercase()
    );
    NewApiKey {
        id,
        token: SecretString::from(token),
    }
}

/// Splits a presented token into its id; the token must have the right shape.
pub fn parse_id(token: &str) -> Result<&str, CryptoError> {
    let rest = token
        .strip_prefix("jaga_")
        .ok_or(CryptoError::Encoding("not a Jaga API key"))?;
    let (id, secret) = rest
        .split_once('_')
        .ok_or(CryptoError::Encoding("not a Jaga API key"))?;
    if id.len() != 10
        || secret.len() != 52
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(CryptoError::Encoding("not a Jaga API key"));
    }
    Ok(id)
}

/// Keyed digest of a full token.
pub fn digest(hash_key: &Key32, token: &SecretString) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(hash_key.expose())
        .expect("HMAC takes any key length");
    mac.update(token.expose_secret().as_bytes());
    mac.finalize().into_bytes().into()
}

/// Constant-time check of a presented token against a stored digest.
pub fn verify(hash_key: &Key32, token: &SecretString, stored: &[u8]) -> bool {
    digest(hash_key, token).ct_eq(stored).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_parse_verify() {
        let k = Key32::random();
        let key = generate();
        assert_eq!(parse_id(key.token.expose_secret()).unwrap(), key.id);
        let stored = digest(&k, &key.token);
        assert!(verify(&k, &key.token, &stored));
        assert!(!verify(&Key32::random(), &key.token, &stored));
        let other = generate();
        assert!(!verify(&k, &other.token, &stored));
    }

    #[test]
    fn rejects_malformed_tokens() {
        for t in [
            "",
            "jaga_",
            "jaga_abc_def",
            "Bearer xyz",
            "jaga_aaaaaaaaaa_short",
        ] {
            assert!(parse_id(t).is_err(), "{t}");
        }
    }
}
