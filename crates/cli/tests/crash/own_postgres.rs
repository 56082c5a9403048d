//! A PostgreSQL server of the test's own (initdb + pg_ctl in a temporary directory, reachable
//! only through a Unix socket in that directory, so no TCP port is chosen), stopped abruptly
//! and started again while `jaga serve` is under load.

use super::*;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A private PostgreSQL cluster; stopped (immediately) and deleted on drop.
struct OwnPostgres {
    dir: PathBuf,
    /// Run PostgreSQL's tools as this user (`postgres` when the tests run as root, which
    /// initdb refuses).
    as_user: Option<&'static str>,
}

impl OwnPostgres {
    fn bin() -> Option<PathBuf> {
        let from_env = std::env::var_os("JAGA_PG_BIN").map(PathBuf::from);
        let dir = from_env.unwrap_or_else(|| PathBuf::from(PG_BIN));
        dir.join("initdb").exists().then_some(dir)
    }

    fn cmd(&self, tool: &str) -> Command {
        let path = Self::bin().unwrap().join(tool);
        match self.as_user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn create() -> Option<Self> {
        Self::bin()?;
        let dir = tempfile::Builder::new()
            .prefix("jaga-own-pg")
            .tempdir()
            .unwrap()
            .keep();
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let as_user = root.then_some("postgres");
        if let Some(u) = as_user {
            assert!(
                Command::new("chown")
                    .args(["-R", &format!("{u}:"), dir.to_str().unwrap()])
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let pg = OwnPostgres { dir, as_user };
        let o = pg
            .cmd("initdb")
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(pg.dir.join("data"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        pg.start();
        Some(pg)
    }

    fn start(&self) {
        let o = self
            .cmd("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("pg.log"))
            .arg("-o")
            .arg(format!(
                "-c listen_addresses='' -k {} -c fsync=on -c synchronous_commit=on",
                self.dir.display()
            ))
            .arg("start")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Stops abruptly (`immediate`: no checkpoint, crash recovery at the next start).
    fn crash(&self) {
        let o = self
            .cmd("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// A URL for database `db` over the private socket.
    fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@localhost/{db}?host={}",
            self.dir.display()
        )
    }

    fn psql(&self, sql: &str) -> String {
        let o = Command::new("psql")
            .args([
                "-h",
                self.dir.to_str().unwrap(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qAtc",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_under_load_gives_503_then_recovers() {
    let Some(pg) = OwnPostgres::create() else {
        // The one skip rule (jaga_testkit::skip): fail when PostgreSQL is required, else say
        // so where CI logs show it.
        assert!(
            !jaga_testkit::skip::postgres_required(),
            "PostgreSQL is required (JAGA_REQUIRE_POSTGRES) but initdb was not found (set JAGA_PG_BIN)"
        );
        jaga_testkit::skip::skipped(
            "own-PostgreSQL restart test",
            "no initdb found (set JAGA_PG_BIN)",
        );
        return;
    };
    pg.psql("CREATE DATABASE jaga");
    let url = pg.url("jaga");
    let (dir, key) = setup(Some(&url));
    let s = Serve::start(&dir, 0).await;
    let seen = Arc::new(Seen::default());
    let shared = Arc::new((s.client.clone(), s.url.clone(), key.clone()));
    let tasks: Vec<_> = (0..4)
        .map(|w| tokio::spawn(client(shared.clone(), seen.clone(), format!("P{w}"), true)))
        .collect();
    until(
        "writes before the outage",
        Duration::from_secs(60),
        async || seen.count.load(Ordering::SeqCst) >= 20,
    )
    .await;
    pg.crash();
    // While the database is down, requests fail with 503 (not a hang, not a 500).
    until(
        "a 503 during the outage",
        Duration::from_secs(60),
        async || {
            seen.unavailable.load(Ordering::SeqCst) > 0
                || !seen.unexpected.lock().unwrap().is_empty()
        },
    )
    .await;
    let before = seen.count.load(Ordering::SeqCst);
    pg.start();
    // The server recovers by itself: writes are acknowledged again.
    until(
        "writes after the restart",
        Duration::from_secs(60),
        async || {
            seen.count.load(Ordering::SeqCst) >= before + 20
                || !seen.unexpected.lock().unwrap().is_empty()
        },
    )
    .await;
    for t in &tasks {
        t.abort();
    }
    for t in tasks {
        let _ = t.await;
    }
    let unexpected = seen.unexpected.lock().unwrap().clone();
    assert!(unexpected.is_empty(), "only 201/200 or 503: {unexpected:?}");
    let acked = seen.acked.lock().unwrap().clone();
    check_acked(&s, &key, &acked).await;
    // The server is healthy: ready, and no connection is left inside a transaction.
    let r = s
        .client
        .get(format!("{}/readyz", s.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    until("no connection idle in a transaction", Duration::from_secs(30), async || {
        pg.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'jaga' AND state LIKE 'idle in transaction%'",
        )
        .trim()
            == "0"
    })
    .await;
    s.stop();
    let [customers, creates, keyless, orders, order_events] = psql_counts(&url);
    assert!(
        customers as usize
            >= acked
                .iter()
                .filter(|a| matches!(a, Acked::Customer { .. }))
                .count()
    );
    assert_eq!(customers, creates);
    assert_eq!(keyless, 0);
    assert_eq!(orders, order_events);
    let v = ok(&jaga(&dir, &["audit", "verify"]));
    assert!(v.starts_with("ok: "), "{v}");
}
