//! Issue 18, the CLI as a new shop owner meets it: `serve` on a taken port, `unseal` following
//! the configured listen address and saying plainly when no server runs, `public_url` in the
//! links the CLI prints, configuration errors that name file, line and key.

use std::process::Stdio;

mod common;
use common::{Served, jaga_with, ok, temp};

#[test]
fn serve_on_a_taken_port_says_so_and_never_announces_serving() {
    let dir = temp();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = jaga_with(&dir, &["serve", "--listen", &addr], &[("JAGA_LOG", "warn")]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{out}\n{err}");
    assert!(!out.contains("serving"), "announced before failing: {out}");
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(err.contains("already in use"), "{err}");
    assert!(err.contains("--listen"), "says what to do: {err}");
    drop(taken);
}

#[test]
fn serve_announces_the_address_it_really_listens_on() {
    let dir = temp();
    let s = Served::start(&dir, &[]);
    assert!(s.addr.starts_with("127.0.0.1:"), "{}", s.addr);
    assert_ne!(s.addr, "127.0.0.1:0");
    std::net::TcpStream::connect(&s.addr).expect("listening where announced");
}

#[test]
fn unseal_follows_the_configured_listen_address() {
    let dir = temp();
    std::fs::write(dir.join("pass"), "kopi susu gula aren\n").unwrap();
    let pass = dir.join("pass").display().to_string();
    ok(&jaga_with(
        &dir,
        &["init", "--unseal", "passphrase"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    let s = Served::start(&dir, &[]);
    // JAGA_LISTEN names the running server; no --url.
    let o = jaga_with(
        &dir,
        &["unseal"],
        &[("JAGA_PASSPHRASE_FILE", &pass), ("JAGA_LISTEN", &s.addr)],
    );
    let out = ok(&o);
    assert!(out.contains("unsealed"), "{out}");
    drop(s);

    // The same through `listen` in jaga.toml.
    let dir = temp();
    ok(&jaga_with(
        &dir,
        &["init", "--unseal", "passphrase"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    let s = Served::start(&dir, &[]);
    let toml = dir.join("data/jaga.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("listen = \"{}\"\n{text}", s.addr)).unwrap();
    ok(&jaga_with(
        &dir,
        &["unseal"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    let _ = s.lines.try_recv();
}

#[test]
fn unseal_without_a_server_asks_whether_jaga_serve_runs() {
    let dir = temp();
    std::fs::write(dir.join("pass"), "kopi susu gula aren\n").unwrap();
    let pass = dir.join("pass").display().to_string();
    ok(&jaga_with(
        &dir,
        &["init", "--unseal", "passphrase"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    // Port 1 on loopback: nothing listens there. No passphrase is offered: the server is
    // reached before any secret is asked for.
    for (args, env) in [
        (vec!["unseal"], vec![("JAGA_LISTEN", "127.0.0.1:1")]),
        (vec!["unseal", "--url", "https://127.0.0.1:1"], vec![]),
    ] {
        let o = jaga_with(&dir, &args, &env);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("is `jaga serve` running?"), "{err}");
        assert!(
            err.contains("https://127.0.0.1:1"),
            "names the address tried: {err}"
        );
        assert!(err.contains("--url"), "says how to point elsewhere: {err}");
        assert!(
            !err.contains("error sending request"),
            "raw error chain: {err}"
        );
        assert!(!err.contains("tcp connect error"), "raw error chain: {err}");
    }
}

#[test]
fn links_the_cli_prints_start_with_public_url() {
    let dir = temp();
    ok(&jaga_with(&dir, &["init"], &[]));
    let toml = dir.join("data/jaga.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("public_url = \"https://jaga.toko.example/\"\n{text}"),
    )
    .unwrap();
    let out = ok(&jaga_with(
        &dir,
        &[
            "staff",
            "add",
            "--email",
            "rina@toko.example",
            "--role",
            "cs_staff",
        ],
        &[],
    ));
    assert!(
        out.contains("https://jaga.toko.example/console/invite?token="),
        "{out}"
    );
    // The environment overrides the file.
    let out = ok(&jaga_with(
        &dir,
        &[
            "staff",
            "add",
            "--email",
            "budi@toko.example",
            "--role",
            "cs_staff",
        ],
        &[("JAGA_PUBLIC_URL", "https://10.0.0.5:8443")],
    ));
    assert!(
        out.contains("https://10.0.0.5:8443/console/invite?token="),
        "{out}"
    );
    // Both invitations are pending, listed (never with their tokens).
    let list = ok(&jaga_with(&dir, &["staff", "list"], &[]));
    assert!(list.contains("pending invitations"), "{list}");
    assert!(
        list.contains("rina@toko.example") && list.contains("budi@toko.example"),
        "{list}"
    );
    assert!(!list.contains("token="), "{list}");
    // A public_url that could not work is refused, naming the key.
    for bad in [
        "http://jaga.toko.example",
        "jaga.toko.example",
        "https://a@b/",
    ] {
        let o = jaga_with(&dir, &["staff", "list"], &[("JAGA_PUBLIC_URL", bad)]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("public_url"),
            "{bad}"
        );
    }
}

#[test]
fn the_default_public_url_follows_the_listen_address() {
    let dir = temp();
    ok(&jaga_with(&dir, &["init"], &[]));
    let out = ok(&jaga_with(
        &dir,
        &[
            "staff",
            "add",
            "--email",
            "rina@toko.example",
            "--role",
            "cs_staff",
        ],
        &[("JAGA_LISTEN", "127.0.0.1:9443")],
    ));
    assert!(
        out.contains("https://127.0.0.1:9443/console/invite?token="),
        "{out}"
    );
    // The expiry in the shop's time zone (WIB by default), the zone shown.
    assert!(out.contains(" WIB):"), "{out}");
    assert!(!out.contains("Z):"), "{out}");
    let list = ok(&jaga_with(&dir, &["staff", "list"], &[]));
    assert!(
        list.lines()
            .any(|l| l.contains("rina@toko.example") && l.trim_end().ends_with(" WIB")),
        "{list}"
    );
    // Listening on every address with Jaga's own certificate: the certificate's name.
    let out = ok(&jaga_with(
        &dir,
        &[
            "staff",
            "add",
            "--email",
            "budi@toko.example",
            "--role",
            "cs_staff",
        ],
        &[("JAGA_LISTEN", "0.0.0.0:8443")],
    ));
    assert!(
        out.contains("https://localhost:8443/console/invite?token="),
        "{out}"
    );
}

#[test]
fn configuration_errors_name_the_file_line_and_key() {
    let dir = temp();
    ok(&jaga_with(&dir, &["init"], &[]));
    let toml = dir.join("data/jaga.toml");
    for (bad, key, line) in [
        ("listen = 8443\n", "key listen", 2),
        ("body_limit = \"big\"\n", "key body_limit", 2),
        (
            "[staff]\nidle_timeout_minutes = \"30\"\n",
            "key staff.idle_timeout_minutes",
            3,
        ),
        ("listen_port = 5\n", "listen_port", 2),
    ] {
        std::fs::write(&toml, format!("# comment\n{bad}")).unwrap();
        let o = jaga_with(&dir, &["staff", "list"], &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(err.contains("jaga.toml"), "{bad}: {err}");
        assert!(err.contains(key), "{bad}: {err}");
        assert!(err.contains(&format!("line {line}")), "{bad}: {err}");
    }
}

#[test]
fn first_run_explains_the_certificate_and_other_pcs_and_reminds_of_the_first_admin() {
    let dir = temp();
    let s = Served::start(&dir, &[]);
    let first = s.before.join("\n");
    drop(s);
    for text in [&first, &ok(&jaga_with(&temp(), &["init"], &[]))] {
        assert!(text.contains("not private"), "{text}");
        assert!(text.contains("tls_cert"), "{text}");
        assert!(text.contains("0.0.0.0:8443"), "{text}");
        assert!(text.contains("public_url"), "{text}");
        assert!(text.contains("/console/invite?token="), "{text}");
    }
    // Started again while no admin exists: a reminder of `jaga staff bootstrap`.
    let s = Served::start(&dir, &[]);
    assert!(
        s.before.iter().any(|l| l.contains("jaga staff bootstrap")),
        "{:?}",
        s.before
    );
}

#[test]
fn logs_carry_no_colour_codes_when_not_on_a_terminal() {
    let dir = temp();
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("serve.log");
    let s = Served::start_with_log(
        &dir,
        &[("JAGA_LOG", "info")],
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    drop(s);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("serving HTTPS"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "colour codes in a log file: {text:?}"
    );
}

#[test]
fn wrong_unseal_passphrases_in_a_row_are_a_warning_in_the_log() {
    let dir = temp();
    std::fs::write(dir.join("pass"), "kopi susu gula aren\n").unwrap();
    std::fs::write(dir.join("wrong"), "teh manis dingin sekali\n").unwrap();
    let pass = dir.join("pass").display().to_string();
    let wrong = dir.join("wrong").display().to_string();
    ok(&jaga_with(
        &dir,
        &["init", "--unseal", "passphrase"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    let log = dir.join("serve.log");
    let s = Served::start_with_log(&dir, &[], Stdio::from(std::fs::File::create(&log).unwrap()));
    let warned = || {
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("wrong unseal attempts in a row")
    };
    for i in 1..=3 {
        let o = jaga_with(
            &dir,
            &["unseal"],
            &[("JAGA_PASSPHRASE_FILE", &wrong), ("JAGA_LISTEN", &s.addr)],
        );
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(warned(), i >= 3, "after {i} wrong passphrases");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains("teh manis"),
        "the passphrase is never logged"
    );
    ok(&jaga_with(
        &dir,
        &["unseal"],
        &[("JAGA_PASSPHRASE_FILE", &pass), ("JAGA_LISTEN", &s.addr)],
    ));
}

/// `jaga staff list` shows pending invitations with their ids; `cancel-invitation` and
/// `resend-invitation` take the id or the e-mail; a resend prints a new link and the old one
/// stops being listed; both are in the audit log.
#[test]
fn pending_invitations_are_cancelled_and_sent_again_from_the_cli() {
    let dir = temp();
    ok(&jaga_with(&dir, &["init"], &[]));
    for email in ["rina@toko.example", "budi@toko.example"] {
        ok(&jaga_with(
            &dir,
            &["staff", "add", "--email", email, "--role", "finance"],
            &[],
        ));
    }
    let list = ok(&jaga_with(&dir, &["staff", "list"], &[]));
    let id_of = |list: &str, email: &str| -> String {
        list.lines()
            .find(|l| l.contains(email))
            .unwrap_or_else(|| panic!("{email} in {list}"))
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let rina = id_of(&list, "rina@toko.example");
    let budi = id_of(&list, "budi@toko.example");
    // By id.
    let out = ok(&jaga_with(
        &dir,
        &["staff", "cancel-invitation", &rina],
        &[],
    ));
    assert!(out.contains("no longer works"), "{out}");
    let list = ok(&jaga_with(&dir, &["staff", "list"], &[]));
    assert!(!list.contains("rina@toko.example"), "{list}");
    // Again: a clear error, exit 2.
    let o = jaga_with(&dir, &["staff", "cancel-invitation", &rina], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no pending invitation"));
    // By e-mail, in any case: a new link, the old invitation replaced.
    let out = ok(&jaga_with(
        &dir,
        &["staff", "resend-invitation", "BUDI@toko.example"],
        &[],
    ));
    assert!(out.contains("/console/invite?token="), "{out}");
    let list = ok(&jaga_with(&dir, &["staff", "list"], &[]));
    let new_id = id_of(&list, "budi@toko.example");
    assert_ne!(new_id, budi);
    assert!(list.contains("finance"), "{list}");
    let log = ok(&jaga_with(&dir, &["audit", "verify"], &[]));
    assert!(!log.is_empty());
}

/// Options appear only on the commands that use them: no `--share-file`, `--data-dir` or
/// `--database-url` on `redact`, `fraud` or `openapi`; the installation's commands take
/// `--data-dir` before or after their name; `apikey create --help` names every scope.
#[test]
fn each_command_shows_the_options_that_apply_to_it() {
    let dir = temp();
    let help = |args: &[&str]| -> String {
        let mut a = args.to_vec();
        a.push("--help");
        ok(&jaga_with(&dir, &a, &[]))
    };
    for cmd in [&["redact"][..], &["openapi"], &["fraud"]] {
        let h = help(cmd);
        for opt in ["--share-file", "--data-dir", "--database-url"] {
            assert!(!h.contains(opt), "{cmd:?} shows {opt}:\n{h}");
        }
    }
    for cmd in [
        &["serve"][..],
        &["staff", "list"],
        &["staff", "cancel-invitation"],
        &["audit", "verify"],
        &["backup", "create"],
    ] {
        let h = help(cmd);
        assert!(h.contains("--data-dir"), "{cmd:?}:\n{h}");
        assert!(!h.contains("--share-file"), "{cmd:?}:\n{h}");
    }
    for cmd in [
        &["apikey", "create"][..],
        &["keys", "rotate"],
        &["unseal"],
        // With a data directory it reads the payees' domains from the vault.
        &["mail", "analyze"],
    ] {
        let h = help(cmd);
        assert!(h.contains("--share-file"), "{cmd:?}:\n{h}");
        assert!(h.contains("JAGA_PASSPHRASE_FILE"), "{cmd:?}:\n{h}");
    }
    let h = help(&["apikey", "create"]);
    for scope in jaga_core::auth::Scope::ALL {
        let scope = scope.name();
        assert!(
            h.contains(scope),
            "apikey create --help lacks {scope}:\n{h}"
        );
    }
    // Before or after the command name.
    let elsewhere = dir.join("elsewhere");
    let d = elsewhere.to_str().unwrap();
    ok(&jaga_with(&dir, &["init", "--data-dir", d], &[]));
    ok(&jaga_with(&dir, &["staff", "list", "--data-dir", d], &[]));
    ok(&jaga_with(&dir, &["--data-dir", d, "staff", "list"], &[]));
    assert!(elsewhere.join("jaga.toml").exists());
    assert!(!dir.join("data").exists(), "the option was not ignored");
}
