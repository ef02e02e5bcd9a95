"""What every API route shares (qms.web.api), shown on the units routes (qms.core.api): keys,
read or write, the unit subtree, errors naming the field, cursor pages, the rate limit."""

import json

import pytest
from django.core.cache import cache
from helpers import api, make_api_key, make_person

from qms.people.models import ApiKey, Unit
from qms.people.roles import Role

BAY = {"name": "Bay A", "code": "bay-a", "kind": "team"}


def test_it_answers_401_without_a_live_key(client, org):
    response = api(client, "GET", "units")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="qms"'
    assert response.json()["errors"][0]["field"] == "Authorization"
    assert api(client, "GET", "units", key="qms_00000000_nope").status_code == 401


def test_a_key_sees_its_unit_and_below_only(client, org):
    key = make_api_key(org["service"])
    response = api(client, "GET", "units", key)
    codes = [unit["code"] for unit in response.json()["items"]]
    assert codes == ["service", "ward", "other-ward"]
    assert api(client, "GET", f"units/{org['ward'].pk}", key).json()["code"] == "ward"
    for outside in ("division", "other_service", "elsewhere"):
        assert api(client, "GET", f"units/{org[outside].pk}", key).status_code == 404
    assert api(client, "GET", f"units?unit={org['elsewhere'].pk}", key).status_code == 404


def test_a_read_key_cannot_write(client, org):
    key = make_api_key(org["ward"], role=Role.TEAM_LEAD)
    response = api(client, "POST", "units", key, {**BAY, "parent": org["ward"].pk})
    assert response.status_code == 403
    assert "only read" in response.json()["errors"][0]["message"]
    assert not Unit.objects.filter(code="bay-a").exists()


def test_a_write_key_writes_through_the_services_and_history_names_it(client, org):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "POST", "units", key, {**BAY, "parent": org["ward"].pk})
    assert response.status_code == 201, response.json()
    unit = Unit.objects.get(code="bay-a")
    assert unit.history.get().history_user == ApiKey.objects.get().principal


def test_a_write_key_is_held_to_its_role_and_unit(client, org):
    member_key = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    body = {**BAY, "parent": org["ward"].pk}
    assert api(client, "POST", "units", member_key, body).status_code == 403
    lead_key = make_api_key(org["ward"], write=True, name="Lead")
    outside = {**body, "parent": org["other_ward"].pk}
    assert api(client, "POST", "units", lead_key, outside).status_code == 404
    assert not Unit.objects.filter(code="bay-a").exists()


def test_errors_name_each_field_and_save_nothing(client, org):
    key = make_api_key(org["ward"], write=True)
    body = {"name": "", "code": "bad code", "kind": "castle", "parent": "x"}
    response = api(client, "POST", "units", key, body)
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"name", "code", "kind", "parent"}
    assert Unit.objects.count() == 7


@pytest.mark.parametrize("body", ["{bad", "[]", '"text"', "null"])
def test_a_body_that_is_not_an_object_is_400(client, org, body):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "POST", "units", key, body)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_free_text_is_screened(client, org):
    key = make_api_key(org["ward"], write=True)
    body = {**BAY, "parent": org["ward"].pk, "description": "NHS number 943 476 5919"}
    response = api(client, "POST", "units", key, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "description"
    assert not Unit.objects.filter(code="bay-a").exists()


def test_lists_come_in_cursor_pages_oldest_first(client, org):
    key = make_api_key(org["board"])
    seen, cursor = [], None
    while True:
        path = "units?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api(client, "GET", path, key).json()
        seen += [unit["id"] for unit in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(Unit.objects.exclude(code="elsewhere").values_list("pk", flat=True))


@pytest.mark.parametrize("query", ["cursor=%25%25", "cursor=LTE", "limit=0", "limit=501", "unit=x"])
def test_bad_list_parameters_are_400_naming_them(client, org, query):
    key = make_api_key(org["board"])
    response = api(client, "GET", f"units?{query}", key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


def test_the_rate_limit_answers_429_with_retry_after(client, org, settings):
    settings.QMS_API_REQUESTS_PER_MINUTE = 3
    cache.clear()
    key = make_api_key(org["ward"])
    other = make_api_key(org["ward"], name="Other")
    statuses = [api(client, "GET", "units", key).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api(client, "GET", "units", key)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert api(client, "GET", "units", other).status_code == 200  # the limit is per key


def test_a_signed_in_person_without_a_key_gets_401(client, org):
    client.force_login(make_person("reader", (Role.TEAM_LEAD, org["ward"])))
    assert api(client, "GET", "units").status_code == 401


def test_the_openapi_document_is_generated_and_public(client, org):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "QMS API"
    assert "/api/v1/units" in document["paths"]
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [("measures?code=a%00b", "code"), ("feedback?service=%00", "service"), ("units?x%00=1", "x")],
)
def test_a_nul_in_a_query_parameter_is_400_naming_it(client, org, query, field):
    # PostgreSQL cannot compare text holding a NUL: it reached the database as a server error.
    key = make_api_key(org["board"])
    response = api(client, "GET", query, key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("path", ["units/1e3", "units/-1", "issues/x/actions", "no-such-thing"])
def test_a_path_no_route_takes_is_404_in_the_error_shape(client, org, path):
    # Django's HTML page answered these, which an integrator's JSON parser cannot read.
    key = make_api_key(org["board"], write=True)
    for method in ("GET", "PATCH"):
        response = api(client, method, path, key, {} if method == "PATCH" else None)
        assert response.status_code == 404
        assert response.json()["errors"][0]["message"].startswith("No such route")


def test_the_document_names_each_answer_once(client, org):
    """ninja keys answers by number and the kit by text: both once would make "400" appear
    twice, which strict readers of the document refuse."""

    def refuse_repeats(pairs):
        names = [name for name, _ in pairs]
        assert len(names) == len(set(names)), f"repeated keys: {names}"
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=refuse_repeats)


def test_the_reference_page_lists_every_operation(client, org):
    document = client.get("/api/v1/openapi.json").json()
    page = client.get("/api/v1/docs").content.decode()
    for path, methods in document["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in page
