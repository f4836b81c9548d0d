//! Replays the importers' fuzz corpus on stable, without libFuzzer: every file under
//! `fuzz/corpus/import_<ext>/` (the hand-made nasty seeds and the inputs the fuzzer found
//! worth keeping) and `fuzz/artifacts/import_<ext>/` (regression inputs of fixed crashes), plus
//! inputs too big to commit (a 1 MB value, 100 000-deep nesting), built here.
//!
//! Each input goes through the fuzz targets' own harness (`fuzz/src/lib.rs`, included by
//! path): imported as a point and a polygon layer, all-or-nothing and skipping bad rows, and in
//! a projected system. Each import must end in an error that names the file (and stays short
//! enough to read) or in features with longitude/latitude coordinates; a panic fails the test,
//! and so does an input that takes more than [`LIMIT`] (a hang). See docs/RELIABILITY.md,
//! "Fuzzing the importers".

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest one input may take (five imports, in the unoptimised test build).
const LIMIT: Duration = Duration::from_secs(10);

struct Input {
    /// Where it came from, for messages.
    origin: String,
    ext: String,
    bytes: Vec<u8>,
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Every committed input, by target folder.
fn committed() -> Vec<Input> {
    let mut inputs = Vec::new();
    for top in ["corpus", "artifacts"] {
        let Ok(targets) = std::fs::read_dir(fuzz_dir().join(top)) else { continue };
        for target in targets {
            let target = target.unwrap().path();
            if !target.is_dir() {
                continue;
            }
            let name = target.file_name().unwrap().to_string_lossy().into_owned();
            let ext = harness::extension_of_target(&name)
                .unwrap_or_else(|| panic!("{}: a corpus folder must be named import_<extension>", target.display()));
            let mut files: Vec<PathBuf> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
            files.sort();
            for f in files {
                inputs.push(Input { origin: format!("{top}/{name}/{}", f.file_name().unwrap().to_string_lossy()), ext: ext.to_owned(), bytes: std::fs::read(&f).unwrap() });
            }
        }
    }
    inputs
}

/// Inputs too big to commit.
fn generated() -> Vec<Input> {
    let mb = "长".repeat(350_000); // 1 050 000 bytes of UTF-8
    let digits = "9".repeat(1 << 20);
    let csv = |name: &str, text: String| Input { origin: format!("generated/{name}"), ext: "csv".into(), bytes: text.into_bytes() };
    let json = |name: &str, text: String| Input { origin: format!("generated/{name}"), ext: "geojson".into(), bytes: text.into_bytes() };
    let feature = |props: &str| {
        format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Point","coordinates":[119.8,31.3]}},"properties":{{{props}}}}}]}}"#)
    };
    vec![
        csv("csv_1mb_name", format!("名称,车辆类型,充电端口数,经度,纬度\n{mb},car,4,119.8,31.3\n")),
        csv("csv_1mb_bad_value", format!("名称,车辆类型,充电端口数,经度,纬度\na,{mb},{digits},119.8,{digits}\n")),
        csv("csv_1mb_header", format!("{mb},经度,纬度\na,119.8,31.3\n")),
        csv("csv_1mb_unterminated_quote", format!("名称,经度,纬度\n\"{mb}")),
        csv("csv_1mb_wkt", format!("名称,subdistrict,wkt\na,b,POLYGON(({}119.8 31.3))\n", "119.8 31.3, ".repeat(90_000))),
        csv("csv_100000_deep_wkt", format!("名称,subdistrict,wkt\na,b,{}POINT(1 1){}\n", "GEOMETRYCOLLECTION(".repeat(100_000), ")".repeat(100_000))),
        csv("csv_100000_open_parens", format!("名称,subdistrict,wkt\na,b,POLYGON{}\n", "(".repeat(100_000))),
        csv("csv_20000_rows_of_bad_coordinates", format!("名称,车辆类型,充电端口数,经度,纬度\n{}", "a,car,4,NaN,1e309\n".repeat(20_000))),
        json("geojson_1mb_name", feature(&format!(r#""name":"{mb}","vehicle_type":"car","ports":4"#))),
        json("geojson_1mb_bad_value", feature(&format!(r#""vehicle_type":"{mb}","ports":{digits}"#))),
        json("geojson_1mb_key", feature(&format!(r#""{mb}":1,"vehicle_type":"car","ports":4"#))),
        json("geojson_100000_deep_arrays", format!(r#"{{"type":"FeatureCollection","features":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000))),
        json("geojson_100000_deep_objects", feature(&format!(r#""x":{}1{}"#, r#"{"a":"#.repeat(100_000), "}".repeat(100_000)))),
        json("geojson_100000_unclosed", "[".repeat(100_000)),
    ]
}

/// Runs one input through the harness in its own thread, so a panic is caught and a hang is
/// noticed. `Err` says what went wrong.
fn replay(input: &Input, dir: &Path, n: usize) -> Result<Vec<String>, String> {
    let stem: String = input.origin.rsplit('/').next().unwrap().chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let path = dir.join(format!("{n:04}_{stem}.{}", input.ext));
    std::fs::write(&path, &input.bytes).unwrap();
    let (tx, rx) = mpsc::channel();
    let p = path.clone();
    std::thread::Builder::new()
        .name(input.origin.clone())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(|| harness::check_file(&p));
            let _ = tx.send(outcome);
        })
        .unwrap();
    match rx.recv_timeout(LIMIT) {
        Ok(Ok(outcomes)) => Ok(outcomes),
        Ok(Err(panic)) => {
            let why = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(format!("panicked: {}", why.unwrap_or_else(|| "(no message)".into())))
        }
        Err(_) => Err(format!("took more than {LIMIT:?}: a hang")),
    }
}

#[test]
fn the_fuzz_corpus_imports_or_is_refused_clearly() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let committed = committed();
    assert!(committed.iter().any(|i| i.ext == "csv") && committed.iter().any(|i| i.ext == "geojson"), "the corpus is missing: {}", fuzz_dir().display());
    let inputs: Vec<Input> = committed.into_iter().chain(generated()).collect();
    let mut failures = Vec::new();
    let (mut imported, mut refused) = (0, 0);
    for (n, input) in inputs.iter().enumerate() {
        match replay(input, dir.path(), n) {
            Ok(outcomes) => {
                // A corpus folder for a format no reader takes would pass without testing anything.
                if let Some(o) = outcomes.iter().find(|o| o.contains("unknown file type")) {
                    failures.push(format!("{}: no reader takes `.{}` ({o}); add the reader or remove the folder", input.origin, input.ext));
                }
                imported += outcomes.iter().filter(|o| o.contains(": ok ")).count();
                refused += outcomes.iter().filter(|o| o.contains(": err ")).count();
                if std::env::var_os("WARDGIS_FUZZ_VERBOSE").is_some() {
                    for o in &outcomes {
                        println!("{}: {o}", input.origin);
                    }
                }
            }
            Err(why) => failures.push(format!("{} ({} bytes): {why}", input.origin, input.bytes.len())),
        }
    }
    println!(
        "fuzz corpus: {} inputs, {imported} imports, {refused} refusals, {} failures, {:.1} s",
        inputs.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} of {} inputs broke an importer's promise:\n{}", failures.len(), inputs.len(), failures.join("\n"));
}
