//! Measuring on the map: geodesic length and area on the WGS84 ellipsoid (Karney's
//! algorithms, through `geo`'s `Geodesic`), so a distance drawn across the district reads the
//! same as a surveyor's, whatever the latitude. The desktop's measure tool calls these for
//! every point it draws.

use geo::orient::{Direction, Orient};
use geo::{GeodesicArea, Length};
use geo_types::{Coord, LineString, Polygon};

use crate::error::{Error, Result};

/// Square metres in one 亩 (mu), the Chinese land unit: 10 000 / 15 m².
pub const M2_PER_MU: f64 = 10_000.0 / 15.0;

/// What a measured line or area comes to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Length of the line, or the perimeter of the area, in metres.
    pub length_m: f64,
    /// The area in square metres; 0 for a line.
    pub area_m2: f64,
    /// The same area in 亩.
    pub area_mu: f64,
}

/// The geodesic length of a polyline through `points` (`[lon, lat]` in WGS84 degrees).
pub fn line(points: &[[f64; 2]]) -> Result<Measurement> {
    check(points)?;
    let length_m = geo::Geodesic.length(&LineString::from(coords(points)));
    Ok(Measurement { length_m, area_m2: 0.0, area_mu: 0.0 })
}

/// The geodesic area and perimeter of the polygon with these corners (`[lon, lat]`; the ring
/// is closed here, so the first corner need not be repeated). Fewer than three distinct
/// corners measure no area.
pub fn area(points: &[[f64; 2]]) -> Result<Measurement> {
    check(points)?;
    let mut ring = coords(points);
    if ring.first() != ring.last() {
        ring.push(ring[0]);
    }
    if ring.len() < 4 {
        let length_m = geo::Geodesic.length(&LineString::from(ring));
        return Ok(Measurement { length_m, area_m2: 0.0, area_mu: 0.0 });
    }
    // Karney's area takes a clockwise exterior for the rest of the globe: wind it
    // counter-clockwise, however it was drawn.
    let polygon = Polygon::new(LineString::from(ring), vec![]).orient(Direction::Default);
    let area_m2 = polygon.geodesic_area_unsigned();
    Ok(Measurement { length_m: polygon.geodesic_perimeter(), area_m2, area_mu: area_m2 / M2_PER_MU })
}

fn coords(points: &[[f64; 2]]) -> Vec<Coord<f64>> {
    points.iter().map(|&[x, y]| Coord { x, y }).collect()
}

/// Coordinates must be finite longitudes and latitudes.
fn check(points: &[[f64; 2]]) -> Result<()> {
    match points.iter().position(|&[x, y]| !(x.is_finite() && y.is_finite() && (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y))) {
        Some(i) => Err(Error::Invalid(format!(
            "point {} ({}, {}) is not a WGS84 longitude, latitude (longitude −180…180, latitude −90…90)",
            i + 1,
            points[i][0],
            points[i][1]
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, rel: f64) {
        assert!((got - want).abs() <= want.abs() * rel, "got {got}, want {want} (±{rel} relative)");
    }

    #[test]
    fn a_long_line_matches_geographiclib() {
        // GeographicLib's own example: `echo 40.6 -73.8 51.6 -0.5 | GeodSolve -i`.
        let m = line(&[[-73.8, 40.6], [-0.5, 51.6]]).unwrap();
        close(m.length_m, 5_551_759.400_319, 1e-12);
        assert_eq!(m.area_m2, 0.0);
    }

    #[test]
    fn a_district_line_and_square_match_spatialite() {
        // SpatiaLite 5.0.1's ST_Length(geom, 1) and ST_Area(geom, 1) on the same shapes.
        close(line(&[[119.80, 31.35], [119.81, 31.35], [119.81, 31.36]]).unwrap().length_m, 2_060.292_514, 1e-9);
        let sq = area(&[[119.80, 31.35], [119.81, 31.35], [119.81, 31.36], [119.80, 31.36]]).unwrap();
        close(sq.area_m2, 1_054_966.022_830, 1e-6);
        close(sq.area_mu, 1_054_966.022_830 * 15.0 / 10_000.0, 1e-6);
        // Its perimeter is its four sides.
        let sides = line(&[[119.80, 31.35], [119.81, 31.35], [119.81, 31.36], [119.80, 31.36], [119.80, 31.35]]).unwrap();
        close(sq.length_m, sides.length_m, 1e-12);
        // Drawn either way round, closed or not, the area is the same.
        let back = area(&[[119.80, 31.35], [119.80, 31.36], [119.81, 31.36], [119.81, 31.35], [119.80, 31.35]]).unwrap();
        close(back.area_m2, sq.area_m2, 1e-12);
    }

    #[test]
    fn one_mu_is_a_fifteenth_of_a_hectare() {
        close(M2_PER_MU, 666.666_666_666_7, 1e-12);
    }

    #[test]
    fn too_few_corners_have_no_area_and_bad_coordinates_are_named() {
        assert_eq!(area(&[[119.8, 31.3], [119.81, 31.3]]).unwrap().area_m2, 0.0);
        assert_eq!(line(&[]).unwrap().length_m, 0.0);
        let e = line(&[[119.8, 31.3], [200.0, 31.3]]).unwrap_err().to_string();
        assert!(e.contains("point 2") && e.contains("200"), "{e}");
        assert!(area(&[[f64::NAN, 0.0]]).is_err());
    }
}
