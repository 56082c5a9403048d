//! The data directory: creating it (`jaga init`), and opening the store and vault from it.

use crate::config::{Config, redact_url};
use anyhow::{Context, Result, bail};
use jaga_core::store::Store;
use jaga_core::unseal::UnsealConfig;
use jaga_core::vault::Vault;
use jaga_crypto::Key32;
use secrecy::{ExposeSecret, SecretString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How `jaga init` protects the root key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Root key in `root.key` (mode 0600); the server unseals itself.
    Keyfile,
    /// Root key wrapped under an Argon2id key from a passphrase; the server starts sealed.
    Passphrase,
    /// Root key split into Shamir shares held by people; stored nowhere; the server starts sealed.
    Shamir,
}

/// Writes a file readable by its owner only.
pub fn write_private(path: &Path, content: &[u8]) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(content)?;
    f.sync_all()?;
    Ok(())
}

fn unseal_path(dir: &Path) -> PathBuf {
    dir.join("unseal.json")
}

/// Whether the data directory has been initialised.
pub fn initialised(dir: &Path) -> bool {
    unseal_path(dir).exists()
}

/// Reads `unseal.json`.
pub fn unseal_config(dir: &Path) -> Result<UnsealConfig> {
    let p = unseal_path(dir);
    let text = std::fs::read_to_string(&p)
        .with_context(|| format!("{} is missing: run `jaga init` first", p.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid unseal file", p.display()))
}

/// Opens the store the URL names.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        return Ok(Arc::new(
            jaga_store_sqlite::SqliteStore::open(url)
                .await
                .with_context(|| format!("opening {}", redact_url(url)))?,
        ));
    }
    crate::postgres::open(url).await
}

/// Opens the store a configuration names: the main database alone, or, with segment databases
/// (`[segments.<name>] database_url`), every database (each migrated) behind one routing store
/// (`jaga_core::store::RoutingStore`). Refuses a layout where a segment's customers are in
/// the wrong database.
pub async fn open_cfg_store(cfg: &Config) -> Result<Arc<dyn Store>> {
    let main = open_store(&cfg.database_url).await?;
    if cfg.segments.is_empty() {
        return Ok(main);
    }
    let mut segments = Vec::with_capacity(cfg.segments.len());
    for (name, url) in cfg.databases() {
        let Some(name) = name else { continue };
        let store = open_store(url)
            .await
            .with_context(|| format!("[segments.{name}] database_url"))?;
        segments.push(jaga_core::store::SegmentDb {
            name: name.to_string(),
            store,
        });
    }
    let routing = jaga_core::store::RoutingStore::new(main, segments);
    routing.check_layout().await?;
    Ok(Arc::new(routing))
}

/// Options for `jaga init`.
pub struct InitOptions {
    /// Unseal method.
    pub method: Method,
    /// Shares to make (Shamir).
    pub shares: u8,
    /// Shares needed (Shamir).
    pub threshold: u8,
    /// Where to write share files (Shamir).
    pub shares_dir: PathBuf,
    /// Passphrase (passphrase method).
    pub passphrase: Option<SecretString>,
    /// The shop's name, written to `[shop] name` in the new `jaga.toml`.
    pub shop_name: Option<String>,
}

/// Creates the data directory: config, unseal material, TLS certificate, database, keyring.
pub async fn init(cfg: &Config, opts: &InitOptions) -> Result<()> {
    let dir = &cfg.data_dir;
    if initialised(dir) {
        bail!(
            "{} is already initialised (unseal.json exists)",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    // Refuse a database that already has a keyring: it belongs to another root key, and
    // initialising over it would leave keys nobody can unwrap.
    let store = open_store(&cfg.database_url).await?;
    if !store.keys_load().await?.is_empty() {
        bail!(
            "{} already holds a Jaga keyring from another installation; use its data directory or an empty database",
            redact_url(&cfg.database_url)
        );
    }
    let root = Key32::random();
    let check = UnsealConfig::encode_check(&jaga_crypto::unseal::root_check(&root));
    // Secret files are written last-but-one and removed again if anything after them fails, so
    // a failed init leaves nothing that blocks a retry.
    let mut secrets: Vec<(PathBuf, zeroize::Zeroizing<String>)> = Vec::new();
    let config = match opts.method {
        Method::Keyfile => {
            secrets.push((
                dir.join("root.key"),
                jaga_crypto::unseal::encode_key_file(&root),
            ));
            UnsealConfig::Keyfile {
                key_file: "root.key".into(),
                root_check: check,
            }
        }
        Method::Passphrase => {
            let pass = opts.passphrase.as_ref().context("a passphrase is needed")?;
            if pass.expose_secret().chars().count() < 12 {
                bail!("the passphrase must be at least 12 characters");
            }
            let params = jaga_crypto::unseal::PassphraseParams::new_default();
            let wrapped = jaga_crypto::unseal::wrap_with_passphrase(&root, pass, &params)?;
            use base64::Engine;
            UnsealConfig::Passphrase {
                params,
                wrapped_root: base64::engine::general_purpose::STANDARD.encode(wrapped),
                root_check: check,
            }
        }
        Method::Shamir => {
            let shares = jaga_crypto::unseal::split(&root, opts.threshold, opts.shares)?;
            std::fs::create_dir_all(&opts.shares_dir)?;
            for (i, s) in shares.iter().enumerate() {
                let path = opts.shares_dir.join(format!("share-{}.txt", i + 1));
                secrets.push((path, zeroize::Zeroizing::new(format!("{}\n", s.as_str()))));
            }
            UnsealConfig::Shamir {
                threshold: opts.threshold,
                shares: opts.shares,
                root_check: check,
                share_fingerprints: shares
                    .iter()
                    .map(|s| jaga_crypto::unseal::share_fingerprint(s))
                    .collect::<Result<_, _>>()?,
            }
        }
    };
    let mut written = Vec::new();
    let result = async {
        for (path, content) in &secrets {
            write_private(path, content.as_bytes())?;
            written.push(path.clone());
        }
        write_tls(cfg)?;
        Vault::initialize(store.as_ref(), &root).await?;
        write_private(
            &unseal_path(dir),
            serde_json::to_string_pretty(&config)?.as_bytes(),
        )?;
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = result {
        for path in &written {
            let _ = std::fs::remove_file(path);
        }
        return Err(e);
    }
    if !dir.join("jaga.toml").exists() {
        std::fs::write(
            dir.join("jaga.toml"),
            default_toml(opts.shop_name.as_deref()),
        )?;
    }
    Ok(())
}

/// The first `jaga.toml`: every setting commented out with its default, the shop's name set
/// when given.
fn default_toml(shop_name: Option<&str>) -> String {
    let name = match shop_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("name = {}", toml::Value::String(n.to_string())),
        None => {
            "# name = \"Toko Cantik\"                         # shown on letters and pages".into()
        }
    };
    format!(
        "{DEFAULT_TOML}\n[shop]\n{name}\n# time_zone = \"WIB\"                             # WIB (default), WITA, WIT or +07:00\n"
    )
}

/// Checks a shop name given at `jaga init`.
pub fn check_shop_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.chars().count() > 100 || n.chars().any(char::is_control) {
        bail!("the shop's name must be at most 100 characters on one line");
    }
    if jaga_core::guard::text_has_card_number(n) {
        bail!("the shop's name must not hold a payment card number");
    }
    Ok(n.to_string())
}

/// The shop's name for `jaga init`: `--shop-name`, else asked on the terminal (Enter skips).
pub fn shop_name(flag: Option<String>) -> Result<Option<String>> {
    if let Some(n) = flag {
        return Ok(Some(check_shop_name(&n)?).filter(|n| !n.is_empty()));
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Ok(None);
    }
    print!("Shop name, as customers know it / nama toko (e.g. Toko Cantik): ");
    std::io::Write::flush(&mut std::io::stdout())?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(Some(check_shop_name(&line)?).filter(|n| !n.is_empty()))
}

const DEFAULT_TOML: &str = r#"# Jaga configuration. Environment variables JAGA_* override these; flags override both.
# listen = "127.0.0.1:8443"                       # "0.0.0.0:8443": reachable from the shop's other PCs
# public_url = "https://kasir-pc:8443"            # the address in links (invitations); default from listen
# database_url = "sqlite://jaga-data/jaga.db"   # or postgres://user@host/db for several nodes
# tls_cert = "tls/cert.pem"                      # relative to the data directory
# tls_key = "tls/key.pem"
# body_limit = 1048576
# log_format = "text"                            # or "json"
"#;

fn write_tls(cfg: &Config) -> Result<()> {
    if cfg.tls_cert.exists() {
        return Ok(());
    }
    if let Some(parent) = cfg.tls_cert.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .context("generating the TLS certificate")?;
    std::fs::write(&cfg.tls_cert, cert.cert.pem())?;
    write_private(&cfg.tls_key, cert.key_pair.serialize_pem().as_bytes())?;
    Ok(())
}

/// Where the unseal secret for admin commands comes from.
#[derive(Debug, Default, Clone)]
pub struct UnsealInput {
    /// Share files (Shamir).
    pub share_files: Vec<PathBuf>,
}

/// Reads a passphrase from `JAGA_PASSPHRASE_FILE`, else from the terminal.
pub fn read_passphrase(confirm: bool) -> Result<SecretString> {
    if let Some(path) = std::env::var_os("JAGA_PASSPHRASE_FILE") {
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(&path).context("reading JAGA_PASSPHRASE_FILE")?,
        );
        return Ok(SecretString::from(text.trim_end_matches(['\n', '\r'])));
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("no terminal to ask for the passphrase: set JAGA_PASSPHRASE_FILE");
    }
    let p = zeroize::Zeroizing::new(rpassword::prompt_password("Passphrase / frasa sandi: ")?);
    if confirm {
        let again = zeroize::Zeroizing::new(rpassword::prompt_password("Again / ulangi: ")?);
        if *again != *p {
            bail!("the passphrases differ");
        }
    }
    Ok(SecretString::from(p.as_str()))
}

/// Reads Shamir shares from files, else from the terminal, one per line.
pub fn read_shares(input: &UnsealInput, threshold: u8) -> Result<Vec<zeroize::Zeroizing<String>>> {
    if !input.share_files.is_empty() {
        return input
            .share_files
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .map(zeroize::Zeroizing::new)
                    .with_context(|| format!("reading {}", p.display()))
            })
            .collect();
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("no terminal to ask for shares: pass --share-file for each share");
    }
    (1..=threshold)
        .map(|i| {
            Ok(zeroize::Zeroizing::new(rpassword::prompt_password(
                format!("Share {i}/{threshold}: "),
            )?))
        })
        .collect()
}

/// Opens the store and an unsealed vault for an admin command.
pub async fn open_unsealed(cfg: &Config, input: &UnsealInput) -> Result<Arc<Vault>> {
    let config = unseal_config(&cfg.data_dir)?;
    let store = open_cfg_store(cfg).await?;
    let vault = Arc::new(Vault::new(store, config.clone()));
    vault.set_text_policy(cfg.text_policy.clone());
    vault
        .set_ids_config(cfg.ids.clone())
        .map_err(|e| anyhow::anyhow!("[ids] {e}"))?;
    match &config {
        UnsealConfig::Keyfile { key_file, .. } => {
            vault
                .unseal_with_root(read_key_file(&cfg.data_dir, key_file)?)
                .await?
        }
        UnsealConfig::Passphrase { .. } => {
            vault
                .unseal_with_passphrase(&read_passphrase(false)?)
                .await?
        }
        UnsealConfig::Shamir { threshold, .. } => {
            for s in read_shares(input, *threshold)? {
                vault.submit_share(&s).await?;
            }
            if vault.is_sealed() {
                bail!("not enough shares: {} needed", threshold);
            }
        }
    }
    Ok(vault)
}

/// Reads the root key file named in `unseal.json`.
pub fn read_key_file(dir: &Path, key_file: &str) -> Result<Key32> {
    let path = if Path::new(key_file).is_absolute() {
        PathBuf::from(key_file)
    } else {
        dir.join(key_file)
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{} is readable by other users (mode {:o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    );
    Ok(jaga_crypto::unseal::decode_key_file(&text)?)
}
