"""Benchmark of the SPC engine: `python bench/spc.py [--series 10000] [--points 100]`.

Prints the time to analyse SERIES x POINTS values as I charts with the Making Data Count rules,
Anhøj runs analysis and both icons: through the batch engine (one call, a series column), through
one call per series, and through the Python peers that are installed (see bench/peers.py).
Also the batch engine's peak memory against the size of its input.

Targets (issue 3): 10,000 x 100 in at most 0.3 s on a 2-core machine (aim 0.1 s), using at most
10 times the input's memory.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from qms.stats import analyse

OPTIONS = {"chart": "i", "rules": "mdc", "direction": "increase", "target": 90.0}


def workload(series: int, points: int, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Realistic series: stable noise, with a shift in a third of them and a trend in a tenth."""
    rng = np.random.default_rng(seed)
    values = rng.normal(100.0, 10.0, size=(series, points))
    values[: series // 3, points // 2 :] += 15.0
    values[-series // 10 :, :] += np.linspace(0.0, 30.0, points)
    names = np.repeat(np.array([f"measure-{k:05d}" for k in range(series)], dtype=object), points)
    return values, names


def best_of(repeats: int, run) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    values, names = workload(args.series, args.points)
    y = values.ravel()
    total = y.size
    print(f"workload: {args.series:,} series x {args.points} points = {total:,} values")

    analyse(y[:1000], series=names[:1000], **OPTIONS)  # warm imports and caches
    batch = best_of(args.repeats, lambda: analyse(y, series=names, **OPTIONS))
    print(
        f"batch engine, one call:         {batch:8.3f} s  ({batch / total * 1e6:.3f} s per million)"
    )

    tracemalloc.start()
    analyse(y, series=names, **OPTIONS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    input_bytes = y.nbytes + names.nbytes
    print(
        f"batch engine, peak memory:      {peak / 1e6:8.1f} MB  "
        f"({peak / input_bytes:.1f} x the input's {input_bytes / 1e6:.1f} MB)"
    )

    rows = values.tolist()
    per_series = best_of(1, lambda: [analyse(row, **OPTIONS) for row in rows])
    print(
        f"one call per series:            {per_series:8.3f} s  "
        f"({per_series / total * 1e6:.3f} s per million)"
    )

    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from peers import available_peers
    except ImportError:
        available_peers = dict
    peers = available_peers()
    if not peers:
        print("peers: none installed (pip install pycontrolcharts clinical-qikit to compare)")
    sample = values[: max(1, min(args.series, 200))]
    for name, run in peers.items():
        seconds = best_of(1, lambda run=run: run(sample))
        per_million = seconds / sample.size * 1e6
        print(
            f"{name + ':':<31} {seconds:8.3f} s for {sample.size:,} values "
            f"({per_million:.2f} s per million)"
        )


if __name__ == "__main__":
    main()
