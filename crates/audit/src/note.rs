//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> <base64(key ID ‖ signature)>`. The key ID of an Ed25519 key is the first four
//! bytes of `SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)`, read big-endian.
//!
//! Key strings use the Go `golang.org/x/mod/sumdb/note` encoding:
//! - verifier key: `<name>+<8 hex digits key ID>+<base64(0x01 ‖ 32-byte public key)>`
//! - signer key: `PRIVATE+KEY+<name>+<8 hex digits key ID>+<base64(0x01 ‖ 32-byte seed)>`

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::AuditError;

/// The signature algorithm byte for Ed25519 in key IDs and key strings.
const ALG_ED25519: u8 = 0x01;
/// The prefix of every signature line: an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Largest note accepted by [`Note::parse`].
pub const MAX_NOTE_BYTES: usize = 1 << 20;
/// Most signature lines accepted by [`Note::parse`] (C2SP requires accepting at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Whether `name` is a valid key name: non-empty, no Unicode whitespace, no `+`, no control
/// characters.
fn check_key_name(name: &str) -> Result<(), AuditError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(AuditError::malformed(
            "key name",
            format!("{name:?} is empty or has spaces, '+' or control characters"),
        ));
    }
    Ok(())
}

/// The C2SP key ID of an Ed25519 key: `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]`.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A named Ed25519 public key that checks note signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string())
    }
}

impl fmt::Display for VerifierKey {
    /// The verifier key string `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 33];
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.id, B64.encode(raw))
    }
}

impl VerifierKey {
    /// A verifier for `public_key` under `name`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, AuditError> {
        check_key_name(name)?;
        let key = VerifyingKey::from_bytes(public_key)
            .map_err(|_| AuditError::malformed("verifier key", "not a valid Ed25519 public key"))?;
        Ok(Self {
            name: name.to_owned(),
            id: key_id(name, public_key),
            key,
        })
    }

    /// Parses a verifier key string `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`, checking
    /// that the key ID matches the name and key.
    pub fn parse(s: &str) -> Result<Self, AuditError> {
        let bad = |r: &str| AuditError::malformed("verifier key", r);
        let s = s.strip_suffix('\n').unwrap_or(s);
        // The base64 key may itself contain '+', so split at most twice.
        let mut parts = s.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected <name>+<key id>+<key>"));
        };
        let id = parse_key_id(id_hex).ok_or_else(|| bad("key ID is not 8 lowercase hex digits"))?;
        let raw = B64.decode(b64).map_err(|_| bad("key is not base64"))?;
        let [ALG_ED25519, rest @ ..] = raw.as_slice() else {
            return Err(bad("unknown key algorithm"));
        };
        let public: [u8; 32] = rest
            .try_into()
            .map_err(|_| bad("Ed25519 key is not 32 bytes"))?;
        let key = Self::new(name, &public)?;
        if key.id != id {
            return Err(bad("key ID does not match name and key"));
        }
        Ok(key)
    }

    /// The key name (by convention, the log origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Checks an Ed25519 signature of `msg` with `verify_strict`.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
            return false;
        };
        self.key.verify_strict(msg, &sig).is_ok()
    }
}

fn parse_key_id(s: &str) -> Option<u32> {
    if s.len() != 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// A named Ed25519 signing key. The secret never appears in `Debug` output and is wiped from
/// memory when dropped.
pub struct SigningKeyPair {
    name: String,
    key: SigningKey,
    verifier: VerifierKey,
}

impl fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyPair")
            .field("name", &self.name)
            .field("id", &format_args!("{:08x}", self.verifier.id))
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl SigningKeyPair {
    /// A signing key under `name` from a 32-byte Ed25519 seed (generate it with a CSPRNG).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, AuditError> {
        check_key_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let verifier = VerifierKey::new(name, key.verifying_key().as_bytes())?;
        Ok(Self {
            name: name.to_owned(),
            key,
            verifier,
        })
    }

    /// Parses a signer key string `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>`.
    /// Error messages never contain the secret.
    pub fn parse(s: &str) -> Result<Self, AuditError> {
        let bad = |r: &str| AuditError::malformed("signer key", r);
        let s = s.strip_suffix('\n').unwrap_or(s);
        let rest = s
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("missing PRIVATE+KEY+ prefix"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected PRIVATE+KEY+<name>+<key id>+<key>"));
        };
        let id = parse_key_id(id_hex).ok_or_else(|| bad("key ID is not 8 lowercase hex digits"))?;
        let raw = Zeroizing::new(B64.decode(b64).map_err(|_| bad("key is not base64"))?);
        let [ALG_ED25519, seed @ ..] = raw.as_slice() else {
            return Err(bad("unknown key algorithm"));
        };
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            seed.try_into()
                .map_err(|_| bad("Ed25519 seed is not 32 bytes"))?,
        );
        let key = Self::from_seed(name, &seed)?;
        if key.verifier.id != id {
            return Err(bad("key ID does not match name and key"));
        }
        Ok(key)
    }

    /// The signer key string, for writing to the key file (never to the database).
    pub fn to_secret_string(&self) -> SecretString {
        let mut raw = Zeroizing::new([0u8; 33]);
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(self.key.as_bytes());
        let b64 = Zeroizing::new(B64.encode(raw.as_slice()));
        SecretString::from(format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name, self.verifier.id, *b64
        ))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The matching verifier key (publish its string so owners and auditors can pin it).
    pub fn verifier(&self) -> &VerifierKey {
        &self.verifier
    }

    /// The signature line `— <name> <base64(key ID ‖ signature)>\n` for `text`.
    fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(68);
        raw.extend_from_slice(&self.verifier.id.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(raw))
    }
}

/// Checks that note text is non-empty UTF-8 ending in a newline, with no control characters
/// other than newline.
fn check_text(text: &str) -> Result<(), AuditError> {
    if !text.ends_with('\n') {
        return Err(AuditError::malformed(
            "signed note",
            "text does not end in a newline",
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AuditError::malformed(
            "signed note",
            "text has control characters",
        ));
    }
    Ok(())
}

/// Signs `text` (which must end in a newline) with every key in `keys`, returning the signed
/// note.
pub fn sign_note(text: &str, keys: &[&SigningKeyPair]) -> Result<String, AuditError> {
    check_text(text)?;
    if keys.is_empty() {
        return Err(AuditError::malformed("signed note", "no signing key"));
    }
    let mut out = String::with_capacity(text.len() + 1 + keys.len() * 120);
    out.push_str(text);
    out.push('\n');
    for k in keys {
        out.push_str(&k.signature_line(text));
    }
    Ok(out)
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name on the line.
    pub name: String,
    /// The 4-byte key ID.
    pub key_id: u32,
    /// The signature bytes after the key ID (64 bytes for Ed25519; unknown algorithms may differ).
    pub signature: Vec<u8>,
}

/// A parsed signed note whose signatures have not been checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending in a newline.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// Parses a signed note. Strict: the text must end in a newline and be followed by a blank
    /// line, every following line must be a well-formed signature line, and there must be
    /// between 1 and [`MAX_SIGNATURES`] of them.
    pub fn parse(note: &str) -> Result<Self, AuditError> {
        let bad = |r: &str| AuditError::malformed("signed note", r);
        if note.len() > MAX_NOTE_BYTES {
            return Err(bad("note is too large"));
        }
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| bad("no blank line before the signatures"))?;
        let (text, sigs) = (&note[..=split], &note[split + 2..]);
        check_text(text)?;
        if !sigs.ends_with('\n') {
            return Err(bad("signature block does not end in a newline"));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(bad("too many signatures"));
            }
            let rest = line
                .strip_prefix(SIG_PREFIX)
                .ok_or_else(|| bad("signature line does not start with an em dash"))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| bad("signature line has no signature"))?;
            check_key_name(name).map_err(|_| bad("invalid key name on a signature line"))?;
            let raw = B64
                .decode(b64)
                .map_err(|_| bad("signature is not base64"))?;
            if raw.len() < 5 {
                return Err(bad("signature is too short"));
            }
            let key_id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
            signatures.push(NoteSignature {
                name: name.to_owned(),
                key_id,
                signature: raw[4..].to_vec(),
            });
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Checks the signatures against the trusted keys. Signatures from unknown keys (name and
    /// key ID not both matching a trusted key) are ignored; a signature from a trusted key that
    /// does not verify is an error; at least one must come from a trusted key. Returns the
    /// trusted keys that signed.
    pub fn verify<'k>(
        &self,
        trusted: &'k [VerifierKey],
    ) -> Result<Vec<&'k VerifierKey>, AuditError> {
        let mut signed_by: Vec<&VerifierKey> = Vec::new();
        for sig in &self.signatures {
            let Some(key) = trusted
                .iter()
                .find(|k| k.id == sig.key_id && k.name == sig.name)
            else {
                continue;
            };
            if !key.verify(self.text.as_bytes(), &sig.signature) {
                return Err(AuditError::BadSignature {
                    name: sig.name.clone(),
                });
            }
            if !signed_by.contains(&key) {
                signed_by.push(key);
            }
        }
        if signed_by.is_empty() {
            return Err(AuditError::NoTrustedSignature);
        }
        Ok(signed_by)
    }
}

/// Parses a signed note and checks it against the trusted keys, returning the text.
pub fn open_note(note: &str, trusted: &[VerifierKey]) -> Result<String, AuditError> {
    let parsed = Note::parse(note)?;
    parsed.verify(trusted)?;
    Ok(parsed.text)
}
