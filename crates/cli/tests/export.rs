//! `jaga requests export`: the access and portability export from the host — JSON and letters
//! in both languages written to a new file (mode 0600), audited as `customer.export` with the
//! purpose and never a value; bad input, an existing file, an unknown and an erased customer
//! are refused with a clear message, a non-zero exit and no file.

use std::process::Command;

mod common;
use common::{jaga, ok, temp};

/// The one customer's id, read from the database as an operator with file access would.
fn customer_id(dir: &std::path::Path) -> String {
    let o = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('SELECT id FROM customers').fetchone()[0])",
            &dir.join("data/jaga.db").display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

fn fails(o: &std::process::Output, says: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "succeeded: {err}");
    assert!(err.contains(says), "expected {says:?} in: {err}");
}

#[test]
fn export_writes_json_and_letters_and_refuses_bad_input() {
    let dir = temp();
    ok(&jaga(&dir, &["init"]));
    std::fs::write(
        dir.join("c.csv"),
        "full_name,email,phone,city,notes\nSari Ekspor,sari.ekspor@example.co.id,081299887766,Bandung,kulit sensitif\n",
    )
    .unwrap();
    ok(&jaga(&dir, &["import", "customers", "c.csv"]));
    let id = customer_id(&dir);
    ok(&jaga(
        &dir,
        &[
            "requests",
            "add",
            "--customer",
            &id,
            "--kind",
            "access",
            "--channel",
            "whatsapp",
        ],
    ));

    let out = dir.join("sari.json");
    let printed = ok(&jaga(
        &dir,
        &[
            "requests",
            "export",
            &id,
            "--purpose",
            "access request REQ-7",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(printed.contains("1 request(s)"), "{printed}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["format"], "jaga.customer-export/1");
    assert_eq!(v["customer"]["email"], "sari.ekspor@example.co.id");
    assert_eq!(v["customer"]["address"]["city"], "Bandung");
    assert_eq!(v["requests"][0]["kind"], "access");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the export holds personal data");
    }

    // Letters in both languages.
    let md = dir.join("sari.md");
    ok(&jaga(
        &dir,
        &[
            "requests",
            "export",
            &id,
            "--purpose",
            "access request REQ-7",
            "--format",
            "md",
            "--lang",
            "en",
            "--shop",
            "Toko Sari",
            "--out",
            md.to_str().unwrap(),
        ],
    ));
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.starts_with("# Toko Sari"), "{md}");
    assert!(
        md.contains("Your data") && md.contains("sari.ekspor@example.co.id"),
        "{md}"
    );
    let html = dir.join("sari.html");
    ok(&jaga(
        &dir,
        &[
            "requests",
            "export",
            &id,
            "--purpose",
            "permintaan akses",
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
    ));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.contains("Data Anda") && html.contains("Siapa yang mengakses"),
        "{html}"
    );
    let pdf = dir.join("sari.pdf");
    ok(&jaga(
        &dir,
        &[
            "requests",
            "export",
            &id,
            "--purpose",
            "access request REQ-7",
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ],
    ));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    // Refusals: existing file (kept as it was), bad format/lang, no purpose, unknown customer.
    let before = std::fs::read(&out).unwrap();
    fails(
        &jaga(
            &dir,
            &[
                "requests",
                "export",
                &id,
                "--purpose",
                "again",
                "--out",
                out.to_str().unwrap(),
            ],
        ),
        "exists already",
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let nowhere = dir.join("none.json");
    let nw = nowhere.to_str().unwrap();
    fails(
        &jaga(
            &dir,
            &[
                "requests",
                "export",
                &id,
                "--purpose",
                "x request",
                "--format",
                "xml",
                "--out",
                nw,
            ],
        ),
        "--format",
    );
    fails(
        &jaga(
            &dir,
            &[
                "requests",
                "export",
                &id,
                "--purpose",
                "x request",
                "--lang",
                "fr",
                "--out",
                nw,
            ],
        ),
        "--lang",
    );
    fails(
        &jaga(
            &dir,
            &["requests", "export", &id, "--purpose", "", "--out", nw],
        ),
        "purpose",
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    fails(
        &jaga(
            &dir,
            &[
                "requests",
                "export",
                &unknown,
                "--purpose",
                "x request",
                "--out",
                nw,
            ],
        ),
        "no such customer",
    );
    assert!(!nowhere.exists(), "nothing written on a refusal");

    // The audit log: exports with the purpose; the values never (nowhere in the database
    // files in plain text, the log included).
    let code = v["customer"]["code"].as_str().unwrap();
    let report = ok(&jaga(
        &dir,
        &["audit", "report", "customer", "--code", code, "--json"],
    ));
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    let exports: Vec<&serde_json::Value> = r["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "customer.export")
        .collect();
    assert_eq!(exports.len(), 4, "{report}");
    assert_eq!(exports[0]["purpose"], "access request REQ-7");
    assert_eq!(exports[0]["actor_id"], "cli.export");
    assert!(
        exports[1]["fields"].to_string().contains("lang:en"),
        "{report}"
    );
    for f in ["jaga.db", "jaga.db-wal"] {
        let Ok(bytes) = std::fs::read(dir.join("data").join(f)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for value in ["sari.ekspor@example.co.id", "081299887766", "Bandung"] {
            assert!(!text.contains(value), "{value} in {f} in plain text");
        }
    }
}
