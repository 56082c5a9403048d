//! The `jaga` binary end to end: init, serve over HTTPS, unseal, API keys, rotation, and what
//! ends up in the database files.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

mod common;
use common::{BIN, ok, sqlite, temp};

fn jaga(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    common::jaga_with(dir, args, env)
}

struct Server {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let (child, url) = common::serve(dir, env);
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

    async fn post(
        &self,
        path: &str,
        key: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        for _ in 0..100 {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child.kill().unwrap();
        panic!("server did not stop on SIGTERM");
    }
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| w.eq_ignore_ascii_case(needle))
        .count()
}

fn db_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for f in ["jaga.db", "jaga.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join("data").join(f)) {
            all.extend(b);
        }
    }
    all
}

#[tokio::test]
async fn first_run_serves_https_and_keeps_pii_out_of_the_database_files() {
    let dir = temp();
    let s = Server::start(&dir, &[]).await;
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "shop-backend",
            "--scopes",
            "customers:write,customers:read,customers:erase",
        ],
        &[],
    ))
    .trim()
    .to_string();
    assert!(key.starts_with("jaga_"));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("data/root.key"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let markers: Vec<String> = (0..20).map(|i| format!("Zq{i}Xmarker")).collect();
    let mut ids = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        let (st, v) = s.post("/v1/customers", &key, serde_json::json!({
            "full_name": format!("Dewi {m}"), "email": format!("{}@example.co.id", m.to_lowercase()), "phone": format!("0813{:08}", 20_000_000 + i),
            "address": {"street": format!("Jl. {m} 1"), "city": format!("Kota{m}"), "postal_code": "12345"},
            "national_id": format!("327301120590{:04}", i + 1), "preferences": {"concern": format!("acne {m}")}, "notes": format!("VIP {m}")
        })).await;
        assert_eq!(st, 201, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let bytes = db_bytes(&dir);
    assert!(bytes.len() > 10_000);
    for m in &markers {
        assert_eq!(
            count(&bytes, m.as_bytes()),
            0,
            "{m} found in the database files"
        );
    }
    assert_eq!(count(&bytes, b"3273011205900001"), 0, "NIK in plain text");
    // Tampering in the file: a record moved into another segment, and a wrapped key copied
    // onto another customer, no longer open (an integrity error, no plaintext); an untouched
    // record still reads.
    sqlite(
        &dir,
        &format!(
            "UPDATE customers SET segment = 'vip' WHERE id = '{}';
             UPDATE customer_keys SET wrapped = (SELECT wrapped FROM customer_keys WHERE customer_id = '{}') WHERE customer_id = '{}';",
            ids[1], ids[4], ids[3]
        ),
    );
    for (id, what) in [(&ids[1], "segment moved"), (&ids[3], "key copied")] {
        let (st, v) = s.get(&format!("/v1/customers/{id}"), &key).await;
        assert_eq!(
            (st, v["code"].as_str()),
            (500, Some("integrity_error")),
            "{what}: {v}"
        );
        assert!(!v.to_string().contains("marker"), "{what}: {v}");
    }
    assert_eq!(
        s.get(&format!("/v1/customers/{}", ids[2]), &key).await.0,
        200
    );
    // Erasure: the victim's wrapped DEK must not survive in the file or WAL.
    let victim = &ids[0];
    let store = jaga_store_sqlite::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.join("data/jaga.db").display()
    ))
    .await
    .unwrap();
    let victim_id = uuid::Uuid::parse_str(victim).unwrap();
    let before = jaga_core::store::Store::customer_load(&store, victim_id)
        .await
        .unwrap()
        .unwrap();
    let wrapped = before.key.unwrap().wrapped;
    let name_ct = before.row.fields[0].clone().unwrap();
    assert!(
        count(&db_bytes(&dir), &wrapped) >= 1,
        "the wrapped DEK is findable before erasure"
    );
    let r = s
        .client
        .delete(format!("{}/v1/customers/{victim}", s.url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(s.get(&format!("/v1/customers/{victim}"), &key).await.0, 410);
    store.close().await;
    let after = db_bytes(&dir);
    assert_eq!(
        count(&after, &wrapped),
        0,
        "the erased customer's wrapped DEK is gone from the database file and WAL"
    );
    assert_eq!(count(&after, &name_ct), 0, "its ciphertexts are gone too");
    assert_eq!(s.stop().code(), Some(0), "graceful shutdown on SIGTERM");
}

#[tokio::test]
async fn shamir_two_of_three_unseals_and_wrong_shares_do_not() {
    let dir = temp();
    ok(&jaga(
        &dir,
        &[
            "init",
            "--unseal",
            "shamir",
            "--shares",
            "3",
            "--threshold",
            "2",
            "--shares-dir",
            "shares",
        ],
        &[],
    ));
    assert!(
        !dir.join("data/root.key").exists(),
        "the root key is stored nowhere"
    );
    let other = temp();
    ok(&jaga(
        &other,
        &["init", "--unseal", "shamir", "--shares-dir", "shares"],
        &[],
    ));
    let share = |d: &Path, i: u8| {
        d.join(format!("shares/share-{i}.txt"))
            .display()
            .to_string()
    };
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "k",
            "--scopes",
            "customers:read",
            "--share-file",
            &share(&dir, 1),
            "--share-file",
            &share(&dir, 3),
        ],
        &[],
    ))
    .trim()
    .to_string();
    let s = Server::start(&dir, &[]).await;
    let (st, v) = s.get("/v1/customers?email=a@b.id", &key).await;
    assert_eq!((st, v["code"].as_str()), (503, Some("sealed")));
    // A share of another vault is refused at once (its fingerprint is not ours) and not kept.
    let bad = jaga(
        &dir,
        &["unseal", "--url", &s.url, "--share-file", &share(&other, 2)],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("does not belong"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(s.get("/v1/customers?email=a@b.id", &key).await.0, 503);
    // A single share is not enough.
    let one = jaga(
        &dir,
        &["unseal", "--url", &s.url, "--share-file", &share(&dir, 2)],
        &[],
    );
    assert_eq!(
        one.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(s.get("/v1/customers?email=a@b.id", &key).await.0, 503);
    // The foreign share did not spoil the one already in: one more real share unseals.
    ok(&jaga(
        &dir,
        &["unseal", "--url", &s.url, "--share-file", &share(&dir, 3)],
        &[],
    ));
    assert_eq!(s.get("/v1/customers?email=a@b.id", &key).await.0, 200);
    s.stop();
}

#[tokio::test]
async fn passphrase_unseal_refuses_the_wrong_passphrase() {
    let dir = temp();
    std::fs::write(dir.join("pass"), "kopi susu gula aren\n").unwrap();
    std::fs::write(dir.join("wrong"), "teh manis dingin sekali\n").unwrap();
    let pass = dir.join("pass").display().to_string();
    let wrong = dir.join("wrong").display().to_string();
    ok(&jaga(
        &dir,
        &["init", "--unseal", "passphrase"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    let bad = jaga(
        &dir,
        &["apikey", "list"],
        &[("JAGA_PASSPHRASE_FILE", &wrong)],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("wrong passphrase"));
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "k",
            "--scopes",
            "customers:read",
        ],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ))
    .trim()
    .to_string();
    let s = Server::start(&dir, &[]).await;
    assert_eq!(s.get("/readyz", "").await.0, 503);
    assert_eq!(
        jaga(
            &dir,
            &["unseal", "--url", &s.url],
            &[("JAGA_PASSPHRASE_FILE", &wrong)]
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(s.get("/v1/customers?email=a@b.id", &key).await.0, 503);
    ok(&jaga(
        &dir,
        &["unseal", "--url", &s.url],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    assert_eq!(s.get("/v1/customers?email=a@b.id", &key).await.0, 200);
    s.stop();
}

#[tokio::test]
async fn rotation_while_serving() {
    let dir = temp();
    let s = Server::start(&dir, &[]).await;
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "k",
            "--scopes",
            "customers:write,customers:read",
        ],
        &[],
    ))
    .trim()
    .to_string();
    let mut ids = vec![];
    for i in 0..30 {
        ids.push(
            s.post(
                "/v1/customers",
                &key,
                serde_json::json!({"full_name": format!("Rot {i}")}),
            )
            .await
            .1["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    ok(&jaga(&dir, &["keys", "rotate"], &[]));
    let status: serde_json::Value =
        serde_json::from_str(&ok(&jaga(&dir, &["keys", "status", "--json"], &[]))).unwrap();
    assert_eq!(status[1]["version"], 2);
    assert_eq!(status[1]["deks"], 30);
    assert_eq!(status[0]["deks"], 0);
    // The running server learns v2 on demand and keeps serving old and new customers.
    for id in &ids {
        assert_eq!(s.get(&format!("/v1/customers/{id}"), &key).await.0, 200);
    }
    assert_eq!(
        s.post(
            "/v1/customers",
            &key,
            serde_json::json!({"full_name": "After"})
        )
        .await
        .0,
        201
    );
    ok(&jaga(&dir, &["keys", "retire", "1"], &[]));
    assert_eq!(
        jaga(&dir, &["keys", "retire", "2"], &[]).status.code(),
        Some(2)
    );
    s.stop();
}

#[test]
fn unknown_config_key_is_an_error_naming_it() {
    let dir = temp();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("data/jaga.toml"),
        "listen = \"127.0.0.1:9\"\nlisten_addr = \"x\"\n",
    )
    .unwrap();
    let o = jaga(&dir, &["apikey", "list"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("listen_addr"));
    let o = jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "x",
            "--scopes",
            "customers:admin",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn two_serve_processes_on_one_postgres_share_a_gapless_audit_log() {
    let Some(db) = common::fresh_postgres_db("jaga_cli").map(|(url, _)| url) else {
        return;
    };
    let a = temp();
    let env = [("JAGA_DATABASE_URL", db.as_str())];
    ok(&jaga(&a, &["init"], &env));
    // The second node gets a copy of the data directory (key file, config, certificate).
    let b = temp();
    ok(&Command::new("cp")
        .args([
            "-a",
            &a.join("data").display().to_string(),
            &b.join("data").display().to_string(),
        ])
        .output()
        .unwrap());
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
        &env,
    ))
    .trim()
    .to_string();
    let (sa, sb) = (Server::start(&a, &env).await, Server::start(&b, &env).await);
    let mut tasks = Vec::new();
    for (n, s) in [&sa, &sb].into_iter().enumerate() {
        for t in 0..4 {
            let (client, url, key) = (s.client.clone(), s.url.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..15 {
                    let r = client
                        .post(format!("{url}/v1/customers"))
                        .bearer_auth(&key)
                        .json(&serde_json::json!({"full_name": format!("Node{n} T{t} C{i}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 201);
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    sa.stop();
    sb.stop();
    let store = jaga_store_postgres::PostgresStore::open(&db).await.unwrap();
    let head = jaga_core::store::Store::audit_head(&store).await.unwrap();
    let events = jaga_core::store::Store::audit_events(&store, 0, 10_000)
        .await
        .unwrap();
    assert_eq!(events.len() as u64, head.size);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64, "no gap or duplicate");
    }
    let (_, root) = jaga_audit::root_from_leaf_hashes(events.iter().map(|e| e.leaf_hash));
    assert_eq!(root, head.root);
    let creates = events
        .iter()
        .filter(|e| String::from_utf8_lossy(&e.leaf).contains("customer.create"))
        .count();
    assert_eq!(creates, 120);
    store.close().await;
    let base = jaga_testkit::skip::postgres_url();
    let name = db.rsplit('/').next().unwrap();
    let _ = Command::new("psql")
        .args([
            base.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name}"),
        ])
        .output();
}

#[test]
fn redact_text_and_jsonl_from_stdin() {
    let dir = temp();
    let run = |args: &[&str], input: &str| {
        let mut c = Command::new(BIN)
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        c.wait_with_output().unwrap()
    };
    use std::io::Write;
    let text =
        "Bu Dewi, NIK 3174011205900001, kartu 4111 1111 1111 1111, email dewi@example.co.id\n";
    let o = run(&["redact"], text);
    let out = ok(&o);
    assert!(
        !out.contains("3174011205900001")
            && !out.contains("4111 1111")
            && !out.contains("dewi@example.co.id"),
        "{out}"
    );
    assert!(out.contains("[NIK]"), "{out}");
    let line = serde_json::json!({"id": 7, "text": text.trim()}).to_string() + "\n";
    let o = run(&["redact", "--jsonl"], &line);
    let v: serde_json::Value = serde_json::from_str(ok(&o).trim()).unwrap();
    assert_eq!(v["id"], 7);
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"NIK") && kinds.contains(&"CREDIT_CARD") && kinds.contains(&"EMAIL"),
        "{kinds:?}"
    );
    let start = v["findings"][0]["start"].as_u64().unwrap() as usize;
    assert!(text.is_char_boundary(start));
    assert_eq!(
        run(&["redact", "--format", "pdf"], "x").status.code(),
        Some(2)
    );
}

#[test]
fn audit_verify_names_the_first_tampered_position() {
    let dir = temp();
    ok(&jaga(&dir, &["init"], &[]));
    for i in 0..5 {
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
            &[],
        ));
    }
    let out = ok(&jaga(&dir, &["audit", "verify"], &[]));
    assert!(
        out.starts_with("ok: ") && out.contains(" events, root "),
        "{out}"
    );
    // An attacker with SQL access drops the guard trigger and edits event 3.
    sqlite(
        &dir,
        "DROP TRIGGER audit_event_append_only_u; UPDATE audit_event SET leaf = replace(leaf, 'apikey.create', 'apikey.revoke') WHERE seq = 3;",
    );
    let o = jaga(&dir, &["audit", "verify", "--json"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["first_bad_position"].as_u64()),
        (Some(false), Some(3)),
        "{v}"
    );
    // Deleting the tail is caught too.
    let dir2 = temp();
    ok(&jaga(&dir2, &["init"], &[]));
    ok(&jaga(
        &dir2,
        &[
            "apikey",
            "create",
            "--name",
            "k",
            "--scopes",
            "customers:read",
        ],
        &[],
    ));
    sqlite(
        &dir2,
        "DROP TRIGGER audit_event_append_only_d; DELETE FROM audit_event WHERE seq = 2;",
    );
    let o = jaga(&dir2, &["audit", "verify"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("position 2"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn init_refuses_a_database_with_another_keyring_and_leaves_nothing_behind() {
    let first = temp();
    let db = format!("sqlite://{}", first.join("shared.db").display());
    ok(&jaga(&first, &["init"], &[("JAGA_DATABASE_URL", &db)]));
    let second = temp();
    let o = jaga(&second, &["init"], &[("JAGA_DATABASE_URL", &db)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already holds a Jaga keyring"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!second.join("data/root.key").exists() && !second.join("data/unseal.json").exists());
    // The first installation still works.
    ok(&jaga(
        &first,
        &["apikey", "list"],
        &[("JAGA_DATABASE_URL", &db)],
    ));
}
