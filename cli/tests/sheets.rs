//! `wardgis sheets`: the field workbook as openpyxl and GDAL read it — sheets, headers, one
//! row per site (base before replacement), grey cells for other layers' items, validations.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The workbook as `read_xlsx.py` (openpyxl) dumps it.
fn read_xlsx(path: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_xlsx.py");
    let o = Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
        .expect("run python3 (scripts/install-deps.sh installs openpyxl)");
    assert!(o.status.success(), "read_xlsx.py failed (is openpyxl installed? scripts/install-deps.sh): {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_mixed_plan_split_among_three_evaluators() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let drawn: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&[
        "sample", p, "billboards,chargers", "--design", "srs", "--n", "20", "--over", "4", "--seed", "3", "--name", "mix",
    ]))))
    .unwrap();
    let sites: Vec<(u64, String, i64, bool)> = drawn["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let q = &f["properties"];
            (q["site_no"].as_u64().unwrap(), q["layer"].as_str().unwrap().to_owned(), q["id"].as_i64().unwrap(), q["replacement"].as_bool().unwrap())
        })
        .collect();
    assert_eq!(sites.len(), 24);
    let layers: BTreeSet<&str> = sites.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(layers.len(), 2, "the seed gives both layers: {layers:?}");

    let out = dir.path().join("mix.xlsx");
    let printed = stdout(&ok(wardgis(&["sheets", p, "mix", out.to_str().unwrap(), "--evaluators", "3"])));
    assert!(printed.contains("评估员3 Evaluator 3"), "{printed}");

    let wb = read_xlsx(&out);
    let names: Vec<&str> = wb["sheetnames"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(names, ["评估员1 Evaluator 1", "评估员2 Evaluator 2", "评估员3 Evaluator 3", "说明 Instructions"]);

    // The checklist columns: billboards' items then chargers', as the catalog lists them.
    let catalog: Vec<(String, String, u64)> = ["billboards", "chargers"]
        .iter()
        .flat_map(|l| {
            let t: toml::Table = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../layers/{l}.toml")))
                .unwrap()
                .parse()
                .unwrap();
            t["checklist"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| (l.to_string(), i["id"].as_str().unwrap().to_owned(), i["max_points"].as_integer().unwrap() as u64))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut seen = Vec::new();
    for name in &names[..3] {
        let sheet = &wb["sheets"][*name];
        assert_eq!(sheet["freeze"], "A2");
        let rows = sheet["rows"].as_array().unwrap();
        let header: Vec<&str> = rows[0].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(header.len(), 9 + catalog.len() + 4);
        assert_eq!(header[0], "序号 Site no.");
        assert_eq!(header[4], "编号 ID");
        assert_eq!(header[6], "地址/最近道路 Address / nearest road");
        for (k, (_, id, max)) in catalog.iter().enumerate() {
            let h = header[9 + k];
            assert!(h.starts_with(&format!("{id} ")) && h.ends_with(&format!("({max})")), "{h}");
        }
        assert_eq!(&header[9 + catalog.len()..], ["通过 Pass/fail", "备注 Note", "检查日期 Date (YYYY-MM-DD)", "未检查原因 Not visited reason"]);
        let grey: BTreeSet<(u64, u64)> =
            sheet["grey"].as_array().unwrap().iter().map(|g| (g[0].as_u64().unwrap(), g[1].as_u64().unwrap())).collect();
        let mut was_replacement = false;
        for (r, row) in rows[1..].iter().enumerate() {
            let row = row.as_array().unwrap();
            let site_no = row[0].as_f64().unwrap() as u64;
            let site = sites.iter().find(|s| s.0 == site_no).expect("a site of the plan");
            assert_eq!(row[2].as_str().unwrap(), site.1);
            assert_eq!(row[4].as_f64().unwrap() as i64, site.2);
            assert_eq!(row[1].as_str().unwrap(), if site.3 { "备用 Replacement" } else { "样本 Base" });
            assert!(!was_replacement || site.3, "base sites come before replacement sites");
            was_replacement = site.3;
            let (lon, lat) = (row[7].as_f64().unwrap(), row[8].as_f64().unwrap());
            assert!((119.7..120.0).contains(&lon) && (31.2..31.5).contains(&lat), "{lon},{lat}");
            assert!(row[6].as_str().is_some_and(|s| !s.is_empty()), "a nearest road for site {site_no}");
            for (k, (layer, ..)) in catalog.iter().enumerate() {
                let cell = (r as u64 + 2, 9 + k as u64 + 1);
                assert_eq!(grey.contains(&cell), *layer != site.1, "site {site_no} column {}", header[9 + k]);
            }
            seen.push(site_no);
        }
        // Every score cell that is not grey has a 0..max validation.
        let validations = sheet["validations"].as_array().unwrap();
        let decimals = validations.iter().filter(|v| v[1] == "decimal").count();
        let own: usize = rows[1..]
            .iter()
            .map(|row| catalog.iter().filter(|c| c.0 == row[2].as_str().unwrap()).count())
            .sum();
        assert_eq!(decimals, own);
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=24).collect::<Vec<u64>>(), "every site exactly once");

    let info = stdout(&ok(gdal("ogrinfo", &["-ro", "-so", out.to_str().unwrap()])));
    assert!(info.contains("评估员1 Evaluator 1") && info.contains("说明 Instructions"), "{info}");
}

#[test]
fn unknown_plan_and_zero_evaluators_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let o = wardgis(&["sheets", demo_project().to_str().unwrap(), "nope", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no plan named `nope`"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = wardgis(&["sheets", demo_project().to_str().unwrap(), "nope", out.to_str().unwrap(), "--evaluators", "0"]);
    assert_eq!(o.status.code(), Some(2));
}
