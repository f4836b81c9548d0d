//! Water: the 蛟桥河 river through the old town, the 城南运河 canal in the south, the shore
//! of 东氿 lake at the east edge, and a park pond.
//!
//! River and canal are buffers of a sine-meander centreline, clipped to the district; a buffer
//! is valid by construction (no self-intersection), whatever the meander.

use geo::{Area, BooleanOps, Buffer, Contains, Distance, Euclidean};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::f64::consts::TAU;

use super::frame::{domain, Frame, HALF};

/// A meandering centreline `v = base + Σ amp·sin(u/len + phase)` across the district.
pub struct Meander {
    base: f64,
    waves: [(f64, f64, f64); 2],
}

impl Meander {
    pub fn at(&self, u: f64) -> f64 {
        self.base + self.waves.iter().map(|(a, l, p)| a * (u / l + p).sin()).sum::<f64>()
    }

    /// The centreline from `u0` to `u1`, one vertex every 15 m.
    pub fn line(&self, u0: f64, u1: f64) -> LineString {
        let n = ((u1 - u0) / 15.0).ceil().max(1.0) as usize;
        LineString((0..=n).map(|k| u0 + (u1 - u0) * k as f64 / n as f64).map(|u| Coord { x: u, y: self.at(u) }).collect())
    }
}

pub struct WaterBody {
    pub name: &'static str,
    /// The catalog's enum code: river, canal, lake or pond.
    pub kind: &'static str,
    pub poly: Polygon,
}

pub struct Water {
    pub bodies: Vec<WaterBody>,
    /// The lake, which cuts the streets that run into it.
    pub lake: MultiPolygon,
    /// The 蛟桥河 centreline, which the pedestrian street follows.
    pub river: Meander,
    /// The cell of 人民公园, around the pond.
    pub park_cell: (usize, usize),
}

/// How far blocks keep from the water's edge (the embankment walk).
pub const BANK: f64 = 6.0;
/// The river's half width: 30 m wide, as a town river of this kind.
pub const RIVER_HALF_WIDTH: f64 = 15.0;
/// Where the pedestrian street runs, north of the river centreline: close enough that its
/// width overlaps the bank (15 + 6 > 23 − 5), so no hairline of land is left between them
/// for the warp to fold over.
pub const PROMENADE_OFFSET: f64 = 23.0;

/// A star-shaped ring (so always simple) around `c` with wobbling radii.
fn blob(c: Coord, rx: f64, ry: f64, rng: &mut ChaCha8Rng, n: usize) -> Polygon {
    let (p1, p2) = (rng.random_range(0.0..TAU), rng.random_range(0.0..TAU));
    let mut ring: Vec<Coord> = (0..n)
        .map(|k| {
            let t = TAU * k as f64 / n as f64;
            let f = 1.0 + 0.06 * (3.0 * t + p1).sin() + 0.03 * (7.0 * t + p2).sin();
            Coord { x: c.x + rx * f * t.cos(), y: c.y + ry * f * t.sin() }
        })
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString(ring), vec![])
}

fn parts(mp: MultiPolygon, min_area: f64) -> Vec<Polygon> {
    mp.0.into_iter().filter(|p| p.unsigned_area() >= min_area).collect()
}

pub fn build(frame: &Frame, rng: &mut ChaCha8Rng) -> Water {
    let area = domain();
    let lake_c = Coord { x: HALF + rng.random_range(400.0..480.0), y: rng.random_range(-250.0..-50.0) };
    let lake = blob(lake_c, rng.random_range(720.0..800.0), rng.random_range(950.0..1050.0), rng, 72);
    let lake = MultiPolygon(vec![lake]).intersection(&area);

    // The river runs in the band north of 解放路, leaving room for the pedestrian street.
    let (lo, hi) = (frame.ys[frame.river_row], frame.ys[frame.river_row + 1]);
    let room = ((hi - lo) / 2.0 - 72.0).max(20.0);
    let river = Meander {
        base: (lo + hi) / 2.0 - 15.0,
        waves: [
            (0.7 * room, rng.random_range(180.0..260.0), rng.random_range(0.0..TAU)),
            (0.25 * room, rng.random_range(60.0..90.0), rng.random_range(0.0..TAU)),
        ],
    };
    // The canal keeps to the middle of the row band around 1.65 km south.
    let cj = frame.ys.iter().position(|&y| y > -1650.0).unwrap_or(1).max(1) - 1;
    let canal = Meander {
        base: (frame.ys[cj] + frame.ys[cj + 1]) / 2.0,
        waves: [(12.0, rng.random_range(250.0..400.0), rng.random_range(0.0..TAU)), (0.0, 1.0, 0.0)],
    };

    let mut bodies = Vec::new();
    let ribbon = |m: &Meander, half: f64| {
        let mp = m.line(-HALF - 60.0, HALF + 60.0).buffer(half).intersection(&area);
        parts(mp.difference(&lake), 500.0)
    };
    for poly in ribbon(&river, RIVER_HALF_WIDTH) {
        bodies.push(WaterBody { name: "蛟桥河", kind: "river", poly });
    }
    for poly in ribbon(&canal, 20.0) {
        bodies.push(WaterBody { name: "城南运河", kind: "canal", poly });
    }
    for poly in lake.0.iter().filter(|p| p.unsigned_area() > 500.0) {
        bodies.push(WaterBody { name: "东氿", kind: "lake", poly: poly.clone() });
    }

    // The pond sits in the middle of the cell about 600 m south-west of the centre.
    let park_cell = frame.cell_of(Coord { x: -600.0, y: -600.0 });
    let (a, b) = frame.cell_rect(park_cell.0, park_cell.1);
    let (w, h) = (b.x - a.x, b.y - a.y);
    let pond = blob((a + b) / 2.0, w * 0.16, h * 0.13, rng, 24);
    bodies.push(WaterBody { name: "人民公园荷花池", kind: "pond", poly: pond });

    Water { bodies, lake, river, park_cell }
}

impl Water {
    /// Whether a plan point is in the water or within `margin` metres of it.
    pub fn near(&self, c: Coord, margin: f64) -> bool {
        let p = Point(c);
        self.bodies.iter().any(|b| b.poly.contains(&p) || Euclidean.distance(&p, &b.poly) < margin)
    }

    /// Every water body grown by `bank` metres: what the blocks must keep clear of.
    pub fn with_banks(&self, bank: f64) -> Vec<MultiPolygon> {
        self.bodies.iter().map(|b| b.poly.buffer(bank)).collect()
    }
}
