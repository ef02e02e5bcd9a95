"""The issues that came from quality control were all opened from a signal by the person who
made them: their source record is the signal that links to them, their owner their creator.

A migration of its own: on PostgreSQL, rows changed in the same transaction as 0002's schema
changes would leave trigger events pending when 0002's indexes are made.
"""

from django.db import migrations, models


def describe_old_issues(apps, schema_editor):
    """Owner = creator; source record = the (first) signal linked to the issue."""
    Issue = apps.get_model("issues", "Issue")
    Signal = apps.get_model("control", "Signal")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Issue.objects.filter(owner__isnull=True).update(owner=models.F("created_by"))
    links = (
        Signal.objects.filter(issue__isnull=False)
        .order_by("issue_id", "raised_at", "pk")
        .values_list("issue_id", "pk")
    )
    first_signal: dict[int, int] = {}
    for issue_id, signal_id in links:
        first_signal.setdefault(issue_id, signal_id)
    if not first_signal:
        return
    signal_type, _ = ContentType.objects.get_or_create(app_label="control", model="signal")
    for issue_id, signal_id in first_signal.items():
        Issue.objects.filter(pk=issue_id).update(source_type=signal_type, source_id=signal_id)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0002_source_owner_actions"),
        ("control", "0008_issue_moves_to_issues"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(describe_old_issues, migrations.RunPython.noop)]
