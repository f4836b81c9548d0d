//! Places that occupy blocks: the two 2022 smart-street pilots (天禧广场 and the 蛟桥河步行街
//! corridor), the farmers' markets and the school campuses. Claiming a block also sets its
//! land use (a campus makes it `public`, a market or the square `commercial`).

use std::collections::BTreeSet;

use geo::{Area, Buffer};
use geo_types::{Coord, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::blocks::Block;
use super::districts::Districts;
use super::frame::{rect, Frame};
use super::names::{cn_number, short};
use super::streets::{Class, Streets};
use crate::feature::Feature;

pub struct Places {
    /// Features by layer id, in plan space.
    pub features: Vec<(&'static str, Feature)>,
    /// Market centres, where market stalls cluster.
    pub markets: Vec<Coord>,
}

fn largest(mp: geo_types::MultiPolygon) -> Option<Polygon> {
    mp.0.into_iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
}

/// Blocks by distance from `target`, nearest first, among those `ok` accepts.
fn nearest_blocks(blocks: &[Block], target: Coord, ok: impl Fn(&Block) -> bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..blocks.len()).filter(|&k| ok(&blocks[k])).collect();
    let d = |k: usize| (blocks[k].anchor - target).x.hypot((blocks[k].anchor - target).y);
    idx.sort_by(|&a, &b| d(a).total_cmp(&d(b)));
    idx
}

/// A rectangle of `w` × `h` metres centred on `c`.
fn rect_at(c: Coord, w: f64, h: f64) -> Polygon {
    rect(c - Coord { x: w / 2.0, y: h / 2.0 }, c + Coord { x: w / 2.0, y: h / 2.0 })
}

pub fn build(frame: &Frame, districts: &Districts, streets: &Streets, blocks: &mut [Block], rng: &mut ChaCha8Rng) -> Places {
    let mut features = Vec::new();
    let mut taken = BTreeSet::new();
    let free = |b: &Block| b.name.is_empty() && b.landuse != "green";

    // 天禧广场: the block south-east of 人民路 × 解放路, the commercial heart of the old town.
    let renmin = (0..frame.xs.len()).filter(|&i| frame.main_x[i]).nth(1).unwrap_or(frame.cols() / 2);
    let heart = Coord { x: frame.xs[renmin] + 140.0, y: frame.ys[frame.river_row] - 140.0 };
    if let Some(&k) = nearest_blocks(blocks, heart, |b| free(b) && b.area > 6000.0).first() {
        blocks[k].name = "天禧广场".into();
        blocks[k].landuse = "commercial";
        taken.insert(k);
        if let Some(p) = largest(blocks[k].poly.buffer(12.0)) {
            features.push(("smart_streets", Feature::new(p).with("name", "天禧广场").with("pilot_year", 2022i64)));
        }
    }
    if let Some(p) = streets.roads.iter().find(|r| r.class == Class::Pedestrian).and_then(|r| largest(r.line.buffer(45.0))) {
        features.push(("smart_streets", Feature::new(p).with("name", "蛟桥河步行街").with("pilot_year", 2022i64)));
    }

    let mut markets = Vec::new();
    for (name, target) in [
        ("宜城农贸市场", Coord { x: -350.0, y: -350.0 }),
        ("东虹农贸市场", Coord { x: 700.0, y: 650.0 }),
        ("城北农贸市场", Coord { x: -300.0, y: 1550.0 }),
    ] {
        let hall = nearest_blocks(blocks, target, |b| free(b) && b.area > 9000.0)
            .into_iter()
            .filter(|k| !taken.contains(k))
            .find_map(|k| blocks[k].fit(&rect_at(blocks[k].anchor, 90.0, 70.0)).map(|p| (k, p)));
        if let Some((k, p)) = hall {
            blocks[k].landuse = "commercial";
            taken.insert(k);
            markets.push(blocks[k].anchor);
            let stalls = rng.random_range(120..=320i64);
            features.push(("markets", Feature::new(p).with("name", name).with("stalls", stalls)));
        }
    }

    schools(districts, blocks, &mut taken, rng, &mut features);
    Places { features, markets }
}

/// A school level: its catalog code, how its names end, its campus and its head count.
struct Level {
    code: &'static str,
    ending: &'static str,
    campus_m: (f64, f64),
    students: (i64, i64),
    /// The share of schools of this level with a guard post (护学岗) at the gate.
    guard: f64,
    /// How many the district gets.
    count: usize,
}

const LEVELS: [Level; 4] = [
    Level { code: "kindergarten", ending: "幼儿园", campus_m: (60.0, 45.0), students: (150, 450), guard: 0.9, count: 8 },
    Level { code: "primary", ending: "小学", campus_m: (130.0, 90.0), students: (800, 2400), guard: 0.95, count: 9 },
    Level { code: "middle", ending: "初级中学", campus_m: (150.0, 110.0), students: (700, 1800), guard: 0.7, count: 5 },
    Level { code: "high", ending: "高级中学", campus_m: (190.0, 130.0), students: (1200, 2800), guard: 0.5, count: 3 },
];

/// School campuses, spread over the communities (nearest the centre first), each named after
/// its community; the first primary and middle school take the old town's flagship names.
fn schools(districts: &Districts, blocks: &mut [Block], taken: &mut BTreeSet<usize>, rng: &mut ChaCha8Rng, out: &mut Vec<(&'static str, Feature)>) {
    let mut order: Vec<usize> = (0..districts.communities.len()).collect();
    let dist = |k: usize| {
        let (sum, n) = blocks
            .iter()
            .filter(|b| b.community == Some(k))
            .fold((Coord { x: 0.0, y: 0.0 }, 0.0), |(s, n), b| (s + b.anchor, n + 1.0));
        let c = sum / f64::max(n, 1.0);
        c.x.hypot(c.y)
    };
    order.sort_by(|&a, &b| dist(a).total_cmp(&dist(b)));
    let mut names = BTreeSet::new();
    let mut turn = 0;
    for &Level { code, ending, campus_m: (w, h), students: (lo, hi), guard, count } in &LEVELS {
        let mut placed = 0;
        for _ in 0..order.len() * 2 {
            if placed == count {
                break;
            }
            let k = order[turn % order.len()];
            turn += 1;
            let candidate = (0..blocks.len())
                .filter(|b| !taken.contains(b) && blocks[*b].community == Some(k))
                .filter(|&b| matches!(blocks[b].landuse, "residential" | "public" | "commercial") && blocks[b].name.is_empty())
                .find_map(|b| blocks[b].fit(&rect_at(blocks[b].anchor, w, h)).map(|p| (b, p)));
            let Some((b, campus)) = candidate else { continue };
            taken.insert(b);
            blocks[b].landuse = "public";
            let flagship = match (code, placed) {
                ("primary", 0) => Some("宜兴市实验小学".to_owned()),
                ("middle", 0) => Some("宜兴市宜城中学".to_owned()),
                _ => None,
            };
            let base = short(&districts.communities[k].name);
            let mut name = flagship.unwrap_or_else(|| format!("宜兴市{base}{ending}"));
            let mut n = 1;
            while names.contains(&name) {
                n += 1;
                name = format!("宜兴市{base}第{}{ending}", cn_number(n));
            }
            names.insert(name.clone());
            let students = rng.random_range(lo..=hi) / 10 * 10;
            let f = Feature::new(campus)
                .with("name", name)
                .with("level", code)
                .with("students", students)
                .with("guard_post", rng.random_bool(guard));
            out.push(("schools", f));
            placed += 1;
        }
    }
}
