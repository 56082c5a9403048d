//! Second factors and session secrets for staff: TOTP (RFC 6238, via `totp-rs`), single-use
//! recovery codes, and the random tokens behind session cookies and invitations.
//!
//! - TOTP: SHA-1, 6 digits, 30-second steps (what every authenticator app supports), 160-bit
//!   secrets from the OS CSPRNG. [`totp_match`] returns the *step* a code matched, so the caller
//!   can store it and refuse any step at or before it (single use, replay refused).
//! - Recovery codes: 120 random bits each (24 base32 characters), so a keyed fast hash (HMAC-SHA256)
//!   is an acceptable way to store them (ASVS 6.5.2 allows it for ≥ 112 bits).
//! - Tokens: 256 random bits, URL-safe base64; stored only as SHA-256 digests.

use crate::{CryptoError, Key32};
use base64::Engine;
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};
use zeroize::Zeroizing;

/// TOTP step length in seconds.
pub const TOTP_STEP_SECS: u64 = 30;
/// Digits in a TOTP code.
pub const TOTP_DIGITS: usize = 6;
/// Bytes in a TOTP secret (160 bits, RFC 4226's recommendation).
pub const TOTP_SECRET_LEN: usize = 20;

/// A fresh random TOTP secret.
pub fn totp_secret() -> Zeroizing<Vec<u8>> {
    let mut s = Zeroizing::new(vec![0u8; TOTP_SECRET_LEN]);
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// The secret in unpadded base32, as authenticator apps expect for manual entry.
pub fn totp_secret_base32(secret: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(BASE32_NOPAD.encode(secret))
}

fn totp(secret: &[u8], issuer: &str, account: &str) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        TOTP_DIGITS,
        0,
        TOTP_STEP_SECS,
        secret.to_vec(),
        Some(issuer.replace(':', " ")),
        account.replace(':', " "),
    )
}

/// The code for time step `step` (Unix seconds / 30).
pub fn totp_code(secret: &[u8], step: u64) -> String {
    totp(secret, "x", "x").generate(step * TOTP_STEP_SECS)
}

/// The step `code` matches within `skew` steps either side of the step of `unix_secs`,
/// comparing in constant time. `None` if it matches none.
pub fn totp_match(secret: &[u8], code: &str, unix_secs: u64, skew: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_secs / TOTP_STEP_SECS;
    let mut found = None;
    for step in now.saturating_sub(skew)..=now + skew {
        let expected = totp_code(secret, step);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// The `otpauth://totp/…` URI an authenticator app scans.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    totp(secret, issuer, account).get_url()
}

/// Number of recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;

/// A fresh recovery code, e.g. `7K3Q-9XM2-PA4D-…` (6 groups of 4 base32 characters).
pub fn recovery_code() -> Zeroizing<String> {
    let mut raw = Zeroizing::new([0u8; 15]);
    rand::rngs::OsRng.fill_bytes(raw.as_mut());
    let enc = Zeroizing::new(BASE32_NOPAD.encode(raw.as_ref()));
    let groups: Vec<&str> = (0..6).map(|i| &enc[i * 4..i * 4 + 4]).collect();
    Zeroizing::new(groups.join("-"))
}

/// Normalises a typed recovery code (case, dashes and spaces ignored); `None` if it cannot be one.
pub fn normalize_recovery_code(input: &str) -> Option<Zeroizing<String>> {
    let s: Zeroizing<String> = Zeroizing::new(
        input
            .chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    (s.len() == 24 && BASE32_NOPAD.decode(s.as_bytes()).is_ok()).then_some(s)
}

/// Keyed digest of a recovery code (after [`normalize_recovery_code`]).
pub fn recovery_digest(key: &Key32, normalized: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose()).expect("any key length");
    mac.update(b"jaga/recovery-code/v1\0");
    mac.update(normalized.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A fresh 256-bit random token in URL-safe base64 without padding (43 characters).
pub fn token() -> Zeroizing<String> {
    let mut raw = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(raw.as_mut());
    Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_ref()))
}

/// Checks a presented token has the shape [`token`] makes.
pub fn token_shape(t: &str) -> Result<(), CryptoError> {
    if t.len() == 43
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(CryptoError::Encoding("malformed token"))
    }
}

/// SHA-256 of a token: what the database stores and looks up.
pub fn token_digest(t: &str) -> Vec<u8> {
    Sha256::digest(t.as_bytes()).to_vec()
}

/// Constant-time equality of two short strings (CSRF tokens and the like).
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_sha1_vectors_last_six_digits() {
        // RFC 6238 Appendix B (SHA-1), 8-digit codes; the 6-digit code is the last six digits.
        for (t, code8) in [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(totp_code(RFC_SEED, t / 30), code8[2..], "t={t}");
        }
    }

    #[test]
    fn skew_window_is_one_step() {
        let s = totp_secret();
        let now = 1_700_000_000u64;
        let step = now / 30;
        for d in [-1i64, 0, 1] {
            let c = totp_code(&s, (step as i64 + d) as u64);
            assert_eq!(totp_match(&s, &c, now, 1), Some((step as i64 + d) as u64));
        }
        for d in [-2i64, 2] {
            let c = totp_code(&s, (step as i64 + d) as u64);
            assert_eq!(totp_match(&s, &c, now, 1), None);
        }
        assert_eq!(totp_match(&s, "12345", now, 1), None);
        assert_eq!(totp_match(&s, "abcdef", now, 1), None);
    }

    #[test]
    fn recovery_codes_normalise_and_digest() {
        let key = Key32::random();
        let c = recovery_code();
        assert_eq!(c.len(), 29);
        let n = normalize_recovery_code(&c.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(
            recovery_digest(&key, &n),
            recovery_digest(&key, &normalize_recovery_code(&c).unwrap())
        );
        assert_ne!(
            recovery_digest(&key, &n),
            recovery_digest(&Key32::random(), &n)
        );
        assert!(normalize_recovery_code("too-short").is_none());
        assert_ne!(recovery_code().as_str(), c.as_str());
    }

    #[test]
    fn tokens_are_random_and_shaped() {
        let a = token();
        let b = token();
        assert_ne!(a.as_str(), b.as_str());
        assert!(token_shape(&a).is_ok());
        assert!(token_shape("short").is_err());
        assert_eq!(token_digest(&a).len(), 32);
        assert!(ct_eq("abc", "abc") && !ct_eq("abc", "abd") && !ct_eq("abc", "ab"));
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account() {
        let u = otpauth_uri(RFC_SEED, "Jaga", "dewi@shop.id");
        assert!(u.starts_with("otpauth://totp/"), "{u}");
        assert!(u.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        assert!(u.contains("issuer=Jaga"));
    }
}
