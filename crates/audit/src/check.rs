//! Whole-log verification helpers for `jaga audit verify`: recompute the tree from the stored
//! leaves and find the first position where the stored data disagrees with itself.

use crate::frontier::Frontier;
use crate::hash::{Hash, leaf_hash};

/// Where and how a list of leaves first disagrees with the expected leaf hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// The leaf at `position` does not hash to the expected leaf hash (modified, inserted,
    /// deleted or reordered event).
    HashDiffers {
        /// Leaf index.
        position: u64,
        /// `leaf_hash` of the leaf bytes.
        computed: Hash,
        /// The hash it was expected to have.
        expected: Hash,
    },
    /// There are fewer leaves than expected hashes; the first missing leaf is at `position`.
    MissingLeaf {
        /// Leaf index.
        position: u64,
    },
    /// There are more leaves than expected hashes; the first extra leaf is at `position`.
    ExtraLeaf {
        /// Leaf index.
        position: u64,
    },
}

impl Mismatch {
    /// The first bad leaf index.
    pub fn position(&self) -> u64 {
        match *self {
            Self::HashDiffers { position, .. }
            | Self::MissingLeaf { position }
            | Self::ExtraLeaf { position } => position,
        }
    }
}

/// Streaming recomputation of a tree: push leaves (bytes or hashes) in order; the root at the
/// current size is available at any time in O(log n), so a verifier can compare it with every
/// stored checkpoint as it passes that size.
#[derive(Debug, Clone, Default)]
pub struct TreeCheck {
    frontier: Frontier,
    first_mismatch: Option<Mismatch>,
}

impl TreeCheck {
    /// An empty check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves pushed.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root of the leaves pushed so far.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// Pushes a leaf hash.
    pub fn push_hash(&mut self, hash: Hash) {
        self.frontier.append(hash);
    }

    /// Pushes leaf bytes together with the leaf hash stored for them; the tree is built from
    /// the hash of the bytes, and the first disagreement is remembered. Returns the leaf hash.
    pub fn push_leaf(&mut self, leaf: &[u8], stored_hash: &Hash) -> Hash {
        let computed = leaf_hash(leaf);
        if computed != *stored_hash && self.first_mismatch.is_none() {
            self.first_mismatch = Some(Mismatch::HashDiffers {
                position: self.size(),
                computed,
                expected: *stored_hash,
            });
        }
        self.frontier.append(computed);
        computed
    }

    /// Records a mismatch found by the caller (e.g. a missing or extra row), unless an earlier
    /// one is already recorded.
    pub fn record(&mut self, mismatch: Mismatch) {
        if self
            .first_mismatch
            .is_none_or(|m| mismatch.position() < m.position())
        {
            self.first_mismatch = Some(mismatch);
        }
    }

    /// The first disagreement seen, if any.
    pub fn first_mismatch(&self) -> Option<Mismatch> {
        self.first_mismatch
    }
}

/// The size and root of the tree over `leaf_hashes`.
pub fn root_from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaf_hashes: I) -> (u64, Hash) {
    let mut f = Frontier::new();
    for h in leaf_hashes {
        f.append(h);
    }
    (f.size(), f.root())
}

/// The outcome of [`compare_leaves`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafReport {
    /// Number of leaves read.
    pub size: u64,
    /// Root of the tree recomputed from the leaves (not from the expected hashes).
    pub root: Hash,
    /// The first position where leaves and expected hashes disagree.
    pub first_mismatch: Option<Mismatch>,
}

/// Hashes every leaf, recomputes the root, and reports the first position where the leaves
/// disagree with `expected` (a leaf whose hash differs, or one list being longer).
pub fn compare_leaves<L, B, E>(leaves: L, expected: E) -> LeafReport
where
    L: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
    E: IntoIterator<Item = Hash>,
{
    let mut check = TreeCheck::new();
    let mut expected = expected.into_iter();
    for leaf in leaves {
        match expected.next() {
            Some(want) => {
                check.push_leaf(leaf.as_ref(), &want);
            }
            None => {
                let position = check.size();
                check.record(Mismatch::ExtraLeaf { position });
                check.push_hash(leaf_hash(leaf.as_ref()));
            }
        }
    }
    if expected.next().is_some() {
        check.record(Mismatch::MissingLeaf {
            position: check.size(),
        });
    }
    LeafReport {
        size: check.size(),
        root: check.root(),
        first_mismatch: check.first_mismatch(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proof::MemoryTree;

    fn leaves(n: u32) -> Vec<Vec<u8>> {
        (0..n).map(|i| i.to_be_bytes().to_vec()).collect()
    }

    #[test]
    fn recomputed_root_matches_memory_tree() {
        let l = leaves(1000);
        let hashes: Vec<Hash> = l.iter().map(|x| leaf_hash(x)).collect();
        let (size, root) = root_from_leaf_hashes(hashes.iter().copied());
        assert_eq!(size, 1000);
        assert_eq!(
            root,
            MemoryTree::from_leaf_hashes(hashes.iter().copied()).root()
        );
        let report = compare_leaves(&l, hashes.iter().copied());
        assert_eq!(
            report,
            LeafReport {
                size: 1000,
                root,
                first_mismatch: None
            }
        );
    }

    #[test]
    fn reports_first_modified_deleted_inserted_reordered_leaf() {
        let l = leaves(100);
        let hashes: Vec<Hash> = l.iter().map(|x| leaf_hash(x)).collect();

        let mut modified = l.clone();
        modified[40][0] ^= 1;
        modified[70][0] ^= 1;
        let r = compare_leaves(&modified, hashes.iter().copied());
        assert_eq!(r.first_mismatch.map(|m| m.position()), Some(40));

        let mut deleted = l.clone();
        deleted.remove(13);
        let r = compare_leaves(&deleted, hashes.iter().copied());
        assert_eq!(r.first_mismatch.map(|m| m.position()), Some(13));

        let mut inserted = l.clone();
        inserted.insert(99, b"forged".to_vec());
        let r = compare_leaves(&inserted, hashes.iter().copied());
        assert_eq!(r.first_mismatch.map(|m| m.position()), Some(99));

        let mut reordered = l.clone();
        reordered.swap(5, 6);
        let r = compare_leaves(&reordered, hashes.iter().copied());
        assert_eq!(r.first_mismatch.map(|m| m.position()), Some(5));

        let r = compare_leaves(&l[..60], hashes.iter().copied());
        assert_eq!(
            r.first_mismatch,
            Some(Mismatch::MissingLeaf { position: 60 })
        );
        let r = compare_leaves(&l, hashes[..60].iter().copied());
        assert_eq!(r.first_mismatch, Some(Mismatch::ExtraLeaf { position: 60 }));
    }
}
