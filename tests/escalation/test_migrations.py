"""Quality control's escalations move to the escalation app with every row and every
historical version kept, same ids, each an escalation of its signal (migrations from control
0005 forward, and back)."""

import datetime as dt

import pytest
from helpers import empty_database, migrate_to, schema_from_models

from qms.control.models import Signal
from qms.escalation import services
from qms.escalation.models import Escalation

BEFORE = [
    ("control", "0005_measure_multiply_positive"),
    ("people", "0003_object_grants"),
    ("notifications", None),
    ("escalation", None),
]
# The move itself: undoing it unapplies these alone, not every migration since (minutes).
AFTER = [("control", "0010_delete_escalation"), ("escalation", "0002_from_control")]
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
    Escalation = apps.get_model("control", "Escalation")
    History = apps.get_model("control", "HistoricalEscalation")
    service = Unit.objects.create(name="Medicine", code="service", kind="service")
    ward = Unit.objects.create(name="Ward 7", code="ward", kind="ward", parent=service)
    service.path, ward.path = f"/{service.pk}/", f"/{service.pk}/{ward.pk}/"
    service.save()
    ward.save()
    lead = Person.objects.create(username="lead", display_name="Lead")
    head = Person.objects.create(username="head", display_name="Head")
    measure = Measure.objects.create(
        unit=ward, name="Falls", code="falls", kind="outcome", domain="safe",
        operational_definition="Falls", frequency="month", chart="c", direction="decrease",
    )  # fmt: skip
    signal = Signal.objects.create(
        measure=measure, kind="special_cause_concern", first_period=dt.date(2026, 1, 1),
        last_period=dt.date(2026, 2, 1), explanation="Above the upper limit", status="escalated",
    )  # fmt: skip
    escalation = Escalation.objects.create(
        signal=signal, from_unit=ward, to_unit=service, reason="Beds", created_by=lead,
        status="returned", response="Use the winter plan", responded_by=head,
    )  # fmt: skip
    Escalation.objects.filter(pk=escalation.pk).update(created_at=WHEN)
    for number, (status, user) in enumerate([("open", lead), ("returned", head)]):
        History.objects.create(
            id=escalation.pk, signal=signal, from_unit=ward, to_unit=service, reason="Beds",
            status=status, response="" if status == "open" else "Use the winter plan",
            created_by=lead, created_at=WHEN, history_date=WHEN + dt.timedelta(hours=number),
            history_type="+" if status == "open" else "~", history_user=user,
            history_change_reason="Returned to the team" if number else None,
        )  # fmt: skip
    return signal.pk, escalation.pk


def test_every_escalation_and_version_moves_with_its_signal(old_state):
    signal_id, escalation_id = _old_rows(old_state)
    migrate_to(None)
    moved = Escalation.objects.get()
    signal = Signal.objects.get(pk=signal_id)
    assert moved.pk == escalation_id and moved.subject == signal
    assert (moved.from_unit.name, moved.to_unit.name, moved.reason) == (
        "Ward 7",
        "Medicine",
        "Beds",
    )
    assert (moved.status, moved.response) == ("returned", "Use the winter plan")
    assert (moved.created_by.username, moved.responded_by.username) == ("lead", "head")
    assert moved.created_at == WHEN
    assert list(signal.escalations.all()) == [moved]
    versions = list(moved.history.order_by("history_date"))
    assert [(v.status, v.history_user.username) for v in versions] == [
        ("open", "lead"),
        ("returned", "head"),
    ]
    assert versions[1].history_change_reason == "Returned to the team"
    assert (versions[0].content_type.model, versions[0].object_id) == ("signal", signal_id)
    # New escalations take new ids after the moved ones (PostgreSQL's sequences reset).
    again = services.escalate(by=None, subject=signal, reason="Still beds")
    assert again.pk > escalation_id


def test_the_move_can_be_undone(old_state):
    signal_id, escalation_id = _old_rows(old_state)
    migrate_to(AFTER)
    apps = migrate_to(BEFORE)
    Old = apps.get_model("control", "Escalation")
    back = Old.objects.get()
    assert (back.pk, back.signal_id, back.status, back.created_at) == (
        escalation_id,
        signal_id,
        "returned",
        WHEN,
    )
    assert apps.get_model("control", "HistoricalEscalation").objects.count() == 2
