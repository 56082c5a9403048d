//! Runs `detect` (or `redact`) over the benchmark's ~1 MB dense CS text a given number of
//! times: a deterministic workload for `valgrind --tool=callgrind` on a noisy machine.
//!
//! ```text
//! cargo build --release -p jaga-redact --example dense
//! valgrind --tool=callgrind target/release/examples/dense [detect|redact|csv|guard] [passes]
//! target/release/examples/dense dump > redacted.txt
//! ```
//!
//! `dump` writes the redacted text and findings of the dense and CSV inputs (whole, line by
//! line, replaced and masked) to stdout: two builds agree on every result when their dumps are
//! byte-identical.
//!
//! Prints wall-clock and CPU-time throughput (CPU time of this thread from
//! `/proc/thread-self/schedstat`, Linux): on a shared machine the CPU-time figure is the
//! per-core throughput.

use jaga_redact::corpus::{Genre, generate};
use jaga_redact::{Policy, detect, redact};

/// The same input as `benches/redact.rs`: about 1 MB of generated documents, one per line.
fn text(genres: &[Genre]) -> String {
    let mut out = String::new();
    let mut seed = 9000;
    while out.len() < 1_000_000 {
        for d in generate(seed, 500) {
            if genres.contains(&d.genre) {
                out.push_str(&d.text);
                out.push('\n');
            }
        }
        seed += 1;
    }
    out
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "detect".into());
    let passes: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let input = if mode == "csv" {
        text(&[Genre::CsvRow])
    } else {
        text(&[
            Genre::CsNote,
            Genre::WhatsApp,
            Genre::Transcript,
            Genre::Email,
            Genre::Negative,
        ])
    };
    let policy = Policy::default();
    if mode == "dump" {
        dump(&input, &policy);
        return;
    }
    let cpu0 = cpu_ns();
    let t0 = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..passes {
        n += if mode == "redact" {
            redact(&input, &policy).map_or(0, |r| r.text.len())
        } else if mode == "guard" {
            jaga_redact::card::find_card_numbers(&input).len()
        } else {
            detect(&input).len()
        };
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_ns().zip(cpu0).map(|(a, b)| (a - b) as f64 / 1e9);
    let mb = (input.len() * passes) as f64 / 1e6;
    eprintln!(
        "{mode}: {} bytes x {passes}: wall {secs:.3} s = {:.1} MB/s; cpu {} ({n})",
        input.len(),
        mb / secs,
        cpu.map_or("n/a".into(), |c| format!("{c:.3} s = {:.1} MB/s", mb / c)),
    );
}

/// Writes every result of `redact` on the dense and CSV inputs to stdout.
fn dump(dense: &str, policy: &Policy) {
    use std::io::Write;
    let csv = text(&[Genre::CsvRow]);
    let masked =
        Policy::default().with(jaga_redact::EntityKind::Phone, jaga_redact::Operator::Mask);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for input in [dense, csv.as_str()] {
        for p in [policy, &masked] {
            let whole = std::iter::once(input);
            for part in whole.chain(input.lines()) {
                match redact(part, p) {
                    Ok(r) => writeln!(out, "{}\n{:?}", r.text, r.findings),
                    Err(e) => writeln!(out, "error: {e}"),
                }
                .expect("stdout");
            }
        }
    }
}

/// CPU time of this thread in nanoseconds (Linux `schedstat`), if available.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
