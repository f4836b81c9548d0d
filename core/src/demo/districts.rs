//! Subdistricts (街道) and communities (社区) as rectangles of lattice cells.
//!
//! Real boundaries mostly follow streets, and so do these: every community is a rectangle of
//! whole cells inside one subdistrict, so its border runs along street lines and it nests in
//! its subdistrict exactly (see `Frame::between`).

use geo_types::{Coord, MultiPolygon, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::frame::{rect, Frame};
use super::names;

/// A half-open range of lattice cells: columns `i0..i1`, rows `j0..j1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cells {
    pub i0: usize,
    pub i1: usize,
    pub j0: usize,
    pub j1: usize,
}

impl Cells {
    fn width(&self) -> usize {
        self.i1 - self.i0
    }
    fn height(&self) -> usize {
        self.j1 - self.j0
    }
    pub fn contains(&self, (i, j): (usize, usize)) -> bool {
        (self.i0..self.i1).contains(&i) && (self.j0..self.j1).contains(&j)
    }
    /// The range's outline in plan space.
    pub fn polygon(&self, frame: &Frame) -> Polygon {
        let (lo, _) = frame.cell_rect(self.i0, self.j0);
        let (_, hi) = frame.cell_rect(self.i1 - 1, self.j1 - 1);
        rect(lo, hi)
    }
    pub fn centre(&self, frame: &Frame) -> Coord {
        let (lo, _) = frame.cell_rect(self.i0, self.j0);
        let (_, hi) = frame.cell_rect(self.i1 - 1, self.j1 - 1);
        (lo + hi) / 2.0
    }
}

pub struct Subdistrict {
    pub name: &'static str,
    pub cells: Cells,
}

pub struct Community {
    pub name: String,
    pub subdistrict: usize,
    pub cells: Cells,
    /// `chengzhong` or `chengbei`: the enforcement squadron (城中 / 城北中队).
    pub squadron: &'static str,
    /// Set once the blocks' land use is known.
    pub households: i64,
}

pub struct Districts {
    pub subdistricts: Vec<Subdistrict>,
    pub communities: Vec<Community>,
}

/// Splits a cell range into `n` rectangles of roughly equal size (a guillotine cut at a
/// jittered proportion), so communities differ in shape and size.
fn split(r: Cells, n: usize, rng: &mut ChaCha8Rng, out: &mut Vec<Cells>) {
    let (w, h) = (r.width(), r.height());
    if n <= 1 || w * h < 2 {
        out.push(r);
        return;
    }
    let n1 = n / 2;
    let share = n1 as f64 / n as f64;
    let cut = |len: usize, rng: &mut ChaCha8Rng| {
        ((len as f64 * share + rng.random_range(-0.6..0.6)).round() as usize).clamp(1, len - 1)
    };
    let (a, b) = if w >= h {
        let c = r.i0 + cut(w, rng);
        (Cells { i1: c, ..r }, Cells { i0: c, ..r })
    } else {
        let c = r.j0 + cut(h, rng);
        (Cells { j1: c, ..r }, Cells { j0: c, ..r })
    };
    split(a, n1, rng, out);
    split(b, n - n1, rng, out);
}

/// 宜城街道 holds the old town; 屺亭街道 lies north of a row line near 1.2 km, 新庄街道 east
/// of a column line near 1.3 km (both schematic: their real borders are not available).
pub fn build(frame: &Frame, rng: &mut ChaCha8Rng) -> Districts {
    let (nc, nr) = (frame.cols(), frame.rows());
    let ie = frame.xs.iter().position(|&x| x > 1250.0).unwrap_or(nc - 1).min(nc - 1);
    let jn = frame.ys.iter().position(|&y| y > 1200.0).unwrap_or(nr - 1).min(nr - 1);
    let subdistricts = vec![
        Subdistrict { name: "宜城街道", cells: Cells { i0: 0, i1: ie, j0: 0, j1: jn } },
        Subdistrict { name: "屺亭街道", cells: Cells { i0: 0, i1: nc, j0: jn, j1: nr } },
        Subdistrict { name: "新庄街道", cells: Cells { i0: ie, i1: nc, j0: 0, j1: jn } },
    ];
    let lists: [&[&str]; 3] = [names::YICHENG_COMMUNITIES, names::QITING_COMMUNITIES, names::XINZHUANG_COMMUNITIES];
    let mut communities = Vec::new();
    for (s, sub) in subdistricts.iter().enumerate() {
        let mut parts = Vec::new();
        split(sub.cells, lists[s].len(), rng, &mut parts);
        for (k, cells) in parts.into_iter().enumerate() {
            let north = cells.centre(frame).y > 450.0;
            communities.push(Community {
                name: lists[s][k].to_owned(),
                subdistrict: s,
                cells,
                squadron: if s == 1 || (s == 0 && north) { "chengbei" } else { "chengzhong" },
                households: 0,
            });
        }
    }
    Districts { subdistricts, communities }
}

impl Districts {
    /// The community whose cells hold a plan point.
    pub fn community_at(&self, frame: &Frame, c: Coord) -> Option<usize> {
        let cell = frame.cell_of(c);
        self.communities.iter().position(|k| k.cells.contains(cell))
    }

    /// Whether two cells lie in one community (a street between them may be left out).
    pub fn same_community(&self, a: (usize, usize), b: (usize, usize)) -> bool {
        self.communities.iter().any(|k| k.cells.contains(a) && k.cells.contains(b))
    }

    pub fn subdistrict_geometry(&self, frame: &Frame, s: usize) -> MultiPolygon {
        MultiPolygon(vec![self.subdistricts[s].cells.polygon(frame)])
    }

    pub fn community_geometry(&self, frame: &Frame, k: usize) -> MultiPolygon {
        MultiPolygon(vec![self.communities[k].cells.polygon(frame)])
    }
}
