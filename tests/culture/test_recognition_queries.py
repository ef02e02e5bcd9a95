"""Recognition's pages read in the same number of queries however much recognition there is,
and the Pareto of themes counts what it should."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from helpers import make_person

from qms.culture.models import ExcellenceTheme
from qms.culture.selectors import recognition as selectors
from qms.culture.services import recognition as services
from qms.people.roles import Role


@pytest.fixture
def themes(db):
    services.themes_defaults_ensure()
    return {theme.code: theme for theme in ExcellenceTheme.objects.all()}


def _add(org, lead, themes, count, *, start=0):
    codes = list(themes)
    colleagues = [
        make_person(f"colleague{start + k}", (Role.TEAM_MEMBER, org["ward"])) for k in range(2)
    ]
    now = timezone.now()
    for k in range(start, start + count):
        services.recognition_report(
            by=None,
            unit=org["ward"],
            recipient=colleagues[k % 2] if k % 3 else None,
            what_happened=f"Excellent practice number {k}.",
            why_it_mattered="It made a difference.",
            themes=[themes[codes[k % len(codes)]], themes[codes[(k + 1) % len(codes)]]],
            reported_at=now - dt.timedelta(days=k * 9),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_reads_its_pages_in_the_same_queries_whatever_the_amount(
    client, org, lead, member, themes
):
    client.force_login(lead)
    _add(org, lead, themes, 3)
    urls = [
        reverse("culture:recognition-unit", args=[org["ward"].pk]),
        reverse("culture:recognition-themes", args=[org["ward"].pk]),
        reverse("people:unit-detail", args=[org["ward"].pk]),
        reverse("culture:home"),
    ]
    for url in urls:
        client.get(url)  # caches filled (content types)
    few = [_queries(client, url) for url in urls]
    _add(org, lead, themes, 40, start=3)
    assert [_queries(client, url) for url in urls] == few


def test_it_counts_themes_and_months(org, lead, themes):
    today = timezone.localdate()
    month = today.replace(day=1)
    at = timezone.make_aware(dt.datetime(month.year, month.month, 1, 12))
    report = dict(
        by=None,
        unit=org["ward"],
        what_happened="Calm in a crisis.",
        why_it_mattered="Everyone stayed safe.",
        reported_at=at,
    )
    services.recognition_report(**report, themes=[themes["teamwork"], themes["leadership"]])
    services.recognition_report(**report, themes=[themes["teamwork"]])
    services.recognition_report(**report, themes=[themes["communication"]])
    pareto = selectors.theme_pareto(lead, org["ward"], since=month, until=month)
    counted = [(row.name, row.count, row.share, row.cumulative) for row in pareto.rows]
    assert counted == [
        ("Teamwork", 2, 0.5, 0.5),
        ("Communication", 1, 0.25, 0.75),
        ("Leadership", 1, 0.25, 1.0),
    ]
    assert pareto.recognitions == 3 and pareto.codings == 4
    assert pareto.rows[0].recognition_share == pytest.approx(0.6667)
    earlier = dt.date(month.year - 1, month.month, 1)
    counts = selectors.monthly_counts(org["ward"], since=earlier, until=today)
    assert len(counts) == 13 and counts[-1] == (month, 3) and sum(c for _, c in counts) == 3
    # Another unit's recognition is not counted.
    assert selectors.monthly_counts(org["other_ward"], since=earlier, until=today)[-1][1] == 0
    assert selectors.theme_pareto(lead, org["ward"], until=earlier).rows == []


def test_it_lists_what_a_lead_has_to_pass_on(org, lead, member, quality_lead, themes):
    first = services.recognition_report(
        by=member,
        unit=org["ward"],
        what_happened="The team covered a double shift.",
        why_it_mattered="No patient went without care.",
        themes=[themes["teamwork"]],
    )
    of_lead = services.recognition_report(
        by=member,
        unit=org["ward"],
        recipient=lead,
        what_happened="Led the ward through a hard night.",
        why_it_mattered="Everyone felt supported.",
        themes=[themes["leadership"]],
    )
    assert selectors.recognition_to_pass_on(lead) == [first]  # not their own
    assert selectors.recognition_to_pass_on(quality_lead) == [first, of_lead]
    assert selectors.recognition_to_pass_on(member) == []
    services.recognition_thank(by=lead, recognition=first)
    assert selectors.recognition_to_pass_on(lead) == []
    assert [r.pk for r in selectors.unit_recognition(org["service"], dt.date(2000, 1, 1))] == [
        of_lead.pk,
        first.pk,
    ]
