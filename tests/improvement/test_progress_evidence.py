"""The progress score suggested from a real project's evidence: its charter, team, driver
diagram, cycles, and what quality control's stored charts show on its outcome measure since
the first test (none, improvement not yet sustained, sustained)."""

import datetime as dt

import pytest
from helpers import record

from improvement.spread_support import *  # noqa: F403
from qms.improvement import selectors, services
from qms.improvement.models import ActDecision, PdsaCycle, Stage

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]  # Jan 2024 to Aug 2025


@pytest.fixture
def tested(project, idea, outcome, coach):
    """A project with a charter, a team of two, a tested change idea (its cycle started in
    September 2025) and an outcome measure with 20 months of baseline."""
    record(outcome, STABLE)
    return project


def _after(measure, values):
    record(measure, values, start=dt.date(2025, 9, 1))


def test_it_suggests_half_for_a_project_just_started(project):
    suggestion = selectors.progress_suggest(project)
    assert suggestion.score == "0.5"
    assert "a team of at least two people (now 1)" in suggestion.reasons[-1]


def test_it_suggests_two_and_a_half_for_tested_changes_without_improvement(tested, outcome):
    _after(outcome, [6, 5, 6, 7, 5, 6])
    suggestion = selectors.progress_suggest(tested)
    assert suggestion.score == "2.5"
    assert "20 points of baseline data" in suggestion.reasons[2]
    assert "1 PDSA cycle started since Sep 2025" in suggestion.reasons[3]


def test_it_suggests_three_and_a_half_for_improvement_not_yet_sustained(tested, outcome):
    _after(outcome, [2, 1, 2, 2, 1, 2, 1, 6, 7])
    suggestion = selectors.progress_suggest(tested)
    assert suggestion.score == "3.5"
    assert suggestion.reasons[6] == (
        "Outcome measure ‘Falls per 1,000 bed days’ shows special cause improvement since "
        "Sep 2025, not holding at the latest point."
    )


def test_it_suggests_four_for_sustained_improvement_without_a_change_adopted(tested, outcome):
    PdsaCycle.objects.filter(project=tested).update(decision=ActDecision.ADAPT)
    _after(outcome, [2, 1, 2, 2, 1, 2, 1, 2])
    suggestion = selectors.progress_suggest(tested)
    assert suggestion.score == "4.0"
    assert "held for 8 points since Sep 2025" in suggestion.reasons[6]


def test_it_suggests_four_and_a_half_for_sustained_improvement_with_a_change_adopted(
    tested, outcome
):
    _after(outcome, [2, 1, 2, 2, 1, 2, 1, 2])
    suggestion = selectors.progress_suggest(tested)
    assert suggestion.score == "4.5"
    assert suggestion.reasons[8].startswith(
        "Sustainable: ‘Falls per 1,000 bed days’ has held its improvement for 8 months"
    )


def test_it_suggests_five_once_the_project_sustains_it(tested, outcome, lead):
    _after(outcome, [2, 1, 2, 2, 1, 2, 1, 2])
    services.project_update(by=lead, project=tested, stage=Stage.SUSTAINING)
    suggestion = selectors.progress_suggest(tested)
    assert suggestion.score == "5.0"
    assert "the project is sustaining" in suggestion.reasons[-1]


def test_it_gathers_the_evidence_in_the_same_queries_however_much_there_is(tested, outcome, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from helpers import make_measure

    from qms.improvement.models import MeasureRole, ProjectMeasure

    _after(outcome, [2, 1, 2, 2, 1, 2, 1, 2])
    with CaptureQueriesContext(connection) as few:
        selectors.progress_suggest(tested)
    for k in range(4):
        more = make_measure(org["ward"], f"more-{k}")
        record(more, STABLE)
        ProjectMeasure.objects.create(project=tested, measure=more, role=MeasureRole.PROCESS)
    with CaptureQueriesContext(connection) as many:
        selectors.progress_suggest(tested)
    assert len(many) == len(few)


def test_it_never_shows_a_stale_suggestion_after_new_data(tested, outcome):
    _after(outcome, [6, 5, 6])
    assert selectors.progress_suggest(tested).score == "2.5"  # and its findings are cached
    record(outcome, [2, 1, 2, 2, 1, 2, 1, 2], start=dt.date(2025, 12, 1))
    assert selectors.progress_suggest(tested).score == "4.5"
