//! `jaga`: the one binary. `jaga serve` runs the HTTPS API; the other subcommands are the
//! administrator's tools (init, unseal, API keys, key rotation).
//!
//! Exit codes: 0 success, 1 a check failed, 2 a usage or environment error.
#![forbid(unsafe_code)]

mod admin;
mod audit_cmd;
mod backup_cmd;
mod backup_pg;
mod config;
mod datadir;
mod doctor_cmd;
mod fraud_cmd;
mod fraud_config;
mod fraud_export;
mod ids_cmd;
mod import_cmd;
mod mail_cmd;
mod mail_config;
mod policy_cmd;
mod postgres;
mod public_url;
mod redact_cmd;
mod report_cmd;
mod requests_cmd;
mod segments_cmd;
mod segments_config;
mod serve;
mod staff_cmd;

use clap::{Parser, Subcommand};
use config::Flags;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jaga",
    version,
    about = "Jaga: customer-data vault for small online shops / brankas data pelanggan untuk toko online"
)]
struct Cli {
    /// Data directory (default ./jaga-data, or JAGA_DATA_DIR). Also accepted after the
    /// commands that use it.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… (default) or postgres://… (or JAGA_DATABASE_URL). Also
    /// accepted after the commands that use it.
    #[arg(long)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// Where the commands that read the installation find it. Only those commands take these
/// options (`jaga redact`, `fraud` and `openapi` read no installation and do not show them);
/// before the command name they are accepted too (`jaga --data-dir D serve`).
#[derive(clap::Args, Default, Clone)]
struct StoreArgs {
    /// Data directory (default ./jaga-data, or JAGA_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… (default) or postgres://… (or JAGA_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
}

/// Where the commands that need the root key get the unseal material.
#[derive(clap::Args, Default)]
struct UnsealArgs {
    /// Share files for Shamir installations (repeat for each share; without them the shares
    /// are asked for on the terminal). Passphrase installations read JAGA_PASSPHRASE_FILE, or
    /// ask on the terminal.
    #[arg(long = "share-file", global = true, value_name = "FILE")]
    share_files: Vec<PathBuf>,
}

/// Help shown under the commands that unseal the root key.
const UNSEAL_HELP: &str = "Unsealing: a keyfile installation needs nothing; a passphrase installation reads the passphrase from the file named by JAGA_PASSPHRASE_FILE (or asks on the terminal); a Shamir installation takes --share-file FILE once per share (or asks on the terminal).";

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTPS API (initialises the data directory on first run).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on (default 127.0.0.1:8443, or JAGA_LISTEN).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Initialise the data directory.
    #[command(
        after_help = "With --unseal passphrase the passphrase is read from the file named by JAGA_PASSPHRASE_FILE, or asked on the terminal."
    )]
    Init {
        #[command(flatten)]
        store: StoreArgs,
        /// How the root key is protected.
        #[arg(long, value_enum, default_value = "keyfile")]
        unseal: datadir::Method,
        /// Shares to make (shamir).
        #[arg(long, default_value_t = 3)]
        shares: u8,
        /// Shares needed to unseal (shamir).
        #[arg(long, default_value_t = 2)]
        threshold: u8,
        /// Where to write share files (shamir). Hand them out and delete them here.
        #[arg(long, default_value = "jaga-shares")]
        shares_dir: PathBuf,
        /// The shop's name, as customers know it (on letters and pages; asked when omitted on
        /// a terminal). Stored as `[shop] name` in jaga.toml.
        #[arg(long)]
        shop_name: Option<String>,
    },
    /// Unseal a running server: send shares or the passphrase to it.
    #[command(after_help = UNSEAL_HELP)]
    Unseal {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        /// The server's URL (default: the configured listen address, `listen` in jaga.toml
        /// or JAGA_LISTEN, e.g. https://127.0.0.1:8443).
        #[arg(long)]
        url: Option<String>,
    },
    /// Manage API keys.
    #[command(after_help = UNSEAL_HELP)]
    Apikey {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: admin::ApikeyCmd,
    },
    /// Manage encryption keys.
    #[command(after_help = UNSEAL_HELP)]
    Keys {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: admin::KeysCmd,
    },
    /// The audit log: verify, checkpoints, proofs, access reports.
    Audit {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        cmd: audit_cmd::AuditCmd,
    },
    /// Bulk import (customers from CSV) through the write guard.
    #[command(after_help = UNSEAL_HELP)]
    Import {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: import_cmd::ImportCmd,
    },
    /// Manage staff accounts (invite, list, disable, reset MFA).
    Staff {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        cmd: staff_cmd::StaffCmd,
    },
    /// Plant honeytokens: decoy customers, API keys and staff accounts.
    #[command(after_help = UNSEAL_HELP)]
    Honeytoken {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: ids_cmd::HoneytokenCmd,
    },
    /// Intrusion alerts: list, acknowledge, lift containment.
    Alerts {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        cmd: ids_cmd::AlertsCmd,
    },
    /// Incidents: open, show, report (UU PDP Art. 46 notice, letters, affected codes).
    Incident {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        cmd: ids_cmd::IncidentCmd,
    },
    /// Security self-check of this installation (pass/warn/fail with the fix).
    #[command(after_help = UNSEAL_HELP)]
    Doctor {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(flatten)]
        args: doctor_cmd::DoctorArgs,
    },
    /// Encrypted backups: create, verify, restore (replaying the erasure ledger), drill.
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        cmd: backup_cmd::BackupCmd,
    },
    /// The written data-protection policy from `policy.toml` and the configuration in force.
    Policy {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        cmd: policy_cmd::PolicyCmd,
    },
    /// Data-subject requests (UU PDP) with their due dates, and consent records.
    #[command(after_help = UNSEAL_HELP)]
    Requests {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: requests_cmd::RequestsCmd,
    },
    /// Customer segments: move a customer to another segment (re-encrypted, audited).
    #[command(after_help = UNSEAL_HELP)]
    Segments {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: segments_cmd::SegmentsCmd,
    },
    /// Redact identifiers from text, CSV, JSON lines or e-mail (stdin or files → stdout).
    Redact(redact_cmd::RedactArgs),
    /// E-mail analyzer: rate .eml files for business e-mail compromise and phishing.
    #[command(after_help = mail_cmd::MAIL_HELP)]
    Mail {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        unseal: UnsealArgs,
        #[command(subcommand)]
        cmd: mail_cmd::MailCmd,
    },
    /// Fraud monitoring offline: score, backtest and simulate transaction events.
    Fraud {
        #[command(subcommand)]
        cmd: fraud_cmd::FraudCmd,
    },
    /// Print the OpenAPI document.
    Openapi,
}

impl Command {
    /// The installation options given after the command, for the commands that take them.
    fn store(&self) -> Option<&StoreArgs> {
        match self {
            Command::Serve { store, .. }
            | Command::Init { store, .. }
            | Command::Unseal { store, .. }
            | Command::Apikey { store, .. }
            | Command::Keys { store, .. }
            | Command::Audit { store, .. }
            | Command::Import { store, .. }
            | Command::Staff { store, .. }
            | Command::Honeytoken { store, .. }
            | Command::Alerts { store, .. }
            | Command::Incident { store, .. }
            | Command::Doctor { store, .. }
            | Command::Backup { store, .. }
            | Command::Policy { store, .. }
            | Command::Requests { store, .. }
            | Command::Segments { store, .. }
            | Command::Mail { store, .. } => Some(store),
            Command::Redact(_) | Command::Fraud { .. } | Command::Openapi => None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let flags = Flags {
        data_dir: cli.data_dir.clone(),
        listen: None,
        database_url: cli.database_url.clone(),
    };
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match rt.block_on(run(cli, flags)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli, mut flags: Flags) -> anyhow::Result<ExitCode> {
    let input = |u: UnsealArgs| datadir::UnsealInput {
        share_files: u.share_files,
    };
    // Options given after the command win over the same options given before it.
    if let Some(store) = cli.command.store() {
        if store.data_dir.is_some() {
            flags.data_dir.clone_from(&store.data_dir);
        }
        if store.database_url.is_some() {
            flags.database_url.clone_from(&store.database_url);
        }
    }
    match cli.command {
        Command::Serve { listen, .. } => {
            flags.listen = listen;
            serve::run(&flags).await?;
        }
        Command::Init {
            unseal,
            shares,
            threshold,
            shares_dir,
            shop_name,
            ..
        } => {
            let mut cfg = config::load(&flags)?;
            serve::init_logging(&cfg.log_format);
            let shop_name = datadir::shop_name(shop_name)?;
            if shop_name.is_some() {
                cfg.shop.name.clone_from(&shop_name);
            }
            let passphrase = (unseal == datadir::Method::Passphrase)
                .then(|| datadir::read_passphrase(true))
                .transpose()?;
            datadir::init(
                &cfg,
                &datadir::InitOptions {
                    method: unseal,
                    shares,
                    threshold,
                    shares_dir: shares_dir.clone(),
                    passphrase,
                    shop_name,
                },
            )
            .await?;
            let signer = jaga_jobs::checkpoint::SignerFiles::open_or_create(
                &cfg.data_dir,
                cfg.audit.origin.as_deref(),
            )?;
            serve::print_summary(&cfg, unseal, Some(&shares_dir));
            serve::print_first_steps(&cfg, &cfg.public_url());
            println!(
                "Audit log verifier key / kunci verifikasi log audit:\n  {}",
                signer.verifier()
            );
            staff_cmd::print_bootstrap(&cfg, &cfg.public_url()).await?;
        }
        Command::Unseal { unseal, url, .. } => {
            admin::unseal_remote(&flags, &input(unseal), url.as_deref()).await?
        }
        Command::Apikey { unseal, cmd, .. } => admin::apikey(&flags, &input(unseal), cmd).await?,
        Command::Keys { unseal, cmd, .. } => admin::keys(&flags, &input(unseal), cmd).await?,
        Command::Audit { cmd, .. } => return audit_cmd::run(&flags, cmd).await,
        Command::Import { unseal, cmd, .. } => {
            return import_cmd::run(&flags, &input(unseal), cmd).await;
        }
        Command::Staff { cmd, .. } => return staff_cmd::run(&flags, cmd).await,
        Command::Honeytoken { unseal, cmd, .. } => {
            return ids_cmd::honeytoken(&flags, &input(unseal), cmd).await;
        }
        Command::Alerts { cmd, .. } => return ids_cmd::alerts(&flags, cmd).await,
        Command::Incident { cmd, .. } => return ids_cmd::incident(&flags, cmd).await,
        Command::Doctor { unseal, args, .. } => {
            return doctor_cmd::run(&flags, &input(unseal), args).await;
        }
        Command::Backup { cmd, .. } => return backup_cmd::run(&flags, cmd).await,
        Command::Policy { cmd, .. } => return policy_cmd::run(&flags, cmd),
        Command::Requests { unseal, cmd, .. } => {
            return requests_cmd::run(&flags, &input(unseal), cmd).await;
        }
        Command::Segments { unseal, cmd, .. } => {
            return segments_cmd::run(&flags, &input(unseal), cmd).await;
        }
        Command::Redact(args) => redact_cmd::run(args)?,
        Command::Mail { unseal, cmd, .. } => {
            return mail_cmd::run(&flags, &input(unseal), cmd).await;
        }
        Command::Fraud {
            cmd: fraud_cmd::FraudCmd::Export { events, labels },
        } => return fraud_export::run(&flags, &events, &labels).await,
        Command::Fraud { cmd } => return fraud_cmd::run(cmd),
        Command::Openapi => print!("{}", jaga_server::openapi::json()),
    }
    Ok(ExitCode::SUCCESS)
}
