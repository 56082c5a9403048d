//! The offline proof bundle: one event's leaf, its inclusion proof and the signed checkpoint it
//! is proven against, checkable with nothing but the log's verifier key.
//!
//! Text format (every line ends in `\n`):
//!
//! ```text
//! jaga-audit-bundle v1
//! index <leaf index, decimal>
//! leaf <base64 of the leaf bytes>
//! proof <base64 of one 32-byte hash>      (zero or more lines, in RFC 9162 proof order)
//!
//! <signed checkpoint note>
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::checkpoint::{Checkpoint, open_checkpoint};
use crate::error::AuditError;
use crate::event::{AuditEvent, MAX_EVENT_BYTES, decode};
use crate::hash::{Hash, leaf_hash};
use crate::note::{MAX_NOTE_BYTES, VerifierKey};
use crate::verify::verify_inclusion;

/// The first line of every bundle.
pub const BUNDLE_HEADER: &str = "jaga-audit-bundle v1";
/// The most proof hashes a bundle may carry (a tree of 2^64 leaves needs 64).
const MAX_PROOF: usize = 64;

/// An offline-verifiable proof that one event is in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The leaf index (the event's `seq`).
    pub index: u64,
    /// The leaf bytes ([`crate::event::encode`] output).
    pub leaf: Vec<u8>,
    /// The inclusion proof of the leaf in the checkpoint's tree.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note.
    pub checkpoint_note: String,
}

/// What a successful [`verify_bundle`] proves: this event is leaf `index` of the log whose
/// signed checkpoint is `checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEvent {
    /// The decoded event.
    pub event: AuditEvent,
    /// Its leaf index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: Hash,
    /// The checkpoint it is included in, signed by the verifier key.
    pub checkpoint: Checkpoint,
}

fn bad(reason: &str) -> AuditError {
    AuditError::malformed("bundle", reason)
}

/// Parses a decimal `u64` without sign or leading zeros.
fn parse_index(s: &str) -> Result<u64, AuditError> {
    let ok = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'));
    if !ok {
        return Err(bad("index is not a decimal number without leading zeros"));
    }
    s.parse().map_err(|_| bad("index is too large"))
}

impl Bundle {
    /// The bundle's text form.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{BUNDLE_HEADER}\nindex {}\nleaf {}\n",
            self.index,
            B64.encode(&self.leaf)
        );
        for h in &self.proof {
            out.push_str("proof ");
            out.push_str(&B64.encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint_note);
        out
    }

    /// Parses a bundle strictly: exact header, one `index` and one `leaf` line in that order,
    /// at most 64 `proof` lines of 32-byte hashes, a blank line, then the note. Signatures and
    /// proofs are not checked here: use [`verify_bundle`].
    pub fn parse(text: &str) -> Result<Self, AuditError> {
        if text.len() > MAX_NOTE_BYTES + 2 * MAX_EVENT_BYTES + 8 * 1024 {
            return Err(bad("bundle is too large"));
        }
        let (head, note) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(BUNDLE_HEADER) {
            return Err(bad("missing or unknown header line"));
        }
        let index = lines
            .next()
            .and_then(|l| l.strip_prefix("index "))
            .ok_or_else(|| bad("missing index line"))
            .and_then(parse_index)?;
        let leaf_b64 = lines
            .next()
            .and_then(|l| l.strip_prefix("leaf "))
            .ok_or_else(|| bad("missing leaf line"))?;
        let leaf = B64
            .decode(leaf_b64)
            .map_err(|_| bad("leaf is not base64"))?;
        let mut proof = Vec::new();
        for line in lines {
            let b64 = line
                .strip_prefix("proof ")
                .ok_or_else(|| bad("unexpected line before the blank line"))?;
            if proof.len() == MAX_PROOF {
                return Err(bad("too many proof hashes"));
            }
            let raw = B64
                .decode(b64)
                .map_err(|_| bad("proof hash is not base64"))?;
            proof.push(
                raw.as_slice()
                    .try_into()
                    .map_err(|_| bad("proof hash is not 32 bytes"))?,
            );
        }
        Ok(Self {
            index,
            leaf,
            proof,
            checkpoint_note: note.to_owned(),
        })
    }

    /// Checks the bundle against the log's verifier key: the checkpoint is signed by `key` and
    /// names its origin, the leaf is a canonical event whose `seq` is `index`, and the proof
    /// shows the leaf at `index` in the checkpoint's tree.
    pub fn verify(&self, key: &VerifierKey) -> Result<VerifiedEvent, AuditError> {
        let checkpoint = open_checkpoint(&self.checkpoint_note, key)?.checkpoint;
        let event = decode(&self.leaf)?;
        if event.seq != self.index {
            return Err(AuditError::SeqMismatch {
                seq: event.seq,
                index: self.index,
            });
        }
        let hash = leaf_hash(&self.leaf);
        verify_inclusion(
            &hash,
            self.index,
            checkpoint.size,
            &self.proof,
            &checkpoint.root,
        )?;
        Ok(VerifiedEvent {
            event,
            index: self.index,
            leaf_hash: hash,
            checkpoint,
        })
    }
}

/// Parses and checks a bundle's text form (see [`Bundle::verify`]).
pub fn verify_bundle(bundle: &str, key: &VerifierKey) -> Result<VerifiedEvent, AuditError> {
    Bundle::parse(bundle)?.verify(key)
}
