"""Benchmark of `qms import-observations`: `python bench/import_observations.py
[--measures 10000] [--periods 100]`.

Makes a fresh database (SQLite in a temporary folder; a new PostgreSQL database on the server of
DATABASE_URL when that is set, dropped afterwards), defines MEASURES measures in one unit (a mix
of I, P, U and C charts, monthly and weekly), writes a CSV of MEASURES x PERIODS observations,
then runs the command in a separate process, as an operator would, and prints rows, seconds and
rows per second. The command's time includes the SPC refresh of every measure (the immediate
task back end runs it before the command ends).

Target (issue 4): 1,000,000 rows (10,000 measures x 100 periods) in at most 60 s on a 2-core
machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# (chart, needs a denominator, direction, target): targets mostly met, as on a real board.
CHARTS = [
    ("i", False, "increase", 40.0),
    ("p", True, "increase", 25.0),
    ("u", True, "decrease", 0.45),
    ("c", False, "decrease", 20.0),
]


def fresh_database(workdir: Path) -> tuple[dict[str, str], callable]:
    """Environment for a new, empty database, and how to remove it afterwards."""
    env = dict(os.environ, QMS_DATA_DIR=str(workdir), TASKS_BACKEND="immediate")
    url = os.environ.get("DATABASE_URL")
    if not url:
        return env, lambda: None
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    name = f"qms_bench_{os.getpid()}"
    server = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    env["DATABASE_URL"] = f"{base}/{name}"

    def drop() -> None:
        with psycopg.connect(**server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env, drop


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qms", *args], env=env, check=True, text=True, capture_output=True
    )


def define_measures(env: dict[str, str], count: int) -> None:
    """The measures, through the bulk path that keeps history (services would full_clean and
    save one at a time: correct, but not what is being measured here)."""
    script = f"""
import django
django.setup()
from simple_history.utils import bulk_create_with_history
from qms.control.models import Measure
from qms.people import services
unit = services.unit_create(by=None, name="Bench Board", code="bench", kind="board")
charts = {CHARTS!r}
measures = [
    Measure(
        unit=unit, name=f"Measure {{k:05d}}", code=f"m-{{k:05d}}", kind="process",
        domain="safe", operational_definition="Benchmark measure.",
        frequency="month" if k % 2 == 0 else "week", chart=charts[k % len(charts)][0],
        direction=charts[k % len(charts)][2], target=charts[k % len(charts)][3],
        multiply=100 if charts[k % len(charts)][0] == "p" else 1,
    )
    for k in range({count})
]
bulk_create_with_history(measures, Measure, batch_size=1000)
"""
    subprocess.run(
        [sys.executable, "-c", script],
        env=dict(env, DJANGO_SETTINGS_MODULE="qms.config.settings"),
        check=True,
    )


def write_csv(path: Path, measures: int, periods: int, seed: int = 2026) -> int:
    rng = np.random.default_rng(seed)
    monthly = [f"{2017 + m // 12}-{m % 12 + 1:02d}" for m in range(periods)]
    first_monday = dt.date(2020, 1, 6)
    weekly = [
        "{}-W{:02d}".format(*(first_monday + dt.timedelta(weeks=w)).isocalendar()[:2])
        for w in range(periods)
    ]
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["measure", "period", "value", "denominator", "note"])
        for k in range(measures):
            chart, needs_denominator, _, _ = CHARTS[k % len(CHARTS)]
            labels = monthly if k % 2 == 0 else weekly
            # One measure in ten improves half way through (a shift in its better direction).
            shift = np.where(np.arange(periods) >= periods // 2, 3.0 * (k % 10 == 0), 0.0)
            if needs_denominator:
                denominators = rng.integers(100, 200, size=periods)
                rate = 0.3 + shift / 100 if chart == "p" else 0.3 - shift / 100
                values = rng.binomial(denominators, rate)
            elif chart == "c":
                denominators = None
                values = rng.poisson(10 - shift)
            else:
                denominators = None
                values = np.round(rng.normal(50 + shift, 5.0), 2)
            code = f"m-{k:05d}"
            for index, label in enumerate(labels):
                denominator = "" if denominators is None else int(denominators[index])
                writer.writerow([code, label, values[index], denominator, ""])
                rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="Run the command under cProfile.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="qms-bench-") as tmp:
        workdir = Path(tmp)
        env, drop = fresh_database(workdir)
        try:
            database = "PostgreSQL" if "DATABASE_URL" in env else "SQLite"
            print(f"database: {database}")
            run(["migrate", "--no-input"], env)
            start = time.perf_counter()
            define_measures(env, args.measures)
            print(f"defined {args.measures:,} measures in {time.perf_counter() - start:.1f} s")
            data = workdir / "observations.csv"
            start = time.perf_counter()
            rows = write_csv(data, args.measures, args.periods)
            size = data.stat().st_size / 1e6
            print(f"wrote {rows:,} rows ({size:.0f} MB) in {time.perf_counter() - start:.1f} s")

            command = ["import-observations", str(data), "--no-progress"]
            if args.profile:
                profile = workdir / "import.prof"
                command = ["-m", "cProfile", "-o", str(profile), "-m", "qms", *command]
            start = time.perf_counter()
            if args.profile:
                done = subprocess.run(
                    [sys.executable, *command], env=env, check=True, text=True, capture_output=True
                )
            else:
                done = run(command, env)
            seconds = time.perf_counter() - start
            print(done.stdout.rstrip())
            print(
                f"import-observations: {rows:,} rows in {seconds:.1f} s "
                f"({rows / seconds:,.0f} rows/s), SPC refresh included"
            )
            if args.profile:
                import pstats

                stats = pstats.Stats(str(profile))
                stats.sort_stats("cumulative").print_stats(40)
        finally:
            drop()


if __name__ == "__main__":
    main()
