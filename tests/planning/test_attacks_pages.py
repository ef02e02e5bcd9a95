"""What the first real user of planning found wrong on its pages, each a test first."""

import re

import pytest
from django.urls import reverse

from planning.factors_support import *  # noqa: F403
from planning.test_factors_two_at_once import _coded, _domain
from qms.planning import services

pytestmark = pytest.mark.django_db


def test_it_names_a_recurring_factor_once_on_the_priority_it_became(client, as_user, org, lead):
    workload = _domain("workload")
    issues = [_coded(org, workload, number) for number in range(3)]
    priority, _ = services.factor_priority_propose(
        by=lead, unit=org["ward"], domain=workload, issues=issues, count=3, period="this year"
    )
    as_user("lead")
    page = client.get(reverse("planning:priority-detail", args=[priority.pk])).content.decode()
    assert "Recurring contributory factor: Race workload" in page
    assert "Contributory factor: Contributory factor" not in page


def test_it_announces_the_gap_counts_without_taking_the_list_from_its_items(
    client, as_user, org, lead
):
    """axe: a role on the <ul> itself hides that it is a list, leaving its items orphans."""
    from planning.gaps_support import measure, result

    falls = measure(org["ward"], "Falls", target=5.0)
    result(falls, centre=8.0, lcl=2.0, ucl=14.0, last=4.0, assurance="hit_or_miss")
    as_user("lead")
    page = client.get(reverse("planning:gaps", args=[org["ward"].pk])).content.decode()
    counts = re.search(r"<ul class=\"gap-counts\"[^>]*>", page)
    assert counts is not None
    assert "role=" not in counts.group(0)
    assert re.search(r"role=\"status\"[^>]*>\s*<ul class=\"gap-counts\"", page)


def test_it_lets_a_keyboard_scroll_the_pareto_chart_on_a_narrow_screen(client, as_user, org, lead):
    """At 320 px the chart scrolls sideways: its region must take focus and have a name (axe:
    scrollable-region-focusable)."""
    workload = _domain("workload")
    for number in range(3):
        _coded(org, workload, number)
    as_user("lead")
    page = client.get(reverse("planning:pareto", args=[org["ward"].pk])).content.decode()
    chart = re.search(r"<div id=\"factors-pareto\"[^>]*>", page)
    assert chart is not None
    assert 'tabindex="0"' in chart.group(0)
    assert 'role="region"' in chart.group(0)
    assert "aria-label=" in chart.group(0)
