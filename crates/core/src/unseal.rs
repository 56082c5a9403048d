//! How this installation's root key is obtained: the `unseal.json` file in the data directory.
//!
//! It holds the method and a check value for the root key, never the root key itself (the key
//! file method keeps the key in a separate file with mode 0600).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use jaga_crypto::unseal::PassphraseParams;
use serde::{Deserialize, Serialize};

/// The unseal method and its public parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum UnsealConfig {
    /// The root key is in a file (default; the server unseals itself at start).
    Keyfile {
        /// Path of the key file, relative to the data directory or absolute.
        key_file: String,
        /// Root-key check value, base64.
        root_check: String,
    },
    /// The root key is wrapped under an Argon2id-derived key from a passphrase.
    Passphrase {
        /// Argon2id parameters and salt.
        params: PassphraseParams,
        /// The wrapped root key, base64.
        wrapped_root: String,
        /// Root-key check value, base64.
        root_check: String,
    },
    /// The root key is split into Shamir shares held by people; it is stored nowhere.
    Shamir {
        /// Shares needed.
        threshold: u8,
        /// Shares made.
        shares: u8,
        /// Root-key check value, base64.
        root_check: String,
        /// Fingerprints of the shares made (see `jaga_crypto::unseal::share_fingerprint`), so a
        /// foreign share is refused on submission. Empty in installations made before they were
        /// recorded; those fall back to trying every threshold-sized subset.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        share_fingerprints: Vec<String>,
    },
}

impl UnsealConfig {
    /// The method's name.
    pub fn method(&self) -> &'static str {
        match self {
            UnsealConfig::Keyfile { .. } => "keyfile",
            UnsealConfig::Passphrase { .. } => "passphrase",
            UnsealConfig::Shamir { .. } => "shamir",
        }
    }

    /// The stored root-key check value.
    pub fn root_check(&self) -> Vec<u8> {
        let b = match self {
            UnsealConfig::Keyfile { root_check, .. }
            | UnsealConfig::Passphrase { root_check, .. }
            | UnsealConfig::Shamir { root_check, .. } => root_check,
        };
        B64.decode(b).unwrap_or_default()
    }

    /// Encodes a check value for storage.
    pub fn encode_check(check: &[u8]) -> String {
        B64.encode(check)
    }

    /// Whether a server with this method can unseal itself at start.
    pub fn auto_unseal(&self) -> bool {
        matches!(self, UnsealConfig::Keyfile { .. })
    }
}
