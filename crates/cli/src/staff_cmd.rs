//! `jaga staff …`: invite staff (prints a one-time invitation link), list (with the pending
//! invitations), cancel or resend an invitation, disable, enable, end sessions, reset MFA, and
//! the bootstrap invitation of the first admin.
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
        /// Base URL for the link (default: `public_url` from jaga.toml or JAGA_PUBLIC_URL, else
        /// from the listen address and the certificate).
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
    /// Cancel a pending invitation (by invitation id or e-mail): its link stops working.
    CancelInvitation {
        /// Invitation id (from `jaga staff list`) or the invited e-mail.
        invitation: String,
    },
    /// Send a pending invitation again: prints a new one-time link (same e-mail, role and
    /// segments) and cancels the old link.
    ResendInvitation {
        /// Invitation id (from `jaga staff list`) or the invited e-mail.
        invitation: String,
        /// Base URL for the link (default: `public_url` from jaga.toml or JAGA_PUBLIC_URL, else
        /// from the listen address and the certificate).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Print a new invitation for the first admin (only while no admin exists).
    Bootstrap {
        /// Base URL for the link (default: `public_url` from jaga.toml or JAGA_PUBLIC_URL, else
        /// from the listen address and the certificate).
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

/// The start of invitation links: `--base-url`, else the configured `public_url`.
fn base(cfg: &Config, base_url: Option<String>) -> Result<String> {
    match base_url {
        Some(b) => crate::public_url::check(&b).context("--base-url"),
        None => Ok(cfg.public_url()),
    }
}

/// The invitation's link, with its expiry in the shop's time zone (the zone shown).
fn print_invitation(inv: &Invitation, base_url: &str, zone: &jaga_i18n::Zone) {
    let expires = zone.datetime(&inv.expires_at);
    println!("Invitation link (one-time, expires {expires}):");
    println!("Tautan undangan (sekali pakai, berlaku sampai {expires}):");
    println!("  {}", inv.link(base_url));
}

/// Prints the bootstrap invitation of the first admin (after `jaga init`), its link under
/// `base_url`.
pub async fn print_bootstrap(cfg: &Config, base_url: &str) -> Result<()> {
    let svc = service(cfg).await?;
    match svc.bootstrap_invitation().await {
        Ok(inv) => {
            println!();
            println!("Create the first admin account / buat akun admin pertama:");
            print_invitation(&inv, base_url, &cfg.shop.zone);
            Ok(())
        }
        Err(CoreError::Conflict(jaga_core::ConflictKind::AdminExists)) => Ok(()),
        Err(e) => Err(e).context("creating the bootstrap invitation"),
    }
}

/// While no admin account exists, reminds (at `jaga serve`) how to make the first one.
pub async fn remind_bootstrap(cfg: &Config) {
    let Ok(svc) = service(cfg).await else {
        return;
    };
    let caller = Caller::operator(OperatorTask::Staff);
    if let Ok(all) = svc.list(&caller).await
        && !all.iter().any(|s| s.role == Role::Admin && !s.disabled)
    {
        println!(
            "No admin account yet: run `jaga staff bootstrap` for a one-time link to create it.\n\
             Belum ada akun admin: jalankan `jaga staff bootstrap` untuk tautan pembuatannya."
        );
    }
}

async fn find(svc: &StaffService, caller: &Caller, who: &str) -> Result<StaffInfo> {
    let all = svc.list(caller).await?;
    let who_l = who.trim().to_lowercase();
    all.into_iter()
        .find(|s| s.id.to_string() == who_l || s.email == who_l)
        .with_context(|| format!("no staff account {who}"))
}

/// The pending invitation named by its id or invited e-mail (case does not matter).
async fn find_pending(
    svc: &StaffService,
    caller: &Caller,
    which: &str,
) -> Result<jaga_core::staff::PendingInvitation> {
    let which = which.trim().to_lowercase();
    let pending = svc.pending_invitations(caller).await?;
    let mut found: Vec<_> = pending
        .into_iter()
        .filter(|p| {
            p.id.to_string() == which
                || p.email.as_deref().map(str::to_lowercase) == Some(which.clone())
        })
        .collect();
    if found.len() == 1 {
        return Ok(found.remove(0));
    }
    match found.as_slice() {
        [] => bail!(
            "no pending invitation {which}: `jaga staff list` shows the pending invitations and their ids"
        ),
        _ => {
            bail!("several pending invitations for {which}: name one by its id (`jaga staff list`)")
        }
    }
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
            print_invitation(&inv, &base(&cfg, base_url)?, &cfg.shop.zone);
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
            if !json {
                let pending = svc.pending_invitations(&caller).await?;
                if !pending.is_empty() {
                    println!();
                    println!("pending invitations / undangan yang belum diterima:");
                    println!(
                        "{:<36}  {:<32}  {:<10}  expires",
                        "invitation id", "email", "role"
                    );
                    for p in pending {
                        println!(
                            "{:<36}  {:<32}  {:<10}  {}",
                            p.id,
                            p.email.as_deref().unwrap_or("(first admin)"),
                            p.role.name(),
                            cfg.shop.zone.datetime(&p.expires_at)
                        );
                    }
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
        StaffCmd::CancelInvitation { invitation } => {
            let id = find_pending(&svc, &caller, &invitation).await?.id;
            svc.cancel_invitation(&caller, id).await.map_err(describe)?;
            println!("cancelled invitation {id}: its link no longer works");
        }
        StaffCmd::ResendInvitation {
            invitation,
            base_url,
        } => {
            let base = base(&cfg, base_url)?;
            let id = find_pending(&svc, &caller, &invitation).await?.id;
            let inv = svc.resend_invitation(&caller, id).await.map_err(describe)?;
            println!("cancelled the old link of invitation {id}");
            print_invitation(&inv, &base, &cfg.shop.zone);
        }
        StaffCmd::Bootstrap { base_url } => {
            let inv = svc.bootstrap_invitation().await.map_err(describe)?;
            print_invitation(&inv, &base(&cfg, base_url)?, &cfg.shop.zone);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn describe(e: CoreError) -> anyhow::Error {
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
