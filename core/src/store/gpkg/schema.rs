//! The GeoPackage tables wardgis writes: the required metadata tables, one feature table per
//! layer kind with the `gpkg_rtree_index` extension, and wardgis's own non-spatial tables.
//!
//! Table and trigger shapes follow the GeoPackage 1.4 specification (OGC 12-128r19), so that
//! GDAL, QGIS and ArcGIS open a project as it is.

use rusqlite::{params, Connection};

use crate::catalog::LayerKind;
use crate::error::Result;

use super::blob::SRS_ID;

/// `PRAGMA application_id` for GeoPackage: the ASCII bytes "GPKG".
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` for GeoPackage 1.3.0: our tables and triggers are 1.3 shapes, and GDAL 3.6 warns on 1.4.
pub const USER_VERSION: i32 = 10300;
/// The version of wardgis's own tables, kept in `wardgis_meta`.
pub const WARDGIS_SCHEMA_VERSION: i64 = 1;

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// Creates the GeoPackage metadata tables and wardgis's own tables in an empty database.
pub fn create_base(conn: &Connection) -> Result<()> {
    create_metadata(conn)?;
    create_wardgis_tables(conn)?;
    Ok(())
}

/// Creates the GeoPackage metadata tables (and the three required SRS rows) in an empty
/// database: a plain GeoPackage, as an export to another GeoPackage writes.
pub fn create_metadata(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update(None, "user_version", USER_VERSION)?;
    conn.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (
            srs_name TEXT NOT NULL,
            srs_id INTEGER PRIMARY KEY,
            organization TEXT NOT NULL,
            organization_coordsys_id INTEGER NOT NULL,
            definition TEXT NOT NULL,
            description TEXT
        );
        CREATE TABLE gpkg_contents (
            table_name TEXT NOT NULL PRIMARY KEY,
            data_type TEXT NOT NULL,
            identifier TEXT UNIQUE,
            description TEXT DEFAULT '',
            last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
            srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
        );
        CREATE TABLE gpkg_geometry_columns (
            table_name TEXT NOT NULL,
            column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL,
            srs_id INTEGER NOT NULL,
            z TINYINT NOT NULL,
            m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
        );
        CREATE TABLE gpkg_extensions (
            table_name TEXT,
            column_name TEXT,
            extension_name TEXT NOT NULL,
            definition TEXT NOT NULL,
            scope TEXT NOT NULL,
            CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
        );",
    )?;
    let srs = [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ("WGS 84 geodetic", SRS_ID, "EPSG", 4326, WGS84_WKT, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
    ];
    for (name, id, org, org_id, def, desc) in srs {
        conn.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, id, org, org_id, def, desc],
        )?;
    }
    Ok(())
}

/// wardgis's own non-spatial tables, registered as GeoPackage `attributes` so GDAL lists them.
/// Idempotent: on a project that has them, nothing is written, so reading a project never
/// changes its file.
pub fn create_wardgis_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS wardgis_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS wardgis_actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            layer TEXT,
            summary TEXT NOT NULL,
            undone_by INTEGER REFERENCES wardgis_actions(id)
        );
        CREATE INDEX IF NOT EXISTS wardgis_actions_undone_by ON wardgis_actions(undone_by);
        CREATE TABLE IF NOT EXISTS wardgis_edit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            action_id INTEGER NOT NULL REFERENCES wardgis_actions(id),
            layer TEXT NOT NULL,
            fid INTEGER NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            before TEXT,
            after TEXT
        );
        CREATE INDEX IF NOT EXISTS wardgis_edit_log_action ON wardgis_edit_log(action_id);
        CREATE TABLE IF NOT EXISTS wardgis_insert_digests (
            action_id INTEGER PRIMARY KEY REFERENCES wardgis_actions(id),
            rows INTEGER NOT NULL,
            digest TEXT NOT NULL
        );",
    )?;
    conn.execute(
        "INSERT OR IGNORE INTO wardgis_meta VALUES ('schema_version', ?1)",
        params![WARDGIS_SCHEMA_VERSION.to_string()],
    )?;
    register_attributes(
        conn,
        &[
            ("wardgis_actions", "wardgis: one row per user action (one transaction each)"),
            ("wardgis_edit_log", "wardgis: before/after of every feature an action changed"),
        ],
    )?;
    super::plans::create_tables(conn)?;
    super::results::create_tables(conn)?;
    super::orders::create_tables(conn)?;
    Ok(())
}

/// Registers non-spatial tables in `gpkg_contents` as `attributes` (once), so GDAL and QGIS
/// list them beside the layers.
pub fn register_attributes(conn: &Connection, tables: &[(&str, &str)]) -> Result<()> {
    for (table, what) in tables {
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
             VALUES (?1, 'attributes', ?1, ?2)",
            params![table, what],
        )?;
    }
    Ok(())
}

/// Quotes an identifier for SQL. Catalog ids and field names are already restricted to
/// `[a-z][a-z0-9_]*`; quoting keeps SQL keywords (`type`, `class`) safe as column names.
pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Creates a layer's feature table, registers it, and adds its R-tree index and triggers.
pub fn create_layer_table(conn: &Connection, kind: &LayerKind) -> Result<()> {
    create_layer_table_in(conn, kind, SRS_ID)
}

/// [`create_layer_table`] with coordinates in `srs_id` (a row of `gpkg_spatial_ref_sys`).
pub fn create_layer_table_in(conn: &Connection, kind: &LayerKind, srs_id: i32) -> Result<()> {
    let t = quote(&kind.id);
    let mut cols = vec![
        "fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_owned(),
        format!("geom {}", kind.geometry.gpkg_name()),
        "name TEXT".to_owned(),
        "source TEXT".to_owned(),
    ];
    cols.extend(kind.fields.iter().map(|f| format!("{} {}", quote(&f.name), f.ty.sql_type())));
    conn.execute_batch(&format!("CREATE TABLE {t} ({})", cols.join(", ")))?;
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
         VALUES (?1, 'features', ?2, ?3, ?4)",
        params![kind.id, kind.name_zh, kind.name_en, srs_id],
    )?;
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![kind.id, kind.geometry.gpkg_name(), srs_id],
    )?;
    create_rtree(conn, &kind.id)?;
    Ok(())
}

/// Adds catalog fields that a layer table lacks (the catalog grew since the file was made).
pub fn add_missing_columns(conn: &Connection, kind: &LayerKind) -> Result<Vec<String>> {
    let existing: Vec<String> = conn
        .prepare(&format!("PRAGMA table_info({})", quote(&kind.id)))?
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<rusqlite::Result<_>>()?;
    let mut added = Vec::new();
    for f in &kind.fields {
        if !existing.iter().any(|c| c.eq_ignore_ascii_case(&f.name)) {
            conn.execute_batch(&format!(
                "ALTER TABLE {} ADD COLUMN {} {}",
                quote(&kind.id),
                quote(&f.name),
                f.ty.sql_type()
            ))?;
            added.push(f.name.clone());
        }
    }
    Ok(added)
}

/// The `gpkg_rtree_index` extension for `<table>.geom`: the virtual table and the six
/// triggers of GeoPackage 1.4 Annex F.3 that keep it in step with the feature table.
fn create_rtree(conn: &Connection, table: &str) -> Result<()> {
    let t = quote(table);
    let r = quote(&format!("rtree_{table}_geom"));
    let trig = |suffix: &str| quote(&format!("rtree_{table}_geom_{suffix}"));
    let values = "NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)";
    let sql = format!(
        "CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy);
        CREATE TRIGGER {ins} AFTER INSERT ON {t}
          WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
        BEGIN INSERT OR REPLACE INTO {r} VALUES ({values}); END;
        CREATE TRIGGER {u1} AFTER UPDATE OF geom ON {t}
          WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
        BEGIN INSERT OR REPLACE INTO {r} VALUES ({values}); END;
        CREATE TRIGGER {u2} AFTER UPDATE OF geom ON {t}
          WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
        BEGIN DELETE FROM {r} WHERE id = OLD.fid; END;
        CREATE TRIGGER {u3} AFTER UPDATE ON {t}
          WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
        BEGIN DELETE FROM {r} WHERE id = OLD.fid; INSERT OR REPLACE INTO {r} VALUES ({values}); END;
        CREATE TRIGGER {u4} AFTER UPDATE ON {t}
          WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
        BEGIN DELETE FROM {r} WHERE id IN (OLD.fid, NEW.fid); END;
        CREATE TRIGGER {del} AFTER DELETE ON {t} WHEN old.geom NOT NULL
        BEGIN DELETE FROM {r} WHERE id = OLD.fid; END;",
        ins = trig("insert"),
        u1 = trig("update1"),
        u2 = trig("update2"),
        u3 = trig("update3"),
        u4 = trig("update4"),
        del = trig("delete"),
    );
    conn.execute_batch(&sql)?;
    conn.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index',
         'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![table],
    )?;
    Ok(())
}
