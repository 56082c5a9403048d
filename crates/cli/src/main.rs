//! `jaga`: the one binary. `jaga serve` runs the HTTPS API; the other subcommands are the
//! administrator's tools (init, unseal, API keys, key rotation).
//!
//! Exit codes: 0 success, 1 a check failed, 2 a usage or environment error.
#![forbid(unsafe_code)]

mod admin;
mod audit_cmd;
mod config;
mod datadir;
mod import_cmd;
mod postgres;
mod redact_cmd;
mod report_cmd;
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
    /// Data directory (default ./jaga-data, or JAGA_DATA_DIR).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… (default) or postgres://… (or JAGA_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Share files for Shamir installations (repeat for each share).
    #[arg(long = "share-file", global = true)]
    share_files: Vec<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTPS API (initialises the data directory on first run).
    Serve {
        /// Address to listen on (default 127.0.0.1:8443, or JAGA_LISTEN).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Initialise the data directory.
    Init {
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
    },
    /// Unseal a running server: send shares or the passphrase to it.
    Unseal {
        /// The server's URL.
        #[arg(long, default_value = "https://127.0.0.1:8443")]
        url: String,
    },
    /// Manage API keys.
    Apikey {
        #[command(subcommand)]
        cmd: admin::ApikeyCmd,
    },
    /// Manage encryption keys.
    Keys {
        #[command(subcommand)]
        cmd: admin::KeysCmd,
    },
    /// The audit log: verify, checkpoints, proofs, access reports.
    Audit {
        #[command(subcommand)]
        cmd: audit_cmd::AuditCmd,
    },
    /// Bulk import (customers from CSV) through the write guard.
    Import {
        #[command(subcommand)]
        cmd: import_cmd::ImportCmd,
    },
    /// Manage staff accounts (invite, list, disable, reset MFA).
    Staff {
        #[command(subcommand)]
        cmd: staff_cmd::StaffCmd,
    },
    /// Redact identifiers from text, CSV, JSON lines or e-mail (stdin or files → stdout).
    Redact(redact_cmd::RedactArgs),
    /// Print the OpenAPI document.
    Openapi,
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
    let unseal_input = datadir::UnsealInput {
        share_files: cli.share_files,
    };
    match cli.command {
        Command::Serve { listen } => {
            flags.listen = listen;
            serve::run(&flags).await?;
        }
        Command::Init {
            unseal,
            shares,
            threshold,
            shares_dir,
        } => {
            let cfg = config::load(&flags)?;
            serve::init_logging(&cfg.log_format);
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
                },
            )
            .await?;
            let signer = jaga_jobs::checkpoint::SignerFiles::open_or_create(
                &cfg.data_dir,
                cfg.audit.origin.as_deref(),
            )?;
            serve::print_summary(&cfg, unseal, Some(&shares_dir));
            println!(
                "Audit log verifier key / kunci verifikasi log audit:\n  {}",
                signer.verifier()
            );
            staff_cmd::print_bootstrap(&cfg).await?;
        }
        Command::Unseal { url } => admin::unseal_remote(&flags, &unseal_input, &url).await?,
        Command::Apikey { cmd } => admin::apikey(&flags, &unseal_input, cmd).await?,
        Command::Keys { cmd } => admin::keys(&flags, &unseal_input, cmd).await?,
        Command::Audit { cmd } => return audit_cmd::run(&flags, cmd).await,
        Command::Import { cmd } => return import_cmd::run(&flags, &unseal_input, cmd).await,
        Command::Staff { cmd } => return staff_cmd::run(&flags, cmd).await,
        Command::Redact(args) => redact_cmd::run(args)?,
        Command::Openapi => print!("{}", jaga_server::openapi::json()),
    }
    Ok(ExitCode::SUCCESS)
}
