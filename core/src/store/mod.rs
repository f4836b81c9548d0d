//! Storage: what the domains need from a project's backing store, and the backends that
//! provide it.
//!
//! Each domain states its needs as small traits beside its records: features here
//! ([`FeatureStore`], [`FeatureWrites`]), the history in [`crate::action`] ([`ActionLog`]),
//! sampling plans in [`crate::sampling::plan`], results and orders in
//! [`crate::evaluation`]. [`Storage`] gathers them: a backend implements every trait for
//! reading, and hands out an action ([`Storage::act`]) — one transaction — that implements the
//! writing traits. The GeoPackage backend lives in [`gpkg`], one file per domain; a PostGIS
//! backend would live beside it and implement the same traits (see ARCHITECTURE.md). No SQL
//! lives outside a backend's folder.

pub mod gpkg;

use geo_types::Geometry;

use crate::action::{ActionId, ActionKind, ActionLog};
use crate::catalog::LayerKind;
use crate::error::Result;
use crate::evaluation::order_records::{OrderStore, OrderWrites};
use crate::evaluation::site_results::{ResultStore, ResultWrites};
use crate::feature::{Feature, Value};
use crate::filter::{Filter, Sort, SpatialHits};
use crate::sampling::plan::{PlanStore, PlanWrites};
use crate::search::NameMatch;

pub use gpkg::GeoPackage;

/// Reading a layer's features.
pub trait FeatureStore {
    /// Rows in the layer (including any without geometry).
    fn feature_count(&self, kind: &LayerKind) -> Result<u64>;
    /// Every feature, by fid.
    fn features(&self, kind: &LayerKind) -> Result<Vec<Feature>>;
    /// One feature; `None` when the layer has no such fid.
    fn feature(&self, kind: &LayerKind, fid: i64) -> Result<Option<Feature>>;
    /// The attribute values (no geometry) of the features with these fids, in ascending fid
    /// order, handed to `visit` one at a time (fid, then one value per column in
    /// [`LayerKind::column_names`] order) from a reused buffer; fids the layer does not have
    /// are left out.
    fn attributes_each(
        &self,
        kind: &LayerKind,
        fids: &[i64],
        visit: &mut dyn FnMut(i64, &[Value]) -> Result<()>,
    ) -> Result<()>;
    /// Every stored geometry with its fid (rows without geometry are skipped), for building
    /// the in-memory index.
    fn geometries_each(&self, kind: &LayerKind, visit: &mut dyn FnMut(i64, Geometry<f64>)) -> Result<()>;
    /// Up to `limit` features whose name holds `text` (taken literally: `%` and `_` are no
    /// wildcards), exact matches first, then names starting with it, then the rest; within a
    /// rank shorter names first, then by fid. `text` is already trimmed and non-empty.
    fn search_names(&self, kind: &LayerKind, text: &str, limit: usize) -> Result<Vec<NameMatch>>;
    /// A cheap summary of the layer that changes when another program adds, removes or
    /// edits its features (see [`LayerFingerprint`]).
    fn layer_fingerprint(&self, kind: &LayerKind) -> Result<LayerFingerprint>;
    /// The fids of the features matching a checked CQL2 filter (every feature when `None`),
    /// in `sort`'s order (by fid when `None`; ties by fid). Values are bound as parameters.
    /// `hits` holds what the filter's spatial tests matched in the project's R-tree, for a
    /// backend without spatial SQL; one with it (PostGIS) may test the geometry itself.
    fn select_fids(&self, kind: &LayerKind, filter: Option<(&Filter, &SpatialHits)>, sort: Option<&Sort>) -> Result<Vec<i64>>;
}

/// What tells a layer changed: its row count, its highest fid, and the time the store says
/// it last changed. Programs that follow the GeoPackage standard (GDAL, QGIS, ArcGIS,
/// wardgis) update the time whenever they write; an append also moves the count and the
/// highest fid, so even a writer that forgets the time is seen when it adds or removes rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayerFingerprint {
    pub count: u64,
    pub max_fid: Option<i64>,
    pub last_change: Option<String>,
}

/// Changing a layer's features, inside an action. Every method logs what it did, so the
/// action can be undone.
pub trait FeatureWrites {
    /// Adds features (geometries already fitted to the layer's type); returns their fids.
    fn insert_features(&mut self, kind: &LayerKind, features: &[Feature]) -> Result<Vec<i64>>;
    /// Replaces a stored feature (`after.fid` names it) — but only if it is still `before`:
    /// otherwise another program changed it since, and the write is refused.
    fn update_feature(&mut self, kind: &LayerKind, before: &Feature, after: &Feature) -> Result<()>;
    /// Deletes a stored feature, logging it as it is.
    fn delete_feature(&mut self, kind: &LayerKind, before: &Feature) -> Result<()>;
    /// Puts back a deleted feature under its old fid (the undo of a delete); refused when
    /// another program has used the fid since.
    fn restore_feature(&mut self, kind: &LayerKind, feature: &Feature) -> Result<()>;
    /// Deletes a stored feature only if it is still `before` (the redo of a delete); refused
    /// when another program changed or removed it since.
    fn delete_unchanged(&mut self, kind: &LayerKind, before: &Feature) -> Result<()>;
    /// Puts back, under their old fids, the features an undone insert had added (the redo of
    /// an insert); refused, naming the fids, when another program has used any of them since.
    /// The rows go back exactly as they were (the edit log keeps coordinates and values
    /// exactly), so the insert's digest still matches and undoing it again is checked as before.
    fn reinsert_features(&mut self, kind: &LayerKind, features: &[Feature]) -> Result<()>;
    /// Deletes the features action `inserted_by` added (the undo of an insert) and returns
    /// them as they were; refused, naming the fids, when another program changed or removed
    /// any of them since.
    fn delete_inserted(&mut self, kind: &LayerKind, fids: &[i64], inserted_by: ActionId) -> Result<Vec<Feature>>;
}

/// Everything an action may read and write: one transaction of a backend.
pub trait ActionWrites:
    FeatureStore + FeatureWrites + ActionLog + PlanStore + PlanWrites + ResultStore + ResultWrites + OrderStore + OrderWrites
{
    /// This action's id.
    fn id(&self) -> ActionId;
    /// Marks `target` as undone by this action.
    fn mark_undone(&mut self, target: ActionId) -> Result<()>;
    /// Marks `target` as not undone (this action redid it), so it can be undone again.
    fn mark_redone(&mut self, target: ActionId) -> Result<()>;
    /// Replaces this action's summary, for actions that learn what they did as they go (a
    /// streamed import counts its features at the end).
    fn set_summary(&mut self, summary: &str) -> Result<()>;
}

/// A backend: every reading trait, and actions for writing.
pub trait Storage: FeatureStore + ActionLog + PlanStore + ResultStore + OrderStore + Send + Sync {
    /// One action's transaction.
    type Action<'a>: ActionWrites
    where
        Self: 'a;

    /// Where the data lives (a file path, a database URL), for messages.
    fn location(&self) -> String;

    /// Runs `write` as one action of `kind`: one transaction, one entry in the history.
    /// Commits when `write` returns `Ok`; rolls everything back otherwise.
    fn act<T>(
        &self,
        kind: ActionKind,
        layer: Option<&str>,
        summary: &str,
        write: impl for<'a> FnOnce(&mut Self::Action<'a>) -> Result<T>,
    ) -> Result<T>;

    /// Whether another program (or another process of wardgis) committed a change since
    /// the last call. Cheap enough to call on a timer.
    fn changed_elsewhere(&self) -> Result<bool>;
}
