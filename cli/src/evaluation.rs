//! `wardgis sample`, `sample-size`, `plans`, `sheets`, `results import` and `estimate`: check the combination of
//! options (a wrong one is a usage error, exit 2, before the project is opened), call core,
//! print JSON.

use std::io::Write;

use serde_json::json;
use wardgis::sampling::{self, Allocation, Design, DesignSpec, FrameSpec};
use wardgis::{io, Project};

use crate::args::{AllocationArg, DesignArg, SampleArgs, SampleSizeArgs};
use crate::commands::Failure;

/// The allocation of `--allocation` (default proportional) with `--sd` for Neyman.
fn allocation(arg: Option<AllocationArg>, sd: &Option<std::collections::BTreeMap<String, f64>>) -> Result<Allocation, Failure> {
    match (arg.unwrap_or(AllocationArg::Proportional), sd) {
        (AllocationArg::Neyman, Some(sd)) => Ok(Allocation::Neyman { prior_sd: sd.clone() }),
        (AllocationArg::Neyman, None) => Err(Failure::Usage(
            "--allocation neyman needs --sd STRATUM=SD,… (a prior standard deviation for every stratum)".into(),
        )),
        (_, Some(_)) => Err(Failure::Usage("--sd is only used with --allocation neyman".into())),
        (AllocationArg::Proportional, None) => Ok(Allocation::Proportional),
        (AllocationArg::Equal, None) => Ok(Allocation::Equal),
    }
}

/// The design the options ask for, or the usage error that says which option is missing.
fn design(a: &SampleArgs) -> Result<Design, Failure> {
    if a.prob.is_some() && a.design != DesignArg::Grts {
        return Err(Failure::Usage("--prob (unequal probabilities) needs --design grts".into()));
    }
    match a.design {
        DesignArg::Stratified => {
            if a.strata.is_none() {
                return Err(Failure::Usage(
                    "--design stratified needs --strata FIELD or LAYER (e.g. --strata type, --strata communities)".into(),
                ));
            }
            Ok(Design::Stratified { allocation: allocation(a.allocation, &a.sd)? })
        }
        other => {
            if a.allocation.is_some() || a.sd.is_some() {
                return Err(Failure::Usage("--allocation and --sd are only used with --design stratified".into()));
            }
            Ok(match other {
                DesignArg::Srs => Design::Srs,
                _ => Design::Grts { unequal: a.prob.is_some() },
            })
        }
    }
}

pub fn sample(catalog: wardgis::Catalog, a: &SampleArgs) -> Result<(), Failure> {
    let design = design(a)?;
    if a.name.trim().is_empty() {
        return Err(Failure::Usage("--name: expected a plan name".into()));
    }
    let p = Project::open(&a.project, catalog)?;
    let area = a.within.as_deref().map(io::read_area).transpose()?;
    let frame_spec = FrameSpec {
        layers: a.layer.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
        filter: a.filter.clone(),
        within: a.within.as_ref().map(|w| w.display().to_string()),
        strata: a.strata.clone(),
        prob: a.prob.clone(),
    };
    let frame = sampling::build_frame(&p, &frame_spec, area.as_ref())?;
    let spec = DesignSpec { design, n: a.n, over: a.over, min_dist_m: a.min_dist };
    let drawn = sampling::draw(&frame, &spec, a.seed)?;
    p.save_plan(&sampling::plan_record(&a.name, &frame_spec, &spec, a.seed, &frame, &drawn))?;
    let mut features = Vec::with_capacity(drawn.sites.len());
    for s in &drawn.sites {
        let u = &frame.units[s.unit];
        let kind = p.catalog().kind(&u.layer)?;
        let f = p.feature(&u.layer, u.fid)?;
        features.push(io::feature_to_geojson(
            kind,
            &f,
            &[
                ("site_no", json!(s.site_no)),
                ("id", json!(u.fid)),
                ("layer", json!(u.layer)),
                ("stratum", json!(s.stratum)),
                ("inclusion_prob", json!(s.inclusion_prob)),
                ("replacement", json!(s.replacement)),
            ],
        ));
    }
    eprintln!(
        "plan `{}`: {} site(s) ({} base, {} replacement) from {} unit(s), seed {}",
        a.name,
        drawn.sites.len(),
        a.n,
        a.over,
        frame.len(),
        a.seed
    );
    print_json(&io::feature_collection(features))
}

pub fn sample_size(a: &SampleSizeArgs) -> Result<(), Failure> {
    let population = match (&a.strata_sizes, a.population) {
        (Some(s), Some(n)) if s.values().sum::<u64>() != n => {
            return Err(Failure::Usage(format!(
                "--N {n} differs from the sum of --strata-sizes ({}); give one or make them agree",
                s.values().sum::<u64>()
            )))
        }
        (Some(s), _) => Some(s.values().sum()),
        (None, n) => n,
    };
    if a.strata_sizes.is_none() && (a.allocation.is_some() || a.sd.is_some()) {
        return Err(Failure::Usage("--allocation and --sd need --strata-sizes STRATUM=N,…".into()));
    }
    let size = sampling::sample_size_proportion(a.moe, a.conf, a.p, population)?;
    let mut out = json!({"n0": size.n0, "n": size.n, "z": size.z, "moe": a.moe, "conf": a.conf, "p": a.p, "N": population});
    if let Some(strata) = &a.strata_sizes {
        let alloc = allocation(a.allocation, &a.sd)?;
        let per = sampling::sample_size_stratified(a.moe, a.conf, a.p, strata, &alloc)?;
        out["strata"] = json!(per);
        out["allocation"] = json!(alloc);
    }
    print_json(&out)
}

pub fn plans(p: &Project, as_json: bool) -> Result<(), Failure> {
    let plans = p.plans()?;
    if as_json {
        return print_json(&json!(plans));
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:<20} {:<11} {:>5} {:>5} {:>6} {:>20}  {:<30} layers", "name", "design", "n", "over", "N", "seed", "created").ok();
    for s in plans {
        writeln!(
            out,
            "{:<20} {:<11} {:>5} {:>5} {:>6} {:>20}  {:<30} {}",
            s.name,
            s.design,
            s.n,
            s.over,
            s.frame_size,
            s.seed,
            s.created,
            s.layers.join(",")
        )
        .ok();
    }
    Ok(())
}

fn print_json(v: &serde_json::Value) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, v).map_err(|e| Failure::Usage(e.to_string()))?;
    writeln!(stdout).ok();
    Ok(())
}

/// `wardgis sheets`: writes the workbook and prints one line per sheet.
pub fn sheets(p: &Project, plan: &str, out: &std::path::Path, evaluators: usize) -> Result<(), Failure> {
    let s = wardgis::evaluation::write_workbook(p, plan, evaluators, out)?;
    let mut o = std::io::stdout().lock();
    for (name, (base, repl)) in s.sheets.iter().zip(&s.sites) {
        let _ = writeln!(o, "{name}: {base} sites, {repl} replacement sites");
    }
    let _ = writeln!(o, "wrote {} ({} checklist columns)", out.display(), s.item_columns);
    Ok(())
}

/// `wardgis results import`: checks and stores the results; prints a one-line summary.
pub fn results_import(p: &Project, plan: &str, file: &std::path::Path) -> Result<(), Failure> {
    let (r, orders) = wardgis::evaluation::import_results(p, plan, file)?;
    let visited: Vec<_> = r.iter().filter(|r| r.visited).collect();
    let passed = visited.iter().filter(|r| r.passed == Some(true)).count();
    let _ = writeln!(
        std::io::stdout().lock(),
        "plan `{plan}`: imported {} inspected site(s) ({passed} passed), {} not visited; opened {} rectification order(s)",
        visited.len(),
        r.len() - visited.len(),
        orders.len()
    );
    Ok(())
}

/// `wardgis estimate`: prints the table; writes the CSV with `--out`.
pub fn estimate(p: &Project, plan: &str, out: Option<&std::path::Path>) -> Result<(), Failure> {
    let rows = wardgis::evaluation::plan_estimates(p, plan, 0.95)?;
    if let Some(path) = out {
        wardgis::evaluation::estimates_table(&rows).write(path, "估计 estimates")?;
    }
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{:<16} {:>4} {:>6}  {:>24}  {:>24}", "stratum", "n", "N", "mean score % (95% CI)", "pass rate % (95% CI)");
    for r in &rows {
        let (m, q) = (&r.mean_score, &r.pass_rate);
        let _ = writeln!(
            o,
            "{:<16} {:>4} {:>6}  {:>6.1} ({:>5.1} – {:>5.1})  {:>6.1} ({:>5.1} – {:>5.1})",
            r.stratum, r.n, r.big_n, m.estimate, m.ci_low, m.ci_high,
            100.0 * q.estimate, 100.0 * q.ci_low, 100.0 * q.ci_high
        );
    }
    Ok(())
}
