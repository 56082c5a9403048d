//! `jaga audit verify` goes on past an event it cannot decode (issue 10): an oversized or
//! malformed event planted in the log (as an attacker once could through a refused request) is
//! reported, and tampering *after* it is still found.

use std::path::Path;
use std::process::Command;

mod common;
use common::{jaga, ok, temp};

/// Edits `dir/data/jaga.db` with Python's sqlite3 as an insider with file access would.
/// `mth()` recomputes the RFC 9162 root over the stored leaf hashes and writes it to the head,
/// so the planted event looks like one the log always held.
fn edit(dir: &Path, body: &str) {
    let script = format!(
        r#"import sqlite3,sys,hashlib,json
c=sqlite3.connect(sys.argv[1])
def lh(b): return hashlib.sha256(b'\x00'+b).digest()
def node(l,r): return hashlib.sha256(b'\x01'+l+r).digest()
def mth(h):
    if len(h)==0: return hashlib.sha256(b'').digest()
    if len(h)==1: return h[0]
    k=1
    while k*2<len(h): k*=2
    return node(mth(h[:k]),mth(h[k:]))
def rehead():
    hs=[bytes(r[0]) for r in c.execute('SELECT leaf_hash FROM audit_event ORDER BY seq')]
    c.execute('UPDATE audit_head SET size=?, root=?',(len(hs),mth(hs)))
c.executescript('DROP TRIGGER IF EXISTS audit_event_append_only_u; DROP TRIGGER IF EXISTS audit_checkpoint_append_only_d; DELETE FROM audit_checkpoint;')
{body}
c.commit()"#
    );
    let o = Command::new("python3")
        .args([
            "-c",
            &script,
            &dir.join("data/jaga.db").display().to_string(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn verify(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let o = jaga(dir, &["audit", "verify", "--json"]);
    let j = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
        panic!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code(), j)
}

fn kinds_at(j: &serde_json::Value, pos: u64) -> Vec<String> {
    j["problems"]
        .as_array()
        .expect("problems listed")
        .iter()
        .filter(|p| p["position"].as_u64() == Some(pos))
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

/// An event as the decoder's limit once let through: valid JSON, its own position, 70 kB long.
const PLANT_OVERSIZED: &str = r#"ev={"seq":3,"ts_ms":1,"actor_kind":"api_key","actor_id":"k","action":"request.card_number_rejected","customer_id":None,"fields":["a"*70000],"purpose":None,"outcome":"rejected","request_id":None}
leaf=b'\x01'+json.dumps(ev,separators=(',',':')).encode()
c.execute('UPDATE audit_event SET leaf=?, leaf_hash=? WHERE seq=3',(leaf,lh(leaf)))
rehead()"#;

#[test]
fn verification_reports_an_oversized_event_and_still_catches_later_tampering() {
    let dir = temp();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    ok(&jaga(&dir, &["init"]));
    for i in 0..6 {
        ok(&jaga(
            &dir,
            &[
                "apikey",
                "create",
                "--name",
                &format!("k{i}"),
                "--scopes",
                "customers:read",
            ],
        ));
    }
    let (code, j) = verify(&dir);
    assert_eq!(code, Some(0), "{j}");
    let events = j["events"].as_u64().unwrap();
    assert!(events >= 8, "{j}");

    // The oversized event is reported, and only it: the rest of the log still checks out.
    edit(&dir, PLANT_OVERSIZED);
    let (code, j) = verify(&dir);
    assert_eq!(code, Some(1), "{j}");
    assert_eq!(j["first_bad_position"].as_u64(), Some(3), "{j}");
    assert_eq!(kinds_at(&j, 3), vec!["undecodable".to_string()], "{j}");
    assert_eq!(j["problems"].as_array().unwrap().len(), 1, "{j}");
    assert_eq!(
        j["events"].as_u64(),
        Some(events),
        "every event was checked: {j}"
    );
    assert!(
        !j.to_string().contains("aaaa"),
        "the report names positions and sizes, never contents: {j}"
    );

    // Tampering after it is still seen (before the fix verification stopped at position 3).
    let last = events - 1;
    edit(
        &dir,
        &format!(
            "c.execute(\"UPDATE audit_event SET leaf = CAST(replace(leaf, 'apikey.create', 'apikey.revoke') AS BLOB) WHERE seq = {last}\")"
        ),
    );
    let (code, j) = verify(&dir);
    assert_eq!(code, Some(1), "{j}");
    assert_eq!(kinds_at(&j, 3), vec!["undecodable".to_string()], "{j}");
    assert!(
        kinds_at(&j, last).contains(&"modified".to_string()),
        "later tampering is found past the undecodable event: {j}"
    );

    // The human-readable form lists it too.
    let o = jaga(&dir, &["audit", "verify"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("FAILED at position 3"), "{text}");
    assert!(text.contains(&format!("also at position {last}")), "{text}");
}

#[test]
fn a_malformed_event_does_not_hide_a_rewrite_behind_it() {
    let dir = temp();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    ok(&jaga(&dir, &["init"]));
    for i in 0..5 {
        ok(&jaga(
            &dir,
            &[
                "apikey",
                "create",
                "--name",
                &format!("k{i}"),
                "--scopes",
                "redact",
            ],
        ));
    }
    // Position 2 becomes bytes that are not JSON at all (hash kept consistent), and position
    // 5 is rewritten together with its leaf hash: only the head's root can tell.
    edit(
        &dir,
        "c.execute('UPDATE audit_event SET leaf=?, leaf_hash=? WHERE seq=2',(b'\\x01{not json',lh(b'\\x01{not json')))\nrehead()\nc.execute(\"UPDATE audit_event SET leaf = CAST(replace(leaf, 'apikey.create', 'apikey.revoke') AS BLOB) WHERE seq = 5\")\nc.execute('UPDATE audit_event SET leaf_hash = ? WHERE seq = 5', (lh(bytes(c.execute('SELECT leaf FROM audit_event WHERE seq=5').fetchone()[0])),))",
    );
    let (code, j) = verify(&dir);
    assert_eq!(code, Some(1), "{j}");
    assert_eq!(kinds_at(&j, 2), vec!["undecodable".to_string()], "{j}");
    let kinds: Vec<&str> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"head_mismatch"),
        "the rewrite after the malformed event is still caught: {j}"
    );
}
