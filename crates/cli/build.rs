//! Embeds the dependency advisory check for `jaga doctor`: every package in the workspace's
//! `Cargo.lock` is looked up in the vendored RustSec snapshot (`supply-chain/advisory-db`), and
//! the advisories whose patched/unaffected ranges do not cover the locked version are written
//! to `$OUT_DIR/advisories.rs`. No network: the snapshot is what the repository ships.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let lock = root.join("Cargo.lock");
    let db = root.join("supply-chain/advisory-db/crates");
    println!("cargo:rerun-if-changed={}", lock.display());
    println!("cargo:rerun-if-changed={}", db.display());
    let mut findings = String::new();
    let mut checked = 0usize;
    let lock_text = std::fs::read_to_string(&lock).unwrap_or_default();
    let parsed: toml::Table = lock_text.parse().unwrap_or_default();
    let packages = parsed
        .get("package")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    // The packages this binary really builds with (`cargo tree`, normal dependencies on this
    // platform); the lock file also lists optional packages no feature here turns on (e.g.
    // sqlx's MySQL driver), so it is only the fallback.
    let built: Option<Vec<(String, String)>> = std::env::var("CARGO")
        .ok()
        .and_then(|cargo| {
            std::process::Command::new(cargo)
                .args([
                    "tree",
                    "--offline",
                    "--locked",
                    "-e",
                    "normal",
                    "-p",
                    "jaga",
                ])
                .args(["--prefix", "none", "-f", "{p}"])
                .current_dir(&root)
                .output()
                .ok()
        })
        .filter(|o| {
            if !o.status.success() {
                let err = String::from_utf8_lossy(&o.stderr);
                let first = err.lines().next().unwrap_or("");
                println!(
                    "cargo:warning=cargo tree failed ({first}); checking every locked package"
                );
            }
            o.status.success()
        })
        .map(|o| {
            let mut v: Vec<(String, String)> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| {
                    let mut it = l.split_whitespace();
                    let (n, v) = (it.next()?, it.next()?.strip_prefix('v')?);
                    Some((n.to_string(), v.to_string()))
                })
                .collect();
            v.sort();
            v.dedup();
            v
        })
        .filter(|v| !v.is_empty());
    let list: Vec<(String, String)> = built.unwrap_or_else(|| {
        packages
            .iter()
            .filter_map(|p| {
                Some((
                    p.get("name")?.as_str()?.to_string(),
                    p.get("version")?.as_str()?.to_string(),
                ))
            })
            .collect()
    });
    // Advisories the project deliberately accepts in deny.toml (with a reason) are reported
    // as informational, not as vulnerabilities.
    let accepted: Vec<String> = std::fs::read_to_string(root.join("deny.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("advisories")?.get("ignore")?.as_array().map(|l| {
                l.iter()
                    .filter_map(|e| e.get("id").and_then(|i| i.as_str()).map(String::from))
                    .collect()
            })
        })
        .unwrap_or_default();
    println!(
        "cargo:rerun-if-changed={}",
        root.join("deny.toml").display()
    );
    for (name, version) in &list {
        let (name, version) = (name.as_str(), version.as_str());
        checked += 1;
        let Ok(v) = semver::Version::parse(version) else {
            continue;
        };
        let Ok(dir) = std::fs::read_dir(db.join(name)) else {
            continue;
        };
        for entry in dir.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let Some(front) = text
                .split("```toml")
                .nth(1)
                .and_then(|s| s.split("```").next())
            else {
                continue;
            };
            let Ok(adv) = front.parse::<toml::Table>() else {
                continue;
            };
            let a = adv.get("advisory").and_then(|a| a.as_table());
            let id = a
                .and_then(|a| a.get("id"))
                .and_then(|v| v.as_str())
                .unwrap_or("?");
            if a.and_then(|a| a.get("withdrawn")).is_some() {
                continue;
            }
            let informational = a
                .and_then(|a| a.get("informational"))
                .and_then(|v| v.as_str())
                .unwrap_or(if accepted.iter().any(|x| x == id) {
                    "accepted"
                } else {
                    ""
                });
            let reqs = |key: &str| -> Vec<semver::VersionReq> {
                adv.get("versions")
                    .and_then(|v| v.get(key))
                    .and_then(|v| v.as_array())
                    .map(|l| {
                        l.iter()
                            .filter_map(|r| r.as_str())
                            .filter_map(|r| semver::VersionReq::parse(r).ok())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let safe = reqs("patched")
                .iter()
                .chain(reqs("unaffected").iter())
                .any(|r| r.matches(&v));
            if safe {
                continue;
            }
            let title = text
                .lines()
                .find(|l| l.starts_with("# "))
                .map(|l| l.trim_start_matches("# ").trim())
                .unwrap_or("");
            let _ = writeln!(
                findings,
                "    ({name:?}, {version:?}, {id:?}, {title:?}, {informational:?}),"
            );
        }
    }
    let out = format!(
        "/// Locked packages checked against the snapshot.\npub const CHECKED: usize = {checked};\n\
         /// (package, version, advisory id, title, informational kind or \"\").\n\
         pub const FINDINGS: &[(&str, &str, &str, &str, &str)] = &[\n{findings}];\n"
    );
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("advisories.rs");
    std::fs::write(dest, out).expect("writing advisories.rs");
}
