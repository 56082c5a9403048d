//! Property tests: for random tree sizes up to 5,000 every proof verifies and any tampering
//! (a flipped bit anywhere in a proof or a root, another index, another size) is rejected.

use jaga_audit::{
    Hash, MemoryTree, consistency_proof, inclusion_proof, leaf_hash, root_at, verify_consistency,
    verify_inclusion,
};
use proptest::prelude::*;

use crate::reference;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn flipped(h: &Hash, bit: usize) -> Hash {
    let mut h = *h;
    h[bit / 8] ^= 1 << (bit % 8);
    h
}

/// 24 cases per property by default (the tree sizes are large); `PROPTEST_CASES` overrides.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig::with_cases(cases.unwrap_or(24))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_proof_verifies(n in 1u64..=5000, pick in any::<u64>()) {
        let leaves = leaves(n);
        let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
        let root = tree.root();
        prop_assert_eq!(root, reference::mth(&leaves));
        for i in 0..n {
            let proof = inclusion_proof(&mut &tree, i, n).unwrap();
            prop_assert!(verify_inclusion(&leaves[i as usize], i, n, &proof, &root).is_ok());
        }
        for m in 0..=n {
            let old = root_at(&mut &tree, m).unwrap();
            let proof = consistency_proof(&mut &tree, m, n).unwrap();
            prop_assert!(verify_consistency(m, n, &old, &root, &proof).is_ok(), "m = {}", m);
        }
        // Differential check against the literal RFC recursion for one index and one old size.
        let i = pick % n;
        prop_assert_eq!(
            inclusion_proof(&mut &tree, i, n).unwrap(),
            reference::path(i as usize, &leaves)
        );
        if n > 1 {
            let m = 1 + pick % (n - 1);
            prop_assert_eq!(
                consistency_proof(&mut &tree, m, n).unwrap(),
                reference::proof(m as usize, &leaves)
            );
        }
    }

    #[test]
    fn tampered_inclusion_fails(n in 2u64..=5000, pick in any::<u64>(), other in any::<u64>()) {
        let leaves = leaves(n);
        let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
        let root = tree.root();
        let i = pick % n;
        let leaf = leaves[i as usize];
        let proof = inclusion_proof(&mut &tree, i, n).unwrap();
        prop_assert!(verify_inclusion(&leaf, i, n, &proof, &root).is_ok());
        for pos in 0..proof.len() {
            for bit in 0..256 {
                let mut bad = proof.clone();
                bad[pos] = flipped(&bad[pos], bit);
                prop_assert!(verify_inclusion(&leaf, i, n, &bad, &root).is_err());
            }
        }
        for bit in 0..256 {
            prop_assert!(verify_inclusion(&leaf, i, n, &proof, &flipped(&root, bit)).is_err());
            prop_assert!(verify_inclusion(&flipped(&leaf, bit), i, n, &proof, &root).is_err());
        }
        for j in (0..n).filter(|&j| j != i) {
            prop_assert!(verify_inclusion(&leaf, j, n, &proof, &root).is_err(), "index {}", j);
        }
        // Another size, checked against that size's real root.
        let n2 = 1 + other % 6000;
        if n2 != n && n2 > i {
            let tree2 = MemoryTree::from_leaf_hashes(self::leaves(n2.max(n)));
            let root2 = root_at(&mut &tree2, n2).unwrap();
            prop_assert!(verify_inclusion(&leaf, i, n2, &proof, &root2).is_err(), "size {}", n2);
        }
    }

    #[test]
    fn tampered_consistency_fails(n in 2u64..=5000, pick in any::<u64>(), other in any::<u64>()) {
        let leaves = leaves(n);
        let tree = MemoryTree::from_leaf_hashes(leaves.iter().copied());
        let root = tree.root();
        let m = 1 + pick % (n - 1);
        let old = root_at(&mut &tree, m).unwrap();
        let proof = consistency_proof(&mut &tree, m, n).unwrap();
        prop_assert!(verify_consistency(m, n, &old, &root, &proof).is_ok());
        for pos in 0..proof.len() {
            for bit in 0..256 {
                let mut bad = proof.clone();
                bad[pos] = flipped(&bad[pos], bit);
                prop_assert!(verify_consistency(m, n, &old, &root, &bad).is_err());
            }
        }
        for bit in 0..256 {
            prop_assert!(verify_consistency(m, n, &flipped(&old, bit), &root, &proof).is_err());
            prop_assert!(verify_consistency(m, n, &old, &flipped(&root, bit), &proof).is_err());
        }
        // Other old sizes with their real roots, and other new sizes with theirs.
        let m2 = other % (n + 1);
        if m2 != m {
            let old2 = root_at(&mut &tree, m2).unwrap();
            prop_assert!(verify_consistency(m2, n, &old2, &root, &proof).is_err(), "m2 = {}", m2);
        }
        let n2 = m + other % 6000;
        if n2 != n {
            let tree2 = MemoryTree::from_leaf_hashes(self::leaves(n2.max(n)));
            let root2 = root_at(&mut &tree2, n2).unwrap();
            prop_assert!(verify_consistency(m, n2, &old, &root2, &proof).is_err(), "n2 = {}", n2);
        }
    }
}
