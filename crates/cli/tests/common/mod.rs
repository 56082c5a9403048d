//! Helpers shared by the `jaga` binary's integration tests: running the binary in a temporary
//! directory, checking its exit, editing its SQLite file behind its back, and fresh PostgreSQL
//! databases.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_jaga");

/// Runs `jaga args` in `dir` with the data directory `dir/data`.
pub fn jaga(dir: &Path, args: &[&str]) -> Output {
    jaga_with(dir, args, &[])
}

/// Runs `jaga args` in `dir` with the data directory `dir/data` and extra environment.
pub fn jaga_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("JAGA_DATA_DIR", dir.join("data"))
        .current_dir(dir)
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run jaga")
}

/// Asserts success and returns stdout.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh temporary directory, removed when the value is dropped at the end of a passing test.
/// When the test fails (the drop happens while panicking) it is kept for a post-mortem and its
/// path printed.
pub fn temp() -> Temp {
    Temp(Some(tempfile::tempdir().unwrap()))
}

/// A temporary directory; see [`temp`]. Dereferences to its path.
pub struct Temp(Option<tempfile::TempDir>);

impl std::ops::Deref for Temp {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.as_ref().unwrap().path()
    }
}

impl AsRef<Path> for Temp {
    fn as_ref(&self) -> &Path {
        self
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(d) = self.0.take()
        {
            let kept = d.keep();
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("test failed: kept {} for a post-mortem\n", kept.display()).as_bytes(),
            );
        }
    }
}

/// Runs `sql` on `dir/data/jaga.db` with Python's sqlite3 (as an attacker with file access
/// would); `lh(x)` is the RFC 9162 leaf hash, for forging consistent rows.
pub fn sqlite(dir: &Path, sql: &str) {
    let script = "import sqlite3,sys,hashlib\nc=sqlite3.connect(sys.argv[1])\nc.create_function('lh',1,lambda b: hashlib.sha256(b'\\x00'+b).digest())\nc.executescript(sys.argv[2])\nc.commit()";
    let o = Command::new("python3")
        .args([
            "-c",
            script,
            &dir.join("data/jaga.db").display().to_string(),
            sql,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A fresh PostgreSQL database `(url, name)` named `<prefix>_<uuid>`, or `None` when PostgreSQL
/// is unreachable and not required (the one rule of [`jaga_testkit::skip`]: a visible `SKIPPED`
/// line, or a failure under `JAGA_REQUIRE_POSTGRES`).
pub fn fresh_postgres_db(prefix: &str) -> Option<(String, String)> {
    let base = jaga_testkit::skip::postgres_url();
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let created = Command::new("psql")
        .args([base.as_str(), "-qc", &format!("CREATE DATABASE {name}")])
        .output();
    let why = match &created {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(String::from_utf8_lossy(&o.stderr).trim().to_string()),
        Err(e) => Some(format!("cannot run psql: {e}")),
    };
    if let Some(why) = why {
        jaga_testkit::skip::postgres_unreachable("PostgreSQL test", &base, &why);
        return None;
    }
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some((format!("{prefix}/{name}"), name))
}

/// Starts `jaga serve --listen 127.0.0.1:0` in `dir` with extra environment and returns the
/// child and its base URL, read from the line the server prints once its listener is bound
/// (no port is picked and released before the server binds it, and no polling is needed:
/// connections queue on the bound listener). Fails after 60 s without that line.
pub fn serve(dir: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let mut c = Command::new(BIN);
    c.args(["serve", "--listen", "127.0.0.1:0"])
        .env("JAGA_DATA_DIR", dir.join("data"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("spawn jaga serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { return };
            if let Some(rest) = line.split_once("https://").map(|(_, r)| r)
                && line.starts_with("Jaga is serving")
            {
                let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                let _ = tx.send(format!("https://{addr}"));
                break;
            }
        }
        // Keep draining so the server never blocks on a full pipe.
        for _ in lines {}
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    match rx.recv_timeout(deadline - Instant::now()) {
        Ok(url) => (child, url),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("jaga serve did not report its address within 60 s");
        }
    }
}

/// A `jaga serve` on an address the kernel picks (`127.0.0.1:0`), its real address read from
/// the line it prints once it listens.
pub struct Served {
    /// The process.
    pub child: Child,
    /// The address it announced (`127.0.0.1:PORT`).
    pub addr: String,
    /// What it printed before it announced the address.
    pub before: Vec<String>,
    /// What it prints after.
    pub lines: mpsc::Receiver<String>,
}

impl Served {
    /// Starts `jaga serve` in `dir` (data directory `dir/data`, unless `env` says otherwise).
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Served {
        Self::start_with_log(dir, env, Stdio::null())
    }

    /// Like [`Served::start`], the log (stderr) to `log`.
    pub fn start_with_log(dir: &Path, env: &[(&str, &str)], log: Stdio) -> Served {
        let mut c = Command::new(BIN);
        c.args(["serve", "--listen", "127.0.0.1:0"])
            .env("JAGA_DATA_DIR", dir.join("data"))
            .env("JAGA_LOG", "warn")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("jaga serve announced no address; it printed {before:?}");
            };
            if let Some(rest) = line.split("https://").nth(1)
                && line.starts_with("Jaga is serving")
            {
                let addr = rest.split_whitespace().next().unwrap().to_string();
                return Served {
                    child,
                    addr,
                    before,
                    lines: rx,
                };
            }
            before.push(line);
        }
    }
}

/// Waits until `f` holds, polling every 20 ms, at most `secs` seconds; panics naming `what`.
pub fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fake SMTP server on loopback that accepts every message and keeps its DATA.
pub async fn fake_smtp() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250-fake\r\n250 8BITMIME\r\n").await.unwrap();
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            r.read_line(&mut line).await.unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        store.lock().unwrap().push(data);
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, mails)
}
