//! Crash safety as a test: `jaga serve` is killed with SIGKILL at random moments while
//! concurrent clients create customers and orders and read them back, then started again, at
//! least 20 times, on SQLite and on PostgreSQL. After every restart the server must come up
//! on its own (no repair step), every write it acknowledged must be readable, and at the end
//! no partial record may exist (a customer without its key or its audit event, an order
//! without its event) and `jaga audit verify` must pass.
//!
//! A second test restarts a PostgreSQL server of its own (never the shared one) under load:
//! requests during the outage fail with a clear 503, nothing acknowledged is lost, and the
//! server recovers by itself.
//!
//! `JAGA_CRASH_SOAK=1` runs many more rounds and writers (minutes); `JAGA_CRASH_SEED=<n>`
//! replays a run's kill moments (the seed is printed).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::{BIN, fresh_postgres_db, jaga, ok, temp};

/// A small deterministic generator for the kill moments (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = std::env::var("JAGA_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap())
            });
        eprintln!("crash test seed: JAGA_CRASH_SEED={seed}");
        Rng(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn soak() -> bool {
    std::env::var("JAGA_CRASH_SOAK").is_ok_and(|v| v == "1")
}

/// Polls `f` until it is true or `within` has passed.
async fn until(what: &str, within: Duration, mut f: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A running `jaga serve` on a port the OS chose (read from its start-up line).
struct Serve {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Serve {
    async fn start(dir: &Path, run: usize) -> Serve {
        let log = std::fs::File::create(dir.join(format!("serve-{run}.log"))).unwrap();
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("JAGA_DATA_DIR", dir.join("data"))
            .env("JAGA_LOG", "warn")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("https://").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                let log = std::fs::read_to_string(dir.join(format!("serve-{run}.log")));
                panic!("jaga serve did not start (run {run}): {log:?}");
            }
        };
        let pem = std::fs::read(dir.join("data/tls/cert.pem")).unwrap();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let s = Serve {
            child,
            url: format!("https://{addr}"),
            client,
        };
        // Started without any repair step: ready means unsealed and the database answers.
        until("readyz", Duration::from_secs(60), async || {
            s.client
                .get(format!("{}/readyz", s.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        s
    }

    fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(s) = self.child.try_wait().unwrap() {
                assert!(s.success(), "serve exited with {s}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("server did not stop on SIGTERM");
    }
}

/// A write the server acknowledged.
#[derive(Clone, Debug)]
enum Acked {
    Customer { id: String, code: String },
    Order { customer: String, order_ref: String },
}

/// What one round's clients saw.
#[derive(Default)]
struct Seen {
    acked: Mutex<Vec<Acked>>,
    count: AtomicUsize,
    /// Statuses other than the expected ones (with their bodies), which fail the test.
    unexpected: Mutex<Vec<String>>,
    unavailable: AtomicUsize,
}

/// One client: creates customers, adds an order to every other one, reads every third back,
/// until its connection fails (the server was killed) or `stop` is set.
async fn client(
    s: Arc<(reqwest::Client, String, String)>,
    seen: Arc<Seen>,
    tag: String,
    allow_503: bool,
) {
    let (client, url, key) = (&s.0, &s.1, &s.2);
    let mut i = 0u32;
    loop {
        i += 1;
        let body = serde_json::json!({
            "full_name": format!("Crash {tag} {i}"),
            "email": format!("crash.{}.{i}@example.co.id", tag.to_lowercase()),
            "notes": format!("written by {tag}"),
        });
        let Ok(r) = client
            .post(format!("{url}/v1/customers"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        let status = r.status().as_u16();
        let Ok(v) = r.json::<serde_json::Value>().await else {
            return;
        };
        match status {
            201 => {}
            503 if allow_503 => {
                seen.unavailable.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            _ => {
                seen.unexpected
                    .lock()
                    .unwrap()
                    .push(format!("create: {status} {v}"));
                return;
            }
        }
        let id = v["id"].as_str().unwrap().to_string();
        seen.acked.lock().unwrap().push(Acked::Customer {
            id: id.clone(),
            code: v["code"].as_str().unwrap().to_string(),
        });
        seen.count.fetch_add(1, Ordering::SeqCst);
        if i.is_multiple_of(2) {
            let order_ref = format!("INV/{tag}/{i}");
            let order = serde_json::json!({"order_ref": order_ref, "amount_minor": 150000, "currency": "IDR",
                "status": "paid", "items": [{"sku": "TNR-1", "name": "Toner", "quantity": 1, "unit_price_minor": 150000}]});
            let Ok(r) = client
                .post(format!("{url}/v1/customers/{id}/orders"))
                .bearer_auth(key)
                .json(&order)
                .send()
                .await
            else {
                return;
            };
            match r.status().as_u16() {
                201 => seen.acked.lock().unwrap().push(Acked::Order {
                    customer: id.clone(),
                    order_ref,
                }),
                503 if allow_503 => {
                    seen.unavailable.fetch_add(1, Ordering::SeqCst);
                }
                other => {
                    let t = r.text().await.unwrap_or_default();
                    seen.unexpected
                        .lock()
                        .unwrap()
                        .push(format!("order: {other} {t}"));
                    return;
                }
            }
        }
        if i.is_multiple_of(3) {
            let Ok(r) = client
                .get(format!("{url}/v1/customers/{id}"))
                .bearer_auth(key)
                .send()
                .await
            else {
                return;
            };
            match r.status().as_u16() {
                200 => {}
                503 if allow_503 => {
                    seen.unavailable.fetch_add(1, Ordering::SeqCst);
                }
                other => {
                    seen.unexpected
                        .lock()
                        .unwrap()
                        .push(format!("read: {other}"));
                    return;
                }
            }
        }
    }
}

/// Every acknowledged write is there: customers with their codes, orders in their lists.
async fn check_acked(s: &Serve, key: &str, acked: &[Acked]) {
    for a in acked {
        match a {
            Acked::Customer { id, code } => {
                let r = s
                    .client
                    .get(format!("{}/v1/customers/{id}", s.url))
                    .bearer_auth(key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200, "acknowledged customer {id} lost");
                let v: serde_json::Value = r.json().await.unwrap();
                assert_eq!(v["code"].as_str(), Some(code.as_str()));
            }
            Acked::Order {
                customer,
                order_ref,
            } => {
                let r = s
                    .client
                    .get(format!("{}/v1/customers/{customer}/orders", s.url))
                    .bearer_auth(key)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                let v: serde_json::Value = r.json().await.unwrap();
                assert!(
                    v["orders"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|o| o["order_ref"].as_str() == Some(order_ref.as_str())),
                    "acknowledged order {order_ref} lost"
                );
            }
        }
    }
}

/// A data directory (SQLite, or PostgreSQL at `db`) with an API key for customers and orders.
fn setup(db: Option<&str>) -> (common::Temp, String) {
    let dir = temp();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    if let Some(db) = db {
        std::fs::write(
            dir.join("data/jaga.toml"),
            format!("database_url = \"{db}\"\n"),
        )
        .unwrap();
    }
    ok(&jaga(&dir, &["init"]));
    let key = ok(&jaga(
        &dir,
        &[
            "apikey",
            "create",
            "--name",
            "crash",
            "--scopes",
            "customers:write,customers:read,orders:write,orders:read",
        ],
    ))
    .trim()
    .to_string();
    (dir, key)
}

/// Counts of (customers, customer.create events, customers without a key, orders,
/// order.create events), by a query the backend's client runs.
type Counts = [i64; 5];
const COUNTS_SQL: &str = "SELECT (SELECT count(*) FROM customers), \
    (SELECT count(*) FROM audit_event WHERE action = 'customer.create'), \
    (SELECT count(*) FROM customers c LEFT JOIN customer_keys k ON k.customer_id = c.id \
       WHERE k.customer_id IS NULL AND c.erased_at IS NULL), \
    (SELECT count(*) FROM orders), \
    (SELECT count(*) FROM audit_event WHERE action = 'order.create')";

fn parse_counts(out: &str) -> Counts {
    let v: Vec<i64> = out
        .trim()
        .split(['|', ','])
        .map(|x| x.trim().parse().unwrap())
        .collect();
    v.try_into().unwrap()
}

fn sqlite_counts(dir: &Path) -> Counts {
    let o = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(','.join(str(x) for x in c.execute(sys.argv[2]).fetchone()))",
            &dir.join("data/jaga.db").display().to_string(),
            COUNTS_SQL,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    parse_counts(&String::from_utf8_lossy(&o.stdout))
}

fn psql_counts(url: &str) -> Counts {
    let o = Command::new("psql")
        .args([url, "-qAtc", COUNTS_SQL])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    parse_counts(&String::from_utf8_lossy(&o.stdout))
}

/// The kill loop shared by both stores.
async fn kill_loop(dir: &Path, key: &str, counts: impl Fn() -> Counts) {
    let (rounds, writers) = if soak() { (200, 16) } else { (20, 6) };
    let mut rng = Rng::new();
    let mut all: Vec<Acked> = Vec::new();
    for round in 0..rounds {
        let s = Serve::start(dir, round).await;
        // What the previous rounds acknowledged survived the kill.
        check_acked(&s, key, &all).await;
        let seen = Arc::new(Seen::default());
        let shared = Arc::new((s.client.clone(), s.url.clone(), key.to_string()));
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                tokio::spawn(client(
                    shared.clone(),
                    seen.clone(),
                    format!("R{round}W{w}"),
                    false,
                ))
            })
            .collect();
        // A random moment: after 1 to 60 acknowledged creates in this round.
        let target = 1 + rng.below(60) as usize;
        until(
            "writes before the kill",
            Duration::from_secs(60),
            async || {
                seen.count.load(Ordering::SeqCst) >= target
                    || !seen.unexpected.lock().unwrap().is_empty()
            },
        )
        .await;
        s.kill9();
        for t in tasks {
            t.await.unwrap();
        }
        let unexpected = seen.unexpected.lock().unwrap().clone();
        assert!(unexpected.is_empty(), "round {round}: {unexpected:?}");
        all.extend(seen.acked.lock().unwrap().iter().cloned());
    }
    let s = Serve::start(dir, rounds).await;
    check_acked(&s, key, &all).await;
    s.stop();
    let [customers, creates, keyless, orders, order_events] = counts();
    let acked_customers = all
        .iter()
        .filter(|a| matches!(a, Acked::Customer { .. }))
        .count() as i64;
    assert!(
        customers >= acked_customers,
        "{customers} < {acked_customers}"
    );
    assert_eq!(
        customers, creates,
        "every customer has exactly its create event"
    );
    assert_eq!(keyless, 0, "no customer without its key");
    assert_eq!(
        orders, order_events,
        "every order has exactly its create event"
    );
    let v = ok(&jaga(dir, &["audit", "verify"]));
    assert!(v.starts_with("ok: "), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_sigkill_during_concurrent_writes() {
    let (dir, key) = setup(None);
    let d = dir.to_path_buf();
    kill_loop(&dir, &key, move || sqlite_counts(&d)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_sigkill_during_concurrent_writes() {
    let Some((db, name)) = fresh_postgres_db("jaga_crash") else {
        return;
    };
    let (dir, key) = setup(Some(&db));
    let url = db.clone();
    kill_loop(&dir, &key, move || psql_counts(&url)).await;
    drop_db(&name);
}

fn drop_db(name: &str) {
    let base = jaga_testkit::skip::postgres_url();
    let _ = Command::new("psql")
        .args([
            base.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ])
        .output();
}

#[path = "crash/own_postgres.rs"]
mod own_postgres;
