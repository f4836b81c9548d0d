//! Layer tables: reading features and attributes, and the feature edits of an action, each
//! logged in the edit log so it can be undone.
//!
//! Inserts are logged by fid alone, with a digest of the inserted rows
//! (`wardgis_insert_digests`): undo, which is last-in first-out, finds the rows as inserted
//! unless another program changed them since — and the digest tells which case it is, so an
//! undo never silently destroys another program's edit. Updates are checked against the
//! logged state the same way, and a restored fid must still be free.

use geo_types::Geometry;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::action::{ActionId, Op};
use crate::catalog::LayerKind;
use crate::error::{Error, Result};
use crate::feature::{Feature, Value};
use crate::filter::{Filter, Sort, SpatialHits};
use crate::index::Entry;
use crate::search::NameMatch;
use crate::store::{FeatureStore, FeatureWrites, LayerFingerprint};

use super::actions::LogWriter;
use super::schema::quote;
use super::{blob, names, rows, rtree, GpkgAction, WithConnection};

/// Inserts of this many features or more fill the GeoPackage R-tree in one packed pass.
pub const BULK_INSERT: usize = 5_000;

impl<C: WithConnection> FeatureStore for C {
    fn feature_count(&self, kind: &LayerKind) -> Result<u64> {
        self.with_conn(|c| {
            let n: i64 = c.query_row(&format!("SELECT count(*) FROM {}", quote(&kind.id)), [], |r| r.get(0))?;
            Ok(n as u64)
        })
    }

    fn features(&self, kind: &LayerKind) -> Result<Vec<Feature>> {
        self.with_conn(|c| {
            let mut stmt = c.prepare(&rows::select_sql(kind, "ORDER BY fid"))?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(rows::read_row(kind, row)?);
            }
            Ok(out)
        })
    }

    fn feature(&self, kind: &LayerKind, fid: i64) -> Result<Option<Feature>> {
        self.with_conn(|c| read_feature(c, kind, fid))
    }

    fn attributes_each(
        &self,
        kind: &LayerKind,
        fids: &[i64],
        visit: &mut dyn FnMut(i64, &[Value]) -> Result<()>,
    ) -> Result<()> {
        if fids.is_empty() {
            return Ok(());
        }
        self.with_conn(|c| {
            let types = rows::column_types(kind);
            let list: rusqlite::vtab::array::Array =
                std::rc::Rc::new(fids.iter().map(|f| SqlValue::Integer(*f)).collect());
            let mut stmt = c.prepare_cached(&rows::select_attributes_sql(kind, "WHERE fid IN rarray(?1) ORDER BY fid"))?;
            let mut rows = stmt.query([list])?;
            let mut values = Vec::with_capacity(types.len());
            while let Some(row) = rows.next()? {
                let fid = rows::read_attributes_into(&types, row, &mut values)?;
                visit(fid, &values)?;
            }
            Ok(())
        })
    }

    fn geometries_each(&self, kind: &LayerKind, visit: &mut dyn FnMut(i64, Geometry<f64>)) -> Result<()> {
        self.with_conn(|c| {
            let mut stmt = c.prepare(&format!("SELECT fid, geom FROM {} WHERE geom IS NOT NULL", quote(&kind.id)))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let fid: i64 = row.get(0)?;
                let bad = |e: String| Error::Geometry(format!("layer `{}` fid {fid}: {e}", kind.id));
                let bytes = row.get_ref(1)?.as_blob().map_err(|e| bad(e.to_string()))?;
                let g = blob::decode(bytes).map_err(|e| bad(e.to_string()))?;
                visit(fid, g);
            }
            Ok(())
        })
    }

    fn search_names(&self, kind: &LayerKind, text: &str, limit: usize) -> Result<Vec<NameMatch>> {
        self.with_conn(|c| names::search(c, kind, text, limit))
    }

    fn layer_fingerprint(&self, kind: &LayerKind) -> Result<LayerFingerprint> {
        self.with_conn(|c| {
            let (count, max_fid): (i64, Option<i64>) =
                c.query_row(&format!("SELECT count(*), max(fid) FROM {}", quote(&kind.id)), [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let last_change: Option<String> = c
                .query_row("SELECT last_change FROM gpkg_contents WHERE table_name = ?1", [&kind.id], |r| r.get(0))
                .optional()?
                .flatten();
            Ok(LayerFingerprint { count: count as u64, max_fid, last_change })
        })
    }

    fn select_fids(&self, kind: &LayerKind, filter: Option<(&Filter, &SpatialHits)>, sort: Option<&Sort>) -> Result<Vec<i64>> {
        super::filter_sql::select_fids(self, kind, filter, sort)
    }
}

impl FeatureWrites for GpkgAction<'_> {
    /// The edit log records each new fid without the feature, and the digest of the rows.
    /// An insert of [`BULK_INSERT`] features or more starts a bulk insert into the layer for
    /// the rest of the action ([`BulkRtree`]): the R-tree's per-row trigger is dropped, the
    /// boxes of this and every later insert are gathered, and the tree is packed once when the
    /// action commits — inside the same transaction, so other programs never see the file
    /// without its trigger. A streamed import calls this once a batch.
    fn insert_features(&mut self, kind: &LayerKind, features: &[Feature]) -> Result<Vec<i64>> {
        let layer = kind.id.as_str();
        if features.len() >= BULK_INSERT && !self.bulk.iter().any(|b| b.layer == layer) {
            if let Some((name, sql)) = rtree_insert_trigger(&self.tx, layer)? {
                self.tx.execute_batch(&format!("DROP TRIGGER {}", quote(&name)))?;
                self.bulk.push(BulkRtree { layer: layer.to_owned(), trigger_sql: sql, rows: Vec::new() });
            }
        }
        let tx = &self.tx;
        let mut bulk = self.bulk.iter_mut().find(|b| b.layer == layer);
        let mut fids = Vec::with_capacity(features.len());
        let mut digest = RowsDigest::default();
        {
            let mut stmt = tx.prepare_cached(&rows::insert_sql(kind))?;
            for f in features {
                let values = rows::params(kind, f)?;
                stmt.execute(rusqlite::params_from_iter(rows::as_params(&values)))?;
                let fid = tx.last_insert_rowid();
                digest.add(fid, &values);
                if let Some(b) = bulk.as_mut() {
                    if let Some(e) = Entry::new(fid, &f.geometry) {
                        let env = rstar::RTreeObject::envelope(&e);
                        b.rows.push(rtree::RtreeRow::new(fid, env.lower()[0], env.upper()[0], env.lower()[1], env.upper()[1]));
                    }
                }
                fids.push(fid);
            }
            LogWriter::new(tx, self.id)?.record_inserts(tx, layer, &fids)?;
        }
        digest.store(tx, self.id)?;
        if bulk.is_none() {
            self.touch(layer, None);
        }
        Ok(fids)
    }

    fn update_feature(&mut self, kind: &LayerKind, before: &Feature, after: &Feature) -> Result<()> {
        self.finish_bulk(&kind.id)?;
        let fid = after.fid.ok_or_else(|| Error::Invalid("an update needs the feature's fid".into()))?;
        let current = read_feature(&self.tx, kind, fid)?;
        match &current {
            Some(c) if rows::params(kind, c)? == rows::params(kind, before)? => {}
            _ => {
                return Err(Error::Conflict(format!(
                    "feature {fid} of layer `{}` was changed or removed by another program since wardgis read it; nothing was written",
                    kind.id
                )))
            }
        }
        let mut values = rows::params(kind, after)?;
        values.push(SqlValue::Integer(fid));
        self.tx.execute(&rows::update_sql(kind), rusqlite::params_from_iter(rows::as_params(&values)))?;
        LogWriter::new(&self.tx, self.id)?.record(&kind.id, fid, Op::Update, Some(before), Some(after))?;
        self.touch(&kind.id, None);
        Ok(())
    }

    fn delete_feature(&mut self, kind: &LayerKind, before: &Feature) -> Result<()> {
        self.finish_bulk(&kind.id)?;
        let fid = before.fid.ok_or_else(|| Error::Invalid("a delete needs the feature's fid".into()))?;
        self.tx.execute(&format!("DELETE FROM {} WHERE fid = ?1", quote(&kind.id)), [fid])?;
        LogWriter::new(&self.tx, self.id)?.record(&kind.id, fid, Op::Delete, Some(before), None)?;
        self.touch(&kind.id, None);
        Ok(())
    }

    fn restore_feature(&mut self, kind: &LayerKind, feature: &Feature) -> Result<()> {
        self.finish_bulk(&kind.id)?;
        let fid = feature.fid.ok_or_else(|| Error::Invalid("a restore needs the feature's fid".into()))?;
        if read_feature(&self.tx, kind, fid)?.is_some() {
            return Err(Error::Conflict(format!(
                "feature {fid} of layer `{}` cannot be put back: another program has added a feature with that fid since",
                kind.id
            )));
        }
        insert_with_fid(&self.tx, kind, fid, feature)?;
        LogWriter::new(&self.tx, self.id)?.record(&kind.id, fid, Op::Insert, None, Some(feature))?;
        self.touch(&kind.id, None);
        Ok(())
    }

    fn delete_unchanged(&mut self, kind: &LayerKind, before: &Feature) -> Result<()> {
        self.finish_bulk(&kind.id)?;
        let fid = before.fid.ok_or_else(|| Error::Invalid("a delete needs the feature's fid".into()))?;
        match read_feature(&self.tx, kind, fid)? {
            Some(c) if rows::params(kind, &c)? == rows::params(kind, before)? => {}
            _ => {
                return Err(Error::Conflict(format!(
                    "feature {fid} of layer `{}` was changed or removed by another program since wardgis deleted it; nothing was written",
                    kind.id
                )))
            }
        }
        self.delete_feature(kind, before)
    }

    fn reinsert_features(&mut self, kind: &LayerKind, features: &[Feature]) -> Result<()> {
        self.finish_bulk(&kind.id)?;
        let mut taken = Vec::new();
        for f in features {
            let fid = f.fid.ok_or_else(|| Error::Invalid("a re-insert needs the feature's fid".into()))?;
            if read_feature(&self.tx, kind, fid)?.is_some() {
                taken.push(fid);
            }
        }
        if !taken.is_empty() {
            return Err(Error::Conflict(format!(
                "{} feature(s) of layer `{}` cannot be put back: another program has added features with their fids since (fid {}); nothing was written",
                taken.len(),
                kind.id,
                list_fids(&taken)
            )));
        }
        let mut digest = RowsDigest::default();
        let mut fids = Vec::with_capacity(features.len());
        for f in features {
            let fid = f.fid.expect("checked above");
            digest.add(fid, &insert_with_fid(&self.tx, kind, fid, f)?);
            fids.push(fid);
        }
        LogWriter::new(&self.tx, self.id)?.record_inserts(&self.tx, &kind.id, &fids)?;
        digest.store(&self.tx, self.id)?;
        self.touch(&kind.id, None);
        Ok(())
    }

    fn delete_inserted(&mut self, kind: &LayerKind, fids: &[i64], inserted_by: ActionId) -> Result<Vec<Feature>> {
        self.finish_bulk(&kind.id)?;
        let mut removed = Vec::with_capacity(fids.len());
        let mut digest = RowsDigest::default();
        let mut missing = Vec::new();
        {
            let mut delete = self.tx.prepare(&format!("DELETE FROM {} WHERE fid = ?1", quote(&kind.id)))?;
            let mut log = LogWriter::new(&self.tx, self.id)?;
            for &fid in fids {
                let Some(f) = read_feature(&self.tx, kind, fid)? else {
                    missing.push(fid);
                    continue;
                };
                digest.add(fid, &rows::params(kind, &f)?);
                delete.execute([fid])?;
                log.record(&kind.id, fid, Op::Delete, Some(&f), None)?;
                removed.push(f);
            }
        }
        if !missing.is_empty() {
            return Err(Error::Conflict(format!(
                "action #{inserted_by} added {} feature(s) to layer `{}`, and another program has removed {} of them since (fid {}); it cannot be undone",
                fids.len(),
                kind.id,
                missing.len(),
                list_fids(&missing)
            )));
        }
        if let Some(stored) = RowsDigest::stored(&self.tx, inserted_by)? {
            if stored != digest.hex() {
                return Err(Error::Conflict(format!(
                    "action #{inserted_by} added {} feature(s) to layer `{}`, and another program has changed some of them since; undoing it would destroy those changes, so it is refused (nothing was written)",
                    fids.len(),
                    kind.id
                )));
            }
        }
        self.touch(&kind.id, None);
        Ok(removed)
    }
}

/// Inserts a feature under the given fid; returns the row's values (without the fid) as bound.
fn insert_with_fid(conn: &Connection, kind: &LayerKind, fid: i64, feature: &Feature) -> Result<Vec<SqlValue>> {
    let values = rows::params(kind, feature)?;
    let mut with_fid = Vec::with_capacity(values.len() + 1);
    with_fid.push(SqlValue::Integer(fid));
    with_fid.extend(values.iter().cloned());
    let sql = rows::insert_sql(kind).replacen("(geom,", "(fid, geom,", 1).replacen("VALUES (", "VALUES (?, ", 1);
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(rows::as_params(&with_fid)))?;
    Ok(values)
}

fn read_feature(conn: &Connection, kind: &LayerKind, fid: i64) -> Result<Option<Feature>> {
    conn.prepare_cached(&rows::select_sql(kind, "WHERE fid = ?1"))?
        .query_row([fid], |row| Ok(rows::read_row(kind, row)))
        .optional()?
        .transpose()
}

/// Up to ten fids for a message, then how many more.
fn list_fids(fids: &[i64]) -> String {
    let mut s: Vec<String> = fids.iter().take(10).map(i64::to_string).collect();
    if fids.len() > 10 {
        s.push(format!("and {} more", fids.len() - 10));
    }
    s.join(", ")
}

/// An order-independent digest of rows (fid and every stored value): the sum of each row's
/// SHA-256 prefix. Computed from the values as bound on insert and as read back on undo,
/// which agree exactly when nobody changed the rows in between.
#[derive(Default)]
struct RowsDigest {
    sum: u64,
    rows: u64,
}

impl RowsDigest {
    fn add(&mut self, fid: i64, values: &[SqlValue]) {
        let mut h = Sha256::new();
        h.update(fid.to_le_bytes());
        for v in values {
            match v {
                SqlValue::Null => h.update([0u8]),
                SqlValue::Integer(i) => {
                    h.update([1u8]);
                    h.update(i.to_le_bytes());
                }
                SqlValue::Real(r) => {
                    h.update([2u8]);
                    h.update(r.to_bits().to_le_bytes());
                }
                SqlValue::Text(t) => {
                    h.update([3u8]);
                    h.update((t.len() as u64).to_le_bytes());
                    h.update(t.as_bytes());
                }
                SqlValue::Blob(b) => {
                    h.update([4u8]);
                    h.update((b.len() as u64).to_le_bytes());
                    h.update(b);
                }
            }
        }
        let out = h.finalize();
        self.sum = self.sum.wrapping_add(u64::from_le_bytes(out[..8].try_into().expect("8 bytes")));
        self.rows += 1;
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.sum)
    }

    /// Adds these rows to the action's stored digest (an action may insert more than once).
    fn store(&self, conn: &Connection, action: ActionId) -> Result<()> {
        let (rows, sum) = match conn
            .query_row("SELECT rows, digest FROM wardgis_insert_digests WHERE action_id = ?1", [action], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        {
            Some((n, d)) => (n as u64 + self.rows, u64::from_str_radix(&d, 16).unwrap_or(0).wrapping_add(self.sum)),
            None => (self.rows, self.sum),
        };
        conn.execute(
            "INSERT OR REPLACE INTO wardgis_insert_digests (action_id, rows, digest) VALUES (?1, ?2, ?3)",
            params![action, rows as i64, format!("{sum:016x}")],
        )?;
        Ok(())
    }

    /// The digest stored for an action; `None` for actions written before digests were kept.
    fn stored(conn: &Connection, action: ActionId) -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT digest FROM wardgis_insert_digests WHERE action_id = ?1", [action], |r| r.get(0))
            .optional()?)
    }
}

/// The name and SQL of the `gpkg_rtree_index` insert trigger of a layer, if it has one.
/// A bulk insert into one layer, open until its action commits: the R-tree's insert trigger
/// (dropped) and the boxes of the rows inserted since.
pub(super) struct BulkRtree {
    pub(super) layer: String,
    trigger_sql: String,
    rows: Vec<rtree::RtreeRow>,
}

impl GpkgAction<'_> {
    /// Ends the bulk insert into `layer`, if one is open: recreates the trigger and packs the
    /// R-tree from its old rows and the gathered ones. Other edits of the layer in the same
    /// action come after this, so the triggers see every row they touch.
    pub(super) fn finish_bulk(&mut self, layer: &str) -> Result<()> {
        let Some(i) = self.bulk.iter().position(|b| b.layer == layer) else { return Ok(()) };
        let b = self.bulk.swap_remove(i);
        self.tx.execute_batch(&b.trigger_sql)?;
        // The gathered rows are the large part: extend them, not a copy of them.
        let mut all = b.rows;
        all.extend(rtree::rows(&self.tx, layer)?);
        let extent = rtree::extent(&all);
        rtree::rewrite(&self.tx, layer, all)?;
        self.touch(layer, Some(extent));
        Ok(())
    }
}

fn rtree_insert_trigger(conn: &Connection, layer: &str) -> Result<Option<(String, String)>> {
    let name = format!("rtree_{layer}_geom_insert");
    Ok(conn
        .query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", [&name], |r| r.get::<_, String>(0))
        .optional()?
        .map(|sql| (name, sql)))
}

/// Keeps `gpkg_contents.last_change` and the extent true after a change to a layer; the
/// extent (min x, max x, min y, max y of the R-tree rows) is taken as given when the writer
/// has it, sparing four scans of the R-tree.
pub(super) fn touch_contents(conn: &Connection, layer: &str, extent: Option<Option<[f64; 4]>>) -> Result<()> {
    match extent {
        Some(e) => {
            let e = e.map_or([None; 4], |e| e.map(Some));
            conn.execute(
                "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'),
                   min_x = ?2, max_x = ?3, min_y = ?4, max_y = ?5 WHERE table_name = ?1",
                params![layer, e[0], e[1], e[2], e[3]],
            )?;
        }
        None => {
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
        }
    }
    Ok(())
}
