//! `jaga import customers FILE.csv`: bulk import through the write guard.
//!
//! The file is read twice. The first pass checks the CSV structure only (UTF-8, quoting, the
//! same number of fields in every row, known column names), so a malformed file is refused with
//! its line number **before anything is written**. The second pass imports in batches of
//! `--batch-size` rows; each batch is one database transaction. Rows that fail validation are
//! skipped and reported by row number (field and reason, never the value); card numbers and CVVs
//! in `notes` are dropped and counted; other identifiers in `notes` get the shop's `[redact]`
//! policy (default: tokenized). A card number in any other column rejects the row.

use crate::config::{self, Flags};
use crate::datadir::{self, UnsealInput};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use jaga_core::InvalidField;
use jaga_core::auth::{Caller, OperatorTask};
use jaga_core::model::NewCustomer;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `jaga import …`
#[derive(Subcommand)]
pub enum ImportCmd {
    /// Import customers from a CSV file with a header row.
    ///
    /// Columns (any order, all but full_name optional): full_name, email, phone, national_id,
    /// birth_date, street, city, province, postal_code, notes, segment, marketing_consent
    /// (true/false, ya/tidak, 1/0), preferences (a JSON object).
    Customers(CustomersArgs),
}

/// Arguments of `jaga import customers`.
#[derive(Args)]
pub struct CustomersArgs {
    /// The CSV file (delimiter `,`, `;` or tab, taken from the header line).
    pub file: PathBuf,
    /// Rows per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_size: u32,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

const COLUMNS: &[&str] = &[
    "full_name",
    "email",
    "phone",
    "national_id",
    "birth_date",
    "street",
    "city",
    "province",
    "postal_code",
    "notes",
    "segment",
    "marketing_consent",
    "preferences",
];
const ADDRESS: &[&str] = &["street", "city", "province", "postal_code"];

/// A row that was not imported.
#[derive(Debug, Serialize)]
pub struct Rejected {
    /// Data row number (1 = the first row after the header).
    pub row: u64,
    /// Line in the file where the row starts.
    pub line: u64,
    /// Why (field names and codes, never values).
    pub errors: Vec<InvalidField>,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Data rows read.
    pub rows: u64,
    /// Customers created.
    pub created: u64,
    /// Rows not imported.
    pub rejected: Vec<Rejected>,
    /// Card numbers dropped from notes.
    pub cards_dropped: u64,
    /// CVVs dropped from notes.
    pub cvvs_dropped: u64,
    /// Identifiers found in notes, per kind (cards and CVVs included).
    pub findings: BTreeMap<String, u64>,
}

fn delimiter(path: &Path) -> Result<u8> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let header = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| header.iter().filter(|b| **b == d).count();
    Ok([b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| count(*d))
        .filter(|d| count(*d) > 0)
        .unwrap_or(b','))
}

fn reader(path: &Path, delim: u8) -> Result<csv::Reader<std::fs::File>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(false)
        .from_reader(f))
}

fn csv_error(path: &Path, e: &csv::Error) -> anyhow::Error {
    let line = e.position().map(|p| p.line());
    let what = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields where the header has {expected_len}"),
        _ => "is not valid CSV".to_string(),
    };
    match line {
        Some(l) => anyhow::anyhow!("{}: line {l} {what}; nothing was imported", path.display()),
        None => anyhow::anyhow!("{}: {what}; nothing was imported", path.display()),
    }
}

/// Pass 1: structure only. Returns the header and the number of data rows.
fn check(path: &Path, delim: u8) -> Result<(Vec<String>, u64)> {
    let mut r = reader(path, delim)?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            bail!(
                "{}: unknown column `{h}`; known columns: {}",
                path.display(),
                COLUMNS.join(", ")
            );
        }
    }
    if let Some(d) = header
        .iter()
        .enumerate()
        .find(|(i, h)| header[..*i].contains(h))
    {
        bail!("{}: column `{}` appears twice", path.display(), d.1);
    }
    if !header.iter().any(|h| h == "full_name") {
        bail!("{}: the header has no full_name column", path.display());
    }
    let mut rows = 0;
    let mut rec = csv::StringRecord::new();
    while r.read_record(&mut rec).map_err(|e| csv_error(path, &e))? {
        rows += 1;
    }
    Ok((header, rows))
}

fn bool_cell(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "true" | "yes" | "ya" | "y" | "1" => Some(true),
        "false" | "no" | "tidak" | "t" | "n" | "0" | "" => Some(false),
        _ => None,
    }
}

/// Turns a record into a customer, or the reasons it cannot be one.
fn to_customer(
    header: &[String],
    rec: &csv::StringRecord,
) -> Result<NewCustomer, Vec<InvalidField>> {
    let mut obj = Map::new();
    let mut addr = Map::new();
    let mut errors = Vec::new();
    for (h, v) in header.iter().zip(rec.iter()) {
        if v.trim().is_empty() {
            continue;
        }
        match h.as_str() {
            "marketing_consent" => match bool_cell(v) {
                Some(b) => {
                    obj.insert(h.clone(), Value::Bool(b));
                }
                None => errors.push(InvalidField::new(
                    h.as_str(),
                    "invalid_boolean",
                    "must be true/false, ya/tidak or 1/0",
                )),
            },
            "preferences" => match serde_json::from_str::<Value>(v) {
                // Number literals as written (a float is rounded when parsed).
                Ok(p @ Value::Object(_))
                    if jaga_core::guard::find_card_number_in_body(v.as_bytes(), &p).is_some() =>
                {
                    errors.push(InvalidField::new(
                        "preferences",
                        "card_number_not_allowed",
                        "holds a payment card number",
                    ));
                }
                Ok(p @ Value::Object(_)) => {
                    obj.insert(h.clone(), p);
                }
                _ => errors.push(InvalidField::new(
                    h.as_str(),
                    "invalid_preferences",
                    "must be a JSON object",
                )),
            },
            a if ADDRESS.contains(&a) => {
                addr.insert(h.clone(), Value::String(v.to_string()));
            }
            _ => {
                obj.insert(h.clone(), Value::String(v.to_string()));
            }
        }
    }
    if !addr.is_empty() {
        obj.insert("address".into(), Value::Object(addr));
    }
    // Card numbers are dropped from notes by the vault's guard; anywhere else they reject the row.
    let mut rest = obj.clone();
    rest.remove("notes");
    if let Some(path) = jaga_core::guard::find_card_number(&Value::Object(rest)) {
        errors.push(InvalidField::new(
            path,
            "card_number_not_allowed",
            "holds a payment card number",
        ));
    }
    if !obj.contains_key("full_name") {
        errors.push(InvalidField::new("full_name", "required", "is required"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(Value::Object(obj)).map_err(|_| {
        vec![InvalidField::new(
            "row",
            "invalid_row",
            "the row does not fit a customer",
        )]
    })
}

/// Runs `jaga import …`. Exit 0 when every row was imported, 1 when some were rejected.
pub async fn run(flags: &Flags, input: &UnsealInput, cmd: ImportCmd) -> Result<ExitCode> {
    let ImportCmd::Customers(args) = cmd;
    let path = args.file.as_path();
    let delim = delimiter(path)?;
    let (header, total) = check(path, delim)?;
    let cfg = config::load(flags)?;
    let vault = datadir::open_unsealed(&cfg, input).await?;
    let caller = Caller::operator(OperatorTask::Import);
    let writer = vault.writer(&caller).await?;

    let bar = if std::io::stderr().is_terminal() && !args.json {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({eta} left)")
                .expect("template"),
        );
        Some(b)
    } else {
        None
    };
    let mut summary = Summary {
        rows: total,
        ..Summary::default()
    };
    let mut r = reader(path, delim)?;
    let mut rec = csv::StringRecord::new();
    let mut row = 0u64;
    let mut batch: Vec<(u64, u64, NewCustomer)> = Vec::new();
    loop {
        let more = r.read_record(&mut rec).map_err(|e| csv_error(path, &e))?;
        if more {
            row += 1;
            let line = rec.position().map_or(0, |p| p.line());
            match to_customer(&header, &rec) {
                Ok(c) => batch.push((row, line, c)),
                Err(errors) => summary.rejected.push(Rejected { row, line, errors }),
            }
        }
        if batch.len() >= args.batch_size as usize || (!more && !batch.is_empty()) {
            let inputs: Vec<NewCustomer> = batch.iter().map(|(_, _, c)| c.clone()).collect();
            let done = writer.import_batch(&inputs).await.with_context(|| {
                format!(
                    "importing rows {}–{} (this batch was not written; {} customers from earlier batches were)",
                    batch[0].0,
                    batch[batch.len() - 1].0,
                    summary.created
                )
            })?;
            summary.created += done.created.len() as u64;
            for counts in &done.findings {
                for (k, n) in counts {
                    *summary.findings.entry(k.to_string()).or_default() += *n as u64;
                }
            }
            for (i, errors) in done.rejected {
                let (row, line, _) = &batch[i];
                summary.rejected.push(Rejected {
                    row: *row,
                    line: *line,
                    errors,
                });
            }
            if let Some(b) = &bar {
                b.set_position(row);
            }
            batch.clear();
        }
        if !more {
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    summary.rejected.sort_by_key(|r| r.row);
    summary.cards_dropped = summary.findings.get("CREDIT_CARD").copied().unwrap_or(0);
    summary.cvvs_dropped = summary.findings.get("CVV").copied().unwrap_or(0);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "imported {} of {} rows from {}",
            summary.created,
            summary.rows,
            path.display()
        );
        if summary.cards_dropped + summary.cvvs_dropped > 0 {
            println!(
                "dropped from notes: {} card numbers, {} CVVs (never stored)",
                summary.cards_dropped, summary.cvvs_dropped
            );
        }
        if !summary.findings.is_empty() {
            let list: Vec<String> = summary
                .findings
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            println!("identifiers found in notes: {}", list.join(", "));
        }
        for r in &summary.rejected {
            let why: Vec<String> = r
                .errors
                .iter()
                .map(|e| format!("{} ({}: {})", e.field, e.code, e.message))
                .collect();
            println!(
                "rejected row {} (line {}): {}",
                r.row,
                r.line,
                why.join("; ")
            );
        }
    }
    Ok(if summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
