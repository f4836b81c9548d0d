//! Walking distance along the streets: a graph from the roads layer's lines, and the shortest
//! path between two places, each joined to its nearest street by a straight access leg.
//!
//! Junctions are where lines share a vertex (coordinates equal to about a centimetre), where
//! they cross, and where one ends on another's side: a town's streets meet where they cross
//! (a bridge would have to be drawn as a gap). Lengths are geodesic.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use geo_types::{Coord, LineString};
use petgraph::graph::{NodeIndex, UnGraph};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use crate::crs::distance_m;

/// A street segment in the search tree: its ends in the tree's plane (longitude scaled by
/// cos φ, so nearness is measured fairly in both directions) and its graph nodes.
type Segment = GeomWithData<Line<[f64; 2]>, (NodeIndex, NodeIndex)>;

/// How far (m) a street's end may stop short of, or run past, another street and still meet
/// it at a junction.
pub const JUNCTION_TOLERANCE_M: f64 = 1.5;

/// How far along `line` (0 at its start, 1 at its end) the point `p` lies, projected.
fn along(line: geo_types::Line<f64>, p: Coord<f64>) -> f64 {
    let len2 = line.dx() * line.dx() + line.dy() * line.dy();
    if len2 == 0.0 { 0.0 } else { ((p.x - line.start.x) * line.dx() + (p.y - line.start.y) * line.dy()) / len2 }
}

/// The graph as it is built: nodes found by their coordinates, and the search tree's segments.
struct Builder {
    graph: UnGraph<Coord<f64>, f64>,
    nodes: HashMap<(i64, i64), NodeIndex>,
    segments: Vec<Segment>,
    x_scale: f64,
}

impl Builder {
    /// The node at `c`; coordinates within about a centimetre (float noise between layers,
    /// never two real places) are one node.
    fn node(&mut self, c: Coord<f64>) -> NodeIndex {
        let key = ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64);
        *self.nodes.entry(key).or_insert_with(|| self.graph.add_node(c))
    }

    /// A walkable piece of street from `p` to `q`.
    fn edge(&mut self, p: Coord<f64>, q: Coord<f64>) {
        let (a, b) = (self.node(p), self.node(q));
        if a != b {
            self.graph.add_edge(a, b, distance_m(p, q));
            let plane = |c: Coord<f64>| [c.x * self.x_scale, c.y];
            self.segments.push(GeomWithData::new(Line::new(plane(p), plane(q)), (a, b)));
        }
    }
}

/// The street network.
pub struct StreetNetwork {
    graph: UnGraph<Coord<f64>, f64>,
    segments: RTree<Segment>,
    /// cos φ of the network's mean latitude: the tree's x scale.
    x_scale: f64,
}

/// Where a place joins the network: the nearest point on a segment (u, v), how far the place
/// is from it, and how far along the segment from u it is.
#[derive(Debug, Clone, Copy)]
struct Access {
    u: NodeIndex,
    v: NodeIndex,
    leg: f64,
    from_u: f64,
    to_v: f64,
}

impl StreetNetwork {
    /// The network of `lines` (each a street or a piece of one), noded: where two lines cross,
    /// and where a line ends on another (within [`JUNCTION_TOLERANCE_M`]), they meet at a
    /// junction, as streets in a town do — road layers are often drawn without a shared vertex
    /// there (the demo's are).
    pub fn from_lines(lines: &[LineString<f64>]) -> StreetNetwork {
        let mean_lat = {
            let (sum, n) = lines.iter().flat_map(|l| l.0.iter()).fold((0.0, 0usize), |(s, n), c| (s + c.y, n + 1));
            if n == 0 { 0.0 } else { sum / n as f64 }
        };
        let x_scale = mean_lat.to_radians().cos();
        let plane = |c: Coord<f64>| [c.x * x_scale, c.y];
        let ground = |p: [f64; 2]| Coord { x: p[0] / x_scale, y: p[1] };

        // Every segment, and where along it (0–1) other lines cross or end on it.
        let pieces: Vec<(Coord<f64>, Coord<f64>)> =
            lines.iter().flat_map(|l| l.0.windows(2).map(|w| (w[0], w[1]))).filter(|(a, b)| a != b).collect();
        let tree = RTree::bulk_load(pieces.iter().enumerate().map(|(i, (a, b))| GeomWithData::new(Line::new(plane(*a), plane(*b)), i)).collect::<Vec<_>>());
        let mut cuts: Vec<Vec<(f64, Coord<f64>)>> = vec![Vec::new(); pieces.len()];
        for (i, (a, b)) in pieces.iter().enumerate() {
            let this = geo_types::Line::new(Coord::from(plane(*a)), Coord::from(plane(*b)));
            let envelope = rstar::AABB::from_corners(plane(*a), plane(*b));
            for other in tree.locate_in_envelope_intersecting(&envelope) {
                if other.data <= i {
                    continue;
                }
                let that = geo_types::Line::new(Coord::from(other.geom().from), Coord::from(other.geom().to));
                if let Some(geo::LineIntersection::SinglePoint { intersection, .. }) = geo::algorithm::line_intersection::line_intersection(this, that) {
                    let at = ground([intersection.x, intersection.y]);
                    cuts[i].push((along(this, intersection), at));
                    cuts[other.data].push((along(that, intersection), at));
                }
            }
        }
        // A line ending near another's side (a T-junction drawn a little short or long).
        let mut connectors = Vec::new();
        for line in lines {
            for end in [line.0.first(), line.0.last()].into_iter().flatten() {
                let q = plane(*end);
                let tolerance_deg = JUNCTION_TOLERANCE_M / 111_000.0;
                for near in tree.locate_within_distance(q, tolerance_deg * tolerance_deg) {
                    let seg = geo_types::Line::new(Coord::from(near.geom().from), Coord::from(near.geom().to));
                    let t = along(seg, Coord { x: q[0], y: q[1] }).clamp(0.0, 1.0);
                    let foot = ground([seg.start.x + t * seg.dx(), seg.start.y + t * seg.dy()]);
                    if distance_m(foot, *end) <= JUNCTION_TOLERANCE_M && t > 0.0 && t < 1.0 {
                        cuts[near.data].push((t, foot));
                        connectors.push((*end, foot));
                    }
                }
            }
        }

        let mut builder = Builder { graph: UnGraph::new_undirected(), nodes: HashMap::new(), segments: Vec::new(), x_scale };
        for ((a, b), mut at) in pieces.iter().zip(cuts) {
            at.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut points = vec![*a];
            points.extend(at.into_iter().map(|(_, c)| c));
            points.push(*b);
            for w in points.windows(2) {
                builder.edge(w[0], w[1]);
            }
        }
        for (end, foot) in connectors {
            builder.edge(end, foot);
        }
        let Builder { graph, segments, .. } = builder;
        StreetNetwork { graph, segments: RTree::bulk_load(segments), x_scale }
    }

    pub fn is_empty(&self) -> bool {
        self.graph.edge_count() == 0
    }

    /// Where `p` joins the network, or `None` for an empty network.
    fn access(&self, p: Coord<f64>) -> Option<Access> {
        let q = [p.x * self.x_scale, p.y];
        let segment = self.segments.nearest_neighbor(&q)?;
        let (a, b) = (segment.geom().from, segment.geom().to);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 == 0.0 { 0.0 } else { (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) };
        let foot = Coord { x: (a[0] + t * dx) / self.x_scale, y: a[1] + t * dy };
        let (u, v) = segment.data;
        Some(Access { u, v, leg: distance_m(p, foot), from_u: distance_m(self.graph[u], foot), to_v: distance_m(foot, self.graph[v]) })
    }

    /// The walking distance in metres from `from` to each of `targets`: access leg, streets,
    /// access leg; `None` where it exceeds `cutoff` metres or the two are not connected.
    pub fn distances(&self, from: Coord<f64>, targets: &[Coord<f64>], cutoff: f64) -> Vec<Option<f64>> {
        if targets.is_empty() {
            return Vec::new();
        }
        let Some(start) = self.access(from) else { return vec![None; targets.len()] };
        let reached = self.dijkstra(&start, cutoff);
        targets
            .iter()
            .map(|t| {
                let end = self.access(*t)?;
                let via_nodes = [(end.u, end.from_u), (end.v, end.to_v)]
                    .iter()
                    .filter_map(|(n, rest)| reached.get(n).map(|d| d + rest))
                    .fold(f64::INFINITY, f64::min);
                // On the same segment, straight along it.
                let same = if (start.u, start.v) == (end.u, end.v) { (start.from_u - end.from_u).abs() + start.leg } else { f64::INFINITY };
                let total = via_nodes.min(same) + end.leg;
                (total <= cutoff).then_some(total)
            })
            .collect()
    }

    /// Shortest distances from the start's access point to every node within `cutoff`.
    fn dijkstra(&self, start: &Access, cutoff: f64) -> HashMap<NodeIndex, f64> {
        #[derive(PartialEq)]
        struct Item(f64, NodeIndex);
        impl Eq for Item {}
        impl PartialOrd for Item {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Item {
            // The heap pops the smallest distance first.
            fn cmp(&self, other: &Self) -> Ordering {
                other.0.total_cmp(&self.0)
            }
        }
        let mut best: HashMap<NodeIndex, f64> = HashMap::new();
        let mut heap = BinaryHeap::new();
        for (n, d) in [(start.u, start.leg + start.from_u), (start.v, start.leg + start.to_v)] {
            heap.push(Item(d, n));
        }
        while let Some(Item(d, n)) = heap.pop() {
            if d > cutoff || best.contains_key(&n) {
                continue;
            }
            best.insert(n, d);
            for edge in self.graph.edges(n) {
                use petgraph::visit::EdgeRef;
                let other = if edge.source() == n { edge.target() } else { edge.source() };
                if !best.contains_key(&other) {
                    heap.push(Item(d + edge.weight(), other));
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::map_frame::metres_per_degree;

    /// A grid of streets 100 m apart, 4 × 4 junctions, each street a line of 10 m steps.
    fn grid() -> (StreetNetwork, impl Fn(f64, f64) -> Coord<f64>) {
        let (lat0, lon0) = (31.35, 119.81);
        let (m_lat, m_lon) = metres_per_degree(lat0);
        let at = move |east: f64, north: f64| Coord { x: lon0 + east / m_lon, y: lat0 + north / m_lat };
        let mut lines = Vec::new();
        for k in 0..4 {
            let k = k as f64 * 100.0;
            lines.push(LineString::from((0..=30).map(|i| at(i as f64 * 10.0, k)).collect::<Vec<_>>()));
            lines.push(LineString::from((0..=30).map(|i| at(k, i as f64 * 10.0)).collect::<Vec<_>>()));
        }
        (StreetNetwork::from_lines(&lines), at)
    }

    #[test]
    fn along_a_street_grid_the_distance_is_the_manhattan_distance_plus_the_access_legs() {
        let (network, at) = grid();
        let from = at(0.0, 0.0);
        let targets = [at(300.0, 300.0), at(150.0, 200.0), at(55.0, 0.0), at(150.0, 212.0)];
        let got = network.distances(from, &targets, 10_000.0);
        let want = [600.0, 350.0, 55.0, 350.0 + 12.0];
        for (g, w) in got.iter().zip(want) {
            let g = g.expect("connected");
            assert!((g - w).abs() < 0.05, "{g} against {w}");
        }
        assert_eq!(network.distances(from, &[at(300.0, 300.0)], 500.0), vec![None], "beyond the cutoff");
    }

    #[test]
    fn two_places_on_one_block_edge_walk_straight_along_it() {
        let (network, at) = grid();
        let d = network.distances(at(120.0, 5.0), &[at(180.0, 3.0)], 1000.0)[0].unwrap();
        assert!((d - (5.0 + 60.0 + 3.0)).abs() < 0.05, "{d}");
    }

    #[test]
    fn streets_that_cross_or_end_on_another_without_a_shared_vertex_are_joined() {
        let (lat0, lon0) = (31.35, 119.81);
        let (m_lat, m_lon) = metres_per_degree(lat0);
        let at = |e: f64, n: f64| Coord { x: lon0 + e / m_lon, y: lat0 + n / m_lat };
        // A crossing drawn without a shared vertex, and a lane stopping 1 m short of a street.
        let lines = [
            LineString::from(vec![at(0.0, 50.0), at(100.0, 50.0)]),
            LineString::from(vec![at(50.0, 0.0), at(50.0, 100.0)]),
            LineString::from(vec![at(80.0, 200.0), at(80.0, 101.0)]),
            LineString::from(vec![at(0.0, 100.0), at(100.0, 100.0)]),
        ];
        let network = StreetNetwork::from_lines(&lines);
        let d = network.distances(at(0.0, 50.0), &[at(50.0, 90.0), at(80.0, 150.0)], 10_000.0);
        assert!((d[0].unwrap() - 90.0).abs() < 0.05, "across the crossing: {:?}", d[0]);
        assert!((d[1].unwrap() - (50.0 + 50.0 + 30.0 + 1.0 + 49.0)).abs() < 0.05, "through the T-junction: {:?}", d[1]);
    }

    #[test]
    fn on_the_demo_streets_walking_is_never_shorter_than_the_straight_line_and_mostly_connected() {
        use crate::catalog::Catalog;
        use geo_types::Geometry;
        let dir = tempfile::tempdir().unwrap();
        let project = crate::demo::create_project(&dir.path().join("d.gpkg"), Catalog::embedded(), 20220101).unwrap();
        let lines: Vec<LineString<f64>> = project
            .features("roads")
            .unwrap()
            .into_iter()
            .flat_map(|f| match f.geometry {
                Geometry::LineString(l) => vec![l],
                Geometry::MultiLineString(m) => m.0,
                _ => Vec::new(),
            })
            .collect();
        let network = StreetNetwork::from_lines(&lines);
        let units: Vec<Coord<f64>> = project
            .features("responsibility_units")
            .unwrap()
            .iter()
            .filter_map(|f| if let Geometry::Point(p) = f.geometry { Some(p.0) } else { None })
            .take(40)
            .collect();
        let mut connected = 0;
        for from in &units[..10] {
            for (to, walked) in units.iter().zip(network.distances(*from, &units, 50_000.0)) {
                let Some(walked) = walked else { continue };
                connected += 1;
                let straight = distance_m(*from, *to);
                assert!(walked >= straight - 0.01, "{walked} m walked against {straight} m straight");
            }
        }
        assert!(connected >= 350, "most pairs are connected by the demo's streets: {connected} of 400");
    }
}
