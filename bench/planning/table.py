#!/usr/bin/env python3
"""Checks both sides' answers and writes the results table of the planning benchmark.

    python3 table.py RESULTS_DIR --out results.md --command "bash bench/planning/run.sh ..."

RESULTS_DIR holds, per size NAME, the instance NAME/ (gen_instance.py) and NAME.wardgis.json
and NAME.spopt.json (the two sides' output). Before any number goes into the table, each
side's chosen sites are scored again here from the CSVs alone (numpy, every demand point
against every chosen site, `distance <= radius`): the coverage each side states must be what
its sites cover, and both sides must count the same demand-candidate pairs within the radius
(the same coverage matrix). A mismatch is written into the table and exits with status 3.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

import numpy as np


def rescore(directory, sites, radius):
    """Weighted coverage of `sites`, from the instance's files alone."""
    demand = np.loadtxt(os.path.join(directory, "demand.csv"), delimiter=",", skiprows=1, ndmin=2)
    cand = np.loadtxt(os.path.join(directory, "candidates.csv"), delimiter=",", skiprows=1, ndmin=2)
    hit = np.zeros(len(demand), bool)
    for s in sites:
        d = np.sqrt(((demand[:, :2] - cand[s]) ** 2).sum(axis=1))
        hit |= d <= radius
    return float(demand[hit, 2].sum())


def num(v, digits=0):
    """A number with thin grouping (1 234 567) as the docs write them."""
    return f"{v:,.{digits}f}".replace(",", " ")


def secs(v):
    return f"{v:.4f}" if v < 1 else f"{v:.2f}" if v < 10 else f"{v:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results_dir")
    ap.add_argument("--sizes", default="1k,5k,20k")
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="bash bench/planning/run.sh")
    args = ap.parse_args()

    rows, notes, bad = [], [], False
    versions = None
    for name in args.sizes.split(","):
        inst_dir = os.path.join(args.results_dir, name)
        meta = json.load(open(os.path.join(inst_dir, "instance.json"), encoding="utf-8"))
        w = json.load(open(os.path.join(args.results_dir, f"{name}.wardgis.json"), encoding="utf-8"))
        s = json.load(open(os.path.join(args.results_dir, f"{name}.spopt.json"), encoding="utf-8"))
        versions = s.get("versions", versions)
        radius = meta["radius_m"]
        problems = []
        if w["pairs_within_radius"] != s["pairs_within_radius"]:
            problems.append(
                f"pairs within the radius differ: wardgis {w['pairs_within_radius']}, "
                f"spopt {s['pairs_within_radius']}"
            )
        w_check = rescore(inst_dir, w["sites"], radius)
        if abs(w_check - w["coverage"]) > 1e-6:
            problems.append(f"wardgis states {w['coverage']} but its sites cover {w_check}")
        if len(set(w["sites"])) != meta["p"]:
            problems.append(f"wardgis chose {len(set(w['sites']))} distinct sites, not {meta['p']}")
        s_cov = s["coverage"]
        if s_cov is not None:
            s_check = rescore(inst_dir, s["sites"], radius)
            if abs(s_check - s_cov) > 1e-6:
                problems.append(f"spopt's sites cover {s_check}, not {s_cov}")
            if len(s["sites"]) != meta["p"]:
                problems.append(f"spopt chose {len(s['sites'])} sites, not {meta['p']}")
            if w["upper_bound"] < s_cov - 1e-6:
                problems.append(
                    f"wardgis's upper bound {w['upper_bound']} is below spopt's coverage {s_cov}"
                )
        bad |= bool(problems)
        notes += [f"{name}: {p}" for p in problems]

        total = w["total_weight"]
        gap = 1 - w["coverage"] / w["upper_bound"] if w["upper_bound"] > 0 else 0.0
        if s_cov is None:
            s_cov_text, diff_text = "—", "—"
        else:
            s_cov_text = f"{num(s_cov)} ({100 * s_cov / total:.1f} %)"
            diff_text = f"{100 * (w['coverage'] - s_cov) / s_cov:+.2f} %"
        status = s["status"]
        if status == "time limit" and s.get("cbc_bound"):
            status += f", CBC bound {num(s['cbc_bound'])}"
        elif status != "optimal":
            status += f" ({s['time_limit_s']:.0f} s)"
        ratio = s["time_total_s"] / w["time_total_s"]
        # Solver against solver: CBC's own wall time (its log) against wardgis's solve.
        cbc = s.get("cbc_wall_s")
        cbc_text = secs(cbc) if isinstance(cbc, float) else "—"
        solve_ratio = cbc / w["time_solve_s"] if isinstance(cbc, float) else float("nan")
        rows.append(
            f"| {num(meta['n'])} × {num(meta['m'])} | {meta['p']} | {radius:.0f} m | "
            f"{num(w['pairs_within_radius'])} | "
            f"{secs(w['time_reaches_s'])} + {secs(w['time_solve_s'])} = **{secs(w['time_total_s'])}** | "
            f"{num(w['coverage'])} ({100 * w['coverage'] / total:.1f} %) | "
            f"{100 * gap:.2f} %{' (proven optimal)' if w['proven_optimal'] else ''} | "
            f"{secs(s['time_matrix_s'])} + {secs(s['time_model_s'])} + {secs(s['time_solve_s'])} "
            f"= **{secs(s['time_total_s'])}** | {cbc_text} | {s_cov_text} | {status} | {diff_text} | "
            f"**{ratio:.0f}×** ({solve_ratio:.0f}×) |"
        )

    load = os.getloadavg()
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo", encoding="utf-8")
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# Planning (MCLP): wardgis beside PySAL spopt + PuLP/CBC\n\n")
        f.write(f"Written by `{args.command}` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.\n")
        f.write(
            f"Machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}; load average at the end "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. wardgis: {rustc}, release; "
            f"spopt {versions.get('spopt')}, PuLP {versions.get('pulp')}, CBC {versions.get('cbc')}, "
            f"Python {versions.get('python')}, numpy {versions.get('numpy')}.\n\n"
        )
        f.write(
            "| demand × candidates | p | radius | pairs within radius | wardgis s (reaches + solve) "
            "| wardgis coverage | wardgis proven gap | spopt s (matrix + model + solve) | of which CBC itself "
            "| spopt coverage | spopt status | coverage, wardgis vs spopt | time ratio, whole (solver) |\n"
        )
        f.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
        f.write("\n".join(rows) + "\n\n")
        f.write(
            "Coverage is households within the radius of a chosen site (share of all in brackets). "
            "wardgis's proven gap is 1 − coverage / upper bound: no choice of p sites covers more "
            "than the bound. Times in seconds; wardgis's are the median of its runs; CSV reading is "
            "not counted on either side. spopt's solve is PuLP writing the model, CBC, and PuLP reading "
            "the answer; CBC itself is the wall time CBC's log states. Time ratio: spopt's whole time "
            "over wardgis's, and (in brackets) CBC's own time over wardgis's solve.\n"
        )
        if notes:
            f.write("\n**Checks that failed:**\n\n" + "".join(f"- {n}\n" for n in notes))
        else:
            f.write(
                "\nChecked: both sides count the same demand-candidate pairs within the radius, and "
                "each side's stated coverage equals what its chosen sites cover, rescored from the CSVs.\n"
            )
    print(open(args.out, encoding="utf-8").read())
    sys.exit(3 if bad else 0)


if __name__ == "__main__":
    main()
