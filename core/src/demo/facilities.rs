//! Residents' facilities: parking, charging piles, public bike stations and drying areas.

use std::collections::BTreeMap;

use geo_types::{Coord, Point};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::frontage::Sampler;
use super::names::{CAR_OPERATORS, EBIKE_OPERATORS};
use super::streets::Class;
use super::Town;
use crate::feature::Feature;

/// A parking place, kept for putting chargers beside it.
pub struct Parking {
    pub at: Coord,
    pub kind: &'static str,
    pub name: String,
}

/// Car parks in blocks, on-street bays beside the kerb, and bike sheds in housing blocks.
pub fn parking(town: &Town, rng: &mut ChaCha8Rng) -> (Vec<Feature>, Vec<Parking>) {
    let mut order: Vec<usize> = (0..town.blocks.len()).collect();
    order.shuffle(rng);
    let in_town = |c: Coord| c.x.hypot(c.y) < 1700.0;
    let (mut out, mut places) = (Vec::new(), Vec::new());
    let mut push = |at: Coord, kind: &'static str, name: String, spaces: i64, tidal: bool, shared: bool| {
        out.push(
            Feature::new(Point(at))
                .with("name", name.as_str())
                .with("kind", kind)
                .with("spaces", spaces)
                .with("tidal", tidal)
                .with("shared_off_peak", shared),
        );
        places.push(Parking { at, kind, name });
    };
    let (mut lots, mut sheds) = (0, 0);
    for &k in &order {
        let b = &town.blocks[k];
        if !in_town(b.anchor) || b.area < 5000.0 {
            continue;
        }
        let lot = lots < 30 && matches!(b.landuse, "commercial" | "public" | "residential");
        let shed = !lot && sheds < 25 && b.landuse == "residential";
        let Some(at) = (lot || shed).then(|| b.random_point(10.0, rng)).flatten() else { continue };
        if lot {
            lots += 1;
            let spaces = rng.random_range(8..=60) * 5;
            let shared = rng.random_bool(if b.landuse == "residential" { 0.1 } else { 0.35 });
            push(at, "lot", format!("{}停车场", b.name), spaces, rng.random_bool(0.15), shared);
        } else {
            sheds += 1;
            push(at, "shed", format!("{}非机动车停车棚", b.name), rng.random_range(20..=120), false, false);
        }
    }
    let kerb = Sampler::new(&town.streets.roads, |r| matches!(r.class, Class::Main | Class::Secondary) as u8 as f64);
    let mut counters = BTreeMap::<String, usize>::new();
    let mut bays = 0;
    for _ in 0..600 {
        if bays == 30 {
            break;
        }
        let Some(spot) = kerb.spot(rng, |r| r.class.half_width() - 2.5) else { break };
        if !in_town(spot.at) || town.water.near(spot.at, 3.0) {
            continue;
        }
        let n = counters.entry(spot.road.name.clone()).or_insert(0);
        *n += 1;
        let name = format!("{}路内泊位{n}号", spot.road.name);
        bays += 1;
        push(spot.at, "street", name, rng.random_range(8..=40), rng.random_bool(0.25), false);
    }
    (out, places)
}

/// A point `lo..hi` metres from `c` in a random direction.
fn near(c: Coord, lo: f64, hi: f64, rng: &mut ChaCha8Rng) -> Coord {
    let (r, a) = (rng.random_range(lo..hi), rng.random_range(0.0..std::f64::consts::TAU));
    c + Coord { x: r * a.cos(), y: r * a.sin() }
}

fn pile(at: Coord, name: String, car: bool, rng: &mut ChaCha8Rng) -> Feature {
    let (ports, operator) = if car {
        (rng.random_range(2..=8i64), CAR_OPERATORS.choose(rng).copied().unwrap_or_default())
    } else {
        (rng.random_range(8..=20i64), EBIKE_OPERATORS.choose(rng).copied().unwrap_or_default())
    };
    Feature::new(Point(at))
        .with("name", name)
        .with("vehicle_type", if car { "car" } else { "ebike" })
        .with("ports", ports)
        .with("operator", operator)
        .with("scan_to_pay", rng.random_bool(0.88))
}

/// Charging piles: car piles at car parks and on-street bays, e-bike piles at bike sheds,
/// and more of both along the smaller streets.
pub fn chargers(town: &Town, parking: &[Parking], rng: &mut ChaCha8Rng) -> Vec<Feature> {
    let mut out = Vec::new();
    for p in parking {
        let (count, car, label) = match p.kind {
            "lot" => (2, true, "充电桩"),
            "street" => (1, true, "充电桩"),
            _ => (rng.random_range(1..=2), false, "电动车充电点"),
        };
        for n in 1..=count {
            let at = (0..20).map(|_| near(p.at, 6.0, 20.0, rng)).find(|&c| !town.water.near(c, 3.0));
            if let Some(at) = at {
                out.push(pile(at, format!("{}{label}{n}号", p.name), car, rng));
            }
        }
    }
    let streets = Sampler::new(&town.streets.roads, |r| matches!(r.class, Class::Secondary | Class::Branch) as u8 as f64);
    let mut counters = BTreeMap::<(String, bool), usize>::new();
    for _ in 0..400 {
        if out.len() >= 175 {
            break;
        }
        let Some(spot) = streets.spot(rng, |r| r.class.half_width() + 2.0) else { break };
        if spot.at.x.hypot(spot.at.y) > 1750.0 || town.water.near(spot.at, 3.0) {
            continue;
        }
        let car = rng.random_bool(0.5);
        let n = counters.entry((spot.road.name.clone(), car)).or_insert(0);
        *n += 1;
        let name = if car { format!("{}充电站{n}号", spot.road.name) } else { format!("{}电动车充电点{n}号", spot.road.name) };
        out.push(pile(spot.at, name, car, rng));
    }
    out
}

/// Public bike stations on a corner of a street crossing, clear of both carriageways.
pub fn bike_stations(town: &Town, rng: &mut ChaCha8Rng, count: usize) -> Vec<Feature> {
    let mut nodes: Vec<usize> = (0..town.streets.nodes.len()).filter(|&k| town.streets.nodes[k].at.x.hypot(town.streets.nodes[k].at.y) < 1750.0).collect();
    nodes.shuffle(rng);
    let mut out = Vec::new();
    for k in nodes.into_iter().take(count) {
        let node = &town.streets.nodes[k];
        let mut corners = [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)];
        corners.shuffle(rng);
        let spot = corners.iter().find_map(|&(sx, sy)| {
            let d = Coord { x: sx * (node.half_widths[0] + rng.random_range(3.0..7.0)), y: sy * (node.half_widths[1] + rng.random_range(3.0..7.0)) };
            let c = node.at + d;
            town.block_at(c, 0.5).map(|_| c)
        });
        let Some(at) = spot else { continue };
        out.push(
            Feature::new(Point(at))
                .with("name", format!("{}{}口公共自行车站", node.names[0], node.names[1]))
                .with("docks", rng.random_range(12..=40i64))
                .with("e_assist", rng.random_bool(0.4)),
        );
    }
    out
}

/// Drying areas inside each community's housing blocks: up to three per community, in its
/// largest compounds, and a second one in the big compounds.
pub fn drying_areas(town: &Town, rng: &mut ChaCha8Rng) -> Vec<Feature> {
    let mut out = Vec::new();
    for (k, community) in town.districts.communities.iter().enumerate() {
        let mut housing: Vec<_> = town.blocks.iter().filter(|b| b.community == Some(k) && b.landuse == "residential").collect();
        housing.sort_by(|a, b| b.area.total_cmp(&a.area));
        let mut n = 0;
        for b in housing.into_iter().take(3) {
            let spots = if b.area > 30_000.0 { 2 } else { 1 };
            for _ in 0..spots {
                let Some(at) = b.random_point(8.0, rng) else { continue };
                if town.districts.community_at(&town.frame, at) != Some(k) {
                    continue;
                }
                n += 1;
                out.push(
                    Feature::new(Point(at))
                        .with("name", format!("{}晾晒区{n}", community.name))
                        .with("capacity", rng.random_range(5..=30i64) * 2)
                        .with("community", community.name.as_str()),
                );
            }
        }
    }
    out
}
