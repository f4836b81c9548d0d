//! Tests of the suggested sites against independent answers: brute-force coverage, the
//! exhaustive optimum on small instances, and a MIP solver (good_lp with microlp).

use geo_types::{polygon, Coord, Geometry, MultiPolygon};

use super::*;
use crate::catalog::Catalog;
use crate::crs::distance_m;
use crate::planning::coverage::{coverage_instance, DemandPoint};
use crate::planning::zones::{add_zone, NewZone};

fn demo(dir: &std::path::Path) -> Project {
    crate::demo::create_project(&dir.join("d.gpkg"), Catalog::embedded(), 20220101).unwrap()
}

fn points(project: &Project, layer: &str) -> Vec<Coord<f64>> {
    project.features(layer).unwrap().iter().filter_map(|f| if let Geometry::Point(p) = &f.geometry { Some(p.0) } else { None }).collect()
}

fn options(kind: &str, n: usize, candidates: &str, demand: &str) -> SuggestOptions {
    SuggestOptions {
        kind: kind.into(),
        n,
        zone: None,
        candidates: Candidates::parse(candidates).unwrap(),
        demand: DemandSpec::parse(demand).unwrap(),
        radius_m: None,
        distance: Some(DistanceMode::Straight),
        keep_existing: true,
        cover: None,
    }
}

/// Demand within `radius` of at least one of `sites`, every point against every site.
fn brute_coverage(demand: &[DemandPoint], sites: &[Coord<f64>], radius: f64) -> f64 {
    demand.iter().filter(|d| sites.iter().any(|s| distance_m(d.at, *s) <= radius)).map(|d| d.weight).sum()
}

#[test]
fn the_suggestion_covers_what_brute_force_says_and_its_gains_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let s = suggest(&project, &options("chargers", 3, "parking", "blocks:households")).unwrap();
    let chargers = points(&project, "chargers");
    assert!((s.before - brute_coverage(&s.demand.points, &chargers, 300.0)).abs() < 1e-6);
    let mut all = chargers.clone();
    all.extend(s.sites.iter().map(|site| site.at));
    assert!((s.after - brute_coverage(&s.demand.points, &all, 300.0)).abs() < 1e-6, "{} vs brute force", s.after);
    let gained: f64 = s.sites.iter().map(|site| site.newly_covered).sum();
    assert!((gained - (s.after - s.before)).abs() < 1e-6);
    assert!(s.sites.windows(2).all(|w| w[0].newly_covered >= w[1].newly_covered));
    assert_eq!(s.sites.len(), 3);
    assert!(s.after > s.before && s.after <= s.upper_bound + 1e-9);
    assert!(s.sites.iter().all(|site| site.candidate_layer.as_deref() == Some("parking")));
    let line = s.summary_line();
    assert!(line.contains("before") && line.contains("upper bound") && line.contains("generated"), "{line}");

    // Planned from scratch, nothing is covered before.
    let fresh = suggest(&project, &SuggestOptions { keep_existing: false, ..options("chargers", 3, "parking", "blocks:households") }).unwrap();
    assert_eq!(fresh.before, 0.0);
    assert!((fresh.after - brute_coverage(&fresh.demand.points, &fresh.sites.iter().map(|s| s.at).collect::<Vec<_>>(), 300.0)).abs() < 1e-6);
}

#[test]
fn with_twelve_candidates_the_suggestion_is_the_exhaustive_optimum() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    // A zone round the westmost twelve car parks.
    let mut parking = points(&project, "parking");
    parking.sort_by(|a, b| a.x.total_cmp(&b.x));
    let east = (parking[11].x + parking[12].x) / 2.0;
    let (south, north) = parking.iter().fold((f64::MAX, f64::MIN), |(s, n), c| (s.min(c.y), n.max(c.y)));
    let west = parking[0].x - 0.01;
    let zone = polygon![(x: west, y: south - 0.001), (x: east, y: south - 0.001), (x: east, y: north + 0.001), (x: west, y: north + 0.001), (x: west, y: south - 0.001)];
    add_zone(&project, NewZone { name: "西片".into(), theme: "充电桩试点".into(), status: None, author: None, date: None, note: None, geometry: zone.into() }).unwrap();
    for distance in [DistanceMode::Straight, DistanceMode::Network] {
        let asked = SuggestOptions { zone: Some("西片".into()), distance: Some(distance), radius_m: Some(150.0), ..options("chargers", 3, "parking", "responsibility_units") };
        let s = suggest(&project, &asked).unwrap();
        assert_eq!(s.candidate_count, 12);
        // The same instance, every choice of three tried.
        let reach = Reach::for_project(&project, Some(distance)).unwrap();
        let candidates: Vec<Coord<f64>> = points(&project, "parking").into_iter().filter(|c| c.x < east).collect();
        let instance = coverage_instance(&points(&project, "chargers"), &candidates, &s.demand.points, 150.0, &reach).unwrap();
        let mut best = 0.0f64;
        for a in 0..12 {
            for b in a + 1..12 {
                for c in b + 1..12 {
                    best = best.max(instance.coverage_of(&[a, b, c]));
                }
            }
        }
        assert!((s.after - best).abs() < 1e-9, "{distance:?}: {} against the exhaustive optimum {best}", s.after);
        assert!(s.proven_best(), "{distance:?}: the exact search finishes on twelve candidates");
    }
}

/// The MCLP as a MIP: choose `p` candidates (binary), count a demand point (0–1, integral at
/// the optimum) only where a chosen candidate or an existing facility reaches it.
fn mip_optimum(instance: &crate::planning::mclp::Instance, p: usize) -> f64 {
    use good_lp::{constraint, variable, variables, Expression, Solution, SolverModel};
    let mut vars = variables!();
    let x: Vec<_> = instance.reaches.iter().map(|_| vars.add(variable().binary())).collect();
    let mut reached_by: Vec<Vec<usize>> = vec![Vec::new(); instance.weights.len()];
    for (j, reach) in instance.reaches.iter().enumerate() {
        for &i in reach {
            reached_by[i].push(j);
        }
    }
    let open: Vec<usize> = (0..instance.weights.len()).filter(|&i| !instance.covered[i] && !reached_by[i].is_empty()).collect();
    let y: Vec<_> = open.iter().map(|_| vars.add(variable().min(0.0).max(1.0))).collect();
    let objective: Expression = open.iter().zip(&y).map(|(&i, v)| instance.weights[i] * *v).sum();
    let mut model = vars.maximise(objective.clone()).using(good_lp::microlp);
    let chosen: Expression = x.iter().copied().sum();
    model = model.with(constraint!(chosen == p as f64));
    for (&i, v) in open.iter().zip(&y) {
        let reaching: Expression = reached_by[i].iter().map(|&j| x[j]).sum();
        model = model.with(constraint!(*v <= reaching));
    }
    let solution = model.solve().expect("the MCLP MIP solves");
    let already: f64 = (0..instance.weights.len()).filter(|&i| instance.covered[i]).map(|i| instance.weights[i]).sum();
    already + solution.eval(&objective)
}

#[test]
fn on_the_demo_the_stated_bound_is_honest_and_the_mip_optimum_lies_between() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let reach = Reach::straight();
    let demand = Demand::read(&project, &DemandSpec::parse("responsibility_units").unwrap(), None).unwrap();
    let candidates = points(&project, "parking");
    let instance = coverage_instance(&points(&project, "chargers"), &candidates, &demand.points, 150.0, &reach).unwrap();
    for p in [2, 5, 8] {
        let s = mclp::solve(&instance, p);
        let mip = mip_optimum(&instance, p);
        assert!(s.coverage <= mip + 1e-6, "p {p}: heuristic {} above the MIP optimum {mip}", s.coverage);
        assert!(mip <= s.upper_bound + 1e-6, "p {p}: the bound {} is below the MIP optimum {mip}", s.upper_bound);
        // The same through the planner's entry point.
        let asked = SuggestOptions { radius_m: Some(150.0), ..options("chargers", p, "parking", "responsibility_units") };
        let answer = suggest(&project, &asked).unwrap();
        assert!(answer.after <= mip + 1e-6 && mip <= answer.upper_bound + 1e-6, "p {p}: {} / {mip} / {}", answer.after, answer.upper_bound);
    }
}

#[test]
fn the_fewest_sites_for_a_share_reach_it_and_one_fewer_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let asked = SuggestOptions { cover: Some(0.97), radius_m: Some(150.0), ..options("chargers", 0, "parking", "responsibility_units") };
    let s = suggest(&project, &asked).unwrap();
    let cover = s.cover.clone().unwrap();
    let total = s.demand.total();
    if cover.reached {
        assert!(s.after >= 0.97 * total - 1e-9, "{} of {total}", s.after);
        let fewest = cover.fewest_possible.unwrap();
        assert!(fewest >= 1 && fewest <= s.sites.len());
        // Fewer sites than proven needed never reach the share: the MIP agrees.
        let reach = Reach::straight();
        let candidates = points(&project, "parking");
        let instance = coverage_instance(&points(&project, "chargers"), &candidates, &s.demand.points, 150.0, &reach).unwrap();
        if fewest > 1 {
            assert!(mip_optimum(&instance, fewest - 1) < 0.97 * total);
        }
    } else {
        assert!(cover.fewest_possible.is_none());
    }
    let line = s.summary_line();
    assert!(line.contains("target 97.0 %"), "{line}");
}

#[test]
fn lattice_candidates_lie_in_the_zone_at_the_spacing() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let community = project.features("communities").unwrap().remove(0);
    let area = match community.geometry {
        Geometry::MultiPolygon(m) => m,
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        _ => unreachable!(),
    };
    add_zone(&project, NewZone { name: "一社区".into(), theme: "晾晒区试点".into(), status: None, author: None, date: None, note: None, geometry: area.clone().into() }).unwrap();
    let asked = SuggestOptions { zone: Some("一社区".into()), ..options("drying_areas", 2, "lattice:60", "blocks:households") };
    let s = suggest(&project, &asked).unwrap();
    let km2 = crate::planning::zones::zone(&project, "一社区").unwrap().area_km2;
    let expected = km2 * 1e6 / (60.0 * 60.0);
    assert!((s.candidate_count as f64 - expected).abs() < expected * 0.15 + 4.0, "{} lattice points for {expected:.0}", s.candidate_count);
    for site in &s.sites {
        assert!(geo::Intersects::intersects(&area, &geo_types::Point(site.at)));
        assert!(site.candidate_layer.is_none());
    }
    assert!(Candidates::parse("lattice:2").is_err() && Candidates::parse("lattice:x").is_err());
}

#[test]
fn a_zone_without_demand_is_refused_rather_than_reported_full() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    // A small square inside the demo: no community's interior point, some blocks.
    let b = project.features("blocks").unwrap().into_iter().find(|f| f.get("households").as_f64().unwrap_or(0.0) > 0.0).unwrap();
    let at = geo::InteriorPoint::interior_point(&b.geometry).unwrap().0;
    let d = 0.0004;
    let square = polygon![(x: at.x - d, y: at.y - d), (x: at.x + d, y: at.y - d), (x: at.x + d, y: at.y + d), (x: at.x - d, y: at.y + d), (x: at.x - d, y: at.y - d)];
    add_zone(&project, NewZone { name: "小块".into(), theme: "充电桩试点".into(), status: None, author: None, date: None, note: None, geometry: square.into() }).unwrap();
    let asked = SuggestOptions { zone: Some("小块".into()), ..options("chargers", 2, "lattice:20", "communities:households") };
    let e = suggest(&project, &asked).unwrap_err().to_string();
    assert!(e.contains("no demand of `communities:households`") && e.contains("小块") && e.contains("blocks:households"), "{e}");
    let report = crate::planning::report::zone_report(&project, "小块", &Default::default()).unwrap_err().to_string();
    assert!(report.contains("no demand"), "{report}");
    // The block inside it is demand.
    let asked = SuggestOptions { zone: Some("小块".into()), ..options("chargers", 1, "lattice:20", "blocks:households") };
    assert!(suggest(&project, &asked).is_ok());
}
