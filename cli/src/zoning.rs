//! `join` and `grid`: call `wardgis::zoning`, print its report.

use std::io::Write;

use serde_json::json;
use wardgis::zoning::grid::{make_grid, GridReport};
use wardgis::zoning::join::{join as join_layers, JoinReport, Unplaced};
use wardgis::Project;

use crate::commands::Failure;

pub fn join(p: &Project, layer: &str, to: &[String], as_json: bool) -> Result<(), Failure> {
    let targets: Vec<&str> = to.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
    let r = join_layers(p, layer, &targets)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", serde_json::to_string_pretty(&join_json(&r)).expect("json")).ok();
        return Ok(());
    }
    match &r.action {
        Some(a) => writeln!(out, "{a}"),
        None => writeln!(out, "join `{}`: nothing changed ({} feature(s) already as joined)", r.layer, r.features),
    }
    .ok();
    writeln!(out, "{:<14} {:>7} {:>12} {:>8}  fields", "to", "placed", "on boundary", "in none").ok();
    for t in &r.targets {
        writeln!(out, "{:<14} {:>7} {:>12} {:>8}  {}", t.layer, t.placed, t.on_boundary.len(), t.outside.len(), t.fields.join(", ")).ok();
    }
    for t in &r.targets {
        for u in &t.outside {
            writeln!(out, "in no {}: fid {}{}", t.layer, u.fid, name(u)).ok();
        }
        for u in &t.on_boundary {
            writeln!(out, "on a boundary of {}: fid {}{}", t.layer, u.fid, name(u)).ok();
        }
    }
    Ok(())
}

fn name(u: &Unplaced) -> String {
    u.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default()
}

fn join_json(r: &JoinReport) -> serde_json::Value {
    let list = |v: &[Unplaced]| v.iter().map(|u| json!({"fid": u.fid, "name": u.name})).collect::<Vec<_>>();
    json!({
        "layer": r.layer,
        "features": r.features,
        "updated": r.updated,
        "action": r.action,
        "targets": r.targets.iter().map(|t| json!({
            "layer": t.layer,
            "fields": t.fields,
            "placed": t.placed,
            "on_boundary": list(&t.on_boundary),
            "outside": list(&t.outside),
        })).collect::<Vec<_>>(),
    })
}

pub fn grid(p: &Project, cell_m: f64, as_json: bool) -> Result<(), Failure> {
    let r: GridReport = make_grid(p, cell_m)?;
    let diff = if r.communities_area_m2 > 0.0 { (r.cells_area_m2 - r.communities_area_m2) / r.communities_area_m2 * 100.0 } else { 0.0 };
    let mut out = std::io::stdout().lock();
    if as_json {
        let v = json!({
            "layer": wardgis::zoning::grid::LAYER,
            "cell_m": r.cell_m,
            "cells": r.cells,
            "replaced": r.replaced,
            "cells_area_m2": r.cells_area_m2,
            "communities_area_m2": r.communities_area_m2,
            "per_community": r.per_community.iter().map(|(c, n)| json!({"community": c, "cells": n})).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v).expect("json")).ok();
        return Ok(());
    }
    writeln!(
        out,
        "grid_cells: {} cell(s) of {} m in {} communities (replaced {})",
        r.cells,
        r.cell_m,
        r.per_community.len(),
        r.replaced
    )
    .ok();
    writeln!(out, "area: cells {:.1} m², communities {:.1} m² ({diff:+.5} %)", r.cells_area_m2, r.communities_area_m2).ok();
    for (c, n) in &r.per_community {
        writeln!(out, "{n:>5}  {c}").ok();
    }
    Ok(())
}
