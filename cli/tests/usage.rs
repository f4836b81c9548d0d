//! Exit codes and messages: 0 success, 1 data error, 2 usage error; `--help` everywhere.

mod common;
use common::*;

#[test]
fn every_subcommand_has_help() {
    for sub in ["demo", "layers", "import", "export", "query", "sample", "sample-size", "plans", "undo", "redo", "history"] {
        let out = wardgis(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        assert!(stdout(&out).contains("Usage: wardgis"), "{sub}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let d = demo_project().to_str().unwrap();
    for args in [
        vec!["query", d, "chargers"],
        vec!["query", d, "chargers", "--near", "119.82"],
        vec!["query", d, "chargers", "--near", "119.82,31.36"],
        vec!["query", d, "chargers", "--bbox", "1,2,3"],
        vec!["query", d, "chargers", "--within", "31.36,119.82", "--meters", "10"],
        vec!["import", d, "chargers", "x.csv", "--crs", "utm"],
        vec!["frobnicate"],
    ] {
        let out = wardgis(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn data_errors_exit_1_with_an_actionable_message() {
    let d = demo_project().to_str().unwrap();
    let out = wardgis(&["query", d, "chargerz", "--near", "119.82,31.36", "--k", "3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown layer `chargerz`") && stderr(&out).contains("chargers"), "{}", stderr(&out));

    let out = wardgis(&["layers", "/nonexistent/p.gpkg"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/p.gpkg"));

    let dir = tempfile::tempdir().unwrap();
    let out = wardgis(&["demo", d]);
    assert_eq!(out.status.code(), Some(1), "refuses to overwrite");
    let csv = dir.path().join("nocoords.csv");
    std::fs::write(&csv, "name,ports\nA,3\n").unwrap();
    let out = wardgis(&["import", d, "chargers", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nocoords.csv"), "{}", stderr(&out));
}

/// `wardgis query … | head -1` (or `history | head`): the reader closes the pipe after one line; wardgis
/// must end quietly (no panic, no backtrace), as `ls | head` does.
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let d = demo_project().to_str().unwrap();
    for args in [vec!["query", d, "responsibility_units", "--bbox", "119,31,120,32"], vec!["query", d, "roads", "--bbox", "119,31,120,32"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wardgis"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        // The reader is dropped here: the pipe is closed with output still to come.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty(), "{args:?}");
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
    }
}
