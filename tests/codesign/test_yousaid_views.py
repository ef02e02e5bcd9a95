"""Pages of “you said, we did”: who reads a unit's board (a role in the unit, or on a piece of
its work: a partner on one project), drafts for staff only (a partner gets 404, even by the
entry's address), organisers alone write, and bad input answers with the field named."""

import datetime as dt

import pytest
from django.urls import reverse

from codesign.partners_support import *  # noqa: F403
from qms.codesign.models import YouSaidEntry
from qms.codesign.services import yousaid as services

DAY = dt.date(2026, 11, 2)


def _board(unit):
    return reverse("codesign:yousaid-board", args=[unit.pk])


@pytest.fixture
def entries(lead, org, project):
    published = services.yousaid_create(
        by=lead, unit=org["ward"], you_said="Nights are noisy.", we_did="Quiet time at 23:00.",
        status_on=DAY, status="done", followed=project,
    )  # fmt: skip
    services.yousaid_publish(by=lead, entry=published)
    draft = services.yousaid_create(
        by=lead, unit=org["ward"], you_said="Parking is hard.", we_did="Still thinking.",
        status_on=DAY,
    )  # fmt: skip
    return published, draft


@pytest.mark.parametrize(
    ("who", "status", "sees_draft"),
    [("lead", 200, True), ("member", 200, True), ("quality_lead", 200, True),
     ("partner", 200, False), ("guest", 200, False), ("outsider", 404, False),
     ("anonymous", 302, False)],
)  # fmt: skip
def test_it_shows_the_board_to_the_unit_and_its_work(
    client, as_user, request, entries, who, status, sees_draft
):
    if who == "guest":
        client.force_login(request.getfixturevalue("guest"))
    else:
        as_user(who)
    response = client.get(_board(entries[0].unit))
    assert response.status_code == status
    if status == 200:
        assert "Nights are noisy." in response.text
        assert ("Parking is hard." in response.text) is sees_draft
        poster = client.get(reverse("codesign:yousaid-poster", args=[entries[0].unit_id]))
        assert poster.status_code == 200 and "Parking is hard." not in poster.text


def test_it_hides_a_board_from_a_partner_of_other_work(client, guest, org, lead):
    client.force_login(guest)
    assert client.get(_board(org["other_ward"])).status_code == 404
    assert client.get(_board(org["service"])).status_code == 404  # work below, not above


@pytest.mark.parametrize(("who", "status"), [("partner", 404), ("guest", 404), ("member", 403),
                                             ("outsider", 404), ("lead", 200)])  # fmt: skip
def test_it_keeps_drafts_and_editing_to_organisers(client, as_user, request, entries, who, status):
    if who == "guest":
        client.force_login(request.getfixturevalue("guest"))
    else:
        as_user(who)
    draft = entries[1]
    assert client.get(reverse("codesign:yousaid-edit", args=[draft.pk])).status_code == status
    publish = client.post(reverse("codesign:yousaid-publish", args=[draft.pk]))
    assert publish.status_code == (302 if status == 200 else status)
    create = client.get(reverse("codesign:yousaid-create", args=[draft.unit_id]))
    in_unit = who in {"partner", "member", "lead"}  # the guest is on a project, not in the unit
    assert create.status_code == (200 if status == 200 else (403 if in_unit else 404))


def test_it_publishes_and_withdraws_from_the_board(client, lead, entries, partner):
    published, draft = entries
    client.force_login(lead)
    client.post(reverse("codesign:yousaid-publish", args=[draft.pk]))
    client.post(reverse("codesign:yousaid-publish", args=[published.pk]), {"publish": "no"})
    client.force_login(partner)
    text = client.get(_board(draft.unit)).text
    assert "Parking is hard." in text and "Nights are noisy." not in text


def test_it_drafts_an_entry_from_the_page(client, lead, org, project):
    client.force_login(lead)
    url = reverse("codesign:yousaid-create", args=[org["ward"].pk])
    assert f"improvement.project:{project.pk}" in client.get(url).text
    response = client.post(url, {
        "you_said": "Visiting times are too short.", "we_did": "Open visiting from May.",
        "followed": f"improvement.project:{project.pk}", "status": "planned",
        "status_on": "2026-12-20", "theme": "",
    })  # fmt: skip
    assert response.status_code == 302
    entry = YouSaidEntry.objects.get()
    assert entry.followed == project and not entry.published


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"you_said": ""}, "you_said"),
        ({"you_said": "x" * 601}, "you_said"),
        ({"we_did": "Patient 943 476 5919 moved"}, "we_did"),
        ({"status": "finished"}, "status"),
        ({"status_on": "0001-01-01"}, "status_on"),
        ({"status_on": "soon"}, "status_on"),
        ({"theme": "Not a theme"}, "theme"),
        ({"followed": "people.person:1"}, "followed"),
        ({"followed": "improvement.project:99999999999999999999999"}, "followed"),
    ],
)
def test_it_answers_bad_entries_with_the_field_named(client, lead, org, data, field):
    client.force_login(lead)
    values = {"you_said": "Said.", "we_did": "Did.", "status": "planned",
              "status_on": "2026-12-20", "theme": "", "followed": ""}  # fmt: skip
    response = client.post(
        reverse("codesign:yousaid-create", args=[org["ward"].pk]), {**values, **data}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not YouSaidEntry.objects.exists()


def test_it_deletes_an_entry(client, lead, entries):
    client.force_login(lead)
    response = client.post(reverse("codesign:yousaid-delete", args=[entries[1].pk]))
    assert response.status_code == 302
    assert YouSaidEntry.objects.count() == 1
    assert client.get(reverse("codesign:yousaid-delete", args=[entries[0].pk])).status_code == 405


def test_it_answers_missing_and_huge_ids(client, lead):
    client.force_login(lead)
    for url in ("/partners/units/99999999999999999999/you-said/",
                "/partners/you-said/99999999999999999999/",
                "/partners/units/0/you-said/poster/"):  # fmt: skip
        assert client.get(url).status_code == 404


def test_it_shows_the_latest_on_the_unit_page(client, member, entries, outsider):
    client.force_login(member)
    text = client.get(entries[0].unit.get_absolute_url()).text
    assert "Nights are noisy." in text and "Parking is hard." not in text


def test_it_reads_the_board_in_the_same_queries_whatever_its_size(
    client, lead, org, project, django_assert_max_num_queries
):
    client.force_login(lead)
    url = _board(org["ward"])

    def add(count):
        for number in range(count):
            services.yousaid_create(
                by=lead, unit=org["ward"], you_said=f"Said {number}.", we_did="Did.",
                status_on=DAY, followed=project,
            )  # fmt: skip

    add(2)
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_it_links_what_followed_only_where_its_page_opens(client, lead, partner, org):
    from qms.issues import services as issue_services

    issue = issue_services.issue_raise(by=lead, unit=org["ward"], title="Noise", source="feedback")
    action = issue_services.action_add(
        by=lead, issue=issue, what="Quiet time from 23:00", owner=lead,
        due_on=dt.date.today() + dt.timedelta(days=30),
    )  # fmt: skip
    entry = services.yousaid_create(
        by=lead, unit=org["ward"], you_said="Noisy.", we_did="Quiet time.", status_on=DAY,
        followed=action,
    )  # fmt: skip
    services.yousaid_publish(by=lead, entry=entry)
    client.force_login(partner)  # a partner of the ward: the ward's issues are not theirs
    text = client.get(_board(org["ward"])).text
    assert "Quiet time from 23:00" in text and action.get_absolute_url() not in text
    assert client.get(action.get_absolute_url()).status_code in {403, 404}
    client.force_login(lead)
    assert action.get_absolute_url() in client.get(_board(org["ward"])).text
