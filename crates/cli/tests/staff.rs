//! `jaga staff …` and the bootstrap invitation, end to end through the binary.

use std::process::Output;

mod common;
use common::jaga;

fn out(o: &Output) -> (Option<i32>, String, String) {
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn link_token(stdout: &str) -> String {
    let line = stdout
        .lines()
        .find(|l| l.contains("/console/invite?token="))
        .unwrap_or_else(|| panic!("no invitation link in {stdout}"));
    line.split("token=").nth(1).unwrap().trim().to_string()
}

#[test]
fn init_prints_a_bootstrap_invitation_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = out(&jaga(dir.path(), &["init"]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let token = link_token(&stdout);
    assert_eq!(token.len(), 43, "256-bit token");
    assert!(stdout.contains("https://127.0.0.1:8443/console/invite?token="));
    // While no admin exists, a new bootstrap link can be printed; each is different.
    let (code, stdout, _) = out(&jaga(dir.path(), &["staff", "bootstrap"]));
    assert_eq!(code, Some(0));
    assert_ne!(link_token(&stdout), token);
    // No account exists yet: there is no default account.
    let (code, stdout, _) = out(&jaga(dir.path(), &["staff", "list", "--json"]));
    assert_eq!(code, Some(0));
    assert_eq!(stdout.trim(), "[]");
}

#[test]
fn staff_add_list_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(jaga(dir.path(), &["init"]).status.code(), Some(0));
    let (code, stdout, stderr) = out(&jaga(
        dir.path(),
        &[
            "staff",
            "add",
            "--email",
            "Rina@Toko.id",
            "--role",
            "cs_staff",
            "--segment",
            "jakarta",
            "--base-url",
            "https://jaga.toko.id",
        ],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("https://jaga.toko.id/console/invite?token="),
        "{stdout}"
    );
    link_token(&stdout);
    // Unknown role and bad e-mail: clear errors, exit 2.
    let (code, _, stderr) = out(&jaga(
        dir.path(),
        &["staff", "add", "--email", "x@toko.id", "--role", "root"],
    ));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown role"), "{stderr}");
    let (code, _, stderr) = out(&jaga(
        dir.path(),
        &[
            "staff",
            "add",
            "--email",
            "not-an-email",
            "--role",
            "finance",
        ],
    ));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("email"), "{stderr}");
    // Disabling someone who does not exist is an error.
    let (code, _, stderr) = out(&jaga(dir.path(), &["staff", "disable", "ghost@toko.id"]));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no staff account"), "{stderr}");
}
