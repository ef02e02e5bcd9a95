"""Seed the Yorkshire Contributory Factors Framework (qms.planning.yorkshire, with its source)."""

from django.db import migrations

from qms.planning.yorkshire import DOMAINS, seed_domains


def seed(apps, schema_editor):
    seed_domains(apps.get_model("planning", "FactorDomain"))


def unseed(apps, schema_editor):
    FactorDomain = apps.get_model("planning", "FactorDomain")
    codes = [code for code, *_ in DOMAINS]
    FactorDomain.objects.filter(code__in=codes, codings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
