#!/usr/bin/env python3
"""Writes a seeded maximal-covering instance for the planning benchmark (issue 14).

    python3 gen_instance.py OUT_DIR --demand 5000 --candidates 300 [--p 30] [--radius 500] [--seed 14]

OUT_DIR gets three files, read by both sides of the benchmark:

- demand.csv      x_m,y_m,weight  (one residential building or block a row; weight = households)
- candidates.csv  x_m,y_m         (one possible site a row)
- instance.json   n, m, p, radius_m, side_m, seed

Coordinates are planar metres rounded to whole metres, so a squared distance is an exact
integer in a double and "distance <= radius" gives the same answer on both sides whichever
way it is computed (sqrt then compare, or squared compare).

The city: a square whose side grows with the demand (4 km for 1 000 points, so the density
stays that of one subdistrict as the city grows), 85 % of the buildings in Gaussian clusters
(residential estates of varying size and spread), 15 % scattered; households per building
log-normal around 40. Candidates are like parking lots and public land: 60 % next to
housing (a building's position plus a few hundred metres), 40 % anywhere.
"""

import argparse
import json
import math
import os

import numpy as np


def generate(n: int, m: int, seed: int):
    rng = np.random.default_rng(seed)
    side = 4000.0 * math.sqrt(n / 1000.0)
    k = max(1, n // 50)
    centres = rng.uniform(0.1 * side, 0.9 * side, size=(k, 2))
    spread = rng.uniform(100.0, 350.0, size=k)
    # Estates differ in size: a cluster is chosen in proportion to a log-normal draw.
    size = rng.lognormal(0.0, 0.8, size=k)
    size /= size.sum()

    clustered = rng.random(n) < 0.85
    which = rng.choice(k, size=n, p=size)
    demand = np.where(
        clustered[:, None],
        centres[which] + rng.normal(size=(n, 2)) * spread[which][:, None],
        rng.uniform(0.0, side, size=(n, 2)),
    )
    demand = np.clip(np.rint(demand), 0, side)
    weights = np.maximum(1, np.rint(rng.lognormal(math.log(40.0), 0.7, size=n))).astype(int)

    near = rng.random(m) < 0.6
    anchor = demand[rng.integers(0, n, size=m)]
    candidates = np.where(
        near[:, None],
        anchor + rng.normal(size=(m, 2)) * 200.0,
        rng.uniform(0.0, side, size=(m, 2)),
    )
    candidates = np.clip(np.rint(candidates), 0, side)
    return side, demand.astype(int), weights, candidates.astype(int)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--demand", type=int, required=True, help="number of demand points")
    ap.add_argument("--candidates", type=int, required=True, help="number of candidate sites")
    ap.add_argument("--p", type=int, help="sites to choose (default: a tenth of the candidates)")
    ap.add_argument("--radius", type=float, default=500.0, help="service radius in metres")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    p = args.p if args.p is not None else max(1, args.candidates // 10)

    side, demand, weights, candidates = generate(args.demand, args.candidates, args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "demand.csv"), "w", encoding="utf-8") as f:
        f.write("x_m,y_m,weight\n")
        for (x, y), w in zip(demand, weights):
            f.write(f"{x},{y},{w}\n")
    with open(os.path.join(args.out_dir, "candidates.csv"), "w", encoding="utf-8") as f:
        f.write("x_m,y_m\n")
        for x, y in candidates:
            f.write(f"{x},{y}\n")
    meta = {
        "n": args.demand,
        "m": args.candidates,
        "p": p,
        "radius_m": args.radius,
        "side_m": side,
        "seed": args.seed,
    }
    with open(os.path.join(args.out_dir, "instance.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
