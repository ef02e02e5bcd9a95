"""Defects found by trying issue 9 as its users would (the tester's part): the project page.
A patient partner on the team could not link a measure ("measures are for staff") but saw an
Unlink button on each and could take the outcome measure off the project in one click."""

import pytest
from django.urls import reverse
from helpers import make_measure

from improvement.cycles_support import *  # noqa: F403
from qms.improvement import services
from qms.improvement.models import MeasureRole, ProjectMeasure


@pytest.fixture
def outcome(org, project, lead):
    measure = make_measure(org["ward"], "falls-o", name="Falls at night")
    return services.project_measure_link(
        by=lead, project=project, measure=measure, role=MeasureRole.OUTCOME
    )


def test_a_partner_on_the_team_cannot_unlink_a_measure(client, as_user, project, outcome):
    as_user("team_partner")
    url = reverse("improvement:measure-unlink", args=[project.pk, outcome.pk])
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Falls at night" in page and url not in page
    assert client.post(url).status_code == 403
    assert ProjectMeasure.objects.filter(pk=outcome.pk).exists()


def test_the_teams_staff_unlink_a_measure(client, as_user, project, outcome, coach):
    as_user("lead")
    url = reverse("improvement:measure-unlink", args=[project.pk, outcome.pk])
    assert url in client.get(project.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 302
    assert not ProjectMeasure.objects.filter(pk=outcome.pk).exists()
