//! Seeded data shared by the benchmarks, so every benchmark measures the same places.

use geo_types::Coord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The old-town centre of the demo district; the data spread over its county.
pub const CENTRE: Coord<f64> = Coord { x: 119.82, y: 31.36 };

/// `n` points clustered like real facilities: 80 % in 200 clusters (towns and streets, dense
/// at their middle), 20 % uniform over about 60 km × 60 km around [`CENTRE`].
pub fn clustered_points(n: usize, seed: u64) -> Vec<Coord<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let clusters: Vec<Coord<f64>> = (0..200)
        .map(|_| Coord { x: CENTRE.x + rng.random_range(-0.3..0.3), y: CENTRE.y + rng.random_range(-0.25..0.25) })
        .collect();
    (0..n)
        .map(|_| {
            if rng.random_bool(0.8) {
                let c = clusters[rng.random_range(0..clusters.len())];
                let (dx, dy): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
                Coord { x: c.x + dx * dx * dx * 0.02, y: c.y + dy * dy * dy * 0.02 }
            } else {
                Coord { x: CENTRE.x + rng.random_range(-0.33..0.33), y: CENTRE.y + rng.random_range(-0.27..0.27) }
            }
        })
        .collect()
}
