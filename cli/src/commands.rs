//! One function per subcommand: call the core, format its answer.

use std::io::Write;
use std::path::Path;

use serde_json::json;
use wardgis::filter::Filter;
use wardgis::io;
use wardgis::{Catalog, Error, Project};

use crate::args::{Cli, Command, QueryArgs};

/// Why a command failed: the user's call (exit 2) or the data (exit 1).
pub enum Failure {
    Usage(String),
    Data(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Data(e)
    }
}

type Outcome = Result<(), Failure>;

pub fn run(cli: Cli) -> Outcome {
    let catalog = match cli.catalog.as_ref().or(cli.layers_dir.as_ref()) {
        Some(dir) => Catalog::load_dir(dir)?,
        None => Catalog::discover()?,
    };
    match cli.command {
        Command::Demo { out, seed } => demo(&out, catalog, seed),
        Command::New { out } => {
            Project::create(&out, catalog)?;
            eprintln!("created {}", out.display());
            Ok(())
        }
        Command::Layers { project, json } => layers(&Project::open(&project, catalog)?, json),
        Command::Import { project, layer, file, crs, encoding, sheet, source_layer, skip_bad, columns } => {
            let opts = io::ImportOptions { crs, encoding, sheet, source_layer, skip_bad, columns };
            import(&Project::open(&project, catalog)?, &layer, &file, &opts)
        }
        Command::Export { project, layer, out, crs, encoding } => {
            let p = Project::open(&project, catalog)?;
            let kind = p.catalog().kind(&layer)?;
            let features = p.features(&layer)?;
            io::write_features(&out, kind, &features, &io::ExportOptions { crs, encoding })?;
            eprintln!("wrote {} feature(s) of `{layer}` to {}", features.len(), out.display());
            Ok(())
        }
        Command::Query(q) => query(&Project::open(&q.project, catalog)?, &q),
        Command::Tile { project, layer, z, x, y } => tile(&project, catalog, &layer, z, x, y),
        Command::Sample(a) => crate::evaluation::sample(catalog, &a),
        Command::SampleSize(a) => crate::evaluation::sample_size(&a),
        Command::Plans { project, json } => crate::evaluation::plans(&Project::open(&project, catalog)?, json),
        Command::Sheets { project, plan, out, evaluators } => {
            crate::evaluation::sheets(&Project::open(&project, catalog)?, &plan, &out, evaluators as usize)
        }
        Command::Results(crate::args::ResultsCommand::Import { project, plan, file }) => {
            crate::evaluation::results_import(&Project::open(&project, catalog)?, &plan, &file)
        }
        Command::Estimate { project, plan, out } => {
            crate::evaluation::estimate(&Project::open(&project, catalog)?, &plan, out.as_deref())
        }
        Command::Orders(a) => crate::orders::run(catalog, &a),
        Command::Undo { project } => {
            let p = Project::open(&project, catalog)?;
            match p.undo()? {
                Some(a) => println!("undid action #{} ({}, {}): {}", a.id, a.kind, a.at, a.summary),
                None => println!("nothing to undo"),
            }
            Ok(())
        }
        Command::Redo { project } => {
            let p = Project::open(&project, catalog)?;
            match p.redo()? {
                Some(a) => println!("redid action #{} ({}, {}): {}", a.id, a.kind, a.at, a.summary),
                None => println!("nothing to redo"),
            }
            Ok(())
        }
        Command::Join { project, layer, to, json } => crate::zoning::join(&Project::open(&project, catalog)?, &layer, &to, json),
        Command::Grid { project, cell, json } => crate::zoning::grid(&Project::open(&project, catalog)?, cell, json),
        Command::Print { project, ward, subdistrict, all, paper, landscape, layers, png, dpi, office, date, out } => {
            let which = match (ward, subdistrict, all) {
                (Some(w), _, _) => wardgis::print::ward_map::WardChoice::Ward(w),
                (_, Some(s), _) => wardgis::print::ward_map::WardChoice::Subdistrict(s),
                _ => wardgis::print::ward_map::WardChoice::All,
            };
            let request = crate::printing::Request { paper, landscape, layers, png, dpi, office, date, out };
            crate::printing::print(&Project::open(&project, catalog)?, &which, &request)
        }
        Command::Zone { action } => crate::planning::zone(catalog, action),
        Command::Plan { action } => crate::planning::plan(catalog, action),
        Command::History { project, limit } => {
            let p = Project::open(&project, catalog)?;
            for a in p.history(limit)? {
                let undone = a.undone_by.map(|u| format!(" (undone by #{u})")).unwrap_or_default();
                println!("#{:<5} {}  {:<7} {:<22} {}{undone}", a.id, a.at, a.kind, a.layer.unwrap_or_default(), a.summary);
            }
            Ok(())
        }
    }
}

fn demo(out: &Path, catalog: Catalog, seed: u64) -> Outcome {
    let p = wardgis::demo::create_project(out, catalog, seed)?;
    eprintln!("created {} (demo district, seed {seed}; generated data, see assets/README.md)", out.display());
    layers(&p, false)
}

fn layers(p: &Project, as_json: bool) -> Outcome {
    let infos = p.layers()?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let rows: Vec<_> = infos
            .iter()
            .map(|l| json!({"layer": l.kind.id, "name_zh": l.kind.name_zh, "name_en": l.kind.name_en,
                "kind": group_name(l.kind.group), "geometry": l.kind.geometry.gpkg_name(), "count": l.count}))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows).expect("json")).ok();
        return Ok(());
    }
    writeln!(out, "{:<22} {:<10} {:<14} {:>7}  name", "layer", "kind", "geometry", "count").ok();
    for l in infos {
        writeln!(
            out,
            "{:<22} {:<10} {:<14} {:>7}  {} / {}",
            l.kind.id,
            group_name(l.kind.group),
            l.kind.geometry.gpkg_name(),
            l.count,
            l.kind.name_zh,
            l.kind.name_en
        )
        .ok();
    }
    Ok(())
}

fn group_name(g: wardgis::catalog::LayerGroup) -> &'static str {
    use wardgis::catalog::LayerGroup::*;
    match g {
        Facility => "facility",
        Context => "context",
        Basemap => "basemap",
        Planning => "planning",
    }
}

fn import(p: &Project, layer: &str, file: &Path, opts: &io::ImportOptions) -> Outcome {
    p.catalog().kind(layer)?;
    if std::fs::canonicalize(file).ok() == std::fs::canonicalize(p.path()).ok() {
        return Err(Failure::Usage(format!("{} is the project itself; import from another file", file.display())));
    }
    let size = std::fs::metadata(file).map_err(|source| Error::Io { path: file.to_owned(), source })?.len();
    let observer = crate::progress::Terminal::new(size);
    let result = p.import_file(layer, file, opts, &observer);
    observer.finish();
    let report = result?;
    for w in &report.warnings {
        eprintln!("wardgis: warning: {w}");
    }
    for s in &report.skipped {
        eprintln!("wardgis: skipped: {s}");
    }
    if report.skipped_total > report.skipped.len() as u64 {
        eprintln!("wardgis: skipped: … and {} more bad row(s) not shown", report.skipped_total - report.skipped.len() as u64);
    }
    let n = report.imported;
    let skipped = if report.skipped_total == 0 { String::new() } else { format!("; skipped {} bad row(s)", report.skipped_total) };
    eprintln!("imported {n} feature(s) into `{layer}`{skipped}");
    Ok(())
}

fn tile(project: &Path, catalog: Catalog, layer: &str, z: u8, x: u32, y: u32) -> Outcome {
    let id = wardgis::tiles::TileId::new(z, x, y)?;
    let bytes = wardgis::tiles::layer_tile(&Project::open(project, catalog)?, layer, id)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Io { path: "standard output".into(), source })?;
    Ok(())
}

fn query(p: &Project, q: &QueryArgs) -> Outcome {
    let kind = p.catalog().kind(&q.layer)?;
    // A wrong expression is a wrong argument (exit 2), told with its column.
    let filter = match &q.filter {
        Some(text) => Some(Filter::parse(kind, text).map_err(|e| Failure::Usage(format!("--filter: {e}")))?),
        None => None,
    };
    let matching = filter.as_ref().map(|f| p.query_fids(&q.layer, Some(f), None)).transpose()?;
    // The line buffer reads the chosen feature and the layer's R-tree itself.
    let along: Option<Vec<(i64, Option<f64>)>> = match &q.along {
        Some((of_layer, fid)) => {
            p.catalog().kind(of_layer)?;
            let m = q.meters.ok_or_else(|| Failure::Usage("--along needs --meters M".into()))?;
            if !(m.is_finite() && m >= 0.0) {
                return Err(Failure::Usage(format!("--meters {m}: expected a distance of 0 or more metres")));
            }
            Some(p.near_feature(&q.layer, of_layer, *fid, m)?.into_iter().map(|h| (h.fid, Some(h.distance_m))).collect())
        }
        None => None,
    };
    let index = p.index(&q.layer)?;
    let mut hits: Vec<(i64, Option<f64>)> = if let Some([w, s, e, n]) = q.bbox {
        index.bbox(geo_types::Rect::new((w, s), (e, n))).into_iter().map(|f| (f, None)).collect()
    } else if let Some([lon, lat]) = q.near {
        let k = q.k.ok_or_else(|| Failure::Usage("--near needs --k N".into()))?;
        index.nearest(geo_types::Coord { x: lon, y: lat }, k)?.into_iter().map(|h| (h.fid, Some(h.distance_m))).collect()
    } else if let Some([lon, lat]) = q.within {
        let m = q.meters.ok_or_else(|| Failure::Usage("--within needs --meters M".into()))?;
        if !(m.is_finite() && m >= 0.0) {
            return Err(Failure::Usage(format!("--meters {m}: expected a distance of 0 or more metres")));
        }
        index.within(geo_types::Coord { x: lon, y: lat }, m)?.into_iter().map(|h| (h.fid, Some(h.distance_m))).collect()
    } else if let Some(hits) = along {
        hits
    } else if let Some(path) = &q.in_polygon {
        let area = io::read_area(path)?;
        index.in_polygon(&area)?.into_iter().map(|f| (f, None)).collect()
    } else if let Some(fids) = &matching {
        fids.iter().map(|&f| (f, None)).collect()
    } else {
        return Err(Failure::Usage("give one of --bbox, --near, --within, --along, --in or --filter".into()));
    };
    drop(index);
    if let Some(matching) = &matching {
        hits.retain(|(fid, _)| matching.binary_search(fid).is_ok());
    }
    let fids: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let features = p.features_by_fid(&q.layer, &fids)?;
    let out: Vec<serde_json::Value> = features
        .iter()
        .zip(&hits)
        .map(|(f, (_, d))| match d {
            Some(d) => io::feature_to_geojson(kind, f, &[("distance_m", json!((d * 1000.0).round() / 1000.0))]),
            None => io::feature_to_geojson(kind, f, &[]),
        })
        .collect();
    let fc = io::feature_collection(out);
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &fc).map_err(|e| Failure::Usage(e.to_string()))?;
    writeln!(stdout).ok();
    Ok(())
}
