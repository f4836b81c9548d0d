#!/usr/bin/env bash
# wardgis against its peers (issue 6): index queries, point-in-polygon join, MVT tiles, import.
#
#   bash bench/peers/run.sh [--sizes 10k,100k,1M] [--rounds 3] [--peers sqlite_rtree,spatialite,shapely,postgis,ogr2ogr]
#
# 1. installs the peers on first use, skipping what is there: Debian's sqlite3,
#    libsqlite3-mod-spatialite, gdal-bin, postgresql-15-postgis-3 and python3-psycopg2
#    (apt-get, as root or through sudo), shapely>=2 and numpy (pip, into $PYTHON, default
#    python3); PostgreSQL is started on 127.0.0.1:$WARDGIS_PG_PORT (default 54329) in a
#    temporary data directory and stopped (and the directory removed) when the script ends;
# 2. builds wardgis's side (core/examples/peer_data.rs, peer_bench.rs) in release;
# 3. writes the shared seeded data (the points of core/benches/common, the 1 024 query points
#    of core/benches/index.rs, the 10 000 zones, the points as a chargers GeoJSON) under
#    $WARDGIS_PEER_DATA (default target/peer-data);
# 4. runs wardgis, then every peer on the same data; each peer's answers are checked against
#    wardgis's (ids, distances, zone members, tile feature ids, imported rows) before it is timed;
# 5. writes bench/peers/results.md and prints it.
#
# Exit status 3 when any peer's answers differ from wardgis's (the table marks those rows).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=${WARDGIS_PEER_DATA:-$ROOT/target/peer-data}
PYTHON=${PYTHON:-python3}
SIZES=10k,100k,1M
ROUNDS=3
PEERS=sqlite_rtree,spatialite,shapely,postgis,ogr2ogr
PG_PORT=${WARDGIS_PG_PORT:-54329}

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (expected --sizes LIST, --rounds N, --peers LIST)" >&2; exit 2 ;;
  esac
done

# 10k -> 10000, 1M -> 1000000
to_number() {
  case "$1" in
    *[kK]) echo $(( ${1%[kK]} * 1000 )) ;;
    *[mM]) echo $(( ${1%[mM]} * 1000000 )) ;;
    *[!0-9]*|'') echo "run.sh: size '$1' is not a number like 10000, 10k or 1M" >&2; exit 2 ;;
    *) echo "$1" ;;
  esac
}
NS=()
IFS=',' read -ra RAW <<< "$SIZES"
for s in "${RAW[@]}"; do NS+=("$(to_number "$s")"); done
NS_CSV=$(IFS=,; echo "${NS[*]}")

say() { printf '\n== %s\n' "$*" >&2; }

# --- 1. peers ----------------------------------------------------------------------------
say "peers: checking what is installed"
missing=()
want=(sqlite3 libsqlite3-mod-spatialite python3)
case ",$PEERS," in *,ogr2ogr,*) want+=(gdal-bin) ;; esac
case ",$PEERS," in *,postgis,*) want+=(postgresql-15-postgis-3 python3-psycopg2) ;; esac
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else
    echo "run.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if ! "$PYTHON" -c 'import shapely, numpy, sys; sys.exit(int(shapely.__version__.split(".")[0]) < 2)' 2>/dev/null; then
  say "installing shapely>=2 and numpy with pip into $PYTHON"
  "$PYTHON" -m pip install --quiet 'shapely>=2' numpy
fi
# The SQLite peers need a Python whose sqlite3 module can load extensions (pyenv's usually
# cannot): Debian's own /usr/bin/python3 against Debian's libsqlite3, else $PYTHON.
SQLITE_PY=
for py in /usr/bin/python3 "$PYTHON"; do
  if "$py" -c 'import sqlite3; sqlite3.connect(":memory:").enable_load_extension(True)' 2>/dev/null; then SQLITE_PY=$py; break; fi
done
if [ -z "$SQLITE_PY" ]; then echo "run.sh: no Python whose sqlite3 can load extensions (need Debian's python3)" >&2; exit 1; fi

# PostgreSQL + PostGIS: a throw-away server on loopback, stopped when this script exits.
PG_PY=
case ",$PEERS," in *,postgis,*)
  for py in /usr/bin/python3 "$PYTHON"; do
    if "$py" -c 'import psycopg2' 2>/dev/null; then PG_PY=$py; break; fi
  done
  if [ -z "$PG_PY" ]; then echo "run.sh: no Python with psycopg2 (Debian's python3-psycopg2)" >&2; exit 1; fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_DIR=$(mktemp -d /tmp/wardgis-peers-pg.XXXXXX)
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
  stop_pg() {
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  }
  trap stop_pg EXIT
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT in $PG_DIR"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c shared_buffers=512MB" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; exit 1; }
  export WARDGIS_PG_DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
  ;;
esac

# --- 2. wardgis --------------------------------------------------------------------------
say "building wardgis's side (release)"
(cd "$ROOT" && cargo build --release --quiet -p wardgis --example peer_data --example peer_bench)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/examples

# --- 3. data -----------------------------------------------------------------------------
say "writing the shared data to $DATA"
"$BIN/peer_data" "$DATA" --sizes "$NS_CSV"
RESULTS=$DATA/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# --- 4. runs -----------------------------------------------------------------------------
differ=0
for n in "${NS[@]}"; do
  say "wardgis, $n points"
  "$BIN/peer_bench" "$DATA/points-$n.csv" "$DATA/queries.csv" "$RESULTS/answers-wardgis-$n.json" \
    --rounds "$ROUNDS" --zones "$DATA/zones.csv" --import "$DATA/chargers-$n.geojson" \
    --project "$DATA/project-$n.gpkg" > "$RESULTS/result-wardgis-$n.json"
  IFS=',' read -ra PS <<< "$PEERS"
  for peer in "${PS[@]}"; do
    case "$peer" in
      sqlite_rtree|spatialite|ogr2ogr) py=$SQLITE_PY ;;
      postgis) py=$PG_PY ;;
      *) py=$PYTHON ;;
    esac
    # The index queries (not for ogr2ogr, which has none).
    if [ "$peer" != ogr2ogr ]; then
      say "$peer, $n points: index queries"
      "$py" "$HERE/peers.py" run --peer "$peer" --points "$DATA/points-$n.csv" --queries "$DATA/queries.csv" \
        --reference "$RESULTS/answers-wardgis-$n.json" --out "$RESULTS/result-$peer-$n.json" --rounds "$ROUNDS"
      if grep -q DIFFERENT "$RESULTS/result-$peer-$n.json"; then differ=1; fi
    fi
    # Join, tiles, import: what each peer does of them (SQLite's bare R*Tree has no polygon test).
    case "$peer" in
      shapely|spatialite|postgis) more=("$peer") ;;
      ogr2ogr) more=(ogr2ogr ogr2ogr_tuned) ;;
      *) more=() ;;
    esac
    for m in "${more[@]}"; do
      say "$m, $n points: join, tiles, import"
      "$py" "$HERE/peers.py" more --peer "$m" --points "$DATA/points-$n.csv" --zones "$DATA/zones.csv" \
        --attributes "$DATA/attributes-$n.csv" --geojson "$DATA/chargers-$n.geojson" \
        --reference "$RESULTS/answers-wardgis-$n.json" --out "$RESULTS/result-$m-$n-more.json" --rounds "$ROUNDS"
      if grep -q DIFFERENT "$RESULTS/result-$m-$n-more.json"; then differ=1; fi
    done
  done
done

# --- 5. table ----------------------------------------------------------------------------
say "results"
"$PYTHON" "$HERE/peers.py" table --results "$RESULTS" --out "$HERE/results.md"
if [ $differ = 1 ]; then
  printf '\n!!!!!!!!!! SOME PEER ANSWERS DIFFER FROM WARDGIS (rows marked DIFFERENT above) !!!!!!!!!!\n' >&2
  exit 3
fi
