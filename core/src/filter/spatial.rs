//! Spatial tests answered from a layer's R-tree: candidates by bounding box, then the exact
//! DE-9IM test of `geo` — for backends (the GeoPackage) whose SQL has no spatial predicates.

use geo::{Contains, Intersects, Within};
use geo_types::{Geometry, Point};

use super::{Filter, SpatialOp, SpatialTest};
use crate::index::{Entry, LayerIndex, Shape};

/// The fids each spatial test of a filter matched, ascending, in the order of
/// [`Filter::spatial_tests`]. A backend binds them where the expression has its
/// [`super::Expr::Spatial`] nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpatialHits(Vec<Vec<i64>>);

impl SpatialHits {
    /// Runs every spatial test of `filter` on the layer's index.
    pub fn from_index(filter: &Filter, index: &LayerIndex) -> SpatialHits {
        SpatialHits(filter.spatial_tests().iter().map(|t| t.matches_in(index)).collect())
    }

    /// The fids the `i`-th test matched.
    pub fn fids(&self, i: usize) -> &[i64] {
        self.0.get(i).map_or(&[], |v| v.as_slice())
    }
}

impl SpatialTest {
    /// Fids of the indexed features passing the test, ascending. Disjoint is every feature
    /// with a geometry that does not meet the literal (rows without geometry pass no test).
    pub fn matches_in(&self, index: &LayerIndex) -> Vec<i64> {
        use geo::BoundingRect;
        let mut fids: Vec<i64> = match (self.op, self.geometry.bounding_rect()) {
            (SpatialOp::Disjoint, _) => index.entries().filter(|e| !self.passes(e)).map(|e| e.fid).collect(),
            (_, None) => Vec::new(),
            (_, Some(r)) => index.entries_in(r).filter(|e| self.passes(e)).map(|e| e.fid).collect(),
        };
        fids.sort_unstable();
        fids
    }

    /// Whether one indexed feature passes the test (for disjoint: whether it meets the
    /// literal, which the caller negates).
    fn passes(&self, e: &Entry) -> bool {
        let point;
        let g: &Geometry<f64> = match &e.shape {
            Shape::Point([x, y]) => {
                point = Geometry::Point(Point::new(*x, *y));
                &point
            }
            Shape::Other(o) => &o.geometry,
        };
        match self.op {
            SpatialOp::Intersects | SpatialOp::Disjoint => g.intersects(&self.geometry),
            SpatialOp::Within => g.is_within(&self.geometry),
            SpatialOp::Contains => g.contains(&self.geometry),
        }
    }
}
