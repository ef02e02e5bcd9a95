"""Seed the Yorkshire Contributory Factors Framework (qms.planning.yorkshire, with its source)."""

from django.db import migrations

from qms.planning.yorkshire import seed_domains


def seed(apps, schema_editor):
    seed_domains(apps.get_model("planning", "FactorDomain"))


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    # Going back keeps the domains: analyses and priorities may name them, and the table goes
    # with 0001 anyway.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
