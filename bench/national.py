"""National-scale simulation: `python bench/national.py --database-url postgres://.../qms_national`.

Fills a PostgreSQL database with MEASURES measures (default 200,000, over 2,000 wards of a
hundred measures each: c, p, u and XmR charts, monthly) of PERIODS observations each (default
100: 20 million rows), then has WORKERS processes (default 2, one a core) refresh every measure's
SPC results through the product's own path (`qms.control.services.results_refresh`, the function
`qms run-worker` and the refresh task call), taking batches of 2,000 measures from one queue as
several `qms run-worker` processes on several machines would. Prints the wall time, measures and
observation rows refreshed per second, and the peak memory of each worker.

The data is made once and kept (`--rebuild` makes it again); each run marks every result stale
first, so it always measures a full refresh. Use a database of its own: the script creates it
if missing and never touches another. Loopback PostgreSQL only in practice: 20 million rows take
about 2 GB with their indexes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000  # measures per task, as services.results_refresh_in_batches takes them
WARD_SIZE = 100  # measures per ward
CHARTS = ("c", "p", "u", "i")


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
    os.environ.setdefault("QMS_DATA_DIR", str(ROOT / "data" / "national"))
    os.environ["LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    """CREATE DATABASE when it does not exist, through the server's `postgres` database."""
    import psycopg
    from psycopg import sql

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def months(count: int) -> list[dt.date]:
    start = dt.date(2018, 1, 1)
    return [dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
            for k in range(count)]  # fmt: skip


def build(measure_count: int, period_count: int) -> None:
    """Units, measures (bulk, no history: a simulation, not a record) and observations (COPY)."""
    import numpy as np
    from django.db import connection, transaction

    from qms.control.models import Measure, Observation
    from qms.people import services
    from qms.people.models import Unit

    began = time.perf_counter()
    board = Unit.objects.filter(code="nation").first() or services.unit_create(
        by=None, name="National", code="nation", kind="board"
    )
    wards = -(-measure_count // WARD_SIZE)
    have = {u.code: u for u in Unit.objects.filter(code__startswith="ward-")}
    units = [
        have.get(f"ward-{w:05d}")
        or services.unit_create(
            by=None, name=f"Ward {w:05d}", code=f"ward-{w:05d}", kind="ward", parent=board
        )
        for w in range(wards)
    ]
    print(f"  {len(units):,} wards ready in {time.perf_counter() - began:.0f} s", flush=True)

    began = time.perf_counter()
    existing = Measure.objects.count()
    definitions = []
    for k in range(existing, measure_count):
        chart = CHARTS[k % len(CHARTS)]
        definitions.append(
            Measure(
                unit=units[k // WARD_SIZE],
                name=f"Measure {k:06d}",
                code=f"national-{k:06d}",
                kind="outcome",
                domain="safe",
                operational_definition="Simulated for the national-scale benchmark.",
                frequency="month",
                chart=chart,
                direction="decrease" if k % 3 else "increase",
                multiply=100.0 if chart == "p" else 1.0,
            )
        )
    Measure.objects.bulk_create(definitions, batch_size=5000)
    print(f"  {measure_count:,} measures ready in {time.perf_counter() - began:.0f} s", flush=True)

    began = time.perf_counter()
    rng = np.random.default_rng(2026)
    periods = months(period_count)
    table = Observation._meta.db_table
    now = dt.datetime.now(dt.UTC)
    rows = 0
    ids = list(
        Measure.objects.filter(code__startswith="national-")
        .exclude(observations__isnull=False)
        .order_by("pk")
        .values_list("pk", "chart")
    )
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        with transaction.atomic(), connection.cursor() as cursor:
            copy_sql = (
                f"COPY {table} (measure_id, period, value, denominator, note, recorded_at) "
                "FROM STDIN"
            )
            with cursor.connection.cursor().copy(copy_sql) as copy:
                for pk, chart in chunk:
                    for period, value, denominator in _series(rng, chart, period_count):
                        copy.write_row((pk, periods[period], value, denominator, "", now))
                        rows += 1
            Measure.objects.filter(pk__in=[pk for pk, _ in chunk]).update(data_changed_at=now)
        if start % 50_000 == 0:
            print(f"    {start + len(chunk):,} measures' observations", flush=True)
    elapsed = time.perf_counter() - began
    print(f"  {rows:,} observations written in {elapsed:.0f} s", flush=True)


def _series(rng, chart: str, count: int):
    """Realistic values: stable, with a shift after the baseline in a third of the series."""
    shift = 1.3 if rng.random() < 1 / 3 else 1.0
    level = [1.0] * (count // 2) + [shift] * (count - count // 2)
    if chart == "c":
        values = rng.poisson([6.0 * f for f in level])
        return [(k, float(v), None) for k, v in enumerate(values)]
    if chart == "p":
        denominators = rng.integers(80, 160, size=count)
        values = rng.binomial(denominators, [min(0.9, 0.2 * f) for f in level])
        return [
            (k, float(v), float(d))
            for k, (v, d) in enumerate(zip(values, denominators, strict=True))
        ]
    if chart == "u":
        denominators = rng.integers(600, 1200, size=count)
        values = rng.poisson(denominators * [0.005 * f for f in level])
        return [
            (k, float(v), float(d))
            for k, (v, d) in enumerate(zip(values, denominators, strict=True))
        ]
    values = rng.normal([100.0 * f for f in level], 8.0)
    return [(k, round(float(v), 2), None) for k, v in enumerate(values)]


def refresh_worker(batches, done) -> None:
    """One worker process: take batches until the queue is empty (a None)."""
    from django.db import connections

    from qms.control import services

    measures = 0
    began = time.process_time()
    while (batch := batches.get()) is not None:
        services.results_refresh(batch)
        measures += len(batch)
    connections.close_all()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    done.put((os.getpid(), measures, peak_kb / 1024, time.process_time() - began))


def refresh(workers: int) -> tuple[float, list]:
    from django.db import connections

    from qms.control.models import Measure, MeasureResult

    MeasureResult.objects.filter(measure__code__startswith="national-").delete()
    ids = list(
        Measure.objects.filter(code__startswith="national-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    connections.close_all()  # each forked worker opens its own connection
    context = multiprocessing.get_context("fork")
    batches, done = context.Queue(), context.Queue()
    for start in range(0, len(ids), BATCH):
        batches.put(ids[start : start + BATCH])
    for _ in range(workers):
        batches.put(None)
    began = time.perf_counter()
    processes = [
        context.Process(target=refresh_worker, args=(batches, done)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    reports = [done.get() for _ in processes]
    for process in processes:
        process.join()
    return time.perf_counter() - began, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", required=True, help="postgres://.../a_database_of_its_own"
    )
    parser.add_argument("--measures", type=int, default=200_000)
    parser.add_argument("--periods", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="drop and make the data again")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The simulation runs on PostgreSQL: pass a postgres:// URL.")
    if args.rebuild:
        _drop(args.database_url)
    ensure_database(args.database_url)
    setup(args.database_url)
    migrate()

    from qms.control.models import Measure, MeasureResult, Observation, Signal

    have = Measure.objects.filter(code__startswith="national-").count()
    if have < args.measures:
        print(f"Making {args.measures:,} measures x {args.periods} periods (once)...", flush=True)
        build(args.measures, args.periods)
    measures = Measure.objects.filter(code__startswith="national-").count()
    rows = Observation.objects.filter(measure__code__startswith="national-").count()
    print(
        f"Refreshing {measures:,} measures ({rows:,} observations) with {args.workers} worker "
        f"processes, {BATCH:,} measures a batch, on {os.cpu_count()} cores...",
        flush=True,
    )
    wall, reports = refresh(args.workers)
    stored = MeasureResult.objects.filter(
        measure__code__startswith="national-", computed_at__isnull=False
    ).count()
    signals = Signal.objects.filter(measure__code__startswith="national-").count()
    print(f"wall time {wall:.1f} s")
    print(
        f"  {measures / wall:,.0f} measures a second; {rows / wall:,.0f} observation rows a second"
    )
    print(f"  results stored for {stored:,} of {measures:,} measures; {signals:,} open signals")
    for pid, count, peak_mb, cpu in sorted(reports):
        print(f"  worker {pid}: {count:,} measures, CPU {cpu:.0f} s, peak memory {peak_mb:.0f} MB")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores (other work slows the run)")
    sys.exit(0 if stored == measures else 1)


def _drop(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


if __name__ == "__main__":
    main()
