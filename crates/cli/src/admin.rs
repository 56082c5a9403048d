//! Administrator subcommands: API keys, key rotation, remote unseal.

use crate::config::{self, Flags};
use crate::datadir::{self, UnsealInput};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use jaga_core::auth::{Caller, OperatorTask, Scope};
use jaga_core::unseal::UnsealConfig;
use secrecy::ExposeSecret;

/// `jaga apikey …`
#[derive(Subcommand)]
pub enum ApikeyCmd {
    /// Create a key; it is printed once and only a digest is stored.
    Create {
        /// A name for the key, e.g. shop-backend.
        #[arg(long)]
        name: String,
        #[arg(long, help = scopes_help())]
        scopes: String,
        /// Expire after this many days.
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List keys (never the keys themselves).
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by id.
    Revoke {
        /// The key id (the part after `jaga_`).
        id: String,
    },
}

/// The `--scopes` help: every scope that exists, with what it opens.
fn scopes_help() -> String {
    let mut s =
        String::from("Comma-separated scopes, e.g. customers:write,customers:read. Every scope:");
    for scope in Scope::ALL {
        s.push_str(&format!("\n  {}", scope.name()));
    }
    s
}

/// `jaga keys …`
#[derive(Subcommand)]
pub enum KeysCmd {
    /// Add a new key-encryption key and re-wrap every customer key to it (no downtime).
    Rotate,
    /// Show KEK versions and how many customer keys each wraps.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Retire a decrypt-only version that no customer key uses any more.
    Retire {
        /// The version to retire.
        version: u32,
    },
}

/// The operator managing `task` (API keys or the keyring) at the machine.
fn cli_caller(task: OperatorTask) -> Caller {
    Caller::operator(task)
}

/// Runs an API key subcommand.
pub async fn apikey(flags: &Flags, input: &UnsealInput, cmd: ApikeyCmd) -> Result<()> {
    let cfg = config::load(flags)?;
    let vault = datadir::open_unsealed(&cfg, input).await?;
    match cmd {
        ApikeyCmd::Create {
            name,
            scopes,
            expires_days,
        } => {
            let scopes = Scope::parse_list(&scopes).map_err(|bad| {
                anyhow::anyhow!(
                    "unknown scope `{bad}`; known: {}",
                    Scope::ALL.map(|s| s.name()).join(", ")
                )
            })?;
            let expires = expires_days.map(|d| jaga_core::now_ms() + i64::from(d) * 86_400_000);
            let key = vault
                .apikey_create(&cli_caller(OperatorTask::ApiKeys), &name, &scopes, expires)
                .await?;
            eprintln!(
                "API key created (id {}). It is shown only once — store it in your backend's secret store:",
                key.id
            );
            eprintln!(
                "Kunci API dibuat. Hanya ditampilkan sekali — simpan di tempat rahasia backend Anda:"
            );
            println!("{}", key.token.expose_secret());
        }
        ApikeyCmd::List { json } => {
            let keys = vault.apikey_list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                println!(
                    "{:<12} {:<20} {:<8} {:<25} SCOPES",
                    "ID", "NAME", "STATE", "LAST USED"
                );
                for k in keys {
                    let state = if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!(
                        "{:<12} {:<20} {:<8} {:<25} {}",
                        k.id,
                        k.name,
                        state,
                        k.last_used_at.unwrap_or_else(|| "never".into()),
                        k.scopes.join(",")
                    );
                }
            }
        }
        ApikeyCmd::Revoke { id } => {
            vault
                .apikey_revoke(&cli_caller(OperatorTask::ApiKeys), &id)
                .await
                .map_err(|e| match e {
                    jaga_core::CoreError::NotFound => {
                        anyhow::anyhow!("no active API key with id {id}")
                    }
                    other => other.into(),
                })?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

/// Runs a key-management subcommand.
pub async fn keys(flags: &Flags, input: &UnsealInput, cmd: KeysCmd) -> Result<()> {
    let cfg = config::load(flags)?;
    let vault = datadir::open_unsealed(&cfg, input).await?;
    match cmd {
        KeysCmd::Rotate => {
            let v = vault.rotate_kek(&cli_caller(OperatorTask::Keys)).await?;
            println!("new key-encryption key v{v} is active; re-wrapping customer keys…");
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} customer keys re-wrapped ({eta} left)",
                )
                .expect("template"),
            );
            let done = vault
                .rewrap_all(&cli_caller(OperatorTask::Keys), |p| {
                    bar.set_length(p.total);
                    bar.set_position(p.done);
                })
                .await?;
            bar.finish();
            println!(
                "done: {} customer keys now wrapped under v{v}. Older versions are decrypt-only; retire them with `jaga keys retire N`.",
                done.done
            );
        }
        KeysCmd::Status { json } => {
            let status = vault.key_status().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!("{:<8} {:<13} {:>10}  CREATED", "VERSION", "STATE", "DEKS");
                for s in status {
                    println!(
                        "v{:<7} {:<13} {:>10}  {}",
                        s.version, s.state, s.deks, s.created_at
                    );
                }
            }
        }
        KeysCmd::Retire { version } => {
            vault
                .retire_kek(&cli_caller(OperatorTask::Keys), version)
                .await
                .map_err(|e| match e {
                    jaga_core::CoreError::Conflict(m) => {
                        anyhow::anyhow!("cannot retire v{version}: {m}")
                    }
                    jaga_core::CoreError::NotFound => anyhow::anyhow!("no key version v{version}"),
                    other => other.into(),
                })?;
            println!("v{version} retired: its key material is deleted");
        }
    }
    Ok(())
}

/// Sends unseal material to a running server.
pub async fn unseal_remote(flags: &Flags, input: &UnsealInput, url: Option<&str>) -> Result<()> {
    let cfg = config::load(flags)?;
    let url = url
        .map(String::from)
        .unwrap_or_else(|| crate::public_url::local_url(&cfg.listen));
    let unseal = datadir::unseal_config(&cfg.data_dir)?;
    let mut client = reqwest::Client::builder().use_rustls_tls();
    if let Ok(pem) = std::fs::read(&cfg.tls_cert) {
        client = client.add_root_certificate(
            reqwest::Certificate::from_pem(&pem).context("reading the TLS certificate")?,
        );
    }
    let client = client
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(60))
        .build()?;
    let base = url.trim_end_matches('/');
    let endpoint = format!("{base}/v1/sys/unseal");
    // Reach the server before asking for any secret: nobody types a passphrase only to learn
    // that the server is not running.
    if !matches!(unseal, UnsealConfig::Keyfile { .. }) {
        client
            .get(format!("{base}/v1/sys/seal-status"))
            .send()
            .await
            .map_err(|e| unreachable_server(&url, &e))?;
    }
    // The passphrase or shares go straight from their zeroizing holders into the request body;
    // no long-lived JSON value keeps a copy.
    let secrets: Vec<(&str, zeroize::Zeroizing<String>)> = match &unseal {
        UnsealConfig::Keyfile { .. } => {
            bail!("this installation uses a key file: the server unseals itself at start")
        }
        UnsealConfig::Passphrase { .. } => vec![(
            "passphrase",
            zeroize::Zeroizing::new(datadir::read_passphrase(false)?.expose_secret().to_string()),
        )],
        UnsealConfig::Shamir { threshold, .. } => datadir::read_shares(input, *threshold)?
            .into_iter()
            .map(|s| ("share", zeroize::Zeroizing::new(s.trim().to_string())))
            .collect(),
    };
    let mut last = serde_json::Value::Null;
    for (kind, secret) in &secrets {
        let body = std::collections::BTreeMap::from([(*kind, secret.as_str())]);
        let res = client
            .post(&endpoint)
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable_server(&url, &e))?;
        let status = res.status();
        last = res.json().await.unwrap_or_default();
        if !status.is_success() {
            bail!(
                "the server refused: {}",
                last["detail"].as_str().unwrap_or("unknown error")
            );
        }
    }
    if last["sealed"] == serde_json::Value::Bool(false) {
        println!("unsealed / brankas terbuka");
        Ok(())
    } else {
        bail!(
            "still sealed: {} of {} shares received",
            last["progress"],
            last["threshold"]
        )
    }
}

/// What to say when the server cannot be reached: the address tried, whether `jaga serve` runs,
/// and how to point elsewhere, instead of a chain of network errors.
pub fn unreachable_server(url: &str, e: &reqwest::Error) -> anyhow::Error {
    let why = if e.is_connect() {
        "nothing answers there / tidak ada yang menjawab"
    } else if e.is_timeout() {
        "it did not answer in time / tidak menjawab tepat waktu"
    } else {
        "the connection failed (a certificate this installation does not know?) / koneksi gagal"
    };
    anyhow::anyhow!(
        "could not reach the Jaga server at {url} ({why}): is `jaga serve` running?\n\
         Start it (with the same --data-dir), or point elsewhere with --url https://HOST:PORT \
         (or `listen` in jaga.toml / JAGA_LISTEN).\n\
         Apakah `jaga serve` berjalan? Jalankan dulu, atau arahkan ke alamat lain dengan --url."
    )
}
