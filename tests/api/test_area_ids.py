"""Ids beyond any database's integers, in the paths and bodies of the area routes (issues,
planning, improvement): 404 or 400 naming the field, never a server error (SQLite cannot
even compare such a number)."""

import pytest
from helpers import api, make_api_key
from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START

from qms.issues import services

HUGE = 99999999999999999999


@pytest.fixture
def key(org):
    return make_api_key(org["ward"], write=True)


def test_a_huge_id_in_a_path_is_404(client, org, key, project, cycle, lead):
    issue = services.issue_raise(by=lead, unit=org["ward"], title="x", source="other")
    assert api(client, "GET", f"projects/{project.pk}/cycles/{HUGE}", key).status_code == 404
    assert api(client, "GET", f"issues/{issue.pk}/actions/{HUGE}", key).status_code == 404


@pytest.mark.parametrize(
    "field, body",
    [
        ("change_idea", {"change_idea": HUGE}),
        ("owner", {"owner": HUGE}),
    ],
)
def test_a_huge_id_in_a_cycle_is_400_naming_it(client, key, project, change_idea, field, body):
    plan = {
        "change_idea": change_idea.pk,
        "title": "t",
        "objective": "o",
        "starts_on": str(START),
        "ends_on": str(START),
    }
    response = api(client, "POST", f"projects/{project.pk}/cycles", key, {**plan, **body})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    response = api(client, "GET", f"projects/{project.pk}/cycles?change_idea={HUGE}", key)
    assert response.status_code == 400


def test_a_huge_owner_of_a_priority_is_400_naming_it(client, org, key):
    body = {"unit": org["ward"].pk, "title": "t", "problem": "p", "origin": "other", "owner": HUGE}
    response = api(client, "POST", "priorities", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "owner"
