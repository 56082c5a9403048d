//! Payees and their bank details as a capability (issue 14): create a payee, request a change
//! of its bank details (a new version, pending verification, never an overwrite), record the
//! call-back that verifies or rejects it. The rules are [`crate::payouts`]'s pure functions;
//! this module adds the scopes, the staff session and step-up checks, encryption and the audit
//! record of every step. Payouts are in `payouts.rs`.
//!
//! Names, contacts, bank details, call records and remarks are sealed with a key derived from
//! the root key (`payee-data`), bound to the table, record and field, like staff TOTP secrets:
//! they do not rotate with KEKs and are not crypto-shredded per record.

mod contacts;
mod notices;
mod payouts;
mod senders;
mod views;

pub use notices::PayeeNotice;

pub use payouts::{ExportResult, NewPayout};
pub use senders::SenderPayee;
pub use views::{
    ApprovalView, BankInput, BankVersionView, CallInput, CallView, ContactChangeView, ContactInput,
    NewPayee, PayeeView, PayoutView,
};

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Outcome, Refusal};
use crate::auth::{Caller, Scope};
use crate::error::{ConflictKind, ForbiddenReason};
use crate::payouts::{self as rules, BankDetails, BankStatus, CallBack, Member, PayoutError};
use crate::roles::Role;
use crate::store::{BankVersionRow, PayeeRow, StoreError};
use jaga_crypto::Key32;
use jaga_crypto::field::{self, Context};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;
use views::{Contacts, StoredCall, StoredDetails};

/// The payee kinds.
pub const PAYEE_KINDS: [&str; 3] = ["supplier", "reseller", "refund"];

impl Vault {
    /// Payees and payouts for `caller`. Each method checks its own scope (and, for the call-back
    /// and approvals, a staff session with a fresh step-up); needs the vault unsealed.
    pub fn payees<'a>(&'a self, caller: &'a Caller) -> Result<Payees<'a>, CoreError> {
        let keys = self.keys()?;
        Ok(Payees {
            vault: self,
            caller,
            key: jaga_crypto::keys::derive(keys.root_key(), "payee-data"),
        })
    }

    /// The shop's payout thresholds (default: two approvals above Rp 10.000.000, one more for
    /// details changed within 14 days).
    pub fn set_payout_policy(&self, policy: rules::PayoutPolicy) {
        *self.payout_policy.write().expect("payout policy lock") = policy;
    }

    /// The payout thresholds in force.
    pub fn payout_policy(&self) -> rules::PayoutPolicy {
        *self.payout_policy.read().expect("payout policy lock")
    }
}

/// The payees capability of one caller.
pub struct Payees<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    key: Key32,
}

fn status_name(s: BankStatus) -> &'static str {
    match s {
        BankStatus::PendingVerification => "pending_verification",
        BankStatus::Verified => "verified",
        BankStatus::Rejected => "rejected",
    }
}

fn status_parse(s: &str) -> Result<BankStatus, CoreError> {
    match s {
        "pending_verification" => Ok(BankStatus::PendingVerification),
        "verified" => Ok(BankStatus::Verified),
        "rejected" => Ok(BankStatus::Rejected),
        _ => Err(StoreError::Corrupt("bank details status".into()).into()),
    }
}

/// The write guard on free text: card numbers and CVVs refused (the JSON edge already refuses
/// card numbers in a body; console forms come through here too).
fn no_cards(values: &[&str]) -> Result<(), CoreError> {
    if values
        .iter()
        .any(|v| crate::guard::text_has_card_number(v) || crate::guard::check_note(v).is_err())
    {
        return Err(CoreError::CardNumber);
    }
    Ok(())
}

fn account_number(v: &str) -> Result<String, CoreError> {
    let d: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if !(5..=20).contains(&d.len()) || !d.chars().all(|c| c.is_ascii_digit()) {
        return Err(CoreError::invalid(
            "account_number",
            "invalid_account_number",
            "must be 5 to 20 digits (spaces and dashes are ignored)",
        ));
    }
    Ok(d)
}

fn bank_input(b: &BankInput) -> Result<StoredDetails, CoreError> {
    let mut errors = Vec::new();
    let bank = crate::validate::line("bank", &b.bank, 60).map_err(|e| errors.push(e));
    let holder = crate::validate::line("holder", &b.holder, 200).map_err(|e| errors.push(e));
    let account = account_number(&b.account_number).map_err(|e| {
        if let CoreError::Invalid(v) = e {
            errors.extend(v)
        }
    });
    match (bank, holder, account) {
        (Ok(bank), Ok(holder), Ok(account_number)) => Ok(StoredDetails {
            bank,
            account_number,
            holder,
        }),
        _ => Err(CoreError::Invalid(errors)),
    }
}

impl Payees<'_> {
    fn seal<T: Serialize>(&self, table: &str, record: &str, name: &str, v: &T) -> Vec<u8> {
        let ctx = Context {
            segment: "",
            table,
            record_id: record,
            field: name,
        };
        let bytes = zeroize::Zeroizing::new(serde_json::to_vec(v).expect("serialisable"));
        field::seal(&self.key, 1, &ctx, &bytes)
    }

    fn open<T: DeserializeOwned>(
        &self,
        table: &str,
        record: &str,
        name: &str,
        ct: &[u8],
    ) -> Result<T, CoreError> {
        let ctx = Context {
            segment: "",
            table,
            record_id: record,
            field: name,
        };
        let plain = field::open(&self.key, &ctx, ct)?;
        serde_json::from_slice(&plain).map_err(|_| CoreError::Integrity)
    }

    /// Checks the scope (and, for staff, the accepted agreement), auditing a refusal as a
    /// denied `action`.
    async fn need(&self, scope: Scope, action: AuditAction) -> Result<(), CoreError> {
        self.vault.require_scope(self.caller, scope, action).await?;
        self.vault.require_agreement(self.caller, action).await
    }

    /// A staff member with a fresh step-up (the call-back and approvals are people's acts).
    async fn need_person(&self, action: AuditAction) -> Result<Member, CoreError> {
        let Some(ctx) = self.caller.staff() else {
            return Err(self
                .vault
                .deny(
                    self.caller,
                    Refusal::new(action, ForbiddenReason::StaffSession),
                )
                .await);
        };
        self.vault
            .require_step_up(self.caller, action, None)
            .await?;
        Ok(Member {
            id: self.caller.id().to_string(),
            role: ctx.role(),
        })
    }

    /// The caller as a member for the rules: a staff member with their role; an API key counts
    /// as finance (it may create payees, request changes and create payouts, never verify or
    /// approve: those need a person).
    fn member(&self) -> Member {
        Member {
            id: self.caller.id().to_string(),
            role: self.caller.staff().map_or(Role::Finance, |c| c.role()),
        }
    }

    /// Turns a refused rule into the error to return, auditing it (denied for four-eyes and
    /// role refusals, rejected otherwise, with the rule's code; never a value).
    async fn refused(&self, action: AuditAction, e: PayoutError, subject: &str) -> CoreError {
        let forbidden = match e {
            PayoutError::Role => Some(ForbiddenReason::Role),
            PayoutError::SelfApproval | PayoutError::AlreadyApproved => {
                Some(ForbiddenReason::FourEyes)
            }
            _ => None,
        };
        if let Some(reason) = forbidden {
            let word = reason.audit_field().unwrap_or("denied");
            return self
                .vault
                .deny(
                    self.caller,
                    Refusal::new(action, reason).fields([word.to_string(), subject.to_string()]),
                )
                .await;
        }
        let (name, code) = match e {
            PayoutError::WrongNumber => ("number_called", "wrong_number"),
            PayoutError::NoNumberOnFile => ("phone", "no_number_on_file"),
            PayoutError::IncompleteCall => ("reference", "incomplete_call"),
            PayoutError::NotPending => ("version", "not_pending"),
            PayoutError::NoVerifiedDetails => ("payee_id", "no_verified_details"),
            PayoutError::Amount => ("amount", "invalid_amount"),
            PayoutError::NotPendingApproval => ("status", "not_pending_approval"),
            PayoutError::UnknownBankCode => ("bank", "unknown_bank_code"),
            PayoutError::NotBca => ("format", "not_bca"),
            _ => ("payouts", "not_exportable"),
        };
        let record = AuditRecord::new(self.caller, action)
            .outcome(Outcome::Rejected)
            .fields([code.to_string(), subject.to_string()]);
        if let Err(err) = self.vault.audit(record).await {
            return err;
        }
        CoreError::invalid(name, code, e.to_string())
    }

    fn version_of(&self, row: &BankVersionRow) -> Result<BankDetails, CoreError> {
        let rec = format!("{}/{}", row.payee_id, row.version);
        let d: StoredDetails = self.open("payee_bank", &rec, "details", &row.details)?;
        let call = match (&row.call_by, row.call_at, &row.call_record) {
            (Some(by), Some(at), Some(ct)) => {
                let c: StoredCall = self.open("payee_bank", &rec, "call", ct)?;
                Some(CallBack {
                    by: by.clone(),
                    at,
                    number_called: c.number_called,
                    confirmed: c.confirmed,
                    reference: c.reference,
                    approved: c.approved,
                })
            }
            _ => None,
        };
        Ok(BankDetails {
            version: u32::try_from(row.version)
                .map_err(|_| StoreError::Corrupt("bank details version".into()))?,
            bank: d.bank,
            account_number: d.account_number,
            holder: d.holder,
            status: status_parse(&row.status)?,
            requested_by: row.requested_by.clone(),
            requested_at: row.requested_at,
            call,
        })
    }

    /// A payee's row, contacts and decrypted versions (not audited: callers audit).
    async fn load(
        &self,
        id: Uuid,
    ) -> Result<(PayeeRow, String, Contacts, Vec<BankDetails>), CoreError> {
        let store = self.vault.store();
        let row = store
            .payee_get(&id.to_string())
            .await?
            .ok_or(CoreError::NotFound)?;
        let name: String = self.open("payees", &row.id, "name", &row.name)?;
        let contacts: Contacts = self.open("payees", &row.id, "contacts", &row.contacts)?;
        let versions = store
            .bank_versions(&row.id)
            .await?
            .iter()
            .map(|v| self.version_of(v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((row, name, contacts, versions))
    }

    /// Creates a payee with its first bank details, pending verification. Needs
    /// `payees:write`.
    pub async fn create(&self, new: &NewPayee) -> Result<PayeeView, CoreError> {
        self.need(Scope::PayeesWrite, AuditAction::PayeeCreate)
            .await?;
        let mut errors = Vec::new();
        let kind = new.kind.as_deref().unwrap_or("supplier").trim().to_string();
        if !PAYEE_KINDS.contains(&kind.as_str()) {
            errors.push(crate::InvalidField::new(
                "kind",
                "invalid_kind",
                "must be supplier, reseller or refund",
            ));
        }
        let name = crate::validate::line("name", &new.name, 200).map_err(|e| errors.push(e));
        let phone = crate::validate::phone(&new.phone).map_err(|e| errors.push(e));
        let email = match new
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(e) => crate::validate::email(e)
                .map(Some)
                .map_err(|e| errors.push(e)),
            None => Ok(None),
        };
        let person = match new
            .contact_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(p) => crate::validate::line("contact_name", p, 200)
                .map(Some)
                .map_err(|e| errors.push(e)),
            None => Ok(None),
        };
        let details = bank_input(&new.bank).map_err(|e| {
            if let CoreError::Invalid(v) = e {
                errors.extend(v)
            }
        });
        let (Ok(name), Ok(phone), Ok(email), Ok(person), Ok(details)) =
            (name, phone, email, person, details)
        else {
            return Err(CoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        no_cards(&[&name, &details.holder, &details.bank])?;
        let id = Uuid::new_v4().to_string();
        let now = crate::now_ms();
        let contacts = Contacts {
            phone,
            email,
            contact_name: person,
            version: 1,
            changes: Vec::new(),
        };
        let row = PayeeRow {
            id: id.clone(),
            kind,
            name: self.seal("payees", &id, "name", &name),
            contacts: self.seal("payees", &id, "contacts", &contacts),
            created_by: self.caller.id().to_string(),
            created_at: now,
        };
        let first = BankVersionRow {
            payee_id: id.clone(),
            version: 1,
            details: self.seal("payee_bank", &format!("{id}/1"), "details", &details),
            status: status_name(BankStatus::PendingVerification).into(),
            requested_by: self.caller.id().to_string(),
            requested_at: now,
            call_by: None,
            call_at: None,
            call_record: None,
        };
        let audit = AuditRecord::new(self.caller, AuditAction::PayeeCreate)
            .fields([format!("payee:{id}"), "version:1".into()]);
        self.vault.store().payee_insert(row, first, audit).await?;
        self.view(Uuid::parse_str(&id).expect("uuid"), false).await
    }

    /// A payee with its versions and call records; audited as `payee.read`. Needs
    /// `payees:read`.
    pub async fn get(&self, id: Uuid) -> Result<PayeeView, CoreError> {
        self.need(Scope::PayeesRead, AuditAction::PayeeRead).await?;
        self.view(id, true).await
    }

    async fn view(&self, id: Uuid, audited: bool) -> Result<PayeeView, CoreError> {
        let found = self.load(id).await;
        if audited {
            let outcome = match &found {
                Err(CoreError::NotFound) => Outcome::NotFound,
                _ => Outcome::Ok,
            };
            self.vault
                .audit(
                    AuditRecord::new(self.caller, AuditAction::PayeeRead)
                        .outcome(outcome)
                        .fields([format!("payee:{id}")]),
                )
                .await?;
        }
        let (row, name, contacts, versions) = found?;
        Ok(views::payee_view(row, name, contacts, &versions))
    }

    /// Every payee (with versions); one `payee.read` event with the count. Needs
    /// `payees:read`.
    pub async fn list(&self) -> Result<Vec<PayeeView>, CoreError> {
        self.need(Scope::PayeesRead, AuditAction::PayeeRead).await?;
        let rows = self.vault.store().payee_list().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let (row, name, contacts, versions) = self
                .load(Uuid::parse_str(&r.id).map_err(|_| CoreError::Integrity)?)
                .await?;
            out.push(views::payee_view(row, name, contacts, &versions));
        }
        self.vault
            .audit(
                AuditRecord::new(self.caller, AuditAction::PayeeRead)
                    .fields(["list".to_string(), format!("count:{}", out.len())]),
            )
            .await?;
        Ok(out)
    }

    /// Requests new bank details: a new version, pending verification (the current verified
    /// version stays in use until then), and a notice queued to the payee's contact on file.
    /// Refused while another change waits. Needs `payees:write`.
    pub async fn request_change(
        &self,
        id: Uuid,
        input: &BankInput,
    ) -> Result<PayeeView, CoreError> {
        self.need(Scope::PayeesWrite, AuditAction::PayeeBankChange)
            .await?;
        let details = bank_input(input)?;
        no_cards(&[&details.holder, &details.bank])?;
        let (row, _, _, versions) = self.load(id).await?;
        if versions
            .iter()
            .any(|v| v.status == BankStatus::PendingVerification)
        {
            return Err(CoreError::invalid(
                "bank",
                "change_pending",
                "another change of these bank details is waiting for its call-back; verify or reject it first",
            ));
        }
        let version = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
        let rec = format!("{}/{version}", row.id);
        let new = BankVersionRow {
            payee_id: row.id.clone(),
            version: i64::from(version),
            details: self.seal("payee_bank", &rec, "details", &details),
            status: status_name(BankStatus::PendingVerification).into(),
            requested_by: self.caller.id().to_string(),
            requested_at: crate::now_ms(),
            call_by: None,
            call_at: None,
            call_record: None,
        };
        let audit = AuditRecord::new(self.caller, AuditAction::PayeeBankChange)
            .fields([format!("payee:{id}"), format!("version:{version}")]);
        match self.vault.store().bank_version_insert(new, audit).await {
            Err(StoreError::Unique(_)) => {
                return Err(CoreError::Conflict(ConflictKind::Concurrent));
            }
            r => r?,
        }
        self.view(id, false).await
    }

    /// Records the call-back on pending version `version`: made by a finance or admin member
    /// (staff session, fresh step-up) who did not request the change, to the number **on
    /// file**, with what was confirmed and the reference code read out; verifies or rejects.
    pub async fn verify(
        &self,
        id: Uuid,
        version: u32,
        input: &CallInput,
    ) -> Result<PayeeView, CoreError> {
        self.need(Scope::PayeesWrite, AuditAction::PayeeBankVerify)
            .await?;
        let verifier = self.need_person(AuditAction::PayeeBankVerify).await?;
        let subject = format!("payee:{id}");
        let (row, _, contacts, versions) = self.load(id).await?;
        let pending = versions
            .iter()
            .find(|v| v.version == version)
            .ok_or(CoreError::NotFound)?;
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
        no_cards(&[&input.confirmed, &input.reference])?;
        let call = CallBack {
            by: verifier.id.clone(),
            at: crate::now_ms(),
            number_called: input.number_called.trim().to_string(),
            confirmed: input.confirmed.trim().to_string(),
            reference: input.reference.trim().to_string(),
            approved: input.approved,
        };
        let decided = match rules::verify_change(pending, &contacts.phone, &verifier, call) {
            Ok(d) => d,
            Err(e) => {
                return Err(self
                    .refused(AuditAction::PayeeBankVerify, e, &subject)
                    .await);
            }
        };
        let c = decided.call.as_ref().expect("decided with a call");
        let rec = format!("{}/{version}", row.id);
        let stored = StoredCall {
            number_called: c.number_called.clone(),
            confirmed: c.confirmed.clone(),
            reference: c.reference.clone(),
            approved: c.approved,
        };
        let update = BankVersionRow {
            payee_id: row.id.clone(),
            version: i64::from(version),
            details: Vec::new(),
            status: status_name(decided.status).into(),
            requested_by: decided.requested_by.clone(),
            requested_at: decided.requested_at,
            call_by: Some(c.by.clone()),
            call_at: Some(c.at),
            call_record: Some(self.seal("payee_bank", &rec, "call", &stored)),
        };
        let audit = AuditRecord::new(self.caller, AuditAction::PayeeBankVerify).fields([
            subject,
            format!("version:{version}"),
            status_name(decided.status).to_string(),
        ]);
        match self.vault.store().bank_version_decide(update, audit).await {
            Err(StoreError::Concurrent) => {
                return Err(self
                    .refused(
                        AuditAction::PayeeBankVerify,
                        PayoutError::NotPending,
                        &format!("payee:{id}"),
                    )
                    .await);
            }
            r => r?,
        }
        self.view(id, false).await
    }
}
