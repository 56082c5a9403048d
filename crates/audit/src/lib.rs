//! Jaga's tamper-evident audit log primitives.
//!
//! The audit log is an RFC 9162 (Certificate Transparency v2) Merkle tree: every audit event is a
//! leaf, leaves are hashed as `SHA-256(0x00 ‖ leaf)` and interior nodes as
//! `SHA-256(0x01 ‖ left ‖ right)`. This crate is pure (no I/O) so stores, the server and the
//! offline verifier all share exactly one implementation. The formats are specified in
//! `docs/audit-format.md`.
//!
//! - [`leaf_hash`] and [`node_hash`]: the RFC 9162 §2.1.1 hashing.
//! - [`Frontier`]: the right edge of the tree (one complete subtree per set bit of the size). A
//!   store keeps it in its locked head row so an append needs no reads of older nodes, and gets
//!   back the complete subtrees the append finished so they can be stored for proofs.
//! - [`event`]: the canonical leaf bytes of an [`AuditEvent`](event::AuditEvent).
//! - [`proof`]: which stored nodes a proof needs ([`inclusion_nodes`], [`consistency_nodes`])
//!   and building the proof from them through a [`NodeSource`].
//! - [`verify_inclusion`] and [`verify_consistency`]: RFC 9162 §2.1.3.2 and §2.1.4.2.
//! - [`note`] and [`checkpoint`]: C2SP signed notes and checkpoints with Ed25519, and the
//!   [`Signer`] that refuses to sign a head inconsistent with its last one.
//! - [`bundle`]: the offline proof bundle and [`verify_bundle`].
//! - [`check`]: recomputing the whole tree for `jaga audit verify`.
//!
//! ```
//! use jaga_audit::{MemoryTree, inclusion_proof, leaf_hash, verify_inclusion};
//!
//! let tree = MemoryTree::from_leaf_hashes((0..10u8).map(|i| leaf_hash(&[i])));
//! let proof = inclusion_proof(&mut &tree, 3, 10)?;
//! verify_inclusion(&leaf_hash(&[3]), 3, 10, &proof, &tree.root())?;
//! # Ok::<(), jaga_audit::AuditError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bundle;
pub mod check;
pub mod checkpoint;
mod error;
pub mod event;
mod frontier;
mod hash;
pub mod note;
pub mod proof;
mod verify;

pub use bundle::{Bundle, VerifiedEvent, verify_bundle};
pub use check::{LeafReport, Mismatch, TreeCheck, compare_leaves, root_from_leaf_hashes};
pub use checkpoint::{Checkpoint, SignedCheckpoint, Signer, open_checkpoint};
pub use error::AuditError;
pub use frontier::{CompletedNode, Frontier, FrontierError};
pub use hash::{Hash, empty_root, hash_from_base64, hash_to_base64, leaf_hash, node_hash};
pub use note::{Note, SigningKeyPair, VerifierKey};
pub use proof::{
    MemoryTree, NodeId, NodeSource, consistency_nodes, consistency_proof, inclusion_nodes,
    inclusion_proof, root_at,
};
pub use verify::{root_from_inclusion_proof, verify_consistency, verify_inclusion};
