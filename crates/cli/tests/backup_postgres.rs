//! `jaga backup` on PostgreSQL end to end: an online dump of a serving installation, erasure
//! after the backup, restore into a fresh PostgreSQL database that `jaga serve` then serves —
//! the erased customer stays erased, everyone else is intact, the audit log verifies — the
//! drill (scratch database created and dropped), and the refusals: a database that is not
//! empty, no target database, wrong key, damaged and truncated files, each leaving nothing
//! behind. Skipped (loudly) without PostgreSQL unless `JAGA_REQUIRE_POSTGRES` is set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{Served, fresh_postgres_db, jaga, ok, temp};

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `psql URL -tAc SQL`, trimmed.
fn psql(url: &str, sql: &str) -> String {
    let o = Command::new("psql")
        .args([url, "-tAc", sql])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Objects in the database's schema (a restore target must be left with none after a failure).
fn objects(url: &str) -> i64 {
    psql(
        url,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()",
    )
    .parse()
    .unwrap()
}

/// Drops the databases when the test ends, passing or not.
struct Dbs(Vec<String>);

impl Drop for Dbs {
    fn drop(&mut self) {
        let base = jaga_testkit::skip::postgres_url();
        for name in &self.0 {
            let _ = Command::new("psql")
                .args([
                    base.as_str(),
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .output();
        }
    }
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring") || n.contains("partial"))
        .collect()
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn client(dir: &Path) -> reqwest::Client {
    let pem = std::fs::read(dir.join("data/tls/cert.pem")).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

async fn send(r: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

/// A PostgreSQL installation in `dir/data` on the database `url`.
fn init(dir: &Path, url: &str) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("data/jaga.toml"),
        format!("database_url = \"{url}\"\n"),
    )
    .unwrap();
    ok(&jaga(dir, &["init"]));
}

fn api_key(dir: &Path) -> String {
    ok(&jaga(
        dir,
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
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_backup_erase_restore_into_a_fresh_database_keeps_the_erased_customer_erased() {
    let Some((src, src_name)) = fresh_postgres_db("jaga_pgbk_src") else {
        return;
    };
    let Some((dst, dst_name)) = fresh_postgres_db("jaga_pgbk_dst") else {
        return;
    };
    let _dbs = Dbs(vec![src_name, dst_name]);
    let dir = temp();
    init(&dir, &src);
    let key = api_key(&dir);
    let s = Served::start(&dir, &[]);
    let http = client(&dir);
    let base = format!("https://{}", s.addr);
    let markers: Vec<String> = (0..4).map(|i| format!("Pg{i}Planted")).collect();
    let mut ids = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        let (st, v) = send(
            http.post(format!("{base}/v1/customers"))
                .bearer_auth(&key)
                .json(&serde_json::json!({
                    "full_name": format!("Sari {m}"),
                    "email": format!("{}@example.co.id", m.to_lowercase()),
                    "phone": format!("0812{:08}", 41_000_000 + i),
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
    // Online: the server keeps serving while the dump is read.
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
    let m = &created["manifest"];
    assert_eq!(m["database"], "postgres", "{m}");
    assert_eq!(m["counts"]["customers"], 4, "{m}");
    let main = &m["databases"][0];
    assert_eq!(main["name"], "main");
    assert_eq!(main["format"], "pgcopy-binary");
    let tables: Vec<&str> = main["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for t in [
        "audit_event",
        "customer_keys",
        "customers",
        "keyring",
        "orders",
    ] {
        assert!(tables.contains(&t), "{t} missing from {tables:?}");
    }
    assert!(!tables.contains(&"_sqlx_migrations"));
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    for m in &markers {
        assert_eq!(count(&bytes, m.as_bytes()), 0, "{m} in the backup file");
        assert_eq!(count(&bytes, m.to_lowercase().as_bytes()), 0);
    }
    assert_eq!(count(&bytes, b"PGCOPY"), 0, "the dump is not in the clear");

    // Erased after the backup was taken.
    let victim = &ids[0];
    let (st, _) = send(
        http.delete(format!("{base}/v1/customers/{victim}"))
            .bearer_auth(&key),
    )
    .await;
    assert_eq!(st, 204);

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

    // Without a target database: refused, nothing created.
    let dir2 = temp();
    let to = dir2.join("data");
    let o = jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--to-database-url"), "{}", stderr(&o));
    assert!(!to.exists());
    // Into a database that is not empty (the live one): refused, nothing touched.
    let live_before = psql(&src, "SELECT count(*) FROM audit_event");
    let o = jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
            "--to-database-url",
            &src,
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    assert!(!to.exists());
    assert_eq!(psql(&src, "SELECT count(*) FROM audit_event"), live_before);

    // Into the fresh database, while the original keeps serving.
    let restored: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
            "--to-database-url",
            &dst,
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(restored["database"], "postgres", "{restored}");
    assert_eq!(restored["replayed"], 1, "{restored}");
    assert_eq!(restored["counts"]["customers"], 3);
    assert_eq!(restored["counts"]["erased"], 1);
    let toml = std::fs::read_to_string(to.join("jaga.toml")).unwrap();
    assert!(
        toml.contains(&format!("database_url = \"{dst}\"")),
        "{toml}"
    );
    assert!(!toml.contains(&format!("\"{src}\"")), "{toml}");
    assert!(!to.join(".databases").exists(), "no extracted table left");
    assert!(leftovers(&dir2).is_empty());
    // The restored database holds the ciphertexts of the victim no more.
    assert_eq!(
        psql(
            &dst,
            &format!("SELECT count(*) FROM customer_keys WHERE customer_id = '{victim}'")
        ),
        "0"
    );
    drop(s);

    let audit = ok(&jaga(&dir2, &["audit", "verify", "--json"]));
    assert!(
        audit.contains("\"ok\":true") || audit.contains("\"ok\": true"),
        "{audit}"
    );
    let r = Served::start(&dir2, &[]);
    let http2 = client(&dir2);
    let base2 = format!("https://{}", r.addr);
    let get = |id: &str, reveal: bool| {
        let mut q = http2
            .get(format!("{base2}/v1/customers/{id}"))
            .bearer_auth(&key);
        if reveal {
            q = q
                .query(&[("reveal", "email")])
                .header("X-Jaga-Purpose", "restore check TICKET-15");
        }
        q
    };
    assert_eq!(send(get(victim, false)).await.0, 410, "erased stays erased");
    for (i, id) in ids.iter().enumerate().skip(1) {
        let (st, v) = send(get(id, true)).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(
            v["email"],
            format!("{}@example.co.id", markers[i].to_lowercase()),
            "{v}"
        );
    }
    // The restored installation takes new writes (sequences and audit head carried over).
    let (st, v) = send(
        http2
            .post(format!("{base2}/v1/customers"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"full_name": "Baru Setelah Pemulihan"})),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    drop(r);
    let audit = ok(&jaga(&dir2, &["audit", "verify", "--json"]));
    assert!(audit.contains("true"), "{audit}");

    // The drill restores into a scratch database on the same server and drops it.
    let drills = |url: &str| {
        psql(
            url,
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'jaga\\_drill\\_%'",
        )
    };
    let before = drills(&src);
    let report: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "drill",
            "--from",
            out.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["replayed"], 1, "{report}");
    assert!(report["audit_events_verified"].as_u64().unwrap() > 0);
    assert_eq!(drills(&src), before, "the scratch database is dropped");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_postgres_backups_are_refused_and_leave_the_target_database_empty() {
    let Some((src, src_name)) = fresh_postgres_db("jaga_pgbk_bad") else {
        return;
    };
    let Some((dst, dst_name)) = fresh_postgres_db("jaga_pgbk_bad_dst") else {
        return;
    };
    let _dbs = Dbs(vec![src_name, dst_name]);
    let dir = temp();
    init(&dir, &src);
    let id = dir.join("owner.key");
    let recipient = make_identity(&id);
    let out = dir.join("backups");
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
    let other = dir.join("other.key");
    make_identity(&other);
    let bytes = std::fs::read(&file).unwrap();
    let damaged = dir.join("damaged.age");
    let mut b = bytes.clone();
    let mid = b.len() / 2;
    b[mid] ^= 0x40;
    std::fs::write(&damaged, &b).unwrap();
    let truncated = dir.join("truncated.age");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let target = dir.join("restored");
    for (bad, key, why) in [
        (&file, &other, "cannot be opened with this key"),
        (&damaged, &id, "damaged"),
        (&truncated, &id, "damaged"),
    ] {
        let o = jaga(
            &dir,
            &[
                "backup",
                "restore",
                bad.to_str().unwrap(),
                "--to",
                target.to_str().unwrap(),
                "--to-database-url",
                &dst,
                "--identity",
                key.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&o), Some(1), "{}: {}", bad.display(), stderr(&o));
        assert!(stderr(&o).contains(why), "{}", stderr(&o));
        assert!(!target.exists(), "no half-restored directory");
        assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
        assert_eq!(objects(&dst), 0, "nothing left in the target database");
        let o = jaga(
            &dir,
            &[
                "backup",
                "verify",
                bad.to_str().unwrap(),
                "--identity",
                key.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    }
    // The good one restores into the same database, which the failures left empty.
    let restored: serde_json::Value = serde_json::from_str(&ok(&jaga(
        &dir,
        &[
            "backup",
            "restore",
            file.to_str().unwrap(),
            "--to",
            target.to_str().unwrap(),
            "--to-database-url",
            &dst,
            "--identity",
            id.to_str().unwrap(),
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(restored["ok"], true, "{restored}");
    assert!(objects(&dst) > 0);
}

/// Writes a new age identity file (as `age-keygen` would); returns its recipient.
fn make_identity(path: &Path) -> String {
    let id = age::pq::Identity::generate();
    use age::secrecy::ExposeSecret;
    std::fs::write(path, format!("{}\n", id.to_string().expose_secret())).unwrap();
    id.to_public().to_string()
}
