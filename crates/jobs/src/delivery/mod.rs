//! Outbound delivery: the channels (a directory, an HTTPS webhook signed with HMAC, SMTP via
//! `lettre`) and [`Witnesses`], the outbox in front of them. Audit checkpoints and the access
//! review go out through it now; alerts will too.
//!
//! - A delivery that fails is logged (never with PII), kept and retried; it never blocks the
//!   job that produced it.
//! - What each channel last took is kept in the data directory ([`DELIVERED_FILE`]), and reports
//!   not yet taken are kept one file each ([`PENDING_DIR`]), so a restart loses nothing: the
//!   outbox is persisted.
//!
//! To add a channel: a variant of [`WitnessConfig`] (in [`crate::config`]), a module here with
//! its `send`, one arm in `Witnesses::try_one` and one in `Witnesses::identity`.

mod smtp;
mod webhook;

pub use crate::config::{SmtpTls, WitnessConfig};
pub use webhook::{SIGNATURE_HEADER, signature};

use crate::{Ctx, JobError};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Something to hand to the witnesses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// A new signed checkpoint, with the verifier key that checks it.
    Checkpoint {
        /// Tree size.
        size: u64,
        /// The signed note.
        note: String,
        /// The verifier key string.
        verifier: String,
    },
    /// An intrusion-detection alert: a JSON body of ids, codes, counts and rule names.
    Alert {
        /// Alert id.
        id: String,
        /// Subject line.
        subject: String,
        /// JSON body.
        body: String,
    },
    /// A report (the periodic access review).
    Report {
        /// File name, e.g. `access-review-2026-11-22.txt`.
        name: String,
        /// Subject line.
        subject: String,
        /// Body text.
        body: String,
    },
}

/// The configured witnesses and what is still waiting to be delivered to them.
pub struct Witnesses {
    data_dir: PathBuf,
    list: Vec<WitnessConfig>,
    pending: Vec<(usize, Delivery)>,
    client: Option<reqwest::Client>,
    /// The largest checkpoint size each witness took, by [`Witnesses::identity`]; kept in
    /// [`DELIVERED_FILE`] so a restart can catch up a witness that missed checkpoints.
    delivered: BTreeMap<String, u64>,
}

/// The file (in the data directory) that records which checkpoint each witness last took.
pub const DELIVERED_FILE: &str = "witness-delivered.json";

/// The directory (in the data directory) of reports a witness has not taken yet, one JSON file
/// per witness and report, so a restart does not lose them (checkpoints need no such queue:
/// the latest one is handed to any witness behind it).
pub const PENDING_DIR: &str = "witness-pending";

/// Writes `content` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over the target.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<(), JobError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).ctx(format_args!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut f = std::fs::File::create(&tmp).ctx(format_args!("creating {}", tmp.display()))?;
    f.write_all(content)
        .and_then(|()| f.sync_all())
        .ctx(format_args!("writing {}", tmp.display()))?;
    drop(f);
    std::fs::rename(&tmp, path).ctx(format_args!("renaming to {}", path.display()))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl Witnesses {
    /// Witnesses from the configuration; relative paths are resolved against `data_dir`.
    pub fn new(data_dir: &Path, list: Vec<WitnessConfig>) -> Result<Self, JobError> {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(true)
            // A receiver that answers with a redirect does not get the signed body sent on to
            // wherever it points (a redirect is a failed delivery, retried later).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20));
        let mut any_webhook = false;
        for w in &list {
            if let WitnessConfig::Webhook { ca_file, .. } = w {
                any_webhook = true;
                if let Some(ca) = ca_file {
                    let pem = std::fs::read(rel(data_dir, ca))
                        .ctx(format_args!("reading the webhook CA file {ca}"))?;
                    builder = builder.add_root_certificate(
                        reqwest::Certificate::from_pem(&pem)
                            .ctx("the webhook CA file is not a PEM certificate")?,
                    );
                }
            }
        }
        let client = if any_webhook {
            Some(builder.build().ctx("building the webhook client")?)
        } else {
            None
        };
        let delivered = match std::fs::read(data_dir.join(DELIVERED_FILE)) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|_| {
                tracing::warn!(
                    "{DELIVERED_FILE} is not readable JSON; every witness gets the latest checkpoint"
                );
                BTreeMap::new()
            }),
            Err(_) => BTreeMap::new(),
        };
        let mut w = Self {
            data_dir: data_dir.to_path_buf(),
            list,
            pending: Vec::new(),
            client,
            delivered,
        };
        w.load_pending_reports();
        Ok(w)
    }

    /// The file that keeps report `d` for witness `i` until it is taken.
    fn pending_path(&self, i: usize, d: &Delivery) -> Option<PathBuf> {
        let Delivery::Report { name, .. } = d else {
            return None;
        };
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Some(
            self.data_dir
                .join(PENDING_DIR)
                .join(format!("{}-{name}.json", self.identity(i))),
        )
    }

    /// Queues the reports kept in [`PENDING_DIR`] for the witnesses still configured.
    fn load_pending_reports(&mut self) {
        let Ok(dir) = std::fs::read_dir(self.data_dir.join(PENDING_DIR)) else {
            return;
        };
        let ids: Vec<String> = (0..self.list.len()).map(|i| self.identity(i)).collect();
        let mut found: Vec<(String, usize, Delivery)> = Vec::new();
        for entry in dir.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(i) = ids
                .iter()
                .position(|id| file.starts_with(&format!("{id}-")))
            else {
                continue; // a witness no longer configured: left for the operator
            };
            match std::fs::read(entry.path())
                .ok()
                .and_then(|b| serde_json::from_slice::<Delivery>(&b).ok())
            {
                Some(d) => found.push((file, i, d)),
                None => {
                    tracing::warn!(file = %file, "unreadable pending witness report; left in place")
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        self.pending
            .extend(found.into_iter().map(|(_, i, d)| (i, d)));
    }

    /// A stable name for witness `i` that survives reordering the configuration: a digest of
    /// its kind and target, so the state file holds no address or URL.
    fn identity(&self, i: usize) -> String {
        let target = match &self.list[i] {
            WitnessConfig::Dir { path } => format!("dir {}", rel(&self.data_dir, path).display()),
            WitnessConfig::Webhook { url, .. } => format!("webhook {url}"),
            WitnessConfig::Smtp { host, to, .. } => format!("smtp {host} {to}"),
        };
        let d = sha2::Sha256::digest(target.as_bytes());
        d[..12].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Records that witness `i` took `d` (checkpoints only) and saves the state file.
    fn took(&mut self, i: usize, d: &Delivery) {
        if let Some(path) = self.pending_path(i, d) {
            let _ = std::fs::remove_file(path);
        }
        let Delivery::Checkpoint { size, .. } = d else {
            return;
        };
        let id = self.identity(i);
        let e = self.delivered.entry(id).or_insert(0);
        if *size > *e {
            *e = *size;
            let json = serde_json::to_vec_pretty(&self.delivered).unwrap_or_default();
            if let Err(e) = write_atomic(&self.data_dir.join(DELIVERED_FILE), &json) {
                tracing::warn!(error = %e, "cannot save the witness state");
            }
        }
    }

    /// Hands the latest checkpoint `d` to every witness that has not taken it (or a later one),
    /// e.g. after a restart that lost the retry queue, after retrying the reports kept in
    /// [`PENDING_DIR`]. Returns the number of failures of `d` (queued).
    pub async fn catch_up(&mut self, d: &Delivery) -> usize {
        let Delivery::Checkpoint { size, .. } = d else {
            return 0;
        };
        // Reports kept from before (a restart) go out first.
        if !self.pending.is_empty() {
            self.retry().await;
        }
        let behind: Vec<usize> = (0..self.list.len())
            .filter(|&i| self.delivered.get(&self.identity(i)) < Some(size))
            .collect();
        self.send(behind, d).await
    }

    /// Sends `d` to the witnesses `to`, recording what they took and queueing failures;
    /// returns the number of failures.
    async fn send(&mut self, to: Vec<usize>, d: &Delivery) -> usize {
        let mut failed = 0;
        for i in to {
            if self.try_one(i, d).await {
                self.took(i, d);
            } else {
                if let Some(path) = self.pending_path(i, d) {
                    let json = serde_json::to_vec(d).unwrap_or_default();
                    if let Err(e) = write_atomic(&path, &json) {
                        tracing::warn!(error = %e, "cannot keep a pending witness report");
                    }
                }
                self.pending.push((i, d.clone()));
                failed += 1;
            }
        }
        failed
    }

    /// How many deliveries wait for a retry.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Delivers to every witness; failures are logged and queued for [`Witnesses::retry`].
    /// Returns the number of failed deliveries.
    pub async fn deliver(&mut self, d: &Delivery) -> usize {
        self.send((0..self.list.len()).collect(), d).await
    }

    /// Retries queued deliveries once (oldest first); keeps those that fail again.
    pub async fn retry(&mut self) {
        let queue = std::mem::take(&mut self.pending);
        for (i, d) in queue {
            if self.try_one(i, &d).await {
                self.took(i, &d);
            } else {
                self.pending.push((i, d));
            }
        }
        // Bound memory if a witness is down for long: keep the newest 1,000.
        if self.pending.len() > 1000 {
            let drop_n = self.pending.len() - 1000;
            self.pending.drain(..drop_n);
        }
    }

    async fn try_one(&self, i: usize, d: &Delivery) -> bool {
        match self.send_one(i, d).await {
            Ok(()) => true,
            Err(e) => {
                // Witness errors name paths, URLs or SMTP failure classes, never event content.
                let kind = self.list[i].kind();
                tracing::warn!(witness = i, kind, error = %e, "witness delivery failed; will retry");
                false
            }
        }
    }

    /// Hands `d` to witness `i` through its channel.
    async fn send_one(&self, i: usize, d: &Delivery) -> Result<(), JobError> {
        let w = &self.list[i];
        match w {
            WitnessConfig::Dir { path } => to_dir(&rel(&self.data_dir, path), d),
            WitnessConfig::Webhook {
                url,
                token_file,
                secret_file,
                ..
            } => {
                let client = self.client.as_ref().ctx("no webhook client")?;
                let auth = webhook::Auth {
                    token_file: token_file.as_deref(),
                    secret_file: secret_file.as_deref(),
                };
                webhook::send(client, &self.data_dir, url, auth, d).await
            }
            WitnessConfig::Smtp { .. } => smtp::send(&self.data_dir, w, d).await,
        }
    }
}

/// Sends `d` once through channel `w` (a directory or SMTP), without the outbox: for callers
/// that keep their own queue and retry (the payee notices wait in the database until sent).
/// Errors name the channel's failure class or path, never the content.
pub async fn send_direct(data_dir: &Path, w: &WitnessConfig, d: &Delivery) -> Result<(), JobError> {
    match w {
        WitnessConfig::Dir { path } => to_dir(&rel(data_dir, path), d),
        WitnessConfig::Smtp { .. } => smtp::send(data_dir, w, d).await,
        WitnessConfig::Webhook { .. } => Err(JobError::msg(
            "a webhook cannot be used for this delivery; use smtp or dir",
        )),
    }
}

/// A path from the configuration: absolute, or relative to the data directory.
pub fn rel(data_dir: &Path, p: &str) -> PathBuf {
    if Path::new(p).is_absolute() {
        PathBuf::from(p)
    } else {
        data_dir.join(p)
    }
}

fn to_dir(dir: &Path, d: &Delivery) -> Result<(), JobError> {
    match d {
        Delivery::Checkpoint {
            size,
            note,
            verifier,
        } => {
            let key_path = dir.join("audit-verifier.pub");
            let want = format!("{verifier}\n");
            if std::fs::read_to_string(&key_path).ok().as_deref() != Some(want.as_str()) {
                write_atomic(&key_path, want.as_bytes())?;
            }
            write_atomic(&dir.join(format!("checkpoint-{size}.txt")), note.as_bytes())
        }
        Delivery::Report { name, body, .. } => write_atomic(&dir.join(name), body.as_bytes()),
        Delivery::Alert { id, body, .. } => {
            let id: String = id
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            write_atomic(&dir.join(format!("alert-{id}.json")), body.as_bytes())
        }
    }
}

/// The e-mail subject and body for a delivery.
pub fn mail_text(d: &Delivery) -> (String, String) {
    match d {
        Delivery::Checkpoint {
            size,
            note,
            verifier,
        } => (
            format!("Jaga audit checkpoint {size}"),
            format!(
                "A new signed checkpoint of your Jaga audit log / checkpoint baru log audit Jaga.\n\
                 Keep this e-mail: it lets you prove later that the log was not rewritten.\n\
                 Simpan e-mail ini sebagai bukti bahwa log tidak diubah.\n\n\
                 Check with / periksa dengan: jaga audit verify --checkpoint <file> --key '{verifier}'\n\n\
                 ----- checkpoint -----\n{note}"
            ),
        ),
        Delivery::Report { subject, body, .. } => (subject.clone(), body.clone()),
        Delivery::Alert { subject, body, .. } => (
            subject.clone(),
            format!(
                "Jaga raised a security alert / Jaga mendeteksi kejadian keamanan.\n\
                 Review and acknowledge it / periksa dan konfirmasi: jaga alerts list, jaga alerts ack <id>, or the console.\n\n{body}\n"
            ),
        ),
    }
}
