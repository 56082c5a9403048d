//! Changes of a payee's contacts. The phone number on file is what every call-back dials, so
//! changing it is itself a way in for business e-mail compromise ("our number changed, call us
//! on …"). A change is therefore a version like bank details: pending until a finance or admin
//! member who did not ask for it calls the number **already on file** (the old one) and
//! verifies it; until then the old contacts stay in use for every call-back, and the old
//! e-mail address is told of the change. The versions live inside the sealed contacts record,
//! written with compare-and-swap on its ciphertext.

use super::Payees;
use super::views::{ContactCall, ContactChange, ContactInput, Contacts, PayeeView};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Scope;
use crate::payouts::{self as rules, CallBack, PayoutError};
use crate::store::{PayeeNoticeRow, StoreError};
use crate::vault::CallInput;
use uuid::Uuid;

const PENDING: &str = "pending_verification";

fn optional(
    name: &'static str,
    v: Option<&str>,
    check: impl Fn(&str) -> Result<String, crate::InvalidField>,
    errors: &mut Vec<crate::InvalidField>,
) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    match check(v) {
        Ok(v) => Some(v),
        Err(mut e) => {
            e.field = name.to_string();
            errors.push(e);
            None
        }
    }
}

impl Payees<'_> {
    async fn save_contacts(
        &self,
        id: &str,
        expected: Vec<u8>,
        contacts: &Contacts,
        notice: Option<PayeeNoticeRow>,
        audit: AuditRecord,
    ) -> Result<(), CoreError> {
        let sealed = self.seal("payees", id, "contacts", contacts);
        match self
            .vault
            .store()
            .payee_contacts_update(id, expected, sealed, notice, audit)
            .await
        {
            Err(StoreError::Concurrent | StoreError::Unique(_)) => {
                Err(CoreError::Conflict(crate::error::ConflictKind::Concurrent))
            }
            r => Ok(r?),
        }
    }

    /// Requests new contacts: a new version, pending verification (the contacts on file stay
    /// in use, for call-backs too), and a notice queued to the e-mail address on file. Refused
    /// while another contact change waits. Needs `payees:write`.
    pub async fn request_contact_change(
        &self,
        id: Uuid,
        input: &ContactInput,
    ) -> Result<PayeeView, CoreError> {
        self.need(Scope::PayeesWrite, AuditAction::PayeeContactChange)
            .await?;
        let mut errors = Vec::new();
        let phone = crate::validate::phone(&input.phone).map_err(|e| errors.push(e));
        let email = optional(
            "email",
            input.email.as_deref(),
            crate::validate::email,
            &mut errors,
        );
        let person = optional(
            "contact_name",
            input.contact_name.as_deref(),
            |v| crate::validate::line("contact_name", v, 200),
            &mut errors,
        );
        let Ok(phone) = phone else {
            return Err(CoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        if let Some(p) = &person {
            super::no_cards(&[p])?;
        }
        let (row, _, mut contacts, _) = self.load(id).await?;
        if contacts.changes.iter().any(|c| c.status == PENDING) {
            return Err(CoreError::invalid(
                "phone",
                "contact_change_pending",
                "another change of these contacts is waiting for its call-back; verify or reject it first",
            ));
        }
        let version = contacts
            .changes
            .iter()
            .map(|c| c.version)
            .chain([contacts.version.max(1)])
            .max()
            .unwrap_or(1)
            + 1;
        let now = crate::now_ms();
        contacts.changes.push(ContactChange {
            version,
            phone,
            email,
            contact_name: person,
            status: PENDING.into(),
            requested_by: self.caller.id().to_string(),
            requested_at: now,
            previous_email: contacts.email.clone(),
            call: None,
        });
        let notice = PayeeNoticeRow {
            payee_id: row.id.clone(),
            version: -i64::from(version),
            created_at: now,
        };
        let audit = AuditRecord::new(self.caller, AuditAction::PayeeContactChange)
            .fields([format!("payee:{id}"), format!("contact_version:{version}")]);
        self.save_contacts(
            &row.id,
            row.contacts.clone(),
            &contacts,
            Some(notice),
            audit,
        )
        .await?;
        self.view(id, false).await
    }

    /// Records the call-back on pending contact change `version`: made by a finance or admin
    /// member (staff session, fresh step-up) who did not request it, to the number **on file**
    /// (the old one, never the requested one); verifies (the new contacts are used from now
    /// on) or rejects it.
    pub async fn verify_contact_change(
        &self,
        id: Uuid,
        version: u32,
        input: &CallInput,
    ) -> Result<PayeeView, CoreError> {
        self.need(Scope::PayeesWrite, AuditAction::PayeeContactVerify)
            .await?;
        let verifier = self.need_person(AuditAction::PayeeContactVerify).await?;
        let subject = format!("payee:{id}");
        let (row, _, mut contacts, _) = self.load(id).await?;
        let Some(i) = contacts.changes.iter().position(|c| c.version == version) else {
            return Err(CoreError::NotFound);
        };
        for (name, v, max) in [
            ("confirmed", &input.confirmed, 500),
            ("reference", &input.reference, 60),
            ("number_called", &input.number_called, 40),
        ] {
            if v.chars().count() > max || v.chars().any(char::is_control) {
                return Err(CoreError::invalid(
                    name,
                    "invalid_text",
                    format!("must be one line of at most {max} characters"),
                ));
            }
        }
        super::no_cards(&[&input.confirmed, &input.reference])?;
        let call = CallBack {
            by: verifier.id.clone(),
            at: crate::now_ms(),
            number_called: input.number_called.trim().to_string(),
            confirmed: input.confirmed.trim().to_string(),
            reference: input.reference.trim().to_string(),
            approved: input.approved,
        };
        let change = &contacts.changes[i];
        let pending = change.status == PENDING;
        if let Err(e) = rules::check_call_back(
            pending,
            &change.requested_by,
            &contacts.phone,
            &verifier,
            &call,
        ) {
            return Err(self
                .refused(AuditAction::PayeeContactVerify, e, &subject)
                .await);
        }
        let status = if call.approved {
            "verified"
        } else {
            "rejected"
        };
        let change = &mut contacts.changes[i];
        change.status = status.into();
        change.call = Some(ContactCall {
            by: call.by,
            at: call.at,
            number_called: call.number_called,
            confirmed: call.confirmed,
            reference: call.reference,
            approved: call.approved,
        });
        if call.approved {
            let c = change.clone();
            contacts.phone = c.phone;
            contacts.email = c.email;
            contacts.contact_name = c.contact_name;
            contacts.version = c.version;
        }
        let audit = AuditRecord::new(self.caller, AuditAction::PayeeContactVerify).fields([
            subject.clone(),
            format!("contact_version:{version}"),
            status.to_string(),
        ]);
        match self
            .save_contacts(&row.id, row.contacts.clone(), &contacts, None, audit)
            .await
        {
            // Decided by someone else meanwhile: like a version no longer pending.
            Err(CoreError::Conflict(_)) => {
                return Err(self
                    .refused(
                        AuditAction::PayeeContactVerify,
                        PayoutError::NotPending,
                        &subject,
                    )
                    .await);
            }
            r => r?,
        }
        self.view(id, false).await
    }
}
