//! `jaga backup` end to end: an online backup of a running server, erasure after the backup,
//! restore into a new data directory that `jaga serve` serves — the erased customer stays
//! erased, everyone else is intact, the audit log verifies — and the refusals: no key, wrong
//! key, damaged and truncated files, a target that is not empty.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{BIN, ok, temp};

fn jaga(dir: &Path, args: &[&str]) -> Output {
    common::jaga(dir, args)
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `jaga serve` on a port the system picks (port 0); the bound address comes from its log.
struct Server {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("JAGA_DATA_DIR", dir.join("data"))
            .env("JAGA_LOG_FORMAT", "json")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && v["fields"]["message"] == "listening"
                {
                    let _ = tx.send(v["fields"]["addr"].as_str().unwrap_or("").to_string());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("jaga serve reports its address");
        let pem = std::fs::read(dir.join("data/tls/cert.pem")).unwrap();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap();
        Server {
            child,
            url: format!("https://{addr}"),
            client,
        }
    }

    async fn send(&self, r: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.contains("partial"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_erase_restore_keeps_the_erased_customer_erased() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "shop",
            "--scopes",
            "customers:write,customers:read,customers:erase,customers:reveal",
        ],
    ))
    .trim()
    .to_string();
    let s = Server::start(&dir);
    let markers: Vec<String> = (0..4).map(|i| format!("Qv{i}Planted")).collect();
    let mut ids = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        let (st, v) = s
            .send(
                s.client
                    .post(format!("{}/v1/customers", s.url))
                    .bearer_auth(&key)
                    .json(&serde_json::json!({
                        "full_name": format!("Sari {m}"),
                        "email": format!("{}@example.co.id", m.to_lowercase()),
                        "phone": format!("0812{:08}", 31_000_000 + i),
                        "notes": format!("note {m}"),
                    })),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let pass = dir.join("backup.pass");
    std::fs::write(&pass, "a long backup passphrase 42\n").unwrap();
    let out = dir.join("backups");
    // Online: the server keeps running while the snapshot is taken.
    let created: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "create",
            "--to",
            out.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    let file = PathBuf::from(created["file"].as_str().unwrap());
    assert_eq!(created["manifest"]["counts"]["customers"], 4);
    assert_eq!(
        backups(&out),
        vec![
            file.clone(),
            PathBuf::from(format!("{}.sha256", file.display()))
        ],
        "the backup and its checksum file, nothing half-written"
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"), "an age file");
    for m in &markers {
        assert_eq!(count(&bytes, m.as_bytes()), 0, "{m} in the backup file");
        assert_eq!(count(&bytes, m.to_lowercase().as_bytes()), 0);
    }
    assert_eq!(
        count(&bytes, b"SQLite format"),
        0,
        "the database is not in the clear"
    );

    // Erased after the backup was taken.
    let victim = &ids[0];
    let (st, _) = s
        .send(
            s.client
                .delete(format!("{}/v1/customers/{victim}", s.url))
                .bearer_auth(&key),
        )
        .await;
    assert_eq!(st, 204);
    let ledger = std::fs::read_to_string(dir.join("data/erasure-ledger.jsonl")).unwrap();
    assert!(
        ledger.contains(victim.as_str()),
        "the erasure is in the ledger"
    );
    for m in &markers {
        assert!(!ledger.contains(m.as_str()), "no value in the ledger");
    }

    // verify: by checksum file, and with the key every entry.
    ok(&jaga(&dir, &["backup", "verify", file.to_str().unwrap()]));
    let v: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "verify",
            file.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(v["contents_checked"], true);

    // Restore into a new data directory while the original keeps serving.
    let dir2 = temp();
    let restored: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            dir2.join("data").to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(restored["replayed"], 1, "{restored}");
    assert_eq!(restored["counts"]["customers"], 3);
    assert_eq!(restored["counts"]["erased"], 1);
    s.stop();

    // The restored directory serves: the erased customer is gone, the others decrypt.
    let audit = ok(&common::jaga(&dir2, &["audit", "verify", "--json"]));
    assert!(
        audit.contains("\"ok\":true") || audit.contains("\"ok\": true"),
        "{audit}"
    );
    let r = Server::start(&dir2);
    let get = |id: &str, reveal: bool| {
        let mut q = r
            .client
            .get(format!("{}/v1/customers/{id}", r.url))
            .bearer_auth(&key);
        if reveal {
            q = q
                .query(&[("reveal", "email")])
                .header("X-Jaga-Purpose", "restore check TICKET-15");
        }
        q
    };
    assert_eq!(
        r.send(get(victim, false)).await.0,
        410,
        "erased stays erased"
    );
    for (i, id) in ids.iter().enumerate().skip(1) {
        let (st, v) = r.send(get(id, true)).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(
            v["email"],
            format!("{}@example.co.id", markers[i].to_lowercase()),
            "{v}"
        );
    }
    r.stop();
    let audit = ok(&common::jaga(&dir2, &["audit", "verify", "--json"]));
    assert!(audit.contains("true"), "{audit}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_backups_and_keys_are_refused_and_leave_nothing_behind() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let out = dir.join("backups");
    // No recipient, no passphrase: refused, nothing written.
    let o = jaga(&dir, &["backup", "create", "--to", out.to_str().unwrap()]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("no recipient and no passphrase"),
        "{}",
        stderr(&o)
    );
    assert!(backups(&out).is_empty());
    // Not an age key.
    let o = jaga(
        &dir,
        &[
            "backup",
            "create",
            "--to",
            out.to_str().unwrap(),
            "--recipient",
            "age1nonsense",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));

    // To an X25519 recipient; opened with its identity.
    let id = dir.join("owner.key");
    let recipient = make_identity(&id);
    let created: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "create",
            "--to",
            out.to_str().unwrap(),
            "--recipient",
            &recipient,
            "--json",
        ],
    )))
    .unwrap();
    let file = PathBuf::from(created["file"].as_str().unwrap());
    ok(&jaga(
        &dir,
        &[
            "backup",
            "verify",
            file.to_str().unwrap(),
            "--identity",
            id.to_str().unwrap(),
        ],
    ));
    // Another identity, or a passphrase, does not open it: exit 1, no directory.
    let other = dir.join("other.key");
    make_identity(&other);
    let target = dir.join("restored");
    let o = jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            target.to_str().unwrap(),
            "--identity",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot be opened with this key"),
        "{}",
        stderr(&o)
    );
    assert!(!target.exists());
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));

    // A flipped byte in the middle, with and without the checksum file.
    let bytes = std::fs::read(&file).unwrap();
    let damaged = dir.join("damaged.age");
    let mut b = bytes.clone();
    let mid = b.len() / 2;
    b[mid] ^= 0x40;
    std::fs::write(&damaged, &b).unwrap();
    let o = jaga(
        &dir,
        &[
            "backup",
            "verify",
            damaged.to_str().unwrap(),
            "--identity",
            id.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));
    std::fs::copy(
        format!("{}.sha256", file.display()),
        format!("{}.sha256", damaged.display()),
    )
    .unwrap();
    let o = jaga(&dir, &["backup", "verify", damaged.to_str().unwrap()]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    // Truncated: refused by restore, no directory left.
    let truncated = dir.join("truncated.age");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    for bad in [&damaged, &truncated] {
        let o = jaga(
            &dir,
            &[
                "backup",
                "restore",
                bad.to_str().unwrap(),
                "--to",
                target.to_str().unwrap(),
                "--identity",
                id.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&o), Some(1), "{}: {}", bad.display(), stderr(&o));
        assert!(!target.exists(), "no half-restored directory");
        assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    }
    // A target that is not empty is refused before anything is read.
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "mine").unwrap();
    let o = jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            target.to_str().unwrap(),
            "--identity",
            id.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).unwrap(),
        "mine"
    );

    // The drill restores the newest backup elsewhere, verifies and reports.
    let report: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "drill",
            "--from",
            out.to_str().unwrap(),
            "--identity",
            id.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["audit_events_verified"].as_u64().unwrap() > 0);
}

/// Writes a new age identity file (as `age-keygen` would); returns its recipient.
fn make_identity(path: &Path) -> String {
    let id = age::pq::Identity::generate();
    use age::secrecy::ExposeSecret;
    std::fs::write(path, format!("{}\n", id.to_string().expose_secret())).unwrap();
    id.to_public().to_string()
}
