//! Configuration: `jaga.toml` in the data directory < `JAGA_*` environment < command-line flags.
//! Unknown keys in the file are an error naming the key; secrets may come from `*_FILE`.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The configuration file's keys.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on, e.g. `127.0.0.1:8443`.
    pub listen: Option<String>,
    /// The address staff reach Jaga at, e.g. `https://jaga.toko.example`: the start of every
    /// link Jaga writes (default: from the listen address and the certificate).
    pub public_url: Option<String>,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: Option<String>,
    /// TLS certificate PEM path (relative to the data directory).
    pub tls_cert: Option<String>,
    /// TLS private key PEM path (relative to the data directory).
    pub tls_key: Option<String>,
    /// Largest request body in bytes.
    pub body_limit: Option<usize>,
    /// `text` or `json` log lines.
    pub log_format: Option<String>,
    /// The audit log: checkpoints, witnesses, the access review.
    pub audit: Option<jaga_jobs::config::AuditConfig>,
    /// `[redact]`: how identifiers in stored free text are handled.
    pub redact: Option<RedactConfig>,
    /// Trust `X-Forwarded-For` from a TLS-terminating proxy in front (client address for
    /// login throttling).
    pub behind_proxy: Option<bool>,
    /// Staff accounts, sessions and roles.
    pub staff: Option<StaffFileConfig>,
    /// `[limits]`: per-caller rate limits.
    pub limits: Option<LimitsConfig>,
    /// `[ids]`: intrusion-detection rules, thresholds and containment.
    pub ids: Option<jaga_core::ids::IdsConfig>,
    /// `[alerts]`: where alerts go (`[[alerts.channel]]`).
    pub alerts: Option<jaga_jobs::alerts::AlertsConfig>,
    /// `[shop]`: the shop's name and time zone.
    pub shop: Option<ShopConfig>,
    /// `[backup]`: recipients, scheduled backups, rotation, drills.
    pub backup: Option<jaga_backup::BackupConfig>,
    /// `[gateways.*]`: payment gateways whose notifications are verified and scored.
    pub gateways: Option<crate::fraud_config::GatewaysConfig>,
    /// `[fraud]`: the fraud monitor's rule directory.
    pub fraud: Option<crate::fraud_config::FraudConfig>,
    /// `[payouts]`: approval thresholds and the channel of change notices to payees.
    pub payouts: Option<jaga_jobs::payees::PayoutsConfig>,
    /// `[mail]`: the e-mail analyzer's own domains, trusted hosts, DKIM keys, known domains.
    pub mail: Option<crate::mail_config::MailConfig>,
    /// `[segments.<name>]`: segments kept in a database of their own.
    pub segments:
        Option<std::collections::BTreeMap<String, crate::segments_config::SegmentFileConfig>>,
}

/// `[shop]` in `jaga.toml`: what letters and pages call the shop, and its time zone.
///
/// ```toml
/// [shop]
/// name = "Toko Cantik"          # asked at `jaga init`
/// time_zone = "WIB"             # WIB (default), WITA, WIT, Asia/Jakarta, +07:00 …
/// ```
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopConfig {
    /// The shop's name.
    pub name: Option<String>,
    /// The shop's time zone.
    pub time_zone: Option<String>,
}

/// `[limits]` in `jaga.toml`: customer lookups per minute, per API key and per staff member
/// (`0` switches a limit off). Over the limit a lookup gets 429 with `Retry-After`, audited.
///
/// ```toml
/// [limits]
/// lookups_per_minute_api_key = 60   # default
/// lookups_per_minute_staff = 30     # default
/// ```
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Lookups per minute for each API key.
    pub lookups_per_minute_api_key: Option<u32>,
    /// Lookups per minute for each staff member.
    pub lookups_per_minute_staff: Option<u32>,
}

/// `[redact]` in `jaga.toml`.
///
/// ```toml
/// [redact]
/// min_score = 0.6          # findings below this are left alone (default 0.5)
/// [redact.notes]           # per kind: tokenize (default), mask, replace, hash, drop
/// NIK = "tokenize"
/// PHONE = "mask"
/// PERSON = "replace"
/// ```
///
/// CREDIT_CARD and CVV cannot be configured: they are refused (API, console) or dropped
/// (imports), never stored.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactConfig {
    /// Operators per entity kind for free text the vault stores (notes, imports).
    #[serde(default)]
    pub notes: std::collections::BTreeMap<jaga_redact::EntityKind, jaga_redact::Operator>,
    /// Minimum detector score.
    pub min_score: Option<f32>,
}

/// `[staff]` in `jaga.toml`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffFileConfig {
    /// Idle timeout of a staff session, minutes (default 30).
    pub idle_timeout_minutes: Option<i64>,
    /// Absolute session lifetime, hours (default 12).
    pub absolute_timeout_hours: Option<i64>,
    /// How recent a TOTP step-up must be for sensitive actions, minutes (default 5).
    pub step_up_minutes: Option<i64>,
    /// Argon2id memory, KiB (default and minimum 19456).
    pub argon2_memory_kib: Option<u32>,
    /// Argon2id iterations (default and minimum 2).
    pub argon2_iterations: Option<u32>,
    /// Argon2id lanes (default 1).
    pub argon2_parallelism: Option<u32>,
    /// Password hashes computed at once (default: half the cores, at least 1).
    pub hash_concurrency: Option<usize>,
    /// Name shown in authenticator apps (default `Jaga`).
    pub issuer: Option<String>,
    /// The shop's name: refused as the basis of staff passwords.
    pub shop_name: Option<String>,
    /// Version of the confidentiality agreement; raising it asks everyone to accept again.
    pub agreement_version: Option<String>,
    /// Agreement text in Bahasa Indonesia (path, relative to the data directory).
    pub agreement_file_id: Option<String>,
    /// Agreement text in English (path, relative to the data directory).
    pub agreement_file_en: Option<String>,
    /// Field-view overrides per role: `[staff.roles.cs_staff] national_id = "masked"`.
    pub roles:
        Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>>,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Listen address.
    pub listen: String,
    /// `public_url` as configured (checked, no trailing slash); `None`: derived from the
    /// listen address and the certificate ([`Config::public_url`]).
    pub public_url: Option<String>,
    /// Database URL (may hold a password: never print it whole).
    pub database_url: String,
    /// Segments with a database of their own (`[segments.<name>] database_url`), checked.
    pub segments: Vec<crate::segments_config::SegmentDbConfig>,
    /// TLS certificate path.
    pub tls_cert: PathBuf,
    /// TLS key path.
    pub tls_key: PathBuf,
    /// Body limit.
    pub body_limit: usize,
    /// Log format.
    pub log_format: String,
    /// Audit checkpoints and witnesses.
    pub audit: jaga_jobs::config::AuditConfig,
    /// The free-text policy (`[redact]`), applied on top of "tokenize everything".
    pub text_policy: jaga_redact::PolicySpec,
    /// Trust `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// Staff settings.
    pub staff: jaga_core::staff::StaffConfig,
    /// Lookup rate limits.
    pub lookup_limits: jaga_core::vault::LookupLimits,
    /// Intrusion detection.
    pub ids: jaga_core::ids::IdsConfig,
    /// Alert channels.
    pub alerts: jaga_jobs::alerts::AlertsConfig,
    /// The shop's name and time zone.
    pub shop: jaga_core::letter::Shop,
    /// `[backup]`, checked.
    pub backup: jaga_backup::BackupConfig,
    /// `[gateways.*]` (the secret files are read by `jaga serve`).
    pub gateways: crate::fraud_config::GatewaysConfig,
    /// `[fraud]`.
    pub fraud: crate::fraud_config::FraudConfig,
    /// `[payouts]` as written (its notice channel).
    pub payouts: jaga_jobs::payees::PayoutsConfig,
    /// The payout thresholds from `[payouts]`, checked.
    pub payout_policy: jaga_core::payouts::PayoutPolicy,
    /// The e-mail analyzer's context from `[mail]`, checked (its files read).
    pub mail: jaga_mail::Context,
}

impl Config {
    /// Every database this configuration uses: the main one (`None`) first, then each
    /// segment's (`Some(name)`). URLs may hold passwords: print them through [`redact_url`].
    /// Backups and migrations go over this list.
    pub fn databases(&self) -> Vec<(Option<&str>, &str)> {
        std::iter::once((None, self.database_url.as_str()))
            .chain(
                self.segments
                    .iter()
                    .map(|s| (Some(s.name.as_str()), s.database_url.as_str())),
            )
            .collect()
    }
}

/// Overrides given as flags.
#[derive(Debug, Default, Clone)]
pub struct Flags {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

const KNOWN_ENV: &[&str] = &[
    "JAGA_DATA_DIR",
    "JAGA_LISTEN",
    "JAGA_PUBLIC_URL",
    "JAGA_DATABASE_URL",
    "JAGA_DATABASE_URL_FILE",
    "JAGA_TLS_CERT",
    "JAGA_TLS_KEY",
    "JAGA_BODY_LIMIT",
    "JAGA_LOG_FORMAT",
    "JAGA_STAFF_IDLE_TIMEOUT_SECS",
    "JAGA_BEHIND_PROXY",
    "JAGA_LOG",
    "JAGA_PASSPHRASE_FILE",
    "JAGA_TEST_POSTGRES_URL",
    "JAGA_REQUIRE_POSTGRES",
    "JAGA_UPDATE_OPENAPI",
];

fn env(name: &str) -> Result<Option<String>> {
    if let Ok(v) = std::env::var(name) {
        return Ok(Some(v));
    }
    let file_var = format!("{name}_FILE");
    match std::env::var(&file_var) {
        Ok(path) => Ok(Some(
            std::fs::read_to_string(&path)
                .with_context(|| format!("reading {file_var}={path}"))?
                .trim()
                .to_string(),
        )),
        Err(_) => Ok(None),
    }
}

/// The data directory: `--data-dir` > `JAGA_DATA_DIR` > `./jaga-data`.
pub fn data_dir(flags: &Flags) -> PathBuf {
    flags
        .data_dir
        .clone()
        .or_else(|| std::env::var_os("JAGA_DATA_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("jaga-data"))
}

/// Reads `jaga.toml` if present.
pub fn read_file(dir: &Path) -> Result<FileConfig> {
    let path = dir.join("jaga.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| file_error(&path, &text, &e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// A configuration file error naming the file, the line and the key (with its table), e.g.
/// `jaga-data/jaga.toml, line 3, key staff.idle_timeout_minutes: invalid type: string "30",
/// expected i64`.
fn file_error(path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let Some(span) = e.span() else {
        return anyhow::anyhow!("{}: {}", path.display(), e.message());
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    // The table the line is in: the last `[header]` above it.
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.starts_with("[["))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let key = match (table, key) {
        (Some(t), Some(k)) => format!(", key {t}.{k}"),
        (None, Some(k)) => format!(", key {k}"),
        _ => String::new(),
    };
    anyhow::anyhow!(
        "{}, line {line_no}{key}: {}",
        path.display(),
        e.message().trim()
    )
}

/// Resolves the effective configuration.
pub fn load(flags: &Flags) -> Result<Config> {
    for (k, _) in std::env::vars() {
        if k.starts_with("JAGA_") && !KNOWN_ENV.contains(&k.as_str()) && !k.ends_with("_FILE") {
            tracing::warn!(variable = %k, "unknown JAGA_* environment variable ignored (typo?)");
        }
    }
    let dir = data_dir(flags);
    let file = read_file(&dir)?;
    let pick = |flag: Option<String>,
                env_name: &str,
                file_val: Option<String>|
     -> Result<Option<String>> { Ok(flag.or(env(env_name)?).or(file_val)) };
    let listen = pick(flags.listen.clone(), "JAGA_LISTEN", file.listen)?
        .unwrap_or_else(|| "127.0.0.1:8443".into());
    let database_url = pick(
        flags.database_url.clone(),
        "JAGA_DATABASE_URL",
        file.database_url,
    )?
    .unwrap_or_else(|| format!("sqlite://{}", dir.join("jaga.db").display()));
    let rel = |p: String| {
        if Path::new(&p).is_absolute() {
            PathBuf::from(p)
        } else {
            dir.join(p)
        }
    };
    let tls_cert =
        rel(pick(None, "JAGA_TLS_CERT", file.tls_cert)?.unwrap_or_else(|| "tls/cert.pem".into()));
    let tls_key =
        rel(pick(None, "JAGA_TLS_KEY", file.tls_key)?.unwrap_or_else(|| "tls/key.pem".into()));
    let body_limit = match env("JAGA_BODY_LIMIT")? {
        Some(v) => v
            .parse()
            .context("JAGA_BODY_LIMIT must be a number of bytes")?,
        None => file.body_limit.unwrap_or(1024 * 1024),
    };
    let log_format =
        pick(None, "JAGA_LOG_FORMAT", file.log_format)?.unwrap_or_else(|| "text".into());
    if !["text", "json"].contains(&log_format.as_str()) {
        bail!("log_format must be text or json");
    }
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://"))
    {
        bail!("database_url must start with sqlite:// or postgres://");
    }
    let redact = file.redact.unwrap_or_default();
    if let Some(k) = redact.notes.keys().find(|k| k.is_never_store()) {
        bail!(
            "[redact.notes] {k}: card numbers and CVVs cannot be configured; they are never stored"
        );
    }
    if redact.min_score.is_some_and(|m| !(0.0..=1.0).contains(&m)) {
        bail!("[redact] min_score must be between 0 and 1");
    }
    let text_policy = jaga_redact::PolicySpec {
        operators: redact.notes,
        min_score: redact.min_score,
    };
    listen
        .parse::<std::net::SocketAddr>()
        .with_context(|| "listen must be an address such as 127.0.0.1:8443")?;
    let public_url = pick(None, "JAGA_PUBLIC_URL", file.public_url)?
        .map(|u| crate::public_url::check(&u))
        .transpose()?;
    let behind_proxy = match env("JAGA_BEHIND_PROXY")? {
        Some(v) => matches!(v.as_str(), "1" | "true" | "yes"),
        None => file.behind_proxy.unwrap_or(false),
    };
    let shop_file = file.shop.unwrap_or_default();
    let staff_file = file.staff.unwrap_or_default();
    let shop = jaga_core::letter::Shop {
        name: shop_file
            .name
            .or_else(|| staff_file.shop_name.clone())
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        zone: match shop_file.time_zone {
            Some(z) => jaga_i18n::Zone::parse(&z).map_err(|e| anyhow::anyhow!("[shop] {e}"))?,
            None => jaga_i18n::Zone::default(),
        },
    };
    if let Some(n) = &shop.name
        && (n.chars().count() > 100 || n.chars().any(char::is_control))
    {
        bail!("[shop] name must be at most 100 characters on one line");
    }
    let mut staff = staff_config(staff_file, &dir)?;
    if let Some(n) = &shop.name
        && !staff.context_words.contains(n)
    {
        // The shop's name is refused as the basis of staff passwords.
        staff.context_words.push(n.clone());
    }
    let limits = file.limits.unwrap_or_default();
    let defaults = jaga_core::vault::LookupLimits::default();
    let lookup_limits = jaga_core::vault::LookupLimits {
        api_key_per_minute: limits
            .lookups_per_minute_api_key
            .unwrap_or(defaults.api_key_per_minute),
        staff_per_minute: limits
            .lookups_per_minute_staff
            .unwrap_or(defaults.staff_per_minute),
    };
    let payouts = file.payouts.unwrap_or_default();
    let payout_policy = payouts
        .policy()
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.join("jaga.toml").display()))?;
    let mail = file
        .mail
        .unwrap_or_default()
        .context(&dir)
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.join("jaga.toml").display()))?;
    let segments =
        crate::segments_config::check(file.segments.unwrap_or_default(), &database_url, &dir)
            .map_err(|e| anyhow::anyhow!("{}: {e}", dir.join("jaga.toml").display()))?;
    let backup = file
        .backup
        .unwrap_or_default()
        .checked()
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.join("jaga.toml").display()))?;
    Ok(Config {
        data_dir: dir,
        listen,
        public_url,
        database_url,
        segments,
        tls_cert,
        tls_key,
        body_limit,
        log_format,
        audit: file.audit.unwrap_or_default().checked()?,
        text_policy,
        behind_proxy,
        staff,
        lookup_limits,
        ids: file
            .ids
            .unwrap_or_default()
            .checked()
            .map_err(|e| anyhow::anyhow!("[ids] {e}"))?,
        alerts: file.alerts.unwrap_or_default().checked()?,
        shop,
        backup,
        gateways: file.gateways.unwrap_or_default(),
        fraud: file.fraud.unwrap_or_default(),
        payouts,
        payout_policy,
        mail,
    })
}

impl Config {
    /// The effective `public_url` for a server listening on `addr`: as configured, else from
    /// the address and the certificate ([`crate::public_url::default_for`]).
    pub fn public_url_for(&self, addr: std::net::SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            let pem = std::fs::read(&self.tls_cert).ok();
            crate::public_url::default_for(addr, pem.as_deref())
        })
    }

    /// The effective `public_url` of the configured listen address (for links the CLI prints).
    pub fn public_url(&self) -> String {
        match self.listen.parse() {
            Ok(addr) => self.public_url_for(addr),
            Err(_) => format!("https://{}", self.listen),
        }
    }
}

/// Builds the staff settings from `[staff]`, checking every value.
pub fn staff_config(f: StaffFileConfig, dir: &Path) -> Result<jaga_core::staff::StaffConfig> {
    use jaga_core::staff::{Policies, StaffConfig};
    let mut c = StaffConfig::default();
    let positive = |v: i64, what: &str| -> Result<i64> {
        if v <= 0 {
            bail!("staff.{what} must be positive");
        }
        Ok(v)
    };
    if let Some(v) = f.idle_timeout_minutes {
        c.idle_timeout_ms = positive(v, "idle_timeout_minutes")? * 60_000;
    }
    // Seconds, for tests of the idle timeout (the browser tests use a few seconds).
    if let Some(v) = env("JAGA_STAFF_IDLE_TIMEOUT_SECS")? {
        let secs: i64 = v
            .parse()
            .context("JAGA_STAFF_IDLE_TIMEOUT_SECS must be a number of seconds")?;
        c.idle_timeout_ms = positive(secs, "idle timeout (JAGA_STAFF_IDLE_TIMEOUT_SECS)")? * 1000;
    }
    if let Some(v) = f.absolute_timeout_hours {
        c.absolute_timeout_ms = positive(v, "absolute_timeout_hours")? * 3_600_000;
    }
    if let Some(v) = f.step_up_minutes {
        c.step_up_window_ms = positive(v, "step_up_minutes")? * 60_000;
    }
    let p = jaga_crypto::password::PasswordParams {
        m_kib: f.argon2_memory_kib.unwrap_or(c.password_params.m_kib),
        t: f.argon2_iterations.unwrap_or(c.password_params.t),
        p: f.argon2_parallelism.unwrap_or(c.password_params.p),
    };
    c.password_params = p.checked().map_err(|_| {
        anyhow::anyhow!("staff.argon2_* are below the OWASP minimum (m=19456 KiB, t=2, p=1)")
    })?;
    if let Some(n) = f.hash_concurrency {
        if n == 0 {
            bail!("staff.hash_concurrency must be at least 1");
        }
        c.hash_concurrency = n;
    }
    if let Some(i) = f.issuer {
        c.issuer = i;
    }
    if let Some(n) = f.shop_name {
        c.context_words.push(n);
    }
    let read = |p: &str| -> Result<String> {
        let path = if Path::new(p).is_absolute() {
            PathBuf::from(p)
        } else {
            dir.join(p)
        };
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    if let Some(p) = f.agreement_file_id {
        c.agreement.text_id = read(&p)?;
    }
    if let Some(p) = f.agreement_file_en {
        c.agreement.text_en = read(&p)?;
    }
    if let Some(v) = f.agreement_version {
        c.agreement.version = v;
    } else if c.agreement != jaga_core::staff::Agreement::default() {
        bail!("staff.agreement_version must be set when the agreement text is replaced");
    }
    if let Some(roles) = f.roles {
        c.policies =
            Policies::with_overrides(&roles).map_err(|e| anyhow::anyhow!("staff.roles: {e}"))?;
    }
    Ok(c)
}

/// The database URL without any password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_file_keys_are_named() {
        let err =
            toml::from_str::<FileConfig>("listen = \"127.0.0.1:1\"\nlisten_port = 5").unwrap_err();
        assert!(err.message().contains("listen_port"), "{}", err.message());
    }

    #[test]
    fn redact_policy_keys_are_checked() {
        let ok: FileConfig = toml::from_str(
            "[redact]\nmin_score = 0.6\n[redact.notes]\nNIK = \"mask\"\nPERSON = \"replace\"",
        )
        .unwrap();
        let r = ok.redact.unwrap();
        assert_eq!(
            r.notes[&jaga_redact::EntityKind::Nik],
            jaga_redact::Operator::Mask
        );
        for bad in [
            "[redact.notes]\nNIKK = \"mask\"",
            "[redact.notes]\nNIK = \"encrypt\"",
            "[redact]\nnotez = {}",
        ] {
            assert!(toml::from_str::<FileConfig>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact_url("postgres://jaga:s3cret@db:5432/jaga"),
            "postgres://***@db:5432/jaga"
        );
        assert_eq!(
            redact_url("sqlite://jaga-data/jaga.db"),
            "sqlite://jaga-data/jaga.db"
        );
    }
}
