//! The unit grid (单元网格) of digital city management, as GB/T 30428.1 practice describes it
//! (sources in README, "Spatial join and the unit grid"): closed cells of about `cell` metres
//! that cover every community without gaps or overlaps, each with a 15-digit code and its
//! area in m².
//!
//! - **Squares**: one grid of `cell`-metre squares over the whole district, in a local
//!   equirectangular frame (metres east and north of the district's centre, WGS84 radii there;
//!   `index::metric`). Within a few kilometres its scale errs by well under 0.1 %, which is
//!   why a cell is "about" `cell` metres. The frame is affine, so straight community edges stay
//!   straight and the clipped cells meet the communities' own vertices exactly on the way back.
//! - **Clipping**: each square is intersected with each community (`geo`'s `BooleanOps`,
//!   i_overlay), empties dropped. The pieces of one square inside one community (a community
//!   that wraps round a corner) stay one multipolygon cell. A piece under 1 % of a square (a
//!   strip where the community's edge runs just past a grid line) joins the neighbouring cell
//!   it fuses with, so no cell is a sliver. Cells do not overlap as long as the
//!   communities do not; together they cover the communities exactly.
//! - **Codes**: the community's 12-digit code (6-digit county code, 3 street, 3 community, the
//!   statistical division code) and a 3-digit sequence from 001 in the order of the square's
//!   row, north first, then its column, west first: west to east, north to south (a merged
//!   sliver takes its neighbour's place). More than 999
//!   cells in one community is an error naming it, with a cell size that would fit.
//! - **Area**: geodesic on the WGS84 ellipsoid (`geo`'s `GeodesicArea`, Karney's algorithm),
//!   the same measure as SpatiaLite's `ST_Area(geom, 1)`; not the local frame's planar area.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, BoundingRect, GeodesicArea, MapCoords};
use geo_types::{Coord, Geometry, MultiPolygon, Rect};

use crate::action::ActionKind;
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};
use crate::index::metric::metres_per_degree;
use crate::project::Project;
use crate::store::Storage;

/// Cell sizes accepted, in metres: GB/T 30428.1 practice is about 100 m (万米单元网格, about
/// 10 000 m²); below 10 m the cells are smaller than the features they hold, above 2 km they
/// are larger than most communities.
pub const CELL_RANGE: std::ops::RangeInclusive<f64> = 10.0..=2000.0;

/// The layer the grid is stored in.
pub const LAYER: &str = "grid_cells";

/// Pieces smaller than this (m², a 1 cm square) are floating-point noise where a square's edge
/// runs along a community's edge, not land; dropping them loses no measurable area.
const NOISE_M2: f64 = 1e-4;

/// A piece under this share of a full square is joined to a neighbouring cell rather than made
/// a cell of its own (1 %: a 1 m strip of a 100 m square).
const SLIVER: f64 = 0.01;

/// One community as the grid needs it.
#[derive(Debug, Clone)]
pub struct Community {
    pub name: String,
    pub subdistrict: String,
    /// The 12-digit statistical division code.
    pub code: String,
    pub outline: MultiPolygon<f64>,
}

/// One cell of the grid (WGS84).
#[derive(Debug, Clone)]
pub struct Cell {
    pub code: String,
    pub community: String,
    pub subdistrict: String,
    pub area_m2: f64,
    /// The square's row (from the north) and column (from the west) in the district's grid.
    pub row: i64,
    pub col: i64,
    pub geometry: MultiPolygon<f64>,
}

/// Metres east and north of an origin, and back: the local frame the squares are cut in.
#[derive(Debug, Clone, Copy)]
struct Frame {
    origin: Coord<f64>,
    m_per_deg: (f64, f64),
}

impl Frame {
    fn to_local(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let (o, (mx, my)) = (self.origin, self.m_per_deg);
        mp.map_coords(|c| Coord { x: (c.x - o.x) * mx, y: (c.y - o.y) * my })
    }
    fn to_wgs84(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let (o, (mx, my)) = (self.origin, self.m_per_deg);
        mp.map_coords(|c| Coord { x: o.x + c.x / mx, y: o.y + c.y / my })
    }
}

/// Checks a cell size, in metres.
pub fn check_cell_size(cell_m: f64) -> Result<()> {
    if cell_m.is_finite() && CELL_RANGE.contains(&cell_m) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "cell size {cell_m} m: expected {} to {} metres (about 100 m is the usual unit grid)",
            CELL_RANGE.start(),
            CELL_RANGE.end()
        )))
    }
}

/// The cells of `communities` for squares of `cell_m` metres, community by community in the
/// order given, each community's cells in code order.
pub fn cells(communities: &[Community], cell_m: f64) -> Result<Vec<Cell>> {
    check_cell_size(cell_m)?;
    let Some(bbox) = communities.iter().filter_map(|c| c.outline.bounding_rect()).reduce(union_rect) else {
        return Ok(Vec::new());
    };
    let frame = Frame { origin: bbox.center(), m_per_deg: metres_per_degree(bbox.center().y) };
    let local_all: Vec<MultiPolygon<f64>> = communities.iter().map(|c| frame.to_local(&c.outline)).collect();
    let Some(local_bbox) = local_all.iter().filter_map(|m| m.bounding_rect()).reduce(union_rect) else {
        return Ok(Vec::new());
    };
    // The grid's north-west corner: rows count southwards, columns eastwards from it.
    let (west, north) = (local_bbox.min().x, local_bbox.max().y);
    let mut out = Vec::new();
    for (c, local) in communities.iter().zip(&local_all) {
        let Some(r) = local.bounding_rect() else { continue };
        let cols = ((r.min().x - west) / cell_m).floor() as i64..=((r.max().x - west) / cell_m).floor() as i64;
        let rows = ((north - r.max().y) / cell_m).floor() as i64..=((north - r.min().y) / cell_m).floor() as i64;
        let overflow = |n: usize, about: &str| {
            let fits = ((cell_m * (n as f64 / 999.0).sqrt()) / 10.0).ceil() * 10.0;
            Error::Invalid(format!(
                "community `{}` would have {about}{n} cells of {cell_m} m, more than the 999 a 3-digit sequence numbers; use cells of {fits} m or more",
                c.name
            ))
        };
        // Far too many squares: say so before clipping them all (a cell is at most ~1.05 squares).
        let at_least = (local.unsigned_area() / (cell_m * cell_m * 1.05)).floor() as usize;
        if at_least > 999 {
            return Err(overflow(at_least, "at least "));
        }
        let mut pieces: Vec<(i64, i64, MultiPolygon<f64>)> = Vec::new();
        for row in rows {
            for col in cols.clone() {
                let piece = clip(local, west, north, cell_m, row, col);
                if !piece.0.is_empty() {
                    pieces.push((row, col, piece));
                }
            }
        }
        let pieces = merge_slivers(pieces, cell_m * cell_m * SLIVER);
        if pieces.len() > 999 {
            return Err(overflow(pieces.len(), ""));
        }
        for (i, (row, col, piece)) in pieces.into_iter().enumerate() {
            let geometry = frame.to_wgs84(&piece);
            out.push(Cell {
                code: format!("{}{:03}", c.code, i + 1),
                community: c.name.clone(),
                subdistrict: c.subdistrict.clone(),
                area_m2: geometry.geodesic_area_unsigned(),
                row,
                col,
                geometry,
            });
        }
    }
    Ok(out)
}

/// The part of square (`row`, `col`) inside a community (local metres), noise dropped.
fn clip(local: &MultiPolygon<f64>, west: f64, north: f64, cell_m: f64, row: i64, col: i64) -> MultiPolygon<f64> {
    let (x0, y1) = (west + col as f64 * cell_m, north - row as f64 * cell_m);
    let square = Rect::new((x0, y1 - cell_m), (x0 + cell_m, y1)).to_polygon();
    MultiPolygon(square.intersection(local).0.into_iter().filter(|p| p.unsigned_area() > NOISE_M2).collect())
}

/// Joins each piece smaller than `least` m² (a strip where a community's edge runs just past a
/// grid line) to a neighbouring piece of the same community — the square above, left, right or
/// below, the largest first — when the two fuse into one shape. A piece that fuses with none
/// (it meets its neighbours only at a corner) stays a cell of its own. Order is kept.
fn merge_slivers(mut pieces: Vec<(i64, i64, MultiPolygon<f64>)>, least: f64) -> Vec<(i64, i64, MultiPolygon<f64>)> {
    let mut small: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].2.unsigned_area() < least).collect();
    small.sort_by(|&a, &b| pieces[a].2.unsigned_area().total_cmp(&pieces[b].2.unsigned_area()));
    let mut gone = vec![false; pieces.len()];
    for i in small {
        let (r, c) = (pieces[i].0, pieces[i].1);
        let mut next: Vec<usize> = (0..pieces.len())
            .filter(|&j| j != i && !gone[j] && (pieces[j].0 - r).abs() + (pieces[j].1 - c).abs() == 1)
            .collect();
        next.sort_by(|&a, &b| pieces[b].2.unsigned_area().total_cmp(&pieces[a].2.unsigned_area()));
        for j in next {
            let joined = pieces[j].2.union(&pieces[i].2);
            if joined.0.len() <= pieces[j].2 .0.len() {
                pieces[j].2 = joined;
                gone[i] = true;
                break;
            }
        }
    }
    pieces.into_iter().zip(gone).filter(|(_, g)| !g).map(|(p, _)| p).collect()
}

fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
        (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
    )
}

/// What `grid` made.
#[derive(Debug, Clone, PartialEq)]
pub struct GridReport {
    pub cell_m: f64,
    pub cells: usize,
    /// Cells per community, in the communities' order.
    pub per_community: Vec<(String, usize)>,
    /// The cells' geodesic area, summed, and the communities'.
    pub cells_area_m2: f64,
    pub communities_area_m2: f64,
    /// Cells of the grid it replaced.
    pub replaced: usize,
}

/// Reads the communities and their subdistricts' codes, checks the codes fit together, makes
/// the cells and stores them as layer `grid_cells`, replacing any earlier grid, as one action.
pub fn make_grid<S: Storage>(project: &Project<S>, cell_m: f64) -> Result<GridReport> {
    check_cell_size(cell_m)?;
    let communities = communities_with_codes(project)?;
    if communities.is_empty() {
        return Err(Error::Invalid("layer `communities` has no features; a unit grid divides communities".into()));
    }
    let cells = cells(&communities, cell_m)?;
    let mut per_community: Vec<(String, usize)> = communities.iter().map(|c| (c.name.clone(), 0)).collect();
    for cell in &cells {
        if let Some(e) = per_community.iter_mut().find(|(n, _)| *n == cell.community) {
            e.1 += 1;
        }
    }
    let communities_area_m2 = communities.iter().map(|c| c.outline.geodesic_area_unsigned()).sum();
    let cells_area_m2 = cells.iter().map(|c| c.area_m2).sum();
    let source = format!("wardgis grid, {cell_m} m cells");
    let features: Vec<Feature> = cells
        .iter()
        .map(|c| {
            Feature::new(Geometry::MultiPolygon(c.geometry.clone()))
                .with("name", format!("{}{}号网格", c.community, &c.code[12..]))
                .with("source", source.as_str())
                .with("code", c.code.as_str())
                .with("community", c.community.as_str())
                .with("subdistrict", c.subdistrict.as_str())
                .with("area_m2", (c.area_m2 * 100.0).round() / 100.0)
        })
        .collect();
    let replaced = project.count(LAYER)? as usize;
    let summary = format!("unit grid of {cell_m} m: {} cell(s) in {} communities", cells.len(), communities.len());
    project.replace_layer(ActionKind::Grid, LAYER, features, &summary)?;
    Ok(GridReport { cell_m, cells: cells.len(), per_community, cells_area_m2, communities_area_m2, replaced })
}

/// The communities with their codes, each checked: 12 digits, unique, and beginning with the
/// 9-digit code of the subdistrict its `subdistrict` field names.
fn communities_with_codes<S: Storage>(project: &Project<S>) -> Result<Vec<Community>> {
    let mut subdistricts: BTreeMap<String, Option<String>> = BTreeMap::new();
    for s in project.features("subdistricts")? {
        if let Some(name) = s.name() {
            subdistricts.insert(name.to_owned(), s.get("code").as_str().map(str::to_owned));
        }
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for f in project.features("communities")? {
        let name = f.name().map(str::to_owned).unwrap_or_else(|| format!("fid {}", f.fid.unwrap_or_default()));
        let which = format!("community `{name}` (fid {})", f.fid.unwrap_or_default());
        let code = match f.get("code") {
            Value::Text(c) if digits(c, 12) => c.clone(),
            other => {
                return Err(Error::Invalid(format!(
                    "{which} has code `{}`; a unit grid needs its 12-digit division code (6 county, 3 street, 3 community) in field `code`",
                    other.to_text()
                )))
            }
        };
        let sub = f.get("subdistrict").as_str().unwrap_or_default().to_owned();
        match subdistricts.get(&sub) {
            None => {
                let known: Vec<&str> = subdistricts.keys().map(String::as_str).collect();
                return Err(Error::Invalid(format!(
                    "{which} names subdistrict `{sub}`, which layer `subdistricts` does not have; expected one of {}",
                    known.join(", ")
                )));
            }
            Some(Some(s)) if digits(s, 9) && code.starts_with(s.as_str()) => {}
            Some(Some(s)) if digits(s, 9) => {
                return Err(Error::Invalid(format!(
                    "{which} has code {code}, which does not begin with the code {s} of its subdistrict `{sub}`; correct one of them"
                )))
            }
            Some(s) => {
                return Err(Error::Invalid(format!(
                    "subdistrict `{sub}` has code `{}`; a unit grid needs its 9-digit division code (6 county, 3 street) in field `code`",
                    s.as_deref().unwrap_or("")
                )))
            }
        }
        if let Some(other) = seen.insert(code.clone(), name.clone()) {
            return Err(Error::Invalid(format!("communities `{other}` and `{name}` share the code {code}; each needs its own")));
        }
        let outline = match f.geometry {
            Geometry::MultiPolygon(mp) => mp,
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            _ => continue,
        };
        out.push(Community { name, subdistrict: sub, code, outline });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Intersects;
    use geo_types::Polygon;

    /// Two communities sharing an edge at about 119.82 E, 31.36 N: a 500 m × 400 m rectangle
    /// and an L-shaped one beside it, in degrees.
    fn two() -> Vec<Community> {
        let (mx, my) = metres_per_degree(31.36);
        let p = |x: f64, y: f64| Coord { x: 119.82 + x / mx, y: 31.36 + y / my };
        let poly = |pts: &[(f64, f64)]| Polygon::new(pts.iter().map(|&(x, y)| p(x, y)).collect::<Vec<_>>().into(), vec![]);
        vec![
            Community {
                name: "甲社区".into(),
                subdistrict: "宜城街道".into(),
                code: "320282001001".into(),
                outline: MultiPolygon(vec![poly(&[(0.0, 0.0), (523.0, 0.0), (523.0, 410.0), (0.0, 410.0)])]),
            },
            Community {
                name: "乙社区".into(),
                subdistrict: "宜城街道".into(),
                code: "320282001002".into(),
                outline: MultiPolygon(vec![poly(&[(523.0, 0.0), (900.0, 0.0), (900.0, 700.0), (610.0, 700.0), (610.0, 410.0), (523.0, 410.0)])]),
            },
        ]
    }

    #[test]
    fn cells_cover_each_community_without_gaps_or_overlaps() {
        let communities = two();
        let cells = cells(&communities, 100.0).unwrap();
        let (mx, my) = metres_per_degree(31.36);
        let m2_per_deg2 = mx * my;
        for c in &communities {
            let mine: Vec<&Cell> = cells.iter().filter(|x| x.community == c.name).collect();
            let sum: f64 = mine.iter().map(|x| x.area_m2).sum();
            let whole = c.outline.geodesic_area_unsigned();
            assert!((sum - whole).abs() < whole * 1e-6, "{}: {sum} vs {whole}", c.name);
            // Every cell inside its community, to the overlay's snapping (i_overlay rounds to
            // an integer grid about 0.5 µm wide here: a few cm² at most along a 100 m edge).
            for x in &mine {
                let outside = x.geometry.difference(&c.outline).unsigned_area() * m2_per_deg2;
                assert!(outside < 1e-3, "{}: {outside} m² outside {}", x.code, c.name);
            }
        }
        // Cells meet only along edges: no two share area, and neighbours do touch.
        let mut touching = 0;
        for (i, a) in cells.iter().enumerate() {
            for b in &cells[i + 1..] {
                if a.geometry.intersects(&b.geometry) {
                    touching += 1;
                    let shared = a.geometry.intersection(&b.geometry).unsigned_area() * m2_per_deg2;
                    assert!(shared < 1e-3, "{} and {} share {shared} m²", a.code, b.code);
                }
            }
        }
        assert!(touching > cells.len(), "{touching} touching pairs");
        // 523 × 410 m is 6 columns by 5 rows of 100 m squares (the grid starts at the district's
        // north-west corner, so the first community's rows are cut at 700 − 410 = 290 m).
        // Strips of 3 cm² along the bottom edge (the local frame's scale at the district's centre
        // puts the edge a fraction of a millimetre past a grid line) joined their neighbours.
        let rc: Vec<(i64, i64, f64)> = cells.iter().filter(|x| x.community == "甲社区").map(|x| (x.row, x.col, x.area_m2)).collect();
        assert_eq!(rc.len(), 6 * 5, "{rc:?}");
        assert!(cells.iter().all(|x| x.area_m2 > 100.0 || x.geometry.0.len() > 1), "no slivers");
    }

    #[test]
    fn codes_are_15_digits_unique_and_run_west_to_east_then_north_to_south() {
        let cells = cells(&two(), 100.0).unwrap();
        let mut codes: Vec<&str> = cells.iter().map(|c| c.code.as_str()).collect();
        assert!(codes.iter().all(|c| c.len() == 15 && c.bytes().all(|b| b.is_ascii_digit())));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), cells.len());
        for c in &cells {
            let prefix = if c.community == "甲社区" { "320282001001" } else { "320282001002" };
            assert!(c.code.starts_with(prefix), "{}", c.code);
        }
        let first: Vec<&Cell> = cells.iter().filter(|c| c.community == "乙社区").collect();
        assert_eq!(&first[0].code[12..], "001");
        for w in first.windows(2) {
            assert!((w[0].row, w[0].col) < (w[1].row, w[1].col), "{} before {}", w[0].code, w[1].code);
        }
        // The first cell is the north-west one: no cell of the community lies north of it.
        assert!(first.iter().all(|c| c.row >= first[0].row));
    }

    #[test]
    fn more_than_999_cells_name_the_community_and_a_cell_size_that_fits() {
        let e = cells(&two(), 10.0).unwrap_err().to_string();
        assert!(e.contains("甲社区") && e.contains("999") && e.contains("cells of"), "{e}");
        let fits: f64 = e.split("cells of ").nth(2).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(cells(&two()[..1], fits).is_ok(), "{e}");
        // Just over: counted exactly after clipping. 523 × 410 m in 14 m squares is 38 × 30 = 1140.
        let e = cells(&two()[..1], 14.0).unwrap_err().to_string();
        assert!(e.contains("甲社区") && e.contains("999"), "{e}");
    }

    #[test]
    fn cell_sizes_out_of_range_are_refused() {
        for bad in [0.0, 5.0, 5000.0, f64::NAN] {
            assert!(check_cell_size(bad).unwrap_err().to_string().contains("10 to 2000"));
        }
    }
}
