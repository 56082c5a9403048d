//! The data lifecycle's domain types: the erasure ledger's entries and the hook through which
//! the vault reports each erasure to the ledger the binary keeps outside the database.
//!
//! The ledger exists because a restore brings the database back to an older state: a customer
//! erased after the backup was taken would come back with it. Every erasure is therefore also
//! written to a ledger held outside the database (a file in the data directory, copies with the
//! witnesses), and a restore replays the current ledger before the restored vault can be read.
//! An entry names the customer by id, the segment, the time and who erased it — never a value.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One erasure: who was erased, in which segment, when and by whom. Never a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureEntry {
    /// The erased customer's id.
    pub customer_id: Uuid,
    /// The customer's segment.
    pub segment: String,
    /// When the erasure committed, ms since the epoch (UTC).
    pub erased_at: i64,
    /// Who erased it: an API key id, a staff id or a system component (as in the audit log).
    pub by: String,
}

/// Receives every erasure the vault commits (see [`crate::vault::Vault::set_erasure_sink`]).
/// The binary's implementation appends to the erasure ledger file; it must not block for long
/// and must never fail the erasure, which has already committed.
pub trait ErasureSink: Send + Sync {
    /// Records one committed erasure.
    fn erased(&self, entry: &ErasureEntry);
}
