//! The periodic access review: when it is due (the time of the last one is kept in the data
//! directory), its text, and the [`ReviewJob`] that hands it to the witnesses.

use crate::checkpoint::SharedWitnesses;
use crate::delivery::{Delivery, write_atomic};
use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::auth::Caller;
use jaga_core::report::Review;
use jaga_core::staff::Policies;
use jaga_core::vault::Vault;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Runs the access review now, as `caller`, through the auditor capability (the caller needs
/// `audit:read`; the vault may be sealed).
pub async fn review(
    vault: &Vault,
    caller: &Caller,
    policies: &Policies,
) -> Result<Review, JobError> {
    let reader = vault
        .audit_reader(caller)
        .await
        .map_err(|e| JobError::msg(format!("access review: {e}")))?;
    reader
        .review(policies)
        .await
        .map_err(|e| JobError::msg(format!("access review: {e}")))
}

/// What a delivery of review `r` looks like.
pub fn review_delivery(r: &Review) -> Delivery {
    let date = r.generated_at.get(..10).unwrap_or("review").to_string();
    Delivery::Report {
        name: format!("access-review-{date}.txt"),
        subject: format!("Jaga access review {date} ({} findings)", r.findings.len()),
        body: review_text(r),
    }
}

/// The review as text.
pub fn review_text(r: &Review) -> String {
    let mut out = format!(
        "Jaga access review / tinjauan akses, {} (events since {})\n{} findings\n",
        r.generated_at,
        r.since,
        r.findings.len()
    );
    let mut kind = "";
    for f in &r.findings {
        if f.kind != kind {
            kind = &f.kind;
            out.push_str(&format!("\n[{kind}]\n"));
        }
        match f.seq {
            Some(s) => out.push_str(&format!("  {} — {} (event {s})\n", f.subject, f.detail)),
            None => out.push_str(&format!("  {} — {}\n", f.subject, f.detail)),
        }
    }
    out
}

/// When the next periodic review is due; the time of the last one is kept in the data
/// directory (`audit-review-last`), so restarts do not resend it.
pub struct ReviewSchedule {
    path: PathBuf,
    every_ms: i64,
}

impl ReviewSchedule {
    /// A schedule every `days` days (0 = never).
    pub fn new(dir: &Path, days: u64) -> Self {
        Self {
            path: dir.join("audit-review-last"),
            every_ms: i64::try_from(days).unwrap_or(0).saturating_mul(86_400_000),
        }
    }

    /// The review to deliver, if one is due now.
    pub async fn due(
        &mut self,
        vault: &Vault,
        caller: &Caller,
        policies: &Policies,
    ) -> Option<Delivery> {
        if self.every_ms == 0 {
            return None;
        }
        let now = jaga_core::now_ms();
        let last = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let Some(last) = last else {
            // First start: the first review comes one period from now.
            let _ = write_atomic(&self.path, now.to_string().as_bytes());
            return None;
        };
        if now - last < self.every_ms {
            return None;
        }
        match review(vault, caller, policies).await {
            Ok(r) => {
                let _ = write_atomic(&self.path, now.to_string().as_bytes());
                Some(review_delivery(&r))
            }
            Err(e) => {
                tracing::warn!(error = %e, "access review failed");
                None
            }
        }
    }
}

/// Hands the access review to the witnesses every [`crate::config::AuditConfig::review_days`]
/// days. A singleton; it checks once a minute whether a review is due.
pub struct ReviewJob {
    vault: Arc<Vault>,
    caller: Caller,
    policies: Policies,
    schedule: ReviewSchedule,
    witnesses: SharedWitnesses,
}

impl ReviewJob {
    /// The job; `dir` is the data directory that keeps the time of the last review, `caller`
    /// the actor the review's reads are audited as.
    pub fn new(
        vault: Arc<Vault>,
        caller: Caller,
        policies: Policies,
        schedule: ReviewSchedule,
        witnesses: SharedWitnesses,
    ) -> Self {
        Self {
            vault,
            caller,
            policies,
            schedule,
            witnesses,
        }
    }
}

#[async_trait]
impl Job for ReviewJob {
    fn name(&self) -> &'static str {
        "audit-review"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        if let Some(d) = self
            .schedule
            .due(&self.vault, &self.caller, &self.policies)
            .await
        {
            self.witnesses.lock().await.deliver(&d).await;
        }
        Ok(())
    }
}
