"""qms.core.history: who changed a record, when, what and why, the same way for any record."""

import datetime as dt
import importlib

from django.apps import apps
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from helpers import make_person

from qms.control import services
from qms.core.history import Change, history_of
from qms.people.roles import Role


def test_a_changed_measure_shows_who_what_and_why_in_words(measure, lead, org):
    owner = make_person("owner", (Role.TEAM_MEMBER, org["ward"]), display_name="Ola Owner")
    services.measure_update(
        by=lead,
        measure=measure,
        reason="Agreed at the safety huddle",
        chart="p",
        target=4.5,
        owner=owner,
        operational_definition="Falls with harm " * 20,
    )
    changed, created = history_of(measure)
    assert (created.action, created.summary, created.who) == ("created", "Measure created", "Lead")
    assert (changed.action, changed.who, changed.reason) == (
        "changed",
        "Lead",
        "Agreed at the safety huddle",
    )
    assert changed.when >= created.when
    shown = {change.label: change for change in changed.changes}
    assert shown["chart"] == ("chart", "U chart (rate)", "P chart (proportion)")
    assert shown["target"] == ("target", "5", "4.5")
    assert shown["owner"] == ("owner", "Lead", "Ola Owner")
    assert len(shown["operational definition"].new) == 160  # long text shown in part
    assert str(shown["target"]) == "Target: 5 → 4.5"
    # In the order of the model's fields, as the definition page lists them.
    assert [c.label for c in changed.changes] == [
        "owner",
        "operational definition",
        "chart",
        "target",
    ]


def test_an_annotation_keeps_history_with_who_added_it(measure, member):
    annotation = services.annotation_add(
        by=member, measure=measure, period=dt.date(2025, 3, 1), text="New falls bundle"
    )
    (row,) = history_of(annotation)
    assert (row.action, row.who, row.summary) == ("created", "Member", "Annotation created")
    assert annotation.history.get().history_user == member


def test_annotations_made_before_history_get_their_first_version(measure, lead):
    annotation = services.annotation_add(
        by=lead, measure=measure, period=dt.date(2025, 3, 1), text="New falls bundle"
    )
    annotation.history.all().delete()
    migration = importlib.import_module("qms.control.migrations.0009_historicalannotation")
    migration.first_versions(apps, None)
    version = annotation.history.get()
    assert (version.history_type, version.history_user, version.text) == (
        "+",
        lead,
        "New falls bundle",
    )
    assert version.history_date == annotation.created_at


def test_a_units_history_holds_its_memberships(org, lead, member):
    rows = history_of(org["ward"])
    summaries = [row.summary for row in rows]
    assert summaries[:2] == ["Added Member as Team member", "Added Lead as Team lead"]
    assert summaries[-1] == "Unit “Ward 7” created"


def test_it_shows_the_newest_rows_up_to_the_limit(measure, lead):
    for target in range(6, 12):
        services.measure_update(by=lead, measure=measure, reason=f"to {target}", target=target)
    rows = history_of(measure, limit=3)
    assert [row.reason for row in rows] == ["to 11", "to 10", "to 9"]
    assert rows[-1].changes == [Change("target", "8", "9")]  # compared with one not shown


def test_it_reads_the_same_queries_however_long_the_history(measure, lead, org):
    counts = []
    for changes in (2, 25):
        for number in range(changes):
            services.measure_update(by=lead, measure=measure, target=number, owner=lead)
        with CaptureQueriesContext(connection) as queries:
            history_of(measure, limit=20)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_tag_shows_the_rows_as_a_table_with_a_caption(measure, lead):
    services.measure_update(by=lead, measure=measure, reason="Audit", target=3.0)
    html = Template(
        '{% load history_tags %}{% history_table measure caption="Changes to the measure" %}'
    ).render(Context({"measure": measure}))
    assert '<caption class="visually-hidden">Changes to the measure, newest first</caption>' in html
    assert "Target: “5” → “3”" in html
    assert "Reason: Audit" in html


def test_the_include_shows_a_records_history_like_the_tag(measure, lead):
    services.measure_update(by=lead, measure=measure, reason="Audit", target=3.0)
    html = Template(
        '{% include "core/_history.html" with record=measure caption="Changes" limit=1 %}'
    ).render(Context({"measure": measure}))
    assert "Target: “5” → “3”" in html
    assert "Measure created" not in html  # one row, the newest
