//! `wardgis sample`, `sample-size` and `plans` on the demo project: the printed sample, its
//! reproducibility, stratified counts, the stored plan as GDAL reads it, and the exit codes.

mod common;
use common::*;

use std::collections::BTreeMap;

fn fc(out: &std::process::Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&stdout(out)).expect("sample prints GeoJSON");
    assert_eq!(v["type"], "FeatureCollection");
    v["features"].as_array().unwrap().clone()
}

/// A layer's feature count as `wardgis layers --json` reports it.
fn layer_count(project: &str, layer: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["layers", project, "--json"])))).unwrap();
    v.as_array().unwrap().iter().find(|l| l["layer"] == layer).unwrap()["count"].as_u64().unwrap() as usize
}

fn grts(p: &str, seed: &str, name: &str) -> std::process::Output {
    wardgis(&["sample", p, "billboards", "--design", "grts", "--n", "30", "--over", "5", "--seed", seed, "--name", name])
}

#[test]
fn grts_prints_numbered_sites_with_exact_probabilities_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let big_n = layer_count(p, "billboards");
    let sites = fc(&ok(grts(p, "7", "p1")));
    assert_eq!(sites.len(), 35);
    for (i, f) in sites.iter().enumerate() {
        let props = &f["properties"];
        assert_eq!(props["site_no"].as_u64(), Some(i as u64 + 1));
        assert_eq!(props["replacement"].as_bool(), Some(i >= 30), "site {}", i + 1);
        assert!((props["inclusion_prob"].as_f64().unwrap() - 30.0 / big_n as f64).abs() < 1e-12);
        assert_eq!(props["layer"], "billboards");
        assert_eq!(props["id"], f["id"]);
        assert!(props["name"].is_string() && props.get("type").is_some());
    }
    let same = fc(&ok(grts(p, "7", "p1-again")));
    assert_eq!(same, sites, "same seed, same sample");
    let other = fc(&ok(grts(p, "8", "p2")));
    assert_ne!(other, sites, "another seed, another sample");

    let again = grts(p, "9", "p1");
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("plan `p1` exists; choose another name"), "{}", stderr(&again));

    let listed = stdout(&ok(wardgis(&["plans", p])));
    for name in ["p1", "p1-again", "p2"] {
        assert!(listed.contains(name), "{listed}");
    }
}

#[test]
fn gdal_sees_the_whole_frame_in_the_plan_table() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let big_n = layer_count(p, "billboards");
    ok(grts(p, "7", "p1"));
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", p, "wardgis_plan_units"])));
    assert!(info.contains(&format!("Feature Count: {big_n}")), "{info}");
    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", p, "wardgis_plans"])));
    assert!(info.contains("Feature Count: 1"), "{info}");
}

#[test]
fn stratified_counts_follow_the_proportional_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let all = fc(&ok(wardgis(&["query", p, "billboards", "--bbox=-180,-90,180,90"])));
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for f in &all {
        *sizes.entry(f["properties"]["type"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let n = 40;
    let want = wardgis::sampling::allocate(n, &sizes, &wardgis::sampling::Allocation::Proportional).unwrap();
    let out = ok(wardgis(&["sample", p, "billboards", "--design", "stratified", "--strata", "type",
        "--allocation", "proportional", "--n", "40", "--seed", "3", "--name", "s1"]));
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for f in fc(&out) {
        let props = &f["properties"];
        assert_eq!(props["stratum"], props["type"]);
        let h = props["stratum"].as_str().unwrap().to_owned();
        let pi = props["inclusion_prob"].as_f64().unwrap();
        assert!((pi - want[&h] as f64 / sizes[&h] as f64).abs() < 1e-12, "{h}: {pi}");
        *got.entry(h).or_default() += 1;
    }
    assert_eq!(got, want.into_iter().filter(|(_, v)| *v > 0).collect());
}

#[test]
fn strata_from_communities_a_union_and_a_filter() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let out = ok(wardgis(&["sample", p, "billboards,chargers", "--design", "srs", "--n", "25", "--seed", "1",
        "--strata", "communities", "--name", "c1"]));
    let sites = fc(&out);
    assert_eq!(sites.len(), 25);
    assert!(sites.iter().all(|f| f["properties"]["stratum"].is_string()));
    let layers: std::collections::BTreeSet<&str> = sites.iter().map(|f| f["properties"]["layer"].as_str().unwrap()).collect();
    assert!(layers.is_subset(&["billboards", "chargers"].into()));
    let big_n = layer_count(p, "billboards") + layer_count(p, "chargers");
    assert!((sites[0]["properties"]["inclusion_prob"].as_f64().unwrap() - 25.0 / big_n as f64).abs() < 1e-12);

    let out = ok(wardgis(&["sample", p, "billboards", "--design", "grts", "--n", "5", "--seed", "1",
        "--where", "type=LED屏", "--prob", "face_area_m2", "--name", "led"]));
    assert!(fc(&out).iter().all(|f| f["properties"]["type"] == "led"));
}

#[test]
fn wrong_options_are_usage_errors_and_bad_data_is_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let base = ["sample", p, "billboards", "--seed", "1", "--name", "x"];
    let run = |extra: &[&str]| wardgis(&[&base[..], extra].concat());
    let out = run(&["--design", "stratified", "--n", "5"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--strata"));
    let out = run(&["--design", "stratified", "--strata", "type", "--allocation", "neyman", "--n", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--sd"));
    let big_n = layer_count(p, "billboards");
    let out = run(&["--design", "srs", "--n", "100000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("{big_n} units")), "{}", stderr(&out));
    let out = run(&["--design", "srs", "--n", "5", "--strata", "colour"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("colour") && stderr(&out).contains("face_area_m2"), "{}", stderr(&out));
    let out = wardgis(&["sample", p, "roads", "--design", "srs", "--n", "5", "--seed", "1", "--name", "r"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("roads"));
    assert!(stdout(&ok(wardgis(&["plans", p]))).lines().count() == 1, "failed draws store nothing");
    for cmd in ["sample", "sample-size", "plans"] {
        assert!(stdout(&ok(wardgis(&[cmd, "--help"]))).contains("Usage"));
    }
}

#[test]
fn sample_size_with_and_without_fpc_and_per_stratum() {
    let v: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&[
        "sample-size", "--moe", "0.05", "--conf", "0.95", "--p", "0.5", "--N", "1000",
    ]))))
    .unwrap();
    assert_eq!(v["n"], 278);
    assert!((v["n0"].as_f64().unwrap() - 384.146).abs() < 1e-3);
    assert!((v["z"].as_f64().unwrap() - 1.959964).abs() < 1e-6);
    assert_eq!(v["N"], 1000);
    let v: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["sample-size", "--moe", "0.05"])))).unwrap();
    assert_eq!((v["n"].as_u64(), v["N"].is_null()), (Some(385), true));
    let v: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&[
        "sample-size", "--moe", "0.05", "--strata-sizes", "A=400,B=600", "--allocation", "proportional",
    ]))))
    .unwrap();
    assert_eq!(v["N"], 1000);
    assert_eq!(v["strata"]["A"].as_u64().unwrap() + v["strata"]["B"].as_u64().unwrap(), 278);
    assert_eq!(v["strata"]["A"], 111);
    assert_eq!(wardgis(&["sample-size", "--moe", "0.05", "--allocation", "equal"]).status.code(), Some(2));
    assert_eq!(wardgis(&["sample-size", "--moe", "1.5"]).status.code(), Some(1));
}
