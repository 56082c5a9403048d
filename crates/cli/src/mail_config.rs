//! `[mail]` in `jaga.toml`: what the e-mail analyzer knows about the shop, for every path that
//! analyses a mail (`POST /v1/mail/analyze`, the console's upload page and `jaga mail analyze`
//! run with the data directory).
//!
//! ```toml
//! [mail]
//! own_domains = ["tokoayu.id"]             # the shop's own domains
//! trusted_authserv = ["mx.tokoayu.id"]     # only these hosts' Authentication-Results count
//! dkim_keys_file = "dkim-keys.txt"         # `selector._domainkey.domain "v=DKIM1; … p=…"` a line
//! known_domains_file = "known-domains.txt" # added to the payees' domains, one a line
//! ```
//!
//! Files are relative to the data directory and read when the configuration is loaded; a bad
//! value refuses the start with a message naming the key (and the file's line), never a
//! key's content.

use anyhow::{Result, bail};
use jaga_mail::{Context as MailContext, DkimKey, parse_domain_list};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `[mail]`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The shop's own domains: links to them are never mismatches, lookalikes of them are
    /// flagged.
    pub own_domains: Option<Vec<String>>,
    /// `authserv-id`s of the shop's receiving hosts: only their `Authentication-Results`
    /// headers are believed (none by default: every such header is ignored).
    pub trusted_authserv: Option<Vec<String>>,
    /// DKIM public keys (relative to the data directory), one a line, as `dig` prints them:
    /// `selector._domainkey.domain "v=DKIM1; k=rsa; p=…"`.
    pub dkim_keys_file: Option<String>,
    /// Known supplier/partner domains added to the payees' (relative to the data directory),
    /// one a line; `#` comments.
    pub known_domains_file: Option<String>,
}

/// Largest file read for `[mail]` or the matching CLI options.
const MAX_FILE: u64 = 4 * 1024 * 1024;

impl MailConfig {
    /// The analyzer's configured context, every value checked; files are read from `dir`.
    pub fn context(&self, dir: &Path) -> Result<MailContext> {
        let mut ctx = MailContext::default();
        for d in self.own_domains.iter().flatten() {
            ctx.own_domains
                .push(own_domain(d).map_err(|e| anyhow::anyhow!("[mail] own_domains: {e}"))?);
        }
        for h in self.trusted_authserv.iter().flatten() {
            ctx.trusted_authserv
                .push(authserv_id(h).map_err(|e| anyhow::anyhow!("[mail] trusted_authserv: {e}"))?);
        }
        let rel = |p: &str| {
            if Path::new(p).is_absolute() {
                PathBuf::from(p)
            } else {
                dir.join(p)
            }
        };
        if let Some(p) = &self.dkim_keys_file {
            ctx.dkim_keys = read_dkim_keys(&rel(p))
                .map_err(|e| anyhow::anyhow!("[mail] dkim_keys_file: {e}"))?;
        }
        if let Some(p) = &self.known_domains_file {
            ctx.known_domains = read_known_domains(&rel(p))
                .map_err(|e| anyhow::anyhow!("[mail] known_domains_file: {e}"))?;
        }
        Ok(ctx)
    }
}

/// Checks one of the shop's own domains.
pub fn own_domain(d: &str) -> Result<String> {
    let d = d.trim();
    if jaga_mail::domain::Host::parse(d).is_none() {
        bail!("{d:?} is not a domain name");
    }
    Ok(d.to_string())
}

/// Checks an `authserv-id` (RFC 8601: the receiving host's name, as it writes it first in its
/// `Authentication-Results`).
pub fn authserv_id(h: &str) -> Result<String> {
    let h = h.trim();
    if h.is_empty()
        || h.len() > 255
        || h.chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ';' | '"' | '(' | ')'))
    {
        bail!("{h:?} is not an authserv-id (the receiving host's name, such as mx.tokoayu.id)");
    }
    Ok(h.to_string())
}

/// Reads a small text file (at most 4 MiB).
pub fn read_small(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file", path.display());
    }
    if meta.len() > MAX_FILE {
        bail!("{} is larger than 4 MiB", path.display());
    }
    std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
}

/// Lines that say something: not blank, not a `#` (or, for DNS zone files, `;`) comment.
fn meaningful(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
}

/// Reads DKIM public keys, one a line: `selector._domainkey.domain "v=DKIM1; … p=…"`. A line
/// that is not a key is an error naming the line (never its content: half a key is no secret,
/// but the message stays short).
pub fn read_dkim_keys(path: &Path) -> Result<Vec<DkimKey>> {
    let text = read_small(path)?;
    let mut keys = Vec::new();
    for (n, line) in meaningful(&text) {
        match DkimKey::parse_line(line) {
            Some(k) => keys.push(k),
            None => bail!(
                "{} line {n}: expected `selector._domainkey.domain \"v=DKIM1; … p=…\"`",
                path.display()
            ),
        }
    }
    Ok(keys)
}

/// Reads known domains, one a line (`#` comments; an address or a URL counts for its domain).
/// A line that is not a domain is an error naming the line: a typo would otherwise leave a
/// supplier's lookalikes unrecognised without a word.
pub fn read_known_domains(path: &Path) -> Result<Vec<String>> {
    let text = read_small(path)?;
    let mut out: Vec<String> = Vec::new();
    for (n, line) in meaningful(&text) {
        let entry = line.split('#').next().unwrap_or("").trim();
        let got = parse_domain_list(entry);
        let [d] = got.as_slice() else {
            bail!("{} line {n}: expected one domain name", path.display());
        };
        if entry.contains(char::is_whitespace) {
            bail!("{} line {n}: expected one domain name", path.display());
        };
        if !out.contains(d) {
            out.push(d.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("known.txt"),
            "# x\nglowbeauty.co.id\n\nbilling@supplier.co.id\n",
        )
        .unwrap();
        let c = MailConfig {
            own_domains: Some(vec!["tokoayu.id".into()]),
            trusted_authserv: Some(vec![" mx.tokoayu.id ".into()]),
            dkim_keys_file: None,
            known_domains_file: Some("known.txt".into()),
        };
        let ctx = c.context(dir.path()).unwrap();
        assert_eq!(ctx.own_domains, ["tokoayu.id"]);
        assert_eq!(ctx.trusted_authserv, ["mx.tokoayu.id"]);
        assert_eq!(ctx.known_domains, ["glowbeauty.co.id", "supplier.co.id"]);
        for (bad, key) in [
            (
                MailConfig {
                    own_domains: Some(vec!["not a domain".into()]),
                    ..Default::default()
                },
                "[mail] own_domains",
            ),
            (
                MailConfig {
                    trusted_authserv: Some(vec!["mx.tokoayu.id; dkim=pass".into()]),
                    ..Default::default()
                },
                "[mail] trusted_authserv",
            ),
            (
                MailConfig {
                    trusted_authserv: Some(vec!["".into()]),
                    ..Default::default()
                },
                "[mail] trusted_authserv",
            ),
            (
                MailConfig {
                    dkim_keys_file: Some("missing.txt".into()),
                    ..Default::default()
                },
                "[mail] dkim_keys_file",
            ),
            (
                MailConfig {
                    known_domains_file: Some(".".into()),
                    ..Default::default()
                },
                "[mail] known_domains_file",
            ),
        ] {
            let e = format!("{:#}", bad.context(dir.path()).unwrap_err());
            assert!(e.starts_with(key), "{e}");
        }
    }

    #[test]
    fn a_line_that_is_not_a_key_or_a_domain_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys.txt");
        std::fs::write(&keys, "; zone comment\nk1._domainkey.glowbeauty.co.id \"v=DKIM1; k=ed25519; p=AAAA\"\nnot a key\n").unwrap();
        let e = read_dkim_keys(&keys).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "keys.txt line 3: expected `selector._domainkey.domain \"v=DKIM1; … p=…\"`"
            ),
            "{e}"
        );
        std::fs::write(
            &keys,
            "k1._domainkey.glowbeauty.co.id \"v=DKIM1; k=ed25519; p=AAAA\"\n",
        )
        .unwrap();
        assert_eq!(read_dkim_keys(&keys).unwrap().len(), 1);
        let known = dir.path().join("known.txt");
        for bad in [
            "glowbeauty.co.id\nglow beauty\n",
            "glowbeauty.co.id\n-bad-\n",
        ] {
            std::fs::write(&known, bad).unwrap();
            let e = read_known_domains(&known).unwrap_err().to_string();
            assert!(
                e.ends_with("known.txt line 2: expected one domain name"),
                "{bad:?}: {e}"
            );
        }
    }
}
