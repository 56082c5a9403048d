//! Known-answer tests on the RFC 6962 test leaves, and rejection of malformed proofs.

use jaga_audit::{
    AuditError, Hash, MemoryTree, consistency_proof, empty_root, inclusion_proof, leaf_hash,
    root_at, verify_consistency, verify_inclusion,
};

use crate::reference;

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

/// Published CT inclusion vectors for these leaves (0-based index, size, proof).
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// Published CT consistency vectors for these leaves (first, second, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 4] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| h(s)).collect()
}

fn tree() -> (MemoryTree, Vec<Hash>) {
    let leaves: Vec<Hash> = LEAVES
        .iter()
        .map(|l| leaf_hash(&hex::decode(l).unwrap()))
        .collect();
    (MemoryTree::from_leaf_hashes(leaves.iter().copied()), leaves)
}

#[test]
fn roots_match_rfc6962_reference_roots_at_every_size() {
    let (tree, leaves) = tree();
    for size in 0..=8u64 {
        assert_eq!(root_at(&mut &tree, size).unwrap(), h(ROOTS[size as usize]));
        assert_eq!(
            reference::mth(&leaves[..size as usize]),
            h(ROOTS[size as usize])
        );
    }
    assert_eq!(tree.root(), h(ROOTS[8]));
}

#[test]
fn published_inclusion_vectors() {
    let (tree, leaves) = tree();
    for (index, size, proof) in INCLUSION {
        let want = hashes(proof);
        assert_eq!(
            inclusion_proof(&mut &tree, index, size).unwrap(),
            want,
            "({index}, {size})"
        );
        let root = h(ROOTS[size as usize]);
        verify_inclusion(&leaves[index as usize], index, size, &want, &root).unwrap();
    }
}

#[test]
fn published_consistency_vectors() {
    let (tree, _) = tree();
    for (first, second, proof) in CONSISTENCY {
        let want = hashes(proof);
        let got = consistency_proof(&mut &tree, first, second).unwrap();
        assert_eq!(got, want, "({first}, {second})");
        let (r1, r2) = (h(ROOTS[first as usize]), h(ROOTS[second as usize]));
        verify_consistency(first, second, &r1, &r2, &want).unwrap();
    }
}

#[test]
fn every_proof_up_to_8_matches_the_rfc_definitions() {
    let (tree, leaves) = tree();
    for n in 1..=8usize {
        for i in 0..n {
            let got = inclusion_proof(&mut &tree, i as u64, n as u64).unwrap();
            assert_eq!(got, reference::path(i, &leaves[..n]));
        }
        for m in 1..n {
            let got = consistency_proof(&mut &tree, m as u64, n as u64).unwrap();
            assert_eq!(got, reference::proof(m, &leaves[..n]));
        }
    }
}

#[test]
fn malformed_inclusion_proofs_are_rejected() {
    let (tree, leaves) = tree();
    let root = tree.root();
    let proof = inclusion_proof(&mut &tree, 5, 8).unwrap();
    let leaf = leaves[5];
    verify_inclusion(&leaf, 5, 8, &proof, &root).unwrap();

    // Index out of range, size 0.
    assert!(matches!(
        verify_inclusion(&leaf, 8, 8, &proof, &root),
        Err(AuditError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        verify_inclusion(&leaf, 0, 0, &[], &empty_root()),
        Err(AuditError::IndexOutOfRange { .. })
    ));
    // Too long, too short, empty.
    let mut long = proof.clone();
    long.push(proof[0]);
    assert!(matches!(
        verify_inclusion(&leaf, 5, 8, &long, &root),
        Err(AuditError::ProofLength { want: 3, got: 4 })
    ));
    assert!(verify_inclusion(&leaf, 5, 8, &proof[..2], &root).is_err());
    assert!(verify_inclusion(&leaf, 5, 8, &[], &root).is_err());
    // Wrong index, wrong size, wrong leaf, wrong root.
    assert!(verify_inclusion(&leaf, 4, 8, &proof, &root).is_err());
    // (A wrong size is checked against that size's real root: see
    // `size_comes_from_the_checkpoint_not_the_proof`.)
    assert!(verify_inclusion(&leaf, 5, 7, &proof, &h(ROOTS[7])).is_err());
    assert!(verify_inclusion(&leaf, 5, 6, &proof, &h(ROOTS[6])).is_err());
    assert!(verify_inclusion(&leaves[4], 5, 8, &proof, &root).is_err());
    assert_eq!(
        verify_inclusion(&leaf, 5, 8, &proof, &h(ROOTS[7])),
        Err(AuditError::InclusionMismatch)
    );
    // A single-leaf tree needs an empty proof and root == leaf hash.
    verify_inclusion(&leaves[0], 0, 1, &[], &leaves[0]).unwrap();
    assert!(verify_inclusion(&leaves[0], 0, 1, &[leaves[0]], &leaves[0]).is_err());
}

#[test]
fn malformed_consistency_proofs_are_rejected() {
    let (tree, _) = tree();
    let r = |n: usize| h(ROOTS[n]);
    let proof = consistency_proof(&mut &tree, 6, 8).unwrap();
    verify_consistency(6, 8, &r(6), &r(8), &proof).unwrap();

    // first > second.
    assert!(matches!(
        verify_consistency(8, 6, &r(8), &r(6), &proof),
        Err(AuditError::SizeOrder { .. })
    ));
    // Too long / too short / empty.
    let mut long = proof.clone();
    long.push(proof[0]);
    assert!(verify_consistency(6, 8, &r(6), &r(8), &long).is_err());
    assert!(verify_consistency(6, 8, &r(6), &r(8), &proof[..2]).is_err());
    assert!(verify_consistency(6, 8, &r(6), &r(8), &[]).is_err());
    // Wrong sizes, each with its real root.
    assert!(verify_consistency(5, 8, &r(5), &r(8), &proof).is_err());
    assert!(verify_consistency(7, 8, &r(7), &r(8), &proof).is_err());
    assert!(verify_consistency(6, 7, &r(6), &r(7), &proof).is_err());
    // Swapped or wrong roots.
    assert!(verify_consistency(6, 8, &r(8), &r(6), &proof).is_err());
    assert!(verify_consistency(6, 8, &r(5), &r(8), &proof).is_err());
    // m == n: empty proof, equal roots.
    verify_consistency(8, 8, &r(8), &r(8), &[]).unwrap();
    assert!(verify_consistency(8, 8, &r(8), &r(7), &[]).is_err());
    assert!(verify_consistency(8, 8, &r(8), &r(8), &[r(8)]).is_err());
    // m == 0: empty proof, empty old root; any new tree extends it.
    verify_consistency(0, 8, &empty_root(), &r(8), &[]).unwrap();
    verify_consistency(0, 0, &empty_root(), &empty_root(), &[]).unwrap();
    assert!(verify_consistency(0, 8, &r(1), &r(8), &[]).is_err());
    assert!(verify_consistency(0, 8, &empty_root(), &r(8), &[r(8)]).is_err());
    // Power-of-two first size: the old root is implied, not sent.
    let p48 = consistency_proof(&mut &tree, 4, 8).unwrap();
    assert_eq!(p48.len(), 1);
    verify_consistency(4, 8, &r(4), &r(8), &p48).unwrap();
    let mut with_root = vec![r(4)];
    with_root.extend_from_slice(&p48);
    assert!(verify_consistency(4, 8, &r(4), &r(8), &with_root).is_err());
}

/// The inclusion proof binds a leaf to a root, not to a size: a proof for (0, 3) also runs to
/// completion as a claim about (0, 4) with the same root. This is why verifiers take the size
/// from a signed checkpoint, which binds size and root together (see `Bundle::verify`).
#[test]
fn size_comes_from_the_checkpoint_not_the_proof() {
    let (tree, leaves) = tree();
    let proof = inclusion_proof(&mut &tree, 0, 3).unwrap();
    verify_inclusion(&leaves[0], 0, 3, &proof, &h(ROOTS[3])).unwrap();
    verify_inclusion(&leaves[0], 0, 4, &proof, &h(ROOTS[3])).unwrap();
    // Against the real root of size 4 it fails.
    assert!(verify_inclusion(&leaves[0], 0, 4, &proof, &h(ROOTS[4])).is_err());
}
