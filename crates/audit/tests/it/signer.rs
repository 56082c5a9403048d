//! Checkpoints and the signer's refusal to sign heads inconsistent with its last one.

use jaga_audit::{
    AuditError, Checkpoint, MemoryTree, Signer, SigningKeyPair, consistency_proof, leaf_hash,
    open_checkpoint, root_at,
};

const ORIGIN: &str = "toko.example/jaga/audit/2026a";

fn tree(n: u32) -> MemoryTree {
    MemoryTree::from_leaf_hashes((0..n).map(|i| leaf_hash(&i.to_be_bytes())))
}

fn signer() -> Signer {
    Signer::new(SigningKeyPair::from_seed(ORIGIN, &[7; 32]).unwrap())
}

#[test]
fn checkpoint_text_round_trips_and_is_strict() {
    let cp = Checkpoint::new(ORIGIN, 1234, [0xab; 32]).unwrap();
    let text = cp.to_text();
    assert_eq!(
        text,
        format!("{ORIGIN}\n1234\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n")
    );
    assert_eq!(Checkpoint::parse(&text).unwrap(), cp);
    for bad in [
        text.trim_end().to_owned(),
        text.replace("1234", "01234"),
        text.replace("1234", "+1234"),
        text.replace("1234", "-1"),
        text.replace("1234", "18446744073709551616"),
        text.replace("1234", ""),
        text.replace("q6s=", "q6s"),
        text.replace("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", "q6urq6ur"),
        format!("{text}extension\n"),
        text.replacen(ORIGIN, "", 1),
        format!("\n{text}"),
    ] {
        assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
    }
    assert!(Checkpoint::parse("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").is_ok());
}

#[test]
fn signer_signs_consistent_heads_and_refuses_others() {
    let t = tree(300);
    let mut s = signer();
    let first = s.sign(100, root_at(&mut &t, 100).unwrap(), &[]).unwrap();
    assert_eq!(first.checkpoint.size, 100);
    let vkey = s.verifier().clone();
    assert_eq!(open_checkpoint(&first.note, &vkey).unwrap(), first);

    // Consistent growth: accepted.
    let p = consistency_proof(&mut &t, 100, 200).unwrap();
    s.sign(200, root_at(&mut &t, 200).unwrap(), &p).unwrap();
    // Re-signing the same head needs no proof.
    s.sign(200, root_at(&mut &t, 200).unwrap(), &[]).unwrap();

    // A forked history: same size 300, different leaf 150.
    let mut forked = MemoryTree::new();
    for i in 0..300u32 {
        let leaf = if i == 150 {
            b"forged".to_vec()
        } else {
            i.to_be_bytes().to_vec()
        };
        forked.push(leaf_hash(&leaf));
    }
    let fork_proof = consistency_proof(&mut &forked, 200, 300).unwrap();
    let refused = s.sign(300, forked.root(), &fork_proof);
    assert!(
        matches!(refused, Err(AuditError::SignerRefused { size: 300, .. })),
        "{refused:?}"
    );
    // The real history's proof with the forked root: refused.
    let real_proof = consistency_proof(&mut &t, 200, 300).unwrap();
    assert!(s.sign(300, forked.root(), &real_proof).is_err());
    // No proof at all: refused.
    assert!(s.sign(300, t.root(), &[]).is_err());
    // Rollback: refused.
    assert!(s.sign(150, root_at(&mut &t, 150).unwrap(), &[]).is_err());
    // Same size, different root: refused.
    assert!(s.sign(200, root_at(&mut &t, 199).unwrap(), &[]).is_err());
    assert_eq!(s.last_signed().unwrap().size, 200);

    // The real head is still accepted after the refusals.
    let last = s.sign(300, t.root(), &real_proof).unwrap();

    // Resume from the stored note: the state survives, and refusals continue.
    let key = SigningKeyPair::from_seed(ORIGIN, &[7; 32]).unwrap();
    let mut resumed = Signer::resume(key, &last.note).unwrap();
    assert_eq!(resumed.last_signed(), Some(&last.checkpoint));
    assert!(resumed.sign(300, forked.root(), &[]).is_err());
    // A state note signed by another key is not accepted.
    let other = SigningKeyPair::from_seed(ORIGIN, &[8; 32]).unwrap();
    assert!(Signer::resume(other, &last.note).is_err());
}

#[test]
fn checkpoint_from_another_log_is_rejected() {
    let mut s = Signer::new(SigningKeyPair::from_seed("other.example/log", &[7; 32]).unwrap());
    let note = s.sign(1, leaf_hash(b"x"), &[]).unwrap().note;
    // Same key material, but the verifier expects another origin name: the key ID differs, so
    // the signature is from an unknown key.
    let mine = SigningKeyPair::from_seed(ORIGIN, &[7; 32]).unwrap();
    assert_eq!(
        open_checkpoint(&note, mine.verifier()),
        Err(AuditError::NoTrustedSignature)
    );
}
