//! Well-known text for the `wkt` column of CSV files of line and polygon layers, through
//! georust's `wkt` crate. Coordinates are written rounded to 7 decimals (about 1 cm).

use geo_types::Geometry;
use wkt::{ToWkt, TryFromWkt};

use super::geometry::rounded;

/// WKT of a geometry with coordinates rounded to 7 decimals.
pub(crate) fn to_wkt(g: &Geometry<f64>) -> String {
    rounded(g).wkt_string()
}

/// Deepest nesting of parentheses read: a MULTIPOLYGON is 3 deep, a collection of them 4.
const MAX_DEPTH: usize = 32;

/// Parses WKT, or EWKT with an `SRID=…;` prefix. `Err` says what is wrong and what is accepted.
pub(crate) fn from_wkt(s: &str) -> Result<Geometry<f64>, String> {
    let s = s.trim();
    let s = match s.split_once(';') {
        Some((srid, rest)) if srid.trim().to_ascii_uppercase().starts_with("SRID=") => rest,
        _ => s,
    };
    // The wkt crate parses a GEOMETRYCOLLECTION inside another by recursion, without a limit,
    // so 100 000 nested collections overflowed the stack (found by the fuzz corpus).
    let depth = s.bytes().try_fold((0usize, 0usize), |(d, max), b| match b {
        b'(' => Some((d + 1, max.max(d + 1))),
        b')' => Some((d.saturating_sub(1), max)),
        _ => Some((d, max)),
    });
    if let Some((_, max)) = depth.filter(|(_, max)| *max > MAX_DEPTH) {
        return Err(format!(
            "not well-known text: parentheses nested {max} deep (at most {MAX_DEPTH}); expected e.g. POLYGON((119.81 31.35, 119.82 31.35, 119.82 31.36, 119.81 31.35))"
        ));
    }
    Geometry::try_from_wkt_str(s)
        .map_err(|e| format!("not well-known text ({e}); expected e.g. POLYGON((119.81 31.35, 119.82 31.35, 119.82 31.36, 119.81 31.35))"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{line_string, point};

    #[test]
    fn round_trips_and_rounds() {
        let g: Geometry<f64> = line_string![(x: 119.812345678, y: 31.3), (x: 119.9, y: 31.4)].into();
        let text = to_wkt(&g);
        assert_eq!(text, "LINESTRING(119.8123457 31.3,119.9 31.4)");
        assert_eq!(from_wkt(&text).unwrap(), line_string![(x: 119.8123457, y: 31.3), (x: 119.9, y: 31.4)].into());
    }

    #[test]
    fn reads_ewkt_and_refuses_garbage() {
        assert_eq!(from_wkt("SRID=4326;POINT(1 2)").unwrap(), point!(x: 1.0, y: 2.0).into());
        assert!(from_wkt("POINT(1)").unwrap_err().contains("expected e.g."));
    }

    #[test]
    fn refuses_deep_nesting_without_recursing() {
        let deep = format!("{}POINT(1 1){}", "GEOMETRYCOLLECTION(".repeat(100_000), ")".repeat(100_000));
        assert!(from_wkt(&deep).unwrap_err().contains("nested 100001 deep (at most 32)"));
        let ok = format!("{}POINT(1 1){}", "GEOMETRYCOLLECTION(".repeat(10), ")".repeat(10));
        assert!(from_wkt(&ok).is_ok());
    }
}
