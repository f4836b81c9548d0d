//! Crash safety (issue 10): a `wardgis` process doing an import, an undo or a results import
//! is killed with SIGKILL at a random moment; the file it leaves must be whole (SQLite's
//! `integrity_check`, `rtreecheck` of every layer's GeoPackage R-tree, GDAL opens it), must
//! hold all of the action or none of it (every table exactly as before the command or exactly
//! as after an unkilled run), its edit log must agree with its rows, and `wardgis` must open it
//! and undo on it.
//!
//! Each test runs `WARDGIS_KILL_TRIALS` trials (3 by default; docs/RELIABILITY.md gives the
//! long run). Even trials are killed at a moment drawn uniformly from the whole run and a
//! tenth past it (its length as an unkilled run took, then as the trials see it: the machine's
//! load changes it); odd trials are killed inside the write transaction: once the rollback
//! journal (or WAL frames) appear beside the file, after a moment drawn uniformly from the
//! transaction's length in the unkilled run, and a tenth more. The draws come from
//! `WARDGIS_KILL_SEED` (a new seed each run when unset); every trial prints its seed and its
//! delay in milliseconds, and `WARDGIS_KILL_DELAY` replays one (`812.5`: after the start;
//! `journal+40.2`: after the journal appeared):
//!
//! ```sh
//! WARDGIS_KILL_TRIALS=100 cargo test -p wardgis-cli --test crash_safety -- --nocapture
//! WARDGIS_KILL_TRIALS=1 WARDGIS_KILL_DELAY=journal+40.2 cargo test -p wardgis-cli --test crash_safety killed_undo -- --nocapture
//! ```
//!
//! The checks read the file with plain SQLite (rusqlite, none of wardgis's code), which also
//! recovers it as any SQLite program would: a hot rollback journal is rolled back, a `-wal`
//! file is replayed. Nothing beside the file is deleted by the test.

mod common;
use common::*;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

/// Features in the generated import file (and in the import that the undo trials undo): well
/// above the 5 000 of the packed R-tree path, and enough that the write transaction takes a
/// good share of the command's time.
const IMPORT_ROWS: usize = 20_000;
/// Base sites of the plan whose filled workbook the results trials import.
const RESULT_SITES: usize = 4_000;

#[test]
fn killed_import_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = demo_copy(dir.path());
    let csv = dir.path().join("survey.csv");
    write_chargers_csv(&csv, IMPORT_ROWS, 1);
    let args = ["import", "{project}", "chargers", csv.to_str().unwrap()];
    run_trials("import", &base, &args, dir.path());
}

#[test]
fn killed_undo_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = demo_copy(dir.path());
    let geojson = dir.path().join("survey.geojson");
    write_chargers_geojson(&geojson, IMPORT_ROWS, 2);
    ok(wardgis(&["import", base.to_str().unwrap(), "chargers", geojson.to_str().unwrap()]));
    run_trials("undo", &base, &["undo", "{project}"], dir.path());
}

#[test]
fn killed_results_import_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = demo_copy(dir.path());
    let p = base.to_str().unwrap();
    // A plan big enough that its results are thousands of rows: chargers imported first.
    let csv = dir.path().join("more.csv");
    write_chargers_csv(&csv, 2 * RESULT_SITES, 3);
    ok(wardgis(&["import", p, "chargers", csv.to_str().unwrap()]));
    let n = RESULT_SITES.to_string();
    ok(wardgis(&["sample", p, "chargers", "--design", "srs", "--n", &n, "--over", "20", "--seed", "10", "--name", "round"]));
    let blank = dir.path().join("round.xlsx");
    ok(wardgis(&["sheets", p, "round", blank.to_str().unwrap(), "--evaluators", "4"]));
    let filled = dir.path().join("round-filled.xlsx");
    let written = fill(&blank, &filled, "3,7,11", None);
    assert_eq!(written.len(), RESULT_SITES + 3, "every base site and three replacements filled");
    run_trials("results", &base, &["results", "import", "{project}", "round", filled.to_str().unwrap()], dir.path());
}

// ---------------------------------------------------------------------------------------
// The trials.

/// Where a kill landed, judged from what it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Landing {
    /// The file is as before and nothing was written: killed while starting, reading or checking.
    BeforeWrite,
    /// The file is as before, and a rollback journal or WAL frames show the write transaction
    /// had begun: killed inside it, and SQLite rolled it back.
    InsideTransaction,
    /// The file is as after: the action had committed; the process was still finishing.
    AfterCommit,
    /// The process had exited by the time of the kill.
    Exited,
}

impl Landing {
    fn describe(self) -> &'static str {
        match self {
            Landing::BeforeWrite => "before the first write (file as before)",
            Landing::InsideTransaction => "inside the write transaction (rolled back: file as before)",
            Landing::AfterCommit => "after the commit (file as after)",
            Landing::Exited => "after the process exited (file as after)",
        }
    }
}

/// The command's timing in an unkilled run: total time, and when a rollback journal (or WAL
/// frames) were first and last seen, i.e. the write transaction's window.
#[derive(Debug, Clone, Copy)]
struct Calibration {
    total_ms: f64,
    write_window_ms: Option<(f64, f64)>,
}

fn run_trials(kind: &str, base: &Path, args: &[&str], dir: &Path) {
    let trials: usize = env_parse("WARDGIS_KILL_TRIALS").unwrap_or(3);
    let seed: u64 = env_parse("WARDGIS_KILL_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000_007
    });
    let fixed_delay: Option<Delay> = std::env::var("WARDGIS_KILL_DELAY").ok().map(|v| {
        Delay::parse(&v).unwrap_or_else(|| panic!("WARDGIS_KILL_DELAY={v:?}: expected milliseconds (`812.5`) or `journal+MS`"))
    });

    let before = {
        let conn = open_rw(base);
        let problems = check_consistent(&conn);
        assert!(problems.is_empty(), "{kind}: the starting file is not consistent: {problems:#?}");
        snapshot(&conn)
    };
    // One unkilled run: the state after, and how long the command takes.
    let cal_path = dir.join("calibration.gpkg");
    std::fs::copy(base, &cal_path).unwrap();
    let cal = calibrate(&cal_path, args);
    let after = {
        let conn = open_rw(&cal_path);
        let problems = check_consistent(&conn);
        assert!(problems.is_empty(), "{kind}: an unkilled run left an inconsistent file: {problems:#?}");
        snapshot(&conn)
    };
    assert_ne!(before, after, "{kind}: the command changed nothing; the test would prove nothing");
    println!(
        "crash_safety {kind}: seed {seed}, {trials} trial(s); unkilled run {:.0} ms, write transaction {}",
        cal.total_ms,
        cal.write_window_ms.map_or("not seen".to_owned(), |(a, b)| format!("from {a:.0} to {b:.0} ms"))
    );

    let mut rng = SplitMix64(seed ^ fnv(kind));
    // How long the command takes now: the unkilled run's time at first, then followed from
    // what the trials see (the machine's load changes, and with it the time).
    let mut total_est = cal.total_ms;
    let mut landings: BTreeMap<Landing, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut ro_refused = 0;
    let started = Instant::now();
    for trial in 0..trials {
        // Half the trials anywhere in the run (and a little past it), half inside the write
        // transaction (as long as the unkilled run's, and a tenth longer).
        let u = rng.next_f64();
        let delay = fixed_delay.unwrap_or(match cal.write_window_ms {
            Some((a, b)) if trial % 2 == 1 => Delay::AfterJournal(u * 1.1 * (b - a)),
            _ => Delay::FromStart(u * 1.1 * total_est),
        });
        let path = dir.join(format!("{kind}-{trial}.gpkg"));
        std::fs::copy(base, &path).unwrap();
        let label = format!("{kind} trial {trial} (seed {seed}, delay {delay})");
        let mut seen = Seen::default();
        let result = kill_and_check(&path, args, delay, &before, &after, &mut seen);
        let observed = seen.exit_ms.or_else(|| {
            let (first, _) = cal.write_window_ms?;
            Some(seen.journal_ms? * cal.total_ms / first.max(1.0))
        });
        if let Some(ms) = observed {
            total_est = 0.7 * total_est + 0.3 * ms;
        }
        match &result {
            Ok((landing, ro_ok)) => {
                let (landing, ro_ok) = (*landing, *ro_ok);
                println!("crash_safety {label}: killed {}{}", landing.describe(), if ro_ok { "" } else { "; `ogrinfo -ro` refused the file until it was recovered (hot journal)" });
                *landings.entry(landing).or_default() += 1;
                ro_refused += usize::from(!ro_ok);
            }
            Err(e) => {
                println!("crash_safety {label}: FAILED: {e}");
                failures.push(format!("{label}: {e}\n  replay: WARDGIS_KILL_TRIALS=1 WARDGIS_KILL_DELAY={} cargo test -p wardgis-cli --test crash_safety killed_{kind} -- --nocapture", delay.replay()));
            }
        }
        // Keep the temporary directory small over a long run; a failed trial's files stay.
        if result.is_ok() {
            for file in [&path, &as_killed(&path)] {
                for suffix in SIDECARS {
                    let _ = std::fs::remove_file(sidecar(file, suffix));
                }
            }
        }
    }
    let count = |l| landings.get(&l).copied().unwrap_or(0);
    println!(
        "crash_safety SUMMARY {kind}: seed {seed}, trials {trials}, before-write {}, inside-transaction {}, after-commit {}, exited {}, ogrinfo-ro-refused-hot-journal {ro_refused}, failures {}, unkilled run {:.0} ms (estimate at the end {:.0} ms), {:.1} s in all",
        count(Landing::BeforeWrite),
        count(Landing::InsideTransaction),
        count(Landing::AfterCommit),
        count(Landing::Exited),
        failures.len(),
        cal.total_ms,
        total_est,
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        // Keep the files of failed trials for inspection.
        let kept = std::env::temp_dir().join(format!("wardgis-crash-{kind}-{seed}"));
        std::fs::create_dir_all(&kept).unwrap();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let _ = std::fs::copy(entry.path(), kept.join(entry.file_name()));
        }
        panic!("{} of {trials} {kind} trial(s) failed (files kept in {}; `*-as-killed.gpkg*` as the kill left them):\n{}", failures.len(), kept.display(), failures.join("\n"));
    }
}

fn command(args: &[&str], project: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wardgis"));
    c.args(args.iter().map(|a| if *a == "{project}" { project.to_str().unwrap() } else { a }));
    c
}

/// The project file itself and what SQLite may leave beside it.
const SIDECARS: [&str; 4] = ["", "-journal", "-wal", "-shm"];

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Where a trial keeps a copy of its file as the kill left it (journal or WAL beside it).
fn as_killed(path: &Path) -> PathBuf {
    path.with_file_name(format!("{}-as-killed.gpkg", path.file_stem().unwrap().to_str().unwrap()))
}

/// Bytes of the rollback journal and of the WAL beside a file (0 when absent).
fn leftovers(path: &Path) -> (u64, u64, bool) {
    let size = |s| std::fs::metadata(sidecar(path, s)).map(|m| m.len()).ok();
    let journal = size("-journal");
    (journal.unwrap_or(0), size("-wal").unwrap_or(0), journal.is_some())
}

fn calibrate(path: &Path, args: &[&str]) -> Calibration {
    let (_, wal0, _) = leftovers(path);
    let start = Instant::now();
    let mut child = command(args, path).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("run wardgis");
    let (mut first, mut last) = (None, None);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let (_, wal, journal) = leftovers(path);
        if journal || wal > wal0 {
            let t = start.elapsed().as_secs_f64() * 1e3;
            first.get_or_insert(t);
            last = Some(t);
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let total_ms = start.elapsed().as_secs_f64() * 1e3;
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "the unkilled run failed: {err}");
    Calibration { total_ms, write_window_ms: first.zip(last) }
}

/// What a trial saw of the process before the kill: when the journal appeared, when it exited
/// (milliseconds after the start).
#[derive(Debug, Default)]
struct Seen {
    journal_ms: Option<f64>,
    exit_ms: Option<f64>,
}

/// When a trial's kill comes.
#[derive(Debug, Clone, Copy)]
enum Delay {
    /// Milliseconds after the process started.
    FromStart(f64),
    /// Milliseconds after the rollback journal (or the first WAL frame) appeared beside the
    /// file; never, when the process exits first.
    AfterJournal(f64),
}

impl Delay {
    fn parse(s: &str) -> Option<Delay> {
        match s.trim().strip_prefix("journal+") {
            Some(ms) => ms.parse().ok().map(Delay::AfterJournal),
            None => s.trim().parse().ok().map(Delay::FromStart),
        }
    }
    fn replay(self) -> String {
        match self {
            Delay::FromStart(ms) => format!("{ms:.1}"),
            Delay::AfterJournal(ms) => format!("journal+{ms:.1}"),
        }
    }
}

impl std::fmt::Display for Delay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Delay::FromStart(ms) => write!(f, "{ms:.1} ms after the start"),
            Delay::AfterJournal(ms) => write!(f, "{ms:.1} ms after the journal appeared"),
        }
    }
}

/// One trial: run, kill after `delay`, check. Returns where the kill landed and whether
/// `ogrinfo -ro` opened the file as the kill left it.
fn kill_and_check(path: &Path, args: &[&str], delay: Delay, before: &Snapshot, after: &Snapshot, seen: &mut Seen) -> Result<(Landing, bool), String> {
    let start = Instant::now();
    let ms_since = |t: Instant| (t - start).as_secs_f64() * 1e3;
    let mut child = command(args, path).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("run wardgis");
    let mut kill_at = match delay {
        Delay::FromStart(ms) => Some(start + Duration::from_secs_f64(ms / 1e3)),
        Delay::AfterJournal(_) => None,
    };
    // Watch for the journal (or WAL frames) until the kill is due or the process exits.
    let exited = loop {
        if let Some(status) = child.try_wait().unwrap() {
            if !status.success() {
                return Err(format!("wardgis exited with {status} before the kill"));
            }
            seen.exit_ms = Some(ms_since(Instant::now()));
            break true;
        }
        let now = Instant::now();
        if seen.journal_ms.is_none() {
            let (_, wal, journal) = leftovers(path);
            if journal || wal > 0 {
                seen.journal_ms = Some(ms_since(now));
                if let Delay::AfterJournal(ms) = delay {
                    kill_at = Some(now + Duration::from_secs_f64(ms / 1e3));
                }
            }
        }
        match kill_at {
            Some(at) if now >= at => {
                child.kill().unwrap(); // SIGKILL on Unix
                child.wait().unwrap();
                break false;
            }
            Some(at) => std::thread::sleep((at - now).min(Duration::from_micros(300))),
            None => std::thread::sleep(Duration::from_micros(300)),
        }
    };
    let (journal_bytes, wal_bytes, journal) = leftovers(path);
    for suffix in SIDECARS {
        if sidecar(path, suffix).exists() {
            std::fs::copy(sidecar(path, suffix), sidecar(&as_killed(path), suffix)).unwrap();
        }
    }

    // GDAL, read-only, on the file exactly as the kill left it. A read-only SQLite connection
    // cannot roll back a hot journal, so this may be refused then; never otherwise.
    let raw = gdal("ogrinfo", &["-ro", "-so", path.to_str().unwrap()]);
    let ro_ok = raw.status.success();
    let hot_journal = journal && journal_bytes > 0;
    if !(ro_ok || hot_journal) {
        return Err(format!("`ogrinfo -ro -so` cannot open the file (no hot journal beside it): {}", stderr(&raw)));
    }

    // Plain SQLite: opening recovers the file; then everything must hold.
    let conn = open_rw(path);
    let got = snapshot(&conn);
    let as_after = if got == *before {
        false
    } else if got == *after {
        true
    } else {
        return Err(format!("the file holds part of the action: {}", diff(before, after, &got)));
    };
    let problems = check_consistent(&conn);
    if !problems.is_empty() {
        return Err(format!("inconsistent after the kill: {problems:#?}"));
    }
    drop(conn);

    // GDAL reads it, with the feature counts SQLite gives.
    for (table, count) in counts(&got) {
        let o = gdal("ogrinfo", &["-ro", "-so", path.to_str().unwrap(), &table]);
        if !o.status.success() {
            return Err(format!("`ogrinfo -ro -so` cannot open layer `{table}` after recovery: {}", stderr(&o)));
        }
        if !stdout(&o).contains(&format!("Feature Count: {count}\n")) {
            return Err(format!("`ogrinfo` counts other than {count} features in `{table}`:\n{}", stdout(&o)));
        }
    }

    // wardgis opens it, lists its history and undoes the latest action; the file stays whole.
    let history = command(&["history", "{project}", "--limit", "3"], path).output().unwrap();
    if !history.status.success() {
        return Err(format!("`wardgis history` fails after the kill: {}", stderr(&history)));
    }
    let undo = command(&["undo", "{project}"], path).output().unwrap();
    if !undo.status.success() || !stdout(&undo).starts_with("undid action #") {
        return Err(format!("`wardgis undo` fails after the kill: {}{}", stderr(&undo), stdout(&undo)));
    }
    let problems = check_consistent(&open_rw(path));
    if !problems.is_empty() {
        return Err(format!("inconsistent after the kill and a further undo: {problems:#?}"));
    }

    let landing = match (exited, as_after) {
        (true, true) => Landing::Exited,
        (true, false) => return Err("wardgis exited successfully but the file does not hold the action".into()),
        (false, true) => Landing::AfterCommit,
        (false, false) if journal || wal_bytes > 0 => Landing::InsideTransaction,
        (false, false) => Landing::BeforeWrite,
    };
    Ok((landing, ro_ok))
}

// ---------------------------------------------------------------------------------------
// What the file holds, read with plain SQLite.

fn open_rw(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .unwrap_or_else(|e| panic!("SQLite cannot open {}: {e}", path.display()))
}

/// Every table's row count, rowid sum and largest rowid, `wardgis_actions`' undo marks,
/// `sqlite_sequence` and the layers' extents: equal snapshots mean equal contents for all
/// that an action writes (timestamps aside).
type Snapshot = BTreeMap<String, String>;

fn snapshot(conn: &Connection) -> Snapshot {
    let mut s = Snapshot::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in tables {
        let q = format!("SELECT count(*), coalesce(sum(rowid), 0), coalesce(max(rowid), 0) FROM \"{t}\"");
        let (n, sum, max): (i64, i64, i64) = conn.query_row(&q, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        s.insert(format!("rows of {t}"), format!("{n} (rowid sum {sum}, max {max})"));
    }
    let undone: Option<i64> = conn.query_row("SELECT sum(undone_by) FROM wardgis_actions", [], |r| r.get(0)).unwrap();
    s.insert("undo marks of wardgis_actions".into(), format!("{undone:?}"));
    let mut stmt = conn.prepare("SELECT name, seq FROM sqlite_sequence").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).unwrap() {
        let (name, seq) = row.unwrap();
        s.insert(format!("sqlite_sequence of {name}"), seq.to_string());
    }
    let mut stmt = conn
        .prepare("SELECT table_name, quote(min_x), quote(max_x), quote(min_y), quote(max_y) FROM gpkg_contents WHERE data_type = 'features'")
        .unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))).unwrap() {
        let (t, a, b, c, d) = row.unwrap();
        s.insert(format!("extent of {t}"), format!("{a} {b} {c} {d}"));
    }
    s
}

/// Feature counts of the layers and of the result tables, from a snapshot.
fn counts(s: &Snapshot) -> Vec<(String, i64)> {
    s.iter()
        .filter_map(|(k, v)| {
            let t = k.strip_prefix("rows of ")?;
            let keep = ["chargers", "billboards", "wardgis_results", "wardgis_orders"].contains(&t);
            keep.then(|| (t.to_owned(), v.split(' ').next().unwrap().parse().unwrap()))
        })
        .collect()
}

fn diff(before: &Snapshot, after: &Snapshot, got: &Snapshot) -> String {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).chain(got.keys()).collect();
    let mut out = String::new();
    for k in keys {
        let (b, a, g) = (before.get(k), after.get(k), got.get(k));
        if b != g || a != g {
            out.push_str(&format!("\n  {k}: before {b:?}, after {a:?}, found {g:?}"));
        }
    }
    out
}

fn layers(conn: &Connection) -> Vec<String> {
    conn.prepare("SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn int(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Everything that must hold in a file wardgis wrote, whatever was killed; each problem found
/// is one line naming what disagrees.
fn check_consistent(conn: &Connection) -> Vec<String> {
    let mut problems = Vec::new();
    let integrity: Vec<String> =
        conn.prepare("PRAGMA integrity_check").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    if integrity != ["ok"] {
        problems.push(format!("PRAGMA integrity_check: {integrity:?}"));
    }

    // Each layer: its R-tree is valid, holds exactly the fids with a geometry, and the
    // extent in gpkg_contents is the R-tree's; its six triggers are there.
    let mut table_fids: HashMap<String, HashSet<i64>> = HashMap::new();
    for t in layers(conn) {
        let rtree = format!("rtree_{t}_geom");
        let check: String = conn.query_row(&format!("SELECT rtreecheck('{rtree}')"), [], |r| r.get(0)).unwrap();
        if check != "ok" {
            problems.push(format!("rtreecheck('{rtree}'): {check}"));
        }
        let with_geom = int(conn, &format!("SELECT count(*) FROM \"{t}\" WHERE geom IS NOT NULL"));
        let in_rtree = int(conn, &format!("SELECT count(*) FROM \"{rtree}\""));
        let stray = int(conn, &format!("SELECT count(*) FROM \"{rtree}\" WHERE id NOT IN (SELECT fid FROM \"{t}\" WHERE geom IS NOT NULL)"));
        if with_geom != in_rtree || stray != 0 {
            problems.push(format!("`{t}` has {with_geom} geometries, its R-tree {in_rtree} rows ({stray} of them for no geometry)"));
        }
        let extent_ok = int(
            conn,
            &format!(
                "SELECT (min_x IS (SELECT min(minx) FROM \"{rtree}\")) AND (max_x IS (SELECT max(maxx) FROM \"{rtree}\"))
                    AND (min_y IS (SELECT min(miny) FROM \"{rtree}\")) AND (max_y IS (SELECT max(maxy) FROM \"{rtree}\"))
                 FROM gpkg_contents WHERE table_name = '{t}'"
            ),
        );
        if extent_ok != 1 {
            problems.push(format!("gpkg_contents' extent of `{t}` is not its R-tree's"));
        }
        let triggers = int(conn, &format!("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{t}' AND name LIKE 'rtree_{t}_geom_%'"));
        if triggers != 6 {
            problems.push(format!("`{t}` has {triggers} of the six gpkg_rtree_index triggers"));
        }
        let fids: HashSet<i64> =
            conn.prepare(&format!("SELECT fid FROM \"{t}\"")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        table_fids.insert(t, fids);
    }

    // The edit log, replayed in order (undo actions log what they did too), says which fids
    // each layer holds; the tables must hold exactly those.
    let mut last_op: HashMap<(String, i64), String> = HashMap::new();
    let mut stmt = conn.prepare("SELECT layer, fid, op FROM wardgis_edit_log ORDER BY id").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))).unwrap() {
        let (layer, fid, op) = row.unwrap();
        last_op.insert((layer, fid), op);
    }
    for (t, fids) in &table_fids {
        let logged: HashSet<i64> = last_op.iter().filter(|((l, _), op)| l == t && *op != "delete").map(|((_, f), _)| *f).collect();
        let missing: Vec<_> = logged.difference(fids).take(5).collect();
        let unlogged: Vec<_> = fids.difference(&logged).take(5).collect();
        if !missing.is_empty() || !unlogged.is_empty() {
            problems.push(format!(
                "`{t}`: the edit log says {} feature(s) exist, the table holds {}; logged but absent (first 5): {missing:?}; present but not logged or logged deleted: {unlogged:?}",
                logged.len(),
                fids.len()
            ));
        }
    }

    // Actions and their rows.
    let orphan_checks = [
        ("edit-log rows of no action", "SELECT count(*) FROM wardgis_edit_log WHERE action_id NOT IN (SELECT id FROM wardgis_actions)"),
        ("results of no action", "SELECT count(*) FROM wardgis_results WHERE action NOT IN (SELECT id FROM wardgis_actions WHERE kind = 'results')"),
        ("result items of no result", "SELECT count(*) FROM wardgis_result_items WHERE result_id NOT IN (SELECT id FROM wardgis_results)"),
        ("orders of no action", "SELECT count(*) FROM wardgis_orders WHERE action NOT IN (SELECT id FROM wardgis_actions)"),
        ("order events of no order", "SELECT count(*) FROM wardgis_order_events WHERE order_id NOT IN (SELECT id FROM wardgis_orders)"),
        ("order events of no action", "SELECT count(*) FROM wardgis_order_events WHERE action NOT IN (SELECT id FROM wardgis_actions)"),
        ("orders without an event", "SELECT count(*) FROM wardgis_orders WHERE id NOT IN (SELECT order_id FROM wardgis_order_events)"),
        ("plans of no action", "SELECT count(*) FROM wardgis_plans WHERE action NOT IN (SELECT id FROM wardgis_actions WHERE kind = 'plan')"),
        ("plan units of no plan", "SELECT count(*) FROM wardgis_plan_units WHERE plan NOT IN (SELECT name FROM wardgis_plans)"),
        ("undo marks naming no undo action", "SELECT count(*) FROM wardgis_actions a WHERE undone_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM wardgis_actions u WHERE u.id = a.undone_by AND u.kind = 'undo' AND u.id > a.id)"),
        ("undo actions that undid nothing or more than one action", "SELECT count(*) FROM wardgis_actions u WHERE kind = 'undo' AND (SELECT count(*) FROM wardgis_actions a WHERE a.undone_by = u.id) != 1"),
    ];
    for (what, sql) in orphan_checks {
        let n = int(conn, sql);
        if n != 0 {
            problems.push(format!("{n} {what}"));
        }
    }
    let actions: Vec<(i64, String, String, Option<i64>)> = conn
        .prepare("SELECT id, kind, summary, undone_by FROM wardgis_actions ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let log_rows = |id: i64, op: Option<&str>| {
        conn.query_row(
            "SELECT count(*) FROM wardgis_edit_log WHERE action_id = ?1 AND (?2 IS NULL OR op = ?2)",
            rusqlite::params![id, op],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    };
    for (id, kind, summary, undone_by) in &actions {
        let undone = undone_by.is_some();
        match kind.as_str() {
            "insert" => {
                // "import 20000 feature(s) from …", "demo district (seed 1): 330 generated features"
                if let Some(n) = number_before(summary, "feature") {
                    let logged = log_rows(*id, Some("insert"));
                    if logged != n {
                        problems.push(format!("action #{id} `{summary}` logged {logged} inserted feature(s)"));
                    }
                }
            }
            "results" => {
                let inspected = number_before(summary, "site(s) inspected");
                let not_visited = number_before(summary, "not visited");
                let opened = number_before(summary, "order(s) opened");
                let rows = int(conn, &format!("SELECT count(*) FROM wardgis_results WHERE action = {id}"));
                let orders = int(conn, &format!("SELECT count(*) FROM wardgis_orders WHERE action = {id}"));
                let opened_events = int(conn, &format!("SELECT count(*) FROM wardgis_order_events WHERE action = {id}"));
                let (want_rows, want_orders) = if undone { (0, 0) } else { (inspected.unwrap_or(-1) + not_visited.unwrap_or(-1), opened.unwrap_or(-1)) };
                if rows != want_rows || orders != want_orders || opened_events != want_orders {
                    problems.push(format!(
                        "action #{id} `{summary}`{}: {rows} result row(s), {orders} order(s), {opened_events} opening event(s)",
                        if undone { " (undone)" } else { "" }
                    ));
                }
            }
            "plan" => {
                let plans = int(conn, &format!("SELECT count(*) FROM wardgis_plans WHERE action = {id}"));
                if plans != i64::from(!undone) {
                    problems.push(format!("action #{id} `{summary}`{}: {plans} plan row(s)", if undone { " (undone)" } else { "" }));
                }
            }
            "order" => {
                let events = int(conn, &format!("SELECT count(*) FROM wardgis_order_events WHERE action = {id}"));
                if (events > 0) == undone {
                    problems.push(format!("action #{id} `{summary}`{}: {events} event(s)", if undone { " (undone)" } else { "" }));
                }
            }
            _ => {}
        }
        // An undo of a feature action logs one change per change it reverses.
        if let (Some(u), "insert" | "update" | "delete") = (undone_by, kind.as_str()) {
            let (mine, theirs) = (log_rows(*id, None), log_rows(*u, None));
            if mine != theirs {
                problems.push(format!("action #{id} `{summary}` logged {mine} change(s), its undo #{u} {theirs}"));
            }
        }
    }
    problems
}

/// The integer just before `word` in `text` ("import 20000 feature(s)", "330 generated features"
/// skip one word), if any.
fn number_before(text: &str, word: &str) -> Option<i64> {
    let at = text.find(word)?;
    let words: Vec<&str> = text[..at].split_whitespace().collect();
    words.iter().rev().take(2).find_map(|w| w.parse().ok())
}

// ---------------------------------------------------------------------------------------
// Generated input files and small helpers.

/// Chargers spread over the demo district, deterministic from `salt`.
fn charger(i: usize, salt: u64) -> (String, f64, f64, &'static str, i64) {
    let mut r = SplitMix64(salt.wrapping_mul(1_000_003).wrapping_add(i as u64));
    let (x, y) = (119.79 + 0.06 * r.next_f64(), 31.33 + 0.06 * r.next_f64());
    (format!("桩{salt}-{i}"), x, y, if i.is_multiple_of(3) { "car" } else { "ebike" }, 1 + (i % 8) as i64)
}

fn write_chargers_csv(path: &Path, n: usize, salt: u64) {
    let mut text = String::from("name,lon,lat,vehicle_type,ports,operator,scan_to_pay\n");
    for i in 0..n {
        let (name, x, y, v, p) = charger(i, salt);
        text.push_str(&format!("{name},{x:.7},{y:.7},{v},{p},宜兴供电,{}\n", ["yes", "no"][i % 2]));
    }
    std::fs::write(path, text).unwrap();
}

fn write_chargers_geojson(path: &Path, n: usize, salt: u64) {
    let features: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let (name, x, y, v, p) = charger(i, salt);
            serde_json::json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
                "properties": {"name": name, "vehicle_type": v, "ports": p, "scan_to_pay": i % 2 == 0}})
        })
        .collect();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(path, fc.to_string()).unwrap();
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    let v = std::env::var(name).ok()?;
    Some(v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// SplitMix64: a few lines, fixed output for a seed on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn the_checks_catch_a_half_written_action() {
    // The checks can fail: a feature without its R-tree entry, a feature the log says exists
    // but the table lacks, a lost trigger, and an action without its rows are all reported.
    let dir = tempfile::tempdir().unwrap();
    let project = demo_copy(dir.path());
    let csv = dir.path().join("few.csv");
    write_chargers_csv(&csv, 10, 9);
    ok(wardgis(&["import", project.to_str().unwrap(), "chargers", csv.to_str().unwrap()]));
    let conn = open_rw(&project);
    assert_eq!(check_consistent(&conn), Vec::<String>::new());
    let before = snapshot(&conn);
    let fid: i64 = conn.query_row("SELECT max(fid) FROM chargers", [], |r| r.get(0)).unwrap();
    conn.execute("DELETE FROM rtree_chargers_geom WHERE id = ?1", [fid]).unwrap();
    let problems = check_consistent(&conn);
    assert!(problems.iter().any(|p| p.contains("`chargers` has") && p.contains("its R-tree")), "{problems:#?}");
    // Plain SQLite lacks the ST_ functions the triggers call: drop one to delete the row.
    conn.execute_batch("DROP TRIGGER rtree_chargers_geom_delete").unwrap();
    conn.execute("DELETE FROM chargers WHERE fid = ?1", [fid]).unwrap();
    let problems = check_consistent(&conn);
    assert!(problems.iter().any(|p| p.contains("logged but absent") && p.contains(&fid.to_string())), "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains("has 5 of the six")), "{problems:#?}");
    conn.execute(
        "INSERT INTO wardgis_actions (at, kind, summary) VALUES ('now', 'results', 'results of plan `p`: 2 site(s) inspected, 1 not visited, 0 order(s) opened')",
        [],
    )
    .unwrap();
    let problems = check_consistent(&conn);
    assert!(problems.iter().any(|p| p.contains("plan `p`") && p.contains(": 0 result row(s)")), "{problems:#?}");
    // A snapshot tells the changed file from the one before and names what differs.
    let now = snapshot(&conn);
    assert_ne!(now, before);
    assert!(diff(&before, &before, &now).contains("rows of chargers"), "{}", diff(&before, &before, &now));
}
