"""The learning system's API (qms.learning.api): feedback imported, read and corrected, and the
evidence library, through learning's services with the pages' permission checks."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from helpers import api, make_api_key

from qms.learning.models import Evidence, Feedback
from qms.learning.services import evidence as evidence_services
from qms.learning.services import feedback as feedback_services
from qms.people.roles import Role
from qms.text.feedback import THEMES

COMMENT = {"date": "2025-02-03", "text": "The porters were brilliant."}


def _import(client, key, *comments, **extra):
    return api(client, "POST", "feedback", key, {"comments": list(comments), **extra})


@pytest.fixture
def comments(org):
    """Two comments of the ward and one of the other ward, imported by the system."""
    rows = [
        feedback_services.Comment(1, dt.date(2025, 1, 5), "Lovely staff, thank you", unit="ward"),
        feedback_services.Comment(2, dt.date(2025, 2, 9), "Waited four hours in pain", unit="ward"),
        feedback_services.Comment(3, dt.date(2025, 2, 9), "Noisy at night", unit="other-ward"),
    ]
    feedback_services.feedback_import(by=None, unit=org["service"], comments=rows)
    return list(Feedback.objects.order_by("pk"))


def test_a_write_key_imports_comments_as_the_page_does(client, org):
    key = make_api_key(org["service"], write=True)
    response = _import(
        client,
        key,
        {**COMMENT, "reference": "s1", "unit": "ward", "rating": 1, "source": "carer"},
        {**COMMENT, "text": "Email me at pat@example.org", "reference": "s2"},
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["created"], answer["skipped"], answer["redactions"]) == (2, 0, 1)
    saved = {f.reference: f for f in Feedback.objects.select_related("unit", "batch")}
    assert saved["s1"].unit.code == "ward" and saved["s2"].unit.code == "service"
    assert saved["s1"].batch.pk == answer["import_id"]
    assert saved["s1"].batch.imported_by.username.startswith("api-key-")
    assert "pat@example.org" not in saved["s2"].text


def test_import_problems_name_the_comment_and_field_and_save_nothing(client, org):
    key = make_api_key(org["ward"], write=True)
    response = _import(
        client,
        key,
        COMMENT,
        {**COMMENT, "date": "2999-01-01"},
        {**COMMENT, "unit": "other-ward"},
        {**COMMENT, "rating": 9},
        {**COMMENT, "colour": "blue"},
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"comments.3.rating", "comments.4.colour"}  # the schema's checks first
    response = _import(client, key, COMMENT, {**COMMENT, "date": "2999-01-01"})
    assert [e["field"] for e in response.json()["errors"]] == ["comments.1.date"]
    response = _import(client, key, {**COMMENT, "unit": "other-ward"})
    assert [e["field"] for e in response.json()["errors"]] == ["comments.0.unit"]
    assert not Feedback.objects.exists()


def test_references_sent_before_are_refused_or_skipped(client, org):
    key = make_api_key(org["ward"], write=True)
    assert _import(client, key, {**COMMENT, "reference": "r1"}).status_code == 201
    again = [{**COMMENT, "reference": "r1"}, {**COMMENT, "reference": "r2"}]
    refused = _import(client, key, *again)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "comments.0.reference"
    skipped = _import(client, key, *again, skip_repeats=True).json()
    assert (skipped["created"], skipped["skipped"]) == (1, 1)


def test_who_may_not_import(client, org):
    assert api(client, "POST", "feedback", None, {"comments": [COMMENT]}).status_code == 401
    read_key = make_api_key(org["ward"])
    assert _import(client, read_key, COMMENT).status_code == 403
    member_key = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert _import(client, member_key, COMMENT).status_code == 403
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "body", ["{bad", "[]", {"comments": []}, {"comments": "many"}, {"skip_repeats": "x"}]
)
def test_a_body_it_cannot_use_is_400(client, org, body):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "POST", "feedback", key, body)
    assert response.status_code == 400 and response.json()["errors"]


def test_comments_are_read_with_themes_and_sentiment_in_the_keys_units(client, org, comments):
    key = make_api_key(org["ward"])
    page = api(client, "GET", "feedback", key).json()
    assert [item["id"] for item in page["items"]] == [comments[0].pk, comments[1].pk]
    item = api(client, "GET", f"feedback/{comments[1].pk}", key).json()
    assert item["themes"] == sorted(comments[1].themes.values_list("label", flat=True))
    assert item["sentiment"] == comments[1].sentiment
    assert item["model_themes"] == comments[1].model_themes
    assert api(client, "GET", f"feedback/{comments[2].pk}", key).status_code == 404
    assert api(client, "GET", f"feedback?unit={org['other_ward'].pk}", key).status_code == 404


def test_comment_lists_filter_and_page(client, org, comments):
    key = make_api_key(org["service"])

    def ids(query):
        return [item["id"] for item in api(client, "GET", f"feedback?{query}", key).json()["items"]]

    assert ids("since=2025-02-01") == [comments[1].pk, comments[2].pk]
    assert ids("until=2025-01-31") == [comments[0].pk]
    assert ids(f"unit={org['other_ward'].pk}") == [comments[2].pk]
    theme = comments[0].themes.first().label
    assert comments[0].pk in ids(urlencode({"theme": theme}))
    sentiment = comments[1].sentiment
    expected = [c.pk for c in comments if c.sentiment == sentiment]
    assert ids(f"sentiment={sentiment}") == expected
    first = api(client, "GET", "feedback?limit=2", key).json()
    rest = api(client, "GET", f"feedback?limit=2&cursor={first['next_cursor']}", key).json()
    assert [i["id"] for i in first["items"] + rest["items"]] == [c.pk for c in comments]
    response = api(client, "GET", "feedback?theme=Weather", key)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "theme"


def test_a_comment_is_corrected_by_a_feedback_editor_only(client, org, comments):
    comment = comments[0]
    body = {"themes": [THEMES[0]], "sentiment": 2}
    member_key = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "PATCH", f"feedback/{comment.pk}", member_key, body).status_code == 403
    other_key = make_api_key(org["other_ward"], write=True)
    assert api(client, "PATCH", f"feedback/{comment.pk}", other_key, body).status_code == 404
    key = make_api_key(org["ward"], write=True)
    response = api(client, "PATCH", f"feedback/{comment.pk}", key, {**body, "themes": ["Weather"]})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "themes"
    response = api(client, "PATCH", f"feedback/{comment.pk}", key, body)
    assert response.status_code == 200, response.json()
    assert response.json()["themes"] == [THEMES[0]] and response.json()["sentiment"] == 2
    comment.refresh_from_db()
    assert comment.corrected_by.username.startswith("api-key-")


# Evidence ---------------------------------------------------------------------------------------

ITEM = {
    "title": "Falls prevention in older people",
    "kind": "guideline",
    "source": "NICE CG161, 2013",
    "summary": "Multifactorial assessment and intervention reduce falls.",
    "certainty": "moderate",
}


@pytest.fixture
def item(org):
    fields = {**ITEM}
    return evidence_services.evidence_create(by=None, unit=org["ward"], **fields)


def test_a_key_reads_the_library_of_its_units_only(client, org, item):
    board_item = evidence_services.evidence_create(
        by=None, unit=org["board"], **{**ITEM, "title": "Board guideline"}
    )
    key = make_api_key(org["ward"])
    assert [e["id"] for e in api(client, "GET", "evidence", key).json()["items"]] == [item.pk]
    assert api(client, "GET", f"evidence/{item.pk}", key).json()["certainty"] == "moderate"
    assert api(client, "GET", f"evidence/{board_item.pk}", key).status_code == 404
    other = make_api_key(org["other_ward"])
    assert api(client, "GET", f"evidence/{item.pk}", other).status_code == 404
    assert api(client, "GET", "evidence", None).status_code == 401


def test_evidence_lists_filter(client, org, item):
    retired = evidence_services.evidence_create(
        by=None, unit=org["ward"], **{**ITEM, "title": "Old", "certainty": "low"}
    )
    evidence_services.evidence_retire(by=None, evidence=retired, reason="Superseded")
    key = make_api_key(org["ward"])

    def ids(query):
        return [e["id"] for e in api(client, "GET", f"evidence?{query}", key).json()["items"]]

    assert ids("") == [item.pk]
    assert ids("retired=true") == [item.pk, retired.pk]
    assert ids("retired=true&certainty=low") == [retired.pk]
    assert ids("kind=trial") == []
    assert ids(f"until={dt.date(2000, 1, 1)}") == []
    response = api(client, "GET", "evidence?kind=rumour", key)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "kind"


def test_an_evidence_editor_key_adds_and_changes_evidence(client, org):
    key = make_api_key(org["ward"], write=True)
    response = api(client, "POST", "evidence", key, {**ITEM, "unit": org["ward"].pk})
    assert response.status_code == 201, response.json()
    item = Evidence.objects.get()
    assert item.added_by.username.startswith("api-key-")
    path = f"evidence/{item.pk}"
    response = api(client, "PATCH", path, key, {"certainty": "high", "reason": "New trial"})
    assert response.json()["certainty"] == "high"
    response = api(client, "PATCH", path, key, {"active": False})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    response = api(client, "PATCH", path, key, {"active": False, "reason": "Withdrawn"})
    assert response.json()["active"] is False
    response = api(client, "PATCH", path, key, {"active": True, "title": "Restored"})
    assert response.json()["active"] is True and response.json()["title"] == "Restored"


def test_who_may_not_add_or_change_evidence(client, org, item):
    body = {**ITEM, "unit": org["ward"].pk}
    assert api(client, "POST", "evidence", make_api_key(org["ward"]), body).status_code == 403
    member = make_api_key(org["ward"], write=True, role=Role.TEAM_MEMBER)
    assert api(client, "POST", "evidence", member, body).status_code == 403
    assert api(client, "PATCH", f"evidence/{item.pk}", member, {"title": "X"}).status_code == 403
    other = make_api_key(org["other_ward"], write=True)
    assert api(client, "POST", "evidence", other, body).status_code == 404
    assert api(client, "PATCH", f"evidence/{item.pk}", other, {"title": "X"}).status_code == 404
    assert Evidence.objects.count() == 1
    item.refresh_from_db()
    assert item.title == ITEM["title"]


def test_bad_evidence_names_the_field_and_saves_nothing(client, org):
    key = make_api_key(org["ward"], write=True)
    body = {**ITEM, "unit": org["ward"].pk, "title": "", "certainty": "sure"}
    response = api(client, "POST", "evidence", key, body)
    assert {e["field"] for e in response.json()["errors"]} == {"title", "certainty"}
    body = {**ITEM, "unit": org["ward"].pk, "summary": "Seen for NHS 943 476 5919"}
    response = api(client, "POST", "evidence", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "summary"
    body = {**ITEM, "unit": org["ward"].pk, "url": "ftp://example.org"}
    response = api(client, "POST", "evidence", key, body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "url"
    assert not Evidence.objects.exists()
