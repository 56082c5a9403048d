//! The e-mail analyzer with an installation: `[mail]` in `jaga.toml` (own domains, the trusted
//! receiving host, DKIM keys, extra known domains) changing what `POST /v1/mail/analyze` and
//! `jaga mail analyze` find, an invalid `[mail]` refused at start naming the key, and the CLI's
//! known domains defaulting to the payees' domains in the vault (or a clear note when it
//! cannot read them).

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{BIN, jaga, jaga_with, ok, temp};

const DATE: &str = "Date: Mon, 7 Dec 2026 09:00:00 +0700\r\n";

/// A request to pay into a new account from `from`.
fn bank_change(from: &str) -> String {
    format!(
        "From: Glow Beauty <billing@{from}>\r\nTo: finance@tokoayu.id\r\nSubject: Perubahan rekening\r\nMessage-ID: <1@x>\r\n{DATE}\r\nMohon segera transfer ke rekening baru kami: Mandiri 1370012345678.\r\n"
    )
}

/// A routine invoice from the payee, with an `Authentication-Results` written by `host`
/// saying SPF and DKIM failed.
fn failed_auth(host: &str) -> String {
    format!(
        "Authentication-Results: {host}; spf=fail smtp.mailfrom=glowbeauty.co.id; dkim=fail header.d=glowbeauty.co.id\r\nFrom: Glow Beauty <billing@glowbeauty.co.id>\r\nTo: finance@tokoayu.id\r\nSubject: Invoice GB-9\r\nMessage-ID: <9@x>\r\n{DATE}\r\nTerlampir invoice GB-9.\r\n"
    )
}

const SEED: [u8; 32] = [9; 32];

/// A routine invoice signed with DKIM (ed25519, `d=glowbeauty.co.id; s=k1`).
fn signed() -> String {
    let body = format!(
        "From: Glow Beauty <billing@glowbeauty.co.id>\r\nTo: finance@tokoayu.id\r\nSubject: Invoice GB-10\r\nMessage-ID: <10@x>\r\n{DATE}\r\nTerlampir invoice GB-10.\r\n"
    );
    let sig = jaga_mail::sign_ed25519(
        body.as_bytes(),
        "glowbeauty.co.id",
        "k1",
        &SEED,
        &["from", "subject", "date"],
    );
    format!("{sig}{body}")
}

fn dkim_line() -> String {
    format!(
        "k1._domainkey.glowbeauty.co.id \"{}\"\n",
        jaga_mail::ed25519_record(&SEED)
    )
}

const MAIL_TOML: &str = "[mail]\nown_domains = [\"tokoayu.id\"]\ntrusted_authserv = [\"mx.tokoayu.id\"]\ndkim_keys_file = \"dkim.txt\"\nknown_domains_file = \"known.txt\"\n";

/// Writes `[mail]` and its files into the data directory.
fn configure(dir: &Path) {
    std::fs::write(dir.join("data/dkim.txt"), dkim_line()).unwrap();
    std::fs::write(dir.join("data/known.txt"), "# partners\nsupplier.co.id\n").unwrap();
    std::fs::write(dir.join("data/jaga.toml"), MAIL_TOML).unwrap();
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["indicators"]
        .as_array()
        .unwrap_or_else(|| panic!("no indicators: {v}"))
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

fn has(v: &serde_json::Value, code: &str) -> bool {
    codes(v).iter().any(|c| c == code)
}

/// `jaga serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Server {
    fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let (child, url) = common::serve(dir, env);
        let pem = std::fs::read(dir.join("data/tls/cert.pem")).unwrap();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap();
        Server { child, url, client }
    }

    async fn analyze(&self, key: &str, mail: &str) -> serde_json::Value {
        let r = self
            .client
            .post(format!("{}/v1/mail/analyze?lang=en", self.url))
            .bearer_auth(key)
            .header("content-type", "message/rfc822")
            .body(mail.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        r.json().await.unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn new_key(dir: &Path, scopes: &str) -> String {
    ok(&jaga(
        dir,
        &["apikey", "create", "--name", "mail", "--scopes", scopes],
    ))
    .trim()
    .to_string()
}

/// Runs `jaga serve` expecting it to refuse to start; its stderr. Killed (and failed) after
/// 60 s.
fn refused_start(dir: &Path) -> String {
    let mut c = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("JAGA_DATA_DIR", dir.join("data"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = c.kill();
            panic!("jaga serve started with an invalid [mail]");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = c.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn lines(o: &Output) -> Vec<serde_json::Value> {
    ok(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

/// Rows of the audit log with this actor and action (read from the SQLite file).
fn audited(dir: &Path, actor: &str, action: &str) -> usize {
    let o = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(c.execute('SELECT count(*) FROM audit_event WHERE actor_id=? AND action=?',(sys.argv[2],sys.argv[3])).fetchone()[0])",
            &dir.join("data/jaga.db").display().to_string(),
            actor,
            action,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_section_changes_what_the_api_finds() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let key = new_key(&dir, "payees:read");
    let trusted = failed_auth("mx.tokoayu.id");
    let untrusted = failed_auth("mx.tokoayu.id.attacker.example");
    let good = signed();
    let tampered = good.replace(
        "invoice GB-10",
        "invoice GB-10, rekening baru BCA 1234567890",
    );
    let own_lookalike = bank_change("t0koayu.id");
    let partner_lookalike = bank_change("supp1ier.co.id");

    // Without [mail]: no Authentication-Results is believed, no key verifies, the shop's own
    // domain and the partners are unknown.
    let (plain_trusted, plain_untrusted) = {
        let s = Server::start(&dir, &[]);
        let a = s.analyze(&key, &trusted).await;
        let b = s.analyze(&key, &untrusted).await;
        for v in [&a, &b] {
            assert!(!has(v, "SPF_FAIL") && !has(v, "DKIM_FAIL"), "{v}");
            assert!(has(v, "AUTH_RESULTS_UNTRUSTED"), "{v}");
        }
        let v = s.analyze(&key, &good).await;
        assert!(!has(&v, "DKIM_VERIFIED") && !has(&v, "DKIM_FAIL"), "{v}");
        for m in [&own_lookalike, &partner_lookalike] {
            let v = s.analyze(&key, m).await;
            assert!(!has(&v, "LOOKALIKE_DOMAIN"), "{v}");
        }
        (a, b)
    };

    configure(&dir);
    let s = Server::start(&dir, &[]);
    // The trusted host's results count: the same mail is rated higher.
    let v = s.analyze(&key, &trusted).await;
    assert!(has(&v, "SPF_FAIL") && has(&v, "DKIM_FAIL"), "{v}");
    assert!(
        v["score"].as_u64().unwrap() > plain_trusted["score"].as_u64().unwrap(),
        "{v} vs {plain_trusted}"
    );
    assert_ne!(v["verdict"], "low", "{v}");
    // The same header from another host is still ignored.
    let v = s.analyze(&key, &untrusted).await;
    assert!(!has(&v, "SPF_FAIL") && !has(&v, "DKIM_FAIL"), "{v}");
    assert!(has(&v, "AUTH_RESULTS_UNTRUSTED"), "{v}");
    assert_eq!(v["score"], plain_untrusted["score"], "{v}");
    // The configured key verifies the signature, and catches the changed body.
    let v = s.analyze(&key, &good).await;
    assert!(has(&v, "DKIM_VERIFIED") && !has(&v, "DKIM_FAIL"), "{v}");
    assert_eq!(v["verdict"], "low", "{v}");
    let v = s.analyze(&key, &tampered).await;
    assert!(has(&v, "DKIM_FAIL") && !has(&v, "DKIM_VERIFIED"), "{v}");
    // Lookalikes of the own domain and of a configured known domain are flagged.
    for m in [&own_lookalike, &partner_lookalike] {
        let v = s.analyze(&key, m).await;
        assert!(has(&v, "LOOKALIKE_DOMAIN"), "{v}");
    }
    // Known domains given in the query replace the default (payees' and [mail]'s).
    let r = s
        .client
        .post(format!("{}/v1/mail/analyze?known_domains=", s.url))
        .bearer_auth(&key)
        .header("content-type", "message/rfc822")
        .body(partner_lookalike.clone())
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(!has(&v, "LOOKALIKE_DOMAIN"), "{v}");
    drop(s);

    // The CLI reads the same section from the data directory.
    let f = write(&dir, "trusted.eml", &trusted);
    let g = write(&dir, "signed.eml", &good);
    let v = lines(&jaga(&dir, &["mail", "analyze", &f, &g, "--jsonl"]));
    assert!(
        has(&v[0], "SPF_FAIL") && has(&v[0], "DKIM_FAIL"),
        "{}",
        v[0]
    );
    assert!(has(&v[1], "DKIM_VERIFIED"), "{}", v[1]);
}

#[test]
fn an_invalid_mail_section_is_refused_at_start_naming_the_key() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    std::fs::write(dir.join("data/dkim.txt"), dkim_line() + "not a key\n").unwrap();
    for (toml, named) in [
        (
            "[mail]\ntrusted_authservs = [\"mx.tokoayu.id\"]\n",
            "key mail.trusted_authservs",
        ),
        (
            "[mail]\nown_domains = \"tokoayu.id\"\n",
            "key mail.own_domains",
        ),
        (
            "[mail]\nown_domains = [\"toko ayu\"]\n",
            "[mail] own_domains: \"toko ayu\" is not a domain name",
        ),
        (
            "[mail]\ntrusted_authserv = [\"mx.tokoayu.id; dkim=pass\"]\n",
            "[mail] trusted_authserv:",
        ),
        (
            "[mail]\ndkim_keys_file = \"missing.txt\"\n",
            "[mail] dkim_keys_file: cannot read",
        ),
        (
            "[mail]\ndkim_keys_file = \"dkim.txt\"\n",
            "[mail] dkim_keys_file:",
        ),
        (
            "[mail]\nknown_domains_file = \"dkim.txt\"\n",
            "[mail] known_domains_file:",
        ),
    ] {
        std::fs::write(dir.join("data/jaga.toml"), toml).unwrap();
        let err = refused_start(&dir);
        assert!(err.contains(named), "{toml}: {err}");
        if named.contains("dkim_keys_file:") && !named.contains("cannot") {
            assert!(err.contains("dkim.txt line 2"), "{err}");
        }
        // No key material in the message.
        let record = jaga_mail::ed25519_record(&SEED);
        let public = record.rsplit("p=").next().unwrap();
        assert!(!err.contains(public), "{err}");
        // The CLI reading the same data directory refuses it too.
        let m = write(&dir, "m.eml", &bank_change("glowbeauty.co.id"));
        let o = jaga(&dir, &["mail", "analyze", &m]);
        assert_eq!(o.status.code(), Some(2), "{toml}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(named), "{toml}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_knows_the_payees_domains_from_the_vault() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    let key = new_key(&dir, "payees:read,payees:write");
    {
        let s = Server::start(&dir, &[]);
        for (name, email) in [
            ("Glow Beauty", "billing@glowbeauty.co.id"),
            ("Kurir Cepat", "ops@kurircepat.com"),
            // Free-mail never becomes a known domain.
            ("Bu Rina", "rina.supplier@gmail.com"),
        ] {
            let r = s
                .client
                .post(format!("{}/v1/payees", s.url))
                .bearer_auth(&key)
                .json(&serde_json::json!({
                    "name": name,
                    "phone": "0812 3456 7890",
                    "email": email,
                    "bank": {"bank": "BCA", "account_number": "2830199401", "holder": name},
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201, "{:?}", r.text().await);
        }
    }
    let lookalikes = [
        write(&dir, "a.eml", &bank_change("g1owbeauty.co.id")),
        write(&dir, "b.eml", &bank_change("glowbeauty-invoice.com")),
        write(&dir, "c.eml", &bank_change("kurircepat.co")),
    ];
    let genuine = write(&dir, "g.eml", &bank_change("glowbeauty.co.id"));
    let before = audited(&dir, "cli.mail", "mail.analyze");
    let mut args = vec!["mail", "analyze", "--jsonl"];
    args.extend(lookalikes.iter().map(String::as_str));
    args.push(genuine.as_str());
    let o = jaga(&dir, &args);
    let v = lines(&o);
    assert_eq!(v.len(), 4);
    for l in &v[..3] {
        assert!(has(l, "LOOKALIKE_DOMAIN"), "{l}");
    }
    // The payee's own domain is never a lookalike; a bank change is still flagged.
    assert!(
        !has(&v[3], "LOOKALIKE_DOMAIN") && has(&v[3], "BANK_DETAILS_CHANGE"),
        "{}",
        v[3]
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("known domains are empty"), "{err}");
    // Each analysis is audited by the CLI's operator task.
    assert_eq!(audited(&dir, "cli.mail", "mail.analyze"), before + 4);

    // --known-domains replaces the payees' domains (and the vault is not opened).
    let known = write(&dir, "known.txt", "kurircepat.com\n");
    let v = lines(&jaga(
        &dir,
        &[
            "mail",
            "analyze",
            "--jsonl",
            &lookalikes[0],
            &lookalikes[2],
            "--known-domains",
            &known,
        ],
    ));
    assert!(
        !has(&v[0], "LOOKALIKE_DOMAIN") && has(&v[1], "LOOKALIKE_DOMAIN"),
        "{v:?}"
    );
    assert_eq!(audited(&dir, "cli.mail", "mail.analyze"), before + 4);
    // A line that is not a domain is named, not skipped.
    let bad = write(&dir, "bad.txt", "kurircepat.com\nkurir cepat\n");
    let o = jaga(
        &dir,
        &["mail", "analyze", &lookalikes[0], "--known-domains", &bad],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.txt line 2"));
}

#[test]
fn without_the_payees_the_cli_says_known_domains_are_empty() {
    let dir = temp();
    let m = write(&dir, "m.eml", &bank_change("g1owbeauty.co.id"));
    // No data directory: offline, with a note.
    let o = jaga(&dir, &["mail", "analyze", "--jsonl", &m]);
    let v = lines(&o);
    assert!(!has(&v[0], "LOOKALIKE_DOMAIN") && has(&v[0], "BANK_DETAILS_CHANGE"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no Jaga data directory")
            && err.contains("known domains are empty")
            && err.contains("--known-domains FILE"),
        "{err}"
    );
    // --data-dir naming nothing is an error, not a silent offline run.
    let o = jaga(&dir, &["mail", "analyze", &m, "--data-dir", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a Jaga data directory"));

    // A passphrase installation without the passphrase: sealed, said so, still analysed.
    let pass = write(&dir, "pass", "kopi susu gula aren\n");
    ok(&jaga_with(
        &dir,
        &["init", "--unseal", "passphrase"],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    ));
    let o = jaga(&dir, &["mail", "analyze", "--jsonl", &m]);
    assert_eq!(lines(&o).len(), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the vault is sealed")
            && err.contains("JAGA_PASSPHRASE_FILE")
            && err.contains("known domains are empty")
            && err.contains("--known-domains FILE"),
        "{err}"
    );
    // With the passphrase but no payee: opened, and still said.
    let o = jaga_with(
        &dir,
        &["mail", "analyze", "--jsonl", &m],
        &[("JAGA_PASSPHRASE_FILE", &pass)],
    );
    assert_eq!(lines(&o).len(), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no payee") && err.contains("known domains are empty"),
        "{err}"
    );
    // A wrong passphrase is an error, not a quiet fallback.
    let wrong = write(&dir, "wrong", "teh manis dingin sekali\n");
    let o = jaga_with(
        &dir,
        &["mail", "analyze", &m],
        &[("JAGA_PASSPHRASE_FILE", &wrong)],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong passphrase"));
}

#[test]
fn the_readme_mail_sample_loads_as_written() {
    let readme = include_str!("../../../README.md");
    let start = readme.find("```toml\n[mail]\n").expect("the [mail] sample") + 8;
    let sample = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    std::fs::write(dir.join("data/jaga.toml"), sample).unwrap();
    let m = write(&dir, "m.eml", &failed_auth("mx.google.com"));
    // Its files are needed: the refusal names the first missing one.
    let o = jaga(&dir, &["mail", "analyze", &m]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[mail] dkim_keys_file: cannot read"));
    std::fs::write(dir.join("data/dkim-keys.txt"), dkim_line()).unwrap();
    std::fs::write(dir.join("data/known-domains.txt"), "supplier.co.id\n").unwrap();
    let v = lines(&jaga(&dir, &["mail", "analyze", "--jsonl", &m]));
    assert!(
        has(&v[0], "SPF_FAIL") && has(&v[0], "DKIM_FAIL"),
        "{}",
        v[0]
    );
}
