//! The e-mail analyzer as a capability of the `payees:read` scope: it reads the payees'
//! domains (the analyzer's known domains by default) and records each analysis in the audit log
//! (verdict, score and indicator codes; never the message, its addresses or its text).

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};

impl Vault {
    /// The e-mail analyzer; needs `payees:read`.
    pub async fn mail_analyzer<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> Result<MailAnalyzer<'a>, CoreError> {
        self.require_scope(caller, Scope::PayeesRead, AuditAction::MailAnalyze)
            .await?;
        Ok(MailAnalyzer {
            vault: self,
            caller,
        })
    }
}

/// Holder of the analyzer.
pub struct MailAnalyzer<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
}

impl MailAnalyzer<'_> {
    /// The domains of the payees' e-mail addresses: the analyzer's known domains when the
    /// caller gives none.
    pub async fn payee_domains(&self) -> Result<Vec<String>, CoreError> {
        self.vault.payees(self.caller)?.domains().await
    }

    /// The payee the message's sender is (the contact address on file, else the same
    /// non-free-mail domain), so that a bank-change finding can link to that payee's change and
    /// call-back form. `None` when the sender matches no payee.
    pub async fn sender_payee(&self, raw: &[u8]) -> Result<Option<super::SenderPayee>, CoreError> {
        let Some(address) = jaga_mail::sender_address(raw) else {
            return Ok(None);
        };
        self.vault.payees(self.caller)?.sender_payee(&address).await
    }

    /// Analyses one raw message with `ctx`. A message that cannot be read is a validation error
    /// (`message`), not a failure.
    pub async fn analyze(
        &self,
        raw: &[u8],
        ctx: &jaga_mail::Context,
    ) -> Result<jaga_mail::Report, CoreError> {
        let report = jaga_mail::analyze(raw, ctx)
            .map_err(|e| CoreError::invalid("message", "invalid_message", e.to_string()))?;
        let mut fields = vec![
            format!("verdict:{}", report.verdict.as_str()),
            format!("score:{}", report.score),
        ];
        fields.extend(
            report
                .indicators
                .iter()
                .map(|i| i.code.as_str().to_string()),
        );
        self.vault
            .audit(AuditRecord::new(self.caller, AuditAction::MailAnalyze).fields(fields))
            .await?;
        Ok(report)
    }
}
