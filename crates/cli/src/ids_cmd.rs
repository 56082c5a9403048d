//! `jaga honeytoken …`, `jaga alerts …` and `jaga incident …`: intrusion detection from the
//! host. The CLI acts as the operator (`OperatorTask::Security`); every action is audited.

use crate::config::{self, Config, Flags};
use crate::datadir::{self, UnsealInput};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use jaga_core::auth::{ActorKind, Caller, OperatorTask};
use jaga_core::report::Lang;
use jaga_core::vault::Vault;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// `jaga honeytoken …`
#[derive(Subcommand)]
pub enum HoneytokenCmd {
    /// Plant decoy customers (and, when asked, decoy API keys and staff accounts) that no
    /// legitimate work touches; any read, lookup hit, reveal or export of one raises a critical
    /// alert. `--count N` alone plants exactly N customers.
    Create {
        /// Decoy customers to plant.
        #[arg(long, default_value_t = 3)]
        count: u32,
        /// Decoy API keys to plant (plant the printed key where a thief would look).
        #[arg(long, default_value_t = 0)]
        keys: u32,
        /// Decoy staff accounts to plant.
        #[arg(long, default_value_t = 0)]
        staff: u32,
        /// Segment of the decoy customers (default: the default segment).
        #[arg(long)]
        segment: Option<String>,
        /// Print `[{"id","code","kind"}]`.
        #[arg(long)]
        json: bool,
    },
}

/// `jaga alerts …`
#[derive(Subcommand)]
pub enum AlertsCmd {
    /// List alerts, newest first.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Acknowledge an alert.
    Ack {
        /// Alert id (`al-…`).
        id: String,
    },
    /// Lift containment: let a suspended API key or staff account work again.
    Lift {
        /// `api_key` or `staff`.
        #[arg(long)]
        kind: String,
        /// The key id or staff id.
        id: String,
    },
}

/// `jaga incident …`
#[derive(Subcommand)]
pub enum IncidentCmd {
    /// Open an incident from an alert or by hand.
    Open {
        /// The alert it starts from.
        #[arg(long)]
        alert: Option<String>,
        /// The suspect: `api_key:<id>` or `staff:<id>` (default: the alert's actor).
        #[arg(long)]
        suspect: Option<String>,
        /// A short title (no personal data).
        #[arg(long)]
        title: Option<String>,
        /// Start of the window examined, RFC 3339 (default: 7 days before discovery).
        #[arg(long)]
        since: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List incidents.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show an incident: timeline, affected customers, the Art. 46 deadline.
    Show {
        /// Incident id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a note to the timeline (no personal data).
    Note {
        /// Incident id.
        id: String,
        /// The note.
        text: String,
    },
    /// Close an incident.
    Close {
        /// Incident id.
        id: String,
    },
    /// The notice to the authority, letters to affected customers and a CSV of their codes.
    Report {
        /// Incident id.
        id: String,
        /// `id` (Bahasa Indonesia) or `en`.
        #[arg(long, default_value = "id")]
        lang: String,
        /// The shop's name in the texts (default: `[shop] name` of `jaga.toml`).
        #[arg(long)]
        shop: Option<String>,
        /// Whom to contact (e-mail or phone of the data protection officer); required, the
        /// letters tell customers whom to ask.
        #[arg(long)]
        contact: String,
        /// Also write `notice.txt`, `letters/<code>.txt` and `affected.csv` into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn caller() -> Caller {
    Caller::operator(OperatorTask::Security)
}

/// A vault over the configured store, sealed: alerts and incidents need no key material.
async fn sealed(cfg: &Config) -> Result<Arc<Vault>> {
    let unseal = datadir::unseal_config(&cfg.data_dir)?;
    let store = datadir::open_cfg_store(cfg).await?;
    Ok(Arc::new(Vault::new(store, unseal)))
}

/// Runs `jaga honeytoken …`.
pub async fn honeytoken(
    flags: &Flags,
    input: &UnsealInput,
    cmd: HoneytokenCmd,
) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let HoneytokenCmd::Create {
        count,
        keys,
        staff,
        segment,
        json,
    } = cmd;
    let vault = datadir::open_unsealed(&cfg, input).await?;
    let planted = vault
        .honeytokens_plant(&caller(), count, keys, staff, segment.as_deref())
        .await
        .map_err(crate::staff_cmd::describe)?;
    // Running servers reload the markers every 250 ms: print the decoys (the only way to learn
    // them) once every node watches them.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    if json {
        println!("{}", serde_json::to_string_pretty(&planted)?);
    } else {
        println!("Planted {} honeytokens / umpan ditanam:", planted.len());
        for p in &planted {
            println!("  {:<9} {:<40} {}", p.kind, p.id, p.code);
        }
        println!(
            "Plant the API key and staff e-mail where a thief would look (a config file, a wiki page)."
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `jaga alerts …`.
pub async fn alerts(flags: &Flags, cmd: AlertsCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let vault = sealed(&cfg).await?;
    match cmd {
        AlertsCmd::List { json, limit } => {
            let list = vault.alerts(&caller(), limit).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no alerts / tidak ada peringatan");
            } else {
                println!(
                    "{:<15}  {:<20}  {:<8}  {:<20}  {:>5}  {:<5}  actor",
                    "id", "time", "severity", "rule", "count", "ack"
                );
                for a in list {
                    println!(
                        "{:<15}  {:<20}  {:<8}  {:<20}  {:>5}  {:<5}  {}:{}",
                        a.id,
                        a.created_at,
                        a.severity,
                        a.rule,
                        a.count,
                        if a.acked { "yes" } else { "no" },
                        a.actor_kind,
                        a.actor_id
                    );
                }
            }
        }
        AlertsCmd::Ack { id } => {
            let a = vault.alert_ack(&caller(), &id).await.map_err(|e| match e {
                jaga_core::CoreError::NotFound => anyhow::anyhow!("no alert {id}"),
                e => e.into(),
            })?;
            println!("acknowledged {} ({})", a.id, a.rule);
        }
        AlertsCmd::Lift { kind, id } => {
            let k = match kind.as_str() {
                "api_key" => ActorKind::ApiKey,
                "staff" => ActorKind::Staff,
                _ => bail!("--kind must be api_key or staff"),
            };
            vault
                .ids_lift(&caller(), k, &id)
                .await
                .map_err(|e| match e {
                    jaga_core::CoreError::NotFound => {
                        anyhow::anyhow!("{kind} {id} is not suspended")
                    }
                    e => e.into(),
                })?;
            println!("lifted containment of {kind} {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `jaga incident …`.
pub async fn incident(flags: &Flags, cmd: IncidentCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let vault = sealed(&cfg).await?;
    let c = caller();
    let not_found = |id: &str| {
        let id = id.to_string();
        move |e: jaga_core::CoreError| match e {
            jaga_core::CoreError::NotFound => anyhow::anyhow!("no such incident or alert: {id}"),
            e => crate::staff_cmd::describe(e),
        }
    };
    match cmd {
        IncidentCmd::Open {
            alert,
            suspect,
            title,
            since,
            json,
        } => {
            let from = since
                .map(|s| {
                    time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
                        .context("--since must be RFC 3339, e.g. 2026-12-01T00:00:00Z")
                })
                .transpose()?;
            let v = vault
                .incident_open(
                    &c,
                    alert.as_deref(),
                    title.as_deref(),
                    suspect.as_deref(),
                    from,
                )
                .await
                .map_err(not_found(alert.as_deref().unwrap_or("-")))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "opened {} — notify by {} (UU PDP Art. 46)",
                    v.id, v.deadline
                );
            }
        }
        IncidentCmd::List { json } => {
            let list = vault.incidents(&c).await?;
            if json {
                let v: Vec<_> = list
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.id, "title": r.title, "status": r.status,
                            "opened_at": jaga_core::format_ms(r.opened_at),
                            "deadline": jaga_core::format_ms(r.discovered_at + jaga_core::ids::incident::DEADLINE_MS),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for r in list {
                    println!(
                        "{:<16}  {:<6}  {}  {}",
                        r.id,
                        r.status,
                        jaga_core::format_ms(r.opened_at),
                        r.title
                    );
                }
            }
        }
        IncidentCmd::Show { id, json } => {
            let v = vault.incident(&c, &id).await.map_err(not_found(&id))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{} — {} ({})", v.id, v.title, v.status);
                println!(
                    "discovered {}; notify by {} ({} h left)",
                    v.discovered_at, v.deadline, v.hours_left
                );
                println!("suspect {}", v.suspect.as_deref().unwrap_or("-"));
                println!("window {} – {}", v.window_from, v.window_to);
                println!("affected customers: {}", v.affected.len());
                for a in &v.affected {
                    println!(
                        "  {}  {} access(es)  {}",
                        a.code,
                        a.accesses,
                        a.categories.join(",")
                    );
                }
                println!("timeline:");
                for e in &v.timeline {
                    println!("  {}  {:<11}  {}", e.at, e.kind, e.text);
                }
            }
        }
        IncidentCmd::Note { id, text } => {
            vault
                .incident_note(&c, &id, Some(&text), false)
                .await
                .map_err(not_found(&id))?;
            println!("noted");
        }
        IncidentCmd::Close { id } => {
            vault
                .incident_note(&c, &id, None, true)
                .await
                .map_err(not_found(&id))?;
            println!("closed {id}");
        }
        IncidentCmd::Report {
            id,
            lang,
            shop,
            contact,
            out,
            json,
        } => {
            let Some(lang) = Lang::parse(&lang) else {
                bail!("--lang must be id or en");
            };
            let shop = shop.unwrap_or_else(|| cfg.shop.display_name(lang));
            let r = vault
                .incident_report(&c, &id, lang, &shop, &contact)
                .await
                .map_err(not_found(&id))?;
            if let Some(dir) = &out {
                std::fs::create_dir_all(dir.join("letters"))
                    .with_context(|| format!("creating {}", dir.display()))?;
                std::fs::write(dir.join("notice.txt"), &r.notice)?;
                std::fs::write(dir.join("affected.csv"), &r.csv)?;
                for (code, text) in &r.letters {
                    std::fs::write(dir.join("letters").join(format!("{code}.txt")), text)?;
                }
            }
            if json {
                let letters: Vec<_> = r
                    .letters
                    .iter()
                    .map(|(code, text)| serde_json::json!({"code": code, "text": text}))
                    .collect();
                let affected: Vec<&str> = r.letters.iter().map(|(c, _)| c.as_str()).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "incident_id": r.incident_id, "lang": r.lang, "notice": r.notice,
                        "letters": letters, "csv": r.csv, "affected": affected,
                    }))?
                );
            } else {
                println!("{}", r.notice);
                for (_, text) in &r.letters {
                    println!("----------------------------------------------------------------");
                    println!("{text}");
                }
                println!("----------------------------------------------------------------");
                print!("{}", r.csv);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
