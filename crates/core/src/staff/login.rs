//! The login steps: password, second factor (TOTP or recovery code), TOTP enrolment, step-up,
//! the agreement, and password changes.

use super::throttle::{self, Rule};
use super::{
    ClientInfo, LoginStep, NewSession, RecoveryCodes, SecondFactor, SessionState, StaffService,
    TotpEnrolment,
};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::Caller;
use crate::store::{StaffRow, StoreError, ThrottleRow};
use jaga_crypto::field::{self, Context};
use jaga_crypto::otp;
use jaga_crypto::password::{self, MAX_PASSWORD_BYTES};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

/// TOTP codes are accepted one step (30 s) either side of the server's time.
pub(crate) const TOTP_SKEW: u64 = 1;

fn totp_ctx(id: &str) -> Context<'_> {
    Context {
        segment: "",
        table: "staff",
        record_id: id,
        field: "totp_secret",
    }
}

/// Attempts reserved on throttle counters, with their counts after reserving.
pub(super) struct Reserved(Vec<(Rule, ThrottleRow)>);

impl StaffService {
    /// Reserves the attempt on every counter before anything is verified (one atomic
    /// statement each; see [`crate::store::StaffStore::throttle_reserve`]). If a counter owes a
    /// delay, the reservations already made are given back and the attempt is refused with
    /// [`CoreError::Throttled`].
    pub(super) async fn reserve(&self, keys: &[(Rule, String)]) -> Result<Reserved, CoreError> {
        let now = self.now();
        let mut got: Vec<(Rule, ThrottleRow)> = Vec::new();
        for (rule, key) in keys {
            match self
                .store()
                .throttle_reserve(key, now, rule.window_ms, rule.limit())
                .await?
            {
                Some(row) => got.push((*rule, row)),
                None => {
                    for (rule, r) in &got {
                        self.store()
                            .throttle_release(&r.key, now, rule.limit())
                            .await?;
                    }
                    let rows = self.store().throttle_get(std::slice::from_ref(key)).await?;
                    let until = rows
                        .first()
                        .map(|r| r.last_failure_at + rule.delay_ms(r.failures))
                        .unwrap_or(now);
                    return Err(CoreError::Throttled {
                        retry_after_secs: (((until - now).max(1) + 999) / 1000) as u64,
                    });
                }
            }
        }
        Ok(Reserved(got))
    }

    /// Counts the reserved attempt as the failure it was: audits it as `staff.login.failed`
    /// (factor and reason, never the input) and, for every counter that now owes a delay, as
    /// `staff.login.locked`.
    pub(super) async fn fail(
        &self,
        reserved: &Reserved,
        actor: &str,
        factor: &str,
        reason: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let caller = Self::actor(actor, client);
        // Refusals pass the vault's refusal budget: a flood of failed logins is summarised.
        self.vault
            .audit(
                AuditRecord::new(&caller, AuditAction::StaffLoginFailed)
                    .outcome(Outcome::Denied)
                    .fields([format!("factor:{factor}"), format!("reason:{reason}")]),
            )
            .await?;
        for (rule, row) in &reserved.0 {
            let delay = rule.delay_ms(row.failures);
            if delay > 0 {
                self.vault
                    .audit(
                        AuditRecord::new(&caller, AuditAction::StaffLoginLocked)
                            .outcome(Outcome::Denied)
                            .fields([
                                format!("rule:{}", rule.name),
                                format!("failures:{}", row.failures),
                                format!("delay_s:{}", delay / 1000),
                            ]),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// The admin-from-a-new-address rule, on a completed sign-in.
    async fn watch_login_address(
        &self,
        staff: &StaffRow,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        if staff.role == crate::roles::Role::Admin.name() {
            self.vault
                .watch_address(
                    crate::auth::ActorKind::Staff,
                    &staff.id.to_string(),
                    &client.ip,
                    crate::ids::Rule::AdminNewAddress,
                )
                .await?;
        }
        Ok(())
    }

    /// Gives back a reservation whose attempt succeeded.
    pub(super) async fn release(&self, reserved: &Reserved) -> Result<(), CoreError> {
        for (rule, r) in &reserved.0 {
            self.store()
                .throttle_release(&r.key, r.last_failure_at, rule.limit())
                .await?;
        }
        Ok(())
    }

    /// After a verified second factor: the account's counters (not the address's) restart.
    async fn clear_account_throttle(&self, email: &str, ip: &str) -> Result<(), CoreError> {
        for (rule, key) in throttle::keys(email, ip) {
            if rule.name != throttle::ADDRESS.name {
                self.store().throttle_clear(&key).await?;
            }
        }
        self.clear_second_factor_lock(email).await
    }

    /// Restarts the account's count of consecutive second-factor failures.
    pub(crate) async fn clear_second_factor_lock(&self, email: &str) -> Result<(), CoreError> {
        let (_, key) = throttle::second_factor_key(email);
        self.store().throttle_clear(&key).await?;
        Ok(())
    }

    /// Reserves a second-factor attempt: the pending login's own counter (if any), the account's
    /// consecutive second-factor failures, then the login counters. A pending login that is
    /// out of attempts, or an account whose second factor is locked, ends the pending session
    /// (`staff.login.ended`) and is refused.
    async fn reserve_second_factor(
        &self,
        cur: &super::session::Current,
        pending: bool,
        client: &ClientInfo,
    ) -> Result<Reserved, CoreError> {
        let mut keys = Vec::with_capacity(5);
        if pending {
            keys.push(throttle::pending_key(&cur.row.handle));
        }
        keys.push(throttle::second_factor_key(&cur.staff.email));
        keys.extend(throttle::keys(&cur.staff.email, &client.ip));
        match self.reserve(&keys).await {
            Ok(r) => Ok(r),
            Err(CoreError::Throttled { retry_after_secs }) => {
                // `reserve` cannot tell which rule refused through the error type; look again.
                Err(self
                    .after_refusal(cur, pending, client, retry_after_secs)
                    .await?)
            }
            Err(e) => Err(e),
        }
    }

    async fn after_refusal(
        &self,
        cur: &super::session::Current,
        pending: bool,
        client: &ClientInfo,
        retry_after_secs: u64,
    ) -> Result<CoreError, CoreError> {
        let (prule, pkey) = throttle::pending_key(&cur.row.handle);
        let (mrule, mkey) = throttle::second_factor_key(&cur.staff.email);
        let rows = self
            .store()
            .throttle_get(&[pkey.clone(), mkey.clone()])
            .await?;
        let over = |rule: Rule, key: &str| {
            rows.iter()
                .any(|r| r.key == key && r.failures >= rule.threshold)
        };
        let pending_over = pending && over(prule, &pkey);
        let locked = over(mrule, &mkey);
        if pending_over || locked {
            if pending {
                self.end_pending(
                    cur,
                    if locked {
                        "second_factor_locked"
                    } else {
                        "too_many_codes"
                    },
                    client,
                )
                .await?;
            }
            if pending_over && !locked {
                return Ok(CoreError::Unauthenticated);
            }
        }
        Ok(CoreError::Throttled { retry_after_secs })
    }

    /// Ends a pending login (its session is deleted); audited as `staff.login.ended`.
    async fn end_pending(
        &self,
        cur: &super::session::Current,
        reason: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        self.store().session_delete(&cur.row.digest).await?;
        let actor = Self::actor(&cur.staff.id.to_string(), client);
        self.store()
            .audit_append(
                AuditRecord::new(&actor, AuditAction::StaffLoginEnded)
                    .outcome(Outcome::Denied)
                    .fields([format!("reason:{reason}")]),
            )
            .await?;
        Ok(())
    }

    /// After a wrong second factor on a pending login: ends it once it has used its attempts.
    async fn fail_pending(
        &self,
        cur: &super::session::Current,
        reserved: &Reserved,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let used_up = reserved.0.iter().any(|(rule, row)| {
            (rule.name == throttle::PENDING.name || rule.name == throttle::SECOND_FACTOR.name)
                && row.failures >= rule.threshold
        });
        if used_up {
            self.end_pending(cur, "too_many_codes", client).await?;
        }
        Ok(())
    }

    /// Step 1: e-mail and password. On success opens a pending session (a TOTP or recovery code
    /// comes next) or, if TOTP was never confirmed, an enrolling session with the enrolment data.
    ///
    /// Every failure (unknown account, wrong password, disabled account) is the same
    /// [`CoreError::LoginFailed`] after the same amount of hashing work, is audited as
    /// `staff.login.failed`, and counts towards the throttle; a throttled attempt is refused with
    /// [`CoreError::Throttled`] before any hashing.
    pub async fn login(
        &self,
        email: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<LoginStep, CoreError> {
        if password.expose_secret().len() > MAX_PASSWORD_BYTES || email.len() > 320 {
            return Err(CoreError::invalid(
                "password",
                "too_long",
                "e-mail or password is too long",
            ));
        }
        let email = email.trim().to_lowercase();
        let keys = throttle::keys(&email, &client.ip);
        let reserved = self.reserve(&keys).await?;
        let row = self.store().staff_by_email(&email).await?;
        let params = self.config.password_params;
        let pw = Zeroizing::new(password.expose_secret().as_bytes().to_vec());
        let stored = row.as_ref().map(|r| r.password_hash.clone());
        let (ok, rehash) = self
            .hasher
            .run(move || match stored {
                Some(h) if !h.is_empty() => {
                    let ok = password::verify(&pw, &h);
                    let new = if ok && password::needs_rehash(&h, params) {
                        password::hash(&pw, params).ok()
                    } else {
                        None
                    };
                    (ok, new)
                }
                _ => {
                    password::dummy_verify(&pw, params);
                    (false, None)
                }
            })
            .await?;
        if let Some(r) = &row {
            self.vault.watch_staff_login(&r.id.to_string());
        }
        let suspended = row.as_ref().is_some_and(|r| {
            self.vault
                .is_suspended(crate::auth::ActorKind::Staff, &r.id.to_string())
        });
        let row = match row {
            Some(r) if ok && r.disabled_at.is_none() && !suspended => r,
            Some(r) => {
                let reason = if ok { "disabled" } else { "wrong_password" };
                self.fail(&reserved, &r.id.to_string(), "password", reason, client)
                    .await?;
                return Err(CoreError::LoginFailed);
            }
            None => {
                self.fail(&reserved, "unknown", "password", "unknown_account", client)
                    .await?;
                return Err(CoreError::LoginFailed);
            }
        };
        self.release(&reserved).await?;
        let mut row = row;
        if let Some(h) = rehash {
            let mut up = row.clone();
            up.password_hash = h;
            up.version += 1;
            up.updated_at = self.now();
            match self.store().staff_update(up.clone(), None).await {
                Ok(()) => row = up,
                Err(StoreError::Concurrent) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let actor = Self::actor(&row.id.to_string(), client);
        self.store()
            .audit_append(AuditRecord::new(&actor, AuditAction::StaffLoginPassword))
            .await?;
        if !row.totp_confirmed {
            let (row, secret) = self.ensure_totp_secret(row).await?;
            let (srow, session) =
                self.mint(row.id, SessionState::Enrolling, self.now(), None, client);
            self.store().session_insert(srow).await?;
            return Ok(LoginStep::Enrol(
                session,
                self.enrolment_data(&row.email, &secret)?,
            ));
        }
        let (srow, session) = self.mint(row.id, SessionState::PendingMfa, self.now(), None, client);
        self.store().session_insert(srow).await?;
        Ok(LoginStep::SecondFactor(session))
    }

    /// Step 2: a TOTP code (one step of clock skew either way, each step usable once) or a
    /// single-use recovery code. Rotates the pending session into an active one (new cookie, new
    /// CSRF token) and counts as a step-up. `csrf` is the pending session's token. Audited as `staff.login.ok` or `staff.login.failed`.
    pub async fn second_factor(
        &self,
        cookie: &str,
        csrf: &str,
        factor: &SecondFactor,
        client: &ClientInfo,
    ) -> Result<NewSession, CoreError> {
        let cur = self.current_csrf(cookie, csrf).await?;
        if cur.state != SessionState::PendingMfa {
            return Err(CoreError::Unauthenticated);
        }
        let reserved = self.reserve_second_factor(&cur, true, client).await?;
        let actor = Self::actor(&cur.staff.id.to_string(), client);
        let (name, result) = match factor {
            SecondFactor::Totp(code) => ("totp", self.check_totp(&cur.staff, code).await?),
            SecondFactor::Recovery(code) => {
                let ok = match otp::normalize_recovery_code(code.expose_secret()) {
                    Some(n) => {
                        let key = self.vault.staff_recovery_key()?;
                        self.store()
                            .recovery_code_use(
                                cur.staff.id,
                                &otp::recovery_digest(&key, &n),
                                AuditRecord::new(&actor, AuditAction::StaffRecoveryUse),
                            )
                            .await?
                    }
                    None => false,
                };
                ("recovery", if ok { Ok(()) } else { Err("wrong_code") })
            }
        };
        if let Err(reason) = result {
            self.fail(&reserved, &cur.staff.id.to_string(), name, reason, client)
                .await?;
            self.fail_pending(&cur, &reserved, client).await?;
            return Err(CoreError::LoginFailed);
        }
        self.release(&reserved).await?;
        self.clear_account_throttle(&cur.staff.email, &client.ip)
            .await?;
        let session = self
            .rotate(&cur, SessionState::Active, Some(self.now()), client)
            .await?;
        self.store()
            .audit_append(
                AuditRecord::new(&actor, AuditAction::StaffLoginOk)
                    .fields([format!("factor:{name}")]),
            )
            .await?;
        self.watch_login_address(&cur.staff, client).await?;
        Ok(session)
    }

    /// Checks a TOTP code against the account's secret and records its step so it cannot be
    /// used again (on any node). `Err(reason)` names why it failed, for the audit log.
    async fn check_totp(
        &self,
        staff: &StaffRow,
        code: &str,
    ) -> Result<Result<(), &'static str>, CoreError> {
        let Some(ct) = &staff.totp_secret else {
            return Ok(Err("no_totp"));
        };
        let key = self.vault.staff_totp_key()?;
        let id = staff.id.to_string();
        let secret = field::open(&key, &totp_ctx(&id), ct)?;
        let now_s = u64::try_from(self.now() / 1000).unwrap_or(0);
        let Some(step) = otp::totp_match(&secret, code, now_s, TOTP_SKEW) else {
            return Ok(Err("wrong_code"));
        };
        if !self.store().staff_totp_step(staff.id, step as i64).await? {
            return Ok(Err("replayed_code"));
        }
        Ok(Ok(()))
    }

    /// Gives `row` a TOTP secret if it has none (first login after an MFA reset); returns the
    /// current row and the plaintext secret.
    async fn ensure_totp_secret(
        &self,
        mut row: StaffRow,
    ) -> Result<(StaffRow, Zeroizing<Vec<u8>>), CoreError> {
        let key = self.vault.staff_totp_key()?;
        let id = row.id.to_string();
        if let Some(ct) = &row.totp_secret {
            let s = field::open(&key, &totp_ctx(&id), ct)?;
            return Ok((row, s));
        }
        let secret = otp::totp_secret();
        row.totp_secret = Some(field::seal(&key, 1, &totp_ctx(&id), &secret));
        row.version += 1;
        row.updated_at = self.now();
        self.store().staff_update(row.clone(), None).await?;
        Ok((row, secret))
    }

    pub(crate) fn seal_totp(&self, id: &str, secret: &[u8]) -> Result<Vec<u8>, CoreError> {
        let key = self.vault.staff_totp_key()?;
        Ok(field::seal(&key, 1, &totp_ctx(id), secret))
    }

    pub(crate) fn enrolment_data(
        &self,
        email: &str,
        secret: &[u8],
    ) -> Result<TotpEnrolment, CoreError> {
        Ok(TotpEnrolment {
            secret: otp::totp_secret_base32(secret).to_string(),
            otpauth_uri: otp::otpauth_uri(secret, &self.config.issuer, email),
        })
    }

    /// The enrolment data (secret, URI) for an enrolling session, to show it again.
    pub async fn enrolment(&self, cookie: &str) -> Result<TotpEnrolment, CoreError> {
        let cur = self.current(cookie).await?;
        if cur.state != SessionState::Enrolling {
            return Err(CoreError::Unauthenticated);
        }
        let (row, secret) = self.ensure_totp_secret(cur.staff).await?;
        self.enrolment_data(&row.email, &secret)
    }

    /// Confirms TOTP enrolment with a valid code: the account becomes usable, ten recovery codes
    /// are issued (returned once, stored as keyed digests), and the enrolling session is rotated
    /// into an active one. Audited as `staff.totp.enrol` and `staff.login.ok`.
    pub async fn confirm_totp(
        &self,
        cookie: &str,
        csrf: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(NewSession, RecoveryCodes), CoreError> {
        let cur = self.current_csrf(cookie, csrf).await?;
        if cur.state != SessionState::Enrolling {
            return Err(CoreError::Unauthenticated);
        }
        let reserved = self.reserve_second_factor(&cur, true, client).await?;
        if let Err(reason) = self.check_totp(&cur.staff, code).await? {
            self.fail(&reserved, &cur.staff.id.to_string(), "totp", reason, client)
                .await?;
            self.fail_pending(&cur, &reserved, client).await?;
            return Err(CoreError::LoginFailed);
        }
        self.release(&reserved).await?;
        let actor = Self::actor(&cur.staff.id.to_string(), client);
        let mut row = cur.staff.clone();
        row.totp_confirmed = true;
        row.version += 1;
        row.updated_at = self.now();
        self.store()
            .staff_update(
                row,
                Some(AuditRecord::new(&actor, AuditAction::StaffTotpEnrol)),
            )
            .await?;
        let codes = self.issue_recovery_codes(&actor, cur.staff.id).await?;
        self.clear_account_throttle(&cur.staff.email, &client.ip)
            .await?;
        let session = self
            .rotate(&cur, SessionState::Active, Some(self.now()), client)
            .await?;
        self.store()
            .audit_append(
                AuditRecord::new(&actor, AuditAction::StaffLoginOk).fields(["factor:totp"]),
            )
            .await?;
        self.watch_login_address(&cur.staff, client).await?;
        Ok((session, codes))
    }

    pub(crate) async fn issue_recovery_codes(
        &self,
        actor: &Caller,
        id: uuid::Uuid,
    ) -> Result<RecoveryCodes, CoreError> {
        let key = self.vault.staff_recovery_key()?;
        let mut codes = Vec::new();
        let mut digests = Vec::new();
        for _ in 0..otp::RECOVERY_CODES {
            let c = otp::recovery_code();
            let n = otp::normalize_recovery_code(&c).expect("generated codes are well formed");
            digests.push(otp::recovery_digest(&key, &n));
            codes.push(SecretString::from(c.to_string()));
        }
        self.store()
            .recovery_codes_replace(
                id,
                digests,
                AuditRecord::new(actor, AuditAction::StaffRecoveryIssue),
            )
            .await?;
        Ok(RecoveryCodes(codes))
    }

    /// Replaces the caller's recovery codes with ten new ones (needs a fresh step-up).
    pub async fn regenerate_recovery_codes(
        &self,
        caller: &Caller,
    ) -> Result<RecoveryCodes, CoreError> {
        let ctx = caller.require_staff()?;
        // A refusal is audited (a denied `staff.recovery.issue` with the field `step_up`).
        self.vault
            .require_step_up(caller, AuditAction::StaffRecoveryIssue, None)
            .await?;
        self.issue_recovery_codes(caller, ctx.staff_id()).await
    }

    /// How many unused recovery codes the caller has left.
    pub async fn recovery_codes_left(&self, caller: &Caller) -> Result<u32, CoreError> {
        let ctx = caller.require_staff()?;
        Ok(self.store().recovery_codes_left(ctx.staff_id()).await?)
    }

    /// Step-up: a fresh TOTP code on an active session. Rotates the session id and marks it as
    /// stepped up now; sensitive actions accept it for the configured window (5 minutes).
    /// Audited as `staff.step_up`; failures count towards the throttle like login failures.
    pub async fn step_up(
        &self,
        cookie: &str,
        csrf: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<NewSession, CoreError> {
        let cur = self.current_csrf(cookie, csrf).await?;
        if cur.state != SessionState::Active {
            return Err(CoreError::Unauthenticated);
        }
        let reserved = self.reserve_second_factor(&cur, false, client).await?;
        let actor = Self::actor(&cur.staff.id.to_string(), client);
        if let Err(reason) = self.check_totp(&cur.staff, code).await? {
            self.fail(
                &reserved,
                &cur.staff.id.to_string(),
                "step_up",
                reason,
                client,
            )
            .await?;
            return Err(CoreError::LoginFailed);
        }
        self.release(&reserved).await?;
        self.clear_second_factor_lock(&cur.staff.email).await?;
        let session = self
            .rotate(&cur, SessionState::Active, Some(self.now()), client)
            .await?;
        self.store()
            .audit_append(AuditRecord::new(&actor, AuditAction::StaffStepUp))
            .await?;
        Ok(session)
    }

    /// Records that the caller accepted agreement `version`, which must be the current one.
    /// Audited as `staff.agreement.accept` with the version.
    pub async fn accept_agreement(&self, caller: &Caller, version: &str) -> Result<(), CoreError> {
        let ctx = caller.require_staff()?;
        if version != self.agreement().version {
            return Err(CoreError::Conflict(
                crate::error::ConflictKind::AgreementVersion,
            ));
        }
        let mut row = self
            .store()
            .staff_get(ctx.staff_id())
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        row.agreement_version = Some(version.to_string());
        row.agreement_accepted_at = Some(self.now());
        row.version += 1;
        row.updated_at = self.now();
        self.store()
            .staff_update(
                row,
                Some(
                    AuditRecord::new(caller, AuditAction::StaffAgreementAccept)
                        .fields([format!("version:{version}")]),
                ),
            )
            .await?;
        Ok(())
    }

    /// Changes the caller's password: the current one must verify and the new one must pass
    /// the password policy. Other sessions are ended. Audited as `staff.password.change`.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &SecretString,
        new: &SecretString,
        cookie: &str,
        client: &ClientInfo,
    ) -> Result<(), CoreError> {
        let ctx = caller.require_staff()?;
        let row = self
            .store()
            .staff_get(ctx.staff_id())
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        // A wrong current password counts like a failed login, so a stolen session cannot be
        // used to guess the password at hashing speed.
        let mut words: Vec<&str> = vec![&row.email, &row.name];
        words.extend(self.config.context_words.iter().map(String::as_str));
        super::check_password(new.expose_secret(), &words)?;
        let keys = throttle::keys(&row.email, &client.ip);
        let reserved = self.reserve(&keys).await?;
        let params = self.config.password_params;
        let cur = Zeroizing::new(current.expose_secret().as_bytes().to_vec());
        let newpw = Zeroizing::new(new.expose_secret().as_bytes().to_vec());
        let stored = row.password_hash.clone();
        let hashed = self
            .hasher
            .run(move || {
                password::verify(&cur, &stored)
                    .then(|| password::hash(&newpw, params))
                    .transpose()
            })
            .await?
            .map_err(|_| CoreError::Integrity)?;
        let Some(hash) = hashed else {
            self.vault
                .audit(
                    AuditRecord::new(caller, AuditAction::StaffPasswordChange)
                        .outcome(Outcome::Denied),
                )
                .await?;
            self.fail(
                &reserved,
                &ctx.staff_id().to_string(),
                "password_change",
                "wrong_password",
                client,
            )
            .await?;
            return Err(CoreError::LoginFailed);
        };
        self.release(&reserved).await?;
        let mut up = row;
        up.password_hash = hash;
        up.version += 1;
        up.updated_at = self.now();
        self.store()
            .staff_update(
                up,
                Some(AuditRecord::new(caller, AuditAction::StaffPasswordChange)),
            )
            .await?;
        self.logout_others(caller, cookie).await?;
        Ok(())
    }

    /// The account behind an active caller.
    pub async fn whoami(&self, caller: &Caller) -> Result<super::StaffInfo, CoreError> {
        let ctx = caller.require_staff()?;
        let row = self
            .store()
            .staff_get(ctx.staff_id())
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        Ok(super::info(&row, &self.agreement()))
    }
}
