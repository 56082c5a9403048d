//! Evaluation helper: prints the per-kind report for a generated corpus, optionally the
//! errors, and optionally exports the corpus as JSONL (for the Presidio side-by-side).
//!
//! ```text
//! cargo run --release -p jaga-redact --example corpus -- --seed 1 --n 3000 [--errors] [--jsonl out.jsonl]
//! cargo run --release -p jaga-redact --example corpus -- --eval-jsonl corpus.jsonl [--char-offsets] [--errors]
//! ```
//!
//! `--eval-jsonl` scores a labelled JSONL corpus written by another tool (e.g. the Presidio
//! harness's `--dump-corpus`: `{"text", "spans": [{"label", "start", "end"}]}`, character
//! offsets with `--char-offsets`) and times the detector on it. Labels that are not entity
//! kinds of this crate (such as `VA_NUMBER`) are reported and left out of the scores.

use std::io::Write;

use jaga_redact::EntityKind;
use jaga_redact::corpus::{Doc, Genre, GoldSpan, detect_doc, evaluate, generate};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(path) = arg("--eval-jsonl") {
        return eval_jsonl(
            &path,
            args.iter().any(|a| a == "--char-offsets"),
            args.iter().any(|a| a == "--errors"),
        );
    }
    let seed: u64 = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(1);
    let n: usize = arg("--n").and_then(|s| s.parse().ok()).unwrap_or(3000);
    let docs = generate(seed, n);
    let report = evaluate(&docs);
    println!(
        "seed {seed}: {} docs, {} bytes\n{}",
        report.docs,
        report.bytes,
        report.table()
    );
    println!("card leaks: {}", report.card_leaks);
    if args.iter().any(|a| a == "--errors") {
        for d in &docs {
            print_errors(d);
        }
    }
    if args.iter().any(|a| a == "--leaks") {
        let policy = jaga_redact::Policy::default();
        for d in &docs {
            let red = jaga_redact::apply(&d.text, &detect_doc(d), &policy).unwrap_or_default();
            if jaga_redact::card::contains_card_number(&red) {
                println!("LEAK {red:?}");
            }
        }
    }
    if let Some(path) = arg("--jsonl") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for d in &docs {
            writeln!(f, "{}", d.to_jsonl())?;
        }
    }
    Ok(())
}

fn print_errors(d: &Doc) {
    let found = detect_doc(d);
    let ov = |a: (usize, usize), b: (usize, usize)| {
        let i = a.1.min(b.1).saturating_sub(a.0.max(b.0)) as f64;
        i / (a.1.max(b.1) - a.0.min(b.0)) as f64
    };
    for g in &d.spans {
        if !found
            .iter()
            .any(|f| f.kind == g.kind && ov((g.start, g.end), (f.start, f.end)) >= 0.5)
        {
            println!(
                "MISS {} {:?}\n    in {:?}",
                g.kind,
                &d.text[g.start..g.end],
                d.text
            );
        }
    }
    for f in &found {
        if !d
            .spans
            .iter()
            .any(|g| f.kind == g.kind && ov((g.start, g.end), (f.start, f.end)) >= 0.5)
        {
            println!(
                "FP {} {:?} {:?}\n    in {:?}",
                f.kind,
                &d.text[f.range()],
                f.evidence,
                d.text
            );
        }
    }
}

fn eval_jsonl(path: &str, char_offsets: bool, errors: bool) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut docs = Vec::new();
    let mut skipped = std::collections::BTreeMap::<String, usize>::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(std::io::Error::other)?;
        let t = v["text"].as_str().unwrap_or_default().to_string();
        let byte_at = |c: usize| t.char_indices().nth(c).map_or(t.len(), |(b, _)| b);
        let mut spans = Vec::new();
        for s in v["spans"].as_array().into_iter().flatten() {
            let label = s["label"].as_str().unwrap_or_default();
            let label = if label == "DOB" {
                "DATE_OF_BIRTH"
            } else {
                label
            };
            let Ok(kind) = label.parse::<EntityKind>() else {
                *skipped.entry(label.to_string()).or_default() += 1;
                continue;
            };
            let (a, b) = (
                s["start"].as_u64().unwrap_or(0) as usize,
                s["end"].as_u64().unwrap_or(0) as usize,
            );
            let (start, end) = if char_offsets {
                (byte_at(a), byte_at(b))
            } else {
                (a, b)
            };
            spans.push(GoldSpan { kind, start, end });
        }
        let genre = if v["genre"] == "csv_row" {
            Genre::CsvRow
        } else {
            Genre::CsNote
        };
        docs.push(Doc {
            text: t,
            spans,
            genre,
        });
    }
    if errors {
        docs.iter().for_each(print_errors);
    }
    let report = evaluate(&docs);
    println!(
        "{path}: {} docs, {} bytes\n{}",
        report.docs,
        report.bytes,
        report.table()
    );
    println!(
        "card leaks: {}; labels not scored: {skipped:?}",
        report.card_leaks
    );
    // Throughput: repeat until at least ~1 s of work.
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let reps = (200_000_000 / bytes.max(1)).clamp(1, 20_000);
    let t0 = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..reps {
        for d in &docs {
            n += jaga_redact::detect(&d.text).len();
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "throughput: {:.1} MB/s ({} passes, {:.3} s, {} findings/pass)",
        (bytes * reps) as f64 / dt / 1e6,
        reps,
        dt,
        n / reps
    );
    if std::env::args().any(|a| a == "--errors") {
        for d in &docs {
            print_errors(d);
        }
    }
    Ok(())
}
