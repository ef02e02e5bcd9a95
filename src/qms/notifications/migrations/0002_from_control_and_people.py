"""Move quality control's notifications (which could only be about a signal) into this app,
every row kept, and the e-mail choice from Person.alert_email into NotificationPreference.

A notification with a signal becomes one about that signal: kind "escalation" when its text is
one of those escalations wrote ("Escalated from ..." or "<unit> accepted/returned to the
team/resolved: ..."), otherwise "signal". Without a signal: "baseline" for suggested new limits,
"system" for the rest (a failed refresh). Reversible: the old rows come back from the new ones.
"""

import re

from django.db import migrations

BATCH = 2000
ESCALATION_TEXT = re.compile(r"^(Escalated from |.+ (accepted|returned to the team|resolved): )")


def _kind(old) -> str:
    if old.signal_id is not None:
        return "escalation" if ESCALATION_TEXT.match(old.text) else "signal"
    return "baseline" if old.link.endswith("#baseline-suggestion") else "system"


def _keeping_times(model, copy):
    """Run `copy` with the model's created_at taken as given: auto_now_add would stamp every
    copied row with the time of the migration."""
    field = model._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        copy()
    finally:
        field.auto_now_add = True


def forward(apps, schema_editor):
    New = apps.get_model("notifications", "Notification")
    _keeping_times(New, lambda: _forward(apps))


def backward(apps, schema_editor):
    Old = apps.get_model("control", "Notification")
    _keeping_times(Old, lambda: _backward(apps))


def _forward(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Old = apps.get_model("control", "Notification")
    New = apps.get_model("notifications", "Notification")
    Person = apps.get_model("people", "Person")
    Preference = apps.get_model("notifications", "NotificationPreference")
    signal_type, _ = ContentType.objects.get_or_create(app_label="control", model="signal")
    batch = []
    for old in Old.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(
            New(
                person_id=old.person_id,
                kind=_kind(old),
                text=old.text,
                link=old.link,
                content_type=signal_type if old.signal_id is not None else None,
                object_id=old.signal_id,
                created_at=old.created_at,
                read_at=old.read_at,
                emailed_at=old.emailed_at,
            )
        )
        if len(batch) >= BATCH:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)
    Preference.objects.bulk_create(
        [
            Preference(person_id=pk, email=choice)
            for pk, choice in Person.objects.exclude(alert_email="daily").values_list(
                "pk", "alert_email"
            )
        ]
    )


def _backward(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Old = apps.get_model("control", "Notification")
    New = apps.get_model("notifications", "Notification")
    Person = apps.get_model("people", "Person")
    Preference = apps.get_model("notifications", "NotificationPreference")
    signal_type = ContentType.objects.filter(app_label="control", model="signal").first()
    batch = []
    for new in New.objects.order_by("pk").iterator(chunk_size=BATCH):
        about_signal = signal_type is not None and new.content_type_id == signal_type.pk
        batch.append(
            Old(
                person_id=new.person_id,
                text=new.text,
                link=new.link,
                signal_id=new.object_id if about_signal else None,
                created_at=new.created_at,
                read_at=new.read_at,
                emailed_at=new.emailed_at,
            )
        )
        if len(batch) >= BATCH:
            Old.objects.bulk_create(batch)
            batch = []
    Old.objects.bulk_create(batch)
    for preference in Preference.objects.all():
        Person.objects.filter(pk=preference.person_id).update(alert_email=preference.email)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("control", "0005_measure_multiply_positive"),
        ("people", "0003_object_grants"),
    ]

    operations = [migrations.RunPython(forward, backward)]
