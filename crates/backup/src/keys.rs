//! Who can open a backup: `age` X25519 recipients (the owner's offline keys) and/or a
//! passphrase.
//!
//! A passphrase alone uses age's own `scrypt` recipient, so `age -d` opens the file too. age
//! allows `scrypt` only as the sole recipient; when both recipients and a passphrase are given,
//! the passphrase is added as a `jaga-passphrase` stanza instead (the file key sealed with
//! AES-256-GCM-SIV under an Argon2id key of the passphrase and a random salt). `age -d` with an
//! identity still opens such a file (it skips the stanza it does not know); `jaga backup
//! restore --passphrase-file` opens it with the passphrase.

use crate::BackupError;
use age_core::format::{FileKey, Stanza};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;

const STANZA_TAG: &str = "jaga-passphrase";
const STANZA_AAD: &[u8] = b"jaga-backup/passphrase-stanza/v1";
/// Argon2id cost of the `jaga-passphrase` stanza (as the unseal passphrase's default).
const ARGON_M_KIB: u32 = 65_536;
const ARGON_T: u32 = 3;
const ARGON_P: u32 = 1;
/// Largest cost accepted when opening (a forged stanza must not make us allocate unbounded).
const ARGON_MAX_M_KIB: u32 = 1 << 21;
const ARGON_MAX_T: u32 = 16;

/// An age public key: post-quantum hybrid (`age1pq1…`, age's recommendation for new keys) or
/// classic X25519 (`age1…`, what `age-keygen` makes by default).
pub enum Recipient {
    /// `age1pq1…`
    Pq(Box<age::pq::Recipient>),
    /// `age1…`
    #[allow(deprecated)]
    X25519(age::x25519::Recipient),
}

impl std::str::FromStr for Recipient {
    type Err = String;
    #[allow(deprecated)]
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with("age1pq1") {
            return age::pq::Recipient::from_str(s)
                .map(|r| Recipient::Pq(Box::new(r)))
                .map_err(|e| e.to_string());
        }
        age::x25519::Recipient::from_str(s)
            .map(Recipient::X25519)
            .map_err(|e| e.to_string())
    }
}

impl Recipient {
    fn as_dyn(&self) -> &dyn age::Recipient {
        match self {
            Recipient::Pq(r) => r.as_ref(),
            Recipient::X25519(r) => r,
        }
    }
}

/// An age secret key: post-quantum (`AGE-SECRET-KEY-PQ-1…`) or X25519 (`AGE-SECRET-KEY-1…`).
#[derive(Clone)]
pub enum Identity {
    /// Post-quantum hybrid.
    Pq(Box<age::pq::Identity>),
    /// Classic X25519.
    #[allow(deprecated)]
    X25519(age::x25519::Identity),
}

impl std::str::FromStr for Identity {
    type Err = ();
    #[allow(deprecated)]
    fn from_str(s: &str) -> Result<Self, ()> {
        if let Ok(i) = age::pq::Identity::from_str(s) {
            return Ok(Identity::Pq(Box::new(i)));
        }
        age::x25519::Identity::from_str(s)
            .map(Identity::X25519)
            .map_err(|_| ())
    }
}

impl Identity {
    fn as_dyn(&self) -> &dyn age::Identity {
        match self {
            Identity::Pq(i) => i.as_ref(),
            Identity::X25519(i) => i,
        }
    }
}

/// How a new backup is sealed.
pub struct Sealing {
    recipients: Vec<Recipient>,
    passphrase: Option<SecretString>,
}

impl Sealing {
    /// Recipients as `age1…` strings and/or a passphrase; [`BackupError::NoKey`] with neither,
    /// [`BackupError::Invalid`] naming a recipient that does not parse.
    pub fn new(
        recipients: &[String],
        passphrase: Option<SecretString>,
    ) -> Result<Self, BackupError> {
        let mut parsed = Vec::new();
        let mut seen = HashSet::new();
        for r in recipients {
            let r = r.trim();
            if r.is_empty() || !seen.insert(r.to_string()) {
                continue;
            }
            parsed.push(Recipient::from_str(r).map_err(|e| {
                BackupError::Invalid(format!(
                    "recipient {r:?} is not an age public key (age1… or age1pq1…): {e}"
                ))
            })?);
        }
        if let Some(p) = &passphrase
            && p.expose_secret().is_empty()
        {
            return Err(BackupError::Invalid("the passphrase file is empty".into()));
        }
        if parsed.is_empty() && passphrase.is_none() {
            return Err(BackupError::NoKey);
        }
        Ok(Self {
            recipients: parsed,
            passphrase,
        })
    }

    /// How many recipients, and whether a passphrase opens it too (for the manifest and the
    /// report; never the keys themselves).
    pub fn describe(&self) -> (usize, bool) {
        (self.recipients.len(), self.passphrase.is_some())
    }

    pub(crate) fn encryptor(&self) -> Result<age::Encryptor, BackupError> {
        let pass = self
            .passphrase
            .as_ref()
            .map(|p| age::secrecy::SecretString::from(p.expose_secret().to_string()));
        if self.recipients.is_empty() {
            let pass = pass.ok_or(BackupError::NoKey)?;
            return Ok(age::Encryptor::with_user_passphrase(pass));
        }
        let extra = pass.map(|p| PassphraseRecipient { passphrase: p });
        let mut list: Vec<&dyn age::Recipient> =
            self.recipients.iter().map(Recipient::as_dyn).collect();
        if let Some(e) = &extra {
            list.push(e);
        }
        age::Encryptor::with_recipients(list.into_iter())
            .map_err(|e| BackupError::Invalid(format!("cannot encrypt to these recipients: {e}")))
    }
}

/// What opens an existing backup.
#[derive(Clone)]
pub enum Opening {
    /// Identities from an age identity file (`AGE-SECRET-KEY-…` lines).
    Identities(Vec<Identity>),
    /// A passphrase.
    Passphrase(SecretString),
}

impl Opening {
    /// Reads an age identity file (comments and blank lines allowed).
    pub fn identity_file(path: &Path) -> Result<Self, BackupError> {
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| BackupError::io(format_args!("reading {}", path.display()), e))?,
        );
        let mut ids = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            ids.push(Identity::from_str(l).map_err(|()| {
                BackupError::Invalid(format!(
                    "{} is not an age identity file (AGE-SECRET-KEY-1… lines)",
                    path.display()
                ))
            })?);
        }
        if ids.is_empty() {
            return Err(BackupError::Invalid(format!(
                "{} holds no age identity",
                path.display()
            )));
        }
        Ok(Opening::Identities(ids))
    }

    /// Opens `input` (an age file) and returns the plaintext stream. A key that does not fit
    /// is [`BackupError::WrongKey`]; anything else wrong with the header is
    /// [`BackupError::Corrupt`].
    pub(crate) fn open<R: std::io::BufRead>(
        &self,
        input: R,
    ) -> Result<age::stream::StreamReader<R>, BackupError> {
        let decryptor = age::Decryptor::new_buffered(input)
            .map_err(|e| BackupError::Corrupt(format!("not a readable age file ({e})")))?;
        let result = match self {
            Opening::Identities(ids) => decryptor.decrypt(ids.iter().map(Identity::as_dyn)),
            Opening::Passphrase(p) => {
                let pass = age::secrecy::SecretString::from(p.expose_secret().to_string());
                let scrypt = age::scrypt::Identity::new(pass.clone());
                let own = PassphraseIdentity { passphrase: pass };
                decryptor.decrypt([&scrypt as &dyn age::Identity, &own].into_iter())
            }
        };
        result.map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BackupError::WrongKey(match self {
                Opening::Identities(_) => "no identity matches a recipient of this backup".into(),
                Opening::Passphrase(_) => "this backup is not encrypted to a passphrase".into(),
            }),
            age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
                BackupError::WrongKey("the key does not decrypt the file key".into())
            }
            other => BackupError::Corrupt(format!("the age header is not valid ({other})")),
        })
    }
}

/// Reads a passphrase from a file (the first line, without its line ending).
pub fn read_passphrase_file(path: &Path) -> Result<SecretString, BackupError> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| BackupError::io(format_args!("reading {}", path.display()), e))?,
    );
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(BackupError::Invalid(format!(
            "{} holds no passphrase",
            path.display()
        )));
    }
    Ok(SecretString::from(line))
}

fn argon_key(
    pass: &age::secrecy::SecretString,
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Option<zeroize::Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(m, t, p, Some(32)).ok()?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    a.hash_password_into(pass.expose_secret().as_bytes(), salt, out.as_mut())
        .ok()?;
    Some(out)
}

fn cipher(key: &[u8; 32]) -> aes_gcm_siv::Aes256GcmSiv {
    use aes_gcm_siv::KeyInit as _;
    aes_gcm_siv::Aes256GcmSiv::new(key.into())
}

/// The `jaga-passphrase` stanza's recipient (used only together with X25519 recipients).
struct PassphraseRecipient {
    passphrase: age::secrecy::SecretString,
}

impl age::Recipient for PassphraseRecipient {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
    ) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
        use aes_gcm_siv::aead::{Aead as _, Payload};
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        let key = argon_key(&self.passphrase, &salt, ARGON_M_KIB, ARGON_T, ARGON_P)
            .expect("fixed Argon2id parameters are valid");
        // The key is unique to this random salt, so a fixed nonce is never reused under it.
        let body = cipher(&key)
            .encrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: file_key.expose_secret(),
                    aad: STANZA_AAD,
                },
            )
            .expect("sealing 16 bytes cannot fail");
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let stanza = Stanza {
            tag: STANZA_TAG.into(),
            args: vec![
                b64.encode(salt),
                ARGON_M_KIB.to_string(),
                ARGON_T.to_string(),
                ARGON_P.to_string(),
            ],
            body,
        };
        Ok((vec![stanza], HashSet::new()))
    }
}

/// Opens a `jaga-passphrase` stanza.
struct PassphraseIdentity {
    passphrase: age::secrecy::SecretString,
}

impl age::Identity for PassphraseIdentity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        use aes_gcm_siv::aead::{Aead as _, Payload};
        if stanza.tag != STANZA_TAG {
            return None;
        }
        let bad = || Some(Err(age::DecryptError::InvalidHeader));
        let [salt, m, t, p] = stanza.args.as_slice() else {
            return bad();
        };
        let Ok(salt) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(salt) else {
            return bad();
        };
        let (Ok(m), Ok(t), Ok(p)) = (m.parse::<u32>(), t.parse::<u32>(), p.parse::<u32>()) else {
            return bad();
        };
        if salt.len() != 16 || m > ARGON_MAX_M_KIB || t > ARGON_MAX_T || p == 0 || p > 16 {
            return bad();
        }
        let key = argon_key(&self.passphrase, &salt, m, t, p)?;
        let plain = cipher(&key)
            .decrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: &stanza.body,
                    aad: STANZA_AAD,
                },
            )
            .ok();
        let Some(plain) = plain.map(zeroize::Zeroizing::new) else {
            return Some(Err(age::DecryptError::DecryptionFailed));
        };
        if plain.len() != 16 {
            return Some(Err(age::DecryptError::DecryptionFailed));
        }
        let bytes = &plain[..];
        Some(Ok(FileKey::init_with_mut(|k| k.copy_from_slice(bytes))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn roundtrip(sealing: &Sealing, opening: &Opening) -> Result<Vec<u8>, BackupError> {
        let mut out = Vec::new();
        let mut w = sealing.encryptor()?.wrap_output(&mut out).unwrap();
        w.write_all(b"hello backup").unwrap();
        w.finish().unwrap();
        let mut r = opening.open(std::io::BufReader::new(out.as_slice()))?;
        let mut plain = Vec::new();
        r.read_to_end(&mut plain)
            .map_err(|e| BackupError::Corrupt(e.to_string()))?;
        Ok(plain)
    }

    #[test]
    fn no_key_is_refused() {
        assert!(matches!(Sealing::new(&[], None), Err(BackupError::NoKey)));
        assert!(matches!(
            Sealing::new(&["age1nope".into()], None),
            Err(BackupError::Invalid(_))
        ));
    }

    #[test]
    fn post_quantum_keys_work_too() {
        let id = age::pq::Identity::generate();
        let s = Sealing::new(&[id.to_public().to_string()], None).unwrap();
        let o = Opening::Identities(vec![Identity::Pq(Box::new(id))]);
        assert_eq!(roundtrip(&s, &o).unwrap(), b"hello backup");
    }

    #[test]
    #[allow(deprecated)]
    fn recipients_and_passphrase_each_open_a_mixed_file() {
        let id = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let pass = SecretString::from("correct horse battery staple");
        let s = Sealing::new(&[id.to_public().to_string()], Some(pass.clone())).unwrap();
        assert_eq!(
            roundtrip(&s, &Opening::Identities(vec![Identity::X25519(id)])).unwrap(),
            b"hello backup"
        );
        assert_eq!(
            roundtrip(&s, &Opening::Passphrase(pass)).unwrap(),
            b"hello backup"
        );
        assert!(matches!(
            roundtrip(&s, &Opening::Identities(vec![Identity::X25519(other)])),
            Err(BackupError::WrongKey(_))
        ));
        assert!(matches!(
            roundtrip(
                &s,
                &Opening::Passphrase(SecretString::from("wrong passphrase!!"))
            ),
            Err(BackupError::WrongKey(_))
        ));
    }
}
