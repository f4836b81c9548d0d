//! GeoPackage binary geometries (GeoPackage 1.4, clause 2.1.3): a small header — magic `GP`,
//! version, flags, SRS id, optional envelope — followed by ISO WKB.
//!
//! geozero writes and reads the WKB part; the header's envelope is read here because the
//! R-tree triggers' SQL functions need it without decoding the whole geometry.

use geo::BoundingRect;
use geo_types::{Geometry, Rect};
use geozero::wkb::GpkgWkb;
use geozero::{CoordDimensions, ToGeo, ToWkb};

use crate::error::{Error, Result};

/// The SRS every wardgis layer uses: WGS84 geographic (EPSG:4326).
pub const SRS_ID: i32 = 4326;

/// Encodes a WGS84 geometry as a GeoPackage blob. Points carry no envelope (it would only
/// repeat the point, and GDAL omits it too); every other geometry carries its XY envelope.
pub fn encode(g: &Geometry<f64>) -> Result<Vec<u8>> {
    encode_in(g, SRS_ID)
}

/// [`encode`] for coordinates in `srs_id`.
pub fn encode_in(g: &Geometry<f64>, srs_id: i32) -> Result<Vec<u8>> {
    let envelope = match (g, g.bounding_rect()) {
        (Geometry::Point(_), _) | (_, None) => Vec::new(),
        (_, Some(r)) => vec![r.min().x, r.max().x, r.min().y, r.max().y],
    };
    g.to_gpkg_wkb(CoordDimensions::xy(), Some(srs_id), envelope)
        .map_err(|e| Error::Geometry(format!("cannot encode geometry: {e}")))
}

/// Decodes a GeoPackage blob into a geometry.
pub fn decode(blob: &[u8]) -> Result<Geometry<f64>> {
    check_counts(blob).map_err(|e| Error::Geometry(format!("cannot decode GeoPackage geometry: {e}")))?;
    GpkgWkb(blob).to_geo().map_err(|e| Error::Geometry(format!("cannot decode GeoPackage geometry: {e}")))
}

/// Checks that every count in a blob's WKB (points, rings, parts) fits in the bytes that
/// follow, before geozero reserves memory for it: a damaged or hostile file declaring four
/// billion rings would otherwise ask for 50 GB and abort the process (found by the fuzz
/// corpus, `fuzz/corpus/import_gpkg`). Walks the structure only, not the coordinates.
fn check_counts(blob: &[u8]) -> Result<(), String> {
    if blob.len() < 8 || &blob[0..2] != b"GP" {
        return Err("not a GeoPackage geometry (no `GP` header)".into());
    }
    let envelope = match (blob[3] >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("envelope code {e} is not one of 0..4")),
    };
    let wkb = blob.get(8 + envelope..).ok_or("the header is longer than the blob")?;
    let end = wkb_end(wkb, 0, 0)?;
    debug_assert!(end <= wkb.len());
    Ok(())
}

/// The offset just past the WKB geometry starting at `at`, every count checked against the
/// bytes left. Nesting is bounded (collections of collections …) to keep the stack small.
fn wkb_end(wkb: &[u8], at: usize, depth: usize) -> Result<usize, String> {
    if depth > 32 {
        return Err("geometry collections nested more than 32 deep".into());
    }
    let short = || format!("the WKB ends early (at byte {at} of {})", wkb.len());
    let order = *wkb.get(at).ok_or_else(short)?;
    let u32_at = |i: usize| -> Result<u32, String> {
        let b: [u8; 4] = wkb.get(i..i + 4).ok_or_else(short)?.try_into().expect("4 bytes");
        Ok(if order == 1 { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    };
    let code = u32_at(at + 1)?;
    // ISO codes (1000s for Z, 2000s for M, 3000s for ZM) and the EWKB flag bits.
    let (z, m) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0);
    let iso = code & 0x0FFF_FFFF;
    let dims = 2 + usize::from(z || matches!(iso / 1000, 1 | 3)) + usize::from(m || matches!(iso / 1000, 2 | 3));
    let point = 8 * dims;
    let mut i = at + 5;
    let count = |i: usize, each: usize| -> Result<usize, String> {
        let n = u32_at(i)? as usize;
        if n.saturating_mul(each) > wkb.len().saturating_sub(i + 4) {
            return Err(format!("it declares {n} parts or points at byte {i}, more than the {} bytes left hold", wkb.len() - (i + 4)));
        }
        Ok(n)
    };
    match iso % 1000 {
        1 => i += point,
        2 => i += 4 + count(i, point)? * point,
        3 => {
            let rings = count(i, 4)?;
            i += 4;
            for _ in 0..rings {
                i += 4 + count(i, point)? * point;
            }
        }
        4..=7 => {
            let parts = count(i, 9)?;
            i += 4;
            for _ in 0..parts {
                i = wkb_end(wkb, i, depth + 1)?;
            }
        }
        other => return Err(format!("geometry type {other} is not one wardgis reads")),
    }
    if i > wkb.len() {
        return Err(short());
    }
    Ok(i)
}

/// What the R-tree triggers need from a blob: is it empty, and its XY bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlobBounds {
    pub empty: bool,
    pub rect: Option<Rect<f64>>,
}

/// Reads the header's empty flag and envelope; decodes the WKB only when the header has no
/// envelope (as for points). `None` if the blob is not a GeoPackage geometry.
pub fn bounds(blob: &[u8]) -> Option<BlobBounds> {
    if blob.len() < 8 || &blob[0..2] != b"GP" {
        return None;
    }
    let flags = blob[3];
    let little_endian = flags & 1 == 1;
    let empty = flags & 0b1_0000 != 0;
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        _ => return None,
    };
    if empty {
        return Some(BlobBounds { empty: true, rect: None });
    }
    if envelope_len >= 4 && blob.len() >= 8 + 32 {
        let read = |i: usize| {
            let b: [u8; 8] = blob[8 + 8 * i..16 + 8 * i].try_into().expect("8 bytes");
            if little_endian { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) }
        };
        let (minx, maxx, miny, maxy) = (read(0), read(1), read(2), read(3));
        let rect = Rect::new((minx, miny), (maxx, maxy));
        return Some(BlobBounds { empty: false, rect: Some(rect) });
    }
    let g = decode(blob).ok()?;
    let rect = g.bounding_rect();
    // An empty point is written as NaN coordinates.
    let rect = rect.filter(|r| r.min().x.is_finite() && r.min().y.is_finite());
    Some(BlobBounds { empty: rect.is_none(), rect })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{point, polygon};

    #[test]
    fn point_round_trips_without_envelope() {
        let g: Geometry<f64> = point!(x: 119.82, y: 31.36).into();
        let blob = encode(&g).unwrap();
        assert_eq!(&blob[0..2], b"GP");
        assert_eq!((blob[3] >> 1) & 0b111, 0, "no envelope for points");
        assert_eq!(decode(&blob).unwrap(), g);
        let b = bounds(&blob).unwrap();
        assert!(!b.empty);
        assert_eq!(b.rect.unwrap().min().x, 119.82);
    }

    #[test]
    fn polygon_carries_its_envelope() {
        let g: Geometry<f64> =
            polygon![(x: 1.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 5.0), (x: 1.0, y: 2.0)].into();
        let blob = encode(&g).unwrap();
        assert_eq!((blob[3] >> 1) & 0b111, 1);
        let r = bounds(&blob).unwrap().rect.unwrap();
        assert_eq!((r.min().x, r.max().x, r.min().y, r.max().y), (1.0, 3.0, 2.0, 5.0));
        assert_eq!(decode(&blob).unwrap(), g);
    }

    #[test]
    fn garbage_is_not_a_geometry() {
        assert!(bounds(b"not a blob").is_none());
        assert!(decode(b"GP\0\x01\0\0\0\0garbage").is_err());
    }
}
