//! Shamir unsealing against a real store: a share from another split cannot spoil the shares
//! the real holders have submitted.

use jaga_core::store::Store;
use jaga_core::unseal::UnsealConfig;
use jaga_core::vault::Vault;
use jaga_crypto::Key32;
use jaga_crypto::unseal::{root_check, share_fingerprint, split};
use jaga_store_sqlite::SqliteStore;
use std::sync::Arc;

/// A Shamir-sealed vault on a store in a temporary directory (removed when the returned guard
/// drops, at the end of the test), and the real shares.
async fn vault(fingerprints: bool) -> (Vault, Vec<String>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap(),
    );
    let root = Key32::random();
    Vault::initialize(store.as_ref(), &root).await.unwrap();
    let shares: Vec<String> = split(&root, 2, 3)
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let config = UnsealConfig::Shamir {
        threshold: 2,
        shares: 3,
        root_check: UnsealConfig::encode_check(&root_check(&root)),
        share_fingerprints: if fingerprints {
            shares
                .iter()
                .map(|s| share_fingerprint(s).unwrap())
                .collect()
        } else {
            Vec::new()
        },
    };
    (Vault::new(store, config), shares, dir)
}

fn foreign_share() -> String {
    split(&Key32::random(), 2, 3).unwrap()[1].to_string()
}

#[tokio::test]
async fn a_foreign_share_is_refused_at_once_and_does_not_count() {
    let (v, shares, _dir) = vault(true).await;
    assert_eq!(v.submit_share(&shares[0]).await.unwrap().progress, Some(1));
    let err = v.submit_share(&foreign_share()).await.unwrap_err();
    assert!(err.to_string().contains("does not belong"), "{err}");
    assert_eq!(
        v.status().progress,
        Some(1),
        "the foreign share is not kept"
    );
    // Resubmitting a share already in does not count twice.
    assert_eq!(v.submit_share(&shares[0]).await.unwrap().progress, Some(1));
    assert!(v.is_sealed());
    let st = v.submit_share(&shares[2]).await.unwrap();
    assert!(!st.sealed, "the two real shares unseal");
}

#[tokio::test]
async fn without_fingerprints_a_foreign_share_still_cannot_block_unsealing() {
    let (v, shares, _dir) = vault(false).await;
    v.submit_share(&shares[0]).await.unwrap();
    // Threshold reached, but the combination is wrong: still sealed, shares kept.
    let st = v.submit_share(&foreign_share()).await.unwrap();
    assert!(st.sealed);
    assert_eq!(st.progress, Some(2));
    // The next real share combines with the first one, skipping the foreign one.
    let st = v.submit_share(&shares[1]).await.unwrap();
    assert!(!st.sealed);
}
