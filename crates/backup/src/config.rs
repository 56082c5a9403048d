//! `[backup]` in `jaga.toml`.
//!
//! ```toml
//! [backup]
//! recipients = ["age1…"]              # the owner's offline age keys (public half)
//! passphrase_file = "backup.pass"      # optional, relative to the data directory
//! dir = "/var/backups/jaga"            # scheduled backups go here; none → no scheduled backups
//! every_hours = 24                     # how often the `backup` job runs
//! keep_daily = 7                       # rotation: newest backup of each of the last N days
//! keep_weekly = 4                      # … and of each of the last M ISO weeks
//! drill_every_days = 30                # the `backup-drill` job (0 = never)
//! drill_identity_file = "drill.key"    # what the drill opens backups with (else passphrase_file)
//! ```

use crate::BackupError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `[backup]` as written.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// age X25519 recipients (`age1…`) every backup is encrypted to.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// A file holding a passphrase every backup is also encrypted to.
    pub passphrase_file: Option<String>,
    /// Where scheduled backups are written.
    pub dir: Option<String>,
    /// Hours between scheduled backups (default 24).
    pub every_hours: Option<u64>,
    /// Daily backups kept (default 7).
    pub keep_daily: Option<usize>,
    /// Weekly backups kept (default 4).
    pub keep_weekly: Option<usize>,
    /// Days between restore drills (default 30; 0 = never).
    pub drill_every_days: Option<u64>,
    /// The age identity file a drill opens backups with.
    pub drill_identity_file: Option<String>,
}

impl BackupConfig {
    /// Checks every value, naming the key at fault.
    pub fn checked(self) -> Result<Self, BackupError> {
        for r in &self.recipients {
            if <crate::keys::Recipient as std::str::FromStr>::from_str(r.trim()).is_err() {
                return Err(BackupError::Invalid(format!(
                    "[backup] recipients: {r:?} is not an age public key (age1… or age1pq1…)"
                )));
            }
        }
        if self.every_hours == Some(0) {
            return Err(BackupError::Invalid(
                "[backup] every_hours must be at least 1".into(),
            ));
        }
        if self.keep_daily == Some(0) && self.keep_weekly == Some(0) {
            return Err(BackupError::Invalid(
                "[backup] keep_daily and keep_weekly cannot both be 0 (nothing would be kept)"
                    .into(),
            ));
        }
        if self.dir.is_some() && self.recipients.is_empty() && self.passphrase_file.is_none() {
            return Err(BackupError::Invalid(
                "[backup] dir is set but there is neither recipients nor passphrase_file: scheduled backups are never written unencrypted".into(),
            ));
        }
        Ok(self)
    }

    /// Hours between backups.
    pub fn every_hours(&self) -> u64 {
        self.every_hours.unwrap_or(24)
    }

    /// Daily backups kept.
    pub fn keep_daily(&self) -> usize {
        self.keep_daily.unwrap_or(7)
    }

    /// Weekly backups kept.
    pub fn keep_weekly(&self) -> usize {
        self.keep_weekly.unwrap_or(4)
    }

    /// Days between drills (0 = never).
    pub fn drill_every_days(&self) -> u64 {
        self.drill_every_days.unwrap_or(30)
    }

    /// A path of this section resolved against the data directory.
    pub fn path(data_dir: &Path, p: &str) -> PathBuf {
        if Path::new(p).is_absolute() {
            PathBuf::from(p)
        } else {
            data_dir.join(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_named() {
        let bad: Result<BackupConfig, _> = toml_like("recipients = [\"x\"]");
        let e = bad.unwrap().checked().unwrap_err().to_string();
        assert!(e.contains("[backup] recipients"), "{e}");
        let e = BackupConfig {
            dir: Some("/b".into()),
            ..Default::default()
        }
        .checked()
        .unwrap_err()
        .to_string();
        assert!(e.contains("[backup] dir"), "{e}");
    }

    fn toml_like(s: &str) -> Result<BackupConfig, serde_json::Error> {
        // Only the recipients key is used here; JSON stands in for TOML in this unit test.
        let v = s.split_once('=').unwrap().1.trim();
        serde_json::from_str(&format!("{{\"recipients\": {v}}}"))
    }
}
