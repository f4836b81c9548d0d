//! Blocks (街坊): the land left between the streets and the water.
//!
//! The district minus every road's width and every water body's bank, split into its parts:
//! blocks follow the streets exactly, round off at crossings, and hold the pond as a hole.
//! Land use thins out from the commercial centre to green and industrial edges.

use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::{unary_union, Area, BooleanOps, Buffer, Contains, Distance, Euclidean, InteriorPoint, BoundingRect, Length};
use geo_types::{Coord, MultiLineString, MultiPolygon, Point, Polygon, Rect};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::districts::Districts;
use super::frame::{domain, Frame};
use super::names::{cn_number, short, COMPOUNDS};
use super::streets::{Class, Streets};
use super::water::{Water, BANK};

pub struct Block {
    pub poly: Polygon,
    /// The catalog's `landuse` code.
    pub landuse: &'static str,
    pub community: Option<usize>,
    /// A point well inside the block (its interior point).
    pub anchor: Coord,
    pub bbox: Rect,
    pub area: f64,
    /// Empty until [`name_all`], unless a place (a square, a park) named it first.
    pub name: String,
}

/// Land-use weights by distance from the centre: the old town's core is shops and offices,
/// the ring is housing, the edge is green and industry.
fn landuse(r: f64, rng: &mut ChaCha8Rng) -> &'static str {
    let table: &[(&'static str, f64)] = if r < 700.0 {
        &[("commercial", 0.4), ("residential", 0.4), ("public", 0.15), ("green", 0.05)]
    } else if r < 1500.0 {
        &[("residential", 0.65), ("commercial", 0.12), ("public", 0.1), ("green", 0.08), ("industrial", 0.05)]
    } else {
        &[("residential", 0.3), ("industrial", 0.3), ("green", 0.35), ("public", 0.05)]
    };
    let mut t = rng.random_range(0.0..1.0);
    for &(code, w) in table {
        if t < w {
            return code;
        }
        t -= w;
    }
    table[0].0
}

pub fn build(frame: &Frame, districts: &Districts, streets: &Streets, water: &Water, rng: &mut ChaCha8Rng) -> Vec<Block> {
    let mut cut: Vec<MultiPolygon> = water.with_banks(BANK);
    for class in [Class::Main, Class::Secondary, Class::Branch, Class::Pedestrian] {
        let lines = MultiLineString(streets.roads.iter().filter(|r| r.class == class).map(|r| r.line.clone()).collect());
        if !lines.0.is_empty() {
            // Square ends and mitred bends: street corners stay sharp, as block corners are,
            // and the blocks keep few vertices.
            let style = BufferStyle::new(class.half_width()).line_join(LineJoin::Miter(0.3)).line_cap(LineCap::Square);
            cut.push(lines.buffer_with_style(style));
        }
    }
    let land = domain().difference(&unary_union(&cut));
    let mut blocks = Vec::new();
    for poly in land.0 {
        let area = poly.unsigned_area();
        // Drop slivers: tiny, or thinner than about 12 m.
        if area < 1500.0 || area / Euclidean.length(poly.exterior()) < 6.0 {
            continue;
        }
        let (Some(anchor), Some(bbox)) = (poly.interior_point(), poly.bounding_rect()) else { continue };
        let anchor = anchor.0;
        let cell = frame.cell_of(anchor);
        let landuse = if cell == water.park_cell { "green" } else { landuse(anchor.x.hypot(anchor.y), rng) };
        let name = if cell == water.park_cell { "人民公园".to_owned() } else { String::new() };
        let community = districts.community_at(frame, anchor);
        blocks.push(Block { poly, landuse, community, anchor, bbox, area, name });
    }
    blocks
}

impl Block {
    /// Whether a plan point lies in the block at least `margin` metres from its edges.
    pub fn holds(&self, c: Coord, margin: f64) -> bool {
        let (lo, hi) = (self.bbox.min(), self.bbox.max());
        if c.x < lo.x || c.y < lo.y || c.x > hi.x || c.y > hi.y {
            return false;
        }
        let p = Point(c);
        self.poly.contains(&p)
            && std::iter::once(self.poly.exterior())
                .chain(self.poly.interiors())
                .all(|ring| Euclidean.distance(&p, ring) >= margin)
    }

    /// A random point at least `margin` metres inside the block, if one is found quickly.
    pub fn random_point(&self, margin: f64, rng: &mut ChaCha8Rng) -> Option<Coord> {
        let (lo, hi) = (self.bbox.min(), self.bbox.max());
        (0..60)
            .map(|_| Coord { x: rng.random_range(lo.x..=hi.x), y: rng.random_range(lo.y..=hi.y) })
            .find(|&c| self.holds(c, margin))
    }

    /// The part of the block within `rect`, if that is most of the rectangle: a campus or a
    /// market hall that fits in its block.
    pub fn fit(&self, rect: &Polygon) -> Option<Polygon> {
        let parts = self.poly.buffer(-3.0).intersection(rect);
        let best = parts.0.into_iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
        (best.unsigned_area() >= 0.7 * rect.unsigned_area()).then_some(best)
    }
}

/// The block holding a plan point `margin` metres clear of its edges.
pub fn block_at(blocks: &[Block], c: Coord, margin: f64) -> Option<usize> {
    blocks.iter().position(|b| b.holds(c, margin))
}

/// Names every block not yet named after its community and land use (袁桥新村, 袁桥绿地二…),
/// and sets each community's households from its housing area.
pub fn name_all(blocks: &mut [Block], districts: &mut Districts) {
    // Every community houses someone: one without housing gets its largest free block.
    for k in 0..districts.communities.len() {
        let mine = |b: &&mut Block| b.community == Some(k);
        if blocks.iter_mut().filter(mine).any(|b| b.landuse == "residential") {
            continue;
        }
        let spare = blocks
            .iter_mut()
            .filter(mine)
            .filter(|b| b.name.is_empty() && matches!(b.landuse, "green" | "industrial"))
            .max_by(|a, b| a.area.total_cmp(&b.area));
        if let Some(b) = spare {
            b.landuse = "residential";
        }
    }
    let mut counters = std::collections::BTreeMap::<(usize, &str), usize>::new();
    for b in blocks.iter_mut().filter(|b| b.name.is_empty()) {
        let k = b.community.unwrap_or(0);
        let base = short(&districts.communities[k].name).to_owned();
        let n = counters.entry((k, b.landuse)).or_insert(0);
        *n += 1;
        let numbered = |stem: &str, n: usize| if n == 1 { format!("{base}{stem}") } else { format!("{base}{stem}{}", cn_number(n)) };
        b.name = match b.landuse {
            "residential" => {
                let stem = COMPOUNDS[(*n - 1) % COMPOUNDS.len()];
                let round = (*n - 1) / COMPOUNDS.len();
                if round == 0 { format!("{base}{stem}") } else { format!("{base}{stem}{}期", cn_number(round + 1)) }
            }
            "commercial" => numbered("商业街坊", *n),
            "public" => numbered("公共服务街坊", *n),
            "industrial" => numbered("工业园", *n),
            _ => numbered("绿地", *n),
        };
    }
    for (k, c) in districts.communities.iter_mut().enumerate() {
        let housing: i64 = blocks.iter().filter(|b| b.community == Some(k)).map(households).sum();
        c.households = housing.max(200);
    }
}

/// A block's households: about one per 60 m² of housing land (four- to six-storey compounds),
/// none where it is not housing. Planning weighs demand by it.
pub fn households(b: &Block) -> i64 {
    if b.landuse == "residential" { (b.area / 60.0).round() as i64 } else { 0 }
}
