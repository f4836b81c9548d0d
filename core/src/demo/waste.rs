//! Construction-waste points at the edge of town: transfer stations (being renewed),
//! township stacking points (to be regularised) and illegal dumps (to be cleared), as the
//! 2022 work plan sorts them.

use std::collections::BTreeMap;

use geo::{Distance, Euclidean};
use geo_types::{Coord, Point};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::frame::HALF;
use super::Town;
use crate::feature::Feature;

/// Plan-space distance from the centre beyond which the town thins out into its fringe.
pub const FRINGE_M: f64 = 1750.0;

/// A kind of waste point: its catalog code, how its names end, how many the district gets,
/// and the two statuses it may have, the first with the given odds.
struct Kind {
    code: &'static str,
    ending: &'static str,
    count: usize,
    statuses: [&'static str; 2],
    first_odds: f64,
}

const KINDS: [Kind; 3] = [
    Kind { code: "transfer_station", ending: "建筑垃圾中转站", count: 6, statuses: ["operating", "renewing"], first_odds: 0.6 },
    Kind { code: "township_stacking", ending: "建筑垃圾集中堆放点", count: 13, statuses: ["to_regularise", "operating"], first_odds: 0.65 },
    Kind { code: "illegal_dump", ending: "非正规消纳点", count: 15, statuses: ["to_clear", "cleared"], first_odds: 0.6 },
];

pub fn waste_points(town: &Town, rng: &mut ChaCha8Rng) -> Vec<Feature> {
    let mut out = Vec::new();
    let mut used = BTreeMap::<String, usize>::new();
    for Kind { code, ending, count, statuses, first_odds } in KINDS {
        let mut placed = 0;
        for _ in 0..count * 200 {
            if placed == count {
                break;
            }
            let c = Coord { x: rng.random_range(-HALF + 30.0..HALF - 30.0), y: rng.random_range(-HALF + 30.0..HALF - 30.0) };
            if c.x.hypot(c.y) < FRINGE_M || town.water.near(c, 20.0) || town.block_at(c, 5.0).is_none() {
                continue;
            }
            // Named after the nearest street, as the bureau's ledgers locate them.
            let road = town
                .streets
                .roads
                .iter()
                .min_by(|a, b| Euclidean.distance(&Point(c), &a.line).total_cmp(&Euclidean.distance(&Point(c), &b.line)));
            let Some(road) = road else { break };
            let base = format!("{}{ending}", road.name);
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 { base } else { format!("{base}{n}号") };
            let status = if rng.random_bool(first_odds) { statuses[0] } else { statuses[1] };
            out.push(Feature::new(Point(c)).with("name", name).with("kind", code).with("status", status));
            placed += 1;
        }
    }
    out
}
