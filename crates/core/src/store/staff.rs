//! The staff port: accounts, invitations, second factors, sessions and login throttling.
//!
//! Everything here must be correct with several `jaga serve` nodes on one database: TOTP replay
//! refusal, single-use recovery codes and invitations, and throttle counters are single atomic
//! statements (compare-and-set or delete-returning), never read-then-write in the node.

use super::StoreError;
use crate::audit::AuditRecord;
use async_trait::async_trait;
use uuid::Uuid;

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// Id.
    pub id: Uuid,
    /// Login e-mail, normalised to lower case (unique).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role name (`cs_staff`, `cs_manager`, `finance`, `admin`, `auditor`).
    pub role: String,
    /// Comma-separated segments the member is restricted to; empty = every segment.
    pub segments: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// TOTP secret, encrypted (Jaga field format, key derived from the root key).
    pub totp_secret: Option<Vec<u8>>,
    /// Whether TOTP enrolment was confirmed with a valid code.
    pub totp_confirmed: bool,
    /// The last accepted TOTP step; a code for this step or an earlier one is refused.
    pub totp_last_step: Option<i64>,
    /// Version of the confidentiality agreement the member accepted.
    pub agreement_version: Option<String>,
    /// When it was accepted, ms since epoch.
    pub agreement_accepted_at: Option<i64>,
    /// Disabled at, ms since epoch (a disabled account cannot log in).
    pub disabled_at: Option<i64>,
    /// Optimistic-concurrency version, incremented by every update.
    pub version: i64,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Updated, ms since epoch.
    pub updated_at: i64,
}

/// A one-time invitation as stored (the token itself is never stored, only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    /// SHA-256 of the token.
    pub digest: Vec<u8>,
    /// Public id, for listing and audit.
    pub id: Uuid,
    /// Invited e-mail (lower case); `None` for the bootstrap invitation, whose acceptor names it.
    pub email: Option<String>,
    /// Role to grant.
    pub role: String,
    /// Comma-separated segments; empty = every segment.
    pub segments: String,
    /// Who invited (staff id, or `system:cli`).
    pub created_by: String,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Expires, ms since epoch.
    pub expires_at: i64,
    /// Used, ms since epoch.
    pub used_at: Option<i64>,
}

/// A server-side session as stored (the cookie value is never stored, only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the cookie value.
    pub digest: Vec<u8>,
    /// Public handle, to list and end one session.
    pub handle: Uuid,
    /// The staff member.
    pub staff_id: Uuid,
    /// `pending_mfa` (password ok), `enrolling` (must confirm TOTP) or `active`.
    pub state: String,
    /// Synchronizer CSRF token bound to this session.
    pub csrf: String,
    /// Created, ms since epoch (the absolute timeout counts from the first login step).
    pub created_at: i64,
    /// Last request, ms since epoch (idle timeout).
    pub last_seen_at: i64,
    /// Last TOTP step-up (or the login's TOTP), ms since epoch.
    pub step_up_at: Option<i64>,
    /// Client address at login (for the session list).
    pub ip: String,
    /// User agent at login, truncated (for the session list).
    pub user_agent: String,
}

/// A throttle counter (`acct:<id>`, `ip:<addr>`, `acct_ip:<id>|<addr>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleRow {
    /// Key.
    pub key: String,
    /// Failures in the current window.
    pub failures: i64,
    /// Last failure, ms since epoch.
    pub last_failure_at: i64,
}

/// The delay rule a throttle reservation is checked against: once a counter has `threshold`
/// failures, the next attempt must wait `base_ms` doubled per further failure, at most `cap_ms`
/// after the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimit {
    /// Failures allowed without delay.
    pub threshold: i64,
    /// First delay, ms.
    pub base_ms: i64,
    /// Longest delay, ms.
    pub cap_ms: i64,
}

/// Staff persistence. Implemented by both store crates; see the conformance suite.
#[async_trait]
pub trait StaffStore: Send + Sync {
    /// Inserts an account. [`StoreError::Unique`]`("staff_email")` if the e-mail is taken.
    async fn staff_insert(&self, row: StaffRow, audit: AuditRecord) -> Result<(), StoreError>;
    /// One account by id.
    async fn staff_get(&self, id: Uuid) -> Result<Option<StaffRow>, StoreError>;
    /// One account by (lower-case) e-mail.
    async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRow>, StoreError>;
    /// Every account, oldest first.
    async fn staff_list(&self) -> Result<Vec<StaffRow>, StoreError>;
    /// Writes a changed account if its version is still `row.version - 1`, else
    /// [`StoreError::Concurrent`]; appends `audit` (if any) in the same transaction.
    async fn staff_update(
        &self,
        row: StaffRow,
        audit: Option<AuditRecord>,
    ) -> Result<(), StoreError>;
    /// Records `step` as the last accepted TOTP step if it is later than the stored one;
    /// `false` (nothing changed) if the step was already used: the replay check.
    async fn staff_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StoreError>;

    /// Replaces all recovery codes of `id` with `digests`.
    async fn recovery_codes_replace(
        &self,
        id: Uuid,
        digests: Vec<Vec<u8>>,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Consumes one recovery code: deletes it if present and appends `audit`; `false` if absent.
    async fn recovery_code_use(
        &self,
        id: Uuid,
        digest: &[u8],
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// How many unused recovery codes `id` has.
    async fn recovery_codes_left(&self, id: Uuid) -> Result<u32, StoreError>;

    /// Stores an invitation.
    async fn invitation_insert(
        &self,
        inv: InvitationRow,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// An invitation by token digest.
    async fn invitation_get(&self, digest: &[u8]) -> Result<Option<InvitationRow>, StoreError>;
    /// Atomically marks the invitation used (if it is unused and unexpired at `at`) and inserts
    /// `staff`; `false` if the invitation was no longer usable (nothing written).
    async fn invitation_accept(
        &self,
        digest: &[u8],
        at: i64,
        staff: StaffRow,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Invitations not yet used, newest first.
    async fn invitations_open(&self) -> Result<Vec<InvitationRow>, StoreError>;
    /// Cancels the unused invitation `id` (its row is deleted, so its link stops working) and,
    /// in the same transaction, stores `replacement` if given (a resend: a new link for the
    /// same person) and appends `audit`. `false` if no unused invitation `id` exists (nothing
    /// written).
    async fn invitation_cancel(
        &self,
        id: Uuid,
        replacement: Option<InvitationRow>,
        audit: AuditRecord,
    ) -> Result<bool, StoreError>;

    /// A console-edited setting (`shop_settings`), if set.
    async fn setting_get(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// Sets a console-edited setting at `at` and appends `audit` in the same transaction.
    async fn setting_put(
        &self,
        name: &str,
        value: &str,
        at: i64,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;

    /// Stores a new session.
    async fn session_insert(&self, s: SessionRow) -> Result<(), StoreError>;
    /// A session by cookie digest.
    async fn session_get(&self, digest: &[u8]) -> Result<Option<SessionRow>, StoreError>;
    /// Atomically replaces the session `old` with `new` (id rotation); `false` if `old` no
    /// longer exists (nothing written).
    async fn session_rotate(&self, old: &[u8], new: SessionRow) -> Result<bool, StoreError>;
    /// Updates `last_seen_at`.
    async fn session_touch(&self, digest: &[u8], at: i64) -> Result<(), StoreError>;
    /// Deletes one session by digest; `false` if there was none.
    async fn session_delete(&self, digest: &[u8]) -> Result<bool, StoreError>;
    /// Deletes one session of `staff` by its public handle; `false` if there was none.
    async fn session_delete_handle(&self, staff: Uuid, handle: Uuid) -> Result<bool, StoreError>;
    /// Every session of `staff`, newest first.
    async fn sessions_of(&self, staff: Uuid) -> Result<Vec<SessionRow>, StoreError>;
    /// Deletes every session of `staff` except the one with digest `keep`; returns how many,
    /// appending `audit` (if any) in the same transaction.
    async fn sessions_end(
        &self,
        staff: Uuid,
        keep: Option<&[u8]>,
        audit: Option<AuditRecord>,
    ) -> Result<u64, StoreError>;
    /// Deletes sessions last seen before `idle_before` or created before `created_before`.
    async fn sessions_purge(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError>;

    /// The counters for `keys` that exist.
    async fn throttle_get(&self, keys: &[String]) -> Result<Vec<ThrottleRow>, StoreError>;
    /// Counts a failure for `key` at `at` in one statement: the count restarts at 1 when the
    /// previous failure is older than `window_ms`. Returns the new counter.
    async fn throttle_fail(
        &self,
        key: &str,
        at: i64,
        window_ms: i64,
    ) -> Result<ThrottleRow, StoreError>;
    /// Reserves one attempt on `key` at `at` in a single atomic statement, before the attempt
    /// is verified: if the counter owes no delay under `limit` (or its last failure is older
    /// than `window_ms`), the attempt is counted as a failure now (restarting at 1 after the
    /// window) and the new counter is returned; otherwise nothing changes and `None` is
    /// returned. Concurrent reservations each see a distinct count, so a burst cannot pass a
    /// limit together.
    async fn throttle_reserve(
        &self,
        key: &str,
        at: i64,
        window_ms: i64,
        limit: ThrottleLimit,
    ) -> Result<Option<ThrottleRow>, StoreError>;
    /// Gives back one attempt reserved at `reserved_at` under `limit` (it succeeded, or was not
    /// made): the counter goes down by one, never below zero. If no other attempt was reserved
    /// since, the last-failure time is moved back so that the remaining count owes no more delay
    /// than it did before the reservation (a verified attempt must not make the next one wait).
    async fn throttle_release(
        &self,
        key: &str,
        reserved_at: i64,
        limit: ThrottleLimit,
    ) -> Result<(), StoreError>;
    /// Removes the counter for `key`.
    async fn throttle_clear(&self, key: &str) -> Result<(), StoreError>;
}
