"""The issues API (qms.issues.api): issues and their actions, read and written through
qms.issues.services with the pages' permission checks, and anonymous concerns shown no more than
on the issue's page."""

import datetime as dt

import pytest
from django.utils import timezone
from helpers import api, make_api_key

from qms.culture.services import concerns as concern_services
from qms.issues import services
from qms.issues.models import Action, Issue, IssueStatus
from qms.people.roles import Role


@pytest.fixture
def issue(org, lead):
    return services.issue_raise(
        by=lead, unit=org["ward"], title="Falls at night", source="incident", owner=lead
    )


def _raise(lead, **fields):
    body = {"unit": lead.memberships.get().unit_id, "title": "Late obs", "source": "audit_finding"}
    return {**body, "owner": lead.pk, **fields}


def test_a_key_lists_the_issues_of_its_units_only(client, org, lead, issue, outsider):
    services.issue_raise(by=outsider, unit=org["elsewhere"], title="Elsewhere", source="other")
    key = make_api_key(org["ward"])
    page = api(client, "GET", "issues", key).json()
    assert [item["title"] for item in page["items"]] == ["Falls at night"]
    item = page["items"][0]
    assert item["owner"] == {"id": lead.pk, "name": str(lead)}
    assert item["raised_by"]["id"] == lead.pk
    assert item["raised_on"] == timezone.localdate().isoformat()
    assert api(client, "GET", f"issues/{issue.pk}", key).json()["status"] == "open"
    other = Issue.objects.get(title="Elsewhere")
    assert api(client, "GET", f"issues/{other.pk}", key).status_code == 404
    assert api(client, "GET", "issues", None).status_code == 401


def test_a_key_of_another_ward_sees_nothing_of_this_one(client, org, issue):
    key = make_api_key(org["other_ward"])
    assert api(client, "GET", "issues", key).json()["items"] == []
    assert api(client, "GET", f"issues/{issue.pk}", key).status_code == 404
    assert api(client, "GET", f"issues/{issue.pk}/actions", key).status_code == 404
    assert api(client, "GET", f"issues?unit={org['ward'].pk}", key).status_code == 404


def test_lists_filter_by_status_source_unit_and_day_raised(client, org, lead, issue):
    services.issue_raise(by=lead, unit=org["ward"], title="Audit", source="audit_finding")
    services.issue_close(by=lead, issue=issue, note="Sensor mats in every bay")
    key = make_api_key(org["service"])

    def titles(query):
        return [i["title"] for i in api(client, "GET", f"issues?{query}", key).json()["items"]]

    assert titles("status=closed") == ["Falls at night"]
    assert titles("source=audit_finding") == ["Audit"]
    assert titles(f"unit={org['other_ward'].pk}") == []
    today = timezone.localdate()
    assert titles(f"since={today}") == ["Falls at night", "Audit"]
    assert titles(f"until={today - dt.timedelta(days=1)}") == []
    response = api(client, "GET", "issues?status=shut", key)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"


def test_lists_come_in_pages(client, org, lead):
    for number in range(5):
        services.issue_raise(by=lead, unit=org["ward"], title=f"Issue {number}", source="other")
    key = make_api_key(org["ward"])
    first = api(client, "GET", "issues?limit=3", key).json()
    second = api(client, "GET", f"issues?limit=3&cursor={first['next_cursor']}", key).json()
    titles = [i["title"] for i in first["items"] + second["items"]]
    assert titles == [f"Issue {number}" for number in range(5)]
    assert second["next_cursor"] is None


def test_a_write_key_raises_an_issue_through_the_service(client, org, lead):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "POST", "issues", key, _raise(lead))
    assert response.status_code == 201, response.json()
    issue = Issue.objects.get(title="Late obs")
    assert issue.owner == lead and issue.created_by.username.startswith("api-key-")
    assert issue.history.get().history_change_reason == "Raised"
    assert response.json()["id"] == issue.pk


def test_who_may_not_raise(client, org, lead):
    body = _raise(lead)
    assert api(client, "POST", "issues", make_api_key(org["ward"]), body).status_code == 403
    elsewhere = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", "issues", elsewhere, body).status_code == 404
    assert not Issue.objects.exists()


def test_bad_input_names_the_field_and_saves_nothing(client, org, lead, outsider):
    key = make_api_key(org["ward"], write=True)
    response = api(
        client, "POST", "issues", key, {"unit": org["ward"].pk, "title": "", "source": "x"}
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"title", "source", "owner"}
    response = api(client, "POST", "issues", key, _raise(lead, owner=outsider.pk))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "owner"
    assert "Other Board" not in response.content.decode()
    response = api(client, "POST", "issues", key, _raise(lead, description="NHS 943 476 5919"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "description"
    assert not Issue.objects.exists()


def test_a_lead_key_changes_closes_and_reopens_an_issue(client, org, lead, member, issue):
    key = make_api_key(org["ward"], write=True)
    path = f"issues/{issue.pk}"
    response = api(client, "PATCH", path, key, {"owner": member.pk, "status": "in_progress"})
    assert response.status_code == 200, response.json()
    assert response.json()["owner"]["id"] == member.pk
    assert response.json()["status"] == "in_progress"
    response = api(client, "PATCH", path, key, {"status": "closed"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    response = api(client, "PATCH", path, key, {"status": "closed", "note": "Mats fitted"})
    assert response.json()["status"] == "closed"
    assert response.json()["closing_note"] == "Mats fitted"
    response = api(client, "PATCH", path, key, {"status": "open"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    response = api(client, "PATCH", path, key, {"status": "open", "reason": "Falls again"})
    assert response.status_code == 200 and response.json()["status"] == "open"
    issue.refresh_from_db()
    assert issue.history.first().history_change_reason == "Reopened: Falls again"


def test_closing_with_a_change_is_all_or_nothing(client, org, lead, issue):
    key = make_api_key(org["ward"], write=True)
    body = {"title": "New title", "status": "closed", "note": "NHS 943 476 5919"}
    response = api(client, "PATCH", f"issues/{issue.pk}", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    issue.refresh_from_db()
    assert issue.title == "Falls at night" and issue.status == IssueStatus.OPEN


def test_a_member_key_may_not_change_anothers_issue(client, org, issue):
    key = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    response = api(client, "PATCH", f"issues/{issue.pk}", key, {"title": "Mine"})
    assert response.status_code == 403
    read_key = make_api_key(org["ward"], name="Reader")
    assert api(client, "PATCH", f"issues/{issue.pk}", read_key, {"title": "X"}).status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Falls at night"


def test_actions_are_added_changed_and_completed(client, org, lead, member, issue):
    key = make_api_key(org["ward"], write=True)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = {"what": "Fit sensor mats", "owner": member.pk, "due_on": due}
    response = api(client, "POST", f"issues/{issue.pk}/actions", key, body)
    assert response.status_code == 201, response.json()
    action_id = response.json()["id"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_PROGRESS
    path = f"issues/{issue.pk}/actions/{action_id}"
    response = api(client, "PATCH", path, key, {"what": "Fit mats in bays 1-4"})
    assert response.json()["what"] == "Fit mats in bays 1-4"
    response = api(client, "PATCH", path, key, {"done": True})
    assert response.json()["done"] is True
    response = api(client, "PATCH", path, key, {"done": False})
    assert response.json()["done"] is False
    listed = api(client, "GET", f"issues/{issue.pk}/actions", key).json()["items"]
    assert [action["id"] for action in listed] == [action_id]
    assert api(client, "GET", path, key).json()["owner"]["id"] == member.pk


def test_bad_actions_name_the_field_and_save_nothing(client, org, lead, issue):
    key = make_api_key(org["ward"], write=True)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = {"what": "Mats", "owner": lead.pk, "due_on": past}
    response = api(client, "POST", f"issues/{issue.pk}/actions", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "due_on"
    response = api(client, "POST", f"issues/{issue.pk}/actions", key, {"what": "", "due_on": "x"})
    assert {e["field"] for e in response.json()["errors"]} == {"what", "owner", "due_on"}
    assert not Action.objects.exists()


def test_who_may_not_add_actions(client, org, lead, issue):
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = {"what": "Mats", "owner": lead.pk, "due_on": due}
    member_key = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", f"issues/{issue.pk}/actions", member_key, body).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", f"issues/{issue.pk}/actions", other, body).status_code == 404
    read_key = make_api_key(org["ward"], name="Reader")
    assert api(client, "POST", f"issues/{issue.pk}/actions", read_key, body).status_code == 403
    assert not Action.objects.exists()


def test_an_action_of_another_issue_is_404(client, org, lead, issue):
    other = services.issue_raise(by=lead, unit=org["ward"], title="Other", source="other")
    action = services.action_add(
        by=lead, issue=other, what="Do", owner=lead, due_on=timezone.localdate()
    )
    key = make_api_key(org["ward"])
    assert api(client, "GET", f"issues/{issue.pk}/actions/{action.pk}", key).status_code == 404
    assert api(client, "GET", f"issues/{other.pk}/actions/{action.pk}", key).status_code == 200


def test_an_anonymous_concern_shows_no_more_than_its_page(client, org, member):
    concern, code = concern_services.concern_raise(
        by=member, unit=org["ward"], title="Short of staff at night", anonymous=True
    )
    key = make_api_key(org["ward"])
    item = api(client, "GET", f"issues/{concern.issue.pk}", key).json()
    assert item["raised_by"] is None and item["owner"] is None
    assert item["raised_on"] == timezone.localdate().isoformat()
    text = api(client, "GET", "issues", key).content.decode()
    assert code not in text and member.username not in text and str(member) not in text
    assert "T" not in item["raised_on"]  # the day only, never a time
    named, _ = concern_services.concern_raise(by=member, unit=org["ward"], title="Named one")
    assert (
        api(client, "GET", f"issues/{named.issue.pk}", key).json()["raised_by"]["id"] == member.pk
    )
