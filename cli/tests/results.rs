//! `wardgis results import` and `wardgis estimate`: a workbook from `wardgis sheets`, filled by openpyxl
//! (`fill_xlsx.py`), read back and stored; what GDAL then reads from the result tables; bad
//! cells and misused replacement sites import nothing; undo removes an import;
//! the estimates equal a stratified computation done here.

mod common;
use common::*;

use std::collections::BTreeMap;

#[test]
fn filled_workbook_is_checked_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    ok(wardgis(&["sample", p, "billboards", "--design", "grts", "--n", "12", "--over", "4", "--seed", "11", "--name", "g"]));
    let blank = dir.path().join("g.xlsx");
    ok(wardgis(&["sheets", p, "g", blank.to_str().unwrap(), "--evaluators", "2"]));

    // A score above its maximum: the whole import fails, naming the cell.
    let bad = dir.path().join("bad.xlsx");
    let filled = fill(&blank, &bad, "3", Some("score"));
    let (_, where_) = filled.iter().find(|(_, v)| v.get("bad").is_some()).unwrap();
    let w = where_["bad"].as_array().unwrap();
    let o = wardgis(&["results", "import", p, "g", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let msg = stderr(&o);
    let expected = format!("sheet `{}` row {} column {} `{}`: value `", w[0].as_str().unwrap(), w[1], w[2].as_str().unwrap(), w[3].as_str().unwrap());
    assert!(msg.contains(&expected) && msg.contains("expected a number from 0 to") && msg.contains("nothing imported"), "{msg}");
    assert!(gdal_table(&project, "wardgis_results").is_empty());

    // One replacement site more than the sites not visited: refused.
    let extra = dir.path().join("extra.xlsx");
    fill(&blank, &extra, "3", Some("extra_repl"));
    let o = wardgis(&["results", "import", p, "g", extra.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("replacement site 14 has results but only 1 base site(s) were not visited"), "{}", stderr(&o));

    // Sites 3 and 7 not visited: replacement sites 13 and 14 take their place.
    let good = dir.path().join("good.xlsx");
    let filled = fill(&blank, &good, "3,7", None);
    assert_eq!(filled.keys().copied().collect::<Vec<_>>(), (1..=14).collect::<Vec<u64>>());
    let printed = stdout(&ok(wardgis(&["results", "import", p, "g", good.to_str().unwrap()])));
    assert!(printed.contains("imported 12 inspected site(s)") && printed.contains("2 not visited"), "{printed}");

    let stored = gdal_table(&project, "wardgis_results");
    assert_eq!(stored.len(), 14);
    let items = gdal_table(&project, "wardgis_result_items");
    for r in &stored {
        let site = r["site_no"].as_u64().unwrap();
        let f = &filled[&site];
        assert_eq!(r["plan"], "g");
        assert_eq!(r["layer"], "billboards");
        assert_eq!(r["visited"].as_i64().unwrap() != 0, f["visited"].as_bool().unwrap(), "site {site}");
        if !f["visited"].as_bool().unwrap() {
            assert_eq!(r["reason"], f["reason"]);
            assert!(r["passed"].is_null() && r["total_score"].is_null());
            continue;
        }
        let scores = f["scores"].as_object().unwrap();
        let total: f64 = scores.values().map(|v| v.as_f64().unwrap()).sum();
        let max: f64 = f["max"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
        assert_eq!(r["total_score"].as_f64(), Some(total), "site {site}");
        assert_eq!(r["max_score"].as_f64(), Some(max), "site {site}");
        let full = scores.iter().all(|(k, v)| v == &f["max"][k]);
        let want = match f["pass_cell"].as_str() {
            Some("通过" | "pass") => true,
            Some(_) => false,
            None => full,
        };
        assert_eq!(r["passed"].as_i64().unwrap() != 0, want, "site {site}");
        assert_eq!(r["inspected_on"], f["date"], "site {site}");
        assert_eq!(r["note"].as_str(), Some(format!("note {site}").as_str()));
        let mine: BTreeMap<String, f64> = items
            .iter()
            .filter(|i| i["result_id"] == r["id"])
            .map(|i| (i["item_id"].as_str().unwrap().to_owned(), i["score"].as_f64().unwrap()))
            .collect();
        let theirs: BTreeMap<String, f64> = scores.iter().map(|(k, v)| (k.clone(), v.as_f64().unwrap())).collect();
        assert_eq!(mine, theirs, "site {site}");
    }

    // A second import is refused; undo removes the first, and it can be imported again.
    let again = wardgis(&["results", "import", p, "g", good.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("has results already"), "{}", stderr(&again));
    ok(wardgis(&["undo", p]));
    assert!(gdal_table(&project, "wardgis_results").is_empty());
    ok(wardgis(&["results", "import", p, "g", good.to_str().unwrap()]));
}

/// The stratified estimate computed here, independently of wardgis: per stratum the sample
/// mean and (1 − n_h/N_h) s_h²/n_h, combined with W_h = N_h/N (Cochran 5.1, 5.6, 5.7); normal
/// 95 % intervals clipped to [0, hi]. Returns (mean, low, high).
fn stratified(values: &BTreeMap<String, Vec<f64>>, sizes: &BTreeMap<String, f64>, hi: f64) -> (f64, f64, f64) {
    let total: f64 = sizes.values().sum();
    let (mut mean, mut var) = (0.0, 0.0);
    for (h, ys) in values {
        let n = ys.len() as f64;
        let m = ys.iter().sum::<f64>() / n;
        let s2 = ys.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (n - 1.0);
        let w = sizes[h] / total;
        mean += w * m;
        var += w * w * (1.0 - n / sizes[h]) * s2 / n;
    }
    let z = 1.959_963_984_540_054;
    (mean, (mean - z * var.sqrt()).clamp(0.0, hi), (mean + z * var.sqrt()).clamp(0.0, hi))
}

#[test]
fn estimates_equal_an_independent_stratified_computation() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let drawn: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&[
        "sample", p, "billboards", "--design", "stratified", "--strata", "type", "--allocation", "equal", "--n", "24", "--seed", "5",
        "--name", "s",
    ]))))
    .unwrap();
    // Site number → stratum; stratum sizes N_h = n_h / π_h from the printed sample.
    let mut stratum_of = BTreeMap::new();
    let mut n_h: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for f in drawn["features"].as_array().unwrap() {
        let q = &f["properties"];
        let h = q["stratum"].as_str().unwrap().to_owned();
        stratum_of.insert(q["site_no"].as_u64().unwrap(), h.clone());
        let e = n_h.entry(h).or_insert((0.0, q["inclusion_prob"].as_f64().unwrap()));
        e.0 += 1.0;
    }
    let sizes: BTreeMap<String, f64> = n_h.iter().map(|(h, (n, pi))| (h.clone(), (n / pi).round())).collect();

    let blank = dir.path().join("s.xlsx");
    ok(wardgis(&["sheets", p, "s", blank.to_str().unwrap(), "--evaluators", "2"]));
    let filled_path = dir.path().join("filled.xlsx");
    let filled = fill(&blank, &filled_path, "", None);
    ok(wardgis(&["results", "import", p, "s", filled_path.to_str().unwrap()]));
    let csv_path = dir.path().join("est.csv");
    let printed = stdout(&ok(wardgis(&["estimate", p, "s", "--out", csv_path.to_str().unwrap()])));
    assert!(printed.contains("overall"), "{printed}");

    // The values the script wrote: score as % of the maximum, pass as 1/0.
    let (mut scores, mut passes): (BTreeMap<String, Vec<f64>>, BTreeMap<String, Vec<f64>>) = Default::default();
    for (site, f) in &filled {
        let total: f64 = f["scores"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
        let max: f64 = f["max"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
        let full = f["scores"].as_object().unwrap().iter().all(|(k, v)| v == &f["max"][k]);
        let pass = match f["pass_cell"].as_str() {
            Some("通过" | "pass") => true,
            Some(_) => false,
            None => full,
        };
        let h = stratum_of[site].clone();
        scores.entry(h.clone()).or_default().push(100.0 * total / max);
        passes.entry(h).or_default().push(if pass { 1.0 } else { 0.0 });
    }

    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("stratum,n,N,mean_score,mean_ci_low,mean_ci_high,pass_rate,pass_ci_low,pass_ci_high"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), sizes.len() + 1);
    let close = |got: &str, want: f64, what: &str| {
        let g: f64 = got.parse().unwrap();
        assert!((g - want).abs() < 1e-9, "{what}: {g} vs {want}");
    };
    for row in &rows {
        let h = &row[0];
        let (sv, pv, sz): (BTreeMap<_, _>, BTreeMap<_, _>, BTreeMap<_, _>) = if h == "overall" {
            (scores.clone(), passes.clone(), sizes.clone())
        } else {
            let one = |m: &BTreeMap<String, Vec<f64>>| BTreeMap::from([(h.clone(), m[h].clone())]);
            (one(&scores), one(&passes), BTreeMap::from([(h.clone(), sizes[h])]))
        };
        let n: usize = sv.values().map(Vec::len).sum();
        assert_eq!(row[1], n.to_string(), "{h}");
        assert_eq!(row[2].parse::<f64>().unwrap(), sz.values().sum::<f64>(), "{h}");
        let (m, lo, hi) = stratified(&sv, &sz, 100.0);
        close(&row[3], m, &format!("{h} mean"));
        close(&row[4], lo, &format!("{h} mean low"));
        close(&row[5], hi, &format!("{h} mean high"));
        let (m, lo, hi) = stratified(&pv, &sz, 1.0);
        close(&row[6], m, &format!("{h} pass"));
        close(&row[7], lo, &format!("{h} pass low"));
        close(&row[8], hi, &format!("{h} pass high"));
    }
}
