//! The ports that live in the main database only, delegated to it unchanged (generated from
//! the trait declarations; the two audit calls that route are in the parent module).

#![allow(clippy::too_many_arguments)]

use super::RoutingStore;
use crate::audit::AuditRecord;
use crate::requests::{ConsentRow, Outcome, RequestRow, RequestStatus};
use crate::store::checkpoint::*;
use crate::store::fraud::*;
use crate::store::idempotency::*;
use crate::store::ids::*;
use crate::store::jobs::*;
use crate::store::payees::*;
use crate::store::requests::RequestStore;
use crate::store::staff::*;
use crate::store::{StoreError, StoredEvent};
use async_trait::async_trait;
use jaga_audit::{Hash, NodeId};
use std::collections::HashMap;
use uuid::Uuid;

#[async_trait]
impl CheckpointStore for RoutingStore {
    async fn checkpoint_insert(&self, cp: StoredCheckpoint) -> Result<bool, StoreError> {
        self.main.checkpoint_insert(cp).await
    }
    async fn checkpoint_latest(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.main.checkpoint_latest().await
    }
    async fn checkpoint_list(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.main.checkpoint_list().await
    }
    async fn audit_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
        self.main.audit_nodes(ids).await
    }
    async fn audit_event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        self.main.audit_event(seq).await
    }
    async fn audit_append_batch(&self, records: Vec<AuditRecord>) -> Result<u64, StoreError> {
        self.append_batch_routed(records).await
    }
    async fn audit_events_matching(
        &self,
        filter: &EventFilter,
        from: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.events_matching_routed(filter, from, limit).await
    }
}

#[async_trait]
impl StaffStore for RoutingStore {
    async fn staff_insert(&self, row: StaffRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.staff_insert(row, audit).await
    }
    async fn staff_get(&self, id: Uuid) -> Result<Option<StaffRow>, StoreError> {
        self.main.staff_get(id).await
    }
    async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRow>, StoreError> {
        self.main.staff_by_email(email).await
    }
    async fn staff_list(&self) -> Result<Vec<StaffRow>, StoreError> {
        self.main.staff_list().await
    }
    async fn staff_update(
        &self,
        row: StaffRow,
        audit: Option<AuditRecord>,
    ) -> Result<(), StoreError> {
        self.main.staff_update(row, audit).await
    }
    async fn staff_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StoreError> {
        self.main.staff_totp_step(id, step).await
    }
    async fn recovery_codes_replace(
        &self,
        id: Uuid,
        digests: Vec<Vec<u8>>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.recovery_codes_replace(id, digests, audit).await
    }
    async fn recovery_code_use(
        &self,
        id: Uuid,
        digest: &[u8],
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.recovery_code_use(id, digest, audit).await
    }
    async fn recovery_codes_left(&self, id: Uuid) -> Result<u32, StoreError> {
        self.main.recovery_codes_left(id).await
    }
    async fn invitation_insert(
        &self,
        inv: InvitationRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.invitation_insert(inv, audit).await
    }
    async fn invitation_get(&self, digest: &[u8]) -> Result<Option<InvitationRow>, StoreError> {
        self.main.invitation_get(digest).await
    }
    async fn invitation_accept(
        &self,
        digest: &[u8],
        at: i64,
        staff: StaffRow,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.invitation_accept(digest, at, staff, audit).await
    }
    async fn invitations_open(&self) -> Result<Vec<InvitationRow>, StoreError> {
        self.main.invitations_open().await
    }
    async fn invitation_cancel(
        &self,
        id: Uuid,
        replacement: Option<InvitationRow>,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.invitation_cancel(id, replacement, audit).await
    }
    async fn setting_get(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.main.setting_get(name).await
    }
    async fn setting_put(
        &self,
        name: &str,
        value: &str,
        at: i64,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.setting_put(name, value, at, audit).await
    }
    async fn session_insert(&self, s: SessionRow) -> Result<(), StoreError> {
        self.main.session_insert(s).await
    }
    async fn session_get(&self, digest: &[u8]) -> Result<Option<SessionRow>, StoreError> {
        self.main.session_get(digest).await
    }
    async fn session_rotate(&self, old: &[u8], new: SessionRow) -> Result<bool, StoreError> {
        self.main.session_rotate(old, new).await
    }
    async fn session_touch(&self, digest: &[u8], at: i64) -> Result<(), StoreError> {
        self.main.session_touch(digest, at).await
    }
    async fn session_delete(&self, digest: &[u8]) -> Result<bool, StoreError> {
        self.main.session_delete(digest).await
    }
    async fn session_delete_handle(&self, staff: Uuid, handle: Uuid) -> Result<bool, StoreError> {
        self.main.session_delete_handle(staff, handle).await
    }
    async fn sessions_of(&self, staff: Uuid) -> Result<Vec<SessionRow>, StoreError> {
        self.main.sessions_of(staff).await
    }
    async fn sessions_end(
        &self,
        staff: Uuid,
        keep: Option<&[u8]>,
        audit: Option<AuditRecord>,
    ) -> Result<u64, StoreError> {
        self.main.sessions_end(staff, keep, audit).await
    }
    async fn sessions_purge(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError> {
        self.main.sessions_purge(idle_before, created_before).await
    }
    async fn throttle_get(&self, keys: &[String]) -> Result<Vec<ThrottleRow>, StoreError> {
        self.main.throttle_get(keys).await
    }
    async fn throttle_fail(
        &self,
        key: &str,
        at: i64,
        window_ms: i64,
    ) -> Result<ThrottleRow, StoreError> {
        self.main.throttle_fail(key, at, window_ms).await
    }
    async fn throttle_reserve(
        &self,
        key: &str,
        at: i64,
        window_ms: i64,
        limit: ThrottleLimit,
    ) -> Result<Option<ThrottleRow>, StoreError> {
        self.main.throttle_reserve(key, at, window_ms, limit).await
    }
    async fn throttle_release(
        &self,
        key: &str,
        reserved_at: i64,
        limit: ThrottleLimit,
    ) -> Result<(), StoreError> {
        self.main.throttle_release(key, reserved_at, limit).await
    }
    async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
        self.main.throttle_clear(key).await
    }
}

#[async_trait]
impl JobStore for RoutingStore {
    async fn job_lease(
        &self,
        job: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        self.main.job_lease(job, holder, now_ms, until_ms).await
    }
    async fn job_release(&self, job: &str, holder: &str) -> Result<(), StoreError> {
        self.main.job_release(job, holder).await
    }
    async fn job_record(&self, job: &str, ok: bool, at_ms: i64) -> Result<(), StoreError> {
        self.main.job_record(job, ok, at_ms).await
    }
    async fn job_state(&self, job: &str) -> Result<Option<JobState>, StoreError> {
        self.main.job_state(job).await
    }
}

#[async_trait]
impl IdsStore for RoutingStore {
    async fn honeytoken_insert(&self, row: HoneytokenRow) -> Result<(), StoreError> {
        self.main.honeytoken_insert(row).await
    }
    async fn honeytoken_list(&self) -> Result<Vec<HoneytokenRow>, StoreError> {
        self.main.honeytoken_list().await
    }
    async fn alert_insert(&self, row: AlertRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.alert_insert(row, audit).await
    }
    async fn alert_recent(
        &self,
        dedup: &str,
        since_ms: i64,
    ) -> Result<Option<AlertRow>, StoreError> {
        self.main.alert_recent(dedup, since_ms).await
    }
    async fn alert_bump(
        &self,
        id: &str,
        at_ms: i64,
        detail: Option<String>,
        redeliver: bool,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main
            .alert_bump(id, at_ms, detail, redeliver, audit)
            .await
    }
    async fn alert_get(&self, id: &str) -> Result<Option<AlertRow>, StoreError> {
        self.main.alert_get(id).await
    }
    async fn alert_list(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError> {
        self.main.alert_list(limit).await
    }
    async fn alert_undelivered(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError> {
        self.main.alert_undelivered(limit).await
    }
    async fn alert_delivered(&self, id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.main.alert_delivered(id, at_ms).await
    }
    async fn alert_ack(
        &self,
        id: &str,
        by: &str,
        at_ms: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.alert_ack(id, by, at_ms, audit).await
    }
    async fn alert_link(&self, id: &str, incident: &str) -> Result<(), StoreError> {
        self.main.alert_link(id, incident).await
    }
    async fn suspension_insert(
        &self,
        row: SuspensionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.suspension_insert(row, audit).await
    }
    async fn suspension_delete(
        &self,
        actor_kind: &str,
        actor_id: &str,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main
            .suspension_delete(actor_kind, actor_id, audit)
            .await
    }
    async fn suspension_list(&self) -> Result<Vec<SuspensionRow>, StoreError> {
        self.main.suspension_list().await
    }
    async fn address_seen(
        &self,
        actor: &str,
        digest: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.main.address_seen(actor, digest, at_ms).await
    }
    async fn address_count(&self, actor: &str) -> Result<u64, StoreError> {
        self.main.address_count(actor).await
    }
    async fn incident_insert(
        &self,
        row: IncidentRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.incident_insert(row, audit).await
    }
    async fn incident_update(&self, row: IncidentRow) -> Result<(), StoreError> {
        self.main.incident_update(row).await
    }
    async fn incident_get(&self, id: &str) -> Result<Option<IncidentRow>, StoreError> {
        self.main.incident_get(id).await
    }
    async fn incident_list(&self) -> Result<Vec<IncidentRow>, StoreError> {
        self.main.incident_list().await
    }
}

#[async_trait]
impl FraudStore for RoutingStore {
    async fn fraud_events_insert(&self, rows: Vec<FraudEventRow>) -> Result<u64, StoreError> {
        self.main.fraud_events_insert(rows).await
    }
    async fn fraud_events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FraudEventRow>, StoreError> {
        self.main.fraud_events_after(after, limit).await
    }
    async fn fraud_events_get(&self, ids: &[String]) -> Result<Vec<FraudEventRow>, StoreError> {
        self.main.fraud_events_get(ids).await
    }
    async fn fraud_record(
        &self,
        rows: Vec<FraudEventRow>,
        contacts: Vec<(String, String)>,
        links: Vec<FraudLink>,
        labels: Vec<FraudLabelRow>,
    ) -> Result<u64, StoreError> {
        self.main.fraud_record(rows, contacts, links, labels).await
    }
    async fn fraud_contacts_get(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.main.fraud_contacts_get(ids).await
    }
    async fn fraud_events_by_refs(
        &self,
        refs: &[String],
    ) -> Result<Vec<FraudEventRow>, StoreError> {
        self.main.fraud_events_by_refs(refs).await
    }
    async fn fraud_list_put(
        &self,
        row: FraudListRow,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.fraud_list_put(row, audit).await
    }
    async fn fraud_list_delete(
        &self,
        list: &str,
        entity: &str,
        key: &str,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.fraud_list_delete(list, entity, key, audit).await
    }
    async fn fraud_lists_all(&self) -> Result<Vec<FraudListRow>, StoreError> {
        self.main.fraud_lists_all().await
    }
    async fn fraud_review_queue(&self, limit: u32) -> Result<Vec<FraudEventRow>, StoreError> {
        self.main.fraud_review_queue(limit).await
    }
    async fn fraud_review_decide(
        &self,
        review: FraudReviewRow,
        label: FraudLabelRow,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.fraud_review_decide(review, label, audit).await
    }
    async fn fraud_events_in(
        &self,
        from: i64,
        to: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FraudEventRow>, StoreError> {
        self.main.fraud_events_in(from, to, after, limit).await
    }
    async fn fraud_reviews_recent(&self, limit: u32) -> Result<Vec<FraudReviewRow>, StoreError> {
        self.main.fraud_reviews_recent(limit).await
    }
    async fn fraud_labels_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<FraudLabelRow>, StoreError> {
        self.main.fraud_labels_after(after, limit).await
    }
}

#[async_trait]
impl IdempotencyStore for RoutingStore {
    async fn idempotency_claim(
        &self,
        id: &[u8],
        request: &[u8],
        now: i64,
        lease_until: i64,
        expired_before: i64,
    ) -> Result<IdempotencyClaim, StoreError> {
        self.main
            .idempotency_claim(id, request, now, lease_until, expired_before)
            .await
    }
    async fn idempotency_complete(
        &self,
        id: &[u8],
        response: &StoredResponse,
    ) -> Result<bool, StoreError> {
        self.main.idempotency_complete(id, response).await
    }
    async fn idempotency_release(&self, id: &[u8]) -> Result<(), StoreError> {
        self.main.idempotency_release(id).await
    }
    async fn idempotency_purge(&self, before: i64) -> Result<u64, StoreError> {
        self.main.idempotency_purge(before).await
    }
}

#[async_trait]
impl RequestStore for RoutingStore {
    async fn request_insert(&self, row: &RequestRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.request_insert(row, audit).await
    }
    async fn request_close(
        &self,
        id: Uuid,
        status: RequestStatus,
        outcome: Outcome,
        handled_by: &str,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main
            .request_close(id, status, outcome, handled_by, at, audit)
            .await
    }
    async fn request_get(&self, id: Uuid) -> Result<Option<RequestRow>, StoreError> {
        self.main.request_get(id).await
    }
    async fn requests_list(
        &self,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<RequestRow>, StoreError> {
        self.main.requests_list(open_only, limit).await
    }
    async fn consent_insert(&self, row: &ConsentRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.consent_insert(row, audit).await
    }
    async fn consents_of(&self, customer_id: Uuid) -> Result<Vec<ConsentRow>, StoreError> {
        self.main.consents_of(customer_id).await
    }
    async fn requests_of(&self, customer_id: Uuid) -> Result<Vec<RequestRow>, StoreError> {
        self.main.requests_of(customer_id).await
    }
}

#[async_trait]
impl PayeeStore for RoutingStore {
    async fn payee_insert(
        &self,
        row: PayeeRow,
        first: BankVersionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.payee_insert(row, first, audit).await
    }
    async fn payee_get(&self, id: &str) -> Result<Option<PayeeRow>, StoreError> {
        self.main.payee_get(id).await
    }
    async fn payee_list(&self) -> Result<Vec<PayeeRow>, StoreError> {
        self.main.payee_list().await
    }
    async fn bank_versions(&self, payee_id: &str) -> Result<Vec<BankVersionRow>, StoreError> {
        self.main.bank_versions(payee_id).await
    }
    async fn bank_version_insert(
        &self,
        row: BankVersionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.bank_version_insert(row, audit).await
    }
    async fn bank_version_decide(
        &self,
        row: BankVersionRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.bank_version_decide(row, audit).await
    }
    async fn payout_insert(&self, row: PayoutRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.payout_insert(row, audit).await
    }
    async fn payout_get(&self, id: &str) -> Result<Option<PayoutRow>, StoreError> {
        self.main.payout_get(id).await
    }
    async fn payout_list(
        &self,
        status: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PayoutRow>, StoreError> {
        self.main.payout_list(status, limit).await
    }
    async fn payout_update(&self, row: PayoutRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.payout_update(row, audit).await
    }
    async fn payouts_mark_exported(
        &self,
        ids: &[String],
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.payouts_mark_exported(ids, audit).await
    }
    async fn payee_notices_pending(&self, limit: u32) -> Result<Vec<PayeeNoticeRow>, StoreError> {
        self.main.payee_notices_pending(limit).await
    }
    async fn payee_notice_delivered(
        &self,
        payee_id: &str,
        version: i64,
        at: i64,
    ) -> Result<(), StoreError> {
        self.main
            .payee_notice_delivered(payee_id, version, at)
            .await
    }
    async fn payee_contacts_update(
        &self,
        payee_id: &str,
        expected: Vec<u8>,
        contacts: Vec<u8>,
        notice: Option<PayeeNoticeRow>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main
            .payee_contacts_update(payee_id, expected, contacts, notice, audit)
            .await
    }
}
