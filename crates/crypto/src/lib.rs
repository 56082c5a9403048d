//! Jaga's cryptography, in one place and free of I/O.
//!
//! # Key hierarchy
//!
//! ```text
//! unseal secret (key file | Argon2id passphrase | Shamir k-of-n shares)   — see [`unseal`]
//!   └─ RootKey (memory only)
//!        ├─ KEK versions (random, stored wrapped under the root key)     — see [`keys`]
//!        │    └─ segment KEK = HKDF(KEK, segment) ── wraps ─► per-customer DEK
//!        ├─ blind-index root key → HKDF per field                         — see [`blind`]
//!        └─ API-key hashing key (HKDF of the root key)                    — see [`apikey`]
//! ```
//!
//! # Field format
//!
//! Every stored ciphertext (customer fields, wrapped DEKs, wrapped KEKs) uses one format, see
//! [`field`]: `version(1) ‖ alg(1) ‖ key_version(4, BE) ‖ nonce(12) ‖ ciphertext ‖ tag(16)`,
//! AES-256-GCM-SIV, with the header and a length-prefixed [`field::Context`] (segment, table,
//! record id, field) as associated data, so a ciphertext moved to another record, field or segment
//! fails to decrypt.
//!
//! Secrets are typed: [`secret::Key32`] holds key bytes in a zeroizing box whose `Debug` prints
//! nothing secret.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod apikey;
pub mod blind;
pub mod code;
mod error;
pub mod field;
pub mod keys;
pub mod otp;
pub mod password;
pub mod secret;
pub mod unseal;

pub use error::CryptoError;
pub use secret::Key32;
