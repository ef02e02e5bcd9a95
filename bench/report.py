"""Benchmark of the integrated quality report and the huddle board: `python bench/report.py`.

Builds (or reuses) the demo board as `qms demo-data` makes it (qms.demo: units, people and about
150 measures with 2-3 years of data and stored SPC results), adds synthetic measures when
--measures asks for more than that, then prints the server time of the pages in-process
(django.test.Client: middleware, queries, templates; no network), the median of --requests
requests after a warm-up.

The database is DATABASE_URL when set (PostgreSQL in CI), otherwise a SQLite file of its own,
data/bench-report.sqlite3, so the demo database is left alone. Running again reuses what is
there; --measures adds measures up to that number (e.g. 3000 for a large organisation).

Target (issue 4): the integrated report for the whole demo board in at most 300 ms.

    python bench/report.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench python bench/report.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

TARGET_MS = 300.0
ROOT = Path(__file__).resolve().parent.parent

# (name, kind, domain, chart, direction, unit label, multiply, target, frequency, base, spread)
# base and spread: for p charts the proportion and denominator, for u the rate per bed day and
# the bed days, for i the mean and standard deviation.
TEMPLATES = [
    ("Falls per 1,000 occupied bed days", "outcome", "safe", "u", "decrease",
     " per 1,000 bed days", 1000, 5.0, "month", 0.0055, 800),
    ("Pressure ulcers (category 2+) per 1,000 bed days", "outcome", "safe", "u", "decrease",
     " per 1,000 bed days", 1000, 1.0, "month", 0.0012, 800),
    ("Hand hygiene compliance", "process", "safe", "p", "increase", "%", 100, 95.0, "week",
     0.93, 40),
    ("Early warning scores completed on time", "process", "safe", "p", "increase", "%", 100,
     95.0, "month", 0.91, 120),
    ("Medicines reconciled within 24 hours", "process", "effective", "p", "increase", "%", 100,
     80.0, "month", 0.78, 60),
    ("Discharges before noon", "process", "efficient", "p", "increase", "%", 100, 40.0,
     "month", 0.30, 90),
    ("Patients who would recommend us", "outcome", "person_centred", "p", "increase", "%", 100,
     90.0, "month", 0.92, 50),
    ("Staff sickness absence", "balancing", "efficient", "i", "decrease", "%", 1, 4.0, "month",
     5.0, 0.7),
    ("Average length of stay", "outcome", "efficient", "i", "decrease", " days", 1, None,
     "month", 6.5, 0.6),
    ("Minutes to first assessment", "process", "timely", "i", "decrease", " min", 1, 15.0,
     "week", 14.0, 3.0),
    ("Interpreter offered when needed", "process", "equitable", "p", "increase", "%", 100,
     95.0, "month", 0.88, 20),
    ("Care plans reviewed with the person", "process", "person_centred", "p", "increase", "%",
     100, None, "month", 0.70, 30),
    ("Emergency admissions", "structure", "efficient", "i", "neutral", "", 1, None, "week",
     120.0, 12.0),
]  # fmt: skip
# How far the target sits from the process, in standard deviations on the good side: well
# inside the limits (pass), between them (hit or miss), beyond them on the wrong side (fail).
TARGET_PLACES = {"pass": -4.0, "hit_or_miss": 0.5, "hit_or_miss_2": -1.0, "fail": 4.0}
PATTERNS = ["stable", "stable", "shift_worse", "shift_better", "trend_better", "seasonal",
            "outlier", "improved_after_change"]  # fmt: skip


def configure(database_url: str | None) -> str:
    """Point Django at the benchmark's database before it starts."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.test_settings")
    url = database_url or os.environ.get("DATABASE_URL")
    if not url:
        (ROOT / "data").mkdir(exist_ok=True)
        url = f"sqlite:///{ROOT / 'data' / 'bench-report.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no per-request or per-task log lines
    import django

    django.setup()
    return url


def _periods(frequency: str, count: int) -> list[dt.date]:
    end = dt.date(2025, 12, 1) if frequency == "month" else dt.date(2025, 12, 29)
    if frequency == "week":
        return [end - dt.timedelta(weeks=count - 1 - k) for k in range(count)]
    periods, year, month = [], end.year, end.month
    for _ in range(count):
        periods.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return periods[::-1]


def _series(rng: random.Random, template, pattern: str, count: int):
    """(value, denominator) pairs with the pattern's behaviour, on the template's scale."""
    chart, direction, base, spread = template[3], template[4], template[9], template[10]
    better = 1 if direction == "increase" else -1
    rows = []
    for k in range(count):
        late = k >= count - 9
        effect = 0.0
        if pattern == "shift_worse" and late:
            effect = -0.25 * better
        elif pattern == "shift_better" and late:
            effect = 0.25 * better
        elif pattern == "trend_better" and k >= count - 8:
            effect = 0.04 * better * (k - (count - 9))
        elif pattern == "seasonal":
            effect = 0.12 * (1 if k % 12 in (0, 1, 11) else 0) * -better
        elif pattern == "outlier" and k == count - 1:
            effect = -0.6 * better
        elif pattern == "improved_after_change" and k >= count // 2:
            effect = 0.2 * better
        if chart == "p":
            n = max(5, int(rng.gauss(spread, spread * 0.1)))
            p = min(0.995, max(0.005, base + 1.5 * effect * min(base, 1 - base)))
            rows.append((float(sum(rng.random() < p for _ in range(n))), float(n)))
        elif chart == "u":
            n = max(100.0, rng.gauss(spread, spread * 0.08))
            rate = max(0.0001, base * (1 + 1.5 * effect))
            mean = rate * n
            # A Poisson count by inversion (small means), without numpy.
            limit, value, product = pow(2.718281828, -mean), 0, rng.random()
            while product > limit:
                value += 1
                product *= rng.random()
            rows.append((float(value), round(n, 1)))
        else:
            rows.append((round(rng.gauss(base * (1 + effect), spread), 2), None))
    return rows


def _target(rng: random.Random, template) -> float | None:
    """A target that the process will meet, miss, or meet at random (MDC assurance)."""
    chart, direction, multiply, target, base, spread = (
        template[3], template[4], template[6], template[7], template[9], template[10]
    )  # fmt: skip
    if target is None or direction == "neutral":
        return None
    if chart == "p":
        sd = (base * (1 - base) / spread) ** 0.5
    elif chart == "u":
        sd = (base / spread) ** 0.5
    else:
        sd = spread
    place = TARGET_PLACES[rng.choice(list(TARGET_PLACES))]
    better = 1 if direction == "increase" else -1
    value = (base + better * place * sd) * multiply
    if chart == "p":
        value = min(100.0, max(0.0, value))
    return round(max(0.0, value), 1)


def build(target_measures: int, seed: int = 2026) -> int:
    """The demo board with at least `target_measures` active measures and results: the demo's
    own measures first, then synthetic ones (TEMPLATES, PATTERNS) to make up the number."""
    from django.db import transaction
    from django.db.models import Q

    from qms.control import services
    from qms.control.models import (
        Escalation,
        Measure,
        Signal,
        SignalKind,
        SignalStatus,
    )
    from qms.demo import organisation
    from qms.people.models import Person, Unit

    try:
        from qms.demo import measures as demo_measures
    except ImportError:  # a checkout from before the demo had measures
        demo_measures = None

    rng = random.Random(seed)
    with transaction.atomic():
        # The demo's own builders, in the order and with the generator `qms demo-data` uses,
        # so the benchmark measures the demo board itself.
        demo_rng = random.Random(seed)
        organisation.build(demo_rng)
        if demo_measures is not None:
            start = time.perf_counter()
            counts = demo_measures.build(demo_rng)
            if counts.get("observations_added"):
                print(f"demo data built in {time.perf_counter() - start:.1f} s")
    board = Unit.objects.get(code="riverside")
    existing = Measure.objects.filter(unit__path__startswith=board.path, is_active=True).count()
    if existing >= target_measures:
        return existing
    frontline = list(Unit.objects.filter(kind__in=["ward", "team"]).order_by("path"))
    owners = {p.username: p for p in Person.objects.filter(username__in=["lead", "analyst"])}
    made, rows = [], []
    k = existing
    with transaction.atomic():
        while existing + len(made) < target_measures:
            # Round r gives unit i template i + r: every unit gets every template once, then
            # numbered copies for organisations bigger than the demo.
            round_, index = divmod(k, len(frontline))
            unit = frontline[index]
            template = TEMPLATES[(index + round_) % len(TEMPLATES)]
            copy = round_ // len(TEMPLATES)
            name = f"{template[0]} #{copy + 1}" if copy else template[0]
            k += 1
            code = f"bench-{unit.code}-{k}"
            if Measure.objects.filter(Q(unit=unit, name=name) | Q(code=code)).exists():
                continue
            measure = services.measure_create(
                by=None,
                unit=unit,
                name=name,
                code=code,
                kind=template[1],
                domain=template[2],
                operational_definition="Synthetic benchmark measure.",
                frequency=template[8],
                chart=template[3],
                direction=template[4],
                unit_label=template[5],
                multiply=template[6],
                target=template[7],
                owner=owners.get("lead" if unit.code == "ward-7" else "analyst"),
            )
            measure.target = _target(rng, template)
            measure.save(update_fields=["target"])
            made.append(measure)
            count = 104 if template[8] == "week" else rng.choice([24, 30, 36])
            pattern = rng.choice(PATTERNS)
            for period, (value, n) in zip(
                _periods(template[8], count), _series(rng, template, pattern, count), strict=True
            ):
                rows.append(
                    services.ObservationInput(
                        measure=measure, period=period, value=value, denominator=n
                    )
                )
        services.observations_save(by=None, rows=rows, refresh=False)
    start = time.perf_counter()
    with transaction.atomic():
        services.results_refresh([m.pk for m in made])
    print(
        f"built {len(made)} measures, {len(rows):,} observations; SPC refresh "
        f"{time.perf_counter() - start:.2f} s"
    )
    # Some signals handled: a few escalated up the tree (one of them twice), some acknowledged.
    concerns = list(
        Signal.objects.filter(kind=SignalKind.CONCERN, status=SignalStatus.OPEN)
        .select_related("measure__unit__parent")
        .order_by("pk")
    )
    for signal in concerns[: max(1, len(concerns) // 6)]:
        unit = signal.measure.unit
        Escalation.objects.create(
            signal=signal,
            from_unit=unit,
            to_unit=unit.parent,
            reason="Outside our control: staffing is set by the service.",
        )
        Signal.objects.filter(pk=signal.pk).update(status=SignalStatus.ESCALATED)
    for signal in concerns[len(concerns) // 6 : len(concerns) // 3]:
        Signal.objects.filter(pk=signal.pk).update(
            status=SignalStatus.ACKNOWLEDGED, note="Discussed at the huddle."
        )
    return existing + len(made)


def timed(client, url: str, requests: int, warm_up: int = 3) -> tuple[float, float, int]:
    """Median and fastest server time in ms, and the response size."""
    for _ in range(warm_up):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), len(response.content)


def pdf_times(client, board) -> None:
    """The PDFs: the request (it only finds or queues the export, so this is its time to the
    first byte), the task that makes the PDF (a worker's time, until the link is ready), and
    the same request again (the finished PDF is reused)."""
    from django.urls import reverse

    from qms.control import exports
    from qms.control.models import ReportExport

    report = reverse("control:quality-report", args=[board.pk])
    started: list[int] = []
    real_start = exports._start
    exports._start = started.append  # the worker's part is timed on its own below
    try:
        for label, query in (
            ("PDF, concern and fail charts", "format=pdf"),
            ("PDF, every chart", "format=pdf&charts=all"),
        ):
            ReportExport.objects.all().delete()  # a new export, not one made earlier
            start = time.perf_counter()
            response = client.get(f"{report}?{query}")
            request_ms = (time.perf_counter() - start) * 1000
            assert response.status_code == 302, response.status_code
            start = time.perf_counter()
            export = exports.report_export_build(started.pop())
            build_s = time.perf_counter() - start
            assert export.status == "done", export.error
            start = time.perf_counter()
            again = client.get(f"{report}?{query}")
            reuse_ms = (time.perf_counter() - start) * 1000
            assert again["Location"] == response["Location"] and not started  # reused
            size = export.file.size / 1024
            print(
                f"  {label:<36} request {request_ms:5.0f} ms (then reused: {reuse_ms:4.0f} ms); "
                f"made in the background in {build_s:5.1f} s, {size:5.0f} KiB"
            )
    finally:
        exports._start = real_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else a SQLite file")
    parser.add_argument("--measures", type=int, default=150)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF export")
    args = parser.parse_args()
    url = configure(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from qms.control.models import Measure, MeasureResult
    from qms.people.models import Person, Unit

    call_command("migrate", verbosity=0)
    count = build(args.measures)
    board = Unit.objects.get(code="riverside")
    ward = Unit.objects.get(code="ward-7")
    points = sum(
        len(points)
        for points in MeasureResult.objects.filter(
            measure__unit__path__startswith=board.path
        ).values_list("points", flat=True)
    )
    print(
        f"database: {connection.vendor} ({url.split('@')[-1]}); {count} active measures "
        f"({Measure.objects.count()} in all), {points:,} stored points"
    )

    from qms.control.reports import quality_matrix

    matrix = quality_matrix(Person.objects.get(username="board"), board)
    print("matrix (variation by pass / hit or miss / fail / none):")
    for row in matrix.rows:
        print(f"  {row.heading.title:<40} {[cell.count for cell in row.cells]}")
    print(f"  open signals: {matrix.open_signals}")

    client = Client(SERVER_NAME="localhost")
    client.force_login(Person.objects.get(username="board"))  # an executive of the whole board
    report = reverse("control:quality-report", args=[board.pk])
    pages = [
        ("report, whole board", report),
        ("report, whole board, domain filter", f"{report}?domain=safe"),
        ("CSV export, whole board", f"{report}?format=csv"),
        ("Excel export, whole board", f"{report}?format=xlsx"),
        ("huddle board, whole board", reverse("control:huddle-board", args=[board.pk])),
        ("huddle board, Ward 7", reverse("control:huddle-board", args=[ward.pk])),
    ]
    print(f"server time, median of {args.requests} requests after warm-up (fastest):")
    failed = False
    for label, path in pages:
        median, fastest, size = timed(client, path, args.requests)
        mark = ""
        if label == "report, whole board":
            failed = median > TARGET_MS
            mark = f"  target <= {TARGET_MS:.0f} ms: {'FAIL' if failed else 'ok'}"
        print(f"  {label:<36} {median:7.1f} ms ({fastest:6.1f}), {size / 1024:6.0f} KiB{mark}")
    if args.pdf:
        pdf_times(client, board)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
