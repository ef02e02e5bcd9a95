"""Server time of quality improvement's heaviest pages: `python bench/improvement.py
[--projects 2000] [--repeats 20]`.

Makes a throwaway database (SQLite in a temporary folder; a new PostgreSQL database on the
server of DATABASE_URL when that is set, dropped afterwards), and in it a board of 20 wards
with PROJECTS projects made with bulk_create (each with its aim node, its lead's role on it and
two linked measures), and one large project built through the services as a team would: 80
driver diagram nodes, 40 PDSA cycles with predictions, 5 measures with two years of data, their
SPC results and the cycles' markers on their charts. Then, through Django's test client as a
quality lead of the board, prints the median server time of 20 requests after a warm-up (wall
clock, and the CPU time a busy shared machine does not distort) and the queries of one
request, for the board's portfolio page and the large project's page.

Targets (issue 9): the portfolio of 2,000 projects under 150 ms, the project page of the
largest project (80 nodes, 40 cycles, 5 measures) under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_observations import fresh_database  # noqa: E402

PORTFOLIO_TARGET_MS = 150.0
PROJECT_TARGET_MS = 100.0
UNITS = 20


def setup(workdir: Path):
    """Point Django at a fresh database, migrate it; returns how to drop it afterwards."""
    env, drop = fresh_database(workdir)
    os.environ.update({key: env[key] for key in ("QMS_DATA_DIR", "TASKS_BACKEND")})
    if "DATABASE_URL" in env:
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
    os.environ.setdefault("DEBUG", "1")  # plain static files: no collectstatic needed
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", verbosity=0)
    return drop


def build_organisation():
    from qms.people import services
    from qms.people.roles import Role

    board = services.unit_create(by=None, name="Bench Board", code="bench", kind="board")
    wards = [
        services.unit_create(
            by=None, name=f"Ward {k + 1}", code=f"ward-{k + 1}", kind="ward", parent=board
        )
        for k in range(UNITS)
    ]
    reader = services.person_create(by=None, username="quality", display_name="Quality Lead")
    services.membership_add(by=None, person=reader, unit=board, role=Role.QUALITY_LEAD)
    leads = []
    for k, ward in enumerate(wards):
        lead = services.person_create(by=None, username=f"lead-{k}", display_name=f"Lead {k}")
        services.membership_add(by=None, person=lead, unit=ward, role=Role.TEAM_LEAD)
        leads.append(lead)
    return board, wards, reader, leads


def measure_with_data(unit, code: str, owner, step_at: int, periods: int = 24):
    """A monthly P chart measure whose level improves from `step_at`, with stored results."""
    import numpy as np

    from qms.control import services

    measure = services.measure_create(
        by=None,
        unit=unit,
        code=code,
        owner=owner,
        name=f"Measure {code}",
        kind="outcome",
        domain="safe",
        operational_definition="Benchmark measure.",
        numerator_definition="Patients with the care.",
        denominator_definition="Patients.",
        data_source="Audit.",
        frequency="month",
        chart="p",
        direction="increase",
        multiply=100,
        unit_label="%",
        target=80.0,
    )
    rng = np.random.default_rng(abs(hash(code)) % 2**32)
    start = dt.date(2024, 12, 1)
    rows = []
    for k in range(periods):
        month = dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
        share = 0.55 if k < step_at else 0.8
        rows.append(
            services.ObservationInput(
                measure=measure,
                period=month,
                value=float(rng.binomial(40, share)),
                denominator=40.0,
            )
        )
    services.observations_save(by=None, rows=rows, refresh=False)
    return measure


def build_portfolio(wards, leads, count: int) -> None:
    """`count` projects spread over the wards, with what the portfolio shows of each: the aim
    node, the lead's role on the project, two linked measures, a progress score."""
    from django.contrib.contenttypes.models import ContentType

    from qms.control import services as control_services
    from qms.improvement.models import (
        PROGRESS_SCALE,
        DriverNode,
        Method,
        Project,
        ProjectMeasure,
        Stage,
    )
    from qms.people.models import ObjectGrant

    measures = [
        measure_with_data(ward, f"pool-{k}", leads[k], step_at=16) for k, ward in enumerate(wards)
    ]
    control_services.results_refresh([measure.pk for measure in measures])
    stages, methods, scores = Stage.values, Method.values, ["", *PROGRESS_SCALE]
    projects = Project.objects.bulk_create(
        Project(
            unit=wards[k % UNITS],
            title=f"Project {k:05d}: fewer falls in bay {k % 7 + 1}",
            problem="Falls at night on the way to the toilet.",
            aim=f"Reduce falls by {10 + k % 40}% by 31 March 2027.",
            method=methods[k % len(methods)],
            stage=stages[k % len(stages)],
            lead=leads[k % UNITS],
            progress_score=scores[k % len(scores)],
            starts_on=dt.date(2026, 1, 1) + dt.timedelta(days=k % 300),
        )
        for k in range(count)
    )
    DriverNode.objects.bulk_create(
        DriverNode(project=project, kind="aim", text=project.aim) for project in projects
    )
    content_type = ContentType.objects.get_for_model(Project)
    ObjectGrant.objects.bulk_create(
        ObjectGrant(
            person=project.lead, content_type=content_type, object_id=project.pk, role="team_lead"
        )
        for project in projects
    )
    ProjectMeasure.objects.bulk_create(
        ProjectMeasure(project=project, measure=measures[(k + j) % UNITS], role=role)
        for k, project in enumerate(projects)
        for j, role in enumerate(("outcome", "process"))
    )


def build_large_project(ward, lead, members):
    """The largest project, through the services: 80 nodes (the aim, 4 primary drivers, 12
    secondary drivers, 63 change ideas), 40 cycles on 20 change ideas (2 each, at every stage),
    5 measures with two years of data and results, the cycles' markers on their charts."""
    from django.db import transaction

    from qms.control import services as control_services
    from qms.improvement import services

    with transaction.atomic():
        project = services.project_create(
            by=None,
            unit=ward,
            title="The largest project",
            problem="Many things to improve at once.",
            aim="Reduce harm from falls by 50% by 31 March 2027.",
            stage="testing",
            lead=lead,
            starts_on=dt.date(2025, 6, 1),
        )
        for person in members:
            services.team_member_add(by=None, project=project, person=person, role="team_member")
        measures = [measure_with_data(ward, f"large-{k}", lead, step_at=18) for k in range(5)]
        control_services.results_refresh([measure.pk for measure in measures])
        for k, measure in enumerate(measures):
            role = "outcome" if k == 0 else ("balancing" if k == 4 else "process")
            services.project_measure_link(by=None, project=project, measure=measure, role=role)
        aim = project.nodes.get(kind="aim")
        ideas = []
        for p in range(4):
            primary = services.node_add(by=None, parent=aim, kind="primary", text=f"Driver {p + 1}")
            for s in range(3):
                secondary = services.node_add(
                    by=None, parent=primary, kind="secondary", text=f"Driver {p + 1}.{s + 1}"
                )
                for i in range(6 if s == 0 and p < 3 else 5):
                    ideas.append(
                        services.node_add(
                            by=None,
                            parent=secondary,
                            kind="change_idea",
                            text=f"Change idea {p + 1}.{s + 1}.{i + 1}",
                        )
                    )
        assert project.nodes.count() == 80, project.nodes.count()
        start = dt.date(2026, 3, 2)
        for k, idea in enumerate(ideas[:20]):
            for n in range(2):
                begins = start + dt.timedelta(days=14 * (k % 8) + 7 * n)
                cycle = services.cycle_create(
                    by=None,
                    change_idea=idea,
                    title=f"Test {n + 1} of {idea.text}",
                    objective="See whether it works on one shift.",
                    starts_on=begins,
                    ends_on=begins + dt.timedelta(days=6),
                    owner=members[k % len(members)],
                    predictions=[("Will it work?", "Four in five patients get it.")],
                )
                if (k + n) % 5 >= 1:
                    services.cycle_do(by=None, cycle=cycle, what_happened="Done.", observations="")
                if (k + n) % 5 >= 2:
                    prediction = cycle.predictions.get()
                    services.cycle_study(
                        by=None,
                        cycle=cycle,
                        study_summary="As predicted.",
                        results={prediction.pk: ("Four in five.", "met")},
                    )
                if (k + n) % 5 >= 3:
                    services.cycle_act(by=None, cycle=cycle, decision="adapt", act_notes="More.")
    services.project_markers_sync(project=project)  # after the commit, as the services do
    return project


def median_ms(client, url: str, repeats: int, before=None) -> tuple[float, float]:
    """The median server time of `repeats` requests after a warm-up, wall clock and CPU (the
    CPU time is what a busy shared machine does not distort); `before`, if given, is called
    untimed before each request (to empty a cache)."""
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    for _ in range(repeats):
        if before is not None:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=20)
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
    from django.test import Client
    from django.urls import reverse

    from qms.improvement.models import Project

    started = time.perf_counter()
    board, wards, reader, leads = build_organisation()
    build_portfolio(wards, leads, args.projects)
    large = build_large_project(wards[0], leads[0], leads[1:9])
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"database: {database}; {Project.objects.count()} projects "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    client = Client()
    client.force_login(reader)
    portfolio = reverse("improvement:portfolio", args=[board.pk])
    page = large.get_absolute_url()
    for label, url, target in (
        (f"portfolio, {args.projects:,} projects", portfolio, PORTFOLIO_TARGET_MS),
        ("project page, 80 nodes, 40 cycles, 5 measures", page, PROJECT_TARGET_MS),
    ):
        ms, cpu = median_ms(client, url, args.repeats)
        verdict = "ok" if ms < target else "SLOW"
        print(
            f"{label:<48} {ms:7.1f} ms (CPU {cpu:.1f} ms)  (target {target:.0f}: {verdict}), "
            f"{queries(client, url)} queries"
        )


if __name__ == "__main__":
    main()
