//! Helpers shared by the `jaga` binary's integration tests: running the binary in a temporary
//! directory, checking its exit, editing its SQLite file behind its back, and fresh PostgreSQL
//! databases.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

/// A fresh temporary directory that outlives the test (for post-mortems).
pub fn temp() -> PathBuf {
    tempfile::tempdir().unwrap().keep()
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

/// A fresh PostgreSQL database `(url, name)` named `<prefix>_<uuid>`, or `None` (with a
/// SKIPPED line) when PostgreSQL is unreachable and `JAGA_REQUIRE_POSTGRES` is unset.
pub fn fresh_postgres_db(prefix: &str) -> Option<(String, String)> {
    let base = std::env::var("JAGA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let created = Command::new("psql")
        .args([base.as_str(), "-qc", &format!("CREATE DATABASE {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !created {
        assert!(
            std::env::var_os("JAGA_REQUIRE_POSTGRES").is_none(),
            "PostgreSQL is required (JAGA_REQUIRE_POSTGRES) but {base} is unreachable"
        );
        eprintln!("PostgreSQL tests SKIPPED: cannot reach {base} (set JAGA_TEST_POSTGRES_URL)");
        return None;
    }
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some((format!("{prefix}/{name}"), name))
}
