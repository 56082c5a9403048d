//! Bulk-create benchmark: Jaga's core service on the SQLite store against plaintext inserts of
//! the same values into a plain SQLite table. See `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo run --release -p jaga-store-sqlite \
//!     --example bulk_create -- [N=100000] [BATCH=1000] [SINGLE=5000] [ROUNDS=3]
//! ```
//!
//! Each round uses fresh databases in a temporary directory and runs the plaintext and the Jaga
//! variant back to back (alternating which goes first), so the ratio is taken within one run on
//! the same, possibly busy, machine. Both sides use one writer connection, WAL,
//! `synchronous = NORMAL`, `foreign_keys` and `secure_delete`, a 64 MiB page cache and an
//! in-memory temp store, `BEGIN IMMEDIATE`, the same batch
//! size and the same indexes (unique id and code, e-mail, phone, NIK).
//!
//! - Jaga: `vault.writer(admin).create_batch(batch)`: validation, a fresh DEK per customer
//!   wrapped under the segment KEK, AES-256-GCM-SIV per field, three blind indexes, one audit
//!   event per customer (Merkle append) — all in the batch's transaction.
//! - Plain: the same field values as text (address and preferences as JSON text), a fresh UUID and
//!   code per row, one prepared `INSERT` per row.
//! - Plain + audit: as plain, plus one row per customer in an audit table with the columns and
//!   indexes of Jaga's `audit_event` (position, a ~200-byte event, its SHA-256 leaf hash, time,
//!   actor, action, customer id), one prepared `INSERT` per row — the cost of *an* audit trail
//!   without encryption or a Merkle tree, so the costs of encryption and of auditing are each
//!   visible.
//!
//! Inputs are built before the clock starts on both sides.

use jaga_core::model::NewCustomer;
use jaga_store_sqlite::SqliteStore;
use jaga_testkit::{Harness, marked_customer};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const PLAIN_SCHEMA: &[&str] = &[
    "CREATE TABLE customers (
        id                TEXT PRIMARY KEY,
        code              TEXT    NOT NULL UNIQUE,
        segment           TEXT    NOT NULL,
        marketing_consent INTEGER NOT NULL,
        full_name         TEXT,
        email             TEXT,
        phone             TEXT,
        address           TEXT,
        national_id       TEXT,
        birth_date        TEXT,
        preferences       TEXT,
        notes             TEXT,
        version           INTEGER NOT NULL,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL,
        erased_at         INTEGER
    )",
    "CREATE INDEX customers_email ON customers (email) WHERE email IS NOT NULL",
    "CREATE INDEX customers_phone ON customers (phone) WHERE phone IS NOT NULL",
    "CREATE INDEX customers_national_id ON customers (national_id) WHERE national_id IS NOT NULL",
];

const AUDIT_SCHEMA: &[&str] = &[
    "CREATE TABLE audit_event (
        seq         INTEGER PRIMARY KEY,
        leaf        BLOB    NOT NULL,
        leaf_hash   BLOB    NOT NULL,
        ts_ms       INTEGER NOT NULL,
        actor_id    TEXT    NOT NULL,
        action      TEXT    NOT NULL,
        customer_id TEXT
    )",
    "CREATE INDEX audit_event_customer ON audit_event (customer_id) WHERE customer_id IS NOT NULL",
    "CREATE INDEX audit_event_actor ON audit_event (actor_id, ts_ms)",
];

const AUDIT_INSERT: &str = "INSERT INTO audit_event (seq, leaf, leaf_hash, ts_ms, actor_id, \
     action, customer_id) VALUES (?, ?, ?, ?, ?, ?, ?)";

const PLAIN_INSERT: &str = "INSERT INTO customers (id, code, segment, marketing_consent, full_name, \
     email, phone, address, national_id, birth_date, preferences, notes, version, created_at, \
     updated_at, erased_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL)";

/// One customer's values as plain text, as the plain table stores them.
struct PlainRow {
    full_name: String,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    national_id: Option<String>,
    birth_date: Option<String>,
    preferences: Option<String>,
    notes: Option<String>,
    marketing_consent: bool,
}

fn json_str(s: &Option<String>) -> String {
    match s {
        Some(v) => format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")),
        None => "null".into(),
    }
}

impl PlainRow {
    fn from(c: &NewCustomer) -> Self {
        Self {
            full_name: c.full_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.as_ref().map(|a| {
                format!(
                    "{{\"street\":{},\"city\":{},\"province\":{},\"postal_code\":{}}}",
                    json_str(&a.street),
                    json_str(&a.city),
                    json_str(&a.province),
                    json_str(&a.postal_code)
                )
            }),
            national_id: c.national_id.clone(),
            birth_date: c.birth_date.clone(),
            preferences: c.preferences.as_ref().map(|p| p.to_string()),
            notes: c.notes.clone(),
            marketing_consent: c.marketing_consent,
        }
    }
}

fn customers(n: usize, round: usize) -> Vec<NewCustomer> {
    (0..n)
        .map(|i| marked_customer(&format!("Bench{round}x{i}"), i as u32))
        .collect()
}

async fn plain_pool(path: &Path, audited: bool) -> Result<SqlitePool, BoxError> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("secure_delete", "ON")
        // The same cache and temp store as Jaga's writer connection (`SqliteStore::open`).
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "MEMORY");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    for stmt in PLAIN_SCHEMA {
        sqlx::query(stmt).execute(&pool).await?;
    }
    if audited {
        for stmt in AUDIT_SCHEMA {
            sqlx::query(stmt).execute(&pool).await?;
        }
    }
    Ok(pool)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Inserts `rows` in transactions of `batch` rows (with an audit row each when `audited`).
/// Returns the elapsed time.
async fn run_plain(
    path: &Path,
    rows: &[PlainRow],
    batch: usize,
    audited: bool,
) -> Result<Duration, BoxError> {
    let pool = plain_pool(path, audited).await?;
    let start = Instant::now();
    let mut seq = 0i64;
    for chunk in rows.chunks(batch) {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        for r in chunk {
            let id = uuid::Uuid::new_v4();
            let code = format!("C{}", &id.simple().to_string()[..10]).to_uppercase();
            let now = now_ms();
            sqlx::query(PLAIN_INSERT)
                .bind(id.to_string())
                .bind(code)
                .bind("default")
                .bind(r.marketing_consent)
                .bind(&r.full_name)
                .bind(&r.email)
                .bind(&r.phone)
                .bind(&r.address)
                .bind(&r.national_id)
                .bind(&r.birth_date)
                .bind(&r.preferences)
                .bind(&r.notes)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if audited {
                let leaf = format!(
                    "{{\"seq\":{seq},\"ts_ms\":{now},\"actor_kind\":\"system\",\"actor_id\":\"test\",\"action\":\"customer.create\",\"customer_id\":\"{id}\",\"fields\":[],\"outcome\":\"ok\",\"request_id\":\"req-test\"}}"
                );
                let hash = jaga_audit::leaf_hash(leaf.as_bytes());
                sqlx::query(AUDIT_INSERT)
                    .bind(seq)
                    .bind(leaf.as_bytes())
                    .bind(&hash[..])
                    .bind(now)
                    .bind("test")
                    .bind("customer.create")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                seq += 1;
            }
        }
        tx.commit().await?;
    }
    let elapsed = start.elapsed();
    pool.close().await;
    Ok(elapsed)
}

/// Creates `inputs` through the vault: `create_batch` per `batch`, or `create` per customer when
/// `batch == 1`. Returns the elapsed time.
async fn run_jaga(path: &Path, inputs: &[NewCustomer], batch: usize) -> Result<Duration, BoxError> {
    let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await?;
    let h = Harness::new(Arc::new(store.clone())).await;
    let admin = h.admin();
    let writer = h.vault.writer(&admin).await?;
    let start = Instant::now();
    if batch == 1 {
        for c in inputs {
            writer.create(c).await?;
        }
    } else {
        for chunk in inputs.chunks(batch) {
            writer.create_batch(chunk).await?;
        }
    }
    let elapsed = start.elapsed();
    store.close().await;
    Ok(elapsed)
}

fn file_size(path: &Path) -> u64 {
    let mut total = 0;
    for suffix in ["", "-wal"] {
        let p = format!("{}{}", path.display(), suffix);
        total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    }
    total
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Series {
    plain: Vec<f64>,
    audited: Vec<f64>,
    jaga: Vec<f64>,
    ratio: Vec<f64>,
    ratio_audited: Vec<f64>,
}

async fn compare(
    label: &str,
    n: usize,
    batch: usize,
    rounds: usize,
    dir: &Path,
) -> Result<Series, BoxError> {
    let mut s = Series {
        plain: vec![],
        audited: vec![],
        jaga: vec![],
        ratio: vec![],
        ratio_audited: vec![],
    };
    for round in 0..rounds {
        let inputs = customers(n, round);
        let plain_rows: Vec<PlainRow> = inputs.iter().map(PlainRow::from).collect();
        let plain_path = dir.join(format!("{label}-plain-{round}.db"));
        let audited_path = dir.join(format!("{label}-audited-{round}.db"));
        let jaga_path = dir.join(format!("{label}-jaga-{round}.db"));
        let (p, a, j) = if round % 2 == 0 {
            let p = run_plain(&plain_path, &plain_rows, batch, false).await?;
            let a = run_plain(&audited_path, &plain_rows, batch, true).await?;
            let j = run_jaga(&jaga_path, &inputs, batch).await?;
            (p, a, j)
        } else {
            let j = run_jaga(&jaga_path, &inputs, batch).await?;
            let a = run_plain(&audited_path, &plain_rows, batch, true).await?;
            let p = run_plain(&plain_path, &plain_rows, batch, false).await?;
            (p, a, j)
        };
        let (ps, aus, js) = (p.as_secs_f64(), a.as_secs_f64(), j.as_secs_f64());
        println!(
            "{label} round {round}: n={n} batch={batch} plain {ps:.3} s ({:.0}/s, {:.1} MB)  plain+audit {aus:.3} s ({:.0}/s, {:.1} MB)  jaga {js:.3} s ({:.0}/s, {:.1} MB)  ratio {:.2}x  vs plain+audit {:.2}x",
            n as f64 / ps,
            file_size(&plain_path) as f64 / 1e6,
            n as f64 / aus,
            file_size(&audited_path) as f64 / 1e6,
            n as f64 / js,
            file_size(&jaga_path) as f64 / 1e6,
            js / ps,
            js / aus
        );
        s.audited.push(aus);
        s.ratio_audited.push(js / aus);
        s.plain.push(ps);
        s.jaga.push(js);
        s.ratio.push(js / ps);
        for p in [&plain_path, &audited_path, &jaga_path] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{}", p.display(), suffix));
            }
        }
    }
    let (mp, ma, mj) = (
        median(&mut s.plain),
        median(&mut s.audited),
        median(&mut s.jaga),
    );
    println!(
        "{label} MEDIAN of {rounds}: plain {mp:.3} s ({:.0}/s)  plain+audit {ma:.3} s ({:.0}/s)  jaga {mj:.3} s ({:.0}/s)  median-ratio {:.2}x  vs plain+audit {:.2}x",
        n as f64 / mp,
        n as f64 / ma,
        n as f64 / mj,
        median(&mut s.ratio),
        median(&mut s.ratio_audited)
    );
    Ok(s)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let n = args.first().copied().unwrap_or(100_000);
    let batch = args.get(1).copied().unwrap_or(1_000);
    let single = args.get(2).copied().unwrap_or(5_000);
    let rounds = args.get(3).copied().unwrap_or(3).max(1);
    let dir = tempfile::tempdir()?;
    println!(
        "bulk_create: {} cores, tmp {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        dir.path().display()
    );
    compare("batch", n, batch, rounds, dir.path()).await?;
    if single > 0 {
        compare("single", single, 1, rounds, dir.path()).await?;
    }
    Ok(())
}
