"""The daily digest: one e-mail a person, once, to those who did not choose otherwise."""

from django.core import mail
from django.core.management import call_command
from helpers import make_person

from qms.notifications import services
from qms.notifications.models import NotificationPreference
from qms.notifications.tasks import send_daily_digest, send_immediate_emails


def test_the_digest_gathers_each_persons_unread_news_once(org, lead, member, quality_lead):
    NotificationPreference.objects.create(person=member, email="none")
    NotificationPreference.objects.create(person=quality_lead, email="daily")
    services.notify([lead, member, quality_lead], kind="issue", text="First", subject=org["ward"])
    services.notify([lead], kind="action", text="Second", link="/x/")
    read = services.notify([lead], kind="system", text="Already read")
    services.notifications_mark_read(person=lead, ids=[read[0].pk])

    assert send_daily_digest.call() == 2  # the lead (never chose: daily) and the quality lead
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {lead.email, quality_lead.email}
    body = sent[lead.email].body
    assert "First" in body and "Second" in body and "Already read" not in body
    assert sent[lead.email].subject == "QMS: 2 new in your inbox"
    assert send_daily_digest.call() == 0


def test_people_without_an_address_are_skipped_but_not_asked_again(org):
    nobody = make_person("nobody")
    type(nobody).objects.filter(pk=nobody.pk).update(email="")
    services.notify([nobody], kind="system", text="Hello")
    assert send_daily_digest.call() == 1
    assert mail.outbox == []
    assert send_daily_digest.call() == 0


def test_the_command_keeps_its_name(org, lead):
    services.notify([lead], kind="system", text="Hello")
    call_command("send-digest")
    assert len(mail.outbox) == 1


def test_an_immediate_e_mail_about_text_of_several_lines_has_a_one_line_subject(org, lead):
    """An escalation's reason is written in a box of several lines; an e-mail subject cannot
    hold a line break (Django refuses to send it at all)."""
    NotificationPreference.objects.create(person=lead, email="immediate")
    told = services.notify(
        [lead], kind="escalation", text="Escalated from Ward 7: Beds — no\nstaff"
    )
    assert send_immediate_emails.call([told[0].pk]) == 1
    assert mail.outbox[0].subject == "QMS escalation: Escalated from Ward 7: Beds — no staff"
    assert "no\nstaff" in mail.outbox[0].body
