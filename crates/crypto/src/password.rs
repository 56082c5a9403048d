//! Staff passwords: Argon2id in PHC string form, with the parameters stored alongside the hash so
//! they can be raised later and old hashes upgraded on the next successful login.
//!
//! The minimum is OWASP's headline configuration (m = 19456 KiB, t = 2, p = 1); [`PasswordParams`]
//! refuses anything weaker. Verification reads the parameters from the stored string, so hashes
//! made under older (weaker or stronger) parameters keep verifying.

use crate::CryptoError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

/// Longest password accepted, in bytes: bounds the work an attacker can ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl PasswordParams {
    /// OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
    pub const OWASP_MIN: PasswordParams = PasswordParams {
        m_kib: 19456,
        t: 2,
        p: 1,
    };

    /// Checks the parameters are at least as strong as [`Self::OWASP_MIN`] (memory and
    /// iterations each at least the minimum).
    pub fn checked(self) -> Result<Self, CryptoError> {
        if self.m_kib < Self::OWASP_MIN.m_kib || self.t < Self::OWASP_MIN.t || self.p < 1 {
            return Err(CryptoError::Encoding(
                "Argon2id parameters below the OWASP minimum (m=19456 KiB, t=2, p=1)",
            ));
        }
        Ok(self)
    }

    fn argon(self) -> Result<Argon2<'static>, CryptoError> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|_| CryptoError::Encoding("invalid Argon2 parameters"))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self::OWASP_MIN
    }
}

/// Hashes `password` with fresh 16-byte salt into a PHC string
/// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). Slow on purpose: run it off the async threads.
pub fn hash(password: &[u8], params: PasswordParams) -> Result<String, CryptoError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(CryptoError::Encoding("password too long"));
    }
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| CryptoError::Encoding("salt"))?;
    Ok(params
        .checked()?
        .argon()?
        .hash_password(password, &salt)
        .map_err(|_| CryptoError::Encoding("Argon2 hashing failed"))?
        .to_string())
}

/// Whether `password` matches the PHC string `stored` (constant-time comparison inside the
/// `argon2` crate). A malformed stored string or a non-Argon2id hash never matches.
pub fn verify(password: &[u8], stored: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    Argon2::default().verify_password(password, &parsed).is_ok()
}

/// Whether `stored` was made with parameters other than `current` (or is unreadable), so it
/// should be re-hashed after the next successful verification.
pub fn needs_rehash(stored: &str, current: PasswordParams) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    let Ok(p) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id"
        || p.m_cost() != current.m_kib
        || p.t_cost() != current.t
        || p.p_cost() != current.p
}

/// Spends the same effort as a real verification against a fixed hash, so that a login for an
/// unknown account takes as long as one for a known account.
pub fn dummy_verify(password: &[u8], params: PasswordParams) {
    let mut salt = [7u8; 16];
    salt[0] = 1;
    if let (Ok(a), Ok(s)) = (params.argon(), SaltString::encode_b64(&salt)) {
        let _ = a.hash_password(&password[..password.len().min(MAX_PASSWORD_BYTES)], &s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cheapest parameters the checks accept, to keep tests quick.
    const P: PasswordParams = PasswordParams::OWASP_MIN;

    #[test]
    fn hash_verifies_exactly_as_entered() {
        let pw = "Correct Horse Battery Staple 42";
        let h = hash(pw.as_bytes(), P).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(pw.as_bytes(), &h));
        assert!(!verify(pw.to_lowercase().as_bytes(), &h));
        assert!(!verify(&pw.as_bytes()[..pw.len() - 1], &h));
        assert!(!verify(b"", &h));
        assert!(!verify(pw.as_bytes(), "not a phc string"));
        // 100-character passwords are not truncated.
        let long = "x".repeat(99) + "y";
        let h2 = hash(long.as_bytes(), P).unwrap();
        assert!(verify(long.as_bytes(), &h2));
        assert!(!verify(("x".repeat(99) + "z").as_bytes(), &h2));
    }

    #[test]
    fn weak_parameters_refused_and_upgrade_detected() {
        assert!(
            PasswordParams {
                m_kib: 4096,
                t: 2,
                p: 1
            }
            .checked()
            .is_err()
        );
        assert!(
            PasswordParams {
                m_kib: 19456,
                t: 1,
                p: 1
            }
            .checked()
            .is_err()
        );
        let h = hash(b"some long passphrase", P).unwrap();
        assert!(!needs_rehash(&h, P));
        let raised = PasswordParams {
            m_kib: 19456,
            t: 3,
            p: 1,
        };
        assert!(needs_rehash(&h, raised));
        // The old hash still verifies after the parameters were raised.
        assert!(verify(b"some long passphrase", &h));
        assert!(needs_rehash("garbage", P));
    }

    #[test]
    fn oversized_passwords_refused() {
        let big = vec![b'a'; MAX_PASSWORD_BYTES + 1];
        assert!(hash(&big, P).is_err());
        let h = hash(b"short enough password", P).unwrap();
        assert!(!verify(&big, &h));
    }
}
