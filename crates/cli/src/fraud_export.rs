//! `jaga fraud export --events FILE --labels FILE`: the events the server scored (as stored:
//! e-mail, phone and IP are keyed hashes) and their labels (chargebacks, early fraud warnings
//! and review decisions), as files `jaga fraud backtest` reads. Refunds are recorded without a
//! verdict and are not written as labels.

use crate::config::{self, Flags};
use crate::datadir;
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

fn create(path: &Path) -> Result<BufWriter<std::fs::File>> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    Ok(BufWriter::new(f))
}

/// Writes the stored events and labels.
pub async fn run(flags: &Flags, events: &Path, labels: &Path) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let store = datadir::open_store(&cfg.database_url).await?;
    let mut ev_out = create(events)?;
    let mut n_events = 0u64;
    let mut cursor = 0;
    loop {
        let rows = store.fraud_events_after(cursor, 5_000).await?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            break;
        };
        for r in &rows {
            writeln!(ev_out, "{}", r.event)?;
            n_events += 1;
        }
        cursor = last;
    }
    ev_out.flush()?;
    let mut lab_out = match create(labels) {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(events);
            return Err(e);
        }
    };
    let (mut n_labels, mut after) = (0u64, String::new());
    loop {
        let rows = store.fraud_labels_after(&after, 5_000).await?;
        let Some(last) = rows.last().map(|r| r.event_id.clone()) else {
            break;
        };
        for l in rows.iter() {
            if let Some(fraud) = l.fraud {
                serde_json::to_writer(
                    &mut lab_out,
                    &serde_json::json!({"id": l.event_id, "fraud": fraud, "kind": l.kind}),
                )?;
                writeln!(lab_out)?;
                n_labels += 1;
            }
        }
        after = last;
    }
    lab_out.flush()?;
    eprintln!(
        "{n_events} events to {}, {n_labels} labels to {}",
        events.display(),
        labels.display()
    );
    Ok(ExitCode::SUCCESS)
}
