//! The port for data-subject requests and consent records (see [`crate::requests`]).

use super::StoreError;
use crate::audit::AuditRecord;
use crate::requests::{ConsentRow, Outcome, RequestRow, RequestStatus};
use async_trait::async_trait;
use uuid::Uuid;

/// Requests and consents.
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Stores a new request with its audit event, in one transaction.
    async fn request_insert(&self, row: &RequestRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// Closes an open request with its audit event; `false` (nothing written) when it is not
    /// open (or unknown).
    #[allow(clippy::too_many_arguments)]
    async fn request_close(
        &self,
        id: Uuid,
        status: RequestStatus,
        outcome: Outcome,
        handled_by: &str,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// One request.
    async fn request_get(&self, id: Uuid) -> Result<Option<RequestRow>, StoreError>;
    /// Requests, earliest due first: only open ones when `open_only`, else every one; at most
    /// `limit`.
    async fn requests_list(
        &self,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<RequestRow>, StoreError>;
    /// Appends a consent record with its audit event; a marketing record also sets the
    /// customer's `marketing_consent` (in the same transaction).
    async fn consent_insert(&self, row: &ConsentRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// A customer's consent history, oldest first.
    async fn consents_of(&self, customer_id: Uuid) -> Result<Vec<ConsentRow>, StoreError>;
    /// Every request about one customer, oldest received first (for the access export).
    async fn requests_of(&self, customer_id: Uuid) -> Result<Vec<RequestRow>, StoreError>;
}
