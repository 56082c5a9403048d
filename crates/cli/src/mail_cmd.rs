//! `jaga mail analyze`: rate e-mails (`.eml`) for business e-mail compromise and phishing, and
//! explain why. Nothing is stored.
//!
//! With a data directory, `[mail]` of its `jaga.toml` applies (own domains, trusted hosts, DKIM
//! keys, extra known domains; the options add to it) and, unless `--known-domains` is given, the
//! known domains are the payees' from the vault (opened without a prompt: a keyfile, the
//! passphrase from `JAGA_PASSPHRASE_FILE`, or `--share-file`s), each analysis then audited as
//! `mail.analyze` by `cli.mail`. Without one (or with a vault it cannot open unattended) the
//! command works offline and says on stderr that the known domains are empty.

use crate::config::{self, Flags};
use crate::datadir::{self, UnsealInput};
use crate::mail_config;
use anyhow::{Result, bail};
use jaga_core::auth::{Caller, OperatorTask};
use jaga_core::unseal::UnsealConfig;
use jaga_i18n::Lang;
use jaga_mail::{Analyzer, Context as MailContext};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Help shown under `jaga mail`.
pub const MAIL_HELP: &str = "With a data directory (--data-dir, JAGA_DATA_DIR or ./jaga-data), [mail] in its jaga.toml applies and the options add to it; without --known-domains the known domains are the payees' domains from the vault (a keyfile installation needs nothing; a passphrase installation reads JAGA_PASSPHRASE_FILE; a Shamir installation takes --share-file FILE once per share; nothing is asked on the terminal). Otherwise the known domains are empty, and stderr says so.";

/// `jaga mail …`.
#[derive(clap::Subcommand)]
pub enum MailCmd {
    /// Analyse e-mails (.eml files) for lookalike senders, spoofing, bad links and attachments,
    /// and requests to pay into new bank details.
    #[command(after_help = MAIL_HELP)]
    Analyze(AnalyzeArgs),
}

/// Arguments of `jaga mail analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// The messages (.eml, RFC 5322).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Known supplier/partner domains, one a line (`#` comments allowed). Replaces the default:
    /// the payees' domains in the vault and `[mail] known_domains_file`.
    #[arg(long)]
    pub known_domains: Option<PathBuf>,
    /// The shop's own domain (repeat or separate with commas), added to `[mail] own_domains`.
    #[arg(long = "own-domain", value_delimiter = ',')]
    pub own_domains: Vec<String>,
    /// authserv-id of the shop's receiving host whose Authentication-Results are believed
    /// (repeat or separate with commas), added to `[mail] trusted_authserv`. Without any, every
    /// Authentication-Results is ignored.
    #[arg(long = "trusted-authserv", value_delimiter = ',')]
    pub trusted_authserv: Vec<String>,
    /// DKIM public keys to verify signatures with, one a line:
    /// `selector._domainkey.domain "v=DKIM1; k=rsa; p=…"` (no DNS is asked), added to
    /// `[mail] dkim_keys_file`.
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

/// How to give known domains, for the notes on stderr.
const HOW: &str = "give them with --known-domains FILE (one domain a line)";

/// Says on stderr that the payees' domains are not used, why, and what the known domains are.
fn without_payees(reason: &str, ctx: &MailContext) {
    match ctx.known_domains.len() {
        0 => eprintln!(
            "note: {reason}: known domains are empty, so lookalikes of your suppliers' domains are not recognised; {HOW}"
        ),
        n => eprintln!(
            "note: {reason}: the known domains are only the {n} of [mail] known_domains_file; {HOW}"
        ),
    }
}

/// Why the vault cannot be opened without asking on the terminal, if it cannot.
fn unattended(unseal: &UnsealConfig, input: &UnsealInput) -> Option<&'static str> {
    match unseal {
        UnsealConfig::Keyfile { .. } => None,
        UnsealConfig::Passphrase { .. } => std::env::var_os("JAGA_PASSPHRASE_FILE")
            .is_none()
            .then_some("a passphrase installation: set JAGA_PASSPHRASE_FILE"),
        UnsealConfig::Shamir { .. } => input
            .share_files
            .is_empty()
            .then_some("a Shamir installation: pass --share-file FILE once per share"),
    }
}

/// The data directory's configuration, if there is one; `--data-dir` naming none is an error.
fn installation(flags: &Flags) -> Result<Option<config::Config>> {
    let dir = config::data_dir(flags);
    if dir.join("jaga.toml").is_file() || datadir::initialised(&dir) {
        return Ok(Some(config::load(flags)?));
    }
    if flags.data_dir.is_some() {
        bail!(
            "{} is not a Jaga data directory (no jaga.toml, no unseal.json)",
            dir.display()
        );
    }
    Ok(None)
}

/// Adds the command-line options to `ctx` (the configured context).
fn add_options(ctx: &mut MailContext, args: &AnalyzeArgs) -> Result<()> {
    for d in &args.own_domains {
        let d = mail_config::own_domain(d).map_err(|e| anyhow::anyhow!("--own-domain: {e}"))?;
        if !ctx.own_domains.contains(&d) {
            ctx.own_domains.push(d);
        }
    }
    for h in args
        .trusted_authserv
        .iter()
        .filter(|h| !h.trim().is_empty())
    {
        let h =
            mail_config::authserv_id(h).map_err(|e| anyhow::anyhow!("--trusted-authserv: {e}"))?;
        if !ctx.trusted_authserv.contains(&h) {
            ctx.trusted_authserv.push(h);
        }
    }
    if let Some(p) = &args.dkim_keys {
        ctx.dkim_keys.extend(
            mail_config::read_dkim_keys(p).map_err(|e| anyhow::anyhow!("--dkim-keys: {e}"))?,
        );
    }
    Ok(())
}

/// Runs `jaga mail …`. Exit code 0 when every file was analysed, 2 when one could not be (the
/// others are still reported).
pub async fn run(flags: &Flags, input: &UnsealInput, cmd: MailCmd) -> Result<ExitCode> {
    let MailCmd::Analyze(args) = cmd;
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang must be id or en");
    };
    let cfg = installation(flags)?;
    let mut ctx = cfg.as_ref().map(|c| c.mail.clone()).unwrap_or_default();
    add_options(&mut ctx, &args)?;
    let vault = match (&args.known_domains, &cfg) {
        (Some(p), _) => {
            ctx.known_domains = mail_config::read_known_domains(p)
                .map_err(|e| anyhow::anyhow!("--known-domains: {e}"))?;
            None
        }
        (None, None) => {
            without_payees(
                &format!(
                    "no Jaga data directory at {} (--data-dir DIR names one)",
                    config::data_dir(flags).display()
                ),
                &ctx,
            );
            None
        }
        (None, Some(cfg)) => open_vault(cfg, input, &ctx).await?,
    };
    let caller = Caller::operator(OperatorTask::Mail);
    let mailer = match &vault {
        Some(v) => {
            let m = v
                .mail_analyzer(&caller)
                .await
                .map_err(crate::staff_cmd::describe)?;
            ctx = m.context(None).await.map_err(crate::staff_cmd::describe)?;
            if ctx.known_domains.is_empty() {
                eprintln!(
                    "note: no payee has an e-mail address at a domain of its own (free-mail does not count) and [mail] names no known domains: known domains are empty; {HOW}"
                );
            }
            Some(m)
        }
        None => None,
    };
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
                if let Some(m) = &mailer {
                    m.record(&r).await.map_err(crate::staff_cmd::describe)?;
                }
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

/// Opens the data directory's vault to read the payees' domains, with `ctx` (the configured
/// context and the options) as its analyzer context. `None`, with a note on stderr, when it
/// cannot be opened without asking on the terminal.
async fn open_vault(
    cfg: &config::Config,
    input: &UnsealInput,
    ctx: &MailContext,
) -> Result<Option<std::sync::Arc<jaga_core::vault::Vault>>> {
    let dir: &Path = &cfg.data_dir;
    if !datadir::initialised(dir) {
        without_payees(
            &format!("{} has no vault yet (`jaga init`)", dir.display()),
            ctx,
        );
        return Ok(None);
    }
    let unseal = datadir::unseal_config(dir)?;
    if let Some(why) = unattended(&unseal, input) {
        without_payees(
            &format!("the vault is sealed ({why}), so the payees' domains cannot be read"),
            ctx,
        );
        return Ok(None);
    }
    let vault = datadir::open_unsealed(cfg, input).await?;
    vault.set_mail_context(ctx.clone());
    Ok(Some(vault))
}
