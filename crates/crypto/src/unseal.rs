//! The three ways to obtain the root key: a key file, an Argon2id passphrase, or Shamir shares.
//!
//! - **Key file**: the root key itself, base64, in a file only the owner can read.
//! - **Passphrase**: a random root key wrapped under `Argon2id(passphrase, salt)`; the parameters
//!   and salt are stored beside the wrapped key, so they can be raised later.
//! - **Shamir**: the root key split into `n` shares of which any `k` recover it (GF(256), via the
//!   maintained `blahaj` crate); the root key itself is never stored.
//!
//! Every method is checked against a [`root_check`] value so a wrong passphrase or a wrong set of
//! shares is refused before the vault touches any data.

use crate::field::{self, Context};
use crate::{CryptoError, Key32};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A value that identifies the root key without revealing it: `HMAC(root, "jaga/v1/root-check")`.
pub fn root_check(root: &Key32) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(root.expose()).expect("HMAC takes any key length");
    mac.update(b"jaga/v1/root-check");
    mac.finalize().into_bytes().into()
}

/// Whether `root` matches a stored [`root_check`] value (constant time).
pub fn matches_check(root: &Key32, check: &[u8]) -> bool {
    root_check(root).ct_eq(check).into()
}

/// Encodes a root key for a key file.
pub fn encode_key_file(root: &Key32) -> Zeroizing<String> {
    Zeroizing::new(format!("{}\n", B64.encode(root.expose())))
}

/// Decodes a key file's content.
pub fn decode_key_file(content: &str) -> Result<Key32, CryptoError> {
    let bytes = Zeroizing::new(
        B64.decode(content.trim())
            .map_err(|_| CryptoError::Unseal("key file is not base64"))?,
    );
    Key32::from_slice(&bytes).ok_or(CryptoError::Unseal("key file does not hold a 32-byte key"))
}

/// Argon2id parameters for passphrase unseal, stored with the wrapped root key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassphraseParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
    /// Random salt, base64.
    pub salt: String,
}

impl PassphraseParams {
    /// Fresh parameters with a random salt: 64 MiB, 3 passes, 1 lane (above the OWASP minimum of
    /// 19 MiB / 2 / 1; unseal is rare, so it can afford more).
    pub fn new_default() -> Self {
        Self::with_cost(64 * 1024, 3, 1)
    }

    /// Fresh parameters with a random salt and the given cost.
    pub fn with_cost(m_kib: u32, t: u32, p: u32) -> Self {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        Self {
            m_kib,
            t,
            p,
            salt: B64.encode(salt),
        }
    }

    fn derive(&self, passphrase: &SecretString) -> Result<Key32, CryptoError> {
        let salt = B64
            .decode(&self.salt)
            .map_err(|_| CryptoError::Unseal("passphrase salt is not base64"))?;
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|_| CryptoError::Unseal("invalid Argon2 parameters"))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.expose_secret().as_bytes(), &salt, out.as_mut())
            .map_err(|_| CryptoError::Unseal("Argon2 derivation failed"))?;
        Ok(Key32::from_bytes(*out))
    }
}

const PASS_CTX: Context<'static> = Context {
    segment: "",
    table: "unseal",
    record_id: "root",
    field: "passphrase",
};

/// Wraps `root` under a key derived from `passphrase`.
pub fn wrap_with_passphrase(
    root: &Key32,
    passphrase: &SecretString,
    params: &PassphraseParams,
) -> Result<Vec<u8>, CryptoError> {
    let k = params.derive(passphrase)?;
    Ok(field::seal(&k, 0, &PASS_CTX, root.expose()))
}

/// Recovers the root key from a passphrase; fails for a wrong passphrase.
pub fn unwrap_with_passphrase(
    wrapped: &[u8],
    passphrase: &SecretString,
    params: &PassphraseParams,
) -> Result<Key32, CryptoError> {
    let k = params.derive(passphrase)?;
    let bytes =
        field::open(&k, &PASS_CTX, wrapped).map_err(|_| CryptoError::Unseal("wrong passphrase"))?;
    Key32::from_slice(&bytes).ok_or(CryptoError::Malformed)
}

const SHARE_PREFIX: &str = "jaga-share-v1";

/// Splits `root` into `shares` text shares of which any `threshold` recover it.
///
/// Each share reads `jaga-share-v1:<threshold>:<base64>`.
pub fn split(
    root: &Key32,
    threshold: u8,
    shares: u8,
) -> Result<Vec<Zeroizing<String>>, CryptoError> {
    if threshold < 2 || shares < threshold {
        return Err(CryptoError::Unseal("need 2 <= threshold <= shares"));
    }
    let dealer = blahaj::Sharks(threshold).dealer(root.expose());
    Ok(dealer
        .take(shares as usize)
        .map(|s| {
            let bytes = Zeroizing::new(Vec::from(&s));
            Zeroizing::new(format!("{SHARE_PREFIX}:{threshold}:{}", B64.encode(&bytes)))
        })
        .collect())
}

/// Parses one share, returning its threshold and the share.
fn parse_share(text: &str) -> Result<(u8, blahaj::Share), CryptoError> {
    let mut parts = text.trim().splitn(3, ':');
    let (Some(SHARE_PREFIX), Some(t), Some(b)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CryptoError::Unseal("not a Jaga unseal share"));
    };
    let threshold: u8 = t
        .parse()
        .map_err(|_| CryptoError::Unseal("share threshold is not a number"))?;
    let bytes = Zeroizing::new(
        B64.decode(b)
            .map_err(|_| CryptoError::Unseal("share is not base64"))?,
    );
    if bytes.len() != 33 {
        return Err(CryptoError::Unseal("share has the wrong length"));
    }
    let share = blahaj::Share::try_from(bytes.as_slice())
        .map_err(|_| CryptoError::Unseal("share is malformed"))?;
    Ok((threshold, share))
}

/// Recovers the root key from text shares. Returns an error for malformed shares, mixed
/// thresholds or too few distinct shares. Wrong shares yield a wrong key: check it with
/// [`matches_check`].
pub fn combine<S: AsRef<str>>(shares: &[S]) -> Result<Key32, CryptoError> {
    let parsed = shares
        .iter()
        .map(|s| parse_share(s.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(threshold) = parsed.first().map(|(t, _)| *t) else {
        return Err(CryptoError::Unseal("no shares given"));
    };
    if parsed.iter().any(|(t, _)| *t != threshold) {
        return Err(CryptoError::Unseal("shares come from different splits"));
    }
    let shares: Vec<blahaj::Share> = parsed.into_iter().map(|(_, s)| s).collect();
    let secret = Zeroizing::new(
        blahaj::Sharks(threshold)
            .recover(&shares)
            .map_err(|_| CryptoError::Unseal("not enough distinct shares"))?,
    );
    Key32::from_slice(&secret).ok_or(CryptoError::Unseal("shares do not hold a 32-byte key"))
}

/// A share's fingerprint: SHA-256 over a domain label and the share's bytes, base64.
///
/// `jaga init` stores the fingerprints of the shares it makes, so a server can refuse a share
/// from another split (or a forged one) the moment it is submitted, instead of only noticing when
/// the combination fails. A fingerprint reveals nothing useful: given fewer than the threshold of
/// shares, every other share is uniformly random, so its hash cannot be inverted.
pub fn share_fingerprint(text: &str) -> Result<String, CryptoError> {
    use sha2::Digest;
    let (threshold, share) = parse_share(text)?;
    let bytes = Zeroizing::new(Vec::from(&share));
    let mut h = Sha256::new();
    h.update(b"jaga-share-fingerprint-v1");
    h.update([threshold]);
    h.update(bytes.as_slice());
    Ok(B64.encode(h.finalize()))
}

/// How many shares a text share says are needed.
pub fn share_threshold(text: &str) -> Result<u8, CryptoError> {
    parse_share(text).map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trip_and_garbage() {
        let k = Key32::random();
        assert_eq!(
            decode_key_file(&encode_key_file(&k)).unwrap().expose(),
            k.expose()
        );
        assert!(decode_key_file("not base64!").is_err());
        assert!(decode_key_file("AAAA").is_err());
    }

    #[test]
    fn passphrase_right_and_wrong() {
        let root = Key32::random();
        let params = PassphraseParams::with_cost(1024, 1, 1);
        let pass = SecretString::from("kopi susu gula aren 2026");
        let w = wrap_with_passphrase(&root, &pass, &params).unwrap();
        assert_eq!(
            unwrap_with_passphrase(&w, &pass, &params).unwrap().expose(),
            root.expose()
        );
        let wrong = SecretString::from("kopi susu gula aren 2025");
        assert_eq!(
            unwrap_with_passphrase(&w, &wrong, &params).err(),
            Some(CryptoError::Unseal("wrong passphrase"))
        );
    }

    #[test]
    fn two_of_three_shares_recover_one_does_not() {
        let root = Key32::random();
        let check = root_check(&root);
        let shares = split(&root, 2, 3).unwrap();
        for pair in [[0, 1], [0, 2], [1, 2]] {
            let got = combine(&[shares[pair[0]].as_str(), shares[pair[1]].as_str()]).unwrap();
            assert!(matches_check(&got, &check));
        }
        assert!(combine(&[shares[0].as_str()]).is_err());
        assert!(
            combine(&[shares[0].as_str(), shares[0].as_str()]).is_err(),
            "duplicates are not distinct"
        );
    }

    #[test]
    fn shares_from_another_split_give_a_key_that_fails_the_check() {
        let root = Key32::random();
        let check = root_check(&root);
        let a = split(&root, 2, 3).unwrap();
        let b = split(&Key32::random(), 2, 3).unwrap();
        let mixed = combine(&[a[0].as_str(), b[1].as_str()]).unwrap();
        assert!(!matches_check(&mixed, &check));
    }

    #[test]
    fn fingerprints_tell_shares_apart() {
        let root = Key32::random();
        let a = split(&root, 2, 3).unwrap();
        let b = split(&root, 2, 3).unwrap();
        let fa: Vec<String> = a.iter().map(|s| share_fingerprint(s).unwrap()).collect();
        assert_eq!(
            fa[0],
            share_fingerprint(&format!(" {}\n", a[0].as_str())).unwrap()
        );
        assert_ne!(fa[0], fa[1]);
        // A share of another split of the same key has another fingerprint.
        assert!(!fa.contains(&share_fingerprint(&b[0]).unwrap()));
        assert!(share_fingerprint("jaga-share-v1:2:AAAA").is_err());
    }

    #[test]
    fn malformed_shares_are_refused() {
        for s in [
            "",
            "jaga-share-v1:2:!!!",
            "jaga-share-v1:x:AAAA",
            "other:2:AAAA",
            "jaga-share-v1:2:AAAA",
        ] {
            assert!(combine(&[s, s]).is_err(), "{s}");
        }
        assert!(split(&Key32::random(), 1, 3).is_err());
        assert!(split(&Key32::random(), 4, 3).is_err());
    }
}
