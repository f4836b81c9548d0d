#!/usr/bin/env python3
"""The peers' side of wardgis's peer benchmarks (issue 6), driven by bench/peers/run.sh.

    peers.py run --peer sqlite_rtree|spatialite|shapely --points P.csv --queries Q.csv
                 --reference WARDGIS_ANSWERS.json --out RESULT.json [--rounds 5]
    peers.py more --peer shapely|spatialite|postgis|ogr2ogr|ogr2ogr_tuned --points P.csv
                  [--zones Z.csv] [--attributes A.csv] [--geojson G.geojson]
                  --reference WARDGIS_ANSWERS.json --out RESULT.json [--rounds 3]
    peers.py table --results DIR --out results.md

`more` runs the point-in-polygon join (shapely, SpatiaLite, PostGIS), the MVT tiles (PostGIS)
and the GeoJSON import (ogr2ogr), each checked against wardgis's answers first; the classes
`More*` below say exactly what each runs.

`run` loads the shared data (written by `cargo run --example peer_data`), times the bulk load
of the peer's index (one warm-up, then the median of several runs), computes every query's
answer once (this pass is also the warm-up) and CHECKS it against wardgis's answers before
timing (ids; distances within a tolerance), then times each query alone over all 1 024 query
points, `rounds` times, and writes the median and mean per query.

How each peer is used (what a competent user of it would write):

* sqlite_rtree - SQLite's R*Tree module as a GeoPackage client has it: the points in a table
  `pts(id, lon, lat)` and an rtree virtual table `rt(id, minx, maxx, miny, maxy)` (the layout
  of a GeoPackage's rtree_<t>_<geom>). Bulk load = create the rtree and fill it with
  `INSERT INTO rt SELECT id, lon, lon, lat, lat FROM pts` in one transaction (what GDAL's
  CreateSpatialIndex does with SQL). The rtree stores 32-bit floats rounded outward, so
  every query joins back to `pts` and checks the exact doubles (as GDAL/QGIS do with the
  geometry). Distances: a Python UDF `geodist(lon1, lat1, lon2, lat2)` registered with
  `create_function(deterministic=True)`, Vincenty's inverse formula on WGS84 (agrees with
  Karney's to well under 1 mm at these distances). Within 500 m: candidates from a degree box
  proven to hold the 500 m circle, distances in SQL, kept if <= 500 m. k nearest: the rtree
  has no nearest-neighbour search, so iterative widening: search the box holding the circle
  of radius r (250 m first), `ORDER BY geodist LIMIT 10`; the answer is final once 10 rows
  come back and the 10th is within r (nothing outside the box can be nearer); if 10 rows
  come back but the 10th is farther than r, search once more with r = that distance; if
  fewer than 10, r *= 4.
  Runs in Debian's /usr/bin/python3 (its sqlite3 module can load extensions; pyenv's cannot)
  against Debian's libsqlite3 - the SQLite a GDAL/QGIS on Debian 12 uses.
* spatialite - Debian 12's mod_spatialite 5.0.1: `InitSpatialMetadata`, a POINT geometry
  column (SRID 4326), bulk load = `CreateSpatialIndex` (timed; `DisableSpatialIndex` and a drop
  of idx_pts_geom between runs). Queries through the `SpatialIndex` virtual table
  (`search_frame = BuildMbr(...)`), exact box test on ST_X/ST_Y, distances with
  `ST_Distance(geom, MakePoint(x, y, 4326), 1)` (geodesic on the ellipsoid). k nearest by the
  same iterative widening: SpatiaLite 5.0's `KNN` virtual table ranks by Cartesian distance
  in degrees (KNN2 arrived in 5.1), which is not the nearest in metres at 31 N.
* shapely - shapely 2 `STRtree` over point geometries in degrees (bulk load = `STRtree(geoms)`
  plus one tiny query, so the lazily built GEOS tree is really built). Bounding box:
  `tree.query(box)` (envelope test, exact for points). Within 500 m and k nearest: degree
  boxes as above from `tree.query`, then exact distances with a numpy-vectorised Vincenty
  (no pyproj), and the same widening for k nearest (`query_nearest` gives only the single
  nearest, in degrees).
* postgis - PostgreSQL 15 + PostGIS 3.3 from Debian, started by run.sh on 127.0.0.1 in a
  temporary data directory and stopped at the end; psycopg2 (Debian's python3-psycopg2) over
  loopback TCP, one round trip per query. Table `pts(id, geom geometry(Point,4326),
  geog geography(Point,4326))` filled by COPY; bulk load = `CREATE INDEX ... USING gist
  (geom)` + ANALYZE (the geography GiST index is built untimed). Bounding box:
  `ST_Intersects(geom, ST_MakeEnvelope(...))` (`&&` alone compares float32 index boxes and
  returned extra points in 12 of 1 024 queries). Within 500 m: `ST_DWithin(geog, q, 500)`
  and `ST_Distance(geog, q)`, both on the spheroid. k nearest: `ORDER BY geog <-> q LIMIT 10`
  orders on the SPHERE (its 10th differed from the spheroid's in 34 of 1 024 queries at
  10 k), so: the spheroid distance of the farthest of those 10 bounds the true answer, and
  `ST_DWithin` of it (+ 1 mm, as ST_Distance rounds to 1e-8 m) ranked by `ST_Distance`,
  LIMIT 10 - one SQL statement.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# --- shared arithmetic ------------------------------------------------------------------

A = 6378137.0
F = 1 / 298.257223563
B = (1 - F) * A

RADIUS_M = 500.0
K = 10
KNN_START_M = 250.0


def circle_bbox(x, y, metres):
    """A degree box that contains every point within `metres` of (x, y): the same
    conservative constants as wardgis's index::metric::circle_bbox."""
    dlat = metres / 110_500.0
    max_lat = min(abs(y) + dlat, 89.9)
    dlon = min(metres / (111_250.0 * math.cos(math.radians(max_lat))), 360.0)
    return x - dlon, y - dlat, x + dlon, y + dlat


def vincenty(lon1, lat1, lon2, lat2):
    """Metres between two WGS84 points, Vincenty's inverse formula."""
    if lon1 == lon2 and lat1 == lat2:
        return 0.0
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    sinU1, cosU1, sinU2, cosU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSigma = math.hypot(cosU2 * sinLam, cosU1 * sinU2 - sinU1 * cosU2 * cosLam)
        if sinSigma == 0:
            return 0.0
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = math.atan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cos2Alpha = 1 - sinAlpha * sinAlpha
        cos2SigmaM = cosSigma - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha != 0 else 0.0
        C = F / 16 * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha))
        prev = lam
        lam = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        if abs(lam - prev) < 1e-12:
            break
    u2 = cos2Alpha * (A * A - B * B) / (B * B)
    AA = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    BB = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSigma = BB * sinSigma * (cos2SigmaM + BB / 4 * (cosSigma * (-1 + 2 * cos2SigmaM ** 2) - BB / 6 * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)))
    return B * AA * (sigma - dSigma)


def vincenty_np(lon1, lat1, lon2, lat2):
    """Vincenty from one point (lon1, lat1) to numpy arrays lon2, lat2; metres."""
    import numpy as np

    L = np.radians(lon2 - lon1)
    U1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    U2 = np.arctan((1 - F) * np.tan(np.radians(lat2)))
    sinU1, cosU1 = math.sin(U1), math.cos(U1)
    sinU2, cosU2 = np.sin(U2), np.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = np.sin(lam), np.cos(lam)
        sinSigma = np.hypot(cosU2 * sinLam, cosU1 * sinU2 - sinU1 * cosU2 * cosLam)
        sinSigma = np.where(sinSigma == 0, 1e-300, sinSigma)
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = np.arctan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cos2Alpha = 1 - sinAlpha * sinAlpha
        safe = np.where(cos2Alpha == 0, 1.0, cos2Alpha)
        cos2SigmaM = np.where(cos2Alpha == 0, 0.0, cosSigma - 2 * sinU1 * sinU2 / safe)
        C = F / 16 * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha))
        prev = lam
        lam = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        if lam.size == 0 or np.max(np.abs(lam - prev)) < 1e-12:
            break
    u2 = cos2Alpha * (A * A - B * B) / (B * B)
    AA = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    BB = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSigma = BB * sinSigma * (cos2SigmaM + BB / 4 * (cosSigma * (-1 + 2 * cos2SigmaM ** 2) - BB / 6 * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)))
    return B * AA * (sigma - dSigma)


def read_points(path):
    ids, xs, ys = [], [], []
    with open(path) as f:
        next(f)
        for line in f:
            i, x, y = line.rstrip("\n").split(",")
            ids.append(int(i))
            xs.append(float(x))
            ys.append(float(y))
    return ids, xs, ys


def read_queries(path):
    qs = []
    with open(path) as f:
        next(f)
        for line in f:
            v = line.rstrip("\n").split(",")
            qs.append((float(v[1]), float(v[2]), float(v[3]), float(v[4]), float(v[5]), float(v[6])))
    return qs


def knn_by_widening(search, x, y):
    """k nearest by iterative widening. `search(box, k)` returns up to k (id, metres) pairs
    from inside the box, nearest first."""
    r = KNN_START_M
    while True:
        rows = search(circle_bbox(x, y, r), K)
        if len(rows) == K:
            if rows[-1][1] <= r:
                return rows
            r = rows[-1][1]  # the box holding this circle holds the answer
        else:
            r *= 4
            if r > 2.1e7:  # the whole Earth: fewer than k points in all
                return rows


# --- peers ------------------------------------------------------------------------------


class SqliteRtree:
    name = "sqlite_rtree"
    distance_tolerance_m = 0.01

    def __init__(self, ids, xs, ys, workdir):
        import sqlite3

        self.db = sqlite3.connect(os.path.join(workdir, "sqlite_rtree.sqlite"), isolation_level=None)
        self.db.execute("PRAGMA cache_size = -1000000")
        self.db.create_function("geodist", 4, vincenty, deterministic=True)
        self.db.execute("CREATE TABLE pts(id INTEGER PRIMARY KEY, lon REAL NOT NULL, lat REAL NOT NULL)")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO pts VALUES (?, ?, ?)", zip(ids, xs, ys))
        self.db.execute("COMMIT")
        self.version = {"sqlite": sqlite3.sqlite_version, "python": platform.python_version(), "python_executable": sys.executable}
        self.detail = "SQLite R*Tree (rtree virtual table, GeoPackage layout) + exact check on pts; Vincenty Python UDF"

    def drop_index(self):
        self.db.execute("DROP TABLE IF EXISTS rt")

    def bulk_load(self):
        db = self.db
        db.execute("BEGIN")
        db.execute("CREATE VIRTUAL TABLE rt USING rtree(id, minx, maxx, miny, maxy)")
        db.execute("INSERT INTO rt SELECT id, lon, lon, lat, lat FROM pts")
        db.execute("COMMIT")

    BOX = ("FROM rt CROSS JOIN pts p ON p.id = rt.id "
           "WHERE rt.minx <= :xmax AND rt.maxx >= :xmin AND rt.miny <= :ymax AND rt.maxy >= :ymin "
           "AND p.lon BETWEEN :xmin AND :xmax AND p.lat BETWEEN :ymin AND :ymax")

    def bbox(self, q):
        b = {"xmin": q[2], "ymin": q[3], "xmax": q[4], "ymax": q[5]}
        return sorted(r[0] for r in self.db.execute("SELECT p.id " + self.BOX, b))

    def _near(self, x, y, box, limit):
        b = {"x": x, "y": y, "xmin": box[0], "ymin": box[1], "xmax": box[2], "ymax": box[3]}
        sql = "SELECT p.id, geodist(:x, :y, p.lon, p.lat) AS d " + self.BOX + " ORDER BY d, p.id"
        if limit:
            sql += f" LIMIT {limit}"
        return self.db.execute(sql, b).fetchall()

    def within(self, q):
        x, y = q[0], q[1]
        return [r for r in self._near(x, y, circle_bbox(x, y, RADIUS_M), None) if r[1] <= RADIUS_M]

    def knn(self, q):
        x, y = q[0], q[1]
        return knn_by_widening(lambda box, k: self._near(x, y, box, k), x, y)


class Spatialite:
    name = "spatialite"
    distance_tolerance_m = 0.01

    def __init__(self, ids, xs, ys, workdir):
        import sqlite3

        db = sqlite3.connect(os.path.join(workdir, "spatialite.sqlite"), isolation_level=None)
        db.enable_load_extension(True)
        db.load_extension("mod_spatialite")
        db.execute("PRAGMA cache_size = -1000000")
        db.execute("SELECT InitSpatialMetadata(1)")
        db.execute("CREATE TABLE pts(id INTEGER PRIMARY KEY)")
        db.execute("SELECT AddGeometryColumn('pts', 'geom', 4326, 'POINT', 'XY')")
        db.execute("BEGIN")
        db.executemany("INSERT INTO pts(id, geom) VALUES (?, MakePoint(?, ?, 4326))", zip(ids, xs, ys))
        db.execute("COMMIT")
        self.db = db
        v = db.execute("SELECT spatialite_version(), geos_version(), proj_version(), rttopo_version()").fetchone()
        self.version = {"spatialite": v[0], "geos": v[1], "proj": v[2], "rttopo": v[3], "sqlite": sqlite3.sqlite_version}
        self.detail = "SpatiaLite CreateSpatialIndex + SpatialIndex virtual table; ST_Distance(..., 1) on the ellipsoid"

    def drop_index(self):
        if self.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_pts_geom'").fetchone()[0]:
            self.db.execute("SELECT DisableSpatialIndex('pts', 'geom')")
            self.db.execute("DROP TABLE idx_pts_geom")

    def bulk_load(self):
        if self.db.execute("SELECT CreateSpatialIndex('pts', 'geom')").fetchone()[0] != 1:
            raise RuntimeError("CreateSpatialIndex failed")

    BOX = ("FROM pts WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'pts' "
           "AND search_frame = BuildMbr(:xmin, :ymin, :xmax, :ymax)) "
           "AND ST_X(geom) BETWEEN :xmin AND :xmax AND ST_Y(geom) BETWEEN :ymin AND :ymax")

    def bbox(self, q):
        b = {"xmin": q[2], "ymin": q[3], "xmax": q[4], "ymax": q[5]}
        return sorted(r[0] for r in self.db.execute("SELECT id " + self.BOX, b))

    def _near(self, x, y, box, limit):
        b = {"x": x, "y": y, "xmin": box[0], "ymin": box[1], "xmax": box[2], "ymax": box[3]}
        sql = "SELECT id, ST_Distance(geom, MakePoint(:x, :y, 4326), 1) AS d " + self.BOX + " ORDER BY d, id"
        if limit:
            sql += f" LIMIT {limit}"
        return self.db.execute(sql, b).fetchall()

    def within(self, q):
        x, y = q[0], q[1]
        return [r for r in self._near(x, y, circle_bbox(x, y, RADIUS_M), None) if r[1] <= RADIUS_M]

    def knn(self, q):
        x, y = q[0], q[1]
        return knn_by_widening(lambda box, k: self._near(x, y, box, k), x, y)


class Shapely:
    name = "shapely"
    distance_tolerance_m = 0.01

    def __init__(self, ids, xs, ys, workdir):
        import numpy as np
        import shapely

        self.np, self.shapely = np, shapely
        self.ids = np.asarray(ids, dtype=np.int64)
        self.xs = np.asarray(xs, dtype=np.float64)
        self.ys = np.asarray(ys, dtype=np.float64)
        self.geoms = shapely.points(self.xs, self.ys)
        self.tree = None
        self.version = {"shapely": shapely.__version__, "geos": shapely.geos_version_string, "numpy": np.__version__, "python": platform.python_version()}
        self.detail = "shapely STRtree (GEOS) in degrees + numpy Vincenty"

    def drop_index(self):
        self.tree = None

    def bulk_load(self):
        self.tree = self.shapely.STRtree(self.geoms)
        self.tree.query(self.shapely.box(0.0, 0.0, 1e-9, 1e-9))  # the tree is built by now

    def bbox(self, q):
        idx = self.tree.query(self.shapely.box(q[2], q[3], q[4], q[5]))
        return self.np.sort(self.ids[idx]).tolist()

    def _near(self, x, y, box, limit):
        np = self.np
        idx = self.tree.query(self.shapely.box(*box))
        d = vincenty_np(x, y, self.xs[idx], self.ys[idx])
        ids = self.ids[idx]
        if limit is not None and len(idx) > limit:
            part = np.argpartition(d, limit - 1)[:limit]
            ids, d = ids[part], d[part]
        order = np.lexsort((ids, d))
        return list(zip(ids[order].tolist(), d[order].tolist()))

    def within(self, q):
        np = self.np
        x, y = q[0], q[1]
        idx = self.tree.query(self.shapely.box(*circle_bbox(x, y, RADIUS_M)))
        d = vincenty_np(x, y, self.xs[idx], self.ys[idx])
        keep = d <= RADIUS_M
        ids, d = self.ids[idx][keep], d[keep]
        order = np.lexsort((ids, d))
        return list(zip(ids[order].tolist(), d[order].tolist()))

    def knn(self, q):
        x, y = q[0], q[1]
        return knn_by_widening(lambda box, k: self._near(x, y, box, k), x, y)


class Postgis:
    """PostGIS, started by run.sh on loopback in a temporary data directory ($WARDGIS_PG_DSN)."""

    name = "postgis"
    distance_tolerance_m = 0.01

    def __init__(self, ids, xs, ys, workdir):
        import io

        import psycopg2

        self.db = psycopg2.connect(os.environ["WARDGIS_PG_DSN"])
        self.db.autocommit = True
        c = self.cur = self.db.cursor()
        c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        c.execute("DROP TABLE IF EXISTS pts")
        c.execute("CREATE TABLE pts(id bigint PRIMARY KEY, lon double precision, lat double precision)")
        buf = io.StringIO("".join(f"{i}\t{x!r}\t{y!r}\n" for i, x, y in zip(ids, xs, ys)))
        c.copy_from(buf, "pts", columns=("id", "lon", "lat"))
        c.execute("ALTER TABLE pts ADD COLUMN geom geometry(Point, 4326), ADD COLUMN geog geography(Point, 4326)")
        c.execute("UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326), geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography")
        c.execute("CREATE INDEX pts_geog ON pts USING gist (geog)")
        c.execute("VACUUM ANALYZE pts")
        c.execute("SELECT version(), postgis_full_version()")
        v = c.fetchone()
        self.version = {"postgresql": v[0].split(",")[0], "postgis": v[1].split('"')[1] if '"' in v[1] else v[1],
                        "psycopg2": psycopg2.__version__.split()[0]}
        self.detail = ("PostGIS: GiST on geometry (timed) and geography; ST_DWithin/ST_Distance on "
                       "geography (spheroid); k nearest by ORDER BY geog <-> q LIMIT 10 (sphere) then exact on the spheroid within the 10th's distance; bbox by ST_Intersects (the && index box is float32); psycopg2 over loopback TCP")

    def drop_index(self):
        self.cur.execute("DROP INDEX IF EXISTS pts_geom")

    def bulk_load(self):
        self.cur.execute("CREATE INDEX pts_geom ON pts USING gist (geom)")
        self.cur.execute("ANALYZE pts")

    def bbox(self, q):
        self.cur.execute("SELECT id FROM pts WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326)) ORDER BY id", (q[2], q[3], q[4], q[5]))
        return [r[0] for r in self.cur.fetchall()]

    # The query point is written inline (not joined from a CTE): with a joined point the
    # planner cannot order the GiST scan by <->, and k nearest became a sequential scan (50 ms).
    Q = "ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4326)::geography"

    def within(self, q):
        self.cur.execute(
            f"SELECT id, ST_Distance(geog, {self.Q}) AS d FROM pts WHERE ST_DWithin(geog, {self.Q}, %(r)s) ORDER BY d, id",
            {"x": q[0], "y": q[1], "r": RADIUS_M})
        return self.cur.fetchall()

    def knn(self, q):
        # geography <-> orders by distance on the sphere, so its 10 nearest can differ from the
        # spheroid's at the 10th (it did in 34 of 1 024 queries on 10 k points); the exact
        # answer: the farthest (on the spheroid) of those 10 bounds the radius that holds the
        # true 10 nearest, so rank ST_DWithin of that radius by spheroid distance (plus 1 mm:
        # ST_Distance rounds to 1e-8 m, and ST_DWithin of the rounded value can drop the 10th).
        Q = self.Q
        self.cur.execute(
            f"SELECT id, ST_Distance(geog, {Q}) AS d FROM pts "
            f"WHERE ST_DWithin(geog, {Q}, (SELECT max(ST_Distance(n.geog, {Q})) + 0.001 "
            f"FROM (SELECT geog FROM pts ORDER BY geog <-> {Q} LIMIT %(k)s) n)) "
            f"ORDER BY d, id LIMIT %(k)s", {"x": q[0], "y": q[1], "k": K})
        return self.cur.fetchall()

    def close(self):
        self.cur.execute("DROP TABLE IF EXISTS pts")
        self.db.close()


PEERS = {p.name: p for p in (SqliteRtree, Spatialite, Shapely, Postgis)}

# --- checking answers -------------------------------------------------------------------


def compare(ref, got, tol):
    """Per operation: (number of queries that differ, a first example)."""
    out = {}
    ref_bbox = ref["bbox"]
    bad = [i for i, (a, b) in enumerate(zip(ref_bbox, got["bbox"])) if list(a) != list(b)]
    out["bbox"] = (len(bad) + abs(len(ref_bbox) - len(got["bbox"])), bad[:1])
    for op in ("within", "knn"):
        bad, ties = [], 0
        for i, (a, b) in enumerate(zip(ref[op], got[op])):
            ia, ib = sorted(h[0] for h in a), sorted(h[0] for h in b)
            da, db = {h[0]: h[1] for h in a}, {h[0]: h[1] for h in b}
            if ia == ib:
                if any(abs(da[j] - db[j]) > tol for j in ia):
                    bad.append(i)
                continue
            # k nearest: a different last member at the same distance (a tie) is not an error
            # (every id in one list only lies at the k-th distance, and the shared ones agree)
            if op == "knn" and len(a) == len(b) and len(a) > 0 and abs(a[-1][1] - b[-1][1]) <= tol:
                common = set(ia) & set(ib)
                only = [(j, da) for j in set(ia) - common] + [(j, db) for j in set(ib) - common]
                if all(abs(da[j] - db[j]) <= tol for j in common) and all(abs(d[j] - a[-1][1]) <= tol for j, d in only):
                    ties += 1
                    continue
            bad.append(i)
        out[op] = (len(bad) + abs(len(ref[op]) - len(got[op])), bad[:1])
        if ties:
            out[op + "_ties"] = ties
    return out


# --- timing -----------------------------------------------------------------------------


def time_queries(f, qs, rounds):
    times = []
    clock = time.perf_counter
    for _ in range(rounds):
        for q in qs:
            t = clock()
            f(q)
            times.append(clock() - t)
    return statistics.median(times), sum(times) / len(times)


def cmd_run(args):
    ids, xs, ys = read_points(args.points)
    qs = read_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="wardgis-peers-") as work:
        peer = PEERS[args.peer](ids, xs, ys, work)
        load_rounds = args.load_rounds or args.rounds
        peer.drop_index()
        peer.bulk_load()  # warm-up
        loads = []
        for _ in range(load_rounds):
            peer.drop_index()
            t = time.perf_counter()
            peer.bulk_load()
            loads.append(time.perf_counter() - t)

        answers = {
            "bbox": [peer.bbox(q) for q in qs],
            "within": [[list(h) for h in peer.within(q)] for q in qs],
            "knn": [[list(h) for h in peer.knn(q)] for q in qs],
        }
        with open(args.reference) as f:
            ref = json.load(f)
        check = compare(ref, answers, peer.distance_tolerance_m)
        status = {}
        for op in ("bbox", "within", "knn"):
            nbad, first = check[op]
            status[op] = "equal" if nbad == 0 else f"DIFFERENT in {nbad} of {len(qs)} queries (first: query {first[0] if first else '?'})"
            if nbad:
                print(f"!!!!! {peer.name} n={len(ids)} {op}: answers differ from wardgis's in {nbad} of {len(qs)} queries "
                      f"(first: query {first[0] if first else '?'})", file=sys.stderr)
            if check.get(op + "_ties"):
                status[op] += f" ({check[op + '_ties']} ties at the k-th distance)"
        if args.answers_out:
            with open(args.answers_out, "w") as f:
                json.dump(answers, f)

        ops = {"bulk_load": {"median_s": statistics.median(loads), "runs": len(loads)}}
        for op, f in (("bbox", peer.bbox), ("within_500m", peer.within), ("knn_10", peer.knn)):
            med, mean = time_queries(f, qs, args.rounds)
            ops[op] = {"median_s": med, "mean_s": mean}
        ops["bbox"]["check"] = status["bbox"]
        ops["within_500m"]["check"] = status["within"]
        ops["knn_10"]["check"] = status["knn"]
        if hasattr(peer, "close"):
            peer.close()
    result = {"tool": peer.name, "version": peer.version, "detail": peer.detail, "n": len(ids),
              "queries": len(qs), "rounds": args.rounds, "distance_tolerance_m": peer.distance_tolerance_m, "ops": ops}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({"tool": peer.name, "n": len(ids), "checks": status}))


# --- join, tiles and import (peers.py more) ----------------------------------------------
#
# `more` runs the operations that need more than the points: the point-in-polygon join of all
# points to the 10 000 zones, MVT tiles of the points (with attributes) at the tiles wardgis
# chose, and the GeoJSON import. Every answer is checked against wardgis's before timing.


def read_zones(path):
    import csv

    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [int(r[0]) for r in rows], [r[1] for r in rows]


def read_attributes(path):
    out = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            i, name, vt, ports, op, pay = line.rstrip("\n").split(",")
            out.append((int(i), name, vt, int(ports), op, pay == "true"))
    return out


def per_zone(pairs):
    """[(zone, point), ...] -> [[zone, [sorted point ids]], ...] by ascending zone, as wardgis writes it."""
    by = {}
    for z, p in pairs:
        by.setdefault(int(z), []).append(int(p))
    return [[z, sorted(by[z])] for z in sorted(by)]


def compare_join(ref, got):
    if ref == got:
        return "equal"
    rz, gz = dict((z, ids) for z, ids in ref), dict((z, ids) for z, ids in got)
    bad = sorted(z for z in set(rz) | set(gz) if rz.get(z) != gz.get(z))
    return f"DIFFERENT in {len(bad)} of {len(set(rz) | set(gz))} zones (first: zone {bad[0]})"


def mvt_feature_ids(data):
    """The feature ids of every layer of an MVT tile: a minimal protobuf reader (Tile.layers = 3,
    Layer.features = 2, Feature.id = 1), independent of wardgis's and PostGIS's encoders."""

    def varint(b, i):
        v, shift = 0, 0
        while True:
            c = b[i]
            i += 1
            v |= (c & 0x7F) << shift
            shift += 7
            if c < 0x80:
                return v, i

    def fields(b):
        i = 0
        while i < len(b):
            key, i = varint(b, i)
            wire = key & 7
            if wire == 0:
                v, i = varint(b, i)
            elif wire == 2:
                n, i = varint(b, i)
                v, i = b[i:i + n], i + n
            elif wire == 1:
                v, i = b[i:i + 8], i + 8
            elif wire == 5:
                v, i = b[i:i + 4], i + 4
            else:
                raise ValueError(f"wire type {wire}")
            yield key >> 3, v

    ids = []
    for f, layer in fields(bytes(data)):
        if f == 3:
            for g, feature in fields(layer):
                if g == 2:
                    ids.extend(v for h, v in fields(feature) if h == 1)
    return sorted(ids)


def timed(f, rounds, warm_up=True):
    if warm_up:
        f()
    times = []
    out = None
    for _ in range(rounds):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


class MoreShapely:
    name = "shapely"

    def __init__(self, args, work):
        import numpy as np
        import shapely

        self.np, self.shapely = np, shapely
        ids, xs, ys = read_points(args.points)
        self.ids = np.asarray(ids, dtype=np.int64)
        self.pts = shapely.points(np.asarray(xs), np.asarray(ys))
        zids, wkts = read_zones(args.zones)
        self.zids = np.asarray(zids, dtype=np.int64)
        self.zones = shapely.from_wkt(wkts)
        self.version = {"shapely": shapely.__version__, "geos": shapely.geos_version_string, "numpy": np.__version__}
        self.detail = "join: STRtree(zones).query(points, predicate='intersects') (tree build included)"

    def join(self):
        tree = self.shapely.STRtree(self.zones)
        return tree.query(self.pts, predicate="intersects")

    def join_answer(self, res):
        return per_zone(zip(self.zids[res[1]].tolist(), self.ids[res[0]].tolist()))


class MoreSpatialite:
    name = "spatialite"

    def __init__(self, args, work):
        import sqlite3

        db = sqlite3.connect(os.path.join(work, "spatialite-join.sqlite"), isolation_level=None)
        db.enable_load_extension(True)
        db.load_extension("mod_spatialite")
        db.execute("PRAGMA cache_size = -1000000")
        db.execute("SELECT InitSpatialMetadata(1)")
        db.execute("CREATE TABLE pts(id INTEGER PRIMARY KEY)")
        db.execute("SELECT AddGeometryColumn('pts', 'geom', 4326, 'POINT', 'XY')")
        db.execute("CREATE TABLE zones(id INTEGER PRIMARY KEY)")
        db.execute("SELECT AddGeometryColumn('zones', 'geom', 4326, 'POLYGON', 'XY')")
        ids, xs, ys = read_points(args.points)
        zids, wkts = read_zones(args.zones)
        db.execute("BEGIN")
        db.executemany("INSERT INTO pts(id, geom) VALUES (?, MakePoint(?, ?, 4326))", zip(ids, xs, ys))
        db.executemany("INSERT INTO zones(id, geom) VALUES (?, GeomFromText(?, 4326))", zip(zids, wkts))
        db.execute("COMMIT")
        db.execute("SELECT CreateSpatialIndex('pts', 'geom')")
        self.db = db
        v = db.execute("SELECT spatialite_version(), geos_version()").fetchone()
        self.version = {"spatialite": v[0], "geos": v[1], "sqlite": sqlite3.sqlite_version}
        self.detail = ("join: for each zone, the points from the SpatialIndex virtual table (search_frame = zone) "
                       "then ST_Intersects(zone, point)")

    def join(self):
        return self.db.execute(
            "SELECT z.id, p.id FROM zones z JOIN pts p ON p.ROWID IN (SELECT ROWID FROM SpatialIndex "
            "WHERE f_table_name = 'pts' AND search_frame = z.geom) AND ST_Intersects(z.geom, p.geom)").fetchall()

    def join_answer(self, res):
        return per_zone(res)


class MorePostgis:
    name = "postgis"

    def __init__(self, args, work):
        import io

        import psycopg2

        self.db = psycopg2.connect(os.environ["WARDGIS_PG_DSN"])
        self.db.autocommit = True
        c = self.cur = self.db.cursor()
        c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        c.execute("DROP TABLE IF EXISTS pts, zones, j")
        ids, xs, ys = read_points(args.points)
        attrs = read_attributes(args.attributes) if args.attributes else None
        c.execute("CREATE TABLE pts(id bigint PRIMARY KEY, fid bigint, lon double precision, lat double precision, "
                  "name text, vehicle_type text, ports integer, operator text, scan_to_pay boolean)")
        if attrs:
            assert [a[0] for a in attrs] == ids, "attributes and points differ in ids"
            buf = io.StringIO("".join(f"{i}\t{i + 1}\t{x!r}\t{y!r}\t{a[1]}\t{a[2]}\t{a[3]}\t{a[4]}\t{a[5]}\n"
                                      for i, x, y, a in zip(ids, xs, ys, attrs)))
            c.copy_from(buf, "pts")
        else:
            buf = io.StringIO("".join(f"{i}\t{i + 1}\t{x!r}\t{y!r}\n" for i, x, y in zip(ids, xs, ys)))
            c.copy_from(buf, "pts", columns=("id", "fid", "lon", "lat"))
        c.execute("ALTER TABLE pts ADD COLUMN geom geometry(Point, 4326), ADD COLUMN geom3857 geometry(Point, 3857)")
        c.execute("UPDATE pts SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
        c.execute("UPDATE pts SET geom3857 = ST_Transform(geom, 3857)")
        c.execute("CREATE INDEX pts_geom ON pts USING gist (geom)")
        c.execute("CREATE INDEX pts_geom3857 ON pts USING gist (geom3857)")
        zids, wkts = read_zones(args.zones)
        c.execute("CREATE TABLE zones(id bigint PRIMARY KEY, geom geometry(Polygon, 4326))")
        buf = io.StringIO("".join(f"{i}\tSRID=4326;{w}\n" for i, w in zip(zids, wkts)))
        c.copy_from(buf, "zones")
        c.execute("CREATE INDEX zones_geom ON zones USING gist (geom)")
        c.execute("VACUUM ANALYZE pts")
        c.execute("VACUUM ANALYZE zones")
        c.execute("SELECT version(), postgis_full_version()")
        v = c.fetchone()
        self.version = {"postgresql": v[0].split(",")[0], "postgis": v[1].split('"')[1] if '"' in v[1] else v[1]}
        self.detail = ("join: CREATE TEMP TABLE j AS SELECT z.id, p.id FROM zones z JOIN pts p ON ST_Intersects(z.geom, p.geom) "
                       "(GiST on both; default parallel settings); tiles: ST_AsMVT(ST_AsMVTGeom(geom3857, ST_TileEnvelope(z,x,y), 4096, 64, true)) "
                       "over a stored EPSG:3857 column with a GiST index, restricted to the points the tile owns "
                       "(west and north edges included) as wardgis keeps them, with the same attributes and fid as feature id")

    def join(self):
        self.cur.execute("DROP TABLE IF EXISTS j")
        self.cur.execute("CREATE TEMP TABLE j AS SELECT z.id AS zone, p.id AS pt FROM zones z JOIN pts p ON ST_Intersects(z.geom, p.geom)")

    def join_answer(self, res):
        self.cur.execute("SELECT zone, pt FROM j")
        return per_zone(self.cur.fetchall())

    TILE = """
        WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env),
        mvtgeom AS (
          SELECT ST_AsMVTGeom(p.geom3857, b.env, 4096, 64, true) AS geom,
                 p.fid, p.name, p.vehicle_type, p.ports, p.operator, p.scan_to_pay
          FROM pts p, bounds b
          WHERE p.geom3857 && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => (64.0 / 4096))
            AND ST_X(p.geom3857) >= ST_XMin(b.env) AND ST_X(p.geom3857) < ST_XMax(b.env)
            AND ST_Y(p.geom3857) > ST_YMin(b.env) AND ST_Y(p.geom3857) <= ST_YMax(b.env))
        SELECT ST_AsMVT(mvtgeom.*, 'chargers', 4096, 'geom', 'fid') FROM mvtgeom"""

    def tile(self, z, x, y):
        self.cur.execute(self.TILE, {"z": z, "x": x, "y": y})
        return bytes(self.cur.fetchone()[0])

    def close(self):
        self.cur.execute("DROP TABLE IF EXISTS pts, zones, j")
        self.db.close()


def gpkg_rows(path, table):
    """A GeoPackage layer as (fid, name, vehicle_type, ports, operator, scan_to_pay, geometry
    blob) rows by fid, and whether its R-tree holds exactly those fids with boxes that contain
    each point (tools round the 32-bit boxes outwards by different amounts, so the boxes
    themselves are not compared)."""
    import sqlite3
    import struct

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute(f'SELECT fid, name, vehicle_type, ports, operator, scan_to_pay, geom FROM "{table}" ORDER BY fid').fetchall()
    rtree = {r[0]: r[1:] for r in db.execute(f'SELECT id, minx, maxx, miny, maxy FROM "rtree_{table}_geom"')}
    db.close()
    rtree_ok = len(rtree) == len(rows)
    for r in rows:
        blob = r[6]
        flags = blob[3]
        env = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 7]
        x, y = struct.unpack("<dd" if blob[8 + env] == 1 else ">dd", blob[8 + env + 5:8 + env + 21])
        b = rtree.get(r[0])
        if b is None or not (b[0] <= x <= b[1] and b[2] <= y <= b[3]):
            rtree_ok = False
            break
    return [(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bytes(r[6])) for r in rows], rtree_ok


def ogr_count(path, layer, spat):
    """How many features GDAL returns through a spatial filter (`ogrinfo -spat`, features
    listed: GDAL tests each candidate exactly). Not `ogrinfo -so`'s "Feature Count", which is
    the R-tree's count alone and so depends on how far each tool rounded its boxes outwards."""
    out = subprocess.run(["ogrinfo", "-ro", "-q", "-spat", *map(str, spat), path, layer],
                         capture_output=True, text=True, check=True).stdout
    return sum(1 for l in out.splitlines() if l.startswith("OGRFeature("))


class MoreOgr2ogr:
    """GDAL's ogr2ogr, GeoJSON -> GeoPackage, as a user runs it (default settings) or tuned."""

    name = "ogr2ogr"
    extra = []

    def __init__(self, args, work):
        self.geojson, self.work = args.geojson, work
        v = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True).stdout.strip()
        self.version = {"gdal": v}
        self.detail = "import: ogr2ogr -f GPKG out.gpkg in.geojson -nln chargers " + " ".join(self.extra) + " (a new file each run)"

    def import_(self):
        out = os.path.join(self.work, f"{self.name}.gpkg")
        if os.path.exists(out):
            os.remove(out)
        subprocess.run(["ogr2ogr", *self.extra, "-f", "GPKG", out, self.geojson, "-nln", "chargers"], check=True)
        return out


class MoreOgr2ogrTuned(MoreOgr2ogr):
    name = "ogr2ogr_tuned"
    extra = ["-gt", "65536", "--config", "OGR_SQLITE_SYNCHRONOUS", "OFF"]


MORE = {p.name: p for p in (MoreShapely, MoreSpatialite, MorePostgis, MoreOgr2ogr, MoreOgr2ogrTuned)}


def cmd_more(args):
    with open(args.reference) as f:
        ref = json.load(f)
    n = ref["n"]
    ops, checks = {}, {}
    with tempfile.TemporaryDirectory(prefix="wardgis-peers-more-") as work:
        peer = MORE[args.peer](args, work)
        if hasattr(peer, "join") and args.zones:
            rounds = 1 if (peer.name == "spatialite" and n >= 1_000_000) else args.rounds
            res = peer.join()  # the answer, and the warm-up
            check = compare_join(ref["join"], peer.join_answer(res))
            t, _ = timed(peer.join, rounds, warm_up=False) if check == "equal" else (float("nan"), None)
            ops["join"] = {"median_s": t, "runs": rounds, "check": check}
            checks["join"] = check
        if hasattr(peer, "tile") and "tiles" in ref:
            for tref in ref["tiles"]:
                z, x, y = tref["z"], tref["x"], tref["y"]
                got = mvt_feature_ids(peer.tile(z, x, y))
                check = "equal" if got == tref["ids"] else (
                    f"DIFFERENT: {len(got)} points, wardgis {len(tref['ids'])}; "
                    f"{len(set(got) - set(tref['ids']))} only here, {len(set(tref['ids']) - set(got))} only in wardgis's")
                t, data = timed(lambda: peer.tile(z, x, y), 20 * args.rounds)
                ops[f"tile_z{z}"] = {"median_s": t, "tile": f"{z}/{x}/{y}", "points": len(got), "bytes": len(data), "check": check}
                checks[f"tile_z{z}"] = check
        if hasattr(peer, "import_") and "import" in ref:
            out = peer.import_()
            mine, their = gpkg_rows(ref["import"]["project"], "chargers"), gpkg_rows(out, "chargers")
            if mine == their and mine[1]:
                spat = (119.8, 31.3, 119.85, 31.35)
                a, b = ogr_count(ref["import"]["project"], "chargers", spat), ogr_count(out, "chargers", spat)
                check = "equal" if a == b else f"DIFFERENT: GDAL's spatial filter finds {a} in wardgis's file, {b} in its own"
            else:
                rows_equal = mine[0] == their[0]
                check = (f"DIFFERENT: {len(their[0])} features, wardgis {len(mine[0])}; attributes and geometry blobs "
                         f"{'equal' if rows_equal else 'differ'}; R-trees {'fit' if mine[1] and their[1] else 'do not fit'} the points")
            t, _ = timed(peer.import_, args.rounds, warm_up=False)
            ops["import"] = {"median_s": t, "runs": args.rounds, "check": check}
            checks["import"] = check
        if hasattr(peer, "close"):
            peer.close()
    for op, c in checks.items():
        if c != "equal":
            print(f"!!!!! {peer.name} n={n} {op}: {c}", file=sys.stderr)
    result = {"tool": peer.name, "version": peer.version, "detail": peer.detail, "n": n, "rounds": args.rounds, "ops": ops}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({"tool": peer.name, "n": n, "checks": checks}))


# --- the table --------------------------------------------------------------------------

OPS = [("bulk_load", "bulk load into the index"), ("bbox", "bounding box ~1 km x 1 km"),
       ("within_500m", "within 500 m (geodesic)"), ("knn_10", "k nearest, k = 10, metres"),
       ("join", "join: points in 10 000 zones"),
       ("tile_z12", "MVT tile z12, every point"), ("tile_z14", "MVT tile z14, every point"), ("tile_z16", "MVT tile z16, every point"),
       ("tile_z12_thinned", "MVT tile z12, thinned (the map's)"), ("tile_z14_thinned", "MVT tile z14, thinned (the map's)"),
       ("tile_z16_thinned", "MVT tile z16, thinned (the map's)"),
       ("import", "GeoJSON import into a GeoPackage")]
TOOLS = ["wardgis", "sqlite_rtree", "spatialite", "shapely", "postgis", "ogr2ogr", "ogr2ogr_tuned"]


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale * 0.9995 or unit == "µs":
            text = f"{s / scale:.3g}"
            return (f"{s / scale:.2f}" if unit == "s" else text) + " " + unit


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return "?"


def cmd_table(args):
    results = []
    for name in sorted(os.listdir(args.results)):
        if name.endswith(".json") and name.startswith("result-"):
            with open(os.path.join(args.results, name)) as f:
                results.append(json.load(f))
    by = {}
    for r in results:  # a tool's index run and its `more` run, merged
        key = (r["tool"], r["n"])
        if key in by:
            by[key]["ops"].update(r["ops"])
            if isinstance(by[key]["version"], dict) and isinstance(r["version"], dict):
                by[key]["version"].update(r["version"])
            by[key]["detail"] = by[key].get("detail", "") + "; " + r.get("detail", "")
        else:
            by[key] = r
    results = list(by.values())
    sizes = sorted({r["n"] for r in results})
    cpu = next((l.split(":", 1)[1].strip() for l in sh("lscpu").splitlines() if l.startswith("Model name")), "?")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    osname = sh(". /etc/os-release && echo $PRETTY_NAME")
    machine = f"{sh('nproc')} cores (nproc), {cpu} (lscpu model name), {mem:.0f} GiB, {osname}, {sh('rustc --version')}."
    lines = ["# wardgis against its peers", "",
             f"Written by `bash bench/peers/run.sh` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
             "", "Machine: " + machine,
             "", "Times: bulk load = median of several runs after a warm-up; queries = median time of one query "
             "over the 1 024 shared query points x rounds, after a warm-up pass (the mean is in brackets); "
             "join = median of rounds after a warm-up (SpatiaLite at 1M: one run); tiles = median of 20 x rounds calls "
             "after a warm-up; import = median of rounds, each into a new file. "
             "ratio = peer / wardgis (above 1: wardgis faster). Answers are checked against wardgis's before timing; "
             "a row whose answers differ is marked **DIFFERENT**.", ""]
    lines += ["| operation | points | tool | median (mean) | peer ÷ wardgis | answers |", "|---|---|---|---|---|---|"]
    for op, label in OPS:
        for n in sizes:
            w = by.get(("wardgis", n))
            for tool in TOOLS:
                r = by.get((tool, n))
                if not r or op not in r["ops"]:
                    continue
                o = r["ops"][op]
                t = fmt_time(o["median_s"]) + (f" ({fmt_time(o['mean_s'])})" if "mean_s" in o else "")
                wo = w["ops"].get(op) if w else None
                ratio = "" if tool == "wardgis" or not wo else f"{o['median_s'] / wo['median_s']:.1f}×"
                check = "" if tool == "wardgis" else o.get("check", "— (same input)")
                if tool == "wardgis" and "tile" in o:
                    check = f"tile {o['tile']}: {o['points']:,} points, {o['bytes']:,} bytes"
                elif tool == "wardgis" and "pairs" in o:
                    check = f"{o['pairs']:,} (zone, point) pairs"
                if check.startswith("DIFFERENT"):
                    check = "**" + check + "**"
                lines.append(f"| {label} | {n:,} | {tool} | {t} | {ratio} | {check} |")
    lines += ["", "Versions:", ""]
    seen = set()
    for r in sorted(results, key=lambda r: -r["n"]):
        if r["tool"] in seen:
            continue
        seen.add(r["tool"])
        v = r["version"] if isinstance(r["version"], dict) else {"wardgis": r["version"]}
        lines.append(f"- {r['tool']}: " + ", ".join(f"{k} {val}" for k, val in v.items()) + f" — {r.get('detail', '')}")
    lines.append("")
    text = "\n".join(lines)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("more", help="join, tiles and import against wardgis's answers")
    m.add_argument("--peer", required=True, choices=sorted(MORE))
    m.add_argument("--points", required=True)
    m.add_argument("--zones")
    m.add_argument("--attributes")
    m.add_argument("--geojson")
    m.add_argument("--reference", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--rounds", type=int, default=3)
    r = sub.add_parser("run")
    r.add_argument("--peer", required=True, choices=sorted(PEERS))
    r.add_argument("--points", required=True)
    r.add_argument("--queries", required=True)
    r.add_argument("--reference", required=True, help="wardgis's answers (peer_bench's ANSWERS.json)")
    r.add_argument("--out", required=True)
    r.add_argument("--answers-out")
    r.add_argument("--rounds", type=int, default=5)
    r.add_argument("--load-rounds", type=int, default=0)
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--out", required=True)
    a = ap.parse_args()
    {"run": cmd_run, "more": cmd_more, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
