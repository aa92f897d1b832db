#!/usr/bin/env python3
"""Which estimator of a run's time reproduces best between two results files?

    scripts/estimator-experiment.py FIRST.json SECOND.json [--workloads a,b]

For every run present in both files (same workload, model, parameters and CPUs, valid in
both), each estimator is computed from the counted samples' `elapsed_ns` in each file, and
its movement is |log(second / first)|, printed as a percentage. Per workload and over all,
the script prints the median and the largest movement of each estimator, and which runs
moved most. A shared host only ever slows a run, so the fastest samples may be the stable
ones; a model with two modes (two threads on one core or on two) may not be. This is an
experiment, not a test: docs/methodology.md says how it was used to choose the estimator.
"""

import argparse
import json
import math
import statistics
import sys


def trimmed_mean(xs, cut=0.2):
    """The mean of what is left after dropping `cut` of the samples at each end."""
    xs = sorted(xs)
    k = int(len(xs) * cut)
    kept = xs[k : len(xs) - k] or xs
    return sum(kept) / len(kept)


def low_quantile(xs, q=0.25):
    """The q-quantile by linear interpolation between the closest ranks."""
    xs = sorted(xs)
    pos = q * (len(xs) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


ESTIMATORS = {
    "median": statistics.median,
    "minimum": min,
    "p25": low_quantile,
    "trimmed mean (20%)": trimmed_mean,
}


def runs_of(path, workloads):
    """The valid runs of a results file, by (workload, model, params, cpus, pinned)."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"estimator-experiment: cannot read {path}: {e}")
    out = {}
    for run in data.get("runs", []):
        if not run.get("valid") or (workloads and run["workload"] not in workloads):
            continue
        times = [s["elapsed_ns"] for s in run["samples"] if s.get("exit_code") == 0]
        if len(times) < 2:
            continue
        key = (
            run["workload"],
            run["model"],
            tuple(sorted(run["params"].items())),
            run["cpus"],
            run["pinned"],
        )
        out[key] = times
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--workloads", default="", help="only these (comma-separated)")
    args = parser.parse_args()
    workloads = {w for w in args.workloads.split(",") if w}
    a, b = runs_of(args.first, workloads), runs_of(args.second, workloads)
    common = sorted(set(a) & set(b))
    if not common:
        sys.exit("estimator-experiment: the two files have no valid run in common")
    moves = {}  # estimator -> workload -> [(movement %, key)]
    for key in common:
        for name, est in ESTIMATORS.items():
            x, y = est(a[key]), est(b[key])
            move = abs(math.log(y / x)) * 100 if x > 0 and y > 0 else float("nan")
            moves.setdefault(name, {}).setdefault(key[0], []).append((move, key))
    by_workload = sorted({k[0] for k in common})
    print(f"{len(common)} runs in both files; movement = |log(second/first)| in %")
    header = f"{'workload':<16}" + "".join(f"{n:>26}" for n in ESTIMATORS)
    print(header)
    print(f"{'':<16}" + "".join(f"{'median / max':>26}" for _ in ESTIMATORS))
    for w in by_workload + ["(all)"]:
        cells = []
        for name in ESTIMATORS:
            ms = [
                m
                for wl, xs in moves[name].items()
                if w in ("(all)", wl)
                for m, _ in xs
            ]
            cells.append(f"{statistics.median(ms):>11.1f} / {max(ms):>6.1f}")
        print(f"{w:<16}" + "".join(f"{c:>26}" for c in cells))
    for name in ESTIMATORS:
        worst = max((m for xs in moves[name].values() for m in xs), key=lambda m: m[0])
        (move, (w, model, params, cpus, _)) = worst
        p = " ".join(f"{k}={v}" for k, v in params)
        print(f"worst {name}: {w} {model} {p} ({cpus} CPUs) moved {move:.1f}%")


if __name__ == "__main__":
    main()
