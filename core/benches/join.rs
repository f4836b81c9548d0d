//! Point-in-polygon join benchmark: 1 000 000 seeded clustered points to the 10 000 jittered
//! zones that tile their extent (`index::join::zone_members`, the zones' R-tree built each
//! time, the points' R-tree already built as an open project has it). Run as a smoke test
//! (`cargo test --all-targets`, without `--bench`), with 20 000 points.
//!
//! `cargo bench -p wardgis --bench join`; results go in docs/BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use geo_types::{Geometry, Point};
use std::hint::black_box;
use wardgis::index::{join, Entry, LayerIndex};

mod common;
use common::{clustered_points, zones};

fn bench(c: &mut Criterion) {
    let n = if std::env::args().any(|a| a == "--bench") { 1_000_000 } else { 20_000 };
    let points = LayerIndex::build(
        clustered_points(n, 42)
            .into_iter()
            .enumerate()
            .map(|(i, c)| Entry::new(i as i64, &Geometry::Point(Point(c))).expect("finite point"))
            .collect(),
    );
    let zones: Vec<Entry> =
        zones(100, 11).into_iter().enumerate().map(|(i, z)| Entry::new(i as i64, &z.into()).expect("a zone")).collect();
    let members = join::zone_members(&LayerIndex::build(zones.clone()), &points);
    assert_eq!(members.len(), n, "every point in exactly one zone");
    let mut g = c.benchmark_group(format!("join_{n}_points_10k_zones"));
    g.sample_size(10);
    g.bench_function("zone_members", |b| {
        b.iter(|| black_box(join::zone_members(&LayerIndex::build(zones.clone()), &points)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
