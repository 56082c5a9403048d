//! Jaga's tamper-evident audit log primitives.
//!
//! The audit log is an RFC 9162 (Certificate Transparency v2) Merkle tree: every audit event is a
//! leaf, leaves are hashed as `SHA-256(0x00 ‖ leaf)` and interior nodes as
//! `SHA-256(0x01 ‖ left ‖ right)`. This crate is pure (no I/O) so stores, the server and the
//! offline verifier all share exactly one implementation.
//!
//! - [`leaf_hash`] and [`node_hash`]: the RFC 9162 §2.1.1 hashing.
//! - [`Frontier`]: the right edge of the tree (one complete subtree per set bit of the size). A
//!   store keeps it in its locked head row so an append needs no reads of older nodes, and gets
//!   back the complete subtrees the append finished so they can be stored for proofs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod frontier;
mod hash;

pub use frontier::{CompletedNode, Frontier, FrontierError};
pub use hash::{Hash, empty_root, leaf_hash, node_hash};
