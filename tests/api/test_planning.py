"""The planning API (qms.planning.api): aims and priorities through qms.planning.services with
the planning pages' checks; priorities scored as their page scores them."""

import datetime as dt

import pytest
from helpers import api, make_api_key

from qms.people.roles import Role
from qms.planning import selectors, services
from qms.planning.models import Aim, Priority, PriorityStatus

NEXT_YEAR = dt.date.today().replace(month=1, day=1) + dt.timedelta(days=400)
AIM = {"statement": "Reduce falls with harm by 30% by March", "target": "fewer than 2 per 1,000"}


@pytest.fixture
def board_aim(org):
    return services.aim_create(by=None, unit=org["board"], due_on=NEXT_YEAR, **AIM)


@pytest.fixture
def ward_aim(org, board_aim):
    return services.aim_create(by=None, unit=org["ward"], due_on=NEXT_YEAR, parent=board_aim, **AIM)


def _priority(unit, title="Falls at night", **scores):
    priority = services.priority_create(
        by=None, unit=unit, title=title, problem="Falls are rising.", origin="strategy"
    )
    if scores:
        priority = services.priority_score(by=None, priority=priority, **scores)
    return priority


FULL = dict(people_affected=5, severity=4, equity=3, strategic_fit=4, effort=3, cost=4, readiness=5)


# Aims ------------------------------------------------------------------------------------------


def test_a_key_reads_the_aims_of_its_units_only(client, org, ward_aim, board_aim):
    other = services.aim_create(by=None, unit=org["other_ward"], due_on=NEXT_YEAR, **AIM)
    key = make_api_key(org["ward"])
    items = api(client, "GET", "aims", key).json()["items"]
    assert [item["id"] for item in items] == [ward_aim.pk]
    assert items[0]["parent"] == board_aim.pk
    assert api(client, "GET", f"aims/{board_aim.pk}", key).status_code == 404
    assert api(client, "GET", f"aims/{other.pk}", key).status_code == 404
    assert api(client, "GET", "aims", None).status_code == 401


def test_aim_lists_filter(client, org, ward_aim):
    retired = services.aim_create(by=None, unit=org["ward"], due_on=NEXT_YEAR, **AIM)
    services.aim_retire(by=None, aim=retired, reason="Met early")
    key = make_api_key(org["service"])

    def ids(query):
        return [item["id"] for item in api(client, "GET", f"aims?{query}", key).json()["items"]]

    assert ids("") == [ward_aim.pk, retired.pk]
    assert ids("active=false") == [retired.pk]
    assert ids(f"until={NEXT_YEAR - dt.timedelta(days=1)}") == []
    assert ids(f"unit={org['other_ward'].pk}") == []


def test_a_lead_key_sets_changes_and_retires_an_aim(client, org, board_aim):
    key = make_api_key(org["ward"], write=True)
    body = {**AIM, "unit": org["ward"].pk, "due_on": NEXT_YEAR.isoformat(), "parent": board_aim.pk}
    response = api(client, "POST", "aims", key, body)
    assert response.status_code == 201, response.json()
    aim = Aim.objects.get(unit=org["ward"])
    assert aim.parent == board_aim and aim.created_by.username.startswith("api-key-")
    path = f"aims/{aim.pk}"
    response = api(client, "PATCH", path, key, {"target": "fewer than 1 per 1,000", "parent": None})
    assert response.status_code == 200, response.json()
    assert response.json()["target"] == "fewer than 1 per 1,000"
    assert response.json()["parent"] is None
    response = api(client, "PATCH", path, key, {"active": False})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    response = api(client, "PATCH", path, key, {"active": False, "reason": "Met early"})
    assert response.json()["active"] is False


def test_who_may_not_set_or_change_aims(client, org, ward_aim):
    body = {**AIM, "unit": org["ward"].pk, "due_on": NEXT_YEAR.isoformat()}
    assert api(client, "POST", "aims", make_api_key(org["ward"]), body).status_code == 403
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", "aims", member, body).status_code == 403
    assert api(client, "PATCH", f"aims/{ward_aim.pk}", member, {"target": "x"}).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", "aims", other, body).status_code == 404
    assert api(client, "PATCH", f"aims/{ward_aim.pk}", other, {"target": "x"}).status_code == 404
    assert Aim.objects.filter(unit=org["ward"]).count() == 1


def test_bad_aims_name_the_field_and_save_nothing(client, org, outsider):
    elsewhere = services.aim_create(by=None, unit=org["elsewhere"], due_on=NEXT_YEAR, **AIM)
    key = make_api_key(org["ward"], write=True)
    body = {**AIM, "unit": org["ward"].pk, "due_on": "soon", "statement": ""}
    response = api(client, "POST", "aims", key, body)
    assert {e["field"] for e in response.json()["errors"]} == {"due_on", "statement"}
    body = {**AIM, "unit": org["ward"].pk, "due_on": NEXT_YEAR.isoformat(), "parent": elsewhere.pk}
    response = api(client, "POST", "aims", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "parent"
    body = {
        **AIM,
        "unit": org["ward"].pk,
        "due_on": NEXT_YEAR.isoformat(),
        "target": "NHS 943 476 5919",
    }
    response = api(client, "POST", "aims", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "target"
    assert not Aim.objects.filter(unit=org["ward"]).exists()


# Priorities ------------------------------------------------------------------------------------


def test_priorities_are_scored_as_the_page_scores_them(client, org):
    services.weights_set(by=None, unit=org["ward"], severity=3)
    scored = _priority(org["ward"], "Scored", **FULL)
    unscored = _priority(org["ward"], "Unscored", severity=2)
    key = make_api_key(org["ward"])
    items = {i["title"]: i for i in api(client, "GET", "priorities", key).json()["items"]}
    expected = selectors.priority_score_of(scored, selectors.weights_for(org["ward"]))
    assert expected.overall is not None
    assert items["Scored"]["score"]["overall"] == pytest.approx(expected.overall)
    assert items["Scored"]["score"]["impact"] == pytest.approx(expected.impact)
    assert items["Scored"]["scores"]["severity"] == 4
    assert items["Unscored"]["score"]["overall"] is None
    assert "people_affected" in items["Unscored"]["score"]["missing"]
    one = api(client, "GET", f"priorities/{scored.pk}", key).json()
    assert one["rank"] == 1 and one["score"]["quadrant"] == "Quick win"
    assert api(client, "GET", f"priorities/{unscored.pk}", key).json()["rank"] is None


def test_a_key_reads_the_priorities_of_its_units_only(client, org):
    ward = _priority(org["ward"])
    other = _priority(org["other_ward"], "Other")
    key = make_api_key(org["ward"])
    assert [i["id"] for i in api(client, "GET", "priorities", key).json()["items"]] == [ward.pk]
    assert api(client, "GET", f"priorities/{other.pk}", key).status_code == 404
    service_key = make_api_key(org["service"])

    def ids(query):
        return [
            i["id"] for i in api(client, "GET", f"priorities?{query}", service_key).json()["items"]
        ]

    assert ids("") == [ward.pk, other.pk]
    assert ids(f"unit={org['other_ward'].pk}") == [other.pk]
    assert ids("status=approved") == []
    assert ids("origin=strategy&limit=1") == [ward.pk]


def test_a_member_key_proposes_a_priority(client, org, lead, board_aim):
    key = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    body = {
        "unit": org["ward"].pk,
        "title": "Night falls",
        "problem": "Falls at night are rising.",
        "origin": "aim",
        "aim": board_aim.pk,
        "owner": lead.pk,
    }
    response = api(client, "POST", "priorities", key, body)
    assert response.status_code == 201, response.json()
    priority = Priority.objects.get()
    assert priority.aim == board_aim and priority.owner == lead
    assert response.json()["status"] == "candidate"


def test_bad_priorities_name_the_field_and_save_nothing(client, org, outsider):
    key = make_api_key(org["ward"], write=True)
    body = {"unit": org["ward"].pk, "title": "", "problem": "x", "origin": "hunch"}
    response = api(client, "POST", "priorities", key, body)
    assert {e["field"] for e in response.json()["errors"]} == {"title", "origin"}
    body = {"unit": org["ward"].pk, "title": "T", "problem": "P", "origin": "other"}
    response = api(client, "POST", "priorities", key, {**body, "owner": outsider.pk})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "owner"
    assert str(outsider) not in response.content.decode()
    response = api(client, "POST", "priorities", key, {**body, "problem": "NHS 943 476 5919"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "problem"
    assert not Priority.objects.exists()


def test_who_may_not_propose(client, org):
    body = {"unit": org["ward"].pk, "title": "T", "problem": "P", "origin": "other"}
    assert api(client, "POST", "priorities", make_api_key(org["ward"]), body).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", "priorities", other, body).status_code == 404
    assert not Priority.objects.exists()


def test_a_lead_key_scores_changes_and_decides_a_priority(client, org):
    priority = _priority(org["ward"])
    key = make_api_key(org["ward"], write=True)
    path = f"priorities/{priority.pk}"
    response = api(client, "PATCH", path, key, {"scores": FULL, "title": "Falls at night (ward)"})
    assert response.status_code == 200, response.json()
    assert response.json()["score"]["overall"] is not None
    assert response.json()["title"] == "Falls at night (ward)"
    response = api(client, "PATCH", path, key, {"status": "approved"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    response = api(client, "PATCH", path, key, {"status": "approved", "reason": "Top of the list"})
    assert response.json()["status"] == "approved"
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.APPROVED and priority.decided_by is not None


def test_a_change_with_a_bad_decision_saves_nothing(client, org):
    priority = _priority(org["ward"])
    key = make_api_key(org["ward"], write=True)
    body = {"scores": {"severity": 5}, "status": "candidate", "reason": "Again"}
    response = api(client, "PATCH", f"priorities/{priority.pk}", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"
    priority.refresh_from_db()
    assert priority.severity is None


def test_who_may_not_score_or_decide(client, org):
    priority = _priority(org["ward"])
    path = f"priorities/{priority.pk}"
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "PATCH", path, member, {"scores": {"severity": 5}}).status_code == 403
    analyst = make_api_key(org["ward"], write=True, role=Role.ANALYST)
    assert api(client, "PATCH", path, analyst, {"scores": {"severity": 5}}).status_code == 200
    decision = {"status": "approved", "reason": "Yes"}
    assert api(client, "PATCH", path, analyst, decision).status_code == 403
    assert api(client, "PATCH", path, make_api_key(org["ward"]), decision).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "PATCH", path, other, decision).status_code == 404
    priority.refresh_from_db()
    assert priority.status == PriorityStatus.CANDIDATE
    response = api(client, "PATCH", path, analyst, {"scores": {"severity": 9}})
    assert (
        response.status_code == 400 and response.json()["errors"][0]["field"] == "scores.severity"
    )


# A priority becoming a project ------------------------------------------------------------------


def _approved(unit):
    priority = _priority(unit, **FULL)
    return services.priority_decide(by=None, priority=priority, status="approved", reason="Top")


def test_a_lead_key_turns_an_approved_priority_into_a_project_once(client, org, lead):
    from qms.improvement.models import Project

    priority = _approved(org["ward"])
    key = make_api_key(org["ward"], write=True)
    path = f"priorities/{priority.pk}/project"
    response = api(client, "POST", path, key, {"method": "lean"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "aim"
    assert not Project.objects.exists()  # a priority without an aim: the charter needs one
    body = {"method": "lean", "lead": lead.username, "aim": "Halve night falls by June 2027."}
    response = api(client, "POST", path, key, body)
    assert response.status_code == 201, response.json()
    project = Project.objects.get(pk=response.json()["project"])
    assert (project.title, project.method, project.lead) == ("Falls at night", "lean", lead)
    response = api(client, "POST", path, key, body)
    assert response.status_code == 400
    assert Project.objects.count() == 1


def test_bad_projects_from_priorities_name_the_field_and_save_nothing(client, org):
    from qms.improvement.models import Project

    priority = _approved(org["ward"])
    key = make_api_key(org["ward"], write=True)
    path = f"priorities/{priority.pk}/project"
    for body, field in (
        ({"lead": "nobody-here"}, "lead"),
        ({"method": "magic"}, "method"),
        ({"title": ""}, "title"),
        ({"problem": "Seen: NHS 943 476 5919"}, "problem"),
    ):
        response = api(client, "POST", path, key, body)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"] == field, body
    candidate = _priority(org["ward"], title="Not yet approved")
    assert api(client, "POST", f"priorities/{candidate.pk}/project", key, {}).status_code == 400
    assert not Project.objects.exists()


def test_who_may_not_turn_a_priority_into_a_project(client, org):
    from qms.improvement.models import Project

    priority = _approved(org["ward"])
    path = f"priorities/{priority.pk}/project"
    assert api(client, "POST", path, None, {}).status_code == 401
    assert api(client, "POST", path, make_api_key(org["ward"]), {}).status_code == 403
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", path, member, {}).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", path, other, {}).status_code == 404
    assert not Project.objects.exists()


# An aim's measures and projects -----------------------------------------------------------------


def test_a_lead_key_links_and_unlinks_an_aims_measures_and_projects(client, org, ward_aim):
    from helpers import make_measure

    from qms.improvement.models import Project

    measure = make_measure(org["ward"], "falls")
    project = Project.objects.create(unit=org["ward"], title="Falls", problem="P", aim="A")
    key = make_api_key(org["ward"], write=True)
    path = f"aims/{ward_aim.pk}"
    response = api(client, "POST", f"{path}/measures", key, {"measure": measure.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["measures"] == [measure.pk]
    response = api(client, "POST", f"{path}/projects", key, {"project": project.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["projects"] == [project.pk]
    response = api(client, "POST", f"{path}/measures", key, {"measure": measure.pk})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "measure"
    assert api(client, "DELETE", f"{path}/measures/{measure.pk}", key).json()["measures"] == []
    assert api(client, "DELETE", f"{path}/projects/{project.pk}", key).json()["projects"] == []
    assert api(client, "DELETE", f"{path}/projects/{project.pk}", key).status_code == 404


def test_who_may_not_link_to_an_aim_and_bad_links_name_the_field(client, org, ward_aim):
    from helpers import make_measure

    measure = make_measure(org["ward"], "falls")
    elsewhere = make_measure(org["other_ward"], "falls-elsewhere")
    path = f"aims/{ward_aim.pk}/measures"
    body = {"measure": measure.pk}
    assert api(client, "POST", path, None, body).status_code == 401
    assert api(client, "POST", path, make_api_key(org["ward"]), body).status_code == 403
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", path, member, body).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", path, other, body).status_code == 404
    key = make_api_key(org["ward"], write=True)
    for bad in ({"measure": elsewhere.pk}, {"measure": 99999999999999}):
        response = api(client, "POST", path, key, bad)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "measure"
    response = api(client, "POST", f"aims/{ward_aim.pk}/projects", key, {"project": 0})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "project"
    ward_aim.refresh_from_db()
    assert not ward_aim.measures.exists() and not ward_aim.projects.exists()


# The unit's scoring weights ---------------------------------------------------------------------


def test_a_quality_lead_key_reads_and_sets_the_weights(client, org):
    key = make_api_key(org["ward"], write=True, role=Role.QUALITY_LEAD)
    path = f"priorities/weights/{org['ward'].pk}"
    response = api(client, "GET", path, make_api_key(org["ward"]))
    assert response.status_code == 200 and response.json()["set_on"] is None
    response = api(client, "PATCH", path, key, {"severity": 3, "reason": "Board review"})
    assert response.status_code == 200, response.json()
    assert response.json()["weights"]["severity"] == 3.0
    assert response.json()["set_on"] == org["ward"].pk
    assert selectors.weights_for(org["ward"]).values["severity"] == 3.0


def test_who_may_not_set_the_weights_and_bad_weights_name_the_field(client, org):
    path = f"priorities/weights/{org['ward'].pk}"
    body = {"severity": 3}
    assert api(client, "GET", path, None).status_code == 401
    assert api(client, "PATCH", path, None, body).status_code == 401
    assert api(client, "PATCH", path, make_api_key(org["ward"]), body).status_code == 403
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "PATCH", path, member, body).status_code == 403
    other = make_api_key(org["other_ward"], write=True, role=Role.QUALITY_LEAD)
    assert api(client, "GET", path, other).status_code == 404
    assert api(client, "PATCH", path, other, body).status_code == 404
    key = make_api_key(org["ward"], write=True, role=Role.QUALITY_LEAD)
    response = api(client, "PATCH", path, key, {"severity": -1})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "severity"
    assert selectors.weights_for(org["ward"]).source is None
