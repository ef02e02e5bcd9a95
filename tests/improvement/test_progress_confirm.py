"""Confirming a project's progress score: the suggestion, or another score with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qms.improvement import selectors, services
from qms.improvement.models import ProgressAssessment, Project


@pytest.fixture
def project(org, lead):
    return Project.objects.create(
        unit=org["ward"], title="Fewer falls", problem="Falls.", aim="Fewer.", lead=lead
    )


def test_it_confirms_the_suggested_score_without_a_reason(project, lead):
    suggestion = selectors.progress_suggest(project)
    assessment = services.progress_confirm(by=lead, project=project, score=suggestion.score)
    project.refresh_from_db()
    assert project.progress_score == suggestion.score == assessment.score == "0.5"
    assert assessment.suggested == "0.5" and not assessment.overridden
    assert assessment.reasons == list(suggestion.reasons)
    assert project.history.first().history_change_reason == "Progress score 0.5 confirmed"


def test_it_refuses_another_score_without_a_reason(project, lead):
    with pytest.raises(ValidationError) as error:
        services.progress_confirm(by=lead, project=project, score="2.0")
    assert "suggests 0.5" in str(error.value.message_dict["reason"])
    assert not ProgressAssessment.objects.exists()
    project.refresh_from_db()
    assert project.progress_score == ""


def test_it_keeps_another_score_with_its_reason(project, lead):
    assessment = services.progress_confirm(
        by=lead, project=project, score="2.0", reason="Cycles run on paper, not yet recorded."
    )
    assert assessment.overridden and assessment.suggested == "0.5"
    assert assessment.override_reason == "Cycles run on paper, not yet recorded."
    project.refresh_from_db()
    assert project.progress_score == "2.0"


@pytest.mark.parametrize("score", ["", "6.0", "1", None])
def test_it_refuses_a_score_off_the_scale(project, lead, score):
    with pytest.raises(ValidationError) as error:
        services.progress_confirm(by=lead, project=project, score=score, reason="x")
    assert "score" in error.value.message_dict


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_lets_no_one_but_a_lead_confirm(project, request, who):
    with pytest.raises(PermissionDenied):
        services.progress_confirm(by=request.getfixturevalue(who), project=project, score="0.5")
