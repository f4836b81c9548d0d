#!/usr/bin/env python3
"""PySAL spopt's maximal covering location model, solved with PuLP's CBC, on an instance
written by gen_instance.py; prints one JSON object.

    python3 spopt_mclp.py INSTANCE_DIR [--time-limit 1800]

Times, each on its own: the cost matrix (scipy's cdist, Euclidean metres), the model
(`MCLP.from_cost_matrix`, which builds the coverage matrix and the PuLP problem), and the
solve (`MCLP.solve(PULP_CBC_CMD(msg=False, timeLimit=...))`: PuLP writes the model, CBC
solves it, PuLP reads the answer back). The coverage is recomputed from the chosen sites
against the coverage matrix, not taken from the solver's objective.

Status: "optimal" when CBC proved its answer; "time limit" when it stopped at the time
limit with an answer (its best bound then read from CBC's log); "no solution" when it
stopped without one. PuLP reports status 1 ("Optimal") in both of the first two cases and
only its `sol_status` tells them apart, so that is what is read here.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import pulp
import spopt
from scipy.spatial.distance import cdist
from spopt.locate import MCLP


def read_instance(directory):
    with open(os.path.join(directory, "instance.json"), encoding="utf-8") as f:
        meta = json.load(f)
    demand = np.loadtxt(os.path.join(directory, "demand.csv"), delimiter=",", skiprows=1, ndmin=2)
    candidates = np.loadtxt(
        os.path.join(directory, "candidates.csv"), delimiter=",", skiprows=1, ndmin=2
    )
    return meta, demand[:, :2], demand[:, 2], candidates


def cbc_log_facts(path):
    """The bound, gap and wall time CBC wrote at the end of its log (None where absent)."""
    facts = {"cbc_bound": None, "cbc_gap": None, "cbc_wall_s": None, "cbc_result": None}
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return facts
    patterns = {
        "cbc_result": r"^Result - (.+)$",
        # The best bound at a stop: "Upper bound" for this maximisation ("Lower bound" and a
        # negated value where CBC minimises), so its size is what is kept.
        "cbc_bound": r"^(?:Upper|Lower) bound:\s+(\S+)",
        "cbc_gap": r"^Gap:\s+(\S+)",
        "cbc_wall_s": r"Wallclock seconds\):\s+(\S+)",
    }
    for key, pattern in patterns.items():
        found = re.findall(pattern, text, flags=re.M)
        if found:
            value = found[-1].strip()
            try:
                facts[key] = float(value)
            except ValueError:
                facts[key] = value
    for key in ("cbc_bound", "cbc_gap"):
        if isinstance(facts[key], float):
            facts[key] = abs(facts[key])
    return facts


def cbc_version(path):
    try:
        out = subprocess.run([path], input="quit\n", capture_output=True, text=True, timeout=30)
        found = re.search(r"Version:\s*(\S+)", out.stdout)
        return found.group(1) if found else None
    except (OSError, subprocess.SubprocessError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance_dir")
    ap.add_argument("--time-limit", type=float, default=1800.0, help="CBC's limit in seconds")
    args = ap.parse_args()

    meta, demand_xy, weights, candidates_xy = read_instance(args.instance_dir)
    radius, p = float(meta["radius_m"]), int(meta["p"])

    t0 = time.perf_counter()
    cost = cdist(demand_xy, candidates_xy)  # Euclidean metres, demand × candidates
    t1 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=p)
    t2 = time.perf_counter()
    log = tempfile.NamedTemporaryFile(prefix="cbc-", suffix=".log", delete=False)
    log.close()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=args.time_limit, logPath=log.name)
    error = None
    try:
        model.solve(solver, results=False)
    except Exception as e:  # spopt raises when PuLP's status is not 1; reported, not hidden
        error = f"{type(e).__name__}: {e}"
    t3 = time.perf_counter()

    sol_status = model.problem.sol_status
    status = {
        pulp.LpSolutionOptimal: "optimal",
        pulp.LpSolutionIntegerFeasible: "time limit",
    }.get(sol_status, "no solution")
    sites = [j for j, x in enumerate(model.fac_vars) if x.varValue is not None and x.varValue > 0.5]
    if status == "no solution":
        coverage = None
    else:
        # spopt's own coverage test: aij = cost <= service_radius.
        reached = (model.aij[:, sites] > 0).any(axis=1) if sites else np.zeros(len(weights), bool)
        coverage = float(weights[reached].sum())
    facts = cbc_log_facts(log.name)
    os.unlink(log.name)

    print(
        json.dumps(
            {
                "side": "spopt",
                "n": int(len(weights)),
                "m": int(len(candidates_xy)),
                "p": p,
                "radius_m": radius,
                "pairs_within_radius": int((cost <= radius).sum()),
                "total_weight": float(weights.sum()),
                "time_matrix_s": t1 - t0,
                "time_model_s": t2 - t1,
                "time_solve_s": t3 - t2,
                "time_total_s": t3 - t0,
                "time_limit_s": args.time_limit,
                "status": status,
                "pulp_status": pulp.LpStatus.get(model.problem.status),
                "error": error,
                "objective": pulp.value(model.problem.objective),
                "coverage": coverage,
                "sites": sites,
                **facts,
                "versions": {
                    "python": sys.version.split()[0],
                    "spopt": spopt.__version__,
                    "pulp": pulp.__version__,
                    "numpy": np.__version__,
                    "cbc": cbc_version(solver.path),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
