//! The importers' fuzz harness, shared by the `cargo fuzz` targets (`fuzz_targets/import_<ext>.rs`,
//! nightly, libFuzzer) and the corpus replay in the ordinary suite (`core/tests/fuzz_corpus.rs`,
//! stable, which includes this file by path). It depends on nothing but `wardgis` and `geo`.
//!
//! One input is written to a file with the target's extension and imported every way in
//! [`cases`]: a point layer and a polygon layer, all-or-nothing and skipping bad rows, and
//! once in a projected system. Whatever the bytes, an import must end in
//!
//! - an `Err` whose message names the file (a clear error: where, and — for a bad row — the
//!   row or feature, field, value and what was expected), of bounded length, or
//! - a clean import: every feature's coordinates are finite longitude/latitude degrees, and
//!   every skipped row names the file;
//!
//! never a panic (which libFuzzer reports as a crash, and the replay as a failure). A hang is
//! caught by libFuzzer's `-timeout` and by the replay's time limit per input.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::CoordsIter;
use wardgis::catalog::Catalog;
use wardgis::crs::Crs;
use wardgis::io::{read_features, ImportOptions, ImportReport};
use wardgis::Error;

/// The file extension a target gives its input: target `import_<ext>`, corpus folder
/// `corpus/import_<ext>/`. A new reader's target needs nothing else here.
pub fn extension_of_target(target: &str) -> Option<&str> {
    target.strip_prefix("import_").filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The longest message one error may have: a refusal must be read by a person, so a value
/// from the file (a 1 MB cell) or a list from it (10 000 headers) must be shortened.
pub const MAX_MESSAGE: usize = 4096;

/// How each input is imported: the layer and the options.
pub fn cases() -> Vec<(&'static str, ImportOptions)> {
    let skip = ImportOptions { skip_bad: true, ..ImportOptions::default() };
    // CGCS2000 / 3-degree Gauss–Krüger zone 40 (EPSG:4528), so coordinates go through the
    // projected path (metres, inverse Transverse Mercator).
    let projected = ImportOptions { crs: "EPSG:4528".parse::<Crs>().ok(), skip_bad: true, ..ImportOptions::default() };
    vec![
        ("chargers", ImportOptions::default()),
        ("communities", ImportOptions::default()),
        ("chargers", skip.clone()),
        ("communities", skip),
        ("chargers", projected),
    ]
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::embedded)
}

/// The fuzz target's body: `data` as a file `input.<ext>` in a scratch folder of this
/// process, imported every way in [`cases`]; panics on a broken promise.
pub fn import_bytes(data: &[u8], ext: &str) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("wardgis-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("create the scratch folder");
        d
    });
    let path = dir.join(format!("input.{ext}"));
    std::fs::write(&path, data).expect("write the input file");
    check_file(&path);
}

/// Imports `path` every way in [`cases`], panicking with the case and the reason when an
/// import breaks a promise (see the module's documentation). Returns one line per case:
/// `ok N features, M skipped` or `err <the message>`, for reports.
pub fn check_file(path: &Path) -> Vec<String> {
    let mut outcomes = Vec::new();
    for (layer, opts) in cases() {
        let kind = catalog().get(layer).expect("the layer is in the embedded catalog");
        let case = format!("{layer} (skip_bad {}, crs {:?})", opts.skip_bad, opts.crs);
        match read_features(path, kind, &opts) {
            Ok(report) => {
                check_report(path, &case, &report);
                outcomes.push(format!("{case}: ok {} features, {} skipped", report.features.len(), report.skipped.len()));
            }
            Err(e) => {
                check_error(path, &case, &e);
                outcomes.push(format!("{case}: err {e}"));
            }
        }
    }
    outcomes
}

fn check_report(path: &Path, case: &str, report: &ImportReport) {
    for (i, f) in report.features.iter().enumerate() {
        if let Some(c) = f.geometry.coords_iter().find(|c| !lon_lat(c.x, c.y)) {
            panic!("{case}: feature {} of {} imported with coordinate ({}, {}), not longitude/latitude", i + 1, path.display(), c.x, c.y);
        }
        if f.geometry.coords_iter().next().is_none() {
            panic!("{case}: feature {} of {} imported with an empty geometry", i + 1, path.display());
        }
    }
    for e in &report.skipped {
        check_error(path, case, e);
    }
}

fn lon_lat(x: f64, y: f64) -> bool {
    x.is_finite() && y.is_finite() && (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)
}

fn check_error(path: &Path, case: &str, e: &Error) {
    let parts: Vec<&Error> = match e {
        Error::BadRows { rows, .. } => rows.iter().collect(),
        other => vec![other],
    };
    let file = path.display().to_string();
    for part in parts {
        let message = part.to_string();
        assert!(message.contains(&file), "{case}: the error does not name the file {file}: {}", clip(&message));
        assert!(
            message.chars().count() <= MAX_MESSAGE,
            "{case}: an error of {} characters (more than {MAX_MESSAGE}): {}",
            message.chars().count(),
            clip(&message)
        );
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() <= 600 {
        return s.to_owned();
    }
    let head: String = s.chars().take(600).collect();
    format!("{head}… ({} characters)", s.chars().count())
}
