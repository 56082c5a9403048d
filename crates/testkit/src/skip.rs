//! The one rule for tests that need PostgreSQL, for every crate: the server named in
//! `JAGA_TEST_POSTGRES_URL` (default [`DEFAULT_POSTGRES_URL`]) is used when it answers. When it
//! does not, the test is skipped — loudly: the line goes straight to the process's standard
//! error (libtest captures the print macros of passing tests, so an `eprintln!` would vanish
//! from CI logs) and, under GitHub Actions, as a `::warning::` annotation. With
//! `JAGA_REQUIRE_POSTGRES` set to anything but empty or `0` (CI sets `1`), an unreachable server
//! fails the test instead.

use std::io::Write;

/// Where the tests look for PostgreSQL when `JAGA_TEST_POSTGRES_URL` is unset.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("JAGA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

/// Whether an unreachable PostgreSQL fails the test (`JAGA_REQUIRE_POSTGRES` set, not `0`).
pub fn postgres_required() -> bool {
    std::env::var("JAGA_REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Reports that `what` cannot run because PostgreSQL at `url` is unreachable (`why`, without
/// credentials): panics when PostgreSQL is required, otherwise prints the `SKIPPED` line where
/// CI logs show it. Call it, then return from the test.
pub fn postgres_unreachable(what: &str, url: &str, why: &str) {
    let url = without_password(url);
    assert!(
        !postgres_required(),
        "PostgreSQL is required (JAGA_REQUIRE_POSTGRES) but {url} is unreachable: {why}"
    );
    skipped(
        what,
        &format!(
            "cannot reach PostgreSQL at {url} ({why}); set JAGA_TEST_POSTGRES_URL, or JAGA_REQUIRE_POSTGRES=1 to fail instead"
        ),
    );
}

/// Prints `SKIPPED: <what>: <why>` to the real standard error (not captured by libtest) and, in
/// GitHub Actions, as a warning annotation.
pub fn skipped(what: &str, why: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "SKIPPED: {what}: {why}");
    if std::env::var_os("GITHUB_ACTIONS").is_some() {
        let _ = writeln!(err, "::warning title=test skipped::{what}: {why}");
    }
}

/// `url` with any password replaced by `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            without_password("postgres://u:secret@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }
}
