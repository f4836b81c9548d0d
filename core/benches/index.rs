//! R-tree benchmarks on 1 000 000 seeded points clustered over the demo district's extent:
//! bulk build, bounding box, radius (geodesic metres) and k-nearest queries.
//!
//! `cargo bench -p wardgis --bench index`; results go in docs/BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use geo_types::{Coord, Geometry, Point, Rect};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use wardgis::index::{Entry, LayerIndex};

mod common;
use common::{clustered_points, CENTRE};

const N: usize = 1_000_000;

/// The shared clustered points as index entries.
fn points(n: usize, seed: u64) -> Vec<Entry> {
    clustered_points(n, seed)
        .into_iter()
        .enumerate()
        .map(|(i, c)| Entry::new(i as i64, &Geometry::Point(Point(c))).expect("finite point"))
        .collect()
}

fn queries(n: usize, seed: u64) -> Vec<Coord<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Coord { x: CENTRE.x + rng.random_range(-0.3..0.3), y: CENTRE.y + rng.random_range(-0.25..0.25) }).collect()
}

fn bench(c: &mut Criterion) {
    let entries = points(N, 42);
    let mut g = c.benchmark_group("index_1M");
    g.sample_size(10);
    g.bench_function("bulk_load", |b| {
        b.iter_batched(|| entries.clone(), |e| black_box(LayerIndex::build(e)), BatchSize::LargeInput)
    });
    g.finish();

    let index = LayerIndex::build(entries);
    let qs = queries(1024, 7);
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % qs.len();
        qs[i]
    };
    let mut g = c.benchmark_group("query_1M");
    g.bench_function("bbox_1km", |b| {
        b.iter(|| {
            let q = next();
            black_box(index.bbox(Rect::new((q.x - 0.0053, q.y - 0.0045), (q.x + 0.0053, q.y + 0.0045))))
        })
    });
    g.bench_function("within_500m", |b| b.iter(|| black_box(index.within(next(), 500.0).unwrap())));
    g.bench_function("nearest_k10", |b| b.iter(|| black_box(index.nearest(next(), 10).unwrap())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
