//! The maximal covering location model (`planning::mclp`) on an instance shared with PySAL
//! spopt's MIP (bench/planning, issue 14).
//!
//! With an instance directory written by `bench/planning/gen_instance.py`, as the argument or
//! in `WARDGIS_MCLP_INSTANCE`:
//!
//!     cargo bench -p wardgis --bench planning -- /path/to/instance
//!
//! it reads the demand and candidates, builds which demand each candidate reaches (an R-tree
//! of the demand points, then the same `distance <= radius` test as spopt's cost matrix),
//! solves, and prints one JSON object: the times of building the reaches and of solving (the
//! median of `WARDGIS_MCLP_RUNS` runs, default 3), coverage, the coverage before, the upper
//! bound, the guarantee and the chosen sites.
//!
//! Without one (how `cargo test --all-targets` runs it) it generates a 1 000 × 100 instance
//! of the same kind, solves it and checks the answer against brute force, so the smoke test
//! can fail.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rstar::{primitives::GeomWithData, RTree};
use serde_json::json;
use std::path::Path;
use std::time::Instant;
use wardgis::planning::mclp::{self, Instance};

/// Demand points with weights, candidate sites, how many sites to choose and their reach.
struct Data {
    demand: Vec<[f64; 2]>,
    weights: Vec<f64>,
    candidates: Vec<[f64; 2]>,
    p: usize,
    radius: f64,
}

fn read_csv(path: &Path, columns: usize) -> Result<Vec<Vec<f64>>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    reader
        .records()
        .enumerate()
        .map(|(row, record)| {
            let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
            (0..columns)
                .map(|c| {
                    record
                        .get(c)
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .ok_or_else(|| {
                            format!(
                                "{} row {}: column {} is not a number",
                                path.display(),
                                row + 2,
                                c + 1
                            )
                        })
                })
                .collect()
        })
        .collect()
}

/// Reads demand.csv (x_m, y_m, weight), candidates.csv (x_m, y_m) and instance.json (p, radius_m).
fn read(dir: &Path) -> Result<Data, String> {
    let meta_path = dir.join("instance.json");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&meta_path)
            .map_err(|e| format!("{}: {e}", meta_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", meta_path.display()))?;
    let p = meta["p"].as_u64().ok_or("instance.json has no integer p")? as usize;
    let radius = meta["radius_m"]
        .as_f64()
        .ok_or("instance.json has no radius_m")?;
    let demand = read_csv(&dir.join("demand.csv"), 3)?;
    let candidates = read_csv(&dir.join("candidates.csv"), 2)?;
    Ok(Data {
        demand: demand.iter().map(|r| [r[0], r[1]]).collect(),
        weights: demand.iter().map(|r| r[2]).collect(),
        candidates: candidates.iter().map(|r| [r[0], r[1]]).collect(),
        p,
        radius,
    })
}

/// A standard normal draw (Box–Muller), so no distribution crate is needed.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// The recipe of gen_instance.py (not its numbers: another generator): a square city whose
/// side grows with the demand, 85 % of the buildings in Gaussian estates, households
/// log-normal around 40, candidates 60 % near housing and 40 % anywhere, whole metres, a
/// 500 m radius and a tenth of the candidates to choose.
fn generate(n: usize, m: usize, seed: u64) -> Data {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let side = 4000.0 * (n as f64 / 1000.0).sqrt();
    let k = (n / 50).max(1);
    let centres: Vec<[f64; 2]> = (0..k)
        .map(|_| {
            [
                rng.random_range(0.1 * side..0.9 * side),
                rng.random_range(0.1 * side..0.9 * side),
            ]
        })
        .collect();
    let spread: Vec<f64> = (0..k).map(|_| rng.random_range(100.0..350.0)).collect();
    let mut cumulative = Vec::with_capacity(k);
    let mut total = 0.0;
    for _ in 0..k {
        total += (0.8 * normal(&mut rng)).exp();
        cumulative.push(total);
    }
    let whole = |v: f64| v.round().clamp(0.0, side.floor());
    let demand: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            if rng.random_bool(0.85) {
                let pick = rng.random_range(0.0..total);
                let c = cumulative.partition_point(|&c| c <= pick).min(k - 1);
                let (dx, dy) = (normal(&mut rng), normal(&mut rng));
                [
                    whole(centres[c][0] + dx * spread[c]),
                    whole(centres[c][1] + dy * spread[c]),
                ]
            } else {
                [
                    whole(rng.random_range(0.0..side)),
                    whole(rng.random_range(0.0..side)),
                ]
            }
        })
        .collect();
    let weights = (0..n)
        .map(|_| (40f64.ln() + 0.7 * normal(&mut rng)).exp().round().max(1.0))
        .collect();
    let candidates = (0..m)
        .map(|_| {
            if rng.random_bool(0.6) {
                let a = demand[rng.random_range(0..n)];
                let (dx, dy) = (normal(&mut rng), normal(&mut rng));
                [whole(a[0] + dx * 200.0), whole(a[1] + dy * 200.0)]
            } else {
                [
                    whole(rng.random_range(0.0..side)),
                    whole(rng.random_range(0.0..side)),
                ]
            }
        })
        .collect();
    Data {
        demand,
        weights,
        candidates,
        p: m / 10,
        radius: 500.0,
    }
}

/// spopt's test, `cost <= radius` with cost the Euclidean distance as scipy computes it.
fn within(a: [f64; 2], b: [f64; 2], radius: f64) -> bool {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    (dx * dx + dy * dy).sqrt() <= radius
}

/// For each candidate, the demand points within the radius (sorted): an R-tree query a little
/// wider than the radius, then the exact test above, so the boundary is decided the same way
/// as on spopt's side.
fn reaches(data: &Data) -> Vec<Vec<usize>> {
    let tree = RTree::bulk_load(
        data.demand
            .iter()
            .enumerate()
            .map(|(i, &xy)| GeomWithData::new(xy, i))
            .collect(),
    );
    let wide = (data.radius * (1.0 + 1e-9) + 1e-6).powi(2);
    data.candidates
        .iter()
        .map(|&c| {
            let mut hit: Vec<usize> = tree
                .locate_within_distance(c, wide)
                .filter(|d| within(*d.geom(), c, data.radius))
                .map(|d| d.data)
                .collect();
            hit.sort_unstable();
            hit
        })
        .collect()
}

fn instance(data: &Data, reaches: Vec<Vec<usize>>) -> Instance {
    Instance {
        weights: data.weights.clone(),
        reaches,
        covered: vec![false; data.weights.len()],
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times and answers on an instance directory, as one JSON object on stdout.
fn bench(dir: &Path) -> Result<(), String> {
    let t = Instant::now();
    let data = read(dir)?;
    let time_read = t.elapsed().as_secs_f64();
    let runs: usize = std::env::var("WARDGIS_MCLP_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let (mut reach_times, mut solve_times) = (Vec::new(), Vec::new());
    let mut answer: Option<(Instance, mclp::Solution)> = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = reaches(&data);
        reach_times.push(t.elapsed().as_secs_f64());
        let inst = instance(&data, r);
        let t = Instant::now();
        let solution = mclp::solve(&inst, data.p);
        solve_times.push(t.elapsed().as_secs_f64());
        if let Some((_, first)) = &answer {
            if first != &solution {
                return Err("two runs of the same instance gave different answers".into());
            }
        }
        answer = Some((inst, solution));
    }
    let (inst, solution) = answer.expect("at least one run");
    let recomputed = inst.coverage_of(&solution.sites);
    if (recomputed - solution.coverage).abs() > 1e-6 * (1.0 + recomputed) {
        return Err(format!(
            "stated coverage {} but the sites cover {recomputed}",
            solution.coverage
        ));
    }
    let (reach_s, solve_s) = (median(reach_times.clone()), median(solve_times.clone()));
    let out = json!({
        "side": "wardgis",
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "n": data.demand.len(),
        "m": data.candidates.len(),
        "p": data.p,
        "radius_m": data.radius,
        "pairs_within_radius": inst.reaches.iter().map(Vec::len).sum::<usize>(),
        "total_weight": data.weights.iter().sum::<f64>(),
        "runs": runs,
        "time_read_s": time_read,
        "time_reaches_s": reach_s,
        "time_solve_s": solve_s,
        "time_total_s": reach_s + solve_s,
        "times_reaches_s": reach_times,
        "times_solve_s": solve_times,
        "coverage": solution.coverage,
        "before": solution.before + 0.0, // an empty sum is -0.0
        "upper_bound": solution.upper_bound,
        "guarantee": solution.guarantee(),
        "proven_optimal": solution.upper_bound <= solution.coverage + 1e-9,
        "sites": solution.sites,
    });
    println!("{out}");
    Ok(())
}

/// The smoke test: a generated 1 000 × 100 instance, solved and checked against brute force.
fn smoke() {
    let data = generate(1000, 100, 14);
    let t = Instant::now();
    let r = reaches(&data);
    let brute: Vec<Vec<usize>> = data
        .candidates
        .iter()
        .map(|&c| {
            (0..data.demand.len())
                .filter(|&i| within(data.demand[i], c, data.radius))
                .collect()
        })
        .collect();
    assert_eq!(
        r, brute,
        "the R-tree reaches what every-pair testing reaches"
    );
    let inst = instance(&data, r);
    let solution = mclp::solve(&inst, data.p);
    let elapsed = t.elapsed().as_secs_f64();

    let total: f64 = data.weights.iter().sum();
    let mut hit = vec![false; data.demand.len()];
    for &s in &solution.sites {
        for (i, h) in hit.iter_mut().enumerate() {
            *h |= within(data.demand[i], data.candidates[s], data.radius);
        }
    }
    let brute_coverage: f64 = hit
        .iter()
        .zip(&data.weights)
        .filter(|(h, _)| **h)
        .map(|(_, w)| w)
        .sum();
    let mut distinct = solution.sites.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        data.p,
        "{} distinct sites of {}",
        distinct.len(),
        data.p
    );
    assert!((solution.coverage - inst.coverage_of(&solution.sites)).abs() < 1e-6);
    assert!(
        (solution.coverage - brute_coverage).abs() < 1e-6,
        "{} vs brute force {brute_coverage}",
        solution.coverage
    );
    assert!(
        solution.coverage <= solution.upper_bound + 1e-9,
        "coverage above the bound: {solution:?}"
    );
    assert!(
        solution.upper_bound < total,
        "p sites cannot cover everyone here (bound {} of {total})",
        solution.upper_bound
    );
    assert!(
        solution.guarantee() > 0.9,
        "guarantee {}",
        solution.guarantee()
    );
    // The best single candidate is a lower bound for any answer with p ≥ 1.
    let best_single = (0..data.candidates.len())
        .map(|c| inst.coverage_of(&[c]))
        .fold(0.0, f64::max);
    assert!(solution.coverage >= best_single);
    println!(
        "planning smoke: {} × {}, p = {}: coverage {} of {total} ({:.1} %), bound {:.1}, guarantee {:.4}, {elapsed:.2} s",
        data.demand.len(),
        data.candidates.len(),
        data.p,
        solution.coverage,
        100.0 * solution.coverage / total,
        solution.upper_bound,
        solution.guarantee()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other flag is ignored the same way.
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .or_else(|| {
            std::env::var("WARDGIS_MCLP_INSTANCE")
                .ok()
                .filter(|v| !v.is_empty())
        });
    match dir {
        Some(dir) => {
            if let Err(e) = bench(Path::new(&dir)) {
                eprintln!("planning bench: {e}");
                std::process::exit(1);
            }
        }
        None => smoke(),
    }
}
