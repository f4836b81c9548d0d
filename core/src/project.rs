//! The open project: a store (the GeoPackage file, or another backend), the catalog it was
//! opened with, and one in-memory R-tree per layer.
//!
//! Every method a user's step calls is here, written once over the [`Storage`] traits: each
//! change is one action (one transaction, one entry in the history, one undo), the R-trees
//! follow every change — wardgis's own, and, through [`Project::refresh_external`], those
//! another program commits to the file while it is open. All methods take `&self`: reads
//! (the map's tiles, the page's queries) run on the store's readers while a write runs, and
//! writes are serialised by one lock that also keeps the R-trees in step with the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parking_lot::{MappedRwLockReadGuard, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::action::{Action, ActionId, ActionKind, ActionLog, Op, UndoRule};
use crate::catalog::{Catalog, LayerKind};
use crate::error::{Error, Result};
use crate::evaluation::order_records::{NewOrder, Order, OrderEvent, OrderWrites};
use crate::evaluation::site_results::{ResultWrites, SiteResult};
use crate::feature::{Feature, Value};
use crate::filter::{Filter, Sort, SpatialHits};
use crate::index::{Entry, Hit, LayerIndex};
use crate::io::{self, ImportObserver, ImportOptions, ImportSummary};
use crate::sampling::plan::{PlanRecord, PlanStore, PlanSummary, PlanWrites};
use crate::search::NameMatch;
use crate::store::gpkg::actions::feature_from_json;
use crate::store::{ActionWrites, FeatureStore, FeatureWrites, GeoPackage, LayerFingerprint, Storage};

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
    pub values: Vec<Value>,
}

/// A layer whose features changed, with its new count: what the map must redraw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerChange {
    pub layer: String,
    pub count: u64,
}

/// An open project over a storage backend (a GeoPackage file unless said otherwise).
pub struct Project<S: Storage = GeoPackage> {
    store: S,
    path: PathBuf,
    catalog: Catalog,
    /// Each layer's R-tree, built the first time it is asked for: a command that only
    /// imports or lists never reads every geometry.
    indexes: BTreeMap<String, RwLock<Option<LayerIndex>>>,
    /// What each layer looked like when its R-tree was last built or kept in step.
    fingerprints: Mutex<BTreeMap<String, LayerFingerprint>>,
    /// Held by every write, from the transaction to the R-tree update after it.
    write_lock: Mutex<()>,
}

impl<S: Storage> std::fmt::Debug for Project<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project").field("store", &self.store.location()).finish_non_exhaustive()
    }
}

impl Project<GeoPackage> {
    /// Creates a new project file with an empty table for every layer of the catalog.
    /// Refuses to overwrite an existing file.
    pub fn create(path: &Path, catalog: Catalog) -> Result<Project> {
        let store = GeoPackage::create(path, &catalog)?;
        Project::over(store, path.to_owned(), catalog)
    }

    /// Opens an existing project. Layers the catalog added since the file was written get
    /// their tables, and fields it added get their columns; the R-trees are built.
    pub fn open(path: &Path, catalog: Catalog) -> Result<Project> {
        let store = GeoPackage::open(path, &catalog)?;
        Project::over(store, path.to_owned(), catalog)
    }

    /// The GeoPackage backend, for tests that look at its tables.
    #[cfg(test)]
    pub(crate) fn store(&self) -> &GeoPackage {
        &self.store
    }
}

impl<S: Storage> Project<S> {
    /// A project over an opened store: builds every layer's R-tree. `path` names the project
    /// in messages and listings (the file, or where a database project is described).
    pub fn over(store: S, path: PathBuf, catalog: Catalog) -> Result<Project<S>> {
        let mut indexes = BTreeMap::new();
        let mut fingerprints = BTreeMap::new();
        for kind in catalog.kinds() {
            fingerprints.insert(kind.id.clone(), store.layer_fingerprint(kind)?);
            indexes.insert(kind.id.clone(), RwLock::new(None));
        }
        Ok(Project { store, path, catalog, indexes, fingerprints: Mutex::new(fingerprints), write_lock: Mutex::new(()) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Every catalog layer with its feature count, in drawing order.
    pub fn layers(&self) -> Result<Vec<LayerInfo<'_>>> {
        self.catalog
            .kinds()
            .iter()
            .map(|kind| Ok(LayerInfo { kind, count: self.indexed_count(kind)? }))
            .collect()
    }

    /// Features in a layer's index, or in its table while the index is not built.
    fn indexed_count(&self, kind: &LayerKind) -> Result<u64> {
        match &*self.indexes[&kind.id].read_recursive() {
            Some(index) => Ok(index.len() as u64),
            None => self.store.feature_count(kind),
        }
    }

    /// The R-tree of a layer (a read guard: hold it only while querying).
    pub fn index(&self, layer: &str) -> Result<MappedRwLockReadGuard<'_, LayerIndex>> {
        let kind = self.catalog.kind(layer)?;
        let lock = &self.indexes[layer];
        let built = lock.read_recursive();
        if built.is_some() {
            return Ok(RwLockReadGuard::map(built, |i| i.as_ref().expect("checked")));
        }
        drop(built);
        let mut slot = lock.write();
        if slot.is_none() {
            *slot = Some(build_index(&self.store, kind)?);
        }
        Ok(RwLockReadGuard::map(RwLockWriteGuard::downgrade(slot), |i| i.as_ref().expect("just built")))
    }

    /// Rows in a layer's table (including any without geometry, which the index skips).
    pub fn count(&self, layer: &str) -> Result<u64> {
        self.store.feature_count(self.catalog.kind(layer)?)
    }

    /// Every feature of a layer, by fid.
    pub fn features(&self, layer: &str) -> Result<Vec<Feature>> {
        self.store.features(self.catalog.kind(layer)?)
    }

    /// One feature by fid.
    pub fn feature(&self, layer: &str, fid: i64) -> Result<Feature> {
        self.store
            .feature(self.catalog.kind(layer)?, fid)?
            .ok_or_else(|| Error::NoSuchFeature { layer: layer.to_owned(), fid })
    }

    /// The features with these fids, in the order given.
    pub fn features_by_fid(&self, layer: &str, fids: &[i64]) -> Result<Vec<Feature>> {
        let kind = self.catalog.kind(layer)?;
        fids.iter()
            .map(|&fid| self.store.feature(kind, fid)?.ok_or_else(|| Error::NoSuchFeature { layer: layer.to_owned(), fid }))
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
    pub fn attributes_each(&self, layer: &str, fids: &[i64], mut visit: impl FnMut(i64, &[Value]) -> Result<()>) -> Result<()> {
        self.store.attributes_each(self.catalog.kind(layer)?, fids, &mut visit)
    }

    /// The fids of a layer's features matching `filter` (all when `None`), in `sort`'s order
    /// (by fid when `None`; ties by fid): what the attribute table pages through and what
    /// `wardgis query --filter` answers. Spatial tests run on the layer's R-tree (bounding
    /// boxes, then the exact test); the rest runs in the store as parameterised SQL.
    pub fn query_fids(&self, layer: &str, filter: Option<&Filter>, sort: Option<&Sort>) -> Result<Vec<i64>> {
        let kind = self.catalog.kind(layer)?;
        if let Some(f) = filter.filter(|f| f.layer() != layer) {
            return Err(Error::Invalid(format!("the filter was written for layer `{}`, not `{layer}`", f.layer())));
        }
        let hits = match filter {
            Some(f) if !f.spatial_tests().is_empty() => SpatialHits::from_index(f, &*self.index(layer)?),
            _ => SpatialHits::default(),
        };
        self.store.select_fids(kind, filter.map(|f| (f, &hits)), sort)
    }

    /// Features of `layer` within `metres` of `p`, nearest first, with their distances.
    pub fn within(&self, layer: &str, p: geo_types::Coord<f64>, metres: f64) -> Result<Vec<Hit>> {
        self.index(layer)?.within(p, metres)
    }

    /// The `k` features of `layer` nearest to `p`, nearest first, with their distances.
    pub fn nearest(&self, layer: &str, p: geo_types::Coord<f64>, k: usize) -> Result<Vec<Hit>> {
        self.index(layer)?.nearest(p, k)
    }

    /// Ids of the features of `layer` inside (or on the edge of) `area`.
    pub fn in_polygon(&self, layer: &str, area: &geo_types::Geometry<f64>) -> Result<Vec<i64>> {
        self.index(layer)?.in_polygon(area)
    }

    /// Features of `layer` within `metres` of feature `fid` of `of_layer` (a road: the line
    /// buffer), nearest first, with their distances. The feature itself is left out when
    /// both layers are the same: "roads near this road" means the others.
    pub fn near_feature(&self, layer: &str, of_layer: &str, fid: i64, metres: f64) -> Result<Vec<Hit>> {
        let shape = self.feature(of_layer, fid)?.geometry;
        let mut hits = self.index(layer)?.near_geometry(&shape, metres).map_err(|e| match e {
            Error::Geometry(_) => Error::Geometry(format!("{of_layer} feature {fid} has no geometry to measure from")),
            other => other,
        })?;
        if layer == of_layer {
            hits.retain(|h| h.fid != fid);
        }
        Ok(hits)
    }

    /// The bounding box (west, south, east, north) of a feature, for flying the map to it;
    /// `None` when it has no geometry.
    pub fn feature_bounds(&self, layer: &str, fid: i64) -> Result<Option<geo_types::Rect<f64>>> {
        use geo::BoundingRect;
        Ok(self.feature(layer, fid)?.geometry.bounding_rect())
    }

    /// Features whose name holds `text` (Chinese or not; `%` and `_` are taken literally),
    /// in every layer: exact matches first, then names starting with it, then the rest,
    /// shorter names first, then in catalog layer order; at most `limit`.
    pub fn search_names(&self, text: &str, limit: usize) -> Result<Vec<(String, NameMatch)>> {
        let text = crate::search::search_text(text)?;
        let mut all: Vec<(usize, String, NameMatch)> = Vec::new();
        for (order, kind) in self.catalog.kinds().iter().enumerate() {
            for m in self.store.search_names(kind, text, limit)? {
                all.push((order, kind.id.clone(), m));
            }
        }
        all.sort_by(|a, b| {
            (a.2.rank, a.2.name.chars().count(), a.0, a.2.fid).cmp(&(b.2.rank, b.2.name.chars().count(), b.0, b.2.fid))
        });
        Ok(all.into_iter().take(limit).map(|(_, layer, m)| (layer, m)).collect())
    }

    /// Adds features as one action; returns their new fids. Geometries must fit the layer's
    /// type (single parts are promoted for multi-part layers).
    pub fn insert(&self, layer: &str, features: Vec<Feature>, summary: &str) -> Result<Vec<i64>> {
        let kind = self.catalog.kind(layer)?;
        let features = fit_features(kind, features)?;
        let _write = self.write_lock.lock();
        let fids = self.store.act(ActionKind::Insert, Some(layer), summary, |a| a.insert_features(kind, &features))?;
        self.add_to_index(layer, fids.iter().zip(&features).filter_map(|(&fid, f)| Entry::new(fid, &f.geometry)).collect());
        self.note_own_change(kind)?;
        Ok(fids)
    }

    /// Imports a file (any format [`io::import_features`] reads) into a layer as one action,
    /// streamed in batches: a file of any size in bounded memory, all or nothing — bad rows
    /// (unless `opts.skip_bad`), a failure or a cancel through `observer` leave the project
    /// as it was.
    pub fn import_file(&self, layer: &str, path: &Path, opts: &ImportOptions, observer: &dyn ImportObserver) -> Result<ImportSummary> {
        let kind = self.catalog.kind(layer)?;
        let _write = self.write_lock.lock();
        // The index is only kept up to date when it has been built; otherwise it is built from
        // the store when first asked for, and a large import holds no entries meanwhile.
        let indexed = self.indexes[layer].read_recursive().is_some();
        let mut entries = Vec::new();
        let started = format!("import from {}", path.display());
        let summary = self.store.act(ActionKind::Insert, Some(layer), &started, |a| {
            let summary = io::import_features(path, kind, opts, observer, &mut |batch| {
                let batch = fit_features(kind, batch)?;
                let fids = a.insert_features(kind, &batch)?;
                if indexed {
                    entries.extend(fids.iter().zip(&batch).filter_map(|(&fid, f)| Entry::new(fid, &f.geometry)));
                }
                Ok(())
            })?;
            a.set_summary(&format!("import {} feature(s) from {}", summary.imported, path.display()))?;
            Ok(summary)
        })?;
        self.add_to_index(layer, entries);
        self.note_own_change(kind)?;
        Ok(summary)
    }

    /// Adds new features to a layer's index if it is built (in one pass when it was empty).
    fn add_to_index(&self, layer: &str, entries: Vec<Entry>) {
        let mut slot = self.indexes[layer].write();
        let Some(index) = slot.as_mut() else { return };
        if index.is_empty() {
            *index = LayerIndex::build(entries);
        } else {
            entries.into_iter().for_each(|e| index.insert(e));
        }
    }

    /// Replaces a stored feature (geometry and every attribute) as one action.
    pub fn update(&self, layer: &str, mut feature: Feature, summary: &str) -> Result<()> {
        let kind = self.catalog.kind(layer)?;
        let fid = feature.fid.ok_or_else(|| Error::Invalid("an update needs the feature's fid".into()))?;
        feature.geometry = fit_geometry(kind, feature.geometry)?;
        check_values(kind, &feature)?;
        let _write = self.write_lock.lock();
        let before = self.feature(layer, fid)?;
        self.store.act(ActionKind::Update, Some(layer), summary, |a| a.update_feature(kind, &before, &feature))?;
        self.reindex(layer, fid, Some(&before.geometry), Some(&feature.geometry));
        self.note_own_change(kind)
    }

    /// Replaces many stored features of one layer (each named by its fid) as one action of
    /// `kind` — `Update`, or a domain's kind whose undo replays the edit log (a spatial join).
    /// Features equal to what is stored are not written. Returns how many were written.
    pub fn update_many(&self, kind_of_action: ActionKind, layer: &str, features: Vec<Feature>, summary: &str) -> Result<usize> {
        replays_edits(kind_of_action)?;
        let kind = self.catalog.kind(layer)?;
        let mut afters = Vec::with_capacity(features.len());
        for mut f in features {
            f.fid.ok_or_else(|| Error::Invalid("an update needs the feature's fid".into()))?;
            f.geometry = fit_geometry(kind, f.geometry)?;
            check_values(kind, &f)?;
            afters.push(f);
        }
        let _write = self.write_lock.lock();
        let fids: Vec<i64> = afters.iter().filter_map(|f| f.fid).collect();
        let befores = self.features_by_fid(layer, &fids)?;
        let changed: Vec<(Feature, Feature)> = befores.into_iter().zip(afters).filter(|(b, a)| b != a).collect();
        if changed.is_empty() {
            return Ok(0);
        }
        self.store.act(kind_of_action, Some(layer), summary, |a| {
            changed.iter().try_for_each(|(before, after)| a.update_feature(kind, before, after))
        })?;
        for (b, a) in &changed {
            if b.geometry != a.geometry {
                self.reindex(layer, a.fid.expect("checked above"), Some(&b.geometry), Some(&a.geometry));
            }
        }
        self.note_own_change(kind)?;
        Ok(changed.len())
    }

    /// Changes stored features of one layer in place as one `update` action: each is read,
    /// `change` applied, and written back if it differs — all under the write lock, so what
    /// another program changed in other fields of the same row is kept, not overwritten by an
    /// older read. Returns how many features were written. (Moving a point, reshaping a line,
    /// one form's changes applied to a whole selection.)
    pub fn modify(&self, layer: &str, fids: &[i64], summary: &str, change: impl Fn(&mut Feature) -> Result<()>) -> Result<usize> {
        let kind = self.catalog.kind(layer)?;
        let _write = self.write_lock.lock();
        let mut changed = Vec::new();
        for before in self.features_by_fid(layer, fids)? {
            let mut after = before.clone();
            change(&mut after)?;
            after.geometry = fit_geometry(kind, after.geometry)?;
            check_values(kind, &after)?;
            if after != before {
                changed.push((before, after));
            }
        }
        if changed.is_empty() {
            return Ok(0);
        }
        self.store.act(ActionKind::Update, Some(layer), summary, |a| {
            changed.iter().try_for_each(|(before, after)| a.update_feature(kind, before, after))
        })?;
        for (b, a) in &changed {
            if b.geometry != a.geometry {
                self.reindex(layer, a.fid.expect("stored features have fids"), Some(&b.geometry), Some(&a.geometry));
            }
        }
        self.note_own_change(kind)?;
        Ok(changed.len())
    }

    /// Replaces every feature of a layer with `features` as one action of `kind` (a derived
    /// layer made anew, such as the unit grid): the old features are deleted and the new
    /// inserted, so one undo brings the old layer back. Returns the new fids.
    pub fn replace_layer(&self, kind_of_action: ActionKind, layer: &str, features: Vec<Feature>, summary: &str) -> Result<Vec<i64>> {
        replays_edits(kind_of_action)?;
        let kind = self.catalog.kind(layer)?;
        let features = fit_features(kind, features)?;
        let _write = self.write_lock.lock();
        let old = self.features(layer)?;
        let fids = self.store.act(kind_of_action, Some(layer), summary, |a| {
            old.iter().try_for_each(|f| a.delete_feature(kind, f))?;
            a.insert_features(kind, &features)
        })?;
        let entries: Vec<Entry> = fids.iter().zip(&features).filter_map(|(&fid, f)| Entry::new(fid, &f.geometry)).collect();
        *self.indexes[layer].write() = Some(LayerIndex::build(entries));
        self.note_own_change(kind)?;
        Ok(fids)
    }

    /// Deletes features as one action.
    pub fn delete(&self, layer: &str, fids: &[i64], summary: &str) -> Result<()> {
        let kind = self.catalog.kind(layer)?;
        let _write = self.write_lock.lock();
        let before = self.features_by_fid(layer, fids)?;
        self.store.act(ActionKind::Delete, Some(layer), summary, |a| {
            before.iter().try_for_each(|f| a.delete_feature(kind, f))
        })?;
        for f in &before {
            self.reindex(layer, f.fid.expect("stored features have fids"), Some(&f.geometry), None);
        }
        self.note_own_change(kind)
    }

    /// Reverses the latest action that has not been undone, as a new action of its own.
    /// Returns the action that was undone, or `None` when there is nothing to undo. Refuses
    /// (writing nothing) when undoing would destroy what another program changed since.
    pub fn undo(&self) -> Result<Option<Action>> {
        let _write = self.write_lock.lock();
        let Some(target) = self.store.last_undoable()? else { return Ok(None) };
        let summary = format!("undo #{}: {}", target.id, target.summary);
        let undo_layer = match target.kind.undo_rule() {
            UndoRule::ReplayEdits => target.layer.as_deref(),
            _ => None,
        };
        let reindex = self.store.act(ActionKind::Undo, undo_layer, &summary, |a| {
            let reindex = match target.kind.undo_rule() {
                UndoRule::NotUndoable => Vec::new(),
                UndoRule::DeleteRecords(delete) => {
                    delete(a, target.id)?;
                    Vec::new()
                }
                UndoRule::ReplayEdits => self.replay_backwards(a, &target)?,
            };
            a.mark_undone(target.id)?;
            Ok(reindex)
        })?;
        self.apply_reindex(reindex)?;
        Ok(Some(target))
    }

    /// Applies again the action the latest undo took back, as a new action of kind `redo`, and
    /// marks it not undone (a later undo takes it back again). Only while nothing but undos and
    /// redos came after that undo: a new action clears what can be redone. Returns the action
    /// redone, or `None` when there is nothing to redo. Feature edits are replayed forwards
    /// from the edit log, refused (writing nothing) where another program changed what the
    /// redo would overwrite, or took an inserted feature's fid. Plans, results and order events
    /// were undone by deleting their records; they cannot be redone, and the error says to make
    /// them again.
    pub fn redo(&self) -> Result<Option<Action>> {
        let _write = self.write_lock.lock();
        let Some(target) = self.store.last_redoable()? else { return Ok(None) };
        let undo_id = target.undone_by.ok_or_else(|| Error::Invalid(format!("action #{} is not undone", target.id)))?;
        match target.kind.undo_rule() {
            UndoRule::ReplayEdits => {}
            UndoRule::DeleteRecords(_) => {
                return Err(Error::Invalid(format!(
                    "action #{} ({}: {}) was undone by deleting the records it wrote, which are not kept, so it cannot be redone; make it again instead (a sampling plan drawn with the same seed is the same sample)",
                    target.id, target.kind, target.summary
                )))
            }
            UndoRule::NotUndoable => {
                return Err(Error::Invalid(format!("action #{} ({}) cannot be redone", target.id, target.kind)))
            }
        }
        let summary = format!("redo #{}: {}", target.id, target.summary);
        let reindex = self.store.act(ActionKind::Redo, target.layer.as_deref(), &summary, |a| {
            let reindex = self.replay_forwards(a, &target, undo_id)?;
            a.mark_redone(target.id)?;
            Ok(reindex)
        })?;
        self.apply_reindex(reindex)?;
        Ok(Some(target))
    }

    /// After an undo or redo commits: the R-trees follow, and the layers' fingerprints are
    /// noted as wardgis's own change.
    fn apply_reindex(&self, reindex: Vec<Reindex>) -> Result<()> {
        let mut layers: Vec<String> = Vec::new();
        for (layer, fid, old, new) in reindex {
            self.reindex(&layer, fid, old.as_ref(), new.as_ref());
            if !layers.contains(&layer) {
                layers.push(layer);
            }
        }
        for layer in layers {
            self.note_own_change(self.catalog.kind(&layer)?)?;
        }
        Ok(())
    }

    /// Replays an action's feature changes forwards inside the redo's transaction: updates and
    /// deletes from the action's own log (each checked against the row as the action left it
    /// before its undo), inserts from the log of the undo that removed them (the action logged
    /// inserts by fid alone). Returns the R-tree changes to make once it commits.
    fn replay_forwards(&self, a: &mut S::Action<'_>, target: &Action, undo_id: ActionId) -> Result<Vec<Reindex>> {
        let changes = a.changes(target.id)?;
        let removed: BTreeMap<(String, i64), serde_json::Value> = a
            .changes(undo_id)?
            .into_iter()
            .filter(|c| c.op == Op::Delete)
            .filter_map(|c| Some(((c.layer, c.fid), c.before?)))
            .collect();
        let incomplete = || Error::Project {
            path: self.path.clone(),
            message: format!("the edit log of action #{} is incomplete; it cannot be redone", target.id),
        };
        let stored = |kind: &LayerKind, fid: i64, j: Option<&serde_json::Value>| -> Result<Feature> {
            let mut f = feature_from_json(kind, j.ok_or_else(incomplete)?)?;
            f.fid = Some(fid);
            Ok(f)
        };
        let mut reindex = Vec::new();
        let mut i = 0;
        while i < changes.len() {
            let c = &changes[i];
            let kind = self.catalog.kind(&c.layer)?;
            match c.op {
                Op::Insert => {
                    // A run of inserts into one layer goes back in one step, which checks
                    // every fid is still free before writing any.
                    let mut j = i;
                    let mut features = Vec::new();
                    while j < changes.len() && changes[j].op == Op::Insert && changes[j].layer == c.layer {
                        let cj = &changes[j];
                        let json = removed.get(&(cj.layer.clone(), cj.fid)).or(cj.after.as_ref());
                        features.push(stored(kind, cj.fid, json)?);
                        j += 1;
                    }
                    a.reinsert_features(kind, &features)?;
                    reindex.extend(features.into_iter().map(|f| (c.layer.clone(), f.fid.expect("set"), None, Some(f.geometry))));
                    i = j;
                    continue;
                }
                Op::Update => {
                    let before = stored(kind, c.fid, c.before.as_ref())?;
                    let after = stored(kind, c.fid, c.after.as_ref())?;
                    a.update_feature(kind, &before, &after)?;
                    reindex.push((c.layer.clone(), c.fid, Some(before.geometry), Some(after.geometry)));
                }
                Op::Delete => {
                    let before = stored(kind, c.fid, c.before.as_ref())?;
                    a.delete_unchanged(kind, &before)?;
                    reindex.push((c.layer.clone(), c.fid, Some(before.geometry), None));
                }
            }
            i += 1;
        }
        Ok(reindex)
    }

    /// Replays an action's feature changes backwards inside the undo's transaction; returns
    /// the R-tree changes to make once it commits.
    fn replay_backwards(&self, a: &mut S::Action<'_>, target: &Action) -> Result<Vec<Reindex>> {
        let changes = a.changes(target.id)?;
        let mut reindex = Vec::new();
        let mut i = changes.len();
        while i > 0 {
            let c = &changes[i - 1];
            let kind = self.catalog.kind(&c.layer)?;
            if c.op == Op::Insert {
                // A run of inserts into one layer is undone in one step, which checks that
                // nobody changed the rows since.
                let mut j = i - 1;
                while j > 0 && changes[j - 1].op == Op::Insert && changes[j - 1].layer == c.layer {
                    j -= 1;
                }
                let fids: Vec<i64> = changes[j..i].iter().rev().map(|c| c.fid).collect();
                for f in a.delete_inserted(kind, &fids, target.id)? {
                    reindex.push((c.layer.clone(), f.fid.expect("stored"), Some(f.geometry), None));
                }
                i = j;
                continue;
            }
            let before = c.before.as_ref().map(|j| feature_from_json(kind, j)).transpose()?;
            let after = c.after.as_ref().map(|j| feature_from_json(kind, j)).transpose()?;
            match (c.op, before, after) {
                (Op::Update, Some(b), Some(a_)) => {
                    let (mut b, mut a_) = (b, a_);
                    b.fid = Some(c.fid);
                    a_.fid = Some(c.fid);
                    a.update_feature(kind, &a_, &b)?;
                    reindex.push((c.layer.clone(), c.fid, Some(a_.geometry), Some(b.geometry)));
                }
                (Op::Delete, Some(mut b), _) => {
                    b.fid = Some(c.fid);
                    a.restore_feature(kind, &b)?;
                    reindex.push((c.layer.clone(), c.fid, None, Some(b.geometry)));
                }
                _ => {
                    return Err(Error::Project {
                        path: self.path.clone(),
                        message: format!("the edit log of action #{} is incomplete; it cannot be undone", target.id),
                    })
                }
            }
            i -= 1;
        }
        Ok(reindex)
    }

    /// Stores a sampling plan as one action (kind `plan`). Refuses a name already used: a
    /// plan is a record of what was done, never silently replaced.
    pub fn save_plan(&self, plan: &PlanRecord) -> Result<()> {
        let mut plan = plan.clone();
        plan.created.get_or_insert_with(crate::dates::Timestamp::now);
        let sampled = plan.units.iter().filter(|u| u.site_no.is_some()).count();
        let summary = format!(
            "plan `{}`: {} sample of {sampled} site(s) from {} unit(s) of {}, seed {}",
            plan.name,
            plan.design,
            plan.units.len(),
            plan.layers.join(","),
            plan.seed
        );
        let _write = self.write_lock.lock();
        self.store.act(ActionKind::Plan, None, &summary, |a| {
            if a.plan_exists(&plan.name)? {
                return Err(Error::Invalid(format!("plan `{}` exists; choose another name", plan.name)));
            }
            a.insert_plan(&plan)
        })
    }

    /// Stores a plan's inspection results and the rectification orders their failures open
    /// as one action (kind `results`); refuses a plan that has results already.
    pub fn save_results(&self, plan: &str, results: &[SiteResult], new_orders: &[NewOrder]) -> Result<()> {
        let visited = results.iter().filter(|r| r.visited).count();
        let summary = format!(
            "results of plan `{plan}`: {visited} site(s) inspected, {} not visited, {} order(s) opened",
            results.len() - visited,
            new_orders.len()
        );
        let _write = self.write_lock.lock();
        self.store.act(ActionKind::Results, None, &summary, |a| {
            a.insert_results(plan, results)?;
            a.insert_orders(new_orders).map(drop)
        })
    }

    /// Every rectification order (of one plan, or all), oldest first, with its history.
    pub fn orders(&self, plan: Option<&str>) -> Result<Vec<Order>> {
        self.store.orders(plan)
    }

    /// One rectification order with its history.
    pub fn order(&self, id: i64) -> Result<Order> {
        self.store.order(id)?.ok_or_else(|| {
            Error::Invalid(format!("there is no order {id} in {}; the project's order list shows which there are", self.path.display()))
        })
    }

    /// Appends events to orders' histories as one action (kind `order`): a single
    /// re-inspection or assignment, or a whole re-inspection round.
    pub fn record_order_events(&self, events: &[(i64, OrderEvent)], summary: &str) -> Result<()> {
        for (id, _) in events {
            self.order(*id)?;
        }
        let _write = self.write_lock.lock();
        self.store.act(ActionKind::Order, None, summary, |a| {
            events.iter().try_for_each(|(id, event)| a.add_order_event(*id, event))
        })
    }

    /// A plan's stored results, in site order.
    pub fn results(&self, plan: &str) -> Result<Vec<SiteResult>> {
        self.store.results(plan)
    }

    /// A stored plan with its frame snapshot; the error lists the stored plans.
    pub fn plan(&self, name: &str) -> Result<PlanRecord> {
        self.store.plan(name)
    }

    /// Every stored plan, oldest first.
    pub fn plans(&self) -> Result<Vec<PlanSummary>> {
        self.store.plans()
    }

    /// The latest actions, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<Action>> {
        self.store.history(limit)
    }

    /// Rebuilds a layer's R-tree from the store.
    pub fn rebuild_index(&self, layer: &str) -> Result<()> {
        let kind = self.catalog.kind(layer)?;
        let _write = self.write_lock.lock();
        let fingerprint = self.store.layer_fingerprint(kind)?;
        let index = build_index(&self.store, kind)?;
        *self.indexes[layer].write() = Some(index);
        self.fingerprints.lock().insert(kind.id.clone(), fingerprint);
        Ok(())
    }

    /// Notices what other programs (QGIS, GDAL, another wardgis process) committed to the
    /// project since the last call and brings the R-trees up to date; returns the layers
    /// that changed with their new counts (empty when nothing did). Cheap when nothing
    /// changed — one `PRAGMA` — so a window calls it on a timer.
    pub fn refresh_external(&self) -> Result<Vec<LayerChange>> {
        let _write = self.write_lock.lock();
        if !self.store.changed_elsewhere()? {
            return Ok(Vec::new());
        }
        let mut changed = Vec::new();
        for kind in self.catalog.kinds() {
            let now = self.store.layer_fingerprint(kind)?;
            if self.fingerprints.lock().get(&kind.id) == Some(&now) {
                continue;
            }
            let mut slot = self.indexes[&kind.id].write();
            let count = match slot.as_mut() {
                Some(index) => {
                    *index = build_index(&self.store, kind)?;
                    index.len() as u64
                }
                None => self.store.feature_count(kind)?,
            };
            drop(slot);
            self.fingerprints.lock().insert(kind.id.clone(), now);
            changed.push(LayerChange { layer: kind.id.clone(), count });
        }
        Ok(changed)
    }

    /// After wardgis's own write: the layer's fingerprint as it is now, so the change is not
    /// taken for another program's.
    fn note_own_change(&self, kind: &LayerKind) -> Result<()> {
        let now = self.store.layer_fingerprint(kind)?;
        self.fingerprints.lock().insert(kind.id.clone(), now);
        Ok(())
    }

    fn reindex(&self, layer: &str, fid: i64, old: Option<&geo_types::Geometry<f64>>, new: Option<&geo_types::Geometry<f64>>) {
        let mut slot = self.indexes[layer].write();
        let Some(index) = slot.as_mut() else { return };
        if let Some(old) = old {
            index.remove(fid, old);
        }
        if let Some(e) = new.and_then(|g| Entry::new(fid, g)) {
            index.insert(e);
        }
    }
}

/// An R-tree change to make after an undo or redo commits: layer, fid, old and new geometry.
type Reindex = (String, i64, Option<geo_types::Geometry<f64>>, Option<geo_types::Geometry<f64>>);

fn build_index<S: FeatureStore>(store: &S, kind: &LayerKind) -> Result<LayerIndex> {
    let mut entries = Vec::new();
    store.geometries_each(kind, &mut |fid, g| entries.extend(Entry::new(fid, &g)))?;
    Ok(LayerIndex::build(entries))
}

/// Feature writes of several kinds share the edit log; only a kind whose undo replays that log
/// may use them, or its undo would leave the features changed.
fn replays_edits(kind: ActionKind) -> Result<()> {
    match kind.undo_rule() {
        UndoRule::ReplayEdits => Ok(()),
        rule => Err(Error::Invalid(format!("action kind `{kind}` is undone by {rule:?}, not by replaying its feature edits"))),
    }
}

/// Features as the layer stores them: each geometry fitted to the layer's type, each value
/// checked against its field's constraints.
fn fit_features(kind: &LayerKind, features: Vec<Feature>) -> Result<Vec<Feature>> {
    features
        .into_iter()
        .map(|mut f| {
            f.geometry = fit_geometry(kind, f.geometry)?;
            check_values(kind, &f)?;
            Ok(f)
        })
        .collect()
}

/// Checks every attribute against its field's constraints (`min`, `max`, `max_length` in the
/// catalog), so an edit cannot store what an import would refuse.
fn check_values(kind: &LayerKind, f: &Feature) -> Result<()> {
    for field in &kind.fields {
        let v = f.get(&field.name);
        field.check(v).map_err(|why| {
            let which = f.fid.map(|fid| format!("feature {fid}")).or_else(|| f.name().map(|n| format!("feature `{n}`"))).unwrap_or_else(|| "a feature".into());
            Error::Invalid(format!("layer `{}`, {which}: field `{}` value `{}` {why}", kind.id, field.name, v.to_text()))
        })?;
    }
    Ok(())
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

#[cfg(test)]
#[path = "project_tests.rs"]
mod tests;
