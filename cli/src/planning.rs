//! `wardgis zone …` and `wardgis plan …`: pilot zones, the zone report, the best new sites,
//! the coverage gaps and the kept scenarios, over `wardgis::planning`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use wardgis::io;
use wardgis::planning::coverage::DemandSpec;
use wardgis::planning::distance::DistanceMode;
use wardgis::planning::gaps::{coverage_gaps, gap_layer_kind};
use wardgis::planning::report::{zone_report, ReportOptions, ZoneReport};
use wardgis::planning::report_pdf::report_pdf;
use wardgis::planning::report_xlsx::write_report_xlsx;
use wardgis::planning::scenarios::{remove_scenario, save_scenario, scenarios};
use wardgis::planning::suggest::{suggest, Candidates, SuggestOptions, Suggestion};
use wardgis::planning::zones::{self, NewZone, ZONE_LAYER};
use wardgis::print::furniture::format_number;
use wardgis::print::PageFont;
use wardgis::{Catalog, Project};

use crate::args::{PlanCommand, PlanDemandArgs, ZoneCommand};
use crate::commands::Failure;

type Outcome = Result<(), Failure>;

pub fn zone(catalog: Catalog, action: ZoneCommand) -> Outcome {
    match action {
        ZoneCommand::Add { project, name, theme, status, author, date, note, geometry, wkt, from } => {
            let p = Project::open(&project, catalog)?;
            let outline = match (geometry, wkt, from) {
                (Some(file), _, _) => {
                    let text = std::fs::read_to_string(&file).map_err(|e| wardgis::Error::Invalid(format!("{}: {e}", file.display())))?;
                    zones::outline_from_text(&file.display().to_string(), &text)?
                }
                (_, Some(wkt), _) => zones::outline_from_text("--wkt", &wkt)?,
                (_, _, Some(from)) => {
                    let (layer, feature) = from
                        .split_once(':')
                        .ok_or_else(|| Failure::Usage(format!("--from `{from}`: expected LAYER:NAME, such as communities:袁桥社区")))?;
                    zones::outline_of_feature(&p, layer, feature)?
                }
                (None, None, None) => unreachable!("clap requires one outline"),
            };
            let fid = zones::add_zone(&p, NewZone { name: name.clone(), theme, status, author, date, note, geometry: outline })?;
            let z = zones::zone(&p, &name)?;
            eprintln!("added pilot zone `{}` (fid {fid}, {} km²); `wardgis undo` takes it back", z.name, format_number((z.area_km2 * 1000.0).round() / 1000.0));
            Ok(())
        }
        ZoneCommand::List { project, json } => {
            let p = Project::open(&project, catalog)?;
            let all = zones::zones(&p)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all).expect("zones serialize"));
                return Ok(());
            }
            println!("{:<20} {:<14} {:<9} {:<10} {:<10} {:>8}", "name", "theme", "status", "author", "date", "km²");
            for z in all {
                println!(
                    "{:<20} {:<14} {:<9} {:<10} {:<10} {:>8.3}",
                    z.name,
                    z.theme,
                    z.status,
                    z.author.as_deref().unwrap_or("-"),
                    z.date.as_deref().unwrap_or("-"),
                    z.area_km2
                );
            }
            Ok(())
        }
        ZoneCommand::Rename { project, name, new_name } => {
            zones::rename_zone(&Project::open(&project, catalog)?, &name, &new_name)?;
            eprintln!("renamed pilot zone `{name}` to `{new_name}`");
            Ok(())
        }
        ZoneCommand::Remove { project, name } => {
            zones::remove_zone(&Project::open(&project, catalog)?, &name)?;
            eprintln!("removed pilot zone `{name}`; `wardgis undo` brings it back");
            Ok(())
        }
        ZoneCommand::Export { project, out, zone } => {
            let p = Project::open(&project, catalog)?;
            let kind = p.catalog().kind(ZONE_LAYER)?;
            let mut features = p.features(ZONE_LAYER)?;
            if let Some(name) = zone {
                let z = zones::zone(&p, &name)?;
                features.retain(|f| f.fid == Some(z.fid));
            }
            io::write_features(&out, kind, &features, &io::ExportOptions::default())?;
            eprintln!("wrote {} pilot zone(s) to {}", features.len(), out.display());
            Ok(())
        }
    }
}

fn demand_spec(text: Option<&str>) -> Result<DemandSpec, Failure> {
    Ok(match text {
        Some(t) => DemandSpec::parse(t)?,
        None => DemandSpec::households_by_community(),
    })
}

fn distance(args: &PlanDemandArgs) -> Result<Option<DistanceMode>, Failure> {
    Ok(args.distance.as_deref().map(DistanceMode::parse).transpose()?)
}

pub fn plan(catalog: Catalog, action: PlanCommand) -> Outcome {
    match action {
        PlanCommand::Report { project, zone, demand, radius, map_kind, out, json } => {
            let p = Project::open(&project, catalog)?;
            let mut radius_m = BTreeMap::new();
            for r in &radius {
                let (kind, metres) = r.split_once('=').ok_or_else(|| Failure::Usage(format!("--radius `{r}`: expected KIND=METRES, such as chargers=500")))?;
                let metres: f64 = metres.trim().parse().ok().filter(|m: &f64| m.is_finite() && *m > 0.0).ok_or_else(|| {
                    Failure::Usage(format!("--radius `{r}`: `{metres}` is not a positive number of metres"))
                })?;
                radius_m.insert(kind.trim().to_owned(), metres);
            }
            let options = ReportOptions { demand: demand_spec(demand.demand.as_deref())?, distance: distance(&demand)?, radius_m };
            let report = zone_report(&p, &zone, &options)?;
            match out {
                Some(out) => write_report(&p, &report, map_kind.as_deref(), &out),
                None if json => {
                    println!("{}", serde_json::to_string_pretty(&report).expect("the report serializes"));
                    Ok(())
                }
                None => {
                    print_report(&report);
                    Ok(())
                }
            }
        }
        PlanCommand::Suggest { project, kind, n, zone, candidates, demand, radius, keep_existing, cover, save_as, unit_cost } => {
            let p = Project::open(&project, catalog)?;
            let cover = cover.as_deref().map(parse_share).transpose()?;
            let options = SuggestOptions {
                kind,
                n: n.unwrap_or(0),
                zone,
                candidates: Candidates::parse(&candidates)?,
                demand: demand_spec(demand.demand.as_deref())?,
                radius_m: radius,
                distance: distance(&demand)?,
                keep_existing,
                cover,
            };
            if options.cover.is_none() && options.n == 0 {
                return Err(Failure::Usage("--n 0: ask for at least one site".into()));
            }
            let s = suggest(&p, &options)?;
            println!("{}", serde_json::to_string_pretty(&suggestion_geojson(&s)).expect("GeoJSON serializes"));
            eprintln!("{}", s.summary_line());
            if let Some(name) = save_as {
                save_scenario(&p, &name, &s, unit_cost)?;
                eprintln!("kept the sites as scenario `{name}` (layer planning_sites); `wardgis undo` takes it back");
            }
            Ok(())
        }
        PlanCommand::Gaps { project, kind, zone, demand, radius, out } => {
            let p = Project::open(&project, catalog)?;
            let spec = demand_spec(demand.as_deref())?;
            let layer = coverage_gaps(&p, &kind, &spec, zone.as_deref(), radius)?;
            let features = layer.features();
            io::write_features(&out, &gap_layer_kind(), &features, &io::ExportOptions::default())?;
            let area: f64 = layer.gaps.iter().map(|g| g.gap_m2).sum();
            let weight: f64 = layer.gaps.iter().map(|g| g.weight).sum();
            eprintln!(
                "wrote {} gap polygon(s) to {}: {} m² of demand area beyond {} m of every {kind} (straight-line reach), about {} of demand {spec}",
                features.len(),
                out.display(),
                format_number(area.round()),
                format_number(layer.radius_m),
                format_number(weight.round())
            );
            Ok(())
        }
        PlanCommand::Scenarios { project, zone, remove } => {
            let p = Project::open(&project, catalog)?;
            if let Some(name) = remove {
                remove_scenario(&p, &name)?;
                eprintln!("removed scenario `{name}`; `wardgis undo` brings it back");
                return Ok(());
            }
            println!("{:<20} {:<16} {:<14} {:>6} {:>10}", "scenario", "zone", "kind", "sites", "cost");
            for s in scenarios(&p, zone.as_deref())? {
                let cost = s.cost().map(|c| format_number((c * 100.0).round() / 100.0)).unwrap_or_else(|| "-".into());
                println!("{:<20} {:<16} {:<14} {:>6} {:>10}", s.name, s.zone.as_deref().unwrap_or("-"), s.kind, s.sites.len(), cost);
            }
            Ok(())
        }
    }
}

/// `95%`, `95` or `0.95` as a share 0–1.
fn parse_share(text: &str) -> Result<f64, Failure> {
    let t = text.trim();
    let (number, percent) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let v: f64 = number.parse().map_err(|_| Failure::Usage(format!("--cover `{text}`: expected a share such as 95%")))?;
    let share = if percent || v > 1.0 { v / 100.0 } else { v };
    if !(share > 0.0 && share <= 1.0) {
        return Err(Failure::Usage(format!("--cover `{text}`: expected a share above 0 % and at most 100 %")));
    }
    Ok(share)
}

/// The sites as a GeoJSON FeatureCollection, with the summary as a foreign member.
fn suggestion_geojson(s: &Suggestion) -> serde_json::Value {
    let total = s.demand.total();
    let features: Vec<serde_json::Value> = s
        .sites
        .iter()
        .map(|site| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [site.at.x, site.at.y] },
                "properties": {
                    "rank": site.rank,
                    "kind": s.kind,
                    "newly_covered": site.newly_covered,
                    "newly_covered_points": site.newly_covered_points.len(),
                    "candidate_layer": site.candidate_layer,
                    "candidate_fid": site.candidate_fid,
                    "name": site.name,
                }
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "features": features,
        "summary": {
            "kind": s.kind,
            "zone": s.zone,
            "sites": s.sites.len(),
            "demand": s.demand.spec.to_string(),
            "demand_generated": s.demand.generated,
            "demand_total": total,
            "distance": s.distance.code(),
            "radius_m": s.radius_m,
            "candidates": s.candidates,
            "candidate_count": s.candidate_count,
            "keep_existing": s.keep_existing,
            "before": s.before,
            "after": s.after,
            "upper_bound": s.upper_bound,
            "guarantee": s.guarantee(),
            "proven_best": s.proven_best(),
            "cover": s.cover,
        }
    })
}

fn write_report(p: &Project, report: &ZoneReport, map_kind: Option<&str>, out: &Path) -> Outcome {
    match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => {
            let font = PageFont::find_and_load()?;
            let date = wardgis::dates::ymd(wardgis::dates::today_cst().date());
            let pdf = report_pdf(p, report, map_kind, &date, &font)?;
            std::fs::write(out, pdf).map_err(|e| wardgis::Error::Invalid(format!("{}: {e}", out.display())))?;
        }
        Some("xlsx") => write_report_xlsx(report, out)?,
        _ => return Err(Failure::Usage(format!("--out {}: the report is written as .pdf or .xlsx", out.display()))),
    }
    eprintln!("wrote the report of pilot zone `{}` to {}", report.zone.name, out.display());
    Ok(())
}

fn print_report(r: &ZoneReport) {
    let z = &r.zone;
    println!("pilot zone {} — {} ({}), {:.3} km²", z.name, z.theme, z.status, z.area_km2);
    println!(
        "demand {}: {} place(s), total {}{}; distance: {}",
        r.demand,
        r.demand_points,
        format_number(r.demand_total.round()),
        if r.generated { " (generated demo data)" } else { "" },
        r.distance.code()
    );
    println!("\nlayer                    count   per km²");
    for l in &r.layers {
        println!("{:<22} {:>7} {:>9.1}", l.layer, l.count, l.per_km2);
    }
    println!("\nkind            radius_m  in_zone    demand   covered   share");
    for c in &r.coverage {
        println!("{:<15} {:>8} {:>8} {:>9} {:>9} {:>6.1}%", c.layer, c.radius_m, c.in_zone, c.total.round(), c.covered.round(), 100.0 * c.share);
    }
    for c in &r.coverage {
        if c.uncovered.is_empty() {
            continue;
        }
        println!("\nuncovered by {} (demand, nearest facility in m):", c.layer);
        for u in &c.uncovered {
            let nearest = u.nearest_m.map(|m| format!("{:.0}", m)).unwrap_or_else(|| "none within 5 km".into());
            println!("  {:<24} {:>8} {:>10}", u.name.as_deref().unwrap_or("(unnamed)"), u.weight.round(), nearest);
        }
    }
    if !r.scenarios.is_empty() {
        println!("\nscenario             kind           sites    before     after    cost");
        for s in &r.scenarios {
            let cost = s.cost.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into());
            println!("{:<20} {:<14} {:>5} {:>9} {:>9} {:>7}", s.name, s.kind, s.sites, s.before.round(), s.after.round(), cost);
        }
    }
}
