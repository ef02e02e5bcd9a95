"""Move quality control's escalations (which could only be of a signal) into this app, every
row and every historical version kept with the same ids: each becomes an escalation of its
signal (content type control.signal, object id the signal's). Reversible for escalations of
signals (the only kind there was)."""

from django.core.management.color import no_style
from django.db import migrations

BATCH = 2000
FIELDS = ("id", "from_unit_id", "to_unit_id", "reason", "status", "response", "created_by_id",
          "created_at", "responded_by_id")  # fmt: skip
HISTORY = ("history_id", "history_date", "history_change_reason", "history_type",
           "history_user_id")  # fmt: skip


def _copy(rows, model, make):
    batch = []
    for row in rows.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(make(row))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


def _keeping_times(model, copy):
    """Run `copy` with created_at taken as given (auto_now_add would stamp the migration's
    time on every row)."""
    field = model._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        copy()
    finally:
        field.auto_now_add = True


def _reset_sequences(schema_editor, models):
    """Rows were inserted with their ids: new ones must start after them (PostgreSQL)."""
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Old = apps.get_model("control", "Escalation")
    OldHistory = apps.get_model("control", "HistoricalEscalation")
    New = apps.get_model("escalation", "Escalation")
    NewHistory = apps.get_model("escalation", "HistoricalEscalation")
    signal_type, _ = ContentType.objects.get_or_create(app_label="control", model="signal")
    signal_of = dict(Old.objects.values_list("pk", "signal_id"))

    def escalation(old):
        values = {name: getattr(old, name) for name in FIELDS}
        return New(content_type=signal_type, object_id=old.signal_id, **values)

    def version(old):
        values = {name: getattr(old, name) for name in FIELDS + HISTORY}
        signal_id = old.signal_id or signal_of.get(old.id, 0)
        return NewHistory(content_type_id=signal_type.pk, object_id=signal_id, **values)

    _keeping_times(New, lambda: _copy(Old.objects.all(), New, escalation))
    _copy(OldHistory.objects.all(), NewHistory, version)
    _reset_sequences(schema_editor, [New, NewHistory])


def backward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Old = apps.get_model("control", "Escalation")
    OldHistory = apps.get_model("control", "HistoricalEscalation")
    New = apps.get_model("escalation", "Escalation")
    NewHistory = apps.get_model("escalation", "HistoricalEscalation")
    signal_type = ContentType.objects.filter(app_label="control", model="signal").first()
    if signal_type is None:
        return
    of_signals = New.objects.filter(content_type_id=signal_type.pk)

    def escalation(new):
        values = {name: getattr(new, name) for name in FIELDS}
        return Old(signal_id=new.object_id, **values)

    def version(new):
        values = {name: getattr(new, name) for name in FIELDS + HISTORY}
        return OldHistory(signal_id=new.object_id, **values)

    _keeping_times(Old, lambda: _copy(of_signals, Old, escalation))
    _copy(NewHistory.objects.filter(content_type_id=signal_type.pk), OldHistory, version)
    _reset_sequences(schema_editor, [Old, OldHistory])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_initial"),
        ("control", "0007_delete_notification"),
    ]

    operations = [migrations.RunPython(forward, backward)]
