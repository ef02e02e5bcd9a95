"""The progress score's rules (qms.improvement.progress) on built cases of evidence."""

import dataclasses
import datetime as dt

import pytest

from qms.improvement.models import PROGRESS_SCALE
from qms.improvement.progress import MeasureEvidence, ProjectEvidence, suggest

START = dt.date(2026, 1, 1)


def outcome(**fields):
    base = {"name": "Falls per 1,000 bed days", "role": "outcome", "points": 30, "baseline": 20}
    return MeasureEvidence(**{**base, **fields})


def process(**fields):
    base = {"name": "Falls risk assessed in 24 hours", "role": "process", "points": 30}
    return MeasureEvidence(**{**base, "baseline": 20, **fields})


def evidence(**fields) -> ProjectEvidence:
    """A project with a charter, a team, a driver diagram and measures with a baseline, and
    two cycles studied: 2.5 unless `fields` say otherwise."""
    base = {
        "title": "Fewer falls",
        "has_problem": True,
        "has_aim": True,
        "team_size": 4,
        "has_lead": True,
        "primary_drivers": 2,
        "change_ideas": 3,
        "measures": (outcome(), process()),
        "cycles_started": 3,
        "cycles_studied": 2,
        "decisions": {"adapt": 1, "adopt": 1},
        "first_test_on": START,
        "stage": "testing",
        "stage_label": "Testing",
    }
    return ProjectEvidence(**{**base, **fields})


IMPROVED = {"improved": True, "improving_since": dt.date(2026, 3, 1)}


def test_it_suggests_half_for_a_project_with_nothing_but_its_record():
    result = suggest(ProjectEvidence(title="Fewer falls"))
    assert result.score == "0.5"
    assert result.reasons[0] == "“Fewer falls” is recorded as a project."
    assert "problem statement" in result.reasons[-1] and "a lead" in result.reasons[-1]


def test_it_suggests_one_with_a_charter_and_a_team_but_no_plan():
    result = suggest(evidence(primary_drivers=0, change_ideas=0, measures=(), cycles_started=0))
    assert result.score == "1.0"
    assert "team of 4 people with a lead" in result.reasons[1]
    assert result.reasons[-1].startswith("To reach 1.5: planning needs a driver diagram")


def test_it_keeps_a_project_at_half_while_its_aim_lacks_a_date():
    result = suggest(evidence(aim_problems=("The aim has no date.",)))
    assert result.score == "0.5"
    assert result.reasons[-1] == "To reach 1.0: the aim has no date."


def test_it_needs_baseline_data_for_planning():
    thin = (outcome(baseline=4), process(baseline=2))
    result = suggest(evidence(measures=thin))
    assert result.score == "1.0"
    assert "‘Falls per 1,000 bed days’ has 4" in result.reasons[-1]


def test_it_suggests_one_and_a_half_with_a_plan_and_no_cycle():
    result = suggest(evidence(cycles_started=0, cycles_studied=0, decisions={}))
    assert result.score == "1.5"
    assert "20 points of baseline data" in result.reasons[2]
    assert result.reasons[-1] == "To reach 2.0: no PDSA cycle has started yet."


def test_it_suggests_two_for_cycles_started_and_none_studied():
    result = suggest(evidence(cycles_studied=0, decisions={}))
    assert result.score == "2.0"
    assert "3 PDSA cycles started since Jan 2026" in result.reasons[3]


def test_it_suggests_two_and_a_half_for_changes_tested_without_improvement():
    result = suggest(evidence())
    assert result.score == "2.5"
    assert result.reasons[4] == "2 changes tested and studied (1 adapted, 1 adopted)."
    assert "no process or outcome measure shows special cause improvement" in result.reasons[-1]


def test_it_suggests_three_for_improvement_on_a_process_measure_only():
    result = suggest(evidence(measures=(outcome(), process(**IMPROVED, holds=True))))
    assert result.score == "3.0"
    assert result.reasons[5].startswith(
        "Process measure ‘Falls risk assessed in 24 hours’ shows special cause improvement "
        "since Mar 2026"
    )


def test_it_suggests_three_and_a_half_for_improvement_not_yet_sustained():
    measures = (outcome(**IMPROVED, holds=True, held_points=3), process())
    result = suggest(evidence(measures=measures))
    assert result.score == "3.5"
    assert result.reasons[6] == (
        "Outcome measure ‘Falls per 1,000 bed days’ shows special cause improvement since "
        "Mar 2026, held for 3 points."
    )
    assert "not yet held for 6 points" in result.reasons[-1]


def test_it_says_when_an_improvement_no_longer_holds():
    result = suggest(evidence(measures=(outcome(**IMPROVED, holds=False, held_points=0),)))
    assert result.score == "3.5"
    assert "not holding at the latest point" in result.reasons[6]


def test_it_suggests_four_for_improvement_held_six_points():
    held = outcome(**IMPROVED, holds=True, held_points=8, held_since=START, held_months=2.0)
    result = suggest(evidence(measures=(held,)))
    assert result.score == "4.0"
    assert "held for 8 points" in result.reasons[7]
    assert "hold for 3 months (‘Falls per 1,000 bed days’: 2.0)" in result.reasons[-1]


def test_it_suggests_four_for_a_new_phase_after_fewer_points():
    held = outcome(**IMPROVED, holds=True, held_points=4, new_phase=True)
    assert suggest(evidence(measures=(held,))).score == "4.0"


def test_it_suggests_four_and_a_half_for_improvement_held_three_months_with_a_change_adopted():
    held = outcome(**IMPROVED, holds=True, held_points=14, held_since=START, held_months=3.3)
    result = suggest(evidence(measures=(held,)))
    assert result.score == "4.5"
    assert result.reasons[8] == (
        "Sustainable: ‘Falls per 1,000 bed days’ has held its improvement for 3 months, and "
        "1 change adopted."
    )


def test_it_holds_at_four_without_a_change_adopted():
    held = outcome(**IMPROVED, holds=True, held_points=14, held_months=4.0)
    result = suggest(evidence(measures=(held,), decisions={"adapt": 2}))
    assert result.score == "4.0"
    assert "a change adopted" in result.reasons[-1]


def test_it_suggests_five_when_held_six_months_and_adopted_elsewhere():
    held = outcome(**IMPROVED, holds=True, held_points=26, held_months=6.2)
    result = suggest(evidence(measures=(held,), adoptions_elsewhere=2))
    assert result.score == "5.0"
    assert "adopted in 2 other units" in result.reasons[-1]
    spreading = suggest(evidence(measures=(held,), stage="spreading", stage_label="Spreading"))
    assert spreading.score == "5.0" and "the project is spreading" in spreading.reasons[-1]
    assert suggest(evidence(measures=(held,))).score == "4.5"


def test_it_does_not_count_a_balancing_measure_as_improvement():
    balancing = dataclasses.replace(outcome(**IMPROVED, holds=True), role="balancing")
    assert suggest(evidence(measures=(outcome(), balancing))).score == "2.5"


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"measures": (outcome(**IMPROVED, holds=True, held_points=30, held_months=9),)},
        {"cycles_started": 0},
    ],
)
def test_it_always_gives_a_score_on_the_scale_and_a_reason_per_rung(fields):
    result = suggest(evidence(**fields))
    assert result.score in PROGRESS_SCALE
    climbed = list(PROGRESS_SCALE).index(result.score)
    assert len(result.reasons) == climbed + 1 + (result.score != "5.0")
    assert all(reason.endswith(".") for reason in result.reasons)
