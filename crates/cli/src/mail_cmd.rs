//! `jaga mail analyze`: rate e-mails (`.eml`) for business e-mail compromise and phishing, and
//! explain why. Works offline and without the vault; nothing is stored.

use anyhow::{Result, bail};
use jaga_i18n::Lang;
use jaga_mail::{Analyzer, Context as MailContext, DkimKey, parse_domain_list};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// `jaga mail …`.
#[derive(clap::Subcommand)]
pub enum MailCmd {
    /// Analyse e-mails (.eml files) for lookalike senders, spoofing, bad links and attachments,
    /// and requests to pay into new bank details.
    Analyze(AnalyzeArgs),
}

/// Arguments of `jaga mail analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// The messages (.eml, RFC 5322).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Known supplier/partner domains, one a line (`#` comments allowed).
    #[arg(long)]
    pub known_domains: Option<PathBuf>,
    /// The shop's own domain (repeat or separate with commas).
    #[arg(long = "own-domain", value_delimiter = ',')]
    pub own_domains: Vec<String>,
    /// authserv-id of the shop's receiving host whose Authentication-Results are believed
    /// (repeat or separate with commas). Without it every Authentication-Results is ignored.
    #[arg(long = "trusted-authserv", value_delimiter = ',')]
    pub trusted_authserv: Vec<String>,
    /// DKIM public keys to verify signatures with, one a line:
    /// `selector._domainkey.domain "v=DKIM1; k=rsa; p=…"` (no DNS is asked).
    #[arg(long)]
    pub dkim_keys: Option<PathBuf>,
    /// Language of the explanations: id (Bahasa Indonesia) or en.
    #[arg(long, default_value = "id")]
    pub lang: String,
    /// One JSON line per file: {"file", "verdict", "score", "indicators": [{"code", "detail"}]}.
    #[arg(long)]
    pub jsonl: bool,
}

#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: jaga_mail::ReportView,
}

fn read_small(path: &PathBuf, what: &str) -> Result<String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("cannot read the {what} file {}: {e}", path.display()))?;
    if meta.len() > 4 * 1024 * 1024 {
        bail!("the {what} file {} is larger than 4 MiB", path.display());
    }
    std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the {what} file {}: {e}", path.display()))
}

/// Runs `jaga mail …`. Exit code 0 when every file was analysed, 2 when one could not be (the
/// others are still reported).
pub fn run(cmd: MailCmd) -> Result<ExitCode> {
    let MailCmd::Analyze(args) = cmd;
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang must be id or en");
    };
    let mut ctx = MailContext::default();
    if let Some(p) = &args.known_domains {
        ctx.known_domains = parse_domain_list(&read_small(p, "known-domains")?);
    }
    for d in &args.own_domains {
        if jaga_mail::domain::Host::parse(d).is_none() {
            bail!("--own-domain {d:?} is not a domain name");
        }
        ctx.own_domains.push(d.clone());
    }
    ctx.trusted_authserv = args
        .trusted_authserv
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(p) = &args.dkim_keys {
        for (n, line) in read_small(p, "DKIM keys")?.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
                continue;
            }
            match DkimKey::parse_line(l) {
                Some(k) => ctx.dkim_keys.push(k),
                None => bail!(
                    "{} line {}: expected `selector._domainkey.domain \"v=DKIM1; … p=…\"`",
                    p.display(),
                    n + 1
                ),
            }
        }
    }
    let analyzer = Analyzer::new(&ctx);
    let mut failed = false;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in &args.files {
        let shown = path.display().to_string();
        let raw = match std::fs::metadata(path) {
            Ok(m) if m.len() > jaga_mail::MAX_MESSAGE as u64 => {
                Err(format!("larger than {} bytes", jaga_mail::MAX_MESSAGE))
            }
            Ok(m) if m.is_dir() => Err("is a directory".to_string()),
            Ok(_) => std::fs::read(path).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let report = raw.and_then(|raw| analyzer.analyze(&raw).map_err(|e| e.to_string()));
        match report {
            Ok(r) => {
                if args.jsonl {
                    let line = Line {
                        file: &shown,
                        report: r.view(lang),
                    };
                    writeln!(out, "{}", serde_json::to_string(&line)?)?;
                } else {
                    writeln!(out, "{shown}\n{}", r.explain(lang))?;
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("error: {shown}: {e}");
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
