"""The feedback API: integration keys of the unit and below only, all or nothing, every problem
by row and field, and the same answers as the observations API for keys, size and type."""

import json

import pytest
from django.urls import reverse

from qms.learning.models import Feedback, FeedbackImport
from qms.people import keys

pytestmark = pytest.mark.django_db

URL = "/learn/api/v1/feedback"


def _post(client, key, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(URL, data=data, content_type=content_type, headers=headers)


def _comment(**fields):
    return {"date": "2025-02-03", "text": "The porters were brilliant.", **fields}


@pytest.fixture
def key(org, lead):
    return keys.api_key_create(by=lead, unit=org["ward"], name="Survey tool", can_write=True)[1]


def test_the_url_is_the_documented_one():
    assert reverse("learning:api-feedback") == URL


def test_it_saves_comments_and_answers_with_counts_and_redactions(client, org, key):
    body = {
        "comments": [
            _comment(reference="s1", rating=1, service="Ward 7", source="carer"),
            _comment(text="Email me at pat@example.org about it", reference="s2", rating=None),
        ]
    }
    response = _post(client, key, body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["created"], answer["skipped"]) == (2, 0)
    assert answer["redactions"] == 1 and answer["redacted_comments"] == 1
    batch = FeedbackImport.objects.get(pk=answer["import"])
    assert batch.via_api == "Survey tool" and batch.imported_by is None
    assert sorted(Feedback.objects.values_list("reference", "unit__code")) == [
        ("s1", "ward"), ("s2", "ward")
    ]  # fmt: skip
    assert "pat@example.org" not in Feedback.objects.get(reference="s2").text


def test_it_names_every_problem_by_row_and_field_and_saves_nothing(client, org, key):
    body = {
        "comments": [
            _comment(),
            _comment(date="2999-01-01"),
            _comment(text=""),
            _comment(rating="very good"),
            _comment(unit="other-ward"),
            "not an object",
            _comment(colour="blue"),
        ]
    }
    response = _post(client, key, body)
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert {
        (2, "date"),
        (3, "text"),
        (4, "rating"),
        (5, "unit"),
        (6, "comment"),
        (7, "colour"),
    } <= errors
    assert not any(row == 1 for row, _ in errors)
    assert not Feedback.objects.exists()


def test_it_keeps_a_key_to_its_unit_and_those_below(client, org, lead):
    _, service_key = keys.api_key_create(
        by=None, unit=org["service"], name="Medicine tool", can_write=True
    )
    body = {"comments": [_comment(unit="ward"), _comment(unit="other-ward")]}
    assert _post(client, service_key, body).status_code == 201
    assert sorted(Feedback.objects.values_list("unit__code", flat=True)) == ["other-ward", "ward"]
    _, ward_key = keys.api_key_create(by=None, unit=org["ward"], name="Ward tool", can_write=True)
    refused = _post(client, ward_key, {"comments": [_comment(unit="other-service")]})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "unit"


@pytest.mark.parametrize("header", [None, "Bearer qms_nope_nope", "Basic abc"])
def test_it_answers_401_without_a_live_key(client, org, header):
    headers = {"Authorization": header} if header else {}
    response = client.post(
        URL, data=json.dumps({"comments": [_comment()]}), content_type="application/json",
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_answers_401_for_a_revoked_key(client, org, lead):
    record, key = keys.api_key_create(by=lead, unit=org["ward"], name="Old", can_write=True)
    keys.api_key_revoke(by=lead, key=record)
    assert _post(client, key, {"comments": [_comment()]}).status_code == 401


def test_it_answers_415_for_a_body_not_sent_as_json(client, org, key):
    response = _post(client, key, "comments=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_it_answers_413_for_a_body_beyond_the_limit(client, org, key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(client, key, {"comments": [_comment(text="x" * 5000)]})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body, field",
    [
        ("{not json", "body"),
        ("[1, 2]", "body"),
        ({"comments": "many"}, "comments"),
        ({"comments": []}, "comments"),
        ({"comments": [_comment()], "skip_repeats": "yes"}, "skip_repeats"),
        ("[" * 100_000, "body"),
    ],
)
def test_it_answers_400_for_a_body_it_cannot_use(client, org, key, body, field):
    response = _post(client, key, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_it_refuses_or_skips_references_sent_before(client, org, key):
    assert _post(client, key, {"comments": [_comment(reference="r1")]}).status_code == 201
    again = {"comments": [_comment(reference="r1"), _comment(reference="r2")]}
    refused = _post(client, key, again)
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {
        "row": 1,
        "field": "reference",
        "message": refused.json()["errors"][0]["message"],
    }
    skipped = _post(client, key, {**again, "skip_repeats": True})
    assert skipped.status_code == 201
    assert (skipped.json()["created"], skipped.json()["skipped"]) == (1, 1)


def test_it_answers_only_posts(client, org, key):
    assert client.get(URL, headers={"Authorization": f"Bearer {key}"}).status_code == 405


def test_it_answers_403_for_a_key_whose_role_does_not_import_feedback(client, org):
    from qms.people.roles import Role

    _, member_key = keys.api_key_create(
        by=None, unit=org["ward"], name="Member tool", can_write=True, role=Role.TEAM_MEMBER
    )
    assert _post(client, member_key, {"comments": [_comment()]}).status_code == 403
    assert not Feedback.objects.exists()
