"""The centre line and limits at each result's last point with a value, stored beside its last
value (quality planning's gaps read them for thousands of measures without
the points); filled here from the points already stored."""

from django.db import migrations, models


def fill(apps, schema_editor):
    MeasureResult = apps.get_model("control", "MeasureResult")
    changed = []
    for result in MeasureResult.objects.only("pk", "points").iterator(chunk_size=500):
        last = next((p for p in reversed(result.points or []) if p.get("y") is not None), None)
        if last is None:
            continue
        result.last_centre = last.get("cl")
        result.last_lcl = last.get("lcl")
        result.last_ucl = last.get("ucl")
        changed.append(result)
        if len(changed) >= 500:
            MeasureResult.objects.bulk_update(changed, ["last_centre", "last_lcl", "last_ucl"])
            changed = []
    MeasureResult.objects.bulk_update(changed, ["last_centre", "last_lcl", "last_ucl"])


class Migration(migrations.Migration):
    dependencies = [("control", "0011_annotation_source")]

    operations = [
        migrations.AddField(
            model_name="measureresult", name="last_centre", field=models.FloatField(null=True)
        ),
        migrations.AddField(
            model_name="measureresult", name="last_lcl", field=models.FloatField(null=True)
        ),
        migrations.AddField(
            model_name="measureresult", name="last_ucl", field=models.FloatField(null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
