//! The best new sites for a facility kind: which `n` candidates newly cover the most demand
//! (the maximal covering location problem, [`super::mclp`]), or the fewest that cover a target
//! share (set covering) — each answer with its proven distance from the best possible.

use geo::{BoundingRect, Intersects};
use geo_types::{Coord, MultiPolygon, Point};
use serde::Serialize;

use super::coverage::{coverage_instance, service_radius, site_points, Demand, DemandSpec};
use super::distance::{DistanceMode, Reach};
use super::mclp::{self, Instance};
use super::zones;
use crate::print::map_frame::metres_per_degree;
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// Where new sites may go.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidates {
    /// The features of a layer (car parks are where chargers usually go).
    Layer(String),
    /// A square lattice of points this many metres apart over the zone, or over the demand.
    Lattice(f64),
}

impl Candidates {
    /// Reads `LAYER` or `lattice:SPACING_M`.
    pub fn parse(text: &str) -> Result<Candidates> {
        let text = text.trim();
        match text.strip_prefix("lattice:") {
            Some(spacing) => match spacing.trim().parse::<f64>() {
                Ok(m) if m.is_finite() && m >= 5.0 => Ok(Candidates::Lattice(m)),
                _ => Err(Error::Invalid(format!("--candidates `{text}`: the lattice spacing must be a number of metres, 5 or more, as in lattice:50"))),
            },
            None if text.is_empty() => Err(Error::Invalid("--candidates: expected a layer such as parking, or lattice:50".into())),
            None => Ok(Candidates::Layer(text.to_owned())),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Candidates::Layer(l) => l.clone(),
            Candidates::Lattice(m) => format!("lattice:{m}"),
        }
    }
}

/// The question.
#[derive(Debug, Clone)]
pub struct SuggestOptions {
    /// The facility layer to add to (`chargers`).
    pub kind: String,
    /// How many new sites; ignored when `cover` asks for a share instead.
    pub n: usize,
    pub zone: Option<String>,
    pub candidates: Candidates,
    pub demand: DemandSpec,
    /// Overrides the catalog's service radius.
    pub radius_m: Option<f64>,
    /// `None`: along the streets where the project has roads, else straight.
    pub distance: Option<DistanceMode>,
    /// Count the existing facilities as built (what they cover is covered before any new
    /// site); otherwise plan as if there were none.
    pub keep_existing: bool,
    /// The set-covering question instead: the fewest sites covering this share (0–1) of demand.
    pub cover: Option<f64>,
}

/// One proposed site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedSite {
    /// 1 for the site that adds most, and so on.
    pub rank: usize,
    #[serde(skip)]
    pub at: Coord<f64>,
    /// The demand it newly covers, after the existing facilities and the sites ranked before it.
    pub newly_covered: f64,
    /// The demand points (indices into [`Suggestion::demand`]) it newly covers.
    #[serde(skip)]
    pub newly_covered_points: Vec<usize>,
    /// The candidate layer and feature, or `lattice`.
    pub candidate_layer: Option<String>,
    pub candidate_fid: Option<i64>,
    pub name: Option<String>,
}

/// The answer to the set-covering question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverAnswer {
    /// The share asked for, 0–1.
    pub target: f64,
    /// Whether the chosen sites reach it (the candidates may not be able to).
    pub reached: bool,
    /// No fewer sites can reach the target (proven by the MCLP bound); `None` when the
    /// candidates cannot reach it at all (the sites then cover all they can).
    pub fewest_possible: Option<usize>,
}

/// The answer.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub kind: String,
    pub zone: Option<String>,
    /// The zone's fid in `pilot_zones`.
    pub zone_fid: Option<i64>,
    pub sites: Vec<SuggestedSite>,
    pub demand: Demand,
    pub radius_m: f64,
    pub distance: DistanceMode,
    pub candidates: String,
    pub candidate_count: usize,
    pub keep_existing: bool,
    /// Demand covered before, by the existing facilities (0 without `keep_existing`).
    pub before: f64,
    /// Demand covered with the new sites.
    pub after: f64,
    /// No choice of as many sites covers more.
    pub upper_bound: f64,
    pub cover: Option<CoverAnswer>,
}

impl Suggestion {
    /// The share of the best possible gain the answer is at least worth, 0–1.
    pub fn guarantee(&self) -> f64 {
        let possible = self.upper_bound - self.before;
        if possible <= 1e-12 { 1.0 } else { ((self.after - self.before) / possible).clamp(0.0, 1.0) }
    }

    /// Whether no choice of as many sites does better.
    pub fn proven_best(&self) -> bool {
        self.upper_bound - self.after <= 1e-9 * self.upper_bound.max(1.0)
    }

    /// The one line a planner reads: covered before and after, and how good it is.
    pub fn summary_line(&self) -> String {
        let total = self.demand.total();
        let pct = |v: f64| if total > 0.0 { 100.0 * v / total } else { 100.0 };
        let mut line = format!(
            "{} new {} site(s): demand covered {:.0} ({:.1} %) before, {:.0} ({:.1} %) after, of {:.0}; upper bound {:.0} ({:.1} %): at least {:.1} % of the best possible gain{}; {} distance, radius {} m, demand {}{}",
            self.sites.len(),
            self.kind,
            self.before,
            pct(self.before),
            self.after,
            pct(self.after),
            total,
            self.upper_bound,
            pct(self.upper_bound),
            100.0 * self.guarantee(),
            if self.proven_best() { " (proven best)" } else { "" },
            self.distance.code(),
            self.radius_m,
            self.demand.spec,
            if self.demand.generated { " (generated demo data)" } else { "" },
        );
        match &self.cover {
            Some(CoverAnswer { target, fewest_possible: Some(fewest), .. }) => {
                line.push_str(&format!("; target {:.1} % reached; no fewer than {fewest} site(s) can reach it", 100.0 * target))
            }
            Some(CoverAnswer { target, .. }) => line.push_str(&format!(
                "; target {:.1} % NOT reachable with these candidates: the sites cover all they can",
                100.0 * target
            )),
            None => {}
        }
        line
    }
}

/// Answers the question.
pub fn suggest<S: Storage>(project: &Project<S>, options: &SuggestOptions) -> Result<Suggestion> {
    let kind = project.catalog().kind(&options.kind)?;
    let radius_m = service_radius(kind, options.radius_m)?;
    let zone = options.zone.as_deref().map(|z| zones::zone(project, z)).transpose()?;
    let area = zone.as_ref().map(|z| &z.area);
    let demand = Demand::read(project, &options.demand, area)?;
    demand.require_some(zone.as_ref().map(|z| z.name.as_str()))?;
    let reach = Reach::for_project(project, options.distance)?;
    let existing: Vec<Coord<f64>> =
        if options.keep_existing { site_points(project, &kind.id)?.into_iter().map(|(_, _, c)| c).collect() } else { Vec::new() };
    let candidates = candidate_sites(project, &options.candidates, area, &demand, radius_m)?;
    if candidates.is_empty() {
        return Err(Error::Invalid(format!(
            "--candidates {}: no candidate site{}; choose another layer or a lattice",
            options.candidates.describe(),
            if zone.is_some() { " in the zone" } else { "" }
        )));
    }
    let at: Vec<Coord<f64>> = candidates.iter().map(|c| c.at).collect();
    let instance = coverage_instance(&existing, &at, &demand.points, radius_m, &reach)?;

    let (chosen, upper_bound, cover) = match options.cover {
        None => {
            let solution = mclp::solve(&instance, options.n);
            (solution.sites, solution.upper_bound, None)
        }
        Some(target) => {
            if !(target > 0.0 && target <= 1.0) {
                return Err(Error::Invalid(format!("--cover {}: expected a share such as 95%", target * 100.0)));
            }
            cover_share(&instance, target * demand.total())
                .map(|(sites, bound, reached, fewest)| (sites, bound, Some(CoverAnswer { target, reached, fewest_possible: fewest })))?
        }
    };
    let sites = ranked(&instance, &chosen, &candidates);
    let before = instance.coverage_of(&[]);
    let after = instance.coverage_of(&chosen);
    Ok(Suggestion {
        kind: kind.id.clone(),
        zone_fid: zone.as_ref().map(|z| z.fid),
        zone: zone.map(|z| z.name),
        sites,
        demand,
        radius_m,
        distance: reach.mode(),
        candidates: options.candidates.describe(),
        candidate_count: candidates.len(),
        keep_existing: options.keep_existing,
        before,
        after,
        upper_bound: upper_bound.max(after),
        cover,
    })
}

/// A candidate site before it is chosen.
struct Candidate {
    at: Coord<f64>,
    layer: Option<String>,
    fid: Option<i64>,
    name: Option<String>,
}

/// The candidate sites: a layer's features, or lattice points — inside the zone when there is
/// one, else (for a lattice) within the radius of some demand point, where a site could serve.
fn candidate_sites<S: Storage>(
    project: &Project<S>,
    candidates: &Candidates,
    zone: Option<&MultiPolygon<f64>>,
    demand: &Demand,
    radius_m: f64,
) -> Result<Vec<Candidate>> {
    let inside = |c: Coord<f64>| zone.is_none_or(|z| z.intersects(&Point(c)));
    match candidates {
        Candidates::Layer(layer) => Ok(site_points(project, layer)?
            .into_iter()
            .filter(|(_, _, at)| inside(*at))
            .map(|(fid, name, at)| Candidate { at, layer: Some(layer.clone()), fid: Some(fid), name })
            .collect()),
        Candidates::Lattice(spacing) => {
            let bounds = match zone {
                Some(z) => z.bounding_rect(),
                None => geo_types::MultiPoint(demand.points.iter().map(|d| Point(d.at)).collect()).bounding_rect(),
            };
            let Some(bounds) = bounds else { return Ok(Vec::new()) };
            let (m_lon, m_lat) = {
                let (m_lat, m_lon) = metres_per_degree(bounds.center().y);
                (m_lon, m_lat)
            };
            let (dx, dy) = (spacing / m_lon, spacing / m_lat);
            let margin = if zone.is_some() { 0.0 } else { radius_m };
            let (x0, y0) = (bounds.min().x - margin / m_lon, bounds.min().y - margin / m_lat);
            let (nx, ny) = (((bounds.width() + 2.0 * margin / m_lon) / dx).floor() as usize + 1, ((bounds.height() + 2.0 * margin / m_lat) / dy).floor() as usize + 1);
            if nx.saturating_mul(ny) > 200_000 {
                return Err(Error::Invalid(format!(
                    "--candidates lattice:{spacing}: {nx} × {ny} points is too many; choose a wider spacing or a zone"
                )));
            }
            let near_demand = |c: Coord<f64>| demand.points.iter().any(|d| crate::crs::distance_m(d.at, c) <= radius_m);
            Ok((0..ny)
                .flat_map(|j| (0..nx).map(move |i| Coord { x: x0 + i as f64 * dx, y: y0 + j as f64 * dy }))
                .filter(|c| if zone.is_some() { inside(*c) } else { near_demand(*c) })
                .map(|at| Candidate { at, layer: None, fid: None, name: None })
                .collect())
        }
    }
}

/// The fewest sites covering `target` demand: the MCLP is solved for 1, 2, … sites until its
/// answer meets the target; each smaller number whose MCLP bound stays below the target is
/// proven too few (coverage only grows with sites, so fewer than that are too few as well).
/// Returns the sites, the bound for their number, whether the target is reached, and the
/// proven fewest.
fn cover_share(instance: &Instance, target: f64) -> Result<(Vec<usize>, f64, bool, Option<usize>)> {
    let before = instance.coverage_of(&[]);
    if before + 1e-9 >= target {
        return Ok((Vec::new(), before, true, Some(0)));
    }
    let everything = instance.coverage_of(&(0..instance.reaches.len()).collect::<Vec<_>>());
    let reachable = everything + 1e-9 >= target;
    let goal = if reachable { target } else { everything };
    let mut proven_too_few = 0;
    for k in 1..=instance.reaches.len() {
        let solution = mclp::solve(instance, k);
        if solution.coverage + 1e-9 >= goal {
            let fewest = reachable.then_some(proven_too_few + 1);
            return Ok((solution.sites, solution.upper_bound, reachable, fewest));
        }
        if solution.upper_bound + 1e-9 < target {
            proven_too_few = k;
        }
    }
    unreachable!("every candidate together covers `everything`, which meets the goal")
}

/// The chosen sites, ordered by what each adds after the ones before it.
fn ranked(instance: &Instance, chosen: &[usize], candidates: &[Candidate]) -> Vec<SuggestedSite> {
    let mut covered = instance.covered.clone();
    let mut left: Vec<usize> = chosen.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let gain = |s: usize| instance.reaches[s].iter().filter(|&&d| !covered[d]).map(|&d| instance.weights[d]).sum::<f64>() + 0.0;
        let (at, &site) = left
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| gain(**a).total_cmp(&gain(**b)).then(b.cmp(a)))
            .expect("left is not empty");
        let points: Vec<usize> = instance.reaches[site].iter().copied().filter(|&d| !covered[d]).collect();
        let newly_covered = gain(site);
        for &d in &points {
            covered[d] = true;
        }
        left.remove(at);
        let c = &candidates[site];
        out.push(SuggestedSite {
            rank: out.len() + 1,
            at: c.at,
            newly_covered,
            newly_covered_points: points,
            candidate_layer: c.layer.clone(),
            candidate_fid: c.fid,
            name: c.name.clone(),
        });
    }
    out
}

#[cfg(test)]
#[path = "suggest_tests.rs"]
mod tests;
