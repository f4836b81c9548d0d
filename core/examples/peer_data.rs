//! Writes the shared seeded data of the peer benchmarks (bench/peers/run.sh) as CSV, from the
//! same generator as the criterion benches (core/benches/common), so every tool reads the very
//! points and query points `cargo bench -p wardgis --bench index` uses.
//!
//! `cargo run --release -p wardgis --example peer_data -- OUTDIR [--sizes 10000,100000,1000000]`
//!
//! - `OUTDIR/points-N.csv`: `id,lon,lat`, N clustered points (seed 42), id = index from 0;
//! - `OUTDIR/queries.csv`: `qid,lon,lat,xmin,ymin,xmax,ymax`, the 1 024 query points (seed 7)
//!   and the bounding box of about 1 km × 1 km around each (± 0.0053° lon, ± 0.0045° lat);
//! - `OUTDIR/zones.csv`: `id,wkt`, the 10 000 zones of the point-in-polygon join (100 × 100
//!   jittered quadrilaterals tiling the points' extent, seed 11), id = index from 0;
//! - `OUTDIR/chargers-N.geojson`: the same N points as a GeoJSON FeatureCollection of chargers
//!   (`name`, `vehicle_type`, `ports`, `operator`, `scan_to_pay`), in id order, for the import;
//! - `OUTDIR/attributes-N.csv`: `id,name,vehicle_type,ports,operator,scan_to_pay`, the same
//!   attributes for the peers that load the points from CSV (the tiles carry them).
//!
//! Coordinates are written with Rust's shortest round-trip formatting, so any reader that
//! parses them as IEEE doubles gets exactly the values the Rust side uses.

#[path = "../benches/common/mod.rs"]
mod common;

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use common::{charger_rows, clustered_points, write_chargers_geojson, zones, CENTRE};
use geo_types::Coord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The query points of core/benches/index.rs (same seed, same draws).
fn queries(n: usize, seed: u64) -> Vec<Coord<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| Coord { x: CENTRE.x + rng.random_range(-0.3..0.3), y: CENTRE.y + rng.random_range(-0.25..0.25) }).collect()
}

/// 100 × 100 zones, seed 11: the polygons of the join (`core/benches/join.rs` uses the same).
const ZONES_PER_SIDE: usize = 100;
const ZONES_SEED: u64 = 11;

/// `chargers-N.geojson` and `attributes-N.csv`: the points of `points-N.csv` with attributes.
fn write_chargers(out: &std::path::Path, n: usize) -> std::io::Result<()> {
    let path = out.join(format!("chargers-{n}.geojson"));
    write_chargers_geojson(&path, n, 42)?;
    eprintln!("wrote {}", path.display());
    let path = out.join(format!("attributes-{n}.csv"));
    let mut w = BufWriter::new(std::fs::File::create(&path)?);
    writeln!(w, "id,name,vehicle_type,ports,operator,scan_to_pay")?;
    for (i, r) in charger_rows(n, 42).iter().enumerate() {
        writeln!(w, "{i},{},{},{},{},{}", r.name, r.vehicle_type, r.ports, r.operator, r.scan_to_pay)?;
    }
    w.flush()?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut sizes = vec![10_000usize, 100_000, 1_000_000];
    while let Some(a) = args.next() {
        if a == "--sizes" {
            let v = args.next().expect("--sizes needs a list, e.g. 10000,100000");
            sizes = v.split(',').map(|s| s.trim().parse().expect("size: a whole number")).collect();
        } else {
            out = Some(PathBuf::from(a));
        }
    }
    let out = out.expect("usage: peer_data OUTDIR [--sizes 10000,100000,1000000]");
    std::fs::create_dir_all(&out)?;
    for &n in &sizes {
        let path = out.join(format!("points-{n}.csv"));
        let mut w = BufWriter::new(std::fs::File::create(&path)?);
        writeln!(w, "id,lon,lat")?;
        for (i, c) in clustered_points(n, 42).into_iter().enumerate() {
            writeln!(w, "{i},{},{}", c.x, c.y)?;
        }
        w.flush()?;
        eprintln!("wrote {}", path.display());
        write_chargers(&out, n)?;
    }
    let path = out.join("zones.csv");
    let mut w = BufWriter::new(std::fs::File::create(&path)?);
    writeln!(w, "id,wkt")?;
    for (i, z) in zones(ZONES_PER_SIDE, ZONES_SEED).iter().enumerate() {
        let ring: Vec<String> = z.exterior().0.iter().map(|c| format!("{} {}", c.x, c.y)).collect();
        writeln!(w, "{i},\"POLYGON(({}))\"", ring.join(","))?;
    }
    w.flush()?;
    eprintln!("wrote {}", path.display());
    let path = out.join("queries.csv");
    let mut w = BufWriter::new(std::fs::File::create(&path)?);
    writeln!(w, "qid,lon,lat,xmin,ymin,xmax,ymax")?;
    for (i, q) in queries(1024, 7).into_iter().enumerate() {
        let (xmin, ymin, xmax, ymax) = (q.x - 0.0053, q.y - 0.0045, q.x + 0.0053, q.y + 0.0045);
        writeln!(w, "{i},{},{},{xmin},{ymin},{xmax},{ymax}", q.x, q.y)?;
    }
    w.flush()?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
