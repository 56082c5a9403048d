//! `jaga audit verify`: recompute the audit log's Merkle tree from the database.

use crate::config::{self, Flags};
use crate::datadir;
use anyhow::Result;
use jaga_audit::check::TreeCheck;
use std::process::ExitCode;

/// `jaga audit …`
#[derive(clap::Subcommand)]
pub enum AuditCmd {
    /// Recompute the tree from every stored event and compare it with the stored head: detects a
    /// modified, deleted, inserted or reordered event and names the first bad position.
    Verify {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an audit subcommand; exit 1 when verification fails.
pub async fn run(flags: &Flags, cmd: AuditCmd) -> Result<ExitCode> {
    let AuditCmd::Verify { json } = cmd;
    let cfg = config::load(flags)?;
    let store = datadir::open_store(&cfg.database_url).await?;
    let head = store.audit_head().await?;
    let mut check = TreeCheck::new();
    let mut problem: Option<(u64, String)> = None;
    let mut next = 0u64;
    loop {
        let page = store.audit_events(next, 10_000).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let pos = check.size();
            if problem.is_none() {
                if e.seq != pos {
                    problem = Some((
                        pos,
                        format!("event {pos} is missing (next stored position is {})", e.seq),
                    ));
                } else if jaga_audit::event::decode(&e.leaf).map(|ev| ev.seq) != Ok(pos) {
                    problem = Some((
                        pos,
                        "event does not decode or names another position".into(),
                    ));
                }
            }
            check.push_leaf(&e.leaf, &e.leaf_hash);
            if problem.is_none()
                && let Some(m) = check.first_mismatch()
            {
                problem = Some((
                    m.position(),
                    "event bytes do not match their stored hash (modified)".into(),
                ));
            }
        }
        next = page.last().map_or(next, |e| e.seq + 1);
    }
    if problem.is_none() {
        if check.size() != head.size {
            problem = Some((
                check.size().min(head.size),
                format!(
                    "the head says {} events but {} are stored (truncated or inserted)",
                    head.size,
                    check.size()
                ),
            ));
        } else if check.root() != head.root {
            problem = Some((0, "the recomputed root differs from the stored head".into()));
        }
    }
    let root = hex(&check.root());
    match problem {
        None => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "events": check.size(), "root": root})
                );
            } else {
                println!("ok: {} events, root {root}", check.size());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some((pos, why)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "first_bad_position": pos, "reason": why, "events": check.size()})
                );
            } else {
                println!("FAILED at position {pos}: {why}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
