//! `[segments.<name>]` in `jaga.toml`: segments kept in their own database.
//!
//! ```toml
//! [segments.vip]
//! database_url = "sqlite://segment-vip.db"      # relative: inside the data directory
//! [segments.reseller]
//! database_url = "postgres://jaga@db.internal/jaga_reseller"
//! ```
//!
//! Each such database is a complete Jaga store (migrated at start) holding that segment's
//! customers, their keys, orders, tokens and blind-index terms, and its own audit log. A
//! segment without `database_url` stays in the main database.

use crate::config::redact_url;
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// One `[segments.<name>]` table as written.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentFileConfig {
    /// `sqlite://…` (a relative path is inside the data directory) or `postgres://…`.
    pub database_url: Option<String>,
}

/// A segment with its own database, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentDbConfig {
    /// The segment.
    pub name: String,
    /// Its database (may hold a password: print it through `redact_url`).
    pub database_url: String,
}

/// Checks `[segments.*]`: valid segment names, URLs of a supported database, relative SQLite
/// paths placed in `dir`, and no database named twice (not the main one either: two segments,
/// or a segment and the main store, in one database would mix what must stay apart).
pub fn check(
    file: BTreeMap<String, SegmentFileConfig>,
    main_url: &str,
    dir: &Path,
) -> Result<Vec<SegmentDbConfig>> {
    let mut out: Vec<SegmentDbConfig> = Vec::new();
    for (name, seg) in file {
        if jaga_core::validate::segment(&name).is_err() {
            bail!(
                "[segments.{name}]: not a valid segment name (1–32 of a-z, 0-9, _ and -)",
                name = name.escape_debug()
            );
        }
        let Some(url) = seg.database_url else {
            continue;
        };
        let url = normalise(&url, dir)
            .map_err(|why| anyhow::anyhow!("[segments.{name}] database_url: {why}"))?;
        // The main URL as given (its relative SQLite path is relative to the working
        // directory, as `jaga` opens it).
        if same_database(&url, main_url) {
            bail!(
                "[segments.{name}] database_url names the main database; a segment database must be a database of its own"
            );
        }
        if let Some(other) = out.iter().find(|o| same_database(&o.database_url, &url)) {
            bail!(
                "[segments.{name}] database_url names the database of segment `{}`; each segment needs a database of its own",
                other.name
            );
        }
        out.push(SegmentDbConfig {
            name,
            database_url: url,
        });
    }
    Ok(out)
}

/// A URL of a supported database, relative SQLite paths made absolute under `dir`.
fn normalise(url: &str, dir: &Path) -> Result<String, String> {
    let url = url.trim();
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let (path, query) = rest
            .split_once('?')
            .map_or((rest, None), |(p, q)| (p, Some(q)));
        if path.is_empty() || path == ":memory:" {
            return Err("a SQLite database needs a file path".into());
        }
        let path = if Path::new(path).is_absolute() {
            path.to_string()
        } else {
            dir.join(path).display().to_string()
        };
        return Ok(match query {
            Some(q) => format!("sqlite://{path}?{q}"),
            None => format!("sqlite://{path}"),
        });
    }
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        let after_auth = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        let db = after_auth
            .split_once('/')
            .map(|(_, d)| d.split('?').next().unwrap_or(""));
        return match db {
            Some(d) if !d.is_empty() && !after_auth.starts_with('/') => Ok(url.to_string()),
            _ => Err(format!(
                "{} must name a host and a database (postgres://USER@HOST/DATABASE)",
                redact_url(url)
            )),
        };
    }
    Err("must start with sqlite:// or postgres://".into())
}

/// Whether two normalised URLs name the same database (query and credentials ignored).
fn same_database(a: &str, b: &str) -> bool {
    fn key(u: &str) -> String {
        let u = u.split('?').next().unwrap_or(u);
        let u = u.replacen("postgresql://", "postgres://", 1);
        match (u.find("://"), u.rfind('@')) {
            (Some(s), Some(at)) if at > s => format!("{}://{}", &u[..s], &u[at + 1..]),
            _ => u.replacen(
                "sqlite:",
                "sqlite://",
                usize::from(!u.starts_with("sqlite://")),
            ),
        }
    }
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<Vec<SegmentDbConfig>> {
        #[derive(Deserialize)]
        struct F {
            segments: BTreeMap<String, SegmentFileConfig>,
        }
        let f: F = toml::from_str(toml_text)?;
        check(f.segments, "sqlite:///data/jaga.db", Path::new("/data"))
    }

    #[test]
    fn relative_sqlite_paths_land_in_the_data_directory() {
        let s = parse(
            "[segments.vip]\ndatabase_url = \"sqlite://vip.db\"\n[segments.b2b]\ndatabase_url = \"postgres://u:pw@h/b2b\"\n[segments.plain]\n",
        )
        .unwrap();
        assert_eq!(
            s,
            vec![
                SegmentDbConfig {
                    name: "b2b".into(),
                    database_url: "postgres://u:pw@h/b2b".into()
                },
                SegmentDbConfig {
                    name: "vip".into(),
                    database_url: "sqlite:///data/vip.db".into()
                },
            ]
        );
    }

    #[test]
    fn bad_names_and_urls_are_refused_naming_the_key() {
        for (text, wants) in [
            (
                "[segments.VIP]\ndatabase_url = \"sqlite://v.db\"",
                "[segments.VIP]",
            ),
            (
                "[segments.\"a b\"]\ndatabase_url = \"sqlite://v.db\"",
                "not a valid segment",
            ),
            (
                "[segments.vip]\ndatabase_url = \"mysql://h/x\"",
                "[segments.vip] database_url",
            ),
            (
                "[segments.vip]\ndatabase_url = \"sqlite://\"",
                "needs a file path",
            ),
            (
                "[segments.vip]\ndatabase_url = \"sqlite::memory:\"",
                "needs a file path",
            ),
            (
                "[segments.vip]\ndatabase_url = \"postgres://u:secret@h\"",
                "must name a host and a database",
            ),
            (
                "[segments.vip]\ndatabase_url = \"sqlite://jaga.db\"",
                "names the main database",
            ),
            (
                "[segments.vip]\ndatabase_url = \"sqlite:///data/jaga.db?mode=rwc\"",
                "names the main database",
            ),
            (
                "[segments.a]\ndatabase_url = \"postgres://x@h/s\"\n[segments.b]\ndatabase_url = \"postgresql://y:pw@h/s\"",
                "database of segment `a`",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(wants), "{text}: {e}");
            assert!(
                !e.contains("secret") && !e.contains(":pw@"),
                "password printed: {e}"
            );
        }
        let e = toml::from_str::<SegmentFileConfig>("database = \"x\"").unwrap_err();
        assert!(e.message().contains("database"), "{}", e.message());
    }
}
