//! `jaga mail analyze` end to end: JSON lines, the human explanation in both languages, the
//! known-domains file, the trusted receiving host, and bad input.

use std::path::Path;

mod common;
use common::{jaga, ok, temp};

const LOOKALIKE: &str = "From: Glow Beauty <billing@g1owbeauty.co.id>\r\nTo: finance@tokoayu.id\r\nSubject: Perubahan rekening\r\nMessage-ID: <1@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nMohon segera transfer ke rekening baru kami: Mandiri 1370012345678.\r\n";
const ROUTINE: &str = "From: Glow Beauty <billing@glowbeauty.co.id>\r\nTo: finance@tokoayu.id\r\nSubject: Invoice GB-7\r\nMessage-ID: <2@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nTerlampir invoice GB-7, pembayaran ke rekening yang biasa.\r\n";
const FORGED_AR: &str = "Authentication-Results: mx.tokoayu.id.attacker.example; dmarc=pass header.from=glowbeauty.co.id\r\nAuthentication-Results: mx.tokoayu.id; dmarc=fail header.from=glowbeauty.co.id\r\nFrom: Glow Beauty <billing@glowbeauty.co.id>\r\nTo: finance@tokoayu.id\r\nSubject: Invoice GB-8\r\nMessage-ID: <3@x>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0700\r\n\r\nInvoice GB-8.\r\n";

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

fn lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn jsonl_one_line_per_file_with_the_exact_shape() {
    let dir = temp();
    let known = write(&dir, "known.txt", "# suppliers\nglowbeauty.co.id\n");
    let a = write(&dir, "a.eml", LOOKALIKE);
    let b = write(&dir, "b.eml", ROUTINE);
    let out = ok(&jaga(
        &dir,
        &[
            "mail",
            "analyze",
            &a,
            &b,
            "--known-domains",
            &known,
            "--own-domain",
            "tokoayu.id",
            "--jsonl",
            "--lang",
            "en",
        ],
    ));
    let v = lines(&out);
    assert_eq!(v.len(), 2);
    let keys: Vec<&String> = v[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["file", "indicators", "score", "verdict"]);
    assert_eq!(v[0]["file"], a.as_str());
    assert_eq!(v[0]["verdict"], "high");
    assert!(v[0]["score"].as_u64().unwrap() >= 50 && v[0]["score"].as_u64().unwrap() <= 100);
    let codes: Vec<&str> = v[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"LOOKALIKE_DOMAIN") && codes.contains(&"BANK_DETAILS_CHANGE"),
        "{codes:?}"
    );
    for i in v[0]["indicators"].as_array().unwrap() {
        assert_eq!(i.as_object().unwrap().len(), 2);
        assert!(!i["detail"].as_str().unwrap().is_empty());
    }
    assert!(v[0]["indicators"].to_string().contains("replaced by"));
    assert_eq!(v[1]["verdict"], "low");
    assert_eq!(v[1]["indicators"].as_array().unwrap().len(), 0, "{}", v[1]);
    // Without the known domains the lookalike is not recognised, the bank change still is.
    let out = ok(&jaga(&dir, &["mail", "analyze", &a, "--jsonl"]));
    let v = lines(&out);
    let codes = v[0]["indicators"].to_string();
    assert!(!codes.contains("LOOKALIKE_DOMAIN") && codes.contains("BANK_DETAILS_CHANGE"));
    assert_ne!(v[0]["verdict"], "low");
}

#[test]
fn human_explanation_in_both_languages() {
    let dir = temp();
    let known = write(&dir, "known.txt", "glowbeauty.co.id\n");
    let a = write(&dir, "a.eml", LOOKALIKE);
    let id = ok(&jaga(
        &dir,
        &["mail", "analyze", &a, "--known-domains", &known],
    ));
    assert!(
        id.contains("Risiko tinggi") && id.contains("mirip dengan glowbeauty.co.id"),
        "{id}"
    );
    assert!(id.contains("nomor yang sudah tercatat"));
    let en = ok(&jaga(
        &dir,
        &[
            "mail",
            "analyze",
            &a,
            "--known-domains",
            &known,
            "--lang",
            "en",
        ],
    ));
    assert!(
        en.contains("High risk") && en.contains("looks like glowbeauty.co.id"),
        "{en}"
    );
    assert!(en.contains("start a payee verification"));
}

#[test]
fn only_the_trusted_host_is_believed() {
    let dir = temp();
    let f = write(&dir, "f.eml", FORGED_AR);
    let v = lines(&ok(&jaga(
        &dir,
        &[
            "mail",
            "analyze",
            &f,
            "--jsonl",
            "--trusted-authserv",
            "mx.tokoayu.id",
        ],
    )));
    let s = v[0]["indicators"].to_string();
    assert!(
        s.contains("DMARC_FAIL") && s.contains("AUTH_RESULTS_UNTRUSTED"),
        "{s}"
    );
    // Without a trusted host nothing is believed, the failure included.
    let v = lines(&ok(&jaga(&dir, &["mail", "analyze", &f, "--jsonl"])));
    assert!(!v[0]["indicators"].to_string().contains("DMARC_FAIL"));
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = temp();
    let good = write(&dir, "good.eml", ROUTINE);
    let empty = write(&dir, "empty.eml", "");
    let o = jaga(
        &dir,
        &["mail", "analyze", &good, &empty, "missing.eml", "--jsonl"],
    );
    assert_eq!(o.status.code(), Some(2));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(lines(&out).len(), 1, "the good file is still reported");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("empty.eml: the message is empty") && err.contains("missing.eml"),
        "{err}"
    );
    let o = jaga(&dir, &["mail", "analyze", &good, "--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--lang must be id or en"));
    let o = jaga(
        &dir,
        &["mail", "analyze", &good, "--known-domains", "nope.txt"],
    );
    assert_eq!(o.status.code(), Some(2));
    // Binary garbage and a broken MIME tree: a result, never a panic.
    let junk = dir.join("junk.eml");
    std::fs::write(&junk, b"\x00\xff\xfeFrom: \xc3\x28@\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n").unwrap();
    let o = jaga(
        &dir,
        &["mail", "analyze", junk.to_str().unwrap(), "--jsonl"],
    );
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(2),
        "{o:?}"
    );
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}
