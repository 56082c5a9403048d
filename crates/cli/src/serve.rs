//! `jaga serve`.

use crate::config::{self, Config, Flags, redact_url};
use crate::datadir::{self, Method};
use anyhow::{Context, Result};
use jaga_core::vault::Vault;
use jaga_jobs::Runner;
use jaga_jobs::checkpoint::{CheckpointJob, SignerFiles, WitnessJob};
use jaga_jobs::delivery::Witnesses;
use jaga_jobs::lifecycle::{BackupJob, BackupSetup, DrillJob, ErasureLedgerJob};
use jaga_jobs::review::{ReviewJob, ReviewSchedule};
use jaga_jobs::upkeep::{KeyringRefreshJob, RefusalSummaryJob, SessionPurgeJob};
use jaga_server::{AppState, ServerConfig, TlsFiles};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Sets up logging: `JAGA_LOG` filter (default `info`), text or JSON lines, to stderr; colour
/// codes only when stderr is a terminal (never in a log file or journal).
pub fn init_logging(format: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("JAGA_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
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

/// Binds the listen address, or says plainly why not and what to do (before anything is
/// announced or initialised).
pub fn bind(addr: SocketAddr) -> Result<std::net::TcpListener> {
    std::net::TcpListener::bind(addr).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "the address is already in use: another program (perhaps another `jaga serve`) \
                 listens on port {port}.\nStop it, or choose another address: \
                 `jaga serve --listen 127.0.0.1:8444`, JAGA_LISTEN, or `listen` in jaga.toml.\n\
                 Alamat sudah dipakai program lain (mungkin `jaga serve` yang lain): hentikan \
                 program itu atau pilih alamat lain dengan --listen.",
                port = addr.port()
            ),
            std::io::ErrorKind::PermissionDenied => format!(
                "this user may not listen on port {}: ports below 1024 need privileges; use \
                 8443 (`--listen 0.0.0.0:8443`) or run behind the shop's proxy",
                addr.port()
            ),
            std::io::ErrorKind::AddrNotAvailable => format!(
                "this machine has no address {}: use 127.0.0.1 (this PC only) or 0.0.0.0 (every \
                 network card) in `listen`",
                addr.ip()
            ),
            _ => format!("{e}"),
        };
        anyhow::anyhow!("cannot listen on {addr}: {why}")
    })
}

/// What a new owner needs to know on the first run: the browser's certificate warning and how
/// staff on other PCs reach the console.
pub fn print_first_steps(cfg: &Config, public_url: &str) {
    let own_cert = cfg.tls_cert == cfg.data_dir.join("tls/cert.pem");
    println!();
    if own_cert {
        println!(
            "Your browser will warn that the connection is not private: Jaga made its own \
             certificate ({}).\n  Trust it on each PC that opens the console (import that \
             file as a trusted certificate), or use the shop's own certificate: set tls_cert \
             and tls_key in {}/jaga.toml.",
            cfg.tls_cert.display(),
            cfg.data_dir.display()
        );
        println!(
            "Browser akan memperingatkan bahwa koneksi tidak pribadi: sertifikat ini dibuat \
             sendiri oleh Jaga. Percayai sertifikat itu di setiap PC, atau pakai sertifikat \
             toko sendiri (tls_cert, tls_key)."
        );
    }
    println!(
        "Staff on other PCs: in jaga.toml set listen = \"0.0.0.0:8443\" and public_url = \
         \"https://<this PC's name or address>:8443\" (links in invitations use public_url; \
         now: {public_url}).\n  Staf di PC lain: atur listen dan public_url di jaga.toml."
    );
}

/// The line that says where Jaga is served: an address to open. Listening on every address
/// (`0.0.0.0`, `::`) is not one (`https://0.0.0.0:8443` opens nothing on most PCs), so then it
/// is `public_url`, with the port it listens on.
fn announcement(bound: SocketAddr, public_url: &str, sealed: bool) -> String {
    if bound.ip().is_unspecified() {
        format!(
            "Jaga is serving / Jaga berjalan: {public_url}  (listening on every network \
             address, port {} / semua alamat jaringan; sealed: {sealed})",
            bound.port()
        )
    } else {
        format!("Jaga is serving / Jaga berjalan: https://{bound}  (sealed: {sealed})")
    }
}

/// Runs the server until SIGTERM or Ctrl-C.
pub async fn run(flags: &Flags) -> Result<()> {
    let cfg = config::load(flags)?;
    init_logging(&cfg.log_format);
    let addr: SocketAddr = cfg.listen.parse().context("listen address")?;
    // Bind first: a taken port is reported now, before anything is initialised or announced.
    let listener = bind(addr)?;
    let bound = listener.local_addr().context("the bound address")?;
    let public_url = cfg.public_url_for(bound);
    if !datadir::initialised(&cfg.data_dir) {
        datadir::init(
            &cfg,
            &datadir::InitOptions {
                method: Method::Keyfile,
                shares: 0,
                threshold: 0,
                shares_dir: cfg.data_dir.clone(),
                passphrase: None,
                shop_name: None,
            },
        )
        .await?;
        println!("First run: initialised a new vault / pertama kali: brankas baru dibuat.");
        print_summary(&cfg, Method::Keyfile, None);
        print_first_steps(&cfg, &public_url);
        crate::staff_cmd::print_bootstrap(&cfg, &public_url).await?;
    } else {
        crate::staff_cmd::remind_bootstrap(&cfg).await;
    }
    let unseal = datadir::unseal_config(&cfg.data_dir)?;
    let store = datadir::open_cfg_store(&cfg).await?;
    let vault = Arc::new(Vault::new(store.clone(), unseal.clone()));
    vault.set_text_policy(cfg.text_policy.clone());
    vault.set_fraud_gateways(cfg.gateways.load(&cfg.data_dir)?);
    if let Some(source) = cfg.fraud.source(&cfg.data_dir)? {
        vault
            .fraud_set_rules(std::sync::Arc::new(source().map_err(anyhow::Error::msg)?))
            .await;
        vault.set_fraud_rules_source(source);
    }
    vault.set_lookup_limits(cfg.lookup_limits);
    vault.set_payout_policy(cfg.payout_policy);
    vault.set_mail_context(cfg.mail.clone());
    vault
        .set_ids_config(cfg.ids.clone())
        .map_err(|e| anyhow::anyhow!("[ids] {e}"))?;
    vault.ids_refresh().await.context("loading honeytokens")?;
    // Every erasure also goes to the erasure ledger outside the database (replayed by restores).
    vault.set_erasure_sink(Arc::new(jaga_backup::ledger::FileSink(
        jaga_backup::ledger::LedgerFile::in_dir(&cfg.data_dir),
    )));
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
    // The written policy for the console, and a change of it since the last start recorded
    // as a new version (staff accept staff-facing changes); the `policy-watch` job repeats
    // this every 5 minutes.
    let pcfg = cfg.clone();
    let watch = jaga_jobs::policy_watch::PolicyWatchJob::new(
        staff.clone(),
        Arc::new(move || crate::policy_cmd::snapshot(&pcfg).map_err(|e| e.to_string())),
    );
    if let Err(e) = watch.pass().await {
        tracing::warn!(error = %e, "the data policy could not be read; the console shows none");
    }
    let mut jobs = jobs(&cfg, store, &vault, &staff, signer)?;
    jobs.add(watch);
    let state = AppState::with_staff(
        vault.clone(),
        ServerConfig {
            body_limit: cfg.body_limit,
            behind_proxy: cfg.behind_proxy,
            public_url: public_url.clone(),
            shop: cfg.shop.clone(),
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
    let running = jobs.start();
    tracing::info!(addr = %bound, "serving HTTPS");
    println!("{}", announcement(bound, &public_url, vault.is_sealed()));
    println!("  console / konsol: {public_url}/console/");
    jaga_server::serve_listener(app, listener, tls, shutdown_signal())
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
        .add(jaga_jobs::alerts::IdsRecordJob(vault.clone()))
        .add(jaga_jobs::alerts::AuditVerifyJob::new(
            vault.clone(),
            signer.verifier().clone(),
        ))
        .add(jaga_jobs::alerts::AlertDeliveryJob::new(
            vault.clone(),
            &cfg.data_dir,
            &cfg.alerts,
        )?)
        .add(
            jaga_jobs::fraud::FraudSummaryJob::new(
                vault.clone(),
                jaga_core::auth::Caller::operator(jaga_core::auth::OperatorTask::FraudSummary),
                cfg.shop.name.as_deref().unwrap_or("Jaga"),
                &cfg.data_dir,
                witnesses.clone(),
            )
            .in_zone(cfg.shop.zone.clone()),
        )
        .add(ErasureLedgerJob::new(
            store.clone(),
            &cfg.data_dir,
            witnesses.clone(),
        ));
    let setup = BackupSetup {
        dump: crate::backup_pg::dump_maker(&cfg.database_url),
        data_dir: cfg.data_dir.clone(),
        database_file: crate::backup_cmd::sqlite_file(&cfg.database_url),
        config: cfg.backup.clone(),
        caller: crate::backup_cmd::caller(),
    };
    // Backups cover the main database only: with segment databases they would miss
    // customers, so the scheduled ones do not run (`jaga backup create` refuses likewise).
    let backups = cfg.segments.is_empty();
    if !backups && (cfg.backup.every_hours.is_some() || cfg.backup.drill_every_days.is_some()) {
        tracing::warn!(
            "scheduled backups are off: `jaga backup` does not cover segment databases yet"
        );
    }
    if let Some(job) = BackupJob::new(store.clone(), setup.clone()).filter(|_| backups) {
        runner.add(job);
    }
    if let Some(job) = backups
        .then(|| {
            DrillJob::new(
                store.clone(),
                setup,
                crate::backup_cmd::opener(),
                witnesses.clone(),
            )
        })
        .flatten()
    {
        runner.add(job);
    }
    // Notices of bank-detail changes go out once a channel is configured; until then they
    // wait in the database.
    if let Some(channel) = cfg.payouts.notice.clone() {
        runner.add(jaga_jobs::payees::PayeeNoticeJob::new(
            vault.clone(),
            &cfg.data_dir,
            channel,
        ));
    }
    // Retention runs once the shop has written its policy (`jaga policy init`): erasing data
    // on periods nobody chose would surprise a shop.
    if crate::policy_cmd::path(cfg).exists() {
        let pcfg = cfg.clone();
        runner.add(jaga_jobs::retention::RetentionJob::new(
            vault.clone(),
            Arc::new(move || crate::policy_cmd::load(&pcfg).map_err(|e| e.to_string())),
            Arc::new(jaga_core::clock::SystemClock),
            &cfg.data_dir,
            Some(witnesses.clone()),
        ));
    }
    runner.add(CheckpointJob::new(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_everywhere_announces_an_address_to_open() {
        let any: SocketAddr = "0.0.0.0:8443".parse().unwrap();
        let line = announcement(any, "https://kasir-1.toko.lan:8443", true);
        assert!(!line.contains("0.0.0.0"), "{line}");
        assert!(line.contains("https://kasir-1.toko.lan:8443 "), "{line}");
        assert!(line.contains("8443"), "{line}");
        let v6: SocketAddr = "[::]:8443".parse().unwrap();
        let line = announcement(v6, "https://localhost:8443", false);
        assert!(!line.contains("https://[::]"), "{line}");
        assert!(line.contains("https://localhost:8443"), "{line}");
        // A concrete address is itself what to open (the tests read it from this line).
        let lo: SocketAddr = "127.0.0.1:9443".parse().unwrap();
        let line = announcement(lo, "https://jaga.toko.example", false);
        assert!(
            line.starts_with("Jaga is serving / Jaga berjalan: https://127.0.0.1:9443 "),
            "{line}"
        );
    }
}
