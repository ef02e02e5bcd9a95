"""Quality control's notifications and the people's e-mail choices move to the notifications
app with every row kept (migrations from control 0005 forward)."""

import datetime as dt

import pytest
from helpers import empty_database, migrate_to, schema_from_models

from qms.control.models import Signal
from qms.notifications.models import Notification, NotificationPreference

BEFORE = [
    ("control", "0005_measure_multiply_positive"),
    ("people", "0003_object_grants"),
    ("notifications", None),
]
# The move itself: undoing it unapplies these alone, not every migration since (minutes).
AFTER = [
    ("control", "0007_delete_notification"),
    ("people", "0004_remove_person_alert_email"),
    ("notifications", "0002_from_control_and_people"),
]
WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def old_state(transactional_db):
    empty_database()
    apps = migrate_to(BEFORE)
    yield apps
    schema_from_models()  # whatever happened, leave the database as the other tests expect it


def _old_rows(apps):
    Unit = apps.get_model("people", "Unit")
    Person = apps.get_model("people", "Person")
    Measure = apps.get_model("control", "Measure")
    Signal = apps.get_model("control", "Signal")
    Notification = apps.get_model("control", "Notification")
    ward = Unit.objects.create(name="Ward 7", code="ward", kind="ward", path="/1/")
    ward.path = f"/{ward.pk}/"
    ward.save()
    lead = Person.objects.create(username="lead", display_name="Lead", alert_email="immediate")
    member = Person.objects.create(username="member", display_name="Member")
    measure = Measure.objects.create(
        unit=ward, name="Falls", code="falls", kind="outcome", domain="safe",
        operational_definition="Falls", frequency="month", chart="c", direction="decrease",
    )  # fmt: skip
    signal = Signal.objects.create(
        measure=measure, kind="special_cause_concern", first_period=dt.date(2026, 1, 1),
        last_period=dt.date(2026, 2, 1), explanation="Above the upper limit",
    )  # fmt: skip
    link = f"/control/measures/{measure.pk}/#signal-{signal.pk}"
    rows = [
        dict(person=lead, text="Falls (Ward 7): Above the upper limit", link=link, signal=signal),
        dict(person=member, text="Escalated from Ward 7: Falls — beds", link=link, signal=signal),
        dict(
            person=lead,
            text="Ward 8 returned to the team: Falls — try X",
            link=link,
            signal=signal,
            read_at=WHEN,
        ),  # fmt: skip
        dict(
            person=lead,
            text="Falls: new limits suggested",
            link=f"/control/measures/{measure.pk}/#baseline-suggestion",
        ),  # fmt: skip
        dict(person=lead, text="Could not refresh", link="/control/measures/1/#results-failure"),
    ]
    for row in rows:
        Notification.objects.create(**row)
    Notification.objects.update(created_at=WHEN)
    return signal.pk


def test_every_notification_moves_with_its_person_text_link_state_and_signal(old_state):
    signal_id = _old_rows(old_state)
    migrate_to(None)
    moved = {n.text: n for n in Notification.objects.select_related("person")}
    assert len(moved) == 5
    first = moved["Falls (Ward 7): Above the upper limit"]
    assert (first.person.username, first.kind, first.read_at) == ("lead", "signal", None)
    assert first.subject == Signal.objects.get(pk=signal_id)
    assert first.link.endswith(f"#signal-{signal_id}")
    assert first.created_at == WHEN  # not the time of the migration
    escalated = moved["Escalated from Ward 7: Falls — beds"]
    assert (escalated.person.username, escalated.kind) == ("member", "escalation")
    assert escalated.subject.pk == signal_id
    returned = moved["Ward 8 returned to the team: Falls — try X"]
    assert (returned.kind, returned.read_at) == ("escalation", WHEN)
    assert moved["Falls: new limits suggested"].kind == "baseline"
    assert moved["Could not refresh"].kind == "system"
    assert moved["Could not refresh"].subject is None
    assert Notification.objects.filter(signal__pk=signal_id).count() == 3


def test_e_mail_choices_move_to_preferences(old_state):
    _old_rows(old_state)
    migrate_to(None)
    assert list(NotificationPreference.objects.values_list("person__username", "email")) == [
        ("lead", "immediate")
    ]  # the member kept the default, the daily digest, which needs no row


def test_the_move_can_be_undone(old_state):
    _old_rows(old_state)
    migrate_to(AFTER)
    apps = migrate_to(BEFORE)
    Old = apps.get_model("control", "Notification")
    assert Old.objects.count() == 5
    assert Old.objects.filter(signal__isnull=False).count() == 3
    assert Old.objects.filter(read_at=WHEN).count() == 1
    Person = apps.get_model("people", "Person")
    assert Person.objects.get(username="lead").alert_email == "immediate"
