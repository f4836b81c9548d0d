//! The demo district's frame: a rectangular "plan space" in metres where the town is laid
//! out on a lattice of street lines, the warp that bends that plan into an irregular town,
//! and the conversion to WGS84.
//!
//! Laying out in plan space keeps every rule simple (a community is a rectangle of lattice
//! cells, a block lies between street lines), while the warp — a slight rotation, two long
//! sine bends and a jitter of each street crossing — makes the streets meet at uneven angles
//! and curve gently, as in an old Chinese town. The warp's gradient stays well below 1, so it
//! is one-to-one: whatever lies inside something in plan space still does after the warp.

use geo_types::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The real centre of Yixing old town (宜城街道), where plan-space (0, 0) is placed.
pub const LON0: f64 = 119.82;
pub const LAT0: f64 = 31.36;
/// Half the side of the district in metres: the plan space is [-HALF, HALF]².
pub const HALF: f64 = 2000.0;
/// Longest edge kept when curving geometries through the warp.
const STEP: f64 = 25.0;
/// Metres per degree of latitude, and of longitude at the equator.
const M_PER_DEG_LAT: f64 = 110_574.0;
const M_PER_DEG_LON: f64 = 111_320.0;

/// One long sine bend of the plan: `amp * sin(along / len + phase)`.
struct Bend {
    amp: f64,
    len: f64,
    phase: f64,
}

impl Bend {
    fn random(rng: &mut ChaCha8Rng) -> Bend {
        Bend {
            amp: rng.random_range(45.0..85.0),
            len: rng.random_range(280.0..420.0),
            phase: rng.random_range(0.0..std::f64::consts::TAU),
        }
    }
    fn at(&self, along: f64) -> f64 {
        self.amp * (along / self.len + self.phase).sin()
    }
}

/// The lattice of street lines and the warp of plan space.
pub struct Frame {
    /// Column (north–south) line positions, first and last at ∓HALF (the district edge).
    pub xs: Vec<f64>,
    /// Row (east–west) line positions, first and last at ∓HALF.
    pub ys: Vec<f64>,
    /// Whether column / row line `k` is a main road (the district edge lines never are).
    pub main_x: Vec<bool>,
    pub main_y: Vec<bool>,
    /// Row index of 解放路, the main road just south of the river band.
    pub river_row: usize,
    jitter: Vec<Vec<Coord>>,
    bend_x: Bend,
    bend_y: Bend,
    cos_t: f64,
    sin_t: f64,
    origin: Coord,
}

/// Line positions between fixed anchors, spaced 240–330 m: the anchors are where the main
/// roads go, so the old town keeps its shape whatever the seed.
fn lines(anchors: &[(f64, bool)], rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<bool>) {
    let (mut pos, mut main) = (vec![anchors[0].0], vec![anchors[0].1]);
    for w in anchors.windows(2) {
        let (a, b) = (w[0].0, w[1].0);
        let k = ((b - a) / 285.0).round().max(1.0) as usize;
        for t in 1..k {
            let f = (t as f64 + rng.random_range(-0.15..0.15)) / k as f64;
            pos.push(a + (b - a) * f);
            main.push(false);
        }
        pos.push(b);
        main.push(w[1].1);
    }
    (pos, main)
}

impl Frame {
    pub fn new(rng: &mut ChaCha8Rng) -> Frame {
        let mut j = |r: f64| rng.random_range(-r..r);
        let col_anchors = [(-HALF, false), (-1100.0 + j(50.0), true), (j(40.0), true), (1050.0 + j(50.0), true), (HALF, false)];
        // 340 m above 解放路 is the far side of the river band: not a main road, but fixed so
        // that the river and the pedestrian street always have room.
        let row_anchors =
            [(-HALF, false), (-1050.0 + j(50.0), true), (j(30.0), true), (340.0 + j(20.0), false), (1000.0 + j(50.0), true), (HALF, false)];
        let (xs, main_x) = lines(&col_anchors, rng);
        let (ys, main_y) = lines(&row_anchors, rng);
        let river_row = ys.iter().position(|&y| y == row_anchors[2].0).expect("anchor is a line");
        let jitter = (0..xs.len())
            .map(|_| (0..ys.len()).map(|_| Coord { x: rng.random_range(-18.0..18.0), y: rng.random_range(-18.0..18.0) }).collect())
            .collect();
        let theta = rng.random_range(-7.0f64..7.0).to_radians();
        let mut frame = Frame {
            xs,
            ys,
            main_x,
            main_y,
            river_row,
            jitter,
            bend_x: Bend::random(rng),
            bend_y: Bend::random(rng),
            cos_t: theta.cos(),
            sin_t: theta.sin(),
            origin: Coord { x: 0.0, y: 0.0 },
        };
        // Keep the plan's centre on the real old-town centre.
        frame.origin = frame.displace(Coord { x: 0.0, y: 0.0 });
        frame
    }

    /// Index `k` of the lattice interval `[v[k], v[k+1])` holding `t`, clamped to the edge.
    fn interval(v: &[f64], t: f64) -> usize {
        v.partition_point(|&p| p <= t).saturating_sub(1).min(v.len() - 2)
    }

    /// The lattice cell `(i, j)` holding a plan point.
    pub fn cell_of(&self, c: Coord) -> (usize, usize) {
        (Self::interval(&self.xs, c.x), Self::interval(&self.ys, c.y))
    }

    pub fn cols(&self) -> usize {
        self.xs.len() - 1
    }

    pub fn rows(&self) -> usize {
        self.ys.len() - 1
    }

    /// A cell's rectangle in plan space.
    pub fn cell_rect(&self, i: usize, j: usize) -> (Coord, Coord) {
        (Coord { x: self.xs[i], y: self.ys[j] }, Coord { x: self.xs[i + 1], y: self.ys[j + 1] })
    }

    /// The plan point moved by the bends and the crossings' jitter (before rotation).
    fn displace(&self, c: Coord) -> Coord {
        let (i, j) = self.cell_of(c);
        let tx = ((c.x - self.xs[i]) / (self.xs[i + 1] - self.xs[i])).clamp(0.0, 1.0);
        let ty = ((c.y - self.ys[j]) / (self.ys[j + 1] - self.ys[j])).clamp(0.0, 1.0);
        let q = |a: usize, b: usize| self.jitter[a][b];
        let jit = q(i, j) * ((1.0 - tx) * (1.0 - ty))
            + q(i + 1, j) * (tx * (1.0 - ty))
            + q(i, j + 1) * ((1.0 - tx) * ty)
            + q(i + 1, j + 1) * (tx * ty);
        Coord { x: c.x + self.bend_x.at(c.y) + jit.x, y: c.y + self.bend_y.at(c.x) + jit.y }
    }

    /// Plan space → local metres east/north of the old-town centre.
    pub fn to_metres(&self, c: Coord) -> Coord {
        let d = self.displace(c) - self.origin;
        Coord { x: d.x * self.cos_t - d.y * self.sin_t, y: d.x * self.sin_t + d.y * self.cos_t }
    }

    /// Plan space → WGS84 longitude/latitude (local equirectangular projection).
    pub fn to_lonlat(&self, c: Coord) -> Coord {
        let m = self.to_metres(c);
        Coord { x: LON0 + m.x / (LAT0.to_radians().cos() * M_PER_DEG_LON), y: LAT0 + m.y / M_PER_DEG_LAT }
    }

    /// A plan geometry in WGS84, its edges cut to at most [`STEP`] so they curve with the warp.
    pub fn geometry(&self, g: &Geometry) -> Geometry {
        match g {
            Geometry::Point(p) => Geometry::Point(self.to_lonlat(p.0).into()),
            Geometry::LineString(l) => Geometry::LineString(self.line(l)),
            Geometry::Polygon(p) => Geometry::Polygon(self.polygon(p)),
            Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(MultiPolygon(mp.0.iter().map(|p| self.polygon(p)).collect())),
            other => other.clone(),
        }
    }

    fn polygon(&self, p: &Polygon) -> Polygon {
        Polygon::new(self.line(p.exterior()), p.interiors().iter().map(|r| self.line(r)).collect())
    }

    fn line(&self, l: &LineString) -> LineString {
        let mut out = Vec::with_capacity(l.0.len() * 2);
        for w in l.0.windows(2) {
            out.push(self.to_lonlat(w[0]));
            for c in self.between(w[0], w[1]) {
                out.push(self.to_lonlat(c));
            }
        }
        if let Some(&last) = l.0.last() {
            out.push(self.to_lonlat(last));
        }
        LineString(out)
    }

    /// Points to insert between `a` and `b`. Along a lattice-parallel edge they are the
    /// lattice lines and the multiples of [`STEP`] it crosses — the same points whichever
    /// community, subdistrict or road the edge belongs to — so shared borders stay shared
    /// exactly after the warp.
    fn between(&self, a: Coord, b: Coord) -> Vec<Coord> {
        let along = |lo: f64, hi: f64, lattice: &[f64]| -> Vec<f64> {
            let (l, h) = (lo.min(hi), lo.max(hi));
            let mut t: Vec<f64> = lattice.iter().copied().filter(|&v| v > l && v < h).collect();
            let mut k = (l / STEP).floor() + 1.0;
            while k * STEP < h {
                t.push(k * STEP);
                k += 1.0;
            }
            t.sort_by(f64::total_cmp);
            t.dedup();
            if lo > hi {
                t.reverse();
            }
            t
        };
        if a.y == b.y {
            along(a.x, b.x, &self.xs).into_iter().map(|x| Coord { x, y: a.y }).collect()
        } else if a.x == b.x {
            along(a.y, b.y, &self.ys).into_iter().map(|y| Coord { x: a.x, y }).collect()
        } else {
            let n = ((b - a).x.hypot((b - a).y) / STEP).ceil() as usize;
            (1..n).map(|k| a + (b - a) * (k as f64 / n as f64)).collect()
        }
    }
}

/// An axis-aligned rectangle as a closed polygon, counter-clockwise.
pub fn rect(lo: Coord, hi: Coord) -> Polygon {
    Polygon::new(
        LineString(vec![lo, Coord { x: hi.x, y: lo.y }, hi, Coord { x: lo.x, y: hi.y }, lo]),
        vec![],
    )
}

/// The whole district in plan space.
pub fn domain() -> Polygon {
    rect(Coord { x: -HALF, y: -HALF }, Coord { x: HALF, y: HALF })
}
