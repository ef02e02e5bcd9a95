"""Every cycle of a project on the charts of its measures: the project's measures and those of
the cycle's change idea, kept true as cycles and measure links change."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from helpers import make_measure, record

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START, plan
from qms.control import selectors as control_selectors
from qms.control.models import Annotation
from qms.improvement import services
from qms.improvement.models import PdsaCycle

MONTH = dt.date(2026, 3, 1)  # START's period on a monthly chart


class _Markers:
    """The markers on the charts, by cycle: {cycle pk: [(measure code, period, text)]}."""

    def __getitem__(self, pk):
        cycle_type = ContentType.objects.get_for_model(PdsaCycle)
        return sorted(
            (a.measure.code, a.period, a.text)
            for a in Annotation.objects.filter(source_type=cycle_type, source_id=pk)
        )


@pytest.fixture
def markers():
    return _Markers()


@pytest.fixture
def falls(org):
    return make_measure(org["ward"], "falls")


@pytest.fixture
def rounds(org):
    return make_measure(org["ward"], "rounds", name="Rounds done", kind="process")


def _committed(act):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return act()


def test_a_cycle_lands_on_the_project_s_measures_and_its_idea_s(
    markers, project, change_idea, other_idea, lead, falls, rounds
):
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    services.node_measures_set(by=lead, node=change_idea, measures=[rounds])
    first = _committed(lambda: services.cycle_create(by=lead, change_idea=change_idea, **plan()))
    other = _committed(lambda: services.cycle_create(by=lead, change_idea=other_idea, **plan()))
    assert markers[first.pk] == [
        ("falls", MONTH, "PDSA 1: Rounding on one bay"),
        ("rounds", MONTH, "PDSA 1: Rounding on one bay"),
    ]
    assert markers[other.pk] == [("falls", MONTH, "PDSA 1: Rounding on one bay")]


def test_markers_follow_the_cycle_s_dates_and_title(markers, project, cycle, lead, falls):
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    later = START + dt.timedelta(days=31)
    _committed(
        lambda: services.cycle_plan_update(
            by=lead, cycle=cycle, title="Bay 2", starts_on=later, ends_on=later
        )
    )
    assert markers[cycle.pk] == [("falls", dt.date(2026, 4, 1), "PDSA 1: Bay 2")]


def test_unlinking_a_measure_takes_its_markers_off(markers, project, cycle, lead, falls):
    link = services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    assert markers[cycle.pk] == [("falls", MONTH, "PDSA 1: Rounding on one bay")]
    services.project_measure_unlink(by=lead, project_measure=link)
    assert markers[cycle.pk] == []


def test_removing_a_cycle_removes_its_markers(markers, project, cycle, lead, falls):
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    pk = cycle.pk
    assert markers[pk] != []
    _committed(lambda: services.cycle_remove(by=lead, cycle=cycle))
    assert markers[pk] == []


def test_the_measure_s_chart_shows_the_marker_linked_to_the_cycle(
    markers, project, cycle, lead, falls
):
    record(falls, [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 4, 5, 6, 5], start=dt.date(2025, 3, 1))
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    (chart,) = control_selectors.measure_charts([falls])
    assert [(m.text, m.url) for m in chart.markers] == [
        ("PDSA 1: Rounding on one bay", cycle.get_absolute_url())
    ]
    assert "PDSA 1: Rounding on one bay" in chart.chart


def test_the_study_page_draws_the_charts_beside_the_predictions(
    client, as_user, project, cycle, lead, falls
):
    record(falls, [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 4, 5, 6, 5], start=dt.date(2025, 3, 1))
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    as_user("lead")
    page = client.get(reverse("improvement:cycle-study", args=[cycle.pk])).content.decode()
    assert f'data-spec-id="measure-chart-{falls.pk}-spec"' in page
    assert "&quot;" not in page.split(f'id="measure-chart-{falls.pk}-spec"')[1][:200]
    assert falls.get_absolute_url() in page
