//! The command-line grammar. Names and shapes here are relied on by the bureau's scripts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wardgis::crs::Crs;
use wardgis::io::{ColumnChoice, TextEncoding};

#[derive(Debug, Parser)]
#[command(name = "wardgis", version, about = "wardgis — a GIS workstation for a district's city-management bureau (城管)",
    long_about = "wardgis keeps a district's billboards, chargers, bike stations, drying areas, waste points and \
their context in one GeoPackage project file that QGIS and GDAL open as it is.\n\n\
Start with `wardgis demo d.gpkg` to create the demo district (Yixing old town), then `wardgis layers d.gpkg`.")]
pub struct Cli {
    /// Folder of layer catalog files (*.toml); default: $WARDGIS_LAYERS, a `layers/` folder
    /// beside the program, or the catalog built into it.
    #[arg(long, global = true, value_name = "DIR")]
    pub catalog: Option<PathBuf>,

    /// The catalog folder under its first name, before the command (`wardgis --layers DIR
    /// layers d.gpkg`); after a command, `--layers` is that command's own option where it has
    /// one (`wardgis print … --layers roads,chargers`).
    #[arg(long = "layers", value_name = "DIR", hide = true)]
    pub layers_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum ResultsCommand {
    /// Import a filled field workbook (from `wardgis sheets`): every cell is checked (known
    /// site and id, score 0..max, pass/fail, date, not-visited reason, replacement order);
    /// one bad cell imports nothing and is reported with sheet, row, column and value.
    #[command(after_help = "Example: wardgis results import d.gpkg spring spring-filled.xlsx")]
    Import {
        project: PathBuf,
        /// The plan's name, as `wardgis plans` lists it.
        plan: String,
        /// The filled workbook (.xlsx).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the demo district (Yixing old town, generated) as a new project file.
    Demo {
        /// The project file to create (.gpkg); must not exist yet.
        out: PathBuf,
        /// Seed of the generator; the same seed gives the same district on any machine.
        #[arg(long, default_value_t = wardgis::demo::DEMO_SEED)]
        seed: u64,
    },
    /// Create an empty project file with every catalog layer and no features.
    #[command(after_help = "Example: wardgis new ward.gpkg && wardgis import ward.gpkg chargers chargers.csv")]
    New {
        /// The project file to create (.gpkg); must not exist yet.
        out: PathBuf,
    },
    /// List a project's layers: id, name, kind, geometry and feature count.
    Layers {
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Import features from GeoJSON, CSV, XLSX, KML/KMZ, a Shapefile (.shp or a .zip holding
    /// one) or a layer of another GeoPackage into a layer (all or nothing unless --skip-bad).
    /// Large files stream in bounded memory with a progress bar on a terminal; Ctrl-C stops
    /// and imports nothing.
    Import {
        project: PathBuf,
        /// Layer id, as `wardgis layers` lists it (e.g. chargers).
        layer: String,
        /// A .geojson/.json, .csv (UTF-8 or GBK), .xlsx, .kml or .kmz file, a .shp (its .shx,
        /// .dbf, .cpg, .prj beside it), a .zip holding one Shapefile, or a .gpkg (another
        /// GeoPackage).
        file: PathBuf,
        /// Coordinate system of the file: wgs84, cgcs2000, gcj02 (Amap, Tencent), bd09 (Baidu) or an
        /// EPSG code: EPSG:4490, EPSG:4491–4554 (CGCS2000 Gauss–Krüger, x = easting), EPSG:3857.
        /// Default: what the file declares (a .prj, a GeoPackage's SRS), else wgs84.
        #[arg(long, value_parser = parse_crs)]
        crs: Option<Crs>,
        /// Text encoding of the file when its bytes do not say (a CSV, a Shapefile's DBF
        /// without .cpg): utf-8 or gbk. Default: detected. Overrides a .cpg.
        #[arg(long, value_parser = parse_encoding)]
        encoding: Option<TextEncoding>,
        /// The feature table to read from a GeoPackage holding several.
        #[arg(long, value_name = "TABLE")]
        source_layer: Option<String>,
        /// Import the good rows and report every bad row instead of importing nothing.
        #[arg(long)]
        skip_bad: bool,
        /// The sheet of an .xlsx file to read. Default: the first.
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// What a source column fills, overriding the matching of headers by name
        /// (repeatable): `COLUMN=TARGET`, the column as written in the file, the target a
        /// field name of the layer, name, source, lon, lat, wkt or skip.
        /// Example: --column 'X坐标=lon' --column 'Y坐标=lat' --column '桩型=vehicle_type'
        #[arg(long = "column", value_name = "COLUMN=TARGET", value_parser = parse_column)]
        columns: Vec<(String, ColumnChoice)>,
    },
    /// Export a layer to GeoJSON, CSV, XLSX, KML/KMZ, a Shapefile or a GeoPackage (chosen by
    /// the file extension).
    Export {
        project: PathBuf,
        layer: String,
        /// The file to write: .geojson/.json, .csv, .xlsx, .kml, .kmz, .shp (with .shx, .dbf,
        /// .prj and .cpg beside it), .zip (those parts zipped) or .gpkg (a new GeoPackage, or a
        /// new table in an existing one; an existing table is never replaced).
        out: PathBuf,
        /// Coordinate system to write: wgs84, cgcs2000, gcj02 (Amap, Tencent), bd09 (Baidu) or an
        /// EPSG code: EPSG:4490, EPSG:4491–4554 (CGCS2000 Gauss–Krüger), EPSG:3857.
        #[arg(long, default_value = "wgs84", value_parser = parse_crs)]
        crs: Crs,
        /// Text encoding of a CSV or a Shapefile's DBF: utf-8 (the default; a CSV gets a BOM so
        /// Excel knows) or gbk (for older Excel and ArcGIS; a Shapefile's .cpg says which).
        #[arg(long, value_parser = parse_encoding)]
        encoding: Option<TextEncoding>,
    },
    /// Find features by box, distance or polygon; prints a GeoJSON FeatureCollection.
    Query(QueryArgs),
    /// Write one Mapbox Vector Tile (MVT 2.1, protobuf) of a layer to stdout: the layer's
    /// features in tile Z/X/Y (slippy-map numbering, as MapLibre asks for them), with their
    /// fid as id and their attributes as tags. A tile with no features is zero bytes.
    #[command(after_help = "Example: wardgis tile d.gpkg chargers 14 13645 6687 > chargers.mvt")]
    Tile {
        /// The project file (.gpkg).
        project: PathBuf,
        /// Layer id, as `wardgis layers` lists it (e.g. chargers).
        layer: String,
        /// Zoom level, 0..=22.
        z: u8,
        /// Column, 0 to 2^Z − 1, counted eastwards from 180° W.
        x: u32,
        /// Row, 0 to 2^Z − 1, counted southwards from 85.05° N.
        y: u32,
    },
    /// Draw a probability sample (SRS, stratified or GRTS) from a layer or a union of layers,
    /// store it as a named plan in the project, and print it as a GeoJSON FeatureCollection
    /// in site order (site_no, id, layer, stratum, inclusion_prob, replacement, attributes).
    #[command(after_help = "Examples:\n  wardgis sample d.gpkg billboards --design grts --n 30 --over 5 --seed 7 --name spring\n  \
wardgis sample d.gpkg billboards --design stratified --strata type --n 40 --seed 1 --name by-type\n  \
wardgis sample d.gpkg billboards,chargers --design srs --n 20 --seed 3 --strata communities --name mixed")]
    Sample(SampleArgs),
    /// How many sites to estimate a proportion (a pass rate) to ±MOE at a confidence level,
    /// with the finite population correction when --N is given; per stratum with
    /// --strata-sizes. Prints JSON.
    #[command(after_help = "Example: wardgis sample-size --moe 0.05 --conf 0.95 --p 0.5 --N 1000   (n = 278)")]
    SampleSize(SampleSizeArgs),
    /// List the sampling plans stored in a project: name, design, n, replacement sites, seed, created.
    Plans {
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write a plan's field workbook (XLSX): one sheet per evaluator (the sites split by
    /// area), one row per site, one column per checklist item with its maximum, plus
    /// pass/fail, note, date and not-visited reason; and a 说明 Instructions sheet.
    #[command(after_help = "Example: wardgis sheets d.gpkg spring spring.xlsx --evaluators 3")]
    Sheets {
        project: PathBuf,
        /// The plan's name, as `wardgis plans` lists it.
        plan: String,
        /// The workbook to write (.xlsx); an existing file is replaced.
        out: PathBuf,
        /// Split the sites among K evaluators, one sheet each.
        #[arg(long, default_value_t = 1, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
        evaluators: u32,
    },
    /// Inspection results of a plan.
    #[command(subcommand)]
    Results(ResultsCommand),
    /// Mean score (% of the maximum) and pass rate, per stratum and overall, with 95 %
    /// confidence intervals from the plan's design (stratified variance for srs/stratified
    /// plans, local neighbourhood variance for grts), from the imported results.
    #[command(after_help = "Example: wardgis estimate d.gpkg spring --out spring-estimates.csv")]
    Estimate {
        project: PathBuf,
        /// The plan's name, as `wardgis plans` lists it.
        plan: String,
        /// Also write the table as CSV or XLSX, by the file's extension (stratum, n, N,
        /// mean_score, mean_ci_low, mean_ci_high, pass_rate, pass_ci_low, pass_ci_high).
        #[arg(long, value_name = "FILE.csv|FILE.xlsx")]
        out: Option<PathBuf>,
    },
    /// Rectification orders (整改单): every failed checklist item of an imported result opens
    /// one, with a deadline (the item's `deadline_days` in the catalog, else 7 days) and the
    /// responsible party; re-inspections close or re-open them. `wardgis orders PROJECT`
    /// lists them; `reinspect`, `assign` and `show` act on one; `sheet` writes a re-inspection
    /// workbook and `import` reads it back.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "Examples:\n  wardgis orders d.gpkg --overdue\n  wardgis orders d.gpkg --plan spring --out orders.xlsx\n  \
wardgis orders reinspect d.gpkg 12 --result pass --date 2026-05-08\n  wardgis orders show d.gpkg 12\n  \
wardgis orders sheet d.gpkg round-1.xlsx\n  wardgis orders import d.gpkg round-1-filled.xlsx"
    )]
    Orders(OrdersArgs),
    /// Undo the latest action on a project (each import, edit or deletion is one action).
    Undo { project: PathBuf },
    /// Redo the action the latest undo took back (while nothing but undos and redos came after it).
    Redo { project: PathBuf },
    /// Show the latest actions recorded in a project's edit log.
    History {
        project: PathBuf,
        /// How many actions to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Spatial join: write into every feature of LAYER the name or code of the polygon holding it.
    ///
    /// The fields filled are those the catalog fills from each --to layer (a field's `join`
    /// key; the facility layers have community, subdistrict and grid_code). One action; `undo`
    /// takes it back. A point is placed by itself, a line or polygon by its interior point; a feature on
    /// a shared edge goes to the lowest fid. Prints, on stdout, a line per target (features
    /// placed, on a boundary, in none), then every feature in no polygon (its joined fields are
    /// now empty) and every one on a boundary, by fid and name.
    #[command(after_help = "Examples:\n  wardgis join d.gpkg chargers --to communities,subdistricts\n  \
wardgis grid d.gpkg --cell 100 && wardgis join d.gpkg billboards --to communities,subdistricts,grid_cells --json")]
    Join {
        project: PathBuf,
        /// Layer id whose features get the values (e.g. chargers).
        layer: String,
        /// Polygon layers to join to, separated by commas.
        #[arg(long, value_name = "LAYER,...", value_delimiter = ',', required = true)]
        to: Vec<String>,
        /// Print the report as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make the unit grid (单元网格, GB/T 30428.1 practice) as layer `grid_cells`.
    ///
    /// Squares of about --cell metres clipped to the communities, no gaps, no overlaps (a piece
    /// under 1 % of a square joins its neighbour), each coded with 15 digits (the community's 12-digit division code and a 3-digit sequence, west to east,
    /// north to south) and its geodesic area in m². Replaces an earlier grid as one action.
    /// Needs every community's 12-digit `code` and its subdistrict's 9-digit `code`.
    #[command(after_help = "Example: wardgis grid d.gpkg --cell 100")]
    Grid {
        project: PathBuf,
        /// The side of a cell in metres, 10 to 2000 (about 100 is usual).
        #[arg(long, value_name = "METRES", default_value_t = 100.0, value_parser = parse_cell)]
        cell: f64,
        /// Print the report as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print ward maps (社区设施分布图) as georeferenced vector PDF, or PNG: a page per
    /// community with its facilities, neighbours faded, legend, scale bar, north arrow and a
    /// lettered grid, then a table of its facilities (kind, name, grid cell, address or
    /// nearest road) on the pages after it.
    ///
    /// `--out FILE.pdf` writes every chosen ward into one PDF; `--out DIR` writes a file per
    /// ward (`DIR/<subdistrict>-<community>.pdf`, or `.png` with `--png`, further pages as
    /// `-2.png`, `-3.png`). GIS tools read the map frame's coordinates back (`gdalinfo`) and
    /// its layers (`ogrinfo`). A progress bar shows on a terminal.
    #[command(group(clap::ArgGroup::new("wards").required(true).args(["ward", "subdistrict", "all"])))]
    #[command(after_help = "Examples:\n  wardgis print d.gpkg --ward 袁桥社区 --out 袁桥社区.pdf\n  \
wardgis print d.gpkg --subdistrict 宜城街道 --paper A3 --landscape --out maps/\n  \
wardgis print d.gpkg --all --layers blocks,roads,water,communities,chargers --png --dpi 200 --out png/")]
    Print {
        project: PathBuf,
        /// One community, by name (e.g. 袁桥社区).
        #[arg(long, value_name = "NAME")]
        ward: Option<String>,
        /// Every community of a subdistrict (e.g. 宜城街道).
        #[arg(long, value_name = "NAME")]
        subdistrict: Option<String>,
        /// Every community of the project.
        #[arg(long)]
        all: bool,
        /// A4 or A3.
        #[arg(long, default_value = "A4", value_parser = ["A4", "A3", "a4", "a3"])]
        paper: String,
        /// Landscape pages (portrait without it).
        #[arg(long)]
        landscape: bool,
        /// The layers to draw, by id, separated by commas (default: every layer).
        #[arg(long, value_name = "LAYER,...", value_delimiter = ',')]
        layers: Option<Vec<String>>,
        /// PNG images instead of PDF (for messaging apps).
        #[arg(long)]
        png: bool,
        /// Resolution of the PNG images, 50 to 600 dots per inch.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(50..=600))]
        dpi: u32,
        /// The issuing office printed in the footer (e.g. 宜城街道城管社区工作室); without it
        /// the footer leaves a line to write it on.
        #[arg(long, value_name = "NAME")]
        office: Option<String>,
        /// The map's date, YYYY-MM-DD (default: today, China Standard Time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// A .pdf file for all wards in one document, or a folder for a file per ward.
        #[arg(long, value_name = "FILE|DIR")]
        out: PathBuf,
    },
    /// Pilot zones (试点片区): add, list, rename, remove, export. Each change is one action
    /// (`wardgis undo` takes it back); zones are features of layer `pilot_zones`.
    #[command(after_help = "Examples:\n  wardgis zone add d.gpkg --name 城中充电桩试点 --theme 充电桩试点 --from communities:袁桥社区\n  \
wardgis zone add d.gpkg --name 北片 --theme 晾晒区试点 --geometry north.geojson --author 规划科\n  \
wardgis zone list d.gpkg\n  wardgis zone export d.gpkg zones.gpkg")]
    Zone {
        #[command(subcommand)]
        action: ZoneCommand,
    },
    /// Planning: the zone report, the best new sites with a proof of how good they are, the
    /// coverage gaps, and the kept scenarios.
    #[command(after_help = "Examples:\n  wardgis plan report d.gpkg --zone 城中充电桩试点 --out report.pdf\n  \
wardgis plan suggest d.gpkg --kind chargers --n 5 --zone 城中充电桩试点 --keep-existing\n  \
wardgis plan suggest d.gpkg --kind drying_areas --cover 95% --candidates lattice:50 --demand blocks:households\n  \
wardgis plan gaps d.gpkg --kind chargers --demand blocks:households --out gaps.gpkg")]
    Plan {
        #[command(subcommand)]
        action: PlanCommand,
    },
}

fn parse_cell(s: &str) -> Result<f64, String> {
    let m: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number of metres"))?;
    wardgis::zoning::grid::check_cell_size(m).map_err(|e| e.to_string())?;
    Ok(m)
}

#[derive(Debug, Args)]
pub struct OrdersArgs {
    #[command(subcommand)]
    pub action: Option<OrdersCommand>,
    /// The project file.
    #[arg(required = true)]
    pub project: Option<PathBuf>,
    /// Only open orders past their deadline.
    #[arg(long)]
    pub overdue: bool,
    /// Only orders in this state.
    #[arg(long, value_enum, default_value_t = OrderStateArg::All)]
    pub state: OrderStateArg,
    /// Only orders of this plan.
    #[arg(long)]
    pub plan: Option<String>,
    /// The day deadlines are compared with (default: today in China Standard Time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Print JSON (each order with its whole history) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the list as CSV or XLSX, by the file's extension.
    #[arg(long, value_name = "FILE.csv|FILE.xlsx")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrderStateArg {
    Open,
    Closed,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PassFailArg {
    Pass,
    Fail,
}

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// Record a re-inspection: `pass` closes the order; `fail` keeps it open with its deadline,
    /// or re-opens a closed one with a new deadline counted from the re-inspection date.
    #[command(after_help = "Example: wardgis orders reinspect d.gpkg 12 --result pass --date 2026-05-08 --note 已修复")]
    Reinspect {
        project: PathBuf,
        /// The order's id, as `wardgis orders` lists it.
        order: i64,
        #[arg(long, value_enum)]
        result: PassFailArg,
        /// The re-inspection date (not before the order's latest event).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
        /// The item's new score (0..max; full points exactly when it passes).
        #[arg(long)]
        score: Option<f64>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Set who must rectify and/or the deadline (the state does not change).
    #[command(after_help = "Example: wardgis orders assign d.gpkg 12 --to 宜城街道环卫所 --deadline 2026-05-20")]
    Assign {
        project: PathBuf,
        order: i64,
        /// The responsible party.
        #[arg(long, value_name = "PARTY")]
        to: Option<String>,
        /// The new deadline.
        #[arg(long, value_name = "YYYY-MM-DD")]
        deadline: Option<String>,
        /// The day of the assignment (default: today in China Standard Time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Write a re-inspection workbook: one row per order (default: the open ones), with
    /// columns for the result, score, date and note.
    #[command(after_help = "Example: wardgis orders sheet d.gpkg round-1.xlsx --overdue")]
    Sheet {
        project: PathBuf,
        /// The workbook to write (.xlsx); an existing file is replaced.
        out: PathBuf,
        /// Only orders past their deadline.
        #[arg(long)]
        overdue: bool,
        /// Only orders of this plan.
        #[arg(long)]
        plan: Option<String>,
        /// The day deadlines are compared with for --overdue (default: today, China Standard Time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
    },
    /// Import a filled re-inspection workbook as one action: every row with a result closes,
    /// keeps open or re-opens its order; one bad cell imports nothing.
    #[command(after_help = "Example: wardgis orders import d.gpkg round-1-filled.xlsx")]
    Import {
        project: PathBuf,
        /// The filled workbook (.xlsx) from `wardgis orders sheet`.
        file: PathBuf,
    },
    /// One order with its whole history.
    Show {
        project: PathBuf,
        order: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("how").args(["bbox", "near", "within", "in_polygon", "along"])))]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["bbox", "near", "within", "in_polygon", "along", "filter"])))]
#[command(after_help = "Examples:\n  wardgis query d.gpkg chargers --near 119.82,31.36 --k 5\n  \
wardgis query d.gpkg chargers --filter \"name LIKE '%充电%' AND ports > 4\"\n  \
wardgis query d.gpkg billboards --within 119.82,31.36 --meters 500 --filter \"type = 'led'\"")]
pub struct QueryArgs {
    pub project: PathBuf,
    pub layer: String,
    /// Features whose bounding box meets W,S,E,N (degrees, WGS84).
    #[arg(long, value_name = "W,S,E,N", value_parser = parse_bbox)]
    pub bbox: Option<[f64; 4]>,
    /// The k features nearest to LON,LAT, nearest first, with `distance_m`.
    #[arg(long, value_name = "LON,LAT", value_parser = parse_lonlat, requires = "k")]
    pub near: Option<[f64; 2]>,
    /// How many features --near returns.
    #[arg(long, value_name = "N")]
    pub k: Option<usize>,
    /// Features within --meters of LON,LAT, nearest first, with `distance_m`.
    #[arg(long, value_name = "LON,LAT", value_parser = parse_lonlat, requires = "meters")]
    pub within: Option<[f64; 2]>,
    /// The radius for --within, or the buffer's width for --along, in metres on the ground.
    #[arg(long, value_name = "M")]
    pub meters: Option<f64>,
    /// Features inside (or on the edge of) the polygons of a GeoJSON file.
    #[arg(long = "in", value_name = "POLYGON.geojson")]
    pub in_polygon: Option<PathBuf>,
    /// Features matching an OGC CQL2 text expression over the layer's fields (`fid`, `name`,
    /// `source`, the catalog's fields; enum fields by code or label), e.g. `type = 'led' AND
    /// face_area_m2 > 20`, `name LIKE '%充电%'`, `ports IN (2, 4)`, `last_safety_inspection <
    /// DATE('2025-01-01')`, `S_INTERSECTS(geom, BBOX(119.8,31.3,119.9,31.4))`. Alone, in fid
    /// order; with --bbox/--near/--within/--in, narrows their answer and keeps its order.
    #[arg(long, value_name = "CQL2")]
    pub filter: Option<String>,
    /// Features within --meters of feature FID of layer LAYER (a road: the line buffer),
    /// nearest first, with `distance_m`; the feature itself is left out.
    #[arg(long, value_name = "LAYER:FID", value_parser = parse_layer_fid, requires = "meters")]
    pub along: Option<(String, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignArg {
    /// Simple random sampling without replacement.
    Srs,
    /// Stratified simple random sampling (needs --strata).
    Stratified,
    /// GRTS spatially balanced sampling (unequal probabilities with --prob).
    Grts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AllocationArg {
    /// n_h in proportion to the stratum's size: every unit has the same chance.
    Proportional,
    /// The same n_h in every stratum.
    Equal,
    /// n_h in proportion to N_h·SD_h (needs --sd).
    Neyman,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// The project file (.gpkg).
    pub project: PathBuf,
    /// Layer id, or several separated by commas for their union (e.g. billboards,chargers).
    pub layer: String,
    /// The design.
    #[arg(long, value_enum)]
    pub design: DesignArg,
    /// Number of base sites.
    #[arg(long)]
    pub n: usize,
    /// Seed: the same seed, frame and options give the same sample on any machine.
    #[arg(long)]
    pub seed: u64,
    /// The plan's name, unique in the project.
    #[arg(long)]
    pub name: String,
    /// Strata: a field of the layer (e.g. type) or a polygon layer to join (communities, subdistricts).
    #[arg(long, value_name = "FIELD|LAYER")]
    pub strata: Option<String>,
    /// How a stratified design shares n among strata (default proportional).
    #[arg(long, value_enum)]
    pub allocation: Option<AllocationArg>,
    /// Prior standard deviation per stratum, for --allocation neyman.
    #[arg(long, value_name = "STRATUM=SD,...", value_parser = parse_sd)]
    pub sd: Option<BTreeMap<String, f64>>,
    /// A numeric field as size measure: GRTS with inclusion probabilities in proportion to it.
    #[arg(long, value_name = "FIELD")]
    pub prob: Option<String>,
    /// Ordered replacement sites to draw besides the n base sites.
    #[arg(long, value_name = "M", default_value_t = 0)]
    pub over: usize,
    /// Least distance between sampled sites, in metres (makes the probabilities approximate).
    #[arg(long, value_name = "METRES")]
    pub min_dist: Option<f64>,
    /// Keep only units inside the polygons of a GeoJSON file.
    #[arg(long, value_name = "POLYGON.geojson")]
    pub within: Option<PathBuf>,
    /// Keep only units whose field equals the value (an enum's code or label).
    #[arg(long = "where", value_name = "FIELD=VALUE", value_parser = parse_filter)]
    pub filter: Option<wardgis::sampling::AttributeFilter>,
}

#[derive(Debug, Args)]
pub struct SampleSizeArgs {
    /// Margin of error as a proportion (0.05 for ±5 percentage points).
    #[arg(long)]
    pub moe: f64,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub conf: f64,
    /// Expected proportion (0.5 when unknown: the most cautious).
    #[arg(long, default_value_t = 0.5)]
    pub p: f64,
    /// Population (frame) size; omit for an infinite population.
    #[arg(long = "N", value_name = "N")]
    pub population: Option<u64>,
    /// Stratum sizes, for per-stratum sample sizes.
    #[arg(long, value_name = "STRATUM=N,...", value_parser = parse_sizes)]
    pub strata_sizes: Option<BTreeMap<String, u64>>,
    /// How the strata share n (default proportional).
    #[arg(long, value_enum)]
    pub allocation: Option<AllocationArg>,
    /// Prior standard deviation per stratum, for --allocation neyman.
    #[arg(long, value_name = "STRATUM=SD,...", value_parser = parse_sd)]
    pub sd: Option<BTreeMap<String, f64>>,
}

fn parse_filter(s: &str) -> Result<wardgis::sampling::AttributeFilter, String> {
    wardgis::sampling::AttributeFilter::parse(s)
}

/// `A=1,B=2` into a map, each value parsed by `num`.
fn pairs<T>(s: &str, what: &str, num: impl Fn(&str) -> Option<T>) -> Result<BTreeMap<String, T>, String> {
    let mut out = BTreeMap::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| format!("`{part}`: expected STRATUM={what}"))?;
        let v = num(v.trim()).ok_or_else(|| format!("`{part}`: `{}` is not {what}", v.trim()))?;
        out.insert(k.trim().to_owned(), v);
    }
    if out.is_empty() {
        return Err(format!("`{s}`: expected STRATUM={what},… (e.g. led=2.5,wall=1)"));
    }
    Ok(out)
}

fn parse_sd(s: &str) -> Result<BTreeMap<String, f64>, String> {
    pairs(s, "a standard deviation ≥ 0", |v| v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0))
}

fn parse_sizes(s: &str) -> Result<BTreeMap<String, u64>, String> {
    pairs(s, "a whole number of units", |v| v.parse::<u64>().ok())
}

fn parse_crs(s: &str) -> Result<Crs, String> {
    s.parse()
}

/// `COLUMN=TARGET` of `--column`; the split is at the last `=` (a header may hold one).
fn parse_column(s: &str) -> Result<(String, ColumnChoice), String> {
    let (column, target) = s.rsplit_once('=').ok_or_else(|| format!("`{s}`: expected COLUMN=TARGET, e.g. X坐标=lon"))?;
    if column.trim().is_empty() {
        return Err(format!("`{s}`: the column before `=` is empty; expected COLUMN=TARGET, e.g. X坐标=lon"));
    }
    let choice = target.parse::<ColumnChoice>().map_err(|e| format!("`{s}`: the target {e}"))?;
    Ok((column.trim().to_owned(), choice))
}

fn parse_encoding(s: &str) -> Result<TextEncoding, String> {
    s.parse()
}

fn numbers<const N: usize>(s: &str, what: &str) -> Result<[f64; N], String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != N {
        return Err(format!("`{s}`: expected {what} ({N} comma-separated numbers)"));
    }
    let mut out = [0.0; N];
    for (o, p) in out.iter_mut().zip(&parts) {
        *o = p.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("`{p}` is not a number; expected {what}"))?;
    }
    Ok(out)
}

fn parse_lonlat(s: &str) -> Result<[f64; 2], String> {
    let [lon, lat] = numbers::<2>(s, "LON,LAT in degrees, e.g. 119.82,31.36")?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("`{s}`: longitude must be -180..180 and latitude -90..90 (LON first)"));
    }
    Ok([lon, lat])
}

fn parse_layer_fid(s: &str) -> Result<(String, i64), String> {
    let expected = "expected LAYER:FID, a layer id and a feature id, e.g. roads:12";
    let (layer, fid) = s.rsplit_once(':').ok_or_else(|| format!("`{s}`: {expected}"))?;
    let fid = fid.trim().parse::<i64>().map_err(|_| format!("`{fid}` is not a feature id; {expected}"))?;
    if layer.trim().is_empty() {
        return Err(format!("`{s}`: no layer; {expected}"));
    }
    Ok((layer.trim().to_owned(), fid))
}

fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let [w, so, e, n] = numbers::<4>(s, "W,S,E,N in degrees, e.g. 119.81,31.35,119.83,31.37")?;
    if w > e || so > n {
        return Err(format!("`{s}`: expected W ≤ E and S ≤ N (order W,S,E,N)"));
    }
    Ok([w, so, e, n])
}

#[derive(Debug, Subcommand)]
pub enum ZoneCommand {
    /// Add a pilot zone. Its outline comes from a file (GeoJSON: a Polygon or MultiPolygon,
    /// a Feature or a FeatureCollection of one), from WKT, or from a feature of another layer
    /// (`--from communities:袁桥社区`).
    #[command(group(clap::ArgGroup::new("outline").required(true).args(["geometry", "wkt", "from"])))]
    Add {
        project: PathBuf,
        /// The zone's name, unique among zones.
        #[arg(long)]
        name: String,
        /// Its theme, such as 充电桩试点.
        #[arg(long)]
        theme: String,
        /// draft (default) or approved.
        #[arg(long, value_parser = ["draft", "approved"])]
        status: Option<String>,
        #[arg(long)]
        author: Option<String>,
        /// YYYY-MM-DD (default: today, China Standard Time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// A GeoJSON file with the outline (WGS 84 longitude/latitude).
        #[arg(long, value_name = "FILE")]
        geometry: Option<PathBuf>,
        /// The outline as WKT (WGS 84 longitude/latitude).
        #[arg(long, value_name = "WKT")]
        wkt: Option<String>,
        /// The outline of another layer's feature, as LAYER:NAME.
        #[arg(long, value_name = "LAYER:NAME")]
        from: Option<String>,
    },
    /// List the pilot zones: name, theme, status, author, date, area.
    List {
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Rename a pilot zone.
    Rename { project: PathBuf, name: String, new_name: String },
    /// Remove a pilot zone.
    Remove { project: PathBuf, name: String },
    /// Export the pilot zones (format by extension: .geojson, .gpkg, .shp, .kml, .csv, .xlsx, …).
    Export {
        project: PathBuf,
        out: PathBuf,
        /// Only this zone.
        #[arg(long)]
        zone: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct PlanDemandArgs {
    /// What needs serving: LAYER[:WEIGHT_FIELD] (default communities:households; also
    /// blocks:households, schools:students, responsibility_units, any point layer).
    #[arg(long, value_name = "LAYER[:FIELD]")]
    pub demand: Option<String>,
    /// network (walking along the roads layer; the default where it has streets) or straight.
    #[arg(long, value_parser = ["network", "straight"])]
    pub distance: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// The zone report: per layer the count and density per km²; per facility kind the share
    /// of demand within its service radius and the uncovered demand with the distance to the
    /// nearest facility; the zone's scenarios side by side. Text on stdout, or --out a .pdf
    /// (with a map) or .xlsx.
    Report {
        project: PathBuf,
        #[arg(long)]
        zone: String,
        #[command(flatten)]
        demand: PlanDemandArgs,
        /// Override a service radius: KIND=METRES (e.g. chargers=500); repeatable.
        #[arg(long, value_name = "KIND=METRES")]
        radius: Vec<String>,
        /// The facility kind whose uncovered demand the PDF's map marks (default: the kind the
        /// zone's theme names, as 充电桩试点 names 充电桩, else the one leaving the most uncovered).
        #[arg(long, value_name = "KIND")]
        map_kind: Option<String>,
        /// report.pdf or report.xlsx.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Choose N new sites that newly cover the most demand (maximal covering), existing
    /// facilities counted as built with --keep-existing; or with --cover the fewest sites
    /// reaching a share. Prints the sites as GeoJSON (each with the demand it newly covers)
    /// and, on stderr, a summary line: demand covered before and after, and the upper bound.
    #[command(group(clap::ArgGroup::new("how_many").required(true).args(["n", "cover"])))]
    Suggest {
        project: PathBuf,
        /// The facility layer, e.g. chargers.
        #[arg(long)]
        kind: String,
        /// How many new sites.
        #[arg(long)]
        n: Option<usize>,
        #[arg(long)]
        zone: Option<String>,
        /// Where sites may go: a layer (default parking) or lattice:METRES.
        #[arg(long, default_value = "parking")]
        candidates: String,
        #[command(flatten)]
        demand: PlanDemandArgs,
        /// Service radius in metres (default: the catalog's).
        #[arg(long, value_name = "METRES")]
        radius: Option<f64>,
        /// Count the existing facilities of the kind as already built.
        #[arg(long)]
        keep_existing: bool,
        /// The fewest sites covering this share of demand, e.g. 95%.
        #[arg(long, value_name = "SHARE%")]
        cover: Option<String>,
        /// Keep the sites as a named scenario of the zone (layer planning_sites; undoable).
        #[arg(long, value_name = "NAME")]
        save_as: Option<String>,
        /// Unit cost of a site, kept with the scenario for comparisons.
        #[arg(long, value_name = "COST", requires = "save_as")]
        unit_cost: Option<f64>,
    },
    /// The coverage-gap layer: the demand areas (blocks, communities) beyond every facility's
    /// service radius, as polygons (format by extension).
    Gaps {
        project: PathBuf,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        zone: Option<String>,
        /// Demand areas: LAYER[:WEIGHT_FIELD] (default communities:households).
        #[arg(long, value_name = "LAYER[:FIELD]")]
        demand: Option<String>,
        #[arg(long, value_name = "METRES")]
        radius: Option<f64>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The kept scenarios (of a zone): name, kind, sites, cost.
    Scenarios {
        project: PathBuf,
        #[arg(long)]
        zone: Option<String>,
        /// Remove this scenario (undoable).
        #[arg(long, value_name = "NAME")]
        remove: Option<String>,
    },
}
