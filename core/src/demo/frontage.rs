//! Things that stand along the streets: billboards and the shops that sign the 门前三包
//! ("three guarantees in front of the door") responsibility agreement.

use std::collections::BTreeSet;

use geo_types::{Coord, Point};
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::{shop_nouns, AD_OWNERS, SHOP_PREFIXES};
use super::streets::{Class, Road};
use super::{date_between, Town};
use crate::feature::{Feature, Value};

/// A face area from which a billboard counts as large (大型广告设施) and needs periodic
/// safety inspection. The work plan gives no figure; 30 m² is a common local threshold.
pub const LARGE_FACE_AREA_M2: f64 = 30.0;

/// Picks spots along a set of roads, each road weighted by its length times a factor.
pub struct Sampler<'a> {
    roads: Vec<&'a Road>,
    cumulative: Vec<f64>,
}

/// A spot beside a road: the point, the road, how far along it, and which side.
pub struct Spot<'a> {
    pub at: Coord,
    pub road: &'a Road,
    pub along: f64,
    pub left: bool,
}

impl<'a> Sampler<'a> {
    pub fn new(roads: &'a [Road], weight: impl Fn(&Road) -> f64) -> Sampler<'a> {
        let mut total = 0.0;
        let mut picked = Vec::new();
        let mut cumulative = Vec::new();
        for r in roads {
            let w = weight(r) * length(r);
            if w > 0.0 {
                total += w;
                picked.push(r);
                cumulative.push(total);
            }
        }
        Sampler { roads: picked, cumulative }
    }

    /// A random spot `offset(road)` metres to one side of a road's centreline.
    pub fn spot(&self, rng: &mut ChaCha8Rng, offset: impl Fn(&Road) -> f64) -> Option<Spot<'a>> {
        let total = *self.cumulative.last()?;
        let t = rng.random_range(0.0..total);
        let road = self.roads[self.cumulative.partition_point(|&c| c <= t).min(self.roads.len() - 1)];
        let along = rng.random_range(0.0..length(road));
        let left = rng.random_bool(0.5);
        let mut s = along;
        for w in road.line.0.windows(2) {
            let d = w[1] - w[0];
            let len = d.x.hypot(d.y);
            if s <= len && len > 0.0 {
                let side = if left { offset(road) } else { -offset(road) };
                let normal = Coord { x: -d.y / len, y: d.x / len } * side;
                return Some(Spot { at: w[0] + d * (s / len) + normal, road, along, left });
            }
            s -= len;
        }
        None
    }
}

fn length(r: &Road) -> f64 {
    r.line.0.windows(2).map(|w| (w[1] - w[0]).x.hypot((w[1] - w[0]).y)).sum()
}

/// (type code, Chinese label, face-area range in m², share)
const BILLBOARD_TYPES: [(&str, &str, (f64, f64), f64); 4] = [
    ("wall", "墙面广告", (4.0, 45.0), 0.45),
    ("roof", "屋顶广告", (25.0, 120.0), 0.2),
    ("free_standing", "落地广告", (6.0, 60.0), 0.2),
    ("led", "LED屏", (8.0, 80.0), 0.15),
];

/// Billboards along the main roads and the pedestrian street, 5–15 m from the centreline
/// (wall and roof signs on the building line, free-standing signs and screens nearer the kerb).
pub fn billboards(town: &Town, rng: &mut ChaCha8Rng, count: usize) -> Vec<Feature> {
    let sampler = Sampler::new(&town.streets.roads, |r| match r.class {
        Class::Main => 1.0,
        Class::Pedestrian => 3.0,
        _ => 0.0,
    });
    let mut out = Vec::new();
    let mut serials = BTreeSet::new();
    let mut counters = std::collections::BTreeMap::<(String, &str), usize>::new();
    for _ in 0..count * 20 {
        if out.len() == count {
            break;
        }
        let mut t = rng.random_range(0.0..1.0);
        let &(code, label, (lo, hi), _) = BILLBOARD_TYPES.iter().find(|b| {
            t -= b.3;
            t < 0.0
        }).unwrap_or(&BILLBOARD_TYPES[0]);
        let on_building = matches!(code, "wall" | "roof");
        let offset = if on_building { rng.random_range(10.0..15.0) } else { rng.random_range(5.0..10.0) };
        let Some(spot) = sampler.spot(rng, |_| offset) else { break };
        if town.water.near(spot.at, 2.0) {
            continue;
        }
        let area = (rng.random_range(lo..hi) * 2.0).round() / 2.0;
        let large = area >= LARGE_FACE_AREA_M2;
        let n = counters.entry((spot.road.name.clone(), label)).or_insert(0);
        *n += 1;
        let permit = if rng.random_bool(0.88) {
            let year = rng.random_range(2019..=2022);
            let serial = loop {
                let s = rng.random_range(1..=1999);
                if serials.insert((year, s)) {
                    break s;
                }
            };
            Value::Text(format!("宜城管广许〔{year}〕第{serial:04}号"))
        } else {
            Value::Null
        };
        let inspected = if large { Value::Date(date_between(rng, (2021, 1, 1), (2022, 6, 30))) } else { Value::Null };
        out.push(
            Feature::new(Point(spot.at))
                .with("name", format!("{}{label}{n}号", spot.road.name))
                .with("type", code)
                .with("face_area_m2", area)
                .with("owner", *AD_OWNERS.choose(rng).unwrap_or(&AD_OWNERS[0]))
                .with("permit_no", permit)
                .with("large", large)
                .with("last_safety_inspection", inspected),
        );
    }
    out
}

/// Street-front businesses, denser towards the old-town centre, each on the building line of
/// a street, with a house number (odd on the left, even on the right) and its community.
pub fn responsibility_units(town: &Town, rng: &mut ChaCha8Rng, count: usize) -> Vec<Feature> {
    let sampler = Sampler::new(&town.streets.roads, |_| 1.0);
    let mut out = Vec::new();
    let (mut addresses, mut names) = (BTreeSet::new(), BTreeSet::new());
    for _ in 0..count * 30 {
        if out.len() == count {
            break;
        }
        let setback = rng.random_range(3.0..8.0);
        let Some(spot) = sampler.spot(rng, |r| r.class.half_width() + setback) else { break };
        let r = spot.at.x.hypot(spot.at.y);
        let keep = if r < 900.0 { 1.0 } else if r < 1400.0 { 0.6 } else { 0.12 };
        if !rng.random_bool(keep) || town.block_at(spot.at, 0.5).is_none() {
            continue;
        }
        let number = (spot.along / 8.0) as usize * 2 + if spot.left { 1 } else { 2 };
        let address = format!("{}{number}号", spot.road.name);
        if !addresses.insert(address.clone()) {
            continue;
        }
        let near_market = town.places.markets.iter().any(|m| (*m - spot.at).x.hypot((*m - spot.at).y) < 160.0);
        let business = if near_market && rng.random_bool(0.6) {
            "market_stall"
        } else {
            *[("shop", 45), ("restaurant", 28), ("hotel", 5), ("car_service", 7), ("office", 15)]
                .choose_weighted(rng, |w| w.1)
                .map(|w| &w.0)
                .unwrap_or(&"shop")
        };
        let prefix = SHOP_PREFIXES.choose(rng).unwrap_or(&SHOP_PREFIXES[0]);
        let noun = shop_nouns(business).choose(rng).unwrap_or(&"商店");
        let mut name = format!("{prefix}{noun}");
        if names.contains(&name) {
            name = format!("{prefix}{noun}（{}店）", spot.road.name);
        }
        if !names.insert(name.clone()) {
            continue;
        }
        let signed = rng.random_bool(0.85);
        let community = town.community_name(spot.at);
        out.push(
            Feature::new(Point(spot.at))
                .with("name", name)
                .with("business_type", business)
                .with("address", address)
                .with("street", spot.road.name.as_str())
                .with("community", community)
                .with("signed", signed)
                .with("signed_date", if signed { Value::Date(date_between(rng, (2021, 3, 1), (2022, 6, 30))) } else { Value::Null }),
        );
    }
    out
}
