"""A private reflection never surfaces through similar-work suggestions, even to someone who
types its very words, nor through the similar-work page's bad input."""

import pytest
from django.urls import reverse

from learning.reflection_support import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["member", "lead", "quality_lead", "admin", "partner"])
def test_it_suggests_no_private_reflection_as_similar_work(client, as_user, reflection, who):
    as_user(who)
    query = {
        "title": "Handover after a fall",
        "problem": "A fall at 3 am; the handover missed the falls risk.",
        "aim": "Ask about falls risk at every handover.",
    }
    for fragment in ("", "1"):
        response = client.get(reverse("learning:similar"), query | {"fragment": fragment})
        assert response.status_code == 200
        assert b"Handover after a fall" not in response.content
        assert b"handover sheet" not in response.content


@pytest.mark.parametrize(
    "query",
    [
        {"title": "x" * 1_000_000},
        {"title": "\x00", "exclude": "project:99999999999999999999"},
        {"exclude": "nonsense:abc", "title": "falls"},
        {"title": "𝕗𝕒𝕝𝕝𝕤 🦶 " * 50},
    ],
    ids=["1 MB", "NUL", "bad exclude", "unicode"],
)
def test_it_answers_bad_similar_work_queries_without_a_server_error(client, member, query):
    client.force_login(member)
    for method in (client.get, client.post):
        assert method(reverse("learning:similar"), query).status_code in (200, 400)


def test_it_answers_a_query_that_is_not_utf8_without_a_server_error(client, member):
    client.force_login(member)
    response = client.get(reverse("learning:similar") + "?title=%ED%A0%80%FF&fragment=1")
    assert response.status_code in (200, 400)
