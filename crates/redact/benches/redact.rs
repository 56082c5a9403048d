//! Throughput of detection and redaction on generated CS-style text (MB/s).
//!
//! ```text
//! cargo bench -p jaga-redact --bench redact -- --warm-up-time 1 --measurement-time 3
//! ```
// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jaga_redact::corpus::{Genre, generate};
use jaga_redact::{Format, Policy, detect, redact, redact_stream};

/// About 1 MB of generated documents of the given genres, one per line.
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

fn bench(c: &mut Criterion) {
    let cs = text(&[
        Genre::CsNote,
        Genre::WhatsApp,
        Genre::Transcript,
        Genre::Email,
        Genre::Negative,
    ]);
    let csv_like = text(&[Genre::CsvRow]);
    // Ordinary prose with one generated note every ~800 bytes: sparse identifiers.
    let filler = "Terima kasih sudah menghubungi kami, pesanan akan segera diproses dan dikirim hari ini ya kak. ";
    let cs_lines: Vec<&str> = cs.lines().collect();
    let mut sparse = String::new();
    let mut k = 0;
    while sparse.len() < 1_000_000 {
        for _ in 0..8 {
            sparse.push_str(filler);
        }
        sparse.push_str(cs_lines[k % cs_lines.len()]);
        sparse.push('\n');
        k += 1;
    }
    let policy = Policy::default();
    let mut g = c.benchmark_group("redact");
    for (name, input) in [
        ("cs_dense", &cs),
        ("cs_sparse", &sparse),
        ("csv_rows_as_text", &csv_like),
    ] {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(format!("detect/{name}"), |b| b.iter(|| detect(input).len()));
        g.bench_function(format!("redact/{name}"), |b| {
            b.iter(|| redact(input, &policy).map(|r| r.text.len()))
        });
    }
    g.throughput(Throughput::Bytes(cs.len() as u64));
    g.bench_function("stream_text/cs_dense", |b| {
        b.iter(|| {
            redact_stream(
                cs.as_bytes(),
                std::io::sink(),
                Format::Text,
                &policy,
                |_| {},
            )
            .map(|s| s.bytes_out)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
