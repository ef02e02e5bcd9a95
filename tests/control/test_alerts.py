"""How signals reach people: the inbox always, e-mail at once or in a daily digest."""

import datetime as dt

from django.core import mail
from django.core.management import call_command
from helpers import record

from qms.notifications.models import NotificationPreference
from qms.notifications.tasks import send_daily_digest

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def raise_signal(measure):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))


def test_it_e_mails_at_once_those_who_asked_for_it(measure, lead):
    NotificationPreference.objects.create(person=lead, email="immediate")
    raise_signal(measure)
    assert [message.to for message in mail.outbox] == [[lead.email]]
    assert "Falls per 1,000 bed days" in mail.outbox[0].subject
    assert f"/control/measures/{measure.pk}/" in mail.outbox[0].body


def test_it_sends_a_daily_digest_once(measure, lead):
    raise_signal(measure)  # the lead keeps the default: a daily digest
    assert mail.outbox == []
    assert send_daily_digest.call() == 1
    assert [message.to for message in mail.outbox] == [[lead.email]]
    assert send_daily_digest.call() == 0  # nothing new to tell


def test_it_never_e_mails_those_who_opted_out(measure, lead):
    NotificationPreference.objects.create(person=lead, email="none")
    raise_signal(measure)
    send_daily_digest.call()
    assert mail.outbox == []
    assert lead.notifications.count() == 1  # the inbox still has it


def test_the_digest_command_queues_the_digest(measure, lead):
    raise_signal(measure)
    call_command("send-digest")
    assert len(mail.outbox) == 1


def test_a_person_chooses_alerts_on_their_own_page_only(client, lead, member):
    client.force_login(lead)
    assert "E-mail me about signals" in client.get(f"/people/{lead.pk}/").content.decode()
    response = client.post("/inbox/e-mail/", {"email": "immediate"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(person=lead).email == "immediate"
    client.post(f"/people/{member.pk}/", {"email": "none"})  # someone else's page saves nothing
    assert not NotificationPreference.objects.filter(person=member).exists()
    assert "E-mail me about signals" not in client.get(f"/people/{member.pk}/").content.decode()
