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
    GpkgWkb(blob).to_geo().map_err(|e| Error::Geometry(format!("cannot decode GeoPackage geometry: {e}")))
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
