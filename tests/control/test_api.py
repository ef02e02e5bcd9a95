"""The observations endpoint from before the API (`/control/api/v1/observations`): API keys
scoped to units, the same checks as uploads. The same endpoint in the API is tested in
tests/api/test_control.py."""

import datetime as dt
import json

import pytest
from django.test import Client, TestCase
from helpers import make_api_key, record

from qms.control import services
from qms.control.models import MeasureResult, Observation
from qms.people import keys
from qms.people.models import ApiKey

URL = "/control/api/v1/observations"


@pytest.fixture
def key(org):
    """A live key for Ward 7 that may write (acting as a team lead)."""
    return make_api_key(org["ward"], write=True, name="Ward system")


def post(client, body, key=None, **headers):
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            URL,
            body if isinstance(body, str) else json.dumps(body),
            content_type="application/json",
            **headers,
        )


def falls(period="2025-03", value=3, denominator=812, **fields):
    return {
        "measure": "ward-7-falls",
        "period": period,
        "value": value,
        "denominator": denominator,
        **fields,
    }


# Keys ----------------------------------------------------------------------------------------


def test_it_saves_observations_posted_with_a_live_key(client, measure, key):
    response = post(client, {"observations": [falls(), falls("2025-04", 4, 790)]}, key)
    assert response.status_code == 201
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "measures": 1}
    saved = Observation.objects.order_by("period")
    assert [(o.period, o.value, o.denominator) for o in saved] == [
        (dt.date(2025, 3, 1), 3.0, 812.0),
        (dt.date(2025, 4, 1), 4.0, 790.0),
    ]
    history = saved[0].history.get()
    # The key's own account made the change, and the reason names the key too.
    assert history.history_user == ApiKey.objects.get().principal
    assert "Ward system" in history.history_change_reason
    assert len(MeasureResult.objects.get(measure=measure).points) == 2
    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer qms_deadbeef_not-the-secret",
        "Basic dXNlcjpwYXNz",
        "Token whatever",
    ],
)
def test_it_refuses_a_missing_or_invalid_key(client, measure, key, header):
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = post(client, {"observations": [falls()]}, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert not Observation.objects.exists()


def test_it_refuses_a_key_with_the_right_prefix_but_a_wrong_secret(client, measure, key):
    prefix = key.split("_")[1]
    response = post(client, {"observations": [falls()]}, f"qms_{prefix}_guessed")
    assert response.status_code == 401
    assert ApiKey.objects.get().last_used_at is None


def test_it_refuses_a_revoked_key(client, measure, key, lead):
    keys.api_key_revoke(by=lead, key=ApiKey.objects.get())
    response = post(client, {"observations": [falls()]}, key)
    assert response.status_code == 401
    assert not Observation.objects.exists()


def test_it_refuses_measures_outside_the_keys_unit(client, org, measure, lead):
    other = make_api_key(org["other_ward"], write=True, name="Ward 8 system")
    response = post(client, {"observations": [falls()]}, other)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["row"] == 1
    assert error["field"] == "measure"
    assert "Ward 8" in error["message"]
    assert not Observation.objects.exists()


def test_it_accepts_measures_of_units_below_the_keys_unit(client, org, measure):
    service_key = make_api_key(org["service"], write=True, name="Service system")
    assert post(client, {"observations": [falls()]}, service_key).status_code == 201


def test_it_does_not_need_a_csrf_token(measure, key):
    client = Client(enforce_csrf_checks=True)
    assert post(client, {"observations": [falls()]}, key).status_code == 201


def test_it_only_takes_posts(client, measure, key):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 405


# Checks ----------------------------------------------------------------------------------


def test_it_lists_every_problem_by_row_and_field_and_saves_nothing(client, org, lead, key):
    services.measure_create(
        by=lead,
        unit=org["ward"],
        name="Hand hygiene",
        code="ward-7-hand-hygiene",
        kind="process",
        domain="safe",
        operational_definition="Opportunities taken.",
        frequency="month",
        chart="p",
        direction="increase",
    )
    services.measure_create(
        by=lead,
        unit=org["ward"],
        name="Falls per 1,000 bed days",
        code="ward-7-falls",
        kind="outcome",
        domain="safe",
        operational_definition="Falls.",
        frequency="month",
        chart="u",
        direction="decrease",
    )
    body = {
        "observations": [
            falls(),  # 1: good
            falls(measure="nope"),  # 2: unknown measure
            falls(period="March"),  # 3: bad period
            falls("2025-05", value="many"),  # 4: not a number
            {"measure": "ward-7-hand-hygiene", "period": "2025-03", "value": 9, "denominator": 8},
            falls("2025-03-20"),  # 6: the same month as 1
            falls("2025-06", value=True),  # 7: a boolean is not a number
            "not an object",  # 8
            falls("2025-07", denominator=None),  # 9: a rate needs its denominator
        ]
    }
    response = post(client, body, key)
    assert response.status_code == 400
    found = [(error["row"], error["field"]) for error in response.json()["errors"]]
    assert found == [
        (2, "measure"),
        (3, "period"),
        (4, "value"),
        (5, "value"),
        (6, "period"),
        (7, "value"),
        (8, "observation"),
        (9, "denominator"),
    ]
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "body"),
        ("[1, 2]", "body"),
        (json.dumps({"observations": "all of them"}), "observations"),
        (json.dumps({"observations": [], "replace": "yes"}), "replace"),
    ],
)
def test_it_explains_a_malformed_body(client, measure, key, body, field):
    response = post(client, body, key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_it_refuses_too_many_observations_in_one_request(client, measure, key, monkeypatch):
    from qms.control import api

    monkeypatch.setattr(api, "MAX_OBSERVATIONS", 2)
    response = post(client, {"observations": [falls(), falls("2025-04"), falls("2025-05")]}, key)
    assert response.status_code == 400
    assert "at most 2" in response.json()["errors"][0]["message"]


# Recorded values -------------------------------------------------------------------------


def test_it_answers_409_with_the_conflicts_unless_asked_to_replace(client, measure, key):
    record(measure, [4], start=dt.date(2025, 3, 1), denominator=812)
    body = {"observations": [falls(value=5), falls("2025-04", 2)]}
    response = post(client, body, key)
    assert response.status_code == 409
    (conflict,) = response.json()["conflicts"]
    assert conflict["row"] == 1
    assert conflict["measure"] == "ward-7-falls"
    assert conflict["period"] == "2025-03-01"
    assert conflict["old"]["value"] == 4
    assert conflict["new"]["value"] == 5
    assert Observation.objects.count() == 1  # nothing saved, not even the new April value

    body["replace"] = True
    body["reason"] = "Corrected count after validation"
    response = post(client, body, key)
    assert response.status_code == 201
    assert response.json()["updated"] == 1
    assert response.json()["created"] == 1
    march = Observation.objects.get(period=dt.date(2025, 3, 1))
    assert march.value == 5
    old, new = march.history.order_by("history_date", "history_id")
    assert old.value == 4
    assert new.value == 5
    assert new.history_change_reason.startswith("Corrected count after validation")
    assert "Ward system" in new.history_change_reason


def test_it_counts_values_already_recorded_as_unchanged(client, measure, key):
    record(measure, [3], start=dt.date(2025, 3, 1), denominator=812)
    response = post(client, {"observations": [falls()]}, key)
    assert response.status_code == 201
    assert response.json()["unchanged"] == 1


# The description ---------------------------------------------------------------------------


def test_its_description_moved_to_the_apis_generated_document(client, db):
    response = client.get("/control/api/v1/openapi.json")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/openapi.json"
    spec = client.get(response["Location"]).json()
    post_operation = spec["paths"]["/api/v1/observations"]["post"]
    assert set(post_operation["responses"]) >= {"201", "400", "409", "413", "415"}
    assert post_operation["security"] == [{"KeyAuth": []}]
    assert spec["components"]["securitySchemes"]["KeyAuth"]["scheme"] == "bearer"


# Keys that may not record data ---------------------------------------------------------------


def test_a_key_that_may_only_read_is_refused(client, org, measure):
    read_key = make_api_key(org["ward"], write=False)
    response = post(client, {"observations": [falls()]}, read_key)
    assert response.status_code == 403
    assert "only read" in response.json()["error"]
    assert not Observation.objects.exists()


def test_a_key_whose_role_does_not_record_data_is_refused(client, org, measure):
    coach_key = make_api_key(org["ward"], write=True, role="improvement_coach")
    response = post(client, {"observations": [falls()]}, coach_key)
    assert response.status_code == 403
    assert not Observation.objects.exists()


# Limits --------------------------------------------------------------------------------------


def test_it_explains_a_body_over_the_size_limit(client, measure, key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post(client, {"observations": [falls()] * 10}, key)
    assert response.status_code == 413
    assert not Observation.objects.exists()


def test_it_explains_a_number_too_large_for_a_value(client, measure, key):
    response = post(
        client,
        '{"observations": [{"measure": "ward-7-falls", "period": "2025-03", '
        '"value": 1' + "0" * 400 + ', "denominator": 800}]}',
        key,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "value"


def test_it_names_a_period_that_has_not_begun_and_saves_nothing(client, measure, key):
    response = post(client, {"observations": [falls("2025-04"), falls("9999-12")]}, key)
    assert response.status_code == 400
    problems = response.json()["errors"]
    assert any(
        p["field"] == "period" and "Dec 9999 has not begun yet" in p["message"] for p in problems
    )
    assert not Observation.objects.exists()


def test_it_takes_a_zero_denominator_as_a_gap(client, measure, key):
    response = post(client, {"observations": [falls("2025-04", 0, 0), falls("2025-05")]}, key)
    assert response.status_code == 201
    gap = measure.result.points[0]
    assert gap["y"] is None and gap["ucl"] is None
