"""How long `qms demo-data` takes: `python bench/demo.py [--runs 1]`.

Makes a throwaway database (SQLite in a temporary folder; a new PostgreSQL database on the
server of DATABASE_URL when that is set, dropped afterwards), migrates it, then builds the demo
as `qms demo-data` does, in one transaction, and prints the time of each builder (the
organisation, quality control's measures, issues, improvement's projects, planning's cycle):
the wall clock and the process's CPU time, which a busy shared machine does not distort. Then
builds it again, which must add nothing, and prints that time too.

Target: the whole demo under 12 s on a fresh SQLite database (it took about 6 s before quality
planning's demo was added).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from improvement import setup  # noqa: E402

TARGET_S = 12.0


def build_once(seed: int) -> list[tuple[str, float, float]]:
    """Each builder's (name, wall seconds, CPU seconds), as `qms demo-data` runs them."""
    from django.db import transaction

    from qms.demo import improvement, issues, measures, organisation, planning

    rng = random.Random(seed)
    steps = [
        ("organisation", lambda: organisation.build(rng)),
        ("measures", lambda: measures.build(rng)),
        ("issues", issues.build),
        ("improvement", improvement.build),
        ("planning", lambda: planning.build(rng)),
    ]
    times = []
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        for name, step in steps:
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            times.append((name, time.perf_counter() - wall, time.process_time() - cpu))
    except BaseException:
        atomic.__exit__(*sys.exc_info())
        raise
    # The commit runs what the services left for it (tasks queued for the worker).
    wall, cpu = time.perf_counter(), time.process_time()
    atomic.__exit__(None, None, None)
    times.append(("commit", time.perf_counter() - wall, time.process_time() - cpu))
    return times


def report(label: str, times: list[tuple[str, float, float]]) -> float:
    total_wall = sum(wall for _, wall, _ in times)
    total_cpu = sum(cpu for _, _, cpu in times)
    print(f"{label}: {total_wall:.1f} s wall, {total_cpu:.1f} s CPU")
    for name, wall, cpu in times:
        print(f"  {name:<13} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    return total_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        drop = setup(Path(workdir))
        try:
            cpu = report("demo built", build_once(args.seed))
            report("built again (adds nothing)", build_once(args.seed))
        finally:
            drop()
    verdict = "within" if cpu <= TARGET_S else "OVER"
    print(f"target: under {TARGET_S:.0f} s: {verdict} (CPU time of the first build)")


if __name__ == "__main__":
    main()
