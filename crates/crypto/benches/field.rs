//! Field encrypt + decrypt of a 100-byte value (target: under 5 µs together).
#![allow(missing_docs)] // criterion_group! generates undocumented functions
use criterion::{Criterion, criterion_group, criterion_main};
use jaga_crypto::Key32;
use jaga_crypto::field::{Context, open, seal};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let key = Key32::random();
    let ctx = Context {
        segment: "default",
        table: "customers",
        record_id: "0b5f1e9e-6f1c-4a43-9d55-3f1f2f8f9a10",
        field: "address",
    };
    let value = [b'x'; 100];
    c.bench_function("field_seal_open_100B", |b| {
        b.iter(|| {
            let ct = seal(&key, 1, &ctx, black_box(&value));
            black_box(open(&key, &ctx, &ct).unwrap());
        })
    });
    c.bench_function("field_seal_100B", |b| {
        b.iter(|| black_box(seal(&key, 1, &ctx, black_box(&value))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
