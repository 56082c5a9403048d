//! `jaga import customers`: bulk import through the write guard, end to end with the binary.

use jaga_core::store::Store;
use std::path::Path;
use std::process::Output;

mod common;
use common::jaga;
const NIK: &str = "3174051204900003";

fn out(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn init() -> common::Temp {
    let dir = common::temp();
    let o = jaga(&dir, &["init"]);
    assert!(o.status.success(), "{}", out(&o));
    dir
}

/// Audit leaves, read straight from the database file.
async fn leaves(dir: &Path) -> Vec<String> {
    let url = format!("sqlite://{}", dir.join("data/jaga.db").display());
    let store = jaga_store_sqlite::SqliteStore::open(&url).await.unwrap();
    let size = store.audit_head().await.unwrap().size;
    let evs = store.audit_events(0, size as u32).await.unwrap();
    store.close().await;
    evs.into_iter()
        .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_drops_cards_tokenizes_identifiers_and_reports_rejected_rows() {
    let dir = init();
    let csv = dir.join("customers.csv");
    std::fs::write(
        &csv,
        format!(
            "full_name,email,phone,notes,marketing_consent\n\
             Dewi Sari,dewi@example.co.id,0812-3456-7890,\"bayar pakai 4111 1111 1111 1111, cvv 123\nkirim pagi\",ya\n\
             Budi Santoso,budi@example.co.id,,NIK {NIK} minta faktur,tidak\n\
             Rina,not-an-email,,,\n\
             Sari,sari@example.co.id,,,maybe\n"
        ),
    )
    .unwrap();
    let o = jaga(
        &dir,
        &[
            "import",
            "customers",
            csv.to_str().unwrap(),
            "--json",
            "--batch-size",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "rows were rejected: {}", out(&o));
    let s: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", out(&o)));
    assert_eq!(s["rows"], 4);
    assert_eq!(s["created"], 2);
    assert_eq!(s["cards_dropped"], 1);
    assert_eq!(s["cvvs_dropped"], 1);
    assert_eq!(s["findings"]["NIK"], 1);
    let rejected = s["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{s}");
    assert_eq!(rejected[0]["row"], 3);
    assert_eq!(rejected[0]["line"], 5, "the quoted note spans two lines");
    assert_eq!(rejected[0]["errors"][0]["field"], "email");
    assert_eq!(rejected[1]["row"], 4);
    assert_eq!(rejected[1]["errors"][0]["code"], "invalid_boolean");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("4111") && !text.contains(NIK) && !text.contains("not-an-email"));

    let leaves = leaves(&dir).await;
    let creates: Vec<_> = leaves
        .iter()
        .filter(|l| l.contains("customer.create"))
        .collect();
    assert_eq!(creates.len(), 2);
    assert!(
        creates
            .iter()
            .any(|l| l.contains("notes.CREDIT_CARD:1") && l.contains("notes.CVV:1"))
    );
    assert!(creates.iter().any(|l| l.contains("notes.NIK:1")));
    let db = std::fs::read(dir.join("data/jaga.db")).unwrap();
    for needle in ["4111 1111", NIK, "kirim pagi"] {
        assert!(
            !db.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} in the db"
        );
    }
    for l in &leaves {
        assert!(!l.contains(NIK) && !l.contains("4111"));
    }

    // Human output.
    let o = jaga(&dir, &["import", "customers", csv.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("imported 2 of 4 rows"), "{}", out(&o));
    assert!(text.contains("1 card numbers, 1 CVVs"), "{text}");
    assert!(text.contains("rejected row 3 (line 5): email"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_csv_is_refused_with_its_line_and_nothing_is_written() {
    let dir = init();
    let before = leaves(&dir).await.len();
    let bad = dir.join("bad.csv");
    // Row 3 (line 4) has an extra field; rows before it are fine but are not written either.
    std::fs::write(
        &bad,
        "full_name,notes\nDewi,ok\nBudi,ok\nRina,ok,extra\nSari,ok\n",
    )
    .unwrap();
    let o = jaga(&dir, &["import", "customers", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 4") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(leaves(&dir).await.len(), before, "nothing written");

    let unknown = dir.join("unknown.csv");
    std::fs::write(&unknown, "full_name,nik\nDewi,1\n").unwrap();
    let o = jaga(&dir, &["import", "customers", unknown.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown column `nik`"));

    let missing = dir.join("missing.csv");
    let o = jaga(&dir, &["import", "customers", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(leaves(&dir).await.len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_policy_from_jaga_toml_applies_and_bad_keys_are_errors() {
    let dir = init();
    let toml = dir.join("data/jaga.toml");
    let base = std::fs::read_to_string(&toml).unwrap_or_default();
    std::fs::write(&toml, format!("{base}\n[redact.notes]\nNIK = \"hash\"\n")).unwrap();
    let csv = dir.join("c.csv");
    std::fs::write(&csv, format!("full_name;notes\nDewi;NIK {NIK}\n")).unwrap();
    let o = jaga(
        &dir,
        &["import", "customers", csv.to_str().unwrap(), "--json"],
    );
    assert!(o.status.success(), "{}", out(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["created"], 1);

    std::fs::write(
        &toml,
        format!("{base}\n[redact.notes]\nCREDIT_CARD = \"tokenize\"\n"),
    )
    .unwrap();
    let o = jaga(&dir, &["import", "customers", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("CREDIT_CARD"),
        "{}",
        out(&o)
    );
    std::fs::write(&toml, format!("{base}\n[redact.notes]\nNIKK = \"mask\"\n")).unwrap();
    let o = jaga(&dir, &["import", "customers", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("NIKK"),
        "{}",
        out(&o)
    );
}

/// Regression (issue 10): card numbers written with other separators, digit scripts or as a
/// float in `preferences` were imported into the vault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_card_numbers_in_any_form_outside_notes_and_drops_them_in_notes() {
    let dir = init();
    let csv = dir.join("customers.csv");
    std::fs::write(
        &csv,
        "full_name,city,preferences,notes\n\
         Budi 4111.1111.1111.1111,,,\n\
         Sari,4111\u{a0}1111\u{a0}1111\u{a0}1111,,\n\
         Rina,,\"{\"\"n\"\": 4111111111111111110.0}\",\n\
         Dewi,Bandung,\"{\"\"kulit\"\": \"\"kering\"\"}\",kartu \u{ff14}\u{ff11}\u{ff11}\u{ff11}_1111_1111_1111 ya\n",
    )
    .unwrap();
    let o = jaga(
        &dir,
        &["import", "customers", csv.to_str().unwrap(), "--json"],
    );
    assert_eq!(o.status.code(), Some(1), "rows were rejected: {}", out(&o));
    let s: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", out(&o)));
    assert_eq!(s["rows"], 4, "{s}");
    assert_eq!(s["created"], 1, "{s}");
    assert_eq!(s["cards_dropped"], 1, "{s}");
    let rejected = s["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 3, "{s}");
    for r in rejected {
        assert_eq!(r["errors"][0]["code"], "card_number_not_allowed", "{s}");
    }
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text.contains("4111") && !text.contains('\u{ff14}'),
        "{text}"
    );
    let db = std::fs::read(dir.join("data/jaga.db")).unwrap();
    for needle in ["4111.1111", "4111\u{a0}1111", "\u{ff14}\u{ff11}"] {
        assert!(
            !db.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle:?} in the db"
        );
    }
}
