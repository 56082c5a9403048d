//! Throughput of the analyzer on the generated corpus (typical mails: a few KB, some with
//! attachments). The targets: at most 20 ms per mail, at least 200 mails/s per core.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jaga_mail::{Analyzer, corpus};

fn bench(c: &mut Criterion) {
    let samples = corpus::generate(7, 0, 400);
    let analyzer = Analyzer::new(&corpus::context(0));
    let mut g = c.benchmark_group("mail");
    g.throughput(Throughput::Elements(samples.len() as u64));
    g.bench_function("analyze_400_generated", |b| {
        b.iter(|| {
            for s in &samples {
                std::hint::black_box(analyzer.analyze(&s.raw).ok());
            }
        })
    });
    g.finish();
    // A large mail: 1 MiB of HTML with 2,000 links and a 4 MiB base64 attachment.
    let mut big = String::from(
        "From: News <news@shop.example>\r\nTo: a@tokoayu.id\r\nSubject: Big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n",
    );
    while big.len() < 1024 * 1024 {
        big.push_str("<p>Promo minggu ini <a href=\"https://click.example.net/t?u=1\">www.shop.example/promo</a></p>\r\n");
    }
    big.push_str("--b\r\nContent-Type: application/pdf; name=\"katalog.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    let line = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0KeJzLSM3JyVcozy/KSQEAGgQEXQplbmRzdHJlYW0K\r\n";
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(line);
    }
    big.push_str("--b--\r\n");
    let mut g = c.benchmark_group("mail_large");
    g.sample_size(20);
    g.bench_function("analyze_5mib_html_and_attachment", |b| {
        b.iter(|| std::hint::black_box(analyzer.analyze(big.as_bytes()).ok()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
