//! Payouts: created to the payee's last verified bank details (or refused, so the payout is
//! held), approved by other members (two above the threshold, one more after a recent change,
//! never the creator, never twice), exported as a bank bulk-transfer CSV of approved payouts
//! whose details are still the payable ones.

use super::Payees;
use super::views::{ApprovalView, BankVersionView, PayoutView};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Scope;
use crate::payouts::{self as rules, BankDetails, BankFormat, Payout, PayoutError, PayoutStatus};
use crate::store::{PayoutRow, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most payouts listed or exported at once.
pub const PAYOUT_LIMIT: u32 = 500;

/// A new payout.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPayout {
    /// The payee.
    pub payee_id: Uuid,
    /// Amount in **whole rupiah** (more than zero): Rp 12.500.000 is `12500000`. Unlike orders'
    /// `amount_minor` (ISO 4217 minor units, sen), payouts are bank transfers in whole rupiah.
    pub amount: i64,
    /// Remark for the transfer (invoice number), at most 100 characters.
    pub remark: Option<String>,
}

/// An export: the CSV and what it holds.
#[derive(Debug, Clone)]
pub struct ExportResult {
    /// The bulk-transfer file (CRLF lines, formula-neutralised fields).
    pub csv: String,
    /// The payouts in it (now `exported`).
    pub exported: Vec<String>,
    /// Approved payouts left out because their payee's bank details changed since.
    pub held: Vec<String>,
}

fn status_of(s: &str) -> Result<PayoutStatus, CoreError> {
    match s {
        "pending_approval" => Ok(PayoutStatus::PendingApproval),
        "approved" | "exported" => Ok(PayoutStatus::Approved),
        "rejected" => Ok(PayoutStatus::Rejected),
        _ => Err(StoreError::Corrupt("payout status".into()).into()),
    }
}

impl Payees<'_> {
    fn approvals(row: &PayoutRow) -> Result<Vec<ApprovalView>, CoreError> {
        serde_json::from_str(&row.approvals)
            .map_err(|_| StoreError::Corrupt("payout approvals".into()).into())
    }

    fn rule_payout(row: &PayoutRow, approvals: &[ApprovalView]) -> Result<Payout, CoreError> {
        Ok(Payout {
            amount: row.amount,
            created_by: row.created_by.clone(),
            details_version: u32::try_from(row.details_version)
                .map_err(|_| StoreError::Corrupt("payout details version".into()))?,
            required: usize::try_from(row.required)
                .map_err(|_| StoreError::Corrupt("payout approvals needed".into()))?,
            recent_change_warning: row.recent_change,
            approvals: approvals
                .iter()
                .filter(|a| a.decision == "approve")
                .map(|a| a.by.clone())
                .collect(),
            status: status_of(&row.status)?,
        })
    }

    /// The view of a stored payout, with its payee's details (not audited).
    async fn payout_view(
        &self,
        row: &PayoutRow,
    ) -> Result<(PayoutView, Vec<BankDetails>), CoreError> {
        let payee = Uuid::parse_str(&row.payee_id).map_err(|_| CoreError::Integrity)?;
        let (_, name, _, versions) = self.load(payee).await?;
        let details = versions
            .iter()
            .find(|v| i64::from(v.version) == row.details_version)
            .ok_or_else(|| StoreError::Corrupt("payout details version".into()))?;
        let remark = row
            .remark
            .as_ref()
            .map(|ct| self.open::<String>("payouts", &row.id, "remark", ct))
            .transpose()?;
        let superseded = versions.iter().any(|v| {
            i64::from(v.version) > row.details_version && v.status != rules::BankStatus::Rejected
        });
        Ok((
            PayoutView {
                id: row.id.clone(),
                payee_id: row.payee_id.clone(),
                payee_name: name,
                amount: row.amount,
                remark,
                status: row.status.clone(),
                required_approvals: u32::try_from(row.required).unwrap_or(u32::MAX),
                recent_change_warning: row.recent_change,
                created_by: row.created_by.clone(),
                created_at: row.created_at,
                approvals: Self::approvals(row)?,
                details: BankVersionView::of(details),
                details_superseded: superseded,
            },
            versions,
        ))
    }

    /// Creates a payout to the payee's last verified details; refused (the payout is held)
    /// while there are none. Needs `payouts:write`.
    pub async fn create_payout(&self, new: &NewPayout) -> Result<PayoutView, CoreError> {
        self.need(Scope::PayoutsWrite, AuditAction::PayoutCreate)
            .await?;
        let remark = match new
            .remark
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(r) => Some(
                crate::validate::line("remark", r, 100).map_err(|e| CoreError::Invalid(vec![e]))?,
            ),
            None => None,
        };
        if let Some(r) = &remark {
            super::no_cards(&[r])?;
        }
        let subject = format!("payee:{}", new.payee_id);
        let (row, _, _, versions) = self.load(new.payee_id).await?;
        let policy = self.vault.payout_policy();
        let p = match rules::create_payout(
            &policy,
            &self.member(),
            new.amount,
            &versions,
            crate::now_ms(),
        ) {
            Ok(p) => p,
            Err(e) => return Err(self.refused(AuditAction::PayoutCreate, e, &subject).await),
        };
        let id = Uuid::new_v4().to_string();
        let stored = PayoutRow {
            id: id.clone(),
            payee_id: row.id.clone(),
            amount: p.amount,
            details_version: i64::from(p.details_version),
            required: p.required as i64,
            recent_change: p.recent_change_warning,
            status: "pending_approval".into(),
            created_by: p.created_by.clone(),
            created_at: crate::now_ms(),
            remark: remark
                .as_ref()
                .map(|r| self.seal("payouts", &id, "remark", r)),
            approvals: "[]".into(),
            rev: 1,
        };
        let mut fields = vec![
            format!("payout:{id}"),
            subject,
            format!("version:{}", p.details_version),
            format!("amount:{}", p.amount),
            format!("required:{}", p.required),
        ];
        if p.recent_change_warning {
            fields.push("recent_change".into());
        }
        let audit = AuditRecord::new(self.caller, AuditAction::PayoutCreate).fields(fields);
        self.vault
            .store()
            .payout_insert(stored.clone(), audit)
            .await?;
        Ok(self.payout_view(&stored).await?.0)
    }

    /// One payout with its chain; audited as `payout.read`. Needs `payees:read`.
    pub async fn payout(&self, id: Uuid) -> Result<PayoutView, CoreError> {
        self.need(Scope::PayeesRead, AuditAction::PayoutRead)
            .await?;
        let row = self.vault.store().payout_get(&id.to_string()).await?;
        let outcome = if row.is_some() {
            crate::audit::Outcome::Ok
        } else {
            crate::audit::Outcome::NotFound
        };
        self.vault
            .audit(
                AuditRecord::new(self.caller, AuditAction::PayoutRead)
                    .outcome(outcome)
                    .fields([format!("payout:{id}")]),
            )
            .await?;
        let row = row.ok_or(CoreError::NotFound)?;
        Ok(self.payout_view(&row).await?.0)
    }

    /// Up to `PAYOUT_LIMIT` payouts, newest first (only `status` when given); one
    /// `payout.read` event. Needs `payees:read`.
    pub async fn payouts(&self, status: Option<&str>) -> Result<Vec<PayoutView>, CoreError> {
        self.need(Scope::PayeesRead, AuditAction::PayoutRead)
            .await?;
        if let Some(s) = status
            && !["pending_approval", "approved", "rejected", "exported"].contains(&s)
        {
            return Err(CoreError::invalid(
                "status",
                "invalid_status",
                "must be pending_approval, approved, rejected or exported",
            ));
        }
        let rows = self.vault.store().payout_list(status, PAYOUT_LIMIT).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.payout_view(r).await?.0);
        }
        self.vault
            .audit(
                AuditRecord::new(self.caller, AuditAction::PayoutRead)
                    .fields(["list".to_string(), format!("count:{}", out.len())]),
            )
            .await?;
        Ok(out)
    }

    /// Adds the caller's approval: a finance or admin member with a staff session and a fresh
    /// step-up, not the creator, not twice. Needs `payouts:approve`.
    pub async fn approve(&self, id: Uuid) -> Result<PayoutView, CoreError> {
        self.need(Scope::PayoutsApprove, AuditAction::PayoutApprove)
            .await?;
        let approver = self.need_person(AuditAction::PayoutApprove).await?;
        let subject = format!("payout:{id}");
        let mut row = self
            .vault
            .store()
            .payout_get(&id.to_string())
            .await?
            .ok_or(CoreError::NotFound)?;
        let mut approvals = Self::approvals(&row)?;
        let current = Self::rule_payout(&row, &approvals)?;
        if row.status == "exported" {
            return Err(self
                .refused(
                    AuditAction::PayoutApprove,
                    PayoutError::NotPendingApproval,
                    &subject,
                )
                .await);
        }
        let next = match rules::approve(&current, &approver) {
            Ok(p) => p,
            Err(e) => return Err(self.refused(AuditAction::PayoutApprove, e, &subject).await),
        };
        approvals.push(ApprovalView {
            by: approver.id.clone(),
            at: crate::now_ms(),
            decision: "approve".into(),
        });
        row.approvals = serde_json::to_string(&approvals).expect("serialisable");
        row.status = match next.status {
            PayoutStatus::Approved => "approved".into(),
            PayoutStatus::PendingApproval => "pending_approval".into(),
            PayoutStatus::Rejected => "rejected".into(),
        };
        row.rev += 1;
        let audit = AuditRecord::new(self.caller, AuditAction::PayoutApprove).fields([
            subject,
            format!("approval:{}/{}", approvals.len(), row.required),
            row.status.clone(),
        ]);
        match self.vault.store().payout_update(row.clone(), audit).await {
            Err(StoreError::Concurrent) => {
                return Err(CoreError::Conflict(crate::error::ConflictKind::Concurrent));
            }
            r => r?,
        }
        Ok(self.payout_view(&row).await?.0)
    }

    /// Rejects a payout waiting for approval: a finance or admin member with a staff session
    /// and a fresh step-up (the creator may withdraw their own). It is never paid or exported.
    /// Needs `payouts:approve`; audited as `payout.reject`.
    pub async fn reject(&self, id: Uuid) -> Result<PayoutView, CoreError> {
        self.need(Scope::PayoutsApprove, AuditAction::PayoutReject)
            .await?;
        let member = self.need_person(AuditAction::PayoutReject).await?;
        let subject = format!("payout:{id}");
        let mut row = self
            .vault
            .store()
            .payout_get(&id.to_string())
            .await?
            .ok_or(CoreError::NotFound)?;
        let mut decisions = Self::approvals(&row)?;
        let current = Self::rule_payout(&row, &decisions)?;
        let not_pending = row.status != "pending_approval";
        let decided = if not_pending {
            Err(PayoutError::NotPendingApproval)
        } else {
            rules::reject(&current, &member)
        };
        if let Err(e) = decided {
            return Err(self.refused(AuditAction::PayoutReject, e, &subject).await);
        }
        decisions.push(ApprovalView {
            by: member.id.clone(),
            at: crate::now_ms(),
            decision: "reject".into(),
        });
        row.approvals = serde_json::to_string(&decisions).expect("serialisable");
        row.status = "rejected".into();
        row.rev += 1;
        let audit = AuditRecord::new(self.caller, AuditAction::PayoutReject)
            .fields([subject, "rejected".to_string()]);
        match self.vault.store().payout_update(row.clone(), audit).await {
            Err(StoreError::Concurrent) => {
                return Err(CoreError::Conflict(crate::error::ConflictKind::Concurrent));
            }
            r => r?,
        }
        Ok(self.payout_view(&row).await?.0)
    }

    /// Exports every approved payout whose details are still the payee's payable ones as a
    /// bank bulk-transfer CSV and marks them `exported` (so a file is never made twice);
    /// approved payouts to superseded details are left out and named in `held`. Needs
    /// `payouts:write` and, for staff, a fresh step-up (the file carries account numbers).
    pub async fn export(&self, format: BankFormat) -> Result<ExportResult, CoreError> {
        self.need(Scope::PayoutsWrite, AuditAction::PayoutExport)
            .await?;
        self.vault
            .require_step_up(self.caller, AuditAction::PayoutExport, None)
            .await?;
        let rows = self
            .vault
            .store()
            .payout_list(Some("approved"), PAYOUT_LIMIT)
            .await?;
        let mut keep: Vec<(Payout, BankDetails, String, String)> = Vec::new();
        let mut held = Vec::new();
        for r in rows.iter().rev() {
            let (view, versions) = self.payout_view(r).await?;
            let payable = rules::payable_details(&versions).cloned();
            match payable {
                Some(d)
                    if i64::from(d.version) == r.details_version && !view.details_superseded =>
                {
                    let approvals = Self::approvals(r)?;
                    keep.push((
                        Self::rule_payout(r, &approvals)?,
                        d,
                        view.remark.unwrap_or_default(),
                        r.id.clone(),
                    ));
                }
                _ => held.push(r.id.clone()),
            }
        }
        let lines: Vec<rules::ExportLine<'_>> = keep
            .iter()
            .map(|(p, d, remark, _)| rules::ExportLine {
                payout: p,
                details: d,
                remark: remark.clone(),
            })
            .collect();
        let csv = match rules::export_csv(format, &lines) {
            Ok(c) => c,
            Err(e) => return Err(self.refused(AuditAction::PayoutExport, e, "export").await),
        };
        let exported: Vec<String> = keep.iter().map(|k| k.3.clone()).collect();
        let audit = AuditRecord::new(self.caller, AuditAction::PayoutExport).fields([
            format!(
                "format:{}",
                match format {
                    BankFormat::Bca => "bca",
                    BankFormat::Mandiri => "mandiri",
                }
            ),
            format!("count:{}", exported.len()),
            format!("held:{}", held.len()),
        ]);
        if !exported.is_empty() {
            match self
                .vault
                .store()
                .payouts_mark_exported(&exported, audit)
                .await
            {
                Err(StoreError::Concurrent) => {
                    return Err(CoreError::Conflict(crate::error::ConflictKind::Concurrent));
                }
                r => r?,
            }
        } else {
            self.vault.audit(audit).await?;
        }
        Ok(ExportResult {
            csv,
            exported,
            held,
        })
    }
}
