//! The audit log end to end through the `jaga` binary: signed checkpoints, witnesses (directory,
//! HTTPS webhook, SMTP), offline bundles, verification against external checkpoints, the
//! auditor API and the access reports — with the attacks each of them must catch.

use std::path::Path;
use std::process::{Child, Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;
use common::{fake_smtp, fresh_postgres_db as fresh_db, jaga, ok, sqlite, temp};

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A data directory with `n` API keys created (n + 2 events: two keyring events at init).
fn vault_with_events(n: usize, toml: &str) -> common::Temp {
    let dir = temp();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/jaga.toml"), toml).unwrap();
    let init = ok(&jaga(&dir, &["init"]));
    assert!(
        init.contains("jaga/audit/"),
        "init prints the verifier key: {init}"
    );
    for i in 0..n {
        ok(&jaga(
            &dir,
            &[
                "apikey",
                "create",
                "--name",
                &format!("k{i}"),
                "--scopes",
                "customers:read",
            ],
        ));
    }
    dir
}

fn verifier(dir: &Path) -> String {
    ok(&jaga(dir, &["audit", "key"])).trim().to_string()
}

#[test]
fn checkpoints_bundles_and_their_attacks() {
    let dir = vault_with_events(
        5,
        "[audit]\n[[audit.witness]]\nkind = \"dir\"\npath = \"witness\"\n",
    );
    let key = verifier(&dir);
    // The signing key is a private file, never in the database.
    let key_file = dir.join("data/audit-signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let secret = std::fs::read_to_string(&key_file).unwrap();
    let seed = secret.trim().splitn(5, '+').nth(4).unwrap();
    let db = std::fs::read(dir.join("data/jaga.db")).unwrap();
    assert!(!db.windows(seed.len()).any(|w| w == seed.as_bytes()));

    let cp: serde_json::Value =
        serde_json::from_str(&ok(&jaga(&dir, &["audit", "checkpoint", "--json"]))).unwrap();
    // Init writes the keyring events, then one event per API key.
    let size = cp["size"].as_u64().unwrap();
    assert!(size >= 7 && cp["new"].as_bool() == Some(true), "{cp}");
    // Signing again without new events changes nothing.
    let again: serde_json::Value =
        serde_json::from_str(&ok(&jaga(&dir, &["audit", "checkpoint", "--json"]))).unwrap();
    assert_eq!(again["new"].as_bool(), Some(false));
    // The directory witness got the checkpoint and the verifier key.
    let witnessed = dir.join(format!("data/witness/checkpoint-{size}.txt"));
    assert_eq!(
        std::fs::read_to_string(&witnessed).unwrap(),
        cp["note"].as_str().unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("data/witness/audit-verifier.pub"))
            .unwrap()
            .trim(),
        key
    );

    // A bundle verifies offline, with the key alone.
    let bundle = dir.join("b.txt");
    ok(&jaga(
        &dir,
        &[
            "audit",
            "proof",
            "--event",
            "3",
            "--out",
            bundle.to_str().unwrap(),
        ],
    ));
    let v = ok(&jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            bundle.to_str().unwrap(),
            "--key",
            &key,
        ],
    ));
    assert!(v.starts_with("ok: event 3 (apikey.create"), "{v}");
    let text = std::fs::read_to_string(&bundle).unwrap();

    // Another log's key, and a checkpoint from another log.
    let other = vault_with_events(5, "");
    let other_key = verifier(&other);
    ok(&jaga(&other, &["audit", "checkpoint"]));
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            bundle.to_str().unwrap(),
            "--key",
            &other_key,
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    assert!(out(&o).contains("FAILED"), "{}", out(&o));
    let other_bundle = ok(&jaga(&other, &["audit", "proof", "--event", "3"]));
    let (ours_head, _) = text.split_once("\n\n").unwrap();
    let (_, theirs_cp) = other_bundle.split_once("\n\n").unwrap();
    let mixed = dir.join("mixed.txt");
    std::fs::write(&mixed, format!("{ours_head}\n\n{theirs_cp}")).unwrap();
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            mixed.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", out(&o));

    // A proof of the wrong length, a corrupt bundle, garbage, a bad key string: clear errors.
    let short = dir.join("short.txt");
    let lines: Vec<&str> = text.lines().collect();
    let drop_at = lines.iter().position(|l| l.starts_with("proof ")).unwrap();
    let mut kept: Vec<&str> = lines.clone();
    kept.remove(drop_at);
    std::fs::write(&short, kept.join("\n") + "\n").unwrap();
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            short.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    assert!(out(&o).contains("proof has"), "{}", out(&o));
    let corrupt = dir.join("corrupt.txt");
    std::fs::write(
        &corrupt,
        text.replacen("apikey", "APIKEY", 1)
            .replacen("leaf ", "leaf !", 1),
    )
    .unwrap();
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            corrupt.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    std::fs::write(&corrupt, [0xffu8, 0, 1, 2]).unwrap();
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            corrupt.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert!(matches!(code(&o), Some(1 | 2)), "{}", out(&o));
    assert!(!out(&o).contains("panicked"), "{}", out(&o));
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify-bundle",
            bundle.to_str().unwrap(),
            "--key",
            "nonsense+key",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", out(&o));
    // An event not yet covered by a checkpoint, or beyond the log.
    let o = jaga(&dir, &["audit", "proof", "--event", "99"]);
    assert_eq!(code(&o), Some(2), "{}", out(&o));
    assert!(out(&o).contains("not covered"), "{}", out(&o));

    // The log verifies against its stored checkpoints and the witnessed one.
    let v = ok(&jaga(
        &dir,
        &[
            "audit",
            "verify",
            "--checkpoint",
            witnessed.to_str().unwrap(),
        ],
    ));
    assert!(v.starts_with(&format!("ok: {size} events")), "{v}");
    let o = jaga(
        &dir,
        &[
            "audit",
            "verify",
            "--checkpoint",
            other.join("data/jaga.db").to_str().unwrap(),
        ],
    );
    assert_ne!(code(&o), Some(0));
    let theirs = other.join("theirs.txt");
    std::fs::write(&theirs, theirs_cp).unwrap();
    let o = jaga(
        &dir,
        &["audit", "verify", "--checkpoint", theirs.to_str().unwrap()],
    );
    assert_eq!(
        code(&o),
        Some(1),
        "a checkpoint from another log: {}",
        out(&o)
    );

    // An insider with SQL access rewrites event 2 *and* its leaf hash: only the signed
    // checkpoint can tell.
    let rewritten = temp();
    Command::new("cp")
        .args([
            "-a",
            dir.join("data").to_str().unwrap(),
            rewritten.join("data").to_str().unwrap(),
        ])
        .status()
        .unwrap();
    sqlite(
        &rewritten,
        "DROP TRIGGER audit_event_append_only_u; UPDATE audit_event SET leaf = CAST(replace(leaf, 'apikey.create', 'apikey.revoke') AS BLOB) WHERE seq = 4; UPDATE audit_event SET leaf_hash = lh(leaf) WHERE seq = 4;",
    );
    let o = jaga(&rewritten, &["audit", "verify", "--json"]);
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        j["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("checkpoint at size {size}")),
        "{j}"
    );

    // Truncation: the tail and the stored checkpoints go, the head is rolled back. The
    // witnessed checkpoint still shows it, and the signer refuses to sign the shorter log.
    let truncated = temp();
    Command::new("cp")
        .args([
            "-a",
            dir.join("data").to_str().unwrap(),
            truncated.join("data").to_str().unwrap(),
        ])
        .status()
        .unwrap();
    sqlite(
        &truncated,
        "DROP TRIGGER audit_event_append_only_d; DROP TRIGGER audit_checkpoint_append_only_d; DELETE FROM audit_event WHERE seq >= 5; DELETE FROM audit_checkpoint; UPDATE audit_head SET size = 5, root = (SELECT root FROM audit_head), frontier = X'';",
    );
    let ext = truncated.join(format!("data/witness/checkpoint-{size}.txt"));
    let o = jaga(
        &truncated,
        &[
            "audit",
            "verify",
            "--json",
            "--checkpoint",
            ext.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["first_bad_position"].as_u64(), Some(5), "{j}");
    assert!(j["reason"].as_str().unwrap().contains("truncated"), "{j}");
    let o = jaga(&truncated, &["audit", "checkpoint"]);
    assert_eq!(code(&o), Some(2), "{}", out(&o));
    assert!(out(&o).contains("refused"), "{}", out(&o));
}

/// An HTTPS webhook receiver on loopback (Jaga's own server code with the data directory's
/// certificate), keeping every POSTed body.
/// A webhook receiver on loopback; keeps each body and its `X-Jaga-Signature` header.
type Hooks = Arc<Mutex<Vec<(String, Option<String>)>>>;

async fn webhook(dir: &Path) -> (u16, Hooks) {
    let bodies: Hooks = Arc::new(Mutex::new(Vec::new()));
    let store = bodies.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let store = store.clone();
            async move {
                let sig = headers
                    .get("x-jaga-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                store.lock().unwrap().push((body, sig));
                "ok"
            }
        }),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = jaga_server::TlsFiles {
        cert_pem: std::fs::read(dir.join("data/tls/cert.pem")).unwrap(),
        key_pem: std::fs::read(dir.join("data/tls/key.pem")).unwrap(),
    };
    // Bound before it is handed over: connections queue until the server accepts them.
    tokio::spawn(async move {
        let _ = jaga_server::serve_listener(app, listener, tls, std::future::pending()).await;
    });
    (port, bodies)
}

struct Server {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(dir: &Path) -> Server {
        let (child, url) = common::serve(dir, &[]);
        let pem = std::fs::read(dir.join("data/tls/cert.pem")).unwrap();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap();
        Server { child, url, client }
    }

    async fn get(&self, path: &str, key: &str) -> (u16, serde_json::Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        for _ in 0..150 {
            if let Some(s) = self.child.try_wait().unwrap() {
                assert!(s.success(), "serve exited with {s}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child.kill().unwrap();
        panic!("server did not stop on SIGTERM");
    }
}

async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn b64(s: &str) -> [u8; 32] {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap()
        .try_into()
        .unwrap()
}

fn unhex(s: &str) -> [u8; 32] {
    (0..32)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_checkpoints_to_every_witness_and_serves_auditors() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let (smtp_port, mails) = fake_smtp().await;
    let (hook_port, hooks) = webhook(&dir).await;
    std::fs::write(
        dir.join("data/jaga.toml"),
        format!(
            "[audit]\ncheckpoint_every = 5\ncheckpoint_interval_secs = 1\n\
             [[audit.witness]]\nkind = \"dir\"\npath = \"witness\"\n\
             [[audit.witness]]\nkind = \"webhook\"\nurl = \"https://127.0.0.1:{hook_port}/hook\"\nca_file = \"tls/cert.pem\"\nsecret_file = \"hook.secret\"\n\
             [[audit.witness]]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"none\"\nfrom = \"jaga@toko.test\"\nto = \"owner@toko.test\"\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("data/hook.secret"), "s3cret-for-hooks\n").unwrap();
    let writer = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "shop",
            "--scopes",
            "customers:write,customers:read",
        ],
    ))
    .trim()
    .to_string();
    let auditor = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "auditor",
            "--scopes",
            "audit:read",
        ],
    ))
    .trim()
    .to_string();
    let key = verifier(&dir);
    let s = Server::start(&dir).await;
    let mut code_ = String::new();
    for i in 0..12 {
        let r = s
            .client
            .post(format!("{}/v1/customers", s.url))
            .bearer_auth(&writer)
            .json(&serde_json::json!({"full_name": format!("Siti {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let v: serde_json::Value = r.json().await.unwrap();
        if i == 0 {
            code_ = v["code"].as_str().unwrap().to_string();
            let id = v["id"].as_str().unwrap();
            assert_eq!(s.get(&format!("/v1/customers/{id}"), &writer).await.0, 200);
        }
    }
    let wdir = dir.join("data/witness");
    wait_for("a witnessed checkpoint", || {
        std::fs::read_dir(&wdir)
            .map(|d| d.count() >= 2)
            .unwrap_or(false)
    })
    .await;
    wait_for("webhook and mail", || {
        !hooks.lock().unwrap().is_empty() && !mails.lock().unwrap().is_empty()
    })
    .await;
    let (body, sig) = hooks.lock().unwrap()[0].clone();
    assert!(body.contains("jaga/audit/"));
    // The body is signed with the secret from the file (trimmed), and only the body verifies.
    assert_eq!(
        sig.as_deref(),
        Some(jaga_jobs::delivery::signature(b"s3cret-for-hooks", body.as_bytes()).as_str())
    );
    assert_ne!(
        sig.as_deref(),
        Some(jaga_jobs::delivery::signature(b"s3cret-for-hooks", b"forged").as_str())
    );
    let mail = mails.lock().unwrap()[0].clone();
    assert!(mail.contains("Subject: Jaga audit checkpoint"), "{mail}");
    assert!(mail.contains("owner@toko.test"));

    // The auditor API.
    let (st, cp) = s.get("/v1/audit/checkpoint", &auditor).await;
    assert_eq!(st, 200, "{cp}");
    let size = cp["size"].as_u64().unwrap();
    let note = cp["note"].as_str().unwrap();
    let vk = jaga_audit::VerifierKey::parse(&key).unwrap();
    let signed = jaga_audit::open_checkpoint(note, &vk).unwrap();
    assert_eq!(signed.checkpoint.size, size);
    let (st, ev) = s.get("/v1/audit/events/3", &auditor).await;
    assert_eq!(st, 200, "{ev}");
    let (st, pr) = s.get("/v1/audit/proof/inclusion?index=3", &auditor).await;
    assert_eq!(st, 200, "{pr}");
    let proof: Vec<[u8; 32]> = pr["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| b64(h.as_str().unwrap()))
        .collect();
    jaga_audit::verify_inclusion(
        &unhex(ev["leaf_hash"].as_str().unwrap()),
        3,
        size,
        &proof,
        &signed.checkpoint.root,
    )
    .unwrap();
    let (st, cons) = s
        .get(
            &format!("/v1/audit/proof/consistency?first=4&second={size}"),
            &auditor,
        )
        .await;
    assert_eq!(st, 200, "{cons}");
    let (st, bad) = s
        .get(
            &format!("/v1/audit/proof/inclusion?index={size}&size={size}"),
            &auditor,
        )
        .await;
    assert_eq!(
        (st, bad["code"].as_str()),
        (400, Some("out_of_range")),
        "{bad}"
    );
    let (st, bad) = s
        .get("/v1/audit/proof/consistency?first=1&second=99999", &auditor)
        .await;
    assert_eq!(
        (st, bad["code"].as_str()),
        (400, Some("out_of_range")),
        "{bad}"
    );
    let (st, _) = s.get("/v1/audit/proof/inclusion?index=x", &auditor).await;
    assert_eq!(st, 400);
    let (st, _) = s.get("/v1/audit/events/99999", &auditor).await;
    assert_eq!(st, 404);
    let (st, bad) = s.get("/v1/audit/checkpoint", &writer).await;
    assert_eq!((st, bad["code"].as_str()), (403, Some("missing_scope")));
    let r = s
        .client
        .get(format!("{}/v1/audit/bundle/2", s.url))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bundle = r.text().await.unwrap();
    let verified = jaga_audit::verify_bundle(&bundle, &vk).unwrap();
    assert_eq!(verified.index, 2);
    let (st, rep) = s
        .get(
            &format!("/v1/audit/reports/customer?code={code_}"),
            &auditor,
        )
        .await;
    assert_eq!(st, 200, "{rep}");
    let actions: Vec<&str> = rep["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["customer.create", "customer.read"], "{rep}");
    let (st, rev) = s.get("/v1/audit/reports/review", &auditor).await;
    assert_eq!(st, 200, "{rev}");
    s.stop();

    // Reading the log was itself audited, and shutdown signed a final checkpoint of everything.
    let store = jaga_store_sqlite::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.join("data/jaga.db").display()
    ))
    .await
    .unwrap();
    let head = jaga_core::store::Store::audit_head(&store).await.unwrap();
    let latest = jaga_core::store::CheckpointStore::checkpoint_latest(&store)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.size, head.size, "final checkpoint on shutdown");
    let events = jaga_core::store::Store::audit_events(&store, 0, 10_000)
        .await
        .unwrap();
    let reads = events
        .iter()
        .filter(|e| String::from_utf8_lossy(&e.leaf).contains("\"audit.read\""))
        .count();
    assert!(reads >= 10, "{reads} audit.read events");
    let denied = events.iter().any(|e| {
        let l = String::from_utf8_lossy(&e.leaf);
        l.contains("\"audit.read\"") && l.contains("\"denied\"")
    });
    assert!(denied, "the refused read is in the log");
    store.close().await;
    assert!(wdir.join(format!("checkpoint-{}.txt", head.size)).exists());
    let v = ok(&jaga(
        &dir,
        &[
            "audit",
            "verify",
            "--checkpoint",
            wdir.join(format!("checkpoint-{}.txt", head.size))
                .to_str()
                .unwrap(),
        ],
    ));
    assert!(v.starts_with(&format!("ok: {} events", head.size)), "{v}");

    // Reports from the CLI.
    let j: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &["audit", "report", "customer", "--code", &code_, "--json"],
    )))
    .unwrap();
    assert!(j["accesses"].as_array().unwrap().len() >= 2, "{j}");
    let letter = ok(&jaga(
        &dir,
        &[
            "audit", "report", "customer", "--code", &code_, "--letter", "--lang", "en",
        ],
    ));
    assert!(
        letter.contains("Dear customer") && letter.contains(&code_),
        "{letter}"
    );
    let surat = ok(&jaga(
        &dir,
        &["audit", "report", "customer", "--code", &code_, "--letter"],
    ));
    assert!(surat.contains("Dengan hormat"), "{surat}");
    assert!(!surat.contains("Siti"), "no PII in the letter");
    let csv = ok(&jaga(
        &dir,
        &["audit", "report", "customer", "--code", &code_, "--csv"],
    ));
    assert!(csv.starts_with("seq,time,actor_kind"), "{csv}");
    let o = jaga(
        &dir,
        &["audit", "report", "customer", "--code", "JG-NOPE-NOPE"],
    );
    assert_eq!(code(&o), Some(2));
    let writer_id = writer.split('_').nth(1).unwrap();
    let staff: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &["audit", "report", "staff", "--actor", writer_id, "--json"],
    )))
    .unwrap();
    assert_eq!(
        staff["by_action"]["customer.create"].as_u64(),
        Some(12),
        "{staff}"
    );
    let review = ok(&jaga(&dir, &["audit", "report", "review", "--csv"]));
    assert!(review.starts_with("kind,subject,detail,seq"), "{review}");
    assert!(review.contains("access_change"), "{review}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_serve_processes_on_one_postgres_keep_one_gapless_signed_log() {
    let Some((db, name)) = fresh_db("jaga_audit") else {
        return;
    };
    let a = temp();
    std::fs::create_dir_all(a.join("data")).unwrap();
    std::fs::write(
        a.join("data/jaga.toml"),
        format!("database_url = \"{db}\"\n[audit]\ncheckpoint_every = 20\ncheckpoint_interval_secs = 1\n"),
    )
    .unwrap();
    ok(&jaga(&a, &["init"]));
    let key = ok(&jaga(
        &a,
        &[
            "apikey",
            "create",
            "--name",
            "k",
            "--scopes",
            "customers:write,customers:read",
        ],
    ))
    .trim()
    .to_string();
    // Every node gets a copy of the data directory: key files, config, certificate.
    let copies: Vec<common::Temp> = (1..3)
        .map(|_| {
            let d = temp();
            Command::new("cp")
                .args([
                    "-a",
                    a.join("data").to_str().unwrap(),
                    d.join("data").to_str().unwrap(),
                ])
                .status()
                .unwrap();
            d
        })
        .collect();
    let nodes: Vec<&Path> = std::iter::once(&*a)
        .chain(copies.iter().map(|d| &**d))
        .collect();
    let mut servers = Vec::new();
    for n in &nodes {
        servers.push(Server::start(n).await);
    }
    let mut tasks = Vec::new();
    for (n, s) in servers.iter().enumerate() {
        for t in 0..4 {
            let (client, url, key) = (s.client.clone(), s.url.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..20 {
                    let r = client
                        .post(format!("{url}/v1/customers"))
                        .bearer_auth(&key)
                        .json(&serde_json::json!({"full_name": format!("Node{n} T{t} C{i}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 201);
                    // Under load: every create is read back at once, so reads' events and
                    // creates from three nodes' group commits interleave in the one log.
                    let v: serde_json::Value = r.json().await.unwrap();
                    let r = client
                        .get(format!("{url}/v1/customers/{}", v["id"].as_str().unwrap()))
                        .bearer_auth(&key)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    for s in servers {
        s.stop();
    }
    let store = jaga_store_postgres::PostgresStore::open(&db).await.unwrap();
    let head = jaga_core::store::Store::audit_head(&store).await.unwrap();
    let events = jaga_core::store::Store::audit_events(&store, 0, 100_000)
        .await
        .unwrap();
    assert_eq!(events.len() as u64, head.size);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "positions are exactly 0..n-1");
    }
    let (_, root) = jaga_audit::root_from_leaf_hashes(events.iter().map(|e| e.leaf_hash));
    assert_eq!(root, head.root, "the final root equals a recomputation");
    let creates = events
        .iter()
        .filter(|e| String::from_utf8_lossy(&e.leaf).contains("customer.create"))
        .count();
    assert_eq!(creates, 240);
    let reads = events
        .iter()
        .filter(|e| String::from_utf8_lossy(&e.leaf).contains("customer.read"))
        .count();
    assert_eq!(reads, 240, "every read is audited once");
    // The nodes raced to sign; every stored checkpoint verifies and the last covers all.
    let cps = jaga_core::store::CheckpointStore::checkpoint_list(&store)
        .await
        .unwrap();
    assert!(cps.len() >= 2, "{} checkpoints", cps.len());
    assert_eq!(cps.last().unwrap().size, head.size);
    store.close().await;
    let v = ok(&jaga(nodes[1], &["audit", "verify"]));
    assert!(v.starts_with(&format!("ok: {} events", head.size)), "{v}");
    let base = jaga_testkit::skip::postgres_url();
    let _ = Command::new("psql")
        .args([
            base.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name}"),
        ])
        .output();
}

/// A witness that could not take a checkpoint gets it on the next run, even with nothing new to
/// sign, and the data directory remembers what each witness took (no address in the file).
#[test]
fn a_witness_that_missed_a_checkpoint_catches_up_on_the_next_run() {
    let dir = vault_with_events(3, "[[audit.witness]]\nkind = \"dir\"\npath = \"backup\"\n");
    // the "backup disk" is not mounted: a plain file stands where the directory should be
    std::fs::write(dir.join("data/backup"), b"not a directory").unwrap();
    let first = jaga(&dir, &["audit", "checkpoint", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&first)).unwrap();
    let size = v["size"].as_u64().unwrap();
    assert_eq!(v["new"], true);
    assert!(
        out(&first).contains("did not take the checkpoint"),
        "{}",
        out(&first)
    );
    assert!(!dir.join("data/witness-delivered.json").exists());

    std::fs::remove_file(dir.join("data/backup")).unwrap();
    let again = jaga(&dir, &["audit", "checkpoint", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&again)).unwrap();
    assert_eq!(
        (v["size"].as_u64(), &v["new"]),
        (Some(size), &serde_json::json!(false))
    );
    let note = std::fs::read_to_string(dir.join(format!("data/backup/checkpoint-{size}.txt")))
        .expect("the missed checkpoint reached the witness");
    assert_eq!(note, v["note"].as_str().unwrap());
    let state = std::fs::read_to_string(dir.join("data/witness-delivered.json")).unwrap();
    let state: std::collections::BTreeMap<String, u64> = serde_json::from_str(&state).unwrap();
    assert_eq!(state.values().copied().collect::<Vec<_>>(), [size]);
    assert!(
        state.keys().all(|k| !k.contains("backup")),
        "identities are digests"
    );

    // taken once: removing the copy and running again does not write it a second time
    std::fs::remove_file(dir.join(format!("data/backup/checkpoint-{size}.txt"))).unwrap();
    ok(&jaga(&dir, &["audit", "checkpoint"]));
    assert!(
        !dir.join(format!("data/backup/checkpoint-{size}.txt"))
            .exists()
    );
}

/// An access review a witness could not take is kept in the data directory and delivered on a
/// later run, so a restart does not lose it.
#[test]
fn an_undelivered_review_is_kept_and_delivered_later() {
    let dir = vault_with_events(2, "[[audit.witness]]\nkind = \"dir\"\npath = \"backup\"\n");
    ok(&jaga(&dir, &["audit", "checkpoint"]));
    std::fs::remove_dir_all(dir.join("data/backup")).unwrap();
    std::fs::write(dir.join("data/backup"), b"not a directory").unwrap();
    let o = jaga(&dir, &["audit", "report", "review", "--deliver"]);
    assert_eq!(code(&o), Some(1), "{}", out(&o));
    let kept: Vec<_> = std::fs::read_dir(dir.join("data/witness-pending"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].contains("access-review-"), "{kept:?}");

    std::fs::remove_file(dir.join("data/backup")).unwrap();
    ok(&jaga(&dir, &["audit", "checkpoint"]));
    let delivered: Vec<_> = std::fs::read_dir(dir.join("data/backup"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("access-review-"))
        .collect();
    assert_eq!(delivered.len(), 1, "the kept review reached the witness");
    let body = std::fs::read_to_string(dir.join("data/backup").join(&delivered[0])).unwrap();
    assert!(body.contains("review"), "{body}");
    assert_eq!(
        std::fs::read_dir(dir.join("data/witness-pending"))
            .unwrap()
            .count(),
        0,
        "nothing left pending"
    );
}
