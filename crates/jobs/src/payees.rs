//! BEC-safe payouts in `jaga.toml` and in the background (issue 14):
//!
//! - the `[payouts]` table: the approval thresholds the vault applies
//!   ([`PayoutsConfig::policy`], checked with a clear message), and `[payouts.notice]`, the
//!   channel that tells a payee's contact on file that its bank details are being changed;
//! - [`PayeeNoticeJob`]: sends the notices the vault queued (`payee_notices`) through the shared
//!   delivery channels (SMTP to the address on file, or a directory for a relay or a person to
//!   forward). The table is the outbox: a notice that fails stays queued and is retried with the
//!   runner's backoff, so it survives a restart; each one handled is audited (`payee.notify`).
//!   Logs name the failure class only, never an address, a name or an account.

use crate::config::{SmtpTls, WitnessConfig};
use crate::delivery::{Delivery, send_direct};
use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::payouts::PayoutPolicy;
use jaga_core::vault::{PayeeNotice, Vault};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Notices handled per run at most.
const BATCH: u32 = 50;
/// Longest `recent_change_days` accepted (a year).
const MAX_DAYS: i64 = 366;

/// The `[payouts]` table of `jaga.toml`.
///
/// ```toml
/// [payouts]
/// two_approvals_above = 10000000   # rupiah; payouts above need two approvals
/// recent_change_days = 14          # details changed within: one more approval, a warning
///
/// [payouts.notice]                 # tell the payee's contact on file about a change
/// kind = "smtp"
/// host = "smtp.example.com"
/// from = "keuangan@toko.example"
/// ```
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutsConfig {
    /// Amounts (whole rupiah) above this need two approvals (default 10,000,000).
    pub two_approvals_above: Option<i64>,
    /// A payout to bank details changed within this many days needs one more approval and
    /// carries a warning (default 14; 0 turns the cooling-off hold off).
    pub recent_change_days: Option<i64>,
    /// Where notices of a change go; without it they wait in the database.
    pub notice: Option<NoticeChannel>,
}

/// `[payouts.notice]`: the channel to the payee's contact on file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum NoticeChannel {
    /// E-mail to the payee's address on file.
    Smtp {
        /// SMTP server.
        host: String,
        /// Port (default 587, or 465 with `tls = "tls"`, 25 with `tls = "none"`).
        port: Option<u16>,
        /// `starttls` (default), `tls` or `none`.
        #[serde(default)]
        tls: SmtpTls,
        /// Sender address.
        from: String,
        /// Login name, if the server needs one.
        username: Option<String>,
        /// File holding the password.
        password_file: Option<String>,
    },
    /// One text file per notice (with its `To:` line) in this directory, for a relay or a
    /// person to send on.
    Dir {
        /// Directory (relative paths are under the data directory).
        path: String,
    },
}

impl PayoutsConfig {
    /// The thresholds, checked: a clear message names the key and what it must be.
    pub fn policy(&self) -> Result<PayoutPolicy, JobError> {
        let d = PayoutPolicy::default();
        let above = self.two_approvals_above.unwrap_or(d.two_approvals_above);
        if above < 0 {
            return Err(JobError::msg(
                "[payouts] two_approvals_above must be an amount in whole rupiah, 0 or more (e.g. 10000000)",
            ));
        }
        let days = self.recent_change_days.unwrap_or(d.recent_change_days);
        if !(0..=MAX_DAYS).contains(&days) {
            return Err(JobError::msg(format!(
                "[payouts] recent_change_days must be a number of days from 0 to {MAX_DAYS} (e.g. 14)"
            )));
        }
        if let Some(NoticeChannel::Smtp { host, from, .. }) = &self.notice
            && (host.trim().is_empty() || !from.contains('@'))
        {
            return Err(JobError::msg(
                "[payouts.notice] smtp needs a host and a from address",
            ));
        }
        Ok(PayoutPolicy {
            two_approvals_above: above,
            recent_change_days: days,
        })
    }
}

/// Sends the queued notices of bank-detail changes to each payee's contact on file.
pub struct PayeeNoticeJob {
    vault: Arc<Vault>,
    data_dir: PathBuf,
    channel: NoticeChannel,
}

impl PayeeNoticeJob {
    /// The job for `channel`; relative paths are under `data_dir`.
    pub fn new(vault: Arc<Vault>, data_dir: &Path, channel: NoticeChannel) -> Self {
        Self {
            vault,
            data_dir: data_dir.to_path_buf(),
            channel,
        }
    }

    async fn send(&self, n: &PayeeNotice, to: &str) -> Result<(), JobError> {
        let name = format!("payee-notice-{}-{}.txt", n.payee_id, n.version);
        match &self.channel {
            NoticeChannel::Smtp {
                host,
                port,
                tls,
                from,
                username,
                password_file,
            } => {
                let w = WitnessConfig::Smtp {
                    host: host.clone(),
                    port: *port,
                    tls: *tls,
                    from: from.clone(),
                    to: to.to_string(),
                    username: username.clone(),
                    password_file: password_file.clone(),
                };
                let d = Delivery::Report {
                    name,
                    subject: n.subject.clone(),
                    body: n.body.clone(),
                };
                send_direct(&self.data_dir, &w, &d).await
            }
            NoticeChannel::Dir { path } => {
                let w = WitnessConfig::Dir { path: path.clone() };
                let d = Delivery::Report {
                    name,
                    subject: n.subject.clone(),
                    body: format!("To: {to}\nSubject: {}\n\n{}", n.subject, n.body),
                };
                send_direct(&self.data_dir, &w, &d).await
            }
        }
    }

    /// Handles the queued notices once: sent ones and those without an address on file are
    /// marked done (audited); returns how many failed (they stay queued).
    pub async fn once(&self) -> Result<usize, JobError> {
        let notices = self
            .vault
            .payee_notices_pending(BATCH)
            .await
            .map_err(|e| JobError::msg(format!("reading payee notices: {e}")))?;
        let mut failed = 0;
        for n in &notices {
            let how = match n.to.as_deref() {
                None => "no_address",
                Some(to) => match self.send(n, to).await {
                    Ok(()) => "sent",
                    Err(e) => {
                        // The error names the channel's failure class or path, never the
                        // address or the notice's text.
                        tracing::warn!(error = %e, "payee notice delivery failed; will retry");
                        failed += 1;
                        continue;
                    }
                },
            };
            self.vault
                .payee_notice_done(n, how)
                .await
                .map_err(|e| JobError::msg(format!("recording a payee notice: {e}")))?;
        }
        Ok(failed)
    }
}

#[async_trait]
impl Job for PayeeNoticeJob {
    fn name(&self) -> &'static str {
        "payee-notice"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(600)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        match self.once().await? {
            0 => Ok(()),
            n => Err(JobError::msg(format!(
                "{n} payee notices not delivered; will retry"
            ))),
        }
    }
}
