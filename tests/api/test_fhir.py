"""FHIR R4 at /fhir/r4/ (qms.control.fhir): Measures and MeasureReports read and searched with the
API's keys, reports recorded all or nothing, every error an OperationOutcome naming the element.
Every resource the server answers is validated with fhir.resources (its R4B models)."""

import datetime as dt
import json
from urllib.parse import urlsplit

import hypothesis
import pytest
from django.test import TestCase
from fhir.resources.R4B import get_fhir_model_class
from helpers import make_api_key, make_measure, record
from hypothesis import strategies as st

from qms.control.models import MeasureResult, Observation
from qms.people.roles import Role

SITE = "http://testserver"
BASE = f"{SITE}/fhir/r4"
SD = f"{SITE}/fhir/StructureDefinition"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def fhir(client, method, path, key=None, body=None, **headers):
    """Call /fhir/r4/<path> with `key`; the answer's resource is validated with fhir.resources
    and returned with the response as `response.resource`."""
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    call = getattr(client, method.lower())
    if body is None:
        response = call(f"/fhir/r4/{path}", **headers)
    else:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        content_type = headers.pop("content_type", "application/fhir+json")
        response = call(f"/fhir/r4/{path}", data=data, content_type=content_type, **headers)
    assert response["Content-Type"].startswith("application/fhir+json"), response.content[:200]
    resource = response.json()
    # Raises when the resource is not valid R4B (R4's Measure and MeasureReport, unchanged).
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    response.resource = resource
    return response


def issues(response):
    assert response.resource["resourceType"] == "OperationOutcome"
    return response.resource["issue"]


def expressions(response):
    return [expression for issue in issues(response) for expression in issue.get("expression", [])]


def ext(element, name):
    return [e for e in element.get("extension", []) if e["url"] == f"{SD}/{name}"]


def ext_value(element, name):
    (found,) = ext(element, name)
    return next(value for key, value in found.items() if key.startswith("value"))


@pytest.fixture
def harm(org):
    """A monthly proportion (p chart, per cent) of the ward with 24 months charted."""
    measure = make_measure(
        org["ward"],
        "ward-harm",
        name="Patients with harm",
        chart="p",
        multiply=100,
        unit_label="%",
        numerator_definition="Patients with any harm",
        denominator_definition="Patients surveyed",
        target=2,
        target_source="Local standard",
    )
    values = [20, 22, 18, 25, 19, 21, 23, 20, 18, 22, 24, 19] * 2
    record(measure, values, denominator=1000.0)
    return measure


@pytest.fixture
def falls(org):
    """A monthly count (c chart) of the other ward."""
    measure = make_measure(org["other_ward"], "other-falls", name="Falls on ward 8")
    record(measure, [3, 4, 2, 5, 3, 4])
    return measure


def report_body(of, start="2024-03-01", end=None, numerator=7, denominator=200, **extra):
    """A MeasureReport of `of` (a measure) for the month of `start`; `extra` replaces elements."""
    body = {
        "resourceType": "MeasureReport",
        "status": "complete",
        "type": "summary",
        "measure": f"{BASE}/Measure/{of.pk}",
        "period": {"start": start, **({"end": end} if end else {})},
        "group": [
            {
                "population": [
                    {"code": {"coding": [{"code": "numerator"}]}, "count": numerator},
                    {"code": {"coding": [{"code": "denominator"}]}, "count": denominator},
                ]
            }
        ],
    }
    return {**body, **extra}


# The server and its keys -------------------------------------------------------------------


def test_the_capability_statement_is_public(client, org):
    response = fhir(client, "GET", "metadata")
    assert response.status_code == 200
    statement = response.resource
    assert statement["fhirVersion"] == "4.0.1"
    types = {resource["type"] for resource in statement["rest"][0]["resource"]}
    assert types == {"Measure", "MeasureReport"}


def test_it_answers_401_without_a_live_key(client, harm):
    for key in (None, "qms_00000000_nope"):
        response = fhir(client, "GET", f"Measure/{harm.pk}", key)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="qms"'
        assert issues(response)[0]["code"] == "login"


def test_another_units_measure_and_reports_answer_404(client, harm, falls):
    key = make_api_key(org_unit := harm.unit)
    assert fhir(client, "GET", f"Measure/{harm.pk}", key).status_code == 200
    for path in (f"Measure/{falls.pk}", f"MeasureReport/{falls.pk}-2024-01-01", "Measure/x"):
        response = fhir(client, "GET", path, key)
        assert response.status_code == 404
        assert issues(response)[0]["code"] == "not-found"
    found = fhir(client, "GET", f"MeasureReport?measure={falls.pk}", key).resource
    assert found["total"] == 0 and "entry" not in found or found["entry"] == []
    service_key = make_api_key(org_unit.parent)  # the service sees both wards
    assert fhir(client, "GET", f"Measure/{falls.pk}", service_key).status_code == 200


def test_a_read_key_cannot_record(client, harm):
    key = make_api_key(harm.unit, role=Role.TEAM_LEAD)
    before = Observation.objects.count()
    response = fhir(client, "POST", "MeasureReport", key, report_body(harm, "2026-01-01"))
    assert response.status_code == 403
    assert issues(response)[0]["code"] == "forbidden"
    assert Observation.objects.count() == before


def test_a_write_key_whose_role_records_no_data_is_refused(client, harm):
    key = make_api_key(harm.unit, write=True, role=Role.EXECUTIVE)
    response = fhir(client, "POST", "MeasureReport", key, report_body(harm, "2026-01-01"))
    assert response.status_code == 403
    assert expressions(response) == ["MeasureReport.measure"]
    assert not Observation.objects.filter(measure=harm, period=dt.date(2026, 1, 1)).exists()


def test_the_rate_limit_is_an_operation_outcome(client, harm, settings):
    settings.QMS_API_REQUESTS_PER_MINUTE = 2
    key = make_api_key(harm.unit)
    statuses = [fhir(client, "GET", f"Measure/{harm.pk}", key).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = fhir(client, "GET", f"Measure/{harm.pk}", key)
    assert int(response["Retry-After"]) >= 1
    assert issues(response)[0]["code"] == "throttled"


def test_unknown_paths_methods_and_parameters_are_operation_outcomes(client, harm):
    key = make_api_key(harm.unit, write=True)
    assert fhir(client, "GET", "Patient/1", key).status_code == 404
    assert fhir(client, "DELETE", f"Measure/{harm.pk}", key).status_code == 405
    response = fhir(client, "GET", "MeasureReport?subjekt=1&measure=1", key)
    assert response.status_code == 400
    assert expressions(response) == ["subjekt"]
    for query in ("period=2024-13-40", "period=xx2024", "_count=0", "_count=9999", "_cursor=@@"):
        response = fhir(client, "GET", f"MeasureReport?{query}", key)
        assert response.status_code == 400, query
        assert expressions(response) == [query.split("=")[0]]


# Measures ----------------------------------------------------------------------------------


def test_a_measure_is_a_fhir_measure(client, harm):
    key = make_api_key(harm.unit)
    measure = fhir(client, "GET", f"Measure/{harm.pk}", key).resource
    assert measure["url"] == f"{BASE}/Measure/{harm.pk}"
    assert measure["identifier"] == [
        {"system": f"{SITE}/fhir/sid/measure-code", "value": "ward-harm"}
    ]
    assert measure["title"] == "Patients with harm"
    assert measure["status"] == "active"
    assert measure["description"] == harm.operational_definition
    assert measure["scoring"]["coding"][0]["code"] == "proportion"
    assert measure["improvementNotation"]["coding"][0]["code"] == "decrease"
    codes = [p["code"]["coding"][0]["code"] for p in measure["group"][0]["population"]]
    assert codes == ["numerator", "denominator"]
    assert ext_value(measure, "measure-target") == 2
    assert ext_value(measure, "measure-unit-label") == "%"
    assert ext_value(measure, "measure-frequency") == "month"
    assert measure["useContext"][0]["valueReference"]["display"] == "Ward 7"


def test_measures_are_searched_by_identifier_and_paged(client, org, harm, falls):
    other = make_measure(org["ward"], "ward-falls", name="Falls on ward 7")
    key = make_api_key(org["service"])
    response = fhir(client, "GET", "Measure?identifier=ward-harm", key)
    assert [e["resource"]["id"] for e in response.resource["entry"]] == [str(harm.pk)]
    system = f"{SITE}/fhir/sid/measure-code"
    response = fhir(client, "GET", f"Measure?identifier={system}|other-falls", key)
    assert response.resource["total"] == 1
    assert fhir(client, "GET", "Measure?identifier=elsewhere|ward-harm", key).resource["total"] == 0
    seen, path = [], "Measure?_count=2"
    while path:
        bundle = fhir(client, "GET", path, key).resource
        assert bundle["total"] == 3
        seen += [entry["resource"]["id"] for entry in bundle["entry"]]
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        path = following[0].removeprefix(f"{BASE}/") if following else None
    assert seen == [str(harm.pk), str(falls.pk), str(other.pk)]


# Reports -----------------------------------------------------------------------------------


def test_a_report_carries_the_stored_result_of_its_period(client, harm):
    key = make_api_key(harm.unit)
    report = fhir(client, "GET", f"MeasureReport/{harm.pk}-2024-03-01", key).resource
    point = next(p for p in harm.result.points if p["period"] == "2024-03-01")
    assert report["status"] == "complete"
    assert report["type"] == "summary"
    assert report["measure"] == f"{BASE}/Measure/{harm.pk}"
    assert report["period"] == {"start": "2024-03-01", "end": "2024-03-31"}
    group = report["group"][0]
    assert [p["count"] for p in group["population"]] == [18, 1000]
    assert group["measureScore"]["value"] == pytest.approx(point["y"])
    assert ext_value(group, "spc-centre-line") == pytest.approx(point["cl"])
    assert ext_value(group, "spc-upper-process-limit") == pytest.approx(point["ucl"])
    assert ext_value(group, "spc-lower-process-limit") == pytest.approx(point["lcl"])
    assert ext_value(group, "spc-phase") == 1
    assert ext_value(group, "spc-point-type") == point["point_type"].replace("_", "-")


def test_a_signal_shows_on_the_reports_it_covers(client, org):
    measure = make_measure(org["ward"], "ward-spike")
    record(measure, [2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 30])
    key = make_api_key(org["ward"])
    report = fhir(client, "GET", f"MeasureReport/{measure.pk}-2025-09-01", key).resource
    group = report["group"][0]
    assert ext_value(group, "spc-rule") == "outside-limits"
    assert ext_value(group, "spc-point-type") == "special-cause-concern"
    (signal,) = ext(group, "spc-signal")
    parts = {part["url"]: part for part in signal["extension"]}
    assert parts["kind"]["valueCode"] == "special-cause-concern"
    assert parts["first-period"]["valueDate"] == "2025-09-01"
    earlier = fhir(client, "GET", f"MeasureReport/{measure.pk}-2025-08-01", key).resource
    assert ext(earlier["group"][0], "spc-signal") == []


def test_reports_are_searched_by_measure_and_period_and_paged(client, harm, falls):
    key = make_api_key(harm.unit.parent)
    measure = f"{BASE}/Measure/{harm.pk}"
    query = f"MeasureReport?measure={measure}&period=ge2024-03-01&period=le2024-08&_count=4"
    bundle = fhir(client, "GET", query, key).resource
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 6
    starts = [entry["resource"]["period"]["start"] for entry in bundle["entry"]]
    assert starts == ["2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"]
    (following,) = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
    assert urlsplit(following).netloc == "testserver"
    rest = fhir(client, "GET", following.removeprefix(f"{BASE}/"), key).resource
    assert [e["resource"]["period"]["start"] for e in rest["entry"]] == ["2024-07-01", "2024-08-01"]
    assert [link["relation"] for link in rest["link"]] == ["self"]
    # A day inside a period reaches that period with ge; by id and by the unit's subtree.
    bundle = fhir(client, "GET", f"MeasureReport?measure={harm.pk}&period=ge2025-12-15", key)
    assert [e["resource"]["id"] for e in bundle.resource["entry"]] == [f"{harm.pk}-2025-12-01"]
    bundle = fhir(client, "GET", f"MeasureReport?unit={falls.unit.pk}&period=2024", key)
    assert bundle.resource["total"] == 6
    bundle = fhir(client, "GET", "MeasureReport?period=lt2024-02-01&period=gt2023-12", key)
    assert sorted(e["resource"]["id"] for e in bundle.resource["entry"]) == sorted(
        [f"{harm.pk}-2024-01-01", f"{falls.pk}-2024-01-01"]
    )


@pytest.mark.parametrize(
    ("period", "total"), [("9999-12-31", 0), ("gt9999-12-31", 0), ("ne9999", 6), ("le9999", 6)]
)
def test_a_period_at_the_end_of_the_calendar_finds_what_it_can(client, harm, period, total):
    # The day after 9999-12-31 overflowed a date: a server error.
    assert harm.observations.exists()
    key = make_api_key(harm.unit)
    bundle = fhir(client, "GET", f"MeasureReport?measure={harm.pk}&period={period}", key)
    assert bundle.status_code == 200
    assert bundle.resource["total"] == (total and harm.observations.count())


# Recording ---------------------------------------------------------------------------------


def test_a_posted_report_records_the_observation_and_the_chart_follows(client, harm):
    key = make_api_key(harm.unit, write=True)
    body = report_body(harm, "2026-01-01", "2026-01-31", numerator=7, denominator=200)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = fhir(client, "POST", "MeasureReport", key, body)
    assert response.status_code == 201, response.resource
    assert response["Location"] == f"{BASE}/MeasureReport/{harm.pk}-2026-01-01"
    # Answered before the refresh (it runs once the request's transaction commits): pending.
    assert response.resource["status"] == "pending"
    assert "extension" not in response.resource["group"][0]
    observation = Observation.objects.get(measure=harm, period=dt.date(2026, 1, 1))
    assert (observation.value, observation.denominator) == (7, 200)
    assert observation.history.get().history_user.username.startswith("api-key-")
    result = MeasureResult.objects.get(measure=harm)
    assert result.last_period == dt.date(2026, 1, 1)
    report = fhir(client, "GET", f"MeasureReport/{harm.pk}-2026-01-01", key).resource
    assert report["status"] == "complete"
    assert report["group"][0]["measureScore"]["value"] == pytest.approx(3.5)
    assert ext_value(report["group"][0], "spc-centre-line") == pytest.approx(result.last_centre)
    # The same report again changes nothing.
    assert fhir(client, "POST", "MeasureReport", key, body).status_code == 200


def test_a_different_value_is_replaced_only_by_put_with_a_reason(client, harm):
    key = make_api_key(harm.unit, write=True)
    body = report_body(harm, "2024-03-01", numerator=30, denominator=1000)
    response = fhir(client, "POST", "MeasureReport", key, body)
    assert response.status_code == 409
    (issue,) = issues(response)
    assert issue["code"] == "duplicate"
    assert f"MeasureReport/{harm.pk}-2024-03-01" in issue["diagnostics"]
    assert Observation.objects.get(measure=harm, period=dt.date(2024, 3, 1)).value == 18
    reason = {"url": f"{SD}/change-reason", "valueString": "Audit recount"}
    put = {**body, "id": f"{harm.pk}-2024-03-01", "extension": [reason]}
    response = fhir(client, "PUT", f"MeasureReport/{harm.pk}-2024-03-01", key, put)
    assert response.status_code == 200, response.resource
    observation = Observation.objects.get(measure=harm, period=dt.date(2024, 3, 1))
    assert observation.value == 30
    assert observation.history.first().history_change_reason == "Audit recount"
    wrong = fhir(client, "PUT", f"MeasureReport/{harm.pk}-2024-04-01", key, {**put, "id": None})
    assert wrong.status_code == 400
    assert expressions(wrong) == ["MeasureReport.id"]


def _bad(harm, other):
    future = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    note = {"url": f"{SD}/observation-note", "valueString": "NHS number 943 476 5919"}
    scored = report_body(harm, "2025-03-01")  # 7 of 200 is 3.5 per cent, not 0.035
    scored["group"][0]["measureScore"] = {"value": 0.035}
    return {
        "wrong resourceType": ({"resourceType": "Observation"}, "resourceType"),
        "missing measure": (report_body(harm, measure=None), "MeasureReport.measure"),
        "unknown measure": (
            report_body(harm, measure=f"{BASE}/Measure/999999"),
            "MeasureReport.measure",
        ),
        "another unit's measure": (
            report_body(harm, measure=f"{BASE}/Measure/{other.pk}"),
            "MeasureReport.measure",
        ),
        "period not the frequency's": (
            report_body(harm, "2025-03-05"),
            "MeasureReport.period.start",
        ),
        "end not the period's": (
            report_body(harm, "2025-03-01", "2025-03-07"),
            "MeasureReport.period.end",
        ),
        "future period": (
            report_body(harm, future.replace(day=1).isoformat()),
            "MeasureReport.period.start",
        ),
        "negative count": (
            report_body(harm, "2025-03-01", numerator=-1),
            "MeasureReport.group[0].population[0].count",
        ),
        "numerator above denominator": (
            report_body(harm, "2025-03-01", numerator=300, denominator=200),
            "MeasureReport.group[0].population[0].count",
        ),
        "score not the counts'": (
            scored,
            "MeasureReport.group[0].measureScore",
        ),
        "screened note": (
            report_body(harm, "2025-03-01", extension=[note]),
            f"MeasureReport.extension('{SD}/observation-note')",
        ),
        "status not complete": (
            report_body(harm, "2025-03-01", status="pending"),
            "MeasureReport.status",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong resourceType",
        "missing measure",
        "unknown measure",
        "another unit's measure",
        "period not the frequency's",
        "end not the period's",
        "future period",
        "negative count",
        "numerator above denominator",
        "score not the counts'",
        "screened note",
        "status not complete",
    ],
)
def test_a_bad_report_is_refused_naming_the_element_and_saves_nothing(client, harm, falls, case):
    key = make_api_key(harm.unit, write=True)
    body, expression = _bad(harm, falls)[case]
    before = Observation.objects.count()
    response = fhir(client, "POST", "MeasureReport", key, body)
    assert response.status_code == 400, response.resource
    assert expressions(response) == [expression]
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in issues(response))
    assert Observation.objects.count() == before


@pytest.mark.parametrize("body", ["{bad", "[]", "null"])
def test_a_body_that_is_not_a_resource_is_400(client, harm, body):
    key = make_api_key(harm.unit, write=True)
    assert fhir(client, "POST", "MeasureReport", key, body).status_code == 400


def test_a_body_not_sent_as_json_is_415(client, harm):
    key = make_api_key(harm.unit, write=True)
    body = json.dumps(report_body(harm, "2025-03-01"))
    response = fhir(client, "POST", "MeasureReport", key, body, content_type="text/plain")
    assert response.status_code == 415


def test_a_transaction_is_all_or_nothing(client, harm):
    key = make_api_key(harm.unit, write=True)

    def entry(resource):
        return {"resource": resource, "request": {"method": "POST", "url": "MeasureReport"}}

    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            entry(report_body(harm, "2026-01-01")),
            entry(report_body(harm, "2026-02-01", numerator=-3)),
            entry(report_body(harm, "2026-01-01", numerator=9)),
        ],
    }
    before = Observation.objects.count()
    response = fhir(client, "POST", "", key, bundle)
    assert response.status_code == 400
    assert expressions(response) == [
        "Bundle.entry[1].resource.group[0].population[0].count",
        "Bundle.entry[2].resource.period.start",
    ]
    assert Observation.objects.count() == before
    bundle["entry"] = bundle["entry"][:1] + [entry(report_body(harm, "2026-02-01"))]
    response = fhir(client, "POST", "", key, bundle)
    assert response.status_code == 200, response.resource
    assert response.resource["type"] == "transaction-response"
    assert [e["response"]["status"] for e in response.resource["entry"]] == ["201 Created"] * 2
    assert Observation.objects.count() == before + 2
    batch = fhir(client, "POST", "", key, {**bundle, "type": "batch"})
    assert batch.status_code == 400
    assert expressions(batch) == ["Bundle.type"]


# Whatever is sent --------------------------------------------------------------------------


def test_hostile_ids_and_parameters_are_answered_not_crashed(client, harm):
    key = make_api_key(harm.unit, write=True)
    for path in ("Measure/²", "Measure/99999999999999999999", "MeasureReport/١-2024-01-01"):
        assert fhir(client, "GET", path, key).status_code == 404, path
    for query in ("_count=²", "measure=Measure/²", "_id=x", "unit=%00", "title=a%00b"):
        response = fhir(client, "GET", f"MeasureReport?{query}", key)
        if query.startswith("title"):
            response = fhir(client, "GET", f"Measure?{query}", key)
        assert response.status_code == 400, query
    huge = report_body(harm, "2025-03-01", numerator=10**400)
    response = fhir(client, "POST", "MeasureReport", key, huge)
    assert response.status_code == 400
    assert expressions(response) == ["MeasureReport.group[0].population[0].count"]


def test_a_body_beyond_the_limit_is_an_operation_outcome(client, harm, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    key = make_api_key(harm.unit, write=True)
    response = fhir(client, "POST", "MeasureReport", key, report_body(harm, "2025-03-01"))
    assert response.status_code == 413
    assert issues(response)[0]["code"] == "too-costly"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
PLACES = [
    (),
    ("resourceType",),
    ("status",),
    ("measure",),
    ("period",),
    ("period", "start"),
    ("period", "end"),
    ("group",),
    ("group", 0),
    ("group", 0, "measureScore"),
    ("group", 0, "population"),
    ("group", 0, "population", 0),
    ("group", 0, "population", 0, "code"),
    ("group", 0, "population", 1, "count"),
    ("extension",),
]


@hypothesis.settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(place=st.sampled_from(PLACES), value=json_values, bundle=st.booleans())
def test_any_report_gets_an_answer_never_a_server_error(client, harm, place, value, bundle):
    key = make_api_key(harm.unit, write=True, name="Fuzz")
    body = report_body(harm, "2025-03-01")
    if place:
        *parents, last = place
        inner = body
        for step in parents:
            inner = inner[step]
        inner[last] = value
    else:
        body = value
    if bundle:
        body = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [{"resource": body, "request": {"method": "POST", "url": "MeasureReport"}}],
        }
    response = fhir(client, "POST", "MeasureReport", key, json.dumps(body))
    assert response.status_code in (200, 201, 400, 403, 409), response.resource


def test_a_count_is_recorded_from_its_score_and_a_retired_measure_takes_none(client, falls):
    key = make_api_key(falls.unit, write=True)
    body = report_body(falls, "2025-01-01")
    body["group"] = [{"measureScore": {"value": 6}}]
    response = fhir(client, "POST", "MeasureReport", key, body)
    assert response.status_code == 201, response.resource
    assert Observation.objects.get(measure=falls, period=dt.date(2025, 1, 1)).value == 6
    body["group"] = [{"measureScore": {"value": 2.5}}]
    response = fhir(client, "PUT", f"MeasureReport/{falls.pk}-2025-01-01", key, body)
    assert response.status_code == 400
    assert expressions(response) == ["MeasureReport.group[0].measureScore"]
    falls.is_active = False
    falls.save()
    assert fhir(client, "GET", f"Measure/{falls.pk}", key).resource["status"] == "retired"
    body["group"] = [{"measureScore": {"value": 2}}]
    response = fhir(
        client, "POST", "MeasureReport", key, {**body, "period": {"start": "2025-02-01"}}
    )
    assert response.status_code == 400
    assert expressions(response) == ["MeasureReport.measure"]
    assert Observation.objects.filter(measure=falls).count() == 7


def test_reports_are_searched_by_id_reporter_and_ne(client, harm, falls):
    key = make_api_key(harm.unit.parent)
    ids = f"{harm.pk}-2024-02-01,{falls.pk}-2024-03-01,{harm.pk}-2019-01-01"
    bundle = fhir(client, "GET", f"MeasureReport?_id={ids}", key).resource
    assert sorted(e["resource"]["id"] for e in bundle["entry"]) == sorted(ids.split(",")[:2])
    bundle = fhir(client, "GET", f"MeasureReport?reporter=Organization/{falls.unit.pk}", key)
    assert {e["resource"]["reporter"]["display"] for e in bundle.resource["entry"]} == {"Ward 8"}
    assert bundle.resource["total"] == 6
    bundle = fhir(client, "GET", f"MeasureReport?measure={falls.pk}&period=ne2024-02", key)
    starts = [e["resource"]["period"]["start"] for e in bundle.resource["entry"]]
    assert starts == ["2024-01-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"]


def test_a_weekly_measure_takes_weeks_from_monday(client, org):
    measure = make_measure(org["ward"], "ward-weekly", frequency="week")
    key = make_api_key(org["ward"], write=True)
    body = report_body(measure, "2025-03-03", "2025-03-09")  # Monday to Sunday
    body["group"] = [{"measureScore": {"value": 4}}]
    response = fhir(client, "POST", "MeasureReport", key, body)
    assert response.status_code == 201, response.resource
    assert response.resource["period"] == {"start": "2025-03-03", "end": "2025-03-09"}
    for start, end, where in (
        ("2025-03-04", None, "MeasureReport.period.start"),
        ("2025-03-10", "2025-03-31", "MeasureReport.period.end"),
    ):
        response = fhir(
            client,
            "POST",
            "MeasureReport",
            key,
            {**body, "period": {"start": start, **({"end": end} if end else {})}},
        )
        assert response.status_code == 400
        assert expressions(response) == [where]
    assert Observation.objects.filter(measure=measure).count() == 1


def test_a_key_makes_no_session(client, harm):
    from django.contrib.sessions.models import Session

    key = make_api_key(harm.unit)
    response = fhir(client, "GET", f"Measure/{harm.pk}", key)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
