//! Inclusion and consistency proof verification, exactly the iterative algorithms of RFC 9162
//! §2.1.3.2 and §2.1.4.2.
//!
//! Before running the RFC algorithm each function checks the sizes (index inside the tree,
//! first ≤ second) and that the proof has exactly the number of hashes the sizes need, so a
//! caller gets a precise error; the RFC algorithm itself would reject the same inputs.
//!
//! A proof only binds a leaf (or an old root) to a root. Which tree size that root belongs to is
//! what a signed checkpoint says: always take the size from the verified checkpoint, never from
//! the party that supplied the proof.

use crate::error::AuditError;
use crate::hash::{Hash, empty_root, node_hash};
use crate::proof::{consistency_subtrees, inclusion_subtrees};

/// Right-shifts `fn_` and `sn` together until the low bit of `fn_` is set or `fn_` is 0.
fn shift_to_set_bit(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// The root that an inclusion proof of `leaf` at `index` in a tree of `size` leaves leads to
/// (RFC 9162 §2.1.3.2 steps 1–4, plus the final `sn == 0` check of step 5).
pub fn root_from_inclusion_proof(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, AuditError> {
    let want = inclusion_subtrees(index, size)?.len();
    if proof.len() != want {
        return Err(AuditError::ProofLength {
            want,
            got: proof.len(),
        });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(AuditError::ProofLength {
                want,
                got: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                shift_to_set_bit(&mut fn_, &mut sn);
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(AuditError::ProofLength {
            want,
            got: proof.len(),
        });
    }
    Ok(r)
}

/// Checks that `leaf` (a leaf hash) is at `index` in the tree of `size` leaves whose root is
/// `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), AuditError> {
    if root_from_inclusion_proof(leaf, index, size, proof)? == *root {
        Ok(())
    } else {
        Err(AuditError::InclusionMismatch)
    }
}

/// Checks that the tree of `first` leaves with root `first_root` is a prefix of the tree of
/// `second` leaves with root `second_root`.
///
/// Edge cases: `first > second` is an error; `first == second` needs an empty proof and equal
/// roots; `first == 0` needs an empty proof and `first_root` equal to the empty-tree root.
/// Otherwise RFC 9162 §2.1.4.2 runs unchanged, including its final check that the second
/// tree size was fully consumed.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), AuditError> {
    let mismatch = AuditError::ConsistencyMismatch { first, second };
    let want = consistency_subtrees(first, second)?.len();
    if proof.len() != want {
        return Err(AuditError::ProofLength {
            want,
            got: proof.len(),
        });
    }
    if first == second {
        return if first_root == second_root {
            Ok(())
        } else {
            Err(mismatch)
        };
    }
    if first == 0 {
        return if *first_root == empty_root() {
            Ok(())
        } else {
            Err(mismatch)
        };
    }
    // Step 1: an empty proof fails (unreachable after the length check, kept for fidelity).
    let Some((head, rest)) = proof.split_first() else {
        return Err(mismatch);
    };
    // Step 2: when first is a power of two, first_root is the first element of the path.
    let (start, rest) = if first.is_power_of_two() {
        (first_root, proof)
    } else {
        (head, rest)
    };
    // Steps 3 and 4.
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    let (mut fr, mut sr) = (*start, *start);
    // Step 6.
    for c in rest {
        if sn == 0 {
            return Err(mismatch);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                shift_to_set_bit(&mut fn_, &mut sn);
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7: both roots match and the second size was fully consumed.
    if fr == *first_root && sr == *second_root && sn == 0 {
        Ok(())
    } else {
        Err(mismatch)
    }
}
