"""Bad input on the reflection and review forms: a clear message naming the field, nothing
saved, never a server error; pages in a bounded number of queries whatever the numbers."""

import pytest
from django.urls import reverse

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import DAY, write
from qms.learning.models import LearningReview, Reflection
from qms.learning.services import reflection as services

BASE = {"title": "T", "happened_on": "2026-05-04", "description": "D", "sharing": "private"}


@pytest.mark.parametrize(
    "change,field",
    [
        ({"happened_on": "9999-12-31"}, "The day it happened must be a day in the past"),
        ({"happened_on": "yesterday"}, "Enter the day it happened as a date"),
        ({"happened_on": "99999999-01-01"}, "Enter the day it happened as a date"),
        ({"title": ""}, "Title"),
        ({"title": "x" * 201}, "at most 200"),
        ({"description": "   "}, "1. Description"),
        ({"description": "x" * 10_001}, "at most 10000"),
        ({"code_themes": ["everything"]}, "Select a valid choice"),
        ({"sharing": "everyone"}, "Select a valid choice"),
        ({"sharing": "unit"}, "Choose the unit whose staff may read it"),
        ({"sharing": "unit", "shared_unit": "99999999999999999999"}, "Select a valid choice"),
        ({"sharing": "network", "shared_network": "abc"}, "Select a valid choice"),
        ({"title": "Bad\x00title"}, "Title"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(client, nurse, change, field):
    client.force_login(nurse)
    response = client.post(reverse("learning:reflection-create"), BASE | change)
    assert response.status_code == 400
    assert field in response.text
    assert not Reflection.objects.exists()


def test_it_keeps_unicode_and_a_long_reflection(client, nurse):
    client.force_login(nurse)
    text = "Zoë’s 夜勤 handover 😊 " * 400
    response = client.post(reverse("learning:reflection-create"), BASE | {"description": text})
    assert response.status_code == 302
    assert Reflection.objects.get().description == text.strip()


def test_it_answers_a_huge_body_without_a_server_error(client, nurse):
    client.force_login(nurse)
    response = client.post(
        reverse("learning:reflection-create"), BASE | {"description": "x" * 10_000_000}
    )
    assert response.status_code in (400, 413)
    assert not Reflection.objects.exists()


def test_it_refuses_a_review_dated_in_year_9999_and_in_another_units_id(client, org, member):
    client.force_login(member)
    url = reverse("learning:review-create", args=[org["ward"].pk])
    data = {
        "title": "R",
        "held_on": "9999-01-01",
        "expected": "a",
        "happened": "b",
        "why_different": "c",
        "will_do": "d",
    }
    assert client.post(url, data).status_code == 400
    assert (
        client.post(reverse("learning:review-create", args=[org["elsewhere"].pk]), data).status_code
        == 404
    )
    assert client.get("/learn/units/99999999999999999999/reviews/").status_code == 404
    assert not LearningReview.objects.exists()


def _reflections(author, org, count):
    for n in range(count):
        write(author, title=f"Reflection {n}", sharing="unit", shared_unit=org["ward"])


@pytest.mark.parametrize("name", ["reflection-list", "reflection-shared", "home"])
def test_it_reads_the_lists_in_the_same_queries_whatever_their_size(
    client, django_assert_max_num_queries, nurse, member, org, name
):
    url = reverse(f"learning:{name}")
    client.force_login(member)
    _reflections(nurse, org, 2)
    _reflections(member, org, 2)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    _reflections(nurse, org, 30)
    _reflections(member, org, 30)
    for n in range(10):
        services.review_create(
            by=member,
            unit=org["ward"],
            title=f"R{n}",
            held_on=DAY,
            expected="a",
            happened="b",
            why_different="c",
            will_do="d",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_it_reads_a_units_learning_page_in_the_same_queries_whatever_its_size(
    client, django_assert_max_num_queries, nurse, member, org
):
    import datetime as dt

    url = reverse("learning:unit-learning", args=[org["ward"].pk])
    client.force_login(member)
    _reflections(nurse, org, 1)
    services.review_create(
        by=member,
        unit=org["ward"],
        title="R",
        held_on=DAY,
        expected="a",
        happened="b",
        why_different="c",
        will_do="d",
    )
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    _reflections(nurse, org, 40)
    for n in range(60):
        services.review_create(
            by=member,
            unit=org["ward"],
            title=f"R{n}",
            held_on=dt.date(2026, 1, 1),
            expected="a",
            happened="b",
            why_different="c",
            will_do="d",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
