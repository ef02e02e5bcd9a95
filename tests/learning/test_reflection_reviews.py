"""Team learning reviews: held by the unit's staff (REVIEWERS), read by its staff and the units
above, shared to a network its members read (partners among them); discussion and history on
the review's page; listed on the unit's page and on the page of the record it followed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import DAY
from qms.core.history import history_of
from qms.learning.models import LearningReview
from qms.learning.services import reflection as services

ANSWERS = {
    "expected": "Falls to halve with intentional rounding.",
    "happened": "They fell by a third, and rose again in August.",
    "why_different": "Rounding lapsed when agency staff covered nights.",
    "will_do": "Add rounding to the agency induction.",
}


def _review(unit, by, **fields):
    data = {"title": "Falls project review", "held_on": DAY, **ANSWERS} | fields
    return services.review_create(by=by, unit=unit, **data)


@pytest.mark.parametrize(
    "who,status",
    [
        ("member", 200),
        ("lead", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("partner", 403),
        ("ward8", 404),
        ("outsider", 404),
    ],
)
def test_it_lets_the_units_staff_hold_a_review_and_no_one_else(client, as_user, org, who, status):
    as_user(who)
    url = reverse("learning:review-create", args=[org["ward"].pk])
    assert client.get(url).status_code == status
    data = {"title": "Review", "held_on": "2026-05-04", **ANSWERS}
    response = client.post(url, data)
    assert response.status_code == (302 if status == 200 else status)
    assert LearningReview.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    "who,status",
    [("member", 200), ("quality_lead", 200), ("partner", 404), ("ward8", 404), ("outsider", 404)],
)
def test_it_shows_a_review_to_the_units_staff_only(client, as_user, org, member, who, status):
    review = _review(org["ward"], member)
    as_user(who)
    assert client.get(review.get_absolute_url()).status_code == status
    assert client.get(reverse("learning:review-edit", args=[review.pk])).status_code == status


def test_it_shows_a_review_shared_with_a_network_to_its_members_without_its_discussion(
    client, org, nurse, network, net_partner
):
    review = _review(org["ward"], nurse, shared_network=network)
    client.force_login(net_partner)
    page = client.get(review.get_absolute_url())
    assert page.status_code == 200 and "Rounding lapsed" in page.text
    assert "Change it" not in page.text and "History" not in page.text
    assert client.get(reverse("learning:review-edit", args=[review.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.review_update(by=net_partner, review=review, title="Mine")


def test_it_lists_reviews_on_the_unit_page_and_the_records_page(client, org, member, project):
    review = _review(org["ward"], member, subject=project)
    client.force_login(member)
    assert review.title in client.get(reverse("learning:unit-learning", args=[org["ward"].pk])).text
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert review.title in page.text and "Hold a learning review" in page.text


def test_it_records_who_changed_a_review_and_discusses_it(client, org, member, lead):
    review = _review(org["ward"], member)
    services.review_update(
        by=lead, review=review, will_do="Add rounding to induction and audit it."
    )
    rows = history_of(review)
    assert len(rows) == 2
    client.force_login(lead)
    page = client.get(review.get_absolute_url())
    assert "Changes to this review" in page.text and "Discussion" in page.text


def test_it_refuses_a_review_with_an_empty_answer_and_saves_nothing(client, org, member):
    with pytest.raises(ValidationError):
        _review(org["ward"], member, why_different="   ")
    client.force_login(member)
    url = reverse("learning:review-create", args=[org["ward"].pk])
    response = client.post(url, {"title": "R", "held_on": "2026-05-04", **ANSWERS, "will_do": ""})
    assert response.status_code == 400 and not LearningReview.objects.exists()


def test_it_refuses_sharing_a_review_with_a_network_the_person_is_not_in(org, member, network):
    with pytest.raises(ValidationError):
        _review(org["ward"], member, shared_network=network)
