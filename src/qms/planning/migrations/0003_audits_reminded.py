from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_factors_yorkshire"),
    ]

    operations = [
        migrations.AddField(
            model_name="audit",
            name="reaudit_reminded_for",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalaudit",
            name="reaudit_reminded_for",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
    ]
