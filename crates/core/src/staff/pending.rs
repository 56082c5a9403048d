//! Pending invitations: cancelling one (its link stops working) and sending one again (a new
//! link for the same person, role and segments; the old link stops working in the same
//! transaction). Admin only; a resend, which hands out a working link, also needs a fresh
//! step-up, as an invitation does.

use super::{Invitation, Role, StaffService};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::store::InvitationRow;
use uuid::Uuid;

impl StaffService {
    /// The open (unused, unexpired) invitation `id`, else [`CoreError::NotFound`].
    async fn open_by_id(&self, id: Uuid) -> Result<InvitationRow, CoreError> {
        let now = self.now();
        self.store()
            .invitations_open()
            .await?
            .into_iter()
            .find(|i| i.id == id && i.used_at.is_none() && i.expires_at > now)
            .ok_or(CoreError::NotFound)
    }

    /// Cancels the pending invitation `id` (admin only): its link stops working at once.
    /// Audited as `staff.invitation.cancel`. An unknown, used or expired invitation is
    /// [`CoreError::NotFound`].
    pub async fn cancel_invitation(&self, caller: &Caller, id: Uuid) -> Result<(), CoreError> {
        self.require_admin(caller, AuditAction::StaffInvitationCancel, false)
            .await?;
        let inv = self.open_by_id(id).await?;
        let audit = AuditRecord::new(caller, AuditAction::StaffInvitationCancel)
            .fields([format!("invitation:{id}"), format!("role:{}", inv.role)]);
        if self.store().invitation_cancel(id, None, audit).await? {
            Ok(())
        } else {
            Err(CoreError::NotFound)
        }
    }

    /// Sends the pending invitation `id` again (admin only, with a fresh step-up): a new
    /// one-time link for the same e-mail, role and segments, valid for the usual time, and the
    /// old link cancelled in the same transaction. Returns the new invitation (its link is
    /// [`Invitation::link`]). Audited as `staff.invitation.resend`.
    pub async fn resend_invitation(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<Invitation, CoreError> {
        self.require_admin(caller, AuditAction::StaffInvitationResend, true)
            .await?;
        let old = self.open_by_id(id).await?;
        let role = Role::parse(&old.role).ok_or(CoreError::Integrity)?;
        // The first admin's invitation keeps its own (longer) lifetime.
        let ttl = if old.email.is_none() {
            self.config.bootstrap_ttl_ms
        } else {
            self.config.invitation_ttl_ms
        };
        let (row, inv) = self.invitation_row(caller, old.email.clone(), role, old.segments, ttl);
        let audit = AuditRecord::new(caller, AuditAction::StaffInvitationResend).fields([
            format!("invitation:{}", inv.id),
            format!("replaces:{id}"),
            format!("role:{role}"),
        ]);
        if self.store().invitation_cancel(id, Some(row), audit).await? {
            Ok(inv)
        } else {
            Err(CoreError::NotFound)
        }
    }
}
