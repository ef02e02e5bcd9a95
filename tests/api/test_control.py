"""Quality control in the API (qms.control.api): measures, observations, stored results, phases
and signals, with the measure pages' services and checks; who may and who may not."""

import datetime as dt
import json

import pytest
from django.test import TestCase
from helpers import api, make_api_key, make_measure, make_person, record

from qms.control import services
from qms.control.models import Measure, MeasureDefinition, Observation, Phase, Signal
from qms.people.models import ApiKey
from qms.people.roles import Role

FALLS = {
    "name": "Falls per 1,000 bed days",
    "code": "ward-7-falls",
    "kind": "outcome",
    "domain": "safe",
    "operational_definition": "Inpatient falls, any harm, per 1,000 occupied bed days.",
    "frequency": "month",
    "chart": "u",
    "direction": "decrease",
    "multiply": 1000,
    "target": 5.0,
}


@pytest.fixture
def falls(org):
    return make_measure(org["ward"], "ward-7-falls", chart="u", multiply=1000, target=5.0)


@pytest.fixture
def shifted(org):
    """A monthly count with a shift upwards at the end: a signal of concern, stored results."""
    measure = make_measure(org["ward"], "ward-7-shift", name="Pressure ulcers")
    record(measure, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 5, 5, 4, 6, 5, 5, 6, 4, 5]
           + [12, 13, 12, 14, 13, 12, 13, 14])  # fmt: skip
    return measure


def post(client, path, key, body):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api(client, "POST", path, key, body)


# Measures ------------------------------------------------------------------------------------


def test_a_key_lists_the_measures_of_its_unit_and_below_only(client, org, falls):
    make_measure(org["other_ward"], "ward-8-falls")
    make_measure(org["elsewhere"], "far-falls")
    service_key = make_api_key(org["service"])
    codes = [m["code"] for m in api(client, "GET", "measures", service_key).json()["items"]]
    assert codes == ["ward-7-falls", "ward-8-falls"]
    ward_key = make_api_key(org["ward"], name="Ward")
    codes = [m["code"] for m in api(client, "GET", "measures", ward_key).json()["items"]]
    assert codes == ["ward-7-falls"]
    other = Measure.objects.get(code="ward-8-falls")
    assert api(client, "GET", f"measures/{other.pk}", ward_key).status_code == 404
    response = api(client, "GET", f"measures?unit={org['other_ward'].pk}", ward_key)
    assert response.status_code == 404


def test_it_reads_a_measure_with_its_definition_target_and_status(client, org, falls):
    key = make_api_key(org["ward"])
    body = api(client, "GET", f"measures/{falls.pk}", key).json()
    assert body["code"] == "ward-7-falls" and body["unit"] == org["ward"].pk
    assert (body["chart"], body["target"], body["status"]) == ("u", 5.0, "active")
    assert body["operational_definition"] == "Inpatient falls, any harm."
    assert api(client, "GET", "measures/999999", key).status_code == 404


def test_it_filters_measures(client, org, falls):
    make_measure(org["ward"], "ward-7-hh", kind="process", domain="effective", name="Hygiene")
    services.measure_update(by=None, measure=falls, is_active=False)
    key = make_api_key(org["ward"])

    def codes(query):
        response = api(client, "GET", f"measures?{query}", key)
        assert response.status_code == 200, response.json()
        return [m["code"] for m in response.json()["items"]]

    assert codes("kind=process") == ["ward-7-hh"]
    assert codes("domain=safe") == ["ward-7-falls"]
    assert codes("status=retired") == ["ward-7-falls"]
    assert codes("status=active") == ["ward-7-hh"]
    assert codes("code=ward-7-hh") == ["ward-7-hh"]
    today = dt.date.today().isoformat()
    assert len(codes(f"since={today}")) == 2
    assert codes("until=2000-01-01") == []
    response = api(client, "GET", "measures?kind=everything", key)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "kind"


def test_measures_come_in_cursor_pages(client, org):
    for n in range(5):
        make_measure(org["ward"], f"m{n}")
    key = make_api_key(org["ward"])
    first = api(client, "GET", "measures?limit=3", key).json()
    second = api(client, "GET", f"measures?limit=3&cursor={first['next_cursor']}", key).json()
    codes = [m["code"] for m in first["items"] + second["items"]]
    assert codes == ["m0", "m1", "m2", "m3", "m4"] and second["next_cursor"] is None


def test_a_write_key_defines_a_measure_through_the_service(client, org):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "POST", "measures", key, {**FALLS, "unit": org["ward"].pk})
    assert response.status_code == 201, response.json()
    measure = Measure.objects.get(code="ward-7-falls")
    assert response.json()["id"] == measure.pk
    assert measure.history.get().history_user == ApiKey.objects.get().principal


def test_it_defines_a_measure_from_a_library_definition(client, org):
    MeasureDefinition.objects.create(
        code="falls-rate", name="Falls rate", kind="outcome", domain="safe",
        operational_definition="Falls per 1,000 bed days.", numerator_definition="Falls",
        denominator_definition="Bed days", frequency="month", chart="u", direction="decrease",
        multiply=1000,
    )  # fmt: skip
    key = make_api_key(org["ward"], write=True)
    body = {"unit": org["ward"].pk, "code": "w7-falls", "definition": "falls-rate"}
    response = api(client, "POST", "measures", key, body)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert (made["name"], made["chart"], made["definition"]) == ("Falls rate", "u", "falls-rate")
    unknown = api(client, "POST", "measures", key, {**body, "code": "x", "definition": "nope"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "definition"


@pytest.mark.parametrize(
    ("key_fields", "unit", "status"),
    [
        ({"write": False, "role": Role.TEAM_LEAD}, "ward", 403),  # reads only
        ({"write": True, "role": Role.TEAM_MEMBER}, "ward", 403),  # role does not define
        ({"write": True}, "other_ward", 404),  # another unit
    ],
)
def test_who_may_not_define_a_measure(client, org, key_fields, unit, status):
    key = make_api_key(org["ward"], **key_fields)
    response = api(client, "POST", "measures", key, {**FALLS, "unit": org[unit].pk})
    assert response.status_code == status
    assert not Measure.objects.exists()


def test_it_names_bad_measure_fields_and_saves_nothing(client, org):
    key = make_api_key(org["ward"], write=True)
    body = {**FALLS, "unit": org["ward"].pk, "chart": "pie", "shift_length": 99}
    response = api(client, "POST", "measures", key, body)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"chart", "shift_length"}
    missing = {"unit": org["ward"].pk, "code": "x"}
    response = api(client, "POST", "measures", key, missing)
    assert response.status_code == 400
    assert "name" in {e["field"] for e in response.json()["errors"]}
    screened = {**FALLS, "unit": org["ward"].pk, "name": "Falls of 943 476 5919"}
    response = api(client, "POST", "measures", key, screened)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "name"
    assert not Measure.objects.exists()


def test_a_write_key_changes_a_measure_and_a_new_baseline_needs_a_reason(client, org, falls):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "PATCH", f"measures/{falls.pk}", key, {"target": 4.0})
    assert response.status_code == 200, response.json()
    assert response.json()["target"] == 4.0
    refused = api(client, "PATCH", f"measures/{falls.pk}", key, {"baseline_points": 12})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    body = {"baseline_points": 12, "reason": "Agreed at the huddle"}
    assert api(client, "PATCH", f"measures/{falls.pk}", key, body).status_code == 200
    falls.refresh_from_db()
    assert (falls.target, falls.baseline_points) == (4.0, 12)


def test_who_may_not_change_a_measure(client, org, falls):
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "PATCH", f"measures/{falls.pk}", member, {"target": 1}).status_code == 403
    reader = make_api_key(org["ward"], role=Role.TEAM_LEAD, name="Reader")
    assert api(client, "PATCH", f"measures/{falls.pk}", reader, {"target": 1}).status_code == 403
    other = make_api_key(org["other_ward"], write=True, name="Ward 8")
    assert api(client, "PATCH", f"measures/{falls.pk}", other, {"target": 1}).status_code == 404
    assert api(client, "PATCH", f"measures/{falls.pk}", None, {"target": 1}).status_code == 401
    falls.refresh_from_db()
    assert falls.target == 5.0


# Observations --------------------------------------------------------------------------------


def test_it_lists_a_measures_observations_by_period(client, org, falls):
    record(falls, [3, 4, 5, 6], start=dt.date(2025, 1, 1))
    key = make_api_key(org["ward"])
    path = f"measures/{falls.pk}/observations"
    items = api(client, "GET", path, key).json()["items"]
    assert [o["period"] for o in items] == ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]
    query = "?since=2025-02-01&until=2025-03-31"
    items = api(client, "GET", path + query, key).json()["items"]
    assert [o["value"] for o in items] == [4.0, 5.0]
    other = make_api_key(org["other_ward"], name="Ward 8")
    assert api(client, "GET", path, other).status_code == 404


def test_the_api_records_observations_as_the_old_endpoint_does(client, org, falls):
    key = make_api_key(org["ward"], write=True)
    body = {"observations": [{"measure": "ward-7-falls", "period": "2025-03", "value": 3,
                              "denominator": 812}]}  # fmt: skip
    response = post(client, "observations", key, body)
    assert response.status_code == 201
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "measures": 1}
    body["observations"][0]["value"] = 4
    conflict = post(client, "observations", key, body)
    assert conflict.status_code == 409
    assert conflict.json()["conflicts"][0]["old"]["value"] == 3
    assert conflict.json()["errors"][0]["field"] == "replace"
    replaced = post(client, "observations", key, {**body, "replace": True, "reason": "Recount"})
    assert replaced.status_code == 201 and replaced.json()["updated"] == 1
    assert Observation.objects.get().value == 4


def test_the_api_names_each_bad_row_and_saves_nothing(client, org, falls):
    key = make_api_key(org["ward"], write=True)
    body = {"observations": [
        {"measure": "ward-7-falls", "period": "2025-03", "value": 3, "denominator": 812},
        {"measure": "nope", "period": "2025-04", "value": 3, "denominator": 812},
        {"measure": "ward-7-falls", "period": "March", "value": 3, "denominator": 812},
    ]}  # fmt: skip
    response = post(client, "observations", key, body)
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (2, "measure"),
        (3, "period"),
    ]
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("key_fields", "status"),
    [({"write": False}, 403), ({"write": True, "role": Role.EXECUTIVE}, 403)],
)
def test_who_may_not_record_observations(client, org, falls, key_fields, status):
    key = make_api_key(org["ward"], **key_fields)
    body = {"observations": [{"measure": "ward-7-falls", "period": "2025-03", "value": 3,
                              "denominator": 812}]}  # fmt: skip
    assert post(client, "observations", key, body).status_code == status
    assert post(client, "observations", None, body).status_code == 401
    assert not Observation.objects.exists()


def test_the_api_answers_415_and_413_as_the_old_endpoint_does(client, org, falls, settings):
    key = make_api_key(org["ward"], write=True)
    response = client.post(
        "/api/v1/observations", "observations=1", content_type="text/plain",
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert response.status_code == 415 and response.json()["errors"][0]["field"] == "body"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = {"observations": [{"measure": "ward-7-falls", "period": "2025-03", "value": 3}] * 10}
    response = post(client, "observations", key, json.dumps(big))
    assert response.status_code == 413
    assert not Observation.objects.exists()


# Results and phases ------------------------------------------------------------------------


def test_it_reads_the_stored_results_as_the_page_shows_them(client, org, shifted):
    key = make_api_key(org["ward"])
    response = api(client, "GET", f"measures/{shifted.pk}/results", key)
    assert response.status_code == 200, response.json()
    body = response.json()
    stored = shifted.result
    assert body["variation_icon"] == stored.variation_icon
    assert len(body["points"]) == len(stored.points) == 28
    last = body["points"][-1]
    assert last["point_type"] == stored.points[-1]["point_type"] == "special_cause_concern"
    assert last["outside"] or last["shift"]
    assert "special cause concern" in last["explanation"]
    (phase,) = body["phases"]
    assert phase["centre"] == stored.points[-1]["cl"] and phase["starts_on"] == "2024-01-01"
    narrowed = api(client, "GET", f"measures/{shifted.pk}/results?since=2025-01-01", key).json()
    assert narrowed["points"][0]["period"] == "2025-01-01"


def test_results_are_read_never_recomputed(client, org, shifted):
    result = shifted.result
    result.points[-1]["cl"] = 999.0  # what is stored is what is served
    result.save(update_fields=["points"])
    key = make_api_key(org["ward"])
    body = api(client, "GET", f"measures/{shifted.pk}/results", key).json()
    assert body["points"][-1]["centre"] == 999.0


def test_a_measure_with_no_results_yet_answers_empty_results(client, org, falls):
    key = make_api_key(org["ward"])
    body = api(client, "GET", f"measures/{falls.pk}/results", key).json()
    assert body["computed_at"] is None and body["points"] == []


def test_a_lead_key_starts_a_phase_and_the_results_follow(client, org, shifted):
    key = make_api_key(org["ward"], write=True)
    body = {"starts_on": "2025-09-01", "reason": "New falls bundle"}
    response = post(
        client, f"measures/{shifted.pk}/phases", key, {**body, "starts_on": "2025-09-14"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["starts_on"] == "2025-09-01"  # any day of the month, as on the page
    assert Phase.objects.get().reason == "New falls bundle"
    listed = api(client, "GET", f"measures/{shifted.pk}/phases", key).json()["items"]
    assert [p["starts_on"] for p in listed] == ["2025-09-01"]
    phases = api(client, "GET", f"measures/{shifted.pk}/results", key).json()["phases"]
    assert [p["reason"] for p in phases] == ["", "New falls bundle"]


def test_who_may_not_start_a_phase(client, org, shifted):
    body = {"starts_on": "2025-09-01", "reason": "New falls bundle"}
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert post(client, f"measures/{shifted.pk}/phases", member, body).status_code == 403
    other = make_api_key(org["other_ward"], write=True, name="Ward 8")
    assert post(client, f"measures/{shifted.pk}/phases", other, body).status_code == 404
    lead = make_api_key(org["ward"], write=True, name="Lead")
    bad = post(client, f"measures/{shifted.pk}/phases", lead, {**body, "starts_on": "2999-01-15"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "starts_on"
    assert not Phase.objects.exists()


# Signals -----------------------------------------------------------------------------------


def test_it_lists_and_reads_signals_of_the_measures_the_key_sees(client, org, shifted):
    signal = Signal.objects.get()
    key = make_api_key(org["ward"])
    items = api(client, "GET", "signals", key).json()["items"]
    assert [s["id"] for s in items] == [signal.pk]
    assert items[0]["kind"] == "special_cause_concern" and items[0]["status"] == "open"
    for query, found in [
        (f"measure={shifted.pk}", 1), ("status=closed", 0), ("status=open", 1),
        (f"unit={org['ward'].pk}", 1), ("until=2000-01-01", 0),
    ]:  # fmt: skip
        assert len(api(client, "GET", f"signals?{query}", key).json()["items"]) == found, query
    assert api(client, "GET", f"signals/{signal.pk}", key).json()["measure"] == shifted.pk
    other = make_api_key(org["other_ward"], name="Ward 8")
    assert api(client, "GET", "signals", other).json()["items"] == []
    assert api(client, "GET", f"signals/{signal.pk}", other).status_code == 404


def test_a_lead_key_acknowledges_and_closes_a_signal(client, org, shifted):
    signal = Signal.objects.get()
    key = make_api_key(org["ward"], write=True)
    response = post(client, f"signals/{signal.pk}/acknowledge", key, {"note": "Looking at it"})
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    response = post(client, f"signals/{signal.pk}/close", key, {"note": "Bundle in place"})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    signal.refresh_from_db()
    assert signal.handled_by == ApiKey.objects.get().principal


def test_a_lead_key_opens_an_issue_for_a_signal(client, org, shifted):
    signal = Signal.objects.get()
    key = make_api_key(org["ward"], write=True)
    body = {"title": "Pressure ulcers rising", "description": "Since the winter"}
    response = post(client, f"signals/{signal.pk}/issue", key, body)
    assert response.status_code == 201, response.json()
    signal.refresh_from_db()
    assert response.json()["issue"] == signal.issue_id
    assert signal.issue.title == "Pressure ulcers rising"


def test_a_lead_key_escalates_a_signal(client, org, shifted):
    signal = Signal.objects.get()
    key = make_api_key(org["ward"], write=True)
    response = post(client, f"signals/{signal.pk}/escalate", key, {"reason": "Needs estates"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "escalated"


@pytest.mark.parametrize("action", ["acknowledge", "close", "issue", "escalate"])
def test_who_may_not_handle_a_signal(client, org, shifted, action):
    signal = Signal.objects.get()
    body = {"note": "Seen", "title": "Ulcers", "reason": "Help"}
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert post(client, f"signals/{signal.pk}/{action}", member, body).status_code == 403
    reader = make_api_key(org["ward"], role=Role.TEAM_LEAD, name="Reader")
    assert post(client, f"signals/{signal.pk}/{action}", reader, body).status_code == 403
    other = make_api_key(org["other_ward"], write=True, name="Ward 8")
    assert post(client, f"signals/{signal.pk}/{action}", other, body).status_code == 404
    signal.refresh_from_db()
    assert signal.status == "open" and signal.issue is None


def test_signal_notes_are_required_and_screened(client, org, shifted):
    signal = Signal.objects.get()
    key = make_api_key(org["ward"], write=True)
    empty = post(client, f"signals/{signal.pk}/acknowledge", key, {"note": ""})
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "note"
    nhs = post(client, f"signals/{signal.pk}/acknowledge", key, {"note": "Pt 943 476 5919"})
    assert nhs.status_code == 400 and nhs.json()["errors"][0]["field"] == "note"
    signal.refresh_from_db()
    assert signal.status == "open"


def test_a_person_in_another_unit_gains_nothing_from_a_key(client, org, shifted):
    make_person("api-watcher", (Role.TEAM_LEAD, org["elsewhere"]))
    key = make_api_key(org["elsewhere"])
    assert api(client, "GET", f"measures/{shifted.pk}", key).status_code == 404
