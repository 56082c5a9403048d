//! `jaga audit …`: verify the log against its checkpoints, sign checkpoints, print and check
//! offline proof bundles, and the access reports.

use crate::config::{self, Flags};
use crate::datadir;
use anyhow::{Context, Result};
use jaga_audit::{SignedCheckpoint, VerifierKey, open_checkpoint};
use jaga_core::audit::log::CheckpointOutcome;
use jaga_jobs::checkpoint::{SignerFiles, delivery};
use jaga_jobs::delivery::Witnesses;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `jaga audit …`
#[derive(clap::Subcommand)]
pub enum AuditCmd {
    /// Recompute the tree from every stored event and compare it with the stored head, every
    /// stored checkpoint and (optionally) an external checkpoint: detects a modified, deleted,
    /// inserted or reordered event and a truncated log, and names the first bad position.
    Verify {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// A checkpoint kept outside the database (from a witness directory, e-mail, …).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Verifier key (string or file); default: this data directory's `audit-verifier.pub`.
        #[arg(long)]
        key: Option<String>,
    },
    /// Print the verifier key (publish it so owners and auditors can pin it).
    Key,
    /// Sign a checkpoint of the current head now and hand it to the witnesses.
    Checkpoint {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Print an offline-verifiable bundle for one event: the event, its inclusion proof and
    /// the latest checkpoint.
    Proof {
        /// The event's position.
        #[arg(long)]
        event: u64,
        /// Write the bundle to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a bundle without any database.
    VerifyBundle {
        /// The bundle file (`-` for standard input).
        file: PathBuf,
        /// The log's verifier key (string or file).
        #[arg(long)]
        key: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Access reports: who accessed a customer, one staff member's activity, access review.
    Report {
        #[command(subcommand)]
        cmd: crate::report_cmd::ReportCmd,
    },
}

/// Runs an audit subcommand; exit 1 when a check fails.
pub async fn run(flags: &Flags, cmd: AuditCmd) -> Result<ExitCode> {
    match cmd {
        AuditCmd::VerifyBundle { file, key, json } => verify_bundle(&file, &key, json),
        AuditCmd::Key => {
            let cfg = config::load(flags)?;
            let files = SignerFiles::open_or_create(&cfg.data_dir, cfg.audit.origin.as_deref())?;
            println!("{}", files.verifier());
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Checkpoint { json } => {
            let cfg = config::load(flags)?;
            let files = SignerFiles::open_or_create(&cfg.data_dir, cfg.audit.origin.as_deref())?;
            let store = datadir::open_store(&cfg.database_url).await?;
            let outcome = files.checkpoint(store.as_ref()).await?;
            let cp = match outcome {
                CheckpointOutcome::Signed(cp) => {
                    let mut w = Witnesses::new(&cfg.data_dir, cfg.audit.witness.clone())?;
                    // Every witness is behind a new checkpoint; kept reports go first.
                    let failed = w.catch_up(&delivery(&files, &cp)).await;
                    if failed > 0 {
                        eprintln!(
                            "warning: {failed} witness(es) did not take the checkpoint; `jaga serve` retries, or run this again"
                        );
                    }
                    Some((cp, true))
                }
                CheckpointOutcome::Unchanged => {
                    // Nothing new to sign: hand the latest checkpoint to any witness that
                    // missed it (so "run this again" after a failed delivery works).
                    let latest = store.checkpoint_latest().await?;
                    if let Some(cp) = &latest {
                        let mut w = Witnesses::new(&cfg.data_dir, cfg.audit.witness.clone())?;
                        let failed = w.catch_up(&delivery(&files, cp)).await;
                        if failed > 0 {
                            eprintln!(
                                "warning: {failed} witness(es) still did not take the latest checkpoint"
                            );
                        }
                    }
                    latest.map(|c| (c, false))
                }
            };
            match (cp, json) {
                (Some((cp, new)), true) => println!(
                    "{}",
                    serde_json::json!({"size": cp.size, "root": hex(&cp.root), "new": new, "note": cp.note})
                ),
                (Some((cp, new)), false) => {
                    println!(
                        "{} checkpoint: {} events, root {}",
                        if new { "signed" } else { "unchanged" },
                        cp.size,
                        hex(&cp.root)
                    );
                    print!("{}", cp.note);
                }
                (None, true) => println!("{}", serde_json::json!({"size": 0, "new": false})),
                (None, false) => println!("the audit log is empty: nothing to sign"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Proof { event, out } => {
            let cfg = config::load(flags)?;
            let store = datadir::open_store(&cfg.database_url).await?;
            let bundle = jaga_core::audit::log::bundle(store.as_ref(), event).await?;
            let text = bundle.to_text();
            // Check it before handing it out: a bundle that fails here means the database no
            // longer matches its own signed checkpoint.
            if let Ok(files) = SignerFiles::open(&cfg.data_dir)
                && let Err(e) = bundle.verify(files.verifier())
            {
                eprintln!("FAILED: the bundle for event {event} does not verify: {e}");
                return Ok(ExitCode::from(1));
            }
            match out {
                Some(p) => {
                    std::fs::write(&p, &text).with_context(|| format!("writing {}", p.display()))?
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Verify {
            json,
            checkpoint,
            key,
        } => verify(flags, json, checkpoint, key).await,
        AuditCmd::Report { cmd } => crate::report_cmd::run(flags, cmd).await,
    }
}

/// Reads a verifier key given as the key string or as a file holding it.
pub fn read_key(arg: &str) -> Result<VerifierKey> {
    if let Ok(k) = VerifierKey::parse(arg.trim()) {
        return Ok(k);
    }
    let text = std::fs::read_to_string(arg)
        .with_context(|| format!("--key {arg:?} is neither a verifier key nor a readable file"))?;
    VerifierKey::parse(text.trim()).map_err(|e| anyhow::anyhow!("{arg}: not a verifier key: {e}"))
}

fn read_input(file: &Path) -> Result<String> {
    if file == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        return Ok(s);
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", file.display()))
}

fn verify_bundle(file: &Path, key: &str, json: bool) -> Result<ExitCode> {
    let key = read_key(key)?;
    let text = read_input(file)?;
    match jaga_audit::verify_bundle(&text, &key) {
        Ok(v) => {
            let e = &v.event;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "index": v.index, "checkpoint_size": v.checkpoint.size,
                        "root": hex(&v.checkpoint.root), "origin": v.checkpoint.origin,
                        "event": {"seq": e.seq, "ts_ms": e.ts_ms, "actor_id": e.actor_id, "action": e.action,
                            "customer_id": e.customer_id, "fields": e.fields, "purpose": e.purpose, "outcome": e.outcome}})
                );
            } else {
                println!(
                    "ok: event {} ({} by {}, {}) is in {} at size {}, root {}",
                    v.index,
                    e.action,
                    e.actor_id,
                    jaga_core::format_ms(i64::try_from(e.ts_ms).unwrap_or(0)),
                    v.checkpoint.origin,
                    v.checkpoint.size,
                    hex(&v.checkpoint.root)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "error": e.to_string()})
                );
            } else {
                println!("FAILED: {e}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// A failed check: the first position that is (or may be) bad, and why.
struct Problem {
    pos: u64,
    why: String,
    /// Every problem found (`kind`, position, reason); verification goes on past an event it
    /// cannot decode, so later tampering is listed too.
    all: Vec<(String, u64, String)>,
    more: u64,
}

async fn verify(
    flags: &Flags,
    json: bool,
    external: Option<PathBuf>,
    key: Option<String>,
) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let key = match key {
        Some(k) => Some(read_key(&k)?),
        None => SignerFiles::open(&cfg.data_dir)
            .ok()
            .map(|f| f.verifier().clone()),
    };
    let external: Option<SignedCheckpoint> = match &external {
        None => None,
        Some(p) => {
            let text = read_input(p)?;
            let Some(k) = &key else {
                anyhow::bail!("--checkpoint needs the log's verifier key: pass --key");
            };
            match open_checkpoint(&text, k) {
                Ok(cp) => Some(cp),
                Err(e) => {
                    return report(
                        json,
                        Err(Problem {
                            pos: 0,
                            why: format!("the external checkpoint is not from this log: {e}"),
                            all: Vec::new(),
                            more: 0,
                        }),
                        0,
                        None,
                        &[],
                    );
                }
            }
        }
    };
    let store = datadir::open_store(&cfg.database_url).await?;
    // The same check as the console's "verify now" (jaga_core::audit::verify).
    let r = jaga_core::audit::verify::verify_log(store.as_ref(), key.as_ref(), external.as_ref())
        .await?;
    if let Some(p) = &r.problem {
        // A failed verification is an intrusion alert (audit_verify_failed), recorded now.
        let unseal = datadir::unseal_config(&cfg.data_dir)?;
        let vault = jaga_core::vault::Vault::new(store.clone(), unseal);
        vault.report_audit_verify_failure(Some(p.pos));
        if let Err(e) = vault.ids_drain().await {
            eprintln!("warning: could not record the alert: {e}");
        }
    }
    let all = r
        .problems
        .iter()
        .map(|p| (p.kind.name().to_string(), p.pos, p.why.clone()))
        .collect();
    let more = r.more_problems;
    let problem = r.problem.map_or(Ok(()), |p| {
        Err(Problem {
            pos: p.pos,
            why: p.why,
            all,
            more,
        })
    });
    // Each segment database keeps its own log (`[segments.<name>] database_url`): verified
    // the same way (it has no external checkpoint).
    let mut segs = Vec::new();
    for seg in &cfg.segments {
        let store = datadir::open_store(&seg.database_url)
            .await
            .with_context(|| format!("[segments.{}] database_url", seg.name))?;
        let r = jaga_core::audit::verify::verify_log(store.as_ref(), key.as_ref(), None).await?;
        store.close_store().await;
        segs.push(SegmentLog {
            name: seg.name.clone(),
            events: r.events,
            root: hex(&r.root),
            problem: r.problem.map(|p| (p.pos, p.why)),
        });
    }
    report(json, problem, r.events, Some(r.root), &segs)
}

/// The verification of one segment database's log.
struct SegmentLog {
    name: String,
    events: u64,
    root: String,
    problem: Option<(u64, String)>,
}

impl SegmentLog {
    fn json(&self) -> serde_json::Value {
        match &self.problem {
            None => {
                serde_json::json!({"segment": self.name, "ok": true, "events": self.events, "root": self.root})
            }
            Some((pos, why)) => {
                serde_json::json!({"segment": self.name, "ok": false, "events": self.events, "first_bad_position": pos, "reason": why})
            }
        }
    }

    fn print(&self) {
        match &self.problem {
            None => println!(
                "segment {}: ok: {} events, root {}",
                self.name, self.events, self.root
            ),
            Some((pos, why)) => {
                println!("segment {}: FAILED at position {pos}: {why}", self.name);
            }
        }
    }
}

fn report(
    json: bool,
    r: Result<(), Problem>,
    events: u64,
    root: Option<[u8; 32]>,
    segs: &[SegmentLog],
) -> Result<ExitCode> {
    let root = root.map(|r| hex(&r)).unwrap_or_default();
    let segs_ok = segs.iter().all(|s| s.problem.is_none());
    let seg_json: Vec<serde_json::Value> = segs.iter().map(SegmentLog::json).collect();
    match r {
        Ok(()) => {
            if json {
                let mut v = serde_json::json!({"ok": segs_ok, "events": events, "root": root});
                if !segs.is_empty() {
                    v["segments"] = serde_json::Value::Array(seg_json);
                }
                println!("{v}");
            } else {
                println!("ok: {events} events, root {root}");
                segs.iter().for_each(SegmentLog::print);
            }
            Ok(if segs_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(p) => {
            if json {
                let problems: Vec<serde_json::Value> = p
                    .all
                    .iter()
                    .map(|(kind, pos, why)| {
                        serde_json::json!({"kind": kind, "position": pos, "reason": why})
                    })
                    .collect();
                let mut v = serde_json::json!({"ok": false, "first_bad_position": p.pos, "reason": p.why, "events": events, "problems": problems, "more_problems": p.more});
                if !segs.is_empty() {
                    v["segments"] = serde_json::Value::Array(seg_json);
                }
                println!("{v}");
            } else {
                println!("FAILED at position {}: {}", p.pos, p.why);
                for (_, pos, why) in p.all.iter().skip(1) {
                    println!("  also at position {pos}: {why}");
                }
                if p.more > 0 {
                    println!("  and {} more problems", p.more);
                }
                segs.iter().for_each(SegmentLog::print);
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
