//! Per-segment databases end to end with the binary: `[segments.vip]` and `[segments.b2b]` in
//! `jaga.toml` (two SQLite files next to the main one), customers created, read, looked up and
//! erased through the HTTP API, each database holding its own segment only, every log verified
//! by `jaga audit verify`; bad configuration and a layout with a segment's customers left in
//! the main database are refused with the key named.

use jaga_core::store::LifecycleStore;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{BIN, Served, jaga, ok, temp};

const SEGMENTS: &str = "\n[segments.vip]\ndatabase_url = \"sqlite://segment-vip.db\"\n[segments.b2b]\ndatabase_url = \"sqlite://segment-b2b.db\"\n";

fn add_config(dir: &Path, text: &str) {
    let p = dir.join("data/jaga.toml");
    let mut s = std::fs::read_to_string(&p).unwrap_or_default();
    s.push_str(text);
    std::fs::write(p, s).unwrap();
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

async fn open(dir: &Path, file: &str) -> jaga_store_sqlite::SqliteStore {
    let url = format!("sqlite://{}", dir.join("data").join(file).display());
    jaga_store_sqlite::SqliteStore::open(&url).await.unwrap()
}

/// Every byte of a SQLite database (with its write-ahead log, if any).
fn bytes(dir: &Path, file: &str) -> Vec<u8> {
    let mut b = std::fs::read(dir.join("data").join(file)).unwrap();
    if let Ok(w) = std::fs::read(dir.join("data").join(format!("{file}-wal"))) {
        b.extend(w);
    }
    b
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// `jaga serve` that must refuse to start: its exit and stderr (fails after 60 s).
fn serve_refused(dir: &Path) -> String {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("JAGA_DATA_DIR", dir.join("data"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jaga serve started although it should have refused");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segment_customers_live_in_their_own_database() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    add_config(&dir, SEGMENTS);
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "shop",
            "--scopes",
            "customers:write,customers:read,customers:erase,customers:reveal,customers:move",
        ],
    ))
    .trim()
    .to_string();
    let s = Served::start(&dir, &[]);
    let base = format!("https://{}", s.addr);
    let c = client(&dir);
    let mut ids = std::collections::BTreeMap::new();
    for (i, seg) in ["vip", "b2b", "default"].iter().enumerate() {
        let (st, v) = send(
            c.post(format!("{base}/v1/customers"))
                .bearer_auth(&key)
                .json(&serde_json::json!({
                    "full_name": format!("Sari Seg{i}"),
                    "email": format!("seg{i}@example.co.id"),
                    "phone": format!("0812{:08}", 41_000_000 + i),
                    "segment": seg,
                })),
        )
        .await;
        assert_eq!(st, 201, "{v}");
        ids.insert(*seg, v["id"].as_str().unwrap().to_string());
    }
    for (i, seg) in ["vip", "b2b", "default"].iter().enumerate() {
        let id = &ids[seg];
        let (st, v) = send(c.get(format!("{base}/v1/customers/{id}")).bearer_auth(&key)).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["segment"], *seg);
        let (st, v) = send(
            c.get(format!("{base}/v1/customers?email=seg{i}%40example.co.id"))
                .bearer_auth(&key),
        )
        .await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["customers"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["customers"][0]["id"].as_str(), Some(id.as_str()));
    }
    // A move between databases: refused whole.
    let (st, v) = send(
        c.post(format!("{base}/v1/customers/{}/segment", ids["vip"]))
            .bearer_auth(&key)
            .json(&serde_json::json!({"segment": "b2b"})),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    assert!(v.to_string().contains("unsupported"), "{v}");
    // Erasure of the vip customer.
    let (st, _) = send(
        c.delete(format!("{base}/v1/customers/{}", ids["vip"]))
            .bearer_auth(&key),
    )
    .await;
    assert_eq!(st, 204);
    let (st, _) = send(
        c.get(format!("{base}/v1/customers/{}", ids["vip"]))
            .bearer_auth(&key),
    )
    .await;
    assert_eq!(st, 410);
    drop(s);

    // Each database holds its own segment, and its log names only its own customer.
    for (file, seg) in [
        ("segment-vip.db", "vip"),
        ("segment-b2b.db", "b2b"),
        ("jaga.db", "default"),
    ] {
        let st = open(&dir, file).await;
        assert_eq!(
            st.customer_segments().await.unwrap(),
            vec![(seg.to_string(), 1)],
            "{file}"
        );
        st.close().await;
    }
    let main = bytes(&dir, "jaga.db");
    for seg in ["vip", "b2b"] {
        assert!(
            !contains(&main, &ids[seg]),
            "the main database names the {seg} customer"
        );
    }
    let vip = bytes(&dir, "segment-vip.db");
    for seg in ["b2b", "default"] {
        assert!(!contains(&vip, &ids[seg]), "the vip database names {seg}");
    }
    assert!(contains(&vip, &ids["vip"]), "positive control");

    // `jaga audit verify` checks every log.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&jaga(&dir, &["audit", "verify", "--json"]))).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let segs = v["segments"].as_array().unwrap();
    assert_eq!(segs.len(), 2, "{v}");
    for s in segs {
        assert_eq!(s["ok"], true, "{v}");
        assert!(s["events"].as_u64().unwrap() >= 2, "{v}");
    }
    // A tampered segment log fails verification (exit 1), naming the segment.
    // (as an attacker with the file would: the leaf hash recomputed so the row looks whole)
    let py = "import sqlite3,sys,hashlib\nc=sqlite3.connect(sys.argv[1])\nc.create_function('lh',1,lambda b: hashlib.sha256(b'\\x00'+b).digest())\nc.executescript(sys.argv[2])\nc.commit()";
    let sql = "DROP TRIGGER audit_event_append_only_u; UPDATE audit_event SET leaf = CAST(replace(leaf, 'customer.create', 'customer.erase') AS BLOB) WHERE seq = 0; UPDATE audit_event SET leaf_hash = lh(leaf) WHERE seq = 0;";
    let o = Command::new("python3")
        .args([
            "-c",
            py,
            &dir.join("data/segment-b2b.db").display().to_string(),
            sql,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = jaga(&dir, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("segment b2b: FAILED"), "{out}");
    assert!(out.contains("segment vip: ok"), "{out}");
}

#[test]
fn bad_segment_configuration_is_refused_naming_the_key() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let toml = std::fs::read_to_string(dir.join("data/jaga.toml")).unwrap_or_default();
    for (extra, wants) in [
        (
            "\n[segments.vip]\ndatabase_url = \"mysql://h/x\"\n",
            "[segments.vip] database_url",
        ),
        (
            "\n[segments.VIP]\ndatabase_url = \"sqlite://v.db\"\n",
            "[segments.VIP]",
        ),
        (
            "\n[segments.vip]\ndatabase_url = \"sqlite://jaga.db\"\n",
            "names the main database",
        ),
        (
            "\n[segments.vip]\ndatabase = \"sqlite://v.db\"\n",
            "database",
        ),
    ] {
        std::fs::write(dir.join("data/jaga.toml"), format!("{toml}{extra}")).unwrap();
        let o = jaga(&dir, &["audit", "verify"]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(wants), "{extra}: {err}");
        let err = serve_refused(&dir);
        assert!(err.contains(wants), "{extra}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_with_customers_in_the_main_database_cannot_get_its_own() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let csv = dir.join("customers.csv");
    std::fs::write(
        &csv,
        "full_name,email,segment\nDewi Sari,dewi@example.co.id,vip\n",
    )
    .unwrap();
    ok(&jaga(&dir, &["import", "customers", csv.to_str().unwrap()]));
    add_config(&dir, SEGMENTS);
    let err = serve_refused(&dir);
    assert!(
        err.contains("holds 1 customer(s) of segment `vip`"),
        "{err}"
    );
    // Nothing was moved: the customer is still in the main database.
    let st = open(&dir, "jaga.db").await;
    assert_eq!(
        st.customer_segments().await.unwrap(),
        vec![("vip".to_string(), 1)]
    );
    st.close().await;
}
