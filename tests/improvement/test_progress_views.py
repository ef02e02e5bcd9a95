"""The progress score on the project page: the suggestion with its reasons, the leads'
confirm-or-override form, past assessments; the confirm page for the leads only."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from improvement.spread_support import *  # noqa: F403
from qms.improvement import selectors, services
from qms.improvement.models import ProgressAssessment


def url(project):
    return reverse("improvement:progress-confirm", args=[project.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("coach", 200),
        ("member", 403),
        ("team_partner", 403),
        ("partner", 403),
        ("outsider", 404),
        ("other_lead", 404),
    ],
)
def test_it_lets_only_leads_open_the_confirm_page(client, as_user, project, who, status):
    as_user(who)
    response = client.get(url(project))
    assert response.status_code == status
    if status == 200:
        assert "To reach " in response.content.decode()


@pytest.mark.parametrize("who", ["member", "team_partner"])
def test_it_refuses_a_confirmation_from_anyone_else(client, as_user, project, who):
    as_user(who)
    assert client.post(url(project), {"score": "0.5"}).status_code == 403
    assert not ProgressAssessment.objects.exists()


def test_it_confirms_the_suggestion(client, as_user, project):
    as_user("coach")
    suggested = selectors.progress_suggest(project).score
    response = client.post(url(project), {"score": suggested, "reason": ""})
    assert response.status_code == 302
    assert response.url == project.get_absolute_url() + "#progress"
    project.refresh_from_db()
    assert project.progress_score == suggested


def test_it_asks_for_a_reason_to_override_and_saves_nothing_without(client, as_user, project):
    as_user("lead")
    response = client.post(url(project), {"score": "3.0", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the score is 3.0 when the evidence suggests" in page
    assert not ProgressAssessment.objects.exists()
    response = client.post(url(project), {"score": "3.0", "reason": "Audit shows fewer falls."})
    assert response.status_code == 302
    assert ProgressAssessment.objects.get().override_reason == "Audit shows fewer falls."


def test_it_refuses_a_score_off_the_scale(client, as_user, project):
    as_user("lead")
    assert client.post(url(project), {"score": "7"}).status_code == 400


def _section(project, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "improvement/_project_progress.html",
        {"progress": selectors.progress_section(project, user), "project": project},
        request=request,
    )


def test_the_section_shows_the_suggestion_its_reasons_and_past_scores(project, lead, member):
    services.progress_confirm(by=lead, project=project, score="2.0", reason="Paper cycles.")
    page = _section(project, lead)
    assert "Suggested from the evidence" in page and "To reach 1.0" in page
    assert "Paper cycles." in page and "overridden" in page
    assert 'name="score"' in page
    assert 'name="score"' not in _section(project, member)


def test_the_section_reads_in_the_same_queries_whatever_the_project_holds(
    project, idea, outcome, untested_idea, lead, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        selectors.progress_section(project, lead)
