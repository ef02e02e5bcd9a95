"""Time of the bright spots finder: `python bench/bright_spots.py [--measures 2000]
[--repeats 5]`.

Makes a throwaway database (SQLite in a temporary folder; a new PostgreSQL database on the
server of DATABASE_URL when that is set, dropped afterwards) with a board of 5 divisions and 50
wards and MEASURES monthly measures over four years, their SPC results computed by quality
control's own refresh: a third improve by a step two years ago (a sustained improvement to
find), a third get worse, a third stay as they were. Then runs `bright_spots_find` (the
nightly run, everywhere) REPEATS times and prints the median wall and CPU time and the queries
of one run. The first run raises the candidates; the later ones find them open (the steady
nightly case)."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from improvement import setup  # noqa: E402
from planning import DIVISIONS, WARDS_PER_DIVISION  # noqa: E402

MONTHS = 48
STEP_AT = 24


def board(measure_count: int) -> None:
    import numpy as np

    from qms.control import services
    from qms.control.models import Measure, Observation
    from qms.people import services as people
    from qms.people.roles import Role

    top = people.unit_create(by=None, name="Bench Board", code="bench", kind="board")
    wards = []
    for d in range(DIVISIONS):
        division = people.unit_create(
            by=None, name=f"Division {d + 1}", code=f"bench-d{d + 1}", kind="division", parent=top
        )
        wards += [
            people.unit_create(
                by=None,
                name=f"Ward {d + 1}.{w + 1}",
                code=f"bench-d{d + 1}-w{w + 1}",
                kind="ward",
                parent=division,
            )
            for w in range(WARDS_PER_DIVISION)
        ]
    lead = people.person_create(by=None, username="bench-quality", display_name="Quality")
    people.membership_add(by=None, person=lead, unit=top, role=Role.QUALITY_LEAD)
    made = Measure.objects.bulk_create(
        Measure(
            unit=wards[k % len(wards)],
            name=f"Measure {k:05d}",
            code=f"bench-{k:05d}",
            kind="outcome",
            domain="safe",
            operational_definition="Benchmark measure.",
            frequency="month",
            chart="p",
            direction="increase",
            multiply=100,
            unit_label="%",
        )
        for k in range(measure_count)
    )
    rng = np.random.default_rng(2026)
    periods = [dt.date(2022 + m // 12, m % 12 + 1, 1) for m in range(MONTHS)]
    rows = []
    for k, measure in enumerate(made):
        level = rng.uniform(0.5, 0.8)
        after = {0: level + 0.12, 1: level - 0.12, 2: level}[k % 3]
        levels = [level] * STEP_AT + [after] * (MONTHS - STEP_AT)
        values = rng.binomial(80, levels).astype(float)
        rows += [
            Observation(measure=measure, period=p, value=v, denominator=80.0)
            for p, v in zip(periods, values, strict=True)
        ]
    Observation.objects.bulk_create(rows, batch_size=5000)
    services.results_refresh_in_batches(Measure.objects.filter(code__startswith="bench-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        drop = setup(Path(workdir))
        try:
            started = time.perf_counter()
            board(args.measures)
            took = time.perf_counter() - started
            print(f"{args.measures:,} measures with results in {took:.0f} s")
            run(args.repeats)
        finally:
            drop()


def run(repeats: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qms.learning.services.bright_spots import bright_spots_find

    walls, cpus = [], []
    for index in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            result = bright_spots_find()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        print(
            f"  run {index + 1}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU, "
            f"{len(queries)} queries; {result.findings} findings, {len(result.raised)} new, "
            f"{result.refreshed} brought up to date"
        )
    steady_wall = statistics.median(walls[1:] or walls)
    steady_cpu = statistics.median(cpus[1:] or cpus)
    print(f"Steady nightly run: median {steady_wall:.2f} s wall, {steady_cpu:.2f} s CPU.")


if __name__ == "__main__":
    main()
