//! Seeded data shared by the benchmarks, so every benchmark measures the same places.
#![allow(dead_code)] // each benchmark (and the peer data writer) uses part of it

use geo_types::Coord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The old-town centre of the demo district; the data spread over its county.
pub const CENTRE: Coord<f64> = Coord { x: 119.82, y: 31.36 };

/// `n` points clustered like real facilities: 80 % in 200 clusters (towns and streets, dense
/// at their middle), 20 % uniform over about 60 km × 60 km around [`CENTRE`].
pub fn clustered_points(n: usize, seed: u64) -> Vec<Coord<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let clusters: Vec<Coord<f64>> = (0..200)
        .map(|_| Coord { x: CENTRE.x + rng.random_range(-0.3..0.3), y: CENTRE.y + rng.random_range(-0.25..0.25) })
        .collect();
    (0..n)
        .map(|_| {
            if rng.random_bool(0.8) {
                let c = clusters[rng.random_range(0..clusters.len())];
                let (dx, dy): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
                Coord { x: c.x + dx * dx * dx * 0.02, y: c.y + dy * dy * dy * 0.02 }
            } else {
                Coord { x: CENTRE.x + rng.random_range(-0.33..0.33), y: CENTRE.y + rng.random_range(-0.27..0.27) }
            }
        })
        .collect()
}

/// The attributes of the `i`-th shared charger (`chargers` layer of the demo catalog):
/// (name, vehicle_type, ports, operator, scan_to_pay), drawn from `rng` in order.
pub struct ChargerRow {
    pub name: String,
    pub vehicle_type: &'static str,
    pub ports: i64,
    pub operator: &'static str,
    pub scan_to_pay: bool,
}

/// Plausible charger attributes for `n` points (seed `seed + 1`, as the tiles bench always had).
pub fn charger_rows(n: usize, seed: u64) -> Vec<ChargerRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
    let operators = ["江苏陶都新能源有限公司", "宜兴公交", "国网宜兴供电公司", "星星充电"];
    (0..n)
        .map(|i| {
            let car = rng.random_bool(0.4);
            ChargerRow {
                name: format!("充电桩{}号", i + 1),
                vehicle_type: if car { "car" } else { "ebike" },
                ports: rng.random_range(1..=20i64),
                operator: operators[rng.random_range(0..operators.len())],
                scan_to_pay: rng.random_bool(0.7),
            }
        })
        .collect()
}

/// The box the zones tile (W, S, E, N): a little larger than where [`clustered_points`] can
/// fall (± 0.33° × ± 0.27° around [`CENTRE`]), so that every point is in some zone.
pub const ZONES_BOX: [f64; 4] = [119.48, 31.08, 120.16, 31.64];

/// `n` × `n` zones tiling [`ZONES_BOX`] without gaps or overlaps: quadrilaterals on a grid
/// whose inner corners are moved by up to a quarter of a cell (seeded), so no two zones are
/// alike and their edges are not parallel to the axes. Zone `i * n + j` is column `i` (west to
/// east), row `j` (south to north); rings are closed, counter-clockwise.
pub fn zones(n: usize, seed: u64) -> Vec<geo_types::Polygon<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [w, s, e, north] = ZONES_BOX;
    let (dx, dy) = ((e - w) / n as f64, (north - s) / n as f64);
    let mut corner = vec![vec![Coord { x: 0.0, y: 0.0 }; n + 1]; n + 1];
    for (i, column) in corner.iter_mut().enumerate() {
        for (j, c) in column.iter_mut().enumerate() {
            let inner = |k: usize| k > 0 && k < n;
            let jx = if inner(i) { rng.random_range(-0.25..0.25) } else { 0.0 };
            let jy = if inner(j) { rng.random_range(-0.25..0.25) } else { 0.0 };
            // The outer edge exactly on the box (no rounding drift from i * dx).
            let x = if i == n { e } else { w + (i as f64 + jx) * dx };
            let y = if j == n { north } else { s + (j as f64 + jy) * dy };
            *c = Coord { x, y };
        }
    }
    let mut out = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            let ring = vec![corner[i][j], corner[i + 1][j], corner[i + 1][j + 1], corner[i][j + 1], corner[i][j]];
            out.push(geo_types::Polygon::new(geo_types::LineString(ring), vec![]));
        }
    }
    out
}

/// Writes the `n` shared points (seed `seed`) with their [`charger_rows`] as a GeoJSON
/// FeatureCollection of chargers, one feature a line, in point order; coordinates in Rust's
/// shortest round-trip form, so a reader gets exactly the generator's doubles.
pub fn write_chargers_geojson(path: &std::path::Path, n: usize, seed: u64) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(w, "{{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (i, (c, r)) in clustered_points(n, seed).iter().zip(charger_rows(n, seed)).enumerate() {
        let sep = if i == 0 { "\n" } else { ",\n" };
        write!(
            w,
            "{sep}{{\"type\":\"Feature\",\"properties\":{{\"name\":\"{}\",\"vehicle_type\":\"{}\",\"ports\":{},\"operator\":\"{}\",\"scan_to_pay\":{}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{},{}]}}}}",
            r.name, r.vehicle_type, r.ports, r.operator, r.scan_to_pay, c.x, c.y
        )?;
    }
    writeln!(w, "\n]}}")?;
    w.flush()
}
