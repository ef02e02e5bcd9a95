"""Issues from any source, with an owner, a closing note and actions. The rows that came from
quality control were all opened from a signal: their source is "signal" (0003 fills in the rest).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("issues", "0001_initial"),
        ("control", "0008_issue_moves_to_issues"),
        ("people", "0003_object_grants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Action",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("what", models.CharField(max_length=300)),
                ("due_on", models.DateField()),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("reminded_for", models.DateField(blank=True, null=True)),
            ],
            options={
                "ordering": ["due_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAction",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("what", models.CharField(max_length=300)),
                ("due_on", models.DateField()),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical action",
                "verbose_name_plural": "historical actions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterModelOptions(
            name="issue",
            options={"ordering": ["-created_at", "-pk"]},
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="closing_note",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="source",
            field=models.CharField(
                choices=[
                    ("signal", "Control chart signal"),
                    ("incident", "Incident"),
                    ("complaint", "Complaint"),
                    ("audit_finding", "Audit finding"),
                    ("feedback", "Feedback"),
                    ("staff_concern", "Staff concern"),
                    ("project_blocker", "Project blocker"),
                    ("other", "Other"),
                ],
                default="signal",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="source_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="source_type",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="issue",
            name="closing_note",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="issue",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="issues_owned",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="source",
            field=models.CharField(
                choices=[
                    ("signal", "Control chart signal"),
                    ("incident", "Incident"),
                    ("complaint", "Complaint"),
                    ("audit_finding", "Audit finding"),
                    ("feedback", "Feedback"),
                    ("staff_concern", "Staff concern"),
                    ("project_blocker", "Project blocker"),
                    ("other", "Other"),
                ],
                default="signal",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issue",
            name="source_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="issue",
            name="source_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AlterField(
            model_name="historicalissue",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("in_progress", "In progress"), ("closed", "Closed")],
                default="open",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="issue",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("in_progress", "In progress"), ("closed", "Closed")],
                default="open",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="issue",
            index=models.Index(fields=["source_type", "source_id"], name="issue_source_idx"),
        ),
        migrations.AddField(
            model_name="action",
            name="created_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="done_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="issue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="actions",
                to="issues.issue",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="actions_owned",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="done_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="issue",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="issues.issue",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["owner", "done_at", "due_on"], name="action_owner_due_idx"),
        ),
    ]
