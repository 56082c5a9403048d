//! The `[audit]` table of `jaga.toml`: when checkpoints are signed, how often the access review
//! goes out, and the witnesses (delivery channels) that receive both.

use crate::JobError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The `[audit]` table of `jaga.toml`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Sign a checkpoint once this many events were appended since the last (default 1000).
    pub checkpoint_every: Option<u64>,
    /// …or once this many seconds passed with new events (default 60).
    pub checkpoint_interval_secs: Option<u64>,
    /// Write the access review to the witnesses every this many days (default 30; 0 = never).
    pub review_every_days: Option<u64>,
    /// The log's origin (key name) used when the signing key is first created.
    pub origin: Option<String>,
    /// Where checkpoints are also written.
    #[serde(default)]
    pub witness: Vec<WitnessConfig>,
}

impl AuditConfig {
    /// Checks values; relative witness paths are resolved later against the data directory.
    pub fn checked(self) -> Result<Self, JobError> {
        if self.checkpoint_every == Some(0) {
            return Err(JobError::msg("audit.checkpoint_every must be at least 1"));
        }
        if self.checkpoint_interval_secs == Some(0) {
            return Err(JobError::msg(
                "audit.checkpoint_interval_secs must be at least 1",
            ));
        }
        for w in &self.witness {
            if let WitnessConfig::Webhook { url, .. } = w
                && !url.starts_with("https://")
            {
                return Err(JobError::msg(
                    "audit.witness webhook url must start with https://",
                ));
            }
        }
        Ok(self)
    }

    /// Events between checkpoints.
    pub fn every(&self) -> u64 {
        self.checkpoint_every.unwrap_or(1000)
    }

    /// Longest time between checkpoints while events arrive.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.checkpoint_interval_secs.unwrap_or(60))
    }

    /// Days between access reviews (0 = never).
    pub fn review_days(&self) -> u64 {
        self.review_every_days.unwrap_or(30)
    }
}

/// How an SMTP witness secures its connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// STARTTLS on the submission port (default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: only for a relay on the same machine.
    None,
}

/// One `[[audit.witness]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum WitnessConfig {
    /// A directory, e.g. a mounted backup disk: `checkpoint-<size>.txt`, written atomically.
    Dir {
        /// The directory (relative paths are inside the data directory).
        path: String,
    },
    /// An HTTPS endpoint that receives each checkpoint note as a `text/plain` POST.
    Webhook {
        /// `https://…`
        url: String,
        /// Extra CA certificate (PEM) to trust, e.g. a private CA.
        ca_file: Option<String>,
        /// File holding a bearer token sent in `Authorization`.
        token_file: Option<String>,
        /// File holding a shared secret: each request then carries
        /// `X-Jaga-Signature: sha256=<hex HMAC-SHA256 of the body>` so the receiver can check
        /// it came from this Jaga and was not altered.
        secret_file: Option<String>,
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
        /// Recipient (the owner).
        to: String,
        /// Login name, if the server needs one.
        username: Option<String>,
        /// File holding the password.
        password_file: Option<String>,
    },
}

impl WitnessConfig {
    /// The witness kind, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            WitnessConfig::Dir { .. } => "dir",
            WitnessConfig::Webhook { .. } => "webhook",
            WitnessConfig::Smtp { .. } => "smtp",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witness_config_parses_and_rejects_unknown_keys() {
        let c: AuditConfig = toml::from_str(
            "checkpoint_every = 10\n[[witness]]\nkind = \"dir\"\npath = \"cp\"\n[[witness]]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"a@b.c\"\nto = \"d@e.f\"\n",
        )
        .unwrap();
        assert_eq!(c.every(), 10);
        assert_eq!(c.witness.len(), 2);
        let err = toml::from_str::<AuditConfig>(
            "[[witness]]\nkind = \"dir\"\npath = \"x\"\ncolour = 1\n",
        )
        .unwrap_err();
        assert!(err.message().contains("colour"), "{}", err.message());
        assert!(toml::from_str::<AuditConfig>("[[witness]]\nkind = \"ftp\"\n").is_err());
        let http: AuditConfig =
            toml::from_str("[[witness]]\nkind = \"webhook\"\nurl = \"http://x\"\n").unwrap();
        assert!(http.checked().is_err(), "plain HTTP webhooks are refused");
    }
}
