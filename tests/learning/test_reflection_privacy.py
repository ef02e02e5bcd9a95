"""A private reflection is its author's alone: no other person (a colleague, the team lead, the
quality lead, the system administrator, a partner, an outsider) finds it by any path: the list,
its page, its edit, share, delete and export pages, the shared lists, the unit's and a network's
learning pages, the page of the record it is about, the Learn home, the Django admin."""

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import write
from qms.learning.models import Reflection

OTHERS = ["member", "lead", "quality_lead", "admin", "partner", "outsider", "ward8"]
AUTHOR_PAGES = [
    "reflection-detail",
    "reflection-edit",
    "reflection-delete",
    "reflection-nmc",
    "reflection-nmc-pdf",
]


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("name", AUTHOR_PAGES)
def test_it_answers_404_to_anyone_but_the_author_on_every_page_of_a_private_reflection(
    client, as_user, reflection, who, name
):
    as_user(who)
    assert client.get(reverse(f"learning:{name}", args=[reflection.pk])).status_code == 404


@pytest.mark.parametrize("who", OTHERS)
def test_it_refuses_to_share_edit_or_delete_someone_elses_reflection_by_post(
    client, as_user, reflection, who, org
):
    as_user(who)
    url = reverse("learning:reflection-share", args=[reflection.pk])
    assert client.post(url, {"sharing": "unit", "shared_unit": org["ward"].pk}).status_code == 404
    assert (
        client.post(reverse("learning:reflection-delete", args=[reflection.pk])).status_code == 404
    )
    assert (
        client.post(reverse("learning:reflection-edit", args=[reflection.pk]), {}).status_code
        == 404
    )
    reflection.refresh_from_db()
    assert reflection.sharing == "private"


@pytest.mark.parametrize("name", AUTHOR_PAGES)
def test_it_shows_the_author_every_page_of_their_reflection(client, nurse, reflection, name):
    client.force_login(nurse)
    assert client.get(reverse(f"learning:{name}", args=[reflection.pk])).status_code == 200


@pytest.mark.parametrize("who", OTHERS)
def test_it_lists_a_private_reflection_nowhere_for_others(client, as_user, reflection, org, who):
    user = as_user(who)
    pages = [
        reverse("learning:reflection-list"),
        reverse("learning:reflection-shared"),
        reverse("learning:home"),
        reverse("learning:unit-learning", args=[org["ward"].pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert b"Handover after a fall" not in response.content, (url, user)


def test_it_lists_the_authors_own_reflections_for_them(client, nurse, reflection):
    client.force_login(nurse)
    assert "Handover after a fall" in client.get(reverse("learning:reflection-list")).text
    assert "Handover after a fall" in client.get(reverse("learning:home")).text


def test_it_unknown_or_huge_ids_answer_404(client, nurse):
    client.force_login(nurse)
    for pk in (0, 999999, 2**63):
        assert client.get(f"/learn/reflections/{pk}/").status_code == 404


@pytest.mark.parametrize("who", ["lead", "quality_lead", "admin", "member"])
def test_it_shows_others_nothing_of_a_private_reflection_on_the_record_it_is_about(
    client, as_user, nurse, issue, who
):
    write(nurse, title="My private thoughts on the issue", subject=issue)
    as_user(who)
    page = client.get(issue.get_absolute_url())
    assert page.status_code == 200
    assert "Reflect on this" in page.text
    assert "My private thoughts on the issue" not in page.text


def test_it_shows_the_author_their_reflections_on_the_record_page(client, nurse, issue):
    write(nurse, title="My private thoughts on the issue", subject=issue)
    client.force_login(nurse)
    page = client.get(issue.get_absolute_url())
    assert "My private thoughts on the issue" in page.text
    assert "only you see this list" in page.text


def test_it_keeps_reflections_out_of_the_django_admin(client, admin, reflection):
    assert Reflection not in django_admin.site._registry
    client.force_login(admin)
    assert client.get("/admin/learning/reflection/").status_code == 404
    assert b"Handover after a fall" not in client.get("/admin/").content


def test_it_keeps_no_history_of_reflections():
    assert not hasattr(Reflection, "history")
