//! Every action the audit log records, as one enum.
//!
//! The wire name of each action ([`AuditAction::as_str`]) is part of the log's canonical leaf
//! encoding and of every stored event: it must never change. A test pins each name.

use std::fmt;

macro_rules! actions {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// What an audited event did. Adding a variant forces every `match` on it to decide.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum AuditAction {
            $( $(#[$doc])* $variant, )*
        }

        impl AuditAction {
            /// Every action, in declaration order.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The stable wire name stored in the log, e.g. `customer.reveal`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( AuditAction::$variant => $name, )*
                }
            }
        }
    };
}

actions! {
    /// A customer was read, masked (or a read was refused).
    CustomerRead => "customer.read",
    /// Customer fields were revealed with a purpose (or a reveal was refused).
    CustomerReveal => "customer.reveal",
    /// A customer was created.
    CustomerCreate => "customer.create",
    /// A customer was updated.
    CustomerUpdate => "customer.update",
    /// A customer was erased (crypto-shredded).
    CustomerErase => "customer.erase",
    /// Customers were looked up by a blind index.
    CustomerLookup => "customer.lookup",
    /// The write capability was refused (no `customers:write`, or the agreement is missing).
    CustomerWrite => "customer.write",
    /// The order-read capability was refused.
    OrderRead => "order.read",
    /// An order was added.
    OrderCreate => "order.create",
    /// A customer's orders were listed.
    OrderList => "order.list",
    /// Redaction tokens were resolved to their values.
    TokenResolve => "token.resolve",
    /// Text was redacted.
    TextRedact => "text.redact",
    /// An e-mail was analysed for business e-mail compromise (verdict, score and indicator
    /// codes are recorded; never the message).
    MailAnalyze => "mail.analyze",
    /// The audit log, a proof or a report was read.
    AuditRead => "audit.read",
    /// Refusals beyond the per-window budget, counted into one event per actor and action.
    AuditRefusalsAggregated => "audit.refusals_aggregated",
    /// An unseal attempt (key, passphrase or share) through the API.
    SysUnseal => "sys.unseal",
    /// The metrics were scraped (only refusals are recorded).
    MetricsRead => "metrics.read",
    /// A request carrying a payment card number was refused.
    RequestCardNumberRejected => "request.card_number_rejected",
    /// A state-changing session request without the right CSRF token was refused.
    RequestCsrfRejected => "request.csrf_rejected",
    /// A POST retried with the same `Idempotency-Key` got the first answer again.
    RequestReplayed => "request.replayed",
    /// A key was created in the keyring.
    KeysCreate => "keys.create",
    /// A new KEK version was made active.
    KeysRotate => "keys.rotate",
    /// Data keys were re-wrapped under the active KEK.
    KeysRewrap => "keys.rewrap",
    /// A KEK version was retired (its material deleted).
    KeysRetire => "keys.retire",
    /// An API key was created.
    ApiKeyCreate => "apikey.create",
    /// An API key was revoked.
    ApiKeyRevoke => "apikey.revoke",
    /// A staff member was invited.
    StaffInvite => "staff.invite",
    /// The staff list or one account was read.
    StaffList => "staff.list",
    /// A staff account was enabled.
    StaffEnable => "staff.enable",
    /// A staff account was disabled.
    StaffDisable => "staff.disable",
    /// A staff member's sessions were ended.
    StaffSessionsEnd => "staff.sessions.end",
    /// A staff member's role or segments changed.
    StaffRoleChange => "staff.role.change",
    /// A staff member's second factor was reset by an admin.
    StaffMfaReset => "staff.mfa.reset",
    /// A staff member replaced their authenticator.
    StaffTotpReplace => "staff.totp.replace",
    /// A staff member enrolled an authenticator.
    StaffTotpEnrol => "staff.totp.enrol",
    /// A staff member changed their password.
    StaffPasswordChange => "staff.password.change",
    /// A staff member completed sign-in.
    StaffLoginOk => "staff.login.ok",
    /// A sign-in step failed.
    StaffLoginFailed => "staff.login.failed",
    /// Sign-in was refused by throttling.
    StaffLoginLocked => "staff.login.locked",
    /// The password step of sign-in succeeded.
    StaffLoginPassword => "staff.login.password",
    /// A pending sign-in was ended before its second factor.
    StaffLoginEnded => "staff.login.ended",
    /// A staff member confirmed a sensitive action with a fresh code.
    StaffStepUp => "staff.step_up",
    /// A recovery code was used.
    StaffRecoveryUse => "staff.recovery.use",
    /// Recovery codes were revoked.
    StaffRecoveryRevoke => "staff.recovery.revoke",
    /// Recovery codes were issued.
    StaffRecoveryIssue => "staff.recovery.issue",
    /// A staff member signed out.
    StaffLogout => "staff.logout",
    /// An invitation was accepted.
    StaffInvitationAccept => "staff.invitation.accept",
    /// The confidentiality agreement was accepted.
    StaffAgreementAccept => "staff.agreement.accept",
    /// An intrusion-detection rule fired and raised an alert.
    IdsAlert => "ids.alert",
    /// Containment was applied (suspension, step-up, seal).
    IdsContain => "ids.contain",
    /// Containment was lifted by the operator.
    IdsLift => "ids.lift",
    /// An alert was acknowledged.
    IdsAlertAck => "ids.alert.ack",
    /// Honeytokens were planted (the count only: never which records).
    IdsHoneytokenCreate => "ids.honeytoken.create",
    /// An incident was opened.
    IdsIncidentOpen => "ids.incident.open",
    /// An incident was updated (timeline entry, closed).
    IdsIncidentUpdate => "ids.incident.update",
    /// An incident report (notice, letters, affected customers) was produced.
    IdsIncidentReport => "ids.incident.report",
    /// Transaction events were sent to the fraud monitor (only refusals are recorded).
    FraudEventScore => "fraud.event.score",
    /// An encrypted backup was written (`jaga backup create` or the `backup` job).
    BackupCreate => "backup.create",
    /// A backup was restored into a new data directory (recorded in the restored log).
    BackupRestore => "backup.restore",
    /// A restore replayed one erasure-ledger entry: the customer, erased after the backup was
    /// taken, was crypto-shredded again before the restored vault could be read.
    BackupErasureReplay => "backup.erasure_replay",
    /// A restore drill ran (restored the latest backup elsewhere, verified it, reported).
    BackupDrill => "backup.drill",
    /// A payment-gateway notification was refused (forged, stale, unsigned, not configured or
    /// unreadable; the gateway and the reason are recorded, never the body).
    FraudWebhook => "fraud.webhook",
    /// An allow- or block-list entry was added or removed (the list, the entity kind and the
    /// entry's key are recorded, never the value).
    FraudListChange => "fraud.list.change",
    /// The fraud rules were reloaded (count and version recorded) or a reload was refused.
    FraudRulesReload => "fraud.rules.reload",
    /// The review queue was read (field `count`), or a read of it was refused.
    FraudReviewRead => "fraud.review.read",
    /// A held event was approved or declined.
    FraudReviewDecide => "fraud.review.decide",
    /// The retention job cleared a category of an inactive customer's data (fields name the
    /// category, the end action and the period; never a value).
    RetentionApply => "retention.apply",
    /// A retention run ended (fields: counts per category).
    RetentionRun => "retention.run",
    /// A data-subject request was recorded (kind, channel and due date as fields).
    RequestRecord => "request.record",
    /// A data-subject request was closed (status and outcome as fields).
    RequestClose => "request.close",
    /// Data-subject requests were listed or read.
    RequestRead => "request.read",
    /// Consent was given or withdrawn (purpose, granted, source as fields).
    ConsentRecord => "consent.record",
    /// A customer's consent records were read.
    ConsentRead => "consent.read",
    /// An admin cancelled a pending staff invitation (its link stops working).
    StaffInvitationCancel => "staff.invitation.cancel",
    /// An admin sent a pending staff invitation again: a new link, the old one cancelled.
    StaffInvitationResend => "staff.invitation.resend",
    /// An admin changed a shop setting in the console (the shop's name).
    ShopSettingsChange => "shop.settings.change",
    /// A payee was created with its first bank details (pending verification).
    PayeeCreate => "payee.create",
    /// A payee, its bank-detail versions or call records were read (or the list of payees).
    PayeeRead => "payee.read",
    /// A change of a payee's bank details was requested (a new version, pending verification).
    PayeeBankChange => "payee.bank.change",
    /// A call-back on pending bank details was recorded: verified or rejected.
    PayeeBankVerify => "payee.bank.verify",
    /// A payout was created.
    PayoutCreate => "payout.create",
    /// A payout was read or listed.
    PayoutRead => "payout.read",
    /// A payout was approved (one approval of the chain).
    PayoutApprove => "payout.approve",
    /// A payout waiting for approval was rejected (never paid).
    PayoutReject => "payout.reject",
    /// Approved payouts were exported as a bank bulk-transfer file.
    PayoutExport => "payout.export",
    /// The previous contact of a payee was notified of a bank-detail change.
    PayeeNotify => "payee.notify",
    /// Everything held about one customer was exported for an access or portability request
    /// (purpose, format and language as fields; the export opens every field it holds).
    CustomerExport => "customer.export",
    /// The shop's data policy changed: a new version was recorded (version, hash, categories
    /// changed and whether staff must accept it, as fields).
    PolicyChange => "policy.change",
    /// A customer was moved to another segment: a new DEK wrapped under the new segment's KEK,
    /// every field, order and token re-sealed (fields `from:`, `to:`, `orders:`, `tokens:`).
    CustomerSegmentMove => "customer.segment_move",
    /// A change of a payee's contacts (the call-back number) was requested (pending).
    PayeeContactChange => "payee.contact.change",
    /// A call-back on a pending contact change was recorded: verified or rejected.
    PayeeContactVerify => "payee.contact.verify",
}

impl AuditAction {
    /// The action with wire name `name`, if there is one.
    pub fn parse(name: &str) -> Option<AuditAction> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction as A;

    /// The wire names are stored in every event and bound into the Merkle leaves: this table
    /// pins each one, so a rename fails here before it can fork the log's vocabulary.
    #[test]
    fn every_action_keeps_its_wire_name() {
        let pinned: &[(A, &str)] = &[
            (A::CustomerRead, "customer.read"),
            (A::CustomerReveal, "customer.reveal"),
            (A::CustomerCreate, "customer.create"),
            (A::CustomerUpdate, "customer.update"),
            (A::CustomerErase, "customer.erase"),
            (A::CustomerSegmentMove, "customer.segment_move"),
            (A::CustomerLookup, "customer.lookup"),
            (A::CustomerWrite, "customer.write"),
            (A::OrderRead, "order.read"),
            (A::OrderCreate, "order.create"),
            (A::OrderList, "order.list"),
            (A::TokenResolve, "token.resolve"),
            (A::TextRedact, "text.redact"),
            (A::MailAnalyze, "mail.analyze"),
            (A::AuditRead, "audit.read"),
            (A::AuditRefusalsAggregated, "audit.refusals_aggregated"),
            (A::SysUnseal, "sys.unseal"),
            (A::MetricsRead, "metrics.read"),
            (A::RequestCardNumberRejected, "request.card_number_rejected"),
            (A::RequestCsrfRejected, "request.csrf_rejected"),
            (A::RequestReplayed, "request.replayed"),
            (A::KeysCreate, "keys.create"),
            (A::KeysRotate, "keys.rotate"),
            (A::KeysRewrap, "keys.rewrap"),
            (A::KeysRetire, "keys.retire"),
            (A::ApiKeyCreate, "apikey.create"),
            (A::ApiKeyRevoke, "apikey.revoke"),
            (A::StaffInvite, "staff.invite"),
            (A::StaffList, "staff.list"),
            (A::StaffEnable, "staff.enable"),
            (A::StaffDisable, "staff.disable"),
            (A::StaffSessionsEnd, "staff.sessions.end"),
            (A::StaffRoleChange, "staff.role.change"),
            (A::StaffMfaReset, "staff.mfa.reset"),
            (A::StaffTotpReplace, "staff.totp.replace"),
            (A::StaffTotpEnrol, "staff.totp.enrol"),
            (A::StaffPasswordChange, "staff.password.change"),
            (A::StaffLoginOk, "staff.login.ok"),
            (A::StaffLoginFailed, "staff.login.failed"),
            (A::StaffLoginLocked, "staff.login.locked"),
            (A::StaffLoginPassword, "staff.login.password"),
            (A::StaffLoginEnded, "staff.login.ended"),
            (A::StaffStepUp, "staff.step_up"),
            (A::StaffRecoveryUse, "staff.recovery.use"),
            (A::StaffRecoveryRevoke, "staff.recovery.revoke"),
            (A::StaffRecoveryIssue, "staff.recovery.issue"),
            (A::StaffLogout, "staff.logout"),
            (A::StaffInvitationAccept, "staff.invitation.accept"),
            (A::StaffAgreementAccept, "staff.agreement.accept"),
            (A::IdsAlert, "ids.alert"),
            (A::IdsContain, "ids.contain"),
            (A::IdsLift, "ids.lift"),
            (A::IdsAlertAck, "ids.alert.ack"),
            (A::IdsHoneytokenCreate, "ids.honeytoken.create"),
            (A::IdsIncidentOpen, "ids.incident.open"),
            (A::IdsIncidentUpdate, "ids.incident.update"),
            (A::IdsIncidentReport, "ids.incident.report"),
            (A::FraudEventScore, "fraud.event.score"),
            (A::BackupCreate, "backup.create"),
            (A::BackupRestore, "backup.restore"),
            (A::BackupErasureReplay, "backup.erasure_replay"),
            (A::BackupDrill, "backup.drill"),
            (A::FraudWebhook, "fraud.webhook"),
            (A::FraudListChange, "fraud.list.change"),
            (A::FraudRulesReload, "fraud.rules.reload"),
            (A::FraudReviewRead, "fraud.review.read"),
            (A::FraudReviewDecide, "fraud.review.decide"),
            (A::RetentionApply, "retention.apply"),
            (A::RetentionRun, "retention.run"),
            (A::RequestRecord, "request.record"),
            (A::RequestClose, "request.close"),
            (A::RequestRead, "request.read"),
            (A::ConsentRecord, "consent.record"),
            (A::ConsentRead, "consent.read"),
            (A::StaffInvitationCancel, "staff.invitation.cancel"),
            (A::StaffInvitationResend, "staff.invitation.resend"),
            (A::ShopSettingsChange, "shop.settings.change"),
            (A::PayeeCreate, "payee.create"),
            (A::PayeeRead, "payee.read"),
            (A::PayeeBankChange, "payee.bank.change"),
            (A::PayeeBankVerify, "payee.bank.verify"),
            (A::PayoutCreate, "payout.create"),
            (A::PayoutRead, "payout.read"),
            (A::PayoutApprove, "payout.approve"),
            (A::PayoutReject, "payout.reject"),
            (A::PayoutExport, "payout.export"),
            (A::PayeeNotify, "payee.notify"),
            (A::CustomerExport, "customer.export"),
            (A::PolicyChange, "policy.change"),
            (A::PayeeContactChange, "payee.contact.change"),
            (A::PayeeContactVerify, "payee.contact.verify"),
        ];
        assert_eq!(pinned.len(), A::ALL.len(), "every action is pinned");
        for (action, name) in pinned {
            assert_eq!(action.as_str(), *name);
            assert_eq!(A::parse(name), Some(*action));
            assert_eq!(action.to_string(), *name);
        }
        let mut names: Vec<&str> = A::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), A::ALL.len(), "wire names are unique");
        assert_eq!(A::parse("customer.rev"), None);
    }
}
