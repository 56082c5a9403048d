//! `jaga staff …`: invite staff (prints a one-time invitation link), list, disable, enable,
//! end sessions, reset MFA, and the bootstrap invitation of the first admin.
//!
//! The CLI acts as the system (it runs on the server with access to the data directory), so it
//! needs no staff session; every action is audited with actor `system:cli`.

use crate::config::{self, Config, Flags};
use crate::datadir;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use jaga_core::CoreError;
use jaga_core::auth::{Caller, OperatorTask};
use jaga_core::staff::{Invitation, NewInvitation, Role, StaffInfo, StaffService};
use jaga_core::vault::Vault;
use std::process::ExitCode;
use std::sync::Arc;

/// Staff subcommands.
#[derive(Subcommand)]
pub enum StaffCmd {
    /// Invite a staff member; prints a one-time invitation link.
    Add {
        /// E-mail of the new staff member.
        #[arg(long)]
        email: String,
        /// Role: cs_staff, cs_manager, finance, admin or auditor.
        #[arg(long)]
        role: String,
        /// Restrict to a segment (repeat for several; none = every segment).
        #[arg(long = "segment")]
        segments: Vec<String>,
        /// Base URL for the link (default: https:// followed by the listen address).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// List staff accounts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account (by e-mail or id) and end its sessions.
    Disable {
        /// E-mail or id.
        who: String,
    },
    /// Re-enable an account.
    Enable {
        /// E-mail or id.
        who: String,
    },
    /// End every session of an account.
    EndSessions {
        /// E-mail or id.
        who: String,
    },
    /// Reset an account's TOTP (lost phone): it enrols again at the next login.
    ResetMfa {
        /// E-mail or id.
        who: String,
    },
    /// Print a new invitation for the first admin (only while no admin exists).
    Bootstrap {
        /// Base URL for the link (default: https:// followed by the listen address).
        #[arg(long)]
        base_url: Option<String>,
    },
}

async fn service(cfg: &Config) -> Result<StaffService> {
    let unseal = datadir::unseal_config(&cfg.data_dir)?;
    let store = datadir::open_store(&cfg.database_url).await?;
    // Staff administration needs no key material: the vault stays sealed.
    let vault = Arc::new(Vault::new(store, unseal));
    Ok(StaffService::new(vault, cfg.staff.clone()))
}

fn base(cfg: &Config, base_url: Option<String>) -> String {
    base_url.unwrap_or_else(|| format!("https://{}", cfg.listen))
}

fn print_invitation(inv: &Invitation, base_url: &str) {
    println!("Invitation link (one-time, expires {}):", inv.expires_at);
    println!(
        "Tautan undangan (sekali pakai, berlaku sampai {}):",
        inv.expires_at
    );
    println!("  {}", inv.link(base_url));
}

/// Prints the bootstrap invitation of the first admin (after `jaga init`).
pub async fn print_bootstrap(cfg: &Config) -> Result<()> {
    let svc = service(cfg).await?;
    match svc.bootstrap_invitation().await {
        Ok(inv) => {
            println!();
            println!("Create the first admin account / buat akun admin pertama:");
            print_invitation(&inv, &base(cfg, None));
            Ok(())
        }
        Err(CoreError::Conflict(jaga_core::ConflictKind::AdminExists)) => Ok(()),
        Err(e) => Err(e).context("creating the bootstrap invitation"),
    }
}

async fn find(svc: &StaffService, caller: &Caller, who: &str) -> Result<StaffInfo> {
    let all = svc.list(caller).await?;
    let who_l = who.trim().to_lowercase();
    all.into_iter()
        .find(|s| s.id.to_string() == who_l || s.email == who_l)
        .with_context(|| format!("no staff account {who}"))
}

/// Runs a staff subcommand.
pub async fn run(flags: &Flags, cmd: StaffCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let svc = service(&cfg).await?;
    let caller = Caller::operator(OperatorTask::Staff);
    match cmd {
        StaffCmd::Add {
            email,
            role,
            segments,
            base_url,
        } => {
            let Some(role) = Role::parse(&role) else {
                bail!("unknown role {role}: use cs_staff, cs_manager, finance, admin or auditor");
            };
            let inv = svc
                .invite(
                    &caller,
                    &NewInvitation {
                        email,
                        role,
                        segments,
                    },
                )
                .await
                .map_err(describe)?;
            print_invitation(&inv, &base(&cfg, base_url));
        }
        StaffCmd::List { json } => {
            let all = svc.list(&caller).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                println!(
                    "{:<36}  {:<32}  {:<10}  {:<8}  segments",
                    "id", "email", "role", "state"
                );
                for s in all {
                    let state = if s.disabled {
                        "disabled"
                    } else if !s.mfa_enrolled {
                        "enrolling"
                    } else {
                        "active"
                    };
                    println!(
                        "{:<36}  {:<32}  {:<10}  {:<8}  {}",
                        s.id,
                        s.email,
                        s.role.name(),
                        state,
                        if s.segments.is_empty() {
                            "*".to_string()
                        } else {
                            s.segments.join(",")
                        }
                    );
                }
            }
        }
        StaffCmd::Disable { who } => {
            let s = find(&svc, &caller, &who).await?;
            svc.disable(&caller, s.id).await?;
            println!("disabled {} and ended its sessions", s.email);
        }
        StaffCmd::Enable { who } => {
            let s = find(&svc, &caller, &who).await?;
            svc.enable(&caller, s.id).await?;
            println!("enabled {}", s.email);
        }
        StaffCmd::EndSessions { who } => {
            let s = find(&svc, &caller, &who).await?;
            let n = svc.end_sessions(&caller, s.id).await?;
            println!("ended {n} session(s) of {}", s.email);
        }
        StaffCmd::ResetMfa { who } => {
            let s = find(&svc, &caller, &who).await?;
            svc.reset_mfa(&caller, s.id).await?;
            println!(
                "reset the second factor of {}; they enrol again at the next login",
                s.email
            );
        }
        StaffCmd::Bootstrap { base_url } => {
            let inv = svc.bootstrap_invitation().await.map_err(describe)?;
            print_invitation(&inv, &base(&cfg, base_url));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(e: CoreError) -> anyhow::Error {
    match e {
        CoreError::Invalid(errs) => anyhow::anyhow!(
            "{}",
            errs.iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}
