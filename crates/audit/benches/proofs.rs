//! Proof generation and whole-tree recomputation at 1,000,000 leaves.
//!
//! Run: `cargo bench -p jaga-audit --bench proofs` (figures in `docs/audit-format.md`).
// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use jaga_audit::event::{ActorKind, AuditEvent, encode};
use jaga_audit::{
    Hash, MemoryTree, NodeId, NodeSource, compare_leaves, consistency_proof, inclusion_nodes,
    inclusion_proof, leaf_hash, root_from_leaf_hashes,
};

const N: u64 = 1_000_000;

fn event(seq: u64) -> AuditEvent {
    AuditEvent {
        seq,
        ts_ms: 1_767_225_600_000 + seq,
        actor_kind: ActorKind::Staff,
        actor_id: "0b6f3c9e-5d7a-4c51-9a0e-2f1f7f0d9c11".into(),
        action: "customer.reveal".into(),
        customer_id: Some(format!("C-{:08}", seq % 50_000)),
        fields: vec!["phone".into(), "address".into()],
        purpose: Some("TICKET-4411".into()),
        outcome: "ok".into(),
        request_id: Some(format!("req-{seq:016x}")),
    }
}

fn proofs(c: &mut Criterion) {
    let tree = MemoryTree::from_leaf_hashes((0..N).map(|i| leaf_hash(&i.to_be_bytes())));
    let mut i = 0u64;
    c.bench_function("inclusion_proof 1M (MemoryTree source)", |b| {
        b.iter(|| {
            i = (i + 7919) % N;
            black_box(inclusion_proof(&mut &tree, black_box(i), N).unwrap())
        })
    });
    // The store's flow: ask which nodes are needed, fetch them (here from memory into a
    // HashMap, standing in for one SELECT), then build the proof from the map.
    c.bench_function(
        "inclusion_nodes + fetch + inclusion_proof 1M (HashMap source)",
        |b| {
            b.iter(|| {
                i = (i + 7919) % N;
                let ids = inclusion_nodes(black_box(i), N).unwrap();
                let mut src = &tree;
                let mut map: HashMap<NodeId, Hash> = HashMap::with_capacity(ids.len());
                for id in ids {
                    map.insert(id, src.node(id.level, id.index).unwrap());
                }
                black_box(inclusion_proof(&mut map, i, N).unwrap())
            })
        },
    );
    c.bench_function("consistency_proof 1M (MemoryTree source)", |b| {
        b.iter(|| {
            i = (i + 7919) % N;
            black_box(consistency_proof(&mut &tree, black_box(i + 1), N).unwrap())
        })
    });
}

fn recompute(c: &mut Criterion) {
    let mut g = c.benchmark_group("recompute");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let hashes: Vec<Hash> = (0..N).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    g.bench_function("root_from_leaf_hashes 1M", |b| {
        b.iter(|| black_box(root_from_leaf_hashes(hashes.iter().copied())))
    });
    let leaves: Vec<Vec<u8>> = (0..N).map(|i| encode(&event(i))).collect();
    let stored: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
    g.bench_function("compare_leaves 1M events (hash leaves + root)", |b| {
        b.iter(|| black_box(compare_leaves(&leaves, stored.iter().copied())))
    });
    g.finish();
    c.bench_function("event encode", |b| {
        let e = event(123_456);
        b.iter(|| black_box(encode(black_box(&e))))
    });
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = proofs, recompute }
criterion_main!(benches);
