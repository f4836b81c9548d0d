//! GCJ-02 (Amap, Tencent) and BD-09 (Baidu): the offsets Chinese web maps apply to WGS84.
//!
//! The only crate offering these (`gcj02` 0.1.0) has one release and no inverse accuracy
//! guarantee, so the public formula is implemented here with tests of the round trip.

use std::f64::consts::PI;

use geo_types::Coord;

// Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses it.
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// Whether GCJ-02 shifts this coordinate: the formula applies inside China only.
pub fn in_china(c: Coord<f64>) -> bool {
    (72.004..=137.8347).contains(&c.x) && (0.8293..=55.8271).contains(&c.y)
}

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02 (the public forward formula).
pub fn wgs84_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    if !in_china(c) {
        return c;
    }
    let (x, y) = (c.x - 105.0, c.y - 35.0);
    let rad_lat = c.y / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = shift_lat(x, y) * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = shift_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    Coord { x: c.x + d_lon, y: c.y + d_lat }
}

/// GCJ-02 → WGS84 by fixed-point iteration on the forward formula, to about a millimetre.
pub fn gcj02_to_wgs84(c: Coord<f64>) -> Coord<f64> {
    if !in_china(c) {
        return c;
    }
    let mut w = c;
    for _ in 0..30 {
        let g = wgs84_to_gcj02(w);
        let (dx, dy) = (g.x - c.x, g.y - c.y);
        w = Coord { x: w.x - dx, y: w.y - dy };
        if dx.abs() < 1e-10 && dy.abs() < 1e-10 {
            break;
        }
    }
    w
}

const BD_X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(c: Coord<f64>) -> Coord<f64> {
    let z = (c.x * c.x + c.y * c.y).sqrt() + 0.00002 * (c.y * BD_X_PI).sin();
    let theta = c.y.atan2(c.x) + 0.000003 * (c.x * BD_X_PI).cos();
    Coord { x: z * theta.cos() + 0.0065, y: z * theta.sin() + 0.006 }
}

/// BD-09 → GCJ-02, refined by iteration on [`gcj02_to_bd09`] so the round trip is exact.
pub fn bd09_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    let (x, y) = (c.x - 0.0065, c.y - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * BD_X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * BD_X_PI).cos();
    let mut g = Coord { x: z * theta.cos(), y: z * theta.sin() };
    for _ in 0..10 {
        let b = gcj02_to_bd09(g);
        let (dx, dy) = (b.x - c.x, b.y - c.y);
        g = Coord { x: g.x - dx, y: g.y - dy };
        if dx.abs() < 1e-11 && dy.abs() < 1e-11 {
            break;
        }
    }
    g
}
