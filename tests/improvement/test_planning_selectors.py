"""The reads quality planning makes of improvement: open projects, a project by id, its
leads."""

import pytest

from improvement.spread_support import *  # noqa: F403
from qms.improvement import selectors, services
from qms.improvement.models import Stage


def test_it_lists_the_open_projects_of_a_unit_and_those_below_it(org, lead, project):
    closed = services.project_create(
        by=lead, unit=org["ward"], title="Done", problem="p", aim="a", stage=Stage.CLOSED
    )
    assert list(selectors.open_projects_in(org["service"])) == [project]
    assert closed not in selectors.open_projects_in(org["ward"])
    assert not selectors.open_projects_in(org["other_service"]).exists()


def test_it_finds_a_project_with_its_unit(project):
    assert selectors.projects_with_unit().get(pk=project.pk).unit.code == "ward"


@pytest.mark.parametrize(
    ("who", "leads"),
    [
        ("lead", True),
        ("coach", True),
        ("member", False),
        ("team_partner", False),
        ("outsider", False),
    ],
)
def test_it_says_who_leads_a_project(request, project, who, leads):
    assert selectors.may_lead(request.getfixturevalue(who), project) is leads
