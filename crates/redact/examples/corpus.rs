//! Evaluation helper: prints the per-kind report for a generated corpus, optionally the
//! errors, and optionally exports the corpus as JSONL (for the Presidio side-by-side).
//!
//! ```text
//! cargo run --release -p jaga-redact --example corpus -- --seed 1 --n 3000 [--errors] [--jsonl out.jsonl]
//! ```

use std::io::Write;

use jaga_redact::corpus::{Doc, detect_doc, evaluate, generate};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let seed: u64 = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(1);
    let n: usize = arg("--n").and_then(|s| s.parse().ok()).unwrap_or(3000);
    let docs = generate(seed, n);
    let report = evaluate(&docs);
    println!("seed {seed}: {} docs, {} bytes\n{}", report.docs, report.bytes, report.table());
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
            println!("MISS {} {:?}\n    in {:?}", g.kind, &d.text[g.start..g.end], d.text);
        }
    }
    for f in &found {
        if !d
            .spans
            .iter()
            .any(|g| f.kind == g.kind && ov((g.start, g.end), (f.start, f.end)) >= 0.5)
        {
            println!("FP {} {:?} {:?}\n    in {:?}", f.kind, &d.text[f.range()], f.evidence, d.text);
        }
    }
}
