//! Alerts out of the building: the `[alerts]` table (`[[alerts.channel]]`: console, signed
//! webhook, SMTP), the job that records the detector's firings on every node, and the job that
//! hands new alerts to the channels through the shared delivery outbox, with a rate limit so
//! one incident does not bury the owner.

use crate::config::{SmtpTls, WitnessConfig};
use crate::delivery::{Delivery, Witnesses};
use crate::{Job, JobError, Scope, Tick};
use async_trait::async_trait;
use jaga_core::ids::AlertView;
use jaga_core::vault::Vault;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The `[alerts]` table of `jaga.toml`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// Alerts handed to the outside channels per hour at most (default 30); beyond that they
    /// stay in the console and one notice says how many were held back.
    pub max_per_hour: Option<u32>,
    /// The channels.
    #[serde(default)]
    pub channel: Vec<AlertChannel>,
}

/// One `[[alerts.channel]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum AlertChannel {
    /// The console's alert page (always on; listed for clarity).
    Console,
    /// An HTTPS POST of the alert as JSON, signed with
    /// `X-Jaga-Signature: sha256=<hex HMAC-SHA256 of the body>` under the secret in
    /// `secret_file` (Telegram or WhatsApp through such a relay).
    Webhook {
        /// `https://…`
        url: String,
        /// File holding the signing secret.
        secret_file: Option<String>,
        /// Extra CA certificate (PEM) to trust: a receiver with its own or a private CA.
        ca_file: Option<String>,
        /// File holding a bearer token sent in `Authorization`.
        token_file: Option<String>,
    },
    /// E-mail to the owner.
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
        /// Recipient.
        to: String,
        /// Login name, if the server needs one.
        username: Option<String>,
        /// File holding the password.
        password_file: Option<String>,
    },
}

impl AlertsConfig {
    /// Checks values (webhooks must be `https://` and signed: `secret_file` is required, a
    /// receiver cannot otherwise tell a real alert from a forged one).
    pub fn checked(self) -> Result<Self, JobError> {
        for c in &self.channel {
            if let AlertChannel::Webhook {
                url, secret_file, ..
            } = c
            {
                if !url.starts_with("https://") {
                    return Err(JobError::msg(
                        "alerts.channel webhook url must start with https://",
                    ));
                }
                if secret_file.as_deref().is_none_or(|f| f.trim().is_empty()) {
                    return Err(JobError::msg(
                        "alerts.channel webhook needs secret_file (the key its X-Jaga-Signature is made with)",
                    ));
                }
            }
        }
        Ok(self)
    }

    /// Alerts per hour handed to the channels.
    pub fn per_hour(&self) -> u32 {
        self.max_per_hour.unwrap_or(30)
    }

    /// The outside channels as delivery targets.
    pub fn targets(&self) -> Vec<WitnessConfig> {
        self.channel
            .iter()
            .filter_map(|c| match c.clone() {
                AlertChannel::Console => None,
                AlertChannel::Webhook {
                    url,
                    secret_file,
                    ca_file,
                    token_file,
                } => Some(WitnessConfig::Webhook {
                    url,
                    ca_file,
                    token_file,
                    secret_file,
                }),
                AlertChannel::Smtp {
                    host,
                    port,
                    tls,
                    from,
                    to,
                    username,
                    password_file,
                } => Some(WitnessConfig::Smtp {
                    host,
                    port,
                    tls,
                    from,
                    to,
                    username,
                    password_file,
                }),
            })
            .collect()
    }
}

/// The delivery of one alert: a JSON body (ids, codes, counts, rule names only).
pub fn alert_delivery(a: &AlertView) -> Delivery {
    let subject = format!(
        "[Jaga {}] {} ({} {})",
        a.severity, a.rule, a.actor_kind, a.actor_id
    );
    Delivery::Alert {
        id: a.id.clone(),
        subject,
        body: serde_json::to_string(a).unwrap_or_default(),
    }
}

/// Records the detector's firings (alerts, audit events, containment) and reloads the decoys
/// and containment in force, four times a second. Per node: each node detects on its own
/// requests.
pub struct IdsRecordJob(pub Arc<Vault>);

#[async_trait]
impl Job for IdsRecordJob {
    fn name(&self) -> &'static str {
        "ids-record"
    }

    fn every(&self) -> Duration {
        Duration::from_millis(250)
    }

    fn run_at_stop(&self) -> bool {
        true
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(5)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        self.0
            .ids_drain()
            .await
            .map_err(|e| JobError::msg(format!("recording alerts: {e}")))?;
        self.0
            .ids_refresh()
            .await
            .map_err(|e| JobError::msg(format!("reloading honeytokens: {e}")))
    }
}

/// Hands new alerts to the channels every second (a singleton: one node sends). At most
/// `max_per_hour` go out per hour; the rest are marked and one notice reports how many.
pub struct AlertDeliveryJob {
    vault: Arc<Vault>,
    out: Witnesses,
    per_hour: u32,
    hour: i64,
    sent: u32,
    held: u32,
}

impl AlertDeliveryJob {
    /// The job for `config`, with relative paths inside `data_dir`.
    pub fn new(
        vault: Arc<Vault>,
        data_dir: &Path,
        config: &AlertsConfig,
    ) -> Result<Self, JobError> {
        Ok(Self {
            vault,
            out: Witnesses::new(data_dir, config.targets())?,
            per_hour: config.per_hour(),
            hour: 0,
            sent: 0,
            held: 0,
        })
    }
}

#[async_trait]
impl Job for AlertDeliveryJob {
    fn name(&self) -> &'static str {
        "alert-delivery"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    fn run_at_stop(&self) -> bool {
        true
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(10)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        if self.out.pending() > 0 {
            self.out.retry().await;
        }
        let hour = jaga_core::now_ms() / 3_600_000;
        if hour != self.hour {
            if self.held > 0 {
                let notice = Delivery::Alert {
                    id: format!("held-{}", self.hour),
                    subject: format!("[Jaga] {} more alerts held back (rate limit)", self.held),
                    body: serde_json::json!({
                        "rule": "rate_limit",
                        "held_back": self.held,
                        "see": "jaga alerts list",
                    })
                    .to_string(),
                };
                self.out.deliver(&notice).await;
            }
            (self.hour, self.sent, self.held) = (hour, 0, 0);
        }
        let new = self
            .vault
            .alerts_undelivered(100)
            .await
            .map_err(|e| JobError::msg(format!("reading alerts: {e}")))?;
        for a in new {
            if self.sent < self.per_hour {
                self.out.deliver(&alert_delivery(&a)).await;
                self.sent += 1;
            } else {
                self.held += 1;
            }
            self.vault
                .alert_mark_delivered(&a.id)
                .await
                .map_err(|e| JobError::msg(format!("marking an alert delivered: {e}")))?;
        }
        Ok(())
    }
}

/// Verifies the whole audit log once a day (a singleton; its last run is what `jaga doctor`
/// reports); a failure raises the `audit_verify_failed` alert and counts as a failed run.
pub struct AuditVerifyJob {
    vault: Arc<Vault>,
    key: jaga_audit::VerifierKey,
}

impl AuditVerifyJob {
    /// The job, checking checkpoint signatures with `key`.
    pub fn new(vault: Arc<Vault>, key: jaga_audit::VerifierKey) -> Self {
        Self { vault, key }
    }
}

#[async_trait]
impl Job for AuditVerifyJob {
    fn name(&self) -> &'static str {
        "audit-verify"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(24 * 3600)
    }

    fn scope(&self) -> Scope {
        Scope::Singleton
    }

    fn max_backoff(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run(&mut self, _tick: Tick) -> Result<(), JobError> {
        match self.vault.verify_and_watch(Some(&self.key)).await {
            Ok(None) => Ok(()),
            Ok(Some(pos)) => Err(JobError::msg(format!(
                "the audit log failed verification at position {pos}"
            ))),
            Err(e) => Err(JobError::msg(format!("audit verification: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_s_channel_table_parses() {
        let c: AlertsConfig = toml::from_str(
            "[[channel]]\nkind = \"webhook\"\nurl = \"https://hooks.example.com/jaga\"\nsecret_file = \"hook.secret\"\nca_file = \"hook-ca.pem\"\n[[channel]]\nkind = \"console\"\n[[channel]]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"jaga@shop.id\"\nto = \"owner@shop.id\"\n",
        )
        .unwrap();
        let c = c.checked().unwrap();
        assert_eq!(c.targets().len(), 2);
        assert!(
            toml::from_str::<AlertsConfig>(
                "[[channel]]\nkind = \"webhook\"\nurl = \"https://x\"\nsecret = \"inline\"\n"
            )
            .is_err(),
            "secrets only from files"
        );
        let http: AlertsConfig = toml::from_str(
            "[[channel]]\nkind = \"webhook\"\nurl = \"http://x\"\nsecret_file = \"s\"\n",
        )
        .unwrap();
        assert!(http.checked().is_err());
    }

    #[test]
    fn an_unsigned_webhook_is_refused() {
        let unsigned: AlertsConfig =
            toml::from_str("[[channel]]\nkind = \"webhook\"\nurl = \"https://x\"\n").unwrap();
        let e = unsigned.checked().unwrap_err().to_string();
        assert!(e.contains("secret_file"), "{e}");
        let blank: AlertsConfig = toml::from_str(
            "[[channel]]\nkind = \"webhook\"\nurl = \"https://x\"\nsecret_file = \" \"\n",
        )
        .unwrap();
        assert!(blank.checked().is_err());
    }
}
