"""Every cycle of a project on the charts of its measures: the project's measures and those of
the cycle's change idea, kept true as cycles and measure links change."""

import datetime as dt

import pytest
from django.test import TestCase
from helpers import make_measure

from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START, plan
from qms.control import services as control_services
from qms.improvement import services


@pytest.fixture
def markers(monkeypatch):
    """What chart_markers_set was last told for each cycle: {cycle pk: [(measure code, date,
    text)]}."""
    told = {}

    def chart_markers_set(*, source, markers, by=None):
        told[source.pk] = sorted((m.code, day, text) for m, day, text in markers)

    monkeypatch.setattr(control_services, "chart_markers_set", chart_markers_set, raising=False)
    return told


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
        ("falls", START, "PDSA 1: Rounding on one bay"),
        ("rounds", START, "PDSA 1: Rounding on one bay"),
    ]
    assert markers[other.pk] == [("falls", START, "PDSA 1: Rounding on one bay")]


def test_markers_follow_the_cycle_s_dates_and_title(markers, project, cycle, lead, falls):
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    later = START + dt.timedelta(days=7)
    _committed(
        lambda: services.cycle_plan_update(
            by=lead, cycle=cycle, title="Bay 2", starts_on=later, ends_on=later
        )
    )
    assert markers[cycle.pk] == [("falls", later, "PDSA 1: Bay 2")]


def test_unlinking_a_measure_takes_its_markers_off(markers, project, cycle, lead, falls):
    link = services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    assert markers[cycle.pk] == [("falls", START, "PDSA 1: Rounding on one bay")]
    services.project_measure_unlink(by=lead, project_measure=link)
    assert markers[cycle.pk] == []


def test_removing_a_cycle_removes_its_markers(markers, project, cycle, lead, falls):
    services.project_measure_link(by=lead, project=project, measure=falls, role="outcome")
    pk = cycle.pk
    assert markers[pk] != []
    _committed(lambda: services.cycle_remove(by=lead, cycle=cycle))
    assert markers[pk] == []


def test_without_control_s_markers_the_cycles_still_work(monkeypatch, cycle, lead):
    monkeypatch.delattr(control_services, "chart_markers_set", raising=False)
    assert services.project_markers_sync(project=cycle.project) == 0
