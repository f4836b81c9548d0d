//! How far is "within reach": walking distance along the street network where the project has
//! streets, or the straight line (geodesic) as the fallback — and every answer says which one it
//! used, since a straight-line 300 m across a river or a walled compound is not a 300 m walk.

use geo_types::{Coord, Geometry, LineString};
use serde::Serialize;

use super::network::StreetNetwork;
use crate::crs::distance_m;
use crate::project::Project;
use crate::store::Storage;
use crate::{Error, Result};

/// The layer whose lines make the street network.
pub const ROAD_LAYER: &str = "roads";

/// Which distance a question is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DistanceMode {
    /// Along the streets of [`ROAD_LAYER`], with straight access legs at both ends.
    Network,
    /// The geodesic straight line.
    Straight,
}

impl DistanceMode {
    /// `network` or `straight`, as the command line spells it.
    pub fn parse(text: &str) -> Result<DistanceMode> {
        match text.trim() {
            "network" => Ok(DistanceMode::Network),
            "straight" => Ok(DistanceMode::Straight),
            other => Err(Error::Invalid(format!("--distance `{other}`: expected `network` (along the streets) or `straight`"))),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DistanceMode::Network => "network",
            DistanceMode::Straight => "straight",
        }
    }

    /// How reports name it.
    pub fn label_zh(self) -> &'static str {
        match self {
            DistanceMode::Network => "沿道路步行距离",
            DistanceMode::Straight => "直线距离（无道路网时的近似）",
        }
    }
}

/// Distances by one [`DistanceMode`], with the street network built once.
pub struct Reach {
    mode: DistanceMode,
    network: Option<StreetNetwork>,
}

impl Reach {
    /// Straight-line distances.
    pub fn straight() -> Reach {
        Reach { mode: DistanceMode::Straight, network: None }
    }

    /// Distances for `asked`, or — when nothing is asked — along the streets where the project
    /// has any, else straight. Asking for the network of a project without roads is an error
    /// (the answer would silently be a different one).
    pub fn for_project<S: Storage>(project: &Project<S>, asked: Option<DistanceMode>) -> Result<Reach> {
        if asked == Some(DistanceMode::Straight) {
            return Ok(Reach::straight());
        }
        let lines = road_lines(project)?;
        if lines.is_empty() {
            return match asked {
                Some(_) => Err(Error::Invalid(format!(
                    "--distance network: layer `{ROAD_LAYER}` has no streets to walk along; import the roads or use --distance straight"
                ))),
                None => Ok(Reach::straight()),
            };
        }
        Ok(Reach { mode: DistanceMode::Network, network: Some(StreetNetwork::from_lines(&lines)) })
    }

    pub fn mode(&self) -> DistanceMode {
        self.mode
    }

    /// The distance in metres from `from` to each of `targets`, `None` beyond `cutoff` (or not
    /// connected along the streets).
    pub fn distances(&self, from: Coord<f64>, targets: &[Coord<f64>], cutoff: f64) -> Vec<Option<f64>> {
        match &self.network {
            Some(network) => network.distances(from, targets, cutoff),
            None => targets.iter().map(|t| Some(distance_m(from, *t)).filter(|d| *d <= cutoff)).collect(),
        }
    }
}

/// Every line of the roads layer (multi-lines split into their parts).
fn road_lines<S: Storage>(project: &Project<S>) -> Result<Vec<LineString<f64>>> {
    if project.catalog().get(ROAD_LAYER).is_none() {
        return Ok(Vec::new());
    }
    Ok(project
        .features(ROAD_LAYER)?
        .into_iter()
        .flat_map(|f| match f.geometry {
            Geometry::LineString(l) => vec![l],
            Geometry::MultiLineString(m) => m.0,
            _ => Vec::new(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn the_network_is_used_where_there_are_roads_and_asked_for_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let empty = Project::create(&dir.path().join("e.gpkg"), Catalog::embedded()).unwrap();
        assert_eq!(Reach::for_project(&empty, None).unwrap().mode(), DistanceMode::Straight);
        let e = Reach::for_project(&empty, Some(DistanceMode::Network)).err().unwrap().to_string();
        assert!(e.contains("--distance straight"), "{e}");
        let demo = crate::demo::create_project(&dir.path().join("d.gpkg"), Catalog::embedded(), 20220101).unwrap();
        assert_eq!(Reach::for_project(&demo, None).unwrap().mode(), DistanceMode::Network);
        assert_eq!(Reach::for_project(&demo, Some(DistanceMode::Straight)).unwrap().mode(), DistanceMode::Straight);
        assert!(DistanceMode::parse("crow").is_err());
    }
}
