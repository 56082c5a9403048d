//! Test support for Jaga.
//!
//! - [`Harness`]: a fresh, unsealed [`Vault`] over any [`Store`], with its root key.
//! - [`conformance`]: the store conformance suite. Each store crate instantiates it with
//!   [`conformance_tests!`], so SQLite and PostgreSQL are held to the same behaviour.
//! - [`skip`]: the one rule for PostgreSQL tests (when they run, skip visibly, or fail).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod conformance;
pub mod conformance_audit;
pub mod conformance_fraud;
pub mod conformance_group;
pub mod conformance_ids;
pub mod conformance_jobs;
pub mod conformance_lifecycle;
pub mod conformance_payees;
pub mod conformance_requests;
pub mod conformance_segment_dbs;
pub mod conformance_segments;
pub mod conformance_staff;
pub mod conformance_tamper;
pub mod conformance_tokens;
pub mod skip;

use jaga_core::auth::{ActorKind, Caller, Scope};
use jaga_core::model::NewCustomer;
use jaga_core::store::Store;
use jaga_core::unseal::UnsealConfig;
use jaga_core::vault::Vault;
use jaga_crypto::Key32;
use std::sync::Arc;

/// A vault over a store, initialised and unsealed with a random root key.
pub struct Harness {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The vault.
    pub vault: Arc<Vault>,
    /// The root key (so tests can play an attacker who holds it).
    pub root: Key32,
}

impl Harness {
    /// Initialises keys in `store` and unseals a vault over it.
    pub async fn new(store: Arc<dyn Store>) -> Self {
        let root = Key32::random();
        Vault::initialize(store.as_ref(), &root)
            .await
            .expect("initialize keyring");
        let config = UnsealConfig::Keyfile {
            key_file: "root.key".into(),
            root_check: UnsealConfig::encode_check(&jaga_crypto::unseal::root_check(&root)),
        };
        let vault = Arc::new(Vault::new(store.clone(), config));
        vault.unseal_with_root(root.clone()).await.expect("unseal");
        Self { store, vault, root }
    }

    /// A system caller with every scope (the operator, in tests).
    pub fn admin(&self) -> Caller {
        system_caller("test")
    }

    /// An API-key caller holding only `scopes`.
    pub fn caller(&self, scopes: &[Scope]) -> Caller {
        Caller::for_tests(ActorKind::ApiKey, "testkey", scopes)
    }
}

/// A system caller named `component` with every scope.
pub fn system_caller(component: &str) -> Caller {
    Caller::for_tests(ActorKind::System, component, &Scope::ALL)
}

/// A full customer whose every field carries `marker` (a unique string to search raw bytes for).
/// The NIK and phone are derived from `n` so they are valid and distinct.
pub fn marked_customer(marker: &str, n: u32) -> NewCustomer {
    serde_json::from_value(serde_json::json!({
        "full_name": format!("Dewi {marker}"),
        "email": format!("{}@example.co.id", marker.to_lowercase()),
        "phone": format!("0812{:08}", 10_000_000 + n % 89_999_999),
        "address": {"street": format!("Jl. {marker} No. 5"), "city": "Jakarta Selatan", "province": "DKI Jakarta", "postal_code": "12345"},
        "national_id": nik(n),
        "birth_date": "1990-05-12",
        "preferences": {"skin": format!("oily {marker}")},
        "notes": format!("note {marker}"),
        "marketing_consent": true,
    }))
    .expect("valid customer JSON")
}

/// A structurally valid NIK, distinct per `n` (Jakarta Selatan, born 12-05-1990).
pub fn nik(n: u32) -> String {
    format!("317401120590{:04}", 1 + n % 9999)
}
