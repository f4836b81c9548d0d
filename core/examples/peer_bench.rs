//! wardgis's side of the peer benchmarks (bench/peers/run.sh): loads the shared CSV data
//! written by `peer_data`, times the R-tree bulk load and the three queries on the 1 024 query
//! points, prints the timings as one JSON object on stdout, and writes every query's answer
//! (ids, and distances in metres) to a JSON file so the harness can check that the peers
//! answer the same before their times are compared.
//!
//! `cargo run --release -p wardgis --example peer_bench -- POINTS.csv QUERIES.csv ANSWERS.json [--rounds 5]`
//!
//! Timings: bulk load = `LayerIndex::build` of entries already in memory (as
//! `cargo bench --bench index` measures it), one warm-up then the median of `rounds` runs.
//! Queries: one untimed pass records the answers (and warms up), then `rounds` passes over the
//! 1 024 query points timing each query alone; the median and mean of those per-query times.

use std::hint::black_box;
use std::time::Instant;

use geo_types::{Coord, Geometry, Point, Rect};
use serde_json::json;
use wardgis::index::{Entry, LayerIndex};

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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: peer_bench POINTS.csv QUERIES.csv ANSWERS.json [--rounds N]");
        std::process::exit(2);
    }
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .map(|i| args[i + 1].parse().expect("--rounds: a whole number"))
        .unwrap_or(5);

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
    let answers = json!({ "tool": "wardgis", "n": n, "bbox": bbox, "within": within, "knn": knn });
    std::fs::write(&args[2], answers.to_string()).unwrap_or_else(|e| panic!("{}: {e}", args[2]));

    let (bbox_med, bbox_mean) = time_queries(&qs, rounds, |q| index.bbox(q.bbox));
    let (within_med, within_mean) = time_queries(&qs, rounds, |q| index.within(q.p, 500.0).unwrap());
    let (knn_med, knn_mean) = time_queries(&qs, rounds, |q| index.nearest(q.p, 10).unwrap());

    let out = json!({
        "tool": "wardgis",
        "version": env!("CARGO_PKG_VERSION"),
        "detail": "rstar 0.12 R-tree (LayerIndex), Karney geodesic distances (geo::Geodesic)",
        "n": n,
        "queries": qs.len(),
        "rounds": rounds,
        "ops": {
            "bulk_load": { "median_s": load_median },
            "bbox": { "median_s": bbox_med, "mean_s": bbox_mean },
            "within_500m": { "median_s": within_med, "mean_s": within_mean },
            "knn_10": { "median_s": knn_med, "mean_s": knn_mean },
        }
    });
    println!("{out}");
}
