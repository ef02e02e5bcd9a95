"""Integration keys become API keys (people.ApiKey), so one kind of key works on the
observations endpoint, the API at /api/v1/ and FHIR. Each keeps its prefix and hash, so the
systems using it need change nothing; it may write, acts as a team lead of its unit (a measure
editor, as the integration keys' makers were), and expires a year from now (an API key always
expires). Each gets its own account, named as qms.people.keys names one ("api-key-<prefix>"),
and a first history row saying where it came from."""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone

LIFETIME = dt.timedelta(days=365)  # qms.people.keys.DEFAULT_LIFETIME when this was written
ROLE = "team_lead"  # qms.people.keys.DEFAULT_WRITE_ROLE


def _free_username(Person, prefix: str) -> str:
    username, n = f"api-key-{prefix}", 1
    while Person.objects.filter(username=username).exists():
        n += 1
        username = f"api-key-{prefix}-{n}"
    return username


def to_api_keys(apps, schema_editor):
    Token = apps.get_model("control", "IntegrationToken")
    ApiKey = apps.get_model("people", "ApiKey")
    HistoricalApiKey = apps.get_model("people", "HistoricalApiKey")
    Person = apps.get_model("people", "Person")
    now = timezone.now()
    for token in Token.objects.order_by("pk"):
        if ApiKey.objects.filter(prefix=token.prefix).exists():
            continue  # converted already (the migration run again after a failure)
        principal = Person.objects.create(
            username=_free_username(Person, token.prefix),
            display_name=f"{token.name} (API key)",
            password=make_password(None),
        )
        key = ApiKey.objects.create(
            name=token.name,
            unit_id=token.unit_id,
            role=ROLE,
            can_write=True,
            expires_at=now + LIFETIME,
            prefix=token.prefix,
            key_hash=token.key_hash,
            principal=principal,
            created_by_id=token.created_by_id,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            revoked_by_id=token.revoked_by_id,
        )
        # auto_now_add set it to now: keep when the integration key was made.
        ApiKey.objects.filter(pk=key.pk).update(created_at=token.created_at)
        HistoricalApiKey.objects.create(
            id=key.pk,
            name=key.name,
            unit_id=key.unit_id,
            role=key.role,
            can_write=True,
            expires_at=key.expires_at,
            prefix=key.prefix,
            key_hash=key.key_hash,
            principal_id=principal.pk,
            created_by_id=key.created_by_id,
            created_at=token.created_at,
            revoked_at=key.revoked_at,
            revoked_by_id=key.revoked_by_id,
            history_date=now,
            history_type="+",
            history_change_reason="Converted from an integration key of quality control",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("control", "0013_measure_definition"),
        ("people", "0005_api_keys"),
    ]

    operations = [migrations.RunPython(to_api_keys, migrations.RunPython.noop)]
