"""Each measure's library definition, for comparing units that measure the same thing (funnel
plots in learning). Measures made before the link existed are linked to the definition whose
name and operational definition they still have, word for word; a measure adapted since, or
matching two definitions, is left unlinked."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    Measure = apps.get_model("control", "Measure")
    MeasureDefinition = apps.get_model("control", "MeasureDefinition")
    matches: dict[tuple[str, str], list[int]] = {}
    for pk, name, text in MeasureDefinition.objects.values_list(
        "pk", "name", "operational_definition"
    ):
        matches.setdefault((name, text), []).append(pk)
    unique = {key: pks[0] for key, pks in matches.items() if len(pks) == 1}
    changed = []
    measures = Measure.objects.filter(definition__isnull=True).only(
        "pk", "name", "operational_definition"
    )
    for measure in measures.iterator(chunk_size=500):
        definition_id = unique.get((measure.name, measure.operational_definition))
        if definition_id is None:
            continue
        measure.definition_id = definition_id
        changed.append(measure)
        if len(changed) >= 500:
            Measure.objects.bulk_update(changed, ["definition"])
            changed = []
    Measure.objects.bulk_update(changed, ["definition"])


class Migration(migrations.Migration):
    dependencies = [("control", "0012_measureresult_last_centre_limits")]

    operations = [
        migrations.AddField(
            model_name="historicalmeasure",
            name="definition",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="control.measuredefinition",
            ),
        ),
        migrations.AddField(
            model_name="measure",
            name="definition",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="measures",
                to="control.measuredefinition",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
