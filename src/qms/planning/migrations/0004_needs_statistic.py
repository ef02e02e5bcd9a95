from django.db import migrations, models


def _fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="statistic",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name=model_name,
            name="statistic_unit",
            field=models.CharField(blank=True, help_text="E.g. %, per 1,000.", max_length=60),
        ),
        migrations.AddField(
            model_name=model_name,
            name="published_on",
            field=models.DateField(blank=True, null=True),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_audits_reminded")]

    operations = [*_fields("needevidence"), *_fields("historicalneedevidence")]
