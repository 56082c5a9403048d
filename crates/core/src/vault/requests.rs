//! The data-subject requests and consent capability (see [`crate::requests`]): `requests:read`
//! to list and read, `requests:write` to record and close requests and to record consent.
//! Every call is audited; staff see only the requests and consents of customers in their
//! segments.

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};
use crate::error::ConflictKind;
use crate::requests::{
    Channel, ConsentPurpose, ConsentRow, ConsentSource, DUE_MS, Outcome, RequestKind, RequestRow,
    RequestStatus,
};
use uuid::Uuid;

/// Most requests one list returns.
pub const REQUESTS_LIMIT: u32 = 500;

/// A request to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    /// The customer it concerns.
    pub customer_id: Uuid,
    /// What is asked.
    pub kind: RequestKind,
    /// How it came in.
    pub channel: Channel,
    /// When it was received (ms); now when absent. At most 30 days back and never ahead.
    pub received_at: Option<i64>,
}

/// Consent given or withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewConsent {
    /// The purpose.
    pub purpose: ConsentPurpose,
    /// Given (`true`) or withdrawn (`false`).
    pub granted: bool,
    /// Where it came from.
    pub source: ConsentSource,
}

/// Holder of `requests:read` (and, for writes, `requests:write`).
pub struct Requests<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
}

impl Vault {
    /// The requests capability; needs `requests:read`.
    pub async fn requests<'a>(&'a self, caller: &'a Caller) -> Result<Requests<'a>, CoreError> {
        self.require(caller, Scope::RequestsRead, AuditAction::RequestRead)
            .await?;
        Ok(Requests {
            vault: self,
            caller,
        })
    }
}

impl Requests<'_> {
    async fn writable(&self, action: AuditAction) -> Result<(), CoreError> {
        self.vault
            .require(self.caller, Scope::RequestsWrite, action)
            .await
            .map(|_| ())
    }

    /// The customer exists (erased ones too) and the caller sees its segment.
    async fn customer(&self, id: Uuid, action: AuditAction) -> Result<(), CoreError> {
        if self.vault.store.customer_load(id).await?.is_none() {
            return Err(CoreError::NotFound);
        }
        self.vault.check_segment(self.caller, id, action).await
    }

    /// Records a request with its legal due date (3×24 h after receipt).
    pub async fn record(&self, input: &NewRequest, now_ms: i64) -> Result<RequestRow, CoreError> {
        self.writable(AuditAction::RequestRecord).await?;
        let received_at = input.received_at.unwrap_or(now_ms);
        if received_at > now_ms + 60_000 || received_at < now_ms - 30 * crate::retention::DAY_MS {
            return Err(CoreError::Invalid(vec![crate::InvalidField::new(
                "received_at",
                "invalid_received_at",
                "must be in the last 30 days and not in the future",
            )]));
        }
        self.customer(input.customer_id, AuditAction::RequestRecord)
            .await?;
        let row = RequestRow {
            id: Uuid::new_v4(),
            customer_id: input.customer_id,
            kind: input.kind,
            channel: input.channel,
            status: RequestStatus::Open,
            received_at,
            due_at: received_at + DUE_MS,
            created_by: self.caller.id().to_string(),
            handled_by: None,
            closed_at: None,
            outcome: None,
        };
        let audit = AuditRecord::new(self.caller, AuditAction::RequestRecord)
            .customer(row.customer_id)
            .fields([
                format!("request:{}", row.id),
                format!("kind:{}", row.kind.as_str()),
                format!("channel:{}", row.channel.as_str()),
                format!("due_at:{}", crate::format_ms(row.due_at)),
            ]);
        self.vault.store.request_insert(&row, audit).await?;
        Ok(row)
    }

    /// Closes an open request as done or refused, with an outcome code.
    pub async fn close(
        &self,
        id: Uuid,
        status: RequestStatus,
        outcome: Outcome,
        now_ms: i64,
    ) -> Result<RequestRow, CoreError> {
        self.writable(AuditAction::RequestClose).await?;
        if status == RequestStatus::Open {
            return Err(CoreError::Invalid(vec![crate::InvalidField::new(
                "status",
                "invalid_status",
                "a request is closed as done or refused",
            )]));
        }
        let Some(row) = self.vault.store.request_get(id).await? else {
            return Err(CoreError::NotFound);
        };
        self.customer(row.customer_id, AuditAction::RequestClose)
            .await?;
        let audit = AuditRecord::new(self.caller, AuditAction::RequestClose)
            .customer(row.customer_id)
            .fields([
                format!("request:{id}"),
                format!("kind:{}", row.kind.as_str()),
                format!("status:{}", status.as_str()),
                format!("outcome:{}", outcome.as_str()),
                format!("late:{}", now_ms > row.due_at),
            ]);
        if !self
            .vault
            .store
            .request_close(id, status, outcome, self.caller.id(), now_ms, audit)
            .await?
        {
            return Err(CoreError::Conflict(ConflictKind::RequestClosed));
        }
        self.vault
            .store
            .request_get(id)
            .await?
            .ok_or(CoreError::NotFound)
    }

    /// One request.
    pub async fn get(&self, id: Uuid) -> Result<RequestRow, CoreError> {
        let Some(row) = self.vault.store.request_get(id).await? else {
            return Err(CoreError::NotFound);
        };
        self.customer(row.customer_id, AuditAction::RequestRead)
            .await?;
        self.vault
            .store
            .audit_append(
                AuditRecord::new(self.caller, AuditAction::RequestRead)
                    .customer(row.customer_id)
                    .fields([format!("request:{id}")]),
            )
            .await?;
        Ok(row)
    }

    /// Requests, earliest due first (open ones only when `open_only`), those of customers in
    /// segments the caller cannot see left out.
    pub async fn list(&self, open_only: bool) -> Result<Vec<RequestRow>, CoreError> {
        let rows = self
            .vault
            .store
            .requests_list(open_only, REQUESTS_LIMIT)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        match self.caller.staff().and_then(|s| s.segments().map(|_| s)) {
            None => out = rows,
            Some(ctx) => {
                for r in rows {
                    if let Some(found) = self.vault.store.customer_load(r.customer_id).await?
                        && ctx.sees_segment(&found.row.segment)
                    {
                        out.push(r);
                    }
                }
            }
        }
        self.vault
            .store
            .audit_append(
                AuditRecord::new(self.caller, AuditAction::RequestRead).fields([
                    format!("open_only:{open_only}"),
                    format!("count:{}", out.len()),
                ]),
            )
            .await?;
        Ok(out)
    }

    /// Like [`Requests::list`], each request with its customer's code (a pseudonym, for the
    /// console's list; an unknown customer has an empty code).
    pub async fn list_with_codes(
        &self,
        open_only: bool,
    ) -> Result<Vec<(RequestRow, String)>, CoreError> {
        let rows = self.list(open_only).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let code = self
                .vault
                .store
                .customer_load(r.customer_id)
                .await?
                .map(|f| f.row.code)
                .unwrap_or_default();
            out.push((r, code));
        }
        Ok(out)
    }

    /// Records consent given or withdrawn for a purpose. Times within one customer strictly
    /// increase, so the latest record is always the current state.
    pub async fn record_consent(
        &self,
        customer_id: Uuid,
        input: NewConsent,
        now_ms: i64,
    ) -> Result<ConsentRow, CoreError> {
        self.writable(AuditAction::ConsentRecord).await?;
        self.customer(customer_id, AuditAction::ConsentRecord)
            .await?;
        let last = self
            .vault
            .store
            .consents_of(customer_id)
            .await?
            .last()
            .map(|r| r.at);
        let row = ConsentRow {
            id: Uuid::new_v4(),
            customer_id,
            purpose: input.purpose,
            granted: input.granted,
            source: input.source,
            at: last.map_or(now_ms, |l| now_ms.max(l + 1)),
            recorded_by: self.caller.id().to_string(),
        };
        let audit = AuditRecord::new(self.caller, AuditAction::ConsentRecord)
            .customer(customer_id)
            .fields([
                format!("purpose:{}", row.purpose.as_str()),
                format!("granted:{}", row.granted),
                format!("source:{}", row.source.as_str()),
            ]);
        self.vault.store.consent_insert(&row, audit).await?;
        Ok(row)
    }

    /// A customer's consent history, oldest first.
    pub async fn consents(&self, customer_id: Uuid) -> Result<Vec<ConsentRow>, CoreError> {
        self.customer(customer_id, AuditAction::ConsentRead).await?;
        let rows = self.vault.store.consents_of(customer_id).await?;
        self.vault
            .store
            .audit_append(
                AuditRecord::new(self.caller, AuditAction::ConsentRead).customer(customer_id),
            )
            .await?;
        Ok(rows)
    }
}
