//! The e-mail analyzer as a capability of the `payees:read` scope: it reads the payees'
//! domains (the analyzer's known domains by default), adds what the shop configured (`[mail]` in
//! `jaga.toml`: own domains, trusted receiving hosts, DKIM keys, extra known domains) and records
//! each analysis in the audit log (verdict, score and indicator codes; never the message, its
//! addresses or its text).

use super::Vault;
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};
use std::sync::Arc;

impl Vault {
    /// What the shop configured for the analyzer (`[mail]`): its own domains, the
    /// `authserv-id`s whose `Authentication-Results` are believed, DKIM keys, and known domains
    /// added to the payees'. Checked by the caller; the default is empty.
    pub fn set_mail_context(&self, ctx: jaga_mail::Context) {
        *self
            .mail_context
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(ctx);
    }

    /// The configured analyzer context (see [`Vault::set_mail_context`]).
    pub fn mail_context(&self) -> Arc<jaga_mail::Context> {
        self.mail_context
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

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

    /// The context an analysis runs with: the configured one ([`Vault::set_mail_context`]) with
    /// its known domains added to the payees' ([`MailAnalyzer::payee_domains`]), or replaced
    /// by `known_domains` when the caller gives them (an empty list: none).
    pub async fn context(
        &self,
        known_domains: Option<Vec<String>>,
    ) -> Result<jaga_mail::Context, CoreError> {
        let mut ctx = (*self.vault.mail_context()).clone();
        ctx.known_domains = match known_domains {
            Some(given) => given,
            None => {
                let mut all = self.payee_domains().await?;
                for d in std::mem::take(&mut ctx.known_domains) {
                    if !all.contains(&d) {
                        all.push(d);
                    }
                }
                all
            }
        };
        Ok(ctx)
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
        self.record(&report).await?;
        Ok(report)
    }

    /// Records an analysis made elsewhere with [`jaga_mail::Analyzer`] (the CLI reuses one
    /// analyzer for many files) in the audit log, like [`MailAnalyzer::analyze`] does.
    pub async fn record(&self, report: &jaga_mail::Report) -> Result<(), CoreError> {
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
        Ok(())
    }
}
