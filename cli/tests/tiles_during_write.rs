//! Tiles while another process writes: the map's tiles are cut from a project (in this
//! process, by the same `wardgis::tiles` code the desktop's tile workers run) while a separate
//! `wardgis import` process writes a big import into the same file. Records tile latency
//! (median, p99, max) idle and during the write; fails if a tile fails or none is served
//! while the write runs.
//!
//! In the suite this is a smoke run (20 000 points). The benchmark in docs/BENCHMARKS.md:
//!
//! ```sh
//! WARDGIS_WRITE_POINTS=1000000 cargo test --release -p wardgis-cli --test tiles_during_write -- --nocapture
//! ```

mod common;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

use wardgis::tiles::{layer_tile, TileId};
use wardgis::{Catalog, Project};

/// The tiles a user panning over the old town asks for: z15 and z16 tiles around the centre,
/// for a point, a line and a polygon layer.
fn tile_set() -> Vec<(&'static str, TileId)> {
    let (x, y) = (119.823, 31.362);
    let mut tiles = Vec::new();
    for z in [14u8, 15, 16] {
        let c = TileId::containing(x, y, z).unwrap();
        for dx in -1i64..=1 {
            for dy in -1i64..=1 {
                let t = TileId::new(z, (c.x as i64 + dx) as u32, (c.y as i64 + dy) as u32).unwrap();
                for layer in ["chargers", "billboards", "roads", "blocks"] {
                    tiles.push((layer, t));
                }
            }
        }
    }
    tiles
}

struct Latencies(Vec<Duration>);

impl Latencies {
    fn quantile(&self, q: f64) -> Duration {
        let mut v = self.0.clone();
        v.sort();
        v[((v.len() - 1) as f64 * q).round() as usize]
    }
    fn row(&self, what: &str) -> String {
        let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
        format!("| {what} | {} | {} | {} | {} |", self.0.len(), ms(self.quantile(0.5)), ms(self.quantile(0.99)), ms(self.quantile(1.0)))
    }
}

/// Cuts tiles round-robin until `until` says stop; every tile must succeed.
fn serve(project: &Project, tiles: &[(&str, TileId)], mut until: impl FnMut(usize) -> bool) -> Latencies {
    let mut out = Vec::new();
    let mut i = 0;
    while !until(out.len()) {
        let (layer, t) = tiles[i % tiles.len()];
        let start = Instant::now();
        layer_tile(project, layer, t).unwrap_or_else(|e| panic!("tile {layer} {t} failed: {e}"));
        out.push(start.elapsed());
        i += 1;
    }
    Latencies(out)
}

#[test]
fn tiles_are_served_while_another_process_writes_a_big_import() {
    let points: usize = std::env::var("WARDGIS_WRITE_POINTS").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let path = demo_copy(dir.path());
    let csv = dir.path().join("chargers.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        writeln!(f, "name,vehicle_type,ports,经度,纬度").unwrap();
        for i in 0..points {
            let (x, y) = (119.78 + (i % 1000) as f64 * 8e-5, 31.33 + (i / 1000) as f64 * (0.06 / (points / 1000).max(1) as f64));
            writeln!(f, "桩{i},ebike,{},{x:.6},{y:.6}", 2 + i % 8).unwrap();
        }
    }
    let project = Project::open(&path, Catalog::discover().unwrap()).unwrap();
    let tiles = tile_set();

    // Idle: the same number of tiles as a warm-up, then the measured run.
    serve(&project, &tiles, |n| n >= tiles.len());
    let idle = serve(&project, &tiles, |n| n >= tiles.len() * 4);

    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wardgis"))
        .args(["import", path.to_str().unwrap(), "chargers", csv.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = None;
    let during = serve(&project, &tiles, |_| {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    let write_time = started.elapsed();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the import failed: {}", String::from_utf8_lossy(&out.stderr));

    println!("\n{points} points imported by another process in {:.1} s; tiles cut meanwhile in this one:\n", write_time.as_secs_f64());
    println!("| file | tiles | median ms | p99 ms | max ms |\n|---|---|---|---|---|");
    println!("{}", idle.row("idle"));
    println!("{}", during.row("during the write"));
    assert!(!during.0.is_empty(), "no tile was served while the other process wrote");

    // The other process's rows are seen once it has committed.
    let changes = project.refresh_external().unwrap();
    assert!(changes.iter().any(|c| c.layer == "chargers"), "{changes:?}");
}
