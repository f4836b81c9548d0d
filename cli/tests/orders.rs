//! `wardgis orders`: a results import opens one order per failed item (deadline from the
//! catalog, responsible party from the feature), read back independently with GDAL; a passing
//! re-inspection closes an order and a failing one re-opens it, each change kept in the
//! history; `--overdue` and the CSV/XLSX lists; undo; errors that name the bad value. Also the
//! estimates as XLSX, and a stratified plan's replacement sites kept within their stratum.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::Path;

fn date(s: &str) -> time::Date {
    let p: Vec<i32> = s.split('-').map(|x| x.parse().unwrap()).collect();
    time::Date::from_calendar_date(p[0], time::Month::try_from(p[1] as u8).unwrap(), p[2] as u8).unwrap()
}

fn days_after(s: &str, days: i64) -> String {
    let d = date(s) + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// item id → deadline_days (None when the catalog gives none), read from the layer file.
fn catalog_deadlines(layer: &str) -> BTreeMap<String, Option<i64>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../layers/{layer}.toml"));
    let t: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    t["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c.get("deadline_days").and_then(|d| d.as_integer())))
        .collect()
}

fn orders_json(p: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["orders", p, "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str::<serde_json::Value>(&stdout(&ok(wardgis(&args)))).unwrap().as_array().unwrap().clone()
}

#[test]
fn a_failed_item_opens_an_order_and_a_passing_reinspection_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    ok(wardgis(&["sample", p, "billboards", "--design", "grts", "--n", "12", "--over", "4", "--seed", "11", "--name", "g"]));
    let blank = dir.path().join("g.xlsx");
    ok(wardgis(&["sheets", p, "g", blank.to_str().unwrap()]));
    let filled_path = dir.path().join("filled.xlsx");
    let filled = fill(&blank, &filled_path, "3", None);

    // What should open: one order per item scored below its maximum at a visited site.
    let deadlines = catalog_deadlines("billboards");
    let mut expected: BTreeMap<(u64, String), (String, String)> = BTreeMap::new(); // (site, item) → (opened, deadline)
    for (site, f) in &filled {
        if !f["visited"].as_bool().unwrap() {
            continue;
        }
        for (item, score) in f["scores"].as_object().unwrap() {
            if score.as_f64() < f["max"][item].as_f64() {
                let on = f["date"].as_str().unwrap().to_owned();
                let days = deadlines[item].unwrap_or(7);
                expected.insert((*site, item.clone()), (on.clone(), days_after(&on, days)));
            }
        }
    }
    assert!(expected.len() >= 3, "the filled workbook should fail a few items: {expected:?}");
    // Both a catalog deadline and the 7-day default are exercised.
    assert!(expected.keys().any(|(_, i)| deadlines[i].is_none()) && expected.keys().any(|(_, i)| deadlines[i].is_some()));

    let printed = stdout(&ok(wardgis(&["results", "import", p, "g", filled_path.to_str().unwrap()])));
    assert!(printed.contains(&format!("opened {} rectification order(s)", expected.len())), "{printed}");

    // GDAL reads the orders and their opening events from the file.
    let heads = gdal_table(&project, "wardgis_orders");
    let events = gdal_table(&project, "wardgis_order_events");
    assert_eq!(heads.len(), expected.len());
    assert_eq!(events.len(), expected.len());
    let owners: BTreeMap<i64, String> = gdal_features(&project, &["-sql", "SELECT fid * 1 AS f, owner FROM billboards"])
        .iter()
        .map(|f| (f["properties"]["f"].as_i64().unwrap(), f["properties"]["owner"].as_str().unwrap_or("").to_owned()))
        .collect();
    let plan_units: BTreeMap<u64, i64> = gdal_table(&project, "wardgis_plan_units")
        .iter()
        .filter(|u| !u["site_no"].is_null())
        .map(|u| (u["site_no"].as_u64().unwrap(), u["fid"].as_i64().unwrap()))
        .collect();
    for h in &heads {
        let key = (h["site_no"].as_u64().unwrap(), h["item_id"].as_str().unwrap().to_owned());
        let (opened, deadline) = &expected[&key];
        assert_eq!(h["plan"], "g");
        assert_eq!(h["fid"].as_i64(), Some(plan_units[&key.0]), "{key:?}");
        assert_eq!(h["opened_on"].as_str(), Some(opened.as_str()), "{key:?}");
        let e = events.iter().find(|e| e["order_id"] == h["id"]).unwrap();
        assert_eq!(e["event"], "opened");
        assert_eq!(e["state"], "open");
        assert_eq!(e["deadline"].as_str(), Some(deadline.as_str()), "{key:?}");
        let owner = &owners[&h["fid"].as_i64().unwrap()];
        assert_eq!(e["responsible"].as_str().unwrap_or(""), owner.as_str(), "{key:?}");
    }

    // Overdue: open orders whose deadline is before the day asked about.
    // The latest deadline: orders due before it are overdue that day, those due on it are not.
    let latest = orders_json(p, &[]).iter().map(|o| o["deadline"].as_str().unwrap().to_owned()).max().unwrap();
    let day = latest.as_str();
    let all = orders_json(p, &["--as-of", day]);
    let overdue = orders_json(p, &["--overdue", "--as-of", day]);
    let want: Vec<i64> = all.iter().filter(|o| o["deadline"].as_str().unwrap() < day).map(|o| o["id"].as_i64().unwrap()).collect();
    let got: Vec<i64> = overdue.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(got, want);
    assert!(!got.is_empty() && got.len() < all.len(), "pick a day that splits them: {all:?}");
    for o in &overdue {
        let late = date(day) - date(o["deadline"].as_str().unwrap());
        assert_eq!(o["days_overdue"].as_i64(), Some(late.whole_days()));
    }

    // A passing re-inspection closes the order; its history keeps both events.
    let first = &all[0];
    let id = first["id"].as_i64().unwrap().to_string();
    let opened = first["opened_on"].as_str().unwrap();
    let before = wardgis(&["orders", "reinspect", p, &id, "--result", "pass", "--date", &days_after(opened, -1)]);
    assert_eq!(before.status.code(), Some(1));
    assert!(stderr(&before).contains("is before order") && stderr(&before).contains(opened), "{}", stderr(&before));
    let later = days_after(opened, 2);
    let out = stdout(&ok(wardgis(&["orders", "reinspect", p, &id, "--result", "pass", "--date", &later, "--note", "已修复"])));
    assert!(out.contains("closed"), "{out}");
    let open_now = orders_json(p, &["--state", "open"]);
    assert!(open_now.iter().all(|o| o["id"] != first["id"]));
    assert_eq!(open_now.len(), all.len() - 1);
    let shown: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["orders", "show", p, &id, "--json"])))).unwrap();
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["kind"], "reinspected_passed");
    assert_eq!(history[1]["state"], "closed");
    assert_eq!(history[1]["on"].as_str(), Some(later.as_str()));
    assert_eq!(history[1]["note"], "已修复");

    // A failing re-inspection of the closed order re-opens it with a new deadline.
    let item = first["item_id"].as_str().unwrap();
    let again = days_after(&later, 10);
    ok(wardgis(&["orders", "reinspect", p, &id, "--result", "fail", "--date", &again]));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&["orders", "show", p, &id, "--json"])))).unwrap();
    let last = shown["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["state"], "open");
    assert_eq!(last["deadline"].as_str(), Some(days_after(&again, deadlines[item].unwrap_or(7)).as_str()));
    // Undo takes the re-opening back; GDAL sees the two events left.
    ok(wardgis(&["undo", p]));
    let events = gdal_table(&project, "wardgis_order_events");
    let mine: Vec<_> = events.iter().filter(|e| e["order_id"].as_i64() == first["id"].as_i64()).collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[1]["state"], "closed");

    // Errors name the value and what is accepted.
    let o = wardgis(&["orders", "reinspect", p, "9999", "--result", "pass", "--date", "2026-06-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no order 9999"), "{}", stderr(&o));
    let o = wardgis(&["orders", "reinspect", p, &id, "--result", "pass", "--date", "2026-6-1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`2026-6-1`") && stderr(&o).contains("YYYY-MM-DD"), "{}", stderr(&o));
    let o = wardgis(&["orders", "reinspect", p, &id, "--result", "maybe", "--date", "2026-06-01"]);
    assert_eq!(o.status.code(), Some(2));

    // The list as XLSX, read back by GDAL's XLSX driver, equals the JSON list.
    let xlsx = dir.path().join("orders.xlsx");
    ok(wardgis(&["orders", p, "--as-of", day, "--out", xlsx.to_str().unwrap()]));
    let rows = gdal_features(&xlsx, &[]);
    let now = orders_json(p, &["--as-of", day]);
    assert_eq!(rows.len(), now.len());
    for (r, o) in rows.iter().zip(&now) {
        let r = &r["properties"];
        assert_eq!(r["id"].as_i64(), o["id"].as_i64());
        assert_eq!(r["state"], o["state"]);
        assert_eq!(r["deadline"].as_str(), o["deadline"].as_str());
        assert_eq!(r["item_id"], o["item_id"]);
        assert_eq!(r["overdue"].as_str(), Some(if o["overdue"].as_bool().unwrap() { "yes" } else { "no" }));
    }

    // Undoing the import removes its results and the orders it opened (after the events
    // recorded since are undone first).
    ok(wardgis(&["undo", p]));
    ok(wardgis(&["undo", p]));
    assert!(gdal_table(&project, "wardgis_orders").is_empty());
    assert!(gdal_table(&project, "wardgis_order_events").is_empty());
    assert!(gdal_table(&project, "wardgis_results").is_empty());
}

#[test]
fn estimates_as_xlsx_equal_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    ok(wardgis(&["sample", p, "chargers", "--design", "srs", "--n", "15", "--seed", "3", "--name", "c"]));
    let blank = dir.path().join("c.xlsx");
    ok(wardgis(&["sheets", p, "c", blank.to_str().unwrap()]));
    let filled = dir.path().join("filled.xlsx");
    fill(&blank, &filled, "", None);
    ok(wardgis(&["results", "import", p, "c", filled.to_str().unwrap()]));
    let csv = dir.path().join("e.csv");
    let xlsx = dir.path().join("e.xlsx");
    ok(wardgis(&["estimate", p, "c", "--out", csv.to_str().unwrap()]));
    ok(wardgis(&["estimate", p, "c", "--out", xlsx.to_str().unwrap()]));
    let text = std::fs::read_to_string(&csv).unwrap();
    let csv_rows: Vec<Vec<String>> = text.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect();
    let rows = gdal_features(&xlsx, &[]);
    assert_eq!(rows.len(), csv_rows.len());
    for (r, c) in rows.iter().zip(&csv_rows) {
        let r = &r["properties"];
        assert_eq!(r["stratum"].as_str(), Some(c[0].as_str()));
        assert_eq!(r["n"].as_f64(), c[1].parse().ok());
        for (k, i) in [("mean_score", 3), ("mean_ci_low", 4), ("pass_rate", 6), ("pass_ci_high", 8)] {
            assert!((r[k].as_f64().unwrap() - c[i].parse::<f64>().unwrap()).abs() < 1e-12, "{k}");
        }
    }
    let o = wardgis(&["estimate", p, "c", "--out", dir.path().join("e.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(".csv or .xlsx"), "{}", stderr(&o));
}

#[test]
fn a_stratified_plans_replacement_site_stands_in_only_for_its_own_stratum() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    let drawn: serde_json::Value = serde_json::from_str(&stdout(&ok(wardgis(&[
        "sample", p, "billboards", "--design", "stratified", "--strata", "type", "--n", "16", "--over", "4", "--seed", "9", "--name", "s",
    ]))))
    .unwrap();
    let sites: Vec<(u64, String, bool)> = drawn["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let q = &f["properties"];
            (q["site_no"].as_u64().unwrap(), q["stratum"].as_str().unwrap().to_owned(), q["replacement"].as_bool().unwrap())
        })
        .collect();
    // fill_xlsx.py uses the first replacement site (in site order) for one skipped base site.
    let first_repl = sites.iter().find(|s| s.2).unwrap();
    let same = sites.iter().find(|s| !s.2 && s.1 == first_repl.1).unwrap();
    let other = sites.iter().find(|s| !s.2 && s.1 != first_repl.1).unwrap();
    let blank = dir.path().join("s.xlsx");
    ok(wardgis(&["sheets", p, "s", blank.to_str().unwrap()]));

    let wrong = dir.path().join("wrong.xlsx");
    fill(&blank, &wrong, &other.0.to_string(), None);
    let o = wardgis(&["results", "import", p, "s", wrong.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let msg = stderr(&o);
    let want = format!("replacement site {} has results but only 0 base site(s) in stratum `{}` were not visited", first_repl.0, first_repl.1);
    assert!(msg.contains(&want) && msg.contains("of its own stratum"), "{msg}");

    let right = dir.path().join("right.xlsx");
    fill(&blank, &right, &same.0.to_string(), None);
    ok(wardgis(&["results", "import", p, "s", right.to_str().unwrap()]));
}

#[test]
fn a_reinspection_round_from_a_workbook_closes_and_keeps_open_as_one_action() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let p = project.to_str().unwrap();
    ok(wardgis(&["sample", p, "chargers", "--design", "srs", "--n", "20", "--seed", "8", "--name", "c"]));
    let blank = dir.path().join("c.xlsx");
    ok(wardgis(&["sheets", p, "c", blank.to_str().unwrap()]));
    let filled = dir.path().join("filled.xlsx");
    fill(&blank, &filled, "", None);
    ok(wardgis(&["results", "import", p, "c", filled.to_str().unwrap()]));
    let open_before = orders_json(p, &["--state", "open"]);
    assert!(open_before.len() >= 3, "{open_before:?}");

    let round = dir.path().join("round.xlsx");
    let printed = stdout(&ok(wardgis(&["orders", "sheet", p, round.to_str().unwrap()])));
    assert!(printed.contains(&format!("({} order(s))", open_before.len())), "{printed}");
    // GDAL reads the sheet: one row per open order, with its item and deadline.
    let rows = gdal_features(&round, &[]);
    assert_eq!(rows.len(), open_before.len());
    for (r, o) in rows.iter().zip(&open_before) {
        assert_eq!(r["properties"]["整改单号 Order"].as_i64(), o["id"].as_i64());
        assert_eq!(r["properties"]["检查项 Item"], o["item_id"]);
        assert_eq!(r["properties"]["整改期限 Deadline"], o["deadline"]);
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fill_reinspection.py");
    let run = |dst: &Path, bad: bool| -> BTreeMap<String, serde_json::Value> {
        let mut c = std::process::Command::new("python3");
        c.arg(&script).arg(&round).arg(dst);
        if bad {
            c.arg("bad");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };

    // Bad cells: nothing imported, each named.
    let bad_path = dir.path().join("bad.xlsx");
    run(&bad_path, true);
    let o = wardgis(&["orders", "import", p, bad_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let msg = stderr(&o);
    assert!(msg.contains("row 2 column O `得分 Score`") && msg.contains("scores 0 to"), "{msg}");
    assert!(msg.contains("row 3 column P `复查日期 Date (YYYY-MM-DD)`: value `1 May`"), "{msg}");
    assert!(msg.contains("nothing imported"), "{msg}");
    assert_eq!(orders_json(p, &["--state", "open"]).len(), open_before.len());

    let good = dir.path().join("good.xlsx");
    let plan = run(&good, false);
    let printed = stdout(&ok(wardgis(&["orders", "import", p, good.to_str().unwrap()])));
    let passed = plan.values().filter(|v| v["passed"] == true).count();
    let failed = plan.values().filter(|v| v["passed"] == false).count();
    assert!(printed.contains(&format!("re-inspected {} order(s): {passed} closed, {failed} open", passed + failed)), "{printed}");
    for o in orders_json(p, &[]) {
        let id = o["id"].as_i64().unwrap().to_string();
        let h = o["history"].as_array().unwrap();
        match plan.get(&id) {
            Some(v) if v.get("skipped").is_some() => assert_eq!((h.len(), o["state"].as_str()), (1, Some("open"))),
            Some(v) => {
                let want = if v["passed"] == true { "closed" } else { "open" };
                assert_eq!(o["state"].as_str(), Some(want), "order {id}");
                assert_eq!(h.len(), 2);
                assert_eq!(h[1]["on"], v["date"]);
            }
            None => assert_eq!(h.len(), 1, "order {id} was not in the round"),
        }
    }
    // The same sheet again: refused, every row changed since it was written.
    let again = wardgis(&["orders", "import", p, good.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("changed since this sheet was written"), "{}", stderr(&again));

    // The round is one action: one undo takes it all back.
    ok(wardgis(&["undo", p]));
    let after = orders_json(p, &[]);
    assert_eq!(after.iter().filter(|o| o["state"] == "open").count(), open_before.len());
    assert!(after.iter().all(|o| o["history"].as_array().unwrap().len() == 1), "{after:?}");
}

