"""Quality control's issues became `qms.issues` issues in place: nothing lost."""

import datetime as dt

import pytest
from django.utils import timezone
from helpers import empty_database, migrate_to

BEFORE = [("control", "0005_measure_multiply_positive"), ("issues", None)]


@pytest.mark.django_db(transaction=True)
def test_issues_made_in_quality_control_survive_the_move_with_their_signals():
    empty_database()
    old = migrate_to(BEFORE)
    Unit, Person = old.get_model("people", "Unit"), old.get_model("people", "Person")
    Measure, Signal = old.get_model("control", "Measure"), old.get_model("control", "Signal")
    Issue, HistoricalIssue = (
        old.get_model("control", "Issue"),
        old.get_model("control", "HistoricalIssue"),
    )
    ward = Unit.objects.create(name="Ward 7", code="ward", kind="ward", path="/1/")
    lead = Person.objects.create(username="lead", display_name="Lead")
    measure = Measure.objects.create(
        unit=ward, name="Falls", code="falls", kind="outcome", domain="safe",
        operational_definition="Falls.", frequency="month", chart="c", direction="decrease",
    )  # fmt: skip
    linked = Issue.objects.create(
        unit=ward, title="Falls rising", description="Nights", status="closed", created_by=lead
    )
    unlinked = Issue.objects.create(unit=ward, title="Orphan", created_by=None)
    HistoricalIssue.objects.create(
        id=linked.pk, unit=ward, title="Falls rising", description="Nights", status="open",
        created_at=linked.created_at, created_by=lead, history_date=timezone.now(),
        history_type="+", history_user=lead, history_change_reason="",
    )  # fmt: skip
    signal = Signal.objects.create(
        measure=measure, kind="special_cause_concern", first_period=dt.date(2025, 1, 1),
        last_period=dt.date(2025, 1, 1), explanation="Above the limit", issue=linked,
    )  # fmt: skip

    new = migrate_to(None)

    Issue = new.get_model("issues", "Issue")
    moved = Issue.objects.get(pk=linked.pk)
    assert (moved.title, moved.description, moved.status) == ("Falls rising", "Nights", "closed")
    assert (moved.unit_id, moved.created_by_id, moved.owner_id) == (ward.pk, lead.pk, lead.pk)
    assert moved.source == "signal"
    assert (moved.source_type.app_label, moved.source_type.model) == ("control", "signal")
    assert moved.source_id == signal.pk
    assert new.get_model("control", "Signal").objects.get(pk=signal.pk).issue_id == moved.pk
    history = new.get_model("issues", "HistoricalIssue").objects.get(id=moved.pk)
    assert (history.title, history.history_user_id) == ("Falls rising", lead.pk)
    orphan = Issue.objects.get(pk=unlinked.pk)
    assert (orphan.title, orphan.owner_id, orphan.source_type_id) == ("Orphan", None, None)
    assert Issue.objects.count() == 2
