//! C2SP checkpoints (<https://c2sp.org/tlog-checkpoint>) and the [`Signer`] that refuses to
//! sign a head inconsistent with the last one it signed.
//!
//! A checkpoint is the text `<origin>\n<tree size>\n<base64 root>\n`, signed as a note. Jaga
//! names its signing key after the origin, so a verifier checks the origin against the key name.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::error::AuditError;
use crate::hash::Hash;
use crate::note::{Note, SigningKeyPair, VerifierKey, sign_note};
use crate::verify::verify_consistency;

/// A tree head: which log, how many leaves, and the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, e.g. `shop.example/jaga/audit/2026a`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// The RFC 9162 root of the first `size` leaves.
    pub root: Hash,
}

fn bad(reason: &str) -> AuditError {
    AuditError::malformed("checkpoint", reason)
}

/// Parses a tree size: ASCII decimal, no sign, no leading zeros.
fn parse_size(s: &str) -> Result<u64, AuditError> {
    let digits_ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok || (s.len() > 1 && s.starts_with('0')) {
        return Err(bad(
            "tree size is not a decimal number without leading zeros",
        ));
    }
    s.parse().map_err(|_| bad("tree size is too large"))
}

fn check_origin(origin: &str) -> Result<(), AuditError> {
    if origin.is_empty() || origin.chars().any(char::is_control) {
        return Err(bad("origin is empty or has control characters"));
    }
    Ok(())
}

impl Checkpoint {
    /// A checkpoint; fails if the origin is empty or contains control characters.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, AuditError> {
        check_origin(origin)?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The checkpoint text `<origin>\n<size>\n<base64 root>\n` (the signed body of the note).
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Parses checkpoint text. Extension lines after the root are allowed by C2SP but Jaga never
    /// writes them, so they are rejected here.
    pub fn parse(text: &str) -> Result<Self, AuditError> {
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("text does not end in a newline"))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(bad("expected origin, size and root lines"));
        };
        if lines.next().is_some() {
            return Err(bad("unexpected extension lines"));
        }
        check_origin(origin)?;
        let size = parse_size(size)?;
        let raw = B64.decode(root).map_err(|_| bad("root is not base64"))?;
        let root: Hash = raw
            .as_slice()
            .try_into()
            .map_err(|_| bad("root is not 32 bytes"))?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

/// A checkpoint whose signature has been checked, with the note it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The whole signed note (text, blank line, signature lines).
    pub note: String,
}

/// Parses a signed checkpoint note and checks it: a signature by `key` must verify
/// (signatures by other keys, e.g. witness cosignatures, are ignored), and the origin must
/// equal the key name.
pub fn open_checkpoint(note: &str, key: &VerifierKey) -> Result<SignedCheckpoint, AuditError> {
    let parsed = Note::parse(note)?;
    parsed.verify(std::slice::from_ref(key))?;
    let checkpoint = Checkpoint::parse(&parsed.text)?;
    if checkpoint.origin != key.name() {
        return Err(AuditError::OriginMismatch {
            want: key.name().to_owned(),
            got: checkpoint.origin,
        });
    }
    Ok(SignedCheckpoint {
        checkpoint,
        note: note.to_owned(),
    })
}

/// The log signer: a signing key plus the last checkpoint it signed.
///
/// The caller keeps the last-signed checkpoint outside the database (for example the signed
/// note in a file next to the key) and hands it back on start with [`Signer::resume`]. The
/// signer signs a new head only with a valid consistency proof from that checkpoint, so a
/// compromised database can never make it sign a forked or rolled-back history.
#[derive(Debug)]
pub struct Signer {
    key: SigningKeyPair,
    last: Option<Checkpoint>,
}

impl Signer {
    /// A signer that has never signed (the log is new).
    pub fn new(key: SigningKeyPair) -> Self {
        Self { key, last: None }
    }

    /// A signer resuming from its last signed note (as returned by [`Signer::sign`]); the note
    /// must verify under this key and name this key's origin.
    pub fn resume(key: SigningKeyPair, last_note: &str) -> Result<Self, AuditError> {
        let last = open_checkpoint(last_note, key.verifier())?.checkpoint;
        Ok(Self {
            key,
            last: Some(last),
        })
    }

    /// The origin this signer signs for (its key name).
    pub fn origin(&self) -> &str {
        self.key.name()
    }

    /// The last checkpoint this signer signed, if any: the caller asks its store for a
    /// consistency proof from `last.size` to the new size.
    pub fn last_signed(&self) -> Option<&Checkpoint> {
        self.last.as_ref()
    }

    /// The verifier key of this signer.
    pub fn verifier(&self) -> &VerifierKey {
        self.key.verifier()
    }

    /// Signs the head `(size, root)` if `proof` shows it is consistent with the last signed
    /// checkpoint (any head when nothing was signed yet). On success the returned note becomes
    /// the new last-signed state: persist it durably before publishing it.
    pub fn sign(
        &mut self,
        size: u64,
        root: Hash,
        proof: &[Hash],
    ) -> Result<SignedCheckpoint, AuditError> {
        if let Some(last) = &self.last {
            if size < last.size {
                return Err(AuditError::SignerRefused {
                    size,
                    reason: format!("it is smaller than the last signed size {}", last.size),
                });
            }
            verify_consistency(last.size, size, &last.root, &root, proof).map_err(|e| {
                AuditError::SignerRefused {
                    size,
                    reason: format!(
                        "not consistent with the last signed size {}: {e}",
                        last.size
                    ),
                }
            })?;
        }
        let checkpoint = Checkpoint::new(self.key.name(), size, root)?;
        let note = sign_note(&checkpoint.to_text(), &[&self.key])?;
        self.last = Some(checkpoint.clone());
        Ok(SignedCheckpoint { checkpoint, note })
    }
}
