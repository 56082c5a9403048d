//! Inclusion and consistency proof generation (RFC 9162 §2.1.3.1 and §2.1.4.1) for trees that
//! live in a database rather than in memory.
//!
//! A proof is a list of subtree hashes. Every subtree a proof needs is either a complete
//! (perfect) subtree, which a store keeps as one row keyed `(level, index)`, or the ragged right
//! edge of the tree, whose hash is folded from at most `log2 n` complete subtrees. Generation
//! therefore goes in two steps so an async store can fetch everything in one query:
//!
//! 1. [`inclusion_nodes`] / [`consistency_nodes`] say which `(level, index)` nodes to read;
//! 2. [`inclusion_proof`] / [`consistency_proof`] build the proof from a [`NodeSource`], for
//!    example a `HashMap<NodeId, Hash>` filled with the rows read in step 1.

use std::collections::{BTreeMap, HashMap};

use crate::error::AuditError;
use crate::hash::{Hash, empty_root, node_hash};

/// A complete subtree: `2^level` leaves starting at leaf `index << level`. Level 0 is a leaf
/// hash. This is the key of a stored node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height of the subtree (0 = leaf).
    pub level: u8,
    /// Position of the subtree among those of its level.
    pub index: u64,
}

/// Where proof generation reads stored complete-subtree hashes from.
///
/// Implementations return the hash of the complete subtree `(level, index)`, or
/// [`AuditError::NodeUnavailable`] when it is missing or cannot be read.
pub trait NodeSource {
    /// The hash of the complete subtree `(level, index)`.
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, AuditError>;
}

fn missing(level: u8, index: u64) -> AuditError {
    AuditError::NodeUnavailable {
        level,
        index,
        reason: "not in the node set".into(),
    }
}

impl NodeSource for HashMap<NodeId, Hash> {
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, AuditError> {
        self.get(&NodeId { level, index })
            .copied()
            .ok_or_else(|| missing(level, index))
    }
}

impl NodeSource for BTreeMap<NodeId, Hash> {
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, AuditError> {
        self.get(&NodeId { level, index })
            .copied()
            .ok_or_else(|| missing(level, index))
    }
}

/// Adapts a closure `FnMut(level, index) -> Result<Hash, AuditError>` into a [`NodeSource`].
#[derive(Debug, Clone)]
pub struct FnSource<F>(pub F);

impl<F: FnMut(u8, u64) -> Result<Hash, AuditError>> NodeSource for FnSource<F> {
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, AuditError> {
        (self.0)(level, index)
    }
}

/// The subtree over leaves `[start, end)` whose hash a proof needs, as RFC 9162 `MTH(D[start:end])`.
///
/// `start` is always aligned so that the subtree is the tree the RFC recursion would build:
/// either complete, or ragged at the right edge of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subtree {
    start: u64,
    end: u64,
}

impl Subtree {
    /// First leaf.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// One past the last leaf.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether this subtree is a single complete (stored) node.
    pub fn is_complete(&self) -> bool {
        (self.end - self.start).is_power_of_two()
    }

    /// The complete subtrees this subtree is made of, leftmost (largest) first: one per set bit
    /// of its width. A complete subtree is a single node.
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut out = Vec::with_capacity((self.end - self.start).count_ones() as usize);
        let mut pos = self.start;
        let width = self.end - self.start;
        for level in (0..64u8).rev() {
            if width & (1 << level) != 0 {
                out.push(NodeId {
                    level,
                    index: pos >> level,
                });
                pos += 1 << level;
            }
        }
        out
    }

    /// The subtree hash, read from `source` (complete) or folded right to left from its complete
    /// parts (ragged), exactly as RFC 9162 MTH splits it.
    pub fn hash<S: NodeSource + ?Sized>(&self, source: &mut S) -> Result<Hash, AuditError> {
        if self.start == self.end {
            return Ok(empty_root());
        }
        let nodes = self.nodes();
        let mut hashes = Vec::with_capacity(nodes.len());
        for n in &nodes {
            hashes.push(source.node(n.level, n.index)?);
        }
        let mut iter = hashes.into_iter().rev();
        let last = iter.next().unwrap_or_else(empty_root);
        Ok(iter.fold(last, |acc, left| node_hash(&left, &acc)))
    }
}

/// Largest power of two strictly less than `n` (`n >= 2`).
pub(crate) fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The subtrees of the inclusion proof of leaf `index` in a tree of `size` leaves, in proof
/// order (RFC 9162 §2.1.3.1 `PATH`, leaf level first).
pub fn inclusion_subtrees(index: u64, size: u64) -> Result<Vec<Subtree>, AuditError> {
    if index >= size {
        return Err(AuditError::IndexOutOfRange { index, size });
    }
    // Walk down from the root, recording the sibling at each split; the proof lists them
    // bottom-up, so reverse at the end.
    let mut out = Vec::new();
    let (mut start, mut end) = (0u64, size);
    while end - start > 1 {
        let k = split_point(end - start);
        if index - start < k {
            out.push(Subtree {
                start: start + k,
                end,
            });
            end = start + k;
        } else {
            out.push(Subtree {
                start,
                end: start + k,
            });
            start += k;
        }
    }
    out.reverse();
    Ok(out)
}

/// The subtrees of the consistency proof from a tree of `first` leaves to one of `second`
/// leaves, in proof order (RFC 9162 §2.1.4.1 `PROOF`/`SUBPROOF`). Empty when
/// `first == second` or `first == 0`.
pub fn consistency_subtrees(first: u64, second: u64) -> Result<Vec<Subtree>, AuditError> {
    if first > second {
        return Err(AuditError::SizeOrder { first, second });
    }
    let mut out = Vec::new();
    if first == 0 || first == second {
        return Ok(out);
    }
    // SUBPROOF(m, D[start:end], b), unrolled: each step records a sibling, the proof lists them
    // from the innermost recursion outwards.
    let (mut m, mut start, mut end, mut whole) = (first, 0u64, second, true);
    loop {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(Subtree { start, end });
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            out.push(Subtree {
                start: start + k,
                end,
            });
            end = start + k;
        } else {
            out.push(Subtree {
                start,
                end: start + k,
            });
            m -= k;
            start += k;
            whole = false;
        }
    }
    // The proof lists the terminal (innermost) hash first, then the siblings bottom-up.
    out.reverse();
    Ok(out)
}

fn nodes_of(subtrees: &[Subtree]) -> Vec<NodeId> {
    let mut ids: Vec<NodeId> = subtrees.iter().flat_map(Subtree::nodes).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Every stored node `(level, index)` needed to build the inclusion proof of leaf `index` in a
/// tree of `size` leaves: at most `2 * log2(size)` of them. Sorted, without duplicates.
pub fn inclusion_nodes(index: u64, size: u64) -> Result<Vec<NodeId>, AuditError> {
    Ok(nodes_of(&inclusion_subtrees(index, size)?))
}

/// Every stored node needed to build the consistency proof from `first` to `second` leaves.
/// Sorted, without duplicates.
pub fn consistency_nodes(first: u64, second: u64) -> Result<Vec<NodeId>, AuditError> {
    Ok(nodes_of(&consistency_subtrees(first, second)?))
}

/// Every stored node needed to compute the root of the tree of `size` leaves (one per set bit
/// of `size`).
pub fn root_nodes(size: u64) -> Vec<NodeId> {
    Subtree {
        start: 0,
        end: size,
    }
    .nodes()
}

fn build<S: NodeSource + ?Sized>(
    subtrees: &[Subtree],
    source: &mut S,
) -> Result<Vec<Hash>, AuditError> {
    subtrees.iter().map(|s| s.hash(source)).collect()
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves, from stored nodes.
pub fn inclusion_proof<S: NodeSource + ?Sized>(
    source: &mut S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, AuditError> {
    build(&inclusion_subtrees(index, size)?, source)
}

/// The consistency proof from the tree of `first` leaves to the tree of `second` leaves.
pub fn consistency_proof<S: NodeSource + ?Sized>(
    source: &mut S,
    first: u64,
    second: u64,
) -> Result<Vec<Hash>, AuditError> {
    build(&consistency_subtrees(first, second)?, source)
}

/// The root of the tree of `size` leaves (which may be older than the stored tree), from stored
/// nodes.
pub fn root_at<S: NodeSource + ?Sized>(source: &mut S, size: u64) -> Result<Hash, AuditError> {
    Subtree {
        start: 0,
        end: size,
    }
    .hash(source)
}

/// A whole tree in memory: every complete subtree of every level. For tests, differential
/// checks and small logs; a store keeps the same nodes in a table instead.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    /// `levels[l][i]` is the complete subtree `(l, i)`.
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree of the given leaf hashes.
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Appends a leaf hash and every complete subtree it finishes.
    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut level = 0usize;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            if row.len() % 2 == 1 {
                break;
            }
            hash = node_hash(&row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
        }
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        let size = self.size();
        let mut this = self;
        root_at(&mut this, size).unwrap_or_else(|_| empty_root())
    }
}

impl NodeSource for &MemoryTree {
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, AuditError> {
        self.levels
            .get(usize::from(level))
            .and_then(|row| row.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or_else(|| missing(level, index))
    }
}

impl NodeSource for MemoryTree {
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, AuditError> {
        let mut this: &MemoryTree = self;
        this.node(level, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        for (n, k) in [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (1 << 40, 1 << 39),
        ] {
            assert_eq!(split_point(n), k, "n = {n}");
        }
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    #[test]
    fn subtree_nodes_decompose_ragged_edge() {
        let s = Subtree { start: 8, end: 15 };
        assert!(!s.is_complete());
        let ids: Vec<_> = s.nodes().iter().map(|n| (n.level, n.index)).collect();
        assert_eq!(ids, vec![(2, 2), (1, 6), (0, 14)]);
    }

    #[test]
    fn needed_nodes_are_few() {
        let size = 1_000_000u64;
        for index in [0, 1, 499_999, 524_288, 999_999] {
            let nodes = inclusion_nodes(index, size).unwrap();
            assert!(nodes.len() <= 40, "{index}: {}", nodes.len());
        }
        assert!(consistency_nodes(123_457, size).unwrap().len() <= 40);
    }

    #[test]
    fn generation_rejects_bad_arguments() {
        let tree = MemoryTree::from_leaf_hashes((0..5u8).map(|i| leaf_hash(&[i])));
        let mut src = &tree;
        assert!(matches!(
            inclusion_proof(&mut src, 5, 5),
            Err(AuditError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            inclusion_proof(&mut src, 0, 0),
            Err(AuditError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            consistency_proof(&mut src, 4, 3),
            Err(AuditError::SizeOrder { .. })
        ));
        // Past the stored tree the source reports the missing node instead of panicking.
        assert!(matches!(
            inclusion_proof(&mut src, 0, 9),
            Err(AuditError::NodeUnavailable { .. })
        ));
        assert_eq!(
            consistency_proof(&mut src, 0, 5).unwrap(),
            Vec::<Hash>::new()
        );
        assert_eq!(
            consistency_proof(&mut src, 5, 5).unwrap(),
            Vec::<Hash>::new()
        );
    }

    #[test]
    fn map_and_closure_sources_match_memory_tree() {
        let tree = MemoryTree::from_leaf_hashes((0..77u8).map(|i| leaf_hash(&[i])));
        let ids = inclusion_nodes(40, 77).unwrap();
        let mut map: HashMap<NodeId, Hash> = HashMap::new();
        let mut src = &tree;
        for id in &ids {
            map.insert(*id, src.node(id.level, id.index).unwrap());
        }
        let want = inclusion_proof(&mut src, 40, 77).unwrap();
        assert_eq!(inclusion_proof(&mut map, 40, 77).unwrap(), want);
        let mut f = FnSource(|l, i| (&tree).node(l, i));
        assert_eq!(inclusion_proof(&mut f, 40, 77).unwrap(), want);
    }
}
