"""The inbox: grouped by kind, each item's status and age, marking read, and links only to
what the person may still open; the e-mail choice on the person's own page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from helpers import record

from qms.control import services as control_services
from qms.control.models import Signal
from qms.notifications import services
from qms.notifications.models import Notification, NotificationPreference
from qms.people import services as people_services

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


@pytest.fixture
def signal(org, lead):
    measure = control_services.measure_create(
        by=None, unit=org["ward"], name="Falls", code="falls", kind="outcome", domain="safe",
        operational_definition="Falls", frequency="month", chart="c", direction="decrease",
        owner=lead,
    )  # fmt: skip
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))
    return Signal.objects.get(measure=measure)


def test_it_groups_the_inbox_by_kind_with_status_and_age(client, org, lead, signal):
    services.notify([lead], kind="issue", text="An issue in the ward", subject=org["ward"])
    old = services.notify([lead], kind="system", text="Maintenance", link="/help/")
    Notification.objects.filter(pk=old[0].pk).update(
        created_at=timezone.now() - dt.timedelta(days=3, hours=2), read_at=timezone.now()
    )
    client.force_login(lead)
    html = client.get("/inbox/").content.decode()
    html = html[html.index("<main") :]  # the navigation has an Issues link too
    headings = [h for h in ("<h2", "Signals", "Issues", "System") if h in html]
    assert headings == ["<h2", "Signals", "Issues", "System"]
    assert html.index(">Signals") < html.index(">Issues") < html.index(">System")
    assert signal.explanation[:30] in html
    assert "Open" in html  # the signal's own status
    assert "latest 25" in html  # what control adds: the measure's latest value
    assert "3\xa0days ago" in html and "just now" in html
    assert "Unread" in html and "Read" in html


def test_it_marks_one_or_all_read(client, lead, member):
    first, second = (
        services.notify([lead], kind="system", text=text)[0] for text in ("One", "Two")
    )
    theirs = services.notify([member], kind="system", text="Theirs")[0]
    client.force_login(lead)
    assert client.post("/inbox/", {"notification": first.pk}).status_code == 302
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        second.pk,
        theirs.pk,
    }
    client.post("/inbox/", {"notification": theirs.pk})  # not theirs to mark
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.post("/inbox/")
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("bad_id", ["x", "-1", "0", "99999999999999999999999", "1.5"])
def test_a_bad_id_changes_nothing_and_says_so(client, lead, bad_id):
    services.notify([lead], kind="system", text="One")
    client.force_login(lead)
    response = client.post("/inbox/", {"notification": bad_id}, follow=True)
    assert "Nothing was marked" in response.content.decode()
    assert Notification.objects.get().read_at is None


def test_a_subject_the_person_can_no_longer_see_is_not_linked(client, org, lead, signal):
    services.notify([lead], kind="issue", text="About the other board", subject=org["elsewhere"])
    membership = lead.memberships.get()
    people_services.membership_remove(by=None, membership=membership)
    client.force_login(lead)
    html = client.get("/inbox/").content.decode()
    assert signal.explanation[:30] in html and "About the other board" in html
    assert signal.get_absolute_url() not in html
    assert org["elsewhere"].get_absolute_url() not in html
    assert "latest 25" not in html  # nor anything more about it


def test_a_notification_about_a_deleted_record_stays_without_its_link(client, org, lead):
    unit = people_services.unit_create(by=None, name="Pop-up", code="pop", kind="team",
                                       parent=org["ward"])  # fmt: skip
    services.notify([lead], kind="system", text="A pop-up team", subject=unit)
    link = unit.get_absolute_url()
    unit.delete()
    client.force_login(lead)
    html = client.get("/inbox/").content.decode()
    assert "A pop-up team" in html and f'href="{link}"' not in html


def test_it_needs_a_login_and_the_old_address_still_arrives(client, lead):
    assert client.get("/inbox/").status_code == 302
    response = client.get("/control/inbox/")
    assert (response.status_code, response["Location"]) == (301, "/inbox/")


def test_the_navigation_counts_the_unread(client, lead):
    services.notify([lead], kind="system", text="One")
    services.notify([lead], kind="system", text="Two")
    client.force_login(lead)
    assert '2<span class="visually-hidden"> unread' in client.get("/inbox/").content.decode()


def test_an_empty_inbox_says_so(client, lead):
    client.force_login(lead)
    html = client.get("/inbox/").content.decode()
    assert "Nothing here" in html and "Mark all as read" not in html


def test_the_e_mail_choice_is_saved_for_the_person_who_sends_it(client, lead):
    client.force_login(lead)
    page = client.get(f"/people/{lead.pk}/").content.decode()
    assert "E-mail me about signals" in page and "In a daily digest" in page
    response = client.post("/inbox/e-mail/", {"email": "none"})
    assert response["Location"] == lead.get_absolute_url()
    assert NotificationPreference.objects.get(person=lead).email == "none"
    page = client.get(f"/people/{lead.pk}/").content.decode()
    assert re.search(r'value="none"[^>]* checked', page)


def test_a_bad_e_mail_choice_saves_nothing(client, lead):
    client.force_login(lead)
    response = client.post("/inbox/e-mail/", {"email": "hourly"}, follow=True)
    assert "Nothing was saved" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_e_mail_choice_needs_a_login_and_a_post(client, lead):
    assert client.post("/inbox/e-mail/", {"email": "none"}).status_code == 302
    assert not NotificationPreference.objects.exists()
    client.force_login(lead)
    assert client.get("/inbox/e-mail/").status_code == 405


def test_a_subject_that_does_not_say_where_it_lives_is_not_linked(client, lead):
    services.notify([lead], kind="system", text="About a person", subject=lead)
    client.force_login(lead)
    html = client.get("/inbox/").content.decode()
    assert "About a person" in html and ">About a person</a>" not in html
