//! `jaga audit report …`: the access reports as text, JSON or CSV, and the periodic access
//! review that `jaga serve` hands to the witnesses.

use crate::config::{self, Flags};
use crate::datadir;
use anyhow::{Context, Result, bail};
use jaga_core::auth::{Caller, OperatorTask};
use jaga_core::report::{AccessEntry, Finding, Lang, Review};
use jaga_core::staff::Policies;
use jaga_core::store::Store;
use jaga_core::vault::Vault;
use jaga_jobs::delivery::Witnesses;
use jaga_jobs::review::{review_delivery, review_text};
use std::process::ExitCode;
use std::sync::Arc;

/// `jaga audit report …`
#[derive(clap::Subcommand)]
pub enum ReportCmd {
    /// Every access to one customer's data.
    Customer {
        /// Customer code, e.g. JG-7K3Q-9XM2-P (upper or lower case).
        #[arg(long)]
        code: String,
        /// Print a letter to the customer instead of a table.
        #[arg(long)]
        letter: bool,
        /// Also write the letter as a PDF to this file (with --letter).
        #[arg(long, requires = "letter")]
        pdf: Option<std::path::PathBuf>,
        /// Letter language: id (Bahasa Indonesia) or en.
        #[arg(long, default_value = "id")]
        lang: String,
        /// Shop name for the letter (default: `[shop] name` in jaga.toml, asked at `jaga init`).
        #[arg(long)]
        shop: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// CSV output.
        #[arg(long)]
        csv: bool,
    },
    /// One staff member's (or API key's) activity over a period.
    Staff {
        /// Staff id or API key id.
        #[arg(long)]
        actor: String,
        /// Start date (YYYY-MM-DD, UTC); default 30 days ago.
        #[arg(long)]
        from: Option<String>,
        /// End date, exclusive (YYYY-MM-DD, UTC); default tomorrow.
        #[arg(long)]
        to: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// CSV output.
        #[arg(long)]
        csv: bool,
    },
    /// Access review: unused and overly broad keys, reveals without a ticket, spikes, changes.
    Review {
        /// JSON output.
        #[arg(long)]
        json: bool,
        /// CSV output.
        #[arg(long)]
        csv: bool,
        /// Also hand the review to the configured witnesses (directory, e-mail, webhook).
        #[arg(long)]
        deliver: bool,
    },
}

/// The operator's reporting authority: `audit:read` only (also the periodic review's, in
/// `jaga serve`).
pub fn caller() -> Caller {
    Caller::operator(OperatorTask::Reports)
}

/// A sealed vault over `store`: reports read the audit log, which needs no key material, and
/// are reached only through the auditor capability.
fn auditor_vault(store: &Arc<dyn Store>) -> Vault {
    let config = jaga_core::unseal::UnsealConfig::Keyfile {
        key_file: String::new(),
        root_check: String::new(),
    };
    Vault::new(store.clone(), config)
}

/// Runs a report.
pub async fn run(flags: &Flags, cmd: ReportCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let store = datadir::open_store(&cfg.database_url).await?;
    match cmd {
        ReportCmd::Customer {
            code,
            letter,
            pdf,
            lang,
            shop,
            json,
            csv,
        } => {
            let code = code.trim().to_uppercase();
            let mut shop_info = cfg.shop.clone();
            // The name saved in the console (staff page) wins over `[shop] name`.
            if let Some(saved) = store
                .setting_get("shop.name")
                .await?
                .filter(|n| !n.trim().is_empty())
            {
                shop_info.name = Some(saved);
            }
            if let Some(name) = shop {
                shop_info.name = Some(name);
            }
            let lang = match lang.as_str() {
                "id" => Lang::Id,
                "en" => Lang::En,
                _ => bail!("--lang must be id or en"),
            };
            let vault = auditor_vault(&store);
            let caller = caller();
            let r = match vault
                .audit_reader(&caller)
                .await?
                .customer_report(&code)
                .await
            {
                Err(jaga_core::CoreError::NotFound) => bail!("no customer with code {code}"),
                other => other?,
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else if csv {
                print!("{}", entries_csv(&r.accesses));
            } else if letter {
                let letter = jaga_core::letter::Letter::new(&r, &shop_info, lang);
                print!("{}", letter.text());
                if let Some(path) = pdf {
                    std::fs::write(&path, letter.pdf())
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("PDF written to {}", path.display());
                }
            } else {
                println!(
                    "{} accesses to customer {}",
                    r.accesses.len(),
                    r.customer_code
                );
                print!("{}", entries_table(&r.accesses));
            }
        }
        ReportCmd::Staff {
            actor,
            from,
            to,
            json,
            csv,
        } => {
            let now = jaga_core::now_ms();
            let from_ms = from
                .as_deref()
                .map(date_ms)
                .transpose()?
                .unwrap_or(now - 30 * 86_400_000);
            let to_ms = to
                .as_deref()
                .map(date_ms)
                .transpose()?
                .unwrap_or(now + 86_400_000);
            let vault = auditor_vault(&store);
            let caller = caller();
            let r = vault
                .audit_reader(&caller)
                .await?
                .actor_report(&actor, from_ms, to_ms)
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else if csv {
                print!("{}", entries_csv(&r.events));
            } else {
                println!("activity of {} from {} to {}", r.actor_id, r.from, r.to);
                for (a, n) in &r.by_action {
                    println!("  {a:<28} {n}");
                }
                println!("failed logins: {}", r.failed_logins);
                println!("reveals per day:");
                for (d, n) in &r.reveals_per_day {
                    println!("  {d} {n}");
                }
                print!("{}", entries_table(&r.events));
            }
        }
        ReportCmd::Review { json, csv, deliver } => {
            let r = review(&store, &cfg.staff.policies).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else if csv {
                print!("{}", findings_csv(&r.findings));
            } else {
                print!("{}", review_text(&r));
            }
            if deliver {
                let mut w = Witnesses::new(&cfg.data_dir, cfg.audit.witness.clone())?;
                if w.deliver(&review_delivery(&r)).await > 0 {
                    eprintln!("warning: some witnesses did not take the review");
                    return Ok(ExitCode::from(1));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn review(store: &Arc<dyn Store>, policies: &Policies) -> Result<Review> {
    let vault = auditor_vault(store);
    Ok(jaga_jobs::review::review(&vault, &caller(), policies).await?)
}

fn date_ms(s: &str) -> Result<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d =
        time::Date::parse(s, &fmt).with_context(|| format!("{s:?} is not a date YYYY-MM-DD"))?;
    Ok(d.midnight().assume_utc().unix_timestamp() * 1000)
}

fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn entries_csv(entries: &[AccessEntry]) -> String {
    let mut out =
        String::from("seq,time,actor_kind,actor_id,action,customer_id,fields,purpose,outcome\n");
    for e in entries {
        let cols = [
            e.seq.to_string(),
            e.time.clone(),
            e.actor_kind.clone(),
            e.actor_id.clone(),
            e.action.clone(),
            e.customer_id.clone().unwrap_or_default(),
            e.fields.join(";"),
            e.purpose.clone().unwrap_or_default(),
            e.outcome.clone(),
        ];
        out.push_str(
            &cols
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

fn entries_table(entries: &[AccessEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&format!(
            "{:>8} {} {:<8} {:<24} {:<20} {:<24} {:<10} {}\n",
            e.seq,
            e.time,
            e.actor_kind,
            e.actor_id,
            e.action,
            e.fields.join(","),
            e.outcome,
            e.purpose.as_deref().unwrap_or("")
        ));
    }
    out
}

fn findings_csv(f: &[Finding]) -> String {
    let mut out = String::from("kind,subject,detail,seq\n");
    for x in f {
        out.push_str(&format!(
            "{},{},{},{}\n",
            csv_field(&x.kind),
            csv_field(&x.subject),
            csv_field(&x.detail),
            x.seq.map(|s| s.to_string()).unwrap_or_default()
        ));
    }
    out
}
