#!/usr/bin/env bash
# Ward maps: `wardgis print --all` against QGIS's atlas export of the same layers (issue 13).
# Not part of CI: it needs QGIS (Debian's python3-qgis, ~1 GB). See bench/print/README.md.
#
#   bench/print/run.sh [RUNS]          (default 3 runs of each)
#
# Environment: WARDGIS (default target/release/wardgis), OUT (default a new temp directory),
# QGIS_PYTHON (default /usr/bin/python3, the Python PyQGIS is built for).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-3}
wardgis=${WARDGIS:-target/release/wardgis}
qgis_python=${QGIS_PYTHON:-/usr/bin/python3}
out=${OUT:-$(mktemp -d -t wardgis-print-bench.XXXXXX)}
mkdir -p "$out"

for tool in pdfinfo pdffonts pdftotext gdalinfo; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (poppler-utils, gdal-bin)" >&2; exit 1; }
done
[ -x "$wardgis" ] || { echo "run.sh: no wardgis at $wardgis; build it (cargo build --release -p wardgis-cli) or set WARDGIS" >&2; exit 1; }
"$qgis_python" -c 'import qgis.core' 2>/dev/null \
    || { echo "run.sh: $qgis_python cannot import qgis.core; apt-get install --no-install-recommends python3-qgis" >&2; exit 1; }

rm -f "$out/demo.gpkg"
"$wardgis" demo "$out/demo.gpkg" >/dev/null 2>&1
results="$out/results.tsv"
: >"$results"

now() { date +%s.%N; }

# wardgis: its own report ("printed N ward(s), P page(s), in S s (X s a page)") and the
# process's wall time (start-up and project opening included).
for i in $(seq "$runs"); do
    t0=$(now)
    "$wardgis" print "$out/demo.gpkg" --all --out "$out/wardgis-$i.pdf" 2>"$out/wardgis-$i.log"
    t1=$(now)
    line=$(grep -E '^printed [0-9]+ ward' "$out/wardgis-$i.log") \
        || { echo "run.sh: wardgis printed no summary line:" >&2; cat "$out/wardgis-$i.log" >&2; exit 1; }
    read -r wards pages secs < <(sed -E 's/^printed ([0-9]+) ward\(s\), ([0-9]+) page\(s\), in ([0-9.]+) s.*/\1 \2 \3/' <<<"$line")
    printf 'wardgis print --all\t%s\t%s\t%s\t%s\t%s\n' "$i" "$wards" "$pages" "$secs" "$(echo "$t1 - $t0" | bc)" >>"$results"
done

# QGIS: the export call alone and the whole script (QGIS start-up, project, layout, export).
for variant in table maps; do
    flag=""; name="QGIS atlas, map + facility table"
    [ "$variant" = maps ] && { flag="--no-table"; name="QGIS atlas, map only"; }
    for i in $(seq "$runs"); do
        pdf="$out/qgis-$variant-$i.pdf"
        json=$(QT_QPA_PLATFORM=offscreen "$qgis_python" "$here/qgis_atlas.py" $flag "$out/demo.gpkg" "$pdf" 2>"$out/qgis-$variant-$i.log") \
            || { echo "run.sh: the QGIS atlas failed:" >&2; cat "$out/qgis-$variant-$i.log" >&2; exit 1; }
        pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
        "$qgis_python" -c 'import json,sys; d=json.loads(sys.argv[1]); print(sys.argv[2], sys.argv[3], d["wards"], sys.argv[4], d["export_s"], d["total_s"], sep="\t")' \
            "$json" "$name" "$i" "$pages" >>"$results"
    done
done

echo "runs: $runs; outputs in $out"
echo
"$qgis_python" - "$results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1], encoding="utf-8"):
    name, _, wards, pages, export_s, total_s = line.rstrip("\n").split("\t")
    rows.setdefault(name, []).append((int(wards), int(pages), float(export_s), float(total_s)))
print("| run | wards | pages | median export s | median s a page | median s a ward | median whole process s |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, r in rows.items():
    wards, pages = r[0][0], r[0][1]
    export = statistics.median(x[2] for x in r)
    total = statistics.median(x[3] for x in r)
    print(f"| {name} | {wards} | {pages} | {export:.2f} | {export / pages:.3f} | {export / wards:.3f} | {total:.2f} |")
EOF

# What each PDF holds, checked with independent tools.
echo
names=$("$qgis_python" -c 'import sqlite3,sys; print("\n".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select name from communities")))' "$out/demo.gpkg")
count=$(wc -l <<<"$names")
echo "| file | pages | bytes | fonts (embedded) | ward names pdftotext finds (of $count) | CJK radicals in its text | page 1 geotransform (gdalinfo) |"
echo "|---|---:|---:|---|---:|---:|---|"
for pdf in "$out/wardgis-1.pdf" "$out/qgis-table-1.pdf" "$out/qgis-maps-1.pdf"; do
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    bytes=$(stat -c %s "$pdf")
    fonts=$(pdffonts "$pdf" | awk 'NR > 2 {print $1 " (" $(NF-4) ")"}' | sort -u | paste -sd, -)
    text=$(pdftotext "$pdf" -)
    wards=$(grep -cFx -f <(echo "$names") <(grep -oF -f <(echo "$names") <<<"$text" | sort -u) || true)
    # Kangxi radicals and the CJK radicals supplement (U+2E80–U+2FDF): glyphs whose text
    # maps back to the radical rather than the ideograph (广 comes out as ⼴).
    radicals=$("$qgis_python" -c 'import sys; print(sum(0x2E80 <= ord(c) <= 0x2FDF for c in sys.stdin.read()))' <<<"$text")
    origin=$(gdalinfo "PDF:1:$pdf" 2>/dev/null | sed -n 's/^Origin = //p')
    echo "| $(basename "$pdf") | $pages | $bytes | $fonts | $wards | $radicals | ${origin:-none} |"
done
