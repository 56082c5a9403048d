//! The fraud monitor's daily summary for the owner: counts of the previous day (events by
//! decision, events waiting for review, top rules, amount held) handed to the witnesses
//! (e-mail, webhook, directory: the shared delivery component) once a day. The time of the
//! last summary is kept in the data directory (`fraud-summary-last`), so restarts do not
//! resend it; the job is a singleton, so one node of a cluster sends it. Days are the shop's
//! (`[shop] time_zone`, WIB unless configured, given with [`FraudSummaryJob::in_zone`]); a
//! job without a zone counts UTC days.

use crate::checkpoint::SharedWitnesses;
use crate::delivery::{Delivery, write_atomic};
use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::auth::Caller;
use jaga_core::vault::{FraudSummary, Vault};
use jaga_i18n::Zone;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;

/// What a delivery of `s` looks like (its day in UTC).
pub fn summary_delivery(s: &FraudSummary, shop: &str) -> Delivery {
    summary_delivery_in(s, shop, &Zone::parse("UTC").expect("UTC is a zone"))
}

/// What a delivery of `s` looks like, its day in `zone`.
pub fn summary_delivery_in(s: &FraudSummary, shop: &str, zone: &Zone) -> Delivery {
    let date = s.date_in(zone);
    Delivery::Report {
        name: format!("fraud-summary-{date}.txt"),
        subject: format!(
            "Jaga fraud summary {date}: {} held, {} blocked, {} waiting",
            s.review, s.blocked, s.waiting
        ),
        body: s.text_in(shop, zone),
    }
}

/// Sends the previous day's summary once a day (the shop's day with
/// [`FraudSummaryJob::in_zone`], else UTC).
pub struct FraudSummaryJob {
    vault: Arc<Vault>,
    zone: Zone,
    caller: Caller,
    shop: String,
    path: PathBuf,
    witnesses: SharedWitnesses,
}

impl FraudSummaryJob {
    /// The job; `dir` is the data directory that keeps the time of the last summary, `caller`
    /// the actor its reads are audited as (it needs `fraud:review`).
    pub fn new(
        vault: Arc<Vault>,
        caller: Caller,
        shop: &str,
        dir: &Path,
        witnesses: SharedWitnesses,
    ) -> Self {
        Self {
            vault,
            zone: Zone::parse("UTC").expect("UTC is a zone"),
            caller,
            shop: shop.to_string(),
            path: dir.join("fraud-summary-last"),
            witnesses,
        }
    }

    /// Counts the shop's days in `zone` (midnight to midnight there) instead of UTC days.
    pub fn in_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// The summary to deliver at `now` (ms), if one is due: the last full day (in the job's
    /// zone) not yet sent.
    pub async fn due(&self, now: i64) -> Option<Delivery> {
        let offset = i64::from(self.zone.offset_minutes) * 60_000;
        let today = now - (now + offset).rem_euclid(DAY_MS);
        let last = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let Some(last) = last else {
            // First start: the first summary is tomorrow's, for today.
            let _ = write_atomic(&self.path, today.to_string().as_bytes());
            return None;
        };
        if last >= today {
            return None;
        }
        match self
            .vault
            .fraud_summary(&self.caller, today - DAY_MS, today)
            .await
        {
            Ok(s) => {
                let _ = write_atomic(&self.path, today.to_string().as_bytes());
                Some(summary_delivery_in(&s, &self.shop, &self.zone))
            }
            Err(e) => {
                tracing::warn!(error = %e, "fraud summary failed");
                None
            }
        }
    }
}

#[async_trait]
impl Job for FraudSummaryJob {
    fn name(&self) -> &'static str {
        "fraud-summary"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        if let Some(d) = self.due(jaga_core::now_ms()).await {
            self.witnesses.lock().await.deliver(&d).await;
        }
        Ok(())
    }
}
