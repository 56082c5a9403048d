//! `jaga segments move`: moving a customer to another segment at the machine. The operator acts
//! as `cli.segments` (scope `customers:move` only); the move is audited like the API's.

use crate::config::{self, Flags};
use crate::datadir::{self, UnsealInput};
use anyhow::Result;
use jaga_core::auth::{Caller, OperatorTask};
use std::process::ExitCode;
use uuid::Uuid;

/// `jaga segments …`
#[derive(clap::Subcommand)]
pub enum SegmentsCmd {
    /// Move a customer to another segment: a new data key under the new segment's key, every
    /// field, order and token re-encrypted, in one transaction with its audit event.
    Move {
        /// The customer's id.
        #[arg(long)]
        customer: Uuid,
        /// The new segment (1–32 of a-z, 0-9, _ and -).
        #[arg(long)]
        to: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn describe(e: jaga_core::CoreError) -> anyhow::Error {
    match e {
        jaga_core::CoreError::NotFound => anyhow::anyhow!("no such customer"),
        other => crate::staff_cmd::describe(other),
    }
}

/// Runs a segments subcommand.
pub async fn run(flags: &Flags, input: &UnsealInput, cmd: SegmentsCmd) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let caller = Caller::operator(OperatorTask::Segments);
    match cmd {
        SegmentsCmd::Move { customer, to, json } => {
            // The name is checked before anything is opened: bad input changes nothing.
            jaga_core::validate::segment(&to)
                .map_err(|e| anyhow::anyhow!("--to: {}", e.message))?;
            let vault = datadir::open_unsealed(&cfg, input).await?;
            let moved = vault
                .segment_mover(&caller)
                .await
                .map_err(describe)?
                .move_to(customer, &to)
                .await
                .map_err(describe)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&moved)?);
            } else {
                println!(
                    "customer {} moved from segment {} to {} ({} order(s), {} token(s) re-encrypted)",
                    moved.id, moved.from, moved.to, moved.orders, moved.tokens
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
