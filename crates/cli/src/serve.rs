//! `jaga serve`.

use crate::config::{self, Config, Flags, redact_url};
use crate::datadir::{self, Method};
use anyhow::{Context, Result};
use jaga_core::vault::Vault;
use jaga_jobs::Runner;
use jaga_jobs::checkpoint::{CheckpointJob, SignerFiles, WitnessJob};
use jaga_jobs::delivery::Witnesses;
use jaga_jobs::review::{ReviewJob, ReviewSchedule};
use jaga_jobs::upkeep::{KeyringRefreshJob, RefusalSummaryJob, SessionPurgeJob};
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
    let vault = Arc::new(Vault::new(store.clone(), unseal.clone()));
    vault.set_text_policy(cfg.text_policy.clone());
    vault.set_lookup_limits(cfg.lookup_limits);
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
    let signer = jaga_jobs::checkpoint::SignerFiles::open_or_create(
        &cfg.data_dir,
        cfg.audit.origin.as_deref(),
    )?;
    let verifier = signer.verifier().clone();
    let staff = Arc::new(jaga_core::staff::StaffService::new(
        vault.clone(),
        cfg.staff.clone(),
    ));
    let jobs = jobs(&cfg, store, &vault, &staff, signer)?;
    let state = AppState::with_staff(
        vault.clone(),
        ServerConfig {
            body_limit: cfg.body_limit,
            behind_proxy: cfg.behind_proxy,
        },
        staff,
    );
    // The console's "verify now" checks checkpoint signatures with the pinned key.
    let _ = state.audit_verifier.set(verifier);
    let app = jaga_console::app(state);
    let tls = TlsFiles {
        cert_pem: std::fs::read(&cfg.tls_cert)
            .with_context(|| format!("reading {}", cfg.tls_cert.display()))?,
        key_pem: std::fs::read(&cfg.tls_key)
            .with_context(|| format!("reading {}", cfg.tls_key.display()))?,
    };
    let addr = cfg.listen.parse().context("listen address")?;
    let running = jobs.start();
    println!(
        "Jaga is serving / Jaga berjalan: https://{addr}  (sealed: {})",
        vault.is_sealed()
    );
    tracing::info!(%addr, "serving HTTPS");
    jaga_server::serve(app, addr, tls, shutdown_signal())
        .await
        .context("serving")?;
    // A last checkpoint covering everything appended before shutdown, a last retry of the
    // witnesses, and the singleton leases given back for the other nodes.
    if !running.stop(Duration::from_secs(30)).await {
        tracing::warn!("the background jobs did not finish in 30 s (e.g. the final checkpoint)");
    }
    vault.seal();
    tracing::info!("stopped; key material dropped from memory");
    Ok(())
}

/// The background jobs every `jaga serve` node runs (see `jaga_jobs`).
fn jobs(
    cfg: &Config,
    store: Arc<dyn jaga_core::store::Store>,
    vault: &Arc<Vault>,
    staff: &Arc<jaga_core::staff::StaffService>,
    signer: SignerFiles,
) -> Result<Runner> {
    let witnesses = Arc::new(tokio::sync::Mutex::new(Witnesses::new(
        &cfg.data_dir,
        cfg.audit.witness.clone(),
    )?));
    let mut runner = Runner::new(store.clone());
    runner
        .add(WitnessJob::new(
            store.clone(),
            signer.verifier(),
            witnesses.clone(),
        ))
        .add(ReviewJob::new(
            vault.clone(),
            crate::report_cmd::caller(),
            cfg.staff.policies.clone(),
            ReviewSchedule::new(&cfg.data_dir, cfg.audit.review_days()),
            witnesses.clone(),
        ))
        .add(SessionPurgeJob(staff.clone()))
        .add(KeyringRefreshJob(vault.clone()))
        .add(RefusalSummaryJob(vault.clone()))
        .add(CheckpointJob::new(
            store,
            signer,
            witnesses,
            cfg.audit.clone(),
        ));
    Ok(runner)
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
