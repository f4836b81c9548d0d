//! The attribute table's commands. A table view is one layer's matching fids in order (a CQL2
//! filter and a sort, run by the core); the list stays here, on the Rust side, and the page
//! asks for the rows it shows (offset/limit), the fids of a row range (shift-click, select
//! all), where a set of fids first appears (scrolling to a selection made on the map), and
//! the box around a set of fids (zoom to selection). A million fids are 8 MB here and never
//! cross to the page.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use wardgis::filter::{Filter, Sort};
use wardgis::index::Shape;
use wardgis::Value;

use crate::project_state::ProjectState;

/// Views kept at once; opening another drops the oldest (the page keeps one per open table).
const MAX_VIEWS: usize = 16;

/// The open table views, by handle.
#[derive(Default)]
pub struct TableViews(Mutex<Views>);

#[derive(Default)]
struct Views {
    next: u32,
    open: BTreeMap<u32, Arc<View>>,
}

struct View {
    layer: String,
    fids: Vec<i64>,
}

impl TableViews {
    fn get(&self, view: u32) -> Result<Arc<View>, TableError> {
        self.0.lock().open.get(&view).cloned().ok_or_else(|| TableError::plain(format!("table view {view} is closed")))
    }
}

/// The order the page asks for: a column and a direction.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct TableSort {
    pub column: String,
    pub descending: bool,
}

/// An opened view: its handle and how many rows match.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TableOpened {
    pub view: u32,
    pub count: u32,
}

/// Why a table could not be opened or read. For a filter, `column` (1-based, in characters)
/// and `line` say where in the expression, so the page can point there.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TableError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl TableError {
    fn plain(message: String) -> TableError {
        TableError { message, line: None, column: None }
    }
}

impl From<wardgis::Error> for TableError {
    fn from(e: wardgis::Error) -> TableError {
        match &e {
            wardgis::Error::Filter(f) => {
                TableError { message: f.message.clone(), line: Some(f.line as u32), column: Some(f.column as u32) }
            }
            _ => TableError::plain(e.to_string()),
        }
    }
}

impl From<crate::project_state::StateError> for TableError {
    fn from(e: crate::project_state::StateError) -> TableError {
        match e {
            crate::project_state::StateError::Core(e) => e.into(),
            other => TableError::plain(other.to_string()),
        }
    }
}

/// One row: the fid, then one value per column in the layer's column order (`name`,
/// `source`, the catalog fields).
#[derive(Debug, Clone, Serialize, TS)]
pub struct TableRow {
    #[ts(type = "number")]
    pub fid: i64,
    pub values: Vec<Value>,
}

/// Opens a view of `layer`: the fids matching `filter` (CQL2 text; empty or absent for all),
/// in `sort`'s order (fid when absent).
#[tauri::command]
pub fn table_open(
    state: State<'_, ProjectState>,
    views: State<'_, TableViews>,
    layer: String,
    filter: Option<String>,
    sort: Option<TableSort>,
) -> Result<TableOpened, TableError> {
    let fids = state.with(|p| {
        let kind = p.catalog().kind(&layer)?;
        let filter = filter.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|t| Filter::parse(kind, t)).transpose()?;
        let sort = sort.map(|s| Sort::new(kind, &s.column, s.descending)).transpose()?;
        p.query_fids(&layer, filter.as_ref(), sort.as_ref())
    })?;
    let count = fids.len() as u32;
    let mut v = views.0.lock();
    v.next += 1;
    let view = v.next;
    v.open.insert(view, Arc::new(View { layer, fids }));
    while v.open.len() > MAX_VIEWS {
        let oldest = *v.open.keys().next().expect("more than MAX_VIEWS");
        v.open.remove(&oldest);
    }
    Ok(TableOpened { view, count })
}

/// Forgets a view.
#[tauri::command]
pub fn table_close(views: State<'_, TableViews>, view: u32) {
    views.0.lock().open.remove(&view);
}

/// Rows `offset..offset + limit` of a view, in the view's order.
#[tauri::command]
pub fn table_rows(
    state: State<'_, ProjectState>,
    views: State<'_, TableViews>,
    view: u32,
    offset: u32,
    limit: u32,
) -> Result<Vec<TableRow>, TableError> {
    let v = views.get(view)?;
    let page = slice(&v.fids, offset, offset.saturating_add(limit.min(1000)));
    let mut by_fid = BTreeMap::new();
    state.with(|p| {
        p.attributes_each(&v.layer, page, |fid, values| {
            by_fid.insert(fid, values.to_vec());
            Ok(())
        })
    })?;
    // A feature deleted since the view opened is left out.
    Ok(page.iter().filter_map(|fid| by_fid.remove(fid).map(|values| TableRow { fid: *fid, values })).collect())
}

/// The fids of rows `from..to` of a view (clamped to it): for shift-click ranges and "select
/// all".
#[tauri::command]
pub fn table_fids(views: State<'_, TableViews>, view: u32, from: u32, to: u32) -> Result<Vec<i64>, TableError> {
    Ok(slice(&views.get(view)?.fids, from, to).to_vec())
}

/// The first row of a view holding one of `fids`, if any: where the table scrolls when the
/// map selects features.
#[tauri::command]
pub fn table_first_row(views: State<'_, TableViews>, view: u32, fids: Vec<i64>) -> Result<Option<u32>, TableError> {
    let mut wanted = fids;
    wanted.sort_unstable();
    let v = views.get(view)?;
    Ok(v.fids.iter().position(|f| wanted.binary_search(f).is_ok()).map(|i| i as u32))
}

/// The box `[west, south, east, north]` around the features with these fids (from the
/// layer's R-tree); `None` when none of them has a geometry.
#[tauri::command]
pub fn features_bbox(state: State<'_, ProjectState>, layer: String, fids: Vec<i64>) -> Result<Option<[f64; 4]>, TableError> {
    let mut wanted = fids;
    wanted.sort_unstable();
    Ok(state.with(|p| {
        let index = p.index(&layer)?;
        let mut b: Option<[f64; 4]> = None;
        for e in index.entries().filter(|e| wanted.binary_search(&e.fid).is_ok()) {
            let [x0, y0, x1, y1] = match &e.shape {
                Shape::Point([x, y]) => [*x, *y, *x, *y],
                Shape::Other(o) => [o.envelope.lower()[0], o.envelope.lower()[1], o.envelope.upper()[0], o.envelope.upper()[1]],
            };
            let r = b.get_or_insert([x0, y0, x1, y1]);
            *r = [r[0].min(x0), r[1].min(y0), r[2].max(x1), r[3].max(y1)];
        }
        Ok(b)
    })?)
}

/// The fids of a layer's features that meet the box `[west, south, east, north]` (exactly,
/// not by their bounding boxes): what a box drawn on the map selects.
#[tauri::command]
pub fn features_in_box(state: State<'_, ProjectState>, layer: String, bbox: [f64; 4]) -> Result<Vec<i64>, TableError> {
    let [w, s, e, n] = bbox;
    let area = geo_types::Geometry::Polygon(geo_types::Rect::new((w, s), (e, n)).to_polygon());
    Ok(state.with(|p| p.index(&layer)?.in_polygon(&area))?)
}

fn slice(fids: &[i64], from: u32, to: u32) -> &[i64] {
    let to = (to as usize).min(fids.len());
    let from = (from as usize).min(to);
    &fids[from..to]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_error_keeps_its_position_for_the_page() {
        let catalog = wardgis::Catalog::embedded();
        let e = Filter::parse(catalog.kind("chargers").unwrap(), "ports > 2 AND portz = 1").unwrap_err();
        let t: TableError = e.into();
        assert_eq!((t.line, t.column), (Some(1), Some(15)));
        assert!(t.message.starts_with("unknown field `portz`"), "{}", t.message);
    }

    #[test]
    fn ranges_are_clamped_to_the_view() {
        let fids = [5, 3, 9];
        assert_eq!(slice(&fids, 1, 10), [3, 9]);
        assert_eq!(slice(&fids, 7, 10), [] as [i64; 0]);
        assert_eq!(slice(&fids, 2, 1), [] as [i64; 0]);
    }
}
