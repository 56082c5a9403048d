//! Replacing one's own authenticator from "my account": a new TOTP secret that takes effect only
//! once a code from it is confirmed. Until then the old secret keeps working, so an abandoned
//! replacement never leaves the account without a second factor.
//!
//! Nothing is stored while the replacement is pending: the new secret travels in a sealed
//! ticket (AES-256-GCM-SIV under the staff TOTP key) bound to the member, the session and an
//! expiry, which the confirming request hands back.

use super::StaffService;
use super::TotpEnrolment;
use super::login::TOTP_SKEW;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::Caller;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jaga_crypto::field::{self, Context};
use jaga_crypto::otp;

/// A pending authenticator replacement: what to show (secret, URI) and the ticket to hand back
/// with the first code from the new authenticator.
#[derive(Debug)]
pub struct TotpReplacement {
    /// The new secret and its URI.
    pub enrolment: TotpEnrolment,
    /// Opaque, sealed and short-lived; send it back to confirm.
    pub ticket: String,
}

fn ticket_ctx(record: &str) -> Context<'_> {
    Context {
        segment: "",
        table: "staff",
        record_id: record,
        field: "totp_replacement",
    }
}

fn bad_ticket() -> CoreError {
    CoreError::invalid(
        "ticket",
        "invalid_ticket",
        "the replacement expired or does not belong to this session; start again",
    )
}

impl StaffService {
    /// Starts replacing the caller's authenticator (needs a fresh step-up). Nothing changes
    /// until [`Self::finish_totp_replacement`] confirms a code from the new secret.
    pub async fn begin_totp_replacement(
        &self,
        caller: &Caller,
    ) -> Result<TotpReplacement, CoreError> {
        let ctx = caller.require_staff()?;
        // A refusal is audited (a denied `staff.totp.replace` with the field `step_up`).
        self.vault
            .require_step_up(caller, AuditAction::StaffTotpReplace, None)
            .await?;
        let row = self
            .store()
            .staff_get(ctx.staff_id())
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        let secret = otp::totp_secret();
        let expires = self.now() + self.config.pending_timeout_ms;
        let record = format!("{}:{}:{expires}", row.id, ctx.session());
        let key = self.vault.staff_totp_key()?;
        let sealed = field::seal(&key, 1, &ticket_ctx(&record), &secret);
        Ok(TotpReplacement {
            enrolment: self.enrolment_data(&row.email, &secret)?,
            ticket: format!("{expires}.{}", B64.encode(sealed)),
        })
    }

    /// Confirms a replacement with a code from the new authenticator: the new secret replaces
    /// the old one and the code's step is recorded so it cannot be replayed. A wrong code is
    /// refused (audited `staff.totp.replace` denied) and the old secret stays.
    pub async fn finish_totp_replacement(
        &self,
        caller: &Caller,
        ticket: &str,
        code: &str,
    ) -> Result<(), CoreError> {
        let secret = self.open_ticket(caller, ticket)?;
        let now_s = u64::try_from(self.now() / 1000).unwrap_or(0);
        let Some(step) = otp::totp_match(&secret, code, now_s, TOTP_SKEW) else {
            self.vault
                .audit(
                    AuditRecord::new(caller, AuditAction::StaffTotpReplace)
                        .outcome(Outcome::Denied)
                        .fields(["reason:wrong_code"]),
                )
                .await?;
            return Err(CoreError::invalid(
                "code",
                "wrong_code",
                "the code does not match the new authenticator",
            ));
        };
        let ctx = caller.require_staff()?;
        let mut row = self
            .store()
            .staff_get(ctx.staff_id())
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        row.totp_secret = Some(self.seal_totp(&row.id.to_string(), &secret)?);
        row.totp_last_step = Some(row.totp_last_step.unwrap_or(0).max(step as i64));
        row.version += 1;
        row.updated_at = self.now();
        self.store()
            .staff_update(
                row,
                Some(AuditRecord::new(caller, AuditAction::StaffTotpReplace)),
            )
            .await?;
        Ok(())
    }

    /// The enrolment data of a pending replacement again (to show the QR code once more after
    /// a mistyped code).
    pub async fn pending_totp_replacement(
        &self,
        caller: &Caller,
        ticket: &str,
    ) -> Result<TotpEnrolment, CoreError> {
        let secret = self.open_ticket(caller, ticket)?;
        let ctx = caller.require_staff()?;
        let row = self
            .store()
            .staff_get(ctx.staff_id())
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        self.enrolment_data(&row.email, &secret)
    }

    /// The new secret in `ticket`, if the ticket is this member's and session's and unexpired.
    fn open_ticket(
        &self,
        caller: &Caller,
        ticket: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CoreError> {
        let ctx = caller.require_staff()?;
        let (expires, sealed) = ticket.split_once('.').ok_or_else(bad_ticket)?;
        let expires: i64 = expires.parse().map_err(|_| bad_ticket())?;
        if self.now() > expires {
            return Err(bad_ticket());
        }
        let sealed = B64.decode(sealed).map_err(|_| bad_ticket())?;
        let record = format!("{}:{}:{expires}", ctx.staff_id(), ctx.session());
        let key = self.vault.staff_totp_key()?;
        field::open(&key, &ticket_ctx(&record), &sealed).map_err(|_| bad_ticket())
    }
}
