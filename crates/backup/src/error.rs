//! The one error type of this crate. Messages name files and reasons, never data or secrets.

use jaga_core::store::StoreError;

/// Why a backup, verification, restore or drill failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Neither a recipient nor a passphrase was given.
    #[error(
        "no recipient and no passphrase: a backup is never written unencrypted (give --recipient AGE_PUBLIC_KEY, set [backup] recipients in jaga.toml, or give --passphrase-file FILE)"
    )]
    NoKey,
    /// The key given does not open the backup.
    #[error("the backup cannot be opened with this key (wrong identity or passphrase): {0}")]
    WrongKey(String),
    /// The backup is damaged, truncated or not a Jaga backup.
    #[error("the backup is damaged or incomplete: {0}")]
    Corrupt(String),
    /// A usage problem (bad recipient, target exists, …).
    #[error("{0}")]
    Invalid(String),
    /// A file operation failed.
    #[error("{0}")]
    Io(String),
    /// The backup was abandoned because its database dump failed (the dump's error is
    /// reported instead).
    #[error("the backup was abandoned")]
    Aborted,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// Whether the backup itself is bad (damaged, truncated, wrong key), as opposed to a usage
    /// or environment problem: the CLI exits 1 for these.
    pub fn is_bad_backup(&self) -> bool {
        matches!(self, BackupError::WrongKey(_) | BackupError::Corrupt(_))
    }

    /// An I/O error with what was being done.
    pub(crate) fn io(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Self {
        BackupError::Io(format!("{what}: {e}"))
    }
}
