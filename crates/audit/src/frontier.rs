//! The right edge of a Merkle tree, enough to append and to compute the root in O(log n).

use crate::hash::{Hash, empty_root, node_hash};

/// A complete (perfect) subtree finished by an append: it covers leaves
/// `[index << level, (index + 1) << level)`. Level 0 is a leaf hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedNode {
    /// Height of the subtree (0 = leaf).
    pub level: u8,
    /// Position of the subtree among those of its level.
    pub index: u64,
    /// The subtree's hash.
    pub hash: Hash,
}

/// A frontier could not be decoded from its stored bytes.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FrontierError {
    /// The byte length does not match the number of subtrees the size implies.
    #[error("frontier encoding has {got} bytes, size {size} needs {want}")]
    Length {
        /// The tree size the frontier was decoded for.
        size: u64,
        /// Bytes needed.
        want: usize,
        /// Bytes given.
        got: usize,
    },
}

/// The right edge of a Merkle tree of `size` leaves: the hash of one complete subtree per set bit
/// of `size`, from the largest (leftmost) to the smallest (rightmost).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// Complete subtree hashes, leftmost (highest level) first.
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves in the tree.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; returns every complete subtree the append finished, the leaf itself
    /// first (level 0) and then one per carry, so a store can persist them for proof generation.
    pub fn push(&mut self, leaf: Hash) -> Vec<CompletedNode> {
        let index = self.size;
        let mut done = vec![CompletedNode {
            level: 0,
            index,
            hash: leaf,
        }];
        let mut hash = leaf;
        let mut level = 0u8;
        let mut j = index;
        // Each trailing one bit of the old size is a subtree of equal height to merge with.
        while j & 1 == 1 {
            let left = self
                .nodes
                .pop()
                .expect("a set bit of size has a frontier node");
            hash = node_hash(&left, &hash);
            level += 1;
            j >>= 1;
            done.push(CompletedNode {
                level,
                index: j,
                hash,
            });
        }
        self.nodes.push(hash);
        self.size += 1;
        done
    }

    /// Appends a leaf hash without reporting the finished subtrees (no allocation): the fast
    /// path for recomputing a root from many leaves.
    pub fn append(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut j = self.size;
        while j & 1 == 1 {
            let Some(left) = self.nodes.pop() else { break };
            hash = node_hash(&left, &hash);
            j >>= 1;
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// The tree root (RFC 9162 MTH): the frontier folded from the right.
    pub fn root(&self) -> Hash {
        let mut iter = self.nodes.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// Stored form: the concatenated subtree hashes (32 bytes each, leftmost first).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.nodes.concat()
    }

    /// Rebuilds a frontier for a tree of `size` leaves from [`Frontier::to_bytes`] output.
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Result<Self, FrontierError> {
        let want = size.count_ones() as usize * 32;
        if bytes.len() != want {
            return Err(FrontierError::Length {
                size,
                want,
                got: bytes.len(),
            });
        }
        let nodes = bytes
            .chunks_exact(32)
            .map(|c| c.try_into().expect("chunks are 32 bytes"))
            .collect();
        Ok(Self { size, nodes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    /// RFC 6962 test leaves and the reference roots for trees of 0..=8 leaves.
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn frontier_matches_rfc6962_reference_roots() {
        let mut f = Frontier::new();
        assert_eq!(hex::encode(f.root()), ROOTS[0]);
        for (i, leaf) in LEAVES.iter().enumerate() {
            f.push(leaf_hash(&hex::decode(leaf).unwrap()));
            assert_eq!(hex::encode(f.root()), ROOTS[i + 1], "size {}", i + 1);
        }
    }

    #[test]
    fn frontier_round_trips_and_rejects_wrong_length() {
        let mut f = Frontier::new();
        for i in 0..13u8 {
            f.push(leaf_hash(&[i]));
        }
        let again = Frontier::from_bytes(13, &f.to_bytes()).unwrap();
        assert_eq!(again, f);
        assert!(Frontier::from_bytes(12, &f.to_bytes()).is_err());
    }

    #[test]
    fn push_reports_completed_subtrees() {
        let mut f = Frontier::new();
        f.push(leaf_hash(b"a"));
        f.push(leaf_hash(b"b"));
        f.push(leaf_hash(b"c"));
        let done = f.push(leaf_hash(b"d"));
        // Leaf 3 completes (1,1) and (2,0); (2,0) is the whole 4-leaf tree.
        assert_eq!(
            done.iter().map(|n| (n.level, n.index)).collect::<Vec<_>>(),
            vec![(0, 3), (1, 1), (2, 0)]
        );
        assert_eq!(done[2].hash, f.root());
    }
}
