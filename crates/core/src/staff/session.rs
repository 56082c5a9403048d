//! Server-side sessions: creation, rotation, validation (idle and absolute timeouts, CSRF),
//! listing and ending.

use super::{ClientInfo, NewSession, SessionInfo, SessionState, StaffService, role_of};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::{Caller, StaffContext};
use crate::error::ForbiddenReason;
use crate::store::{SessionRow, StaffRow};
use jaga_crypto::otp;
use secrecy::SecretString;
use uuid::Uuid;

/// `last_seen_at` is written at most this often per session (the idle timeout's resolution).
const TOUCH_EVERY_MS: i64 = 30_000;

/// A validated session that is not (necessarily) active: for the login and enrolment steps.
pub(crate) struct Current {
    pub row: SessionRow,
    pub staff: StaffRow,
    pub state: SessionState,
}

impl StaffService {
    /// A fresh session row and the cookie that finds it.
    pub(crate) fn mint(
        &self,
        staff: Uuid,
        state: SessionState,
        created_at: i64,
        step_up_at: Option<i64>,
        client: &ClientInfo,
    ) -> (SessionRow, NewSession) {
        let cookie = otp::token();
        let csrf = otp::token();
        let now = self.now();
        let lifetime = match state {
            SessionState::Active => self.config.absolute_timeout_ms,
            _ => self.config.pending_timeout_ms,
        };
        let row = SessionRow {
            digest: otp::token_digest(&cookie),
            handle: Uuid::new_v4(),
            staff_id: staff,
            state: state.name().into(),
            csrf: csrf.to_string(),
            created_at,
            last_seen_at: now,
            step_up_at,
            ip: truncate(&client.ip, 64),
            user_agent: truncate(&client.user_agent, 200),
        };
        let max_age = ((created_at + lifetime - now) / 1000).max(1);
        (
            row,
            NewSession {
                cookie: SecretString::from(cookie.to_string()),
                csrf: csrf.to_string(),
                state,
                max_age_secs: max_age,
            },
        )
    }

    /// Finds the session behind `cookie` and checks it is alive (timeouts by state) and its
    /// account is enabled. Expired sessions are deleted.
    pub(crate) async fn current(&self, cookie: &str) -> Result<Current, CoreError> {
        otp::token_shape(cookie).map_err(|_| CoreError::Unauthenticated)?;
        let digest = otp::token_digest(cookie);
        let row = self
            .store()
            .session_get(&digest)
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        let state = SessionState::parse(&row.state).ok_or(CoreError::Unauthenticated)?;
        let now = self.now();
        let expired = match state {
            SessionState::Active => {
                now - row.last_seen_at > self.config.idle_timeout_ms
                    || now - row.created_at > self.config.absolute_timeout_ms
            }
            _ => now - row.last_seen_at > self.config.pending_timeout_ms,
        };
        if expired {
            self.store().session_delete(&digest).await?;
            return Err(CoreError::Unauthenticated);
        }
        let staff = self
            .store()
            .staff_get(row.staff_id)
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        if staff.disabled_at.is_some() {
            self.store().session_delete(&digest).await?;
            return Err(CoreError::Unauthenticated);
        }
        if self
            .vault
            .is_suspended(crate::auth::ActorKind::Staff, &staff.id.to_string())
        {
            // Containment by intrusion detection: refused from the next request on.
            return Err(CoreError::Unauthenticated);
        }
        Ok(Current { row, staff, state })
    }

    /// Turns a session cookie into a staff [`Caller`].
    ///
    /// The session must be active and within its idle and absolute timeouts, and the account
    /// enabled. For state-changing requests (`unsafe_method`), `csrf` must equal the session's
    /// CSRF token ([`CoreError::Forbidden`]`(`[`ForbiddenReason::Csrf`]`)` otherwise). The role, segments and
    /// agreement state come from the account row as it is now, so changes apply at once.
    pub async fn authenticate(
        &self,
        cookie: &str,
        csrf: Option<&str>,
        unsafe_method: bool,
        request_id: Option<String>,
    ) -> Result<Caller, CoreError> {
        let cur = self.current(cookie).await?;
        if cur.state != SessionState::Active {
            return Err(CoreError::Unauthenticated);
        }
        if unsafe_method && !csrf.is_some_and(|c| otp::ct_eq(c, &cur.row.csrf)) {
            let caller = self.caller_for(&cur, request_id.clone())?;
            let refusal = Refusal::new(AuditAction::RequestCsrfRejected, ForbiddenReason::Csrf);
            return Err(self.vault.deny(&caller, refusal).await);
        }
        let now = self.now();
        if now - cur.row.last_seen_at >= TOUCH_EVERY_MS {
            self.store().session_touch(&cur.row.digest, now).await?;
        }
        self.caller_for(&cur, request_id)
    }

    pub(crate) fn caller_for(
        &self,
        cur: &Current,
        request_id: Option<String>,
    ) -> Result<Caller, CoreError> {
        let role = role_of(&cur.staff)?;
        let policies = &self.config.policies;
        let now = self.now();
        let ctx = StaffContext::new(
            cur.staff.id,
            role,
            super::parse_segments(&cur.staff.segments),
            policies.views(role).clone(),
            cur.staff.agreement_version.as_deref() == Some(self.agreement().version.as_str()),
            cur.row
                .step_up_at
                .is_some_and(|t| now - t <= self.config.step_up_window_ms && now >= t),
            cur.row.handle,
        );
        Ok(Caller::staff_session(
            ctx,
            policies.scopes(role),
            request_id,
        ))
    }

    /// The CSRF token of the session behind `cookie` (any state), for pages and clients that
    /// need to send it.
    pub async fn csrf_token(&self, cookie: &str) -> Result<String, CoreError> {
        Ok(self.current(cookie).await?.row.csrf)
    }

    /// [`Self::current`], also checking the session's CSRF token (every step that changes
    /// state). A mismatch is audited as `request.csrf_rejected` and refused with
    /// [`CoreError::Forbidden`]`(`[`ForbiddenReason::Csrf`]`)`.
    pub(crate) async fn current_csrf(
        &self,
        cookie: &str,
        csrf: &str,
    ) -> Result<Current, CoreError> {
        let cur = self.current(cookie).await?;
        if !otp::ct_eq(csrf, &cur.row.csrf) {
            let caller = Self::actor(&cur.staff.id.to_string(), &ClientInfo::default());
            let refusal = Refusal::new(AuditAction::RequestCsrfRejected, ForbiddenReason::Csrf);
            return Err(self.vault.deny(&caller, refusal).await);
        }
        Ok(cur)
    }

    /// Ends the session behind `cookie` (logout; `csrf` is its token). Audited as
    /// `staff.logout`.
    pub async fn logout(
        &self,
        cookie: &str,
        csrf: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let cur = self.current_csrf(cookie, csrf).await?;
        self.store().session_delete(&cur.row.digest).await?;
        let actor = Self::actor(&cur.staff.id.to_string(), client);
        self.store()
            .audit_append(AuditRecord::new(&actor, AuditAction::StaffLogout))
            .await?;
        Ok(())
    }

    /// Ends every other session of the caller ("log out my other sessions"); returns how many.
    /// Audited as `staff.sessions.end`.
    pub async fn logout_others(&self, caller: &Caller, cookie: &str) -> Result<u64, CoreError> {
        let ctx = caller.require_staff()?;
        let keep = otp::token_digest(cookie);
        Ok(self
            .store()
            .sessions_end(
                ctx.staff_id(),
                Some(&keep),
                Some(AuditRecord::new(caller, AuditAction::StaffSessionsEnd).fields(["others"])),
            )
            .await?)
    }

    /// The caller's sessions, newest first.
    pub async fn sessions(&self, caller: &Caller) -> Result<Vec<SessionInfo>, CoreError> {
        let ctx = caller.require_staff()?;
        let now = self.now();
        Ok(self
            .store()
            .sessions_of(ctx.staff_id())
            .await?
            .into_iter()
            .filter(|s| {
                s.state == "active"
                    && now - s.last_seen_at <= self.config.idle_timeout_ms
                    && now - s.created_at <= self.config.absolute_timeout_ms
            })
            .map(|s| SessionInfo {
                current: s.handle == ctx.session(),
                handle: s.handle,
                ip: s.ip,
                user_agent: s.user_agent,
                created_at: crate::format_ms(s.created_at),
                last_seen_at: crate::format_ms(s.last_seen_at),
            })
            .collect())
    }

    /// Ends one of the caller's own sessions by handle. Audited as `staff.sessions.end`.
    pub async fn end_own_session(&self, caller: &Caller, handle: Uuid) -> Result<(), CoreError> {
        let ctx = caller.require_staff()?;
        if !self
            .store()
            .session_delete_handle(ctx.staff_id(), handle)
            .await?
        {
            return Err(CoreError::NotFound);
        }
        self.store()
            .audit_append(AuditRecord::new(caller, AuditAction::StaffSessionsEnd).fields(["one"]))
            .await?;
        Ok(())
    }

    /// Deletes sessions past their idle or absolute timeout (housekeeping; expired sessions
    /// are refused whether or not they were purged). Returns how many.
    pub async fn purge_sessions(&self) -> Result<u64, CoreError> {
        let now = self.now();
        let idle = self
            .config
            .idle_timeout_ms
            .max(self.config.pending_timeout_ms);
        Ok(self
            .store()
            .sessions_purge(now - idle, now - self.config.absolute_timeout_ms)
            .await?)
    }

    /// Rotates the session `cur` into a new one in `state` (fresh cookie and CSRF token); the
    /// old cookie stops working at once.
    pub(crate) async fn rotate(
        &self,
        cur: &Current,
        state: SessionState,
        step_up_at: Option<i64>,
        client: &ClientInfo,
    ) -> Result<NewSession, CoreError> {
        // The absolute lifetime of an active session counts from when it became active.
        let created = if state == SessionState::Active && cur.state != SessionState::Active {
            self.now()
        } else {
            cur.row.created_at
        };
        let (row, new) = self.mint(cur.staff.id, state, created, step_up_at, client);
        if !self.store().session_rotate(&cur.row.digest, row).await? {
            return Err(CoreError::Unauthenticated);
        }
        Ok(new)
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(n)
        .collect::<String>()
}
