//! The GeoPackage backend: a project is one `.gpkg` file that QGIS, ArcGIS and GDAL open as
//! it is, and may write to while wardgis has it open.
//!
//! Connections: one writer (every action is one `IMMEDIATE` transaction on it) and a small
//! pool of readers beside it, so the map's tiles and the page's queries are answered while an
//! action runs. The file is in WAL journal mode, which lets readers — ours and other
//! programs' — read the last committed state while one writer writes; every connection
//! waits up to [`BUSY_TIMEOUT`] for another program's write instead of failing, and the
//! writer checkpoints when the project closes, so a `.gpkg` copied after closing is whole
//! (no `-wal` file beside it).
//!
//! One file per domain: `features` (layer tables, the R-tree triggers and the packed bulk
//! path in `rtree`), `actions` (the history and the edit log), `plans`, `results`,
//! `orders`; `names` the name search; `schema` creates the tables, `blob` the geometry encoding, `rows` the mapping
//! of features to rows, `sql_functions` the `ST_*` functions the GeoPackage triggers call.

pub mod actions;
pub mod blob;
pub mod exchange;
mod error;
mod features;
mod filter_sql;
pub use features::BULK_INSERT;
mod names;
pub mod orders;
pub mod plans;
pub mod results;
mod rows;
pub mod rtree;
pub mod schema;
pub mod sql_functions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::action::{ActionId, ActionKind};
use crate::catalog::Catalog;
use crate::error::{Error, Result};

use super::{ActionWrites, Storage};

/// How long a connection waits for another program's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reader connections opened at most (tiles ask in parallel; more would only contend).
pub const READERS: usize = 4;

/// An open GeoPackage project file.
pub struct GeoPackage {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: ReaderPool,
    /// `PRAGMA data_version` of the writer when last asked: it changes only when another
    /// connection commits, so a change means another program (or process) wrote.
    data_version: Mutex<i64>,
}

impl std::fmt::Debug for GeoPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoPackage").field("path", &self.path).finish_non_exhaustive()
    }
}

impl GeoPackage {
    /// Creates a new file with the GeoPackage tables and an empty table for every layer of
    /// the catalog. Refuses to overwrite an existing file.
    pub fn create(path: &Path, catalog: &Catalog) -> Result<GeoPackage> {
        if path.exists() {
            return Err(Error::Project {
                path: path.to_owned(),
                message: "already exists; choose a new file name or delete the old file first".into(),
            });
        }
        let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
        configure(&conn, path)?;
        conn.execute_batch("BEGIN")?;
        schema::create_base(&conn)?;
        for kind in catalog.kinds() {
            schema::create_layer_table(&conn, kind)?;
        }
        conn.execute_batch("COMMIT")?;
        GeoPackage::finish_open(conn, path)
    }

    /// Opens an existing file. Layers the catalog added since the file was written get their
    /// tables, and fields it added get their columns.
    pub fn open(path: &Path, catalog: &Catalog) -> Result<GeoPackage> {
        if !path.is_file() {
            return Err(Error::Project { path: path.to_owned(), message: "no such file".into() });
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(|e| open_error(path, e))?;
        let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| open_error(path, e))?;
        if app_id != schema::APPLICATION_ID {
            return Err(Error::Project {
                path: path.to_owned(),
                message: "is not a GeoPackage (its application_id is not 'GPKG'); open a .gpkg project, or create one (the demo district is one)".into(),
            });
        }
        configure(&conn, path)?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        schema::create_wardgis_tables(&conn)?;
        for kind in catalog.kinds() {
            if table_exists(&conn, &kind.id)? {
                schema::add_missing_columns(&conn, kind)?;
            } else {
                schema::create_layer_table(&conn, kind)?;
            }
        }
        conn.execute_batch("COMMIT")?;
        GeoPackage::finish_open(conn, path)
    }

    fn finish_open(conn: Connection, path: &Path) -> Result<GeoPackage> {
        // SQLite's default 2 MB page cache spills to the WAL over and over during a large
        // action: a 1.4-million-row import made 7 million writes of the same pages. The
        // writer keeps up to WRITER_CACHE_KIB of changed pages in memory instead.
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        let version = data_version(&conn)?;
        Ok(GeoPackage {
            path: path.to_owned(),
            writer: Mutex::new(conn),
            readers: ReaderPool::new(path.to_owned()),
            data_version: Mutex::new(version),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a reader connection from the pool (it sees the last committed state).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.readers.get()?;
        f(&conn)
    }

    /// The writer connection, for tests that look at the file's tables directly.
    #[cfg(test)]
    pub(crate) fn writer(&self) -> parking_lot::MutexGuard<'_, Connection> {
        self.writer.lock()
    }
}

impl Drop for GeoPackage {
    /// Closes the readers, then checkpoints the WAL into the file and truncates it, so the
    /// `.gpkg` alone is the whole project once wardgis has closed it.
    fn drop(&mut self) {
        self.readers.close_all();
        let conn = self.writer.lock();
        let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }
}

impl Storage for GeoPackage {
    type Action<'a> = GpkgAction<'a>;

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn act<T>(
        &self,
        kind: ActionKind,
        layer: Option<&str>,
        summary: &str,
        write: impl for<'a> FnOnce(&mut GpkgAction<'a>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.writer.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = actions::begin_action(&tx, kind.code(), layer, summary)?;
        let mut action = GpkgAction { tx, id, path: &self.path, touched: Vec::new(), bulk: Vec::new() };
        let out = write(&mut action)?;
        action.commit()?;
        // Our own commit does not move the writer's data_version; nothing to note.
        Ok(out)
    }

    fn changed_elsewhere(&self) -> Result<bool> {
        let conn = self.writer.lock();
        let now = data_version(&conn)?;
        let mut seen = self.data_version.lock();
        let changed = now != *seen;
        *seen = now;
        Ok(changed)
    }
}

/// One action's transaction on the writer.
pub struct GpkgAction<'c> {
    tx: rusqlite::Transaction<'c>,
    id: ActionId,
    path: &'c Path,
    /// Layers whose `gpkg_contents` row (extent, last change) must be brought up to date
    /// before commit, with the extent when the writer already knows it.
    touched: Vec<(String, Option<Option<[f64; 4]>>)>,
    /// Layers being bulk-inserted into, finished at commit.
    bulk: Vec<features::BulkRtree>,
}

impl GpkgAction<'_> {
    fn touch(&mut self, layer: &str, extent: Option<Option<[f64; 4]>>) {
        match self.touched.iter_mut().find(|(l, _)| l == layer) {
            Some(t) => t.1 = extent,
            None => self.touched.push((layer.to_owned(), extent)),
        }
    }

    fn commit(mut self) -> Result<()> {
        while let Some(layer) = self.bulk.first().map(|b| b.layer.clone()) {
            self.finish_bulk(&layer)?;
        }
        for (layer, extent) in &self.touched {
            features::touch_contents(&self.tx, layer, *extent)?;
        }
        self.tx.commit()?;
        Ok(())
    }
}

impl ActionWrites for GpkgAction<'_> {
    fn id(&self) -> ActionId {
        self.id
    }

    fn mark_undone(&mut self, target: ActionId) -> Result<()> {
        actions::mark_undone(&self.tx, target, self.id)
    }

    fn mark_redone(&mut self, target: ActionId) -> Result<()> {
        actions::mark_redone(&self.tx, target)
    }

    fn set_summary(&mut self, summary: &str) -> Result<()> {
        actions::set_summary(&self.tx, self.id, summary)
    }
}

/// SQL access shared by the backend (a pooled reader) and an action (its transaction), so
/// every reading trait is implemented once for both.
/// A date or time that a wardgis table stores as text, read back. A value that does not
/// parse (another program edited the file) is an error naming the table, the row and the value.
pub(crate) fn stored<T>(conn: &Connection, table: &str, id: i64, column: &str, value: &str) -> Result<T>
where
    T: std::str::FromStr<Err = crate::dates::BadDate>,
{
    value.parse().map_err(|e: crate::dates::BadDate| Error::Project {
        path: conn.path().unwrap_or_default().into(),
        message: format!("table `{table}` row {id}, column `{column}`: {e}"),
    })
}

pub trait WithConnection {
    fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T>;
    /// The file, for messages.
    fn file(&self) -> &Path;
}

impl WithConnection for GeoPackage {
    fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.read(f)
    }
    fn file(&self) -> &Path {
        &self.path
    }
}

impl WithConnection for GpkgAction<'_> {
    fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.tx)
    }
    fn file(&self) -> &Path {
        self.path
    }
}

/// The writer's page cache, in KiB.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// Settings every connection gets: the `ST_*` functions the R-tree triggers call, `rarray`
/// for fid lists, foreign keys, the busy timeout, WAL, and a memory map for reads (a vector
/// tile reads thousands of rows at scattered places; the map spares a system call and a copy
/// per page — a fifth of a dense tile's time).
fn configure(conn: &Connection, path: &Path) -> Result<()> {
    sql_functions::register(conn)?;
    rusqlite::vtab::array::load_module(conn)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(|e| open_error(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Project {
            path: path.to_owned(),
            message: format!("cannot switch to WAL journal mode (SQLite kept `{mode}`); is the file on a read-only or network drive?"),
        });
    }
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
    Ok(())
}

fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

fn table_exists(conn: &Connection, table: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM gpkg_contents WHERE table_name = ?1", [table], |_| Ok(()))
        .optional()?
        .is_some())
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::Project { path: path.to_owned(), message: format!("cannot open as a project: {e}") }
}

/// Reader connections, opened on demand up to [`READERS`] and reused.
struct ReaderPool {
    path: PathBuf,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Connection>,
    open: usize,
}

impl ReaderPool {
    fn new(path: PathBuf) -> ReaderPool {
        ReaderPool { path, state: Mutex::new(PoolState { idle: Vec::new(), open: 0 }), returned: Condvar::new() }
    }

    fn get(&self) -> Result<PooledReader<'_>> {
        let mut state = self.state.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(PooledReader { pool: self, conn: Some(conn) });
            }
            if state.open < READERS {
                state.open += 1;
                drop(state);
                return match self.open_reader() {
                    Ok(conn) => Ok(PooledReader { pool: self, conn: Some(conn) }),
                    Err(e) => {
                        self.state.lock().open -= 1;
                        Err(e)
                    }
                };
            }
            self.returned.wait(&mut state);
        }
    }

    fn open_reader(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| open_error(&self.path, e))?;
        sql_functions::register(&conn)?;
        rusqlite::vtab::array::load_module(&conn)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
        Ok(conn)
    }

    fn close_all(&self) {
        let mut state = self.state.lock();
        let n = state.idle.len();
        state.idle.clear();
        state.open -= n;
    }
}

struct PooledReader<'p> {
    pool: &'p ReaderPool,
    conn: Option<Connection>,
}

impl std::ops::Deref for PooledReader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl Drop for PooledReader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.state.lock().idle.push(conn);
            self.pool.returned.notify_one();
        }
    }
}
