//! Vector tile benchmarks through the path the app uses (`tiles::tile` / `tiles::layer_tile`
//! on an open `Project`): z12, z14 and z16 tiles over the busiest part of
//!
//! - the demo district (all its layers in one tile, and blocks, roads, chargers alone), and
//! - a project with 1 000 000 chargers clustered like real facilities (200 towns and streets
//!   plus a uniform background over the demo district's county), the tiles over its densest
//!   spot.
//!
//! The 1M-point project takes a while to write (about a minute), so it is kept between runs in
//! `target/bench-data/` (delete it to rebuild). Run as a smoke test (`cargo test
//! --all-targets`, without `--bench`), the big layer has 20 000 points instead.
//!
//! `cargo bench -p wardgis --bench tiles`; results go in docs/BENCHMARKS.md.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use geo_types::Point;
use wardgis::tiles::{self, TileId};
use wardgis::{Catalog, Feature, Project};

mod common;
use common::{charger_rows, clustered_points, CENTRE};

const N: usize = 1_000_000;

/// The shared clustered points as chargers with plausible attributes.
fn chargers(n: usize, seed: u64) -> Vec<Feature> {
    clustered_points(n, seed)
        .into_iter()
        .zip(charger_rows(n, seed))
        .map(|(c, r)| {
            Feature::new(Point(c))
                .with("name", r.name)
                .with("source", "bench")
                .with("vehicle_type", r.vehicle_type)
                .with("ports", r.ports)
                .with("operator", r.operator)
                .with("scan_to_pay", r.scan_to_pay)
        })
        .collect()
}

fn bench_data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    dir
}

/// A project of `n` clustered chargers, written once and reused.
fn big_project(n: usize) -> Project {
    let path = bench_data_dir().join(format!("tiles-{n}-chargers-v2.gpkg"));
    if path.is_file() {
        if let Ok(p) = Project::open(&path, Catalog::embedded()) {
            if matches!(p.index("chargers").map(|i| i.len()), Ok(len) if len == n) {
                return p;
            }
        }
        std::fs::remove_file(&path).expect("remove a stale bench project");
    }
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let t = Instant::now();
    let p = Project::create(&partial, Catalog::embedded()).expect("create bench project");
    p.insert("chargers", chargers(n, 42), &format!("bench: {n} clustered chargers")).expect("insert");
    drop(p);
    std::fs::rename(&partial, &path).expect("rename bench project");
    eprintln!("wrote {} in {:.1?}", path.display(), t.elapsed());
    Project::open(&path, Catalog::embedded()).expect("open bench project")
}

fn demo_project(dir: &std::path::Path) -> Project {
    wardgis::demo::create_project(&dir.join("demo.gpkg"), Catalog::embedded(), wardgis::demo::DEMO_SEED).expect("demo")
}

/// Features (over `layers`) whose bounding boxes meet a tile's buffered area.
fn load(p: &Project, layers: &[&str], t: TileId) -> usize {
    layers.iter().map(|l| p.index(l).unwrap().entries_in(t.bounds_buffered(tiles::BUFFER)).count()).sum()
}

/// The z16 tile with the most features, searched over the z14 tiles around `CENTRE` and
/// their children; and its z14 and z12 ancestors.
fn busiest(p: &Project, layers: &[&str], reach: i64) -> [TileId; 3] {
    let c = TileId::containing(CENTRE.x, CENTRE.y, 14).unwrap();
    let mut best = (0, c);
    for dx in -reach..=reach {
        for dy in -reach..=reach {
            let t = TileId::new(14, (c.x as i64 + dx) as u32, (c.y as i64 + dy) as u32).unwrap();
            best = best.max((load(p, layers, t), t));
        }
    }
    let t14 = best.1;
    let mut best16 = (0, t14);
    for cx in 0..4 {
        for cy in 0..4 {
            let t = TileId::new(16, t14.x * 4 + cx, t14.y * 4 + cy).unwrap();
            best16 = best16.max((load(p, layers, t), t));
        }
    }
    [TileId::new(12, t14.x / 4, t14.y / 4).unwrap(), t14, best16.1]
}

fn describe(p: &Project, layers: &[&str], t: TileId) -> String {
    use geozero::mvt::{Message, Tile};
    let bytes = tiles::tile(p, layers, t).unwrap();
    let features: usize = Tile::decode(&bytes[..]).unwrap().layers.iter().map(|l| l.features.len()).sum();
    format!("{t}: {} features near the tile, {features} in it, {} bytes", load(p, layers, t), bytes.len())
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_project(dir.path());
    let all: Vec<String> = demo.catalog().ids().into_iter().map(str::to_owned).collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let mut g = c.benchmark_group("tiles_demo");
    for t in busiest(&demo, &all, 3) {
        eprintln!("demo all layers {}", describe(&demo, &all, t));
        g.bench_function(format!("all_layers_z{}", t.z), |b| b.iter(|| black_box(tiles::tile(&demo, &all, t).unwrap())));
        for layer in ["blocks", "roads", "chargers"] {
            g.bench_function(format!("{layer}_z{}", t.z), |b| {
                b.iter(|| black_box(tiles::layer_tile(&demo, layer, t).unwrap()))
            });
        }
    }
    g.finish();

    // `cargo bench` passes --bench; `cargo test --all-targets` runs this once as a smoke test.
    let n = if std::env::args().any(|a| a == "--bench") { N } else { 20_000 };
    let big = big_project(n);
    let mut g = c.benchmark_group("tiles_1M_points");
    for t in busiest(&big, &["chargers"], 15) {
        eprintln!("{n} chargers {}", describe(&big, &["chargers"], t));
        g.bench_function(format!("chargers_z{}", t.z), |b| {
            b.iter(|| black_box(tiles::layer_tile(&big, "chargers", t).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
