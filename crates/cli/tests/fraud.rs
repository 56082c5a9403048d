//! `jaga fraud` end to end: simulate → score → backtest (with a second rule set), card numbers
//! refused, bad events and bad rule files reported with their line.

use std::path::Path;
use std::process::Output;

mod common;
use common::{jaga, ok, temp};

fn err(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected a failure: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn simulate_score_backtest() {
    let dir = temp();
    let stream = ok(&jaga(
        &dir,
        &["fraud", "simulate", "--seed", "5", "--count", "4000"],
    ));
    let again = ok(&jaga(
        &dir,
        &["fraud", "simulate", "--seed", "5", "--count", "4000"],
    ));
    assert_eq!(stream, again, "same seed, same stream");
    let lines: Vec<serde_json::Value> = stream
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() > 3_000);
    assert!(lines.iter().all(|l| l["label"]["fraud"].is_boolean()));
    let events = write(&dir, "events.jsonl", &stream);

    let scored = ok(&jaga(
        &dir,
        &["fraud", "score", "--events", &events, "--jsonl"],
    ));
    let out: Vec<serde_json::Value> = scored
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), lines.len());
    for o in &out {
        let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4, "{o}");
        assert!(["allow", "review", "block"].contains(&o["decision"].as_str().unwrap()));
        let s = o["score"].as_u64().unwrap();
        assert!(s <= 100);
        for r in o["reasons"].as_array().unwrap() {
            assert!(r["rule"].is_string() && r["text"].is_string());
        }
    }
    let flagged = out.iter().filter(|o| o["decision"] != "allow").count();
    assert!(flagged > 50, "{flagged}");

    // Separate labels file.
    let labels = dir.join("labels.jsonl");
    let plain = ok(&jaga(
        &dir,
        &[
            "fraud",
            "simulate",
            "--seed",
            "5",
            "--count",
            "4000",
            "--labels",
            &labels.display().to_string(),
        ],
    ));
    assert!(!plain.contains("\"label\""));
    let label_lines = std::fs::read_to_string(&labels).unwrap();
    assert_eq!(label_lines.lines().count(), lines.len());

    // Backtest against a naive baseline: JSON report with metrics, per-rule hits and a diff.
    let base = dir.join("base");
    std::fs::create_dir(&base).unwrap();
    std::fs::write(
        base.join("naive.toml"),
        "[[rule]]\nid = \"busy_ip\"\naction = \"review\"\nwhen = \"ip_count_1h >= 5\"\nreason = { id = \"x\", en = \"x\" }\n",
    )
    .unwrap();
    let report = ok(&jaga(
        &dir,
        &[
            "fraud",
            "backtest",
            "--events",
            &events,
            "--labels",
            &labels.display().to_string(),
            "--against",
            &base.display().to_string(),
            "--json",
        ],
    ));
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(r["events"].as_u64().unwrap() as usize, lines.len());
    assert_eq!(r["labelled"], r["events"]);
    let m = &r["rules"];
    assert!(m["recall"].as_f64().unwrap() >= 0.9, "{m}");
    assert!(m["precision"].as_f64().unwrap() >= 0.8, "{m}");
    let total = ["tp", "fp", "tn", "fn"]
        .iter()
        .map(|k| m[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(total, r["events"].as_u64().unwrap());
    assert!(
        m["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["hits"].as_u64().unwrap() > 0)
    );
    assert_eq!(r["against"]["rules"][0]["rule"], "busy_ip");
    assert!(r["diff"]["changed"].as_u64().unwrap() > 0);
    let recall_delta = r["diff"]["recall_delta"].as_f64().unwrap();
    let expect = m["recall"].as_f64().unwrap() - r["against"]["recall"].as_f64().unwrap();
    assert!((recall_delta - expect).abs() < 1e-9);

    // The events file carries its own labels; the human report names the rules.
    let human = ok(&jaga(
        &dir,
        &[
            "fraud", "backtest", "--events", &events, "--labels", &events,
        ],
    ));
    assert!(
        human.contains("precision") && human.contains("card_testing_ip"),
        "{human}"
    );
}

/// Hex digests in a fraud event's opaque fields (address hashes, device ids, card
/// fingerprints) sometimes hold a Luhn-valid card-range run of digits between their letters; the
/// simulator's own stream did at 1,000,000 events. Such events are scored, not refused — while a
/// card written on its own in the same field still refuses the file.
#[test]
fn hex_digests_in_opaque_fields_are_scored_not_refused() {
    let dir = temp();
    let lines = [
        r#"{"id":"h1","ts":"2026-05-01T10:00:00Z","type":"order","amount":1000,"shipping":{"address_hash":"f382032337209595784e"}}"#,
        r#"{"id":"h2","ts":"2026-05-01T10:01:00Z","type":"payment","device_id":"ab4111111111111111cd","payment":{"method":"card","card_fingerprint":"0a5555555555554444ff9e21"}}"#,
    ];
    let f = write(&dir, "hex.jsonl", &format!("{}\n", lines.join("\n")));
    let out = ok(&jaga(&dir, &["fraud", "score", "--events", &f, "--jsonl"]));
    let ids: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["h1", "h2"], "{out}");

    let alone = r#"{"id":"h3","ts":"2026-05-01T10:02:00Z","type":"order","shipping":{"address_hash":"tok_4111111111111111"}}"#;
    let f = write(&dir, "alone.jsonl", &format!("{}\n{alone}\n", lines[0]));
    let e = err(&jaga(&dir, &["fraud", "score", "--events", &f, "--jsonl"]));
    assert!(
        e.contains("line 2") && e.contains("shipping.address_hash"),
        "{e}"
    );
}

#[test]
fn card_numbers_and_bad_events_are_refused_with_their_line() {
    let dir = temp();
    let good = r#"{"id":"a","ts":"2026-05-01T10:00:00Z","type":"order","amount":1000}"#;
    let card = r#"{"id":"b","ts":"2026-05-01T10:01:00Z","type":"payment","payment":{"card_fingerprint":"4111 1111 1111 1111"}}"#;
    let f = write(&dir, "card.jsonl", &format!("{good}\n{card}\n"));
    let o = jaga(&dir, &["fraud", "score", "--events", &f, "--jsonl"]);
    let e = err(&o);
    assert!(e.contains("line 2") && e.contains("card number"), "{e}");
    assert!(!e.contains("4111"), "{e}");
    assert!(o.stdout.is_empty(), "nothing printed for a refused file");

    for (bad, want) in [
        (
            r#"{"id":"c","ts":"2026-05-01T10:00:00Z","type":"order","colour":"red"}"#,
            "colour",
        ),
        (r#"{"id":"c","ts":"not a time","type":"order"}"#, "line 2"),
        (
            r#"{"id":"c","ts":"2026-05-01T10:00:00Z","type":"order","amount":-5}"#,
            "amount",
        ),
        (
            r#"{"id":"c","ts":"2026-05-01T10:00:00Z","type":"order","email":"siti@example.com","amount":"siti@example.com"}"#,
            "line 2",
        ),
        ("not json", "line 2"),
    ] {
        let f = write(&dir, "bad.jsonl", &format!("{good}\n{bad}\n"));
        let e = err(&jaga(&dir, &["fraud", "score", "--events", &f, "--jsonl"]));
        assert!(e.contains(want), "{want}: {e}");
        assert!(!e.contains("siti"), "no value echoed: {e}");
    }
}

#[test]
fn out_of_order_files_are_replayed_in_time_order() {
    let dir = temp();
    let mk = |id: &str, min: u32| {
        format!(
            r#"{{"id":"{id}","ts":"2026-05-01T10:{min:02}:00Z","type":"payment","ip":"10.0.0.1","amount":100}}"#
        )
    };
    let rules = dir.join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("r.toml"),
        "[[rule]]\nid = \"third\"\naction = \"review\"\nwhen = \"ip_count_1h == 3\"\nreason = { id = \"x\", en = \"x\" }\n",
    )
    .unwrap();
    let f = write(
        &dir,
        "e.jsonl",
        &[mk("late", 30), mk("early", 1), mk("mid", 10)].join("\n"),
    );
    let out = ok(&jaga(
        &dir,
        &[
            "fraud",
            "score",
            "--events",
            &f,
            "--rules",
            &rules.display().to_string(),
            "--jsonl",
        ],
    ));
    let ids: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("early".into(), "allow".into()),
            ("mid".into(), "allow".into()),
            ("late".into(), "review".into())
        ]
    );
}

#[test]
fn rule_files_with_errors_name_file_and_line() {
    let dir = temp();
    let rules = dir.join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("a.toml"),
        "[[rule]]\nid = \"ok\"\naction = \"review\"\nwhen = \"amount > 5\"\nreason = { id = \"x\", en = \"x\" }\n",
    )
    .unwrap();
    std::fs::write(
        rules.join("b.toml"),
        "# comment\n[[rule]]\nid = \"broken\"\naction = \"review\"\nwhen = \"amount >> 5\"\nreason = { id = \"x\", en = \"x\" }\n",
    )
    .unwrap();
    let r = rules.display().to_string();
    let e = err(&jaga(&dir, &["fraud", "rules", "--check", &r]));
    assert!(e.contains("b.toml:5:") && e.contains("broken"), "{e}");
    let f = write(
        &dir,
        "e.jsonl",
        r#"{"id":"a","ts":"2026-05-01T10:00:00Z","type":"order"}"#,
    );
    let e = err(&jaga(
        &dir,
        &["fraud", "score", "--events", &f, "--rules", &r],
    ));
    assert!(e.contains("b.toml:5:"), "{e}");
    std::fs::remove_file(rules.join("b.toml")).unwrap();
    assert!(ok(&jaga(&dir, &["fraud", "rules", "--check", &r])).contains("1 rules"));

    // The shipped rules export and check clean.
    let exported = dir.join("defaults");
    ok(&jaga(
        &dir,
        &[
            "fraud",
            "rules",
            "--export",
            &exported.display().to_string(),
        ],
    ));
    ok(&jaga(
        &dir,
        &["fraud", "rules", "--check", &exported.display().to_string()],
    ));
    let features = ok(&jaga(&dir, &["fraud", "features"]));
    assert!(features.contains("ip_cards_10m") && features.contains("new_device_for_customer"));
}
