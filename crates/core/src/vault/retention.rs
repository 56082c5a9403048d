//! Applying the retention plan ([`crate::retention`]) to the store, as Jaga itself
//! (`system:retention`): whole-customer steps crypto-shred through the normal erasure (audited
//! `customer.erase`, reported to the erasure ledger), part steps clear values in one
//! transaction per customer (audited `retention.apply`), and the run ends with one
//! `retention.run` event holding the counts. Needs no keys: nothing is decrypted.

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::policy::Policy;
use crate::retention::{RetentionReport, StepReport, action_name, plan};
use crate::store::RetentionTarget;

/// Customers handled per store round trip.
const PAGE: u32 = 500;

/// The actor retention runs as.
pub const RETENTION_ACTOR: &str = "retention";

impl Vault {
    /// Erases or clears everything whose retention period under `policy` has ended at
    /// `now_ms` (the job passes its clock, so tests can move time), and reports the counts.
    /// Idempotent: a second run at the same time finds nothing due.
    pub async fn apply_retention(
        &self,
        policy: &Policy,
        now_ms: i64,
    ) -> Result<RetentionReport, CoreError> {
        let caller = Caller::system(RETENTION_ACTOR);
        let mut steps = Vec::new();
        for step in plan(policy, now_ms) {
            let rule = &policy.rules[&step.category];
            let mut rep = StepReport {
                category: step.category.key().to_string(),
                action: action_name(step.action).to_string(),
                retention_days: rule.retention_days,
                erased: 0,
                cleared: 0,
            };
            let tag = [
                format!("category:{}", step.category.key()),
                format!("end:{}", rep.action),
                format!("retention_days:{}", rule.retention_days),
            ];
            let mut after = None;
            loop {
                let due = self
                    .store
                    .retention_due(step.cutoff_ms, &step.target, after, PAGE)
                    .await?;
                let Some(&last) = due.last() else { break };
                for id in &due {
                    let audit = AuditRecord::new(
                        &caller,
                        if step.target == RetentionTarget::Customer {
                            AuditAction::CustomerErase
                        } else {
                            AuditAction::RetentionApply
                        },
                    )
                    .customer(*id)
                    .fields(tag.iter().cloned());
                    let at = crate::now_ms();
                    if step.target == RetentionTarget::Customer {
                        // The store re-checks inactivity and "not erased" in the erasure's
                        // transaction: a customer active since the selection is skipped.
                        if self
                            .store
                            .retention_clear(*id, step.cutoff_ms, &step.target, at, audit)
                            .await?
                        {
                            rep.erased += 1;
                            self.ledger_erasure(*id, at, caller.id()).await;
                        }
                    } else if self
                        .store
                        .retention_clear(*id, step.cutoff_ms, &step.target, at, audit)
                        .await?
                    {
                        rep.cleared += 1;
                    }
                }
                if due.len() < PAGE as usize {
                    break;
                }
                after = Some(last);
            }
            steps.push(rep);
        }
        let report = RetentionReport {
            at_ms: now_ms,
            steps,
        };
        let mut fields = vec![
            format!("erased:{}", report.erased()),
            format!("cleared:{}", report.cleared()),
        ];
        fields.extend(
            report
                .steps
                .iter()
                .filter(|s| s.erased + s.cleared > 0)
                .map(|s| format!("{}:{}", s.category, s.erased + s.cleared)),
        );
        self.store
            .audit_append(AuditRecord::new(&caller, AuditAction::RetentionRun).fields(fields))
            .await?;
        Ok(report)
    }
}
