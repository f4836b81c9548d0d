//! Large imports as a user runs them: streamed in batches into one action (the GeoPackage
//! R-tree whole afterwards, as SQLite itself checks it), one undo removes them all, and
//! Ctrl-C in the middle leaves the project as it was.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{gdal, ok, stderr, stdout, wardgis};

/// A CSV of `rows` chargers the way Excel saves "CSV UTF-8": BOM, CRLF, Chinese headers.
fn chargers_csv(path: &Path, rows: usize) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    w.write_all("\u{FEFF}名称,车辆类型,充电端口数,经度,纬度\r\n".as_bytes()).unwrap();
    for i in 0..rows {
        let (lon, lat) = (119.70 + (i * 7919 % 100_000) as f64 * 2e-6, 31.30 + (i * 104_729 % 100_000) as f64 * 1.5e-6);
        write!(w, "充电桩{i}号,{},{},{lon:.7},{lat:.7}\r\n", if i % 2 == 0 { "car" } else { "ebike" }, 1 + i % 20).unwrap();
    }
    w.flush().unwrap();
}

fn chargers_count(project: &Path) -> u64 {
    let o = ok(wardgis(&["layers", project.to_str().unwrap(), "--json"]));
    let layers: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    layers.as_array().unwrap().iter().find(|l| l["layer"] == "chargers").unwrap()["count"].as_u64().unwrap()
}

#[test]
fn a_streamed_import_is_one_action_with_a_whole_rtree() {
    let dir = tempfile::tempdir().unwrap();
    let (project, csv) = (dir.path().join("p.gpkg"), dir.path().join("big.csv"));
    let p = project.to_str().unwrap();
    chargers_csv(&csv, 25_000); // three batches: the bulk R-tree spans them
    ok(wardgis(&["new", p]));
    let o = ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap()]));
    assert!(stderr(&o).contains("imported 25000 feature(s)"), "{}", stderr(&o));
    assert_eq!(chargers_count(&project), 25_000);

    // SQLite's own check of the R*Tree the bulk insert packed, and a spatial filter through it.
    let o = ok(gdal("ogrinfo", &[p, "-sql", "SELECT rtreecheck('rtree_chargers_geom') AS r"]));
    assert!(stdout(&o).contains("r (String) = ok"), "{}", stdout(&o));
    let o = ok(gdal("ogrinfo", &["-so", "-spat", "119.70", "31.30", "119.75", "31.35", p, "chargers"]));
    let filtered: u64 = stdout(&o).lines().find_map(|l| l.strip_prefix("Feature Count: ")).unwrap().trim().parse().unwrap();
    assert!(filtered > 0 && filtered < 25_000, "{filtered}");

    // One action: one undo takes every row out.
    let o = ok(wardgis(&["history", p]));
    assert!(stdout(&o).contains("import 25000 feature(s)"), "{}", stdout(&o));
    ok(wardgis(&["undo", p]));
    assert_eq!(chargers_count(&project), 0);
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_an_import_leaves_nothing_imported() {
    let dir = tempfile::tempdir().unwrap();
    let (project, csv) = (dir.path().join("p.gpkg"), dir.path().join("big.csv"));
    let p = project.to_str().unwrap();
    chargers_csv(&csv, 400_000);
    ok(wardgis(&["new", p]));
    let history_before = stdout(&ok(wardgis(&["history", p])));

    let child = Command::new(env!("CARGO_BIN_EXE_wardgis"))
        .args(["import", p, "chargers", csv.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: sending a signal to our own child process, which is still running or a zombie.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "the import should have been running and stopped; stderr: {err}");
    assert!(err.contains("cancelled; nothing was imported"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "stopping took {:?}", started.elapsed());

    assert_eq!(chargers_count(&project), 0);
    assert_eq!(stdout(&ok(wardgis(&["history", p]))), history_before, "no action was recorded");
    let o = ok(gdal("ogrinfo", &[p, "-sql", "PRAGMA integrity_check"]));
    assert!(stdout(&o).contains("= ok"), "{}", stdout(&o));
}
