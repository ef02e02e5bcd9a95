"""The improvement API (qms.improvement.api): projects and their PDSA cycles through
qms.improvement.services with the project pages' checks; the team (grants) as on the page."""

import datetime as dt

from helpers import api, make_api_key
from improvement.cycles_support import *  # noqa: F403
from improvement.cycles_support import START, plan

from qms.improvement.models import CycleStage, PdsaCycle, Project
from qms.improvement.services import cycle_create
from qms.people.roles import Role

CHARTER = {
    "title": "Fewer pressure ulcers",
    "problem": "Grade 2 ulcers are rising.",
    "aim": "Halve grade 2 pressure ulcers on Ward 7 by March 2027.",
}


# Projects ---------------------------------------------------------------------------------------


def test_a_key_reads_the_projects_of_its_units_with_their_team(
    client, org, project, lead, teammate, team_partner
):
    other = Project.objects.create(unit=org["other_ward"], title="Other", problem="P", aim="A")
    key = make_api_key(org["ward"])
    items = api(client, "GET", "projects", key).json()["items"]
    assert [item["id"] for item in items] == [project.pk]
    team = {member["person"]["id"]: member["roles"] for member in items[0]["team"]}
    assert "Project lead" in team[lead.pk]
    assert team[teammate.pk] == [Role.TEAM_MEMBER.label]
    assert team[team_partner.pk] == [Role.PARTNER.label]
    assert items[0]["lead"]["id"] == lead.pk
    assert api(client, "GET", f"projects/{other.pk}", key).status_code == 404
    assert api(client, "GET", "projects", None).status_code == 401


def test_project_lists_filter(client, org, project):
    Project.objects.create(
        unit=org["other_ward"], title="Lean", problem="P", aim="A", method="lean", stage="testing"
    )
    key = make_api_key(org["service"])

    def titles(query):
        return [p["title"] for p in api(client, "GET", f"projects?{query}", key).json()["items"]]

    assert titles("") == ["Fewer falls at night", "Lean"]
    assert titles("method=lean") == ["Lean"]
    assert titles("stage=idea") == ["Fewer falls at night"]
    assert titles(f"unit={org['ward'].pk}") == ["Fewer falls at night"]
    assert titles(f"since={dt.date.today() + dt.timedelta(days=1)}") == []
    response = api(client, "GET", "projects?stage=finished", key)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "stage"


def test_a_write_key_starts_a_project_naming_people_as_the_form_does(client, org, lead):
    key = make_api_key(org["ward"], write=True)
    body = {**CHARTER, "unit": org["ward"].pk, "lead": lead.username, "method": "lean"}
    response = api(client, "POST", "projects", key, body)
    assert response.status_code == 201, response.json()
    project = Project.objects.get()
    assert project.lead == lead and project.method == "lean"
    assert project.created_by.username.startswith("api-key-")
    assert project.nodes.get(kind="aim").text == CHARTER["aim"]


def test_bad_charters_name_the_field_and_save_nothing(client, org, outsider):
    key = make_api_key(org["ward"], write=True)
    body = {"unit": org["ward"].pk, "title": "", "problem": "P", "aim": "A", "method": "magic"}
    response = api(client, "POST", "projects", key, body)
    assert {e["field"] for e in response.json()["errors"]} == {"title", "method"}
    body = {**CHARTER, "unit": org["ward"].pk, "coach": "nobody-here"}
    response = api(client, "POST", "projects", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "coach"
    body = {**CHARTER, "unit": org["ward"].pk, "starts_on": "2026-05-01", "ends_on": "2026-01-01"}
    response = api(client, "POST", "projects", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "ends_on"
    body = {**CHARTER, "unit": org["ward"].pk, "problem": "Seen: NHS 943 476 5919"}
    response = api(client, "POST", "projects", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "problem"
    assert not Project.objects.exists()


def test_who_may_not_start_a_project(client, org):
    body = {**CHARTER, "unit": org["ward"].pk}
    assert api(client, "POST", "projects", make_api_key(org["ward"]), body).status_code == 403
    analyst = make_api_key(org["ward"], write=True, role=Role.ANALYST)
    assert api(client, "POST", "projects", analyst, body).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", "projects", other, body).status_code == 404
    assert not Project.objects.exists()


def test_a_lead_key_changes_the_charter_and_stage(client, org, project):
    key = make_api_key(org["ward"], write=True)
    body = {"stage": "testing", "aim": "Halve falls by June 2027.", "reason": "Reviewed"}
    response = api(client, "PATCH", f"projects/{project.pk}", key, body)
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "testing"
    project.refresh_from_db()
    assert project.aim == "Halve falls by June 2027."
    assert project.history.first().history_change_reason == "Reviewed"


def test_who_may_not_change_a_project(client, org, project):
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert (
        api(client, "PATCH", f"projects/{project.pk}", member, {"stage": "closed"}).status_code
        == 403
    )
    other = make_api_key(org["other_ward"], write=True)
    assert (
        api(client, "PATCH", f"projects/{project.pk}", other, {"stage": "closed"}).status_code
        == 404
    )
    project.refresh_from_db()
    assert project.stage == "idea"


# PDSA cycles ------------------------------------------------------------------------------------


def _plan_body(change_idea, **fields):
    return {
        "change_idea": change_idea.pk,
        "title": "Rounding on one bay",
        "objective": "See whether hourly rounding stops night falls.",
        "starts_on": START.isoformat(),
        "ends_on": (START + dt.timedelta(days=14)).isoformat(),
        "predictions": [{"question": "Will falls drop?", "prediction": "No falls in two weeks."}],
        **fields,
    }


def test_a_team_key_plans_a_cycle_and_takes_it_through_do_study_act(
    client, org, project, change_idea, teammate
):
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/cycles"
    response = api(client, "POST", path, key, _plan_body(change_idea, owner=teammate.pk))
    assert response.status_code == 201, response.json()
    cycle = response.json()
    assert (cycle["number"], cycle["stage"], cycle["owner"]["id"]) == (1, "plan", teammate.pk)
    prediction = cycle["predictions"][0]["id"]
    one = f"{path}/{cycle['id']}"
    response = api(client, "PATCH", one, key, {"title": "Rounding on bay 1"})
    assert response.json()["stage"] == "plan"  # a change of plan does not start the test
    response = api(client, "PATCH", one, key, {"plan_done": True})
    assert response.json()["stage"] == "do"
    body = {"do": {"what_happened": "Rounds every hour", "observations": "Two missed"}}
    assert api(client, "PATCH", one, key, body).json()["stage"] == "study"
    body = {
        "study": {
            "summary": "Falls dropped",
            "results": [{"prediction": prediction, "result": "None", "outcome": "met"}],
        }
    }
    response = api(client, "PATCH", one, key, body)
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "act"
    response = api(client, "PATCH", one, key, {"act": {"decision": "adopt", "notes": "All bays"}})
    assert response.json()["stage"] == "done" and response.json()["decision"] == "adopt"
    assert api(client, "GET", path, key).json()["items"][0]["id"] == cycle["id"]


def test_cycles_show_the_measures_they_are_marked_on(client, org, project, cycle, lead):
    from helpers import make_measure

    from qms.improvement.services import project_measure_link

    measure = make_measure(org["ward"], "falls")
    project_measure_link(by=None, project=project, measure=measure, role="outcome")
    key = make_api_key(org["ward"])
    item = api(client, "GET", f"projects/{project.pk}/cycles/{cycle.pk}", key).json()
    assert item["measures"] == [measure.pk]
    assert api(client, "GET", f"projects/{project.pk}", key).json()["measures"] == [
        {"measure": measure.pk, "role": "outcome"}
    ]


def test_bad_cycles_name_the_field_and_save_nothing(
    client, org, project, change_idea, other_idea, outsider
):
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/cycles"
    response = api(client, "POST", path, key, _plan_body(change_idea, ends_on="2026-01-01"))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "ends_on"
    primary = project.nodes.get(kind="primary")
    response = api(client, "POST", path, key, _plan_body(primary))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "change_idea"
    response = api(client, "POST", path, key, _plan_body(change_idea, owner=outsider.pk))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "owner"
    body = _plan_body(change_idea, objective="For NHS 943 476 5919")
    response = api(client, "POST", path, key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "objective"
    assert not PdsaCycle.objects.exists()


def test_a_cycle_change_is_all_or_nothing(client, org, project, cycle):
    key = make_api_key(org["ward"], write=True)
    body = {"title": "New title", "study": {"summary": "Too soon"}}
    response = api(client, "PATCH", f"projects/{project.pk}/cycles/{cycle.pk}", key, body)
    assert response.status_code == 400
    cycle.refresh_from_db()
    assert cycle.title == "Rounding on one bay" and cycle.stage == CycleStage.PLAN


def test_who_may_not_plan_or_record_cycles(client, org, project, change_idea, cycle):
    path = f"projects/{project.pk}/cycles"
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", path, member, _plan_body(change_idea)).status_code == 403
    assert api(client, "PATCH", f"{path}/{cycle.pk}", member, {"title": "X"}).status_code == 403
    read_key = make_api_key(org["ward"])
    assert api(client, "POST", path, read_key, _plan_body(change_idea)).status_code == 403
    assert api(client, "GET", f"{path}/{cycle.pk}", read_key).status_code == 200
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", path, other, _plan_body(change_idea)).status_code == 404
    assert api(client, "GET", f"{path}/{cycle.pk}", other).status_code == 404
    assert PdsaCycle.objects.count() == 1


def test_a_cycle_of_another_project_is_404(client, org, project, cycle, lead):
    second = Project.objects.create(unit=org["ward"], title="Second", problem="P", aim="A")
    key = make_api_key(org["ward"])
    assert api(client, "GET", f"projects/{second.pk}/cycles/{cycle.pk}", key).status_code == 404


def test_cycle_lists_filter_and_page(client, org, project, change_idea, other_idea, lead):
    first = cycle_create(by=lead, change_idea=change_idea, **plan())
    later = START + dt.timedelta(days=30)
    second = cycle_create(
        by=lead,
        change_idea=other_idea,
        **plan(starts_on=later, ends_on=later + dt.timedelta(days=7)),
    )
    key = make_api_key(org["ward"])
    path = f"projects/{project.pk}/cycles"

    def ids(query):
        return [c["id"] for c in api(client, "GET", f"{path}?{query}", key).json()["items"]]

    assert ids("") == [first.pk, second.pk]
    assert ids(f"since={later}") == [second.pk]
    assert ids(f"change_idea={change_idea.pk}") == [first.pk]
    assert ids("stage=done") == []
    page = api(client, "GET", f"{path}?limit=1", key).json()
    assert [c["id"] for c in page["items"]] == [first.pk] and page["next_cursor"]


# The project's measures -------------------------------------------------------------------------


def test_the_team_links_and_unlinks_measures_of_its_units(client, org, project, cycle):
    from helpers import make_measure

    measure = make_measure(org["ward"], "falls")
    elsewhere = make_measure(org["other_ward"], "falls-8")
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/measures"
    response = api(client, "POST", path, key, {"measure": measure.pk, "role": "outcome"})
    assert response.status_code == 201, response.json()
    assert response.json()["measures"] == [{"measure": measure.pk, "role": "outcome"}]
    again = api(client, "POST", path, key, {"measure": measure.pk, "role": "process"})
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "measure"
    cycle_path = f"projects/{project.pk}/cycles/{cycle.pk}"
    assert api(client, "GET", cycle_path, key).json()["measures"] == [measure.pk]
    response = api(client, "POST", path, key, {"measure": elsewhere.pk, "role": "outcome"})
    assert response.status_code == 404
    response = api(client, "DELETE", f"{path}/{measure.pk}", key)
    assert response.status_code == 200 and response.json()["measures"] == []
    assert api(client, "DELETE", f"{path}/{measure.pk}", key).status_code == 404


def test_who_may_not_link_measures(client, org, project):
    from helpers import make_measure

    from qms.improvement.services import project_measure_link

    measure = make_measure(org["ward"], "falls")
    path = f"projects/{project.pk}/measures"
    body = {"measure": measure.pk, "role": "outcome"}
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", path, member, body).status_code == 403
    assert api(client, "POST", path, make_api_key(org["ward"]), body).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", path, other, body).status_code == 404
    assert not project.project_measures.exists()
    project_measure_link(by=None, project=project, measure=measure, role="outcome")
    assert api(client, "DELETE", f"{path}/{measure.pk}", member).status_code == 403
    assert (
        api(client, "DELETE", f"{path}/{measure.pk}", make_api_key(org["ward"])).status_code == 403
    )
    assert project.project_measures.count() == 1


# The project's team -----------------------------------------------------------------------------


def test_a_lead_key_adds_and_removes_a_team_member_as_the_team_page_does(
    client, org, project, outsider
):
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/team"
    body = {"person": outsider.username, "role": "analyst"}
    response = api(client, "POST", path, key, body)
    assert response.status_code == 201, response.json()
    team = {m["person"]["id"]: m["roles"] for m in response.json()["team"]}
    assert team[outsider.pk] == [Role.ANALYST.label]
    assert outsider.notifications.exists()
    response = api(client, "DELETE", f"{path}/{outsider.pk}/analyst?reason=Moved on", key)
    assert response.status_code == 200, response.json()
    assert outsider.pk not in {m["person"]["id"] for m in response.json()["team"]}
    response = api(client, "DELETE", f"{path}/{outsider.pk}/analyst", key)
    assert response.status_code == 404


def test_the_charters_lead_stays_on_the_team(client, org, project, lead):
    from qms.people.services import grant_give

    grant_give(by=None, record=project, person=lead, role=Role.TEAM_LEAD)
    key = make_api_key(org["ward"], write=True)
    response = api(client, "DELETE", f"projects/{project.pk}/team/{lead.pk}/team_lead", key)
    assert response.status_code == 400, response.json()
    assert "charter" in response.json()["errors"][0]["message"]
    assert lead.pk in {
        m["person"]["id"] for m in api(client, "GET", f"projects/{project.pk}", key).json()["team"]
    }


def test_bad_team_members_name_the_field_and_add_no_one(client, org, project, outsider):
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/team"
    before = len(api(client, "GET", f"projects/{project.pk}", key).json()["team"])
    for body, field in (
        ({"person": "nobody-here", "role": "analyst"}, "person"),
        ({"person": outsider.username, "role": "executive"}, "role"),
        ({"person": "", "role": "analyst"}, "person"),
    ):
        response = api(client, "POST", path, key, body)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"] == field
    assert len(api(client, "GET", f"projects/{project.pk}", key).json()["team"]) == before


def test_who_may_not_change_a_team(client, org, project, outsider, teammate):
    path = f"projects/{project.pk}/team"
    body = {"person": outsider.username, "role": "analyst"}
    gone = f"{path}/{teammate.pk}/team_member"
    assert api(client, "POST", path, None, body).status_code == 401
    assert api(client, "DELETE", gone, None).status_code == 401
    read = make_api_key(org["ward"])
    assert api(client, "POST", path, read, body).status_code == 403
    assert api(client, "DELETE", gone, read).status_code == 403
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", path, member, body).status_code == 403
    assert api(client, "DELETE", gone, member).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", path, other, body).status_code == 404
    assert api(client, "DELETE", gone, other).status_code == 404
    team = {
        m["person"]["id"] for m in api(client, "GET", f"projects/{project.pk}", read).json()["team"]
    }
    assert outsider.pk not in team and teammate.pk in team


def test_a_lead_key_chooses_the_projects_method_as_the_charter_page_does(client, org, project):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "PATCH", f"projects/{project.pk}", key, {"method": "ebcd"})
    assert response.status_code == 200, response.json()
    assert response.json()["method"] == "ebcd"
    assert project.ebcd_stages.count() == 5
    response = api(client, "PATCH", f"projects/{project.pk}", key, {"method": "magic"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "method"
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert (
        api(client, "PATCH", f"projects/{project.pk}", member, {"method": "lean"}).status_code
        == 403
    )
    project.refresh_from_db()
    assert project.method == "ebcd"


# The driver diagram -----------------------------------------------------------------------------


def test_a_team_key_builds_the_driver_diagram_and_plans_a_cycle_of_its_new_change_idea(
    client, org, project
):
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/nodes"
    nodes = api(client, "GET", path, key).json()
    assert [n["kind"] for n in nodes] == ["aim", "primary"]
    primary = nodes[1]["id"]
    body = {"parent": primary, "kind": "change_idea", "text": "Hourly rounding"}
    response = api(client, "POST", path, key, body)
    assert response.status_code == 201, response.json()
    idea = response.json()
    assert (idea["parent"], idea["position"]) == (primary, 1)
    body = {"parent": primary, "kind": "secondary", "text": "Staff awake", "position": 1}
    secondary = api(client, "POST", path, key, body).json()
    one = f"{path}/{idea['id']}"
    response = api(client, "PATCH", one, key, {"text": "Rounding", "parent": secondary["id"]})
    assert response.status_code == 200, response.json()
    assert (response.json()["text"], response.json()["parent"]) == ("Rounding", secondary["id"])
    response = api(client, "POST", f"projects/{project.pk}/cycles", key, _plan_body_for(idea))
    assert response.status_code == 201, response.json()
    response = api(client, "DELETE", f"{path}/{secondary['id']}", key)
    assert response.status_code == 200 and response.json() == {"removed": 2}
    assert not PdsaCycle.objects.exists()
    assert [n["kind"] for n in api(client, "GET", path, key).json()] == ["aim", "primary"]


def _plan_body_for(idea):
    return {
        "change_idea": idea["id"],
        "title": "Rounding on one bay",
        "objective": "See whether hourly rounding stops night falls.",
        "starts_on": START.isoformat(),
        "ends_on": (START + dt.timedelta(days=14)).isoformat(),
    }


def test_bad_nodes_name_the_field_and_change_nothing(client, org, project, change_idea):
    key = make_api_key(org["ward"], write=True)
    path = f"projects/{project.pk}/nodes"
    before = api(client, "GET", path, key).json()
    aim = before[0]["id"]
    other = Project.objects.create(unit=org["ward"], title="Other", problem="P", aim="A")
    from qms.improvement.models import DriverNode

    foreign = DriverNode.objects.create(project=other, kind="aim", text="A")
    for body, field in (
        ({"parent": aim, "kind": "change_idea", "text": "Idea"}, "kind"),
        ({"parent": foreign.pk, "kind": "primary", "text": "Driver"}, "parent"),
        ({"parent": aim, "kind": "primary", "text": ""}, "text"),
        ({"parent": aim, "kind": "primary", "text": "NHS 943 476 5919"}, "text"),
        ({"parent": aim, "kind": "primary", "text": "Driver", "position": 9}, "position"),
    ):
        response = api(client, "POST", path, key, body)
        assert response.status_code == 400, (body, response.json())
        assert response.json()["errors"][0]["field"] == field, body
    one = f"{path}/{change_idea.pk}"
    body = {"text": "Renamed", "parent": change_idea.pk}  # under itself: nothing saved
    response = api(client, "PATCH", one, key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "parent"
    response = api(client, "DELETE", f"{path}/{aim}", key)
    assert response.status_code == 400
    assert api(client, "GET", path, key).json() == before


def test_who_may_not_change_a_driver_diagram(client, org, project, change_idea):
    path = f"projects/{project.pk}/nodes"
    one = f"{path}/{change_idea.pk}"
    body = {"parent": change_idea.parent_id, "kind": "change_idea", "text": "Bed alarms"}
    assert api(client, "GET", path, None).status_code == 401
    assert api(client, "POST", path, None, body).status_code == 401
    read = make_api_key(org["ward"])
    assert api(client, "GET", path, read).status_code == 200
    assert api(client, "POST", path, read, body).status_code == 403
    assert api(client, "PATCH", one, read, {"text": "X"}).status_code == 403
    assert api(client, "DELETE", one, read).status_code == 403
    analyst = make_api_key(org["ward"], write=True, role=Role.ANALYST)
    assert api(client, "POST", path, analyst, body).status_code == 403
    assert api(client, "DELETE", one, analyst).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "GET", path, other).status_code == 404
    assert api(client, "POST", path, other, body).status_code == 404
    assert api(client, "DELETE", one, other).status_code == 404
    assert (
        api(
            client, "DELETE", f"{path}/99999999999999", make_api_key(org["ward"], write=True)
        ).status_code
        == 404
    )
    change_idea.refresh_from_db()
    assert change_idea.text == "Hourly rounding"
    assert project.nodes.count() == 3
