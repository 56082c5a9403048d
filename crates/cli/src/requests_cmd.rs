//! `jaga requests …`: data-subject requests (UU PDP) with their due dates, and consent records
//! (see `jaga_core::requests`). The operator acts as `cli.requests`; every call is audited.

use crate::config::{self, Flags};
use crate::datadir::{self, UnsealInput};
use anyhow::{Context, Result, bail};
use jaga_core::auth::{Caller, OperatorTask};
use jaga_core::requests::{
    Channel, ConsentPurpose, ConsentSource, Outcome, RequestKind, RequestRow, RequestStatus,
    current_consents,
};
use jaga_core::vault::{NewConsent, NewRequest};
use std::process::ExitCode;
use uuid::Uuid;

/// `jaga requests …`
#[derive(clap::Subcommand)]
pub enum RequestsCmd {
    /// Record a request; prints its id and due date (3×24 h after receipt).
    Add {
        /// The customer's id.
        #[arg(long)]
        customer: Uuid,
        /// access | portability | rectification | erasure | consent_withdrawal | restriction | objection
        #[arg(long)]
        kind: String,
        /// email | whatsapp | phone | in_store | letter | web
        #[arg(long)]
        channel: String,
        /// When it was received (RFC 3339); now when absent.
        #[arg(long)]
        received: Option<String>,
    },
    /// List requests, earliest due first; exit 3 when any open request is overdue.
    List {
        /// Closed ones too.
        #[arg(long)]
        all: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Close a request.
    Close {
        /// The request's id.
        id: Uuid,
        /// done | refused
        #[arg(long)]
        status: String,
        /// answered | corrected | erased | processing_stopped | identity_not_verified | legal_obligation | withdrawn
        #[arg(long)]
        outcome: String,
    },
    /// Record consent given (`--granted`) or withdrawn (`--withdrawn`).
    Consent {
        /// The customer's id.
        #[arg(long)]
        customer: Uuid,
        /// marketing | whatsapp | email
        #[arg(long)]
        purpose: String,
        /// Consent given.
        #[arg(
            long,
            conflicts_with = "withdrawn",
            required_unless_present = "withdrawn"
        )]
        granted: bool,
        /// Consent withdrawn.
        #[arg(long)]
        withdrawn: bool,
        /// web_form | whatsapp | email | in_store | phone | api | import
        #[arg(long)]
        source: String,
    },
    /// Everything held about one customer (access and portability, UU PDP art. 7 and 13):
    /// fields in plain text, orders, consents, tokens, requests and who accessed their data,
    /// as JSON or a letter. Audited as `customer.export`; the file is written with mode 0600.
    Export {
        /// The customer's id.
        customer: Uuid,
        /// Why (recorded in the audit log), e.g. "access request REQ-12".
        #[arg(long)]
        purpose: String,
        /// json | md | html | pdf
        #[arg(long, default_value = "json")]
        format: String,
        /// Letter language: id (Bahasa Indonesia) or en.
        #[arg(long, default_value = "id")]
        lang: String,
        /// Shop name for the letter (default: the saved or configured name).
        #[arg(long)]
        shop: Option<String>,
        /// Where to write it (must not exist yet).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// A customer's consents: current per purpose, then the history.
    Consents {
        /// The customer's id.
        #[arg(long)]
        customer: Uuid,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn code<T>(
    v: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(&T) -> &str,
    flag: &str,
) -> Result<T> {
    parse(v.trim()).with_context(|| {
        format!(
            "--{flag} must be one of: {}",
            all.iter().map(name).collect::<Vec<_>>().join(", ")
        )
    })
}

fn describe(e: jaga_core::CoreError) -> anyhow::Error {
    match e {
        jaga_core::CoreError::NotFound => anyhow::anyhow!("no such customer or request"),
        other => crate::staff_cmd::describe(other),
    }
}

fn line(r: &RequestRow, now: i64) -> String {
    format!(
        "{}  {:<18} {:<8} {:<8} due {}{}  customer {}",
        r.id,
        r.kind.as_str(),
        r.channel.as_str(),
        r.status.as_str(),
        jaga_core::format_ms(r.due_at),
        if r.overdue(now) { "  OVERDUE" } else { "" },
        r.customer_id
    )
}

/// Runs a requests subcommand.
pub async fn run(flags: &Flags, input: &UnsealInput, cmd: RequestsCmd) -> Result<ExitCode> {
    // Parse every code before opening anything: bad input changes nothing.
    let cfg = config::load(flags)?;
    let caller = Caller::operator(OperatorTask::Requests);
    let now = jaga_core::now_ms();
    match cmd {
        RequestsCmd::Add {
            customer,
            kind,
            channel,
            received,
        } => {
            let kind = code(
                &kind,
                RequestKind::parse,
                RequestKind::ALL,
                |k| k.as_str(),
                "kind",
            )?;
            let channel = code(
                &channel,
                Channel::parse,
                Channel::ALL,
                |k| k.as_str(),
                "channel",
            )?;
            let received_at = match received {
                None => None,
                Some(t) => Some(jaga_core::parse_rfc3339_ms(&t).context(
                    "--received must be an RFC 3339 time, e.g. 2026-12-01T09:30:00+07:00",
                )?),
            };
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let r = vault
                .requests(&caller)
                .await
                .map_err(describe)?
                .record(
                    &NewRequest {
                        customer_id: customer,
                        kind,
                        channel,
                        received_at,
                    },
                    now,
                )
                .await
                .map_err(describe)?;
            println!("{}", line(&r, now));
        }
        RequestsCmd::List { all, json } => {
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let rows = vault
                .requests(&caller)
                .await
                .map_err(describe)?
                .list(!all)
                .await
                .map_err(describe)?;
            let overdue = rows.iter().filter(|r| r.overdue(now)).count();
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    println!("{}", line(r, now));
                }
                println!("{} request(s), {overdue} overdue", rows.len());
            }
            if overdue > 0 {
                return Ok(ExitCode::from(3));
            }
        }
        RequestsCmd::Close {
            id,
            status,
            outcome,
        } => {
            let status = match RequestStatus::parse(status.trim()) {
                Some(s @ (RequestStatus::Done | RequestStatus::Refused)) => s,
                _ => bail!("--status must be done or refused"),
            };
            let outcome = code(
                &outcome,
                Outcome::parse,
                Outcome::ALL,
                |k| k.as_str(),
                "outcome",
            )?;
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let r = vault
                .requests(&caller)
                .await
                .map_err(describe)?
                .close(id, status, outcome, now)
                .await
                .map_err(describe)?;
            println!("{}", line(&r, now));
        }
        RequestsCmd::Consent {
            customer,
            purpose,
            granted,
            withdrawn: _,
            source,
        } => {
            let purpose = code(
                &purpose,
                ConsentPurpose::parse,
                ConsentPurpose::ALL,
                |k| k.as_str(),
                "purpose",
            )?;
            let source = code(
                &source,
                ConsentSource::parse,
                ConsentSource::ALL,
                |k| k.as_str(),
                "source",
            )?;
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let r = vault
                .requests(&caller)
                .await
                .map_err(describe)?
                .record_consent(
                    customer,
                    NewConsent {
                        purpose,
                        granted,
                        source,
                    },
                    now,
                )
                .await
                .map_err(describe)?;
            println!(
                "{} {} ({}) at {}",
                r.purpose.as_str(),
                if r.granted { "granted" } else { "withdrawn" },
                r.source.as_str(),
                jaga_core::format_ms(r.at)
            );
        }
        RequestsCmd::Export {
            customer,
            purpose,
            format,
            lang,
            shop,
            out,
        } => {
            let format = jaga_core::export::ExportFormat::parse(&format)
                .context("--format must be json, md, html or pdf")?;
            let lang = match lang.trim() {
                "id" => jaga_i18n::Lang::Id,
                "en" => jaga_i18n::Lang::En,
                _ => bail!("--lang must be id or en"),
            };
            if out.exists() {
                bail!("{} exists already: choose a new file", out.display());
            }
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let caller = Caller::operator(OperatorTask::Export);
            let doc = vault
                .exporter(&caller, Some(&purpose))
                .await
                .map_err(describe)?
                .export(customer, format, lang)
                .await
                .map_err(describe)?;
            // The name saved in the console wins over `[shop] name`; `--shop` over both.
            let mut shop_info = jaga_core::staff::StaffService::new(
                vault.clone(),
                jaga_core::staff::StaffConfig::default(),
            )
            .shop(&cfg.shop)
            .await
            .map_err(describe)?;
            if let Some(name) = shop {
                shop_info.name = Some(name);
            }
            let body = jaga_core::export::render(&doc, &shop_info, lang, format);
            write_private(&out, &body)?;
            println!(
                "{} written: customer {}, {} order(s), {} consent record(s), {} token(s), {} request(s), {} access(es)",
                out.display(),
                doc.customer.code,
                doc.orders.len(),
                doc.consents.len(),
                doc.tokens.len(),
                doc.requests.len(),
                doc.accesses.len()
            );
        }
        RequestsCmd::Consents { customer, json } => {
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let history = vault
                .requests(&caller)
                .await
                .map_err(describe)?
                .consents(customer)
                .await
                .map_err(describe)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&history)?);
            } else {
                for (p, cur) in current_consents(&history) {
                    let state = match cur {
                        Some(r) if r.granted => "granted",
                        Some(_) => "withdrawn",
                        None => "never asked",
                    };
                    println!("{:<10} {state}", p.as_str());
                }
                for r in &history {
                    println!(
                        "  {}  {:<10} {:<9} {:<9} by {}",
                        jaga_core::format_ms(r.at),
                        r.purpose.as_str(),
                        if r.granted { "granted" } else { "withdrawn" },
                        r.source.as_str(),
                        r.recorded_by
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `body` to a new file `path` readable by the owner only (it holds personal data):
/// first to a hidden temporary file beside it, then renamed, so no half-written export has
/// the final name.
fn write_private(path: &std::path::Path, body: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .context("--out must name a file")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let result = (|| -> Result<()> {
        let mut f = opts
            .open(&tmp)
            .with_context(|| format!("creating a file in {}", dir.display()))?;
        f.write_all(body)?;
        f.sync_all()?;
        if path.exists() {
            bail!("{} exists already: choose a new file", path.display());
        }
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
