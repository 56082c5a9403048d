//! Intrusion detection through the binary and a real `jaga serve`: honeytokens planted with
//! the CLI, a scripted attack over HTTPS (bulk reveal by an API key, a honeytoken found by a
//! lookup, a decoy key used), containment refusing the very next request, alerts reaching a
//! local SMTP sink and a local webhook receiver with valid signatures, acknowledgement, and the
//! incident report listing exactly the customers the attacker touched.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;
use common::{Served, fake_smtp, jaga, ok, temp};

/// HMAC-SHA256 written out (RFC 2104), independent of the code under test.
fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

type Hooks = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// An HTTPS receiver (the data directory's certificate, trusted by Jaga through `ca_file`).
async fn webhook(dir: &Path) -> (u16, Hooks) {
    let bodies: Hooks = Arc::new(Mutex::new(Vec::new()));
    let store = bodies.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let store = store.clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                store
                    .lock()
                    .unwrap()
                    .push((body, h("x-jaga-signature"), h("x-jaga-kind")));
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
    // Bound before it is handed over (never released): connections queue until it accepts.
    tokio::spawn(async move {
        let _ = jaga_server::serve_listener(app, listener, tls, std::future::pending()).await;
    });
    (port, bodies)
}

struct Server {
    served: Served,
    url: String,
    client: reqwest::Client,
}

impl Server {
    /// `jaga serve` on a port the kernel picks (`127.0.0.1:0`); returns once it announced the
    /// address it listens on (it binds before it announces, so connections queue from then on).
    async fn start(dir: &Path) -> Server {
        let d = dir.to_path_buf();
        let served = tokio::task::spawn_blocking(move || Served::start(&d, &[]))
            .await
            .unwrap();
        let pem = std::fs::read(dir.join("data/tls/cert.pem")).unwrap();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap();
        Server {
            url: format!("https://{}", served.addr),
            served,
            client,
        }
    }

    async fn req(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<serde_json::Value>,
        purpose: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        if let Some(p) = purpose {
            r = r.header("x-jaga-purpose", p);
        }
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.served.child.id().to_string()])
            .status()
            .unwrap();
        for _ in 0..150 {
            if self.served.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.served.child.kill().unwrap();
        panic!("server did not stop on SIGTERM");
    }
}

async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(&jaga(dir, args))).unwrap()
}

fn alerts(dir: &Path) -> Vec<serde_json::Value> {
    json(dir, &["alerts", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

async fn wait_alert(dir: &Path, rule: &str, actor: &str) -> serde_json::Value {
    for _ in 0..100 {
        if let Some(a) = alerts(dir)
            .into_iter()
            .find(|a| a["rule"] == rule && a["actor_id"] == actor)
        {
            return a;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {rule} alert for {actor}: {:?}", alerts(dir));
}

fn new_key(dir: &Path, name: &str, scopes: &str) -> String {
    ok(&jaga(
        dir,
        &["apikey", "create", "--name", name, "--scopes", scopes],
    ))
    .trim()
    .to_string()
}

fn key_id(token: &str) -> String {
    token.split('_').nth(1).unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_attack_is_detected_contained_alerted_and_reported() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let (smtp_port, mails) = fake_smtp().await;
    let (hook_port, hooks) = webhook(&dir).await;
    let secret = "s3cr3t-hook-key";
    std::fs::write(dir.join("data/hook.secret"), format!("{secret}\n")).unwrap();
    std::fs::write(
        dir.join("data/jaga.toml"),
        format!(
            "[[alerts.channel]]\nkind = \"webhook\"\nurl = \"https://127.0.0.1:{hook_port}/hook\"\n\
             secret_file = \"hook.secret\"\nca_file = \"tls/cert.pem\"\n\
             [[alerts.channel]]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {smtp_port}\n\
             tls = \"none\"\nfrom = \"jaga@toko.test\"\nto = \"owner@toko.test\"\n\
             [[alerts.channel]]\nkind = \"console\"\n"
        ),
    )
    .unwrap();

    // Decoys: customers, a key and a staff account; with the kinds and codes printed.
    let planted = json(
        &dir,
        &[
            "honeytoken",
            "create",
            "--count",
            "2",
            "--keys",
            "1",
            "--staff",
            "1",
            "--json",
        ],
    );
    let planted = planted.as_array().unwrap();
    let kinds: Vec<&str> = planted
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["customer", "customer", "api_key", "staff"],
        "{planted:?}"
    );
    for p in planted {
        assert_eq!(p.as_object().unwrap().len(), 3, "only id, code, kind: {p}");
    }
    let decoy = planted[0].clone();
    let decoy_key = planted[2]["code"].as_str().unwrap().to_string();
    assert!(decoy_key.starts_with("jaga_"), "a usable-looking key");

    let backend = new_key(&dir, "shop-backend", "customers:write,customers:read");
    let attacker = new_key(&dir, "partner-sync", "customers:read,customers:reveal");
    let server = Server::start(&dir).await;
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;

    // The shop's own work: customers created, a couple read. No alert.
    let mut ids = Vec::new();
    for i in 0..24 {
        let (s, c) = server
            .req(
                post.clone(),
                "/v1/customers",
                &backend,
                Some(serde_json::json!({
                    "full_name": format!("Pelanggan Nomor {i}"),
                    "email": format!("pelanggan{i}@contoh.id"),
                    "phone": format!("+62812555{i:04}"),
                })),
                None,
            )
            .await;
        assert_eq!(s, 201, "{c}");
        ids.push((
            c["id"].as_str().unwrap().to_string(),
            c["code"].as_str().unwrap().to_string(),
        ));
    }
    for (id, _) in ids.iter().take(3) {
        let (s, _) = server
            .req(
                get.clone(),
                &format!("/v1/customers/{id}"),
                &backend,
                None,
                None,
            )
            .await;
        assert_eq!(s, 200);
    }
    // A decoy reads like any customer: same shape of answer.
    let (s, real) = server
        .req(
            get.clone(),
            &format!("/v1/customers/{}", ids[0].0),
            &attacker,
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let mut touched = BTreeSet::from([ids[0].1.clone()]);

    // The attack: reveal customer after customer. The 21st reveal in the hour fires the rule
    // and suspends the key; the very next request is refused.
    let mut refused_at = None;
    for (n, (id, code)) in ids.iter().enumerate() {
        let (s, body) = server
            .req(
                get.clone(),
                &format!("/v1/customers/{id}?reveal=email,phone"),
                &attacker,
                None,
                Some("sync ticket 4411"),
            )
            .await;
        if s == 200 {
            assert!(body["email"].as_str().unwrap().contains('@'), "{body}");
            touched.insert(code.clone());
        } else {
            assert_eq!(s, 401, "{body}");
            refused_at = Some(n);
            break;
        }
    }
    assert_eq!(
        refused_at,
        Some(21),
        "21 reveals pass (the 21st fires the rule), the 22nd is refused"
    );
    // Still refused: the key stays suspended.
    let (s, _) = server
        .req(
            get.clone(),
            &format!("/v1/customers/{}", ids[0].0),
            &attacker,
            None,
            None,
        )
        .await;
    assert_eq!(s, 401);
    let bulk = wait_alert(&dir, "bulk_reveal", &key_id(&attacker)).await;
    assert_eq!(bulk["severity"], "high");
    assert_eq!(bulk["detail"]["containment"], "suspend");
    assert_eq!(bulk["detail"]["count"], "21");

    // A honeytoken found through a lookup by the shop's own key: critical at once.
    let (s, found) = server
        .req(
            get.clone(),
            &format!("/v1/customers?code={}", decoy["code"].as_str().unwrap()),
            &backend,
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let c = &found["customers"][0];
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(c), keys(&real), "a decoy answers like a real customer");
    let hit = wait_alert(&dir, "honeytoken", &key_id(&backend)).await;
    assert_eq!(hit["severity"], "critical");
    assert_eq!(hit["detail"]["customer_code"], decoy["code"]);

    // The decoy key used: refused like any bad key, and alerted.
    let (s, _) = server
        .req(
            get.clone(),
            &format!("/v1/customers/{}", ids[1].0),
            &decoy_key,
            None,
            None,
        )
        .await;
    assert_eq!(s, 401);
    let _ = wait_alert(&dir, "honeytoken", planted[2]["id"].as_str().unwrap()).await;

    // Alerts reach the mail sink and the webhook, signed, without personal data.
    wait_for("three alerts by mail", || mails.lock().unwrap().len() >= 3).await;
    wait_for("three alerts by webhook", || {
        hooks.lock().unwrap().len() >= 3
    })
    .await;
    for (body, sig, kind) in hooks.lock().unwrap().iter() {
        assert_eq!(kind.as_deref(), Some("alert"));
        assert_eq!(
            sig.as_deref(),
            Some(format!("sha256={}", hmac_hex(secret.as_bytes(), body.as_bytes())).as_str()),
            "signature over the body"
        );
        assert_ne!(
            sig.as_deref(),
            Some(format!("sha256={}", hmac_hex(b"wrong", body.as_bytes())).as_str())
        );
        let a: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(a["rule"].is_string() && a["id"].is_string(), "{a}");
    }
    let everything = format!(
        "{:?}{:?}{:?}",
        hooks.lock().unwrap(),
        mails.lock().unwrap(),
        alerts(&dir)
    );
    for needle in ["Pelanggan Nomor", "contoh.id", "+62812555", "62812555"] {
        assert!(
            !everything.contains(needle),
            "personal data {needle} in alerts"
        );
    }
    // Each alert once: repeats are counted, not sent again.
    assert_eq!(hooks.lock().unwrap().len(), alerts(&dir).len());

    // Acknowledge.
    let id = bulk["id"].as_str().unwrap();
    ok(&jaga(&dir, &["alerts", "ack", id]));
    let acked = alerts(&dir).into_iter().find(|a| a["id"] == id).unwrap();
    assert_eq!(acked["acked"], true);
    assert!(!jaga(&dir, &["alerts", "ack", "al-nope"]).status.success());

    // The incident from the alert lists exactly what the attacker touched.
    let inc = json(&dir, &["incident", "open", "--alert", id, "--json"]);
    let inc_id = inc["id"].as_str().unwrap();
    assert!(
        inc["deadline"].is_string() && inc["hours_left"].as_i64().unwrap() >= 71,
        "{inc}"
    );
    let report = json(
        &dir,
        &[
            "incident",
            "report",
            inc_id,
            "--lang",
            "en",
            "--json",
            "--shop",
            "Toko Maju",
            "--contact",
            "dpo@toko.test",
        ],
    );
    let affected: BTreeSet<String> = report["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        affected, touched,
        "exactly the customers the attacker touched"
    );
    let csv_codes: BTreeSet<String> = report["csv"]
        .as_str()
        .unwrap()
        .lines()
        .skip(1)
        .map(String::from)
        .collect();
    assert_eq!(csv_codes, touched);
    assert!(report["notice"].as_str().unwrap().contains("Article 46"));
    assert!(
        report["notice"].as_str().unwrap().contains("E-mail"),
        "data categories named in the reader's language"
    );
    assert_eq!(report["letters"].as_array().unwrap().len(), touched.len());
    let id_report = json(
        &dir,
        &[
            "incident",
            "report",
            inc_id,
            "--lang",
            "id",
            "--json",
            "--contact",
            "dpo@toko.test",
        ],
    );
    assert!(
        !jaga(&dir, &["incident", "report", inc_id, "--lang", "id"])
            .status
            .success(),
        "a report needs a contact"
    );
    assert!(id_report["notice"].as_str().unwrap().contains("Pasal 46"));

    // Containment lifted by the operator: the key works again.
    ok(&jaga(
        &dir,
        &["alerts", "lift", "--kind", "api_key", &key_id(&attacker)],
    ));
    let mut back = false;
    for _ in 0..40 {
        let (s, _) = server
            .req(
                get.clone(),
                &format!("/v1/customers/{}", ids[0].0),
                &attacker,
                None,
                None,
            )
            .await;
        if s == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        back,
        "the server reloads containment and the key works again"
    );

    // A decoy planted while the server runs is watched from its first read, at once.
    let late = json(
        &dir,
        &[
            "honeytoken",
            "create",
            "--count",
            "1",
            "--keys",
            "0",
            "--staff",
            "0",
            "--json",
        ],
    );
    let late_id = late[0]["id"].as_str().unwrap();
    let (s, _) = server
        .req(
            get.clone(),
            &format!("/v1/customers/{late_id}"),
            &attacker,
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let a = wait_alert(&dir, "honeytoken", &key_id(&attacker)).await;
    assert_eq!(a["detail"]["customer_code"], late[0]["code"]);
    server.stop();
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report}"))
}

#[test]
fn doctor_reports_each_check_with_reason_fix_and_controls_in_both_languages() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let o = jaga(&dir, &["doctor", "--json", "--lang", "en"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for id in [
        "tls_certificate",
        "unseal_method",
        "staff_mfa",
        "admins",
        "dormant_accounts",
        "api_keys",
        "audit_verified",
        "checkpoints",
        "backups",
        "retention",
        "advisories",
        "honeytokens",
        "alerts",
    ] {
        let c = check(&r, id);
        assert!(
            ["pass", "warn", "fail"].contains(&c["status"].as_str().unwrap()),
            "{c}"
        );
        assert!(!c["reason"].as_str().unwrap().is_empty(), "{c}");
        assert!(
            !c["controls"]["iso27001"].as_array().unwrap().is_empty(),
            "{c}"
        );
        assert!(
            !c["controls"]["uu_pdp"].as_array().unwrap().is_empty(),
            "{c}"
        );
    }
    // A fresh installation: a key file, a self-signed certificate, no backups, no decoys.
    assert_eq!(check(&r, "unseal_method")["status"], "warn");
    assert_eq!(check(&r, "tls_certificate")["status"], "warn");
    assert_eq!(check(&r, "audit_verified")["status"], "pass");
    let b = check(&r, "backups");
    assert_eq!(b["status"], "warn");
    assert!(
        b["reason"].as_str().unwrap().contains("Not configured"),
        "{b}"
    );
    assert_eq!(check(&r, "honeytokens")["status"], "warn");
    let fails = r["summary"]["fail"].as_u64().unwrap();
    assert_eq!(o.status.code(), Some(if fails > 0 { 1 } else { 0 }));

    // Backups and drills recorded by their jobs (the lease table) and decoys planted.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    common::sqlite(
        &dir,
        &format!(
            "INSERT INTO job_state (name, last_ok_at, runs) VALUES ('backup', {now}, 3), ('backup-drill', {now}, 1), ('retention', {}, 9);",
            now - 5 * 86_400_000
        ),
    );
    ok(&jaga(&dir, &["honeytoken", "create", "--count", "1"]));
    let r: serde_json::Value =
        serde_json::from_slice(&jaga(&dir, &["doctor", "--json", "--lang", "id"]).stdout).unwrap();
    assert_eq!(r["lang"], "id");
    assert_eq!(check(&r, "backups")["status"], "pass");
    let ret = check(&r, "retention");
    assert_eq!(ret["status"], "warn", "five days without retention: {ret}");
    assert!(
        ret["reason"]
            .as_str()
            .unwrap()
            .contains("terakhir berhasil"),
        "{ret}"
    );
    assert_eq!(check(&r, "honeytokens")["status"], "pass");
    assert_eq!(check(&r, "honeytokens")["title"], "Honeytoken");
    // Text output for the auditor.
    let text = String::from_utf8(jaga(&dir, &["doctor", "--lang", "en"]).stdout).unwrap();
    assert!(
        text.contains("Jaga security self-check") && text.contains("ISO 27001 A.8.24"),
        "{text}"
    );
}

#[test]
fn a_failed_audit_verification_raises_a_critical_alert() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    new_key(&dir, "a", "customers:read");
    new_key(&dir, "b", "customers:read");
    assert!(alerts(&dir).is_empty());
    common::sqlite(
        &dir,
        "DROP TRIGGER audit_event_append_only_u; UPDATE audit_event SET leaf = replace(leaf, 'apikey.create', 'apikey.revoke') WHERE seq = 3;",
    );
    let o = jaga(&dir, &["audit", "verify", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let a = alerts(&dir);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0]["rule"], "audit_verify_failed");
    assert_eq!(a[0]["severity"], "critical");
    assert_eq!(a[0]["detail"]["first_bad_position"], "3");
    // The doctor fails the check (and exits 1) and repeats the alert only as a count.
    let o = jaga(&dir, &["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(check(&r, "audit_verified")["status"], "fail");
    let a = alerts(&dir);
    assert_eq!(a.len(), 1, "de-duplicated: {a:?}");
    assert_eq!(a[0]["count"], 2);
}

/// Every audit event, decoded, as someone holding `audit:read` (or a copy of the database)
/// reads them.
fn events(dir: &Path) -> Vec<serde_json::Value> {
    let script = "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nfor (l,) in c.execute('SELECT leaf FROM audit_event ORDER BY seq'): print(bytes(l)[1:].decode())";
    let o = Command::new("python3")
        .args([
            "-c",
            script,
            &dir.join("data/jaga.db").display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What an event shows about who did what: actor, action, outcome and the set of field names
/// (values such as an invitation id normalised to their name).
fn shape(e: &serde_json::Value) -> (String, String, String, String, BTreeSet<String>) {
    let fields = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let f = f.as_str().unwrap();
            match f.split_once(':') {
                Some(("invitation", _)) => "invitation:<id>".to_string(),
                _ => f.to_string(),
            }
        })
        .collect();
    (
        e["actor_kind"].as_str().unwrap().to_string(),
        e["actor_id"].as_str().unwrap().to_string(),
        e["action"].as_str().unwrap().to_string(),
        e["outcome"].as_str().unwrap().to_string(),
        fields,
    )
}

#[test]
fn decoys_leave_the_audit_trail_real_records_leave() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    // The shop's normal work: an API key, an import, an invited member.
    let real_key = new_key(&dir, "shop-backend", "customers:read");
    assert!(real_key.starts_with("jaga_"));
    std::fs::write(
        dir.join("c.csv"),
        "full_name,email,phone,city\nSari Asli,sari.asli@example.co.id,081299887766,Bandung\n\
         Budi Asli,budi.asli@example.co.id,081299887767,Surabaya\n",
    )
    .unwrap();
    ok(&jaga(&dir, &["import", "customers", "c.csv"]));
    ok(&jaga(
        &dir,
        &[
            "staff",
            "add",
            "--email",
            "rina@toko.test",
            "--role",
            "cs_staff",
        ],
    ));
    let before = events(&dir);
    let real_create = before
        .iter()
        .find(|e| e["action"] == "customer.create")
        .unwrap();
    let real_apikey = before
        .iter()
        .find(|e| e["action"] == "apikey.create")
        .unwrap();
    let real_invite = before
        .iter()
        .rev()
        .find(|e| e["action"] == "staff.invite")
        .unwrap();

    let planted = json(
        &dir,
        &[
            "honeytoken",
            "create",
            "--count",
            "2",
            "--keys",
            "1",
            "--staff",
            "1",
            "--json",
        ],
    );
    let planted = planted.as_array().unwrap();
    let all = events(&dir);
    let new = &all[before.len()..];
    let of = |kind: &str| -> Vec<String> {
        planted
            .iter()
            .filter(|p| p["kind"] == kind)
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Customers: created by the importer with the same fields as the real import.
    for id in of("customer") {
        let evs: Vec<_> = all
            .iter()
            .filter(|e| e["customer_id"] == id.as_str())
            .collect();
        assert_eq!(evs.len(), 1, "only its creation names the decoy: {evs:?}");
        assert_eq!(shape(evs[0]), shape(real_create), "{:?}", evs[0]);
    }
    // Keys: made by `cli` like every real key.
    let keys: Vec<_> = new
        .iter()
        .filter(|e| e["action"] == "apikey.create")
        .collect();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (&keys[0]["actor_kind"], &keys[0]["actor_id"]),
        (&real_apikey["actor_kind"], &real_apikey["actor_id"])
    );
    // Staff: invited by `cli` like a real member, then accepted, enrolled, signed in.
    let staff_id = of("staff").remove(0);
    let invites: Vec<_> = new
        .iter()
        .filter(|e| e["action"] == "staff.invite")
        .collect();
    assert_eq!(invites.len(), 1);
    assert_eq!(shape(invites[0]), shape(real_invite));
    let by_member: Vec<String> = new
        .iter()
        .filter(|e| e["actor_id"] == staff_id.as_str())
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        by_member,
        [
            "staff.invitation.accept",
            "staff.totp.enrol",
            "staff.recovery.issue",
            "staff.login.ok"
        ]
    );
    let accept = new
        .iter()
        .find(|e| e["action"] == "staff.invitation.accept")
        .unwrap();
    assert_eq!(
        shape(accept).4,
        BTreeSet::from(["role:cs_staff".to_string(), "invitation:<id>".to_string()])
    );
    // Nothing else: no planting event next to the decoys, no count, no other actor.
    let actions: BTreeSet<&str> = new.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        BTreeSet::from([
            "customer.create",
            "apikey.create",
            "staff.invite",
            "staff.invitation.accept",
            "staff.totp.enrol",
            "staff.recovery.issue",
            "staff.login.ok",
        ]),
        "{new:?}"
    );
    let text = format!("{new:?}");
    for needle in [
        "honeytoken",
        "decoy",
        "count:",
        "cli.security",
        "cli-security",
    ] {
        assert!(!text.contains(needle), "{needle} in {text}");
    }

    // `--count N` alone plants exactly N customers.
    let only = json(&dir, &["honeytoken", "create", "--count", "3", "--json"]);
    let kinds: Vec<&str> = only
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "customer", "customer"]);
}
