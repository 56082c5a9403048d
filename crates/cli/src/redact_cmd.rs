//! `jaga redact`: remove identifiers from text, CSV, JSON lines or e-mail, streaming in constant
//! memory. Works without the vault (no key needed); the `hash` operator is therefore not
//! available here (use `POST /v1/redact`, which hashes with the shop's key).

use anyhow::{Context, Result, bail};
use jaga_redact::{Format, Policy, PolicySpec};
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;

/// Arguments of `jaga redact`.
#[derive(clap::Args)]
pub struct RedactArgs {
    /// Files to redact (stdin when none). Output goes to stdout.
    pub files: Vec<PathBuf>,
    /// Input format: text, csv, jsonl or eml.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Same as --format jsonl: each line {"id", "text"} → {"id", "text", "findings"}.
    #[arg(long)]
    pub jsonl: bool,
    /// Print findings as JSON (text format: {"text", "findings"}; other formats: counts per kind).
    #[arg(long)]
    pub json: bool,
    /// Policy file (JSON), e.g. {"operators": {"NIK": "mask"}, "min_score": 0.6}.
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

/// Runs `jaga redact`.
pub fn run(args: RedactArgs) -> Result<()> {
    let format: Format = if args.jsonl {
        Format::Jsonl
    } else {
        args.format.parse().map_err(|_| {
            anyhow::anyhow!(
                "unknown format `{}`: use text, csv, jsonl or eml",
                args.format
            )
        })?
    };
    if format == Format::Eml && args.files.len() > 1 {
        bail!("eml takes one message per run");
    }
    let mut policy = Policy::default();
    if let Some(p) = &args.policy {
        let spec: PolicySpec = serde_json::from_str(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        )
        .with_context(|| format!("{} is not a valid policy", p.display()))?;
        policy = policy.with_spec(&spec);
    }
    let total: u64 = args
        .files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let bar = if std::io::stderr().is_terminal() && total > 0 {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            )
            .expect("template"),
        );
        Some(b)
    } else {
        None
    };
    let inputs: Vec<Box<dyn Read>> = if args.files.is_empty() {
        vec![Box::new(std::io::stdin())]
    } else {
        args.files
            .iter()
            .map(|f| {
                std::fs::File::open(f)
                    .map(|x| Box::new(x) as Box<dyn Read>)
                    .with_context(|| format!("opening {}", f.display()))
            })
            .collect::<Result<_>>()?
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json && format == Format::Text {
        let mut text = String::new();
        for mut r in inputs {
            r.read_to_string(&mut text)
                .context("the input is not UTF-8 text")?;
        }
        let red = jaga_redact::redact(&text, &policy)?;
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({ "text": red.text, "findings": red.findings }),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    let mut done_before = 0u64;
    let mut all = std::collections::BTreeMap::<String, u64>::new();
    for r in inputs {
        let stats =
            jaga_redact::redact_stream(BufReader::new(r), &mut out, format, &policy, |n| {
                if let Some(b) = &bar {
                    b.set_position(done_before + n);
                }
            })?;
        done_before += stats.bytes_in;
        for (k, n) in stats.counts {
            *all.entry(k.to_string()).or_default() += n;
        }
    }
    out.flush()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if args.json {
        eprintln!("{}", serde_json::to_string(&all)?);
    } else if all.is_empty() {
        eprintln!("no identifiers found / tidak ada data pribadi ditemukan");
    } else {
        let summary: Vec<String> = all.iter().map(|(k, n)| format!("{k} {n}")).collect();
        eprintln!("redacted / disamarkan: {}", summary.join(", "));
    }
    Ok(())
}
