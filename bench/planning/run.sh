#!/usr/bin/env bash
# The maximal covering location model: wardgis (planning::mclp) beside PySAL spopt's MIP
# solved with PuLP's CBC, on the same seeded instances (issue 14). A long run, NOT part of CI:
# it installs spopt from PyPI and can take over an hour at the largest size.
#
#   bash bench/planning/run.sh [--sizes 1k,5k,20k] [--time-limit 1800] [--runs 3]
#
# 1. makes a venv ($PLANNING_VENV, default target/planning-venv) and installs spopt and pulp
#    into it (PuLP ships the CBC binary), unless they are there already;
# 2. writes the instances (gen_instance.py): 1k = 1 000 demand × 100 candidates, 5k = 5 000 ×
#    300, 20k = 20 000 × 1 000; p a tenth of the candidates, radius 500 m; under $PLANNING_OUT
#    (default target/planning-bench);
# 3. per size, wardgis's side in release (core/benches/planning.rs, median of --runs runs) then
#    spopt's (spopt_mclp.py, CBC stopped at --time-limit seconds);
# 4. checks both answers from the CSVs and writes bench/planning/results.md (table.py).
#
# Exit status 3 when a check fails (the table says which).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${PLANNING_VENV:-$ROOT/target/planning-venv}
OUT=${PLANNING_OUT:-$ROOT/target/planning-bench}
SIZES=1k,5k,20k
TIME_LIMIT=1800
RUNS=3
ARGS="$*"

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift 2 ;;
    --time-limit) TIME_LIMIT=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (expected --sizes LIST, --time-limit S, --runs N)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*" >&2; }

if ! "$VENV/bin/python" -c 'import spopt, pulp, scipy' 2>/dev/null; then
  say "installing spopt and pulp into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet spopt pulp
fi
PY=$VENV/bin/python

say "building wardgis's side (release)"
(cd "$ROOT" && cargo bench --quiet -p wardgis --bench planning --no-run)

mkdir -p "$OUT"
IFS=',' read -ra NAMES <<< "$SIZES"
for name in "${NAMES[@]}"; do
  case "$name" in
    1k) n=1000; m=100 ;;
    5k) n=5000; m=300 ;;
    20k) n=20000; m=1000 ;;
    *) echo "run.sh: size '$name' is not one of 1k, 5k, 20k" >&2; exit 2 ;;
  esac
  say "$name: instance $n × $m"
  "$PY" "$HERE/gen_instance.py" "$OUT/$name" --demand "$n" --candidates "$m" >&2
  say "$name: wardgis, $RUNS run(s)"
  (cd "$ROOT" && WARDGIS_MCLP_RUNS=$RUNS cargo bench --quiet -p wardgis --bench planning -- "$OUT/$name") \
    > "$OUT/$name.wardgis.json"
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); t,c,b=d["time_total_s"],d["coverage"],d["upper_bound"]; print(f"wardgis: {t:.3f} s, coverage {c:.0f}, bound {b:.1f}", file=sys.stderr)' "$OUT/$name.wardgis.json"
  say "$name: spopt + CBC (time limit $TIME_LIMIT s)"
  "$PY" "$HERE/spopt_mclp.py" "$OUT/$name" --time-limit "$TIME_LIMIT" > "$OUT/$name.spopt.json"
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); t,s,c=d["time_total_s"],d["status"],d["coverage"]; print(f"spopt: {t:.1f} s, {s}, coverage {c}", file=sys.stderr)' "$OUT/$name.spopt.json"
done

say "checking and writing bench/planning/results.md"
"$PY" "$HERE/table.py" "$OUT" --sizes "$SIZES" --out "$HERE/results.md" \
  --command "bash bench/planning/run.sh${ARGS:+ $ARGS}"
