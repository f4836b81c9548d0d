//! wardgis's side of the peer benchmarks (bench/peers/run.sh): loads the shared CSV data
//! written by `peer_data`, times the R-tree bulk load and the three queries on the 1 024 query
//! points, prints the timings as one JSON object on stdout, and writes every query's answer
//! (ids, and distances in metres) to a JSON file so the harness can check that the peers
//! answer the same before their times are compared.
//!
//! `cargo run --release -p wardgis --example peer_bench -- POINTS.csv QUERIES.csv ANSWERS.json [--rounds 5]
//!     [--zones ZONES.csv] [--import CHARGERS.geojson --project PROJECT.gpkg]`
//!
//! With `--zones`: the point-in-polygon join of every point to the zones
//! ([`wardgis::index::join::zone_members`]). With `--import`: the GeoJSON import into a new
//! project file at `PROJECT.gpkg` (replaced; the last run's file is kept for the peers' check),
//! then MVT tiles of that project's chargers at z12, z14 and z16 over the busiest spot.
//!
//! Timings: bulk load = `LayerIndex::build` of entries already in memory (as
//! `cargo bench --bench index` measures it), one warm-up then the median of `rounds` runs.
//! Queries: one untimed pass records the answers (and warms up), then `rounds` passes over the
//! 1 024 query points timing each query alone; the median and mean of those per-query times.
//! Join: building the zones' R-tree (10 000 polygons) and the join itself, the points' R-tree
//! already built (as a project has it open; PostGIS has its GiST index); one warm-up, median of
//! `rounds`. Import: `Project::import_file` (streamed) into a project created just
//! before (untimed, as `wardgis import` imports into an existing project), median of `rounds`
//! runs, no warm-up (the file is in the page cache from the data writer). Tiles: one warm-up,
//! then the median of 20 × `rounds` calls of `tiles::layer_tile_unthinned` (every point the
//! tile owns, as `ST_AsMVT` keeps every point it is given) and of `tiles::layer_tile` (the
//! map's thinned tile).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use geo_types::{Coord, Geometry, Point, Polygon, Rect};
use serde_json::json;
use wardgis::index::{join, Entry, LayerIndex};
use wardgis::tiles::{self, TileId};
use wardgis::{Catalog, Project};
use wkt::TryFromWkt;

struct Query {
    p: Coord<f64>,
    bbox: Rect<f64>,
}

fn read_csv(path: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap_or_else(|e| panic!("{path}: {v}: {e}"))).collect())
        .collect()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Times `f` on every query, `rounds` times; (median, mean) per query in seconds.
fn time_queries<T>(qs: &[Query], rounds: usize, mut f: impl FnMut(&Query) -> T) -> (f64, f64) {
    let mut times = Vec::with_capacity(qs.len() * rounds);
    for _ in 0..rounds {
        for q in qs {
            let t = Instant::now();
            black_box(f(q));
            times.push(t.elapsed().as_secs_f64());
        }
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    (median(&mut times), mean)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).map(|i| args.get(i + 1).unwrap_or_else(|| panic!("{name} needs a value")).clone())
}

/// `id,wkt` rows of polygons (zones.csv).
fn read_zones(path: &str) -> Vec<Entry> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (id, wkt) = l.split_once(',').unwrap_or_else(|| panic!("{path}: {l}"));
            let polygon = Polygon::<f64>::try_from_wkt_str(wkt.trim_matches('"')).unwrap_or_else(|e| panic!("{path}: {e}"));
            Entry::new(id.parse().expect("zone id"), &polygon.into()).expect("a zone with an area")
        })
        .collect()
}

/// Runs `f` `n` times (after one warm-up); the median seconds and the last result.
fn time_median<T>(n: usize, warm_up: bool, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut last = if warm_up { Some(f()) } else { None };
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed().as_secs_f64());
        last = Some(black_box(r));
    }
    (median(&mut times), last.expect("at least one run"))
}

/// The fids of the features of a decoded MVT tile's one layer, sorted.
fn tile_fids(bytes: &[u8]) -> Vec<u64> {
    use geozero::mvt::{Message, Tile};
    let tile = Tile::decode(bytes).expect("a tile wardgis wrote decodes");
    let mut ids: Vec<u64> = tile.layers.iter().flat_map(|l| l.features.iter().map(|f| f.id.expect("fid"))).collect();
    ids.sort_unstable();
    ids
}

/// The z16 tile with the most points, searched among the z14 tiles within 15 of the one
/// holding the data's centre and their children; with its z14 and z12 ancestors (the tiles
/// bench's choice).
fn busiest(index: &LayerIndex) -> [TileId; 3] {
    let owned = |t: TileId| index.entries_in(t.bounds()).count();
    let c = TileId::containing(119.82, 31.36, 14).expect("tile");
    let mut best = (0, c);
    for dx in -15i64..=15 {
        for dy in -15i64..=15 {
            let t = TileId::new(14, (c.x as i64 + dx) as u32, (c.y as i64 + dy) as u32).expect("tile");
            best = best.max((owned(t), t));
        }
    }
    let t14 = best.1;
    let mut best16 = (0, t14);
    for cx in 0..4 {
        for cy in 0..4 {
            let t = TileId::new(16, t14.x * 4 + cx, t14.y * 4 + cy).expect("tile");
            best16 = best16.max((owned(t), t));
        }
    }
    [TileId::new(12, t14.x / 4, t14.y / 4).expect("tile"), t14, best16.1]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: peer_bench POINTS.csv QUERIES.csv ANSWERS.json [--rounds N]");
        std::process::exit(2);
    }
    let rounds: usize = arg(&args, "--rounds").map(|r| r.parse().expect("--rounds: a whole number")).unwrap_or(5);

    let entries: Vec<Entry> = read_csv(&args[0])
        .into_iter()
        .map(|r| Entry::new(r[0] as i64, &Geometry::Point(Point::new(r[1], r[2]))).expect("finite point"))
        .collect();
    let n = entries.len();
    let qs: Vec<Query> = read_csv(&args[1])
        .into_iter()
        .map(|r| Query { p: Coord { x: r[1], y: r[2] }, bbox: Rect::new((r[3], r[4]), (r[5], r[6])) })
        .collect();

    // Bulk load: one warm-up, then `rounds` timed builds from a fresh copy of the entries.
    black_box(LayerIndex::build(entries.clone()));
    let mut loads = Vec::new();
    for _ in 0..rounds {
        let e = entries.clone();
        let t = Instant::now();
        let index = LayerIndex::build(e);
        loads.push(t.elapsed().as_secs_f64());
        black_box(index);
    }
    let load_median = median(&mut loads);
    let index = LayerIndex::build(entries);

    // Answers (also the warm-up pass).
    let bbox: Vec<Vec<i64>> = qs.iter().map(|q| index.bbox(q.bbox)).collect();
    let hits = |v: Vec<wardgis::index::Hit>| v.into_iter().map(|h| (h.fid, h.distance_m)).collect::<Vec<_>>();
    let within: Vec<Vec<(i64, f64)>> = qs.iter().map(|q| hits(index.within(q.p, 500.0).unwrap())).collect();
    let knn: Vec<Vec<(i64, f64)>> = qs.iter().map(|q| hits(index.nearest(q.p, 10).unwrap())).collect();
    let mut answers = json!({ "tool": "wardgis", "n": n, "bbox": bbox, "within": within, "knn": knn });

    let (bbox_med, bbox_mean) = time_queries(&qs, rounds, |q| index.bbox(q.bbox));
    let (within_med, within_mean) = time_queries(&qs, rounds, |q| index.within(q.p, 500.0).unwrap());
    let (knn_med, knn_mean) = time_queries(&qs, rounds, |q| index.nearest(q.p, 10).unwrap());
    let mut ops = json!({
        "bulk_load": { "median_s": load_median },
        "bbox": { "median_s": bbox_med, "mean_s": bbox_mean },
        "within_500m": { "median_s": within_med, "mean_s": within_mean },
        "knn_10": { "median_s": knn_med, "mean_s": knn_mean },
    });

    if let Some(path) = arg(&args, "--zones") {
        let zones = read_zones(&path);
        let (t, members) = time_median(rounds, true, || join::zone_members(&LayerIndex::build(zones.clone()), &index));
        // Per zone (ascending id), the ids of the points in it: counts and ids at once.
        let mut per_zone: Vec<(i64, Vec<i64>)> = Vec::new();
        for m in &members {
            match per_zone.last_mut() {
                Some((z, ids)) if *z == m.zone => ids.push(m.fid),
                _ => per_zone.push((m.zone, vec![m.fid])),
            }
        }
        eprintln!("join: {} zones hold {} points ({} pairs) in {:.1} ms", per_zone.len(), n, members.len(), t * 1e3);
        answers["join"] = json!(per_zone);
        ops["join"] = json!({ "median_s": t, "zones": zones.len(), "pairs": members.len() });
    }

    if let Some(geojson) = arg(&args, "--import") {
        let project = PathBuf::from(arg(&args, "--project").expect("--import needs --project PROJECT.gpkg"));
        let catalog = Catalog::embedded();
        let mut times = Vec::new();
        for _ in 0..rounds.max(1) {
            let _ = std::fs::remove_file(&project);
            let p = Project::create(&project, catalog.clone()).expect("create project");
            let t = Instant::now();
            let summary = p
                .import_file("chargers", std::path::Path::new(&geojson), &Default::default(), &wardgis::io::Unobserved)
                .unwrap_or_else(|e| panic!("{geojson}: {e}"));
            let total = t.elapsed().as_secs_f64();
            eprintln!("import: {} features in {:.2} s (read and insert streamed together)", summary.imported, total);
            times.push(total);
        }
        ops["import"] = json!({ "median_s": median(&mut times), "runs": times.len() });
        let p = Project::open(&project, catalog).expect("open the imported project");
        let count = p.count("chargers").expect("count");
        answers["import"] = json!({ "count": count, "project": project });

        let chargers = p.index("chargers").expect("chargers index");
        let mut tiles_answers = Vec::new();
        for t in busiest(&chargers) {
            let (all_t, all) = time_median(20 * rounds, true, || tiles::layer_tile_unthinned(&p, "chargers", t).unwrap());
            let (thin_t, thin) = time_median(20 * rounds, true, || tiles::layer_tile(&p, "chargers", t).unwrap());
            let ids = tile_fids(&all);
            let kept = tile_fids(&thin).len();
            eprintln!("tile {t}: {} points ({} bytes) in {:.2} ms; thinned to {kept} in {:.2} ms", ids.len(), all.len(), all_t * 1e3, thin_t * 1e3);
            ops[format!("tile_z{}", t.z)] = json!({ "median_s": all_t, "tile": t.to_string(), "points": ids.len(), "bytes": all.len() });
            ops[format!("tile_z{}_thinned", t.z)] = json!({ "median_s": thin_t, "tile": t.to_string(), "points": kept, "bytes": thin.len() });
            tiles_answers.push(json!({ "z": t.z, "x": t.x, "y": t.y, "ids": ids }));
        }
        answers["tiles"] = json!(tiles_answers);
    }
    std::fs::write(&args[2], answers.to_string()).unwrap_or_else(|e| panic!("{}: {e}", args[2]));

    let out = json!({
        "tool": "wardgis",
        "version": env!("CARGO_PKG_VERSION"),
        "detail": "rstar 0.12 R-tree (LayerIndex), Karney geodesic distances (geo::Geodesic)",
        "n": n,
        "queries": qs.len(),
        "rounds": rounds,
        "ops": ops,
    });
    println!("{out}");
}
