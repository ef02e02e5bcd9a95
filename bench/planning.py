"""Server time of quality planning's heaviest pages: `python bench/planning.py [--measures 3000]
[--issues 20000] [--repeats 20] [--skip-demo]`.

Makes a throwaway database (SQLite in a temporary folder; a new PostgreSQL database on the
server of DATABASE_URL when that is set, dropped afterwards) and measures, through Django's test
client, the gaps page (`planning:gaps`) and the Pareto of contributory factors
(`planning:pareto`, when that page exists) of the top unit:

(a) the whole demo board (`qms demo-data`), as its medical director (`board`, an executive of
    the board: the head of quality's role is in the acute division);
(b) a generated board of MEASURES measures with targets and three years of monthly data, their
    SPC results computed by quality control's refresh, and ISSUES issues over its wards, most
    analysed with one to three contributory factors; as a quality lead of that board.

Each line prints the median server time of REPEATS requests after a warm-up (wall clock, and
the CPU time a busy shared machine does not distort) and the queries of one request.
Target (issue 10): under 150 ms each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from improvement import median_ms, queries, setup  # noqa: E402

TARGET_MS = 150.0
DIVISIONS = 5
WARDS_PER_DIVISION = 10
MONTHS = 36


def demo_board():
    """The demo organisation, built by `qms demo-data`; its board and its medical director."""
    from django.core.management import call_command

    from qms.people.models import Person, Unit

    call_command("demo-data", verbosity=0)
    board = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    return board, Person.objects.get(username="board")


def generated_board(measure_count: int, issue_count: int):
    """A board of 5 divisions and 50 wards with `measure_count` measures (targets, monthly
    data, stored SPC results) and `issue_count` issues, most with an analysis and factors."""
    from qms.people import services
    from qms.people.roles import Role

    board = services.unit_create(by=None, name="Bench Board", code="bench", kind="board")
    wards = []
    for d in range(DIVISIONS):
        division = services.unit_create(
            by=None, name=f"Division {d + 1}", code=f"bench-d{d + 1}", kind="division", parent=board
        )
        wards += [
            services.unit_create(
                by=None,
                name=f"Ward {d + 1}.{w + 1}",
                code=f"bench-d{d + 1}-w{w + 1}",
                kind="ward",
                parent=division,
            )
            for w in range(WARDS_PER_DIVISION)
        ]
    reader = services.person_create(by=None, username="bench-quality", display_name="Quality")
    services.membership_add(by=None, person=reader, unit=board, role=Role.QUALITY_LEAD)
    started = time.perf_counter()
    _measures(wards, measure_count)
    print(f"  {measure_count:,} measures with results in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    _issues(wards, issue_count, reader)
    print(f"  {issue_count:,} issues with factors in {time.perf_counter() - started:.0f} s")
    return board, reader


def _measures(wards, count: int) -> None:
    """Measures with bulk_create (the services would check and save one at a time: correct,
    but not what is measured here), their data, then quality control's own refresh."""
    import numpy as np

    from qms.control import services
    from qms.control.models import Measure, Observation

    rng = np.random.default_rng(2026)
    domains = ["safe", "effective", "person_centred", "timely", "efficient", "equitable"]
    made = Measure.objects.bulk_create(
        Measure(
            unit=wards[k % len(wards)],
            name=f"Measure {k:05d}",
            code=f"bench-{k:05d}",
            kind="outcome",
            domain=domains[k % len(domains)],
            operational_definition="Benchmark measure.",
            frequency="month",
            chart="p" if k % 2 else "i",
            direction="increase" if k % 3 else "decrease",
            multiply=100 if k % 2 else 1,
            unit_label="%" if k % 2 else "",
            target=float(75 + k % 20) if k % 2 else float(5 + k % 10),
            target_source="Agreed locally",
        )
        for k in range(count)
    )
    periods = [dt.date(2023 + m // 12, m % 12 + 1, 1) for m in range(MONTHS)]
    rows = []
    for k, measure in enumerate(made):
        if k % 2:
            level = rng.uniform(0.6, 0.95)
            values = rng.binomial(60, level, MONTHS).astype(float)
            rows += [
                Observation(measure=measure, period=p, value=v, denominator=60.0)
                for p, v in zip(periods, values, strict=True)
            ]
        else:
            values = rng.normal(rng.uniform(3, 14), 1.5, MONTHS)
            rows += [
                Observation(measure=measure, period=p, value=float(v))
                for p, v in zip(periods, values, strict=True)
            ]
    Observation.objects.bulk_create(rows, batch_size=5000)
    services.results_refresh_in_batches(Measure.objects.filter(code__startswith="bench-"))


def _issues(wards, count: int, person) -> None:
    """Issues over the wards and the last two years; three in four analysed with one to three
    contributory factors of the framework."""
    import random

    from django.utils import timezone

    from qms.issues.models import Issue
    from qms.planning.models import FactorDomain, IssueAnalysis, IssueFactor

    rng = random.Random(2026)
    sources = ["incident", "complaint", "audit_finding", "feedback", "staff_concern", "signal"]
    issues = Issue.objects.bulk_create(
        (
            Issue(
                unit=wards[k % len(wards)],
                title=f"Issue {k:05d}",
                source=sources[k % len(sources)],
                created_by=person,
            )
            for k in range(count)
        ),
        batch_size=5000,
    )
    # Spread over two years (created_at is set on insert: move it afterwards, in bulk).
    now = timezone.now()
    for issue in issues:
        issue.created_at = now - dt.timedelta(days=rng.randrange(730))
    Issue.objects.bulk_update(issues, ["created_at"], batch_size=5000)
    domains = list(FactorDomain.objects.filter(is_active=True))
    if not domains:
        return
    weights = [1.0 / (rank + 1) for rank in range(len(domains))]  # a Pareto-like spread
    analyses = IssueAnalysis.objects.bulk_create(
        (
            IssueAnalysis(issue=issue, system_account="What in the system allowed it.")
            for k, issue in enumerate(issues)
            if k % 4
        ),
        batch_size=5000,
    )
    factors = []
    for analysis in analyses:
        chosen = set(rng.choices(domains, weights=weights, k=rng.randint(1, 3)))
        factors += [IssueFactor(analysis=analysis, domain=domain) for domain in chosen]
    IssueFactor.objects.bulk_create(factors, batch_size=5000)


def pages(board):
    """The pages measured for a board: the gaps, and the Pareto when that page exists."""
    from django.urls import NoReverseMatch, reverse

    found = [("gaps", reverse("planning:gaps", args=[board.pk]))]
    try:
        found.append(("Pareto of factors", reverse("planning:pareto", args=[board.pk])))
    except NoReverseMatch:
        print("  (no planning:pareto page yet: the Pareto is not measured)")
    return found


def measure_pages(label: str, board, reader, repeats: int) -> None:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    client.force_login(reader)
    for name, url in pages(board):
        ms, cpu = median_ms(client, url, repeats)
        verdict = "ok" if ms < TARGET_MS else "SLOW"
        print(
            f"{name + ', ' + label:<52} {ms:7.1f} ms (CPU {cpu:.1f} ms)  "
            f"(target {TARGET_MS:.0f}: {verdict}), {queries(client, url)} queries"
        )
        # What the first reader after a change waits (the Pareto caches its counts until an
        # analysis changes).
        ms, cpu = median_ms(client, url, repeats, before=cache.clear)
        print(f"{'  the same, first view (cache empty)':<52} {ms:7.1f} ms (CPU {cpu:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=3000)
    parser.add_argument("--issues", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--skip-demo", action="store_true", help="Only the generated board.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qms-bench-") as folder:
        drop = setup(Path(folder))
        try:
            run(args)
        finally:
            from django.db import connections

            connections.close_all()
            drop()


def run(args) -> None:
    from django.conf import settings

    from qms.control.models import Measure
    from qms.issues.models import Issue

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {database}")
    if not args.skip_demo:
        started = time.perf_counter()
        board, reader = demo_board()
        measures = Measure.objects.filter(unit__path__startswith=board.path).count()
        issues = Issue.objects.filter(unit__path__startswith=board.path).count()
        print(
            f"demo board: {measures} measures, {issues} issues "
            f"(built in {time.perf_counter() - started:.0f} s)"
        )
        measure_pages("demo board", board, reader, args.repeats)
    print(f"generated board: {args.measures:,} measures, {args.issues:,} issues")
    board, reader = generated_board(args.measures, args.issues)
    measure_pages(
        f"{args.measures:,} measures, {args.issues:,} issues", board, reader, args.repeats
    )


if __name__ == "__main__":
    main()
