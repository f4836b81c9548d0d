//! The road network: lattice streets (some cut short inside a community, so streets end in
//! T-junctions), lanes through the larger cells, 东氿大道 running off the lattice towards the
//! lake, and the 蛟桥河步行街 pedestrian street along the river. Everything is in plan space.

use geo::{BooleanOps, Contains, Euclidean, Intersects, Length};
use geo_types::{Coord, LineString, MultiLineString, Point};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::districts::Districts;
use super::frame::{domain, Frame, HALF};
use super::names;
use super::water::{Water, PROMENADE_OFFSET};

/// A road's class, as the catalog's `class` field codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Main,
    Secondary,
    Branch,
    Pedestrian,
}

impl Class {
    pub fn code(self) -> &'static str {
        match self {
            Class::Main => "main",
            Class::Secondary => "secondary",
            Class::Branch => "branch",
            Class::Pedestrian => "pedestrian",
        }
    }

    /// Half the width from building line to building line; blocks keep this far away.
    pub fn half_width(self) -> f64 {
        match self {
            Class::Main => 12.0,
            Class::Secondary => 8.0,
            Class::Branch => 4.5,
            Class::Pedestrian => 5.0,
        }
    }
}

pub struct Road {
    pub name: String,
    pub class: Class,
    pub line: LineString,
}

/// A crossing of two lattice streets, where bike stations go.
pub struct Node {
    pub at: Coord,
    pub names: [String; 2],
    pub half_widths: [f64; 2],
}

pub struct Streets {
    pub roads: Vec<Road>,
    pub nodes: Vec<Node>,
}

/// Names for the lattice lines, main roads from their own list; the district-edge lines
/// (never roads) get none.
fn line_names(main: &[bool], mains: &[&str], pool: &mut impl Iterator<Item = &'static str>) -> Vec<String> {
    let mut mains = mains.iter();
    let last = main.len() - 1;
    (0..main.len())
        .map(|k| match (k == 0 || k == last, main[k]) {
            (true, _) => String::new(),
            (false, true) => mains.next().copied().unwrap_or("新建路").to_owned(),
            (false, false) => pool.next().unwrap_or("新建路").to_owned(),
        })
        .collect()
}

pub fn build(frame: &Frame, districts: &Districts, water: &Water, rng: &mut ChaCha8Rng) -> Streets {
    let (nc, nr) = (frame.cols(), frame.rows());
    let mut pool = names::STREETS.iter().copied();
    let col_names = line_names(&frame.main_x, names::MAIN_COLS, &mut pool);
    let row_names = line_names(&frame.main_y, names::MAIN_ROWS, &mut pool);
    let class_of = |main: bool, pos: f64| match (main, pos.abs() > 1650.0) {
        (true, _) => Class::Main,
        (false, false) => Class::Secondary,
        (false, true) => Class::Branch,
    };
    // Segment k of column line i runs between cells (i-1, k) and (i, k); a minor one may be
    // left out when both cells are in one community, merging them into one block.
    let keep = |main: bool, a: (usize, usize), b: (usize, usize), rng: &mut ChaCha8Rng| {
        main || !(districts.same_community(a, b) && rng.random_bool(0.15))
    };
    let col_seg: Vec<Vec<bool>> = (0..=nc)
        .map(|i| (0..nr).map(|j| i > 0 && i < nc && keep(frame.main_x[i], (i - 1, j), (i, j), rng)).collect())
        .collect();
    let row_seg: Vec<Vec<bool>> = (0..=nr)
        .map(|j| (0..nc).map(|i| j > 0 && j < nr && keep(frame.main_y[j], (i, j - 1), (i, j), rng)).collect())
        .collect();

    let mut roads = Vec::new();
    let push = |name: &str, class: Class, line: LineString, roads: &mut Vec<Road>| {
        for piece in water.lake.clip(&MultiLineString(vec![line]), true) {
            if Euclidean.length(&piece) > 40.0 {
                roads.push(Road { name: name.to_owned(), class, line: piece });
            }
        }
    };
    for i in 1..nc {
        for run in runs(&col_seg[i]) {
            let line = LineString(run.map(|j| Coord { x: frame.xs[i], y: frame.ys[j] }).collect());
            push(&col_names[i], class_of(frame.main_x[i], frame.xs[i]), line, &mut roads);
        }
    }
    for j in 1..nr {
        for run in runs(&row_seg[j]) {
            let line = LineString(run.map(|i| Coord { x: frame.xs[i], y: frame.ys[j] }).collect());
            push(&row_names[j], class_of(frame.main_y[j], frame.ys[j]), line, &mut roads);
        }
    }

    // 东氿大道 leaves the lattice at 荆溪路 × 宜城路 and curves east-north-east to the lake.
    let ic = (1..nc).rev().find(|&i| frame.main_x[i]).unwrap_or(nc / 2);
    let jr = (1..nr).find(|&j| frame.main_y[j]).unwrap_or(nr / 2);
    let p0 = Coord { x: frame.xs[ic], y: frame.ys[jr] };
    let (p1, p2) = (p0 + Coord { x: 450.0, y: 40.0 }, Coord { x: HALF + 200.0, y: p0.y + 700.0 });
    let bezier = (0..=40).map(|k| k as f64 / 40.0).map(|t| p0 * ((1.0 - t) * (1.0 - t)) + p1 * (2.0 * t * (1.0 - t)) + p2 * (t * t));
    let inside = domain().clip(&MultiLineString(vec![LineString(bezier.collect())]), false);
    for piece in inside {
        push("东氿大道", Class::Main, piece, &mut roads);
    }

    // 蛟桥河步行街 follows the river's north bank between the lattice streets nearest
    // 650 m west and 450 m east of the centre, so both ends meet a street.
    let nearest = |t: f64| (1..nc).min_by(|&a, &b| (frame.xs[a] - t).abs().total_cmp(&(frame.xs[b] - t).abs())).unwrap_or(1);
    let (ua, ub) = (frame.xs[nearest(-650.0)], frame.xs[nearest(450.0)]);
    let mut promenade = water.river.line(ua, ub);
    promenade.0.iter_mut().for_each(|c| c.y += PROMENADE_OFFSET);
    roads.push(Road { name: "蛟桥河步行街".into(), class: Class::Pedestrian, line: promenade });

    lanes(frame, water, &row_names, rng, &mut roads);

    let mut nodes = Vec::new();
    for i in 1..nc {
        for j in 1..nr {
            let at = Coord { x: frame.xs[i], y: frame.ys[j] };
            let on_col = col_seg[i][j - 1] || col_seg[i][j];
            let on_row = row_seg[j][i - 1] || row_seg[j][i];
            if on_col && on_row && !water.lake.contains(&Point(at)) && !water.near(at, 30.0) {
                let hw = |main: bool, pos: f64| class_of(main, pos).half_width();
                nodes.push(Node {
                    at,
                    names: [col_names[i].clone(), row_names[j].clone()],
                    half_widths: [hw(frame.main_x[i], frame.xs[i]), hw(frame.main_y[j], frame.ys[j])],
                });
            }
        }
    }
    Streets { roads, nodes }
}

/// Runs of consecutive kept segments, as ranges of lattice crossing indices.
fn runs(seg: &[bool]) -> Vec<std::ops::RangeInclusive<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (k, &on) in seg.iter().chain(std::iter::once(&false)).enumerate() {
        match (on, start) {
            (true, None) => start = Some(k),
            (false, Some(s)) => {
                out.push(s..=k);
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Lanes (巷/弄) across or into the larger cells, parallel to the cell's shorter side; some
/// are dead ends. Cells with water are left alone.
fn lanes(frame: &Frame, water: &Water, row_names: &[String], rng: &mut ChaCha8Rng, roads: &mut Vec<Road>) {
    let mut pool = names::LANES.iter();
    let mut fallback = std::collections::BTreeMap::<usize, usize>::new();
    for j in 0..frame.rows() {
        for i in 0..frame.cols() {
            let (a, b) = frame.cell_rect(i, j);
            let (w, h) = (b.x - a.x, b.y - a.y);
            if (i, j) == water.park_cell || j == frame.river_row || w.max(h) < 190.0 || !rng.random_bool(0.45) {
                continue;
            }
            let f = rng.random_range(0.38..0.62);
            let depth = if rng.random_bool(0.3) { rng.random_range(0.5..0.7) } else { 1.0 };
            let (s, e) = if w >= h {
                let x = a.x + w * f;
                (Coord { x, y: a.y }, Coord { x, y: a.y + h * depth })
            } else {
                let y = a.y + h * f;
                (Coord { x: a.x, y }, Coord { x: a.x + w * depth, y })
            };
            let line = LineString(vec![s, e]);
            if water.bodies.iter().any(|b| b.poly.intersects(&line)) || water.near(e, 25.0) || water.near(s, 25.0) {
                continue;
            }
            let name = match pool.next() {
                Some(n) => n.to_string(),
                None => {
                    let parent = if j > 0 { j } else { 1 };
                    let n = fallback.entry(parent).or_insert(0);
                    *n += 1;
                    format!("{}{}弄", row_names[parent].trim_end_matches('路'), names::cn_number(*n))
                }
            };
            roads.push(Road { name, class: Class::Branch, line });
        }
    }
}
