//! Staff administration: invitations (including the bootstrap invitation of the first admin),
//! listing, disabling, ending sessions, role changes and MFA resets. Admin only; role changes
//! and MFA resets also need a fresh step-up.

use super::{
    Agreement, ClientInfo, Invitation, InvitationInfo, NewInvitation, NewSession, Role,
    SessionState, StaffInfo, StaffService, TotpEnrolment, info,
};
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::Caller;
use crate::error::ForbiddenReason;
use crate::store::{InvitationRow, StaffRow, StoreError};
use crate::{CoreError, validate};
use jaga_crypto::otp;
use jaga_crypto::password;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;
use zeroize::Zeroizing;

fn bad_invitation() -> CoreError {
    CoreError::invalid(
        "token",
        "invalid_invitation",
        "the invitation is unknown, already used or expired",
    )
}

fn segments_csv(segments: &[String]) -> Result<String, CoreError> {
    let mut out = Vec::new();
    for s in segments {
        out.push(validate::segment(s).map_err(|e| CoreError::Invalid(vec![e]))?);
    }
    out.sort();
    out.dedup();
    Ok(out.join(","))
}

impl StaffService {
    /// Checks `caller` may administer staff: the system (CLI) or an admin's session, with a
    /// fresh step-up when `step_up`. Refusals are audited as `action` with outcome `denied`.
    pub(super) async fn require_admin(
        &self,
        caller: &Caller,
        action: AuditAction,
        step_up: bool,
    ) -> Result<(), CoreError> {
        if caller.is_operator() {
            return Ok(());
        }
        let (is_admin, fresh) = match caller.staff() {
            Some(c) => (c.role() == Role::Admin, c.step_up_fresh()),
            None => (false, false),
        };
        let reason = if !is_admin {
            ForbiddenReason::Admin
        } else if step_up && !fresh {
            ForbiddenReason::StepUp
        } else {
            return Ok(());
        };
        Err(self.vault.deny(caller, Refusal::new(action, reason)).await)
    }

    /// Authorises a staff-administration request before its body is read: the system or an
    /// admin's session, with a fresh step-up when `step_up`. Refusals are audited as `action`.
    pub async fn authorize_admin(
        &self,
        caller: &Caller,
        action: AuditAction,
        step_up: bool,
    ) -> Result<(), CoreError> {
        self.require_admin(caller, action, step_up).await
    }

    async fn target(&self, id: Uuid) -> Result<StaffRow, CoreError> {
        self.store().staff_get(id).await?.ok_or(CoreError::NotFound)
    }

    /// A new invitation row and its one-time token (nothing stored).
    pub(super) fn invitation_row(
        &self,
        caller: &Caller,
        email: Option<String>,
        role: Role,
        segments: String,
        ttl_ms: i64,
    ) -> (InvitationRow, Invitation) {
        let token = otp::token();
        let now = self.now();
        let row = InvitationRow {
            digest: otp::token_digest(&token),
            id: Uuid::new_v4(),
            email: email.clone(),
            role: role.name().into(),
            segments,
            created_by: format!("{}:{}", caller.kind().name(), caller.id()),
            created_at: now,
            expires_at: now + ttl_ms,
            used_at: None,
        };
        let inv = Invitation {
            id: row.id,
            token: SecretString::from(token.to_string()),
            role,
            email,
            expires_at: crate::format_ms(row.expires_at),
        };
        (row, inv)
    }

    async fn new_invitation(
        &self,
        caller: &Caller,
        email: Option<String>,
        role: Role,
        segments: String,
        ttl_ms: i64,
    ) -> Result<Invitation, CoreError> {
        let (row, inv) = self.invitation_row(caller, email, role, segments, ttl_ms);
        self.store()
            .invitation_insert(
                row,
                AuditRecord::new(caller, AuditAction::StaffInvite).fields([format!("role:{role}")]),
            )
            .await?;
        Ok(inv)
    }

    /// Invites a staff member (admin only, with a fresh step-up). Returns the one-time token; the link is
    /// [`Invitation::link`]. Audited as `staff.invite`.
    pub async fn invite(
        &self,
        caller: &Caller,
        req: &NewInvitation,
    ) -> Result<Invitation, CoreError> {
        self.require_admin(caller, AuditAction::StaffInvite, true)
            .await?;
        refuse_card("email", &req.email)?;
        for segment in &req.segments {
            refuse_card("segments", segment)?;
        }
        let email = validate::email(&req.email).map_err(|e| CoreError::Invalid(vec![e]))?;
        let segments = segments_csv(&req.segments)?;
        if self.store().staff_by_email(&email).await?.is_some() {
            return Err(CoreError::Conflict(crate::error::ConflictKind::StaffEmail));
        }
        self.new_invitation(
            caller,
            Some(email),
            req.role,
            segments,
            self.config.invitation_ttl_ms,
        )
        .await
    }

    /// The bootstrap invitation for the first admin (printed by `jaga init`). Refused once an
    /// admin account exists. The acceptor chooses the e-mail.
    pub async fn bootstrap_invitation(&self) -> Result<Invitation, CoreError> {
        if self.admin_exists().await? {
            return Err(CoreError::Conflict(crate::error::ConflictKind::AdminExists));
        }
        self.new_invitation(
            &Caller::system("init"),
            None,
            Role::Admin,
            String::new(),
            self.config.bootstrap_ttl_ms,
        )
        .await
    }

    async fn open_invitation(&self, token: &str) -> Result<InvitationRow, CoreError> {
        otp::token_shape(token).map_err(|_| bad_invitation())?;
        let inv = self
            .store()
            .invitation_get(&otp::token_digest(token))
            .await?
            .ok_or_else(bad_invitation)?;
        if inv.used_at.is_some() || inv.expires_at <= self.now() {
            return Err(bad_invitation());
        }
        // A bootstrap invitation (no e-mail: the acceptor chooses it) makes an admin; once any
        // admin account exists, every bootstrap link still unused is void, or a leftover link
        // (printed by `jaga init`, pasted in a chat) would mint a second admin.
        if inv.email.is_none() && self.admin_exists().await? {
            return Err(bad_invitation());
        }
        Ok(inv)
    }

    async fn admin_exists(&self) -> Result<bool, CoreError> {
        Ok(self
            .store()
            .staff_list()
            .await?
            .iter()
            .any(|s| s.role == Role::Admin.name()))
    }

    /// [`Self::open_invitation`] behind a per-address throttle: every presented token is
    /// reserved on the client address's `invitation` counter before it is looked up, a wrong
    /// one is audited as a failed `invitation` factor (never the token), a right one gives the
    /// reservation back. A burst of guesses from one address is refused with
    /// [`CoreError::Throttled`] after [`super::throttle::INVITATION`]'s threshold.
    async fn open_invitation_from(
        &self,
        token: &str,
        client: &ClientInfo,
    ) -> Result<InvitationRow, CoreError> {
        let reserved = self
            .reserve(&[super::throttle::invitation_key(&client.ip)])
            .await?;
        match self.open_invitation(token).await {
            Ok(inv) => {
                self.release(&reserved).await?;
                Ok(inv)
            }
            Err(e) => {
                self.fail(&reserved, "invitation", "invitation", "invalid", client)
                    .await?;
                Err(e)
            }
        }
    }

    /// What an invitation grants (for the acceptance page). Throttled per client address like
    /// [`Self::accept_invitation`].
    pub async fn invitation_info(
        &self,
        token: &str,
        client: &ClientInfo,
    ) -> Result<InvitationInfo, CoreError> {
        let inv = self.open_invitation_from(token, client).await?;
        Ok(InvitationInfo {
            email: inv.email,
            role: Role::parse(&inv.role).ok_or(CoreError::Integrity)?,
            expires_at: crate::format_ms(inv.expires_at),
        })
    }

    /// Accepts an invitation: checks the password policy, creates the account with a new TOTP
    /// secret, uses up the invitation (atomically; a second use fails) and opens an enrolling
    /// session. `email` is required for the bootstrap invitation and ignored otherwise.
    /// Audited as `staff.invitation.accept`.
    pub async fn accept_invitation(
        &self,
        token: &str,
        email: Option<&str>,
        name: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<(NewSession, TotpEnrolment), CoreError> {
        let inv = self.open_invitation_from(token, client).await?;
        let email = match (&inv.email, email) {
            (Some(e), _) => e.clone(),
            (None, Some(e)) => validate::email(e).map_err(|e| CoreError::Invalid(vec![e]))?,
            (None, None) => {
                return Err(CoreError::invalid(
                    "email",
                    "required",
                    "this invitation needs an e-mail address",
                ));
            }
        };
        let name = name.trim();
        refuse_card("email", &email)?;
        refuse_card("name", name)?;
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(CoreError::invalid(
                "name",
                "invalid_name",
                "give a name of 1 to 100 characters",
            ));
        }
        let role = Role::parse(&inv.role).ok_or(CoreError::Integrity)?;
        let mut words: Vec<&str> = vec![&email, name];
        words.extend(self.config.context_words.iter().map(String::as_str));
        super::check_password(password.expose_secret(), &words)?;
        let params = self.config.password_params;
        let pw = Zeroizing::new(password.expose_secret().as_bytes().to_vec());
        let hash = self
            .hasher
            .run(move || password::hash(&pw, params))
            .await?
            .map_err(|_| CoreError::Integrity)?;
        let id = Uuid::new_v4();
        let secret = otp::totp_secret();
        let now = self.now();
        let row = StaffRow {
            id,
            email: email.clone(),
            name: name.to_string(),
            role: role.name().into(),
            segments: inv.segments.clone(),
            password_hash: hash,
            totp_secret: Some(self.seal_totp(&id.to_string(), &secret)?),
            totp_confirmed: false,
            totp_last_step: None,
            agreement_version: None,
            agreement_accepted_at: None,
            disabled_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let actor = Self::actor(&id.to_string(), client);
        let audit = AuditRecord::new(&actor, AuditAction::StaffInvitationAccept)
            .fields([format!("role:{role}"), format!("invitation:{}", inv.id)]);
        match self
            .store()
            .invitation_accept(&inv.digest, now, row, audit)
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(bad_invitation()),
            Err(StoreError::Unique(_)) => {
                return Err(CoreError::Conflict(crate::error::ConflictKind::StaffEmail));
            }
            Err(e) => return Err(e.into()),
        }
        let (srow, session) = self.mint(id, SessionState::Enrolling, now, None, client);
        self.store().session_insert(srow).await?;
        Ok((session, self.enrolment_data(&email, &secret)?))
    }

    /// Every staff account (admin only).
    pub async fn list(&self, caller: &Caller) -> Result<Vec<StaffInfo>, CoreError> {
        self.require_admin(caller, AuditAction::StaffList, false)
            .await?;
        let a: &Agreement = &self.agreement();
        Ok(self
            .store()
            .staff_list()
            .await?
            .iter()
            .map(|r| info(r, a))
            .collect())
    }

    /// Invitations not yet accepted and not expired, newest first (admin only). The tokens are
    /// never shown again: only e-mail, role, segments and expiry.
    pub async fn pending_invitations(
        &self,
        caller: &Caller,
    ) -> Result<Vec<super::PendingInvitation>, CoreError> {
        self.require_admin(caller, AuditAction::StaffList, false)
            .await?;
        let now = self.now();
        Ok(self
            .store()
            .invitations_open()
            .await?
            .into_iter()
            .filter(|i| i.used_at.is_none() && i.expires_at > now)
            .map(|i| super::PendingInvitation {
                id: i.id,
                email: i.email,
                role: Role::parse(&i.role).unwrap_or(Role::CsStaff),
                segments: i
                    .segments
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                created_at: crate::format_ms(i.created_at),
                expires_at: crate::format_ms(i.expires_at),
            })
            .collect())
    }

    /// One staff account (admin only).
    pub async fn get(&self, caller: &Caller, id: Uuid) -> Result<StaffInfo, CoreError> {
        self.require_admin(caller, AuditAction::StaffList, false)
            .await?;
        Ok(info(&self.target(id).await?, &self.agreement()))
    }

    fn not_self(caller: &Caller, id: Uuid) -> Result<(), CoreError> {
        if caller.staff().is_some_and(|c| c.staff_id() == id) {
            return Err(CoreError::Conflict(crate::error::ConflictKind::OwnAccount));
        }
        Ok(())
    }

    /// Disables an account and ends all its sessions (admin only, with a fresh step-up; not
    /// one's own). Audited as
    /// `staff.disable`.
    pub async fn disable(&self, caller: &Caller, id: Uuid) -> Result<(), CoreError> {
        self.require_admin(caller, AuditAction::StaffDisable, true)
            .await?;
        Self::not_self(caller, id)?;
        let mut row = self.target(id).await?;
        if row.disabled_at.is_none() {
            row.disabled_at = Some(self.now());
            row.version += 1;
            row.updated_at = self.now();
            self.store()
                .staff_update(
                    row,
                    Some(
                        AuditRecord::new(caller, AuditAction::StaffDisable)
                            .fields([format!("staff:{id}")]),
                    ),
                )
                .await?;
        }
        self.store().sessions_end(id, None, None).await?;
        Ok(())
    }

    /// Re-enables a disabled account (admin only, with a fresh step-up). Audited as `staff.enable`.
    pub async fn enable(&self, caller: &Caller, id: Uuid) -> Result<(), CoreError> {
        self.require_admin(caller, AuditAction::StaffEnable, true)
            .await?;
        let mut row = self.target(id).await?;
        if row.disabled_at.is_some() {
            row.disabled_at = None;
            row.version += 1;
            row.updated_at = self.now();
            self.store()
                .staff_update(
                    row,
                    Some(
                        AuditRecord::new(caller, AuditAction::StaffEnable)
                            .fields([format!("staff:{id}")]),
                    ),
                )
                .await?;
        }
        Ok(())
    }

    /// Ends every session of a staff member (admin only); returns how many. Audited as
    /// `staff.sessions.end`.
    pub async fn end_sessions(&self, caller: &Caller, id: Uuid) -> Result<u64, CoreError> {
        self.require_admin(caller, AuditAction::StaffSessionsEnd, false)
            .await?;
        self.target(id).await?;
        Ok(self
            .store()
            .sessions_end(
                id,
                None,
                Some(
                    AuditRecord::new(caller, AuditAction::StaffSessionsEnd)
                        .fields([format!("staff:{id}")]),
                ),
            )
            .await?)
    }

    /// Changes a member's role and (if given) segments: admin only, with a fresh step-up, never
    /// one's own role. The change applies from the member's next request. Audited as
    /// `staff.role.change` with the old and new role.
    pub async fn set_role(
        &self,
        caller: &Caller,
        id: Uuid,
        role: Role,
        segments: Option<&[String]>,
    ) -> Result<StaffInfo, CoreError> {
        self.require_admin(caller, AuditAction::StaffRoleChange, true)
            .await?;
        Self::not_self(caller, id)?;
        let mut row = self.target(id).await?;
        let old = row.role.clone();
        row.role = role.name().into();
        if let Some(s) = segments {
            row.segments = segments_csv(s)?;
        }
        row.version += 1;
        row.updated_at = self.now();
        self.store()
            .staff_update(
                row.clone(),
                Some(
                    AuditRecord::new(caller, AuditAction::StaffRoleChange).fields([
                        format!("staff:{id}"),
                        format!("from:{old}"),
                        format!("to:{role}"),
                    ]),
                ),
            )
            .await?;
        Ok(info(&row, &self.agreement()))
    }

    /// Resets a member's second factor (lost phone): admin only, with a fresh step-up. The TOTP
    /// secret and recovery codes are dropped and all sessions ended; at the next login (with
    /// the password) the member enrols a new authenticator. Audited as `staff.mfa.reset`.
    pub async fn reset_mfa(&self, caller: &Caller, id: Uuid) -> Result<(), CoreError> {
        self.require_admin(caller, AuditAction::StaffMfaReset, true)
            .await?;
        Self::not_self(caller, id)?;
        let mut row = self.target(id).await?;
        let row_email = row.email.clone();
        row.totp_secret = None;
        row.totp_confirmed = false;
        row.version += 1;
        row.updated_at = self.now();
        self.store()
            .staff_update(
                row,
                Some(
                    AuditRecord::new(caller, AuditAction::StaffMfaReset)
                        .fields([format!("staff:{id}")]),
                ),
            )
            .await?;
        self.store()
            .recovery_codes_replace(
                id,
                Vec::new(),
                AuditRecord::new(caller, AuditAction::StaffRecoveryRevoke)
                    .fields([format!("staff:{id}")]),
            )
            .await?;
        self.store().sessions_end(id, None, None).await?;
        // A new authenticator starts with a clean count of failed codes.
        self.clear_second_factor_lock(&row_email).await?;
        Ok(())
    }
}

/// Staff data is stored in plain text: a card number or CVV is refused there as everywhere (the
/// same write guard as customer data).
fn refuse_card(field: &str, value: &str) -> Result<(), CoreError> {
    if crate::guard::text_has_card_number(value) || crate::guard::check_note(value).is_err() {
        return Err(CoreError::CardInText {
            field: field.to_string(),
        });
    }
    Ok(())
}
