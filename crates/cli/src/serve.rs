//! `jaga serve`.

use crate::config::{self, Config, Flags, redact_url};
use crate::datadir::{self, Method};
use anyhow::{Context, Result};
use jaga_core::vault::Vault;
use jaga_server::{AppState, ServerConfig, TlsFiles};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Sets up logging: `JAGA_LOG` filter (default `info`), text or JSON lines, to stderr.
pub fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JAGA_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        b.json().try_init()
    } else {
        b.try_init()
    };
}

/// Prints where everything is and what to do next.
pub fn print_summary(cfg: &Config, method: Method, shares_dir: Option<&Path>) {
    let d = cfg.data_dir.display();
    println!("Jaga data directory / direktori data: {d}");
    println!("  config      {d}/jaga.toml");
    println!("  database    {}", redact_url(&cfg.database_url));
    println!("  TLS cert    {}", cfg.tls_cert.display());
    match method {
        Method::Keyfile => println!(
            "  root key    {d}/root.key  (mode 0600: back it up offline; whoever has it and the database can read all data)"
        ),
        Method::Passphrase => {
            println!("  unseal      passphrase (the server starts sealed: run `jaga unseal`)")
        }
        Method::Shamir => println!(
            "  unseal      Shamir shares in {} — give each to a different person, then delete them from this machine",
            shares_dir
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
    }
    println!();
    println!("Create an API key / buat kunci API:");
    println!("  jaga apikey create --name shop-backend --scopes customers:write,customers:read");
}

/// Runs the server until SIGTERM or Ctrl-C.
pub async fn run(flags: &Flags) -> Result<()> {
    let cfg = config::load(flags)?;
    init_logging(&cfg.log_format);
    if !datadir::initialised(&cfg.data_dir) {
        datadir::init(
            &cfg,
            &datadir::InitOptions {
                method: Method::Keyfile,
                shares: 0,
                threshold: 0,
                shares_dir: cfg.data_dir.clone(),
                passphrase: None,
            },
        )
        .await?;
        println!("First run: initialised a new vault / pertama kali: brankas baru dibuat.");
        print_summary(&cfg, Method::Keyfile, None);
        crate::staff_cmd::print_bootstrap(&cfg).await?;
    }
    let unseal = datadir::unseal_config(&cfg.data_dir)?;
    let store = datadir::open_store(&cfg.database_url).await?;
    let vault = Arc::new(Vault::new(store, unseal.clone()));
    vault.set_text_policy(cfg.text_policy.clone());
    if let jaga_core::unseal::UnsealConfig::Keyfile { key_file, .. } = &unseal {
        vault
            .unseal_with_root(datadir::read_key_file(&cfg.data_dir, key_file)?)
            .await
            .context("unsealing with the key file")?;
    } else {
        tracing::warn!(
            method = unseal.method(),
            "vault is sealed: run `jaga unseal` to supply the passphrase or shares"
        );
    }
    // The audit signer's key lives in the data directory, never in the database.
    let signer = crate::checkpointer::SignerFiles::open_or_create(
        &cfg.data_dir,
        cfg.audit.origin.as_deref(),
    )?;
    let verifier = signer.verifier().clone();
    let witnesses = crate::witness::Witnesses::new(&cfg.data_dir, cfg.audit.witness.clone())?;
    let (stop_checkpointer, stop_rx) = tokio::sync::watch::channel(false);
    let checkpointer = tokio::spawn(crate::checkpointer::run(
        vault.store().clone(),
        signer,
        witnesses,
        cfg.audit.clone(),
        cfg.staff.policies.clone(),
        stop_rx,
    ));
    let staff = Arc::new(jaga_core::staff::StaffService::new(
        vault.clone(),
        cfg.staff.clone(),
    ));
    let state = AppState::with_staff(
        vault.clone(),
        ServerConfig {
            body_limit: cfg.body_limit,
            behind_proxy: cfg.behind_proxy,
        },
        staff.clone(),
    );
    // The console's "verify now" checks checkpoint signatures with the pinned key.
    let _ = state.audit_verifier.set(verifier);
    tokio::spawn(async move {
        // Drop expired staff sessions (they are refused anyway; this keeps the table small).
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = staff.purge_sessions().await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
    let app = jaga_console::app(state);
    let tls = TlsFiles {
        cert_pem: std::fs::read(&cfg.tls_cert)
            .with_context(|| format!("reading {}", cfg.tls_cert.display()))?,
        key_pem: std::fs::read(&cfg.tls_key)
            .with_context(|| format!("reading {}", cfg.tls_key.display()))?,
    };
    let refresher = vault.clone();
    tokio::spawn(async move {
        // Pick up key rotations made by `jaga keys rotate` or another node.
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if !refresher.is_sealed()
                && let Err(e) = refresher.refresh_keyring().await
            {
                tracing::warn!(error = %e, "keyring refresh failed");
            }
        }
    });
    let addr = cfg.listen.parse().context("listen address")?;
    println!(
        "Jaga is serving / Jaga berjalan: https://{addr}  (sealed: {})",
        vault.is_sealed()
    );
    tracing::info!(%addr, "serving HTTPS");
    jaga_server::serve(app, addr, tls, shutdown_signal())
        .await
        .context("serving")?;
    // A last checkpoint covering everything appended before shutdown.
    let _ = stop_checkpointer.send(true);
    if tokio::time::timeout(Duration::from_secs(30), checkpointer)
        .await
        .is_err()
    {
        tracing::warn!("the final audit checkpoint did not finish in 30 s");
    }
    vault.seal();
    tracing::info!("stopped; key material dropped from memory");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; draining connections");
}
