//! Filling a layer's GeoPackage R-tree (`rtree_<layer>_geom`) in one pass, for large imports.
//!
//! The `gpkg_rtree_index` triggers insert one row at a time into SQLite's R*Tree module, which
//! costs about 12–20 µs a row (choose-leaf, node splits, reinsertion): 12–20 s for a million
//! points, most of an import's time. Here the tree is packed in memory instead (Sort-Tile-
//! Recursive: full nodes of boxes close together) and written straight into the R*Tree
//! module's three shadow tables, in the on-disk format SQLite documents in `ext/rtree/rtree.c`
//! and GDAL's `sqlite_rtree_bulk_load` (2023, also in SpatiaLite 5.1) writes the same way:
//!
//! - `<rtree>_node(nodeno, data)`: one blob per node, of the size the root blob already has;
//!   a 2-byte big-endian depth (root only: levels below it), a 2-byte cell count, then cells
//!   of an 8-byte big-endian id (a fid in leaves, a child node number above) and four 4-byte
//!   big-endian floats `minx, maxx, miny, maxy`; the root is node 1;
//! - `<rtree>_rowid(rowid, nodeno)`: the leaf holding each fid;
//! - `<rtree>_parent(nodeno, parentnode)`: the parent of each node but the root.
//!
//! Boxes are rounded outwards to 32-bit floats exactly as the module rounds what the
//! triggers insert (`rtreeValueDown`/`rtreeValueUp`), so the table holds the same rows either
//! way; the tests compare the two and run SQLite's own `rtreecheck()`. The writer runs inside
//! the caller's transaction: a failed import leaves the old tree.

use rusqlite::{params, Connection};

use super::schema::quote;
use crate::error::{Error, Result};

/// One row of a GeoPackage R-tree: a fid and its bounding box as the module stores it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RtreeRow {
    pub id: i64,
    pub minx: f32,
    pub maxx: f32,
    pub miny: f32,
    pub maxy: f32,
}

impl RtreeRow {
    /// The row for a box in doubles, rounded outwards as SQLite's R*Tree module rounds it.
    pub fn new(id: i64, minx: f64, maxx: f64, miny: f64, maxy: f64) -> RtreeRow {
        RtreeRow { id, minx: round_down(minx), maxx: round_up(maxx), miny: round_down(miny), maxy: round_up(maxy) }
    }

    fn centre(&self) -> (f32, f32) {
        ((self.minx + self.maxx) / 2.0, (self.miny + self.maxy) / 2.0)
    }

    fn union(rows: &[RtreeRow], id: i64) -> RtreeRow {
        let mut u = RtreeRow { id, minx: f32::INFINITY, maxx: f32::NEG_INFINITY, miny: f32::INFINITY, maxy: f32::NEG_INFINITY };
        for r in rows {
            u.minx = u.minx.min(r.minx);
            u.maxx = u.maxx.max(r.maxx);
            u.miny = u.miny.min(r.miny);
            u.maxy = u.maxy.max(r.maxy);
        }
        u
    }
}

/// SQLite's `rtreeValueDown`: the float nearest `d` that is not above it.
fn round_down(d: f64) -> f32 {
    let f = d as f32;
    if f as f64 > d {
        let x = f.to_bits();
        f32::from_bits(if x & 0x8000_0000 != 0 { x + 1 } else { x - 1 })
    } else {
        f
    }
}

/// SQLite's `rtreeValueUp`: the float nearest `d` that is not below it.
fn round_up(d: f64) -> f32 {
    let f = d as f32;
    if (f as f64) < d {
        let x = f.to_bits();
        f32::from_bits(if x & 0x8000_0000 != 0 { x - 1 } else { x + 1 })
    } else {
        f
    }
}

/// The rows the R-tree of `layer` holds now.
pub fn rows(conn: &Connection, layer: &str) -> Result<Vec<RtreeRow>> {
    let rtree = quote(&format!("rtree_{layer}_geom"));
    let mut stmt = conn.prepare(&format!("SELECT id, minx, maxx, miny, maxy FROM {rtree}"))?;
    let rows = stmt.query_map([], |r| {
        Ok(RtreeRow { id: r.get(0)?, minx: r.get::<_, f64>(1)? as f32, maxx: r.get::<_, f64>(2)? as f32, miny: r.get::<_, f64>(3)? as f32, maxy: r.get::<_, f64>(4)? as f32 })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The extent of `rows` (min x, max x, min y, max y) as the floats the R-tree holds them,
/// `None` when there are none: what `min(minx)` … over the R-tree would say.
pub fn extent(rows: &[RtreeRow]) -> Option<[f64; 4]> {
    (!rows.is_empty()).then(|| {
        let u = RtreeRow::union(rows, 0);
        [u.minx as f64, u.maxx as f64, u.miny as f64, u.maxy as f64]
    })
}

/// Replaces the content of the R-tree of `layer` with `rows` (ids must be unique), packed.
pub fn rewrite(conn: &Connection, layer: &str, rows: Vec<RtreeRow>) -> Result<()> {
    let name = format!("rtree_{layer}_geom");
    let table = |suffix: &str| quote(&format!("{name}_{suffix}"));
    let node_size: i64 = conn
        .query_row(&format!("SELECT length(data) FROM {} WHERE nodeno = 1", table("node")), [], |r| r.get(0))
        .map_err(|e| Error::Invalid(format!("the R-tree of layer `{layer}` has no root node ({e}); the file is damaged")))?;
    let capacity = ((node_size as usize).saturating_sub(4)) / CELL;
    if capacity < 2 {
        return Err(Error::Invalid(format!("the R-tree of layer `{layer}` has nodes of {node_size} bytes; too small to write")));
    }
    let levels = pack(rows, capacity);
    conn.execute_batch(&format!(
        "DELETE FROM {}; DELETE FROM {}; DELETE FROM {};",
        table("node"),
        table("parent"),
        table("rowid")
    ))?;
    let mut node = conn.prepare(&format!("INSERT INTO {} (nodeno, data) VALUES (?1, ?2)", table("node")))?;
    let mut parent = conn.prepare(&format!("INSERT INTO {} (nodeno, parentnode) VALUES (?1, ?2)", table("parent")))?;
    // The leaf of each fid, many rows a statement (a million single-row inserts took 2 s).
    let rowid_sql = |n: usize| format!("INSERT INTO {} (rowid, nodeno) VALUES {}", table("rowid"), vec!["(?, ?)"; n].join(", "));
    let mut rowid = conn.prepare(&rowid_sql(capacity))?;
    let depth = levels.len() - 1;
    let mut blob = vec![0u8; node_size as usize];
    for (level, l) in levels.iter().enumerate() {
        for (k, range) in l.nodes.iter().enumerate() {
            let number = l.numbers[k];
            let cells = &l.cells[range.clone()];
            blob.fill(0);
            if number == 1 {
                blob[0..2].copy_from_slice(&(depth as u16).to_be_bytes());
            }
            blob[2..4].copy_from_slice(&(cells.len() as u16).to_be_bytes());
            for (i, c) in cells.iter().enumerate() {
                let at = 4 + i * CELL;
                blob[at..at + 8].copy_from_slice(&c.id.to_be_bytes());
                for (k, v) in [c.minx, c.maxx, c.miny, c.maxy].into_iter().enumerate() {
                    blob[at + 8 + 4 * k..at + 12 + 4 * k].copy_from_slice(&v.to_bits().to_be_bytes());
                }
            }
            if level == 0 {
                let values: Vec<i64> = cells.iter().flat_map(|c| [c.id, number]).collect();
                if cells.len() == capacity {
                    rowid.execute(rusqlite::params_from_iter(values))?;
                } else if !cells.is_empty() {
                    conn.execute(&rowid_sql(cells.len()), rusqlite::params_from_iter(values))?;
                }
            }
            node.execute(params![number, &blob])?;
            if let Some(p) = l.parents[k] {
                parent.execute(params![number, p])?;
            }
        }
    }
    Ok(())
}

/// Bytes per cell of a 2-D R-tree: the id and four floats.
const CELL: usize = 8 + 4 * 4;

/// One level of the packed tree: its cells in node order (each node a range of them), each
/// node's number and its parent's. A million rows are packed in place, without a copy per
/// node, so a bulk import's peak memory is the rows once.
struct Level {
    cells: Vec<RtreeRow>,
    nodes: Vec<std::ops::Range<usize>>,
    numbers: Vec<i64>,
    parents: Vec<Option<i64>>,
}

/// The levels of the tree, leaves first. The root (the one node of the last level) is
/// node 1; an empty tree is an empty root. Cells above the leaves hold their child's number.
fn pack(rows: Vec<RtreeRow>, capacity: usize) -> Vec<Level> {
    // Group each level into nodes, then number them top-down once the height is known.
    let mut levels: Vec<Level> = Vec::new();
    let mut current = rows;
    loop {
        let nodes = str_order(&mut current, capacity);
        let done = nodes.len() <= 1;
        // The next level's entries: one per node, its id the node's index for now.
        let next: Vec<RtreeRow> =
            if done { Vec::new() } else { nodes.iter().enumerate().map(|(i, r)| RtreeRow::union(&current[r.clone()], i as i64)).collect() };
        levels.push(Level { cells: current, nodes, numbers: Vec::new(), parents: Vec::new() });
        if done {
            break;
        }
        current = next;
    }
    if levels.last().is_some_and(|l| l.nodes.is_empty()) {
        levels.last_mut().expect("a level").nodes.push(0..0);
    }
    // Number nodes from the root down: root 1, then each level in order.
    let mut next = 1i64;
    for l in levels.iter_mut().rev() {
        l.numbers = (next..next + l.nodes.len() as i64).collect();
        next += l.nodes.len() as i64;
    }
    let top = levels.len() - 1;
    levels[top].parents = vec![None; levels[top].nodes.len()];
    for level in (1..levels.len()).rev() {
        let (below, this) = levels.split_at_mut(level);
        let (this, child) = (&mut this[0], &mut below[level - 1]);
        child.parents = vec![None; child.nodes.len()];
        for (k, range) in this.nodes.iter().enumerate() {
            for c in &mut this.cells[range.clone()] {
                let index = c.id as usize;
                child.parents[index] = Some(this.numbers[k]);
                c.id = child.numbers[index];
            }
        }
    }
    levels
}

/// Sort-Tile-Recursive order: sorts `rows` in place into nodes of at most `capacity`
/// (vertical slices by x, each sliced by y) and returns each node's range. Every node but the
/// last of each slice is full.
fn str_order(rows: &mut [RtreeRow], capacity: usize) -> Vec<std::ops::Range<usize>> {
    if rows.len() <= capacity {
        return if rows.is_empty() { Vec::new() } else { vec![0..rows.len()] };
    }
    let nodes = rows.len().div_ceil(capacity);
    let slices = (nodes as f64).sqrt().ceil() as usize;
    let per_slice = slices * capacity;
    rows.sort_unstable_by(|a, b| a.centre().0.total_cmp(&b.centre().0));
    let mut out = Vec::with_capacity(nodes);
    for (s, slice) in rows.chunks_mut(per_slice).enumerate() {
        slice.sort_unstable_by(|a, b| a.centre().1.total_cmp(&b.centre().1));
        let start = s * per_slice;
        out.extend((0..slice.len()).step_by(capacity).map(|i| start + i..start + (i + capacity).min(slice.len())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_sqlite_outwards() {
        for d in [119.82f64, -31.36, 0.1, -0.1, 1e-40, -1e-40, 0.0, 120.0] {
            assert!(round_down(d) as f64 <= d && round_up(d) as f64 >= d, "{d}");
            assert!((round_up(d) as f64 - round_down(d) as f64) <= (d.abs() * 2.5e-7).max(1e-44), "{d}");
        }
        assert_eq!(round_down(120.0), 120.0);
        assert_eq!(round_up(120.0), 120.0);
    }

    /// Fills one R-tree by SQL inserts (the module's own code) and another by `rewrite`; the
    /// rows must be the same, `rtreecheck` must pass on both, and box queries must agree.
    #[test]
    fn a_rewritten_tree_holds_what_inserts_would_and_passes_rtreecheck() {
        use rand::{Rng, SeedableRng};
        let conn = Connection::open_in_memory().unwrap();
        for n in [0usize, 1, 51, 52, 2_700, 20_000] {
            conn.execute_batch(
                "DROP TABLE IF EXISTS rtree_a_geom; DROP TABLE IF EXISTS rtree_b_geom;
                 CREATE VIRTUAL TABLE rtree_a_geom USING rtree(id, minx, maxx, miny, maxy);
                 CREATE VIRTUAL TABLE rtree_b_geom USING rtree(id, minx, maxx, miny, maxy);",
            )
            .unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
            let boxes: Vec<(i64, f64, f64, f64, f64)> = (0..n)
                .map(|i| {
                    let (x, y) = (119.5 + rng.random_range(0.0..0.6), 31.1 + rng.random_range(0.0..0.5));
                    let (w, h) = if i % 3 == 0 { (0.0, 0.0) } else { (rng.random_range(0.0..0.01), rng.random_range(0.0..0.01)) };
                    (i as i64 * 3 + 1, x, x + w, y, y + h)
                })
                .collect();
            let mut ins = conn.prepare("INSERT INTO rtree_a_geom VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
            for b in &boxes {
                ins.execute(params![b.0, b.1, b.2, b.3, b.4]).unwrap();
            }
            rewrite(&conn, "b", boxes.iter().map(|b| RtreeRow::new(b.0, b.1, b.2, b.3, b.4)).collect()).unwrap();
            let sorted = |t: &str| {
                let mut v = rows(&conn, t).unwrap();
                v.sort_by_key(|r| r.id);
                v
            };
            assert_eq!(sorted("a"), sorted("b"), "n = {n}");
            for t in ["rtree_a_geom", "rtree_b_geom"] {
                let check: String = conn.query_row(&format!("SELECT rtreecheck('{t}')"), [], |r| r.get(0)).unwrap();
                assert_eq!(check, "ok", "{t}, n = {n}");
            }
            let q = "SELECT group_concat(id) FROM (SELECT id FROM {} WHERE minx <= 119.8 AND maxx >= 119.7 AND miny <= 31.4 AND maxy >= 31.3 ORDER BY id)";
            let a: Option<String> = conn.query_row(&q.replace("{}", "rtree_a_geom"), [], |r| r.get(0)).unwrap();
            let b: Option<String> = conn.query_row(&q.replace("{}", "rtree_b_geom"), [], |r| r.get(0)).unwrap();
            assert_eq!(a, b, "n = {n}");
            // The module keeps working on the written tree: deletes and inserts, still valid.
            conn.execute("DELETE FROM rtree_b_geom WHERE id % 2 = 0", []).unwrap();
            conn.execute("INSERT INTO rtree_b_geom VALUES (-5, 119.7, 119.71, 31.3, 31.31)", []).unwrap();
            let check: String = conn.query_row("SELECT rtreecheck('rtree_b_geom')", [], |r| r.get(0)).unwrap();
            assert_eq!(check, "ok", "after edits, n = {n}");
        }
    }

    /// A bulk insert into a layer that has features keeps the old ones in the rewritten tree,
    /// leaves the insert trigger in place, and undo and later edits keep the tree valid.
    #[test]
    fn a_bulk_insert_into_a_filled_layer_keeps_the_tree_whole() {
        use crate::store::gpkg::BULK_INSERT;
        use crate::Project;
        use crate::{Catalog, Feature};
        let dir = tempfile::tempdir().unwrap();
        let p = Project::create(&dir.path().join("t.gpkg"), Catalog::embedded()).unwrap();
        let charger = |i: usize| {
            Feature::new(geo_types::Point::new(119.8 + (i % 100) as f64 * 1e-3, 31.3 + (i / 100) as f64 * 1e-3))
                .with("vehicle_type", "car")
                .with("ports", 2i64)
        };
        p.insert("chargers", (0..3).map(charger).collect(), "few").unwrap();
        p.insert("chargers", (3..BULK_INSERT + 3).map(charger).collect(), "many").unwrap();
        let check = |p: &Project| -> (String, i64, i64) {
            p.store()
                .writer()
                .query_row(
                    "SELECT rtreecheck('rtree_chargers_geom'), (SELECT count(*) FROM rtree_chargers_geom),
                            (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'rtree_chargers_geom_insert')",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap()
        };
        assert_eq!(check(&p), ("ok".to_owned(), BULK_INSERT as i64 + 3, 1));
        let extent: (f64, f64) = p
            .store()
            .writer()
            .query_row("SELECT min_x, max_y FROM gpkg_contents WHERE table_name = 'chargers'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        let max_y = (0..BULK_INSERT + 3).map(|i| 31.3 + (i / 100) as f64 * 1e-3).fold(f64::MIN, f64::max);
        assert_eq!(extent, (round_down(119.8) as f64, round_up(max_y) as f64), "gpkg_contents holds the tree's extent");
        p.insert("chargers", vec![charger(7)], "one more, by trigger").unwrap();
        assert_eq!(check(&p), ("ok".to_owned(), BULK_INSERT as i64 + 4, 1));
        p.undo().unwrap();
        p.undo().unwrap();
        assert_eq!(check(&p), ("ok".to_owned(), 3, 1));
        assert_eq!(p.index("chargers").unwrap().len(), 3);
    }
}
