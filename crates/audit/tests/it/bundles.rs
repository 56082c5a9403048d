//! Offline bundles: a real event proven against a signed checkpoint, and every kind of damage.

use jaga_audit::event::{ActorKind, AuditEvent, encode};
use jaga_audit::{
    AuditError, Bundle, MemoryTree, Signer, SigningKeyPair, inclusion_proof, leaf_hash,
    verify_bundle,
};

const ORIGIN: &str = "toko.example/jaga/audit/2026a";

fn event(seq: u64) -> AuditEvent {
    AuditEvent {
        seq,
        ts_ms: 1_767_225_600_000 + seq,
        actor_kind: ActorKind::ApiKey,
        actor_id: "key-1".into(),
        action: "customer.read".into(),
        customer_id: Some(format!("C-{seq}")),
        fields: vec!["email".into()],
        purpose: None,
        outcome: "ok".into(),
        request_id: Some(format!("req-{seq}")),
    }
}

struct Log {
    leaves: Vec<Vec<u8>>,
    tree: MemoryTree,
    signer: Signer,
}

fn log(n: u64) -> Log {
    let leaves: Vec<Vec<u8>> = (0..n).map(|i| encode(&event(i))).collect();
    let tree = MemoryTree::from_leaf_hashes(leaves.iter().map(|l| leaf_hash(l)));
    let signer = Signer::new(SigningKeyPair::from_seed(ORIGIN, &[3; 32]).unwrap());
    Log {
        leaves,
        tree,
        signer,
    }
}

fn bundle(log: &mut Log, index: u64) -> Bundle {
    let size = log.tree.size();
    let signed = log.signer.sign(size, log.tree.root(), &[]).unwrap();
    Bundle {
        index,
        leaf: log.leaves[index as usize].clone(),
        proof: inclusion_proof(&mut &log.tree, index, size).unwrap(),
        checkpoint_note: signed.note,
    }
}

#[test]
fn bundle_round_trips_and_verifies() {
    let mut log = log(37);
    let key = log.signer.verifier().clone();
    let b = bundle(&mut log, 21);
    let text = b.to_text();
    assert!(
        text.starts_with("jaga-audit-bundle v1\nindex 21\nleaf AXsi"),
        "{text}"
    );
    assert_eq!(Bundle::parse(&text).unwrap(), b);
    let v = verify_bundle(&text, &key).unwrap();
    assert_eq!(v.event, event(21));
    assert_eq!(v.index, 21);
    assert_eq!(v.checkpoint.size, 37);
    assert_eq!(v.leaf_hash, leaf_hash(&b.leaf));
}

#[test]
fn damaged_bundles_fail() {
    let mut log = log(37);
    let key = log.signer.verifier().clone();
    let good = bundle(&mut log, 21);
    assert!(good.verify(&key).is_ok());

    let mut b = good.clone();
    b.leaf = encode(&AuditEvent {
        outcome: "denied".into(),
        ..event(21)
    });
    assert_eq!(b.verify(&key), Err(AuditError::InclusionMismatch));

    let mut b = good.clone();
    b.leaf = log.leaves[22].clone();
    assert!(matches!(
        b.verify(&key),
        Err(AuditError::SeqMismatch { seq: 22, index: 21 })
    ));

    let mut b = good.clone();
    b.index = 22;
    assert!(b.verify(&key).is_err());

    let mut b = good.clone();
    b.proof[0][5] ^= 0x10;
    assert_eq!(b.verify(&key), Err(AuditError::InclusionMismatch));

    let mut b = good.clone();
    b.proof.pop();
    assert!(matches!(
        b.verify(&key),
        Err(AuditError::ProofLength { .. })
    ));

    let mut b = good.clone();
    b.checkpoint_note = b.checkpoint_note.replacen("\n37\n", "\n38\n", 1);
    assert!(matches!(
        b.verify(&key),
        Err(AuditError::BadSignature { .. })
    ));

    let other = SigningKeyPair::from_seed(ORIGIN, &[4; 32]).unwrap();
    assert_eq!(
        good.verify(other.verifier()),
        Err(AuditError::NoTrustedSignature)
    );

    // A checkpoint from an earlier, smaller tree does not contain the leaf at its index.
    let mut small = self::log(10);
    let mut b = good.clone();
    b.checkpoint_note = small.signer.sign(10, small.tree.root(), &[]).unwrap().note;
    assert!(matches!(
        b.verify(&key),
        Err(AuditError::IndexOutOfRange { .. })
    ));
}

#[test]
fn malformed_bundle_text_is_rejected() {
    let mut log = log(5);
    let text = bundle(&mut log, 3).to_text();
    let proof_line = text
        .lines()
        .find(|l| l.starts_with("proof "))
        .unwrap()
        .to_owned();
    let bad = [
        String::new(),
        text.replace("jaga-audit-bundle v1", "jaga-audit-bundle v2"),
        text.replace("index 3", "index 03"),
        text.replace("index 3", "index -3"),
        text.replace("index 3", "index 99999999999999999999"),
        text.replacen("\nleaf ", "\nleaves ", 1),
        text.replacen("\nleaf A", "\nleaf !", 1),
        text.replacen(&proof_line, &proof_line[..proof_line.len() - 4], 1),
        text.replacen(&proof_line, &format!("{proof_line}\nextra"), 1),
        text.replacen("\n\n", "\n", 1),
        text.replacen(&proof_line, &format!("{proof_line}\n").repeat(65), 1),
    ];
    for b in bad {
        assert!(Bundle::parse(&b).is_err(), "{b:?}");
    }
    // A bundle whose note part is damaged parses but fails verification.
    let damaged = text.replace('\u{2014}', "-");
    assert!(verify_bundle(&damaged, log.signer.verifier()).is_err());
}
