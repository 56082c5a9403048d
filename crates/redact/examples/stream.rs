//! Redacts stdin to stdout — the shape of the `jaga redact` CLI, for measuring throughput and
//! memory on large inputs.
//!
//! ```text
//! cargo run --release -p jaga-redact --example stream -- [text|csv|jsonl|eml] < in > out
//! ```

use std::io::{BufWriter, Write};

use jaga_redact::{Format, Policy, redact_stream};

fn main() {
    let format: Format = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "text".into())
        .parse()
        .unwrap_or(Format::Text);
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let t0 = std::time::Instant::now();
    match redact_stream(stdin, &mut out, format, &Policy::default(), |_| {}) {
        Ok(stats) => {
            let _ = out.flush();
            let secs = t0.elapsed().as_secs_f64();
            eprintln!(
                "{} bytes in {:.2} s = {:.1} MB/s; {} findings ({:?})",
                stats.bytes_in,
                secs,
                stats.bytes_in as f64 / secs / 1e6,
                stats.total(),
                stats.counts
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
