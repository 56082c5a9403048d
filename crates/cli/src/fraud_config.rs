//! `[gateways.*]` in `jaga.toml`: the payment gateways whose notifications
//! `POST /v1/webhooks/<name>` accepts, with their secrets in files of the data directory.
//!
//! ```toml
//! [gateways.midtrans]
//! server_key_file = "midtrans.key"
//! [gateways.stripe]
//! webhook_secret_file = "stripe.whsec"   # one whsec_… per line while rotating
//! tolerance_seconds = 300                # Stripe's default
//! [gateways.xendit]
//! callback_token_file = "xendit.token"
//! ```
//!
//! The files are read when the server starts; errors name the file, never its content.
//!
//! `[fraud]` holds the rule directory the server loads at start and on
//! `POST /v1/fraud/rules/reload`:
//!
//! ```toml
//! [fraud]
//! rules_dir = "fraud-rules"   # every *.toml, in name order; unset: the shipped defaults
//! ```

use anyhow::{Context, Result, bail};
use jaga_fraud::gateway::{GatewaySecrets, Secret};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `[fraud]`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FraudConfig {
    /// Directory of rule files (relative to the data directory).
    pub rules_dir: Option<String>,
}

impl FraudConfig {
    /// The rule source of the server: the directory's rules, read again on every reload.
    /// Checked once now, so a server never starts with rules it cannot load.
    pub fn source(&self, dir: &Path) -> Result<Option<jaga_core::vault::RulesSource>> {
        let Some(d) = &self.rules_dir else {
            return Ok(None);
        };
        let path = dir.join(d);
        crate::fraud_cmd::load_rules(Some(&path)).context("[fraud] rules_dir")?;
        Ok(Some(std::sync::Arc::new(move || {
            crate::fraud_cmd::load_rules(Some(&path)).map_err(|e| format!("{e:#}"))
        })))
    }
}

/// `[gateways]`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaysConfig {
    /// `[gateways.midtrans]`.
    pub midtrans: Option<MidtransConfig>,
    /// `[gateways.stripe]`.
    pub stripe: Option<StripeConfig>,
    /// `[gateways.xendit]`.
    pub xendit: Option<XenditConfig>,
}

/// `[gateways.midtrans]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MidtransConfig {
    /// The file holding the server key (relative to the data directory).
    pub server_key_file: String,
}

/// `[gateways.stripe]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeConfig {
    /// The file holding the endpoint secret(s), one per line.
    pub webhook_secret_file: String,
    /// How far the signature's timestamp may be from now, seconds (default 300).
    pub tolerance_seconds: Option<u32>,
}

/// `[gateways.xendit]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XenditConfig {
    /// The file holding the callback verification token.
    pub callback_token_file: String,
}

fn read(dir: &Path, file: &str, what: &str) -> Result<String> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("[gateways] reading the {what} from {}", path.display()))?;
    if text.trim().is_empty() {
        bail!("[gateways] {} is empty (the {what})", path.display());
    }
    Ok(text)
}

impl GatewaysConfig {
    /// Reads the secrets from their files.
    pub fn load(&self, dir: &Path) -> Result<GatewaySecrets> {
        let mut s = GatewaySecrets::default();
        if let Some(m) = &self.midtrans {
            let text = read(dir, &m.server_key_file, "Midtrans server key")?;
            s.midtrans = Secret::new(&text);
        }
        if let Some(st) = &self.stripe {
            let text = read(dir, &st.webhook_secret_file, "Stripe webhook secret")?;
            s.stripe = text.lines().filter_map(Secret::new).collect();
            if let Some(t) = st.tolerance_seconds {
                if t == 0 || t > 3600 {
                    bail!("[gateways.stripe] tolerance_seconds must be 1 to 3600");
                }
                s.stripe_tolerance_secs = Some(i64::from(t));
            }
        }
        if let Some(x) = &self.xendit {
            let text = read(dir, &x.callback_token_file, "Xendit callback token")?;
            s.xendit = Secret::new(&text);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_files_and_errors_never_show_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("stripe.whsec"), "whsec_a\nwhsec_b\n\n").unwrap();
        std::fs::write(dir.path().join("empty"), "  \n").unwrap();
        let cfg: GatewaysConfig = toml::from_str(
            "[stripe]\nwebhook_secret_file = \"stripe.whsec\"\ntolerance_seconds = 120\n",
        )
        .unwrap();
        let s = cfg.load(dir.path()).unwrap();
        assert_eq!(s.stripe.len(), 2);
        assert_eq!(s.stripe_tolerance_secs, Some(120));
        assert!(!format!("{s:?}").contains("whsec_a"));
        let cfg: GatewaysConfig =
            toml::from_str("[midtrans]\nserver_key_file = \"empty\"\n").unwrap();
        assert!(
            cfg.load(dir.path())
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let cfg: GatewaysConfig =
            toml::from_str("[xendit]\ncallback_token_file = \"missing\"\n").unwrap();
        assert!(cfg.load(dir.path()).is_err());
        assert!(toml::from_str::<GatewaysConfig>("[paypal]\nx = 1\n").is_err());
    }
}
