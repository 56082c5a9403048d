//! `jaga policy …`: the shop's written data-protection policy from `policy.toml` and from
//! what the configuration enforces (see `jaga_core::policy`).

use crate::config::{self, Config, Flags};
use crate::datadir;
use anyhow::{Context, Result, bail};
use jaga_core::policy::{BackupFacts, Category, Facts, Format, Policy, PolicyFile, default_rule};
use jaga_core::report::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

/// `jaga policy …`
#[derive(clap::Subcommand)]
pub enum PolicyCmd {
    /// Write the data-protection policy and record of processing.
    Render {
        /// `id` or `en`.
        #[arg(long, default_value = "id")]
        lang: String,
        /// `md`, `html` or `pdf`.
        #[arg(long, default_value = "md")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check `policy.toml` (exit 2 naming the key at fault).
    Check,
    /// Write the shipped defaults (an Indonesian beauty shop) to `policy.toml` if there is none.
    Init,
}

/// The policy file of a data directory.
pub fn path(cfg: &Config) -> PathBuf {
    cfg.data_dir.join("policy.toml")
}

/// Reads and checks `policy.toml` (the defaults when there is none).
pub fn load(cfg: &Config) -> Result<Policy> {
    let p = path(cfg);
    let file = match std::fs::read_to_string(&p) {
        Ok(t) => {
            toml::from_str::<PolicyFile>(&t).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => PolicyFile::default(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", p.display())),
    };
    Ok(Policy::from_file(file)?)
}

/// What the configuration enforces.
pub fn facts(cfg: &Config) -> Facts {
    let unseal_method = datadir::unseal_config(&cfg.data_dir)
        .map(|u| u.method().to_string())
        .unwrap_or_else(|_| "keyfile".into());
    let b = &cfg.backup;
    Facts {
        roles: cfg.staff.policies.clone(),
        unseal_method,
        witnesses: cfg.audit.witness.len(),
        backup: b.dir.as_ref().map(|_| BackupFacts {
            every_hours: b.every_hours(),
            recipients: b.recipients.len(),
            passphrase: b.passphrase_file.is_some(),
            keep_daily: b.keep_daily(),
            keep_weekly: b.keep_weekly(),
            drill_days: b.drill_every_days(),
        }),
        // `jaga serve` runs the retention job exactly when the policy file exists.
        retention_enforced: path(cfg).exists(),
    }
}

/// The policy as `jaga serve` watches it: the file's bytes (if any), what it says, the roles,
/// and the rendered HTML bodies for the console in both languages.
pub fn snapshot(cfg: &Config) -> Result<jaga_jobs::policy_watch::PolicySnapshot> {
    let p = path(cfg);
    let file = match std::fs::read(&p) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", p.display())),
    };
    let policy = load(cfg)?;
    let facts = facts(cfg);
    let today = jaga_core::format_ms(jaga_core::now_ms());
    let today = today.get(..10).unwrap_or(&today);
    Ok(jaga_jobs::policy_watch::PolicySnapshot {
        html_id: jaga_core::policy::html_body(&policy, &facts, Lang::Id, today),
        html_en: jaga_core::policy::html_body(&policy, &facts, Lang::En, today),
        file,
        policy,
        roles: cfg.staff.policies.clone(),
    })
}

/// Runs a policy subcommand.
pub fn run(flags: &Flags, cmd: PolicyCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    match cmd {
        PolicyCmd::Render { lang, format, out } => {
            let lang = Lang::parse(&lang).context("--lang must be id or en")?;
            let format = match format.as_str() {
                "md" => Format::Md,
                "html" => Format::Html,
                "pdf" => Format::Pdf,
                _ => bail!("--format must be md, html or pdf"),
            };
            let policy = load(&cfg)?;
            let today = jaga_core::format_ms(jaga_core::now_ms());
            let doc = jaga_core::policy::render(
                &policy,
                &facts(&cfg),
                lang,
                format,
                today.get(..10).unwrap_or(&today),
            );
            match out {
                Some(p) => {
                    std::fs::write(&p, doc).with_context(|| format!("writing {}", p.display()))?
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &doc)?,
            }
        }
        PolicyCmd::Check => {
            load(&cfg)?;
            println!("{}: ok", path(&cfg).display());
        }
        PolicyCmd::Init => {
            let p = path(&cfg);
            if p.exists() {
                bail!("{} exists already", p.display());
            }
            let mut f = PolicyFile {
                shop: Some("Toko Cantik".into()),
                contact: Some("privasi@toko.example".into()),
                ..PolicyFile::default()
            };
            for c in Category::ALL {
                f.categories.insert(c.key().into(), default_rule(c));
            }
            let text = format!(
                "# Jaga data policy: per data category the purpose, legal basis, retention and end action.\n# legal_basis: consent | contract | legal_obligation | vital_interest | public_task | legitimate_interest\n# end_action: erase | anonymise | keep_aggregates (the audit log: keep_aggregates only)\n{}",
                toml::to_string_pretty(&f)?
            );
            std::fs::create_dir_all(&cfg.data_dir)?;
            std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
            println!("wrote {}", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
