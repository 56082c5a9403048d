//! Jaga's backups and erasure ledger.
//!
//! - [`create`] takes a consistent online snapshot of the database (through the store's
//!   [`LifecycleStore`](jaga_core::store::LifecycleStore) port) and of the data directory (the
//!   configuration, unseal material, audit signer files, the erasure ledger), and writes it as
//!   one file: an [`archive`] (entries, then a manifest with a SHA-256 per entry) compressed with
//!   zstd and encrypted with `age` to the owner's X25519 recipients and/or a passphrase
//!   ([`keys`]). It is written to a temporary name and renamed only when complete, with a
//!   `.sha256` file beside it, so an interrupted backup never looks like a finished one.
//! - [`verify`] checks a backup without restoring it: the checksum file without a key, every
//!   entry's checksum and the manifest with one.
//! - [`restore`] unpacks into a temporary directory next to the target, replays the current
//!   [`ledger`] (so a customer erased after the backup stays erased) through the store port, and
//!   renames the directory into place only when everything succeeded.
//! - [`drill`] restores the newest backup into a temporary directory, verifies the audit log
//!   and the counts, and reports; [`rotate`] keeps N daily and M weekly backups.
//!
//! No database or HTTP crate: the binary hands in the store and a way to open one.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod archive;
pub mod config;
mod create;
mod drill;
mod error;
pub mod keys;
pub mod ledger;
mod restore;
pub mod rotate;

pub use config::BackupConfig;
pub use create::{CreateOptions, Created, Dump, Progress, create};
pub use drill::{DrillReport, drill};
pub use error::BackupError;
pub use restore::{
    OpenStore, RestoreOptions, Restored, TableTarget, Verified, checksum_path, restore, verify,
};

/// File name suffix of a backup (`jaga-backup-20261207T100000Z.age`).
pub const SUFFIX: &str = ".age";
/// File name prefix of a backup.
pub const PREFIX: &str = "jaga-backup-";
/// Suffix of the checksum file written beside each backup (`sha256sum` format).
pub const CHECKSUM_SUFFIX: &str = ".sha256";
/// The database file name in a data directory (and in the archive, under `database/`).
pub const DB_FILE: &str = "jaga.db";
