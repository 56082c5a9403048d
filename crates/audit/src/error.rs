//! The one error type of this crate.

use crate::frontier::FrontierError;

/// Everything that can go wrong in `jaga-audit`: bad arguments, failed proofs, malformed input
/// and refused signatures. Every function that takes outside input returns this instead of
/// panicking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// A leaf index is not inside the tree.
    #[error("leaf index {index} is out of range for a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked for or checked with the first size larger than the second.
    #[error("first tree size {first} is larger than second tree size {second}")]
    SizeOrder {
        /// The older tree size.
        first: u64,
        /// The newer tree size.
        second: u64,
    },
    /// A proof has the wrong number of hashes for its sizes.
    #[error("proof has {got} hashes, the sizes need exactly {want}")]
    ProofLength {
        /// Hashes the sizes need.
        want: usize,
        /// Hashes given.
        got: usize,
    },
    /// An inclusion proof does not lead to the expected root.
    #[error("inclusion proof does not verify: computed root differs from the tree root")]
    InclusionMismatch,
    /// A consistency proof does not connect the two roots.
    #[error(
        "consistency proof does not verify: the trees of size {first} and {second} are not consistent"
    )]
    ConsistencyMismatch {
        /// The older tree size.
        first: u64,
        /// The newer tree size.
        second: u64,
    },
    /// A stored complete-subtree hash needed for a proof could not be read.
    #[error("tree node (level {level}, index {index}) is unavailable: {reason}")]
    NodeUnavailable {
        /// Height of the subtree.
        level: u8,
        /// Position of the subtree in its level.
        index: u64,
        /// Why it could not be read (missing, store error, ...).
        reason: String,
    },
    /// Input bytes or text do not follow their format.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Which format: "checkpoint", "signed note", "bundle", "event", "verifier key", ...
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// An encoded audit event starts with a version byte this build does not know.
    #[error("unknown audit event encoding version {0:#04x}")]
    UnknownEventVersion(u8),
    /// A signature from a trusted key is present but wrong.
    #[error("signature by key {name:?} does not verify")]
    BadSignature {
        /// The key name on the signature line.
        name: String,
    },
    /// No signature on a note comes from a trusted key.
    #[error("no signature from a trusted key")]
    NoTrustedSignature,
    /// A checkpoint belongs to another log than the one expected.
    #[error("checkpoint origin {got:?} is not the expected {want:?}")]
    OriginMismatch {
        /// The origin expected (the signing key's name).
        want: String,
        /// The origin found.
        got: String,
    },
    /// The signer refused a head that would roll back or fork its last signed checkpoint.
    #[error("refusing to sign size {size}: {reason}")]
    SignerRefused {
        /// The tree size that was to be signed.
        size: u64,
        /// Why it was refused.
        reason: String,
    },
    /// A bundle's event is not the one at the proven position.
    #[error("bundle event has seq {seq} but is proven at index {index}")]
    SeqMismatch {
        /// The `seq` inside the event.
        seq: u64,
        /// The leaf index the proof is for.
        index: u64,
    },
    /// A stored frontier could not be decoded.
    #[error(transparent)]
    Frontier(#[from] FrontierError),
}

impl AuditError {
    /// A [`AuditError::Malformed`] error.
    pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Self {
        Self::Malformed {
            what,
            reason: reason.into(),
        }
    }
}
