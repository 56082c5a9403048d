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
        /// Language of the letter and the table: id (Bahasa Indonesia) or en.
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
        /// First day (YYYY-MM-DD, a day in the shop's time zone, `[shop] time_zone`, as in the
        /// console); default 30 days ago.
        #[arg(long)]
        from: Option<String>,
        /// Last day, included (YYYY-MM-DD in the shop's time zone, as in the console); default
        /// today.
        #[arg(long)]
        to: Option<String>,
        /// Language of the table: id (Bahasa Indonesia) or en.
        #[arg(long, default_value = "id")]
        lang: String,
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
    let store = datadir::open_cfg_store(&cfg).await?;
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
            let lang = parse_lang(&lang)?;
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
                let tr = jaga_i18n::Tr(lang);
                println!(
                    "{}: {}",
                    r.customer_code,
                    tr.f(
                        jaga_i18n::M::ReportAccessCount,
                        &[("n", &r.accesses.len().to_string())]
                    )
                );
                print!("{}", entries_table(&r.accesses, tr, &cfg.shop.zone));
            }
        }
        ReportCmd::Staff {
            actor,
            from,
            to,
            lang,
            json,
            csv,
        } => {
            let tr = jaga_i18n::Tr(parse_lang(&lang)?);
            let zone = &cfg.shop.zone;
            let (from_ms, to_ms) =
                period(from.as_deref(), to.as_deref(), zone, jaga_core::now_ms())?;
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
                // Who, as the console names them (name and role), from the report's own rows.
                let who = r
                    .events
                    .iter()
                    .find(|e| e.actor_id == r.actor_id)
                    .map(|e| jaga_console::reports::actor_label(tr, e))
                    .unwrap_or_else(|| r.actor_id.clone());
                println!(
                    "{who}: {} – {}",
                    zone.datetime(&r.from),
                    zone.datetime(&r.to)
                );
                for (a, n) in &r.by_action {
                    println!("  {:<40} {n}", jaga_core::letter::action_label(a, tr));
                }
                println!(
                    "{}",
                    tr.f(
                        jaga_i18n::M::ReportFailedLogins,
                        &[("n", &r.failed_logins.to_string())]
                    )
                );
                println!("reveals per day / pembukaan data per hari:");
                for (d, n) in &r.reveals_per_day {
                    println!("  {d} {n}");
                }
                print!("{}", entries_table(&r.events, tr, zone));
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

fn parse_lang(lang: &str) -> Result<Lang> {
    match lang {
        "id" => Ok(Lang::Id),
        "en" => Ok(Lang::En),
        _ => bail!("--lang must be id or en"),
    }
}

/// Midnight UTC of a `YYYY-MM-DD` day, ms.
fn date_ms(s: &str) -> Result<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d =
        time::Date::parse(s, &fmt).with_context(|| format!("{s:?} is not a date YYYY-MM-DD"))?;
    Ok(d.midnight().assume_utc().unix_timestamp() * 1000)
}

const DAY_MS: i64 = 86_400_000;

/// The period of `--from`/`--to` as the console reads its dates: days in the shop's zone, the
/// last one included; by default the last 30 days up to now.
fn period(
    from: Option<&str>,
    to: Option<&str>,
    zone: &jaga_i18n::Zone,
    now: i64,
) -> Result<(i64, i64)> {
    let off = i64::from(zone.offset_minutes) * 60_000;
    let from_ms = match from {
        Some(d) => date_ms(d)? - off,
        None => now - 30 * DAY_MS,
    };
    let to_ms = match to {
        Some(d) => date_ms(d)? + DAY_MS - off,
        None => now,
    };
    if to_ms <= from_ms {
        bail!("--to must not be before --from");
    }
    Ok((from_ms, to_ms))
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

/// The entries as the console's audit pages show them (newest first): the time in the shop's
/// zone with the zone, staff by name and role, action, fields, outcome and purpose in the
/// reader's language.
fn entries_table(entries: &[AccessEntry], tr: jaga_i18n::Tr, zone: &jaga_i18n::Zone) -> String {
    let rows = jaga_console::reports::rows(entries, tr, zone);
    let width = |f: fn(&jaga_console::reports::EntryRow) -> &str, min: usize| {
        rows.iter()
            .map(|r| f(r).chars().count())
            .max()
            .unwrap_or(0)
            .max(min)
    };
    let (w_when, w_actor, w_action, w_fields, w_outcome) = (
        width(|r| &r.when, 0),
        width(|r| &r.actor, 0),
        width(|r| &r.action, 0),
        width(|r| &r.fields, 0),
        width(|r| &r.outcome, 0),
    );
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = String::new();
    for r in &rows {
        let line = format!(
            "{:>8}  {}  {}  {}  {}  {}  {}",
            r.seq,
            pad(&r.when, w_when),
            pad(&r.actor, w_actor),
            pad(&r.action, w_action),
            pad(&r.fields, w_fields),
            pad(&r.outcome, w_outcome),
            r.purpose
        );
        out.push_str(line.trim_end());
        out.push('\n');
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_in_the_shops_zone_with_the_last_one_included() {
        let wib = jaga_i18n::Zone::parse("WIB").unwrap();
        let (a, b) = period(Some("2026-12-07"), Some("2026-12-07"), &wib, 0).unwrap();
        // 2026-12-07 00:00 WIB is 2026-12-06 17:00 UTC; the day ends 24 h later.
        assert_eq!(a, date_ms("2026-12-06").unwrap() + 17 * 3_600_000);
        assert_eq!(b - a, DAY_MS);
        assert!(period(Some("2026-12-08"), Some("2026-12-07"), &wib, 0).is_err());
    }

    #[test]
    fn the_table_reads_like_the_console() {
        let e = AccessEntry {
            seq: 7,
            time: "2026-12-07T08:15:30.000Z".into(),
            actor_kind: "staff".into(),
            actor_id: "3f2c".into(),
            actor_role: Some("cs_staff".into()),
            actor_name: Some("Rina".into()),
            action: "customer.reveal".into(),
            customer_id: None,
            fields: vec!["phone".into()],
            purpose: Some("redelivery".into()),
            outcome: "ok".into(),
        };
        let wib = jaga_i18n::Zone::parse("WIB").unwrap();
        let t = entries_table(std::slice::from_ref(&e), jaga_i18n::Tr(Lang::En), &wib);
        assert!(t.contains("2026-12-07 15:15 WIB"), "{t}");
        assert!(t.contains("Rina ("), "{t}");
        assert!(!t.contains("customer.reveal") && !t.contains("3f2c"), "{t}");
        let id = entries_table(std::slice::from_ref(&e), jaga_i18n::Tr(Lang::Id), &wib);
        assert_ne!(t, id, "translated");
    }
}
