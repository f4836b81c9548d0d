//! Tile addresses (z/x/y, the "slippy map" scheme MapLibre and OpenStreetMap use) and the
//! spherical Web Mercator projection (EPSG:3857) from WGS84 longitude/latitude to tile units.
//!
//! A tile at zoom `z` covers 1/2^z of the world's width and of its Mercator height; `x` counts
//! from the antimeridian eastwards and `y` from the north edge (85.0511° N) southwards. Inside a
//! tile, coordinates run from 0 to [`EXTENT`] with y pointing down, as the MVT spec asks.

use std::f64::consts::PI;
use std::fmt;

use geo_types::{Coord, Rect};

use crate::error::{Error, Result};

/// Units across one tile (the MVT default; 16 units per pixel of a 256-pixel tile).
pub const EXTENT: u32 = 4096;

/// The deepest zoom a tile may have (about 4 cm per tile unit at the equator).
pub const MAX_ZOOM: u8 = 22;

/// The latitude where the square Web Mercator world ends (atan(sinh π)), in degrees.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// The address of one tile: zoom, column (west to east) and row (north to south).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// A tile address, checked: `z` in 0..=22, and `x` and `y` in 0..2^z.
    pub fn new(z: u8, x: u32, y: u32) -> Result<TileId> {
        if z > MAX_ZOOM {
            return Err(Error::Invalid(format!("tile {z}/{x}/{y}: zoom {z} is out of range; expected 0..={MAX_ZOOM}")));
        }
        let n = 1u32 << z;
        if x >= n || y >= n {
            return Err(Error::Invalid(format!(
                "tile {z}/{x}/{y}: at zoom {z} x and y must be 0..={} (x counts from 180° W eastwards, y from 85.05° N southwards)",
                n - 1
            )));
        }
        Ok(TileId { z, x, y })
    }

    /// The tile at zoom `z` that holds the place `lon`, `lat` (degrees, WGS84). Latitudes
    /// beyond ±85.0511° fall in the top or bottom row; longitude 180 in the last column.
    pub fn containing(lon: f64, lat: f64, z: u8) -> Result<TileId> {
        if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
            return Err(Error::Invalid(format!(
                "({lon}, {lat}) is not a WGS84 longitude, latitude; expected -180..180, -90..90"
            )));
        }
        if z > MAX_ZOOM {
            return Err(Error::Invalid(format!("zoom {z} is out of range; expected 0..={MAX_ZOOM}")));
        }
        let n = (1u64 << z) as f64;
        let last = (1u32 << z) - 1;
        let x = ((mercator_x(lon) * n).floor() as u32).min(last);
        let y = ((mercator_y(lat) * n).floor().max(0.0) as u32).min(last);
        TileId::new(z, x, y)
    }

    /// The tile's area in degrees (W, S, E, N).
    pub fn bounds(&self) -> Rect<f64> {
        self.bounds_buffered(0.0)
    }

    /// The tile's area grown by `units` tile units on every side, in degrees (W, S, E, N);
    /// latitudes stop at ±85.0511°, where the Mercator world ends.
    pub fn bounds_buffered(&self, units: f64) -> Rect<f64> {
        let world = self.world_units();
        let (x0, y0) = (self.x as f64 * EXTENT as f64, self.y as f64 * EXTENT as f64);
        let west = lon_of((x0 - units) / world);
        let east = lon_of((x0 + EXTENT as f64 + units) / world);
        let north = lat_of(((y0 - units) / world).max(0.0));
        let south = lat_of(((y0 + EXTENT as f64 + units) / world).min(1.0));
        Rect::new((west, south), (east, north))
    }

    /// The projection of WGS84 coordinates into this tile's units.
    pub fn frame(&self) -> TileFrame {
        let world = self.world_units();
        TileFrame { world, x0: self.x as f64 * EXTENT as f64, y0: self.y as f64 * EXTENT as f64 }
    }

    /// Tile units across the whole world at this zoom: 4096 × 2^z.
    fn world_units(&self) -> f64 {
        EXTENT as f64 * (1u64 << self.z) as f64
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Web Mercator into one tile's units: `(0, 0)` is the tile's north-west corner, `(4096, 4096)`
/// its south-east corner; places outside the tile get coordinates outside that square.
#[derive(Debug, Clone, Copy)]
pub struct TileFrame {
    world: f64,
    x0: f64,
    y0: f64,
}

impl TileFrame {
    /// The place `c` (x = longitude, y = latitude, degrees) in tile units, y down. Latitudes
    /// beyond ±85.0511° are held at that limit.
    #[inline]
    pub fn project(&self, c: Coord<f64>) -> Coord<f64> {
        Coord { x: mercator_x(c.x) * self.world - self.x0, y: mercator_y(c.y) * self.world - self.y0 }
    }

    /// Whether a projected point lies in the tile proper: west and north edges included, east
    /// and south edges excluded, so that every place belongs to exactly one tile of a zoom.
    #[inline]
    pub fn owns(p: Coord<f64>) -> bool {
        (0.0..EXTENT as f64).contains(&p.x) && (0.0..EXTENT as f64).contains(&p.y)
    }
}

/// Longitude as a fraction of the world's width, 0 at 180° W, 1 at 180° E.
#[inline]
pub fn mercator_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude as a fraction of the Mercator world's height, 0 at 85.0511° N, 1 at 85.0511° S.
#[inline]
pub fn mercator_y(lat: f64) -> f64 {
    let phi = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    (1.0 - phi.tan().asinh() / PI) / 2.0
}

/// The inverse of [`mercator_x`].
pub fn lon_of(mx: f64) -> f64 {
    mx * 360.0 - 180.0
}

/// The inverse of [`mercator_y`].
pub fn lat_of(my: f64) -> f64 {
    (PI * (1.0 - 2.0 * my)).sinh().atan().to_degrees()
}
