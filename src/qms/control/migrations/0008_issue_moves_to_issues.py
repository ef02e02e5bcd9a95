"""Issues belong to the core app `qms.issues` now. State only: the table `control_issue` is the
one `issues.Issue` uses, so `Signal.issue` keeps pointing at the same rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("control", "0007_delete_notification"),
        ("issues", "0001_initial"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="signal",
            name="issue",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="signals",
                to="issues.issue",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsignal",
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
        migrations.DeleteModel(name="HistoricalIssue"),
        migrations.DeleteModel(name="Issue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations, database_operations=[]
        )
    ]
