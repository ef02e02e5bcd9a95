"""notify(): one call for any app to tell people about anything; marking read; e-mail choices."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from helpers import make_person

from qms.notifications import services
from qms.notifications.models import Notification, NotificationPreference
from qms.people.models import Person


def test_it_notifies_each_active_person_once_about_a_subject(org, lead, member):
    gone = make_person("gone")
    Person.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    made = services.notify(
        [lead, member, lead, gone], kind="issue", text="  A new issue  ", subject=org["ward"]
    )
    assert sorted(n.person.username for n in made) == ["lead", "member"]
    stored = Notification.objects.get(person=lead)
    assert (stored.kind, stored.text, stored.subject) == ("issue", "A new issue", org["ward"])
    assert stored.link == org["ward"].get_absolute_url()  # the subject's page by default
    assert stored.read_at is None and stored.emailed_at is None


def test_it_takes_a_link_and_needs_no_subject(lead):
    services.notify([lead], kind="system", text="Maintenance tonight", link="/help/")
    stored = Notification.objects.get(person=lead)
    assert (stored.subject, stored.content_type, stored.link) == (None, None, "/help/")


@pytest.mark.parametrize(
    ("kind", "text", "field"), [("gossip", "x", "kind"), ("system", "  ", "text")]
)
def test_it_refuses_an_unknown_kind_or_no_text_naming_the_field(lead, kind, text, field):
    with pytest.raises(ValidationError) as refused:
        services.notify([lead], kind=kind, text=text)
    assert field in refused.value.message_dict
    assert not Notification.objects.exists()


def test_it_cuts_a_long_text_to_fit(lead):
    services.notify([lead], kind="system", text="x" * 400)
    assert len(Notification.objects.get().text) == 300


def test_nobody_to_tell_makes_nothing(org):
    assert services.notify([], kind="system", text="Anyone?") == []


def test_it_e_mails_those_who_want_it_at_once_after_the_commit(org, lead, member):
    NotificationPreference.objects.create(person=lead, email="immediate")
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        services.notify([lead, member], kind="escalation", text="Beds", subject=org["ward"])
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[lead.email]]
    assert mail.outbox[0].subject == "QMS escalation: Beds"
    assert org["ward"].get_absolute_url() in mail.outbox[0].body
    assert Notification.objects.get(person=lead).emailed_at is not None
    assert Notification.objects.get(person=member).emailed_at is None  # for the digest


def test_it_queues_no_e_mail_when_no_one_wants_one_at_once(lead):
    with TestCase.captureOnCommitCallbacks() as callbacks:
        services.notify([lead], kind="system", text="Hello")
    assert callbacks == []


def test_a_person_marks_their_own_notifications_read(lead, member):
    mine = services.notify([lead], kind="system", text="One") + services.notify(
        [lead], kind="system", text="Two"
    )
    theirs = services.notify([member], kind="system", text="Theirs")
    assert services.notifications_mark_read(person=lead, ids=[mine[0].pk, theirs[0].pk]) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert services.notifications_mark_read(person=lead) == 1
    assert Notification.objects.get(person=member).read_at is None


def test_dealing_with_a_subject_marks_everyones_notes_about_it_read(org, lead, member):
    services.notify([lead, member], kind="issue", text="About the ward", subject=org["ward"])
    services.notify([lead], kind="issue", text="About another", subject=org["other_ward"])
    assert services.notifications_mark_read_about(subject=org["ward"]) == 2
    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("text", flat=True)) == ["About another"]


def test_a_person_chooses_their_own_e_mails_only(lead, member):
    services.notification_preference_set(by=lead, person=lead, email="none")
    services.notification_preference_set(by=lead, person=lead, email="immediate")
    assert NotificationPreference.objects.get(person=lead).email == "immediate"
    with pytest.raises(PermissionDenied):
        services.notification_preference_set(by=lead, person=member, email="none")
    with pytest.raises(ValidationError) as refused:
        services.notification_preference_set(by=lead, person=lead, email="hourly")
    assert "email" in refused.value.message_dict
