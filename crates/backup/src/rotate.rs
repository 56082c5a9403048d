//! Rotation of scheduled backups: keep the newest backup of each of the last N days and of
//! each of the last M ISO weeks (days and weeks that have a backup), delete the rest.

use crate::{BackupError, PREFIX, SUFFIX};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A backup file in a directory, with the time in its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    /// `YYYYMMDDTHHMMSSZ` from the name (sorts by time).
    pub stamp: String,
    /// The file.
    pub path: PathBuf,
}

impl Listed {
    fn date(&self) -> Option<time::Date> {
        let f = time::macros::format_description!("[year][month][day]");
        time::Date::parse(self.stamp.get(..8)?, &f).ok()
    }
}

/// The backups in `dir` (files named `jaga-backup-<stamp>[-n].age`), oldest first.
pub fn list(dir: &Path) -> Result<Vec<Listed>, BackupError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(BackupError::io(
                format_args!("listing {}", dir.display()),
                e,
            ));
        }
    };
    let mut out = Vec::new();
    for ent in rd.flatten() {
        let name = ent.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(stem) = name
            .strip_prefix(PREFIX)
            .and_then(|n| n.strip_suffix(SUFFIX))
        else {
            continue;
        };
        if stem.len() < 16 || !ent.path().is_file() {
            continue;
        }
        out.push(Listed {
            stamp: stem.to_string(),
            path: ent.path(),
        });
    }
    out.sort();
    Ok(out)
}

/// The newest backup in `dir`.
pub fn latest(dir: &Path) -> Result<Option<PathBuf>, BackupError> {
    Ok(list(dir)?.pop().map(|l| l.path))
}

/// Which backups rotation keeps (pure; `all` oldest first).
pub fn keep(all: &[Listed], daily: usize, weekly: usize) -> BTreeSet<PathBuf> {
    let mut keep = BTreeSet::new();
    let mut days = BTreeSet::new();
    let mut weeks = BTreeSet::new();
    for l in all.iter().rev() {
        let Some(d) = l.date() else {
            keep.insert(l.path.clone()); // not ours to judge
            continue;
        };
        if days.len() < daily && days.insert(d) {
            keep.insert(l.path.clone());
        }
        let (y, w, _) = d.to_iso_week_date();
        if weeks.len() < weekly && weeks.insert((y, w)) {
            keep.insert(l.path.clone());
        }
    }
    if let Some(newest) = all.last() {
        keep.insert(newest.path.clone());
    }
    keep
}

/// Deletes the backups (and their `.sha256` files) rotation does not keep; returns them.
pub fn rotate(dir: &Path, daily: usize, weekly: usize) -> Result<Vec<PathBuf>, BackupError> {
    let all = list(dir)?;
    let keep = keep(&all, daily, weekly);
    let mut removed = Vec::new();
    for l in all {
        if !keep.contains(&l.path) {
            std::fs::remove_file(&l.path)
                .map_err(|e| BackupError::io(format_args!("removing {}", l.path.display()), e))?;
            let _ = std::fs::remove_file(crate::restore::checksum_path(&l.path));
            removed.push(l.path);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(stamp: &str) -> Listed {
        Listed {
            stamp: stamp.into(),
            path: PathBuf::from(stamp),
        }
    }

    #[test]
    fn keeps_newest_per_day_and_week() {
        // Two a day for 21 days of December 2026 (1 Dec is a Tuesday).
        let mut all = Vec::new();
        for d in 1..=21 {
            all.push(l(&format!("202612{d:02}T010000Z")));
            all.push(l(&format!("202612{d:02}T130000Z")));
        }
        let k = keep(&all, 3, 2);
        let names: Vec<String> = k.iter().map(|p| p.display().to_string()).collect();
        // Last three days, newest of each.
        for d in ["20261221T130000Z", "20261220T130000Z", "20261219T130000Z"] {
            assert!(names.contains(&d.to_string()), "{d} in {names:?}");
        }
        // Week of 14–20 Dec is covered by the 20th; the week of 21 Dec by the 21st.
        assert_eq!(k.len(), 3, "{names:?}");
        let k = keep(&all, 1, 3);
        let names: Vec<String> = k.iter().map(|p| p.display().to_string()).collect();
        // Weeks: 21 Dec (Mon), 14–20 Dec (newest 20th), 7–13 Dec (newest 13th).
        assert!(names.contains(&"20261213T130000Z".to_string()), "{names:?}");
        assert_eq!(k.len(), 3, "{names:?}");
        assert!(!names.contains(&"20261221T010000Z".to_string()));
    }

    #[test]
    fn the_newest_is_always_kept() {
        let all = vec![l("20261201T010000Z")];
        assert_eq!(keep(&all, 0, 0).len(), 1);
    }
}
