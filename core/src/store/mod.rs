//! The project file: one GeoPackage holding every layer and wardgis's own records.
//!
//! A [`Project`] owns the SQLite connection, the catalog it was opened with, and one R-tree per
//! layer. Each user action (insert, update, delete, import, undo) runs in one transaction and
//! is logged; the file survives a crash at any moment with every committed action in it.
//! No SQL lives outside this module.

pub mod edit_log;
pub mod geometry_blob;
pub mod gpkg_rtree;
pub mod gpkg_schema;
pub mod orders;
pub mod plans;
pub mod results;
mod rows;
pub mod sql_functions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::catalog::{Catalog, LayerKind};
use crate::error::{Error, Result};
use crate::feature::Feature;
use crate::index::{Entry, LayerIndex};

pub use edit_log::Action;
pub use orders::{NewOrder, Order, OrderEvent, OrderEventKind, OrderState};
pub use plans::{PlanRecord, PlanSummary, PlanUnit};
pub use results::{ItemScore, SiteResult};
use edit_log::{LogWriter, Op};
use gpkg_schema::quote;

/// A layer of an open project, for listings.
#[derive(Debug, Clone)]
pub struct LayerInfo<'a> {
    pub kind: &'a LayerKind,
    pub count: u64,
}

/// One feature's attribute values without its geometry, as [`Project::attributes_for`] reads
/// them: `values[i]` is the value (possibly null) of the layer's i-th column in
/// [`LayerKind::column_names`] order (`name`, `source`, then the catalog fields).
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRow {
    pub fid: i64,
    pub values: Vec<crate::feature::Value>,
}

/// An open project file.
pub struct Project {
    conn: Connection,
    path: PathBuf,
    catalog: Catalog,
    indexes: BTreeMap<String, LayerIndex>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Project {
    /// Creates a new project file with an empty table for every layer of the catalog.
    /// Refuses to overwrite an existing file.
    pub fn create(path: &Path, catalog: Catalog) -> Result<Project> {
        if path.exists() {
            return Err(Error::Project {
                path: path.to_owned(),
                message: "already exists; choose a new file name or delete the old file first".into(),
            });
        }
        let conn = Connection::open(path).map_err(|e| project_error(path, e))?;
        sql_functions::register(&conn)?;
        conn.execute_batch("BEGIN")?;
        gpkg_schema::create_base(&conn)?;
        for kind in catalog.kinds() {
            gpkg_schema::create_layer_table(&conn, kind)?;
        }
        conn.execute_batch("COMMIT")?;
        Project::finish_open(conn, path, catalog)
    }

    /// Opens an existing project. Layers the catalog added since the file was written get
    /// their tables, and fields it added get their columns; the R-trees are built.
    pub fn open(path: &Path, catalog: Catalog) -> Result<Project> {
        if !path.is_file() {
            return Err(Error::Project { path: path.to_owned(), message: "no such file".into() });
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| project_error(path, e))?;
        sql_functions::register(&conn)?;
        let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| project_error(path, e))?;
        if app_id != gpkg_schema::APPLICATION_ID {
            return Err(Error::Project {
                path: path.to_owned(),
                message: "is not a GeoPackage (its application_id is not 'GPKG'); create a project with `wardgis demo` or open a .gpkg file".into(),
            });
        }
        conn.execute_batch("BEGIN")?;
        gpkg_schema::create_wardgis_tables(&conn)?;
        for kind in catalog.kinds() {
            if table_exists(&conn, &kind.id)? {
                gpkg_schema::add_missing_columns(&conn, kind)?;
            } else {
                gpkg_schema::create_layer_table(&conn, kind)?;
            }
        }
        conn.execute_batch("COMMIT")?;
        Project::finish_open(conn, path, catalog)
    }

    fn finish_open(conn: Connection, path: &Path, catalog: Catalog) -> Result<Project> {
        conn.pragma_update(None, "foreign_keys", true)?;
        // `rarray(?)`: a list of fids as one parameter (see `attributes_each`).
        rusqlite::vtab::array::load_module(&conn)?;
        // Read pages through a memory map (up to 1 GiB of the file): a vector tile reads
        // thousands of rows at scattered places, and the map spares a system call and a copy
        // per page (a fifth of a dense tile's time). Writes still go through the journal.
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        let mut p = Project { conn, path: path.to_owned(), catalog, indexes: BTreeMap::new() };
        let ids: Vec<String> = p.catalog.ids().into_iter().map(str::to_owned).collect();
        for id in ids {
            p.rebuild_index(&id)?;
        }
        Ok(p)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Every catalog layer with its feature count, in drawing order.
    pub fn layers(&self) -> Vec<LayerInfo<'_>> {
        self.catalog
            .kinds()
            .iter()
            .map(|kind| LayerInfo { kind, count: self.indexes.get(&kind.id).map_or(0, |i| i.len() as u64) })
            .collect()
    }

    /// The R-tree of a layer.
    pub fn index(&self, layer: &str) -> Result<&LayerIndex> {
        self.catalog.kind(layer)?;
        Ok(&self.indexes[layer])
    }

    /// Rows in a layer's table (including any without geometry, which the index skips).
    pub fn count(&self, layer: &str) -> Result<u64> {
        let kind = self.catalog.kind(layer)?;
        let n: i64 = self.conn.query_row(&format!("SELECT count(*) FROM {}", quote(&kind.id)), [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Every feature of a layer, by fid.
    pub fn features(&self, layer: &str) -> Result<Vec<Feature>> {
        let kind = self.catalog.kind(layer)?;
        let mut stmt = self.conn.prepare(&rows::select_sql(kind, "ORDER BY fid"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(rows::read_row(kind, row)?);
        }
        Ok(out)
    }

    /// One feature by fid.
    pub fn feature(&self, layer: &str, fid: i64) -> Result<Feature> {
        let kind = self.catalog.kind(layer)?;
        self.conn
            .query_row(&rows::select_sql(kind, "WHERE fid = ?1"), [fid], |row| Ok(rows::read_row(kind, row)))
            .optional()?
            .ok_or_else(|| Error::NoSuchFeature { layer: layer.to_owned(), fid })?
    }

    /// The features with these fids, in the order given.
    pub fn features_by_fid(&self, layer: &str, fids: &[i64]) -> Result<Vec<Feature>> {
        let kind = self.catalog.kind(layer)?;
        let mut stmt = self.conn.prepare_cached(&rows::select_sql(kind, "WHERE fid = ?1"))?;
        fids.iter()
            .map(|fid| {
                stmt.query_row([fid], |row| Ok(rows::read_row(kind, row)))
                    .optional()?
                    .ok_or_else(|| Error::NoSuchFeature { layer: layer.to_owned(), fid: *fid })?
            })
            .collect()
    }

    /// The attribute values (no geometry) of the features with these fids, in ascending fid
    /// order, in one query; fids the layer does not have are left out. Much cheaper than
    /// [`Project::features_by_fid`] for many features: no geometry is decoded.
    pub fn attributes_for(&self, layer: &str, fids: &[i64]) -> Result<Vec<AttributeRow>> {
        let mut out = Vec::with_capacity(fids.len());
        self.attributes_each(layer, fids, |fid, values| {
            out.push(AttributeRow { fid, values: values.to_vec() });
            Ok(())
        })?;
        Ok(out)
    }

    /// Like [`Project::attributes_for`], but hands each feature's values to `visit` (fid, then
    /// one value per column in [`LayerKind::column_names`] order) instead of collecting them,
    /// reusing one buffer: reading thousands of rows (a vector tile) allocates almost nothing.
    pub fn attributes_each(
        &self,
        layer: &str,
        fids: &[i64],
        mut visit: impl FnMut(i64, &[crate::feature::Value]) -> Result<()>,
    ) -> Result<()> {
        let kind = self.catalog.kind(layer)?;
        if fids.is_empty() {
            return Ok(());
        }
        let types = rows::column_types(kind);
        let list: rusqlite::vtab::array::Array =
            std::rc::Rc::new(fids.iter().map(|f| rusqlite::types::Value::Integer(*f)).collect());
        let mut stmt = self.conn.prepare_cached(&rows::select_attributes_sql(kind, "WHERE fid IN rarray(?1) ORDER BY fid"))?;
        let mut rows = stmt.query([list])?;
        let mut values = Vec::with_capacity(types.len());
        while let Some(row) = rows.next()? {
            let fid = rows::read_attributes_into(&types, row, &mut values)?;
            visit(fid, &values)?;
        }
        Ok(())
    }

    /// Adds features as one action; returns their new fids. Geometries must fit the layer's
    /// type (single parts are promoted for multi-part layers).
    ///
    /// The edit log records each new fid without the feature (undo deletes what is there,
    /// since every later action has been undone by then). An insert of [`BULK_INSERT`] features
    /// or more fills the GeoPackage R-tree in one packed pass ([`gpkg_rtree`]) instead of by
    /// its per-row trigger: the trigger is dropped and recreated inside the same transaction,
    /// so other programs never see the file without it.
    pub fn insert(&mut self, layer: &str, features: Vec<Feature>, summary: &str) -> Result<Vec<i64>> {
        let kind = self.catalog.kind(layer)?.clone();
        let tx = self.conn.transaction()?;
        let insert_trigger = if features.len() >= BULK_INSERT { rtree_insert_trigger(&tx, layer)? } else { None };
        if let Some((name, _)) = &insert_trigger {
            tx.execute_batch(&format!("DROP TRIGGER {}", quote(name)))?;
        }
        let action = edit_log::begin_action(&tx, "insert", Some(layer), summary)?;
        let mut fids = Vec::with_capacity(features.len());
        let mut entries = Vec::with_capacity(features.len());
        {
            let mut stmt = tx.prepare(&rows::insert_sql(&kind))?;
            for mut f in features {
                f.geometry = fit_geometry(&kind, f.geometry)?;
                let values = rows::params(&kind, &f)?;
                stmt.execute(rusqlite::params_from_iter(rows::as_params(&values)))?;
                let fid = tx.last_insert_rowid();
                entries.extend(Entry::new(fid, &f.geometry));
                fids.push(fid);
            }
            LogWriter::new(&tx, action)?.record_inserts(&tx, layer, &fids)?;
        }
        let extent = match &insert_trigger {
            Some((_, sql)) => {
                tx.execute_batch(sql)?;
                let mut rtree = gpkg_rtree::rows(&tx, layer)?;
                rtree.extend(entries.iter().map(|e| {
                    let env = rstar::RTreeObject::envelope(e);
                    gpkg_rtree::RtreeRow::new(e.fid, env.lower()[0], env.upper()[0], env.lower()[1], env.upper()[1])
                }));
                let extent = gpkg_rtree::extent(&rtree);
                gpkg_rtree::rewrite(&tx, layer, rtree)?;
                Some(extent)
            }
            None => None,
        };
        touch_contents_with(&tx, layer, extent)?;
        tx.commit()?;
        let index = self.indexes.entry(layer.to_owned()).or_default();
        if index.is_empty() {
            *index = LayerIndex::build(entries);
        } else {
            entries.into_iter().for_each(|e| index.insert(e));
        }
        Ok(fids)
    }

    /// Replaces a stored feature (geometry and every attribute) as one action.
    pub fn update(&mut self, layer: &str, mut feature: Feature, summary: &str) -> Result<()> {
        let kind = self.catalog.kind(layer)?.clone();
        let fid = feature.fid.ok_or_else(|| Error::Invalid("update needs the feature's fid".into()))?;
        let before = self.feature(layer, fid)?;
        feature.geometry = fit_geometry(&kind, feature.geometry)?;
        let tx = self.conn.transaction()?;
        let action = edit_log::begin_action(&tx, "update", Some(layer), summary)?;
        let mut values = rows::params(&kind, &feature)?;
        values.push(rusqlite::types::Value::Integer(fid));
        tx.execute(&rows::update_sql(&kind), rusqlite::params_from_iter(rows::as_params(&values)))?;
        LogWriter::new(&tx, action)?.record(layer, fid, Op::Update, Some(&before), Some(&feature))?;
        touch_contents(&tx, layer)?;
        tx.commit()?;
        self.reindex(layer, fid, Some(&before.geometry), Some(&feature.geometry));
        Ok(())
    }

    /// Deletes features as one action.
    pub fn delete(&mut self, layer: &str, fids: &[i64], summary: &str) -> Result<()> {
        let kind = self.catalog.kind(layer)?.clone();
        let before = self.features_by_fid(layer, fids)?;
        let tx = self.conn.transaction()?;
        let action = edit_log::begin_action(&tx, "delete", Some(layer), summary)?;
        {
            let mut stmt = tx.prepare(&format!("DELETE FROM {} WHERE fid = ?1", quote(&kind.id)))?;
            let mut log = LogWriter::new(&tx, action)?;
            for f in &before {
                let fid = f.fid.expect("stored features have fids");
                stmt.execute([fid])?;
                log.record(layer, fid, Op::Delete, Some(f), None)?;
            }
        }
        touch_contents(&tx, layer)?;
        tx.commit()?;
        for f in &before {
            self.reindex(layer, f.fid.expect("stored"), Some(&f.geometry), None);
        }
        Ok(())
    }

    /// Reverses the latest action that has not been undone, as a new action of its own.
    /// Returns the action that was undone, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Action>> {
        let Some(target) = edit_log::last_undoable(&self.conn)? else { return Ok(None) };
        // Plans and results change no feature: undoing them deletes the rows the action wrote.
        let delete_records: Option<fn(&Connection, i64) -> Result<()>> = match target.kind.as_str() {
            "results" => Some(|c, a| {
                orders::delete_by_action(c, a)?;
                results::delete_by_action(c, a).map(drop)
            }),
            "order" => Some(|c, a| orders::delete_by_action(c, a).map(drop)),
            "plan" => Some(|c, a| plans::delete_by_action(c, a).map(drop)),
            _ => None,
        };
        if let Some(delete) = delete_records {
            let tx = self.conn.transaction()?;
            let undo = edit_log::begin_action(&tx, "undo", None, &format!("undo #{}: {}", target.id, target.summary))?;
            delete(&tx, target.id)?;
            edit_log::mark_undone(&tx, target.id, undo)?;
            tx.commit()?;
            return Ok(Some(target));
        }
        let changes = edit_log::changes(&self.conn, target.id)?;
        let tx = self.conn.transaction()?;
        let undo = edit_log::begin_action(&tx, "undo", target.layer.as_deref(), &format!("undo #{}: {}", target.id, target.summary))?;
        let mut reindex = Vec::new();
        {
            let mut log = LogWriter::new(&tx, undo)?;
            for c in changes.iter().rev() {
                let kind = self.catalog.kind(&c.layer)?;
                let before = c.before.as_ref().map(|j| edit_log::feature_from_json(kind, j)).transpose()?;
                let after = c.after.as_ref().map(|j| edit_log::feature_from_json(kind, j)).transpose()?;
                match (c.op, &before, &after) {
                    (Op::Insert, _, _) => {
                        // Every later action is undone by now, so the row is as inserted (older
                        // logs also hold it as `after`; the table is read either way).
                        let a = tx
                            .query_row(&rows::select_sql(kind, "WHERE fid = ?1"), [c.fid], |row| Ok(rows::read_row(kind, row)))
                            .optional()?
                            .transpose()?
                            .ok_or_else(|| Error::Project {
                                path: self.path.clone(),
                                message: format!(
                                    "action #{} inserted fid {} into `{}`, which is no longer there; it cannot be undone",
                                    target.id, c.fid, c.layer
                                ),
                            })?;
                        tx.execute(&format!("DELETE FROM {} WHERE fid = ?1", quote(&kind.id)), [c.fid])?;
                        log.record(&c.layer, c.fid, Op::Delete, Some(&a), None)?;
                        reindex.push((c.layer.clone(), c.fid, Some(a.geometry), None));
                    }
                    (Op::Update, Some(b), Some(a)) => {
                        let mut values = rows::params(kind, b)?;
                        values.push(rusqlite::types::Value::Integer(c.fid));
                        tx.execute(&rows::update_sql(kind), rusqlite::params_from_iter(rows::as_params(&values)))?;
                        log.record(&c.layer, c.fid, Op::Update, Some(a), Some(b))?;
                        reindex.push((c.layer.clone(), c.fid, Some(a.geometry.clone()), Some(b.geometry.clone())));
                    }
                    (Op::Delete, Some(b), _) => {
                        let mut values = vec![rusqlite::types::Value::Integer(c.fid)];
                        values.extend(rows::params(kind, b)?);
                        let sql = rows::insert_sql(kind).replacen("(geom,", "(fid, geom,", 1).replacen("VALUES (", "VALUES (?, ", 1);
                        tx.execute(&sql, rusqlite::params_from_iter(rows::as_params(&values)))?;
                        log.record(&c.layer, c.fid, Op::Insert, None, Some(b))?;
                        reindex.push((c.layer.clone(), c.fid, None, Some(b.geometry.clone())));
                    }
                    _ => {
                        return Err(Error::Project {
                            path: self.path.clone(),
                            message: format!("edit log of action #{} is incomplete; it cannot be undone", target.id),
                        })
                    }
                }
            }
        }
        // The layers' extents and change times, as every other edit keeps them.
        let touched: std::collections::BTreeSet<&str> = changes.iter().map(|c| c.layer.as_str()).collect();
        for layer in touched {
            touch_contents(&tx, layer)?;
        }
        edit_log::mark_undone(&tx, target.id, undo)?;
        tx.commit()?;
        for (layer, fid, old, new) in reindex {
            self.reindex(&layer, fid, old.as_ref(), new.as_ref());
        }
        Ok(Some(target))
    }

    /// Stores a sampling plan as one logged action (kind `plan`). Refuses a name already
    /// used: a plan is a record of what was done, never silently replaced.
    pub fn save_plan(&mut self, plan: &PlanRecord) -> Result<()> {
        let mut plan = plan.clone();
        if plan.created.is_empty() {
            plan.created = edit_log::now();
        }
        let sampled = plan.units.iter().filter(|u| u.site_no.is_some()).count();
        let summary = format!(
            "plan `{}`: {} sample of {sampled} site(s) from {} unit(s) of {}, seed {}",
            plan.name,
            plan.design,
            plan.units.len(),
            plan.layers.join(","),
            plan.seed
        );
        let tx = self.conn.transaction()?;
        if plans::exists(&tx, &plan.name)? {
            return Err(Error::Invalid(format!("plan `{}` exists; choose another name", plan.name)));
        }
        let action = edit_log::begin_action(&tx, "plan", None, &summary)?;
        plans::insert(&tx, &plan, action)?;
        tx.commit()?;
        Ok(())
    }

    /// Stores a plan's inspection results and the rectification orders their failures open
    /// as one logged action (kind `results`); refuses a plan that has results already.
    pub fn save_results(&mut self, plan: &str, results: &[SiteResult], new_orders: &[NewOrder]) -> Result<()> {
        let visited = results.iter().filter(|r| r.visited).count();
        let summary = format!(
            "results of plan `{plan}`: {visited} site(s) inspected, {} not visited, {} order(s) opened",
            results.len() - visited,
            new_orders.len()
        );
        let tx = self.conn.transaction()?;
        let action = edit_log::begin_action(&tx, "results", None, &summary)?;
        results::insert(&tx, plan, results, action)?;
        orders::insert(&tx, new_orders, action)?;
        tx.commit()?;
        Ok(())
    }

    /// Every rectification order (of one plan, or all), oldest first, with its history.
    pub fn orders(&self, plan: Option<&str>) -> Result<Vec<Order>> {
        orders::read_all(&self.conn, plan)
    }

    /// One rectification order with its history.
    pub fn order(&self, id: i64) -> Result<Order> {
        orders::read(&self.conn, id)?.ok_or_else(|| {
            Error::Invalid(format!("there is no order {id} in {}; `wardgis orders` lists them", self.path.display()))
        })
    }

    /// Appends events to orders' histories as one logged action (kind `order`): a single
    /// re-inspection or assignment, or a whole re-inspection round.
    pub fn record_order_events(&mut self, events: &[(i64, OrderEvent)], summary: &str) -> Result<()> {
        for (id, _) in events {
            self.order(*id)?;
        }
        let tx = self.conn.transaction()?;
        let action = edit_log::begin_action(&tx, "order", None, summary)?;
        for (id, event) in events {
            orders::add_event(&tx, *id, event, action)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A plan's stored results, in site order.
    pub fn results(&self, plan: &str) -> Result<Vec<SiteResult>> {
        results::read(&self.conn, plan)
    }

    /// A stored plan with its frame snapshot; the error lists the stored plans.
    pub fn plan(&self, name: &str) -> Result<PlanRecord> {
        plans::read(&self.conn, name)
    }

    /// Every stored plan, oldest first.
    pub fn plans(&self) -> Result<Vec<PlanSummary>> {
        plans::list(&self.conn)
    }

    /// The latest actions, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<Action>> {
        edit_log::recent(&self.conn, limit)
    }

    /// Rebuilds a layer's R-tree from its table (after another program wrote to the file).
    pub fn rebuild_index(&mut self, layer: &str) -> Result<()> {
        let kind = self.catalog.kind(layer)?;
        let mut stmt = self.conn.prepare(&format!("SELECT fid, geom FROM {} WHERE geom IS NOT NULL", quote(&kind.id)))?;
        let mut rows = stmt.query([])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            let fid: i64 = row.get(0)?;
            let blob: Vec<u8> = row.get(1)?;
            let g = geometry_blob::decode(&blob)
                .map_err(|e| Error::Geometry(format!("layer `{layer}` fid {fid}: {e}")))?;
            entries.extend(Entry::new(fid, &g));
        }
        self.indexes.insert(layer.to_owned(), LayerIndex::build(entries));
        Ok(())
    }

    fn reindex(&mut self, layer: &str, fid: i64, old: Option<&geo_types::Geometry<f64>>, new: Option<&geo_types::Geometry<f64>>) {
        let index = self.indexes.entry(layer.to_owned()).or_default();
        if let Some(old) = old {
            index.remove(fid, old);
        }
        if let Some(e) = new.and_then(|g| Entry::new(fid, g)) {
            index.insert(e);
        }
    }
}

/// Checks a geometry against the layer's type, promoting single parts for multi layers.
fn fit_geometry(kind: &LayerKind, g: geo_types::Geometry<f64>) -> Result<geo_types::Geometry<f64>> {
    use crate::catalog::GeometryType as T;
    use geo_types::Geometry as G;
    if !kind.geometry.accepts(&g) {
        return Err(Error::Geometry(format!(
            "layer `{}` holds {} geometries; got {}",
            kind.id,
            kind.geometry.gpkg_name(),
            geometry_name(&g)
        )));
    }
    Ok(match (kind.geometry, g) {
        (T::MultiPoint, G::Point(p)) => G::MultiPoint(geo_types::MultiPoint::new(vec![p])),
        (T::MultiLineString, G::LineString(l)) => G::MultiLineString(geo_types::MultiLineString::new(vec![l])),
        (T::MultiPolygon, G::Polygon(p)) => G::MultiPolygon(geo_types::MultiPolygon::new(vec![p])),
        (_, g) => g,
    })
}

/// The GeoPackage name of a geometry's type, for messages.
pub fn geometry_name(g: &geo_types::Geometry<f64>) -> &'static str {
    use geo_types::Geometry as G;
    match g {
        G::Point(_) => "POINT",
        G::Line(_) | G::LineString(_) => "LINESTRING",
        G::Polygon(_) | G::Rect(_) | G::Triangle(_) => "POLYGON",
        G::MultiPoint(_) => "MULTIPOINT",
        G::MultiLineString(_) => "MULTILINESTRING",
        G::MultiPolygon(_) => "MULTIPOLYGON",
        G::GeometryCollection(_) => "GEOMETRYCOLLECTION",
    }
}

/// Inserts of this many features or more fill the GeoPackage R-tree in one packed pass.
pub const BULK_INSERT: usize = 5_000;

/// The name and SQL of the `gpkg_rtree_index` insert trigger of a layer, if it has one.
fn rtree_insert_trigger(conn: &Connection, layer: &str) -> Result<Option<(String, String)>> {
    let name = format!("rtree_{layer}_geom_insert");
    Ok(conn
        .query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", [&name], |r| r.get::<_, String>(0))
        .optional()?
        .map(|sql| (name, sql)))
}

/// [`touch_contents`], with the extent given when the caller has it (min x, max x, min y,
/// max y of the R-tree rows), sparing four scans of the R-tree.
fn touch_contents_with(conn: &Connection, layer: &str, extent: Option<Option<[f64; 4]>>) -> Result<()> {
    match extent {
        None => touch_contents(conn, layer),
        Some(e) => {
            let e = e.map_or([None; 4], |e| e.map(Some));
            conn.execute(
                "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'),
                   min_x = ?2, max_x = ?3, min_y = ?4, max_y = ?5 WHERE table_name = ?1",
                params![layer, e[0], e[1], e[2], e[3]],
            )?;
            Ok(())
        }
    }
}

/// Keeps `gpkg_contents.last_change` and the extent true after a change to a layer.
fn touch_contents(conn: &Connection, layer: &str) -> Result<()> {
    let rtree = quote(&format!("rtree_{layer}_geom"));
    conn.execute(
        &format!(
            "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'),
               min_x = (SELECT min(minx) FROM {rtree}), max_x = (SELECT max(maxx) FROM {rtree}),
               min_y = (SELECT min(miny) FROM {rtree}), max_y = (SELECT max(maxy) FROM {rtree})
             WHERE table_name = ?1"
        ),
        params![layer],
    )?;
    Ok(())
}

fn table_exists(conn: &Connection, table: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM gpkg_contents WHERE table_name = ?1", [table], |_| Ok(()))
        .optional()?
        .is_some())
}

fn project_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::Project { path: path.to_owned(), message: format!("cannot open as a project: {e}") }
}

#[cfg(test)]
mod tests;
